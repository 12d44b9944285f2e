"""One suppression rule everywhere: every breakdown the package produces, on data built to have small groups.

For each: no group under five shown, and no hidden group worked out from the breakdown's total minus the
groups shown (:func:`tests.suppression.assert_suppressed`), nor from all the totals shown beside it at once
(:func:`tests.suppression.assert_no_hidden_group_fixed`: a department's and everyone's head count; a skill's,
a department's and everyone's gaps). Group sizes are generated where the breakdown is cheap to compute; the
demo workspace (departments of 1-60 people per level) serves the rest. Walked here: the headcount (Start page,
brief, pack), the heat map (Skill gaps page, brief, pack), gaps by department and the priority ranking,
``workbench gaps --by`` for every grouping, match rates per attribute (Matching page, ``workbench match``,
pack), the selection comparison, the simulation's retention by group (What-if page, ``workbench simulate``
JSON), the evaluation's by-group rows and balance (Evaluate page, report, JSON), and ``workbench evaluate --all``'s
JSON and report on a program with three matched participants: shares at the horizon, survival groups, ROI,
matched counts, the meetings histogram against the statuses' totals, notes. The Skill gaps page's
filters, compared with one another, are walked in ``tests/views/test_gaps.py``.
"""

from __future__ import annotations

import json
import re
import shutil

import jsonschema
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.evaluate import split_programs
from tests.suppression import assert_no_hidden_group_fixed, assert_no_small_piece_fixed, assert_suppressed
from workbench.charts import headcount_chart
from workbench.cli import main
from workbench.charts import gap_heatmap
from workbench.data.columns import text_column
from workbench.data.importing import read_workspace_tables
from workbench.design.store import load_design
from workbench.evaluate import JSON_SCHEMA, evaluate, evaluate_programs_workspace
from workbench.evaluate.behaviour import STATUSES
from workbench.evaluate.outcomes import balance_table
from workbench.gaps import GAP_CELL_MARGINS, GROUPINGS, aggregate, hide_small_cells, person_gaps, prioritised_gaps
from workbench.matching import match
from workbench.matching.result import fairness_attributes
from workbench.matching.selection import select_cohort
from workbench.organisation import headcounts
from workbench.simulate import build_cohort, simulate
from workbench.workspace import DEMO_SOURCE, open_workspace
from tests.conftest import WITHOUT_STORY

sizes = st.lists(st.integers(1, 12), min_size=1, max_size=6)


def _hidden_or(frame: pd.DataFrame, key: str, count: str) -> dict:
    return {row[key]: None if row["hidden"] else row[count] for row in frame.to_dict("records")}


HEADCOUNT_MARGINS = [["department"], []]  # a department's total and everyone employed


def _assert_headcounts(counts: pd.DataFrame, true: pd.Series, what: str) -> None:
    """``counts`` (:func:`headcounts`) against ``true`` (people per department and level): per department, and
    against every total at once."""
    real = [int(true[(d, lv)]) for d, lv in zip(counts["department"], counts["level"])]
    assert_no_hidden_group_fixed(counts, real, counts["hidden"], HEADCOUNT_MARGINS, what=what)
    for department, part in counts.assign(true=real).groupby("department"):
        assert_suppressed(_hidden_or(part, "level", "people"), dict(zip(part["level"], part["true"])),
                          what=f"{what} of {department}")


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["Sales", "Legal", "Ops", "Exec"]), sizes, min_size=1))
def test_headcounts_per_department_and_level(groups: dict[str, list[int]]) -> None:
    people = pd.DataFrame([{"department": d, "level": str(level + 1), "exit_date": ""}
                           for d, counts in groups.items() for level, n in enumerate(counts) for _ in range(n)])
    _assert_headcounts(headcounts(people), people.assign(level=people["level"].astype(int))
                       .groupby(["department", "level"]).size(), "headcount")


