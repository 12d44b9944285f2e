"""Pilot designs that answer "did it work": the randomised waitlist and the staggered roll-out.

**Allocation at launch.** :func:`waitlist_allocation` randomises the cohort's eligible mentee
applicants (:func:`workbench.matching.pool.build_pool`) to the places of this cohort or to the
next one, with the seeded lottery of the selection (:func:`workbench.matching.selection.stratified_lottery`,
no quotas): each applicant's place in the draw is kept, so the draw can be audited.
:func:`wedge_order` randomises the clusters (the values of a ``people.csv`` column among the
applicants, e.g. departments or sites) to start steps, as evenly as the numbers allow.

**Analysis of the design that was run.** For the waitlist, :func:`randomised_cohort` turns the
evaluated cohort into *offered* (the participants) against *waitlisted* (the comparison), everyone
by the arm they were drawn to (intention to treat), and :func:`itt_difference` gives the difference
in a 0/1 or numeric outcome with a randomisation-based interval: the effects ``tau`` that a
permutation test of "every offered person's outcome is the waitlisted outcome plus ``tau``" does
not reject at 5% (inverting the test, as in Rosenbaum 2002 and Imbens & Rubin 2015, ch. 5).
For the staggered roll-out, :func:`wedge_model` fits a discrete-time model of leaving,
person by period, with period and cluster fixed effects (statsmodels GLM, binomial, logit link;
Hussey & Hughes 2007): its odds ratio compares started with waiting clusters in the same period.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.data.columns import date_column, text_column
from workbench.design.eligibility import DAYS_PER_MONTH
from workbench.design.model import PilotDesign, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate.cohort import SELF_SELECTION, EvaluationCohort
from workbench.matching.pool import build_pool
from workbench.matching.selection import stratified_lottery
from workbench.privacy import MIN_GROUP

#: Random re-allocations of a randomisation-based interval, by default.
PERMUTATIONS = 2000
#: The arms of a waitlist, as the allocation list names them.
OFFERED, WAITLISTED = "offered", "waitlisted"

WAITLIST_CAVEATS = (
    "Applicants were randomised to a place now or on the waitlist: offered and waitlisted applicants differ only "
    "by chance, so the difference between them estimates the effect of offering the program (intention to treat).",
    "The effect of taking part is larger than the effect of the offer when offered people did not take part, or "
    "waitlisted people did (see the deviations from the frozen plan).",
    "Waitlisted applicants knew they would join the next cohort; waiting may change how they behave.",
)
WEDGE_CAVEATS = (
    "Clusters were randomised to the order in which they started: the stepped-wedge model compares clusters that "
    "had started with those still waiting in the same period, adjusted for each period and each cluster.",
    "The tables below compare participants with matched colleagues outside the program: an association; the "
    "stepped-wedge model is the estimate of the design.",
    "With few clusters the model's interval is wide, and changes that happen to one cluster at the time it starts "
    "are taken for the program's effect.",
)


def _fail(design: ProgramDesign, text: str) -> WorkbenchError:
    return WorkbenchError(f"Program {design.name!r}, pilot design (launch.pilot): {text}")


def applicants(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, cohort: str | None = None
               ) -> pd.DataFrame:
    """The cohort's eligible mentee applicants (``person_id`` and the people columns), in enrolment order."""
    return build_pool(tables, design, cohort=cohort).mentees.drop(columns=["wants"])


