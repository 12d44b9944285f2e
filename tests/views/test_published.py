"""Every page in the published app: no button that writes, people only under pseudonyms, nothing saved.

Each view is built on the demo workspace with ``WORKBENCH_PUBLISHED=1`` and a
pseudonym key, driven through what a stakeholder can do (match, pick a
mentee, compare scenarios, evaluate), and its whole widget tree is read:
HTML values and the files behind download links, texts, option labels,
descriptions, tooltips and chart specs. None may hold the id, name or
e-mail of anyone in the demo's people.csv.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pandas as pd
import pytest

from workbench.privacy import KEY_VARIABLE, PUBLISHED_VARIABLE, PersonLabels
from workbench.views.design import DesignPage
from workbench.views.evaluate import EvaluateView
from workbench.views.gaps import GapsView
from workbench.views.matching import MatchingView
from workbench.views.selection import SelectionView
from workbench.views.shell import PAGES, PUBLISHED_NOTE, open_page
from workbench.views.start import StartView
from workbench.sessions.whatif import BASELINE_NAME, EDITED
from workbench.views.whatif import WhatIfView
from workbench.workspace import DEMO_SOURCE, ensure_demo_workspace

KEY = "5e" * 32
#: Words on a button that writes to the workspace.
WRITES = re.compile(r"save|undo|delete|import|upload|create", re.IGNORECASE)
DATA_LINK = re.compile(r'href="data:[^;]+;charset=utf-8;base64,([A-Za-z0-9+/=]+)"')
PEOPLE = pd.read_csv(DEMO_SOURCE / "people.csv", dtype=str, keep_default_na=False)


def widgets(root: w.Widget) -> Iterator[w.Widget]:
    """``root`` and every widget inside it."""
    yield root
    for child in getattr(root, "children", ()) or ():
        yield from widgets(child)


def strings(value: object) -> Iterator[str]:
    """Every text inside a widget's state (nested lists and dicts)."""
    if isinstance(value, str):
        yield value
        yield from (base64.b64decode(p).decode("utf-8") for p in DATA_LINK.findall(value))
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


def texts(root: w.Widget) -> Iterator[str]:
    """Everything the browser is sent for the tree (each widget's synced state), downloads decoded."""
    for widget in widgets(root):
        yield from strings(widget.get_state())


def leaks(root: w.Widget) -> set[str]:
    """The ids, names and e-mails of the demo's people found in the tree."""
    words = re.findall(r"[\w.@+'-]+", "\n".join(texts(root)))
    grams = set(words) | {" ".join(words[i:i + 2]) for i in range(len(words))} \
        | {" ".join(words[i:i + 3]) for i in range(len(words))}
    grams |= {g.strip(".'") for g in grams}
    people = set(PEOPLE["person_id"]) | set(PEOPLE["email"]) | set(PEOPLE["name"])
    return (people - {""}) & grams


def write_buttons(root: w.Widget) -> list[str]:
    found = [b.description for b in widgets(root) if isinstance(b, w.Button) and WRITES.search(b.description)]
    return found + [type(u).__name__ for u in widgets(root) if isinstance(u, w.FileUpload)]


