"""Pages of a workspace with several programs: the program in the address scopes the page, the header offers
the others, the Design session saves the chosen program, and the Matching page matches all programs."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.design.store import load_design
from workbench.matching import saved_matching
from workbench.programs import add_program, remove_program
from workbench.sessions.design import DesignSession
from workbench.views import shell
from workbench.views.matching import MatchingView
from workbench.views.programs import scope_note
from workbench.views.shell import open_page
from workbench.workspace import find_workspace, open_workspace, program_scope


@pytest.fixture
def tiers(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo with a second program, ``peer`` (mentors 0-1 level above), opened as ``?program=peer``."""
    demo = find_workspace("demo", home)
    first = load_design(demo)
    add_program(demo, "peer", first.model_copy(update={"name": "Peer tier", "experience": first.experience.model_copy(
        update={"seniority_gap_min": 0, "seniority_gap_max": 1})}))
    monkeypatch.setattr(shell, "requested_program", lambda: "peer")
    return demo.path


def test_the_address_scopes_the_page_and_the_header_offers_every_program(tiers: Path, monkeypatch) -> None:
    context, header = open_page("02_experience")
    assert context.workspace.program == "peer"
    nav = header.nav.value
    assert "program=peer" in nav and "Program: " in nav and "04_matching.ipynb?workspace=demo&amp;program=peer" in nav
    monkeypatch.setattr(shell, "requested_program", lambda: "nobody")
    context, header = open_page("02_experience")
    assert context.workspace.program is None and "no program &#x27;nobody&#x27;" in header.notice.value


def test_the_design_session_edits_and_saves_the_chosen_program(tiers: Path) -> None:
    context, _ = open_page("02_experience")
    first = load_design(open_workspace(tiers))
    session = DesignSession(context.workspace)
    assert session.design.name == "Peer tier"
    session.set(("experience", "mentor_capacity"), first.experience.mentor_capacity + 1)
    session.save()
    workspace = open_workspace(tiers)
    saved = load_design(program_scope(workspace, "peer"))
    assert saved.experience.mentor_capacity == first.experience.mentor_capacity + 1
    assert load_design(workspace) == first
    session.reload()
    assert session.workspace.program == "peer"
    assert session.design.experience.mentor_capacity == first.experience.mentor_capacity + 1


def test_the_matching_page_matches_every_program_and_saves_each(tiers: Path) -> None:
    context, _ = open_page("04_matching")
    view = MatchingView(context)
    panel = view.programs_panel
    assert panel is not None and "All programs means" in panel.children[0].value
    panel.match_button.click()
    assert panel.notice.value == "" and "solved jointly" in panel.outcome.value
    assert "peer" in panel.outcome.value and "main" in panel.outcome.value
    panel.mode.value = "priority"
    panel.order.value = "peer, main"
    panel.match_button.click()
    assert "priority order peer &gt; main" in panel.outcome.value
    panel.save_button.click()
    assert "Saved the matchings" in panel.notice.value
    workspace = open_workspace(tiers)
    for program in ("main", "peer"):
        assert saved_matching(program_scope(workspace, program)).settings["programs"]["order"] == ["peer", "main"]
    panel.order.value = "peer"
    panel.match_button.click()
    assert "must name every program" in panel.notice.value


def test_what_if_and_evaluate_say_they_take_one_program(tiers: Path) -> None:
    workspace = program_scope(open_workspace(tiers), "peer")
    for page, words in (("What-if", "simulates the program peer alone"),
                        ("Evaluate", "participants of the program peer")):
        note = scope_note(workspace, page).value
        assert words in note and "not" in note
    alone = find_workspace("demo", tiers.parent)
    remove_program(alone, "peer")
    assert scope_note(open_workspace(tiers), "What-if").value == ""


def test_the_all_programs_table_uses_the_words_of_its_sentences(tiers: Path) -> None:
    context, _ = open_page("04_matching")
    panel = MatchingView(context).programs_panel
    panel.match_button.click()
    outcome = panel.outcome.value
    assert "<th>mentor places used</th>" in outcome and "Mentor places used: " in outcome
    # jointly, the programs' own methods do not apply: the table says so rather than naming them
    assert outcome.count("<td>One-on-one</td>") == 2 and outcome.count("<td>one joint solve</td>") == 2
    assert "one-on-one</td>" not in outcome and ">optimal<" not in outcome and "Best total fit" not in outcome
    panel.how.mode.value = "priority"
    panel.match_button.click()
    assert panel.outcome.value.count("<td>Best total fit</td>") == 2