def waitlist_allocation(applicants: pd.DataFrame, places: int, *, seed: int,
                        design: ProgramDesign = ProgramDesign()) -> pd.DataFrame:
    """Randomise ``applicants`` to ``places`` places now and the waitlist (the next cohort).

    Returns one row per applicant, in the order given: ``person_id``, ``draw`` (place in the seeded
    random order, 1-based) and ``allocation`` (:data:`OFFERED` for the first ``places`` of the draw,
    else :data:`WAITLISTED`). The same applicants, places and seed give the same list.
    Raises :class:`WorkbenchError` when there are fewer applicants than places plus one (nobody would
    wait: nothing to compare) or either arm would hold fewer than five people.
    """
    n = len(applicants)
    if n <= places:
        raise _fail(design, f"a randomised waitlist of {places} places needs more applicants than places; the cohort "
                            f"has {n} eligible mentee applicant{'s' if n != 1 else ''}, so nobody would wait and "
                            "there is nothing to compare. Lower the places (launch.pilot.places) or choose open "
                            "enrolment.")
    if min(places, n - places) < MIN_GROUP:
        raise _fail(design, f"{places} places for {n} applicants leaves {min(places, n - places)} in one arm: each "
                            f"arm needs at least {MIN_GROUP} people to be reported.")
    selected, draw = stratified_lottery(n, places, seed=seed)
    return pd.DataFrame({"person_id": applicants["person_id"].astype(str).to_numpy(), "draw": draw,
                         "allocation": np.where(selected, OFFERED, WAITLISTED)})


def wedge_order(applicants: pd.DataFrame, column: str, steps: int, months_per_step: int, *, seed: int,
                design: ProgramDesign = ProgramDesign()) -> pd.DataFrame:
    """Randomise the clusters (values of ``column`` among ``applicants``) to ``steps`` start steps.

    Returns one row per cluster: ``cluster``, ``step`` (1 = starts at the cohort's start) and
    ``starts_month`` (months after the cohort's start: ``(step - 1) x months_per_step``), ordered by
    step. The clusters are shuffled with ``numpy.random.default_rng(seed)`` and dealt to the steps in
    turn, so step sizes differ by at most one cluster. Raises :class:`WorkbenchError` when ``column``
    is not a people column, an applicant has no value in it, or there are fewer than two clusters or
    fewer clusters than steps.
    """
    if column not in applicants.columns:
        raise _fail(design, f"the staggered roll-out is by the people.csv column {column!r}, which people.csv does "
                            "not have (launch.pilot.cluster_column).")
    values = text_column(applicants, column)
    if (values == "").any():
        raise _fail(design, f"{int((values == '').sum())} applicant(s) have no {column!r} in people.csv, so they "
                            "belong to no cluster of the staggered roll-out.")
    clusters = sorted(set(values))
    if len(clusters) < 2:
        found = f"one cluster ({clusters[0]!r})" if clusters else "no cluster"
        raise _fail(design, f"a staggered roll-out needs at least two clusters to compare, and the applicants' "
                            f"column {column!r} has {found}. Choose another column or a randomised waitlist.")
    if len(clusters) < steps:
        raise _fail(design, f"{steps} steps need at least {steps} clusters; the applicants' column {column!r} has "
                            f"{len(clusters)}. Use fewer steps (launch.pilot.steps).")
    shuffled = np.random.default_rng(seed).permutation(len(clusters))
    step = np.empty(len(clusters), dtype=int)
    step[shuffled] = np.arange(len(clusters)) % steps + 1
    # no head count per cluster: a department of fewer than five applicants would be a small group shown
    order = pd.DataFrame({"cluster": clusters, "step": step, "starts_month": (step - 1) * months_per_step})
    return order.sort_values(["step", "cluster"], kind="stable").reset_index(drop=True)


def allocate(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, cohort: str | None = None,
             pilot: PilotDesign | None = None) -> pd.DataFrame:
    """The allocation of ``pilot`` (default the design's ``launch.pilot``) on the cohort's applicants
    (:func:`applicants`, :func:`allocation_of`). Raises :class:`WorkbenchError` for open enrolment, which
    allocates nobody, and when the pilot design cannot be allocated."""
    return allocation_of(applicants(tables, design, cohort=cohort), design, pilot)


