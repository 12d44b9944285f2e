"""The decision catalogue: every AXLES design decision in plain words, with its options and evidence.

AXLES is Jenn Labin's model (*Mentoring Programs That Work*, ATD Press, 2017):
**Align** the program to a measurable organisational purpose, design the
**eXperience**, design the **Launch**, **Evaluate** often and in varied ways,
and plan the **Support**. Labin's book has its own list of sub-decisions, which
was not available to us: the decisions, options and guidance below are
assembled from mentoring practice and research, not taken from Labin's list,
and should be presented that way.

Each :class:`Decision` is one field (or one group of fields) of
:class:`~workbench.design.model.ProgramDesign`, named by its dotted path
(``"experience.structure"``). Its options follow the model's allowed values in
the same order. Its evidence cites the source behind the guidance or default;
where no source backs a default, the evidence says so as an ``"Assumption"``.
Its ``depends_on`` names the other decisions, and the data (``"data:<table>"``
or ``"data:<table>.<column>"``), that the choice should be informed by.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass

from workbench.design.model import (CRITERION_KIND_LABELS, Balance, Constraints, DesignCriterion, Eligibility,
                                   Objective, PilotDesign, ProgramDesign, Selection)

STEPS: tuple[str, ...] = ("align", "experience", "launch", "evaluate", "support")


@dataclass(frozen=True)
class Evidence:
    """A cited source and what it found, in one plain sentence."""

    source: str
    finding: str


@dataclass(frozen=True)
class Option:
    """One allowed value of a decision: the model's value, a label, and when to choose it."""

    value: str
    label: str
    guidance: str


@dataclass(frozen=True)
class Decision:
    """One design decision of an AXLES step.

    ``id`` is the dotted path of the field in :class:`ProgramDesign`; ``options``
    is empty for numbers, text, yes/no and compound values; ``unit`` is the unit
    of a number (``"months"``, ``"share"`` for a fraction between 0 and 1).
    """

    id: str
    step: str
    title: str
    question: str
    guidance: str
    options: tuple[Option, ...]
    evidence: tuple[Evidence, ...]
    depends_on: tuple[str, ...]
    unit: str = ""


# --------------------------------------------------------------------------
# Evidence (every source is listed in EVIDENCE.md of the project)
# --------------------------------------------------------------------------

_LABIN = "Labin 2017, Mentoring Programs That Work (ATD Press)"
_EBY_2013 = "Eby et al. 2013, Psych Bull 139:441 (meta-analysis, N = 40,737)"
_AEL_2006 = "Allen, Eby & Lentz 2006, JAP 91:567"
_PRACTICE = "Mentoring practice"
_PLATFORMS = "Mentoring platform practice"
_USERS = "Users of mentoring platforms (vendor docs and public issues)"

LABIN_ALIGN = Evidence(_LABIN, "Anchor the program to the most critical talent issue, which is usually already "
                               "measured (e.g. attrition), so its impact can be measured.")
LABIN_STRUCTURE = Evidence(_LABIN, "Design the structure on purpose rather than copying another organisation's; "
                                   "peer groups may fit engagement better than one-on-one.")
LABIN_LAUNCH = Evidence(_LABIN, "Design the launch (onboarding) of mentees and mentors as a step of its own.")
LABIN_EVALUATE = Evidence(_LABIN, "Evaluate the program's effectiveness often and in varied ways.")
LABIN_SUPPORT = Evidence(_LABIN, "Plan ongoing support for mentors' skills and learners' needs.")
RAGINS_2000 = Evidence("Ragins, Cotton & Miller 2000, AMJ 43:1177",
                       "Satisfaction with the relationship shaped attitudes more than having a mentor or the "
                       "program's design: a poor match is close to no match.")
RAGINS_1999 = Evidence("Ragins & Cotton 1999, JAP 84:529",
                       "In one study, protégés of formal programs did not differ significantly from people "
                       "without a mentor.")
EBY_SIMILARITY = Evidence(_EBY_2013, "Similarity in attitudes, values and personality goes with better-rated "
                                     "relationships (rho .38-.59).")
EBY_FREQUENCY = Evidence(_EBY_2013, "How often pairs meet relates to the psychosocial support mentees receive "
                                    "(rho .25).")
EBY_QUALITY = Evidence(_EBY_2013, "Relationship quality relates to mentees' satisfaction (rho .38).")
ALLEN_2004 = Evidence("Allen et al. 2004, JAP 89:127",
                      "Mentoring's effects on pay and promotion are small; on career satisfaction and "
                      "commitment they are larger.")
EBY_2008 = Evidence("Eby et al. 2008, JVB 72:254",
                    "Mentoring's effects on objective outcomes are small, on subjective outcomes larger.")
AEL_INPUT = Evidence(_AEL_2006, "Giving participants a say in matching relates to better mentoring and "
                                "relationship quality.")
AEL_TRAINING = Evidence(_AEL_2006, "High-quality training relates to better mentoring and relationship quality.")
KRAM_1983 = Evidence("Kram 1983, AMJ 26:608", "The initiation phase of a mentoring relationship takes 6-12 months; "
                                              "a very short program may end before the relationship matures.")
VENDOR_TERMINATIONS = Evidence("One mentoring vendor's youth/college data (n = 333)",
                               "Early terminations were 10.9% with algorithmic matching and 29.4% with manual "
                               "matching.")
SUN_2006 = Evidence("Sun Microsystems study 2006 (observational, self-selected)",
                    "Retention was 72% for mentees, 69% for mentors and 49% for non-participants: an upper bound, "
                    "not an expected effect.")
PRACTICE_TURNOVER = Evidence("Practitioner rule of thumb",
                             "Mentoring reduces mentees' annual turnover by 10-30% (central 15-20%); replacing a "
                             "leaver costs 0.5-2 times the annual salary.")
GHOSH_REIO_2013 = Evidence("Ghosh & Reio 2013, JVB 83:106",
                           "Mentors gain job satisfaction and commitment, but their intent to leave was not "
                           "significantly lower.")
KIRKPATRICK = Evidence("Kirkpatrick levels; Phillips ROI methodology",
                       "Evaluate reaction, learning, behaviour and results; Phillips adds inputs and "
                       "ROI = (benefits - costs) / costs.")
ATTRIBUTION_FLAW = Evidence("Mentoring evaluation practice",
                            "ROI claims without a comparison group are the most common flaw in program "
                            "evaluations.")
METRIC_FAMILIES = Evidence("Mentoring evaluation practice",
                           "Track enrolment and match rate; meetings and goals; and retention, promotion and "
                           "satisfaction.")
SURVEY_TIMING = Evidence("Mentoring evaluation practice",
                         "Measure at baseline, midpoint and end, with a follow-up 6-12 months later.")
