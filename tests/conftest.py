"""Fixtures shared by every tier: workspaces in temporary homes, a live app, a browser."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# CI must run the browser tests; elsewhere they skip when no Chromium is installed.
BROWSER_REQUIRED = bool(os.environ.get("CI") or os.environ.get("WORKBENCH_REQUIRE_BROWSER"))
#: ``shutil.copytree(DEMO_SOURCE, folder, ignore=WITHOUT_STORY)`` copies the demo's tables and settings only, without
#: its design, saved matching, scenarios and saved comparison: for tests written against a new design.
WITHOUT_STORY = shutil.ignore_patterns("design.yaml", "results", "scenarios")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder of workspaces, set as ``$WORKBENCH_HOME`` for the test."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("WORKBENCH_HOME", str(folder))
    monkeypatch.delenv("WORKBENCH_WORKSPACE", raising=False)
    return folder


def demo_home(home: Path) -> Path:
    """``home`` with the demo organisation's tables only where the pages and ``find_workspace("demo")`` find it:
    for tests written against a new design and nothing saved (the demo as it ships has a design, a matching and
    a comparison)."""
    from workbench.workspace import DEMO_NAME, DEMO_SOURCE

    shutil.copytree(DEMO_SOURCE, home / DEMO_NAME, ignore=WITHOUT_STORY)
    return home


@pytest.fixture
def demo_data_only(home: Path) -> Path:
    """The demo's folder in ``home``, tables only (:func:`demo_home`)."""
    from workbench.workspace import DEMO_NAME

    return demo_home(home) / DEMO_NAME


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """``workbench app`` running in a subprocess on a free port."""

    def __init__(self, home: Path, log_path: Path, *options: str, env: dict[str, str] | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        self._log = open(log_path, "wb")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")} | (env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workbench", "app", "--port", str(self.port), "--home", str(home), *options],
            cwd=REPO, env=environment, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        """Block until the server prints its address (it listens by then); fail with its log otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.url in self.log():
                return
            time.sleep(0.2)
        pytest.fail(f"the app did not start at {self.url}:\n{self.log()}")

    def log(self) -> str:
        """Everything the server printed so far."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30) -> int:
        """Stop the server as Ctrl-C would; return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One live app for the Voila and browser tiers, on a fresh folder of workspaces."""
    root = tmp_path_factory.mktemp("app")
    from workbench.workspace import DEMO_NAME, DEMO_SOURCE

    shutil.copytree(DEMO_SOURCE, root / "home" / DEMO_NAME, ignore=WITHOUT_STORY)  # the tests start from a new design
    server = AppServer(root / "home", root / "server.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system Chromium for Playwright; skip (or fail in CI) when there is none."""
    if CHROMIUM is None:
        if BROWSER_REQUIRED:
            pytest.fail("Chromium is required for the browser tests here (CI or WORKBENCH_REQUIRE_BROWSER): "
                        "install Debian's chromium package.")
        pytest.skip("no Chromium installed (apt-get install chromium); browser tests skipped")
    return CHROMIUM


@pytest.fixture
def browser_page(chromium_path: str, tmp_path: Path):
    """A Playwright page in headless system Chromium; never downloads a browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium_path,
            headless=True,
            viewport={"width": 1280, "height": 1800},
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(60_000)
        try:
            yield page
        finally:
            context.close()


class VoilaOnFolder(AppServer):
    """Voila with the app's settings on a folder of test notebooks (not the app's pages)."""

    def __init__(self, notebooks: Path, home: Path, log_path: Path) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        self._log = open(log_path, "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
        serve = f"from workbench.app import serve; serve({self.port}, {str(home)!r}, notebooks={str(notebooks)!r})"
        self.process = subprocess.Popen([sys.executable, "-c", serve], cwd=REPO, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT)


@pytest.fixture(scope="session")
def failing_pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """Pages that fail on purpose: one while it is built, one in a button's callback."""
    import nbformat

    root = tmp_path_factory.mktemp("failing")
    folder = root / "notebooks"
    folder.mkdir()
    broken = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("{}['no such key']")])
    callback = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import ipywidgets as w\n"
        "from workbench.views.feedback import Notice, guarded\n\n"
        "class Panel(w.VBox):\n"
        "    def __init__(self):\n"
        "        self.notice = Notice()\n"
        "        self.button = w.Button(description='Fail')\n"
        "        self.button.on_click(self.fail)\n"
        "        super().__init__([self.button, self.notice])\n\n"
        "    @guarded('run the failing step', button='button')\n"
        "    def fail(self, _):\n"
        "        raise KeyError('internal detail')\n\n"
        "Panel()")])
    for name, notebook in {"broken": broken, "callback": callback}.items():
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, folder / f"{name}.ipynb")
    server = VoilaOnFolder(folder, root / "home", root / "server.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
