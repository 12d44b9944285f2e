"""Find better designs: a search over the whole design for the efficient frontier of cost against objectives.

:func:`optimise` searches jointly over the design's structure, cohort size,
mentor capacity, duration, cadence, meeting length, training, re-matching,
matching weights and the number of cohorts run in a row (:func:`search_space`),
with Optuna's NSGA-II sampler (multi-objective, seeded): it minimises the
expected program cost and maximises the probability of reaching each objective
of ``align.objectives`` that the outcome model simulates at that objective's
horizon (:func:`~workbench.whatif.objective_target`); with no such objective,
it maximises the exits avoided.

A candidate is feasible within the design's constraints:

* **budget**: expected cost of every cohort at most the budget (the call's,
  or ``align.constraints.budget``);
* **mentor hours**: a mentor's scheduled meeting hours per month (cadence x
  meeting length x mentees met one by one) at most
  ``support.mentor_hours_per_month``;
* **mentor pool**: every cohort matches someone. Cohorts run **in a row** on
  the same enrolment: each admits up to ``cohort_size`` mentees not matched
  before (in a seeded order) and draws on the mentors' capacity left: over
  all the cohorts a mentor takes at most the mentees they offered to
  (``enrolment.csv`` capacity), and in one cohort at most ``mentor_capacity``.

Each candidate is evaluated by one task (matching each cohort, then simulating
it with the common random stream of its position in the row), submitted
through the same executors as :func:`~workbench.whatif.run_scenarios` (local
processes, this process, or a Dask cluster's ``Client.get_executor()``): the
sampler asks a generation, the generation is evaluated, the results are told
in order, so the same inputs and seed give the same designs on any executor.
Progress is reported after each candidate; ``cancel`` stops after the
candidates running, with what finished.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.data.columns import text_column, typed_table
from workbench.data.tables import TABLES
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.matching import match
from workbench.simulate import KPIS, cohort_from_match, simulate
from workbench.simulate.engine import NO_MENTOR, scheduled_mentor_hours
from workbench.whatif.analysis import OBJECTIVE_KPI, Target, objective_target, value_text
from workbench.whatif.run import Progress, _cancelled, _run_tasks, scenario_seed, task_pool
from workbench.whatif.scenarios import (SETTINGS, Scenario, apply_scenario, setting_value, weight_criterion,
                                       weight_setting)

#: Largest number of cohorts run in a row that the search tries.
MAX_COHORTS = 3
#: Candidate designs evaluated by default, and runs per candidate.
DEFAULT_CANDIDATES = 200
DEFAULT_RUNS = 500
#: Matchings kept per worker process (a matching depends on the design's matching settings and the cohort's place).
_CACHE_SIZE = 256
_MATCHINGS: OrderedDict = OrderedDict()


@dataclass(frozen=True)
class Dimension:
    """One setting the search moves (a :data:`~workbench.whatif.SETTINGS` name, or ``"cohorts"``) and its values."""

    setting: str
    values: tuple

    def label(self) -> str:
        criterion = weight_criterion(self.setting)
        if criterion is not None:
            return f"{criterion.replace('_', ' ')} weight"
        return {"cohorts": "cohorts in a row", "cohort_size": "mentees admitted per cohort"}.get(
            self.setting, self.setting.replace("_", " "))


def search_space(design: ProgramDesign, enrolled_mentees: int) -> tuple[Dimension, ...]:
    """The settings searched and the values tried, around ``design`` (whose own values are always included)."""
    exp = design.experience

    def with_design(name: str, values: Sequence) -> Dimension:
        own = setting_value(design, name)
        return Dimension(name, tuple(sorted({*values, own}, key=lambda v: (str(type(v)), v))))

    sizes = sorted({max(1, round(enrolled_mentees * share)) for share in (0.25, 0.5, 0.75, 1.0)})
    weights = [c for c, w in exp.criteria.items() if w > 0][:4]
    dims = [
        with_design("structure", ("one_on_one", "group")),
        Dimension("cohort_size", tuple(sizes)),
        with_design("mentor_capacity", (1, 2, 3, 4)),
        with_design("duration_months", (3, 6, 9, 12, 18)),
        Dimension("cadence", ("monthly", "fortnightly", "weekly")),
        with_design("meeting_minutes", (30, 45, 60, 90)),
        with_design("mentor_training_hours", (0.0, 2.0, 4.0, 8.0)),
        with_design("mentee_training_hours", (0.0, 1.0, 2.0, 4.0)),
        Dimension("rematching", ("none", "no_fault")),
        *[with_design(weight_setting(c), (0.0, 1.0, 3.0, 5.0)) for c in weights],
        Dimension("cohorts", tuple(range(1, MAX_COHORTS + 1))),
    ]
    return tuple(dims)


def _fingerprint(tables: Mapping[str, pd.DataFrame]) -> str:
    digest = hashlib.sha256()
    for name in sorted(tables):
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(tables[name].astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _round_tables(tables: Mapping[str, pd.DataFrame], admitted: list[str], used: dict[str, int]) -> dict:
    """The enrolment of one cohort in a row: ``admitted`` mentees, mentors with the capacity they have left."""
    enrolment = tables["enrolment"]
    ids = text_column(enrolment, "person_id")
    role = text_column(enrolment, "role").str.lower()
    capacity = pd.to_numeric(enrolment.get("capacity"), errors="coerce").fillna(0) if "capacity" in enrolment \
        else pd.Series(0, index=enrolment.index)
    left = capacity - ids.map(used).fillna(0)
    admitted_set = set(admitted)
    is_mentee = role.isin(["mentee", "both"]) & ids.isin(admitted_set)
    is_mentor = role.isin(["mentor", "both"]) & (left > 0)
    rows = enrolment.copy()
    rows["role"] = np.where(is_mentee & is_mentor, "both", np.where(is_mentee, "mentee", "mentor"))
    if "capacity" in rows:
        rows["capacity"] = np.where(is_mentor, left.clip(lower=0).astype(int).astype(str), "")
    return {**tables, "enrolment": rows[is_mentee | is_mentor].reset_index(drop=True)}


def _matched(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, key: tuple):
    if key in _MATCHINGS:
        _MATCHINGS.move_to_end(key)
        return _MATCHINGS[key]
    result = match(tables, design)
    _MATCHINGS[key] = (result, cohort_from_match(result, tables))
    while len(_MATCHINGS) > _CACHE_SIZE:
        _MATCHINGS.popitem(last=False)
    return _MATCHINGS[key]


def _pooled_effect(results: list, kpi: str) -> np.ndarray:
    """Run-by-run effect of ``kpi`` over several cohorts: summed for counts and money, participant-weighted else."""
    effects = np.stack([r.effect(kpi) for r in results])
    if KPIS[kpi].unit in ("people", "currency"):
        return effects.sum(axis=0)
    weights = np.array([r.cohort["participants"] for r in results], dtype=float)
    return (effects * weights[:, None]).sum(axis=0) / weights.sum()


def evaluate_candidate(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, candidate: Mapping, *,
                       targets: Sequence[Target], runs: int, seed: int, fingerprint: str = "") -> dict:
    """One candidate design: each cohort in the row matched and simulated; plain figures (see :func:`optimise`).

    Returns ``cost`` (expected, all cohorts), ``exits_avoided``,
    ``participants`` and ``mentors`` per cohort, ``p`` (objective id ->
    probability of reaching it), ``mentor_hours`` (scheduled per mentor per
    month) and ``refused`` (why the design or a cohort could not run, or "").
    """
    candidate = dict(candidate)
    fingerprint = fingerprint or _fingerprint(tables)  # matchings are cached per process by the tables they used
    rounds = int(candidate.pop("cohorts", 1))
    size = candidate.pop("cohort_size", None)
    out = {"cost": np.nan, "exits_avoided": np.nan, "participants": [], "mentors": [], "p": {},
           "mentor_hours": np.nan, "refused": ""}
    try:
        scenario_design = apply_scenario(design, Scenario("candidate", overrides=candidate))
    except WorkbenchError as exc:
        out["refused"] = str(exc)
        return out
    enrolment = tables["enrolment"]
    role = text_column(enrolment, "role").str.lower()
    ids = text_column(enrolment, "person_id")
    order = list(ids[role.isin(["mentee", "both"])].drop_duplicates())
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(7,)))
    order = [order[i] for i in rng.permutation(len(order))]
    size = len(order) if size is None else int(size)
    horizons = sorted({t.horizon_months for t in targets} or {None}, key=lambda h: h or 0)
    matched: set[str] = set()
    used: dict[str, int] = {}
    results: dict = {h: [] for h in horizons}
    hours = 0.0
    key_design = scenario_design.model_dump_json(exclude={"rationale"})
    for position in range(rounds):
        admitted = [p for p in order if p not in matched][:size]
        if not admitted:
            out["refused"] = f"no mentee left to admit to cohort {position + 1} of {rounds}"
            return out
        round_tables = _round_tables(tables, admitted, used)
        key = (fingerprint, key_design, tuple(admitted), tuple(sorted(used.items())))
        try:
            result, cohort = _matched(round_tables, scenario_design, key)
        except WorkbenchError as exc:
            out["refused"] = f"cohort {position + 1}: {exc}"
            return out
        if cohort.size == 0:
            out["refused"] = (f"the mentor pool has no capacity left for cohort {position + 1} of {rounds}" if position
                              else "no mentor in the pool can be matched to the mentees admitted")
            return out
        matched |= set(result.pairs["mentee_id"].astype(str))
        for mentor, count in result.pairs["mentor_id"].astype(str).value_counts().items():
            used[mentor] = used.get(mentor, 0) + int(count)
        out["participants"].append(cohort.size)
        out["mentors"].append(cohort.mentors)
        hours = max(hours, scheduled_mentor_hours(scenario_design, cohort.group_size, cohort.structure))
        for horizon in horizons:
            results[horizon].append(simulate(cohort, scenario_design, runs=runs,
                                             seed=scenario_seed(seed, f"optimise cohort {position + 1}"),
                                             horizon_months=horizon))
    longest = results[horizons[-1]]
    out["cost"] = float(_pooled_effect(longest, "cost").mean())
    out["exits_avoided"] = float(-_pooled_effect(longest, "exits").mean())
    out["mentor_hours"] = hours
    for target in targets:
        effect = _pooled_effect(results[target.horizon_months], target.kpi)
        reached = effect >= target.target if target.higher_is_better else effect <= target.target
        out["p"][target.objective] = float(reached.mean())
    return out


@dataclass(frozen=True, eq=False)
class Optimisation:
    """What :func:`optimise` found.

    ``candidates``: one row per design evaluated, in the order tried:
    ``candidate`` (its number), the settings searched, ``cost``,
    ``exits_avoided``, ``p_<objective>`` per objective, ``participants``
    (matched, all cohorts), ``first_cohort`` (matched in the first), ``feasible``, ``binds`` (the names of the constraints it
    breaks, :data:`CONSTRAINTS`, separated by "; "), ``why`` (each in
    words) and ``efficient`` (on the frontier: feasible, and no feasible
    design costs no more and does at least as well on every objective, one
    of them strictly). ``binding`` explains, when nothing is feasible, which
    constraint stopped the most designs.
    """

    candidates: pd.DataFrame
    space: tuple[Dimension, ...]
    targets: tuple[Target, ...]
    budget: float | None
    mentor_hours: float
    runs: int
    seed: int
    cancelled: bool = False
    baseline: dict = field(default_factory=dict)

    @property
    def objectives(self) -> list[str]:
        return [f"p_{t.objective}" for t in self.targets] or ["exits_avoided"]

    def frontier(self) -> pd.DataFrame:
        """The efficient designs, cheapest first."""
        return self.candidates[self.candidates["efficient"]].sort_values("cost", kind="stable")

    @property
    def binding(self) -> str:
        """When no design tried is feasible: the constraint that stopped the most, with an example; else ``""``."""
        if self.candidates.empty or self.candidates["feasible"].any():
            return ""
        names = pd.Series([b for binds in self.candidates["binds"] for b in binds.split("; ") if b])
        if names.empty:
            return ""
        counts = names.value_counts()
        worst = counts.index[0]
        example = next(part.split(": ", 1)[1] for why in self.candidates["why"] for part in why.split("; ")
                       if part.startswith(worst + ": "))
        others = [f"{name} ({count})" for name, count in counts.iloc[1:].items()]
        text = (f"No design tried is feasible. The constraint that binds most often is the {worst}: "
                f"{counts.iloc[0]} of {len(self.candidates)} designs break it (for example, {example}).")
        if worst == "budget":
            text += f" The cheapest design tried costs {self.candidates['cost'].min():,.0f}."
        if others:
            text += " Also broken: " + ", ".join(others) + "."
        return text

    def changes(self, row: Mapping) -> dict:
        """What a candidate changes against the design: setting -> (design's value, candidate's value)."""
        out = {}
        for dim in self.space:
            mine, theirs = self.baseline.get(dim.setting), row[dim.setting]
            if dim.setting == "cohort_size" and theirs is not None and mine is not None and theirs >= mine:
                continue  # everyone enrolled, as the design
            if mine != theirs:
                out[dim.setting] = (mine, theirs)
        return out

    def scenario(self, row: Mapping, name: str) -> Scenario:
        """A scenario of the design with a candidate's settings (a row of :attr:`candidates`); one cohort."""
        overrides = {d.setting: _plain(row[d.setting]) for d in self.space if d.setting not in ("cohorts",
                                                                                                 "cohort_size")}
        # a scenario's cohort size counts the mentees matched (the search's, those admitted): the first cohort's
        overrides["cohort_size"] = int(row["first_cohort"])
        cohorts = int(row["cohorts"])
        note = (f"Found by the optimiser (candidate {int(row['candidate'])}): {int(row['cohort_size'])} mentees "
                f"admitted, {int(row['first_cohort'])} matched")
        if cohorts > 1:
            note += f"; planned as {cohorts} cohorts in a row: the scenario holds the first cohort"
        return Scenario(name, overrides=overrides, description=note)

    def to_dict(self) -> dict:
        """Plain data for JSON: inputs, every candidate, the frontier's candidate numbers."""
        def row_dict(row: Mapping) -> dict:
            return {k: _plain(v) for k, v in row.items()}

        return {"runs": self.runs, "seed": self.seed, "budget": self.budget,
                "mentor_hours_per_month": self.mentor_hours, "cancelled": self.cancelled,
                "objectives": [{"id": t.objective, "kpi": t.kpi, "target": t.target, "horizon_months":
                                t.horizon_months, "what": t.describe()} for t in self.targets],
                "space": {d.setting: [_plain(v) for v in d.values] for d in self.space},
                "design": {k: _plain(v) for k, v in self.baseline.items()},
                "binding": self.binding,
                "frontier": [int(c) for c in self.frontier()["candidate"]],
                "candidates": [row_dict(r) for r in self.candidates.to_dict("records")]}