ZACHARY = Evidence("Zachary, mentoring relationship lifecycle",
                   "Relationships move through preparing, negotiating (goals and agreement), enabling and closure.")
PLATFORM_THRESHOLD = Evidence(_PLATFORMS, "One platform waits until 75% of invited mentors have joined before "
                                          "opening self-matching.")
PLATFORM_INACTIVITY = Evidence(_PLATFORMS, "One platform closes pairs inactive for 90 days, after a 7-day warning.")
MANUAL_MATCHING = Evidence("Public-sector mentoring network (850+ registrants)",
                           "Matching by hand took about 20 hours (rules: mentor one or two grades senior, different "
                           "department, a profession in common); a matcher built for it took 97 s for 500 people.")
USERS_HARD_RULES = Evidence(_USERS, "Too many hard rules leave people unmatched.")
USERS_MENTOR_SCARCITY = Evidence(_USERS, "Mentors are scarcer than mentees.")
USERS_FIRST_COME = Evidence(_USERS, "First-come-first-served self-matching is unfair to those who come later.")
USERS_FIZZLE = Evidence(_USERS, "Pairs fizzle out after a few meetings.")
USERS_PRIVACY = Evidence(_USERS, "There is a tension between using demographics for matching and keeping them "
                                 "private.")
USERS_SKILL_LINK = Evidence(_USERS, "Platforms do not link strategic skill gaps to matching.")
PRACTICE_SMART = Evidence(_PRACTICE, "Objectives should be specific, measurable, achievable, relevant and "
                                     "time-bound, with a success metric, a baseline and a target.")
PRACTICE_ROLES = Evidence(_PRACTICE, "Align names a sponsor and an owner; a sponsor message is a usual part of "
                                     "the launch.")
PRACTICE_ELIGIBILITY = Evidence(_PRACTICE, "Eligibility rules such as one year of tenure and good performance are "
                                           "common.")
PRACTICE_CONSTRAINTS = Evidence(_PRACTICE, "Know the constraints up front: budget, coordinator hours, likely "
                                           "mentor supply and privacy limits.")
PRACTICE_STRUCTURES = Evidence(_PRACTICE, "Group mentoring has one mentor with about 3-8 mentees; peer circles have "
                                          "4-10 people and no fixed mentor; mosaic gives a mentee several mentors.")
PRACTICE_DURATION = Evidence(_PRACTICE, "Programs run as flash, 3, 6, 9 or 12 months, in cohorts or always open.")
PRACTICE_CADENCE = Evidence(_PRACTICE, "Pairs meet weekly to monthly, for 30-60 minutes.")
PRACTICE_ENROLMENT = Evidence(_PRACTICE, "Enrolment is open, by application or by nomination; voluntary or "
                                         "mandatory.")
PRACTICE_LINE_MANAGER = Evidence(_PRACTICE, "Programs usually exclude the line manager as mentor.")
PRACTICE_LAUNCH = Evidence(_PRACTICE, "Recruit mentors first; use a sponsor message, testimonials and a manager "
                                      "briefing; hold an orientation.")
PRACTICE_RELEASE = Evidence(_PRACTICE, "Review draft matches before publishing them; plan for the unmatched "
                                       "(waitlist, group, peer, a clearing round).")
PRACTICE_SUPPORT = Evidence(_PRACTICE, "Support pairs with check-ins and nudges, no-fault re-matching, mentor "
                                       "recognition and time, and feed evaluation results into the next cohort.")


def _assumption(text: str) -> Evidence:
    return Evidence("Assumption", text)


def _options(*rows: tuple[str, str, str]) -> tuple[Option, ...]:
    return tuple(Option(*row) for row in rows)


# --------------------------------------------------------------------------
# Align
# --------------------------------------------------------------------------

_ALIGN = (
    Decision(
        "align.business_problem", "align", "Business problem",
        "Which talent problem should the program help solve?",
        "Pick the single most critical talent issue, ideally one the organisation already measures, so the "
        "program's impact can be shown. One clear problem beats a list.",
        _options(
            ("attrition", "Reduce attrition", "People you want to keep are leaving, especially early in their "
                                              "career or in one department."),
            ("onboarding", "Faster onboarding", "New hires take too long to become productive or to feel at home."),
            ("leadership_pipeline", "Leadership pipeline", "Too few internal candidates are ready for leadership "
                                                           "or succession."),
            ("representation", "Representation", "Some groups are under-represented at senior levels."),
            ("knowledge_transfer", "Knowledge transfer", "Critical know-how sits with people who will retire or "
                                                         "leave soon."),
            ("reskilling", "Reskilling", "The organisation needs skills that few people have yet."),
            ("engagement", "Engagement", "People feel disconnected or stuck; the aim is belonging and "
                                         "development."),
        ),
        (LABIN_ALIGN,), ("data:goals", "data:people.exit_date"),
    ),
    Decision(
        "align.problem_statement", "align", "Problem statement",
        "In two or three sentences, what is the problem and whom does it affect?",
        "Say who is affected, how big the problem is today (with a number if you have one) and why it matters now.",
        (), (LABIN_ALIGN,), ("align.business_problem", "data:goals"),
    ),
    Decision(
        "align.sponsor", "align", "Sponsor",
        "Which senior leader sponsors the program?",
        "Choose a leader who owns the business problem and will speak for the program at launch.",
        (), (PRACTICE_ROLES,), ("align.business_problem",),
    ),
    Decision(
        "align.owner", "align", "Program owner",
        "Who runs the program day to day?",
        "Name the person who recruits, matches, supports pairs and reports results, and make sure they have the "
        "hours for it.",
        (), (PRACTICE_ROLES, PRACTICE_CONSTRAINTS), ("align.constraints",),
    ),
    Decision(
        "align.goal_ids", "align", "Organisational goals served",
        "Which of the organisation's goals does the program serve?",
        "Link the program to one or two goals from the goals table; their KPIs are a ready-made way to measure "
        "success.",
        (), (LABIN_ALIGN,), ("data:goals", "align.business_problem"),
    ),
    Decision(
        "align.objectives", "align", "Objectives and success metrics",
        "What will change, by how much, and by when?",
        "Write each objective as a KPI with a baseline, a target and a horizon in months. Expect small effects on "
        "pay and promotion and larger ones on satisfaction and commitment, and set targets accordingly.",
        _options(
            ("retention", "Retention", "Staying in the organisation, e.g. the annual exit rate of a group."),
            ("promotion", "Promotion", "Moving up, e.g. the share of vacancies filled internally."),
            ("skill", "Skill", "Proficiency in skills the organisation needs."),
            ("engagement", "Engagement", "Engagement or belonging survey scores."),
            ("time_to_productivity", "Time to productivity", "How quickly new hires become fully productive."),
            ("representation", "Representation", "The share of a group at given levels."),
            ("satisfaction", "Satisfaction", "Participants' satisfaction with the program or their career."),
            ("other", "Other", "Any other measurable outcome."),
            ("competency_growth", "Competency growth", "Change in assessed skill levels from before the cohort to "
                                                       "after it (proficiency.csv with assessed_on dates)."),
            ("time_to_promotion", "Time to promotion", "Median months from the cohort start to a promotion "
                                                       "(people.csv promotion_date)."),
            ("high_potential_retention", "Retention of high potentials", "Staying, among the people flagged "
                                                                         "high_potential in people.csv."),
            ("internal_mobility", "Internal mobility", "Moves to another job inside the organisation "
                                                       "(people.csv job_change_date)."),
            ("mentor_outcomes", "Mentor outcomes", "Mentors learn too: their own survey change, or their "
                                                   "retention."),
        ),
        (PRACTICE_SMART, ALLEN_2004, EBY_2008, LABIN_ALIGN),
        ("align.business_problem", "align.goal_ids", "data:goals"),
    ),
    Decision(
        "align.mentee_eligibility", "align", "Who can be a mentee",
        "Which employees may join as mentees?",
        "Filter by department, level, tenure or performance only where the business problem calls for it; every "
        "filter makes the pool smaller.",
        (), (PRACTICE_ELIGIBILITY,),
        ("align.business_problem", "data:people.department", "data:people.level", "data:people.hire_date"),
    ),
    Decision(
        "align.mentor_eligibility", "align", "Who can be a mentor",
        "Which employees may join as mentors?",
        "Mentors are usually scarcer than mentees: keep mentor rules loose enough that supply covers demand.",
        (), (USERS_MENTOR_SCARCITY, PRACTICE_ELIGIBILITY),
        ("align.mentee_eligibility", "data:people.level", "data:people.hire_date", "data:enrolment"),
    ),
    Decision(
        "align.focus_skills", "align", "Skills to grow",
        "Which organisational skills should the program grow?",
        "Pick the skills with the largest gaps against the goals' requirements, so matching can favour mentors "
        "who have them.",
        (), (USERS_SKILL_LINK,), ("align.goal_ids", "data:skills", "data:requirements", "data:proficiency"),
    ),
    Decision(
        "align.constraints", "align", "Constraints",
        "What budget, coordinator time and mentor supply does the program have?",
        "Write down the budget, the coordinator's hours a month and how many mentors you expect to volunteer; "
        "the checks use the mentor supply when there is no enrolment yet.",
        (), (PRACTICE_CONSTRAINTS, USERS_MENTOR_SCARCITY), ("data:enrolment",),
    ),
)

