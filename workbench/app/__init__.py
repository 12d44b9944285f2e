"""Serving the Voila app (``workbench app`` / ``make app``)."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from workbench.data.reading import DEFAULT_MAX_BYTES
from workbench.errors import WorkbenchError
from workbench.workspace import REPO_ROOT, ensure_demo_workspace, find_workspace

NOTEBOOKS = REPO_ROOT / "notebooks"
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"
TEMPLATE = "workbench"
IDLE_KERNEL_SECONDS = 20 * 60


def voila_arguments(port: int, notebooks: Path = NOTEBOOKS) -> list[str]:
    """Command-line arguments for Voila serving the folder ``notebooks`` as the app."""
    return [
        str(notebooks),
        f"--port={port}",
        "--Voila.port_retries=0",  # the printed address must be the real one
        "--Voila.ip=127.0.0.1",
        "--no-browser",
        f"--template={TEMPLATE}",
        "--theme=light",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--VoilaExecutor.cell_error_instruction=The page could not be built. The details were written to the server log.",
        # Pages run their imports before anyone asks for them: first paint is much faster.
        "--preheat_kernel=True",
        # A laptop in a workshop should not fill up with kernels of pages closed long ago.
        f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_SECONDS}",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
    ]


def app_environment(home: Path, workspace: str | None) -> dict[str, str]:
    """Environment variables the server and its page kernels need."""
    data_path = os.pathsep.join(p for p in (str(JUPYTER_DATA), os.environ.get("JUPYTER_PATH", "")) if p)
    env = {"WORKBENCH_HOME": str(home.resolve()), "JUPYTER_PATH": data_path}
    if workspace:
        env["WORKBENCH_WORKSPACE"] = workspace
    return env


def serve(port: int = 8866, home: Path | None = None, workspace: str | None = None) -> None:
    """Serve the app on http://127.0.0.1:PORT until interrupted (Ctrl-C).

    ``home`` is the folder of workspaces (default ``$WORKBENCH_HOME`` or
    ``workspaces/``); ``workspace`` the one pages open by default (the demo).
    """
    from workbench.workspace import workspaces_home

    home = Path(home) if home is not None else workspaces_home()
    ensure_demo_workspace(home)
    opened = find_workspace(workspace, home)
    _check_port_free(port)
    os.environ.update(app_environment(home, opened.slug))
    print(f"Mentoring program workbench: http://127.0.0.1:{port}/  (workspace: {opened.name}; Ctrl-C stops)",
          flush=True)
    _voila_app().launch_instance(argv=voila_arguments(port))


def _check_port_free(port: int) -> None:
    if not 1 <= port <= 65535:
        raise WorkbenchError(f"{port} is not a port number (1-65535).")
    with socket.socket() as probe:
        if os.name != "nt":  # as Tornado binds: a port whose old connections are still closing is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise WorkbenchError(
                f"Port {port} on 127.0.0.1 is already in use (is the app already running?). "
                f"Stop the other server, or choose another port: make app PORT={port + 1}"
            ) from None


#: Where pages load the chart runtime from, below the server's base URL.
STATIC_PREFIX = "workbench/static/"


def static_handlers(server_url: str) -> list:
    """Tornado routes for the app's own static files: the chart runtime, cached by the browser for good."""
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join

    from workbench.charts.embed import runtime_file_name, vega_runtime

    class RuntimeHandler(JupyterHandler):
        def get(self, name: str) -> None:
            if name != runtime_file_name():
                self.set_status(404)
                self.finish()
                return
            self.set_header("Content-Type", "text/javascript; charset=utf-8")
            # The name changes with the content: a browser fetches it once per version.
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")
            self.finish(vega_runtime())

    return [(url_path_join(server_url, STATIC_PREFIX + r"([^/]+\.js)"), RuntimeHandler)]


def _voila_app() -> type:
    """Voila, stopping cleanly on Ctrl-C even with pre-started kernels."""
    from jupyter_core.utils import run_sync
    from traitlets import default
    from tornado.web import HTTPError
    from voila.app import Voila

    class WorkbenchVoila(Voila):
        def init_handlers(self) -> list:
            return [*static_handlers(self.server_url), *super().init_handlers()]

        @default("tornado_settings")
        def _tornado_settings(self) -> dict:
            # Uploads travel over the page's websocket: allow files up to the import limit.
            return {"websocket_max_message_size": DEFAULT_MAX_BYTES + (1 << 20)}

        def stop(self) -> None:
            # Page kernels hold nothing to save (workspaces are saved explicitly), so they
            # are stopped at once; a graceful stop interrupts kernels still starting up,
            # which print tracebacks. Voila 0.5 can also try to stop a pre-started kernel
            # twice and give up on the rest: those are stopped one by one.
            shutil.rmtree(self.connection_dir, ignore_errors=True)
            try:
                run_sync(self.kernel_manager.shutdown_all)(now=True)
            except HTTPError:
                run_sync(self._shutdown_remaining_kernels)()

        async def _shutdown_remaining_kernels(self) -> None:
            for kernel_id in list(self.kernel_manager.list_kernel_ids()):
                try:
                    await self.kernel_manager.shutdown_kernel(kernel_id, now=True)
                except HTTPError:
                    continue

    return WorkbenchVoila