def allocation_of(found: pd.DataFrame, design: ProgramDesign, pilot: PilotDesign | None = None) -> pd.DataFrame:
    """The allocation of ``pilot`` (default the design's ``launch.pilot``) on the applicants ``found``
    (:func:`applicants`): :func:`waitlist_allocation` (places default to the pilot size) or :func:`wedge_order`.
    Raises :class:`WorkbenchError` naming the program and ``launch.pilot`` when it cannot be allocated (the
    messages ``workbench launch`` and ``workbench design check`` show), and for open enrolment."""
    pilot = pilot or design.launch.pilot
    if pilot.design == "waitlist":
        places = pilot.places or design.launch.pilot_size
        if places is None:
            raise _fail(design, "a randomised waitlist needs the number of places (launch.pilot.places).")
        return waitlist_allocation(found, places, seed=pilot.seed, design=design)
    if pilot.design == "stepped_wedge":
        return wedge_order(found, pilot.cluster_column, pilot.steps, pilot.months_per_step, seed=pilot.seed,
                           design=design)
    raise _fail(design, "open enrolment allocates nobody; choose a randomised waitlist or a staggered roll-out.")


# --------------------------------------------------------------------------- analysis


def randomised_cohort(group: EvaluationCohort, allocation: pd.DataFrame) -> EvaluationCohort:
    """``group`` (evaluated with every enrolled mentee as a participant) as the waitlist trial compares it:
    applicants offered a place are the participants, waitlisted applicants the comparison group, each
    weighing 1 (intention to treat). Enrolled mentees outside the allocation and the matched comparison
    pool are left out. Raises :class:`WorkbenchError` when an arm has fewer than five people employed
    at the start."""
    arm = dict(zip(allocation["person_id"].astype(str), allocation["allocation"]))
    people = group.people[group.people["group"] == "participants"].copy()
    allocated = people["person_id"].map(arm)
    outside = int(allocated.isna().sum())
    people["group"] = allocated.map({OFFERED: "participants", WAITLISTED: "comparison"})
    people = people[people["group"].notna()].reset_index(drop=True)
    counts = people["group"].value_counts()
    for name, label in (("participants", "offered a place"), ("comparison", "waitlisted")):
        if counts.get(name, 0) < MIN_GROUP:
            raise WorkbenchError(f"Cohort {group.name!r}: fewer than {MIN_GROUP} applicants {label} were employed "
                                 "at its start, too few to compare without pointing at people.")
    people["matched"], people["weight"] = True, 1.0
    notes = list(group.notes)
    if outside:
        notes.append(f"{outside} enrolled mentee{'s' if outside != 1 else ''} outside the frozen allocation "
                     f"{'are' if outside != 1 else 'is'} left out of the randomised comparison.")
    return dataclasses.replace(
        group, people=people, notes=tuple(notes),
        participant_rule="applicants offered a place (intention to treat, randomised)",
        comparison_rule="applicants randomised to the waitlist (intention to treat)",
        excluded={**group.excluded, "enrolled_outside_allocation": outside})


def itt_difference(outcome: np.ndarray, offered: np.ndarray, *, rng: np.random.Generator,
                   permutations: int = PERMUTATIONS, level: float = 0.95) -> dict:
    """Offered minus waitlisted mean of ``outcome``, with a randomisation-based interval and p-value.

    ``outcome`` is one number per person (1/0 for "still employed", a score change ...), ``offered``
    True for the offered arm. Under the hypothesis that the offer adds ``tau`` to every offered
    person's outcome, the adjusted outcomes ``y - tau * offered`` do not depend on the draw; the
    difference in means is recomputed over ``permutations`` random re-draws of the arms (same arm
    sizes, drawn with ``rng``), and ``tau`` is kept when at least ``1 - level`` of them are as far
    from zero as the observed one (two-sided, the observed draw counted once). The interval is the
    kept range, found by bisection from the estimate outwards; ``p_value`` tests ``tau = 0``.

    Returns ``offered``, ``waitlisted`` (means), ``difference``, ``low``, ``high``, ``p_value``,
    ``offered_people``, ``waitlisted_people``, ``permutations``.
    """
    y = np.asarray(outcome, dtype=float)
    z = np.asarray(offered, dtype=bool)
    n1, n0 = int(z.sum()), int((~z).sum())
    if min(n1, n0) < 2:
        raise WorkbenchError(f"An intention-to-treat difference needs at least two people in each arm, not "
                             f"{n1} offered and {n0} waitlisted.")
    observed = y[z].mean() - y[~z].mean()
    draws = np.stack([rng.permutation(z) for _ in range(permutations)])
    mean_y = draws @ y / n1 - (~draws) @ y / n0      # re-drawn difference of y
    mean_z = draws @ z / n1 - (~draws) @ z / n0      # re-drawn difference of the arm itself
    alpha = 1 - level

    def p_value(tau: float) -> float:
        far = np.abs(mean_y - tau * mean_z) >= abs(observed - tau) - 1e-12
        return float((1 + far.sum()) / (permutations + 1))

    spread = np.sqrt(y[z].var(ddof=1) / n1 + y[~z].var(ddof=1) / n0) + 1e-9

    def bound(direction: float) -> float:
        inside, step = observed, 4 * spread
        outside = observed + direction * step
        while p_value(outside) >= alpha:  # widen until rejected
            inside, step = outside, step * 2
            outside = observed + direction * step
        for _ in range(50):
            middle = (inside + outside) / 2
            inside, outside = (middle, outside) if p_value(middle) >= alpha else (inside, middle)
        return float(inside)

    return {"offered": float(y[z].mean()), "waitlisted": float(y[~z].mean()), "difference": float(observed),
            "low": bound(-1.0), "high": bound(1.0), "p_value": p_value(0.0), "offered_people": n1,
            "waitlisted_people": n0, "permutations": int(permutations)}


