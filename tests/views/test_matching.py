"""The Matching page driven from Python: settings, Match, explanations, overrides, robustness, save and export."""

from __future__ import annotations

import base64
import re
import threading
from pathlib import Path

import pandas as pd
import pytest

from workbench.data.importing import read_workspace_table, save_table
from workbench.design import load_design
from workbench.errors import WorkbenchError
from workbench.matching import METHODS, default_method, saved_matching
from workbench.views.feedback import Notice
from workbench.views.matching import MatchingView
from workbench.views.shell import open_page, show_page
from workbench.workspace import create_workspace, find_workspace, open_workspace, save_files


@pytest.fixture
def view(home: Path) -> MatchingView:
    context, _ = open_page("04_matching")
    return MatchingView(context, background=False)


@pytest.fixture
def matched(view: MatchingView) -> MatchingView:
    view.controls.match_button.click()
    assert view.controls.notice.value == ""
    return view


def pairs_of(view: MatchingView) -> set[tuple[str, str]]:
    return set(view.session.result.pairs[["mentee_id", "mentor_id"]].itertuples(index=False, name=None))


def rows_in(table_html: str) -> int:
    return table_html.count("<tr>") - 1


def test_the_settings_start_from_the_design_and_results_wait_for_match(view: MatchingView) -> None:
    design = load_design(view.context.workspace)
    exp = design.experience
    assert view.controls.structure.value == exp.structure
    assert view.controls.method.value == default_method(design)
    assert "(design)" in dict((v, k) for k, v in view.controls.method.options)[default_method(design)]
    assert {k: s.value for k, s in view.controls.weights.items() if s.value} == dict(exp.criteria)
    assert "affinity" not in view.controls.weights  # no opt-in to sensitive data in the demo design
    assert {r for r, box in view.controls.rules.items() if box.value} == set(exp.hard_rules)
    assert view.results.layout.display == "none" and "Press <b>Match</b>" in view.placeholder.value
    assert "eligible mentees" in view.children[0].children[1].value
    assert view.controls.method_help.value and "proves" in view.controls.method_help.value
    assert view.controls.group_size.layout.display == "none" and view.controls.seed.layout.display == "none"


def test_match_shows_the_summary_tables_charts_and_export(matched: MatchingView) -> None:
    view, result = matched, matched.session.result
    s = result.summary()
    assert view.results.layout.display is None and view.placeholder.layout.display == "none"
    assert f"{s['matched_mentees']} of {s['mentees']} mentees matched" in view.summary.value
    for words in ("mean score", "weakest pair", "needed skills covered", "mentor places used", "blocking pairs",
                  "proven optimal"):
        assert words in view.summary.value, words
    assert rows_in(view.pairs_table.value) == len(result.pairs)
    assert rows_in(view.unmatched_table.value) == len(result.unmatched)
    assert "capacity exhausted" in view.unmatched_table.value
    first = result.pairs.iloc[0]
    assert first["mentee_id"] in view.pairs_table.value and first["reason"].split(";")[0] in view.pairs_table.value
    # Names beside ids, criteria as columns.
    assert re.search(r"<td>[A-Z][a-z]+ [A-Z][a-z]+ \(P\d+\)</td>", view.pairs_table.value)
    assert "<th>skills</th>" in view.pairs_table.value and "<th>why</th>" in view.pairs_table.value
    histogram = next(iter(view.distribution.chart.to_dict()["datasets"].values()))
    assert sum(r["pairs"] for r in histogram) == len(result.pairs)
    assert "wb-caption" in view.distribution_caption.value and "wb-caption" in view.coverage_caption.value
    payload = re.search(r"base64,([^\"]+)\"", view.download.value).group(1)
    assert base64.b64decode(payload).decode("utf-8") == result.csv()
    assert 'download="matching-demo.csv"' in view.download.value
    assert "No matching is saved" in view.saved_status.value
    assert view.messages.value == ""


