"""The evaluation plan frozen at launch, the deviations from it, and the analysis of the design that was run.

At launch, :func:`freeze_plan` records in the workspace (one save, undoable, refused when the plan
was saved elsewhere since the workspace was read) what the evaluation will be: the pilot design
(``launch.pilot``), its allocation (the waitlist's draw, or the clusters' start order), the outcomes
(the design's objectives), the horizon and the analysis. ``results/plan.yaml`` holds the plan and
``results/plan.csv`` the allocation; both are the artefact ``plan``. Evaluate reads the plan back
(:func:`load_plan`), analyses the design that was run (:func:`analyse`, through
:mod:`workbench.evaluate.trial`) and reports every deviation from the plan: applicants who took part
against their allocation, a cluster that started before its step, a pilot design or an objective
changed since freezing. A workspace without a frozen plan keeps open enrolment's analysis.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import yaml

from workbench.data.columns import text_column
from workbench.design.model import PilotDesign, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate.cohort import EvaluationCohort, add_months, people_count
from workbench.evaluate.trial import OFFERED, WAITLISTED, allocate, design_caveats, retention_itt, survey_itt, \
    wedge_model, wedge_periods
from workbench.organisation import current_cohort
from workbench.workspace import Workspace, csv_text, reading, save_files

PLAN_FILE = "results/plan.yaml"
ALLOCATION_FILE = "results/plan.csv"
#: Each pilot design in words.
PILOT_NAMES = {"open": "Open enrolment", "waitlist": "Randomised waitlist",
               "stepped_wedge": "Staggered roll-out (stepped wedge)"}
#: Each pilot design's analysis in words (the plan records it).
ANALYSES = {
    "open": "participants against a matched comparison group of eligible non-participants (an association)",
    "waitlist": "intention to treat: applicants offered a place against waitlisted applicants, with "
                "randomisation-based 95% intervals",
    "stepped_wedge": "stepped wedge: leaving per period, started against waiting clusters, with period and cluster "
                     "fixed effects (binomial GLM)",
}


@dataclass(frozen=True, eq=False)
class FrozenPlan:
    """An evaluation plan as frozen at launch.

    ``pilot`` is the pilot design then; ``objectives`` the design's objectives then (as
    design.yaml writes them); ``horizon_months`` when the outcomes are read (the longest objective
    horizon, else the program's duration); ``allocation`` the waitlist's list (``person_id``,
    ``draw``, ``allocation``) or the wedge's order (``cluster``, ``step``, ``starts_month``); empty for
    open enrolment.
    """

    program: str
    cohort: str
    frozen_on: datetime.date
    pilot: PilotDesign
    objectives: tuple[dict, ...]
    horizon_months: int
    analysis: str
    allocation: pd.DataFrame = field(repr=False)

    def record(self) -> dict:
        """The plan as ``results/plan.yaml`` holds it (without the allocation list)."""
        return {"program": self.program, "cohort": self.cohort, "frozen_on": self.frozen_on.isoformat(),
                "pilot": self.pilot.model_dump(mode="json"), "objectives": list(self.objectives),
                "horizon_months": self.horizon_months, "analysis": self.analysis}

    def summary(self) -> dict:
        """What the plan says, for a page, a report or JSON: no person ids."""
        counts = self.allocation["allocation"].value_counts() if "allocation" in self.allocation else {}
        return {"cohort": self.cohort, "frozen_on": self.frozen_on.isoformat(), "design": self.pilot.design,
                "seed": self.pilot.seed, "horizon_months": self.horizon_months, "analysis": self.analysis,
                "objectives": [o["id"] for o in self.objectives],
                "offered": int(counts.get(OFFERED, 0)) if len(counts) else None,
                "waitlisted": int(counts.get(WAITLISTED, 0)) if len(counts) else None,
                "clusters": int(len(self.allocation)) if "cluster" in self.allocation else None,
                "steps": self.pilot.steps if self.pilot.design == "stepped_wedge" else None,
                "months_per_step": self.pilot.months_per_step if self.pilot.design == "stepped_wedge" else None}


    def lines(self) -> list[str]:
        """What the plan says, in plain lines (no person ids)."""
        s = self.summary()
        lines = [f"Cohort {s['cohort']}: {PILOT_NAMES[s['design']]}, seed {s['seed']}.",
                 f"Analysis: {s['analysis']}.",
                 f"Outcomes: the objectives {', '.join(s['objectives']) or '(none set yet)'}, read after "
                 f"{s['horizon_months']} months."]
        if s["offered"] is not None:
            lines.append(f"{s['offered']} applicants offered a place now, {s['waitlisted']} waitlisted for the next "
                         "cohort.")
        if s["clusters"] is not None:
            lines.append(f"{s['clusters']} clusters in {s['steps']} steps, {s['months_per_step']} months apart: "
                         + "; ".join(f"step {r.step}: {r.cluster}" for r in self.allocation.itertuples()) + ".")
        return lines


def plan_horizon(design: ProgramDesign) -> int:
    """Months at which the plan reads its outcomes: the longest objective horizon, else the program's duration."""
    horizons = [o.horizon_months for o in design.align.objectives if o.horizon_months]
    return max(horizons) if horizons else design.experience.duration_months


def plan_for(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, cohort: str | None = None,
             today: datetime.date | None = None) -> FrozenPlan:
    """The plan ``design`` would freeze for ``cohort`` (default the current one), allocation included
    (:func:`workbench.evaluate.trial.allocate`); nothing is saved. Raises :class:`WorkbenchError` on bad input
    (fewer applicants than places, one cluster ...)."""
    name = cohort if cohort is not None else current_cohort(tables["enrolment"])[0]
    pilot = design.launch.pilot
    allocation = (allocate(tables, design, cohort=name) if pilot.design != "open"
                  else pd.DataFrame({"person_id": pd.Series([], dtype=object)}))
    objectives = tuple(o.model_dump(mode="json", exclude_defaults=True) for o in design.align.objectives)
    return FrozenPlan(program=design.name, cohort=str(name), frozen_on=today or datetime.date.today(), pilot=pilot,
                      objectives=objectives, horizon_months=plan_horizon(design), analysis=ANALYSES[pilot.design],
                      allocation=allocation)


def freeze_plan(workspace: Workspace, plan: FrozenPlan) -> Workspace:
    """Save ``plan`` in ``workspace`` (one undoable save of the artefact ``plan``) and return the workspace as saved.

    Refused with :class:`WorkbenchError` when a plan is already frozen for the same cohort (undo it first:
    a frozen plan is not changed in passing), and like every save when the plan was saved elsewhere since
    ``workspace`` was read."""
    current = load_plan(workspace)
    if current is not None and current.cohort == plan.cohort:
        raise WorkbenchError(f"An evaluation plan is already frozen for cohort {plan.cohort!r} (on "
                             f"{current.frozen_on.isoformat()}); a frozen plan is not replaced. Undo it (workbench "
                             "undo WORKSPACE plan) to freeze another. Nothing was saved.")
    text = yaml.safe_dump(plan.record(), sort_keys=False, allow_unicode=True)
    return save_files(workspace, {PLAN_FILE: text, ALLOCATION_FILE: csv_text(plan.allocation)},
                      message=f"freeze the evaluation plan of cohort {plan.cohort}")


def load_plan(workspace: Workspace) -> FrozenPlan | None:
    """The plan frozen in ``workspace`` (``None`` when none is). Raises :class:`WorkbenchError` when its files
    cannot be read."""
    record_path, list_path = workspace.files / PLAN_FILE, workspace.files / ALLOCATION_FILE
    with reading(workspace):
        if not record_path.is_file():
            return None
        try:
            record = yaml.safe_load(record_path.read_text(encoding="utf-8"))
            allocation = (pd.read_csv(list_path, dtype=str, keep_default_na=False) if list_path.is_file()
                          else pd.DataFrame())
            plan = FrozenPlan(program=str(record["program"]), cohort=str(record["cohort"]),
                              frozen_on=datetime.date.fromisoformat(str(record["frozen_on"])),
                              pilot=PilotDesign.model_validate(record["pilot"]),
                              objectives=tuple(record.get("objectives") or ()),
                              horizon_months=int(record["horizon_months"]), analysis=str(record["analysis"]),
                              allocation=allocation)
        except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, yaml.YAMLError) as exc:
            raise WorkbenchError(f"The evaluation plan of the workspace {workspace.name!r} cannot be read "
                                 f"({exc.__class__.__name__} in {PLAN_FILE} or {ALLOCATION_FILE}): undo its last save "
                                 "(workbench undo WORKSPACE plan) and freeze it again.") from None
    for column in ("step", "starts_month", "draw"):
        if column in plan.allocation:
            plan.allocation[column] = pd.to_numeric(plan.allocation[column])
    return plan


