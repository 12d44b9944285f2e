"""Each objective measured on its own scope, and the KPIs beyond retention and surveys.

**Scope.** An objective's ``scope`` (:class:`~workbench.design.model.Eligibility`:
departments, level range, tenure, filters over any ``people.csv`` column) keeps
the participants and comparison people it is about, as they were on the cohort's
start day. Inside the scope the comparison group is matched again (coarsened exact
matching on department, level and tenure band, :func:`.cohort.coarsened_match`), so
an objective about "Engineering at levels 1-2" is scored on those people only, and
the scorecard says the scope in words. A scope or group on a sensitive column needs
the design's opt-in (``experience.sensitive_opt_in`` naming the column in
``experience.sensitive_attributes``); without it the objective is not measured.

**KPIs** (each reads optional data; without it the objective is "not measured" with
the file and column it needs):

* ``competency_growth``: ``proficiency.csv`` with an ``assessed_on`` date. For each
  person and skill, the last assessment on or before the start and the last one after
  it, up to the objective's horizon (months from the start): the person's change is
  the mean change over their skills, in levels of the workspace's proficiency scale.
  Observed: the participants' mean change with its t interval; comparison: the
  weighted comparison group's. A person and skill assessed more than once need a
  date on every assessment (:func:`assessments`).
* ``time_to_promotion``: ``people.csv`` ``promotion_date`` (the latest promotion).
  Months from the start to a promotion, censored at an exit or the end of the data;
  the Kaplan-Meier median (statsmodels ``SurvfuncRight``) with its 95% interval, and
  the weighted comparison group's median. Not measured while fewer than half of the
  participants were promoted (the median is not reached).
* ``high_potential_retention``: retention (as the ``retention`` kind) of the people
  whose ``people.csv`` ``high_potential`` flag is set (``yes``, ``true``, ``1``).
* ``internal_mobility``: ``people.csv`` ``job_change_date``, the day a person last moved
  to another job inside the organisation (what an HR export calls "date in current
  position" when the move was no promotion). Columns in people, not a job-history
  table: a person moved since the start exactly when that date is after it, which is
  all the annual move rate (moves per person-year, as promotions) needs.
* ``representation``: the share of the objective's ``group`` (e.g. ``gender=woman``)
  among participants (exact Clopper-Pearson interval), against its share in the
  comparison pool; the note gives the shares among mentors and among promotions.
  A share is shown only when the group and the rest both hold five people or more.
* ``mentor_outcomes``: when the KPI names a survey construct the mentors answered, the
  mentors' mean change from the ``pre`` wave to their last wave (paired t interval);
  otherwise the mentors' annual exit (or retention) rate against mentor-eligible
  colleagues who did not mentor, matched as above.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.proportion import proportion_confint

from workbench.data.columns import date_column, number_column, text_column
from workbench.design.catalogue import scope_text
from workbench.design.eligibility import DAYS_PER_MONTH, eligible, passes_filter
from workbench.design.model import Objective, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate.cohort import EvaluationCohort, coarsened_match, tenure_band
from workbench.evaluate.survey import survey_answers
from workbench.privacy import MIN_GROUP
from workbench.workspace import DEFAULT_SENSITIVE

#: The ``people.csv`` column flagging high-potential employees.
HIGH_POTENTIAL_COLUMN = "high_potential"
#: The ``people.csv`` column with the day of a person's latest internal move.
JOB_CHANGE_COLUMN = "job_change_date"
#: The ``proficiency.csv`` column with the day of an assessment.
ASSESSED_COLUMN = "assessed_on"
#: The new KPI kinds this module measures.
KINDS = ("competency_growth", "time_to_promotion", "high_potential_retention", "internal_mobility",
         "representation", "mentor_outcomes")
YES = frozenset({"1", "true", "yes", "y"})
_MATCH_KEYS = ("department", "level", "tenure_band")


@dataclass(frozen=True)
class Measured:
    """What the scorecard reads for one objective: its ``scope`` in words, and either rates (``exits``,
    ``events`` as ``{"participants": (events, person-years), "comparison": (weighted events, weighted
    person-years)}``), ``answers`` (survey answers of the people in scope), an ``estimate`` (a dict with
    ``measure``, ``unit``, ``observed``, ``low``, ``high``, ``comparison``, ``lower``: lower is better,
    ``note``), or the ``reason`` it is not measured."""

    scope: str = "everyone"
    exits: dict | None = None
    events: dict | None = None
    answers: pd.DataFrame | None = None
    estimate: dict | None = None
    reason: str = ""


def _sensitive_reason(objective: Objective, design: ProgramDesign, sensitive: tuple[str, ...]) -> str:
    columns = [f.column for f in objective.scope.filters] + ([objective.group.column] if objective.group else [])
    exp = design.experience
    allowed = set(exp.sensitive_attributes) if exp.sensitive_opt_in else set()
    refused = [c for c in dict.fromkeys(columns) if c in set(sensitive) and c not in allowed]
    if not refused:
        return ""
    return (f"The objective reads the sensitive column {', '.join(map(repr, refused))} of people.csv, which needs "
            "the design's opt-in (experience.sensitive_opt_in, naming it in experience.sensitive_attributes).")


def scope_reason(objective: Objective, design: ProgramDesign, people: pd.DataFrame,
                 sensitive: tuple[str, ...] = DEFAULT_SENSITIVE) -> str:
    """Why ``objective``'s scope and group cannot be read from ``people`` ("" when they can): a sensitive column
    without the design's opt-in, or a column ``people.csv`` does not have."""
    reason = _sensitive_reason(objective, design, sensitive)
    if reason:
        return reason
    scope = objective.scope
    absent = [c for c in [*(f.column for f in scope.filters), scope.performance_column] if c and c not in people]
    if absent:
        return f"people.csv has no {absent[0]} column, which the objective's scope filters on."
    return ""


