"""The server as an attacker, a careless client and a stakeholder meet it: hosts, kernels, login, routes."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from tornado.websocket import WebSocketClosedError

from workbench.app.access import host_allowed, host_name, origin_allowed
from workbench.app.server import UNCONNECTED_SECONDS, _QuietFilter, pooled
from workbench.views.shell import PAGES

from ..conftest import REPO, AppServer

pytestmark = pytest.mark.voila

PASSWORD = "correct horse battery staple"
ROUTES = ["/", "/voila/render/00_start.ipynb?workspace=demo", "/voila/static/index.css", "/login",
          "/api/kernels/00000000-0000-0000-0000-000000000000", "/voila/api/shutdown/00000000-0000-0000-0000-000000000000"]
WEBSOCKETS = ["/api/kernels/00000000-0000-0000-0000-000000000000/channels",
              "/voila/query/00000000-0000-0000-0000-000000000000"]


def request(server: AppServer, method: str, path: str, headers: dict[str, str] | None = None,
            body: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def websocket_headers(host: str, origin: str) -> dict[str, str]:
    return {"Host": host, "Origin": origin, "Upgrade": "websocket", "Connection": "Upgrade",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"}


def page_kernels(server: AppServer) -> set[str]:
    """Kernel processes the server runs now (their connection file names carry their ids)."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
            stat = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == server.process.pid and any(b"ipykernel_launcher" in w for w in words):
            found.add(next(re.search(rb"kernel-([0-9a-f-]+)\.json", w).group(1).decode() for w in words
                           if b"kernel-" in w))
    return found


def test_host_and_origin_rules() -> None:
    names = frozenset({"mentoring.example.org"})
    assert host_name("[::1]:8866") == "::1" and host_name("Example.COM:80") == "example.com"
    assert host_allowed("127.0.0.1:8866", frozenset()) and host_allowed("localhost", frozenset())
    assert host_allowed("127.5.5.5:1", frozenset()) and host_allowed("[::1]:8866", frozenset())
    assert not host_allowed("evil.example:8866", frozenset())
    assert not host_allowed("localhost.evil.example", frozenset())
    assert host_allowed("mentoring.example.org:443", names) and not host_allowed("example.org", names)
    assert origin_allowed(None, frozenset()) and origin_allowed("http://127.0.0.1:8866", frozenset())
    assert not origin_allowed("http://evil.example:8866", frozenset())
    assert not origin_allowed("null", frozenset()) and not origin_allowed("file://", frozenset())
    assert origin_allowed("https://mentoring.example.org", names)


def test_a_foreign_host_or_origin_gets_403_on_every_route_and_websocket(app_server: AppServer) -> None:
    port = app_server.port
    for path in ROUTES:
        assert request(app_server, "GET", path, {"Host": f"evil.example:{port}"}).status == 403, path
        assert request(app_server, "GET", path, {"Origin": f"http://evil.example:{port}"}).status == 403, path
        assert request(app_server, "POST", path, {"Host": f"evil.example:{port}",
                                                  "Origin": f"http://evil.example:{port}"}).status == 403, path
    for path in WEBSOCKETS:
        # DNS rebinding: the page's Origin and Host both carry the attacker's name.
        rebound = websocket_headers(f"evil.example:{port}", f"http://evil.example:{port}")
        assert request(app_server, "GET", path, rebound).status == 403, path
        foreign = websocket_headers(f"127.0.0.1:{port}", "http://evil.example")
        assert request(app_server, "GET", path, foreign).status == 403, path
    # The app's own name still answers.
    assert request(app_server, "GET", "/voila/static/index.css", {"Host": f"localhost:{port}"}).status == 200


def test_only_the_routes_the_pages_need(app_server: AppServer) -> None:
    examples = [f"/voila/render/examples/{p.name}" for p in (REPO / "notebooks" / "examples").glob("*.ipynb")]
    assert examples
    for path in ("/api/contents", "/api/kernels", "/api/sessions", "/terminals", "/lab", "/tree", "/voila/tree",
                 "/voila/api/contents", "/voila/files/00_start.ipynb", "/api/kernelspecs", *examples):
        assert request(app_server, "GET", path).status in (403, 404), path


