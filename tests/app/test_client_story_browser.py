"""Issue 16's story in headless Chromium: a new client workspace filled from the client's own files (an HRIS
export under title rows, workbooks with title rows and several sheets, a sign-up form, the platform's meeting
log and survey) and the grid editor, entirely in the browser; then Matching, What-if and Evaluate work on it.
Bad input on the way (ambiguous dates, a template filled wrongly) is named row by row and changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from workbench.data.tables import TABLES
from workbench.gaps.analysis import current_proficiency
from workbench.views.data import TABLE_HELP

from ..conftest import AppServer
from .test_browser import choose_file, open_start
from .test_import_browser import mapping_row

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo"
EXAMPLES = ROOT / "datasets" / "examples"


def demo(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO / f"{name}.csv", dtype=str, keep_default_na=False)


def titled_workbook(path: Path, sheet: str, titles: list[str], frame: pd.DataFrame, *, first_sheet: str) -> Path:
    """An .xlsx as reporting tools write one: a cover sheet first, then the table under title rows."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = first_sheet
    book.active.append(["Exported by the learning system. The data is on the next sheet."])
    table = book.create_sheet(sheet)
    for line in titles:
        table.append([line])
    table.append([])
    table.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        table.append([int(v) if v.isdigit() else v for v in row])
    book.save(path)
    return path


def client_files(folder: Path) -> dict[str, Path]:
    """The client's exports, made from the demo organisation's people who appear in the example HRIS export."""
    hris = EXAMPLES / "hris-export.csv"
    people = pd.read_csv(hris, dtype=str, keep_default_na=False, skiprows=2)
    people = people[people["Employee ID"].str.match(r"P\d+$")]
    email_of = dict(zip(people["Employee ID"], people["Work Email"]))
    skills = demo("skills")[["skill_id", "name", "category"]].set_axis(["Skill ID", "Name", "Category"], axis=1)
    assessed = current_proficiency(demo("proficiency"))[["person_id", "skill_id", "level"]]  # one per skill
    assessed = assessed[assessed["person_id"].isin(email_of)].set_axis(["Employee ID", "Skill ID", "Proficiency"],
                                                                      axis=1)
    form = pd.read_csv(EXAMPLES / "signup-form-google.csv", dtype=str, keep_default_na=False)
    by_email = {e: i for i, e in email_of.items()}
    role = form["How would you like to take part?"]
    mentees = [by_email[e] for e in form["Email Address"][~role.str.contains("mentor others")]]
    mentors = [by_email[e] for e in form["Email Address"][role.str.contains("mentor others")]]
    meetings = pd.DataFrame([
        {"Mentee email": email_of[mentee], "Mentor email": email_of[mentors[i % len(mentors)]],
         "Meeting date": f"{day:02d}/{month:02d}/2026", "Duration (mins)": "45"}
        for i, mentee in enumerate(mentees) for month, day in ((2, 16), (3, 23), (5, 4), (6, 15))])
    survey = pd.DataFrame([
        {"Employee ID": person, "Wave": wave, "Construct": construct,
         "Score": f"{3 + (k % 3) * 0.5 + (0.5 if wave == 'post' else 0):.1f}".replace(".", ","),
         "Submitted": date}
        for k, person in enumerate(mentees) for wave, date in (("pre", "26/01/2026"), ("post", "20/07/2026"))
        for construct in ("career_clarity", "belonging")])
    folder.mkdir(parents=True, exist_ok=True)
    meetings.to_csv(folder / "meetings-export.csv", index=False)
    survey.to_csv(folder / "pulse-survey.csv", index=False, sep=";")
    return {
        "people": hris,
        "skills": titled_workbook(folder / "skills-catalogue.xlsx", "Catalogue",
                                  ["Northwind skills catalogue", "Exported 30/11/2026"], skills, first_sheet="About"),
        "proficiency": titled_workbook(folder / "assessments.xlsx", "Assessments",
                                       ["Skill assessments 2026", "Scale 0-5"], assessed, first_sheet="Read me"),
        "enrolment": EXAMPLES / "signup-form-google.csv",
        "meetings": folder / "meetings-export.csv",
        "survey": folder / "pulse-survey.csv",
    }


