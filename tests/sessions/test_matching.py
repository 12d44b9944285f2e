"""The Matching page's session without widgets: settings from the design, match, stale, compare, robustness,
pins and forbids, the mentee explorer's options, save and the saved matching on opening."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.data.importing import checked_tables
from workbench.design import load_design
from workbench.errors import WorkbenchError
from workbench.matching import METHODS, default_method, saved_matching
from workbench.programs import scoped_tables
from workbench.sessions.matching import NO_CHOICE, RUNS, MatchingSession, Robustness
from workbench.workspace import StaleWorkspaceError, Workspace, find_workspace, open_workspace, save_files


def session_for(workspace: Workspace) -> MatchingSession:
    return MatchingSession(workspace, scoped_tables(workspace, checked_tables(workspace)))


@pytest.fixture
def session(demo_data_only: Path) -> MatchingSession:
    return session_for(find_workspace("demo"))


@pytest.fixture
def matched(session: MatchingSession) -> MatchingSession:
    session.accept(session.solve())
    return session


def test_the_settings_start_from_the_design(session: MatchingSession) -> None:
    design = load_design(session.workspace)
    exp = design.experience
    assert (session.structure, session.method) == (exp.structure, default_method(design))
    assert {k: v for k, v in session.weights.items() if v} == dict(exp.criteria)
    assert set(session.hard_rules) == set(exp.hard_rules) and "affinity" not in session.criteria
    assert ("Best total fit (design)", "optimal") in session.method_options()
    assert "proves" in session.method_help()
    session.structure = "peer"
    assert "no method to choose" in session.method_help()
    assert session.pool_facts()[0].startswith("The current cohort has ") and session.pool_facts()[1] == ""
    assert session.result is None and not session.stale and session.hint == ("", "")


def test_solve_changes_nothing_until_accepted_and_a_changed_setting_is_stale(session: MatchingSession) -> None:
    designed = dict(session.weights)
    made = session.solve()
    assert session.result is None and session.applied is None
    session.accept(made)
    assert session.result is made.result and session.applied["method"] == session.method
    assert not session.stale
    session.weights = {**session.weights, "timezone": 10.0}
    assert session.stale and session.hint == ("unsaved", "Settings changed: press Match to see their effect.")
    session.reset()
    assert session.weights == designed and session.hint[1] == "Back to the design's settings: press Match."
    session.accept(session.solve())
    assert not session.stale and session.hint == ("", "")


def test_errors_say_what_to_do(session: MatchingSession) -> None:
    with pytest.raises(WorkbenchError, match="^Press Match first.$"):
        session.compare()
    with pytest.raises(WorkbenchError, match="^Press Match first.$"):
        session.check_robustness()
    with pytest.raises(WorkbenchError, match="there is no matching to save"):
        session.save()
    session.weights = {name: 0.0 for name in session.weights}
    with pytest.raises(WorkbenchError, match="Every criterion weight is 0"):
        session.solve()


def test_nobody_enrolled_is_refused(demo_data_only: Path) -> None:
    workspace = find_workspace("demo")
    tables = scoped_tables(workspace, checked_tables(workspace))
    tables["enrolment"] = tables["enrolment"].iloc[:0]
    with pytest.raises(WorkbenchError, match="nobody has signed up"):
        MatchingSession(workspace, tables)


def test_the_comparison_reports_progress_and_stops_when_cancelled(matched: MatchingSession) -> None:
    steps = []
    every = matched.compare(lambda done, total, method: steps.append((done, total, method)))
    assert list(every) == list(METHODS) and steps[-1] == (len(METHODS), len(METHODS), METHODS[-1])
    two = matched.compare(cancel=lambda: len(steps) >= len(METHODS) + 2,
                          progress=lambda *step: steps.append(step))
    assert list(two) == list(METHODS[:2])
    assert matched.compared is None  # the page keeps what it shows


def test_robustness_counts_the_pairs_that_change(matched: MatchingSession) -> None:
    matched.spread = 0.3
    found = matched.check_robustness()
    assert isinstance(found, Robustness) and found.runs == RUNS and found.spread == 0.3
    assert 0 <= found.low <= found.mean <= found.high <= 1 and found.verdict
    assert matched.check_robustness(cancel=lambda: True) is None
    assert Robustness(0.05, 0, 0.1, 10, 0.2).verdict.startswith("Robust")
    assert Robustness(0.5, 0.4, 0.6, 10, 0.2).verdict.startswith("Many pairs depend")


def test_pins_and_forbids_match_again_and_are_listed(matched: MatchingSession) -> None:
    mentee, mentor = matched.result.pairs.iloc[0][["mentee_id", "mentor_id"]]
    matched.accept(matched.solve(*matched.forbidden(mentee, mentor)))
    assert matched.forbids == {(mentee, mentor)} and matched.pins == set()
    assert (mentee, mentor) not in set(zip(matched.result.pairs["mentee_id"], matched.result.pairs["mentor_id"]))
    assert [label for label, _ in matched.override_items()] == [
        f"Forbidden: {matched.who(mentee)} with {matched.who(mentor)}"]
    assert matched.now_matched(mentee).startswith(f"{matched.who(mentee)} is ")
    assert matched.without("forbid", mentee, mentor) == (set(), set())
    assert matched.pinned(mentee, mentor) == ({(mentee, mentor)}, set())


def test_the_explorer_offers_the_unmatched_first_and_the_fairness_by_department(matched: MatchingSession) -> None:
    options, first = matched.mentee_options()
    unmatched = set(matched.result.unmatched.loc[matched.result.unmatched["role"] == "mentee", "person_id"])
    assert first in unmatched and len(options) == matched.result.pool.n_mentees
    table = matched.candidates(first)
    assert len(table) <= 15 and {"rank", "mentor_id", "status", "score", "reason"} <= set(table.columns)
    shown, preferred = matched.fairness_choices()
    assert preferred == "department" and "name" not in shown and NO_CHOICE not in shown


def test_save_and_a_new_session_opens_on_the_saved_matching(matched: MatchingSession) -> None:
    assert matched.saved_status() == ("muted", "No matching is saved in this workspace yet.")
    matched.weights = {**matched.weights, "timezone": 2.0}
    matched.accept(matched.solve())
    matched.save()
    kind, text = matched.saved_status()
    assert kind == "saved" and text.startswith("Saved in the workspace: one-on-one matching by best total fit, ")
    assert saved_matching(matched.workspace) is not None
    again = session_for(open_workspace(matched.workspace.path))
    assert again.result is None and again.restore_saved() is None
    assert again.weights["timezone"] == 2.0 and again.hint[0] == "saved"
    assert set(again.result.pairs["mentee_id"]) == set(matched.result.pairs["mentee_id"])
    save_files(open_workspace(matched.workspace.path), {"results/matching.yaml": "other: 1\n"}, message="elsewhere")
    with pytest.raises(StaleWorkspaceError):
        matched.save()
