"""The program design: every AXLES decision, as a validated, versioned model.

A design is saved as ``design.yaml`` in the workspace. It is a pydantic model,
so loading checks every field and names the one that is wrong, unknown keys
are refused (a typo never silently drops a decision), and saving then loading
gives back exactly the same design. Units are in the field names or
descriptions: months, minutes, hours, money in ``align.constraints.currency``.

Options follow the decision catalogue (:mod:`workbench.design.catalogue`),
which says what each option means and what evidence backs it.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

DESIGN_SCHEMA_VERSION = 1

BusinessProblem = Literal["attrition", "onboarding", "leadership_pipeline", "representation",
                          "knowledge_transfer", "reskilling", "engagement"]
KpiKind = Literal["retention", "promotion", "skill", "engagement", "time_to_productivity", "representation",
                  "satisfaction", "other"]
Structure = Literal["one_on_one", "group", "peer", "reverse", "flash", "mosaic", "functional"]
Cadence = Literal["weekly", "fortnightly", "monthly"]
Enrolment = Literal["open", "application", "nomination"]
MatchingMethod = Literal["admin", "mentee_choice", "suggested", "algorithmic", "blended"]
Approval = Literal["none", "one_sided", "two_sided"]
MatchingObjective = Literal["best_average", "most_matched", "fairest", "balanced_groups", "rounds"]
Criterion = Literal["skills", "seniority", "department", "location", "timezone", "languages", "preferences",
                    "affinity"]
HardRule = Literal["different_department", "same_department", "not_in_management_chain", "mentor_more_senior",
                   "same_timezone_band"]
MeetingFormat = Literal["in_person", "virtual", "hybrid"]
Rollout = Literal["pilot", "full"]
Communication = Literal["sponsor_message", "testimonials", "manager_briefing", "intranet", "town_hall"]
MatchRelease = Literal["all_at_once", "rolling"]
Unmatched = Literal["waitlist", "group", "peer", "clearing_round"]
Level = Literal["reaction", "learning", "behaviour", "results", "roi"]
Attribution = Literal["none", "pre_post", "comparison_group", "pre_post_with_comparison"]
SurveyWave = Literal["baseline", "midpoint", "end", "followup"]
CheckIn = Literal["none", "monthly", "quarterly"]
Rematching = Literal["none", "no_fault"]
Recognition = Literal["certificate", "leadership_visibility", "performance_review", "time_allowance", "awards"]

_LINE_BREAKS = str.maketrans({"\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})


def _plain_line_breaks(text: str) -> str:
    # YAML reads NEL and the Unicode line separators as plain line breaks: store them so.
    return text.replace("\r\n", "\n").translate(_LINE_BREAKS)


Text = Annotated[str, AfterValidator(_plain_line_breaks), Field(max_length=4000)]
Name = Annotated[str, AfterValidator(_plain_line_breaks), Field(max_length=200)]
Key = Annotated[str, AfterValidator(_plain_line_breaks), Field(max_length=80)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Eligibility(_Model):
    """Who may take part, as filters over ``people.csv`` (an empty list or ``None`` means no filter)."""

    departments: tuple[Name, ...] = Field((), description="departments included; empty = all")
    level_min: int | None = Field(None, ge=1, description="lowest level (1 = most junior)")
    level_max: int | None = Field(None, ge=1, description="highest level")
    min_tenure_months: int | None = Field(None, ge=0, le=600, description="months since hire_date")
    performance_column: Name | None = Field(None, description="a numeric column of people.csv, if present")
    performance_min: float | None = Field(None, description="lowest value of that column")

    @model_validator(mode="after")
    def _ordered(self) -> "Eligibility":
        if self.level_min is not None and self.level_max is not None and self.level_min > self.level_max:
            raise ValueError(f"level_min ({self.level_min}) is above level_max ({self.level_max})")
        if (self.performance_column is None) != (self.performance_min is None):
            raise ValueError("performance_column and performance_min go together")
        return self


class Objective(_Model):
    """A SMART objective tied to a KPI: baseline and target in the KPI's own unit, over ``horizon_months``."""

    id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
    statement: Text = ""
    kpi: Name = Field("", description="what is measured, with its unit, e.g. 'annual exit rate of level 1-2 (%)'")
    kind: KpiKind = "other"
    goal_id: Name | None = Field(None, description="the goals.csv goal it serves")
    baseline: float | None = None
    target: float | None = None
    horizon_months: int | None = Field(None, ge=1, le=120)


class Constraints(_Model):
    """Limits the design must live within."""

    budget: float | None = Field(None, ge=0, description="total program budget, in currency units")
    currency: Annotated[str, AfterValidator(_plain_line_breaks), Field(max_length=3)] = "EUR"
    coordinator_hours_per_month: float | None = Field(None, ge=0)
    expected_mentors: int | None = Field(None, ge=0, description="mentors expected to volunteer")


class Align(_Model):
    """Align: the business purpose, who the program serves, and how success is measured."""

    business_problem: BusinessProblem | None = None
    problem_statement: Text = ""
    sponsor: Name = ""
    owner: Name = ""
    mentee_eligibility: Eligibility = Eligibility()
    mentor_eligibility: Eligibility = Eligibility()
    objectives: tuple[Objective, ...] = ()
    constraints: Constraints = Constraints()
    goal_ids: tuple[Name, ...] = Field((), description="organisational goals (goals.csv) the program serves")
    focus_skills: tuple[Name, ...] = Field((), description="skills (skills.csv) the program should grow")

    @model_validator(mode="after")
    def _unique_objectives(self) -> "Align":
        ids = [o.id for o in self.objectives]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"objective ids must be unique; repeated: {', '.join(duplicated)}")
        return self


