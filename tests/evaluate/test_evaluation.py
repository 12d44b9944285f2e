"""The whole evaluation: the demo organisation's past cohort shows the effects it was generated with."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pandas as pd
import pytest

from workbench.data.importing import read_workspace_tables
from workbench.data.sample import generate_organisation, generation_parameters
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate import JSON_SCHEMA, EvaluationResult, evaluate
from workbench.result import records
from workbench.workspace import DEMO_SOURCE, open_workspace
from tests.conftest import WITHOUT_STORY

TRUE_HAZARD_RATIO = generation_parameters()["past_cohort"]["exit_hazard_ratio"]
TRUE_SURVEY_EFFECT = generation_parameters()["survey"]["program_effect"]


def as_text(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Generated tables as a workspace reads them: text, blanks as ''."""
    return {name: frame.astype(object).where(frame.notna(), "").astype(str) for name, frame in tables.items()}


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pd.DataFrame]:
    tables, _ = read_workspace_tables(open_workspace(DEMO_SOURCE))
    return tables


@pytest.fixture(scope="module")
def demo(demo_tables):
    return evaluate(demo_tables, ProgramDesign(), runs=300)


@pytest.fixture(scope="module")
def large():
    """A larger organisation from the same generator, so the intervals are narrow enough to mean something."""
    return evaluate(as_text(generate_organisation(n_people=6000, seed=1)), ProgramDesign(), runs=300)


def test_the_demos_hazard_ratio_interval_contains_the_true_effect(demo) -> None:
    ratio = demo.retention.survival.hazard_ratio
    assert demo.cohort.name == "2025"
    assert ratio.low < TRUE_HAZARD_RATIO < ratio.high
    assert ratio.adjusted_for == ("level", "tenure_months") and ratio.strata == ("department",)
    assert demo.retention.survival.logrank is not None


def test_a_larger_organisations_intervals_contain_the_true_effects(large) -> None:
    ratio = large.retention.survival.hazard_ratio
    assert ratio.low < TRUE_HAZARD_RATIO < ratio.high
    assert ratio.high < 1  # large enough to see that participants leave less
    against = large.against_comparison.set_index(["construct", "wave"])
    for construct, effect in TRUE_SURVEY_EFFECT.items():
        row = against.loc[(construct, "post")]
        assert row["low"] < effect < row["high"], construct
        assert row["p_holm"] < 0.05
    # the paired change alone also contains the secular drift of everyone (0.1 by post)
    change = large.change.set_index(["construct", "wave", "group"])
    assert (change.xs(("post", "participants"), level=("wave", "group"))["change"]
            > change.xs(("post", "comparison"), level=("wave", "group"))["change"]).all()


def test_the_json_follows_its_schema_and_holds_no_ids_or_names(demo, demo_tables) -> None:
    document = demo.to_json()
    jsonschema.validate(document, JSON_SCHEMA)
    text = demo.json_text()
    assert json.loads(text) == document
    people = demo_tables["people"]
    for column in ("person_id", "name", "email"):
        sample = people[column].iloc[::40]
        assert not any(f'"{value}"' in text for value in sample), column
    retention = document["retention"]
    assert set(retention["logrank"]) == {"statistic", "z", "p_value"}
    assert set(retention["hazard_ratio"]) >= {"estimate", "low", "high"}
    assert {row["group"] for row in retention["km"]} == {"participants", "comparison"}
    assert document["promotion"]["measured"] and document["promotion"]["outcome"] == "promotion"  # promotion_date


def test_every_group_shown_has_five_people_or_more(demo) -> None:
    document = demo.to_json()
    for row in document["retention"]["by_group"]:
        assert row["hidden"] or min(row["participants"], row["comparison"]) >= 5
    for row in document["retention"]["balance"]:
        assert row["hidden"] or row["participants"] is not None
    for row in document["learning"]["change"]:
        assert row["hidden"] or row["pairs"] >= 5
    for row in document["learning"]["distribution"]:
        assert row["hidden"] or row["respondents"] >= 5
    hidden = [row for row in document["retention"]["by_group"] if row["hidden"]]
    assert hidden and all(row["participants"] is None and row["participants_share"] is None for row in hidden)


