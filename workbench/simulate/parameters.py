"""The outcome model's parameters: each with a default, a plausible range, a unit and its source.

A parameter whose value no study gives is marked ``"assumption"``; the range
is what the sensitivity analysis (tornado) sweeps. Sources are the ones in
the project's evidence notes (AXLES design decisions and mentoring research).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workbench.errors import WorkbenchError

ASSUMPTION = "assumption"
EBY_2013 = ("Eby et al. 2013, Psychological Bulletin 139:441 (meta-analysis, N = 40,737): similarity relates to "
            "relationship quality at rho .38-.59, interaction frequency to support at .25")
ALLEN_2006 = ("Allen, Eby & Lentz 2006, Journal of Applied Psychology 91:567: participant input into matching and "
              "high-quality training relate to better relationships")
CLOSURE = ("Vendor data (n = 333): early terminations 10.9% with algorithmic matching against 29.4% with manual "
           "matching, a prior of 10-30%")
TURNOVER = ("Practitioner default: mentoring reduces mentees' annual turnover by 10-30% (central 15-20%); Ragins, "
            "Cotton & Miller 2000, AMJ 43:1177: outcomes follow relationship quality, a poor match is close to none")
OBJECTIVE = ("Allen et al. 2004, JAP 89:127; Eby et al. 2008, JVB 72:254: effects on objective outcomes such as "
             "promotion are small")
MENTORS = "Ghosh & Reio 2013, JVB 83:106: mentors' turnover intent was not significantly lower"
KRAM = "Kram 1983, AMJ 26:608: initiation takes 6-12 months, short programs may end before relationships mature"
REPLACEMENT = "Replacement cost of a leaver: 0.5-2 annual salaries (practitioner range)"


@dataclass(frozen=True)
class Parameter:
    """One model parameter: ``default`` within the plausible range ``[low, high]``, in ``unit``.

    ``source`` is the evidence, or ``"assumption"``. A value may be set
    anywhere in ``limits`` (default: the plausible range); effect sizes may go
    down to 0 (no effect), to test what a design achieves without them.
    """

    name: str
    default: float
    low: float
    high: float
    unit: str
    description: str
    source: str = ASSUMPTION
    limits: tuple[float, float] | None = None

    @property
    def allowed(self) -> tuple[float, float]:
        return self.limits or (self.low, self.high)


PARAMETERS: dict[str, Parameter] = {p.name: p for p in (
    Parameter("quality_base", 0.40, 0.30, 0.55, "quality 0-1",
              "relationship quality of a pair whose match score is 0.5, before contact, training, goals, guides, "
              "participants' say, structure and noise", limits=(0.0, 1.0)),
    Parameter("quality_per_score", 0.60, 0.30, 0.90, "quality per score point",
              "quality gained per point of match score (0-1) above 0.5", EBY_2013, limits=(0.0, 1.0)),
    Parameter("quality_contact", 0.20, 0.10, 0.30, "quality 0-1",
              "most quality that contact adds: x h / (h + contact_half_hours), h the hours of meetings per month "
              "(diminishing returns)", EBY_2013, limits=(0.0, 1.0)),
    Parameter("contact_half_hours", 1.5, 0.75, 3.0, "hours per month",
              "hours of meetings per month at which contact adds half its most (the larger, the slower the gain)",
              limits=(0.25, 10.0)),
    Parameter("quality_training", 0.08, 0.0, 0.12, "quality 0-1",
              "most quality that training adds: half for mentors, half for mentees, each x 1 - exp(-hours / "
              "training_scale_hours) (diminishing returns)", ALLEN_2006, limits=(0.0, 1.0)),
    Parameter("training_scale_hours", 2.0, 1.0, 4.0, "hours",
              "training hours that give 63% of training's most (1 - 1/e)", limits=(0.25, 20.0)),
    Parameter("quality_input", 0.05, 0.0, 0.10, "quality 0-1",
              "quality added when participants have a say in matching (choice, suggestions or preferences)",
              ALLEN_2006, limits=(0.0, 1.0)),
    Parameter("quality_goals", 0.03, 0.0, 0.06, "quality 0-1",
              "quality added when each pair sets goals at the start", limits=(0.0, 1.0)),
    Parameter("quality_guides", 0.02, 0.0, 0.04, "quality 0-1",
              "quality added when pairs get session guides", limits=(0.0, 1.0)),
    Parameter("quality_noise", 0.15, 0.05, 0.25, "quality 0-1 (sd)", "spread of quality between pairs"),
    Parameter("quality_structure_group", -0.05, -0.10, 0.0, "quality 0-1",
              "quality change of group mentoring against one-on-one"),
    Parameter("quality_structure_peer", -0.08, -0.15, 0.0, "quality 0-1",
              "quality change of peer circles against one-on-one"),
    Parameter("quality_structure_flash", -0.10, -0.20, 0.0, "quality 0-1",
              "quality change of flash mentoring against one-on-one"),
    Parameter("meeting_rate_low", 0.40, 0.20, 0.60, "share of scheduled meetings",
              "share of scheduled meetings held by a pair of quality 0", EBY_2013),
    Parameter("meeting_rate_high", 0.95, 0.80, 1.0, "share of scheduled meetings",
              "share of scheduled meetings held by a pair of quality 1", EBY_2013),
    Parameter("early_closure", 0.20, 0.10, 0.30, "share of pairs",
              "share of relationships of quality 0.5 matched by algorithm that close before the program ends, "
              "with no agreement and no check-ins", CLOSURE),
    Parameter("closure_manual", 1.8, 1.0, 2.7, "x early closure",
              "early closures multiply by this when an administrator matches by hand", CLOSURE),
    Parameter("closure_agreement", 0.20, 0.0, 0.40, "share of early closures",
              "early closures prevented by a written mentoring agreement", limits=(0.0, 1.0)),
    Parameter("closure_check_in", 0.20, 0.0, 0.40, "share of early closures",
              "early closures prevented by monthly check-ins (quarterly: a third of it), in proportion to the "
              "coordinator hours available against those needed", limits=(0.0, 1.0)),
    Parameter("rematch_share", 0.60, 0.30, 0.90, "share of closed pairs",
              "share of early-closed mentees re-matched when the design offers no-fault re-matching"),
    Parameter("rematch_setup_months", 0.5, 0.25, 1.0, "months",
              "months from noticing a closed pair to the new partner's first meeting"),
    Parameter("unfunded_meeting_share", 0.5, 0.25, 0.9, "share of meetings",
              "share of the meetings beyond the mentors' given hours per month that still take place",
              limits=(0.0, 1.0)),
    Parameter("turnover_reduction", 0.35, 0.15, 0.55, "share of exit hazard",
              "reduction of a mentee's exit hazard while in a relationship of quality 1 (in proportion below); "
              "at typical quality this is the 15-20% practitioners report", TURNOVER, limits=(0.0, 1.0)),
    Parameter("maturity_months", 6.0, 3.0, 12.0, "months",
              "months a relationship takes to reach its full effect (linear ramp)", KRAM),
    Parameter("carryover_months", 6.0, 0.0, 12.0, "months",
              "months the effect on exits lasts after a relationship ends, fading linearly"),
    Parameter("promotion_rate", 0.08, 0.04, 0.15, "per person-year", "baseline annual promotion rate"),
    Parameter("promotion_uplift", 0.30, 0.0, 0.60, "share of promotion hazard",
              "increase of the promotion hazard in a relationship of quality 1", OBJECTIVE, limits=(0.0, 1.0)),
    Parameter("skill_per_meeting", 0.05, 0.02, 0.10, "gap levels per meeting",
              "gap levels closed per meeting held with a mentor who covers the need, at quality 1", limits=(0.0, 1.0)),
    Parameter("skill_natural", 0.01, 0.0, 0.03, "gap levels per month", "gap levels closed per month without mentoring"),
    Parameter("coordinator_hours", 0.5, 0.25, 1.5, "hours per pair-month",
              "coordination time a pair needs (check-ins, follow-up, re-matching)"),
    Parameter("tool_cost", 10.0, 0.0, 30.0, "currency per participant-month", "platform and materials"),
    Parameter("hourly_cost", 45.0, 25.0, 90.0, "currency per hour",
              "loaded cost of an hour of staff time (used when the design gives no average salary)"),
    Parameter("replacement_multiple", 1.0, 0.5, 2.0, "annual salaries", "cost of replacing a leaver", REPLACEMENT),
    Parameter("annual_salary", 60000.0, 35000.0, 100000.0, "currency per year",
              "average annual salary (used when the design gives none)"),
)}


def resolve(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Every parameter's value: the defaults with ``overrides`` applied (names checked, values within limits)."""
    values = {name: p.default for name, p in PARAMETERS.items()}
    for name, value in (overrides or {}).items():
        if name not in PARAMETERS:
            raise WorkbenchError(f"Unknown model parameter {name!r}; known: {', '.join(PARAMETERS)}.")
        p = PARAMETERS[name]
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise WorkbenchError(f"Model parameter {name!r} must be a number, not {value!r}.") from None
        low, high = p.allowed
        if not low <= number <= high:
            raise WorkbenchError(f"Model parameter {name!r} = {number:g} is outside its allowed range "
                                 f"{low:g} to {high:g} ({p.unit}).")
        values[name] = number
    return values
