"""One result object for an evaluation, and its JSON under a documented schema (:data:`JSON_SCHEMA`).

:data:`JSON_SCHEMA` is a JSON Schema (draft 2020-12) whose ``description``
fields document every figure; the README's Evaluate section summarises it.
Numbers are plain JSON numbers rounded to 10 significant decimals, blanks
(hidden groups, figures that cannot be computed) are ``null``, shares are 0-1,
times are months from the cohort start, money is in the design's currency. No
person id, name or free-text answer ever appears.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import ClassVar, Self

import pandas as pd

from workbench.data.problems import WARNINGS_JSON_SCHEMA
from workbench.evaluate.behaviour import Behaviour
from workbench.evaluate.calibration import Calibration
from workbench.evaluate.cohort import SELF_SELECTION, EvaluationCohort
from workbench.evaluate.outcomes import BY_GROUP_COLUMNS, OutcomeComparison
from workbench.evaluate.plan import TrialAnalysis
from workbench.evaluate.roi import ROIEstimate
from workbench.errors import WorkbenchError
from workbench.evaluate.survival import SurvivalComparison
from workbench.result import Interval, conforming, json_text, plain, records

JSON_SCHEMA_VERSION = 1


# --------------------------------------------------------------------------- the schema


def _num(description: str, *, null: bool = False) -> dict:
    return {"type": ["number", "null"] if null else "number", "description": description}


def _int(description: str, *, null: bool = False) -> dict:
    return {"type": ["integer", "null"] if null else "integer", "description": description}


def _str(description: str, *, null: bool = False, enum: list | None = None) -> dict:
    out = {"type": ["string", "null"] if null else "string", "description": description}
    if enum:
        out["enum"] = enum + ([None] if null else [])
    return out


def _bool(description: str, *, null: bool = False) -> dict:
    return {"type": ["boolean", "null"] if null else "boolean", "description": description}


def _obj(description: str, properties: dict, *, optional: tuple[str, ...] = (), null: bool = False) -> dict:
    out = {"type": ["object", "null"] if null else "object", "description": description,
           "properties": properties, "required": [k for k in properties if k not in optional],
           "additionalProperties": False}
    return out


def _rows(description: str, properties: dict) -> dict:
    return {"type": "array", "description": description, "items": _obj("one row", properties)}


def _texts(description: str) -> dict:
    return {"type": "array", "description": description, "items": {"type": "string"}}


def _interval(description: str, key: str = "share") -> dict:
    return _obj(description, {key: _num("the estimate", null=True), "low": _num("2.5th percentile", null=True),
                              "high": _num("97.5th percentile", null=True)})


_KM = _rows("Kaplan-Meier curve of each group shown (SciPy ecdf), a row at time 0 and one per distinct time", {
    "group": _str("participants or comparison", enum=["participants", "comparison"]),
    "time": _num("months from the start (tenure months for a turnover file)"),
    "survival": _num("share without the event by then, 0-1"),
    "low": _num("lower end of the 95% log-log interval; null where undefined", null=True),
    "high": _num("upper end of the 95% log-log interval; null where undefined", null=True),
    "at_risk": _int("people still followed just before this time"),
    "events": _int("events at this time")})
_LOGRANK = _obj("Log-rank test of the two curves (scipy.stats.logrank); null without events", {
    "statistic": _num("chi-square statistic, 1 degree of freedom"),
    "z": _num("SciPy's signed statistic (negative: participants had fewer events than expected)"),
    "p_value": _num("two-sided p-value")}, null=True)
_HAZARD = _obj("Hazard ratio of participants against the comparison group from a Cox model (statsmodels PHReg, "
               "Efron ties); below 1 means a lower rate of the event; null when it cannot be estimated", {
                   "estimate": _num("hazard ratio"), "low": _num("lower end of the 95% interval"),
                   "high": _num("upper end of the 95% interval"), "p_value": _num("Wald p-value"),
                   "adjusted_for": _texts("covariates in the model"),
                   "strata": _texts("columns whose values each have their own baseline hazard"),
                   "people": _int("people fitted"), "events": _int("events fitted")}, null=True)
_GROUPS = _rows("People and events per group compared", {
    "group": _str("participants or comparison"), "people": _int("people; null under five", null=True),
    "events": _int("events; null when the group has under five people", null=True)})
_BY_GROUP = _rows("The shares at the horizon per department and per level; groups under five people in either "
                  "group are hidden (every figure null)", {
                      "variable": _str("department or level"), "value": _str("the department or level"),
                      "participants": _int("matched participants", null=True),
                      "comparison": _int("matched comparison people", null=True),
                      "participants_share": _num("participants' share, 0-1", null=True),
                      "comparison_share": _num("comparison group's weighted share, 0-1", null=True),
                      "difference": _num("participants minus comparison", null=True),
                      "hidden": _bool("true when the group is too small to show")})
_BALANCE = _rows("Mix of each group by department, level and tenure band, to judge the comparison's fairness; "
                 "values held by fewer than five people in either group are hidden", {
                     "variable": _str("department, level or tenure_band"), "value": _str("the category"),
                     "participants": _num("share of participants", null=True),
                     "comparison": _num("share of the matched comparison group, unweighted", null=True),
                     "comparison_weighted": _num("share of the comparison group with the matching weights",
                                                 null=True),
                     "hidden": _bool("true when hidden")})
_AT_HORIZON = _obj("Shares at the horizon with 95% bootstrap intervals; left out when either group has fewer than "
                   "five matched people", {
    "participants": _interval("participants (matched)"),
    "comparison": _interval("comparison group weighted to the participants' mix"),
    "difference": _interval("participants minus comparison"),
    "p_better": _num("share of bootstrap resamples in which participants do better"),
    "participants_people": _int("matched participants"), "comparison_people": _int("matched comparison people")})


def _outcome(description: str) -> dict:
    return {"description": description, "oneOf": [
        _obj("measured", {
            "measured": {"const": True, "description": "the outcome could be measured"},
            "outcome": _str("retention or promotion"), "label": _str("what the shares count"),
            "comparison": _str("how the comparison group was built"),
            "horizon_months": _num("months from the start at which shares are read"),
            "groups": _GROUPS, "km": _KM, "logrank": _LOGRANK, "hazard_ratio": _HAZARD,
            "at_horizon": _AT_HORIZON, "by_group": _BY_GROUP, "balance": _BALANCE,
            "caveats": _texts("what the figures cannot show (self-selection first)"),
            "notes": _texts("why a figure is missing, what was left out")},
            optional=("at_horizon", "by_group", "balance", "horizon_months", "label")),
        _obj("not measured", {"measured": {"const": False, "description": "the outcome could not be measured"},
                              "reason": _str("why")})]}


_RESPONSE = _rows("Response rate per survey wave and group", {
    "wave": _str("survey wave", enum=["pre", "mid", "post", "followup"]),
    "group": _str("participants or comparison"),
    "invited": _int("participants employed on the wave's middle answer date; null for the comparison group, whose "
                    "invited number is not recorded", null=True),
    "respondents": _int("people who answered"), "rate": _num("respondents / invited, 0-1", null=True)})
_CHANGE = _rows("Paired change per construct from the pre wave to each later wave; rows under five pairs are "
                "hidden (every figure null)", {
                    "construct": _str("survey construct"), "wave": _str("the later wave"),
                    "group": _str("participants or comparison"), "pairs": _num("people with both answers", null=True),
                    "mean_before": _num("mean at pre", null=True), "mean_after": _num("mean at the wave", null=True),
                    "change": _num("mean change (survey scale points)", null=True),
                    "low": _num("lower end of the 95% t interval of the change", null=True),
                    "high": _num("upper end", null=True),
                    "t_statistic": _num("paired t statistic (scipy.stats.ttest_rel)", null=True),
                    "t_p_value": _num("its p-value", null=True),
                    "t_p_holm": _num("Holm-adjusted across the constructs of the wave and group", null=True),
                    "wilcoxon_statistic": _num("Wilcoxon signed-rank statistic (scipy.stats.wilcoxon)", null=True),
                    "wilcoxon_p_value": _num("its p-value", null=True),
                    "wilcoxon_p_holm": _num("Holm-adjusted", null=True),
                    "d_z": _num("Cohen's d_z: mean change / sd of change", null=True),
                    "d_z_low": _num("lower end of its 95% noncentral-t interval", null=True),
                    "d_z_high": _num("upper end", null=True), "hidden": _bool("true when hidden")})
_DIFFERENCE = _rows("Participants' change minus the comparison group's (difference in differences, Welch), where "
                    "both have five pairs or more", {
                        "construct": _str("survey construct"), "wave": _str("the later wave"),
                        "participant_pairs": _int("participants with both answers"),
                        "comparison_pairs": _int("comparison people with both answers"),
                        "participants_change": _num("mean change of participants"),
                        "comparison_change": _num("mean change of the comparison group"),
                        "difference": _num("participants minus comparison"),
                        "low": _num("lower end of the 95% Welch interval"), "high": _num("upper end"),
                        "p_value": _num("Welch t-test p-value"), "p_holm": _num("Holm-adjusted across constructs")})
_DISTRIBUTION = _rows("Scores per construct, wave and group; groups under five respondents hidden", {
    "construct": _str("survey construct"), "wave": _str("wave"), "group": _str("participants or comparison"),
    "respondents": _int("respondents", null=True), "mean": _num("mean score", null=True),
    "low": _num("lower end of the 95% t interval of the mean", null=True), "high": _num("upper end", null=True),
    "q25": _num("first quartile", null=True), "median": _num("median", null=True),
    "q75": _num("third quartile", null=True), "hidden": _bool("true when hidden")})

_BEHAVIOUR = _obj("Meetings against the design (Kirkpatrick level 3)", {
    "cadence": _str("the design's cadence"), "cadence_days": _num("days between scheduled meetings"),
    "inactivity_days": _int("the design's health rule: days without a meeting before a pair is closed"),
    "program_months": _int("the design's program length"),
    "program_finished": _bool("the program's end is before the end of the data"),
    "pairs": _int("mentee-mentor pairs that met"), "meetings": _int("meetings held"),
    "participants": _int("participants"),
    "participants_without_meetings": _int("participants who never met; null when it or the participants who met "
                                          "are 1-4 (a group under five)", null=True),
    "meetings_per_pair": _num("mean meetings held per pair", null=True),
    "expected_per_pair": _num("mean meetings the cadence expects over each pair's active time", null=True),
    "share_of_cadence": _num("meetings held / expected", null=True),
    "median_meetings_per_pair": _num("median meetings per pair", null=True),
    "mean_minutes": _num("mean minutes per meeting", null=True), "hours": _num("meeting hours (mentees' side)"),
    "gone_quiet": _int("pairs that once went longer than inactivity_days without meeting; null when it or the "
                       "pairs that did not are 1-4 (a group under five)", null=True),
    "gone_quiet_share": _num("share of pairs", null=True),
    "closed_early": _int("pairs whose last meeting was over inactivity_days before the end of their active time, "
                         "with no exit; null when hidden: the statuses' totals are a breakdown of the pairs, fewer "
                         "than five pairs (and enough others that none can be worked out) hidden", null=True),
    "closed_early_share": _num("share of pairs; null when closed_early is", null=True),
    "ended_by_exit": _int("pairs ended by the mentee's or mentor's exit; null when hidden (as closed_early)",
                          null=True),
    "mentees_closed_early_share": _num("share of participants with no relationship still meeting; null when it "
                                       "or closed_early is hidden", null=True),
    "distribution": _rows("pairs per range of meetings held and status: counts merged into ranges of five pairs or "
                          "more; a range's statuses of fewer than five pairs (and enough others that none can be "
                          "worked out) are one row 'status not shown'; empty under five pairs", {
                              "meetings": _int("fewest meetings held in the range"),
                              "meetings_to": _int("most meetings held in the range"),
                              "status": _str("active, closed early, ended by an exit or status not shown"),
                              "pairs": _int("pairs")}),
    "caveats": _texts("limits of the measures")})

_ROI = _obj("Return on investment: avoided exits x replacement cost - program cost, with a bootstrap", {
    "currency": _str("currency of the money figures"), "participants": _int("matched participants counted"),
    "horizon_months": _num("months over which exits are counted"),
    "roi": _obj("(benefit - cost) / cost", {"estimate": _num("ROI"), "low": _num("2.5th percentile"),
                                            "high": _num("97.5th percentile"),
                                            "p_positive": _num("share of resamples with ROI above 0")}),
    "avoided_exits": _interval("exits avoided by the horizon", "estimate"),
    "benefit": _interval("avoided exits x replacement cost", "estimate"),
    "cost": _num("program cost so far"),
    "cost_breakdown": _obj("the cost's parts", {
        "meeting_hours": _num("mentee and mentor meeting hours"), "training_hours": _num("training hours"),
        "coordinator_hours": _num("coordination hours"), "hourly_cost": _num("cost of an hour"),
        "meetings": _num("meeting cost"), "training": _num("training cost"),
        "coordination": _num("coordination cost"), "tools": _num("tool cost")}),
    "replacement_cost": _num("cost of replacing one leaver"), "salary": _num("annual salary used"),
    "salary_source": _str("where the salary comes from"), "resamples": _int("bootstrap resamples"),
    "distribution": _rows("binned bootstrap ROI", {"start": _num("bin start"), "end": _num("bin end"),
                                                   "share": _num("share of resamples")}),
    "caveats": _texts("what the ROI leaves out")}, null=True)

_SCORECARD = _rows("Each design objective: baseline, target, observed with its 95% interval, and a verdict", {
    "objective": _str("objective id"), "statement": _str("the objective"), "kind": _str("KPI kind"),
    "kpi": _str("the KPI as written in the design"), "measure": _str("what was measured for it"),
    "unit": _str("unit of baseline, target and observed"), "direction": _str("lower or higher is better, or blank"),
    "baseline": _num("baseline", null=True), "target": _num("target", null=True),
    "observed": _num("observed value", null=True), "low": _num("lower end of its 95% interval", null=True),
    "high": _num("upper end", null=True), "comparison": _num("the comparison group's value", null=True),
    "status": _str("verdict", enum=["met", "not met", "unclear", "not measured"]),
    "p_met": _num("probability the target is met (normal approximation)", null=True),
    "horizon_months": _int("the objective's horizon", null=True),
    "measured_months": _num("months of follow-up behind the observation"), "note": _str("provisos"),
    "scope": _str("whom the objective is measured on (its scope in words)")})

_TRAJECTORIES = _rows("Each objective of each cohort with data, read 6, 12, 18 and 24 months after the cohort's start "
                      "as the data stood then (horizons the data has reached)", {
                          "cohort": _str("cohort name"), "objective": _str("objective id"),
                          "months": _int("months from the cohort's start"), "measure": _str("what was measured"),
                          "unit": _str("unit"), "observed": _num("observed value", null=True),
                          "low": _num("lower end of its 95% interval", null=True),
                          "high": _num("upper end", null=True),
                          "comparison": _num("the comparison group's value", null=True),
                          "status": _str("verdict", enum=["met", "not met", "unclear", "not measured"]),
                          "scope": _str("whom the objective is measured on")})

_CALIBRATION = _obj("The outcome model's forecast for the design as run against what happened, and fitted "
                    "parameters for the next cohort", {
                        "runs": _int("Monte Carlo runs"), "seed": _int("seed"),
                        "horizon_months": _int("months simulated"),
                        "forecast": _rows("forecast against observed", {
                            "measure": _str("measure id"), "label": _str("what it is"), "unit": _str("unit"),
                            "forecast": _num("mean over runs"), "p05": _num("5th percentile of runs"),
                            "p95": _num("95th percentile of runs"), "observed": _num("observed", null=True),
                            "within": _bool("observed within p05-p95", null=True), "note": _str("provisos")}),
                        "fitted": _rows("fitted parameters", {
                            "parameter": _str("parameter name (workbench.simulate.PARAMETERS)"),
                            "used": _num("value in the forecast"), "fitted": _num("fitted value", null=True),
                            "low": _num("lower end of its interval", null=True), "high": _num("upper end", null=True),
                            "allowed_low": _num("lowest allowed value"), "allowed_high": _num("highest allowed"),
                            "clipped": _bool("the estimate was outside the allowed range and was clipped"),
                            "note": _str("how it was fitted")}),
                        "parameters": {"type": "object", "additionalProperties": {"type": "number"},
                                       "description": "fitted values by name, for simulate(parameters=...)"},
                        "baseline": _obj("exit hazards, exits per person-year", {
                            "observed_comparison_hazard": _num("weighted comparison group's", null=True),
                            "forecast_hazard": _num("the model's baseline for the same mix", null=True),
                            "ratio": _num("observed / forecast", null=True), "unit": _str("unit")}),
                        "notes": _texts("assumptions of the forecast")}, null=True)

_COHORT = _obj("The evaluated cohort (counts only, never ids)", {
    "name": _str("cohort name from enrolment.csv"), "start": _str("time zero, YYYY-MM-DD"),
    "start_source": _str("given, first meeting, or day after the pre survey"),
    "as_of": _str("end of the data, YYYY-MM-DD"), "program_end": _str("start + the design's duration"),
    "duration_months": _int("the design's program length"),
    "follow_up_months": _num("months from the start to the end of the data"),
    "horizon_months": _int("months at which shares are read"), "participants": _int("participants"),
    "matched_participants": _int("participants with a comparable person in the pool; null under five", null=True),
    "comparison_pool": _int("eligible non-participants employed at the start"),
    "comparison_matched": _int("of whom in matched strata; null under five", null=True), "mentors": _int("mentors who met mentees"),
    "pairs": _int("pairs that met"), "meetings": _int("meetings in the program window"),
    "participant_rule": _str("who counts as a participant"), "comparison_rule": _str("how the comparison is built"),
    "excluded": {"type": "object", "additionalProperties": {"type": ["integer", "null"]},
                 "description": "people or rows left out, by reason; null for 1-4 participants"}})

#: The JSON Schema of :meth:`EvaluationResult.to_json` (``workbench evaluate --json``).
JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Workbench evaluation of a mentoring program cohort",
    "description": "Every figure of an evaluation. Shares are 0-1, times months from the cohort start, money in the "
                   "design's currency; null marks a hidden or incomputable figure. No ids, names or free text.",
    "type": "object", "additionalProperties": False,
    "required": ["schema_version", "kind", "cohort", "design", "settings", "reaction", "learning", "behaviour",
                 "retention", "promotion", "roi", "scorecard", "calibration", "caveats", "notes"],
    "properties": {
        "schema_version": {"const": JSON_SCHEMA_VERSION, "description": "version of this schema"},
        "kind": {"const": "evaluation", "description": "what the document holds"},
        "cohort": _COHORT,
        "design": _obj("the design evaluated against", {
            "name": _str("design name"), "structure": _str("program structure"), "cadence": _str("cadence"),
            "duration_months": _int("program length"), "inactivity_days": _int("health rule")}),
        "settings": _obj("how the figures were computed", {
            "seed": _int("seed of the bootstrap and the forecast"), "resamples": _int("bootstrap resamples"),
            "runs": _int("forecast runs (0 when not calibrated)")}),
        "reaction": _obj("Kirkpatrick level 1", {"response_rates": _RESPONSE}),
        "learning": _obj("Kirkpatrick level 2", {"change": _CHANGE, "against_comparison": _DIFFERENCE,
                                                 "distribution": _DISTRIBUTION,
                                                 "caveats": _texts("limits of the survey figures")}),
        "behaviour": _BEHAVIOUR,
        "retention": _outcome("Kirkpatrick level 4: staying, participants against the comparison group"),
        "promotion": _outcome("Kirkpatrick level 4: promotion (needs a promotion_date column in people.csv)"),
        "roi": _ROI, "scorecard": _SCORECARD, "calibration": _CALIBRATION,
        "caveats": _texts("caveats of the whole evaluation"), "notes": _texts("what was left out and why"),
        "trial": {"type": "object", "description": "the pilot design's analysis against the evaluation plan frozen "
                                                   "at launch (present only when a plan was frozen): design, plan, "
                                                   "itt (offered minus waitlisted, randomisation-based 95% "
                                                   "intervals), wedge (stepped-wedge odds ratio), order, deviations, "
                                                   "caveats"},
        "trajectories": _TRAJECTORIES,
        "warnings": {**WARNINGS_JSON_SCHEMA, "description": "written by `workbench evaluate --json`: "
                                                           + WARNINGS_JSON_SCHEMA["description"]},
    },
}

#: The JSON Schema of :meth:`TurnoverEvaluation.to_json` (``workbench evaluate-file --json``).
TURNOVER_JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Workbench retention evaluation of a turnover file",
    "type": "object", "additionalProperties": False,
    "required": ["schema_version", "kind", "source", "retention"],
    "properties": {
        "schema_version": {"const": JSON_SCHEMA_VERSION, "description": "version of this schema"},
        "kind": {"const": "turnover_evaluation", "description": "what the document holds"},
        "source": _obj("the file evaluated", {
            "file": _str("file name", null=True), "rows": _int("rows used"),
            "participants": _int("rows marked as participants; null under five", null=True),
            "comparison": _int("rows not marked; null under five", null=True),
            "covariates": _texts("columns the hazard ratio adjusts for"),
            "time_unit": _str("unit of time"), "left_out": _int("rows left out (blank cells)")}),
        "retention": _outcome("Staying, participants against everyone else in the file"),
    },
}


# --------------------------------------------------------------------------- JSON of the parts


def survival_json(outcome: str, survival: SurvivalComparison, *, comparison: str, caveats=(), notes=()) -> dict:
    """The fields every outcome block has."""
    return {"measured": True, "outcome": outcome, "comparison": comparison,
            "groups": records(survival.groups), "km": records(survival.km),
            "logrank": None if survival.logrank is None else plain(vars(survival.logrank)),
            "hazard_ratio": None if survival.hazard_ratio is None else plain(vars(survival.hazard_ratio)),
            "caveats": list(caveats), "notes": list(survival.notes) + list(notes)}


def outcome_json(result: OutcomeComparison) -> dict:
    """An outcome block of :data:`JSON_SCHEMA`."""
    block = survival_json(result.outcome, result.survival, comparison=result.comparison, caveats=result.caveats)
    by_group = pd.concat(list(result.by_group.values()), ignore_index=True)
    block.update(label=result.label, horizon_months=result.horizon_months, by_group=records(by_group),
                 balance=records(result.balance))
    if result.at_horizon is not None:  # else the shares would describe fewer than five people
        block["at_horizon"] = plain({key: value.to_dict(estimate="share", level=False)
                                     if isinstance(value, Interval) else value
                                     for key, value in result.at_horizon.items()})
    return block


def outcome_headline(block: dict) -> dict:
    """The headline of an outcome block of :data:`JSON_SCHEMA` (:func:`outcome_json`): ``retention`` (the
    participants', comparison's and difference's shares at the horizon, 0-1, each an
    :class:`~workbench.result.Interval` at 95%, and ``p_better``; ``None`` when either group has under five matched
    people or the outcome was not measured) and ``hazard_ratio`` (an :class:`~workbench.result.Interval`;
    ``None`` when not estimable)."""
    at, hazard = block.get("at_horizon"), block.get("hazard_ratio")
    shares = None if at is None else {key: Interval(at[key]["share"], at[key]["low"], at[key]["high"])
                                      for key in ("participants", "comparison", "difference")}
    return {"retention": None if shares is None else {**shares, "p_better": at["p_better"]},
            "hazard_ratio": None if hazard is None else Interval(hazard["estimate"], hazard["low"], hazard["high"])}


def saved_groups(block: dict) -> dict[str, pd.DataFrame]:
    """The saved ``by_group`` rows of an outcome block of :data:`JSON_SCHEMA`, one table per variable (department,
    level), as :attr:`OutcomeComparison.by_group <workbench.evaluate.outcomes.OutcomeComparison.by_group>` has them."""
    rows = pd.DataFrame(block.get("by_group", []), columns=list(BY_GROUP_COLUMNS))
    return {key: part.reset_index(drop=True) for key, part in rows.groupby("variable", sort=False)}


def group_of(groups: dict[str, pd.DataFrame], attribute: str) -> pd.DataFrame:
    """The breakdown of ``groups`` (variable -> table) by ``attribute``, a copy; an error naming the variables
    there are otherwise."""
    if attribute not in groups:
        raise WorkbenchError(f"An evaluation breaks retention down by {' or '.join(groups) or 'nothing'}, not by "
                             f"{attribute!r}.")
    return groups[attribute].copy()


BEHAVIOUR_CAVEATS = (
    "Closures are read from the meeting log with the design's inactivity rule; the data records no closures, and "
    "meetings not logged count as not held.",
)
LEARNING_CAVEATS = (
    SELF_SELECTION,
    "Pre/post change alone cannot separate the program from what changed for everyone; the difference against "
    "the comparison group can, as far as the two groups are alike.",
    "Only people who answered both waves are paired: those who answer may differ from those who do not.",
    "Free-text answers are never read.",
)


@dataclass(frozen=True, eq=False)
class EvaluationResult:
    """Everything :func:`workbench.evaluate.evaluate` found about one cohort.

    Parts, each a DataFrame or a small object: ``cohort`` (who, when),
    ``response_rates``, ``change``, ``against_comparison`` and ``distribution``
    (survey), ``behaviour`` (meetings), ``retention`` and ``promotion``
    (:class:`~workbench.evaluate.outcomes.OutcomeComparison`; promotion ``None``
    when not measured, ``promotion_reason`` says why), ``roi``, ``scorecard``,
    ``calibration`` (``None`` when not run), ``trajectories`` (the objectives of every cohort with
    data at 6-24 months, :func:`~workbench.evaluate.scorecard.trajectories`). :meth:`to_json` gives every figure
    under :data:`JSON_SCHEMA`, :meth:`summary` the headline figures, :meth:`by_group` retention per department
    or level.

    :meth:`from_json` reads back what :meth:`to_json` wrote (``workbench evaluate --json``): its
    :meth:`summary`, :meth:`by_group` and :meth:`to_json` give the saved figures, while the parts built from
    people's rows (``cohort``, ``behaviour``, ``retention`` ...) are not in the file and are ``None``.
    """

    JSON_SCHEMA: ClassVar[dict] = JSON_SCHEMA

    cohort: EvaluationCohort
    design: dict
    horizon_months: int
    seed: int
    resamples: int
    response_rates: pd.DataFrame = field(repr=False)
    change: pd.DataFrame = field(repr=False)
    against_comparison: pd.DataFrame = field(repr=False)
    distribution: pd.DataFrame = field(repr=False)
    behaviour: Behaviour = field(repr=False)
    retention: OutcomeComparison = field(repr=False)
    promotion: OutcomeComparison | None = field(repr=False)
    promotion_reason: str
    roi: ROIEstimate | None = field(repr=False)
    scorecard: pd.DataFrame = field(repr=False)
    calibration: Calibration | None = field(repr=False)
    caveats: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    trajectories: pd.DataFrame | None = field(default=None, repr=False)
    trial: TrialAnalysis | None = field(default=None, repr=False)
    document: dict | None = field(default=None, repr=False)  # what from_json read; None for a computed result

    @property
    def learning_caveats(self) -> tuple[str, ...]:
        """The survey figures' caveats; a pilot design's replace the self-selection caveat."""
        if self.trial is None:
            return LEARNING_CAVEATS
        return tuple(c for c in LEARNING_CAVEATS if c != SELF_SELECTION)

    def to_json(self) -> dict:
        """Every figure as plain JSON data under :data:`JSON_SCHEMA`."""
        if self.document is not None:
            return copy.deepcopy(self.document)
        cohort = self.cohort.summary() | {"horizon_months": self.horizon_months}
        behaviour = dict(self.behaviour.summary)
        behaviour.update(distribution=records(self.behaviour.distribution()), caveats=list(BEHAVIOUR_CAVEATS))
        roi = None
        if self.roi is not None:
            r = self.roi
            roi = {"currency": r.currency, "participants": r.participants, "horizon_months": self.horizon_months,
                   "roi": r.roi.to_dict(level=False) | {"p_positive": r.p_positive},
                   "avoided_exits": r.avoided_exits.to_dict(level=False), "benefit": r.benefit.to_dict(level=False),
                   "cost": r.cost,
                   "cost_breakdown": r.cost_breakdown, "replacement_cost": r.replacement_cost, "salary": r.salary,
                   "salary_source": r.salary_source, "resamples": r.resamples,
                   "distribution": records(r.distribution()), "caveats": list(r.caveats)}
        calibration = None
        if self.calibration is not None:
            c = self.calibration
            calibration = {"runs": c.runs, "seed": c.seed, "horizon_months": c.horizon_months,
                           "forecast": records(c.forecast), "fitted": records(c.fitted),
                           "parameters": c.parameters, "baseline": c.baseline, "notes": list(c.notes)}
        promotion = outcome_json(self.promotion) if self.promotion is not None else \
            {"measured": False, "reason": self.promotion_reason}
        return plain({
            "schema_version": JSON_SCHEMA_VERSION, "kind": "evaluation", "cohort": cohort, "design": self.design,
            "settings": {"seed": self.seed, "resamples": self.resamples,
                         "runs": self.calibration.runs if self.calibration is not None else 0},
            "reaction": {"response_rates": records(self.response_rates)},
            "learning": {"change": records(self.change), "against_comparison": records(self.against_comparison),
                         "distribution": records(self.distribution), "caveats": list(self.learning_caveats)},
            "behaviour": behaviour, "retention": outcome_json(self.retention), "promotion": promotion,
            "roi": roi, "scorecard": records(self.scorecard), "calibration": calibration,
            "caveats": list(self.caveats), "notes": list(self.notes),
            **({"trial": self.trial.to_json()} if self.trial is not None else {}),
            "trajectories": records(self.trajectories) if self.trajectories is not None else [],
        })

    def summary(self) -> dict:
        """The headline figures as plain data: ``participants``, ``matched_participants``, ``comparison_matched``
        (people; ``None`` under five), ``horizon_months``, ``retention`` (participants', comparison's and the
        difference's shares still employed at the horizon, 0-1, each an :class:`~workbench.result.Interval`'s
        dictionary at 95%, and ``p_better``; ``None`` when either group has under five matched people),
        ``hazard_ratio`` (Cox, participants against comparison; ``None`` when not estimable), ``roi`` (an
        interval's dictionary, ``None`` without one), ``meetings``, ``pairs``, ``share_of_cadence`` (meetings
        held / expected) and ``objectives`` (objectives per status). Read from :meth:`to_json`'s figures, so a
        result read back by :meth:`from_json` gives the same."""
        doc = self.to_json()
        cohort, behaviour, roi = doc["cohort"], doc["behaviour"], doc["roi"]
        statuses = pd.Series([row["status"] for row in doc["scorecard"]], dtype=object)
        return plain({
            "participants": cohort["participants"], "matched_participants": cohort["matched_participants"],
            "comparison_matched": cohort["comparison_matched"], "horizon_months": cohort["horizon_months"],
            **outcome_headline(doc["retention"]),
            "roi": None if roi is None else Interval(roi["roi"]["estimate"], roi["roi"]["low"], roi["roi"]["high"]),
            "meetings": behaviour["meetings"], "pairs": behaviour["pairs"],
            "share_of_cadence": behaviour["share_of_cadence"], "objectives": statuses.value_counts().to_dict()})

    def by_group(self, attribute: str) -> pd.DataFrame:
        """Retention at the horizon per group of ``attribute`` (``department`` or ``level``): matched people and
        shares of each group, their difference; groups under five people in either group hidden (every figure
        blank, ``hidden`` true), with enough others that none can be worked out."""
        return group_of(self.retention.by_group if self.document is None else saved_groups(self.document["retention"]),
                        attribute)

    @classmethod
    def from_json(cls, document: dict) -> Self:
        """The evaluation :meth:`to_json` wrote (checked against :data:`JSON_SCHEMA`; a
        :class:`~workbench.errors.WorkbenchError` names the first problem when it is not one)."""
        conforming(document, JSON_SCHEMA, "an evaluation")
        settings, cohort = document["settings"], document["cohort"]
        return cls(cohort=None, design=document["design"], horizon_months=cohort["horizon_months"],
                   seed=settings["seed"], resamples=settings["resamples"], response_rates=None, change=None,
                   against_comparison=None, distribution=None, behaviour=None, retention=None, promotion=None,
                   promotion_reason=document["promotion"].get("reason", ""), roi=None, scorecard=None,
                   calibration=None, caveats=tuple(document["caveats"]), notes=tuple(document["notes"]),
                   document=copy.deepcopy(document))

    def summary_lines(self) -> list[str]:
        """The headline figures in a few plain lines (for a terminal or a caption); no ids."""
        c = self.cohort.summary()
        lines = [f"Cohort {c['name']}: started {c['start']} ({c['start_source']}), data to {c['as_of']} "
                 f"({c['follow_up_months']:.1f} months); {c['participants']} participants "
                 f"({c['matched_participants'] or 'fewer than five'} matched), "
                 f"{c['comparison_matched'] or 'fewer than five'} comparison people of "
                 f"{c['comparison_pool']} eligible."]
        at = self.retention.at_horizon
        if at is not None:
            d = at["difference"]
            lines.append(f"Still employed after {self.horizon_months} months: participants "
                         f"{at['participants'].estimate:.1%}, comparison (weighted) {at['comparison'].estimate:.1%}, "
                         f"difference {d.estimate * 100:+.1f} points [95% {d.low * 100:+.1f}, {d.high * 100:+.1f}].")
        s = self.retention.survival
        if s.hazard_ratio is not None:
            hr = s.hazard_ratio
            lines.append(f"Hazard ratio of leaving (Cox, by department, adjusted for level and tenure): "
                         f"{hr.estimate:.2f} [95% {hr.low:.2f}, {hr.high:.2f}], p = {hr.p_value:.3g}.")
        if s.logrank is not None:
            lines.append(f"Log-rank test: chi-square {s.logrank.statistic:.2f}, p = {s.logrank.p_value:.3g}.")
        b = self.behaviour.summary
        if b["pairs"]:
            lines.append(f"Meetings: {b['meetings']} in {b['pairs']} pairs, {b['share_of_cadence']:.0%} of the "
                         f"{b['cadence']} cadence" + (f"; {b['closed_early']} pairs closed early." if
                                                       b["closed_early"] is not None else "."))
        if self.roi is not None:
            r = self.roi.roi
            lines.append(f"ROI: {r.estimate:+.2f} [95% {r.low:+.2f}, {r.high:+.2f}], above zero in "
                         f"{self.roi.p_positive:.0%} of {self.roi.resamples:,} resamples.")
        if len(self.scorecard):
            counts = self.scorecard["status"].value_counts()
            lines.append("Objectives: " + ", ".join(f"{n} {s}" for s, n in counts.items()) + ".")
        if self.calibration is not None:
            f = self.calibration.forecast
            measured = f[f["within"].notna()]
            lines.append(f"Forecast: {int(measured['within'].astype(bool).sum())} of {len(measured)} observed figures "
                         "within the outcome model's range; fitted: " + ", ".join(
                             f"{k} {v:.2f}" for k, v in self.calibration.parameters.items()) + ".")
        if self.trial is None:
            lines.append("Participants chose to take part: the comparison shows an association, not proof of cause.")
        else:
            lines += self.trial.lines() + [f"Deviation from the frozen plan: {d}" for d in self.trial.deviations]
        return lines

    def json_text(self) -> str:
        """:meth:`to_json` as text with sorted keys: the same evaluation gives the same bytes."""
        return json_text(self)
