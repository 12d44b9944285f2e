"""The app in a real headless Chromium, driven like a person would."""

import re
from pathlib import Path
import time
from urllib.parse import urlparse

import pytest

from ..conftest import AppServer

pytestmark = pytest.mark.browser


def choose_file(page, button: str, path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile(button)).click()
    chooser.value.set_files(str(path))


def open_start(page, app_server: AppServer, requests: list[str]) -> None:
    page.on("request", lambda request: requests.append(request.url))
    page.goto(app_server.url)
    page.wait_for_selector("nav.wb-nav")


def test_start_page_renders_with_navigation_and_a_chart(browser_page, app_server: AppServer) -> None:
    page = browser_page
    requests: list[str] = []
    open_start(page, app_server, requests)
    assert page.url.startswith(f"{app_server.url}voila/render/00_start.ipynb")
    assert page.locator("h1").first.inner_text().startswith("Design a mentoring program")
    assert page.locator(".wb-step").count() == 5
    assert "Demo organisation" in page.locator("nav.wb-nav .wb-ws").inner_text()
    # The headcount chart is drawn by Vega as SVG, from files served by the app itself.
    bars = page.locator(".wb-start svg g.mark-rect path")
    bars.first.wait_for()
    assert bars.count() > 5
    assert page.locator("text=The page could not be built").count() == 0
    outside = [url for url in requests
               if urlparse(url).scheme in {"http", "https", "ws", "wss"} and urlparse(url).hostname != "127.0.0.1"]
    assert outside == []


def test_navigation_carries_a_new_workspace_to_the_next_page(browser_page, app_server: AppServer) -> None:
    page = browser_page
    open_start(page, app_server, [])
    page.get_by_placeholder("e.g. Acme 2027 pilot").fill("Browser client")
    page.get_by_role("button", name="Create workspace").click()
    page.locator(".wb-notice-success").wait_for()
    assert "Browser client" in page.locator("nav.wb-nav .wb-ws").inner_text()
    link = page.locator("nav.wb-nav a", has_text="Start")
    assert link.get_attribute("href") == "00_start.ipynb?workspace=browser-client"
    link.click()
    page.wait_for_url(re.compile(r"workspace=browser-client"))
    page.wait_for_selector("nav.wb-nav")
    assert "Browser client" in page.locator("nav.wb-nav .wb-ws").inner_text()
    assert "Missing required tables: people.csv" in page.locator(".wb-facts").inner_text()


def test_uploading_a_bad_file_shows_the_problems_and_a_good_one_is_imported(browser_page, app_server: AppServer,
                                                                           tmp_path) -> None:
    page = browser_page
    open_start(page, app_server, [])
    page.get_by_placeholder("e.g. Acme 2027 pilot").fill("Upload client")
    page.get_by_role("button", name="Create workspace").click()
    page.locator(".wb-notice-success").wait_for()

    bad = tmp_path / "skills export.csv"
    bad.write_text("skill_id,name,category\ncoaching,Coaching,People\ncoaching,Coaching again,\n", encoding="utf-8")
    page.locator(".wb-data select").select_option(label="skills.csv: the skills the organisation tracks")
    choose_file(page, "Data file", bad)
    page.get_by_role("button", name=re.compile(r"^\W*Import$")).click()
    alert = page.locator(".wb-data .wb-notice-error")
    alert.wait_for()
    assert "skills export.csv was not imported and nothing was changed" in alert.inner_text()
    problems = page.locator(".wb-data table.wb-table").last.inner_text()
    assert "appears more than once" in problems and "coaching" in problems

    good = tmp_path / "skills.csv"
    good.write_text("skill_id,name,category\ncoaching,Coaching,People\nsql,SQL,Technical\n", encoding="utf-8")
    choose_file(page, "Data file", good)
    page.get_by_role("button", name=re.compile(r"^\W*Import$")).click()
    page.locator(".wb-data .wb-notice-success").wait_for()
    assert "Imported 2 rows from skills.csv as skills.csv" in page.locator(".wb-data .wb-notice-success").inner_text()
    page.locator(".wb-data table.wb-table", has_text="skills.csv").first.wait_for()
    saved = (app_server.home / "upload-client" / "skills.csv").read_text(encoding="utf-8")
    assert saved == "skill_id,name,category\ncoaching,Coaching,People\nsql,SQL,Technical\n"