def retention_itt(group: EvaluationCohort, horizon_months: int, *, rng: np.random.Generator,
                  permutations: int = PERMUTATIONS) -> dict:
    """:func:`itt_difference` of "still employed ``horizon_months`` after the start" (1/0; a share 0-1) in a
    cohort from :func:`randomised_cohort` (everyone is followed at least to the horizon)."""
    people = group.people
    stayed = ~(people["left"].astype(bool) & (people["months"] <= horizon_months))
    found = itt_difference(stayed.to_numpy(float), (people["group"] == "participants").to_numpy(), rng=rng,
                           permutations=permutations)
    return {"outcome": f"still employed after {horizon_months} months (share)", **found}


def survey_itt(answers: pd.DataFrame, *, rng: np.random.Generator, permutations: int = PERMUTATIONS
               ) -> list[dict]:
    """:func:`itt_difference` of each construct's change from the ``pre`` to the ``post`` wave (score points),
    among the people who answered both, offered (``group`` participants) against waitlisted; constructs
    with fewer than five answering people in an arm are left out."""
    rows = []
    if not len(answers):
        return rows
    for construct, part in answers.groupby("construct", sort=True):
        wide = part.pivot_table(index=["person_id", "group"], columns="wave", values="score", aggfunc="first")
        if not {"pre", "post"} <= set(wide.columns):
            continue
        wide = wide.dropna(subset=["pre", "post"]).reset_index()
        offered = (wide["group"] == "participants").to_numpy()
        if min(offered.sum(), (~offered).sum()) < MIN_GROUP:
            continue
        change = (wide["post"] - wide["pre"]).to_numpy(float)
        rows.append({"outcome": f"change in {str(construct).replace('_', ' ')} (pre to post, score points)",
                     **itt_difference(change, offered, rng=rng, permutations=permutations)})
    return rows