@settings(max_examples=40, deadline=None)
@given(sizes, sizes)
def test_evaluation_balance_per_department(participants: list[int], comparison: list[int]) -> None:
    k = min(len(participants), len(comparison))
    rows = [("participants", f"D{i}") for i in range(k) for _ in range(participants[i])]
    rows += [("comparison", f"D{i}") for i in range(k) for _ in range(comparison[i])]
    matched = pd.DataFrame(rows, columns=["group", "department"]).assign(weight=1.0)
    table = balance_table(matched, keys=("department",))
    smaller = {f"D{i}": min(participants[i], comparison[i]) for i in range(k)}
    assert_suppressed({r["value"]: None if r["hidden"] else smaller[r["value"]] for r in table.to_dict("records")},
                      smaller, what="balance by department")


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 4).flatmap(lambda n: st.lists(st.lists(st.tuples(st.integers(1, 12), st.integers(0, 12)),
                                                             min_size=n, max_size=n), min_size=2, max_size=4)))
def test_gap_heat_map_per_department_and_skill(grid: list[list[tuple[int, int]]]) -> None:
    frame = pd.DataFrame([{"department": f"D{i}", "skill_id": f"S{j}", "people": people, "required": people,
                           "assessed": min(assessed, people), "coverage": min(assessed, people) / people,
                           "with_gap": 0, "gap_share": 0.5 if assessed else np.nan, "mean_gap": 1.0,
                           "total_weighted_gap": 1.0, "assessed_people": min(assessed, people)}
                          for i, row in enumerate(grid) for j, (people, assessed) in enumerate(row)])
    counted = _counted(frame)
    rows = next(iter(gap_heatmap(frame).to_dict()["datasets"].values()))
    hidden = {(r["department"], r["skill"]) for r in rows if r["status"].startswith("hidden")}
    flags = [(d, s) in hidden for d, s in zip(frame["department"], frame["skill_id"])]
    assert_no_hidden_group_fixed(frame, counted, flags, GAP_CELL_MARGINS, what="heat map")
    for skill, part in frame.assign(counted=counted, hidden=flags).groupby("skill_id"):
        assert_suppressed({d: None if h else c for d, c, h in zip(part["department"], part["counted"], part["hidden"])},
                          dict(zip(part["department"], part["counted"])), what=f"heat map, {skill}")


@pytest.fixture(scope="module")
def demo():
    workspace = open_workspace(DEMO_SOURCE)  # read only
    return read_workspace_tables(workspace)[0], load_design(workspace)


def test_every_demo_breakdown_hides_small_groups_and_their_complements(demo) -> None:
    tables, design = demo
    people = tables["people"]
    current = people[text_column(people, "exit_date") == ""]

    true = current.assign(level=current["level"].astype(int)).groupby(["department", "level"]).size()
    assert (true < 5).sum() >= 10  # the demo has small groups to hide
    _assert_headcounts(headcounts(people), true, "demo headcount")

    gaps = person_gaps(tables)
    by_department = aggregate(gaps, "department")
    assert_suppressed(_hidden_or(hide_small_cells(by_department, ["department"]), "department", "people"),
                      dict(zip(by_department["department"], by_department["people"])), what="gaps by department")
    ranked = prioritised_gaps(gaps, tables["skills"])
    per_skill = aggregate(gaps, "skill_id").set_index("skill_id")
    for row in ranked.itertuples():
        if not row.hidden:
            assert per_skill.loc[row.skill_id, "people"] >= 5
            assert per_skill.loc[row.skill_id, "assessed"] in (0,) or per_skill.loc[row.skill_id, "assessed"] >= 5

    result = match(tables, design)
    for attribute in fairness_attributes(result.pool, design):
        table = result.by_group(attribute)
        groups = text_column(result.people, attribute).replace("", "(blank)").value_counts()
        assert_suppressed(_hidden_or(table, attribute, "people"), groups.to_dict(), what=f"fairness by {attribute}")

    selection = select_cohort(tables, design, size=20, method="lottery", seed=1)
    for column in selection.attributes:
        table = selection.comparison(column)
        groups = text_column(selection.applicants, column).replace("", "(blank)").value_counts()
        assert_suppressed(_hidden_or(table, column, "applicants"), groups.to_dict(), what=f"selection by {column}")


