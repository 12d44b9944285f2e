"""The app's Voila server: only its own hosts, bounded kernels, a quiet terminal, an optional login.

What it changes in Voila 0.5, and why:

- **Hosts and origins.** Every request whose ``Host`` is not one the app serves,
  or whose ``Origin`` is another site, gets 403 before any handler runs
  (DNS rebinding would otherwise let any web page read the open workspace).
- **Kernels.** A page's own shutdown request works (its ``_xsrf`` cookie is
  set with the page); a kernel whose page has gone (no connection) is stopped
  :data:`GRACE_SECONDS` after its last activity, so a closed tab or a plain
  request never holds one for long; at most ``max_page_kernels`` pages are
  served at once (a polite "busy" page beyond that). Pre-started kernels start
  one at a time, Start page first, and never while a page is being built.
- **Only the routes the pages use**: no file listing, no notebook files, no
  contents API; only the notebooks at the top of the folder are pages (not
  ``notebooks/examples/``).
- **Quiet**: one line with the address once the server listens; warnings a
  user cannot act on are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import html
import itertools
import logging
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import tornado.web
from tornado.escape import url_escape
from jupyter_core.utils import ensure_async, run_sync
from jupyter_server import DEFAULT_STATIC_FILES_PATH
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.login import LoginFormHandler
from jupyter_server._tz import utcnow
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from tornado.web import HTTPError
from traitlets import Float, Int, TraitError, Unicode, default

import voila.app as voila_app
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler
from voila.treehandler import VoilaTreeHandler

from workbench.app.access import host_allowed, origin_allowed
from workbench.charts.embed import runtime_file_name, vega_runtime

#: Seconds a kernel whose page went away may stay idle before it is stopped (a reload reconnects sooner).
GRACE_SECONDS = 60
#: Seconds a kernel built for a request that no page ever connected to (a plain GET) may stay idle.
UNCONNECTED_SECONDS = 20
#: How often kernels are checked, in seconds.
CHECK_SECONDS = 10
#: Longest a page waits for a free build slot before it is built anyway, in seconds.
BUILD_WAIT_SECONDS = 60
#: Where pages load the chart runtime from, below the server's base URL.
STATIC_PREFIX = "workbench/static/"
#: Resident memory a page kernel is planned at, in bytes (measured: 0.3-0.5 GB).
KERNEL_BYTES = 500 * 1024**2

log = logging.getLogger("workbench.app.server")

# Lines of Voila's and Jupyter's own that a person running the app cannot act on.
_NOISE = ("is not trusted", "notebook-signing key", "Culling ", "Kernel started", "Kernel shutdown",
          "Storing connection files", "Serving static files", "Using /tmp", "Voilà is running at",
          "Kernel pool of", "Using pre-heated kernel", "Starting buffering", "Connecting to kernel",
          "Discarding ", "Kernel interrupted", "WebSocket ping timeout", "Timeout waiting for IOPub output",
          "Got events for closed stream",
          # a page closed while the server wrote to its socket: asyncio reports the write nobody awaited
          "exception=WebSocketClosedError()")


class _QuietFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "tornado.access" and record.levelno < logging.ERROR:
            return False  # a browser's 404 for /favicon.ico and the like; refused hosts get their own line
        message = record.getMessage()
        return not any(noise in message for noise in _NOISE)


def default_max_page_kernels() -> int:
    """Pages the machine can hold at once: half of the memory available at start, at 0.5 GB a page (4-64)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        available = int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return 16
    return max(4, min(64, available // 2 // KERNEL_BYTES))


class RuntimeHandler(JupyterHandler):
    """The chart runtime (vega, vega-lite, vega-embed), cached by browsers for good: its name carries its version."""

    def get(self, name: str) -> None:
        if name != runtime_file_name():
            raise HTTPError(404)
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.set_header("Cache-Control", "public, max-age=31536000, immutable")
        self.finish(vega_runtime())


class ForbiddenHandler(tornado.web.RequestHandler):
    """Answer for a request naming another host or coming from another site's page."""

    def prepare(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("403: this app answers only to its own address.\n")


class NotFoundHandler(tornado.web.RequestHandler):
    """Any address the app does not serve: a plain 404, no page template."""

    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("404: not a page of this app.\n")


class StartRedirectHandler(JupyterHandler):
    """The app's root goes to the Start page (no listing of the notebooks folder)."""

    @tornado.web.authenticated
    def get(self) -> None:
        self.redirect(url_path_join(self.base_url, "voila/render/00_start.ipynb"))


class PageHandler(TornadoVoilaHandler):
    """A page: its shutdown cookie set, counted while it is built, refused politely when the machine is full."""

    async def prepare(self) -> None:
        await super().prepare()
        self.xsrf_token  # sets the _xsrf cookie the page's shutdown request (on unload) must carry
        kernels = self.kernel_manager
        if kernels.page_kernel_count() >= kernels.max_page_kernels:
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.finish("<!doctype html><meta charset='utf-8'><title>The app is busy</title>"
                        "<p style='font-family:sans-serif;margin:3em'>The app is serving as many pages as this "
                        "machine can hold. Close a page you no longer use, or try again in a minute.</p>")

    async def get(self, path: str | None = None) -> None:
        if path is not None and not is_page(path):
            raise HTTPError(404)
        kernels = self.kernel_manager
        kernels.pages_building += 1
        # Building a page is CPU-bound: as many at once as the machine has cores, the rest wait their
        # turn (ten at once on two cores made every one of them slow). A build that overruns lets the
        # next one in after BUILD_WAIT_SECONDS, so one stuck page never blocks the app.
        try:
            slot = await _take(kernels.build_slots, BUILD_WAIT_SECONDS)
            try:
                await super().get(path)
            finally:
                if slot:
                    kernels.build_slots.release()
        finally:
            kernels.pages_building -= 1


async def _take(semaphore: asyncio.Semaphore, timeout: float) -> bool:
    """Acquire ``semaphore`` within ``timeout`` seconds; False (not acquired) when that passes."""
    try:
        await asyncio.wait_for(semaphore.acquire(), timeout)
    except asyncio.TimeoutError:
        return False
    return True


class LoginHandler(LoginFormHandler):
    """The published app's login page: the workbench's own, no outside resources, slow to guess at."""

    def _render(self, message: dict | None = None) -> None:
        error = ('<p class="error" role="alert">That password is not right. Ask the consultant who shared '
                 "this app for it.</p>") if message else ""
        next_url = html.escape(url_escape(self.get_argument("next", default=self.base_url)), quote=True)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write(LOGIN_PAGE.format(action=html.escape(url_path_join(self.base_url, "login"), quote=True),
                                     next=next_url, xsrf=self.xsrf_form_html(), error=error))

    @allow_unauthenticated
    async def post(self) -> None:
        user = self.current_user = self.identity_provider.process_login_form(self)
        if user is None:
            await asyncio.sleep(1)  # each wrong guess costs a second
            self.set_status(401)
            self._render(message={"error": "wrong password"})
            return
        self.identity_provider.set_login_cookie(self, user)
        self._redirect_safe(self.get_argument("next", default=self.base_url))


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in: mentoring program workbench</title>
<style>
 body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f6f8fa; color: #1f2328;
        margin: 0; }}
 main {{ max-width: 420px; margin: 12vh auto; background: #fff; border: 1px solid #d0d7de; border-radius: 8px;
        padding: 24px 28px; }}
 h1 {{ font-size: 20px; margin: 0 0 6px; }} p {{ color: #3d444d; line-height: 1.45; }}
 label {{ display: block; font-weight: 600; margin: 14px 0 4px; }}
 input[type=password] {{ width: 100%; box-sizing: border-box; padding: 8px; font-size: 15px; border: 1px solid #8c959f;
        border-radius: 4px; }}
 button {{ margin-top: 14px; padding: 8px 18px; font-size: 15px; background: #0b57d0; color: #fff; border: 0;
        border-radius: 4px; cursor: pointer; }}
 .error {{ color: #b3261e; font-weight: 600; }}
</style></head>
<body><main>
<h1>Mentoring program workbench</h1>
<p>This is a read-only view of a mentoring program's design and analyses. Enter the password you were given.</p>
{error}
<form action="{action}?next={next}" method="post">
{xsrf}
<label for="password_input">Password</label>
<input type="password" name="password" id="password_input" autocomplete="current-password" autofocus required>
<button type="submit" id="login_submit">Log in</button>
</form>
</main></body></html>
"""


class GuardedApplication(tornado.web.Application):
    """A Tornado application that refuses foreign hosts and origins before routing."""

    def find_handler(self, request, **kwargs):  # noqa: ANN001, ANN201 - Tornado's signature
        names = self.settings["workbench_host_names"]
        if not (host_allowed(request.host, names) and origin_allowed(request.headers.get("Origin"), names)):
            log.warning("refused a request for host %r from origin %r", request.host, request.headers.get("Origin"))
            return self.get_handler_delegate(request, ForbiddenHandler)
        return super().find_handler(request, **kwargs)


class PageKernels(AsyncMappingKernelManager):
    """Page kernels: a kernel whose page went away is stopped after :data:`GRACE_SECONDS`."""

    max_page_kernels = Int(0, config=True, help="Most page kernels at once (0: from the machine's memory).")
    quiet_cpu_share = Float(0.05, config=True, help="CPU share under which a starting kernel counts as settled.")

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.pages_building = 0
        self.build_slots = asyncio.Semaphore(max(1, os.cpu_count() or 1))
        if not self.max_page_kernels:
            self.max_page_kernels = default_max_page_kernels()

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        kernel = self._kernels.get(kernel_id)
        if kernel is not None:
            kernel.workbench_page_connected = True

    def notify_disconnect(self, kernel_id: str) -> None:
        """A page went away: its kernel's grace period starts now."""
        super().notify_disconnect(kernel_id)
        kernel = self._kernels.get(kernel_id)
        if kernel is not None:
            kernel.last_activity = utcnow()

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """As Jupyter's culler, but a kernel no page ever connected to goes after :data:`UNCONNECTED_SECONDS`."""
        kernel = self._kernels.get(kernel_id)
        if kernel is None:  # stopped since the culler listed it (its page closed, or the pool let it go)
            return
        try:
            last = kernel.last_activity
        except TraitError:  # still starting: nothing has happened on it yet, so its idle time starts now
            kernel.last_activity = utcnow()
            return
        if (not getattr(kernel, "workbench_page_connected", False) and not self._kernel_connections.get(kernel_id)
                and getattr(kernel, "execution_state", "busy") != "busy"
                and utcnow() - last > timedelta(seconds=UNCONNECTED_SECONDS)):
            log.info("stopping kernel %s: its page was requested but never opened", kernel_id)
            await ensure_async(self.shutdown_kernel(kernel_id))
            return
        await ensure_async(super().cull_kernel_if_idle(kernel_id))

    def pooled_kernel_ids(self) -> set[str]:
        return set()

    def page_kernel_count(self) -> int:
        """Kernels serving (or building) pages: every kernel but the pre-started ones."""
        return len(set(self.list_kernel_ids()) - self.pooled_kernel_ids())


class _Gate:
    """Lets one waiter through at a time, lowest priority number first, then first come."""

    def __init__(self) -> None:
        self._waiting: list[tuple[int, int, asyncio.Future]] = []
        self._order = itertools.count()
        self._busy = False

    @contextlib.asynccontextmanager
    async def turn(self, priority: int) -> Iterator[None]:
        if self._busy or self._waiting:
            future = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._order), future))
            await future
        self._busy = True
        try:
            yield
        finally:
            self._busy = False
            while self._waiting:
                _, _, future = heapq.heappop(self._waiting)
                if not future.done():
                    future.set_result(None)
                    self._busy = True
                    break


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def pooled(base: type) -> type:
    """Voila's kernel pool, filled one kernel at a time in page order and never while a page is built."""

    class PagePool(base):
        def __init__(self, **kwargs) -> None:  # noqa: ANN003
            self._gate = _Gate()
            self._page_order: dict[str, int] = {}
            super().__init__(**kwargs)

        def pooled_kernel_ids(self) -> set[str]:
            ids = set()
            for pool in self._pools.values():
                for task in pool:
                    if task.done() and not task.cancelled() and task.exception() is None:
                        ids.add(task.result()["kernel_id"])
            return ids

        def _notebook_filter(self, nb_path: Path) -> bool:
            # kernels are started ahead for the pages only, never for the researchers' examples
            return is_page(Path(nb_path).relative_to(self.root_dir).as_posix()) and super()._notebook_filter(nb_path)

        def get_pool_size(self, notebook_name: str) -> int:
            # Only kernels already started count: a page is never queued behind the pool's start-up.
            return sum(1 for task in self._pools.get(notebook_name, ())
                       if task.done() and not task.cancelled() and task.exception() is None)

        async def _initialize(self, notebook_path: str, kernel_id: str | None = None, **kwargs):  # noqa: ANN003, ANN202
            if kernel_id is not None:  # a restart
                return await super()._initialize(notebook_path, kernel_id, **kwargs)
            async with self._gate.turn(_page_rank(notebook_path)):
                while self.pages_building:  # people first
                    await asyncio.sleep(0.25)
                content = await super()._initialize(notebook_path, None, **kwargs)
                await self._settled(content["kernel_id"])
            return content

        async def _settled(self, kernel_id: str, timeout: float = 90) -> None:
            """Wait until a new kernel has run its page's imports (busy, then using little CPU)."""
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            kernel = self.get_kernel(kernel_id)
            pid = getattr(kernel.provisioner, "pid", None)
            while loop.time() < deadline and getattr(kernel, "execution_state", "") != "busy":
                await asyncio.sleep(0.1)
            previous = _cpu_seconds(pid) if pid else None
            if previous is None:
                await asyncio.sleep(2)
                return
            while loop.time() < deadline:
                await asyncio.sleep(0.5)
                now = _cpu_seconds(pid)
                if now is None or now - previous < 0.5 * self.quiet_cpu_share:
                    return
                previous = now

    return PagePool


def is_page(notebook_path: str) -> bool:
    """Whether ``notebook_path`` (relative to the folder served) is a page of the app: a notebook at the top of
    ``notebooks/``. The notebooks in its subfolders (the researchers' examples) are neither served nor started."""
    return notebook_path.endswith(".ipynb") and "/" not in notebook_path.strip("/")


def _page_rank(notebook_path: str) -> int:
    """Pages are numbered in the order people open them (00_start first)."""
    prefix = Path(notebook_path).stem.split("_", 1)[0]
    return int(prefix) if prefix.isdigit() else 100


class WorkbenchVoila(Voila):
    """Voila as the app serves it (see the module's docstring)."""

    host_names = Unicode("", config=True, help="Comma-separated host names served besides loopback.")

    @default("tornado_settings")
    def _tornado_settings(self) -> dict:
        from workbench.data.reading import DEFAULT_MAX_BYTES

        # Uploads travel over the page's websocket: allow files up to the import limit.
        # Pings find tabs that vanished without closing their connection (ms; the timeout may not exceed it).
        # Responses are gzipped: the chart runtime goes from 0.9 MB to about a quarter of that.
        return {"websocket_max_message_size": DEFAULT_MAX_BYTES + (1 << 20),
                "ws_ping_interval": 30_000, "ws_ping_timeout": 30_000, "compress_response": True}

    def init_settings(self) -> dict:
        original = voila_app.voila_kernel_manager_factory
        voila_app.voila_kernel_manager_factory = lambda *args, **kwargs: pooled(original(*args, **kwargs))
        try:
            settings = super().init_settings()
        finally:
            voila_app.voila_kernel_manager_factory = original
        self.identity_provider.login_handler_class = LoginHandler
        return settings

    def init_handlers(self) -> list:
        handlers = [(url_path_join(self.server_url, STATIC_PREFIX + r"([^/]+\.js)"), RuntimeHandler),
                    (self.server_url, StartRedirectHandler)]
        for route in super().init_handlers():
            pattern, handler = route[0], route[1]
            if handler is TornadoVoilaHandler:
                route = (pattern, PageHandler, *route[2:])
            elif (isinstance(handler, type) and issubclass(handler, VoilaTreeHandler)) \
                    or "/voila/api/contents" in pattern or "/voila/files/" in pattern:
                continue  # the pages never use these
            handlers.append(route)
        return handlers

    def start(self) -> None:
        import tempfile

        quiet = _QuietFilter()
        for logger in (self.log, logging.getLogger("tornado.access"), logging.getLogger("tornado.general"),
                       logging.getLogger("asyncio")):
            logger.addFilter(quiet)
            for handler in logger.handlers:
                handler.addFilter(quiet)
        self.connection_dir = tempfile.mkdtemp(prefix="voila_", dir=self.connection_dir_root)
        settings = self.init_settings()
        names = frozenset(n.strip().lower() for n in self.host_names.split(",") if n.strip())
        # Tornado reads some settings (compress_response) only when the application is made.
        # Error and login pages use Jupyter's templates, which link Jupyter's static files (and the icon).
        settings.setdefault("static_path", DEFAULT_STATIC_FILES_PATH)
        settings["default_handler_class"] = NotFoundHandler
        self.app = GuardedApplication(**{**settings, **self.tornado_settings}, workbench_host_names=names)
        self.app.add_handlers(".*$", self.init_handlers())
        # The chart runtime takes seconds to build: build it now, beside the first kernels, not on a first page.
        threading.Thread(target=vega_runtime, name="chart-runtime", daemon=True).start()
        self.listen()

    def listen(self) -> None:
        self.app.listen(self.port, self.ip)
        self.ioloop = tornado.ioloop.IOLoop.current()
        print(f"Mentoring program workbench: {self.display_url}  ({self.banner}; Ctrl-C stops)", flush=True)
        try:
            self.ioloop.start()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    banner = Unicode("", config=True, help="What the address line says besides the address.")

    def stop(self) -> None:
        # Page kernels hold nothing to save (workspaces are saved explicitly), so they
        # are stopped at once; a graceful stop interrupts kernels still starting up,
        # which print tracebacks. Voila 0.5 can also try to stop a pre-started kernel
        # twice and give up on the rest: those are stopped one by one.
        shutil.rmtree(self.connection_dir, ignore_errors=True)
        for pool in getattr(self.kernel_manager, "_pools", {}).values():
            for task in [t for t in pool if not t.done()]:  # kernels still queued to start: never started
                task.cancel()
                pool.remove(task)
        try:
            run_sync(self.kernel_manager.shutdown_all)(now=True)
        except HTTPError:
            run_sync(self._shutdown_remaining_kernels)()

    async def _shutdown_remaining_kernels(self) -> None:
        for kernel_id in list(self.kernel_manager.list_kernel_ids()):
            try:
                await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id, now=True))
            except HTTPError:
                continue
