"""Calibration: what the outcome model forecast for the design as run, against what happened, and the
model parameters the evidence suggests for the next cohort's scenarios.

**The forecast.** The evaluated cohort's participants are run through
:func:`workbench.simulate.simulate` under the design, with the exit hazards a
forecaster would have had at the start (:func:`~workbench.simulate.attrition_baseline`
on the history up to the start), each participant's match score from a saved
matching of the cohort (else 0.5, the model's neutral score), the cohort's real
number of mentors, and the horizon of the evaluation. Observed figures are
compared with the single-run spread (5th to 95th percentile of runs): that is
the range one cohort could see if the model were right.

**Fitted parameters** (a dict for ``simulate(parameters=...)``):

* ``turnover_reduction``: the model's hazard while mentored is the baseline x
  ``(1 - turnover_reduction x e(t))``, ``e(t)`` being relationship quality
  ramping up and fading; the forecast's implied hazard ratio ``log(retention
  participants) / log(retention comparison)`` gives the model's mean effect
  ``e = (1 - HR_forecast) / turnover_reduction``, so the observed hazard ratio
  implies ``(1 - HR_observed) / e`` (interval from the hazard ratio's);
* ``promotion_uplift``: likewise from the promotion hazard ratio, when promotions
  are measured;
* ``early_closure``: the value used x observed share of participants whose
  relationships closed early / the forecast share (closure is close to linear
  in this parameter at these rates), interval from the observed share's Wilson
  interval; only once the program has ended.

Each is clipped into the parameter's allowed range, and the row says so.
**Baseline attrition** is not a model parameter (the model reads each person's
exit hazard from the organisation's history, which now includes this cohort's
year); the comparison group's observed exit hazard is reported beside the
forecast's for the same mix of people, and their ratio.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.data.columns import text_column
from workbench.design.model import ProgramDesign
from workbench.evaluate.behaviour import Behaviour
from workbench.evaluate.cohort import EvaluationCohort
from workbench.evaluate.outcomes import OutcomeComparison
from workbench.privacy import MIN_GROUP
from workbench.simulate import PARAMETERS, Cohort, attrition_baseline, simulate
from workbench.simulate.baseline import hazard_of, program_starts

#: Most months the outcome model follows.
MAX_HORIZON = 60
FORECAST_COLUMNS = ["measure", "label", "unit", "forecast", "p05", "p95", "observed", "within", "note"]
FITTED_COLUMNS = ["parameter", "used", "fitted", "low", "high", "allowed_low", "allowed_high", "clipped", "note"]


@dataclass(frozen=True, eq=False)
class Calibration:
    """Forecast against observed, and fitted parameters (see the module docstring).

    ``forecast``: :data:`FORECAST_COLUMNS`; ``fitted``: :data:`FITTED_COLUMNS`;
    ``parameters``: the fitted values by name, ready for
    ``workbench.simulate.simulate(..., parameters=calibration.parameters)``;
    ``baseline``: observed and forecast exit hazards (exits per person-year).
    """

    forecast: pd.DataFrame
    fitted: pd.DataFrame
    parameters: dict[str, float]
    baseline: dict
    runs: int
    seed: int
    horizon_months: int
    notes: tuple[str, ...] = ()
    simulation: object = field(default=None, repr=False)


def _wilson(hits: int, n: int) -> tuple[float, float]:
    if n == 0:
        return np.nan, np.nan
    z, p = 1.959963984540054, hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def forecast_cohort(cohort: EvaluationCohort, tables: dict, design: ProgramDesign,
                    matching: pd.DataFrame | None = None) -> tuple[Cohort, list[str]]:
    """The outcome model's :class:`~workbench.simulate.Cohort` for the evaluated cohort's participants."""
    notes = []
    people = tables["people"]
    ids = text_column(people, "person_id")
    info = people.assign(person_id=ids)[~ids.duplicated().to_numpy()].set_index("person_id")
    who = cohort.participants["person_id"].to_numpy(dtype=object)
    info = info.reindex(who)
    score = pd.Series(0.5, index=who)
    coverage = pd.Series(0.5, index=who)
    if matching is not None and len(matching) and "score" in matching:
        pairs = pd.DataFrame({"mentee_id": text_column(matching, "mentee_id"),
                              "score": pd.to_numeric(text_column(matching, "score"), errors="coerce"),
                              "skills": pd.to_numeric(text_column(matching, "skills"), errors="coerce")})
        per = pairs.dropna(subset=["score"]).groupby("mentee_id").agg(score=("score", "mean"),
                                                                      skills=("skills", "max"))
        score = per["score"].reindex(who).fillna(0.5)
        coverage = per["skills"].reindex(who).fillna(0.5)
    else:
        notes.append("No saved matching of this cohort: every pair is given the model's neutral match score, 0.5.")
    baseline = attrition_baseline(people, as_of=cohort.start, censor=program_starts(tables))
    level = text_column(info.reset_index(), "level")
    department = text_column(info.reset_index(), "department")
    mentees = pd.DataFrame({
        "person_id": who, "department": department.to_numpy(), "level": level.to_numpy(),
        "location": text_column(info.reset_index(), "location").to_numpy(),
        "score": score.to_numpy(float), "coverage": coverage.to_numpy(float), "gap_levels": 1.0,
        "exit_hazard": hazard_of(baseline, level, department)})
    pairs = int(cohort.meetings[["mentee_id", "mentor_id"]].drop_duplicates().shape[0]) if len(cohort.meetings) \
        else len(who)
    mentors = max(cohort.mentors, 1)
    structure = design.experience.structure
    group_size = 1.0 if structure == "peer" else max(pairs / mentors, 1.0)
    return Cohort(mentees=mentees, mentors=cohort.mentors, group_size=group_size, structure=structure,
                  unmatched=0), notes


def _clip(name: str, value: float, low: float, high: float, used: float, note: str) -> dict:
    lo, hi = PARAMETERS[name].allowed
    fitted = float(np.clip(value, lo, hi)) if np.isfinite(value) else np.nan
    clipped = bool(np.isfinite(value) and fitted != value)
    if clipped:
        note = (note + " " if note else "") + (f"The estimate {value:.3g} is outside the allowed {lo:g} to {hi:g} "
                                               f"and was clipped to {fitted:g}.")
    return {"parameter": name, "used": used, "fitted": fitted,
            "low": float(np.clip(low, lo, hi)) if np.isfinite(low) else np.nan,
            "high": float(np.clip(high, lo, hi)) if np.isfinite(high) else np.nan,
            "allowed_low": lo, "allowed_high": hi, "clipped": clipped, "note": note}


def calibrate(cohort: EvaluationCohort, tables: dict, design: ProgramDesign, *, retention: OutcomeComparison,
              promotion: OutcomeComparison | None, behaviour: Behaviour, horizon_months: float,
              matching: pd.DataFrame | None = None, runs: int = 1000, seed: int = 0) -> Calibration:
    """Forecast the cohort under ``design`` and compare with what happened (see the module docstring)."""
    horizon = int(min(max(np.floor(horizon_months), 1), MAX_HORIZON))
    sim_cohort, notes = forecast_cohort(cohort, tables, design, matching)
    result = simulate(sim_cohort, design, runs=runs, seed=seed, horizon_months=horizon, name="as run")
    used = result.parameters
    kpis = result.kpis().set_index("kpi")

    participants = cohort.participants
    stayed = ~(participants["left"] & (participants["months"] <= horizon))
    observed_retention = float(stayed.mean())
    at = retention.at_horizon
    rows = []

    def add(measure, label, unit, forecast, p05, p95, observed, note=""):
        within = bool(p05 <= observed <= p95) if observed is not None and np.isfinite(observed) else None
        rows.append({"measure": measure, "label": label, "unit": unit, "forecast": forecast, "p05": p05, "p95": p95,
                     "observed": observed, "within": within, "note": note})

    r = kpis.loc["retention"]
    add("retention_participants", f"Participants still employed after {horizon} months", "share 0-1",
        r["participants_mean"], r["participants_p05"], r["participants_p95"], observed_retention)
    if at is not None and abs(retention.horizon_months - horizon) < 1e-9:  # None: shares of under five
        add("retention_comparison", f"Comparison group still employed after {horizon} months (weighted)",
            "share 0-1", r["comparison_mean"], r["comparison_p05"], r["comparison_p95"],
            at["comparison"].estimate)
        add("retention_difference", "Difference in retention, participants minus comparison", "share 0-1",
            r["difference_mean"], r["difference_p05"], r["difference_p95"], at["difference"].estimate)
    finished = behaviour.summary["program_finished"]
    logged = len(cohort.meetings) > 0
    m = kpis.loc["meetings"]
    meetings = cohort.meetings[cohort.meetings["date"] <= pd.Timestamp(cohort.start) + pd.Timedelta(
        days=horizon * 30.44)]
    no_log = "No meetings are logged for this cohort."
    add("meetings_per_participant", "Meetings held per participant", "meetings", m["participants_mean"],
        m["participants_p05"], m["participants_p95"], len(meetings) / max(len(participants), 1) if logged else None,
        "" if logged else no_log)
    c = kpis.loc["early_closure"]
    closed_share = behaviour.summary["mentees_closed_early_share"] if logged else None
    add("early_closure", "Participants whose relationship closed early", "share 0-1", c["participants_mean"],
        c["participants_p05"], c["participants_p95"], closed_share if finished else None,
        no_log if not logged else "The program has not ended yet." if not finished else "" if closed_share is not None
        else f"Not shown: fewer than {MIN_GROUP} participants' relationships closed early or did not, or the pairs' "
             f"statuses are hidden: fewer than {MIN_GROUP} pairs in one.")
    forecast = pd.DataFrame(rows, columns=FORECAST_COLUMNS)

    fitted = []
    ratio = retention.survival.hazard_ratio
    r0 = used["turnover_reduction"]
    with np.errstate(divide="ignore", invalid="ignore"):
        hr_forecast = float(np.log(r["participants_mean"]) / np.log(r["comparison_mean"]))
    effect = (1 - hr_forecast) / r0 if r0 > 0 else np.nan
    if ratio is None or not np.isfinite(effect) or effect <= 0:
        fitted.append(_clip("turnover_reduction", np.nan, np.nan, np.nan, r0,
                            "Not fitted: " + ("no hazard ratio could be estimated." if ratio is None
                                              else "the forecast shows no effect to scale.")))
    else:
        fitted.append(_clip("turnover_reduction", (1 - ratio.estimate) / effect, (1 - ratio.high) / effect,
                            (1 - ratio.low) / effect, r0,
                            f"From the observed hazard ratio {ratio.estimate:.2f} and the model's mean effect "
                            f"{effect:.2f} (forecast hazard ratio {hr_forecast:.2f})."))
    if promotion is not None:
        p = kpis.loc["promotion"]
        u0 = used["promotion_uplift"]
        pr = promotion.survival.hazard_ratio
        with np.errstate(divide="ignore", invalid="ignore"):
            hr_p = float(np.log(1 - p["participants_mean"]) / np.log(1 - p["comparison_mean"]))
        lift = (hr_p - 1) / u0 if u0 > 0 else np.nan
        if pr is None or not np.isfinite(lift) or lift <= 0:
            fitted.append(_clip("promotion_uplift", np.nan, np.nan, np.nan, u0, "Not fitted: no promotion hazard "
                                "ratio, or the forecast shows no effect to scale."))
        else:
            fitted.append(_clip("promotion_uplift", (pr.estimate - 1) / lift, (pr.low - 1) / lift,
                                (pr.high - 1) / lift, u0, f"From the observed promotion hazard ratio "
                                                          f"{pr.estimate:.2f}."))
    e0 = used["early_closure"]
    if finished and closed_share is not None and c["participants_mean"] > 0:
        scale = e0 / c["participants_mean"]
        n = len(behaviour.mentees)
        low, high = _wilson(int(round(closed_share * n)), n)
        fitted.append(_clip("early_closure", closed_share * scale, low * scale, high * scale, e0,
                            f"Observed {closed_share:.0%} of participants closed early against "
                            f"{c['participants_mean']:.0%} forecast."))
    else:
        fitted.append(_clip("early_closure", np.nan, np.nan, np.nan, e0,
                            "Not fitted: " + (no_log[0].lower() + no_log[1:] if not logged
                                              else "the program has not ended yet." if not finished
                                              else "the observed share is not shown." if closed_share is None
                                              else "no closures in the forecast to scale.")))
    table = pd.DataFrame(fitted, columns=FITTED_COLUMNS)
    parameters = {row.parameter: float(row.fitted) for row in table.itertuples() if np.isfinite(row.fitted)}

    matched = cohort.matched
    comparison = matched[matched["group"] == "comparison"]
    w = comparison["weight"].to_numpy(float)
    years = comparison["months"].to_numpy(float) / 12
    observed_hazard = float((w * comparison["left"].to_numpy(float)).sum() / (w * years).sum()) if (w * years).sum() \
        else np.nan
    matched_ids = set(matched.loc[matched["group"] == "participants", "person_id"])
    model_hazard = float(sim_cohort.mentees.loc[sim_cohort.mentees["person_id"].isin(matched_ids),
                                                "exit_hazard"].mean())
    baseline = {"observed_comparison_hazard": observed_hazard, "forecast_hazard": model_hazard,
                "ratio": observed_hazard / model_hazard if model_hazard > 0 else None,
                "unit": "exits per person-year"}
    return Calibration(forecast=forecast, fitted=table, parameters=parameters, baseline=baseline, runs=runs,
                       seed=seed, horizon_months=horizon, notes=tuple(notes), simulation=result)