def test_a_bad_workspace_name_shows_a_message_not_a_traceback(browser_page, app_server: AppServer) -> None:
    page = browser_page
    open_start(page, app_server, [])
    page.get_by_placeholder("e.g. Acme 2027 pilot").fill("../../etc")
    button = page.get_by_role("button", name="Create workspace")
    button.click()
    alert = page.locator(".wb-notice-error")
    alert.wait_for()
    assert "cannot name a workspace" in alert.inner_text()
    assert button.is_enabled()
    assert "Traceback" not in page.content()


def test_a_failing_callback_shows_a_message_and_logs_details(browser_page, failing_pages: AppServer) -> None:
    page = browser_page
    page.goto(f"{failing_pages.url}voila/render/callback.ipynb")
    button = page.get_by_role("button", name="Fail")
    button.click()
    alert = page.locator(".wb-notice-error")
    alert.wait_for()
    text = alert.inner_text()
    assert "could not run the failing step" in text and "internal detail" not in text
    reference = re.search(r"reference ([0-9a-f]{8})", text).group(1)
    assert button.is_enabled()
    deadline = time.monotonic() + 10
    while reference not in failing_pages.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    log = failing_pages.log()
    assert f"reference {reference}" in log and "KeyError: 'internal detail'" in log


def test_a_design_is_built_saved_reopened_and_exported(browser_page, app_server: AppServer) -> None:
    from workbench.design import load_design
    from workbench.design.catalogue import decision
    from workbench.workspace import open_workspace

    page = browser_page
    open_start(page, app_server, [])
    page.get_by_placeholder("e.g. Acme 2027 pilot").fill("Design client")
    page.get_by_text("Start from the demo organisation's data").click()
    page.get_by_role("button", name="Create workspace").click()
    page.locator(".wb-notice-success").wait_for()

    page.locator("nav.wb-nav a", has_text="Align").click()
    page.wait_for_url(re.compile(r"01_align.ipynb\?workspace=design-client"))
    page.locator(".wb-findings").wait_for()
    attrition = {o.value: o.label for o in decision("align.business_problem").options}["attrition"]
    page.locator(".wb-decision-align-business_problem select").select_option(label=attrition)
    page.locator(".wb-decision-align-sponsor input").fill("Chief People Officer")
    page.get_by_role("button", name="Add objective").click()
    statement = page.locator(".wb-decision-align-objectives").get_by_label("Statement", exact=True)
    statement.fill("Cut regretted exits of junior engineers from 18% to 14% in 12 months")
    page.locator(".wb-unsaved").wait_for()
    page.get_by_role("button", name="Save design").click()
    page.locator(".wb-design .wb-notice-success").wait_for()

    # The findings stay in view while the form scrolls.
    page.locator(".wb-decision-align-focus_skills").scroll_into_view_if_needed()
    top = page.evaluate("() => document.querySelector('.wb-findings').getBoundingClientRect().top")
    assert 0 <= top < 200

    page.locator("nav.wb-nav a", has_text="Launch & Support").click()
    page.wait_for_url(re.compile(r"06_launch_and_support.ipynb\?workspace=design-client"))
    metric = page.locator(".wb-decision-evaluate-metrics input").first
    metric.wait_for()
    metric.fill("annual exit rate from HR data")
    page.get_by_role("button", name="Save design").click()
    page.locator(".wb-design .wb-notice-success").wait_for()

    design = load_design(open_workspace(app_server.home / "design-client"))
    assert design.align.business_problem == "attrition"
    assert design.align.sponsor == "Chief People Officer"
    assert design.align.objectives[0].statement.startswith("Cut regretted exits")
    assert design.evaluate.metrics == {"O1": ("annual exit rate from HR data",)}

    page.get_by_role("button", name="Prepare the design brief").click()
    link = page.locator(".wb-brief a", has_text="Download the brief (HTML)")
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    brief = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Chief People Officer" in brief and "Cut regretted exits of junior engineers" in brief
    assert attrition in brief and "<svg" in brief