def deviations(plan: FrozenPlan, design: ProgramDesign, group: EvaluationCohort,
               clusters: Mapping[str, str] | None = None) -> list[str]:
    """How the cohort ran against the frozen ``plan`` (sentences; counts under five said as "fewer than 5").

    ``group`` is the evaluated cohort with every enrolled mentee as a participant and its meetings;
    ``clusters`` maps person ids to their cluster (a staggered roll-out)."""
    found = []
    if design.launch.pilot != plan.pilot:
        found.append(f"The pilot design was changed since the plan was frozen on {plan.frozen_on.isoformat()}; "
                     "the analysis follows the frozen plan.")
    now = {o.id: o.model_dump(mode="json", exclude_defaults=True) for o in design.align.objectives}
    then = {o["id"]: o for o in plan.objectives}
    changed = sorted(i for i in set(now) | set(then) if now.get(i) != then.get(i))
    if changed:
        found.append(f"Objective{'s' if len(changed) > 1 else ''} {', '.join(changed)} "
                     f"{'were' if len(changed) > 1 else 'was'} added, removed or changed since the plan was frozen.")
    met = set(group.meetings["mentee_id"]) if len(group.meetings) else set()
    if plan.pilot.design == "waitlist":
        arm = dict(zip(plan.allocation["person_id"].astype(str), plan.allocation["allocation"]))
        crossed = sum(1 for p in met if arm.get(p) == WAITLISTED)
        declined = sum(1 for p, a in arm.items() if a == OFFERED and p not in met)
        if crossed:
            found.append(f"{people_count(crossed, 'waitlisted applicants')} took part (met a mentor) in this cohort.")
        if declined and len(met):
            found.append(f"{people_count(declined, 'applicants offered a place')} never met a mentor.")
    if plan.pilot.design == "stepped_wedge" and len(group.meetings):
        first = group.meetings.assign(cluster=group.meetings["mentee_id"].map(dict(clusters or {})))
        first = first.groupby("cluster")["date"].min()
        for row in plan.allocation.itertuples():
            due = pd.Timestamp(add_months(group.start, float(row.starts_month)))
            if row.cluster in first and first[row.cluster] < due:
                found.append(f"Cluster {row.cluster!r} started on {first[row.cluster]:%Y-%m-%d}, before its step "
                             f"{int(row.step)} ({due:%Y-%m-%d}).")
    return found