def _scoped(frame: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """The rows of ``frame`` (a cohort's people) in ``ids``, the comparison matched again among them."""
    sub = frame[frame["person_id"].isin(ids)].drop(columns=["stratum", "matched", "weight"])
    return coarsened_match(sub, _MATCH_KEYS)


def event_rates(frame: pd.DataFrame, event: str) -> dict:
    """``{"participants": (events, person-years), "comparison": (weighted events, weighted person-years)}`` of
    the boolean column ``event`` over ``months`` of follow-up: every participant, the matched comparison
    (``None`` when fewer than five comparison people are matched: a group under five is never shown)."""
    part = frame[frame["group"] == "participants"]
    comp = frame[(frame["group"] == "comparison") & frame["matched"]]
    w = comp["weight"].to_numpy(float)
    return {"participants": (float(part[event].sum()), float(part["months"].sum() / 12)),
            "comparison": (float((w * comp[event].to_numpy(float)).sum()),
                           float((w * comp["months"].to_numpy(float)).sum() / 12)) if len(comp) >= MIN_GROUP
            else None}


def _first_rows(people: pd.DataFrame) -> pd.DataFrame:
    return people[~text_column(people, "person_id").duplicated().to_numpy()].reset_index(drop=True)


def _flag(people: pd.DataFrame, column: str) -> set[str]:
    first = _first_rows(people)
    yes = text_column(first, column).str.lower().isin(YES)
    return set(text_column(first, "person_id")[yes.to_numpy()])


def _dated_event(people: pd.DataFrame, column: str, frame: pd.DataFrame, start: pd.Timestamp,
                 as_of: pd.Timestamp) -> pd.DataFrame:
    """``frame`` with ``event``: the date in ``column`` falls after the start, by the exit or the end of the data."""
    first = _first_rows(people)
    when = pd.Series(date_column(first, column).to_numpy(), index=text_column(first, "person_id").to_numpy())
    day = pd.Series(when.reindex(frame["person_id"]).to_numpy(), index=frame.index)
    stop = frame["exit"].where(frame["left"].astype(bool), as_of)
    return frame.assign(event=(day.notna() & (day > start) & (day <= stop)).to_numpy())


def assessments(proficiency: pd.DataFrame, *, file: str = "proficiency.csv") -> pd.DataFrame:
    """``proficiency.csv`` as ``person_id``, ``skill_id``, ``level`` (number), ``date`` (timestamp).

    Raises :class:`~workbench.errors.WorkbenchError` naming the file, row, column and value when a person and
    skill assessed more than once has an assessment without a date: growth cannot tell before from after.
    """
    frame = pd.DataFrame({"person_id": text_column(proficiency, "person_id"),
                          "skill_id": text_column(proficiency, "skill_id"),
                          "level": number_column(proficiency, "level"),
                          "date": date_column(proficiency, ASSESSED_COLUMN)})
    repeated = frame.duplicated(["person_id", "skill_id"], keep=False)
    undated = repeated & frame["date"].isna()
    if undated.any():
        pos = int(np.flatnonzero(undated.to_numpy())[0])
        row = frame.iloc[pos]
        value = str(proficiency[ASSESSED_COLUMN].iloc[pos]) if pd.notna(proficiency[ASSESSED_COLUMN].iloc[pos]) \
            else ""
        raise WorkbenchError(
            f"{file} row {pos + 2}, column {ASSESSED_COLUMN}, value {value!r}: {row['person_id']}'s {row['skill_id']} "
            f"is assessed more than once ({int(undated.sum())} such assessments have no date), so competency growth "
            "cannot tell the assessment before the program from the one after. Give every repeated assessment its "
            "date (YYYY-MM-DD).")
    return frame


def competency_change(marks: pd.DataFrame, ids: set[str], start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Each person's mean change in proficiency (levels) from their last assessment on or before ``start`` to
    their last one after it and on or before ``end``, over the skills with both; indexed by person id."""
    own = marks[marks["person_id"].isin(ids) & marks["date"].notna()].sort_values("date", kind="stable")
    before = own[own["date"] <= start].groupby(["person_id", "skill_id"])["level"].last()
    after = own[(own["date"] > start) & (own["date"] <= end)].groupby(["person_id", "skill_id"])["level"].last()
    change = (after - before).dropna()
    return change.groupby(level="person_id").mean()


def _t_interval(values: np.ndarray) -> tuple[float, float, float]:
    mean = float(values.mean())
    half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))
    return mean, mean - half, mean + half


def median_months(months: np.ndarray, events: np.ndarray, weights: np.ndarray | None = None
                  ) -> tuple[float, float, float]:
    """Kaplan-Meier median months to the event with its 95% interval (statsmodels; NaN when not reached; the
    interval only without ``weights``)."""
    fit = SurvfuncRight(np.asarray(months, float), np.asarray(events, float), freq_weights=weights)
    median = float(fit.quantile(0.5))
    if weights is not None:
        return median, np.nan, np.nan
    with np.errstate(all="ignore"):
        low, high = fit.quantile_ci(0.5)
    return median, float(low), float(high) if np.isfinite(high) else np.nan


def _share(count: int, total: int) -> tuple[float, float, float] | None:
    """Share with its exact interval, ``None`` when the group or the rest is under five people."""
    if count < MIN_GROUP or total - count < MIN_GROUP:
        return None
    low, high = proportion_confint(count, total, method="beta")
    return count / total, float(low), float(high)


def measure_objectives(design: ProgramDesign, group: EvaluationCohort, tables: Mapping[str, pd.DataFrame], *,
                       answers: pd.DataFrame, sensitive: tuple[str, ...] = DEFAULT_SENSITIVE) -> dict[str, Measured]:
    """What the scorecard needs for each objective of ``design`` (see the module docstring), by objective id.

    ``group`` is the evaluated cohort, ``tables`` the workspace's text tables, ``answers`` the survey answers
    (:func:`.survey.survey_answers`) and ``sensitive`` the workspace's sensitive ``people.csv`` columns.
    """
    people = tables["people"]
    start = pd.Timestamp(group.start)
    base = _first_rows(people)
    measured = {}
    for objective in design.align.objectives:
        words = scope_text(objective.scope)
        reason = scope_reason(objective, design, base, sensitive)
        if reason:
            measured[objective.id] = Measured(scope=words, reason=reason)
            continue
        ids = set(text_column(base, "person_id")[eligible(base, objective.scope, as_of=group.start).to_numpy()])
        frame = _scoped(group.people, ids)
        measured[objective.id] = _measure(objective, design, group, tables, frame, words, start, answers)
    return measured


def _measure(objective: Objective, design: ProgramDesign, group: EvaluationCohort,
             tables: Mapping[str, pd.DataFrame], frame: pd.DataFrame, words: str, start: pd.Timestamp,
             answers: pd.DataFrame) -> Measured:
    people = tables["people"]
    kind = objective.kind
    part = frame[frame["group"] == "participants"]
    if len(part) < MIN_GROUP:
        return Measured(scope=words, reason=f"Fewer than {MIN_GROUP} participants are in the objective's scope "
                                            f"({words}).")
    end = start + pd.Timedelta(days=(objective.horizon_months or group.follow_up_months) * DAYS_PER_MONTH)
    if kind in ("retention", "promotion"):
        in_scope = set(frame["person_id"])
        return Measured(scope=words, exits=event_rates(frame, "left"),
                        events=event_rates(frame, "promoted") if "promoted" in frame else None,
                        answers=answers[answers["person_id"].isin(in_scope)])
    if kind not in KINDS:
        return Measured(scope=words, answers=answers[answers["person_id"].isin(set(frame["person_id"]))])
    if kind == "high_potential_retention":
        if HIGH_POTENTIAL_COLUMN not in people.columns:
            return Measured(scope=words, reason=f"people.csv has no {HIGH_POTENTIAL_COLUMN} column (yes for a "
                                                "high-potential employee).")
        flagged = _scoped(frame, _flag(people, HIGH_POTENTIAL_COLUMN))
        if (flagged["group"] == "participants").sum() < MIN_GROUP:
            return Measured(scope=words, reason=f"Fewer than {MIN_GROUP} high-potential participants are in scope.")
        return Measured(scope="high-potential staff" + ("" if words == "everyone" else f": {words}"),
                        exits=event_rates(flagged, "left"))
    if kind == "internal_mobility":
        if JOB_CHANGE_COLUMN not in people.columns:
            return Measured(scope=words, reason=f"people.csv has no {JOB_CHANGE_COLUMN} column (the day of each "
                                                "person's latest move to another job inside the organisation).")
        return Measured(scope=words, events=event_rates(_dated_event(people, JOB_CHANGE_COLUMN, frame, start,
                                                                            pd.Timestamp(group.as_of)), "event"))
    if kind == "time_to_promotion":
        if "promotion_months" not in frame:
            return Measured(scope=words, reason="people.csv has no promotion_date column (the date of each "
                                                "person's latest promotion).")
        median, low, high = median_months(part["promotion_months"], part["promoted"])
        comp = frame[(frame["group"] == "comparison") & frame["matched"]]
        other = median_months(comp["promotion_months"], comp["promoted"], comp["weight"].to_numpy(float))[0] \
            if len(comp) >= MIN_GROUP else np.nan
        if not np.isfinite(median):
            return Measured(scope=words, reason="Fewer than half of the participants in scope were promoted in the "
                                                f"{group.follow_up_months:.1f} months of follow-up: the median time "
                                                "to promotion is not reached yet.")
        return Measured(scope=words, estimate={"measure": "median months from the start to promotion "
                                                          "(Kaplan-Meier) of participants", "unit": "months",
                                               "observed": median, "low": low, "high": high, "comparison": other,
                                               "lower": True, "note": ""})
    if kind == "competency_growth":
        proficiency = tables.get("proficiency")
        if proficiency is None or ASSESSED_COLUMN not in proficiency.columns:
            return Measured(scope=words, reason=f"proficiency.csv has no {ASSESSED_COLUMN} column: growth needs "
                                                "assessments dated before and after the start.")
        marks = assessments(proficiency)
        change = competency_change(marks, set(frame["person_id"]), start, end)
        mine = change.reindex(part["person_id"]).dropna().to_numpy(float)
        if len(mine) < MIN_GROUP:
            return Measured(scope=words, reason=f"Fewer than {MIN_GROUP} participants in scope were assessed both "
                                                "before the start and after it (proficiency.csv assessed_on).")
        comp = frame[(frame["group"] == "comparison") & frame["matched"]]
        theirs = change.reindex(comp["person_id"])
        w = comp["weight"].to_numpy(float)[theirs.notna().to_numpy()]
        other = float(np.average(theirs.dropna(), weights=w)) if theirs.notna().sum() >= MIN_GROUP and w.sum() > 0 \
            else np.nan
        return Measured(scope=words, estimate={"measure": "mean change in proficiency of participants from before "
                                                          "the start to the horizon", "unit": "proficiency levels",
                                               **dict(zip(("observed", "low", "high"), _t_interval(mine))),
                                               "comparison": other, "lower": False, "note": ""})
    if kind == "representation":
        return Measured(scope=words, **_representation(objective, group, tables, frame, start))
    return Measured(scope="the cohort's mentors", **_mentor_outcomes(objective, design, group, tables, answers))


def _representation(objective: Objective, group: EvaluationCohort, tables: Mapping[str, pd.DataFrame],
                    frame: pd.DataFrame, start: pd.Timestamp) -> dict:
    if objective.group is None:
        return {"reason": "The objective names no group (group: COLUMN=VALUE, e.g. gender=woman)."}
    people = _first_rows(tables["people"])
    if objective.group.column not in people.columns:
        return {"reason": f"people.csv has no {objective.group.column} column."}
    member = set(text_column(people, "person_id")[passes_filter(people, objective.group).to_numpy()])
    label = objective.group.text()

    def share_of(ids: set[str]) -> tuple[float, float, float] | None:
        return _share(len(ids & member), len(ids))

    part = set(frame.loc[frame["group"] == "participants", "person_id"])
    pool = set(frame.loc[frame["group"] == "comparison", "person_id"])
    mentee = share_of(part)
    if mentee is None:
        return {"reason": f"Fewer than {MIN_GROUP} participants are in the group {label}, or fewer than "
                          f"{MIN_GROUP} outside it: the share is not shown."}
    notes = []
    for name, ids in (("mentors", set(group.mentor_ids)),
                      ("promotions", set(frame.loc[frame["promoted"], "person_id"]) if "promoted" in frame
                       else set())):
        found = share_of(ids)
        notes.append(f"among {name}: {found[0]:.0%}" if found else f"among {name}: not shown (fewer than "
                                                                  f"{MIN_GROUP} in the group or outside it)")
    pool_share = share_of(pool)
    return {"estimate": {"measure": f"share of participants in the group {label}", "unit": "share 0-1",
                         "observed": mentee[0], "low": mentee[1], "high": mentee[2],
                         "comparison": pool_share[0] if pool_share else np.nan, "lower": False,
                         "note": "Share " + "; ".join(notes) + "."}}


def named_construct(objective: Objective, design: ProgramDesign, constructs: list[str]) -> str | None:
    """The survey construct among ``constructs`` that the objective's KPI, statement or evaluation metrics name
    (``career_clarity`` or ``career clarity``; the longest name first), or ``None``."""
    texts = [objective.kpi, objective.statement, *design.evaluate.metrics.get(objective.id, ())]
    text = " ".join(texts).lower()
    for construct in sorted(constructs, key=len, reverse=True):
        if construct.lower() in text or construct.lower().replace("_", " ") in text:
            return construct
    return None


def _mentor_outcomes(objective: Objective, design: ProgramDesign, group: EvaluationCohort,
                     tables: Mapping[str, pd.DataFrame], answers: pd.DataFrame) -> dict:
    mentors = set(group.mentor_ids)
    start, as_of = pd.Timestamp(group.start), pd.Timestamp(group.as_of)
    survey = tables.get("survey")
    theirs = survey_answers(survey, {"mentors": mentors}, first_day=start - pd.Timedelta(days=120), last_day=as_of)
    construct = named_construct(objective, design, sorted(theirs["construct"].unique()))
    if construct is not None:
        own = theirs[theirs["construct"] == construct].pivot_table(index="person_id", columns="wave", values="score")
        for wave in ("followup", "post", "mid"):
            if "pre" in own and wave in own:
                change = (own[wave] - own["pre"]).dropna().to_numpy(float)
                if len(change) >= MIN_GROUP:
                    observed = dict(zip(("observed", "low", "high"), _t_interval(change)))
                    return {"estimate": {"measure": f"mentors' mean change in {construct} from pre to {wave}",
                                         "unit": "survey scale", **observed, "comparison": np.nan, "lower": False,
                                         "note": ""}}
        return {"reason": f"Fewer than {MIN_GROUP} mentors answered {construct} before and after the program."}
    people = _first_rows(tables["people"])
    ids = text_column(people, "person_id")
    hire, gone = date_column(people, "hire_date"), date_column(people, "exit_date")
    at_start = (hire <= start) & (gone.isna() | (gone > start))
    pool_ok = eligible(people, design.align.mentor_eligibility, as_of=group.start)
    took_part = set(group.people["person_id"]) | mentors
    is_mentor = ids.isin(mentors) & at_start
    in_pool = at_start & pool_ok & ~ids.isin(took_part)
    frame = pd.DataFrame({"person_id": ids, "department": text_column(people, "department"),
                          "level": number_column(people, "level"),
                          "group": np.where(is_mentor, "participants", np.where(in_pool, "comparison", ""))})
    keep = (frame["group"] != "").to_numpy()
    frame, gone, hire = frame[keep], gone[keep], hire[keep]
    if (frame["group"] == "participants").sum() < MIN_GROUP:
        return {"reason": f"Fewer than {MIN_GROUP} mentors of the cohort were employed at its start."}
    frame["tenure_band"] = tenure_band((start - hire).dt.days / DAYS_PER_MONTH).to_numpy()
    frame["left"] = (gone.notna() & (gone <= as_of)).to_numpy()
    stop = gone.where(frame["left"].to_numpy(), as_of)
    frame["months"] = ((stop - start).dt.days / DAYS_PER_MONTH).to_numpy()
    return {"exits": event_rates(coarsened_match(frame, _MATCH_KEYS), "left")}
