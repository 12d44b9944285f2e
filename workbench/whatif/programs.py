"""Every program of a workspace forecast together: :func:`simulate_programs`.

The programs are matched together on their shared mentors
(:func:`workbench.matching.match_programs`, jointly or in a priority order,
exactly as the Matching page's "All programs" panel does), each program's
cohort is built from its own matching
(:func:`workbench.simulate.cohort_from_match`) and simulated under its own
design with its own random stream (the first program's is the design's own
stream, so a workspace of one program gives the one-program figures; the
others' are named after their ids, so results do not depend on the order).

What the programs share in the outcome model is the mentors' time: a mentor's
meetings in the other programs (cadence x meeting length x their mentees
there, :func:`workbench.simulate.engine.scheduled_mentor_hours`) add to their
scheduled hours in this one (``Cohort.mentor_hours_elsewhere``, averaged over
the program's pairs), against the mentor time this program's design gives
(``support.mentor_hours_per_month``); so a mentor in two programs whose hours
exceed it holds fewer meetings in each. Every program is followed for the same
horizon (default: the longest program's, at least 12 months).

The **all-programs** result is a :class:`~workbench.simulate.SimulationResult`
combined run by run: exits, cost and benefit add up (participants and
comparison group); retention, promotion, meetings, early closure and quality
are pooled with each program's participants as weights, the share of skill-gap
levels closed with each program's targeted levels; ROI is the summed benefit
less the summed cost over the summed cost. Intervals are those of
:meth:`SimulationResult.kpis`. Group breakdowns stay per program.

Not modelled: any interaction between programs beyond the mentors' time (a
person taking part in two programs is simulated in each, so totals count them
once per program; shared coordinators, budgets or what participants carry
from one program to another).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.matching.programs import ProgramsMatch, match_programs
from workbench.matching.result import MatchResult
from workbench.simulate import KPIS, Cohort, SimulationResult, cohort_from_match
from workbench.simulate.engine import NO_MENTOR, scheduled_mentor_hours
from workbench.whatif.run import Progress, _cancelled, budget_check, simulate_scenario
from workbench.whatif.scenarios import BASELINE, Scenario
from workbench.workspace import FIRST_PROGRAM

__all__ = ["ALL_PROGRAMS", "FORECAST_MEANS", "ProgramsForecast", "combine_programs", "mentor_hours",
           "program_stream", "simulate_programs"]

#: The name of the combined result.
ALL_PROGRAMS = "All programs"
#: KPIs summed across programs; every other KPI except ROI is pooled (weights in :func:`combine_programs`).
SUMMED = ("exits", "cost", "benefit")
#: What the all-programs forecast models and what it does not, in words for a page or a terminal.
FORECAST_MEANS = (
    "The all-programs forecast matches every program together on the shared mentors (as the Matching page's All "
    "programs panel does), then simulates each program with its own design's mechanisms and its own random "
    "stream. A mentor's meetings in every program count against the mentor time each design gives, so a mentor "
    "in two programs whose hours exceed it holds fewer meetings in each. The totals add exits avoided, costs and "
    "benefits run by run, pool the rates weighted by participants, and take ROI from the summed figures; every "
    "program is followed for the same horizon. Not modelled: any other interaction between programs (a person in "
    "two programs is simulated in each and counted in each; shared coordinators or budgets; what people carry "
    "from one program to another).")


def program_stream(program: str) -> str:
    """The random stream of ``program``'s simulation: the design's own for the first program, else one per id."""
    return BASELINE.stream_name if program == FIRST_PROGRAM else f"{BASELINE.stream_name} of program {program}"


def mentor_hours(result: MatchResult, design: ProgramDesign) -> pd.Series:
    """Each mentor's scheduled meeting hours per month in one program's matching (``mentor_id`` -> hours).

    Cadence x meeting length x the mentees they meet one by one (one meeting per group; none for peers), as
    the outcome model counts them (:func:`workbench.simulate.engine.scheduled_mentor_hours`).
    """
    structure = result.summary()["structure"]
    if structure in NO_MENTOR or result.pairs.empty:
        return pd.Series(dtype=float)
    counts = result.pairs["mentor_id"].value_counts(sort=False)
    return pd.Series([scheduled_mentor_hours(design, float(n), structure) for n in counts], index=counts.index,
                     dtype=float)


def _hours_elsewhere(found: ProgramsMatch, designs: Mapping[str, ProgramDesign]) -> dict[str, float]:
    """Per program: its mentors' scheduled hours a month in the other programs, averaged over its pairs."""
    loads = {p: mentor_hours(r, designs[p]) for p, r in found.results.items()}
    out = {}
    for p, result in found.results.items():
        if result.summary()["structure"] in NO_MENTOR or result.pairs.empty:
            out[p] = 0.0
            continue
        mentors = result.pairs["mentor_id"]
        other = sum((loads[q].reindex(mentors).fillna(0.0).to_numpy() for q in found.results if q != p),
                    np.zeros(len(mentors)))
        out[p] = float(other.mean())
    return out