def test_changed_settings_are_flagged_and_change_the_result_on_match(matched: MatchingView) -> None:
    view = matched
    before, summary = pairs_of(view), view.summary.value
    view.controls.weights["skills"].value = 0
    view.controls.weights["timezone"].value = 10
    assert "press Match" in view.controls.hint.value
    view.controls.match_button.click()
    assert view.controls.hint.value == ""
    weights = view.session.result.settings["weights"]
    assert weights.get("skills") is None and weights["timezone"] == 10
    assert pairs_of(view) != before and view.summary.value != summary
    view.controls.rules["same_timezone_band"].value = True
    view.controls.match_button.click()
    assert "same_timezone_band" in view.session.result.settings["hard_rules"]
    view.controls.reset_button.click()
    assert view.controls.weights["skills"].value == 3 and not view.controls.rules["same_timezone_band"].value


def test_structures_show_their_own_settings(matched: MatchingView) -> None:
    view = matched
    view.controls.structure.value = "group"
    assert view.controls.group_size.layout.display is None and view.controls.circle_size.layout.display == "none"
    view.controls.group_size.value = 3
    view.controls.match_button.click()
    assert view.session.result.summary()["structure"] == "group"
    assert view.session.result.pairs.groupby("group").size().max() <= 3
    view.controls.structure.value = "peer"
    assert view.controls.method.layout.display == "none" and view.controls.circle_size.layout.display is None
    assert "no method to choose" in view.controls.method_help.value and view.explorer.pin_button.disabled
    view.controls.match_button.click()
    assert "people matched" in view.summary.value and "<th>peer</th>" in view.pairs_table.value
    assert view.compare_button.disabled and "no methods to compare" in view.comparison.value
    assert view.explorer.candidate_chart.chart.to_dict()["title"]["text"].startswith("Candidate peers for ")
    assert view.explorer.partner.description == "Peer" and view.explorer.mentee.description == "Person"
    view.controls.structure.value = "flash"
    view.controls.rounds.value = 2
    view.controls.match_button.click()
    assert set(view.session.result.pairs["round"]) == {1, 2} and "<th>round</th>" in view.pairs_table.value
    view.controls.method.value = "random"
    assert view.controls.seed.layout.display is None


def test_all_weights_at_zero_is_explained(matched: MatchingView) -> None:
    for slider in matched.controls.weights.values():
        slider.value = 0
    matched.controls.match_button.click()
    assert "Every criterion weight is 0" in matched.controls.notice.value
    assert not matched.controls.match_button.disabled


def test_compare_methods_shows_every_method_side_by_side(matched: MatchingView) -> None:
    view = matched
    view.compare_button.click()
    assert view.compare_notice.value == ""
    for label in ("Best total fit", "Most people matched", "Best weakest pair", "Random (baseline)"):
        assert label in view.comparison.value
    assert rows_in(view.comparison.value) == len(METHODS)
    facet = view.distribution.chart.to_dict()
    assert len(facet["facet"]["row"]["sort"]) == len(METHODS)
    assert "highest mean score" in view.distribution_caption.value
    # Matching again shows that matching alone.
    view.controls.match_button.click()
    assert "Compare all methods" in view.comparison.value and "facet" not in view.distribution.chart.to_dict()


def test_fairness_breakdown_offers_groupings_and_hides_small_groups(matched: MatchingView) -> None:
    view = matched
    offered = [v for _, v in view.attribute.options]
    assert view.attribute.value == "department"
    assert "name" not in offered and "email" not in offered and "gender" not in offered
    rows = [r for r in next(iter(view.fairness.chart.to_dict()["datasets"].values())) if "group" in r]
    table = view.session.result.by_group("department")
    hidden = set(table.loc[table["hidden"], "department"])
    assert hidden and {r["group"] for r in rows if r["match_rate"] is None} == hidden
    assert "lowest" in view.fairness_caption.value
    view.attribute.value = "location"
    assert "by location" in view.fairness.chart.to_dict()["layer"][0].get("title", {}).get("text", "") or \
        "by location" in view.fairness.chart.to_dict()["title"]["text"]


