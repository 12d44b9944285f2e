"""The app as Voila serves it: every page answers, with no error text and no outside links."""

import re
import urllib.request
from pathlib import Path

import pytest

from workbench.views.shell import PAGES

from ..conftest import AppServer

pytestmark = pytest.mark.voila

# A resource the browser would fetch from another host: <script src>, <link href>, CSS url(), @import.
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?https?:""",
                      re.IGNORECASE)


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.status, response.read().decode("utf-8")


def test_root_sends_visitors_to_the_start_page(app_server: AppServer) -> None:
    with urllib.request.urlopen(app_server.url, timeout=120) as response:
        assert response.status == 200
        assert response.url == f"{app_server.url}voila/render/00_start.ipynb"


@pytest.mark.parametrize("entry", PAGES, ids=lambda p: p.notebook)
def test_page_is_served_without_errors_or_external_resources(app_server: AppServer, entry) -> None:
    status, body = fetch(f"{app_server.url}voila/render/{entry.notebook}.ipynb?workspace=demo")
    assert status == 200
    assert "application/vnd.jupyter.widget-view+json" in body
    for bad in ("Traceback", "could not be built", "Error executing", "There was an error"):
        assert bad not in body, bad
    assert EXTERNAL.findall(body) == []
    # Code is hidden from viewers.
    assert "open_page(" not in body


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def test_ctrl_c_stops_the_server_and_its_kernels_cleanly(tmp_path) -> None:
    server = AppServer(tmp_path / "home", tmp_path / "server.log")
    server.wait_ready()
    fetch(f"{server.url}voila/render/00_start.ipynb")
    kernels = children_of(server.process.pid)
    assert kernels, "the page kernels run as children of the server"
    assert server.stop(timeout=30) == 0, server.log()
    assert "Traceback" not in server.log()
    assert not [pid for pid in kernels if Path(f"/proc/{pid}").exists()], "kernels were left running"


def test_a_failing_page_shows_a_plain_message_and_logs_the_traceback(failing_pages: AppServer) -> None:
    status, body = fetch(f"{failing_pages.url}voila/render/broken.ipynb")
    assert status == 200
    assert "The page could not be built. The details were written to the server log." in body
    assert "no such key" not in body and "Traceback" not in body
    assert "KeyError" in failing_pages.log()
