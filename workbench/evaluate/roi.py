"""Return on investment with its uncertainty (Phillips' level 5): avoided exits x replacement cost - cost.

**Avoided exits** by the horizon = matched participants x (the weighted
comparison group's share who left - the participants' share who left), taken
from the same bootstrap resamples as the retention figures
(:mod:`.outcomes`), so the interval carries the comparison's uncertainty. A
negative number means more participants left than the comparison suggests.

**Benefit** = avoided exits x replacement cost, where replacement cost =
``evaluate.replacement_cost_multiple`` x the annual salary
(``evaluate.average_salary``, else the outcome model's default, an assumption).

**Cost**, as the outcome model counts it (:mod:`workbench.simulate.engine`), from
what actually happened: meeting hours (each logged meeting's minutes for the
mentee; for the mentor once per mentor and day, so a group session counts once),
training hours from the design, coordinator hours per pair-month and tool cost
per participant-month over the program's months so far, all at the hourly cost
(annual salary / 1,760 when the design gives a salary, else the model's default
hourly cost).

**ROI** = (benefit - cost) / cost, with the 2.5th and 97.5th percentiles of the
resamples and the share of resamples in which it is above zero. The salary and
cost rates are taken as known: the interval shows only the sampling uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.design.model import ProgramDesign
from workbench.evaluate.cohort import SELF_SELECTION
from workbench.result import Interval
from workbench.simulate.engine import HOURS_PER_YEAR
from workbench.simulate.parameters import PARAMETERS


@dataclass(frozen=True, eq=False)
class ROIEstimate:
    """The program's ROI with its bootstrap interval (see the module docstring); money in ``currency``.

    ``roi``, ``avoided_exits`` (people) and ``benefit`` are :class:`~workbench.result.Interval` values (95%
    bootstrap percentile intervals); ``p_positive`` is the share of resamples with an ROI above zero.
    """

    roi: Interval
    avoided_exits: Interval
    benefit: Interval
    p_positive: float
    cost: float
    cost_breakdown: dict
    replacement_cost: float
    salary: float
    salary_source: str
    hourly_cost: float
    currency: str
    resamples: int
    participants: int
    caveats: tuple[str, ...] = ()
    draws: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def distribution(self, bins: int = 30) -> pd.DataFrame:
        """Binned bootstrap ROI: ``start``, ``end``, ``share`` (of resamples)."""
        if not len(self.draws):
            return pd.DataFrame({"start": [], "end": [], "share": []})
        low, high = float(self.draws.min()), float(self.draws.max())
        if high <= low:
            high = low + 1e-9
        counts, edges = np.histogram(self.draws, bins=bins, range=(low, high))
        return pd.DataFrame({"start": edges[:-1], "end": edges[1:], "share": counts / len(self.draws)})


def program_cost(meetings: pd.DataFrame, design: ProgramDesign, *, participants: int, mentors: int, pairs: int,
                 months: float) -> tuple[float, dict, float, float, str]:
    """The program's cost so far: ``(total, breakdown, hourly cost, salary, salary source)``.

    ``meetings`` has ``mentor_id``, ``date`` and ``minutes``; ``months`` is how
    long the program has run (at most its duration).
    """
    ev, exp = design.evaluate, design.experience
    if ev.average_salary:
        salary, source = float(ev.average_salary), "design (evaluate.average_salary)"
        hourly = salary / HOURS_PER_YEAR
    else:
        salary, source = PARAMETERS["annual_salary"].default, "outcome model default (an assumption)"
        hourly = PARAMETERS["hourly_cost"].default
    mentee_hours = float(meetings["minutes"].sum()) / 60 if len(meetings) else 0.0
    mentor_hours = float(meetings.groupby(["mentor_id", "date"])["minutes"].max().sum()) / 60 if len(meetings) \
        else 0.0
    training = participants * exp.mentee_training_hours + mentors * exp.mentor_training_hours
    coordinator = PARAMETERS["coordinator_hours"].default * pairs * months
    tools = PARAMETERS["tool_cost"].default * (participants + mentors) * months
    breakdown = {"meeting_hours": mentee_hours + mentor_hours, "training_hours": training,
                 "coordinator_hours": coordinator, "hourly_cost": hourly,
                 "meetings": (mentee_hours + mentor_hours) * hourly, "training": training * hourly,
                 "coordination": coordinator * hourly, "tools": tools}
    total = breakdown["meetings"] + breakdown["training"] + breakdown["coordination"] + tools
    return float(total), breakdown, hourly, salary, source


def roi_estimate(exit_share_participants: float, exit_share_comparison: float,
                 draws: tuple[np.ndarray, np.ndarray], *, participants: int, cost: float, breakdown: dict,
                 salary: float, salary_source: str, hourly: float, design: ProgramDesign) -> ROIEstimate:
    """ROI from exit shares (point estimates and bootstrap ``draws`` of participants' and comparison's exit share)."""
    replacement = design.evaluate.replacement_cost_multiple * salary
    avoided = participants * (exit_share_comparison - exit_share_participants)
    avoided_draws = participants * (draws[1] - draws[0])
    benefit_draws = avoided_draws * replacement
    safe = max(cost, 1e-9)
    roi_draws = (benefit_draws - cost) / safe
    caveats = (SELF_SELECTION + " Avoided exits credited to the program may partly be people who would have "
               "stayed anyway.",
               "Costs use the outcome model's default rates for coordination, tools and (without a salary in the "
               "design) staff time; benefits count only avoided replacement costs, not productivity or skills.",
               "Only the comparison's sampling uncertainty is in the interval; salary and cost rates are taken as "
               "known.")
    return ROIEstimate(
        roi=Interval.of_draws((avoided * replacement - cost) / safe, roi_draws),
        avoided_exits=Interval.of_draws(avoided, avoided_draws),
        benefit=Interval.of_draws(avoided * replacement, benefit_draws), p_positive=float((roi_draws > 0).mean()),
        cost=cost, cost_breakdown=breakdown, replacement_cost=replacement, salary=salary, salary_source=salary_source,
        hourly_cost=hourly, currency=design.align.constraints.currency, resamples=len(roi_draws),
        participants=participants, caveats=caveats, draws=roi_draws)