def test_the_same_seed_gives_the_same_bytes(demo_tables) -> None:
    a = evaluate(demo_tables, ProgramDesign(), seed=3, resamples=500, runs=50).json_text()
    b = evaluate(demo_tables, ProgramDesign(), seed=3, resamples=500, runs=50).json_text()
    c = evaluate(demo_tables, ProgramDesign(), seed=4, resamples=500, runs=50).json_text()
    assert a == b and a != c


def test_shares_at_the_horizon_and_roi_hang_together(demo) -> None:
    at = demo.retention.at_horizon
    assert at["participants"].low <= at["participants"].estimate <= at["participants"].high
    assert at["difference"].estimate == pytest.approx(at["participants"].estimate - at["comparison"].estimate)
    roi = demo.roi
    avoided = at["participants_people"] * at["difference"].estimate
    assert roi.avoided_exits.estimate == pytest.approx(avoided)
    assert roi.roi.estimate == pytest.approx((avoided * roi.replacement_cost - roi.cost) / roi.cost)
    assert roi.resamples == 2000 and 0 <= roi.p_positive <= 1


def test_the_summary_and_the_breakdowns_are_those_of_the_result(demo) -> None:
    summary, at = demo.summary(), demo.retention.at_horizon
    assert summary["retention"]["difference"] == at["difference"].to_dict()
    assert summary["roi"] == demo.roi.roi.to_dict()
    assert summary["participants"] == len(demo.cohort.participants) and json.dumps(summary, allow_nan=False)
    assert demo.by_group("level").equals(demo.retention.by_group["level"])
    with pytest.raises(WorkbenchError, match="department or level, not by 'location'"):
        demo.by_group("location")


def test_an_evaluation_reads_back_from_its_json_with_the_same_figures(demo) -> None:
    document = json.loads(demo.json_text())
    loaded = EvaluationResult.from_json(document)
    assert loaded.to_json() == document and loaded.json_text() == demo.json_text()
    assert loaded.summary() == demo.summary()
    for attribute in ("department", "level"):
        assert records(loaded.by_group(attribute)) == records(demo.by_group(attribute))
    with pytest.raises(WorkbenchError, match="department or level, not by 'location'"):
        loaded.by_group("location")
    with pytest.raises(WorkbenchError, match="not an evaluation the workbench wrote: cohort"):
        EvaluationResult.from_json({**document, "cohort": "2025"})


def test_promotions_are_measured_when_people_has_promotion_dates(demo_tables) -> None:
    tables = dict(demo_tables)
    people = tables["people"].copy()
    rng = np.random.default_rng(0)
    promoted = rng.random(len(people)) < 0.15
    days = rng.integers(30, 330, len(people))
    people["promotion_date"] = [str((pd.Timestamp("2025-07-03") + pd.Timedelta(days=int(d))).date()) if p else ""
                                for p, d in zip(promoted, days)]
    tables["people"] = people
    result = evaluate(tables, ProgramDesign(), calibrate_forecast=False)
    assert result.promotion is not None and result.calibration is None
    document = result.to_json()
    jsonschema.validate(document, JSON_SCHEMA)
    assert document["promotion"]["measured"] and document["promotion"]["outcome"] == "promotion"
    assert document["settings"]["runs"] == 0 and document["calibration"] is None


def test_horizon_and_settings_are_checked(demo_tables) -> None:
    with pytest.raises(WorkbenchError, match="horizon must be 1 to 11"):
        evaluate(demo_tables, ProgramDesign(), horizon_months=24)
    with pytest.raises(WorkbenchError, match="at least 100"):
        evaluate(demo_tables, ProgramDesign(), resamples=10)
    six = evaluate(demo_tables, ProgramDesign(), horizon_months=6, runs=20, resamples=200)
    assert six.horizon_months == 6 and six.retention.horizon_months == 6
    assert six.calibration.horizon_months == 6


