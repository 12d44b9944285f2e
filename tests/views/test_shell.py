import threading
from pathlib import Path

import pytest

from workbench.workspace import find_workspace
from workbench.views.shell import PAGES, STEPS, PageContext, open_page, page, page_link

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_every_page_has_a_notebook_and_every_notebook_is_a_page() -> None:
    notebooks = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert sorted(p.notebook for p in PAGES) == notebooks
    assert all(step in {s.key for s in STEPS} for p in PAGES for step in p.steps)
    assert {step for p in PAGES for step in p.steps} == {s.key for s in STEPS}


def test_axles_steps_in_order() -> None:
    assert "".join(s.letter for s in STEPS) == "AXLES"


def test_links_carry_the_workspace() -> None:
    assert page_link("00_start", "acme 2027") == "00_start.ipynb?workspace=acme+2027"


def test_unknown_page_is_refused() -> None:
    with pytest.raises(KeyError):
        page("99_nothing")


def test_header_follows_the_workspace_named_in_the_address(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.workspace import create_workspace

    create_workspace("Client A")
    monkeypatch.setenv("QUERY_STRING", "workspace=client-a")
    context, header = open_page("00_start")
    assert context.workspace.slug == "client-a"
    assert 'href="00_start.ipynb?workspace=client-a" aria-current="page"' in header.nav.value
    assert "Client A" in header.nav.value
    assert header.notice.value == ""


def test_an_unknown_workspace_falls_back_to_the_demo_with_a_message(home: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUERY_STRING", "workspace=gone")
    context, header = open_page("00_start")
    assert context.workspace.slug == "demo"
    assert "gone" in header.notice.value and "Showing the Demo organisation workspace instead" in header.notice.value
    assert str(home) not in header.notice.value  # the viewer never sees the server's folders


def test_a_broken_workspace_is_named_without_the_server_path(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (home / "broken").mkdir()
    (home / "broken" / "workspace.yaml").write_text("name: X\nscale: {min: false, max: true}\n", encoding="utf-8")
    monkeypatch.setenv("QUERY_STRING", "workspace=broken")
    context, header = open_page("00_start")
    assert context.workspace.slug == "demo"
    assert "broken/workspace.yaml" in header.notice.value and "scale" in header.notice.value
    assert str(home) not in header.notice.value


def test_header_updates_when_the_workspace_changes(home: Path) -> None:
    from workbench.workspace import create_workspace, find_workspace

    context = PageContext(notebook="00_start", workspace=find_workspace(None))
    _, header = open_page("00_start")
    header.context.workspace = create_workspace("Other")
    assert "workspace=other" in header.nav.value
    assert context.workspace.slug == "demo"


def test_a_page_the_workspace_cannot_support_explains_why(home: Path) -> None:
    from workbench.views.design import DesignPage
    from workbench.views.feedback import Notice
    from workbench.views.gaps import GapsView
    from workbench.views.shell import show_page
    from workbench.workspace import create_workspace

    context, _ = open_page("03_skill_gaps")
    context.workspace = create_workspace("Empty")
    shown = show_page(GapsView, context)
    assert isinstance(shown, Notice) and "needs people.csv" in shown.value
    (context.workspace.path / "design.yaml").write_text("experience:\n  cadence: yearly\n", encoding="utf-8")
    shown = show_page(DesignPage, context, steps=("experience",))
    assert isinstance(shown, Notice) and "experience.cadence" in shown.value


def test_a_page_waits_for_the_browsers_request_once(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With kernels started ahead of time Voila hands the request over once: a second wait would never end."""
    import workbench.views.shell as shell
    from workbench.programs import add_program

    add_program(find_workspace("demo"), "peer")
    waits = []

    def wait_for_request(url=None):
        if waits:
            raise AssertionError("waited for the browser's request twice: the page would hang")
        waits.append(url)
        monkeypatch.setenv("QUERY_STRING", "workspace=demo&program=peer")

    monkeypatch.setattr("voila.utils.wait_for_request", wait_for_request)
    monkeypatch.setattr(shell, "_REQUEST_SEEN", threading.Event())
    context, header = open_page("04_matching")
    assert len(waits) == 1 and context.workspace.program_id == "peer"
    assert "peer" in header.nav.value


def broken_copy(name: str):
    """A copy of the demo whose people.csv names one person twice."""
    import pandas as pd

    from workbench.workspace import create_workspace

    workspace = create_workspace(name, copy_demo=True)
    path = workspace.table_path("people")
    people = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.concat([people, people.iloc[[4]]], ignore_index=True).to_csv(path, index=False)
    return workspace, people.loc[4, "person_id"], len(people) + 2


@pytest.mark.parametrize("notebook, view, args", [
    ("01_align", "DesignPage", (("align",),)), ("03_skill_gaps", "GapsView", ()), ("04_matching", "MatchingView", ()),
    ("05_what_if", "WhatIfView", ()), ("06_launch_and_support", "SelectionView", ()), ("07_evaluate", "EvaluateView", ()),
])
def test_a_page_on_data_that_fails_its_contracts_shows_the_problems_and_the_way_to_fix_them(
        home: Path, notebook: str, view: str, args: tuple) -> None:
    import workbench.views as views
    from workbench.views.feedback import Notice
    from workbench.views.shell import show_page

    context, _ = open_page(notebook)
    context.workspace, person, row = broken_copy("Broken")
    shown = show_page(getattr(views, view), context, *args)
    assert isinstance(shown, Notice)
    assert "nothing is computed on a table that fails its checks" in shown.value
    assert f"<td>people.csv</td><td class='num'>{row}</td><td>person_id</td><td>{person}</td>" in shown.value
    assert "import it again on <a href='00_start.ipynb?workspace=broken'>the Start page</a>" in shown.value


def test_the_start_page_opens_on_people_without_a_level_and_says_so(home: Path) -> None:
    import pandas as pd

    from workbench.views.shell import show_page
    from workbench.views.start import StartView
    from workbench.workspace import create_workspace

    context, _ = open_page("00_start")
    workspace = create_workspace("No level", copy_demo=True)
    path = workspace.table_path("people")
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="level").to_csv(path, index=False)
    context.workspace = workspace
    shown = show_page(StartView, context)
    assert isinstance(shown, StartView)
    assert "required column &#x27;level&#x27; is missing" in shown.data.problems.value
    assert shown.data.chart_box.children == ()  # the headcount needs the levels


def copy_with_a_placeholder_date(name: str):
    """A copy of the demo where the first person still employed left on 9999-12-31; and that row."""
    import pandas as pd

    from workbench.workspace import create_workspace

    workspace = create_workspace(name, copy_demo=True)
    path = workspace.table_path("people")
    people = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = people.index[people["exit_date"].eq("")][0]
    people.loc[row, "exit_date"] = "9999-12-31"
    people.to_csv(path, index=False)
    return workspace, row + 2


def test_a_page_shows_the_warnings_of_its_data_once_above_its_results(home: Path) -> None:
    import workbench.views as views
    from workbench.views.shell import show_page

    context, header = open_page("06_launch_and_support")
    context.workspace, row = copy_with_a_placeholder_date("Placeholder")
    assert header.warnings.value == ""
    design = show_page(views.DesignPage, context, ("launch", "evaluate", "support"))
    selection = show_page(views.SelectionView, context)  # the Launch page has two views: one notice
    assert isinstance(design, views.DesignPage) and isinstance(selection, views.SelectionView)
    line = f"people.csv row {row}, column exit_date: 9999-12-31 is more than 10 years ahead: a placeholder?"
    assert header.warnings.value.count(line) == 1 and "wb-notice-warning" in header.warnings.value


@pytest.mark.parametrize("notebook, view, args", [
    ("00_start", "StartView", ()), ("01_align", "DesignPage", (("align",),)), ("03_skill_gaps", "GapsView", ()),
    ("04_matching", "MatchingView", ()), ("05_what_if", "WhatIfView", ()), ("07_evaluate", "EvaluateView", ()),
])
def test_every_page_shows_the_warnings_of_its_data(home: Path, notebook: str, view: str, args: tuple) -> None:
    import workbench.views as views
    from workbench.views.shell import show_page

    context, header = open_page(notebook)
    context.workspace, row = copy_with_a_placeholder_date("Placeholder")
    assert isinstance(show_page(getattr(views, view), context, *args), getattr(views, view))
    assert f"people.csv row {row}, column exit_date: 9999-12-31 is more than 10 years ahead" in header.warnings.value


def test_the_published_page_counts_warnings_without_values(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.privacy import KEY_VARIABLE, PUBLISHED_VARIABLE
    from workbench.views.gaps import GapsView
    from workbench.views.shell import show_page

    context, header = open_page("03_skill_gaps")
    context.workspace, _ = copy_with_a_placeholder_date("Published placeholder")
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    monkeypatch.setenv(KEY_VARIABLE, "00112233445566778899aabbccddeeff")
    show_page(GapsView, context)
    assert "people.csv, column exit_date: 1 value is more than 10 years ahead" in header.warnings.value
    assert "9999-12-31" not in header.warnings.value