def test_a_filter_on_the_skill_gaps_page_changes_the_heatmap(browser_page, app_server: AppServer) -> None:
    page = browser_page
    page.goto(f"{app_server.url}voila/render/03_skill_gaps.ipynb?workspace=demo")
    heatmap = page.locator(".wb-gaps svg").first
    heatmap.locator("g.mark-rect path").first.wait_for()

    def departments_drawn() -> str:
        return heatmap.locator("g.role-axis").evaluate_all("axes => axes.map(a => a.textContent).join(' ')")

    before = departments_drawn()
    assert "Engineering" in before and "Sales" in before
    page.locator(".wb-gaps select").nth(1).select_option(label="Sales")
    page.wait_for_function(
        "() => { const t = document.querySelector('.wb-gaps svg').textContent;"
        " return t.includes('Sales') && !t.includes('Engineering'); }")
    assert "Engineering" not in departments_drawn()
    assert "Traceback" not in page.content()


def test_the_matching_page_matches_explains_and_forbids_a_pair(browser_page, app_server: AppServer) -> None:
    page = browser_page
    page.goto(f"{app_server.url}voila/render/04_matching.ipynb?workspace=demo")
    page.get_by_role("button", name=re.compile(r"\bMatch$")).click()
    summary = page.locator(".wb-summary .wb-tiles")
    summary.wait_for()
    assert re.search(r"\d+ of \d+ mentees matched", summary.inner_text())
    # The coverage bars are drawn (the histogram's empty bins are bars of no height).
    page.locator(".wb-matching svg g.mark-rect path[aria-label*='People matched']").first.wait_for()
    assert page.locator(".wb-matching svg g.mark-rect path").count() > 20
    assert page.locator(".wb-matching svg").count() >= 4
    rows = page.locator(".wb-pairs table.wb-table tbody tr")
    rows.first.wait_for()
    assert rows.count() > 10

    # A mentee who has a mentor: their candidates, with the mentor chosen for the override.
    # (Dropdown labels come with non-breaking spaces.)
    # the options are redrawn after the pairs table: wait for them rather than read them as they change
    page.locator(".wb-mentee select option", has_text=re.compile(r"·\smatched$")).first.wait_for(state="attached")
    labels = page.locator(".wb-mentee select option").all_inner_texts()
    mentee = next(label for label in labels if label.replace("\xa0", " ").endswith(" · matched"))
    page.locator(".wb-mentee select").select_option(label=mentee)
    partner = page.locator(".wb-partner select")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.wb-partner select option')]"
        ".some(o => o.selected && /\\s·\\smatched$/.test(o.textContent))")
    mentor = partner.locator("option:checked").inner_text().replace("\xa0", " ").split(" · ")[0]
    assert "matched" in page.locator(".wb-candidates").inner_text()

    page.get_by_role("button", name="Forbid this pair").click()
    done = page.locator(".wb-notice-success", has_text="Forbade")
    done.wait_for()
    assert f"with {mentor} and matched again" in done.inner_text()
    page.locator(".wb-candidates", has_text="not allowed (forbidden by an administrator)").wait_for()
    assert "1 forbidden pair" in page.locator(".wb-summary").inner_text()
    assert page.locator(".wb-notice-error").count() == 0
    assert "Traceback" not in page.content()


