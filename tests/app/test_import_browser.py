"""The Start page's import screen in headless Chromium: a client's HR export in without writing a mapping."""

import re
from pathlib import Path

import pandas as pd
import pytest

from workbench.data.tables import TABLES
from workbench.views.data import TABLE_HELP

from ..conftest import AppServer
from ..views.test_data import hris_export
from .test_browser import choose_file, open_start

pytestmark = pytest.mark.browser


def mapping_row(page, column: str):
    return page.locator(".wb-mapping-row", has=page.locator(f"b:text-is('{column}')"))


def fill_in_what_the_export_lacks(page) -> None:
    """By hand, as a consultant would: exit_date, which the export does not have, blank for everyone (still
    employed); hire dates written day first."""
    mapping_row(page, "exit_date").locator("select").first.select_option(label="(a constant for every row)")
    mapping_row(page, "hire_date").locator("select").nth(1).select_option(label="day first (31/01/2027)")
    page.locator(".wb-mapping-state", has_text="Every required column has a source").wait_for()


def test_an_hris_export_is_mapped_by_hand_in_the_page_and_imported(browser_page, app_server: AppServer,
                                                                  tmp_path: Path) -> None:
    page = browser_page
    open_start(page, app_server, [])
    page.get_by_placeholder("e.g. Acme 2027 pilot").fill("HRIS client")
    page.get_by_role("button", name="Create workspace").click()
    page.locator(".wb-notice-success").wait_for()
    page.locator(".wb-data select").first.select_option(label=f"people.csv: {TABLE_HELP['people']}")
    assert page.locator(".wb-templates a", has_text="Excel").count() == len(TABLES)

    export = hris_export()
    good = tmp_path / "HRIS export.csv"
    export.to_csv(good, index=False)
    choose_file(page, "Data file", good)
    page.locator(".wb-preview table.wb-table").wait_for()
    page.locator(".wb-mapping-state").wait_for()  # drawn after the column lines
    assert "HRIS export.csv: 60 rows, 8 columns" in page.locator(".wb-data h4", has_text="HRIS").inner_text()
    assert page.locator(".wb-preview tbody tr").count() == 8
    assert page.locator(".wb-mapping-row").count() == len(TABLES["people"].columns)  # every column of people.csv
    person = mapping_row(page, "person_id")
    assert person.locator("select option:checked").inner_text().replace("\xa0", " ") == "Employee ID"
    assert "usual name for person_id" in person.inner_text()
    fill_in_what_the_export_lacks(page)
    page.locator(".wb-templates").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path.parent / "import-file.png"))  # the app scrolls inside the page
    page.locator(".wb-mapping-state").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path.parent / "import-mapping.png"))

    page.get_by_role("button", name=re.compile(r"^\W*Import$")).click()
    success = page.locator(".wb-data .wb-notice-success")
    success.wait_for()
    assert "Imported 60 rows from HRIS export.csv as people.csv" in success.inner_text()
    page.locator(".wb-data table.wb-table tr", has_text="people.csv").filter(has_text="present").wait_for()
    saved = app_server.home / "hris-client" / "people.csv"
    people = pd.read_csv(saved, dtype=str, keep_default_na=False).set_index("person_id")
    first = export.iloc[0]
    day, month, year = first["Hire Date"].split("/")
    assert people.loc[first["Employee ID"], ["department", "hire_date", "exit_date"]].tolist() == [
        first["Dept"], f"{year}-{month}-{day}", ""]
    before = saved.read_bytes()

    bad = tmp_path / "HRIS export again.csv"
    export.iloc[:20].assign(**{"Employee ID": [*export["Employee ID"][:19], export["Employee ID"].iloc[3]]}).to_csv(
        bad, index=False)
    choose_file(page, "Data file", bad)
    page.locator(".wb-data h4", has_text="HRIS export again.csv").wait_for()
    fill_in_what_the_export_lacks(page)
    page.get_by_role("button", name=re.compile(r"^\W*Import$")).click()
    alert = page.locator(".wb-data .wb-notice-error")
    alert.wait_for()
    assert "HRIS export again.csv was not imported and nothing was changed" in alert.inner_text()
    problems = page.locator(".wb-data table.wb-table", has_text="appears more than once")
    row = problems.locator("tr", has_text="appears more than once").first.inner_text().split("\t")
    assert row[1:4] == ["21", "person_id", export["Employee ID"].iloc[3]]  # row 21 of the file repeats row 5's id
    assert saved.read_bytes() == before
    alert.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path.parent / "import-problems.png"))