def test_progress_reports_each_part_in_order_and_the_end(demo_tables) -> None:
    from workbench.evaluate.evaluation import STEPS

    calls: list[tuple[int, int, str]] = []
    evaluate(demo_tables, ProgramDesign(), runs=20, resamples=200, progress=lambda *a: calls.append(a))
    assert calls == [(i, len(STEPS), step) for i, step in enumerate(STEPS)] + [(len(STEPS), len(STEPS), "done")]
    calls.clear()
    evaluate(demo_tables, ProgramDesign(), resamples=200, calibrate_forecast=False,
             progress=lambda *a: calls.append(a))
    assert [c[2] for c in calls] == [*STEPS[:-1], "done"] and {c[1] for c in calls} == {len(STEPS) - 1}


def test_without_meetings_behaviour_and_closures_are_not_guessed(demo_tables) -> None:
    tables = {k: v for k, v in demo_tables.items() if k != "meetings"}
    result = evaluate(tables, ProgramDesign(), runs=20, resamples=200)
    jsonschema.validate(result.to_json(), JSON_SCHEMA)
    assert result.cohort.start_source == "day after the pre survey" and result.behaviour.summary["pairs"] == 0
    forecast = result.calibration.forecast.set_index("measure")
    assert pd.isna(forecast.loc["early_closure", "observed"]) and forecast.loc["early_closure", "within"] is None
    assert "early_closure" not in result.calibration.parameters
    assert not any("Meetings:" in line for line in result.summary_lines())


def test_a_cohort_nobody_left_has_no_hazard_ratio_and_says_why(demo_tables) -> None:
    tables = dict(demo_tables)
    people = tables["people"].copy()
    enrolment = tables["enrolment"]
    people.loc[people["person_id"].isin(enrolment.loc[enrolment["cohort"] == "2025", "person_id"]), "exit_date"] = ""
    tables["people"] = people
    result = evaluate(tables, ProgramDesign(), runs=20, resamples=200)
    jsonschema.validate(result.to_json(), JSON_SCHEMA)
    survival = result.retention.survival
    assert survival.hazard_ratio is None and "no events" in survival.notes[0]
    assert survival.logrank is not None  # the curves can still be compared
    assert result.retention.at_horizon["participants"].estimate == 1.0
    assert any("intervals of the shares are too narrow" in c for c in result.retention.caveats)
    assert "turnover_reduction" not in result.calibration.parameters


def test_evaluate_workspace_uses_a_saved_matching_of_the_cohort_only(tmp_path) -> None:
    import shutil

    from workbench.evaluate import evaluate_workspace

    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
    workspace = open_workspace(tmp_path / "demo")
    enrolment = pd.read_csv(tmp_path / "demo" / "enrolment.csv", dtype=str, keep_default_na=False)
    mentees = sorted(enrolment.loc[(enrolment["cohort"] == "2025") & (enrolment["role"] != "mentor"), "person_id"])
    (tmp_path / "demo" / "results").mkdir(exist_ok=True)
    pd.DataFrame({"mentee_id": mentees, "mentor_id": ["P00163"] * 30 + [""] * (len(mentees) - 30),
                  "score": ["0.8"] * len(mentees), "skills": ["0.5"] * len(mentees)}).to_csv(
        tmp_path / "demo" / "results" / "matching.csv", index=False)
    record = tmp_path / "demo" / "results" / "matching.yaml"
    record.write_text("settings:\n  cohort: '2025'\nsummary: {}\n", encoding="utf-8")
    result = evaluate_workspace(workspace, runs=20, resamples=200)
    assert len(result.cohort.participants) == 30
    assert result.cohort.participant_rule == "mentees matched in the saved matching"
    assert not any("neutral match score" in n for n in result.calibration.notes)
    record.write_text("settings:\n  cohort: '2026'\nsummary: {}\n", encoding="utf-8")
    other = evaluate_workspace(workspace, runs=20, resamples=200)
    assert len(other.cohort.participants) == 34  # a matching of another cohort is not this cohort's