class Balance(_Model):
    """Even match rates across groups (``matching_objective`` ``balanced_groups``, method ``balanced``)."""

    attribute: Name = Field("department", description="people.csv column whose groups' match rates are balanced")
    gap: float = Field(0.1, ge=0, le=1, description="largest difference between two groups' match rates (share, "
                                                    "0.1 = 10 percentage points)")


class Experience(_Model):
    """eXperience: structure, rhythm, matching, meetings, training and confidentiality."""

    structure: Structure = "one_on_one"
    group_size: int = Field(4, ge=2, le=12, description="mentees per mentor in group mentoring")
    mentors_per_mentee: int = Field(2, ge=2, le=5, description="mentors per mentee in mosaic mentoring")
    duration_months: int = Field(9, ge=1, le=36)
    cadence: Cadence = "fortnightly"
    meeting_minutes: int = Field(45, ge=10, le=240)
    enrolment: Enrolment = "application"
    voluntary: bool = True
    mentor_capacity: int = Field(2, ge=1, le=12, description="most mentees one mentor takes")
    allow_both_roles: bool = True
    exclude_line_manager: bool = True
    matching_method: MatchingMethod = "blended"
    approval: Approval = "one_sided"
    criteria: dict[Criterion, Annotated[float, Field(ge=0, le=10)]] = Field(
        default_factory=lambda: {"skills": 3.0, "seniority": 1.0, "department": 1.0, "timezone": 1.0,
                                 "languages": 1.0, "preferences": 2.0})
    department_preference: Literal["same", "cross", "any"] = "cross"
    seniority_gap_min: int = Field(1, ge=0, le=10, description="mentor levels above the mentee, at least")
    seniority_gap_max: int = Field(3, ge=0, le=10, description="mentor levels above the mentee, at most")
    hard_rules: tuple[HardRule, ...] = ("not_in_management_chain",)
    matching_objective: MatchingObjective = "best_average"
    balance: Balance = Balance()
    functional_skill: Name | None = Field(None, description="skill (skills.csv skill_id) functional mentoring is on; "
                                                            "None = the first of align.focus_skills")
    goal_setting: bool = True
    agreement: bool = True
    meeting_format: MeetingFormat = "hybrid"
    session_guides: bool = True
    mentor_training_hours: float = Field(2.0, ge=0, le=100)
    mentee_training_hours: float = Field(1.0, ge=0, le=100)
    sensitive_opt_in: bool = Field(False, description="the organisation agreed to use sensitive attributes")
    sensitive_attributes: tuple[Name, ...] = Field((), description="sensitive people.csv columns matching may use")

    @model_validator(mode="after")
    def _consistent(self) -> "Experience":
        if self.seniority_gap_min > self.seniority_gap_max:
            raise ValueError(f"seniority_gap_min ({self.seniority_gap_min}) is above seniority_gap_max "
                             f"({self.seniority_gap_max})")
        if {"different_department", "same_department"} <= set(self.hard_rules):
            raise ValueError("hard_rules cannot require both different_department and same_department")
        return self


class Launch(_Model):
    """Launch: roll-out, sequence, communications, orientation, match release and the unmatched."""

    rollout: Rollout = "pilot"
    pilot_size: int | None = Field(30, ge=1, description="mentees in the pilot")
    start_date: datetime.date | None = None
    recruit_mentors_first: bool = True
    mentor_join_threshold: float = Field(0.75, ge=0, le=1, description="share of invited mentors before opening")
    communications: tuple[Communication, ...] = ("sponsor_message", "manager_briefing")
    orientation: bool = True
    match_release: MatchRelease = "all_at_once"
    draft_review: bool = True
    unmatched: Unmatched = "waitlist"


class Evaluate(_Model):
    """Evaluate: Kirkpatrick/Phillips levels, metrics, attribution, survey timing and ROI inputs."""

    levels: tuple[Level, ...] = ("reaction", "behaviour", "results")
    metrics: dict[Key, tuple[Name, ...]] = Field(
        default_factory=dict, description="objective id -> how it is measured")
    attribution: Attribution = "pre_post_with_comparison"
    survey_timing: tuple[SurveyWave, ...] = ("baseline", "end", "followup")
    followup_months: int = Field(6, ge=1, le=36)
    average_salary: float | None = Field(None, ge=0, description="annual, in currency units")
    replacement_cost_multiple: float = Field(1.0, ge=0, le=5, description="cost of replacing a leaver, in annual "
                                                                          "salaries (evidence: 0.5-2)")


class Support(_Model):
    """Support: check-ins, relationship health, re-matching, recognition, learning for the next cohort."""

    check_in: CheckIn = "monthly"
    inactivity_days: int = Field(90, ge=7, le=365, description="close a pair after this many days without a meeting")
    warning_days: int = Field(7, ge=0, le=60, description="warn this many days before closing")
    rematching: Rematching = "no_fault"
    mentor_recognition: tuple[Recognition, ...] = ("certificate", "leadership_visibility")
    mentor_hours_per_month: float = Field(2.0, ge=0, le=40, description="time mentors are given for mentoring")
    feed_next_cohort: bool = True


class ProgramDesign(_Model):
    """A whole program design across the five AXLES steps, plus the rationale for decisions.

    ``rationale`` maps a decision id from the catalogue (e.g. ``"experience.structure"``)
    to the reason it was taken, in the client's words; the design brief shows it.
    """

    schema_version: Literal[1] = DESIGN_SCHEMA_VERSION
    name: Name = "Mentoring program"
    align: Align = Align()
    experience: Experience = Experience()
    launch: Launch = Launch()
    evaluate: Evaluate = Evaluate()
    support: Support = Support()
    rationale: dict[Key, Text] = Field(default_factory=dict)