def disk(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def published(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The published app's environment on a folder holding the demo; the folder must not change."""
    ensure_demo_workspace(home)  # the server puts it there before it publishes
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    before = disk(home)
    yield home
    assert disk(home) == before


def check(view: w.Widget) -> None:
    assert write_buttons(view) == []
    assert leaks(view) == set()


def test_the_walk_finds_people_where_the_workshop_shows_them(home: Path) -> None:
    context, _ = open_page("04_matching")
    view = MatchingView(context, background=False)
    view.controls.match_button.click()
    assert len(leaks(view)) > 20 and "Save this matching" in write_buttons(view)


@pytest.mark.parametrize("notebook", [p.notebook for p in PAGES])
def test_every_page_says_it_is_a_read_only_published_view(published: Path, notebook: str) -> None:
    _, header = open_page(notebook)
    assert PUBLISHED_NOTE in header.published.value and "read-only published view" in PUBLISHED_NOTE
    assert header in widgets(header) and header.published in header.children


def test_the_workshop_header_has_no_published_line(home: Path) -> None:
    _, header = open_page("00_start")
    assert header.published.value == ""


@pytest.fixture
def broken_manager(home: Path) -> None:
    """A problem whose row would show a person: a manager id that is nobody's."""
    people = ensure_demo_workspace(home) / "people.csv"
    people.write_text(people.read_text(encoding="utf-8").replace("P00605", "P99999", 1), encoding="utf-8")


def test_start_page_offers_no_create_import_or_undo_and_counts_problems(broken_manager: None, published: Path
                                                                        ) -> None:
    context, _ = open_page("00_start")
    view = StartView(context)
    check(view)
    assert view.create_button is None and view.data.import_button is None and view.data.undo_button is None
    assert "Counted per file and column" in view.data.problems.value and "manager_id" in view.data.problems.value
    assert "P99999" not in "".join(texts(view)) and "download" not in view.data.problems.value
    assert [label for label, _ in view.choice.options] == ["Demo organisation"]


def test_a_page_on_data_with_problems_counts_them_without_showing_anyones_value(broken_manager: None,
                                                                                published: Path) -> None:
    from workbench.views.shell import show_page

    context, _ = open_page("04_matching")
    shown = show_page(MatchingView, context)
    check(shown)
    assert "Counted per file and column" in shown.value and "manager_id" in shown.value
    assert "P99999" not in "".join(texts(shown)) and "download" not in shown.value


@pytest.mark.parametrize("notebook, steps", [("01_align", ("align",)), ("02_experience", ("experience",)),
                                             ("06_launch_and_support", ("launch", "evaluate", "support"))])
def test_design_pages_explore_without_save_or_undo(published: Path, notebook: str, steps: tuple[str, ...]) -> None:
    context, _ = open_page(notebook)
    page = DesignPage(context, steps)
    check(page)
    assert page.save_button is None and page.undo_button is None
    page.session.set(("experience", "duration_months"), 3)
    assert "saves nothing" in page.status.value
    page.brief.button.click()
    assert "Download the brief" in page.brief.links.value
    check(page)


def test_skill_gaps_shows_people_under_pseudonyms(published: Path) -> None:
    context, _ = open_page("03_skill_gaps")
    view = GapsView(context)
    check(view)
    assert view.save_button is None and view.focus.disabled
    assert all(option.startswith("Person ") for option in view.person.options)
    view.person.value = view.person.options[2]
    assert view.person.value.split(" ", 1)[1] in view.profile_caption.value
    labels = PersonLabels(PEOPLE, key=KEY)
    assert labels(view.session.figures.person_ids[view.person.value]) == view.person.value
    assert "Person " in view.mentees.value and "Person " in view.invitations.value
    gaps_csv = base64.b64decode(DATA_LINK.search(view.download.value).group(1)).decode()
    assert gaps_csv.splitlines()[1].startswith("Person ")
    view.department.value = "Engineering"
    for _, skill in view.scarce.options[:3]:
        view.scarce.value = skill
        check(view)


@pytest.mark.parametrize("structure", ["one_on_one", "peer"])
def test_matching_can_be_tried_but_not_saved_and_shows_pseudonyms(published: Path, structure: str) -> None:
    context, _ = open_page("04_matching")
    view = MatchingView(context, background=False)
    assert view.save_button is None
    view.controls.structure.value = structure
    view.controls.match_button.click()
    assert view.controls.notice.value == "" and view.session.result is not None
    labels = PersonLabels(PEOPLE, key=KEY)
    mentee = view.explorer.mentee.value
    assert view.explorer.mentee.label.startswith(labels(mentee))
    assert all(label.startswith("Person ") for label, _ in view.explorer.partner.options)
    csv = base64.b64decode(DATA_LINK.search(view.download.value).group(1)).decode()
    assert csv.splitlines()[1].startswith("Person ")
    if structure != "peer":
        view.explorer.pin_button.click()
        assert "Pinned Person " in view.explorer.pick_notice.value
        view.compare_button.click()
        assert "<table" in view.comparison.value
    view.explorer.mentee.value = view.explorer.mentee.options[-1][1]
    check(view)


def test_what_if_compares_the_edited_scenario_without_saving(published: Path) -> None:
    context, _ = open_page("05_what_if")
    view = WhatIfView(context, background=False)
    assert view.editor.save_button is None and view.editor.delete_button is None and view.results.brief_button is None
    assert "The settings above" in [box.description for box in view.compare.boxes.values()]
    view.compare.runs.value = 200
    view.editor.fields["duration_months"].widget.value = 12
    view.compare.run_button.click()
    assert view.compare.notice.value == "", view.compare.notice.value
    assert [r.name for r in view.session.results] == [BASELINE_NAME, view.editor.name.value]
    assert view.session.compared[1].overrides == {"duration_months": 12}
    check(view)


def test_what_if_leaves_an_unchanged_edited_scenario_out(published: Path) -> None:
    context, _ = open_page("05_what_if")
    view = WhatIfView(context, background=False)
    view.compare.runs.value = 200
    assert view.compare.boxes[EDITED].value
    assert [s.name for s in view.session.compared_scenarios()] == [BASELINE_NAME]


def test_evaluate_offers_no_scenario_save_and_its_downloads_name_nobody(published: Path) -> None:
    context, _ = open_page("07_evaluate")
    view = EvaluateView(context, background=False, resamples=200, runs=50)  # evaluated as it opens
    assert view.calibration.scenario_button is None and view.calibration.scenario_box not in widgets(view)
    assert "wb-notice-success" in view.notice.value, view.notice.value
    assert "Download the report" in view.in_short.downloads.value
    check(view)


def test_the_published_app_shows_only_the_workspace_it_was_started_with(published: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    other = published / "other-client"
    shutil.copytree(published / "demo", other)
    (other / "workspace.yaml").write_text(
        (other / "workspace.yaml").read_text(encoding="utf-8").replace("Demo organisation", "Other client"),
        encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_WORKSPACE", "demo")
    monkeypatch.setenv("QUERY_STRING", "workspace=other-client")
    context, _ = open_page("00_start")
    assert context.workspace.slug == "demo"
    view = StartView(context)
    assert [slug for _, slug in view.choice.options] == ["demo"] and view.choice.disabled
    shutil.rmtree(other)  # the fixture checks the home is as it was


def test_choosing_the_class_compares_groups_but_lists_nobody(published: Path) -> None:
    context, _ = open_page("06_launch_and_support")
    view = SelectionView(context)
    view.size.value = 20
    view.choose_button.click()
    assert view.notice.value == "" and view.results.layout.display is None
    assert "<table" in view.comparison.value and "hidden" in view.comparison.value
    # one row per chosen person with their department would give the hidden groups away, pseudonyms or not
    assert "<table" not in view.class_table.value and "workshop only" in view.class_table.value
    assert 'download="class.csv"' not in view.download.value and 'download="class_vs_pool.csv"' in view.download.value
    check(view)


def test_the_program_selector_does_not_offer_saving_in_the_published_app(home: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.programs import add_program
    from workbench.workspace import open_workspace

    add_program(open_workspace(ensure_demo_workspace(home)), "peer")
    _, header = open_page("04_matching")
    assert "this page shows and saves the chosen program" in header.nav.value  # the workshop saves
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    _, header = open_page("04_matching")
    assert "this page shows the chosen program" in header.nav.value and "saves" not in header.nav.value
