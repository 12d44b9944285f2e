"""The outcome model: Monte Carlo runs of a cohort through the program, in continuous time (months).

For each run and each participant (one matched mentee of :mod:`.cohort`):

1. **Relationship quality** ``q`` in [0, 1]: ``quality_base + quality_per_score
   x (score - 0.5)``, plus ``quality_training`` (scaled by the mentors' and
   mentees' training hours, up to 4 hours), plus ``quality_input`` when
   participants have a say in matching, plus the structure's term, plus
   normal noise (``quality_noise``); clipped to [0, 1].
2. **Early closure**: a constant monthly hazard such that a pair of quality
   0.5 closes before the end of the program with probability
   ``early_closure``, scaled by ``(1 - q) / 0.5``. With no-fault re-matching
   (``support.rematching``), a share ``rematch_share`` of closed mentees get
   a new partner a month later (new quality draw) for the rest of the program.
3. **Meetings** held: Poisson with mean ``cadence x months active x meeting
   rate``, the rate moving from ``meeting_rate_low`` (q = 0) to
   ``meeting_rate_high`` (q = 1); meetings stop when the mentee leaves.
4. **Exits**: the participant's own baseline hazard (:mod:`.baseline`, per
   person-year, so ``/12`` per month) times ``1 - turnover_reduction x e(t)``,
   where the effect ``e(t)`` is the relationship's quality, ramping up over
   ``maturity_months`` and fading over ``carryover_months`` after it ends (a
   poor match is close to no match). The time of exit is drawn exactly for
   this time-varying hazard by thinning (:func:`_event_times`).
5. **Promotion**: ``promotion_rate`` per person-year times ``1 +
   promotion_uplift x e(t)``, while employed (thinning again).
6. **Skills**: gap levels closed = ``skill_per_meeting x meetings x coverage
   x quality + skill_natural x months employed``, at most the gap.
7. **Costs** (currency): meeting hours of mentees and mentors (a mentor's hour
   is shared by the group), training hours, coordinator hours per pair-month,
   tool cost per participant-month; an hour costs ``annual salary / 1,760``.
   **ROI** = (exits avoided x replacement multiple x salary - cost) / cost.

The **comparison group** is simulated alongside from the same baseline: as
many eligible non-participants with the participants' own exit hazards (so
the same mix of level and department), independent draws, no program (exits,
promotion and natural skill growth only). Every effect is reported as
participants minus comparison.

Runs are processed in chunks; the draws come from one
``numpy.random.Generator`` per simulation, seeded by a ``SeedSequence``, and
the chunk size depends only on the inputs, so the same inputs give the same
result on any machine or executor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
import pandas as pd

from workbench.simulate.cohort import GROUP_COLUMNS, Cohort
from workbench.simulate.parameters import resolve
from workbench.simulate.result import KPIS, Z95, SimulationResult

#: Scheduled meetings per month for each cadence.
CADENCE_PER_MONTH = {"weekly": 52 / 12, "fortnightly": 26 / 12, "monthly": 1.0}
#: Paid hours in a year (hourly cost = annual salary / HOURS_PER_YEAR).
HOURS_PER_YEAR = 1760.0
#: Participant-runs processed at a time (bounds memory: a few hundred bytes each at the peak).
CHUNK_CELLS = 2_000_000
#: Matching methods in which participants have a say.
PARTICIPANT_INPUT = ("mentee_choice", "suggested", "blended")


@dataclass(frozen=True)
class Inputs:
    """Everything a run needs, as arrays over participants, and the scalar settings."""

    score: np.ndarray
    coverage: np.ndarray
    gap: np.ndarray
    exit_hazard: np.ndarray  # per month
    duration: int
    horizon: int
    cadence: float
    meeting_hours: float
    mentor_share: float  # mentor hours per mentee hour
    structure_term: float
    training_term: float
    input_term: float
    rematch: bool
    params: dict
    mentors: int
    pairs: float
    training_hours: float
    salary: float
    hourly: float


def prepare(cohort: Cohort, design: ProgramDesign, parameters: dict | None = None,
            horizon_months: int | None = None) -> Inputs:
    """The engine's inputs for ``cohort`` under ``design`` with parameter ``overrides``."""
    exp, ev = design.experience, design.evaluate
    given = dict(parameters or {})
    if ev.average_salary and "annual_salary" not in given:
        given["annual_salary"] = min(max(ev.average_salary, 35000.0), 100000.0)
    if "replacement_multiple" not in given:
        given["replacement_multiple"] = min(max(ev.replacement_cost_multiple, 0.5), 2.0)
    p = resolve(given)
    duration = exp.duration_months
    horizon = horizon_months if horizon_months is not None else max(12, duration)
    if not 1 <= horizon <= 60:
        raise WorkbenchError(f"The horizon must be 1 to 60 months, not {horizon}.")
    m = cohort.mentees
    structure_term = {"group": p["quality_structure_group"], "peer": p["quality_structure_peer"],
                      "flash": p["quality_structure_flash"]}.get(cohort.structure, 0.0)
    hours = min(exp.mentor_training_hours, 4.0) / 4.0 * 0.5 + min(exp.mentee_training_hours, 4.0) / 4.0 * 0.5
    has_input = exp.matching_method in PARTICIPANT_INPUT or exp.criteria.get("preferences", 0) > 0
    peer = cohort.structure == "peer"
    mentor_share = 0.0 if peer else 1.0 / max(cohort.group_size, 1.0)
    pairs = len(m) / 2 if peer else len(m) / max(cohort.group_size, 1.0)
    training = len(m) * exp.mentee_training_hours + cohort.mentors * exp.mentor_training_hours
    salary = p["annual_salary"]
    return Inputs(
        score=m["score"].to_numpy(dtype=np.float64), coverage=m["coverage"].to_numpy(dtype=np.float64),
        gap=m["gap_levels"].to_numpy(dtype=np.float64), exit_hazard=m["exit_hazard"].to_numpy(dtype=np.float64) / 12,
        duration=duration, horizon=horizon, cadence=CADENCE_PER_MONTH[exp.cadence],
        meeting_hours=exp.meeting_minutes / 60, mentor_share=mentor_share, structure_term=structure_term,
        training_term=p["quality_training"] * hours, input_term=p["quality_input"] if has_input else 0.0,
        rematch=design.support.rematching == "no_fault", params=p, mentors=cohort.mentors, pairs=pairs,
        training_hours=training, salary=salary,
        hourly=salary / HOURS_PER_YEAR if design.evaluate.average_salary else p["hourly_cost"])