@dataclass(frozen=True, eq=False)
class TrialAnalysis:
    """The analysis of the pilot design that was run, against the frozen plan.

    ``plan``: :meth:`FrozenPlan.summary`; ``itt``: the waitlist's intention-to-treat rows
    (:func:`workbench.evaluate.trial.itt_difference`, retention first, then survey constructs);
    ``wedge``: the stepped-wedge model (:func:`workbench.evaluate.trial.wedge_model`) and ``order``
    its clusters' steps; ``deviations`` from the plan; ``caveats`` of the design.
    """

    design: str
    plan: dict
    itt: tuple[dict, ...] = ()
    wedge: dict | None = None
    order: tuple[dict, ...] = ()
    deviations: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """Plain JSON data (no person ids)."""
        return {"design": self.design, "plan": self.plan, "itt": list(self.itt), "wedge": self.wedge,
                "order": list(self.order), "deviations": list(self.deviations), "caveats": list(self.caveats)}

    def lines(self) -> list[str]:
        """The headline of the design's analysis in plain lines."""
        out = []
        for row in self.itt:
            scale = 100 if "share" in row["outcome"] else 1
            unit = " points" if scale == 100 else ""
            out.append(f"Randomised, offered minus waitlisted, {row['outcome']}: "
                       f"{row['difference'] * scale:+.1f}{unit} [95% {row['low'] * scale:+.1f}, "
                       f"{row['high'] * scale:+.1f}], p = {row['p_value']:.3g} ({row['permutations']:,} re-draws).")
        if self.wedge is not None:
            w = self.wedge
            if w["odds_ratio"] is None:
                out.append(f"Stepped wedge: not estimated ({w['reason']}).")
            else:
                out.append(f"Stepped wedge, odds of leaving in a period, started against waiting clusters: "
                           f"{w['odds_ratio']:.2f} [95% {w['low']:.2f}, {w['high']:.2f}], p = {w['p_value']:.3g}.")
        return out


def analyse(plan: FrozenPlan, design: ProgramDesign, tables: Mapping[str, pd.DataFrame], everyone: EvaluationCohort,
            group: EvaluationCohort, answers: pd.DataFrame, *, horizon_months: int, rng: np.random.Generator
            ) -> TrialAnalysis:
    """The analysis of ``plan``'s design: ``everyone`` is the cohort with every enrolled mentee as a participant
    (for the deviations and the wedge), ``group`` the cohort as compared (:func:`~.trial.randomised_cohort`
    for a waitlist), ``answers`` its survey answers; ``rng`` draws the re-allocations."""
    kind = plan.pilot.design
    people = tables["people"]
    clusters = (dict(zip(text_column(people, "person_id"), text_column(people, plan.pilot.cluster_column)))
                if kind == "stepped_wedge" and plan.pilot.cluster_column in people else None)
    found = deviations(plan, design, everyone, clusters)
    itt, wedge, order = (), None, ()
    if kind == "waitlist":
        itt = (retention_itt(group, horizon_months, rng=rng), *survey_itt(answers, rng=rng))
    elif kind == "stepped_wedge":
        periods = wedge_periods(tables, everyone, plan.allocation, plan.pilot.cluster_column,
                                plan.pilot.months_per_step)
        wedge = wedge_model(periods)
        order = tuple({"cluster": r.cluster, "step": int(r.step), "starts_month": int(r.starts_month)}
                      for r in plan.allocation.itertuples())
    return TrialAnalysis(design=kind, plan=plan.summary(), itt=itt, wedge=wedge, order=order,
                         deviations=tuple(found), caveats=design_caveats(kind))
