"""The outcome model: Monte Carlo runs of a cohort through the program, in continuous time (months).

For each run and each participant (one matched mentee of :mod:`.cohort`):

1. **Relationship quality** ``q`` in [0, 1]: ``quality_base + quality_per_score
   x (score - 0.5)`` (the matching actually made), plus **contact**:
   ``quality_contact x h / (h + contact_half_hours)`` with ``h`` the hours of
   meetings per month the design schedules and the mentors have time for
   (step 3), plus **training**: ``quality_training x (0.5 x f(mentor hours) +
   0.5 x f(mentee hours))`` with ``f(x) = 1 - exp(-x / training_scale_hours)``,
   plus ``quality_input`` when participants have a say in matching,
   ``quality_goals`` when pairs set goals, ``quality_guides`` with session
   guides, plus the structure's term, plus normal noise (``quality_noise``);
   clipped to [0, 1]. Contact and training have diminishing returns.
2. **Early closure**: a constant monthly hazard such that a pair of quality
   0.5 closes before the end of the program with probability
   ``early_closure``, scaled by ``(1 - q) / 0.5``, times ``closure_manual``
   when an administrator matches by hand, times ``1 - closure_agreement`` with
   a written agreement, times ``1 - closure_check_in x c`` with check-ins
   (``c`` = 1 monthly, 1/3 quarterly, times the share of the coordinator hours
   needed, ``coordinator_hours`` per pair-month, that the design's
   ``coordinator_hours_per_month`` provides). With no-fault re-matching
   (``support.rematching``), a share ``rematch_share`` of closed mentees get a
   new partner (new quality draw) for the rest of the program, after a
   **detection delay**: half the check-in interval (stretched when the
   coordinator is short of hours) or the inactivity rule's days, whichever
   is sooner, plus ``rematch_setup_months``.
3. **Meetings** held: Poisson with mean ``cadence x t x months active x
   meeting rate``, the rate moving from ``meeting_rate_low`` (q = 0) to
   ``meeting_rate_high`` (q = 1); ``t`` is the share of scheduled meetings
   the mentors have time for: when a mentor's scheduled hours per month
   (cadence x meeting length x mentees met one by one) exceed the design's
   ``mentor_hours_per_month``, the hours beyond it take place at
   ``unfunded_meeting_share``; a mentor's meetings in the workspace's other
   programs (``Cohort.mentor_hours_elsewhere``) add to their scheduled hours.
   Meetings stop when the mentee leaves.
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
   is shared by the group), training hours, coordinator hours per pair-month
   (at most the hours the design provides), tool cost per
   participant-month; an hour costs ``annual salary / 1,760``.
   **ROI** = (exits avoided x replacement multiple x salary - cost) / cost.

So cadence and meeting length reach retention, promotion and skills through
contact and quality; training, goals, guides and participants' say through
quality; agreements, hand matching, check-ins and coordinator time through
early closure; re-matching, check-ins and the inactivity rule through the
second relationship. :mod:`workbench.simulate.mechanisms` lists every design
decision with the mechanism it enters by, or why the model leaves it out.

The **comparison group** is simulated alongside from the same baseline: as
many eligible non-participants with the participants' own exit hazards (so
the same mix of level and department), independent draws, no program (exits,
promotion and natural skill growth only). Every effect is reported as
participants minus comparison.

Runs are processed in chunks of about :data:`CHUNK_CELLS` participant-runs (small enough to stay
in the processor's cache), in single precision (times in months, qualities and hazards need no more;
counts and sums over runs are exact or double precision). Each part of the model draws from its own
stream (:data:`STREAMS`), a ``numpy.random.Generator`` seeded by a child of the simulation's
``SeedSequence`` (entropy and spawn key, plus the stream's number; the caller's sequence is never
advanced), so a change to one part (say, the turnover effect) leaves the others' draws as they were:
scenarios compared with the same seed share their random numbers wherever the model allows. Rare
events draw only for the cases that need them (re-matches, thinning candidates). The chunk size is a
constant of the code, never of the machine, so the same inputs give the same result on any machine
or executor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.simulate.cohort import GROUP_COLUMNS, Cohort
from workbench.simulate.parameters import resolve
from workbench.simulate.result import KPIS, Z95, SimulationResult

#: Scheduled meetings per month for each cadence.
CADENCE_PER_MONTH = {"weekly": 52 / 12, "fortnightly": 26 / 12, "monthly": 1.0}
#: Paid hours in a year (hourly cost = annual salary / HOURS_PER_YEAR).
HOURS_PER_YEAR = 1760.0
#: Participant-runs processed at a time: a few hundred kilobytes per array, so a chunk stays in cache.
CHUNK_CELLS = 65_536
#: The model's random streams, one generator each (see the module docstring).
STREAMS = ("quality", "closure", "rematch", "exits", "promotion", "meetings", "comparison")
F32 = np.float32
#: Matching methods in which participants have a say.
PARTICIPANT_INPUT = ("mentee_choice", "suggested", "blended")
#: Share of ``closure_check_in`` each check-in rhythm gives, and months between check-ins.
CHECK_IN_STRENGTH = {"monthly": 1.0, "quarterly": 1 / 3, "none": 0.0}
CHECK_IN_MONTHS = {"monthly": 1.0, "quarterly": 3.0, "none": float("inf")}
#: Days in an average month.
DAYS_PER_MONTH = 365.25 / 12
#: Structures whose mentors meet their mentees together (one meeting per group), and without a mentor.
MEET_AS_GROUP = ("group",)
NO_MENTOR = ("peer",)


@dataclass(frozen=True)
class Inputs:
    """Everything a run needs, as arrays over participants, and the scalar settings."""

    score: np.ndarray
    coverage: np.ndarray
    gap: np.ndarray
    exit_hazard: np.ndarray  # per month
    duration: int
    horizon: int
    cadence: float  # meetings per month the mentors have time for (scheduled x time_share)
    meeting_hours: float
    mentor_share: float  # mentor hours per mentee hour
    structure_term: float
    training_term: float
    input_term: float
    contact_term: float
    practice_term: float  # goals and session guides
    closure_factor: float  # multiplies the early-closure hazard
    rematch_delay: float  # months from a closure to the second relationship
    rematch: bool
    params: dict
    mentors: int
    pairs: float
    training_hours: float
    coordinator_share: float  # share of the coordinator hours needed that the design provides
    salary: float
    hourly: float
    mechanisms: dict  # the derived figures above, for the result's settings


def _saturating_training(hours: float, scale: float) -> float:
    return 1.0 - float(np.exp(-max(hours, 0.0) / scale))


def mentor_time_share(scheduled_hours: float, given_hours: float, unfunded_share: float) -> float:
    """Share of a mentor's scheduled meeting hours per month that take place when ``given_hours`` are given.

    Hours within ``given_hours`` all take place, those beyond it at ``unfunded_share``; 1 when nothing is scheduled.
    """
    if scheduled_hours <= 0 or scheduled_hours <= given_hours:
        return 1.0
    return (given_hours + unfunded_share * (scheduled_hours - given_hours)) / scheduled_hours


def scheduled_mentor_hours(design: ProgramDesign, group_size: float, structure: str) -> float:
    """A mentor's scheduled meeting hours per month: cadence x meeting length x the mentees met one by one
    (``group_size`` of them; 1 for a group that meets together, 0 for peers)."""
    apart = 0.0 if structure in NO_MENTOR else (1.0 if structure in MEET_AS_GROUP else max(group_size, 1.0))
    return CADENCE_PER_MONTH[design.experience.cadence] * design.experience.meeting_minutes / 60 * apart


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
    scale = p["training_scale_hours"]
    training = 0.5 * _saturating_training(exp.mentor_training_hours, scale) \
        + 0.5 * _saturating_training(exp.mentee_training_hours, scale)
    has_input = exp.matching_method in PARTICIPANT_INPUT or exp.criteria.get("preferences", 0) > 0
    peer = cohort.structure in NO_MENTOR
    mentor_share = 0.0 if peer else 1.0 / max(cohort.group_size, 1.0)
    pairs = len(m) / 2 if peer else len(m) / max(cohort.group_size, 1.0)
    # mentor time: meetings the mentors have time for
    scheduled = CADENCE_PER_MONTH[exp.cadence]
    hours = exp.meeting_minutes / 60
    mentor_hours = scheduled_mentor_hours(design, cohort.group_size, cohort.structure)
    # a mentor in several programs gives this design's hours to all of them: their other meetings count too
    time_share = mentor_time_share(mentor_hours + cohort.mentor_hours_elsewhere,
                                   design.support.mentor_hours_per_month, p["unfunded_meeting_share"])
    contact = scheduled * time_share * hours
    # coordinator time: check-ins and detection of pairs gone quiet
    needed = p["coordinator_hours"] * pairs
    given = design.align.constraints.coordinator_hours_per_month
    coordinator_share = 1.0 if given is None or needed <= 0 else min(1.0, given / needed)
    check_in = design.support.check_in
    closure_factor = (p["closure_manual"] if exp.matching_method == "admin" else 1.0) \
        * (1 - p["closure_agreement"] * exp.agreement) \
        * (1 - p["closure_check_in"] * CHECK_IN_STRENGTH[check_in] * coordinator_share)
    interval = CHECK_IN_MONTHS[check_in] / max(coordinator_share, 1e-9)
    detection = min(interval / 2, design.support.inactivity_days / DAYS_PER_MONTH)
    rematch_delay = detection + p["rematch_setup_months"]
    trained = len(m) * exp.mentee_training_hours + cohort.mentors * exp.mentor_training_hours
    salary = p["annual_salary"]
    contact_term = p["quality_contact"] * contact / (contact + p["contact_half_hours"])
    practice_term = p["quality_goals"] * exp.goal_setting + p["quality_guides"] * exp.session_guides
    mechanisms = {"scheduled_meetings_per_month": scheduled, "mentor_hours_per_month_scheduled": mentor_hours,
                  "meetings_mentors_have_time_for": time_share, "contact_hours_per_month": contact,
                  "coordinator_hours_share": coordinator_share, "early_closure_factor": closure_factor,
                  "rematch_delay_months": rematch_delay,
                  "quality_terms": {"contact": contact_term, "training": p["quality_training"] * training,
                                    "participant_input": p["quality_input"] if has_input else 0.0,
                                    "goals_and_guides": practice_term, "structure": structure_term}}
    if cohort.mentor_hours_elsewhere:
        mechanisms["mentor_hours_per_month_other_programs"] = cohort.mentor_hours_elsewhere
    return Inputs(
        score=m["score"].to_numpy(dtype=np.float64), coverage=m["coverage"].to_numpy(dtype=np.float64),
        gap=m["gap_levels"].to_numpy(dtype=np.float64), exit_hazard=m["exit_hazard"].to_numpy(dtype=np.float64) / 12,
        duration=duration, horizon=horizon, cadence=scheduled * time_share,
        meeting_hours=hours, mentor_share=mentor_share, structure_term=structure_term,
        training_term=p["quality_training"] * training, input_term=p["quality_input"] if has_input else 0.0,
        contact_term=contact_term, practice_term=practice_term, closure_factor=closure_factor,
        rematch_delay=rematch_delay, rematch=design.support.rematching == "no_fault", params=p,
        mentors=cohort.mentors, pairs=pairs, training_hours=trained, coordinator_share=coordinator_share,
        salary=salary, hourly=salary / HOURS_PER_YEAR if design.evaluate.average_salary else p["hourly_cost"],
        mechanisms=mechanisms)


@dataclass(frozen=True, eq=False)
class _Static:
    """Per-participant arrays and constants in the engine's working precision, computed once per simulation."""

    n: int
    mu: np.ndarray  # mean quality before noise
    h0: np.ndarray  # exit hazard per month
    coverage: np.ndarray
    gap: np.ndarray
    codes: dict  # group column -> (labels, code per participant, participants per label)
    D: np.float32
    H: np.float32