# --------------------------------------------------------------------------
# eXperience
# --------------------------------------------------------------------------

_EXPERIENCE = (
    Decision(
        "experience.structure", "experience", "Program structure",
        "How will mentees and mentors meet: in pairs, groups, peers ...?",
        "Choose the structure for the purpose, not because another organisation uses it. Groups and peers stretch "
        "scarce mentors; one-on-one suits deep, personal goals.",
        _options(
            ("one_on_one", "One-on-one", "Personal development, career or leadership goals, when there are enough "
                                         "mentors."),
            ("group", "Group", "One mentor with about 3-8 mentees: when mentors are scarce or mentees share a goal."),
            ("peer", "Peer circles", "4-10 peers with no fixed mentor: for engagement, belonging and onboarding."),
            ("reverse", "Reverse", "Junior people mentor senior ones, e.g. on technology or on the experience of "
                                   "under-represented groups."),
            ("flash", "Flash", "One or a few short sessions on a specific question; light commitment."),
            ("mosaic", "Mosaic", "Several mentors per mentee, each for a different need; needs plenty of mentors."),
            ("functional", "Functional", "A subject-matter expert mentors on a project or skill."),
        ),
        (LABIN_STRUCTURE, PRACTICE_STRUCTURES, RAGINS_2000),
        ("align.business_problem", "align.objectives", "data:enrolment"),
    ),
    Decision(
        "experience.group_size", "experience", "Group size",
        "In group mentoring, how many mentees does one mentor take?",
        "About 3-8 mentees per group; smaller groups give each mentee more attention.",
        (), (PRACTICE_STRUCTURES,), ("experience.structure", "data:enrolment"), unit="mentees",
    ),
    Decision(
        "experience.mentors_per_mentee", "experience", "Mentors per mentee",
        "In mosaic mentoring, how many mentors does each mentee have?",
        "Two is the lightest mosaic; each extra mentor per mentee needs as many extra mentor places.",
        (), (PRACTICE_STRUCTURES, _assumption("The default of 2 mentors per mentee is not backed by a source.")),
        ("experience.structure", "data:enrolment"), unit="mentors",
    ),
    Decision(
        "experience.duration_months", "experience", "Duration",
        "How long does a mentoring relationship run?",
        "Relationships need 6-12 months to get going: for careers, leadership or retention plan 6-12 months; "
        "flash or 3-month programs fit narrow, practical goals.",
        (), (KRAM_1983, PRACTICE_DURATION), ("align.business_problem", "align.objectives", "experience.structure"),
        unit="months",
    ),
    Decision(
        "experience.cadence", "experience", "Meeting cadence",
        "How often do pairs meet?",
        "Meeting more often relates to more support; fortnightly is a common middle ground.",
        _options(
            ("weekly", "Weekly", "Short, intense programs or onboarding."),
            ("fortnightly", "Every two weeks", "The usual balance of momentum and time."),
            ("monthly", "Monthly", "Senior or busy participants, long programs."),
        ),
        (EBY_FREQUENCY, PRACTICE_CADENCE), ("experience.duration_months",),
    ),
    Decision(
        "experience.meeting_minutes", "experience", "Meeting length",
        "How long is a typical meeting?",
        "30-60 minutes is usual.",
        (), (PRACTICE_CADENCE,), ("experience.cadence",), unit="minutes",
    ),
    Decision(
        "experience.enrolment", "experience", "Enrolment",
        "How do people join?",
        "Open enrolment is simplest; applications let you check goals and commitment; nomination targets a "
        "specific talent group.",
        _options(
            ("open", "Open", "Anyone eligible signs up; broad engagement programs."),
            ("application", "Application", "People apply with their goals; the owner confirms."),
            ("nomination", "Nomination", "Managers or HR nominate people, e.g. for succession."),
        ),
        (PRACTICE_ENROLMENT,), ("align.mentee_eligibility", "align.business_problem"),
    ),
    Decision(
        "experience.voluntary", "experience", "Voluntary participation",
        "Is taking part voluntary?",
        "Voluntary is the usual choice.",
        (), (PRACTICE_ENROLMENT, _assumption("Voluntary participation is the default; our sources do not measure "
                                             "its effect.")),
        ("experience.enrolment",),
    ),
    Decision(
        "experience.mentor_capacity", "experience", "Mentor capacity",
        "At most how many mentees can one mentor take?",
        "Mentors are scarce: allowing two or three mentees each stretches supply, but each extra mentee costs the "
        "mentor time.",
        (), (USERS_MENTOR_SCARCITY, _assumption("The default of 2 mentees per mentor is not backed by a source.")),
        ("data:enrolment", "align.constraints", "support.mentor_hours_per_month"), unit="mentees",
    ),
    Decision(
        "experience.allow_both_roles", "experience", "Mentee and mentor at once",
        "May one person be a mentee and a mentor at the same time?",
        "Allowing both adds mentors from the middle levels.",
        (), (_assumption("Whether holding both roles helps or hurts is not measured by our sources."),),
        ("data:enrolment",),
    ),
    Decision(
        "experience.exclude_line_manager", "experience", "Exclude the line manager",
        "Must a mentee's own line manager never be their mentor?",
        "Usually yes: a mentee speaks more freely with someone who does not assess them.",
        (), (PRACTICE_LINE_MANAGER,), ("data:people.manager_id",),
    ),
    Decision(
        "experience.matching_method", "experience", "Matching method",
        "Who decides who is matched with whom?",
        "Algorithmic or blended matching scales and is linked to fewer early endings than manual matching; giving "
        "participants a say relates to better relationships.",
        _options(
            ("admin", "By the program owner", "Small programs where the owner knows everyone."),
            ("mentee_choice", "Mentees choose", "Mentees pick from a list; first come, first served unless "
                                                "limited."),
            ("suggested", "Suggested matches", "The tool suggests a short list; people choose."),
            ("algorithmic", "Algorithmic", "The tool matches everyone at once by the criteria."),
            ("blended", "Blended", "The tool proposes, people state preferences, the owner reviews."),
        ),
        (VENDOR_TERMINATIONS, AEL_INPUT, MANUAL_MATCHING, USERS_FIRST_COME),
        ("data:enrolment", "data:preferences"),
    ),
    Decision(
        "experience.approval", "experience", "Match approval",
        "Who must accept a proposed match?",
        "Letting the mentor, or both people, accept gives participants a say.",
        _options(
            ("none", "No approval", "Matches are final when released."),
            ("one_sided", "One side approves", "The mentor (or the mentee) accepts the match."),
            ("two_sided", "Both approve", "Both people accept; slower, more ownership."),
        ),
        (AEL_INPUT,), ("experience.matching_method",),
    ),
    Decision(
        "experience.criteria", "experience", "Matching criteria and weights",
        "What should matching look at, and how much (weight 0-10 each)?",
        "Weight what serves the objectives: skills offered against skills wanted for skill goals, preferences to "
        "give people a say. Similar attitudes and values go with better relationships.",
        _options(
            ("skills", "Skills", "Mentor offers the skills the mentee wants to grow."),
            ("seniority", "Seniority", "Mentor the right number of levels above the mentee."),
            ("department", "Department", "Same or different department, as preferred below."),
            ("location", "Location", "Same location, for meeting in person."),
            ("timezone", "Time zone", "Working hours that overlap."),
            ("languages", "Languages", "A language in common."),
            ("preferences", "Preferences", "The partners people ranked."),
            ("affinity", "Affinity", "Shared sensitive attributes (e.g. for representation goals); needs "
                                     "opt-in."),
        ),
        (EBY_SIMILARITY, AEL_INPUT, USERS_PRIVACY),
        ("align.objectives", "align.focus_skills", "data:enrolment", "data:proficiency", "data:preferences",
         "data:people.timezone", "data:people.languages", "experience.sensitive_attributes"),
    ),
    Decision(
        "experience.custom_criteria", "experience", "Criteria of your own",
        "Should matching also look at other columns of the enrolment or people data, such as shared values or "
        "working style, and how much (weight 0-10 each)?",
        "Declare a criterion over any column: people alike (or unlike) in it, sharing items of a list, close in a "
        "number, or answering a survey alike. Similar values and attitudes go with better relationships; how much "
        "one particular survey or column adds is not measured, so weigh it against the criteria that serve the "
        "objectives. A sensitive column needs the opt-in below.",
        _options(
            *((kind, CRITERION_KIND_LABELS[kind], help) for kind, help in (
                ("same", "1 when mentee and mentor have the same value (e.g. the same site or function)."),
                ("different", "1 when their values differ (e.g. another business unit)."),
                ("shared_items", "The share of the shorter ;-separated list the other also lists (e.g. values, "
                                 "interests)."),
                ("distance", "1 - difference / scale, at least 0 (e.g. years of experience, scale 10)."),
                ("similarity", "1 - mean absolute difference of the answers / the answer scale's width, over items "
                               "both answered (e.g. working-style items on a 1-5 scale: scale 4)."))),
        ),
        (EBY_SIMILARITY, _assumption("The five formulas are the workbench's; no source validates one survey's "
                                     "similarity score as a predictor of relationship quality.")),
        ("experience.criteria", "experience.sensitive_opt_in", "experience.sensitive_attributes", "data:enrolment",
         "data:people"),
    ),
    Decision(
        "experience.department_preference", "experience", "Same or other department",
        "Should mentors come from the mentee's department or another one?",
        "Cross-department pairs widen networks and ease confidentiality; same-department pairs suit technical "
        "skills.",
        _options(
            ("same", "Same department", "Technical or role-specific know-how."),
            ("cross", "Other department", "Networks, perspective and confidential advice."),
            ("any", "No preference", "Let other criteria decide."),
        ),
        (MANUAL_MATCHING, _assumption("Which works better is not measured by our sources.")),
        ("experience.criteria", "data:people.department"),
    ),
    Decision(
        "experience.seniority_gap_min", "experience", "Seniority gap, at least",
        "At least how many levels above the mentee is the mentor?",
        "One or two levels is common; larger gaps shrink the pool of mentors.",
        (), (MANUAL_MATCHING,), ("data:people.level",), unit="levels",
    ),
    Decision(
        "experience.seniority_gap_max", "experience", "Seniority gap, at most",
        "At most how many levels above the mentee is the mentor?",
        "A mentor far above the mentee may be hard to relate to; keep the window wide enough that every mentee has "
        "candidates.",
        (), (MANUAL_MATCHING,), ("experience.seniority_gap_min", "data:people.level"), unit="levels",
    ),
    Decision(
        "experience.hard_rules", "experience", "Hard rules",
        "Which rules must every match obey, no matter the score?",
        "Every hard rule can leave someone without a partner: keep only the rules that truly must hold and let "
        "weights do the rest.",
        _options(
            ("different_department", "Different department", "Confidentiality matters more than shared "
                                                             "know-how."),
            ("same_department", "Same department", "Technical know-how must be shared."),
            ("not_in_management_chain", "Not in the management chain", "The mentor is not the mentee's manager or "
                                                                       "anyone above them."),
            ("mentor_more_senior", "Mentor more senior", "The mentor is at least the minimum gap above the "
                                                         "mentee."),
            ("same_timezone_band", "Same time-zone band", "Partners are at most 3 hours apart."),
        ),
        (USERS_HARD_RULES,),
        ("experience.seniority_gap_min", "data:enrolment", "data:people.manager_id", "data:people.timezone"),
    ),
    Decision(
        "experience.matching_objective", "experience", "Matching objective",
        "What should matching optimise?",
        "A poor match is close to no match, so do not match everyone at any price; with scarce mentors, decide "
        "whether to favour the average, coverage or the worst-off.",
        _options(
            ("best_average", "Best average fit", "The highest total match quality."),
            ("most_matched", "Most people matched", "Coverage first, then quality."),
            ("fairest", "Best weakest pair", "Raise the quality of the weakest match (it does not balance groups' "
                                             "match rates)."),
            ("balanced_groups", "Even match rates across groups", "The best total fit while every group (e.g. each "
                                                                  "department) is matched at a similar rate."),
            ("rounds", "Several rounds", "Match in rounds; the unmatched go again."),
        ),
        (RAGINS_2000, USERS_MENTOR_SCARCITY), ("experience.criteria", "experience.mentor_capacity"),
    ),
    Decision(
        "experience.balance", "experience", "Groups to balance",
        "With even match rates across groups: groups of which attribute, and how far apart may their match rates be?",
        "Pick the grouping people would judge fairness by (department, site, level; a sensitive attribute only with "
        "the organisation's agreement). A tight gap can cost matches: the matching reports what it cost.",
        (), (USERS_FIRST_COME, USERS_PRIVACY, _assumption("The default gap of 10 percentage points is not backed by a "
                                                          "source.")),
        ("experience.matching_objective", "experience.sensitive_attributes", "data:people"),
    ),
    Decision(
        "experience.functional_skill", "experience", "Functional skill",
        "In functional mentoring, which skill do mentors teach?",
        "Name one skill from the skill catalogue; mentees who need it are matched with mentors proficient enough to "
        "teach it. Left empty, the first focus skill is used.",
        (), (PRACTICE_STRUCTURES, USERS_SKILL_LINK), ("experience.structure", "align.focus_skills", "data:proficiency"),
    ),
    Decision(
        "experience.goal_setting", "experience", "Goal setting",
        "Do pairs set development goals together?",
        "Yes for most programs: goals give the relationship direction and give evaluation something to measure.",
        (), (ZACHARY,), ("align.objectives",),
    ),
    Decision(
        "experience.agreement", "experience", "Mentoring agreement",
        "Do pairs sign a short agreement (meetings, confidentiality, how to end)?",
        "Agreeing expectations early is part of the negotiating phase of a relationship.",
        (), (ZACHARY,), ("experience.goal_setting",),
    ),
    Decision(
        "experience.meeting_format", "experience", "Meeting format",
        "Do pairs meet in person, virtually or both?",
        "Virtual or hybrid when partners work in different locations or time zones.",
        _options(
            ("in_person", "In person", "Partners work in the same place."),
            ("virtual", "Virtual", "Partners are spread across locations."),
            ("hybrid", "Hybrid", "Mostly virtual, in person when possible."),
        ),
        (_assumption("Our sources do not compare meeting formats."),), ("data:people.location",),
    ),
    Decision(
        "experience.session_guides", "experience", "Session guides",
        "Do pairs get guides for what to discuss in their meetings?",
        "Guides help pairs keep going after the first few meetings, when many fizzle out.",
        (), (USERS_FIZZLE,), ("experience.goal_setting",),
    ),
    Decision(
        "experience.mentor_training_hours", "experience", "Mentor training",
        "How many hours of training do mentors get?",
        "High-quality training relates to better relationships; a couple of hours is a common minimum.",
        (), (AEL_TRAINING, _assumption("The default of 2 hours is not backed by a source.")),
        ("align.constraints",), unit="hours",
    ),
    Decision(
        "experience.mentee_training_hours", "experience", "Mentee training",
        "How many hours of training do mentees get?",
        "Mentees learn how to set goals and drive the relationship.",
        (), (AEL_TRAINING, _assumption("The default of 1 hour is not backed by a source.")),
        ("align.constraints",), unit="hours",
    ),
    Decision(
        "experience.sensitive_opt_in", "experience", "Use of sensitive data",
        "Has the organisation agreed that matching may use sensitive attributes?",
        "Only with a clear purpose (e.g. representation), the agreement of whoever guards privacy, and "
        "participants' consent.",
        (), (USERS_PRIVACY,), ("align.business_problem", "data:people"),
    ),
    Decision(
        "experience.sensitive_attributes", "experience", "Sensitive attributes used",
        "Which sensitive attributes may matching use?",
        "Use as few as the purpose needs, and only after opting in.",
        (), (USERS_PRIVACY,), ("experience.sensitive_opt_in", "experience.criteria", "data:people"),
    ),
)

