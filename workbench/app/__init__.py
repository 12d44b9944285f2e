"""Serving the Voila app (``workbench app`` / ``make app``), for a workshop or published to stakeholders.

Workshop mode (the default) serves the pages on 127.0.0.1 with everything a
consultant needs: import, save, undo. Published mode (``--publish``) serves
the same pages read-only behind a login (``workbench app --set-password``),
people under pseudonyms; it may listen on another address (``--ip``), and
answers to the names given with ``--host-name``. The server itself is
:mod:`workbench.app.server`.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from workbench.app.access import is_loopback, load_login
from workbench.errors import WorkbenchError
from workbench.workspace import REPO_ROOT, ensure_demo_workspace, find_workspace

NOTEBOOKS = REPO_ROOT / "notebooks"
JUPYTER_DATA = Path(__file__).resolve().parent / "jupyter"
TEMPLATE = "workbench"
#: Seconds between the checks that stop kernels whose page has gone.
CULL_INTERVAL = 10


def voila_arguments(port: int, notebooks: Path = NOTEBOOKS, ip: str = "127.0.0.1", host_names: tuple[str, ...] = (),
                    hashed_password: str | None = None, banner: str = "") -> list[str]:
    """Command-line arguments for the app's Voila (:class:`workbench.app.server.WorkbenchVoila`)."""
    from workbench.app.server import GRACE_SECONDS

    arguments = [
        str(notebooks),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser",
        f"--template={TEMPLATE}",
        "--theme=light",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--Voila.log_level=WARN",
        f"--WorkbenchVoila.host_names={','.join(host_names)}",
        f"--WorkbenchVoila.banner={banner}",
        "--VoilaExecutor.cell_error_instruction=The page could not be built. The details were written to the server log.",
        # Pages run their imports before anyone asks for them: first paint is much faster.
        "--preheat_kernel=True",
        "--VoilaConfiguration.multi_kernel_manager_class=workbench.app.server.PageKernels",
        # A kernel whose page has gone is stopped after a short grace (a reload reconnects within it).
        f"--PageKernels.cull_idle_timeout={GRACE_SECONDS}",
        f"--PageKernels.cull_interval={CULL_INTERVAL}",
        "--PageKernels.cull_connected=False",
    ]
    if os.name == "posix":
        # Kernels talk to the server over Unix sockets in the server's connection folder, not TCP ports: a port
        # chosen free can be taken before the kernel binds it ("Address already in use"), and the page then fails
        # to open. The folder sits in /tmp so socket paths stay under the 104-byte limit (macOS's TMPDIR is long).
        arguments += ["--KernelManager.transport=ipc", "--Voila.connection_dir_root=/tmp"]
    if hashed_password:
        arguments += ["--WorkbenchVoila.identity_provider_class=jupyter_server.auth.identity.PasswordIdentityProvider",
                      f"--PasswordIdentityProvider.hashed_password={hashed_password}",
                      "--PasswordIdentityProvider.password_required=True",
                      "--PasswordIdentityProvider.allow_password_change=False",
                      "--WorkbenchVoila.token="]
    return arguments


def app_environment(home: Path, workspace: str | None, *, published: bool = False,
                    pseudonym_key: str | None = None) -> dict[str, str]:
    """Environment variables the server and its page kernels need."""
    data_path = os.pathsep.join(p for p in (str(JUPYTER_DATA), os.environ.get("JUPYTER_PATH", "")) if p)
    env = {"WORKBENCH_HOME": str(home.resolve()), "JUPYTER_PATH": data_path}
    if workspace:
        env["WORKBENCH_WORKSPACE"] = workspace
    if published:
        env["WORKBENCH_PUBLISHED"] = "1"
        env["WORKBENCH_PSEUDONYM_KEY"] = pseudonym_key or ""
    return env


def serve(port: int = 8866, home: Path | None = None, workspace: str | None = None, *, ip: str = "127.0.0.1",
          publish: bool = False, host_names: tuple[str, ...] = (), notebooks: Path = NOTEBOOKS) -> None:
    """Serve the app on http://IP:PORT until interrupted (Ctrl-C).

    ``home`` is the folder of workspaces (default ``$WORKBENCH_HOME`` or
    ``workspaces/``); ``workspace`` the one pages open by default (the demo).
    ``publish`` serves the pages read-only behind the stored password; an
    ``ip`` other than loopback needs that password. ``host_names`` are the
    names (besides loopback) the server answers to, e.g. the name stakeholders type.
    """
    from workbench.workspace import check_writable_folder, workspaces_home

    login = load_login()
    if publish and login is None:
        raise WorkbenchError("Published mode needs a password first: workbench app --set-password "
                             "(it reads the password from standard input).")
    if not is_loopback(ip) and not publish:
        raise WorkbenchError(f"Serving on {ip} would let other machines in without a login: add --publish "
                             "(read-only, behind the password set with workbench app --set-password).")
    home = Path(home) if home is not None else workspaces_home()
    if not (publish and home.is_dir()):  # published, nothing is saved: a read-only folder will do
        check_writable_folder(home, "Cannot keep workspaces in the --home folder", create=True)
    ensure_demo_workspace(home)
    opened = find_workspace(workspace, home)
    _check_port_free(port, ip)
    names = tuple(host_names) + (() if is_loopback(ip) or ip in ("0.0.0.0", "::") else (ip,))
    os.environ.update(app_environment(home, opened.slug, published=publish,
                                      pseudonym_key=login.pseudonym_key if login else None))
    banner = f"workspace: {opened.name}" + ("; published read-only, login required" if publish else "")
    from workbench.app.server import WorkbenchVoila

    WorkbenchVoila.launch_instance(argv=voila_arguments(
        port, notebooks, ip=ip, host_names=names, hashed_password=login.hashed_password if publish else None,
        banner=banner))


def _check_port_free(port: int, ip: str = "127.0.0.1") -> None:
    if not 1 <= port <= 65535:
        raise WorkbenchError(f"{port} is not a port number (1-65535).")
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family) as probe:
        if os.name != "nt":  # as Tornado binds: a port whose old connections are still closing is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((ip, port))
        except OSError as exc:
            if exc.errno in (99, 49):  # EADDRNOTAVAIL (Linux, macOS)
                raise WorkbenchError(f"{ip} is not an address of this machine.") from None
            raise WorkbenchError(
                f"Port {port} on {ip} is already in use (is the app already running?). "
                f"Stop the other server, or choose another port: make app PORT={port + 1}"
            ) from None