def test_a_mentee_can_be_explained_and_their_pair_forbidden(matched: MatchingView) -> None:
    view = matched
    mentee, mentor = view.session.result.pairs.iloc[0][["mentee_id", "mentor_id"]]
    view.explorer.mentee.value = mentee
    assert view.explorer.partner.value == mentor
    assert "matched" in view.explorer.candidates_table.value and "<th>why</th>" in view.explorer.candidates_table.value
    assert "best allowed fit" in view.explorer.candidate_caption.value
    view.explorer.forbid_button.click()
    assert "Forbade" in view.explorer.pick_notice.value and "matched again" in view.explorer.pick_notice.value
    assert (mentee, mentor) not in pairs_of(view)
    assert view.session.forbids == {(mentee, mentor)} and "Forbidden:" in view.explorer.overrides.value
    assert "not allowed (forbidden by an administrator)" in view.explorer.candidates_table.value
    assert "1 forbidden pair" in view.summary.value
    # Pin another candidate: the pair is made.
    other = next(v for _, v in view.explorer.partner.options if v != mentor)
    view.explorer.partner.value = other
    view.explorer.pin_button.click()
    assert (mentee, other) in pairs_of(view) and view.session.pins == {(mentee, other)}
    assert "Pinned:" in view.explorer.overrides.value and "matched (pinned)" in view.explorer.candidates_table.value
    # Remove one, then clear the rest.
    view.explorer.override_choice.value = ("pin", mentee, other)
    view.explorer.remove_button.click()
    assert view.session.pins == set() and view.session.forbids == {(mentee, mentor)}
    view.explorer.clear_button.click()
    assert view.session.forbids == set() and "No pairs pinned or forbidden" in view.explorer.overrides.value
    assert (mentee, mentor) in pairs_of(view)


def test_unmatched_mentees_are_picked_first(matched: MatchingView) -> None:
    unmatched = matched.session.result.unmatched
    unmatched = set(unmatched.loc[unmatched["role"] == "mentee", "person_id"])
    assert matched.explorer.mentee.value in unmatched
    assert "not matched" in dict((v, k) for k, v in matched.explorer.mentee.options)[matched.explorer.mentee.value]
    assert "has no partner in this matching" in matched.explorer.candidate_caption.value


def test_overrides_from_another_structure_are_explained(matched: MatchingView) -> None:
    view = matched
    mentee, mentor = view.session.result.pairs.iloc[0][["mentee_id", "mentor_id"]]
    view.explorer.mentee.value = mentee
    view.explorer.forbid_button.click()
    view.controls.structure.value = "reverse"
    view.controls.match_button.click()
    assert "not mentee and mentor in reverse matching" in view.controls.notice.value
    assert view.session.result.summary()["structure"] == "one_on_one"  # the last good matching stays


def test_robustness_reports_the_share_of_pairs_that_change(matched: MatchingView) -> None:
    matched.sensitivity_button.click()
    assert matched.sensitivity_notice.value == ""
    text = matched.sensitivity_text.value
    assert "of pairs change on average" in text and "across 10 runs" in text and "±20%" in text
    assert re.search(r"\d+%–\d+%", text)


def test_matching_runs_in_the_background_and_the_comparison_can_be_cancelled(home: Path, monkeypatch) -> None:
    view = MatchingView(open_page("04_matching")[0])
    gate = threading.Event()
    solve, compare = view.session.solve, view.session.compare
    monkeypatch.setattr(view.session, "solve", lambda *args: (gate.wait(10), solve(*args))[1])
    view.controls.match_button.click()
    assert view.job.busy and view.controls.match_button.disabled and view.compare_button.disabled
    assert view.controls.working.layout.display is None and view.session.result is None
    gate.set()
    view.wait(30)
    assert not view.job.busy and not view.controls.match_button.disabled and view.session.result is not None
    assert view.controls.working.layout.display == "none" and "mentees matched" in view.summary.value
    gate.clear()

    started = threading.Event()

    def slow(progress, cancel):
        def step(*args):
            progress(*args)
            started.set()
            gate.wait(10)
        return compare(step, cancel)

    monkeypatch.setattr(view.session, "compare", slow)
    view.compare_button.click()
    started.wait(30)  # the first method is done: cancel stops before the second
    view.compare_working.cancel_button.click()
    assert "Cancelling" in view.compare_working.text.value
    gate.set()
    view.wait(30)
    assert f"Cancelled: 1 of {len(METHODS)} methods compared." in view.compare_notice.value
    assert rows_in(view.comparison.value) == 1 and len(view.session.compared) == 1


