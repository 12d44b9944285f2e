"""Re-matching the demo's live cohort from its meetings: quiet and closed pairs, working pairs kept."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.data.importing import read_workspace_tables
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.matching.pool import build_pool
from workbench.matching.rematching import rematch
from workbench.workspace import find_workspace
from tests.conftest import demo_home

DAY = datetime.date(2026, 6, 28)  # the demo people data's day


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    workspace = find_workspace("demo", demo_home(tmp_path_factory.mktemp("home")))
    tables, problems = read_workspace_tables(workspace)
    assert problems.ok
    pairs = tables["meetings"][["mentee_id", "mentor_id"]].drop_duplicates().reset_index(drop=True)
    return tables, load_design(workspace), pairs


def expected_status(tables, pairs, day: datetime.date, quiet_days: int) -> list[str]:
    people = tables["people"].set_index("person_id")
    exits = pd.to_datetime(people["exit_date"].replace("", None), errors="coerce")
    dates = pd.to_datetime(tables["meetings"]["date"])
    out = []
    for mentee, mentor in zip(pairs["mentee_id"], pairs["mentor_id"]):
        if any(pd.notna(exits.get(p)) and exits.get(p) <= pd.Timestamp(day) for p in (mentee, mentor)):
            out.append("closed")
            continue
        mine = dates[(tables["meetings"]["mentee_id"] == mentee) & (tables["meetings"]["mentor_id"] == mentor)
                     & (dates <= pd.Timestamp(day))]
        out.append("quiet" if mine.empty or (pd.Timestamp(day) - mine.max()).days > quiet_days else "working")
    return out


def check_kept_and_new(found, tables, design) -> None:
    table = found.pairs
    working = table[table["status"] == "working"]
    result = found.suggestions
    if result is None:
        assert (table["status"] == "working").all() or table["suggested_mentor_id"].eq("").all()
        return
    now = dict(zip(result.pairs["mentee_id"], result.pairs["mentor_id"]))
    pool_mentees = set(result.pool.mentees["person_id"])
    for mentee, mentor in zip(working["mentee_id"], working["mentor_id"]):
        if mentee in pool_mentees and mentor in set(result.pool.mentors["person_id"]):
            assert now[mentee] == mentor  # a working pair never moves
    broken = table[table["status"] != "working"]
    assert (broken["suggested_mentor_id"] != broken["mentor_id"]).all()  # never the previous partner
    suggested = broken[broken["suggested_mentor_id"] != ""]
    assert all(now[a] == b for a, b in zip(suggested["mentee_id"], suggested["suggested_mentor_id"]))
    pool = build_pool(tables, design, cohort=found.summary["cohort"])  # the places mentors offer
    capacity = dict(zip(pool.mentors["person_id"], pool.mentors["capacity"]))
    kept = working[working["mentor_id"].isin(capacity)]["mentor_id"].value_counts()
    new = suggested["suggested_mentor_id"].value_counts()
    # working pairs' places stay taken: new mentees only fill what they leave (working pairs are kept even
    # where they are more than the mentor's capacity now)
    assert all(new[m] <= max(capacity[m] - kept.get(m, 0), 0) for m in new.index)
    assert table.loc[table["status"] == "working", "suggested_mentor_id"].eq("").all()


def test_quiet_and_closed_pairs_of_the_demo(demo):
    tables, design, pairs = demo
    found = rematch(tables, design, pairs)
    assert found.summary["as_of"] == DAY.isoformat() and found.summary["cohort"] == "2025"
    assert found.pairs["status"].tolist() == expected_status(tables, pairs, DAY, design.support.inactivity_days)
    assert found.summary["quiet"] > 0 and found.summary["closed"] > 0 and found.summary["working"] > 0
    assert found.summary["suggested"] > 0
    check_kept_and_new(found, tables, design)
    closed = found.pairs[found.pairs["status"] == "closed"]
    assert closed["reason"].str.contains(r"the (?:mentee|mentor) left on \d{4}-\d\d-\d\d").all()
    text = found.csv()
    assert text.splitlines()[0].startswith("mentee_id,mentor_id,status,last_meeting,days_since,reason")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2**32 - 1), st.integers(7, 365))
def test_rematch_never_moves_a_working_pair(demo, seed, quiet_days):
    tables, design, pairs = demo
    rng = np.random.default_rng(seed)
    meetings = tables["meetings"]
    keep = rng.random(len(meetings)) < rng.uniform(0.3, 1.0)  # some pairs' later meetings are lost
    design = design.model_copy(update={"support": design.support.model_copy(update={"inactivity_days": quiet_days})})
    day = DAY - datetime.timedelta(days=int(rng.integers(0, 200)))
    found = rematch({**tables, "meetings": meetings[keep]}, design, pairs, as_of=day)
    assert found.pairs["status"].tolist() == expected_status({**tables, "meetings": meetings[keep]}, pairs, day,
                                                             quiet_days)
    check_kept_and_new(found, tables, design)


def test_a_pair_that_never_met_counts_from_the_day_it_was_matched(demo):
    tables, design, pairs = demo
    lonely = pd.DataFrame({"mentee_id": ["P00044"], "mentor_id": ["P00007"]})
    soon = rematch(tables, design, lonely, matched_on=DAY - datetime.timedelta(days=10))
    assert soon.pairs["status"].tolist() == ["working"] and soon.pairs["days_since"].tolist() == [10]
    late = rematch(tables, design, lonely, matched_on=DAY - datetime.timedelta(days=200))
    assert late.pairs["status"].tolist() == ["quiet"] and "never met since" in late.pairs["reason"].iloc[0]
    unknown = rematch(tables, design, lonely)
    assert unknown.pairs["status"].tolist() == ["quiet"] and "unknown" in unknown.pairs["reason"].iloc[0]


def test_bad_input_names_the_file_row_column_and_value(demo):
    tables, design, pairs = demo
    with pytest.raises(WorkbenchError, match="needs meetings.csv"):
        rematch({k: v for k, v in tables.items() if k != "meetings"}, design, pairs)
    wrong = pairs.copy()
    wrong.loc[3, "mentor_id"] = "NOBODY"
    with pytest.raises(WorkbenchError, match=r"results/matching.csv row 5, column mentor_id: 'NOBODY' is not in "
                                             r"people.csv"):
        rematch(tables, design, wrong)
    with pytest.raises(WorkbenchError, match="no column 'mentee_id'"):
        rematch(tables, design, pairs.rename(columns={"mentee_id": "mentee"}))
    twice = pd.concat([pairs, pairs.iloc[[0]].assign(mentor_id=pairs["mentor_id"].iloc[1])], ignore_index=True)
    with pytest.raises(WorkbenchError, match=rf"row {len(pairs) + 2}, column mentee_id: .* second mentor"):
        rematch(tables, design, twice)
    meetings = tables["meetings"].copy()
    meetings.loc[2, "date"] = "2026-13-01"
    with pytest.raises(WorkbenchError, match=r"meetings.csv row 4, column date: '2026-13-01' is not a date"):
        rematch({**tables, "meetings": meetings}, design, pairs)
    group = design.model_copy(update={"experience": design.experience.model_copy(update={"structure": "group"})})
    with pytest.raises(WorkbenchError, match="one-on-one and functional"):
        rematch(tables, group, pairs)
