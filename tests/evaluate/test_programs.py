"""Evaluating every program of a workspace: each as on its own, totals from the parts, retention pooled once."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.evaluate import ALL_PROGRAMS, ProgramsEvaluation, evaluate_programs_workspace, evaluate_workspace
from workbench.reports.evaluation import totals_facts
from workbench.errors import WorkbenchError
from workbench.result import records, schema_problems
from workbench.workspace import DEMO_SOURCE, open_workspace, program_scope
from tests.evaluate import PAST_COHORT, split_programs
from tests.conftest import WITHOUT_STORY
from tests.evaluate.launch_organisation import waitlist_workspace

QUICK = {"resamples": 200, "calibrate_forecast": False}
START = datetime.date(2025, 7, 3)  # the past cohort's first meeting: one time zero for both halves


@pytest.fixture(scope="module")
def tiers(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiers") / "demo"
    shutil.copytree(DEMO_SOURCE, folder, ignore=WITHOUT_STORY)
    return split_programs(folder, empty="reverse")


@pytest.fixture(scope="module")
def found(tiers):
    return evaluate_programs_workspace(open_workspace(tiers), seed=3, **QUICK)


def test_each_program_has_the_figures_of_evaluating_it_alone(tiers, found) -> None:
    assert list(found.names) == ["main", "peer", "reverse"] and set(found.results) == {"main", "peer"}
    for program in ("main", "peer"):
        alone = evaluate_workspace(program_scope(open_workspace(tiers), program), seed=3, **QUICK)
        assert found.results[program].json_text() == alone.json_text(), program
    assert found.results["peer"].design["cadence"] == "monthly"


def test_a_program_without_participants_in_the_cohort_is_listed_with_its_reason(found) -> None:
    assert f"cohort {PAST_COHORT!r}" in found.missing["reverse"]  # nobody of it enrolled: no meetings, no start
    row = found.table().set_index("program").loc["reverse"]
    assert row["reason"] == found.missing["reverse"] and pd.isna(row["cost"])
    assert found.to_json()["programs"]["reverse"] == {"evaluated": False, "reason": found.missing["reverse"]}


def test_the_totals_are_the_combination_of_the_programs(found) -> None:
    parts = [found.results[p].roi for p in ("main", "peer")]
    t = found.totals
    assert t["cost"] == parts[0].cost + parts[1].cost
    assert t["avoided_exits"]["estimate"] == pytest.approx(sum(r.avoided_exits.estimate for r in parts))
    assert t["benefit"]["estimate"] == pytest.approx(sum(r.benefit.estimate for r in parts))
    assert t["net_benefit"]["estimate"] == pytest.approx(t["benefit"]["estimate"] - t["cost"])
    assert t["roi"]["estimate"] == pytest.approx((t["benefit"]["estimate"] - t["cost"]) / t["cost"])
    # independent draws added: the total's interval is narrower than the two intervals laid end to end
    ends = [sum(getattr(r.avoided_exits, k) for r in parts) for k in ("low", "high")]
    assert ends[0] < t["avoided_exits"]["low"] < t["avoided_exits"]["high"] < ends[1]
    assert t["pairs"] == sum(found.results[p].behaviour.summary["pairs"] for p in ("main", "peer"))
    total = found.table().set_index("program").loc[ALL_PROGRAMS]
    assert total["cost"] == t["cost"] and pd.isna(total["share_of_cadence"])  # cadences differ: not pooled


def test_pooled_retention_counts_each_person_once(tiers, found) -> None:
    enrolment = pd.read_csv(tiers / "enrolment.csv", dtype=str, keep_default_na=False)
    past = enrolment[(enrolment["cohort"] == PAST_COHORT) & enrolment["role"].isin(["mentee", "both"])]
    ids = {p: set(found.results[p].cohort.participants["person_id"]) for p in ("main", "peer")}
    assert ids["main"] & ids["peer"]  # the shared mentee is a participant of both programs
    assert len(ids["main"] | ids["peer"]) == past["person_id"].nunique()
    groups = found.pooled.survival.groups.set_index("group")["people"]
    assert groups["participants"] == found.pooled_counts["matched_participants"] <= past["person_id"].nunique()
    # one person in both: the programs' participants minus the people counted once would be that person, so
    # neither count is shown
    assert found.pooled_counts["in_several"] is None and found.pooled_counts["participants"] is None
    assert pd.isna(found.table().set_index("program").loc[ALL_PROGRAMS, "participants"])
    facts = dict(totals_facts(json.loads(json.dumps(found.to_json()))))
    assert "fewer than 5 people are in more than one program" in facts["People"]
    assert str(past["person_id"].nunique()) not in facts["People"].split(";")[0]
    assert any(line.startswith("All programs") and "hidden: fewer than 5 people are in more than one" in line
               for line in found.summary_lines())


def test_pooling_a_cohort_split_in_two_gives_the_whole_cohorts_retention(tmp_path) -> None:
    whole = evaluate_workspace(open_workspace(shutil.copytree(DEMO_SOURCE, tmp_path / "whole", ignore=WITHOUT_STORY)),
                               start=START, **QUICK)
    split = split_programs(shutil.copytree(DEMO_SOURCE, tmp_path / "split", ignore=WITHOUT_STORY))
    found = evaluate_programs_workspace(open_workspace(split), start=START, **QUICK)
    pooled, alone = found.pooled.survival, whole.retention.survival
    pd.testing.assert_frame_equal(pooled.groups, alone.groups)
    pd.testing.assert_frame_equal(pooled.km.reset_index(drop=True), alone.km.reset_index(drop=True))
    assert pooled.hazard_ratio.estimate == pytest.approx(alone.hazard_ratio.estimate, rel=1e-9)
    assert pooled.logrank.p_value == pytest.approx(alone.logrank.p_value, rel=1e-9)
    assert found.pooled.at_horizon["participants"].estimate == whole.retention.at_horizon["participants"].estimate


def test_a_one_program_workspace_totals_its_single_evaluation(tmp_path) -> None:
    workspace = open_workspace(shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY))
    found = evaluate_programs_workspace(workspace, seed=5, **QUICK)
    alone = evaluate_workspace(workspace, seed=5, **QUICK)
    assert found.results["main"].json_text() == alone.json_text()
    for key in ("avoided_exits", "benefit"):
        assert found.totals[key] == pytest.approx(getattr(alone.roi, key).to_dict(level=False))
    assert found.totals["roi"] == pytest.approx(alone.roi.roi.to_dict(level=False) | {"p_positive": alone.roi.p_positive})
    assert found.pooled.survival.hazard_ratio.estimate == pytest.approx(
        alone.retention.survival.hazard_ratio.estimate, rel=1e-9)


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_intervals(tiers, found) -> None:
    again = evaluate_programs_workspace(open_workspace(tiers), seed=3, **QUICK)
    assert again.json_text() == found.json_text()
    other = evaluate_programs_workspace(open_workspace(tiers), seed=4, **QUICK)
    assert other.totals["cost"] == found.totals["cost"]
    assert other.totals["roi"]["low"] != found.totals["roi"]["low"]


def test_it_reads_back_from_its_json_with_the_same_figures(found) -> None:
    document = json.loads(found.json_text())
    assert schema_problems(document, ProgramsEvaluation.JSON_SCHEMA) == []
    loaded = ProgramsEvaluation.from_json(document)
    assert loaded.json_text() == found.json_text() and loaded.summary() == found.summary()
    assert records(loaded.table()) == records(found.table())
    assert loaded.names == found.names and loaded.missing == found.missing  # 'reverse' and why
    assert loaded.results["peer"].summary() == found.results["peer"].summary()
    for attribute in ("department", "level"):
        assert records(loaded.by_group(attribute)) == records(found.by_group(attribute))
    with pytest.raises(WorkbenchError, match="department or level, not by 'location'"):
        loaded.by_group("location")
    with pytest.raises(WorkbenchError, match="not an evaluation of every program the workbench wrote: programs"):
        ProgramsEvaluation.from_json({**document, "programs": {"main": {"evaluated": True}}})


def test_the_summary_totals_the_programs_and_pools_retention(found) -> None:
    summary, t = found.summary(), found.totals
    assert summary["programs"] == ["main", "peer", "reverse"] and summary["evaluated"] == ["main", "peer"]
    assert summary["cost"] == pytest.approx(t["cost"]) and summary["pairs"] == t["pairs"]
    assert summary["roi"] == pytest.approx({"estimate": t["roi"]["estimate"], "low": t["roi"]["low"],
                                            "high": t["roi"]["high"], "level": 0.95})
    assert summary["participants"] is None  # one person in both programs: counting each once would show them
    assert summary["hazard_ratio"]["estimate"] == pytest.approx(found.pooled.survival.hazard_ratio.estimate)
    assert found.by_group("department").equals(found.pooled.by_group["department"])
    json.dumps(summary, allow_nan=False)


def test_the_json_holds_no_ids_and_says_what_pooling_means(tiers, found) -> None:
    text = found.json_text()
    document = json.loads(text)
    assert document["kind"] == "programs_evaluation" and set(document["programs"]) == {"main", "peer", "reverse"}
    assert document["table"][-1]["program"] == ALL_PROGRAMS
    people = pd.read_csv(tiers / "people.csv", dtype=str, keep_default_na=False)
    assert not any(f'"{pid}"' in text for pid in people["person_id"])
    caveats = " ".join(document["caveats"])
    assert "counted once" in caveats and "not pooled" in caveats and "not proof" in caveats
    assert "more than one program" in caveats  # the shared mentee's meetings are in both programs' costs


def test_an_unknown_program_in_the_enrolment_names_the_row(tiers, tmp_path) -> None:
    folder = shutil.copytree(tiers, tmp_path / "bad")
    enrolment = pd.read_csv(folder / "enrolment.csv", dtype=str, keep_default_na=False)
    enrolment.loc[3, "program"] = "senior"
    enrolment.to_csv(folder / "enrolment.csv", index=False)
    # refused before anything is computed, as validate names it: file, row, column, value
    with pytest.raises(WorkbenchError, match=r"enrolment\.csv\s+5\s+program\s+senior\s+'senior' is not a program"):
        evaluate_programs_workspace(open_workspace(folder), **QUICK)


@pytest.fixture(scope="module")
def with_waitlist(tmp_path_factory) -> Path:
    """Two programs on one cohort: ``main`` open enrolment, ``trial`` a randomised waitlist frozen at launch, six
    of whose waitlisted applicants met a mentor anyway."""
    return waitlist_workspace(tmp_path_factory.mktemp("home"), program="trial")


def test_each_program_follows_its_frozen_plan_and_reports_its_deviations(with_waitlist) -> None:
    from workbench.charts.evaluate import DESIGN_NOTES, programs_caption
    from workbench.evaluate.cohort import SELF_SELECTION
    from workbench.evaluate.programs import POOLED_ASSOCIATION
    from workbench.evaluate.trial import WAITLIST_CAVEATS

    found = evaluate_programs_workspace(open_workspace(with_waitlist), seed=2, **QUICK)
    trial = found.results["trial"]
    # the figures of evaluating the waitlist program alone, which follows its frozen plan
    alone = evaluate_workspace(program_scope(open_workspace(with_waitlist), "trial"), seed=2, **QUICK)
    assert trial.json_text() == alone.json_text()
    assert trial.trial.design == "waitlist" and found.results["main"].trial is None
    assert trial.cohort.comparison_rule.startswith("applicants randomised to the waitlist")
    pilots = found.table().set_index("program")["pilot"]
    assert pilots[["main", "trial"]].tolist() == ["open", "waitlist"] and pd.isna(pilots[ALL_PROGRAMS])
    caveats = found.to_json()["caveats"]
    assert SELF_SELECTION not in caveats  # not said of every program any more
    assert f"Program 'main' (open enrolment): {SELF_SELECTION}" in caveats
    assert any(WAITLIST_CAVEATS[0] in c and c.startswith("Program 'trial'") for c in caveats)
    assert "Program 'trial', deviation from its frozen plan: 6 waitlisted applicants took part (met a mentor) in " \
           "this cohort." in caveats
    assert POOLED_ASSOCIATION in caveats  # pooling over programs is an association whatever the designs
    lines = found.summary_lines()
    assert "Participants chose to take part: the comparisons show an association, not proof of cause." not in lines
    assert any(line.startswith("trial: Randomised, offered minus waitlisted") for line in lines)
    assert any(line.startswith("trial: deviation from the frozen plan: 6 waitlisted") for line in lines)
    caption = programs_caption(found.table())
    assert f"trial: {DESIGN_NOTES['waitlist']}" in caption and "main: People chose to take part" in caption
    assert caption.endswith(POOLED_ASSOCIATION)