def _plain(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _efficient(frame: pd.DataFrame, objectives: list[str]) -> np.ndarray:
    cost = frame["cost"].to_numpy(float)
    goals = frame[objectives].to_numpy(float)
    feasible = frame["feasible"].to_numpy(bool)
    out = np.zeros(len(frame), bool)
    for i in np.flatnonzero(feasible):
        no_worse = feasible & (cost <= cost[i]) & np.all(goals >= goals[i], axis=1)
        better = (cost < cost[i]) | np.any(goals > goals[i], axis=1)
        out[i] = not np.any(no_worse & better)
    return out


def _targets(design: ProgramDesign) -> tuple[Target, ...]:
    found = []
    for objective in design.align.objectives:
        if objective.kind in OBJECTIVE_KPI and objective.baseline is not None and objective.target is not None:
            target = objective_target(design, objective.id)
            horizon = target.horizon_months or 12
            found.append(Target(target.kpi, target.target, min(max(horizon, 1), 60), target.objective))
    return tuple(found)


def optimise(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, budget: float | None = None,
             candidates: int = DEFAULT_CANDIDATES, runs: int = DEFAULT_RUNS, seed: int = 0,
             space: Sequence[Dimension] | None = None, executor=None, workers: int = 2,
             progress: Progress | None = None, cancel: threading.Event | Callable[[], bool] | None = None,
             population: int | None = None) -> Optimisation:
    """Search the design for the efficient frontier of cost against its objectives (see the module docstring).

    ``budget`` (currency) overrides ``align.constraints.budget``; ``candidates``
    is how many designs are evaluated, ``runs`` the simulated runs each;
    ``population`` the sampler's generation size (default: an eighth of the
    candidates, 8 to 50). A design the sampler proposes again is not
    evaluated again (its figures are reused) and is listed once. A :class:`WorkbenchError` when nothing can be
    searched (no enrolment, no mentor, a bad budget).
    """
    import optuna  # Optuna (with SQLAlchemy) takes about a second to import: only when a search runs

    if candidates < 2:
        raise WorkbenchError("The search needs at least 2 candidate designs.")
    if runs < 2:
        raise WorkbenchError("A simulation needs at least 2 runs.")
    budget = design.align.constraints.budget if budget is None else float(budget)
    if budget is not None and not budget > 0:
        raise WorkbenchError(f"The budget must be more than 0, not {budget:g}.")
    if "enrolment" not in tables or tables["enrolment"].empty:
        raise WorkbenchError("The search needs enrolment.csv: who takes part as mentee and as mentor.")
    # typed once here (a typed table passes through as it is), not parsed again by every candidate's matching
    tables = {name: typed_table(name, frame) if name in TABLES else frame for name, frame in tables.items()}
    enrolment = tables["enrolment"]
    role = text_column(enrolment, "role").str.lower()
    mentees = int(role.isin(["mentee", "both"]).sum())
    if mentees == 0:
        raise WorkbenchError("No mentee is enrolled: there is no one to design the program for.")
    if not role.isin(["mentor", "both"]).any() and design.experience.structure not in NO_MENTOR:
        raise WorkbenchError("The mentor pool is empty: no one is enrolled as a mentor, so no design with mentors "
                             "is feasible. Enrol mentors, or try peer mentoring.")
    space = tuple(space or search_space(design, mentees))
    targets = _targets(design)
    hours_given = design.support.mentor_hours_per_month
    fingerprint = _fingerprint(tables)
    baseline = {d.setting: setting_value(design, d.setting) for d in space if d.setting in SETTINGS}
    baseline["cohorts"], baseline["cohort_size"] = 1, mentees

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    population = population or min(50, max(8, candidates // 8))
    sampler = optuna.samplers.NSGAIISampler(population_size=population, seed=int(seed))
    directions = ["minimize"] + ["maximize"] * max(1, len(targets))
    study = optuna.create_study(directions=directions, sampler=sampler)
    pool, own, window = task_pool(executor, workers, candidates)
    rows: list[dict] = []
    seen: dict[str, dict] = {}
    cancelled = False
    asked = 0
    try:
        while asked < candidates and not cancelled:
            batch = []
            for _ in range(min(population, candidates - asked)):
                trial = study.ask()
                values = {}
                for dim in space:
                    choices = list(dim.values)
                    index = trial.suggest_categorical(dim.setting, list(range(len(choices))))
                    values[dim.setting] = choices[index]
                batch.append((trial, values))
            asked += len(batch)
            evaluated: dict[int, dict] = {}
            todo, repeats = [], set()
            keys = [json.dumps({k: _plain(v) for k, v in values.items()}, sort_keys=True) for _, values in batch]
            for i, key in enumerate(keys):
                if key in seen or key in keys[:i]:
                    repeats.add(i)  # the sampler proposed a design already tried: the same figures, one row
                else:
                    todo.append((i, key))
            start = asked - len(batch)

            def done(j: int, future, todo=todo, start=start) -> None:
                i, key = todo[j]
                evaluated[i] = seen[key] = future.result()
                if progress is not None:
                    progress(start + len(evaluated), candidates, f"evaluated {start + len(evaluated)} designs")

            tasks = [(evaluate_candidate_task, (tables, design, batch[i][1], targets, runs, seed, fingerprint))
                     for i, _ in todo]
            cancelled = _run_tasks(pool, tasks, window, cancel, done)
            for i, (trial, values) in enumerate(batch):
                figures = evaluated.get(i, seen.get(keys[i]))
                if figures is None:  # cancelled before it ran
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
                    continue
                binds = _binds(figures, budget, hours_given)
                # feasible when every value is 0 or less
                trial.set_constraint("budget", (figures["cost"] - budget) / budget
                                     if budget and np.isfinite(figures["cost"]) else 0.0)
                trial.set_constraint("mentor_hours", figures["mentor_hours"] - hours_given
                                     if np.isfinite(figures["mentor_hours"]) else 0.0)
                trial.set_constraint("mentor_pool", 1.0 if figures["refused"] else 0.0)
                goals = [figures["p"].get(t.objective, 0.0) for t in targets] or [
                    figures["exits_avoided"] if np.isfinite(figures["exits_avoided"]) else 0.0]
                cost = figures["cost"] if np.isfinite(figures["cost"]) else 1e18
                study.tell(trial, [cost, *goals])
                if i in repeats:
                    continue
                rows.append({"candidate": len(rows) + 1, **values, "cost": figures["cost"],
                             "exits_avoided": figures["exits_avoided"],
                             **{f"p_{t.objective}": figures["p"].get(t.objective, np.nan) for t in targets},
                             "participants": int(sum(figures["participants"])),
                             "first_cohort": int(figures["participants"][0]) if figures["participants"] else 0,
                             "mentor_hours": figures["mentor_hours"], "feasible": not binds,
                             "binds": "; ".join(name for name, _ in binds),
                             "why": "; ".join(f"{name}: {why}" for name, why in binds)})
            if progress is not None and not cancelled:
                progress(asked, candidates, f"{len(rows)} designs evaluated")
            cancelled = cancelled or _cancelled(cancel)
    finally:
        if own is not None:
            own.shutdown(wait=not cancelled, cancel_futures=True)
    frame = pd.DataFrame(rows, columns=["candidate", *[d.setting for d in space], "cost", "exits_avoided",
                                        *[f"p_{t.objective}" for t in targets], "participants", "first_cohort",
                                        "mentor_hours",
                                        "feasible", "binds", "why"])
    result = Optimisation(candidates=frame, space=space, targets=targets, budget=budget, mentor_hours=hours_given,
                          runs=runs, seed=seed, cancelled=cancelled, baseline=baseline)
    frame["efficient"] = _efficient(frame, result.objectives) if len(frame) else pd.Series(dtype=bool)
    return result


def evaluate_candidate_task(tables, design, candidate, targets, runs, seed, fingerprint) -> dict:
    """:func:`evaluate_candidate` with positional arguments, for executors."""
    return evaluate_candidate(tables, design, candidate, targets=targets, runs=runs, seed=seed,
                              fingerprint=fingerprint)


#: The design's constraints, by the name :func:`_binds` gives them.
CONSTRAINTS = ("budget", "mentor hours", "mentor pool", "design rules")


def _binds(figures: Mapping, budget: float | None, hours_given: float) -> list[tuple[str, str]]:
    """The constraints a candidate breaks: ``(name, why)``, names from :data:`CONSTRAINTS`."""
    binds = []
    refused = figures["refused"]
    if refused:
        binds.append(("mentor pool" if "cohort" in refused or "mentor" in refused else "design rules", refused))
    if budget is not None and np.isfinite(figures["cost"]) and figures["cost"] > budget:
        binds.append(("budget", f"expected cost {figures['cost']:,.0f} above the budget of {budget:,.0f}"))
    if np.isfinite(figures["mentor_hours"]) and figures["mentor_hours"] > hours_given + 1e-9:
        binds.append(("mentor hours", f"a mentor would meet {figures['mentor_hours']:.1f} hours a month, "
                                      f"{hours_given:g} are given"))
    return binds


def describe_change(setting: str, before, after) -> str:
    """``cadence: fortnightly → weekly``."""
    return f"{Dimension(setting, ()).label()}: {value_text(before)} → {value_text(after)}"