def _pooled(values: Sequence[np.ndarray], weights: Sequence[float]) -> np.ndarray:
    total = float(sum(weights))
    return sum(v * (w / total) for v, w in zip(values, weights)) if total > 0 else np.mean(values, axis=0)


def combine_programs(results: Mapping[str, SimulationResult], cohorts: Mapping[str, Cohort], *,
                     name: str = ALL_PROGRAMS, settings: Mapping | None = None) -> SimulationResult:
    """The programs' results combined run by run into one (see the module docstring).

    ``results`` and ``cohorts`` by program id; every result has the same runs and horizon.
    """
    if not results:
        raise WorkbenchError("No program has anyone to simulate, so there is no total.")
    first = next(iter(results.values()))
    if any(r.runs != first.runs or r.horizon_months != first.horizon_months for r in results.values()):
        raise WorkbenchError("The programs were simulated with different runs or horizons and cannot be added up.")
    n = {p: float(r.cohort["participants"]) for p, r in results.items()}
    gap = {p: float(cohorts[p].mentees["gap_levels"].sum()) for p in results}
    runs_kpis: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for kpi, spec in KPIS.items():
        if kpi == "roi":
            continue
        sides = []
        for side in (0, 1) if spec.compared else (0,):
            values = [r.runs_kpis[kpi][side] for r in results.values()]
            if kpi in SUMMED:
                sides.append(np.sum(values, axis=0))
            else:
                sides.append(_pooled(values, list((gap if kpi == "skill_gap_closed" else n).values())))
        runs_kpis[kpi] = (sides[0], sides[1] if spec.compared else None)
    cost, benefit = runs_kpis["cost"][0], runs_kpis["benefit"][0]
    runs_kpis["roi"] = ((benefit - cost) / np.maximum(cost, 1e-9), None)
    runs_kpis = {kpi: runs_kpis[kpi] for kpi in KPIS}
    survival = first.survival[["month"]].copy()
    for column in ("participants", "comparison"):
        survival[column] = _pooled([r.survival[column].to_numpy() for r in results.values()], list(n.values()))
    return SimulationResult(
        name=name, runs=first.runs, seed={p: r.seed for p, r in results.items()},
        horizon_months=first.horizon_months, parameters={}, settings=dict(settings or {}),
        cohort={"participants": int(sum(n.values())), "programs": len(results)}, runs_kpis=runs_kpis, groups={},
        survival=survival)


