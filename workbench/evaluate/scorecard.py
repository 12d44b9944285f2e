"""The scorecard: each of the design's objectives with its baseline, target, what was observed, and a verdict.

How an objective's ``kind`` is measured (in the KPI's own unit: percent when
the baseline or target is above 1, else a share 0-1):

* ``retention``: when the KPI speaks of exits, attrition, turnover or leavers,
  the participants' **annual exit rate** (exits per person-year over the
  follow-up, as ``1 - exp(-rate)``, exact Poisson interval); otherwise the
  **annual retention rate** (one minus that). The weighted comparison group's
  rate is shown beside it.
* ``promotion``: the participants' annual promotion rate, likewise (only when
  ``people.csv`` has a ``promotion_date`` column).
* ``engagement``, ``satisfaction``, ``skill`` and ``other``: when the KPI text or
  the design's ``evaluate.metrics`` for the objective names a survey construct
  (``career_clarity`` or ``career clarity``), the participants' mean score on it
  at the last wave (post, else follow-up, else mid) with a t interval, in the
  survey's scale.
* Anything else is **not measured** here, with the reason.

The verdict compares the 95% interval with the target in the objective's
direction (down when the target is below the baseline, else up; without a
baseline, exits go down and everything else up): **met** when the whole
interval is on the target's good side, **not met** when it is all on the other
side, **unclear** when it straddles the target. ``p_met`` is the probability of
meeting it under a normal approximation of the interval. When the follow-up is
shorter than the objective's horizon the verdict is provisional (``note``).

:func:`trajectories` reads the scorecard of several cohorts at 6, 12, 18 and 24
months after each start, so cohorts run side by side (:func:`trajectory_table`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from workbench.design.eligibility import data_as_of
from workbench.design.model import SURVEY_KINDS, Objective, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate.cohort import PRE_SURVEY_DAYS, add_months, evaluation_cohort
from workbench.evaluate.objectives import KINDS, Measured, measure_objectives, named_construct
from workbench.evaluate.survey import survey_answers
from workbench.privacy import MIN_GROUP
from workbench.workspace import DEFAULT_SENSITIVE

SCORECARD_COLUMNS = ["objective", "statement", "kind", "kpi", "measure", "unit", "direction", "baseline", "target",
                     "observed", "low", "high", "comparison", "status", "p_met", "horizon_months",
                     "measured_months", "note", "scope"]
_EXIT_WORDS = re.compile(r"exit|attrition|turnover|leav|quit|churn", re.IGNORECASE)
STATUSES = ("met", "not met", "unclear", "not measured")
_RATES = ("retention", "promotion", "high_potential_retention", "internal_mobility")


def annual_rate(events: float, years: float) -> tuple[float, float, float]:
    """Annual probability ``1 - exp(-events / years)`` with the exact Poisson 95% interval of the rate."""
    if years <= 0:
        return np.nan, np.nan, np.nan
    rate = events / years
    low = stats.chi2.ppf(0.025, 2 * events) / 2 / years if events > 0 else 0.0
    high = stats.chi2.ppf(0.975, 2 * events + 2) / 2 / years
    return tuple(float(1 - np.exp(-r)) for r in (rate, low, high))


def _scale(objective: Objective) -> tuple[float, str]:
    values = [abs(v) for v in (objective.baseline, objective.target) if v is not None]
    return (100.0, "%") if values and max(values) > 1 else (1.0, "share 0-1")


def _direction(objective: Objective, lower_default: bool) -> str:
    if objective.baseline is not None and objective.target is not None and objective.target != objective.baseline:
        return "lower" if objective.target < objective.baseline else "higher"
    return "lower" if lower_default else "higher"


def _verdict(observed: float, low: float, high: float, target: float | None, direction: str) -> tuple[str, float]:
    if target is None or not np.isfinite(observed):
        return "unclear", np.nan
    se = (high - low) / (2 * 1.959963984540054) if np.isfinite(high - low) else 0.0
    better = (lambda v: v <= target) if direction == "lower" else (lambda v: v >= target)
    if se <= 0:
        p = 1.0 if better(observed) else 0.0
    else:
        z = (target - observed) / se
        p = float(stats.norm.cdf(z)) if direction == "lower" else float(stats.norm.sf(z))
    if better(low) and better(high):
        return "met", p
    if not better(low) and not better(high):
        return "not met", p
    return "unclear", p


def scorecard(design: ProgramDesign, *, follow_up_months: float, exits: dict, promotions: dict | None,
              answers: pd.DataFrame, min_group: int = MIN_GROUP, measured: Mapping[str, Measured] | None = None
              ) -> pd.DataFrame:
    """One row per objective of ``design`` (columns :data:`SCORECARD_COLUMNS`; see the module docstring).

    ``exits`` and ``promotions`` are ``{"participants": (events, person_years),
    "comparison": (weighted events, weighted person_years)}``; ``promotions`` is
    ``None`` when not measured. ``answers`` are the survey answers of
    :func:`.survey.survey_answers`. ``measured`` (objective id ->
    :class:`.objectives.Measured`, from :func:`.objectives.measure_objectives`)
    gives each objective the figures of its scope and of the KPIs measured there;
    without it every objective is read on everyone and those KPIs are not measured.
    """
    rows = []
    for objective in design.align.objectives:
        own = (measured or {}).get(objective.id) or (
            Measured(reason=f"A {objective.kind.replace('_', ' ')} objective needs data the workspace does not hold.")
            if objective.kind in KINDS else Measured(exits=exits, events=promotions, answers=answers))
        row = {"objective": objective.id, "statement": objective.statement, "kind": objective.kind,
               "kpi": objective.kpi, "baseline": objective.baseline, "target": objective.target,
               "horizon_months": objective.horizon_months, "measured_months": round(follow_up_months, 2),
               "measure": "", "unit": "", "direction": "", "observed": np.nan, "low": np.nan, "high": np.nan,
               "comparison": np.nan, "status": "not measured", "p_met": np.nan, "note": "", "scope": own.scope}
        factor, unit = _scale(objective)
        observed = None
        survey = own.answers if own.answers is not None else answers
        constructs = sorted(survey["construct"].unique()) if len(survey) else []
        rated = objective.kind in _RATES or (objective.kind == "mentor_outcomes" and own.exits is not None)
        if own.reason:
            row["note"] = own.reason
        elif rated:
            source = own.events if objective.kind in ("promotion", "internal_mobility") else own.exits
            if source is None:
                row["note"] = "people.csv has no promotion_date column, so promotions cannot be counted."
            else:
                leaving = objective.kind in ("retention", "high_potential_retention", "mentor_outcomes")
                exit_words = leaving and bool(_EXIT_WORDS.search(objective.kpi + objective.statement))
                flip = leaving and not exit_words
                rate = annual_rate(*source["participants"])
                other = annual_rate(*source["comparison"])[0] if source["comparison"] is not None else np.nan
                if flip:
                    rate, other = (1 - rate[0], 1 - rate[2], 1 - rate[1]), 1 - other
                who = {"high_potential_retention": "high-potential participants",
                       "mentor_outcomes": "the cohort's mentors"}.get(objective.kind, "participants")
                what = {"promotion": "promotion", "internal_mobility": "internal move"}.get(
                    objective.kind, "retention" if flip else "exit")
                row["measure"] = f"annual {what} rate of {who}"
                row["direction"] = _direction(objective, lower_default=exit_words)
                row["comparison"] = other * factor
                observed = tuple(v * factor for v in rate)
        elif own.estimate is not None:
            estimate = own.estimate
            row["measure"], row["note"] = estimate["measure"], estimate["note"]
            factor = factor if estimate["unit"] == "share 0-1" else 1.0
            unit = unit if estimate["unit"] == "share 0-1" else estimate["unit"]
            row["direction"] = _direction(objective, lower_default=estimate["lower"])
            row["comparison"] = estimate["comparison"] * factor
            observed = tuple(estimate[k] * factor for k in ("observed", "low", "high"))
        elif objective.kind in SURVEY_KINDS:
            construct = named_construct(objective, design, constructs)
            if construct is None:
                row["note"] = ("No survey construct is named in the KPI or in evaluate.metrics for this objective, "
                               f"so it is not measured here (constructs: {', '.join(constructs) or 'none'}).")
            else:
                part = survey[(survey["group"] == "participants") & (survey["construct"] == construct)]
                for wave in ("post", "followup", "mid"):
                    scores = part.loc[part["wave"] == wave, "score"].to_numpy(float)
                    if len(scores) >= min_group:
                        half = stats.t.ppf(0.975, len(scores) - 1) * scores.std(ddof=1) / np.sqrt(len(scores))
                        observed = (float(scores.mean()), float(scores.mean() - half), float(scores.mean() + half))
                        row["measure"] = f"mean {construct} score of participants at the {wave} wave"
                        factor, unit = 1.0, "survey scale"
                        row["direction"] = _direction(objective, lower_default=False)
                        break
                else:
                    row["note"] = f"Fewer than {min_group} participants answered {construct} after the program."
        else:
            row["note"] = f"A {objective.kind.replace('_', ' ')} objective needs data the workspace does not hold."
        if observed is not None:
            row["observed"], row["low"], row["high"] = observed
            row["unit"] = unit
            status, p = _verdict(*observed, objective.target, row["direction"])
            row["status"], row["p_met"] = status, p
            if objective.target is None:
                row["note"] = " ".join(filter(None, [row["note"], "The objective has no target to judge against."]))
            elif objective.horizon_months and follow_up_months < objective.horizon_months:
                row["note"] = " ".join(filter(None, [row["note"], (
                    f"Provisional: {follow_up_months:.1f} of the objective's {objective.horizon_months} months have "
                    "passed.")]))
        rows.append(row)
    return pd.DataFrame(rows, columns=SCORECARD_COLUMNS)


#: Months from each cohort's start at which :func:`trajectories` reads the objectives.
HORIZONS: tuple[int, ...] = (6, 12, 18, 24)
#: Columns of :func:`trajectories`.
TRAJECTORY_COLUMNS = ["cohort", "objective", "months", "measure", "unit", "observed", "low", "high", "comparison",
                      "status", "scope"]


def trajectories(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, cohorts: list[str],
                 horizons: tuple[int, ...] = HORIZONS, as_of: datetime.date | None = None,
                 sensitive: tuple[str, ...] = DEFAULT_SENSITIVE) -> pd.DataFrame:
    """Each objective of ``design`` for each of ``cohorts``, read ``horizons`` months (default 6, 12, 18 and
    24) after the cohort's start, as the data stood then: one row per cohort, objective and horizon reached
    by the data (columns :data:`TRAJECTORY_COLUMNS`, the scorecard's figures), so cohorts run side by side.

    ``as_of`` is the end of the data (default: the day ``people.csv`` describes). A horizon beyond it, or a
    cohort that cannot be evaluated (too few participants, no start), has no rows.
    """
    rows = []
    end = as_of or data_as_of(tables["people"])
    for name in cohorts:
        try:
            start = evaluation_cohort(tables, design, cohort=name, as_of=end).start
        except WorkbenchError:
            continue
        for months in horizons:
            as_of = add_months(start, months)
            if as_of > end:
                break
            group = evaluation_cohort(tables, design, cohort=name, start=start, as_of=as_of)
            answers = survey_answers(tables.get("survey"), {"participants": set(group.participants["person_id"]),
                                                            "comparison": set(group.comparison["person_id"])},
                                     first_day=pd.Timestamp(start) - pd.Timedelta(days=PRE_SURVEY_DAYS),
                                     last_day=pd.Timestamp(as_of))
            measured = measure_objectives(design, group, tables, answers=answers, sensitive=sensitive)
            card = scorecard(design, follow_up_months=group.follow_up_months, exits={}, promotions=None,
                             answers=answers, measured=measured)
            rows.append(card.assign(cohort=name, months=months))
    if not rows:
        return pd.DataFrame(columns=TRAJECTORY_COLUMNS)
    return pd.concat(rows, ignore_index=True)[TRAJECTORY_COLUMNS]


def trajectory_table(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`trajectories` side by side, as pages and reports show it: one row per objective and cohort, one
    column per horizon ("6 months" ...) holding the observed figure with its 95% interval, or the verdict when
    it was not measured."""
    if frame is None or not len(frame):
        return pd.DataFrame(columns=["Objective", "Measured on", "Cohort"])

    def cell(row: pd.Series) -> str:
        if not np.isfinite(pd.to_numeric(row["observed"], errors="coerce")):
            return row["status"]
        text = f"{row['observed']:.3g}"
        if np.isfinite(pd.to_numeric(row["low"], errors="coerce")):
            text += f" ({row['low']:.3g} to {row['high']:.3g})"
        return text

    cells = frame.assign(cell=frame.apply(cell, axis=1), horizon=frame["months"].map(lambda m: f"{int(m)} months"))
    wide = cells.pivot_table(index=["objective", "scope", "cohort"], columns="horizon", values="cell",
                             aggfunc="first", sort=False)
    order = sorted(wide.columns, key=lambda c: int(c.split()[0]))
    wide = wide[order].fillna("–").reset_index()
    wide.columns.name = None
    return wide.rename(columns={"objective": "Objective", "scope": "Measured on", "cohort": "Cohort"})