def _effect(t: np.ndarray, start: np.ndarray, end: np.ndarray, quality: np.ndarray, maturity: float,
            carryover: float) -> np.ndarray:
    """Effect at times ``t`` (months) of relationships from ``start`` to ``end`` of ``quality`` (all same shape)."""
    ramp = np.clip((np.minimum(t, end) - start) / maturity, 0, 1)
    after = t >= end
    if carryover > 0:
        fade = np.clip(1 - (t - end) / carryover, 0, 1)
    else:
        fade = np.zeros_like(t)
    return quality * ramp * np.where(after, fade, 1.0)


class _Relationships:
    """Up to two relationships per participant (the second after a re-match) and their effect at any time."""

    def __init__(self, end1, q1, start2, end2, q2, p: dict) -> None:
        self.end1, self.q1, self.start2, self.end2, self.q2 = end1, q1, start2, end2, q2
        self.maturity, self.carryover = p["maturity_months"], p["carryover_months"]

    def at(self, t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Effect at times ``t`` for the flat participant-run indices ``idx``."""
        first = _effect(t, 0.0, self.end1[idx], self.q1[idx], self.maturity, self.carryover)
        second = _effect(t, self.start2[idx], self.end2[idx], self.q2[idx], self.maturity, self.carryover)
        return np.maximum(first, second)


def _event_times(rng: np.random.Generator, base: np.ndarray, ceiling: float, accept, stop: np.ndarray) -> np.ndarray:
    """First event of a hazard ``base x factor(t)`` (``factor <= ceiling``) before ``stop``, by thinning; inf if none.

    Candidates come at rate ``base x ceiling``; one at time ``t`` is kept with
    probability ``factor(t) / ceiling``, computed by ``accept(t, idx)``
    (Lewis and Shedler's thinning: exact for any bounded hazard).
    """
    t = np.zeros(base.shape)
    found = np.full(base.shape, np.inf)
    idx = np.flatnonzero(base > 0)
    rate = base * ceiling
    while len(idx):
        t[idx] += rng.standard_exponential(len(idx)) / rate[idx]
        idx = idx[t[idx] < stop[idx]]
        if not len(idx):
            break
        keep = rng.random(len(idx)) * ceiling < accept(t[idx], idx)
        found[idx[keep]] = t[idx[keep]]
        idx = idx[~keep]
    return found


def run_chunk(x: Inputs, rng: np.random.Generator, runs: int) -> dict[str, np.ndarray]:
    """``runs`` runs: per-run KPI arrays (participants ``*_p``, comparison ``*_c``) and monthly survival counts."""
    p, n, D, H = x.params, len(x.score), float(x.duration), x.horizon
    shape = (runs, n)
    size = runs * n
    mu = np.broadcast_to(p["quality_base"] + p["quality_per_score"] * (x.score - 0.5) + x.training_term
                         + x.input_term + x.structure_term, shape).ravel()
    q1 = np.clip(mu + p["quality_noise"] * rng.standard_normal(size), 0, 1)
    close_rate = -np.log1p(-p["early_closure"]) / D * (1 - q1) / 0.5
    with np.errstate(divide="ignore"):
        t_close = rng.standard_exponential(size) / close_rate
    closed = t_close < D
    end1 = np.where(closed, t_close, D)
    rematched = closed & (rng.random(size) < (p["rematch_share"] if x.rematch else 0.0)) & (t_close + 1 < D)
    q2 = np.clip(mu + p["quality_noise"] * rng.standard_normal(size), 0, 1)
    start2 = np.where(rematched, t_close + 1, D)
    end2 = np.where(rematched, D, -1.0)
    rel = _Relationships(end1, q1, start2, end2, q2, p)

    h0 = np.broadcast_to(x.exit_hazard, shape).ravel()
    horizon = np.full(size, float(H))
    reduction = p["turnover_reduction"]
    exit_t = _event_times(rng, h0, 1.0, lambda t, i: 1 - reduction * rel.at(t, i), horizon)
    employed = np.minimum(exit_t, H)
    uplift = p["promotion_uplift"]
    promo_base = np.full(size, p["promotion_rate"] / 12)
    promoted = np.isfinite(_event_times(rng, promo_base, 1 + uplift, lambda t, i: 1 + uplift * rel.at(t, i),
                                        employed))

    low, high = p["meeting_rate_low"], p["meeting_rate_high"]
    in_program = np.minimum(employed, D)
    active1 = np.minimum(end1, in_program)
    active2 = np.where(rematched, np.clip(in_program - start2, 0, None), 0.0)
    meetings = rng.poisson(x.cadence * ((low + (high - low) * q1) * active1 + (low + (high - low) * q2) * active2))
    active = active1 + active2
    quality = np.where(active > 0, (q1 * active1 + q2 * active2) / np.maximum(active, 1e-12), q1)
    coverage = np.broadcast_to(x.coverage, shape).ravel()
    gap = np.broadcast_to(x.gap, shape).ravel()
    closed_levels = np.minimum(p["skill_per_meeting"] * meetings * coverage * quality + p["skill_natural"] * employed,
                               gap)

    # comparison group: the same hazards, no program, independent draws
    exit0 = rng.standard_exponential(size) / h0
    employed0 = np.minimum(exit0, H)
    promoted0 = rng.standard_exponential(size) / (p["promotion_rate"] / 12) < employed0
    closed0 = np.minimum(p["skill_natural"] * employed0, gap)

    def per_run(values: np.ndarray) -> np.ndarray:
        return values.reshape(shape).mean(axis=1)

    stayed, stayed0 = (exit_t >= H).reshape(shape), (exit0 >= H).reshape(shape)
    gap_total = max(float(x.gap.sum()), 1e-12)
    hours = meetings.reshape(shape).sum(axis=1) * x.meeting_hours * (1 + x.mentor_share)
    coordinator = p["coordinator_hours"] * x.pairs * D
    cost = (hours + x.training_hours + coordinator) * x.hourly + p["tool_cost"] * (n + x.mentors) * D
    exits_p = (~stayed).sum(axis=1).astype(np.float64)
    exits_c = (~stayed0).sum(axis=1).astype(np.float64)
    benefit = (exits_c - exits_p) * p["replacement_multiple"] * x.salary
    return {
        "retention_p": stayed.mean(axis=1), "retention_c": stayed0.mean(axis=1),
        "exits_p": exits_p, "exits_c": exits_c,
        "promotion_p": per_run(promoted), "promotion_c": per_run(promoted0),
        "skill_gap_closed_p": closed_levels.reshape(shape).sum(axis=1) / gap_total,
        "skill_gap_closed_c": closed0.reshape(shape).sum(axis=1) / gap_total,
        "meetings_p": per_run(meetings), "early_closure_p": per_run(closed),
        "rematched_p": per_run(rematched), "quality_p": per_run(quality),
        "cost_p": cost, "benefit_p": benefit, "roi_p": (benefit - cost) / np.maximum(cost, 1e-9),
        "stayed_p": stayed, "stayed_c": stayed0,  # per person, reduced by the caller
        "survival_p": _survivors(exit_t, H)[None, :], "survival_c": _survivors(exit0, H)[None, :],
    }


def _survivors(exit_t: np.ndarray, horizon: int) -> np.ndarray:
    """How many are still employed at the end of months 1..horizon."""
    left = np.bincount(np.floor(exit_t[exit_t < horizon]).astype(np.int64), minlength=horizon)[:horizon]
    return len(exit_t) - np.cumsum(left)


def chunk_runs(n_people: int) -> int:
    """Runs per chunk: a function of the inputs only, so results never depend on the machine."""
    return max(1, CHUNK_CELLS // max(1, n_people))


def simulate(cohort: Cohort, design: ProgramDesign, *, runs: int = 1000, seed: int | np.random.SeedSequence = 0,
             parameters: dict | None = None, horizon_months: int | None = None,
             name: str = "design") -> SimulationResult:
    """Simulate ``runs`` runs of ``cohort`` through ``design``; see the module docstring.

    ``parameters`` overrides model parameters (:data:`.parameters.PARAMETERS`,
    in range); ``horizon_months`` defaults to the longer of 12 months and the
    program. ``seed`` is an int or a ``SeedSequence`` (what-if gives each
    scenario its own).
    """
    if runs < 2:
        raise WorkbenchError("A simulation needs at least 2 runs.")
    if cohort.size == 0:
        raise WorkbenchError("Nobody is matched under this design, so there is no one to simulate: check the "
                             "matching page for the reasons.")
    x = prepare(cohort, design, parameters, horizon_months)
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(int(seed))
    rng = np.random.default_rng(sequence)
    n, per = cohort.size, chunk_runs(cohort.size)
    codes = {}
    for column in GROUP_COLUMNS:
        values = cohort.mentees[column].astype(str).replace("", "(blank)")
        labels, code = np.unique(values.to_numpy(), return_inverse=True)
        onehot = np.zeros((n, len(labels)))
        onehot[np.arange(n), code] = 1
        codes[column] = (labels, onehot, onehot.sum(axis=0))
    parts: dict[str, list] = {}
    group_runs: dict[str, list] = {c: [] for c in codes}
    for start in range(0, runs, per):
        out = run_chunk(x, rng, min(per, runs - start))
        for column, (_, onehot, counts) in codes.items():
            group_runs[column].append(np.stack([(out["stayed_p"] @ onehot) / counts,
                                                (out["stayed_c"] @ onehot) / counts]))
        for key, value in out.items():
            if not key.startswith("stayed"):
                parts.setdefault(key, []).append(value)
    joined = {k: np.concatenate(v) for k, v in parts.items()}
    runs_kpis = {kpi: (joined[f"{kpi}_p"], joined.get(f"{kpi}_c")) for kpi in KPIS}
    groups = {}
    for column, (labels, _, counts) in codes.items():
        both = np.concatenate(group_runs[column], axis=1)  # [2, runs, groups]
        diff = both[0] - both[1]
        se = diff.std(axis=0, ddof=1) / np.sqrt(runs)
        groups[column] = pd.DataFrame({
            column: labels, "participants": counts.astype(int), "retention": both[0].mean(axis=0),
            "comparison": both[1].mean(axis=0), "difference": diff.mean(axis=0),
            "low": diff.mean(axis=0) - Z95 * se, "high": diff.mean(axis=0) + Z95 * se})
    months = np.arange(1, x.horizon + 1)
    survival = pd.DataFrame({"month": months, "participants": joined["survival_p"].sum(axis=0) / (runs * n),
                             "comparison": joined["survival_c"].sum(axis=0) / (runs * n)})
    exp = design.experience
    settings = {"structure": cohort.structure, "duration_months": exp.duration_months, "cadence": exp.cadence,
                "meeting_minutes": exp.meeting_minutes, "rematching": design.support.rematching,
                "mentor_training_hours": exp.mentor_training_hours,
                "mentee_training_hours": exp.mentee_training_hours, "matching_method": exp.matching_method}
    return SimulationResult(
        name=name, runs=runs, seed={"entropy": sequence.entropy, "spawn_key": list(sequence.spawn_key)},
        horizon_months=x.horizon, parameters=dict(x.params), settings=settings,
        cohort={"participants": n, "mentors": cohort.mentors, "unmatched_mentees": cohort.unmatched,
                "group_size": cohort.group_size},
        runs_kpis=runs_kpis, groups=groups, survival=survival)