def test_save_writes_the_matching_and_a_stale_save_is_refused(matched: MatchingView) -> None:
    view = matched
    revision = view.context.workspace.settings.revision
    view.save_button.click()
    assert "Saved the matching" in view.save_notice.value
    workspace = view.context.workspace
    assert workspace.settings.revision == revision + 1
    table = pd.read_csv(workspace.path / "results" / "matching.csv", dtype=str, keep_default_na=False)
    assert len(table[table["unmatched_role"] == ""]) == len(view.session.result.pairs)
    assert saved_matching(workspace) is not None
    assert f"{len(view.session.result.pairs)} pairs" in view.saved_status.value
    # A save of something else elsewhere does not stand in the way ...
    save_files(open_workspace(workspace.path), {"results/note.txt": "someone else"}, message="another tab")
    view.controls.weights["skills"].value = 0
    view.controls.match_button.click()
    view.save_button.click()
    assert "Saved the matching" in view.save_notice.value
    # ... a matching saved elsewhere meanwhile does: refused, nothing overwritten, this page's kept to save over it
    other = open_workspace(workspace.path)
    save_files(other, {"results/matching.csv": "mentee_id,mentor_id\n", "results/matching.yaml": "other: 1\n"},
               message="another tab")
    view.controls.weights["skills"].value = 1
    view.controls.match_button.click()
    view.save_button.click()
    assert "changed elsewhere" in view.save_notice.value and "wb-notice-error" in view.save_notice.value
    assert "Save mine over it" in view.save_notice.value and view.save_over.layout.display is None
    assert (workspace.path / "results" / "matching.csv").read_text(encoding="utf-8") == "mentee_id,mentor_id\n"
    assert not view.save_button.disabled
    view.save_over.click()
    assert "Saved the matching" in view.save_notice.value and view.save_over.layout.display == "none"
    assert len(saved_matching(open_workspace(workspace.path)).table) > 1


def test_a_saved_matching_is_shown_when_the_page_opens(home: Path) -> None:
    context, _ = open_page("04_matching")
    first = MatchingView(context, background=False)
    first.controls.match_button.click()
    first.save_button.click()
    again = MatchingView(open_page("04_matching")[0], background=False)
    assert "Saved in the workspace: one-on-one matching by best total fit" in again.saved_status.value


# ---------------------------------------------------------------------------
# workspaces that cannot be matched


def demo_copy(name: str):
    return create_workspace(name, copy_demo=True)


def page_for(workspace) -> object:
    context, _ = open_page("04_matching")
    context.workspace = workspace
    return show_page(MatchingView, context, background=False)


def test_no_enrolment_is_a_message_not_a_traceback(home: Path) -> None:
    workspace = demo_copy("No enrolment")
    workspace = save_files(workspace, {"enrolment.csv": None}, message="drop the enrolment")
    page = page_for(workspace)
    assert isinstance(page, Notice)
    assert "Matching needs enrolment.csv" in page.value and "Start page" in page.value
    empty = save_files(demo_copy("Empty enrolment"), {"enrolment.csv": "person_id,role,capacity,wants,offers,cohort\n"},
                       message="empty")
    assert "nobody has signed up" in page_for(empty).value
    with pytest.raises(WorkbenchError, match="Matching needs people.csv and enrolment.csv"):
        context, _ = open_page("04_matching")
        context.workspace = create_workspace("Nothing")
        MatchingView(context, background=False)


def test_no_mentors_is_explained_in_the_page(home: Path) -> None:
    workspace = demo_copy("No mentors")
    enrolment = read_workspace_table(workspace, "enrolment")
    workspace = save_table(workspace, "enrolment", enrolment[enrolment["role"] == "mentee"])
    view = page_for(workspace)
    assert isinstance(view, MatchingView)
    assert "No eligible mentor is enrolled" in view.children[0].children[1].value
    view.controls.match_button.click()
    assert "No eligible mentor is enrolled in this cohort" in view.messages.value
    assert re.search(r"0 of \d+ mentees matched", view.summary.value)
    assert "proven optimal" not in view.summary.value and "mentor places used" not in view.summary.value
    assert "wb-notice-warning" in view.messages.value
    assert "No pairs" in view.pairs_table.value and "there are no mentors in the pool" in view.unmatched_table.value
    view.compare_button.click()
    view.sensitivity_button.click()
    view.controls.structure.value = "peer"
    view.controls.match_button.click()
    assert view.controls.notice.value == "" and view.session.result.summary()["links"] > 0