def test_the_matching_settings_and_tables_take_only_the_room_they_need(browser_page, app_server: AppServer) -> None:
    page = browser_page
    page.goto(f"{app_server.url}voila/render/04_matching.ipynb?workspace=demo")
    method = page.locator(".wb-settings select").nth(1)
    method.wait_for()
    box = "el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom, r.width]; }"
    # The balanced method's own settings wrap under the picker with no empty band between.
    method.select_option(label="Even match rates across groups")
    balance = page.locator(".wb-settings .widget-dropdown",
                           has=page.locator("label.widget-label", has_text="Even match rates across"))
    balance.wait_for()
    assert balance.evaluate(box)[0] - method.evaluate(box)[1] < 16
    # Hidden, they leave nothing: the row of pickers is one line high.
    method.select_option(index=0)
    page.wait_for_function("() => getComputedStyle([...document.querySelectorAll('.wb-settings .widget-dropdown')]"
                           ".find(d => d.querySelector('label').textContent.includes('Even match rates across')))"
                           ".display === 'none'")
    row = page.locator(".wb-settings .wb-row").first
    assert row.evaluate(box)[1] - row.evaluate(box)[0] < 2 * method.evaluate(box)[1] - 2 * method.evaluate(box)[0]
    # A table of figures is as wide as its figures; only tables ending in a reason give that column room.
    page.get_by_role("button", name=re.compile(r"\bMatch$")).click()
    page.locator(".wb-pairs table.wb-table").wait_for()
    page.get_by_role("button", name="Compare all methods").click()
    last = page.locator(".wb-matching table.wb-table", has_text="blocking pairs").locator("th").last
    last.wait_for()
    assert last.evaluate(box)[2] < 200
    assert page.locator(".wb-pairs table.wb-table th").last.evaluate(box)[2] >= 280


def test_the_what_if_page_compares_an_alternative_with_the_design(browser_page, app_server: AppServer) -> None:
    page = browser_page
    page.goto(f"{app_server.url}voila/render/05_what_if.ipynb?workspace=demo")
    editor = page.locator(".wb-scenario-editor")
    editor.wait_for()

    # An alternative: the design run for a year instead of nine months.
    editor.locator(".wb-scenario-name input").fill("A year")
    duration = editor.locator(".widget-inline-hbox", has_text="Duration").locator("input").first
    duration.fill("12")
    duration.press("Enter")
    page.locator(".wb-changes", has_text="Duration: 9 → 12 months").wait_for()
    page.get_by_role("button", name="Save scenario").click()
    editor.locator(".wb-notice-success", has_text="Saved the scenario").wait_for()

    # The design alone first, then with the alternative: the effects chart changes.
    page.locator(".wb-compare .widget-checkbox", has_text="A year").locator("input").uncheck()
    page.get_by_role("button", name="Run the comparison").click()
    table = page.locator(".wb-kpi-table table")
    table.wait_for()
    assert "The design (baseline)" in table.inner_text() and "A year" not in table.inner_text()
    effects = page.locator(".wb-results svg").first
    effects.locator("g.mark-symbol path").first.wait_for()
    before = effects.text_content()
    assert "The design" in before and "A year" not in before

    page.locator(".wb-compare .widget-checkbox", has_text="A year").locator("input").check()
    page.get_by_role("button", name="Run the comparison").click()
    page.locator(".wb-kpi-table th", has_text="A year").wait_for()
    page.wait_for_function("() => document.querySelector('.wb-results svg').textContent.includes('A year')")
    assert effects.text_content() != before
    assert page.locator(".wb-results svg").count() >= 4  # effects, distributions, survival, cost against impact
    assert "P(better)" in table.inner_text()
    assert page.locator(".wb-results .wb-caption", has_text="comparison group").count() >= 1
    page.locator(".wb-compare .wb-progress").wait_for(state="hidden")  # the progress bar goes once done
    # the button comes back in the kernel's next message, which may follow the hidden bar's by a moment
    page.wait_for_function("() => [...document.querySelectorAll('button')]"
                           ".some(b => b.textContent.includes('Run the comparison') && !b.disabled)", timeout=30000)
    assert page.locator(".wb-notice-error").count() == 0
    assert "Traceback" not in page.content()