def test_kernels_are_started_ahead_for_the_pages_only() -> None:
    class Voila:  # the part of Voila's pre-heating kernel manager the pool's filter builds on
        root_dir = str(REPO / "notebooks")

        def __init__(self, **kwargs) -> None:
            pass

        def _notebook_filter(self, nb_path: Path) -> bool:
            return ".ipynb_checkpoints" not in str(nb_path)

    pool = pooled(Voila)()
    found = [p for p in Path(pool.root_dir).rglob("*.ipynb") if pool._notebook_filter(p)]
    assert sorted(p.stem for p in found) == sorted(page.notebook for page in PAGES)


def test_the_chart_runtime_is_served_once_and_cached(app_server: AppServer) -> None:
    from workbench.charts.embed import runtime_file_name

    connection = http.client.HTTPConnection("127.0.0.1", app_server.port, timeout=120)
    connection.request("GET", f"/workbench/static/{runtime_file_name()}")
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200 and b"window.vegaEmbed" in body
    assert "immutable" in response.getheader("Cache-Control")
    assert request(app_server, "GET", "/workbench/static/other.js").status == 404


def test_plain_requests_and_closed_pages_do_not_keep_kernels(tmp_path: Path) -> None:
    server = AppServer(tmp_path / "home", tmp_path / "server.log")
    try:
        server.wait_ready()
        # One page, as a browser leaves it: its shutdown request carries the page's _xsrf cookie.
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=180)
        connection.request("GET", "/voila/render/01_align.ipynb?workspace=demo")
        response = connection.getresponse()
        page = response.read().decode()
        connection.close()
        cookie = re.search(r"_xsrf=([^;]+)", response.getheader("Set-Cookie")).group(1)
        kernel = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S).group(1))["kernelId"]
        assert kernel in page_kernels(server)
        form = urllib.parse.urlencode({"_xsrf": cookie})
        shutdown = request(server, "POST", f"/voila/api/shutdown/{kernel}",
                           {"Cookie": f"_xsrf={cookie}", "Content-Type": "application/x-www-form-urlencoded"}, form)
        assert shutdown.status == 204, server.log()
        deadline = time.monotonic() + 30
        while kernel in page_kernels(server) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert kernel not in page_kernels(server)

        # Five plain requests, no browser: their kernels go once the grace period has passed.
        before = page_kernels(server)
        for _ in range(5):
            assert request(server, "GET", "/voila/render/00_start.ipynb?workspace=demo").status == 200
        started = page_kernels(server) - before
        assert started, "each page request runs on a kernel"
        deadline = time.monotonic() + UNCONNECTED_SECONDS + 40
        while page_kernels(server) & started and time.monotonic() < deadline:
            time.sleep(2)
        assert not page_kernels(server) & started, "kernels of requests nobody connected to were kept"
    finally:
        server.stop()
    assert "Traceback" not in server.log()


@pytest.mark.parametrize("error, shown", [(WebSocketClosedError(), False), (ValueError("a real fault"), True)])
def test_a_page_closed_while_the_server_writes_to_it_leaves_no_traceback(caplog: pytest.LogCaptureFixture,
                                                                        error: Exception, shown: bool) -> None:
    async def write() -> None:  # a write to the socket of a page that has just closed, never awaited
        raise error

    loop = asyncio.new_event_loop()
    try:
        task = loop.create_task(write())
        loop.run_until_complete(asyncio.wait([task]))
        with caplog.at_level(logging.ERROR, logger="asyncio"):  # what asyncio logs when the task is collected
            loop.default_exception_handler({"message": "Task exception was never retrieved", "exception": error,
                                            "future": task})
    finally:
        loop.close()
    (record,) = caplog.records
    assert "Traceback" in caplog.text
    assert _QuietFilter().filter(record) is shown


def test_the_terminal_shows_one_line_and_no_noise(app_server: AppServer) -> None:
    assert request(app_server, "GET", "/favicon.ico").status == 200  # every browser asks: it gets an icon
    assert request(app_server, "GET", "/no/such/page").status == 404
    assert request(app_server, "GET", "/workbench/static/no-such-runtime.js").status == 404  # a handler's own 404
    time.sleep(0.5)
    log = app_server.log()
    assert "favicon" not in log and "Traceback" not in log and "Exception" not in log
    assert log.splitlines()[0].startswith(f"Mentoring program workbench: {app_server.url}")
    for noise in ("not trusted", "without encryption", "Kernel started", "Voilà is running"):
        assert noise not in log, noise