@dataclass(frozen=True, eq=False)
class ProgramsForecast:
    """Every program simulated together (see the module docstring).

    ``results``: each simulated program's :class:`~workbench.simulate.SimulationResult`, by id, in ``order``;
    ``skipped``: programs nobody was matched in, with why; ``total``: the all-programs result (``None`` when
    no program has participants or the run was cancelled); ``overlap``: people taking part in more than one
    program.
    """

    mode: str
    order: tuple[str, ...]
    match: ProgramsMatch
    results: dict[str, SimulationResult]
    skipped: dict[str, str]
    total: SimulationResult | None
    runs: int
    seed: int
    horizon_months: int
    overlap: int = 0
    cancelled: bool = False
    designs: dict[str, str] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """One row per program, then the all-programs row: ``program``, ``name``, ``mentees`` (in the pool; in
        the all-programs row, each person once),
        ``participants``, ``exits_avoided`` with ``exits_avoided_low``/``_high`` (95% interval, people),
        ``cost`` (expected, currency), ``roi`` with ``roi_low``/``roi_high`` (ratio), ``budget`` and
        ``p_within_budget`` (0-1, blank without a budget), ``note`` (why a program was not simulated)."""
        summary = self.match.summary.set_index("program")
        rows = []
        for p in self.order:
            row = {"program": p, "name": self.designs.get(p, summary.loc[p, "name"]),
                   "mentees": int(summary.loc[p, "mentees"]), **_figures(self.results.get(p)),
                   "note": self.skipped.get(p, "")}
            rows.append(row)
        if self.total is not None:
            pools = [set(r.pool.mentees["person_id"]) for r in self.match.results.values()]
            rows.append({"program": ALL_PROGRAMS, "name": "", "mentees": len(set().union(*pools)),
                         **_figures(self.total), "note": _overlap_note(self.overlap)})
        return pd.DataFrame(rows)

    def to_json(self) -> dict:
        """Each program's result (with its budget check), the programs not simulated and the total, as JSON."""
        def document(result: SimulationResult) -> dict:
            out = result.to_json()
            budget = budget_check(result)
            if budget is not None:
                out["budget"] = budget
            return out

        return {"schema_version": 1, "mode": self.mode, "order": list(self.order), "runs": self.runs,
                "seed": self.seed, "horizon_months": self.horizon_months, "means": FORECAST_MEANS,
                "matching": self.match.summary.to_dict("records"),
                "programs": {p: document(r) for p, r in self.results.items()},
                "not_simulated": dict(self.skipped), "people_in_several_programs": self.overlap,
                "all_programs": None if self.total is None else document(self.total)}


def _figures(result: SimulationResult | None) -> dict:
    blank = {"participants": 0, "exits_avoided": np.nan, "exits_avoided_low": np.nan, "exits_avoided_high": np.nan,
             "cost": np.nan, "roi": np.nan, "roi_low": np.nan, "roi_high": np.nan, "budget": np.nan,
             "p_within_budget": np.nan}
    if result is None:
        return blank
    kpis = result.kpis().set_index("kpi")
    exits, roi = kpis.loc["exits"], kpis.loc["roi"]
    budget = budget_check(result) or {}
    return {"participants": int(result.cohort["participants"]), "exits_avoided": -exits["difference_mean"],
            "exits_avoided_low": -exits["difference_high"], "exits_avoided_high": -exits["difference_low"],
            "cost": kpis.loc["cost", "participants_mean"], "roi": roi["participants_mean"],
            "roi_low": roi["participants_low"], "roi_high": roi["participants_high"],
            "budget": budget.get("budget", np.nan), "p_within_budget": budget.get("p_within", np.nan)}


def _overlap_note(overlap: int) -> str:
    if not overlap:
        return ""
    return (f"{overlap:,} {'person takes' if overlap == 1 else 'people take'} part in more than one program and "
            "count in each")


def _nobody(result: MatchResult) -> str:
    reasons = result.unmatched.loc[result.unmatched["role"].ne("mentor"), "reason"]
    why = f" (most often: {reasons.value_counts().index[0]})" if len(reasons) else ""
    return f"nobody is matched in it{why}, so it is not simulated"


def _budgets(designs: Mapping[str, ProgramDesign], simulated: Sequence[str]) -> dict:
    """The total budget when every simulated program has one (else none), in their currency."""
    limits = [designs[p].align.constraints for p in simulated]
    currency = next((c.currency for c in limits if c.currency), "")
    if not limits or any(c.budget is None for c in limits):
        return {"budget": None, "currency": currency}
    return {"budget": float(sum(c.budget for c in limits)), "currency": currency}