def test_the_evaluate_page_runs_on_the_demo_and_draws_curves_and_a_scorecard(browser_page,
                                                                               app_server: AppServer) -> None:
    from workbench.design.model import Align, Objective, ProgramDesign
    from workbench.design.store import save_design
    from workbench.workspace import create_workspace

    workspace = create_workspace("Evaluate client", app_server.home, copy_demo=True)
    save_design(workspace, ProgramDesign(name="Graduates", align=Align(objectives=(
        Objective(id="exits", statement="Fewer graduates leave", kind="retention", kpi="annual exit rate (%)",
                  baseline=20, target=14),))))
    page = browser_page
    page.goto(f"{app_server.url}voila/render/07_evaluate.ipynb?workspace=evaluate-client")
    assert page.locator("nav.wb-nav a[aria-current='page']").inner_text() == "Evaluate"
    # the latest cohort is evaluated as the page opens
    page.locator(".wb-evaluate-controls .wb-notice-success", has_text="Evaluated cohort 2025").wait_for()
    # The Kaplan-Meier curves and the scorecard are drawn as SVG.
    curves = page.locator(".wb-outcomes svg").first
    curves.locator("g.mark-line path").first.wait_for()
    assert curves.locator("g.mark-line path").count() >= 2  # participants and the comparison group
    assert "Who stayed?" in curves.text_content()
    scorecard = page.locator(".wb-scorecard svg").first
    scorecard.locator("g.mark-symbol path").first.wait_for()
    assert "exits" in scorecard.text_content()
    tables = page.locator(".wb-scorecard table.wb-table")  # the scorecard, then the trajectories by cohort
    assert "Fewer graduates leave" in tables.first.inner_text() and "6 months" in tables.nth(1).inner_text()
    assert "chose (or were chosen) to take part" in page.locator(".wb-evaluation-summary").inner_text()
    link = page.locator(".wb-downloads a", has_text="Download the report (HTML)")
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Who stayed?" in report and "annual exit rate of participants" in report
    page.locator(".wb-evaluate-controls .wb-progress").wait_for(state="hidden")
    assert page.get_by_role("button", name="Refresh").is_enabled()
    assert page.locator(".wb-notice-error").count() == 0
    assert "Traceback" not in page.content()


def test_two_tabs_save_the_design_and_a_matching_at_once_and_a_stale_tab_keeps_its_edits(
        browser_page, app_server: AppServer, tmp_path) -> None:
    from workbench.design import load_design
    from workbench.matching import saved_matching
    from workbench.workspace import create_workspace, open_workspace

    create_workspace("Two tabs", app_server.home, copy_demo=True)
    align, matching, stale = browser_page, browser_page.context.new_page(), browser_page.context.new_page()
    for tab, notebook in ((align, "01_align"), (matching, "04_matching"), (stale, "01_align")):
        tab.set_default_timeout(60_000)
        tab.goto(f"{app_server.url}voila/render/{notebook}.ipynb?workspace=two-tabs")
        tab.wait_for_selector("nav.wb-nav")
    matching.get_by_role("button", name=re.compile(r"\bMatch$")).click()
    matching.locator(".wb-summary .wb-tiles").wait_for()
    align.locator(".wb-decision-align-sponsor input").fill("Chief Financial Officer")
    align.locator(".wb-unsaved").wait_for()
    # both saves at once, each in its own tab (and its own kernel)
    align.get_by_role("button", name="Save design").click()
    matching.get_by_role("button", name="Save this matching").click()
    align.locator(".wb-design .wb-notice-success").wait_for()
    matching.locator(".wb-notice-success", has_text="Saved the matching").wait_for()
    workspace = open_workspace(app_server.home / "two-tabs")
    assert load_design(workspace).align.sponsor == "Chief Financial Officer"
    assert saved_matching(workspace) is not None

    # the third tab read the design before the first tab saved it: its save is refused, its edits stay
    stale.locator(".wb-decision-align-sponsor input").fill("Chief Executive Officer")
    stale.locator(".wb-unsaved").wait_for()
    stale.get_by_role("button", name="Save design").click()
    refused = stale.locator(".wb-design .wb-notice-error")
    refused.wait_for()
    assert "changed elsewhere" in refused.inner_text() and "Your changes are still on this page" in refused.inner_text()
    assert stale.locator(".wb-decision-align-sponsor input").input_value() == "Chief Executive Officer"
    assert load_design(open_workspace(workspace.path)).align.sponsor == "Chief Financial Officer"
    stale.screenshot(path=str(tmp_path / "stale-tab-refused.png"), full_page=False)
    stale.get_by_role("button", name="Reload and re-apply my changes").click()
    stale.locator(".wb-design .wb-notice-info", has_text="with your changes made again").wait_for()
    assert stale.locator(".wb-decision-align-sponsor input").input_value() == "Chief Executive Officer"
    stale.get_by_role("button", name="Save design").click()
    stale.locator(".wb-design .wb-notice-success").wait_for()
    assert load_design(open_workspace(workspace.path)).align.sponsor == "Chief Executive Officer"
    assert saved_matching(open_workspace(workspace.path)) is not None  # the matching saved in between is still there
    assert all("Traceback" not in tab.content() for tab in (align, matching, stale))