# --------------------------------------------------------------------------
# Launch
# --------------------------------------------------------------------------

_LAUNCH = (
    Decision(
        "launch.rollout", "launch", "Pilot or full roll-out",
        "Start with a pilot or with everyone?",
        "A pilot tests the design on a small cohort before it is scaled up.",
        _options(
            ("pilot", "Pilot", "A first program, or a new design to test."),
            ("full", "Full roll-out", "A proven design, or a program everyone eligible should reach."),
        ),
        (LABIN_LAUNCH, _assumption("Our sources do not compare pilots with full roll-outs.")),
        ("align.mentee_eligibility",),
    ),
    Decision(
        "launch.pilot_size", "launch", "Pilot size",
        "How many mentees take part in the pilot?",
        "Enough to learn from, and no more than the mentors can take.",
        (), (_assumption("The default of 30 mentees is not backed by a source."),),
        ("launch.rollout", "experience.mentor_capacity", "data:enrolment"), unit="mentees",
    ),
    Decision(
        "launch.selection", "launch", "Choosing the class",
        "When more people apply than the program can take, how is the class chosen?",
        "Say how the class is chosen before applications open. Quotas or spread targets (departments, levels, "
        "sites) keep a limited class accessible rather than elite; choosing by matchability favours applicants "
        "the mentors can serve well, a lottery gives every applicant the same chance.",
        _options(
            ("everyone", "Everyone eligible", "Every eligible applicant takes part: when mentors can take them all."),
            ("matchability", "Best matchable class", "The class of the given size that meets the quotas and can be "
                                                     "matched best with the mentors' capacity."),
            ("lottery", "Lottery", "A seeded random draw within the quotas: seen as fair, blind to fit."),
        ),
        (PRACTICE_ELIGIBILITY, USERS_MENTOR_SCARCITY, USERS_FIRST_COME,
         _assumption("No source compares choosing by fit with a lottery.")),
        ("align.mentee_eligibility", "launch.pilot_size", "experience.mentor_capacity", "data:enrolment",
         "data:people.department", "data:people.level"),
    ),
    Decision(
        "launch.start_date", "launch", "Start date",
        "When do the first matches start?",
        "Leave time to recruit mentors and train everyone first, and avoid busy seasons.",
        (), (_assumption("No source sets a best start date."),), ("launch.recruit_mentors_first",),
    ),
    Decision(
        "launch.recruit_mentors_first", "launch", "Recruit mentors first",
        "Recruit mentors before opening to mentees?",
        "Usually yes: mentors are the scarce side, and mentees who sign up to find no mentor lose interest.",
        (), (PRACTICE_LAUNCH, USERS_MENTOR_SCARCITY), (),
    ),
    Decision(
        "launch.mentor_join_threshold", "launch", "Mentors needed before opening",
        "What share of invited mentors must have joined before mentees can sign up?",
        "One platform waits for 75%.",
        (), (PLATFORM_THRESHOLD,), ("launch.recruit_mentors_first",), unit="share",
    ),
    Decision(
        "launch.communications", "launch", "Communications",
        "How will the program be announced?",
        "A sponsor message gives weight; testimonials give trust; briefing managers gets people the time.",
        _options(
            ("sponsor_message", "Sponsor message", "The sponsor explains why the program matters."),
            ("testimonials", "Testimonials", "Past participants tell their stories."),
            ("manager_briefing", "Manager briefing", "Managers learn what the program asks of their people."),
            ("intranet", "Intranet", "A standing page with details and sign-up."),
            ("town_hall", "Town hall", "A live launch event."),
        ),
        (PRACTICE_LAUNCH,), ("align.sponsor",),
    ),
    Decision(
        "launch.orientation", "launch", "Orientation",
        "Is there an orientation session at the start?",
        "An orientation sets expectations and can carry the training.",
        (), (PRACTICE_LAUNCH, AEL_TRAINING), ("experience.mentor_training_hours",),
    ),
    Decision(
        "launch.match_release", "launch", "Match release",
        "Are matches published all at once or as they are made?",
        "All at once treats everyone alike; rolling release starts pairs sooner but favours early sign-ups.",
        _options(
            ("all_at_once", "All at once", "Cohort programs with a common start."),
            ("rolling", "Rolling", "Always-open programs."),
        ),
        (USERS_FIRST_COME,), ("experience.matching_method",),
    ),
    Decision(
        "launch.draft_review", "launch", "Review draft matches",
        "Does the owner review draft matches before publishing?",
        "A review catches conflicts that no data shows.",
        (), (PRACTICE_RELEASE,), ("experience.matching_method",),
    ),
    Decision(
        "launch.unmatched", "launch", "The unmatched",
        "What happens to mentees left without a mentor?",
        "Plan it before launch: with scarce mentors someone will be left over.",
        _options(
            ("waitlist", "Waitlist", "They wait for the next mentor or cohort."),
            ("group", "Group", "They join a mentor's group."),
            ("peer", "Peer circle", "They form peer circles."),
            ("clearing_round", "Clearing round", "A second matching round with looser rules."),
        ),
        (PRACTICE_RELEASE, USERS_MENTOR_SCARCITY, USERS_HARD_RULES), ("experience.hard_rules", "data:enrolment"),
    ),
    Decision(
        "launch.pilot", "launch", "Pilot design",
        "How will the launch let you tell whether the program worked?",
        "Decide before launch, and freeze the plan. With open enrolment the evaluation can only compare "
        "volunteers with colleagues who did not apply, an association. When there are more applicants than "
        "places, a randomised waitlist (a seeded draw of who starts now and who joins the next cohort) gives a "
        "fair comparison; a staggered roll-out starts departments or sites in a randomised order.",
        _options(
            ("open", "Open enrolment", "Everyone eligible who applies takes part; the evaluation shows an "
                                       "association."),
            ("waitlist", "Randomised waitlist", "More applicants than places: a seeded draw offers the places, the "
                                                "others join the next cohort."),
            ("stepped_wedge", "Staggered roll-out", "Departments or sites start in a randomised order, a few "
                                                    "months apart (a stepped wedge)."),
        ),
        (ATTRIBUTION_FLAW, _assumption("Our sources do not evaluate randomised waitlists or staggered roll-outs of "
                                       "mentoring; randomising who starts first is the general way to separate a "
                                       "program's effect from who volunteers.")),
        ("launch.rollout", "launch.pilot_size", "launch.selection", "evaluate.attribution", "data:enrolment",
         "data:people.department"),
    ),
)