def test_the_demo_simulation_and_evaluation_hide_small_groups_and_their_complements(demo) -> None:
    tables, design = demo
    result = simulate(build_cohort(tables, design), design, runs=100, seed=1)
    for attribute, raw in result.groups.items():
        true = dict(zip(raw[attribute], raw["participants"]))
        assert_suppressed(_hidden_or(result.by_group(attribute), attribute, "participants"), true,
                          what=f"simulation by {attribute}")
    evaluation = evaluate(tables, design, runs=100)
    matched = evaluation.cohort.matched
    document = json.loads(evaluation.json_text())
    assert any(r["hidden"] for r in document["retention"]["by_group"])  # the demo has small groups here
    for name in ("retention", "promotion"):
        rows = document.get(name, {}).get("by_group", [])
        for variable in {r["variable"] for r in rows}:
            sizes = matched.groupby([variable, "group"]).size().unstack(fill_value=0)
            smaller = {(f"{v:g}" if isinstance(v, float) else str(v)): int(sizes.loc[v].min()) for v in sizes.index}
            shown = {r["value"]: None if r["participants"] is None else min(r["participants"], r["comparison"])
                     for r in rows if r["variable"] == variable}
            assert_suppressed(shown, smaller, what=f"evaluation JSON {name} by {variable}")


def _counted(aggregated: pd.DataFrame) -> list[int]:
    """The people a gap figure describes: its assessed people when some are assessed, else its people."""
    return [int(a if r else p) for p, r, a in zip(aggregated["people"], aggregated["assessed"],
                                                   aggregated["assessed_people"])]


def test_the_demo_charts_and_the_gaps_command_hide_small_groups_against_every_total_shown(demo, tmp_path) -> None:
    tables, _ = demo
    people = tables["people"]
    current = people[text_column(people, "exit_date") == ""]
    true = current.assign(level=current["level"].astype(int)).groupby(["department", "level"]).size()
    drawn = next(iter(headcount_chart(people).to_dict()["datasets"].values()))
    counts = headcounts(people)
    assert {(r["department"], r["level"], r["people"]) for r in drawn} == {
        (r.department, r.level, int(r.people)) for r in counts.itertuples() if not r.hidden}
    _assert_headcounts(counts, true, "headcount chart")

    gaps = person_gaps(tables)
    cells = aggregate(gaps, ["department", "skill_id"])
    rows = next(iter(gap_heatmap(cells, max_skills=1000).to_dict()["datasets"].values()))
    hidden = {(r["department"], r["skill"]) for r in rows if r["status"].startswith("hidden")}
    skill = dict(zip(cells["skill_id"], cells["skill_id"]))  # no skills table: columns named by id
    flags = [(d, skill[s]) in hidden for d, s in zip(cells["department"], cells["skill_id"])]
    assert any(flags)
    assert_no_hidden_group_fixed(cells, _counted(cells), flags, GAP_CELL_MARGINS, what="heat map")

    workspace = open_workspace(DEMO_SOURCE)
    for by in GROUPINGS:
        out = tmp_path / f"gaps-{by}.csv"
        assert main(["gaps", str(workspace.path), "--out", str(out), "--by", by]) == 0
        written = pd.read_csv(out, dtype=str, keep_default_na=False)
        grouped = aggregate(gaps, by)
        true = dict(zip(grouped[by].astype(str), _counted(grouped)))
        shown = {g: None if h == "True" else true[g] for g, h in zip(written[by], written["hidden"])}
        if by == "goal":  # a row serves several goals: the goals add up to no total
            assert all(v is None for g, v in shown.items() if true[g] < 5)
        else:
            assert_suppressed(shown, true, what=f"workbench gaps --by {by}")