def test_the_launch_page_draws_and_freezes_a_waitlist_and_refuses_a_bad_pilot_without_saving(
        browser_page, app_server: AppServer) -> None:
    import hashlib

    import pandas as pd

    from workbench.design import load_design
    from workbench.design.store import save_design
    from workbench.evaluate.plan import load_plan
    from workbench.workspace import DEMO_SOURCE, create_workspace, open_workspace

    workspace = create_workspace("Pilot client", app_server.home, copy_demo=True)
    save_design(workspace, load_design(open_workspace(DEMO_SOURCE)))  # the demo's design: 40 eligible applicants
    people = pd.read_csv(workspace.path / "people.csv", dtype=str, keep_default_na=False)
    people.assign(site="Head office").to_csv(workspace.path / "people.csv", index=False)  # one site for everyone

    def files() -> dict[str, str]:
        return {str(p.relative_to(workspace.path)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(workspace.path.rglob("*")) if p.is_file()}

    page = browser_page
    page.goto(f"{app_server.url}voila/render/06_launch_and_support.ipynb?workspace=pilot-client")
    pilot = page.locator(".wb-decision-launch-pilot")
    pilot.locator("select").first.wait_for()
    field = {name: pilot.locator(".widget-hbox", has_text=label).locator("input")
             for name, label in (("Places", "Places this cohort"), ("Clusters", "Clusters: the people column"))}

    def save_design_with(design: str, **values: str) -> None:
        pilot.locator("select").first.select_option(label=design)
        for name, value in values.items():
            field[name].fill(value)
        page.locator(".wb-design .wb-unsaved").wait_for()
        page.get_by_role("button", name="Save design").click()
        page.locator(".wb-design .wb-saved").wait_for()

    section = page.locator(".wb-pilot")
    draw, freeze = (section.get_by_role("button", name=name) for name in ("Draw the allocation", "Freeze the plan"))

    # A randomised waitlist of 20 places for the 40 applicants: drawn, shown, offered as a download, frozen.
    save_design_with("Randomised waitlist", Places="20")
    assert field["Places"].is_visible() and not field["Clusters"].is_visible()  # the waitlist's fields only
    draw.click()
    rows = section.locator("table.wb-table tbody tr")
    rows.first.wait_for()
    assert "20 applicants offered a place now, 20 waitlisted for the next cohort." in section.inner_text()
    assert rows.count() == 40 and "offered" in rows.first.inner_text()
    assert section.locator("a", has_text="Download the allocation (CSV)").get_attribute("href")
    freeze.click()
    section.locator(".wb-notice-success", has_text="Froze the evaluation plan").wait_for()
    assert "The frozen plan" in section.inner_text()
    assert (workspace.path / "results" / "plan.yaml").is_file() and (workspace.path / "results" / "plan.csv").is_file()
    frozen = load_plan(open_workspace(workspace.path))
    assert (frozen.pilot.design, frozen.pilot.places) == ("waitlist", 20)
    assert frozen.allocation["allocation"].value_counts().to_dict() == {"offered": 20, "waitlisted": 20}

    # Bad pilots get a message in the page, and nothing is saved.
    for design, values, message in (
            ("Staggered roll-out", {"Clusters": "site"}, "has one cluster ('Head office')"),
            ("Randomised waitlist", {"Places": "60"}, "the cohort has 40 eligible mentee applicants")):
        save_design_with(design, **values)
        before = files()
        draw.click()
        alert = section.locator(".wb-notice-error", has_text=message)
        alert.wait_for()
        assert "could not" not in alert.inner_text() and "reference" not in alert.inner_text()
        assert freeze.is_disabled() and section.locator("table.wb-table").count() == 0
        assert files() == before
    assert "Traceback" not in page.content()