# --------------------------------------------------------------------------
# Evaluate
# --------------------------------------------------------------------------

_EVALUATE = (
    Decision(
        "evaluate.levels", "evaluate", "Evaluation levels",
        "At which levels will the program be evaluated?",
        "Go beyond reaction: behaviour and results show whether the objectives moved. ROI needs costs and a "
        "money value of the results.",
        _options(
            ("reaction", "Reaction", "Did participants find it worthwhile?"),
            ("learning", "Learning", "Did they learn skills or knowledge?"),
            ("behaviour", "Behaviour", "Do they work differently?"),
            ("results", "Results", "Did the KPIs move?"),
            ("roi", "ROI", "Were the benefits worth the costs?"),
        ),
        (KIRKPATRICK, LABIN_EVALUATE), ("align.objectives",),
    ),
    Decision(
        "evaluate.metrics", "evaluate", "Metrics per objective",
        "How will each objective be measured?",
        "Name, for every objective, the data that measures it: exits, promotions, survey scores, meetings.",
        (), (METRIC_FAMILIES,), ("align.objectives", "data:people.exit_date", "data:survey", "data:meetings"),
    ),
    Decision(
        "evaluate.attribution", "evaluate", "Attribution",
        "Against what will outcomes be compared?",
        "Participants choose to join, so comparing them with everyone else overstates the effect. Compare with a "
        "similar group that did not take part, before and after.",
        _options(
            ("none", "No comparison", "Reporting only; no claim about impact."),
            ("pre_post", "Before and after", "Participants before vs after; ignores what would have happened "
                                             "anyway."),
            ("comparison_group", "Comparison group", "Participants vs similar non-participants."),
            ("pre_post_with_comparison", "Before and after, with comparison", "The change in participants vs the "
                                                                              "change in non-participants."),
        ),
        (ATTRIBUTION_FLAW, SUN_2006, RAGINS_1999), ("align.objectives", "data:people.exit_date", "data:survey"),
    ),
    Decision(
        "evaluate.survey_timing", "evaluate", "Survey timing",
        "When are participants surveyed?",
        "A baseline is essential for any before-and-after comparison; a follow-up shows whether effects last.",
        _options(
            ("baseline", "Baseline", "Before the program starts."),
            ("midpoint", "Midpoint", "Halfway, to fix problems while there is time."),
            ("end", "End", "When the program closes."),
            ("followup", "Follow-up", "Some months after the end."),
        ),
        (SURVEY_TIMING,), ("experience.duration_months", "data:survey"),
    ),
    Decision(
        "evaluate.followup_months", "evaluate", "Follow-up",
        "How many months after the end is the follow-up?",
        "6-12 months is usual.",
        (), (SURVEY_TIMING,), ("evaluate.survey_timing",), unit="months",
    ),
    Decision(
        "evaluate.average_salary", "evaluate", "Average salary",
        "What is the average annual salary of the mentees?",
        "Needed to put a money value on avoided turnover for ROI.",
        (), (PRACTICE_TURNOVER, KIRKPATRICK), ("align.constraints", "evaluate.levels"), unit="currency a year",
    ),
    Decision(
        "evaluate.replacement_cost_multiple", "evaluate", "Cost of replacing a leaver",
        "What does replacing a leaver cost, in annual salaries?",
        "Practitioners use 0.5-2 annual salaries; use the organisation's own figure if it has one.",
        (), (PRACTICE_TURNOVER,), ("evaluate.average_salary",), unit="× annual salary",
    ),
)

