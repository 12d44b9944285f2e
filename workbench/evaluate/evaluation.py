"""The entry point: :func:`evaluate` runs every part of an evaluation on a workspace's tables."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from workbench.data.columns import date_column, text_column
from workbench.data.importing import typed_tables
from workbench.design.model import ProgramDesign
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.evaluate.behaviour import behaviour
from workbench.evaluate.calibration import MAX_HORIZON, calibrate
from workbench.evaluate.cohort import (PRE_SURVEY_DAYS, SELF_SELECTION, ParticipantRule, cohorts_with_data,
                                       default_cohort, evaluation_cohort, people_count, program_cohorts)
from workbench.evaluate.objectives import event_rates, measure_objectives
from workbench.evaluate.outcomes import outcome_comparison
from workbench.evaluate.plan import FrozenPlan, analyse, load_plan
from workbench.evaluate.result import EvaluationResult
from workbench.evaluate.roi import program_cost, roi_estimate
from workbench.evaluate.scorecard import scorecard, trajectories
from workbench.evaluate.trial import design_caveats, design_outcome, randomised_cohort
from workbench.evaluate.survey import change_against_comparison, paired_change, response_rates, score_distribution, \
    survey_answers
from workbench.matching.storage import SavedMatching, saved_matching
from workbench.privacy import MIN_GROUP
from workbench.programs import scoped_tables
from workbench.workspace import DEFAULT_SENSITIVE, Workspace

#: Bootstrap resamples by default.
RESAMPLES = 2000
#: Forecast runs by default.
RUNS = 1000
#: The note of an evaluation whose matched groups are too small for shares at the horizon (and so for an ROI).
HIDDEN_SHARES = (f"Shares at the horizon and the return on investment are not shown: fewer than {MIN_GROUP} "
                 "participants, or comparison people, are in the matched strata.")
#: The parts :func:`evaluate` reports to its ``progress`` callback, in order.
STEPS = ("choosing the cohort and its comparison group", "reading the surveys", "counting meetings",
         "comparing retention", "comparing promotion", "the return on investment and the scorecard",
         "forecasting the cohort for the calibration")


def evaluate(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, cohort: str | None = None,
             start: datetime.date | None = None, as_of: datetime.date | None = None,
             horizon_months: int | None = None, participants: ParticipantRule = "enrolled",
             matching: pd.DataFrame | None = None, seed: int = 0, resamples: int = RESAMPLES,
             calibrate_forecast: bool = True, runs: int = RUNS,
             progress: Callable[[int, int, str], None] | None = None,
             plan: FrozenPlan | None = None,
             sensitive: tuple[str, ...] = DEFAULT_SENSITIVE) -> EvaluationResult:
    """Evaluate a cohort of the program in ``tables`` (text frames as read from a workspace) against ``design``.

    Kirkpatrick's levels with Phillips' ROI: survey response rates and paired
    change (:mod:`.survey`), meetings against the cadence (:mod:`.behaviour`),
    retention and promotion against a matched comparison group
    (:mod:`.outcomes`), ROI with a bootstrap interval (:mod:`.roi`), the
    objectives' scorecard (:mod:`.scorecard`) and the forecast's calibration
    (:mod:`.calibration`). Who and when as in :func:`.cohort.evaluation_cohort`
    (``cohort``, ``start``, ``as_of``, ``participants``, ``matching``: a saved
    matching of this cohort). ``horizon_months`` (whole months; default the
    whole follow-up, rounded down) is when shares are read. ``seed`` fixes the
    bootstrap (``resamples``) and the forecast (``runs``): the same inputs give
    the same result. ``progress(done, total, step)``, when given, is called as
    each part of :data:`STEPS` starts (``done`` parts finished of ``total``)
    and once at the end with ``done == total``. ``plan``, the evaluation plan
    frozen at this cohort's launch (:mod:`.plan`), makes the evaluation analyse
    the pilot design that was run: a randomised waitlist compares applicants
    offered a place with waitlisted ones (``participants`` and ``matching`` do not
    apply), a staggered roll-out adds the stepped-wedge model; either reports the
    deviations from the plan (``result.trial``) and its caveats replace the
    self-selection caveat. ``sensitive`` names the sensitive ``people.csv`` columns (the workspace's): an
    objective scoped on one needs the design's opt-in (:mod:`.objectives`).

    >>> result = evaluate(tables, design)                      # doctest: +SKIP
    >>> result.retention.survival.hazard_ratio.estimate        # doctest: +SKIP
    """
    if resamples < 100:
        raise WorkbenchError(f"Use at least 100 bootstrap resamples, not {resamples}.")
    if calibrate_forecast and runs < 2:
        raise WorkbenchError(f"The forecast needs at least 2 runs, not {runs}.")
    total = len(STEPS) - (0 if calibrate_forecast else 1)

    def step(done: int) -> None:
        if progress is not None:
            progress(done, total, STEPS[done] if done < total else "done")

    step(0)
    kind = plan.pilot.design if plan is not None else "open"
    overridden = kind == "waitlist" and (participants != "enrolled" or matching is not None)
    if kind == "waitlist":  # everyone by the arm they were drawn to
        participants, matching = "enrolled", None
    group = everyone = evaluation_cohort(tables, design, cohort=cohort, start=start, as_of=as_of,
                                         participants=participants, matching=matching)
    if kind == "waitlist":
        group = randomised_cohort(everyone, plan.allocation)
    follow_up = group.follow_up_months
    if follow_up < 1:
        raise WorkbenchError(f"Cohort {group.name!r} started {follow_up:.1f} months before the end of the data: "
                             "evaluate it after at least a month.")
    horizon = int(np.floor(follow_up)) if horizon_months is None else int(horizon_months)
    if not 1 <= horizon <= follow_up:
        raise WorkbenchError(f"The horizon must be 1 to {int(np.floor(follow_up))} months (the follow-up so far), "
                             f"not {horizon_months}.")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)]
    notes = list(group.notes)
    if overridden:
        notes.append("The randomised waitlist is analysed by the arm each applicant was drawn to (intention to "
                     "treat): the participants rule and the saved matching do not apply.")

    t0, t1 = pd.Timestamp(group.start), pd.Timestamp(group.as_of)
    p, c = group.participants, group.comparison
    step(1)
    answers = survey_answers(tables.get("survey"), {"participants": set(p["person_id"]),
                                                    "comparison": set(c["person_id"])},
                             first_day=t0 - pd.Timedelta(days=PRE_SURVEY_DAYS), last_day=t1)
    rates = response_rates(answers, p)
    change = paired_change(answers)
    against = change_against_comparison(answers)
    distribution = score_distribution(answers)

    step(2)
    people = tables["people"]
    ids = text_column(people, "person_id")
    exits = pd.DataFrame({"person_id": ids, "exit": date_column(people, "exit_date")}).drop_duplicates("person_id")
    acts = behaviour(group.meetings, exits, p["person_id"], design, start=t0, program_end=pd.Timestamp(
        group.program_end), as_of=t1)

    step(3)
    matched = group.matched
    retention = design_outcome(outcome_comparison(matched, "retention", horizon_months=horizon,
                                                  resamples=resamples, rng=streams[0],
                                                  comparison=group.comparison_rule), kind)
    step(4)
    promotion, reason = None, ""
    if group.promotions_measured:
        promotion = design_outcome(outcome_comparison(matched, "promotion", horizon_months=horizon,
                                                      resamples=resamples, rng=streams[1],
                                                      comparison=group.comparison_rule), kind)
    else:
        reason = "people.csv has no promotion_date column (the date of each person's latest promotion)."

    step(5)
    pairs = int(group.meetings[["mentee_id", "mentor_id"]].drop_duplicates().shape[0]) if len(group.meetings) else 0
    months_run = min(group.duration_months, follow_up)
    cost, breakdown, hourly, salary, source = program_cost(group.meetings, design, participants=len(p),
                                                           mentors=group.mentors, pairs=pairs, months=months_run)
    at, roi = retention.at_horizon, None
    if at is None:
        notes.append(HIDDEN_SHARES)
    else:
        draws = (1 - retention.draws[0], 1 - retention.draws[1])
        roi = design_outcome(roi_estimate(1 - at["participants"].estimate, 1 - at["comparison"].estimate, draws,
                                          participants=at["participants_people"], cost=cost, breakdown=breakdown,
                                          salary=salary, salary_source=source, hourly=hourly, design=design), kind)

    card = scorecard(design, follow_up_months=follow_up, exits=event_rates(group.people, "left"),
                     promotions=event_rates(group.people, "promoted") if promotion is not None else None,
                     answers=answers, measured=measure_objectives(design, group, tables, answers=answers,
                                                                  sensitive=sensitive))

    calibration = None
    if calibrate_forecast:
        step(6)
        calibration = calibrate(group, dict(tables), design, retention=retention, promotion=promotion,
                                behaviour=acts, horizon_months=min(horizon, MAX_HORIZON), matching=matching,
                                runs=runs, seed=seed)
    trial = None
    if plan is not None:
        planned = min(plan.horizon_months, int(np.floor(follow_up)))
        if planned < plan.horizon_months:
            notes.append(f"The frozen plan reads its outcomes after {plan.horizon_months} months; the data so far "
                         f"covers {follow_up:.1f}, so the design's analysis reads them after {planned}.")
        trial = analyse(plan, design, tables, everyone, group, answers, horizon_months=planned,
                        rng=np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2]))
    caveats = (
        *(design_caveats(kind) or (
            SELF_SELECTION,
            "The comparison group is matched on department, level and tenure band only; anything else that "
            "differs between those who join and those who do not stays in the comparison.")),
        f"Figures rest on {len(p)} participants and "
        f"{people_count(int(matched['group'].eq('comparison').sum()), 'comparison people').lower()}: intervals are "
        "wide for small cohorts, and an interval that includes no effect is not evidence of "
        "no effect.",
        "Groups of fewer than five people are never shown.",
    )
    step(total)
    design_facts = {"name": design.name, "structure": design.experience.structure,
                    "cadence": design.experience.cadence, "duration_months": design.experience.duration_months,
                    "inactivity_days": design.support.inactivity_days}
    return EvaluationResult(cohort=group, design=design_facts, horizon_months=horizon, seed=seed,
                            resamples=resamples, response_rates=rates, change=change, against_comparison=against,
                            distribution=distribution, behaviour=acts, retention=retention, promotion=promotion,
                            promotion_reason=reason, roi=roi, scorecard=card, calibration=calibration,
                            caveats=caveats, notes=tuple(notes), trial=trial,
                            trajectories=trajectories(tables, design, cohorts=cohorts_with_data(tables),
                                                      as_of=group.as_of, sensitive=sensitive))


def workspace_tables(workspace: Workspace) -> dict[str, pd.DataFrame]:
    """The workspace's tables as an evaluation reads them (every program's enrolment, not scoped).

    Raises :class:`~workbench.errors.WorkbenchError` when a table cannot be read or fails its contract
    (:class:`~workbench.errors.InvalidDataError`), or ``people.csv`` or ``enrolment.csv`` is missing.
    """
    tables = typed_tables(workspace)
    missing = [f"{name}.csv" for name in ("people", "enrolment") if name not in tables]
    if missing:
        raise WorkbenchError(f"The workspace {workspace.name!r} has no {' and no '.join(missing)}: an evaluation "
                             "needs the people and the cohort's enrolment. Import them first.")
    return tables


def matching_for(saved: SavedMatching | None, cohort: str) -> pd.DataFrame | None:
    """The table of a saved matching (:func:`~workbench.matching.saved_matching`) when it is of ``cohort``, else
    ``None``."""
    return saved.table if saved is not None and saved.cohort == str(cohort) else None


def plan_of(plan: FrozenPlan | None, cohort: str) -> FrozenPlan | None:
    """The frozen plan (:func:`~workbench.evaluate.plan.load_plan`) when it was frozen for ``cohort``, else
    ``None``: an evaluation follows a plan only for the cohort it was frozen for."""
    return plan if plan is not None and plan.cohort == str(cohort) else None


def evaluate_workspace(workspace: Workspace, *, cohort: str | None = None, **options) -> EvaluationResult:
    """:func:`evaluate` on a workspace: its tables, its ``design.yaml``, and its saved matching when that
    matching is of the evaluated cohort. ``options`` are :func:`evaluate`'s keywords (not ``matching``).
    A workspace scoped to a program (:func:`workbench.workspace.program_scope`) evaluates that program:
    its enrolment rows, its design, its saved matching; its default cohort is the latest with data that
    the program holds (:func:`~workbench.evaluate.cohort.program_cohorts`). An evaluation plan frozen for
    the evaluated cohort (:func:`~workbench.evaluate.plan.load_plan`) is followed.

    Raises :class:`~workbench.errors.WorkbenchError` when a table cannot be read, ``people.csv`` or
    ``enrolment.csv`` is missing, or the design cannot be read.
    """
    everyone = workspace_tables(workspace)
    tables = scoped_tables(workspace, everyone)  # the enrolment of the workspace's program
    design = load_design(workspace)
    name = cohort if cohort is not None else default_cohort(tables, program_cohorts(everyone, tables))
    return evaluate(tables, design, cohort=name, matching=matching_for(saved_matching(workspace), name),
                    plan=plan_of(load_plan(workspace), name),
                    sensitive=workspace.settings.sensitive, **options)
