from pathlib import Path

from workbench.views.shell import open_page
from workbench.views.start import StartView
from workbench.workspace import DEMO_SOURCE


def make_view() -> StartView:
    context, _ = open_page("00_start")
    return StartView(context)


def test_start_view_shows_the_axles_steps_and_the_demo(home: Path) -> None:
    view = make_view()
    assert [label for label, _ in view.choice.options] == ["Demo organisation"]
    for title in ("Align", "eXperience", "Launch", "Evaluate", "Support"):
        assert title in view.steps.value
    for table in sorted(p.stem for p in DEMO_SOURCE.glob("*.csv")):
        assert f"{table}.csv" in view.data.tables.value


def test_creating_a_workspace_switches_to_it(home: Path) -> None:
    view = make_view()
    view.new_name.value = "Client B"
    view.create_button.click()
    assert view.context.workspace.slug == "client-b"
    assert view.choice.value == "client-b"
    assert "Created the workspace" in view.notice.value
    assert "Missing required tables: people.csv, skills.csv" in view.data.summary.value
    assert view.data.chart_box.children == ()
    view.choice.value = "demo"
    assert view.context.workspace.slug == "demo"


def test_a_bad_name_is_explained_in_the_page(home: Path) -> None:
    view = make_view()
    view.new_name.value = "../../etc"
    view.create_button.click()
    assert "cannot name a workspace" in view.notice.value
    assert view.create_button.disabled is False
    assert view.context.workspace.slug == "demo"
    assert sorted(p.name for p in home.iterdir()) == ["demo"]


def test_creating_a_workspace_while_another_than_the_first_is_open_switches_to_the_new_one(home: Path) -> None:
    view = make_view()
    view.new_name.value = "Client A"
    view.create_button.click()
    assert view.choice.options[0] == ("Demo organisation", "demo") and view.choice.value == "client-a"
    view.new_name.value = "Client B"
    view.create_button.click()  # the list of workspaces changes under a choice that is not its first
    assert view.context.workspace.slug == "client-b" and view.choice.value == "client-b"