# --------------------------------------------------------------------------
# Support
# --------------------------------------------------------------------------

_SUPPORT = (
    Decision(
        "support.check_in", "support", "Check-ins",
        "How often does the program owner check in with pairs?",
        "Regular check-ins catch pairs that stall before they fizzle out.",
        _options(
            ("none", "None", "Very light programs; rely on participants to ask."),
            ("monthly", "Monthly", "Most programs, especially in the first months."),
            ("quarterly", "Quarterly", "Long, well-established programs."),
        ),
        (LABIN_SUPPORT, USERS_FIZZLE, ZACHARY), ("experience.duration_months", "align.constraints"),
    ),
    Decision(
        "support.inactivity_days", "support", "Inactivity limit",
        "After how many days without a meeting is a pair closed?",
        "Longer than the gap between planned meetings; one platform uses 90 days.",
        (), (PLATFORM_INACTIVITY,), ("experience.cadence", "data:meetings"), unit="days",
    ),
    Decision(
        "support.warning_days", "support", "Warning before closing",
        "How many days before closing an inactive pair are they warned?",
        "A warning gives the pair a chance to meet again; one platform warns 7 days ahead.",
        (), (PLATFORM_INACTIVITY,), ("support.inactivity_days",), unit="days",
    ),
    Decision(
        "support.rematching", "support", "Re-matching",
        "Can a pair that does not work ask for a new match without blame?",
        "Yes: a poor match is close to no match, and 10-30% of relationships end early.",
        _options(
            ("none", "No re-matching", "Short programs with no time to start again."),
            ("no_fault", "No-fault re-matching", "Either person can ask for a new match, no questions asked."),
        ),
        (RAGINS_2000, VENDOR_TERMINATIONS, PRACTICE_SUPPORT), ("experience.matching_method",),
    ),
    Decision(
        "support.mentor_recognition", "support", "Mentor recognition",
        "How are mentors recognised?",
        "Mentors gain satisfaction and commitment from mentoring; visible recognition and time keep them coming "
        "back.",
        _options(
            ("certificate", "Certificate", "A simple thank-you."),
            ("leadership_visibility", "Leadership visibility", "Mentors are seen by senior leaders."),
            ("performance_review", "Performance review", "Mentoring counts in the mentor's review."),
            ("time_allowance", "Time allowance", "Mentoring hours are part of the job."),
            ("awards", "Awards", "Awards for outstanding mentors."),
        ),
        (GHOSH_REIO_2013, PRACTICE_SUPPORT), ("support.mentor_hours_per_month",),
    ),
    Decision(
        "support.mentor_hours_per_month", "support", "Mentor time",
        "How many hours a month are mentors given for mentoring?",
        "Cover the meetings at the chosen cadence and length, times the mentees each mentor takes.",
        (), (PRACTICE_SUPPORT, _assumption("The default of 2 hours a month is not backed by a source.")),
        ("experience.cadence", "experience.meeting_minutes", "experience.mentor_capacity"), unit="hours a month",
    ),
    Decision(
        "support.feed_next_cohort", "support", "Learn for the next cohort",
        "Will evaluation results shape the next cohort's design?",
        "Yes: evaluate often and use what you learn.",
        (), (LABIN_EVALUATE, PRACTICE_SUPPORT), ("evaluate.levels",),
    ),
)

