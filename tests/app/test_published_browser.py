"""Published mode in a real headless Chromium, as a client's stakeholder meets it."""

from __future__ import annotations

import csv
import re

import pytest

from ..conftest import REPO, AppServer

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
PAGES = ["00_start", "01_align", "02_experience", "03_skill_gaps", "04_matching", "05_what_if",
         "06_launch_and_support", "07_evaluate"]
WRITES = re.compile(r"^(Save|Import|Create|Undo|Delete)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory):
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("published-browser")
    env = {"WORKBENCH_CONFIG_DIR": str(root / "config")}
    subprocess.run([sys.executable, "-m", "workbench", "app", "--set-password"], input=PASSWORD + "\n", text=True,
                   check=True, cwd=REPO, env={**{k: v for k, v in __import__("os").environ.items()
                                                 if not k.startswith("WORKBENCH_")}, **env}, capture_output=True)
    server = AppServer(root / "home", root / "server.log", "--publish", env=env)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def people_identifiers() -> set[str]:
    with open(REPO / "datasets" / "demo" / "people.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {row[column] for row in rows for column in ("person_id", "name", "email") if row[column]}


def log_in(page, server: AppServer, password: str) -> None:  # noqa: ANN001
    page.goto(f"{server.url}voila/render/00_start.ipynb?workspace=demo")
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("#password_input", password)
    page.click("#login_submit")


def test_a_wrong_password_stays_on_the_login_page(browser_page, published: AppServer) -> None:
    page = browser_page
    log_in(page, published, "not the password")
    page.locator(".error").wait_for()
    assert "/login" in page.url
    assert "not right" in page.locator(".error").inner_text()
    assert page.locator("nav.wb-nav").count() == 0


@pytest.mark.timeout(900)  # eight pages, each on a kernel of its own, on two shared cores
def test_a_stakeholder_clicks_through_every_page_and_cannot_save(browser_page, published: AppServer) -> None:
    import time

    page = browser_page
    log_in(page, published, PASSWORD)
    page.wait_for_selector("nav.wb-nav")
    people = people_identifiers()
    for notebook in PAGES:
        started = time.monotonic()
        page.goto(f"{published.url}voila/render/{notebook}.ipynb?workspace=demo")
        page.wait_for_selector("nav.wb-nav")
        print(f"{notebook}: {time.monotonic() - started:.1f} s")
        if notebook == "04_matching":  # exploring still works: match without saving
            page.get_by_role("button", name=re.compile(r"\bMatch$")).click()
            page.locator(".wb-pairs table.wb-table tbody tr").first.wait_for()
        text = page.inner_text("body")
        assert "read-only" in text, notebook
        assert "could not be built" not in text and "Traceback" not in text, notebook
        buttons = [b.strip() for b in page.locator("button").all_inner_texts()]
        assert not [b for b in buttons if WRITES.match(b)], (notebook, buttons)
        assert page.locator("input[type=file]").count() == 0, notebook
        # no text points at a button that is not there (inner_text leaves out what is hidden)
        assert not re.search(r"press \*?\*?Save|save the matching in|Save results to the brief", text), notebook
        shown = {person for person in people if re.search(rf"\b{re.escape(person)}\b", text)}
        assert not shown, (notebook, sorted(shown)[:5])
