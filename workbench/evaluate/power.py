"""Power at design time: what the planned cohort can show for each objective, before anyone is mentored.

For each objective of a design, :func:`objective_power` answers two questions
at 80% power and 5% two-sided significance (:data:`POWER`, :data:`ALPHA`):

* the **minimum detectable effect** (MDE): the smallest effect the planned
  cohort and its comparison group can tell from chance, in the objective's
  own unit;
* the **cohort needed** to detect the effect that is expected: how many
  mentees, and how many cohorts of the planned size.

The planned cohort is the current cohort's eligible enrolled mentees (at most
``launch.pilot_size`` for a pilot, at most ``launch.selection.class_size``);
without an enrolment, a pilot's size drawn from the eligible employees. The
comparison group is every other employee who passes the mentee rule.

A **pilot design** (``launch.pilot``, drawn as :func:`workbench.evaluate.trial.allocate` draws it,
seeded) changes the groups. A *randomised waitlist*: the mentees are the applicants offered a
place and the comparison group the waitlisted applicants (not every other eligible employee),
and a survey objective compares the two groups' change from pre to post (a two-sample t test on
change scores, :class:`statsmodels.stats.power.TTestIndPower`, as Evaluate's intention-to-treat
difference does). A *staggered roll-out*: retention (and high-potential retention) is powered as
Evaluate analyses it, clusters
that started against clusters still waiting, period by period, with period and cluster effects
(:func:`wedge_variance`: Hussey & Hughes 2007 with the clusters as fixed effects, so no
intra-cluster correlation is assumed), over the roll-out's periods (``steps + 1`` periods of
``months_per_step``) rather than the objective's horizon; the other objectives are worked out
as for open enrolment, and their sentence says that the loss or gain from the staggering is not
quantified.

Each objective is powered on its **scope** (``objective.scope``, the eligibility
rule :mod:`.objectives` scores it on, as of the day the data describe): the
mentees are the planned size times the in-scope share of the pool they come
from (with an enrolment and no cap on the class: exactly the enrolled mentees in
scope), the comparison group the planned comparison people in scope, and the
exits or scores expected are those of the people in scope. A scope on a
sensitive column without the design's opt-in is not quantified
(:func:`.objectives.scope_reason`). A head count under five (a small scope, a
small waitlist arm) is said "fewer than 5", never shown.

**Retention** (a survival design). Exits expected over the objective's
``horizon_months`` come from the organisation's own exit history: each
person's exit hazard per person-year from :func:`workbench.simulate.baseline.attrition_baseline`
(past mentees censored at their first meeting), so a person leaves within
``H`` months with probability ``1 - exp(-h x H / 12)``. With ``D_t`` exits
expected among the mentees and ``D_c`` among the comparison group, the log
hazard ratio is estimated with variance ``1 / D_t + 1 / D_c`` (Schoenfeld
1983's formula, ``1 / (D p (1 - p))``, with the allocation ``p`` of the
events, as :class:`statsmodels.stats.power.NormalIndPower` has it); the MDE
is the hazard ratio at which a two-sided z test reaches the power, shown as
the fall in the mentees' annual exit rate ``1 - exp(-h)`` to ``1 - exp(-h x
HR)``, ``h`` their mean hazard (exits expected without the program: the
usual planning assumption). Exit rates are in percent, the MDE in exit-rate
points. The expected effect is the **outcome model's**:
the design simulated (:func:`workbench.simulate.engine.simulate`, :data:`RUNS`
seeded runs over the horizon, the matching the design makes), its hazard
ratio the ratio of the cumulative hazards ``ln S_participants(H) / ln
S_comparison(H)`` of the pooled runs. The cohort needed keeps the planned
ratio of comparison colleagues to mentees (each cohort compared with that
year's non-participants), so it is the planned cohort times the events
needed over the events expected.

**Survey constructs** (objectives naming a construct of ``survey.csv``, as the
scorecard finds it): a paired pre/post design, the mentees' change in the
survey's scale tested with a paired t test
(:class:`statsmodels.stats.power.TTestPower`) on ``d_z = change / (SD x
sqrt(2 (1 - r)))``, SD the spread of the construct's pre-wave scores and
``r`` the correlation of a person's pre and later score, estimated from the
survey when at least :data:`MIN_PAIRS` people answered both waves, else
:data:`DEFAULT_CORRELATION`. The outcome model does not predict survey
constructs, so the effect to detect is the objective's own target change
(target minus baseline), and it says so.

**The scorecard's other KPIs** (:mod:`.objectives`) share these designs:

* ``high_potential_retention``: retention's survival design on the high-potential people
  (``people.csv`` ``high_potential``) of both groups, their exit rates from the high-potential
  staff's own exit history; the expected effect is the outcome model's on every mentee's exits
  (it does not single out high potentials), and the sentence says so.
* ``time_to_promotion`` (and ``promotion``), ``internal_mobility``: the survival design on a first
  promotion or a move to another job, the events expected from the organisation's own history of
  ``promotion_date`` / ``job_change_date`` as rates per person-year by level and department
  (:func:`event_hazards`), the effect a *rise* in the rate. The outcome model simulates promotions,
  so time to promotion expects its hazard ratio (the ratio of the participants' and comparison's
  ``ln(1 - share promoted)``); it does not simulate internal moves, so mobility takes the
  objective's target as a rate ratio (target over baseline), and says so. Time to promotion is also
  said as median months (``12 ln 2 / h``, at steady rates).
* ``competency_growth``: the paired design on ``proficiency.csv``'s dated assessments, a person's
  level the mean over the skills assessed, the spread and pre-post correlation from the people
  assessed on two days or more (else :data:`DEFAULT_CORRELATION`, assumed, and said).
* ``mentor_outcomes``: the paired design on the survey construct its KPI names, for the planned
  mentors; otherwise the survival design on the mentors' exits against mentor-eligible colleagues
  who are not enrolled, the effect the objective's target as a rate ratio (the outcome model does
  not simulate mentors' exits).
* ``representation``: a share to report, not an effect to test: the precision of the group's share
  among the planned mentees, the half-width of its exact (Clopper-Pearson) 95% interval at the
  planned size, the share taken as the group's share of the pool the mentees come from (shown only
  when five people or more are in the group and outside it).

Other objectives are **not quantified**, with the reason.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.power import TTestIndPower, TTestPower
from statsmodels.stats.proportion import proportion_confint

from workbench.data.columns import date_column, number_column, text_column
from workbench.data.importing import typed_tables
from workbench.design.catalogue import scope_text
from workbench.design.eligibility import data_as_of, eligible, passes_filter
from workbench.design.model import SURVEY_KINDS, Eligibility, Objective, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate.objectives import (
    ASSESSED_COLUMN,
    HIGH_POTENTIAL_COLUMN,
    JOB_CHANGE_COLUMN,
    YES,
    assessments,
    named_construct,
    scope_reason,
)
from workbench.evaluate.trial import OFFERED, allocate
from workbench.organisation import current_cohort
from workbench.privacy import MIN_GROUP
from workbench.programs import scoped_tables
from workbench.simulate.baseline import attrition_baseline, hazard_of, program_starts
from workbench.simulate.cohort import build_cohort
from workbench.simulate.engine import simulate
from workbench.workspace import DEFAULT_SENSITIVE, Workspace

#: Power of the planned test (probability of detecting a true effect of the stated size).
POWER = 0.80
#: Two-sided significance level.
ALPHA = 0.05
#: Seeded runs of the outcome model behind the expected retention effect (one cohort: a fraction of a second).
RUNS = 1000
SEED = 0
#: People with a pre and a later answer needed to estimate the pre-post correlation from the survey.
MIN_PAIRS = 10
#: Pre-post correlation of a survey score when the survey cannot estimate it. An assumption: a middle value of
#: the test-retest correlations of work-attitude scales over months (about 0.4-0.7); lower is more cautious.
DEFAULT_CORRELATION = 0.5
#: Years of ``people.csv`` history the rates of promotions and internal moves are counted over (as exits are).
HISTORY_YEARS = 3.0


@dataclass(frozen=True)
class ObjectivePower:
    """What the planned cohort can detect for one objective (see the module docstring).

    ``design`` is ``"survival"``, ``"paired"``, ``"precision"`` (a share's interval) or ``""`` (not
    quantified: ``reason`` says why). ``baseline`` is the mentees' expected value without the program
    (annual rate of the ``event`` in %, mean pre score or proficiency level, or the group's share in %);
    ``detectable`` the value at the minimum detectable effect; ``mde`` their distance in the objective's
    unit (rate points, score points or levels; for a share, the half-width of its 95% interval in
    points); ``expected`` the value with the expected effect (``expected_source`` says whose: the outcome
    model or the objective's target), ``None`` when there is none; ``needed`` the mentees needed to detect
    it and ``cohorts`` how many cohorts of the planned size that is. ``scope`` is whom the objective is
    about, in words (the mentees and comparison counted are the planned ones within it); ``pilot`` the
    pilot design the groups follow (``open``, ``waitlist``, ``stepped_wedge``, with its ``clusters``,
    ``steps`` and ``months_per_step``); ``group`` a representation objective's group.
    """

    objective: str
    kind: str
    design: str
    unit: str = ""
    horizon_months: int | None = None
    mentees: int = 0
    comparison: int = 0
    events: float | None = None
    comparison_events: float | None = None
    correlation: float | None = None
    correlation_source: str = ""
    baseline: float | None = None
    detectable: float | None = None
    mde: float | None = None
    hazard_ratio: float | None = None
    expected: float | None = None
    expected_hazard_ratio: float | None = None
    expected_source: str = ""
    needed: int | None = None
    cohorts: int | None = None
    reason: str = ""
    scope: str = "everyone"
    pilot: str = "open"
    clusters: int | None = None
    steps: int | None = None
    months_per_step: int | None = None
    cluster_column: str = ""
    event: str = "exit"
    group: str = ""

    @property
    def quantified(self) -> bool:
        return bool(self.design)

    @property
    def detects_expected(self) -> bool | None:
        """Whether the planned cohort can detect the expected effect (``None`` when there is none to judge)."""
        if self.needed is None:
            return None
        return self.needed <= self.mentees

    def sentence(self) -> str:
        """The finding in words a sponsor understands, under the name *minimum detectable effect*."""
        if not self.quantified:
            return f"Minimum detectable effect not quantified: {self.reason}"
        mde = "the minimum detectable effect (80% power, 5% significance) is"
        event = EVENTS[self.event]
        mentees, colleagues = self._nouns()
        if self.design == "precision":
            target = f" The objective's target is {self.expected:g}%." if self.expected is not None else ""
            return (f"Representation is a share to report, not an effect to test: with {_people(self.mentees)} "
                    f"mentees{self._scope_text()}, the share of {self.group} among them (about {self.baseline:.0f}% "
                    f"of the people they are drawn from) will be known to within ±{self.mde:.0f} points (the "
                    f"half-width of its exact 95% interval, Clopper-Pearson).{target}")
        if self.design == "survival" and self.pilot == "stepped_wedge":
            text = (f"A staggered roll-out by {self.cluster_column}: {_people(self.mentees)} {mentees}{self._scope_text()} "
                    f"in {self.clusters} clusters starting in {self.steps} steps {self.months_per_step} months "
                    f"apart, followed over {self.steps + 1} periods of {self.months_per_step} months, with about "
                    f"{_count(self.events)} exits expected from the organisation's exit history. Comparing the "
                    "clusters that started with those still waiting, period by period (a model with period and "
                    f"cluster effects, as Evaluate analyses it; Hussey & Hughes 2007), {mde} {self._change()}")
        elif self.design == "survival":
            text = (f"{self._groups_text()} over {self.horizon_months} months, about {_count(self.events)} "
                    f"{event.noun if round(self.events) == 1 else event.plural} among the {mentees} (and "
                    f"{_count(self.comparison_events)} among the {colleagues}) are expected from the organisation's "
                    f"{event.history}: {mde} {self._change()}")
        else:
            measured = "assessed" if self.kind == "competency_growth" else "answering the survey"
            unit = "levels" if self.kind == "competency_growth" else "points"
            where = "assessed proficiency" if self.kind == "competency_growth" else "score"
            if self.pilot == "waitlist":
                text = (f"{self._groups_text()} {measured} before and after (pre-post correlation "
                        f"{self.correlation:.2f}, {self.correlation_source}), comparing the two groups' changes, "
                        f"{mde} a difference of {self.mde:.2f} {unit} in the mean change.")
            else:
                text = (f"With {_people(self.mentees)} {mentees}{self._scope_text()} {measured} before and after "
                        f"(pre-post correlation {self.correlation:.2f}, {self.correlation_source}), {mde} a change "
                        f"of {self.mde:.2f} {unit} in the mean {where}.")
        if self.pilot == "stepped_wedge" and not (self.design == "survival" and self.event == "exit"):
            text += " (Worked out as for open enrolment: the loss or gain from the clusters' staggering is not " \
                    "quantified.)"
        return f"{text} {self._expected_text()}".strip()

    def _nouns(self) -> tuple[str, str]:
        """Who the mentees and the comparison group are, in words."""
        if self.kind == "mentor_outcomes":
            return "mentors", "colleagues eligible to mentor"
        if self.pilot == "waitlist":
            return "offered", "waitlisted"
        if self.kind == "high_potential_retention":
            return "high-potential mentees", "high-potential colleagues"
        return "mentees", "colleagues"

    def _groups_text(self) -> str:
        if self.pilot == "waitlist":
            return (f"With a randomised waitlist ({_people(self.mentees)} offered against {_people(self.comparison)} "
                    f"waitlisted){self._scope_text()}")
        mentees, colleagues = self._nouns()
        return (f"With {_people(self.mentees)} {mentees} and {_people(self.comparison)} "
                f"{colleagues}{self._scope_text()}")

    def _change(self) -> str:
        event = EVENTS[self.event]
        way, whose = ("rise" if event.raises else "fall"), self._nouns()[0]
        whose = "offered applicants" if whose == "offered" else whose
        if self.detectable <= 0:
            return (f"beyond reach: not even a fall in the {whose}' annual {event.rate} from {self.baseline:.1f}% "
                    "to 0% could be told from chance.")
        text = f"a {way} in the {whose}' annual {event.rate} from {self.baseline:.1f}% to {self.detectable:.1f}%"
        return f"{text}{self._median(self.detectable)}."

    def _median(self, rate: float) -> str:
        """For time to promotion, the median months to a promotion at the baseline and at ``rate`` (annual %)."""
        if self.kind != "time_to_promotion" or not 0 < rate < 100:
            return ""
        months = [12 * math.log(2) / -math.log(1 - r / 100) for r in (self.baseline, rate)]
        return f" (a median time to promotion of {months[0]:.0f} months to {months[1]:.0f}, at steady rates)"

    def _scope_text(self) -> str:
        if self.scope == "everyone":
            return ""
        few = ": too few for the scorecard to measure" if self.mentees < MIN_GROUP else ""
        return f" in the objective's scope ({self.scope}{few})"

    def _expected_text(self) -> str:
        if self.expected is None:
            return self.reason[:1].upper() + self.reason[1:]
        if self.design == "survival":
            values = f"{self.baseline:.1f}% to {self.expected:.1f}%{self._median(self.expected)}"
            if self.expected_source.startswith("outcome model"):
                whose = self.expected_source.partition(": ")[2]
                what = f"The outcome model expects {values}" + (f" ({whose})" if whose else "")
            else:
                what = f"{self.expected_source[:1].upper()}{self.expected_source[1:]} means {values} here"
        elif self.kind == "competency_growth":
            what = f"The objective's target is a change of {self.expected:+.2f} levels in the mean growth (the " \
                   "outcome model does not predict assessed proficiency)"
        else:
            what = f"The objective's target is a change of {self.expected:+.2f} points (the outcome model does " \
                   "not predict survey scores)"
        if self.needed is None:
            return f"{what}; {self.reason}"
        who = "offered (with the waitlist in the same proportion)" if self.pilot == "waitlist" else self._nouns()[0]
        if self.detects_expected:
            return f"{what}: this cohort can detect that (about {self.needed:,} {who} would do)."
        size = f"{self.mentees:,}" if self.mentees >= MIN_GROUP else "this size"
        return f"{what}; detecting that needs about {self.needed:,} {who}, or {self.cohorts:,} cohorts of {size}."


def _people(count: int) -> str:
    """A head count as a sentence says it: under five people is "fewer than 5" (a small group is never shown)."""
    return f"{count:,}" if count >= MIN_GROUP else f"fewer than {MIN_GROUP}"


def _count(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


# ---------------------------------------------------------------------------------------------
# The formulas


def _z(alpha: float, power: float) -> float:
    return float(stats.norm.isf(alpha / 2) + stats.norm.ppf(power))


def detectable_hazard_ratio(events: float, comparison_events: float, *, alpha: float = ALPHA,
                            power: float = POWER) -> float:
    """The smallest hazard ratio below 1 detectable with these expected exits in each group (Schoenfeld).

    The log hazard ratio has variance ``1 / events + 1 / comparison_events``;
    the answer is ``exp(-(z_(1-alpha/2) + z_power) x sqrt(that))``, the effect at which
    :class:`statsmodels.stats.power.NormalIndPower` gives ``power`` (a test checks it).
    """
    if events <= 0 or comparison_events <= 0:
        raise WorkbenchError("no exits are expected in one of the groups, so no effect on exits can be detected.")
    return float(np.exp(-_z(alpha, power) * math.sqrt(1 / events + 1 / comparison_events)))


def events_needed(hazard_ratio: float, ratio: float, *, alpha: float = ALPHA, power: float = POWER) -> float:
    """Exits needed among the mentees to detect ``hazard_ratio`` when the comparison group has ``ratio`` times
    as many: Schoenfeld's total ``(z_(1-alpha/2) + z_power)^2 / (p (1 - p) ln(HR)^2)`` with ``p = 1 / (1 + ratio)``,
    times ``p``."""
    if hazard_ratio <= 0 or hazard_ratio == 1:
        raise WorkbenchError(f"a hazard ratio of {hazard_ratio:g} is no effect to detect.")
    p = 1 / (1 + ratio)
    return _z(alpha, power) ** 2 / ((1 - p) * math.log(hazard_ratio) ** 2)


def detectable_paired_change(mentees: int, sd: float, correlation: float, *, alpha: float = ALPHA,
                             power: float = POWER) -> float:
    """The smallest mean change (survey points) a paired t test on ``mentees`` pairs detects.

    ``sd`` is the spread of single scores; the change scores have SD ``sd x sqrt(2 (1 - correlation))``.
    """
    if mentees < 2:
        raise WorkbenchError("a paired test needs at least 2 mentees.")
    # statsmodels' solve_power warns or returns an array at some sizes; its power function, solved by Brent's
    # method over d_z, is exact and quiet
    dz = optimize.brentq(lambda d: _paired_power(d, mentees, alpha) - power, 1e-9, 100.0, xtol=1e-10)
    return float(dz * sd * math.sqrt(2 * (1 - correlation)))


def _paired_power(dz: float, pairs: float, alpha: float) -> float:
    value = float(TTestPower().power(effect_size=dz, nobs=pairs, alpha=alpha, alternative="two-sided"))
    return 1.0 if math.isnan(value) else value  # the noncentral t underflows only where the power is all but 1


def paired_mentees_needed(change: float, sd: float, correlation: float, *, alpha: float = ALPHA,
                          power: float = POWER) -> int:
    """Mentees (pairs of answers) a paired t test needs to detect a mean change of ``change`` survey points."""
    dz = abs(change) / (sd * math.sqrt(2 * (1 - correlation)))
    if _paired_power(dz, 2, alpha) >= power:
        return 2
    # Guenther's (1981) normal approximation, within a pair or two of the answer, bounds the search
    approximate = (_z(alpha, power) / dz) ** 2 + stats.norm.isf(alpha / 2) ** 2 / 2
    return math.ceil(optimize.brentq(lambda n: _paired_power(dz, n, alpha) - power, 2, 2 * approximate + 10,
                                     xtol=1e-6))


def _two_sample_power(d: float, offered: float, ratio: float, alpha: float) -> float:
    value = float(TTestIndPower().power(effect_size=d, nobs1=offered, ratio=ratio, alpha=alpha,
                                        alternative="two-sided"))
    return 1.0 if math.isnan(value) else value


def detectable_difference(offered: int, ratio: float, sd: float, *, alpha: float = ALPHA,
                          power: float = POWER) -> float:
    """The smallest difference in means a two-sample t test detects with ``offered`` people in one group and
    ``ratio`` times as many in the other, ``sd`` the spread of one person's value (its unit)."""
    if offered < 2 or offered * ratio < 2:
        raise WorkbenchError("a comparison of two groups needs at least 2 people in each.")
    d = optimize.brentq(lambda x: _two_sample_power(x, offered, ratio, alpha) - power, 1e-9, 100.0, xtol=1e-10)
    return float(d * sd)


def offered_needed(difference: float, ratio: float, sd: float, *, alpha: float = ALPHA, power: float = POWER) -> int:
    """People needed in the first group (the other ``ratio`` times as many) for a two-sample t test to detect
    ``difference`` (in the unit of ``sd``, the spread of one person's value)."""
    d = abs(difference) / sd
    if _two_sample_power(d, 2, ratio, alpha) >= power:
        return 2
    approximate = _z(alpha, power) ** 2 * (1 + 1 / ratio) / d ** 2
    return math.ceil(optimize.brentq(lambda n: _two_sample_power(d, n, ratio, alpha) - power, 2,
                                     2 * approximate + 10, xtol=1e-6))


def annual_exit_rate(hazard: float) -> float:
    """Annual exit probability (0-1) of a hazard per person-year."""
    return float(1 - math.exp(-hazard))


# ---------------------------------------------------------------------------------------------
# The planned cohort and the objectives


@dataclass(frozen=True)
class PlannedGroups:
    """The planned groups: people rows (positions) of the pool the ``size`` mentees come from, and of the pool
    the ``comparison_size`` comparison people come from (the same rows when the comparison is the rest of the
    mentees' pool: a pilot drawn from the eligible, or a waitlist)."""

    pool: np.ndarray
    comparison: np.ndarray
    size: int
    comparison_size: int
    note: str = ""
    pilot: str = "open"
    order: pd.DataFrame | None = None
    cluster_column: str = ""
    months_per_step: int = 0

    def scoped(self, keep: np.ndarray) -> PlannedGroups:
        """The groups within an objective's scope (``keep``: a boolean per people row): each pool's rows in
        scope, and each planned size times its pool's in-scope share (with an enrolment and no cap on the
        class, exactly the enrolled mentees in scope; with a waitlist, exactly the offered and the waitlisted
        applicants in scope)."""
        pool, comparison = self.pool[keep[self.pool]], self.comparison[keep[self.comparison]]
        return dataclasses.replace(self, pool=pool, comparison=comparison,
                                   size=_share_of(self.size, len(pool), len(self.pool)),
                                   comparison_size=_share_of(self.comparison_size, len(comparison),
                                                             len(self.comparison)))


def _share_of(size: int, part: int, whole: int) -> int:
    return size if part == whole else round(size * part / whole)


def planned_groups(design: ProgramDesign, tables: Mapping[str, pd.DataFrame], *,
                   as_of: datetime.date | None = None) -> PlannedGroups:
    """The planned cohort and its comparison group (see the module docstring).

    Raises :class:`~workbench.errors.WorkbenchError` when the size cannot be known, or the pilot design
    (``launch.pilot``) cannot be drawn."""
    people = tables.get("people")
    if people is None or not len(people):
        raise WorkbenchError("the workspace has no people.csv, so neither the cohort nor its comparison group is known.")
    people = people.reset_index(drop=True)
    ok = eligible(people, design.align.mentee_eligibility, as_of=as_of or data_as_of(people)).to_numpy()
    ids = text_column(people, "person_id")
    launch = design.launch
    caps = [launch.pilot_size if launch.rollout == "pilot" else None, launch.selection.class_size]
    enrolment = tables.get("enrolment")
    if enrolment is not None and len(enrolment):
        _, rows = current_cohort(enrolment)
        enrolled = set(text_column(rows, "person_id")[text_column(rows, "role").isin(["mentee", "both"])])
        mentee = ids.isin(enrolled).to_numpy()  # hashed: numpy's isin on text compares every pair
        pool = np.flatnonzero(ok & mentee)
        size = min([len(pool), *[c for c in caps if c is not None]])
        comparison = np.flatnonzero(ok & ~mentee)
        groups = PlannedGroups(pool, comparison, size, len(comparison))
        return groups if launch.pilot.design == "open" else _pilot_groups(design, tables, ids, groups)
    if launch.pilot.design != "open":
        kind = "a randomised waitlist" if launch.pilot.design == "waitlist" else "a staggered roll-out"
        raise WorkbenchError(f"{kind} is drawn from the cohort's applicants, and there is no enrolment yet: import "
                             "the enrolment to know them.")
    if caps[0] is None:
        raise WorkbenchError("there is no enrolment and no pilot size, so the cohort's size is unknown: import the "
                             "enrolment or plan a pilot (launch.pilot_size).")
    pool = np.flatnonzero(ok)
    size = min(caps[0], len(pool))
    return PlannedGroups(pool, pool, size, len(pool) - size,
                         note="no enrolment yet: a pilot drawn from the eligible employees")


def _pilot_groups(design: ProgramDesign, tables: Mapping[str, pd.DataFrame], ids: pd.Series,
                  groups: PlannedGroups) -> PlannedGroups:
    """The open enrolment's ``groups`` as the pilot design draws them (:func:`workbench.evaluate.trial.allocate`,
    seeded): a randomised waitlist's offered against its waitlisted applicants, or the same mentees with the
    staggered roll-out's order of clusters."""
    pilot = design.launch.pilot
    drawn = allocate(tables, design)
    if pilot.design == "stepped_wedge":
        return dataclasses.replace(groups, pilot="stepped_wedge", order=drawn, cluster_column=pilot.cluster_column,
                                   months_per_step=pilot.months_per_step)
    position = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    position = position[~position.index.duplicated()]
    offered = drawn["allocation"].eq(OFFERED).to_numpy()
    pool = position.reindex(drawn["person_id"][offered]).dropna().to_numpy(int)
    waitlisted = position.reindex(drawn["person_id"][~offered]).dropna().to_numpy(int)
    return PlannedGroups(pool, waitlisted, len(pool), len(waitlisted), pilot="waitlist")


def expected_hazard_ratios(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, horizon_months: int, *,
                           runs: int = RUNS, seed: int = SEED, cohort=None) -> dict[str, float | str]:
    """The outcome model's hazard ratios over ``horizon_months`` for ``design`` (see the module docstring), by
    event: ``"exit"`` (leaving) and ``"promotion"`` (a first promotion), each the ratio of the participants' and
    the comparison's cumulative hazards ``ln(1 - share with the event)`` in the pooled runs; a sentence instead
    when the model's runs have no such event. ``cohort`` is the design's simulated cohort when already built
    (:func:`workbench.simulate.cohort.build_cohort`, which matches the cohort: most of the time). Raises
    :class:`~workbench.errors.WorkbenchError` when the design matches nobody."""
    cohort = build_cohort(tables, design) if cohort is None else cohort
    result = simulate(cohort, design, runs=runs, seed=seed, horizon_months=horizon_months)
    last = result.survival.iloc[-1]
    shares = {"exit": (1 - last["participants"], 1 - last["comparison"]),
              "promotion": tuple(float(np.mean(v)) for v in result.runs_kpis["promotion"])}
    out = {}
    for event, (part, comparison) in shares.items():
        if not 0 < comparison < 1 or not 0 <= part < 1:
            out[event] = f"the outcome model gives no expected effect: no {EVENTS[event].plural} happen in its runs."
        else:
            out[event] = float(math.log(1 - part) / math.log(1 - comparison))
    return out


@dataclass(frozen=True)
class Event:
    """An event a survival objective counts, in a sponsor's words: ``noun`` ("exit") and its ``plural``,
    ``rate`` ("exit rate"), the ``history`` it is counted from, and whether the program should ``raise`` its rate."""

    noun: str
    plural: str
    rate: str
    history: str
    raises: bool


#: The events of the survival objectives.
EVENTS = {"exit": Event("exit", "exits", "exit rate", "exit history", False),
          "promotion": Event("promotion", "promotions", "promotion rate", "promotion history (promotion_date)", True),
          "move": Event("move to another job", "moves to another job", "rate of moves to another job",
                        f"history of internal moves ({JOB_CHANGE_COLUMN})", True)}
#: Each survival kind's event.
SURVIVAL_KINDS = {"retention": "exit", "high_potential_retention": "exit", "promotion": "promotion",
                  "time_to_promotion": "promotion", "internal_mobility": "move"}
#: The kinds powered, as the "not computed" sentence lists them.
POWERED = (*SURVIVAL_KINDS, *SURVEY_KINDS, "competency_growth", "mentor_outcomes", "representation")


def objective_power(design: ProgramDesign, tables: Mapping[str, pd.DataFrame], *,
                    as_of: datetime.date | None = None, runs: int = RUNS, seed: int = SEED,
                    model_cache: MutableMapping | None = None,
                    sensitive: tuple[str, ...] = DEFAULT_SENSITIVE) -> list[ObjectivePower]:
    """One :class:`ObjectivePower` per objective of ``design`` over ``tables`` (text DataFrames as read from CSV).

    Deterministic (seeded); never raises for a design or data it cannot power: the objective is
    then not quantified, with the reason. Each objective is powered on its scope (the planned groups'
    people within it, :meth:`PlannedGroups.scoped`); a scope or group on a column in ``sensitive`` (the
    workspace's sensitive ``people.csv`` columns) without the design's opt-in is not quantified.
    ``model_cache``, a dict kept by the caller for the same ``tables``, keeps the outcome model's
    expected effects (its matching is most of the time), so an edit of the objectives alone does not
    match the cohort again.
    """
    try:
        groups = planned_groups(design, tables, as_of=as_of)
    except WorkbenchError as exc:
        groups, problem = None, str(exc)
    expected = {} if model_cache is None else model_cache  # -> the model's hazard ratios, or why there are none
    model_key = design.model_copy(update={"align": design.align.model_copy(update={"objectives": ()}),
                                          "rationale": {}}).model_dump_json()
    context = _Context(design, tables, expected, (model_key, runs, seed))
    out = []
    people = tables["people"].reset_index(drop=True) if groups is not None else None
    day = (as_of or data_as_of(people)) if people is not None else None
    for objective in design.align.objectives:
        base = {"objective": objective.id, "kind": objective.kind, "scope": scope_text(objective.scope)}
        if objective.kind not in POWERED:
            out.append(ObjectivePower(**base, design="", reason=f"the power of an objective of kind "
                                      f"{objective.kind.replace('_', ' ')} is not computed yet."))
            continue
        if groups is None:
            out.append(ObjectivePower(**base, design="", reason=problem))
            continue
        refused = scope_reason(objective, design, people, sensitive)
        if refused:
            out.append(ObjectivePower(**base, design="", reason=refused[:1].lower() + refused[1:]))
            continue
        try:
            own = _mentor_groups(design, tables, people, day) if objective.kind == "mentor_outcomes" else groups
            scoped = own if objective.scope == Eligibility() else own.scoped(
                eligible(people, objective.scope, as_of=day).to_numpy())
            if scoped.size < 1 <= own.size:
                who = "mentors" if objective.kind == "mentor_outcomes" else "mentees"
                raise WorkbenchError(f"none of the {own.size:,} planned {who} is in the objective's scope "
                                     f"({base['scope']}).")
            out.append(_power(objective, context, people, scoped))
        except WorkbenchError as exc:
            out.append(ObjectivePower(**base, design="", reason=str(exc)))
    return out


@dataclass(frozen=True)
class _Context:
    """What the objectives of one :func:`objective_power` call share: the outcome model's cohort and effects
    (in ``expected``, the caller's cache, under ``key``) and each history's hazards (in ``hazards``)."""

    design: ProgramDesign
    tables: Mapping[str, pd.DataFrame]
    expected: MutableMapping
    key: tuple[str, int, int]
    hazards: dict = dataclasses.field(default_factory=dict)

    def model_ratio(self, event: str, horizon: int) -> float | str:
        """The outcome model's hazard ratio of ``event`` over ``horizon`` months, kept in ``expected``; or why
        there is none. The cohort is built (matched) once for every horizon."""
        _, runs, seed = self.key
        if (*self.key, horizon) not in self.expected:
            try:
                if (self.key[0], "cohort") not in self.expected:
                    self.expected[(self.key[0], "cohort")] = build_cohort(self.tables, self.design)
                self.expected[(*self.key, horizon)] = expected_hazard_ratios(
                    self.tables, self.design, horizon, runs=runs, seed=seed,
                    cohort=self.expected[(self.key[0], "cohort")])
            except WorkbenchError as exc:
                self.expected[(*self.key, horizon)] = f"the outcome model gives no expected effect: {exc}"
        found = self.expected[(*self.key, horizon)]
        return found if isinstance(found, str) else found[event]

    def hazards_of(self, name: str, compute) -> np.ndarray:
        """The hazards ``compute()`` gives, worked out once per call under ``name``."""
        if name not in self.hazards:
            self.hazards[name] = compute()
        return self.hazards[name]


def _power(objective: Objective, context: _Context, people: pd.DataFrame, groups: PlannedGroups) -> ObjectivePower:
    kind, tables = objective.kind, context.tables
    if kind in SURVEY_KINDS:
        return _survey(objective, context.design, tables, groups)
    if kind == "competency_growth":
        return _competency(objective, tables, groups)
    if kind == "representation":
        return _representation(objective, people, groups)
    if kind == "mentor_outcomes":
        construct = _survey_construct(objective, context.design, tables)
        if construct is not None:
            return _survey(objective, context.design, tables, dataclasses.replace(groups, pilot="open"))
        hazards = context.hazards_of("exit", lambda: _exit_hazards(people, tables))
        return _survival(objective, groups, hazards, "exit", _target_ratio(objective, "mentors' exits"))
    event = SURVIVAL_KINDS[kind]
    horizon = _horizon(objective, event)
    if kind == "high_potential_retention":
        if HIGH_POTENTIAL_COLUMN not in people.columns:
            raise WorkbenchError(f"people.csv has no {HIGH_POTENTIAL_COLUMN} column (yes for a high-potential "
                                 "employee).")
        flagged = text_column(people, HIGH_POTENTIAL_COLUMN).str.lower().isin(YES).to_numpy()
        groups = groups.scoped(flagged)
        if groups.size < 1:
            raise WorkbenchError("none of the planned mentees is flagged high-potential (people.csv "
                                 f"{HIGH_POTENTIAL_COLUMN}).")
        hazards = context.hazards_of("high_potential", lambda: _exit_hazards(people.loc[flagged], tables,
                                                                             rows=people))
    elif event == "exit":
        hazards = context.hazards_of("exit", lambda: _exit_hazards(people, tables))
    else:
        hazards = context.hazards_of(event, lambda: event_hazards(people, tables, event))
    if groups.pilot == "stepped_wedge" and event == "exit":
        return _wedge(objective, groups, people, hazards, lambda months: context.model_ratio("exit", months))
    if event == "move":
        expected = _target_ratio(objective, "internal moves")
    else:
        ratio = context.model_ratio(event, horizon)
        expected = (ratio, f"outcome model, {context.key[1]:,} seeded runs"
                    + (": its effect on every mentee's exits, as it does not single out high potentials"
                       if kind == "high_potential_retention" else "")) if not isinstance(ratio, str) else ratio
    return _survival(objective, groups, hazards, event, expected)


def _horizon(objective: Objective, event: str) -> int:
    if objective.horizon_months is None:
        raise WorkbenchError(f"objective {objective.id} has no horizon (horizon_months), so the "
                             f"{EVENTS[event].plural} expected over it cannot be counted.")
    return objective.horizon_months


def _exit_hazards(history: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *,
                  rows: pd.DataFrame | None = None) -> np.ndarray:
    """Each person's exit hazard per person-year (of ``rows``, default ``history``) from the exits of
    ``history`` (past mentees censored at their first meeting)."""
    if not text_column(history, "exit_date").ne("").any():
        raise WorkbenchError("people.csv records no exits (exit_date) among the people the objective is about, so "
                             "their exit rate, and the exits to expect, are unknown.")
    rows = history if rows is None else rows
    baseline = attrition_baseline(history, censor=program_starts(tables))
    return hazard_of(baseline, number_column(rows, "level"), text_column(rows, "department"))


def event_hazards(people: pd.DataFrame, tables: Mapping[str, pd.DataFrame], event: str) -> np.ndarray:
    """Each person's hazard of a ``"promotion"`` or an internal ``"move"`` per person-year (one per row of
    ``people``), from the dates in ``people.csv``
    over the :data:`HISTORY_YEARS` before the data's day: :func:`attrition_baseline`'s rates by level and
    department, the event in place of the exit, each person followed until the event, their exit or their
    first mentoring meeting. ``people.csv`` keeps each person's latest date only, so a person with two in the
    window counts once (a slight under-count)."""
    column = "promotion_date" if event == "promotion" else JOB_CHANGE_COLUMN
    if column not in people.columns:
        raise WorkbenchError(f"people.csv has no {column} column (the date of each person's latest "
                             f"{EVENTS[event].noun}), so the {EVENTS[event].noun}s to expect are unknown.")
    day = pd.Timestamp(data_as_of(people))
    when = date_column(people, column)
    recent = when.notna() & (when > day - pd.Timedelta(days=365.25 * HISTORY_YEARS)) & (when <= day)
    if not recent.any():
        raise WorkbenchError(f"people.csv records no {EVENTS[event].noun} ({column}) in the last {HISTORY_YEARS} "
                             "years, so the rate to expect is unknown.")
    ids = text_column(people, "person_id").to_numpy()
    stops = pd.concat([pd.Series(date_column(people, "exit_date").to_numpy(), index=ids).dropna(),
                       pd.Series(program_starts(tables), dtype="datetime64[ns]")])
    history = people.assign(exit_date=text_column(people, column).where(recent.to_numpy(), ""))
    baseline = attrition_baseline(history, as_of=day.date(), window_years=HISTORY_YEARS,
                                  censor=stops.groupby(level=0).min().to_dict())
    return hazard_of(baseline, number_column(people, "level"), text_column(people, "department"))


def _target_ratio(objective: Objective, what: str) -> tuple[float, str] | str:
    """The objective's target as a rate ratio (target over baseline rate; baseline over target months for a
    time), with the words saying so; or why there is none."""
    b, t = objective.baseline, objective.target
    if b is None or t is None or b <= 0 or t <= 0 or b == t:
        return (f"the outcome model does not predict {what}, and objective {objective.id} has no positive baseline "
                "and target apart to take the effect from.")
    ratio = b / t if objective.kind == "time_to_promotion" else t / b
    return ratio, (f"the objective's target, {b:g} to {t:g} in its KPI, taken as a rate ratio of {ratio:.2f} (the "
                   f"outcome model does not predict {what})")


def _survival(objective: Objective, groups: PlannedGroups, hazards: np.ndarray, event: str,
              expected: tuple[float, str] | str) -> ObjectivePower:
    """Schoenfeld's design over the objective's horizon (see the module docstring): the events expected in the
    planned groups from ``hazards`` (per person-year, one per people row), against ``expected`` (the hazard
    ratio to detect and whose it is, or why there is none)."""
    horizon = _horizon(objective, event)
    if groups.size < 1 or groups.comparison_size < 1:
        who = "mentees" if groups.size < 1 else "eligible colleagues outside the cohort to compare with"
        raise WorkbenchError(f"there are no {who}.")
    leave = 1 - np.exp(-hazards * horizon / 12)
    mean_hazard = float(hazards[groups.pool].mean())
    events = groups.size * float(leave[groups.pool].mean())
    comparison_events = groups.comparison_size * float(leave[groups.comparison].mean())
    if events <= 0 or comparison_events <= 0:
        raise WorkbenchError(f"no {EVENTS[event].noun} is expected in one of the groups, so no effect on them can "
                             "be detected.")
    hr = detectable_hazard_ratio(events, comparison_events)
    hr = 1 / hr if EVENTS[event].raises else hr
    found = dict(objective=objective.id, kind=objective.kind, scope=scope_text(objective.scope), design="survival",
                 unit=f"annual {EVENTS[event].rate}, %", pilot=groups.pilot, event=event, horizon_months=horizon,
                 mentees=groups.size, comparison=groups.comparison_size, events=events,
                 comparison_events=comparison_events, baseline=100 * annual_exit_rate(mean_hazard), hazard_ratio=hr,
                 detectable=100 * annual_exit_rate(mean_hazard * hr))
    found["mde"] = abs(found["baseline"] - found["detectable"])
    if isinstance(expected, str):
        return ObjectivePower(**found, reason=expected)
    ratio, source = expected
    found.update(expected=100 * annual_exit_rate(mean_hazard * ratio), expected_hazard_ratio=ratio,
                 expected_source=source)
    if ratio == 1 or (ratio > 1) != EVENTS[event].raises:
        way = "rise" if EVENTS[event].raises else "fall"
        return ObjectivePower(**found, reason=f"{'the outcome model' if source.startswith('outcome') else 'the target'}"
                                              f" expects no {way} in the {EVENTS[event].rate}, so there is no effect "
                                              "to detect.")
    needed = math.ceil(groups.size * events_needed(ratio, comparison_events / events) / events)
    return ObjectivePower(**found, needed=needed, cohorts=math.ceil(needed / groups.size))


def wedge_variance(sizes: np.ndarray, steps: np.ndarray, risks: np.ndarray) -> float:
    """Variance of a stepped wedge's effect, a difference in the risk of the event in one period (0-1).

    ``sizes`` are the people followed in each cluster, ``steps`` each cluster's start step (1 = at the
    cohort's start) and ``risks`` each cluster's risk of the event in one period without the program.
    The periods are 0 (before any cluster starts) to the last step, every person followed in each (a
    cross-sectional design: leavers are replaced, as the planning approximation). The estimate is the
    weighted least squares fit of the cluster-period means with cluster and period fixed effects (what
    :func:`workbench.evaluate.trial.wedge_model` fits, on the linear scale), weights ``size / (risk (1 -
    risk))``. With equal sizes and risks this is Hussey & Hughes's (2007) variance as the between-cluster
    variance grows: ``I s^2 T / (U^2 + I T U - T W - I V)``, ``s^2`` the variance of a cluster-period mean,
    ``I`` clusters, ``T`` periods, ``U`` the started cluster-periods, ``W`` the sum over periods of the
    squared started clusters, ``V`` the sum over clusters of their squared started periods (a test checks it).
    With fixed cluster effects the clusters' own differences in the outcome cancel, so no intra-cluster
    correlation is needed. Raises :class:`~workbench.errors.WorkbenchError` when no period compares started
    with waiting clusters.
    """
    sizes, steps, risks = (np.asarray(a, dtype=float) for a in (sizes, steps, risks))
    keep = sizes > 0
    sizes, steps, risks = sizes[keep], steps[keep].astype(int), risks[keep]
    if len(sizes) < 2 or len(set(steps)) < 2:
        raise WorkbenchError("a staggered roll-out compares clusters that started with clusters still waiting, "
                             "and the people counted start all at one step (or in one cluster).")
    clusters, periods = len(sizes), int(steps.max()) + 1
    cluster, period = np.repeat(np.arange(clusters), periods), np.tile(np.arange(periods), clusters)
    started = (steps[cluster] <= period).astype(float)
    matrix = np.column_stack([np.eye(clusters)[cluster], np.eye(periods)[period][:, 1:], started])
    weight = (sizes / (risks * (1 - risks)))[cluster]
    return float(np.linalg.inv(matrix.T @ (weight[:, None] * matrix))[-1, -1])


def _wedge(objective: Objective, groups: PlannedGroups, people: pd.DataFrame, hazards: np.ndarray,
           model) -> ObjectivePower:
    """A staggered roll-out's retention: :func:`wedge_variance` over the clusters of the planned mentees;
    ``model(months)`` the outcome model's hazard ratio of leaving over that many months (or why there is none)."""
    if groups.size < 1:
        raise WorkbenchError("there are no mentees.")
    found = dict(objective=objective.id, kind=objective.kind, scope=scope_text(objective.scope), design="survival",
                 unit="annual exit rate, %", pilot=groups.pilot, event="exit")
    order, months = groups.order, groups.months_per_step
    step_of = dict(zip(order["cluster"], order["step"]))
    periods = int(order["step"].max()) + 1
    risk = 1 - np.exp(-hazards[groups.pool] * months / 12)
    frame = pd.DataFrame({"cluster": text_column(people, groups.cluster_column).to_numpy()[groups.pool],
                          "risk": risk})
    frame = frame[frame["cluster"].isin(step_of)]
    cells = frame.groupby("cluster")["risk"].agg(["size", "mean"])
    sizes = cells["size"].to_numpy(float) * groups.size / max(len(groups.pool), 1)
    steps = cells.index.map(step_of).to_numpy(int)
    risks = cells["mean"].to_numpy(float)
    theta = _z(ALPHA, POWER) * math.sqrt(wedge_variance(sizes, steps, risks))
    mean_risk = float(np.average(risks, weights=sizes))

    def annual(r: float) -> float:  # a period's risk as an annual exit rate, %
        return 100 * (1 - (1 - r) ** (12 / months))

    detectable = max(mean_risk - theta, 0.0)
    found.update(horizon_months=periods * months, mentees=groups.size, comparison=0,
                 events=float((sizes * risks).sum() * periods), baseline=annual(mean_risk),
                 detectable=annual(detectable), clusters=len(cells), steps=periods - 1, months_per_step=months,
                 cluster_column=groups.cluster_column,
                 hazard_ratio=math.log(1 - detectable) / math.log(1 - mean_risk) if detectable > 0 else 0.0)
    found["mde"] = found["baseline"] - found["detectable"]
    ratio = model(periods * months)
    if isinstance(ratio, str):
        return ObjectivePower(**found, reason=ratio)
    with_effect = 1 - (1 - risks) ** ratio
    found.update(expected=annual(float(np.average(with_effect, weights=sizes))), expected_hazard_ratio=ratio,
                 expected_source="outcome model")
    if ratio >= 1:
        return ObjectivePower(**found, reason="the outcome model expects no fall in exits, so there is no effect "
                                              "to detect.")
    effect = mean_risk - float(np.average(with_effect, weights=sizes))
    needed = math.ceil(groups.size * (theta / effect) ** 2)
    return ObjectivePower(**found, needed=needed, cohorts=math.ceil(needed / groups.size))


def _survey_construct(objective: Objective, design: ProgramDesign, tables: Mapping[str, pd.DataFrame]) -> str | None:
    """The survey construct the objective names (:func:`.objectives.named_construct`), ``None`` for none."""
    survey = tables.get("survey")
    if survey is None or not len(survey):
        return None
    return named_construct(objective, design, sorted(set(text_column(survey, "construct"))))


def _survey(objective: Objective, design: ProgramDesign, tables: Mapping[str, pd.DataFrame],
            groups: PlannedGroups) -> ObjectivePower:
    survey = tables.get("survey")
    if survey is None or not len(survey):
        raise WorkbenchError("the workspace has no survey.csv, so the spread of the scores is unknown.")
    answers = pd.DataFrame({"person_id": text_column(survey, "person_id"), "wave": text_column(survey, "wave"),
                            "construct": text_column(survey, "construct"), "score": number_column(survey, "score")})
    construct = named_construct(objective, design, sorted(answers["construct"].unique()))
    if construct is None:
        raise WorkbenchError(f"objective {objective.id} names no survey construct (in its KPI or evaluate.metrics), "
                             f"and the power of an objective of kind {objective.kind.replace('_', ' ')} measured "
                             "otherwise is not computed yet.")
    scores = answers[(answers["construct"] == construct) & answers["score"].notna()]
    pre = scores[scores["wave"] == "pre"].drop_duplicates("person_id").set_index("person_id")["score"]
    if len(pre) < 2:
        raise WorkbenchError(f"survey.csv has fewer than 2 pre-wave answers on {construct}, so the spread of "
                             "its scores is unknown.")
    correlation, source = DEFAULT_CORRELATION, "assumed: the survey cannot estimate it"
    for wave in ("post", "followup", "mid"):
        later = scores[scores["wave"] == wave].drop_duplicates("person_id").set_index("person_id")["score"]
        both = pd.concat([pre, later], axis=1, join="inner")
        if len(both) >= MIN_PAIRS:
            correlation = float(min(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1], 0.95))
            source = f"from {len(both)} people's pre and {wave} answers"
            break
    return _paired(objective, groups, f"{construct} score", float(pre.mean()), float(pre.std(ddof=1)),
                   correlation, source)


def _competency(objective: Objective, tables: Mapping[str, pd.DataFrame], groups: PlannedGroups) -> ObjectivePower:
    """Competency growth: a paired design on ``proficiency.csv``'s dated assessments. A person's level is their
    mean over the skills assessed; the spread is that of the first assessments and the correlation that of
    the first and last assessment of the people assessed on two days or more (:data:`MIN_PAIRS` at least;
    else :data:`DEFAULT_CORRELATION`, assumed)."""
    proficiency = tables.get("proficiency")
    if proficiency is None or not len(proficiency) or ASSESSED_COLUMN not in proficiency.columns:
        raise WorkbenchError(f"proficiency.csv has no {ASSESSED_COLUMN} column: growth needs assessments dated "
                             "before and after the start, and their spread is unknown.")
    marks = assessments(proficiency).dropna(subset=["date", "level"])
    first = marks.groupby("person_id")["date"].transform("min")
    last = marks.groupby("person_id")["date"].transform("max")
    pre = marks[marks["date"] == first].groupby(["person_id", "skill_id"])["level"].mean()
    post = marks[(marks["date"] == last) & (last > first)].groupby(["person_id", "skill_id"])["level"].mean()
    person_pre = pre.groupby(level="person_id").mean()
    if len(person_pre) < 2:
        raise WorkbenchError("proficiency.csv has fewer than 2 people assessed, so the spread of the levels is "
                             "unknown.")
    both = pd.concat({"pre": pre, "post": post}, axis=1, join="inner").groupby(level="person_id").mean()
    if len(both) >= MIN_PAIRS:
        correlation = float(min(np.corrcoef(both["pre"], both["post"])[0, 1], 0.95))
        source, sd = f"from {len(both):,} people assessed on two days or more", float(both["pre"].std(ddof=1))
    else:
        correlation, source = DEFAULT_CORRELATION, "assumed: too few people were assessed twice to estimate it"
        sd = float(person_pre.std(ddof=1))
    return _paired(objective, groups, "proficiency level", float(person_pre.mean()), sd, correlation, source)


def _paired(objective: Objective, groups: PlannedGroups, unit: str, mean: float, sd: float, correlation: float,
            source: str) -> ObjectivePower:
    """A pre-post objective: the mentees' change (a paired t test), or with a waitlist the offered against the
    waitlisted applicants' change (a two-sample t test on change scores, the analysis
    :func:`workbench.evaluate.trial.survey_itt` runs); the effect to detect is the objective's target change."""
    if groups.size < 2:
        raise WorkbenchError("a paired design needs at least 2 mentees.")
    found = dict(objective=objective.id, kind=objective.kind, scope=scope_text(objective.scope), design="paired",
                 pilot=groups.pilot, unit=unit, horizon_months=objective.horizon_months, mentees=groups.size,
                 comparison=groups.comparison_size, correlation=correlation, correlation_source=source,
                 baseline=mean)
    spread = sd * math.sqrt(2 * (1 - correlation))
    if groups.pilot == "waitlist":
        if groups.comparison_size < 2:
            raise WorkbenchError("comparing the offered with the waitlisted needs at least 2 waitlisted applicants.")
        ratio = groups.comparison_size / groups.size
        found["mde"] = detectable_difference(groups.size, ratio, spread)
    else:
        found["mde"] = detectable_paired_change(groups.size, sd, correlation)
    found["detectable"] = mean + found["mde"]
    if objective.baseline is None or objective.target is None or objective.target == objective.baseline:
        return ObjectivePower(**found, reason=f"Objective {objective.id} has no baseline and target apart, so "
                                              "there is no target change to size the cohort for.")
    change = objective.target - objective.baseline
    needed = offered_needed(change, ratio, spread) if groups.pilot == "waitlist" else \
        paired_mentees_needed(change, sd, correlation)
    return ObjectivePower(**found, expected=change, expected_source="objective's target", needed=needed,
                          cohorts=math.ceil(needed / groups.size))


def _representation(objective: Objective, people: pd.DataFrame, groups: PlannedGroups) -> ObjectivePower:
    """Representation: the precision of the group's share among the planned mentees (see the module docstring)."""
    if objective.group is None:
        raise WorkbenchError("the objective names no group (group: COLUMN=VALUE, e.g. gender=woman).")
    if objective.group.column not in people.columns:
        raise WorkbenchError(f"people.csv has no {objective.group.column} column.")
    member = passes_filter(people, objective.group).to_numpy()[groups.pool]
    count = int(member.sum())
    if count < MIN_GROUP or len(member) - count < MIN_GROUP:
        raise WorkbenchError(f"fewer than {MIN_GROUP} of the planned mentees' pool are in the group "
                             f"{objective.group.text()}, or fewer than {MIN_GROUP} outside it: the share is not shown.")
    share = count / len(member)
    low, high = proportion_confint(round(share * groups.size), groups.size, alpha=ALPHA, method="beta")
    return ObjectivePower(objective=objective.id, kind=objective.kind, scope=scope_text(objective.scope),
                          design="precision", pilot=groups.pilot, unit="share, %", mentees=groups.size,
                          baseline=100 * share, mde=100 * (high - low) / 2, detectable=None,
                          group=objective.group.text(), expected=objective.target,
                          expected_source="objective's target" if objective.target is not None else "")


def _mentor_groups(design: ProgramDesign, tables: Mapping[str, pd.DataFrame], people: pd.DataFrame,
                   day: datetime.date) -> PlannedGroups:
    """The planned mentors (the current cohort's enrolled mentors who pass the mentor rule; without an
    enrolment, ``constraints.expected_mentors`` of the mentor-eligible employees) and the mentor-eligible
    employees who are not enrolled, as the comparison group."""
    ok = eligible(people, design.align.mentor_eligibility, as_of=day).to_numpy()
    enrolment = tables.get("enrolment")
    if enrolment is not None and len(enrolment):
        _, rows = current_cohort(enrolment)
        roles = text_column(rows, "role")
        ids = text_column(people, "person_id")
        mentor = ids.isin(set(text_column(rows, "person_id")[roles.isin(["mentor", "both"])])).to_numpy()
        enrolled = ids.isin(set(text_column(rows, "person_id"))).to_numpy()
        pool, comparison = np.flatnonzero(ok & mentor), np.flatnonzero(ok & ~enrolled)
        return PlannedGroups(pool, comparison, len(pool), len(comparison))
    expected = design.align.constraints.expected_mentors
    if not expected:
        raise WorkbenchError("there is no enrolment and no expected number of mentors "
                             "(align.constraints.expected_mentors), so the mentors are unknown.")
    pool = np.flatnonzero(ok)
    size = min(expected, len(pool))
    return PlannedGroups(pool, pool, size, len(pool) - size)


def workspace_power(workspace: Workspace, design: ProgramDesign) -> list[ObjectivePower]:
    """:func:`objective_power` over the workspace's tables as its program sees them.

    Raises :class:`~workbench.errors.InvalidDataError` when a table fails its contract."""
    return objective_power(design, scoped_tables(workspace, typed_tables(workspace)),
                           sensitive=workspace.settings.sensitive)
