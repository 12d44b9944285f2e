"""How each design decision reaches the outcome model, or why it does not.

Every decision of the catalogue (:data:`workbench.design.catalogue.DECISIONS`,
by its dotted id) has one :class:`Mechanism` here: either it is **modelled**,
and ``how`` names the path by which it moves the simulated figures and
``parameters`` the model parameters (:data:`.parameters.PARAMETERS`, each with
its effect size, range and source) that carry it; or it is **not modelled**,
and ``how`` says why, in words a page and the brief show beside the decision.
No decision is left out silently: a test checks that the catalogue and this
list name the same decisions.

:data:`LEVERS` are the modelled decisions a what-if scenario can move, each
with two values and the direction in which going from ``low`` to ``high``
moves the KPIs its mechanism names, everything else fixed. The tests check
those directions on simulated cohorts, and the tornado
(:func:`workbench.whatif.tornado`) swings these levers beside the model's
parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mechanism:
    """How decision ``decision`` enters the outcome model (``modelled``), or why it does not."""

    decision: str
    modelled: bool
    how: str
    parameters: tuple[str, ...] = ()


def _in(decision: str, how: str, *parameters: str) -> Mechanism:
    return Mechanism(decision, True, how, parameters)


def _out(decision: str, why: str) -> Mechanism:
    return Mechanism(decision, False, why)


_MATCHED = ("Enters through the matching actually made: it changes who is matched with whom and how well, and the "
            "pairs' match scores set their relationship quality.")
_MEASURE = "A choice of how the program is measured, not of what it does: it changes no outcome."
_NO_EVIDENCE = "No study in the evidence this tool rests on gives its effect on outcomes, so the model leaves it out"

MECHANISMS: dict[str, Mechanism] = {m.decision: m for m in (
    # Align
    _out("align.business_problem", "Chooses which objectives the forecast is judged against; it changes no "
                                   "simulated figure by itself."),
    _out("align.problem_statement", "Text for the brief; it changes no simulated figure."),
    _out("align.sponsor", "A role; the model does not quantify sponsorship (no effect size in the evidence)."),
    _out("align.owner", "A role; the model does not quantify ownership (no effect size in the evidence)."),
    _out("align.goal_ids", "Links the program to organisational goals for the skill-gap analysis; the skills "
                           "themselves enter through the matching and the gaps each mentee brings."),
    _out("align.objectives", "What the forecast is judged against (what-if's probability of reaching each "
                             "objective); objectives do not change the outcomes themselves."),
    _in("align.mentee_eligibility", "Decides who can enrol, so who is matched and simulated: their exit rates, "
                                    "skill gaps and match scores.", "quality_per_score"),
    _in("align.mentor_eligibility", _MATCHED, "quality_per_score"),
    _in("align.focus_skills", "Sets the skills matching and the skill-gap figure look at: the gap levels each "
                              "mentee brings and whether a mentor covers them.", "skill_per_meeting"),
    _in("align.constraints", "The coordinator hours per month set how much of the check-ins' effect the "
                             "coordinator can deliver and how fast closed pairs are noticed; the budget is "
                             "compared with the simulated cost. Expected mentors and currency change no outcome.",
        "coordinator_hours", "closure_check_in"),
    # eXperience
    _in("experience.structure", "Sets who meets whom (pairs, groups, peers) and, for group, peer and flash "
                                "mentoring, a change of relationship quality against one-on-one.",
        "quality_structure_group", "quality_structure_peer", "quality_structure_flash"),
    _in("experience.group_size", _MATCHED + " A mentor met one by one by more mentees has less time for each "
                                            "(mentor time).", "unfunded_meeting_share"),
    _in("experience.mentors_per_mentee", _MATCHED),
    _in("experience.duration_months", "Months in the program: meetings held, skill growth, how far relationships "
                                      "mature, how long the effect on exits lasts, and cost.",
        "maturity_months", "carryover_months", "skill_per_meeting"),
    _in("experience.cadence", "Meetings per month -> hours of contact (as far as mentors have the time) -> "
                              "relationship quality, with diminishing returns -> retention, promotion and skills; "
                              "more meetings also cost more.",
        "quality_contact", "contact_half_hours", "unfunded_meeting_share"),
    _in("experience.meeting_minutes", "Meeting length -> hours of contact -> relationship quality (diminishing "
                                      "returns), and the cost of each meeting.",
        "quality_contact", "contact_half_hours"),
    _out("experience.enrolment", "Open, application or nomination changes who takes part and why; the model "
                                 "simulates the people enrolled, and no study in the evidence gives an effect of "
                                 "the enrolment route itself."),
    _out("experience.voluntary", "Whether taking part is voluntary changes motivation; the evidence gives no "
                                 "effect size, so the model leaves it out (the people enrolled are simulated)."),
    _in("experience.mentor_capacity", _MATCHED + " A mentor with more mentees has less time for each "
                                               "(mentor time).", "unfunded_meeting_share"),
    _in("experience.allow_both_roles", _MATCHED),
    _in("experience.exclude_line_manager", _MATCHED),
    _in("experience.matching_method", "Participants' say in matching (mentee choice, suggestions, blended) adds "
                                      "quality; matching by hand (admin) closes more relationships early.",
        "quality_input", "closure_manual"),
    _out("experience.approval", "Who approves a match changes when matches are confirmed, not the pairs the "
                                "model simulates; the evidence gives no effect size for it."),
    _in("experience.criteria", _MATCHED + " A weight on stated preferences also counts as participants' say.",
        "quality_per_score", "quality_input"),
    _in("experience.custom_criteria", _MATCHED + " The model does not quantify a criterion of your own beyond "
                                                 "that: a pair's quality follows its match score, whatever the "
                                                 "criteria, so shared values or working style count only as much "
                                                 "as their weight moves the score.", "quality_per_score"),
    _in("experience.department_preference", _MATCHED),
    _in("experience.seniority_gap_min", _MATCHED),
    _in("experience.seniority_gap_max", _MATCHED),
    _in("experience.hard_rules", _MATCHED),
    _in("experience.matching_objective", _MATCHED),
    _in("experience.balance", _MATCHED),
    _in("experience.functional_skill", _MATCHED),
    _in("experience.goal_setting", "Pairs that set goals at the start have better relationships.",
        "quality_goals"),
    _in("experience.agreement", "A written agreement prevents a share of early closures.", "closure_agreement"),
    _out("experience.meeting_format", _NO_EVIDENCE + ": in person, virtual and hybrid meetings are simulated "
                                                     "alike."),
    _in("experience.session_guides", "Session guides give better relationships.", "quality_guides"),
    _in("experience.mentor_training_hours", "Training -> relationship quality, each hour adding less than the one "
                                            "before; training hours also cost.",
        "quality_training", "training_scale_hours"),
    _in("experience.mentee_training_hours", "Training -> relationship quality, each hour adding less than the one "
                                            "before; training hours also cost.",
        "quality_training", "training_scale_hours"),
    _in("experience.sensitive_opt_in", _MATCHED),
    _in("experience.sensitive_attributes", _MATCHED),
    # Launch
    _out("launch.rollout", "The model simulates the people enrolled; to see a pilot's size, set the participants "
                           "of a what-if scenario."),
    _out("launch.pilot_size", "The model simulates the people enrolled; to see a pilot's size, set the "
                              "participants of a what-if scenario."),
    _out("launch.selection", "Chooses which applicants are enrolled; the model simulates the people enrolled, so "
                             "it reaches outcomes only through the cohort you then match. How the class was chosen "
                             "(by matchability or lottery) has no effect size of its own in the evidence."),
    _out("launch.start_date", "Timing only; the model counts months from the start."),
    _out("launch.recruit_mentors_first", "Changes how many mentors join before matching opens; the model takes the "
                                         "mentors enrolled as given (the evidence gives no effect size)."),
    _out("launch.mentor_join_threshold", "Changes when matching opens; the model takes the mentors enrolled as "
                                         "given (the evidence gives no effect size)."),
    _out("launch.communications", _NO_EVIDENCE + ": communications change who enrols, and the model simulates the "
                                                 "people enrolled."),
    _out("launch.orientation", _NO_EVIDENCE + " (training hours are modelled; set them instead)."),
    _out("launch.match_release", _NO_EVIDENCE + ": releasing matches at once or in a rolling way is simulated "
                                                "alike."),
    _out("launch.draft_review", _NO_EVIDENCE + ": a reviewed draft is simulated like the matching made."),
    _out("launch.unmatched", "The model simulates the mentees who are matched; what happens to the unmatched is "
                             "not simulated (they are counted as unmatched)."),
    _out("launch.pilot", "Decides how the evaluation can tell the program's effect (a randomised waitlist or a "
                         "staggered roll-out against open enrolment); it does not change what the program does, so "
                         "the outcome model does not use it."),
    # Evaluate
    _out("evaluate.levels", _MEASURE),
    _out("evaluate.metrics", _MEASURE),
    _out("evaluate.attribution", _MEASURE + " The model always compares with a simulated group of eligible "
                                            "non-participants."),
    _out("evaluate.survey_timing", _MEASURE),
    _out("evaluate.followup_months", _MEASURE + " What-if follows outcomes for its own horizon."),
    _in("evaluate.average_salary", "The cost of an hour of staff time and of replacing a leaver: cost, benefit "
                                   "and ROI.", "annual_salary"),
    _in("evaluate.replacement_cost_multiple", "The cost of replacing a leaver: benefit and ROI.",
        "replacement_multiple"),
    # Support
    _in("support.check_in", "Check-ins prevent a share of early closures (monthly fully, quarterly a third) and "
                            "notice closed pairs sooner for re-matching, as far as the coordinator has the hours.",
        "closure_check_in", "coordinator_hours"),
    _in("support.inactivity_days", "Pairs gone quiet are noticed after this many days at the latest, so "
                                   "re-matching starts sooner with fewer days.", "rematch_setup_months"),
    _out("support.warning_days", "A warning before closing changes the message pairs get, not when the model "
                                 "notices a closed pair; the evidence gives no effect size for it."),
    _in("support.rematching", "No-fault re-matching gives a share of early-closed mentees a new partner after the "
                              "detection delay: more meetings and skill growth. Its effect on exits is small in the "
                              "model, because a closed relationship's effect fades over months anyway.",
        "rematch_share", "rematch_setup_months", "carryover_months"),
    _out("support.mentor_recognition", "Recognition may keep mentors engaged, but mentors' own outcomes are not "
                                       "simulated and mentors' turnover intent was not significantly lower in the "
                                       "evidence (Ghosh & Reio 2013)."),
    _in("support.mentor_hours_per_month", "Meetings beyond the hours mentors are given take place only in part, so "
                                          "too few hours mean fewer meetings, less contact and lower quality.",
        "unfunded_meeting_share"),
    _out("support.feed_next_cohort", "Learning for the next cohort is not simulated: the model runs one cohort."),
)}


def mechanism(decision: str) -> Mechanism:
    """The mechanism of catalogue decision ``decision`` (its dotted id)."""
    try:
        return MECHANISMS[decision]
    except KeyError:
        raise KeyError(f"No mechanism recorded for decision {decision!r}") from None


def not_modelled() -> list[Mechanism]:
    """The decisions the outcome model does not quantify, in catalogue order."""
    return [m for m in MECHANISMS.values() if not m.modelled]


@dataclass(frozen=True)
class Lever:
    """A modelled decision a scenario can move (``setting``, see :data:`workbench.whatif.SETTINGS`).

    Going from ``low`` to ``high``, everything else fixed, moves each KPI of
    ``moves`` in its direction (+1 up, -1 down). ``given`` are settings under
    which the mechanism is visible (say, no check-ins for the inactivity rule).
    """

    setting: str
    decision: str
    low: object
    high: object
    moves: dict = field(default_factory=dict)
    given: dict = field(default_factory=dict)


LEVERS: tuple[Lever, ...] = (
    Lever("cadence", "experience.cadence", "monthly", "weekly",
          {"meetings": +1, "quality": +1, "retention": +1, "cost": +1}),
    Lever("meeting_minutes", "experience.meeting_minutes", 30, 90, {"quality": +1, "retention": +1, "cost": +1}),
    Lever("duration_months", "experience.duration_months", 6, 12, {"meetings": +1, "cost": +1}),
    Lever("mentor_training_hours", "experience.mentor_training_hours", 0.0, 8.0,
          {"quality": +1, "retention": +1, "cost": +1}),
    Lever("mentee_training_hours", "experience.mentee_training_hours", 0.0, 4.0, {"quality": +1, "cost": +1}),
    Lever("goal_setting", "experience.goal_setting", False, True, {"quality": +1}),
    Lever("agreement", "experience.agreement", False, True, {"early_closure": -1}),
    Lever("session_guides", "experience.session_guides", False, True, {"quality": +1}),
    Lever("matching_method", "experience.matching_method", "admin", "algorithmic", {"early_closure": -1}),
    Lever("rematching", "support.rematching", "none", "no_fault", {"meetings": +1, "skill_gap_closed": +1}),
    Lever("check_in", "support.check_in", "none", "monthly", {"early_closure": -1}),
    Lever("inactivity_days", "support.inactivity_days", 180, 30, {"meetings": +1},
          given={"check_in": "none", "rematching": "no_fault"}),
    Lever("mentor_hours_per_month", "support.mentor_hours_per_month", 0.5, 6.0,
          {"meetings": +1, "quality": +1}, given={"cadence": "weekly"}),
    Lever("coordinator_hours_per_month", "align.constraints", 1.0, 200.0, {"early_closure": -1},
          given={"check_in": "monthly"}),
)
