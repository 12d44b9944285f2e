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