def simulate_programs(tables: Mapping[str, pd.DataFrame], designs: Mapping[str, ProgramDesign], *,
                      mode: str = "joint", order: Sequence[str] | None = None,
                      programs: Sequence[str] | None = None, runs: int = 1000, seed: int = 0,
                      horizon_months: int | None = None, cohort: str | None = None,
                      progress: Progress | None = None,
                      cancel: threading.Event | Callable[[], bool] | None = None) -> ProgramsForecast:
    """Match the programs ``designs`` (id -> design) together and simulate each, then all of them.

    ``mode``, ``order``, ``programs`` and ``cohort`` as for :func:`workbench.matching.match_programs` (its
    errors too: an unknown order, a program without eligible mentors); programs whose designs name different
    currencies are refused (their costs cannot be added). ``runs`` Monte Carlo runs per program,
    ``seed`` as for :func:`workbench.whatif.run_scenarios`; ``horizon_months`` (1-60) defaults to the longest
    program's length, at least 12. ``progress(done, total, message)`` after each step; ``cancel`` is checked
    between programs (the forecast then says ``cancelled`` and has no total). Same inputs, same result.
    """
    if runs < 2:
        raise WorkbenchError("A simulation needs at least 2 runs.")
    horizon = horizon_months if horizon_months is not None else max(
        [12, *(d.experience.duration_months for d in designs.values())])
    if not 1 <= horizon <= 60:
        raise WorkbenchError(f"The horizon must be 1 to 60 months, not {horizon}.")
    currencies = {p: d.align.constraints.currency for p, d in designs.items() if d.align.constraints.currency}
    if len(set(currencies.values())) > 1:
        raise WorkbenchError("The programs state their costs in different currencies ("
                             + ", ".join(f"{p}: {c}" for p, c in currencies.items()) + "), so their costs cannot be "
                             "added up: set the same align.constraints.currency in every program's design.")
    total_steps = 1 + len(designs)
    found = match_programs(tables, designs, mode=mode, order=order, programs=programs, seed=seed, cohort=cohort)
    if progress is not None:
        progress(1, total_steps, "matched every program")
    elsewhere = _hours_elsewhere(found, designs)
    results: dict[str, SimulationResult] = {}
    cohorts: dict[str, Cohort] = {}
    skipped: dict[str, str] = {}
    cancelled = False
    for step, p in enumerate(found.order, start=2):
        if _cancelled(cancel):
            cancelled = True
            break
        built = cohort_from_match(found.results[p], tables)
        if built.size == 0:
            skipped[p] = _nobody(found.results[p])
        else:
            cohorts[p] = dataclasses.replace(built, mentor_hours_elsewhere=elsewhere[p])
            results[p] = simulate_scenario(cohorts[p], designs[p], Scenario(p, stream=program_stream(p)),
                                           runs=runs, seed=seed, horizon_months=horizon)
        if progress is not None:
            progress(step, total_steps, f"simulated {p}")
    taking_part = Counter(who for c in cohorts.values() for who in set(c.mentees["person_id"]))
    overlap = sum(1 for k in taking_part.values() if k > 1)
    total = None
    if results and not cancelled:
        settings = {"programs": list(results), "not_simulated": sorted(skipped), "mode": found.mode,
                    "order": list(found.order), **_budgets(designs, list(results)),
                    "mentor_hours_elsewhere": {p: elsewhere[p] for p in results}}
        total = combine_programs(results, cohorts, settings=settings)
    return ProgramsForecast(mode=found.mode, order=found.order, match=found, results=results, skipped=skipped,
                            total=total, runs=runs, seed=seed, horizon_months=horizon, overlap=overlap,
                            cancelled=cancelled, designs={p: d.name for p, d in designs.items()})