DECISIONS: tuple[Decision, ...] = _ALIGN + _EXPERIENCE + _LAUNCH + _EVALUATE + _SUPPORT

_BY_ID: dict[str, Decision] = {d.id: d for d in DECISIONS}
NOT_DECIDED = "not decided"


def decision(id: str) -> Decision:
    """The decision with dotted id ``id`` (e.g. ``"experience.structure"``); :class:`KeyError` if unknown."""
    try:
        return _BY_ID[id]
    except KeyError:
        close = difflib.get_close_matches(str(id), _BY_ID, n=3)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise KeyError(f"{id!r} is not a decision of the catalogue.{hint}") from None


def structure_label(structure: str) -> str:
    """The plain name of program structure ``structure`` (its id with spaces when unknown): ``"one_on_one"`` ->
    "One-on-one"."""
    labels = {o.value: o.label for o in decision("experience.structure").options}
    return labels.get(structure, str(structure).replace("_", " "))


def decisions_for(step: str) -> tuple[Decision, ...]:
    """The decisions of AXLES step ``step`` (one of :data:`STEPS`), in catalogue order."""
    if step not in STEPS:
        raise KeyError(f"{step!r} is not an AXLES step; the steps are {', '.join(STEPS)}.")
    return tuple(d for d in DECISIONS if d.step == step)


def value_of(design: ProgramDesign, id: str) -> object:
    """The value in ``design`` at dotted path ``id`` (any field path, e.g. ``"align.constraints.budget"``)."""
    value: object = design
    for part in id.split("."):
        fields = getattr(type(value), "model_fields", {})
        if part not in fields:
            raise KeyError(f"{id!r}: the design has no field {part!r} there.")
        value = getattr(value, part)
    return value