def run_cli(*args: str, stdin: str = "", env: dict[str, str]) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")} | env
    return subprocess.run([sys.executable, "-m", "workbench", *args], input=stdin, capture_output=True, text=True,
                          cwd=REPO, env=environment, timeout=120)


def test_set_password_reads_stdin_and_stores_a_hash_outside_the_repo(tmp_path: Path) -> None:
    env = {"WORKBENCH_CONFIG_DIR": str(tmp_path / "config")}
    short = run_cli("app", "--set-password", stdin="short\n", env=env)
    assert short.returncode == 2 and "too short" in short.stderr and "Traceback" not in short.stderr
    done = run_cli("app", "--set-password", stdin=PASSWORD + "\n", env=env)
    assert done.returncode == 0, done.stderr
    stored = tmp_path / "config" / "published-app.json"
    assert stored.stat().st_mode & 0o777 == 0o600
    text = stored.read_text()
    assert PASSWORD not in text and json.loads(text)["hashed_password"].startswith("argon2:")


def test_published_mode_needs_a_password_and_other_addresses_need_published_mode(tmp_path: Path) -> None:
    env = {"WORKBENCH_CONFIG_DIR": str(tmp_path / "config"), "WORKBENCH_HOME": str(tmp_path / "home")}
    no_password = run_cli("app", "--publish", "--port", "1", env=env)
    assert no_password.returncode == 2 and "--set-password" in no_password.stderr
    open_wide = run_cli("app", "--ip", "0.0.0.0", "--port", "1", env=env)
    assert open_wide.returncode == 2 and "--publish" in open_wide.stderr
    assert "Traceback" not in no_password.stderr + open_wide.stderr


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("published")
    env = {"WORKBENCH_CONFIG_DIR": str(root / "config")}
    assert run_cli("app", "--set-password", stdin=PASSWORD + "\n", env=env).returncode == 0
    server = AppServer(root / "home", root / "server.log", "--publish", "--host-name", "mentoring.example.org",
                       env=env)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_published_pages_need_a_login(published: AppServer) -> None:
    response = request(published, "GET", "/voila/render/00_start.ipynb?workspace=demo")
    assert response.status == 302 and response.getheader("Location").startswith("/login?next=")
    for path in ("/api/contents", "/api/kernels", "/api/sessions", "/terminals", "/lab", "/tree", "/voila/tree"):
        assert request(published, "GET", path).status in (403, 404), path
    assert request(published, "GET", "/login", {"Host": "mentoring.example.org"}).status == 200
    assert request(published, "GET", "/login", {"Host": "other.example.org"}).status == 403


def test_a_wrong_password_is_refused(published: AppServer) -> None:
    login = request(published, "GET", "/login")
    cookie = re.search(r"_xsrf=([^;]+)", login.getheader("Set-Cookie")).group(1)
    form = urllib.parse.urlencode({"_xsrf": cookie, "password": "not the password"})
    started = time.monotonic()
    refused = request(published, "POST", "/login", {"Cookie": f"_xsrf={cookie}",
                                                    "Content-Type": "application/x-www-form-urlencoded"}, form)
    assert refused.status == 401 and time.monotonic() - started >= 1
    form = urllib.parse.urlencode({"_xsrf": cookie, "password": PASSWORD})
    accepted = request(published, "POST", "/login", {"Cookie": f"_xsrf={cookie}",
                                                     "Content-Type": "application/x-www-form-urlencoded"}, form)
    assert accepted.status == 302


def test_a_page_waits_for_a_build_slot_but_never_forever() -> None:
    import asyncio

    from workbench.app.server import _take

    async def scenario() -> list[bool]:
        slots = asyncio.Semaphore(1)
        first = await _take(slots, 1)
        second = await _take(slots, 0.05)  # the slot is busy: built anyway after the wait
        slots.release()
        third = await _take(slots, 0.05)
        return [first, second, third]

    assert asyncio.run(scenario()) == [True, False, True]
