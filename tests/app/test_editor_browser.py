"""The Start page's table editor in headless Chromium: a goal edited, saved, then a bad value named in the page."""

from __future__ import annotations

import pytest

from workbench.data.tables import TABLES
from workbench.views.data import TABLE_HELP

from ..conftest import AppServer
from .test_charts_browser import MISSED_DEADLINE_JS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def workspace(app_server: AppServer) -> str:
    """A fresh copy of the demo organisation in the app's home."""
    from workbench.workspace import create_workspace

    return create_workspace("Editor client", app_server.home, copy_demo=True).path.name


def open_editor(page, app_server: AppServer, workspace: str, table: str):
    """The Start page of ``workspace`` with ``table`` chosen in its editor; the editor's locator."""
    page.goto(f"{app_server.url}voila/render/00_start.ipynb?workspace={workspace}")
    editor = page.locator(".wb-editor")
    editor.locator(".wb-grid input").first.wait_for()
    editor.locator("select").first.select_option(label=f"{table}.csv: {TABLE_HELP[table]}")
    editor.locator(f".wb-grid th[data-column='{TABLES[table].column_names[0]}']").wait_for()
    return editor


def cell(editor, index: int, column: str):
    return editor.locator(f".wb-grid tr[data-index='{index}'] [data-column='{column}']")


def test_a_goal_is_edited_saved_and_a_bad_value_is_named_in_the_page(browser_page, app_server: AppServer,
                                                                      workspace: str, tmp_path) -> None:
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    editor = open_editor(page, app_server, workspace, "goals")
    goals = app_server.home / workspace / "goals.csv"
    assert cell(editor, 0, "target").input_value() == "14"
    assert editor.locator(".wb-grid th", has_text="target *").count() == 1  # required columns marked

    cell(editor, 0, "target").fill("12.5")
    editor.get_by_role("button", name="Save table").click()
    editor.locator(".wb-notice-success", has_text="Saved 4 rows as goals.csv").wait_for()
    assert goals.read_text(encoding="utf-8").splitlines()[1].split(",")[-2] == "12.5"

    before = goals.read_bytes()
    cell(editor, 1, "horizon_months").fill("soon")
    cell(editor, 2, "kpi").fill("<b>bold</b> & co")
    editor.get_by_role("button", name="Check").click()
    alert = editor.locator(".wb-notice-error")
    alert.wait_for()
    assert "1 problem, listed below; nothing was saved" in alert.inner_text()
    listed = editor.locator("table.wb-table").inner_text()
    assert "goals.csv\t3\thorizon_months\tsoon\thorizon_months 'soon' is not a whole number" in listed
    bad = editor.locator(".wb-grid td.wb-bad")
    assert bad.count() == 1 and "not a whole number" in bad.locator("input").get_attribute("title")
    assert cell(editor, 2, "kpi").input_value() == "<b>bold</b> & co"  # a value, never markup
    assert editor.locator(".wb-grid b").count() == 0
    editor.get_by_role("button", name="Save table").click()
    editor.locator(".wb-notice-error", has_text="nothing was saved").wait_for()
    assert goals.read_bytes() == before

    editor.locator(".wb-grid").screenshot(path=str(tmp_path / "editor.png"))
    assert errors == []


def test_the_grid_follows_the_kernel_when_anywidget_gave_up_on_its_model(browser_page, app_server: AppServer,
                                                                         workspace: str) -> None:
    page = browser_page
    page.add_init_script(MISSED_DEADLINE_JS)
    editor = open_editor(page, app_server, workspace, "skills")
    assert editor.locator(".wb-grid-where").inner_text() == "35 rows"
    editor.get_by_role("button", name="+ Add row").click()
    cell(editor, 35, "skill_id").fill("coaching")
    cell(editor, 35, "name").fill("Coaching")
    cell(editor, 35, "category").fill("People")
    editor.get_by_role("button", name="Save table").click()
    editor.locator(".wb-notice-success", has_text="Saved 36 rows as skills.csv").wait_for()
    assert (app_server.home / workspace / "skills.csv").read_text(encoding="utf-8").endswith(
        "coaching,Coaching,People,\n")

    editor.locator("select").first.select_option(label=f"enrolment.csv: {TABLE_HELP['enrolment']}")
    editor.locator(".wb-grid-where", has_text="page 1 of 2").wait_for()
    assert editor.locator(".wb-grid tbody tr").count() == 100
    editor.get_by_role("button", name="Next ›").click()
    assert editor.locator(".wb-grid-where").inner_text() == "Rows 102–106 (page 2 of 2), 105 rows"
    assert cell(editor, 104, "role").input_value() in {"mentee", "mentor", "both"}
    editor.get_by_role("button", name="Delete row 106").click()
    editor.get_by_role("button", name="Check").click()
    editor.locator(".wb-notice-success", has_text="No problems").wait_for()
