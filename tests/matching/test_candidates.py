"""One mentee's ranked candidates: scores as the matching scored them, statuses, rules, overrides."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.data.importing import read_workspace_tables
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.matching import Overrides, match
from workbench.matching.result import candidates
from workbench.workspace import find_workspace
from tests.conftest import demo_home


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workspace = find_workspace("demo", demo_home(tmp_path_factory.mktemp("home")))
    tables, problems = read_workspace_tables(workspace)
    assert problems.ok
    return tables, load_design(workspace)


@pytest.fixture(scope="module")
def result(demo):
    tables, design = demo
    return match(tables, design)


def matched_mentee(result) -> tuple[str, str]:
    row = result.pairs.iloc[0]
    return row["mentee_id"], row["mentor_id"]


def test_every_mentor_is_listed_best_first_with_the_matchings_scores(demo, result) -> None:
    tables, _ = demo
    mentee, mentor = matched_mentee(result)
    table = candidates(tables, result, mentee, top=None)
    assert len(table) == result.pool.n_mentors - (mentee in set(result.pool.mentors["person_id"]))
    assert mentee not in set(table["mentor_id"])
    assert list(table.columns[:4]) == ["rank", "mentor_id", "name", "status"]
    assert {*result.criteria, "allowed", "score", "reason"} <= set(table.columns)
    assert table["score"].is_monotonic_decreasing
    assert table["score"].between(0, 1).all()
    # The partner's score and criteria are those of the matching's pair.
    pair = result.pairs[(result.pairs["mentee_id"] == mentee) & (result.pairs["mentor_id"] == mentor)].iloc[0]
    row = table[table["mentor_id"] == mentor].iloc[0]
    assert row["status"] == "matched"
    assert row["score"] == pytest.approx(pair["score"], abs=1e-6)
    for name in result.criteria:
        assert row[name] == pytest.approx(pair[name], abs=1e-6)
    # Ranks count allowed mentors only, 1, 2, 3, ...
    allowed = table[table["allowed"]]
    assert list(allowed["rank"]) == list(range(1, len(allowed) + 1))
    assert table.loc[~table["allowed"], "rank"].isna().all()
    assert table["reason"].str.len().gt(0).all() and not table["reason"].str.contains("score -inf").any()


def test_pairs_the_rules_exclude_say_which_rule(demo, result) -> None:
    tables, _ = demo
    excluded = []
    for mentee in result.pool.mentees["person_id"]:
        table = candidates(tables, result, mentee, top=None)
        excluded.append(table[~table["allowed"]])
    excluded = pd.concat(excluded)
    assert len(excluded)
    assert excluded["status"].str.match(r"not allowed \((seniority window|management chain|line manager)").all()
    others = ~excluded["status"].str.startswith("not allowed")
    assert not others.any()


def test_full_mentors_and_capacity_are_described(demo, result) -> None:
    tables, _ = demo
    unmatched = result.unmatched.loc[result.unmatched["role"] == "mentee", "person_id"].iloc[0]
    table = candidates(tables, result, unmatched, top=None)
    allowed = table[table["allowed"]]
    # The matching left them out because every allowed mentor was full.
    assert allowed["status"].str.match(r"full \(\d+ of \d+ places? taken\)").all()


def test_top_keeps_the_best_plus_the_partner_and_the_overridden_pairs(demo) -> None:
    tables, design = demo
    base = match(tables, design)
    mentee, mentor = matched_mentee(base)
    full = candidates(tables, base, mentee, top=None)
    worst = full["mentor_id"].iloc[-1]
    forbidden = match(tables, design, overrides=Overrides(forbid={(mentee, mentor)}, pin={(mentee, worst)}))
    table = candidates(tables, forbidden, mentee, top=2)
    assert set(full["mentor_id"].head(2)) <= set(table["mentor_id"])
    assert worst in set(table["mentor_id"]) and mentor in set(table["mentor_id"])
    statuses = dict(zip(table["mentor_id"], table["status"]))
    assert statuses[mentor] == "not allowed (forbidden by an administrator)"
    assert statuses[worst] == "matched (pinned)"
    assert table["score"].is_monotonic_decreasing


def test_peers_score_both_directions_and_explain_each_side(demo) -> None:
    tables, design = demo
    peers = match(tables, design, structure="peer")
    pair = peers.pairs.iloc[0]
    table = candidates(tables, peers, pair["mentor_id"], top=None)  # from the other side of the pair
    row = table[table["mentor_id"] == pair["mentee_id"]].iloc[0]
    assert row["status"] == "matched" and row["score"] == pytest.approx(pair["score"], abs=1e-6)
    assert row["reason"].startswith(f"For {pair['mentor_id']}: ") and f". For {pair['mentee_id']}: " in row["reason"]
    assert set(table.loc[table["allowed"] & (table["status"] != "matched"), "status"]) <= {"placed with others",
                                                                                         "not placed"}


def test_flash_rounds_are_named_and_count_the_places_of_every_round(demo) -> None:
    tables, design = demo
    flash = match(tables, design, structure="flash", rounds=3)
    mentee = flash.pairs["mentee_id"].value_counts().index[0]
    table = candidates(tables, flash, mentee, top=None)
    assert table["status"].str.match(r"matched in round [123]$").sum() == (flash.pairs["mentee_id"] == mentee).sum()
    capacity = dict(zip(flash.pool.mentors["person_id"], flash.pool.mentors["capacity"]))
    for row in table[table["status"].str.startswith(("full", "has room"))].itertuples():
        assert f"of {capacity[row.mentor_id] * 3} place" in row.status


def test_an_unknown_mentee_is_refused(demo, result) -> None:
    tables, _ = demo
    with pytest.raises(WorkbenchError, match="'nobody' is not a mentee"):
        candidates(tables, result, "nobody")


def test_same_inputs_same_table(demo, result) -> None:
    tables, _ = demo
    mentee, _ = matched_mentee(result)
    pd.testing.assert_frame_equal(candidates(tables, result, mentee), candidates(tables, result, mentee))
    assert np.isfinite(candidates(tables, result, mentee)["score"]).all()


def test_the_matchings_own_scores_are_reused_and_agree_with_a_fresh_scoring(demo) -> None:
    tables, design = demo
    mentee = "P00044"
    result = match(tables, design, overrides=Overrides(forbid={(mentee, "P00007")}))
    assert result.scorer.context.tables is tables
    cached = candidates(tables, result, mentee, top=None)
    fresh = candidates(dict(tables), result, mentee, top=None)  # other tables object: scored again
    pd.testing.assert_frame_equal(cached, fresh)