def _static(x: Inputs, codes: dict) -> _Static:
    p = x.params
    mu = p["quality_base"] + p["quality_per_score"] * (x.score - 0.5) + x.contact_term + x.training_term \
        + x.input_term + x.practice_term + x.structure_term
    return _Static(n=len(x.score), mu=mu.astype(F32), h0=x.exit_hazard.astype(F32), coverage=x.coverage.astype(F32),
                   gap=x.gap.astype(F32), codes=codes, D=F32(x.duration), H=F32(x.horizon))


def _generator(sequence: np.random.SeedSequence) -> np.random.Generator:
    """The generator of one stream (a seam: the benchmark wraps it to count the draws)."""
    return np.random.Generator(np.random.PCG64(sequence))


def streams(sequence: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """One generator per :data:`STREAMS` entry, from children of ``sequence`` (which is not advanced)."""
    return {name: _generator(np.random.SeedSequence(sequence.entropy, spawn_key=(*sequence.spawn_key, number),
                                                    pool_size=sequence.pool_size))
            for number, name in enumerate(STREAMS)}


def _effect(t: np.ndarray, start, end, quality: np.ndarray, maturity: float, carryover: float) -> np.ndarray:
    """Effect at times ``t`` (months) of relationships from ``start`` to ``end`` of ``quality``."""
    ramp = np.clip((np.minimum(t, end) - start) * F32(1 / maturity), 0, 1)
    if carryover > 0:
        fade = np.clip(1 - (t - end) * F32(1 / carryover), 0, 1)
        ramp *= np.where(t >= end, fade, F32(1))
    else:
        ramp *= t < end
    return quality * ramp


class _Relationships:
    """Each participant's first relationship, and the second of those re-matched; their effect at any time."""

    def __init__(self, end1: np.ndarray, q1: np.ndarray, rematched: np.ndarray, start2: np.ndarray, q2: np.ndarray,
                 D: np.float32, p: dict) -> None:
        self.end1, self.q1, self.rematched, self.start2, self.q2, self.D = end1, q1, rematched, start2, q2, D
        self.maturity, self.carryover = p["maturity_months"], p["carryover_months"]

    def at(self, t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Effect at times ``t`` for the flat participant-run indices ``idx``: the stronger relationship's."""
        effect = _effect(t, 0, self.end1[idx], self.q1[idx], self.maturity, self.carryover)
        if len(self.rematched):
            pos = np.minimum(np.searchsorted(self.rematched, idx), len(self.rematched) - 1)
            hit = np.flatnonzero(self.rematched[pos] == idx)
            if len(hit):
                j = pos[hit]
                second = _effect(t[hit], self.start2[j], self.D, self.q2[j], self.maturity, self.carryover)
                effect[hit] = np.maximum(effect[hit], second)
        return effect


def _thin(rng: np.random.Generator, first: np.ndarray, rate, ceiling: float, accept, stop) -> tuple[np.ndarray,
                                                                                                 np.ndarray]:
    """First event of a hazard ``base x factor(t)`` (``factor <= ceiling``) before ``stop``, by thinning.

    Candidates come at rate ``base x ceiling`` (``rate(idx)``); ``first``
    holds every case's first candidate time. A candidate at time ``t`` is
    kept with probability ``factor(t) / ceiling``, computed by ``accept(t,
    idx)`` (Lewis and Shedler's thinning: exact for any bounded hazard).
    ``stop`` is a number or one per case. Returns the flat indices of the
    cases with an event and its time.
    """
    limit = (lambda i: stop) if np.ndim(stop) == 0 else (lambda i: stop[i])
    idx = np.flatnonzero(first < stop)
    t = first[idx]
    found_idx, found_t = [], []
    while len(idx):
        keep = rng.random(len(idx), dtype=F32) * F32(ceiling) < accept(t, idx)
        found_idx.append(idx[keep])
        found_t.append(t[keep])
        idx, t = idx[~keep], t[~keep]
        if not len(idx):
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            t = t + rng.standard_exponential(len(idx), dtype=F32) / rate(idx)
        before = t < limit(idx)
        idx, t = idx[before], t[before]
    if not found_idx:
        return np.zeros(0, np.int64), np.zeros(0, F32)
    return np.concatenate(found_idx), np.concatenate(found_t)


def _per_run(idx: np.ndarray, n: int, runs: int) -> np.ndarray:
    """How many of the flat indices ``idx`` fall in each run."""
    return np.bincount(idx // n, minlength=runs).astype(np.float64)


def _group_exits(idx: np.ndarray, st: _Static, runs: int) -> dict[str, np.ndarray]:
    """Exits per run and group: ``[runs, groups]`` for each breakdown column."""
    run, person = np.divmod(idx, st.n)
    out = {}
    for column, (labels, code, _) in st.codes.items():
        k = len(labels)
        out[column] = np.bincount(run * k + code[person], minlength=runs * k).reshape(runs, k)
    return out


def run_chunk(x: Inputs, st: _Static, g: dict[str, np.random.Generator], runs: int) -> dict:
    """``runs`` runs: per-run KPI arrays (participants ``*_p``, comparison ``*_c``), exits per group, survival."""
    p, n, D, H = x.params, st.n, st.D, st.H
    shape = (runs, n)
    noise = F32(p["quality_noise"])

    q1 = g["quality"].standard_normal(shape, dtype=F32)
    q1 *= noise
    q1 += st.mu
    np.clip(q1, 0, 1, out=q1)

    t_close = g["closure"].standard_exponential(shape, dtype=F32)
    close_rate = 1 - q1
    close_rate *= F32(-np.log1p(-p["early_closure"]) / x.duration / 0.5 * x.closure_factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(t_close, close_rate, out=t_close)
    closed = t_close < D  # a pair of quality 1 never closes (0 / 0 is NaN: not closed, and fmin ignores it)
    end1 = np.fmin(t_close, D, out=close_rate)
    flat_close, flat_q1, flat_end1 = t_close.ravel(), q1.ravel(), end1.ravel()
    share = p["rematch_share"] if x.rematch else 0.0
    if share > 0:
        candidates = np.flatnonzero(flat_close < D - F32(x.rematch_delay))
        rematched = candidates[g["rematch"].random(len(candidates), dtype=F32) < F32(share)]
        q2 = g["rematch"].standard_normal(len(rematched), dtype=F32)
        q2 *= noise
        q2 += st.mu[rematched % n]
        np.clip(q2, 0, 1, out=q2)
        start2 = flat_close[rematched] + F32(x.rematch_delay)
    else:
        rematched, q2, start2 = np.zeros(0, np.int64), np.zeros(0, F32), np.zeros(0, F32)
    rel = _Relationships(flat_end1, flat_q1, rematched, start2, q2, D, p)

    with np.errstate(divide="ignore", invalid="ignore"):
        first_exit = g["exits"].standard_exponential(shape, dtype=F32)
        first_exit /= st.h0
    reduction = F32(p["turnover_reduction"])
    h0 = st.h0
    exit_idx, exit_t = _thin(g["exits"], first_exit.ravel(), lambda i: h0[i % n], 1.0,
                             lambda t, i: 1 - reduction * rel.at(t, i), H)
    employed = np.full(shape, H, dtype=F32)
    employed.ravel()[exit_idx] = exit_t

    uplift = p["promotion_uplift"]
    promo_rate = F32(p["promotion_rate"] / 12 * (1 + uplift))
    first_promo = g["promotion"].standard_exponential(shape, dtype=F32)
    first_promo *= 1 / promo_rate
    promo_idx, _ = _thin(g["promotion"], first_promo.ravel(), lambda i: promo_rate, 1 + uplift,
                         lambda t, i: 1 + F32(uplift) * rel.at(t, i), employed.ravel())

    low, span = F32(p["meeting_rate_low"]), F32(p["meeting_rate_high"] - p["meeting_rate_low"])
    in_program = np.minimum(employed, D)
    active1 = np.minimum(end1, in_program, out=end1)  # the relationships are no longer needed
    rate1 = q1 * span
    rate1 += low
    mean_meetings = rate1 * active1
    quality = q1
    if len(rematched):
        active2 = np.maximum(in_program.ravel()[rematched] - start2, 0)
        mean_meetings.ravel()[rematched] += (low + span * q2) * active2
        a1 = active1.ravel()[rematched]
        total = a1 + active2
        mixed = np.where(total > 0, (flat_q1[rematched] * a1 + q2 * active2) / np.maximum(total, F32(1e-12)),
                         flat_q1[rematched])
        quality.ravel()[rematched] = mixed
    mean_meetings *= F32(x.cadence)
    meetings = g["meetings"].poisson(mean_meetings)
    closed_levels = meetings.astype(F32)
    closed_levels *= quality
    closed_levels *= st.coverage
    closed_levels *= F32(p["skill_per_meeting"])
    employed *= F32(p["skill_natural"])
    closed_levels += employed
    np.minimum(closed_levels, st.gap, out=closed_levels)

    # comparison group: the same hazards, no program, independent draws
    with np.errstate(divide="ignore", invalid="ignore"):
        exit0 = g["comparison"].standard_exponential(shape, dtype=F32)
        exit0 /= st.h0
    employed0 = np.fmin(exit0, H)  # no hazard: 0 / 0 is NaN, employed throughout
    promoted0 = g["comparison"].standard_exponential(shape, dtype=F32) < employed0 * F32(p["promotion_rate"] / 12)
    employed0 *= F32(p["skill_natural"])
    closed0 = np.minimum(employed0, st.gap, out=employed0)
    exit0_idx = np.flatnonzero(exit0 < H)

    gap_total = max(float(x.gap.sum()), 1e-12)
    meeting_counts = meetings.sum(axis=1)
    hours = meeting_counts * x.meeting_hours * (1 + x.mentor_share)
    coordinator = p["coordinator_hours"] * x.pairs * x.coordinator_share * x.duration
    cost = (hours + x.training_hours + coordinator) * x.hourly + p["tool_cost"] * (n + x.mentors) * x.duration
    exits_p = _per_run(exit_idx, n, runs)
    exits_c = _per_run(exit0_idx, n, runs)
    benefit = (exits_c - exits_p) * p["replacement_multiple"] * x.salary
    return {
        "retention_p": (n - exits_p) / n, "retention_c": (n - exits_c) / n,
        "exits_p": exits_p, "exits_c": exits_c,
        "promotion_p": _per_run(promo_idx, n, runs) / n,
        "promotion_c": np.count_nonzero(promoted0, axis=1) / n,
        "skill_gap_closed_p": closed_levels.sum(axis=1, dtype=np.float64) / gap_total,
        "skill_gap_closed_c": closed0.sum(axis=1, dtype=np.float64) / gap_total,
        "meetings_p": meeting_counts / n, "early_closure_p": np.count_nonzero(closed, axis=1) / n,
        "rematched_p": _per_run(rematched, n, runs) / n, "quality_p": quality.sum(axis=1, dtype=np.float64) / n,
        "cost_p": cost, "benefit_p": benefit, "roi_p": (benefit - cost) / np.maximum(cost, 1e-9),
        "group_exits_p": _group_exits(exit_idx, st, runs), "group_exits_c": _group_exits(exit0_idx, st, runs),
        "survival_p": _leavers(exit_t, x.horizon), "survival_c": _leavers(exit0.ravel()[exit0_idx], x.horizon),
    }


def _leavers(exit_t: np.ndarray, horizon: int) -> np.ndarray:
    """How many leave in each month 1..horizon (``exit_t`` all before the horizon)."""
    return np.bincount(exit_t.astype(np.int64), minlength=horizon)[:horizon]


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
    generators = streams(sequence)
    n, per = cohort.size, chunk_runs(cohort.size)
    codes = {}
    for column in GROUP_COLUMNS:
        values = cohort.mentees[column].astype(str).replace("", "(blank)")
        labels, code = np.unique(values.to_numpy(), return_inverse=True)
        codes[column] = (labels, code.astype(np.int64), np.bincount(code, minlength=len(labels)).astype(np.float64))
    st = _static(x, codes)
    parts: dict[str, list] = {}
    group_runs: dict[str, list] = {c: [] for c in codes}
    leavers = {"survival_p": np.zeros(x.horizon, np.int64), "survival_c": np.zeros(x.horizon, np.int64)}
    for start in range(0, runs, per):
        out = run_chunk(x, st, generators, min(per, runs - start))
        for column, (_, _, counts) in codes.items():
            group_runs[column].append(np.stack([(counts - out["group_exits_p"][column]) / counts,
                                                (counts - out["group_exits_c"][column]) / counts]))
        for key in leavers:
            leavers[key] += out.pop(key)
        for key, value in out.items():
            if not key.startswith("group_"):
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
    cells = runs * n
    survival = pd.DataFrame({"month": months, "participants": (cells - np.cumsum(leavers["survival_p"])) / cells,
                             "comparison": (cells - np.cumsum(leavers["survival_c"])) / cells})
    exp = design.experience
    settings = {"structure": cohort.structure, "duration_months": exp.duration_months, "cadence": exp.cadence,
                "meeting_minutes": exp.meeting_minutes, "rematching": design.support.rematching,
                "mentor_training_hours": exp.mentor_training_hours,
                "mentee_training_hours": exp.mentee_training_hours, "matching_method": exp.matching_method,
                "goal_setting": exp.goal_setting, "agreement": exp.agreement, "session_guides": exp.session_guides,
                "check_in": design.support.check_in, "inactivity_days": design.support.inactivity_days,
                "mentor_hours_per_month": design.support.mentor_hours_per_month,
                "coordinator_hours_per_month": design.align.constraints.coordinator_hours_per_month,
                "mechanisms": x.mechanisms}
    return SimulationResult(
        name=name, runs=runs, seed={"entropy": sequence.entropy, "spawn_key": list(sequence.spawn_key)},
        horizon_months=x.horizon, parameters=dict(x.params), settings=settings,
        cohort={"participants": n, "mentors": cohort.mentors, "unmatched_mentees": cohort.unmatched,
                "group_size": cohort.group_size},
        runs_kpis=runs_kpis, groups=groups, survival=survival)