def test_all_pairs_forbidden_is_explained_in_the_page(matched: MatchingView) -> None:
    view = matched
    pool = view.session.result.pool
    every = {(a, b) for a in pool.mentees["person_id"] for b in pool.mentors["person_id"] if a != b}
    view.session.forbids = every
    view.controls.match_button.click()
    assert view.controls.notice.value == ""
    assert "allow no pair at all" in view.messages.value
    assert "administrator forbids" in view.unmatched_table.value
    assert "No data for this selection" in str(view.distribution.chart.to_dict())
    view.compare_button.click()
    assert view.compare_notice.value == ""
    view.sensitivity_button.click()
    assert view.sensitivity_notice.value == "" and "0% of the pairs change" in view.sensitivity_text.value


def test_the_demo_workspace_is_left_alone_by_the_tests(home: Path) -> None:
    assert find_workspace("demo").path.parent == home


def test_a_stable_matching_with_blocking_pairs_is_flagged_in_the_page(view: MatchingView, monkeypatch) -> None:
    import workbench.matching.structures as structures
    from workbench.matching.solvers import solve_random

    view.controls.method.value = "stable"
    view.controls.match_button.click()
    assert "NOT STABLE" not in view.summary.value and "wb-bad" not in view.summary.value  # the real method is stable
    monkeypatch.setattr(structures, "solve_stable", lambda scores, cap, **kw: solve_random(scores, cap, seed=3))
    view.controls.match_button.click()
    assert view.session.result.unstable
    assert "blocking pairs: NOT STABLE" in view.summary.value and "wb-tile wb-bad" in view.summary.value
    assert "ERROR, not stable" in view.summary.value


def test_balanced_and_functional_show_their_settings_and_use_them(matched: MatchingView) -> None:
    view = matched
    assert view.controls.balance_by.layout.display == "none" and view.controls.functional_skill.layout.display == "none"
    view.controls.method.value = "balanced"
    assert view.controls.balance_by.layout.display is None and view.controls.balance_gap.value == 10
    assert "within the gap" in view.controls.method_help.value
    view.controls.balance_by.value, view.controls.balance_gap.value = "department", 5
    view.controls.match_button.click()
    assert view.controls.notice.value == "" and view.session.result.settings["method"] == "balanced"
    assert "within 5 percentage points" in view.messages.value
    rates = view.session.result.by_group("department")
    shown = rates[~rates["hidden"]]["match_rate"].astype(float)
    assert shown.max() - shown.min() <= 0.05 + 1e-9
    view.controls.method.value = "optimal"
    view.controls.structure.value = "functional"
    assert view.controls.functional_skill.layout.display is None and view.controls.functional_skill.value == "__none__"
    view.controls.match_button.click()
    assert "needs the skill mentors teach" in view.controls.notice.value
    view.controls.functional_skill.value = "programming"
    view.controls.match_button.click()
    assert view.controls.notice.value == "" and view.session.result.summary()["functional_skill"] == "programming"
    assert "Functional mentoring on Programming:" in view.messages.value  # its name, not its id


def test_rematch_lists_quiet_and_closed_pairs_with_suggestions(view: MatchingView) -> None:
    view.rematching.button.click()
    assert "No matching is saved" in view.rematching.notice.value
    pairs = view.session.tables["meetings"][["mentee_id", "mentor_id"]].drop_duplicates()
    text = pairs.to_csv(index=False)
    view.session.workspace = save_files(view.session.workspace, {
        "results/matching.csv": text, "results/matching.yaml": "settings:\n  cohort: '2025'\n"}, message="live")
    view.rematching.button.click()
    assert view.rematching.notice.value == ""
    assert "quiet" in view.rematching.text.value and "every working pair is kept" in view.rematching.text.value
    assert rows_in(view.rematching.table.value) == (pairs.shape[0] - int(re.search(
        r"(\d+) working", view.rematching.text.value).group(1)))
    assert "suggested mentor" in view.rematching.table.value and "Download every pair" in view.rematching.download.value
    csv = base64.b64decode(re.search(r"base64,([^\"]+)", view.rematching.download.value).group(1)).decode()
    assert csv.splitlines()[0].startswith("mentee_id,mentor_id,status")