def wedge_periods(tables: Mapping[str, pd.DataFrame], group: EvaluationCohort, order: pd.DataFrame, column: str,
                  months_per_step: int) -> pd.DataFrame:
    """Person-period rows of a staggered roll-out: ``cluster``, ``period`` (0 = the step before the start,
    when no cluster has started; period ``k`` is step ``k``), ``started`` (the cluster's step is at most the
    period) and ``left`` (left during the period), for the cohort's enrolled mentees employed when
    period 0 began, while employed and within the data."""
    people = tables["people"]
    step_of = dict(zip(order["cluster"], order["step"]))
    mentees = set(group.participants["person_id"])
    ids = text_column(people, "person_id")
    frame = pd.DataFrame({"person_id": ids, "cluster": text_column(people, column),
                          "hire": date_column(people, "hire_date"), "exit": date_column(people, "exit_date")})
    frame = frame[~ids.duplicated().to_numpy() & ids.isin(mentees).to_numpy()]
    frame = frame[frame["cluster"].isin(step_of)]
    start, end = pd.Timestamp(group.start), pd.Timestamp(group.as_of)
    days = months_per_step * DAYS_PER_MONTH
    rows = []
    for period in range(0, int(order["step"].max()) + 1):
        begin = start + pd.Timedelta(days=(period - 1) * days)
        stop = min(begin + pd.Timedelta(days=days), end)
        if begin >= end:
            break
        at_risk = frame[(frame["hire"] <= begin) & (frame["exit"].isna() | (frame["exit"] > begin))]
        rows.append(pd.DataFrame({
            "cluster": at_risk["cluster"].to_numpy(), "period": period,
            "started": at_risk["cluster"].map(step_of).to_numpy() <= period,
            "left": (at_risk["exit"].notna() & (at_risk["exit"] <= stop)).to_numpy()}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["cluster", "period", "started",
                                                                                 "left"])


def wedge_model(periods: pd.DataFrame) -> dict:
    """The stepped-wedge model: ``left ~ started + C(period) + C(cluster)``, a binomial GLM with a logit link.

    Returns ``odds_ratio`` of leaving in a period for a started against a waiting cluster (below 1:
    started clusters lost fewer people), its 95% ``low``/``high`` (Wald), ``p_value``, ``person_periods``,
    ``exits``, ``clusters``, ``periods``; the figures are ``None`` with a ``reason`` when the model cannot
    be estimated (no exits, or every period has all clusters started or all waiting)."""
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    base = {"person_periods": int(len(periods)), "exits": int(periods["left"].sum()) if len(periods) else 0,
            "clusters": int(periods["cluster"].nunique()) if len(periods) else 0,
            "periods": int(periods["period"].nunique()) if len(periods) else 0,
            "odds_ratio": None, "low": None, "high": None, "p_value": None, "reason": ""}
    if not len(periods) or base["exits"] == 0 or periods["started"].all() or not periods["started"].any():
        return base | {"reason": "no exits, or no period with both started and waiting clusters, in the data so "
                                 "far"}
    data = periods.assign(left=periods["left"].astype(float), started=periods["started"].astype(float))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # separation shows as an infinite or huge interval, reported as such
            fit = smf.glm("left ~ started + C(period) + C(cluster)", data=data, family=sm.families.Binomial()).fit()
    except (ValueError, np.linalg.LinAlgError) as err:
        return base | {"reason": f"the model could not be estimated ({err.__class__.__name__})"}
    low, high = fit.conf_int().loc["started"]
    return base | {"odds_ratio": float(np.exp(fit.params["started"])), "low": float(np.exp(low)),
                   "high": float(np.exp(high)), "p_value": float(fit.pvalues["started"])}


#: What an outcome block's comparison is, in place of the self-selection caveat, by pilot design.
OUTCOME_CAVEATS = {
    "waitlist": "Offered and waitlisted applicants were randomised: they differ only by chance, and everyone counts "
                "in the arm they were drawn to, whether they took part or not.",
    "stepped_wedge": "Participants against matched colleagues outside the program: an association; the stepped-wedge "
                     "model compares the clusters as they were randomised to start.",
}


def design_outcome(part, kind: str):
    """``part`` (an outcome comparison or an ROI estimate: a frozen dataclass with ``caveats``) with the
    self-selection caveat replaced by pilot design ``kind``'s (unchanged for open enrolment)."""
    if kind not in OUTCOME_CAVEATS:
        return part
    caveats = tuple(OUTCOME_CAVEATS[kind] + c[len(SELF_SELECTION):] if c.startswith(SELF_SELECTION) else c
                    for c in part.caveats)
    return dataclasses.replace(part, caveats=caveats)


def design_caveats(kind: str) -> tuple[str, ...]:
    """The caveats of pilot design ``kind`` that take the place of the self-selection caveat."""
    return {"waitlist": WAITLIST_CAVEATS, "stepped_wedge": WEDGE_CAVEATS}.get(kind, ())