def describe_value(design: ProgramDesign, id: str) -> str:
    """The value at ``id`` in plain words: option labels, numbers with their unit, ``"not decided"`` when unset.

    Numbers carry the decision's unit (``"9 months"``); a share is shown as a
    percentage (``"75%"``); money is shown in ``align.constraints.currency``.
    """
    value = value_of(design, id)
    found = _BY_ID.get(id)
    labels = {o.value: o.label for o in found.options} if found else {}
    currency = design.align.constraints.currency
    if id == "experience.sensitive_attributes" and not value and not design.experience.sensitive_opt_in:
        return "none: no opt-in to sensitive data"  # decided by the opt-in, not left open
    if value is None or value == "" or value == () or value == {}:
        return NOT_DECIDED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return _with_unit(value, found.unit if found else "", currency)
    if isinstance(value, str):
        return labels.get(value, value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Eligibility):
        return _eligibility_text(value)
    if isinstance(value, Constraints):
        return _constraints_text(value) or NOT_DECIDED
    if isinstance(value, tuple) and all(isinstance(v, DesignCriterion) for v in value):
        return "; ".join(f"{c.title} ({labels.get(c.kind, c.kind).lower()} of {', '.join(c.columns)}"
                         + (f", scale {_number(c.scale)}" if c.scale is not None else "")
                         + f", weight {_number(c.weight)})" for c in value)
    if isinstance(value, Selection):
        return _selection_text(value, labels)
    if isinstance(value, PilotDesign):
        return _pilot_text(value, labels)
    if isinstance(value, Balance):
        return (f"groups of {value.attribute.replace('_', ' ')}, match rates at most {value.gap * 100:g} percentage "
                "points apart")
    if isinstance(value, tuple) and all(isinstance(v, Objective) for v in value):
        return "; ".join(_objective_text(o, labels) for o in value)
    if isinstance(value, tuple):
        return ", ".join(labels.get(v, str(v)) for v in value)
    if isinstance(value, dict) and labels:
        weighted = [f"{labels.get(k, k)} {_number(w)}" for k, w in value.items() if w]
        return ", ".join(weighted) or NOT_DECIDED
    if isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(v) if isinstance(v, tuple) else v}" for k, v in value.items())
    return str(value)


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _with_unit(value: float, unit: str, currency: str) -> str:
    if unit == "share":
        return f"{_number(round(value * 100, 1))}%"
    if unit == "currency a year":
        return f"{_number(value)} {currency} a year"
    if not unit:
        return _number(value)
    if value == 1 and unit.split(" ")[0].endswith("s"):
        first, _, rest = unit.partition(" ")
        unit = f"{first[:-1]} {rest}".strip()
    return f"{_number(value)} {unit}"


def scope_text(scope: Eligibility) -> str:
    """Whom an objective's ``scope`` covers, in words: "Engineering; levels 1-2", or "everyone" (no filter)."""
    return "everyone" if scope == Eligibility() else _eligibility_text(scope)


def _eligibility_text(rule: Eligibility) -> str:
    parts = []
    if rule.departments:
        parts.append(", ".join(rule.departments))
    if rule.level_min is not None and rule.level_max is not None:
        parts.append(f"levels {rule.level_min}-{rule.level_max}")
    elif rule.level_min is not None:
        parts.append(f"level {rule.level_min} and above")
    elif rule.level_max is not None:
        parts.append(f"level {rule.level_max} and below")
    if rule.min_tenure_months is not None:
        parts.append(f"at least {_with_unit(rule.min_tenure_months, 'months', '')} in the organisation")
    if rule.performance_column is not None:
        parts.append(f"{rule.performance_column} at least {_number(rule.performance_min)}")
    for column_filter in rule.filters:
        parts.append(_bounds_text(column_filter.column, column_filter.values, column_filter.min_value,
                                  column_filter.max_value))
    return "; ".join(parts) if parts else "everyone employed (no filter)"


def _bounds_text(column: str, values: tuple[str, ...], low: float | None, high: float | None) -> str:
    if values:
        return f"{column} {' or '.join(values)}"
    if low is not None and high is not None:
        return f"{column} {_number(low)}-{_number(high)}"
    return f"{column} at least {_number(low)}" if low is not None else f"{column} at most {_number(high)}"


def _pilot_text(pilot: PilotDesign, labels: dict[str, str]) -> str:
    text = labels.get(pilot.design, pilot.design)
    if pilot.design == "waitlist":
        places = "the pilot size" if pilot.places is None else _with_unit(pilot.places, "places", "")
        return f"{text}: {places}, seed {pilot.seed}"
    if pilot.design == "stepped_wedge":
        return (f"{text}: by {pilot.cluster_column.replace('_', ' ')}, {pilot.steps} steps "
                f"{_with_unit(pilot.months_per_step, 'months', '')} apart, seed {pilot.seed}")
    return text


def _selection_text(selection: Selection, labels: dict[str, str]) -> str:
    text = labels.get(selection.method, selection.method)
    if selection.method == "everyone":
        return text
    if selection.class_size is not None:
        text += f", {_with_unit(selection.class_size, 'mentees', '')}"
    for quota in selection.quotas:
        group = f"{quota.column} {quota.value}" if quota.value is not None else f"each {quota.column}"
        bounds = [f"at least {quota.min_count}" if quota.min_count is not None else "",
                  f"at most {quota.max_count}" if quota.max_count is not None else "",
                  f"at least {_with_unit(quota.min_share, 'share', '')}" if quota.min_share is not None else "",
                  f"at most {_with_unit(quota.max_share, 'share', '')}" if quota.max_share is not None else ""]
        text += f"; {group}: {', '.join(b for b in bounds if b)}"
    return text


def _constraints_text(constraints: Constraints) -> str:
    parts = []
    if constraints.budget is not None:
        parts.append(f"budget {_number(constraints.budget)} {constraints.currency}")
    if constraints.coordinator_hours_per_month is not None:
        parts.append(f"coordinator {_with_unit(constraints.coordinator_hours_per_month, 'hours a month', '')}")
    if constraints.expected_mentors is not None:
        parts.append(f"{_with_unit(constraints.expected_mentors, 'mentors', '')} expected")
    return "; ".join(parts)


def _objective_text(objective: Objective, kinds: dict[str, str]) -> str:
    what = objective.kpi or objective.statement or kinds.get(objective.kind, objective.kind)
    text = f"{objective.id}: {what}"
    if objective.baseline is not None or objective.target is not None:
        baseline = _number(objective.baseline) if objective.baseline is not None else "?"
        target = _number(objective.target) if objective.target is not None else "?"
        text += f" from {baseline} to {target}"
    if objective.horizon_months is not None:
        text += f" in {_with_unit(objective.horizon_months, 'months', '')}"
    return text