def choose_table(page, table: str) -> None:
    page.locator(".wb-data select").first.select_option(label=f"{table}.csv: {TABLE_HELP[table]}")


def upload(page, table: str, path: Path) -> None:
    choose_table(page, table)
    choose_file(page, "Data file", path)
    page.locator(".wb-data h4", has_text=path.name).wait_for()
    page.locator(".wb-mapping-state").wait_for()


def import_now(page, path: Path, table: str, rows: int | None = None) -> str:
    page.get_by_role("button", name=re.compile(r"^\W*Import$")).click()
    done = page.locator(".wb-data .wb-notice-success", has_text=f"from {path.name}")
    done.wait_for()
    text = done.inner_text()
    assert f"as {table}.csv" in text, text
    if rows is not None:
        assert f"Imported {rows:,} rows" in text, text
    return text


def edit_rows(page, table: str, rows: list[dict[str, str]]) -> None:
    """Type ``rows`` into the Start page's grid editor as new rows of ``table`` and save."""
    editor = page.locator(".wb-editor")
    editor.locator("select").first.select_option(label=f"{table}.csv: {TABLE_HELP[table]}")
    editor.locator(f".wb-grid th[data-column='{TABLES[table].column_names[0]}']").wait_for()
    start = editor.locator(".wb-grid tbody tr[data-index]").count()
    for i, row in enumerate(rows):
        editor.get_by_role("button", name="+ Add row").click()
        for column, value in row.items():
            cell = editor.locator(f".wb-grid tr[data-index='{start + i}'] [data-column='{column}']")
            if cell.evaluate("e => e.tagName") == "SELECT":
                cell.select_option(value)
            else:
                cell.fill(value)
    editor.get_by_role("button", name="Save table").click()
    editor.locator(".wb-notice-success", has_text=f"as {table}.csv").wait_for()