def test_the_simulate_command_json_hides_small_groups_and_their_complements(demo, tmp_path) -> None:
    tables, design = demo
    out = tmp_path / "simulation.json"
    assert main(["simulate", str(open_workspace(DEMO_SOURCE).path), "--runs", "20", "--out", str(out)]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    cohort = build_cohort(tables, design)
    raw = simulate(cohort, design, runs=2, seed=0).groups  # group sizes do not depend on the runs
    assert document["retention_by_group"]
    for attribute, rows in document["retention_by_group"].items():
        true = dict(zip(raw[attribute][attribute], raw[attribute]["participants"]))
        shown = {r[attribute]: r["participants"] for r in rows}
        assert_suppressed(shown, true, what=f"workbench simulate JSON by {attribute}")


@pytest.fixture(scope="module")
def few_matched(tmp_path_factory):
    """The demo as two programs (:func:`tests.evaluate.split_programs`) whose ``peer`` program keeps fewer than
    five participants with comparable colleagues: its other mentees get departments of their own. ``workbench
    evaluate --all --json`` on it, and the programs' evaluations in this process (for the true counts)."""
    folder = tmp_path_factory.mktemp("few-matched") / "demo"
    shutil.copytree(DEMO_SOURCE, folder, ignore=WITHOUT_STORY)
    split_programs(folder)
    enrolment = pd.read_csv(folder / "enrolment.csv", dtype=str, keep_default_na=False)
    alone = enrolment.loc[enrolment["program"] == "peer", "person_id"].tolist()[3:]
    people = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    moved = people["person_id"].isin(alone)
    people.loc[moved, "department"] = [f"Unit {k}" for k in range(int(moved.sum()))]
    people.to_csv(folder / "people.csv", index=False)
    out = folder.parent / "all.json"
    assert main(["evaluate", str(folder), "--all", "--json", str(out), "--out", str(folder.parent / "all.html"),
                 "--runs", "20", "--resamples", "200"]) == 0
    truth = evaluate_programs_workspace(open_workspace(folder), runs=20, resamples=200)
    return json.loads(out.read_text(encoding="utf-8")), truth, folder.parent / "all.html"


def _meeting_ranges(rows: list[dict]) -> list[tuple[int, int]]:
    return sorted({(r["meetings"], r["meetings_to"]) for r in rows})


def test_the_evaluate_all_json_hides_every_small_group(few_matched) -> None:
    document, truth, _ = few_matched
    matched = {p: r.cohort.matched.groupby("group").size() for p, r in truth.results.items()}
    assert 0 < matched["peer"]["participants"] < 5  # the case this test is for
    for program, result in truth.results.items():
        evaluation = document["programs"][program]["evaluation"]
        what = f"evaluate --all JSON, {program}"
        jsonschema.validate(evaluation, JSON_SCHEMA)  # hidden figures are null or left out, as documented
        people = matched[program]
        small = bool(people.min() < 5)
        # (1) shares at the horizon and the survival groups of fewer than five matched people
        for name in ("retention", "promotion"):
            block = evaluation[name]
            if not block.get("measured"):
                continue
            assert ("at_horizon" in block) is not small, f"{what}: {name} at the horizon"
            for group in block["groups"]:  # matched participants and comparison people: no total adds them up
                assert group["people"] == (people[group["group"]] if people[group["group"]] >= 5 else None), what
                assert (group["events"] is None) is (group["people"] is None), f"{what}: {name} events"
            for variable in {r["variable"] for r in block["by_group"]}:
                sizes = result.cohort.matched.groupby([variable, "group"]).size().unstack(fill_value=0)
                smaller = {(f"{v:g}" if isinstance(v, float) else str(v)): int(sizes.loc[v].min())
                           for v in sizes.index}
                shown = {r["value"]: None if r["participants"] is None else min(r["participants"], r["comparison"])
                         for r in block["by_group"] if r["variable"] == variable}
                assert_suppressed(shown, smaller, what=f"{what}: {name} by {variable}")
        assert (evaluation["roi"] is None) is small, f"{what}: ROI"
        cohort = evaluation["cohort"]
        for key, group in (("matched_participants", "participants"), ("comparison_matched", "comparison")):
            assert cohort[key] == (people[group] if people[group] >= 5 else None), f"{what}: {key}"
        rest = [text for text in evaluation["caveats"] if text.startswith("Figures rest on")]
        assert not re.search(r"(?<![\d.,])[1-4] (participants|comparison)", " ".join(rest)), f"{what}: {rest}"
        # (2) the meetings histogram: ranges of five pairs or more; no status of fewer than five pairs in a range
        # follows from what the chart and the summary show (bars, statuses drawn, the statuses' totals)
        pairs = result.behaviour.pairs
        rows = evaluation["behaviour"]["distribution"]
        ranges = _meeting_ranges(rows)
        assert all(b < c for (_, b), (c, _) in zip(ranges, ranges[1:])), f"{what}: overlapping ranges {ranges}"
        per_range = {(a, b): int(pairs["meetings"].between(a, b).sum()) for a, b in ranges}
        assert sum(per_range.values()) == len(pairs) and min(per_range.values()) >= 5, f"{what}: {per_range}"
        sizes = {(r, s): int((pairs["meetings"].between(*r) & pairs["status"].eq(s)).sum())
                 for r in ranges for s in STATUSES}
        sizes = {piece: n for piece, n in sizes.items() if n}
        figures = [frozenset(sizes)] + [frozenset(p for p in sizes if p[0] == r) for r in ranges]
        for r in rows:
            if r["status"] in STATUSES:
                piece = ((r["meetings"], r["meetings_to"]), r["status"])
                assert r["pairs"] == sizes[piece] >= 5, f"{what}: {piece} drawn with {r['pairs']} pairs"
                figures.append(frozenset([piece]))
        summary = evaluation["behaviour"]
        totals = {s: summary[k] for s, k in (("closed early", "closed_early"), ("ended by an exit", "ended_by_exit"))}
        for status, shown in totals.items():
            if shown is not None:
                assert shown == int(pairs["status"].eq(status).sum()), f"{what}: {status}"
                figures.append(frozenset(p for p in sizes if p[1] == status))
        assert_no_small_piece_fixed(figures, sizes, what=f"{what}: meetings histogram and summary")
        # (3) no note or count names 1-4 participants
        for text in evaluation["notes"] + evaluation["caveats"]:
            assert not re.search(r"(?<![\d.,])[1-4] participants?\b", text), f"{what}: {text}"
        assert all(v is None or v == 0 or v >= 5 for k, v in evaluation["cohort"]["excluded"].items()
                   if k.startswith("participants_")), f"{what}: {evaluation['cohort']['excluded']}"
    counts = document["pooled"]["counts"]  # every participant once: the programs' sizes do not add up to it
    assert counts["matched_participants"] >= 5 and counts["matched_comparison"] >= 5
    assert_suppressed({g["group"]: g["people"] for g in document["pooled"]["retention"]["groups"]},
                      {"participants": counts["matched_participants"], "comparison": counts["matched_comparison"]},
                      what="evaluate --all JSON, pooled groups")
    assert document["totals"]["roi"]["estimate"] is None  # peer's avoided exits would be the total minus main's


def test_the_evaluate_all_report_says_what_it_hides(few_matched) -> None:
    _, _, report = few_matched
    text = report.read_text(encoding="utf-8")
    assert "Still employed after" in text and "is not shown: fewer than five people in one of the groups" in text
    assert "not shown: fewer than five people" in text  # the survival groups' people and events
    assert "Fewer than 5 participants have nobody comparable" in text
    assert not re.search(r"Participants \([1-4]\)", text)