def saved_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def test_a_client_workspace_is_filled_in_the_browser_and_every_analysis_runs_on_it(
        browser_page, app_server: AppServer, tmp_path: Path) -> None:
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    files = client_files(tmp_path / "client")
    open_start(page, app_server, [])
    page.get_by_placeholder("e.g. Acme 2027 pilot").fill("Northwind pilot")
    page.get_by_role("button", name="Create workspace").click()
    page.locator(".wb-notice-success", has_text="Northwind pilot").wait_for()
    folder = app_server.home / "northwind-pilot"

    # people: the HRIS export as it comes (title rows, dd/mm/yyyy dates, L1-L7 grades, a total row)
    upload(page, "people", files["people"])
    assert page.locator(".wb-mapping-state", has_text="Every required column has a source").count() == 1
    assert mapping_row(page, "level").locator("select option:checked").first.inner_text().replace("\xa0", " ") \
        == "Grade"
    import_now(page, files["people"], "people", rows=59)
    notes = page.locator(".wb-data ul.wb-facts", has_text="The header is on row 3").inner_text()
    assert "('Total') looks like a total and was left out" in notes, notes  # and the title rows skipped
    page.screenshot(path=str(tmp_path.parent / "story-people.png"))

    # skills and proficiency: workbooks whose data sits on the second sheet under title rows
    upload(page, "skills", files["skills"])
    import_now(page, files["skills"], "skills", rows=35)
    upload(page, "proficiency", files["proficiency"])
    page.locator(".wb-mapping-state", has_text="level").wait_for()  # 'Proficiency' names no column it knows
    mapping_row(page, "level").locator("select").first.select_option(label="Proficiency")
    page.locator(".wb-mapping-state", has_text="Every required column has a source").wait_for()
    import_now(page, files["proficiency"], "proficiency")

    # goals and requirements: typed into the grid
    edit_rows(page, "goals", [{"goal_id": "retain_juniors", "name": "Keep junior analysts", "priority": "3",
                               "kpi": "annual exit rate of levels 1-2 (%)", "baseline": "18", "target": "12",
                               "horizon_months": "18"}])
    edit_rows(page, "requirements", [
        {"skill_id": "critical_thinking", "target_level": "4", "importance": "3", "goal_id": "retain_juniors"},
        {"skill_id": "speaking", "target_level": "3", "importance": "2", "goal_id": "retain_juniors"}])

    # enrolment: the sign-up form, people found by their e-mail, interests by skill name
    upload(page, "enrolment", files["enrolment"])
    import_now(page, files["enrolment"], "enrolment", rows=18)
    # meetings (people by e-mail) and the survey (';'-separated, decimal commas)
    upload(page, "meetings", files["meetings"])
    import_now(page, files["meetings"], "meetings")
    upload(page, "survey", files["survey"])
    import_now(page, files["survey"], "survey")
    health = page.locator(".wb-data table.wb-table").first.inner_text()
    for table in ("people", "skills", "proficiency", "goals", "requirements", "enrolment", "meetings", "survey"):
        assert re.search(rf"{table}\.csv\t\d+\tpresent", health), health
    assert "No validation problems." in page.locator(".wb-data").inner_text()

    # bad input changes nothing: dates with no order to read them by, and a template filled in wrongly
    before = saved_files(folder)
    ambiguous = tmp_path / "client" / "people-ambiguous.csv"
    people = pd.read_csv(files["people"], dtype=str, keep_default_na=False, skiprows=2).iloc[:6]
    people["Hire Date"] = ["03/04/05", "04/03/05", "01/02/03", "05/06/07", "07/08/09", "02/01/04"]
    people.rename(columns={"Hire Date": "Date of joining"}).to_csv(ambiguous, index=False)  # another system's
    upload(page, "people", ambiguous)
    page.get_by_role("button", name=re.compile(r"^\W*Import$")).click()
    page.locator(".wb-data .wb-notice-error", has_text="was not imported and nothing was changed").wait_for()
    listed = page.locator(".wb-data table.wb-table", has_text="could be").inner_text()
    assert re.search(r"people-ambiguous\.csv\t2\thire_date\t03/04/05\t.*could be 3 April 2005", listed), listed
    assert listed.count("could be") == 6

    from workbench.data.templates import template_frame
    template = template_frame("goals").assign(horizon_months="next year")
    wrong = tmp_path / "client" / "goals-template.csv"
    template.to_csv(wrong, index=False)
    upload(page, "goals", wrong)
    page.get_by_role("button", name=re.compile(r"^\W*Import$")).click()
    page.locator(".wb-data .wb-notice-error", has_text="goals-template.csv was not imported").wait_for()
    listed = page.locator(".wb-data table.wb-table", has_text="goals-template.csv").inner_text()
    assert len(re.findall(r"goals-template\.csv\t\d+\thorizon_months\tnext year", listed)) == len(template)
    assert saved_files(folder) == before
    page.screenshot(path=str(tmp_path.parent / "story-bad-input.png"))

    # Matching, What-if and Evaluate on the client's workspace
    page.goto(f"{app_server.url}voila/render/04_matching.ipynb?workspace=northwind-pilot")
    page.get_by_role("button", name=re.compile(r"\bMatch$")).click()
    summary = page.locator(".wb-summary .wb-tiles")
    summary.wait_for()
    assert re.search(r"\d+ of 12 mentees matched", summary.inner_text()), summary.inner_text()
    page.locator(".wb-pairs table.wb-table tbody tr").first.wait_for()
    page.screenshot(path=str(tmp_path.parent / "story-matching.png"))

    page.goto(f"{app_server.url}voila/render/05_what_if.ipynb?workspace=northwind-pilot")
    page.get_by_role("button", name="Run the comparison").click()
    table = page.locator(".wb-kpi-table table")
    table.wait_for(timeout=180000)
    assert "The design (baseline)" in table.inner_text()
    page.screenshot(path=str(tmp_path.parent / "story-whatif.png"))

    page.goto(f"{app_server.url}voila/render/07_evaluate.ipynb?workspace=northwind-pilot")
    # the latest cohort is evaluated as the page opens
    page.locator(".wb-evaluate-controls .wb-notice-success", has_text="Evaluated cohort 2026").wait_for(timeout=180000)
    page.screenshot(path=str(tmp_path.parent / "story-evaluate.png"), full_page=True)
    summary = page.locator(".wb-evaluation-summary").inner_text()
    assert "12" in summary and "chose (or were chosen) to take part" in summary, summary
    assert "Response rates" in page.locator(".wb-evaluate").inner_text()  # the surveys imported, by wave
    assert page.locator(".wb-notice-error").count() == 0
    assert "Traceback" not in page.content()
    assert errors == []
