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
import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

DESIGN_SCHEMA_VERSION = 1

BusinessProblem = Literal["attrition", "onboarding", "leadership_pipeline", "representation",
                          "knowledge_transfer", "reskilling", "engagement"]
KpiKind = Literal["retention", "promotion", "skill", "engagement", "time_to_productivity", "representation",
                  "satisfaction", "other", "competency_growth", "time_to_promotion", "high_potential_retention",
                  "internal_mobility", "mentor_outcomes"]
#: Objective kinds the scorecard measures from a survey construct named in the objective's KPI or statement, or
#: in ``evaluate.metrics``; every other kind reads its own data (exits, promotions, assessments...).
SURVEY_KINDS: tuple[str, ...] = ("engagement", "satisfaction", "skill", "other")
Structure = Literal["one_on_one", "group", "peer", "reverse", "flash", "mosaic", "functional"]
Cadence = Literal["weekly", "fortnightly", "monthly"]
Enrolment = Literal["open", "application", "nomination"]
MatchingMethod = Literal["admin", "mentee_choice", "suggested", "algorithmic", "blended"]
Approval = Literal["none", "one_sided", "two_sided"]
MatchingObjective = Literal["best_average", "most_matched", "fairest", "balanced_groups", "rounds"]
Criterion = Literal["skills", "seniority", "department", "location", "timezone", "languages", "preferences",
                    "affinity"]
#: How a design-declared criterion compares a mentee's and a mentor's values (see :class:`DesignCriterion`).
CriterionKind = Literal["same", "different", "shared_items", "distance", "similarity"]
#: Each kind of declared criterion in words, as pages and messages name it.
CRITERION_KIND_LABELS = {"same": "Same value", "different": "Different value", "shared_items": "Shared items of a list",
                         "distance": "Numeric distance", "similarity": "Similar survey answers"}
#: Names a design-declared criterion cannot take: the built-in criteria and the columns of a matching's pairs.
RESERVED_CRITERION_NAMES = frozenset(get_args(Criterion)) | {"mentee_id", "mentor_id", "group", "round", "score",
                                                             "reason", "allowed"}
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


_BOUND = re.compile(r"^(>=|<=)\s*(-?\d+(?:\.\d+)?)\s*(%?)$")


def _bounds(text: str, whole: str, *, shares: bool) -> dict:
    """``>=N``, ``<=N`` (and, with ``shares``, ``>=P%``, ``<=P%``) separated by commas, as field values."""
    fields: dict = {}
    for bound in text.split(","):
        found = _BOUND.match(bound.strip())
        if found is None or (found.group(3) and not shares):
            kinds = ">=N, <=N, >=P% or <=P%" if shares else ">=N or <=N"
            raise ValueError(f"{whole!r}: the bound {bound.strip()!r} is not {kinds}")
        side = "min" if found.group(1) == ">=" else "max"
        number = float(found.group(2))
        if not shares:
            fields[f"{side}_value"] = number
        elif found.group(3):
            fields[f"{side}_share"] = number / 100
        elif number.is_integer():
            fields[f"{side}_count"] = int(number)
        else:
            raise ValueError(f"{whole!r}: a count of mentees is a whole number, not {found.group(2)}")
    return fields


def _number_text(value: float) -> str:
    return f"{value:g}"


class ColumnFilter(_Model):
    """One eligibility filter over any ``people.csv`` column.

    With ``values``, a person passes when the column's text (stripped) is one
    of them; with ``min_value`` and/or ``max_value``, when the column reads as
    a number within them (inclusive). A blank or unreadable cell never passes.
    A sensitive column (the workspace's ``sensitive`` list) may be filtered on
    only when the design opts in and names it in
    ``experience.sensitive_attributes`` (e.g. a women's leadership cohort).
    """

    column: Annotated[Name, Field(min_length=1)]
    values: tuple[Name, ...] = Field((), description="the column's text is one of these")
    min_value: float | None = Field(None, description="lowest number, inclusive")
    max_value: float | None = Field(None, description="highest number, inclusive")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        # short form, in design.yaml and the page: "department=Sales|Marketing", "performance:>=3,<=5"
        if not isinstance(data, str):
            return data
        column, colon, bounds = data.partition(":")
        if colon:
            return {"column": column.strip(), **_bounds(bounds, data, shares=False)}
        column, equals, values = data.partition("=")
        if not equals:
            raise ValueError(f"{data!r}: write COLUMN=VALUE|VALUE or COLUMN:>=N,<=N")
        return {"column": column.strip(), "values": tuple(v.strip() for v in values.split("|") if v.strip())}

    def text(self) -> str:
        """The short form the model also reads: ``department=Sales|Marketing``, ``performance:>=3,<=5``."""
        if self.values:
            return f"{self.column}={'|'.join(self.values)}"
        bounds = [f"{op}{_number_text(v)}" for op, v in ((">=", self.min_value), ("<=", self.max_value))
                  if v is not None]
        return f"{self.column}:{','.join(bounds)}"

    @model_validator(mode="after")
    def _one_kind(self) -> "ColumnFilter":
        numeric = self.min_value is not None or self.max_value is not None
        if bool(self.values) == numeric:
            raise ValueError(f"the filter on {self.column!r} needs either values or a min_value/max_value, "
                             "not both or neither")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError(f"the filter on {self.column!r} has min_value ({self.min_value:g}) above max_value "
                             f"({self.max_value:g})")
        return self


class Eligibility(_Model):
    """Who may take part, as filters over ``people.csv`` (an empty list or ``None`` means no filter)."""

    departments: tuple[Name, ...] = Field((), description="departments included; empty = all")
    level_min: int | None = Field(None, ge=1, description="lowest level (1 = most junior)")
    level_max: int | None = Field(None, ge=1, description="highest level")
    min_tenure_months: int | None = Field(None, ge=0, le=600, description="months since hire_date")
    performance_column: Name | None = Field(None, description="a numeric column of people.csv, if present")
    performance_min: float | None = Field(None, description="lowest value of that column")
    filters: tuple[ColumnFilter, ...] = Field((), description="filters over any people.csv column, all must pass")

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
    scope: Eligibility = Field(Eligibility(), description="whom the objective is about (department, level, job "
                                                           "title, any people.csv column); default everyone")
    group: ColumnFilter | None = Field(None, description="representation: the under-represented group whose share "
                                                         "is measured, e.g. 'gender=woman'")


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


class DesignCriterion(_Model):
    """A matching criterion the design declares over enrolment or people columns, with its weight (0-10).

    Each gives a pair a value in [0, 1] (blank values give 0):

    ``same``: 1 when mentee and mentor have the same value in ``columns[0]``.
    ``different``: 1 when their values differ (both known).
    ``shared_items``: the share of the shorter ``;``-separated list that the
    other person also lists (1 when one list holds the other).
    ``distance``: ``1 - |a - b| / scale`` for numbers ``a`` and ``b``, at
    least 0 (``scale``: the difference, in the column's unit, that scores 0).
    ``similarity``: two survey answer vectors, from several numeric columns
    or one column of ``;``-separated numbers: ``1 - mean |a_k - b_k| / scale``
    over the items both answered, at least 0 (``scale``: the width of the
    answer scale, e.g. 4 for answers 1-5, so opposite answers score 0).

    A column is read from ``people.csv``, or from the cohort's enrolment when
    people.csv has no such column (e.g. answers given when signing up). A sensitive
    column needs the design's opt-in and the column among its sensitive
    attributes.
    """

    name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$",
                               description="lower-case id, e.g. 'shared_values'; a column of the matching's pairs")]
    label: Name = Field("", description="words for the criterion in pages and explanations; blank = the name")
    kind: CriterionKind
    columns: tuple[Name, ...] = Field(min_length=1, description="one column; several numeric ones for similarity")
    scale: float | None = Field(None, gt=0, description="distance: the difference that scores 0; similarity: "
                                                        "the answer scale's width (max - min)")
    weight: float = Field(1.0, ge=0, le=10)

    @model_validator(mode="after")
    def _fits_kind(self) -> "DesignCriterion":
        if self.name in RESERVED_CRITERION_NAMES:
            raise ValueError(f"criterion name {self.name!r} is taken (a built-in criterion or a column of the pairs)")
        if self.kind != "similarity" and len(self.columns) != 1:
            raise ValueError(f"criterion {self.name!r}: the kind {CRITERION_KIND_LABELS[self.kind]} reads one "
                             f"column, not {len(self.columns)}")
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"criterion {self.name!r} names a column twice")
        numeric = self.kind in ("distance", "similarity")
        if numeric and self.scale is None:
            raise ValueError(f"criterion {self.name!r}: the kind {CRITERION_KIND_LABELS[self.kind]} needs a scale")
        if not numeric and self.scale is not None:
            raise ValueError(f"criterion {self.name!r}: the kind {CRITERION_KIND_LABELS[self.kind]} takes no scale")
        return self

    @property
    def title(self) -> str:
        """The label, or the name in words."""
        return self.label.strip() or self.name.replace("_", " ")


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
    custom_criteria: tuple[DesignCriterion, ...] = Field((), description="criteria the design declares over "
                                                                         "enrolment or people columns")
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
        names = [c.name for c in self.custom_criteria]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"custom_criteria: criterion name {', '.join(map(repr, twice))} is used twice")
        for criterion in self.custom_criteria:
            hidden = [c for c in criterion.columns if c in self.sensitive_attributes]
            if hidden and not self.sensitive_opt_in:
                raise ValueError(f"criterion {criterion.name!r} reads the sensitive column {hidden[0]!r}, which "
                                 "needs the organisation's opt-in to sensitive data (sensitive_opt_in)")
        return self


class Quota(_Model):
    """A quota or spread target of the selection over one ``people.csv`` column (level, department, site ...).

    ``value`` names one group (``department = Sales``); ``None`` applies the
    bounds to every value of the column among the applicants (a spread target:
    "no department more than 30% of the class", "at least one per level").
    Counts are mentees; shares are of the class size (0-1), a minimum share
    rounded up to whole mentees and a maximum share rounded down.
    """

    column: Annotated[Name, Field(min_length=1)]
    value: Name | None = Field(None, description="the group; None = every value of the column")
    min_count: int | None = Field(None, ge=0, description="at least this many mentees")
    max_count: int | None = Field(None, ge=0, description="at most this many mentees")
    min_share: float | None = Field(None, ge=0, le=1, description="at least this share of the class")
    max_share: float | None = Field(None, ge=0, le=1, description="at most this share of the class")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        # short form, in design.yaml and the page: "department:<=30%", "level:>=2", "department=Sales:>=5,<=8"
        if not isinstance(data, str):
            return data
        group, colon, bounds = data.rpartition(":")
        column, equals, value = group.partition("=")
        if not colon or not column.strip() or not bounds.strip():
            raise ValueError(f"{data!r}: write COLUMN[=VALUE]:BOUND[,BOUND], e.g. 'department:<=30%' or "
                             "'department=Sales:>=5'")
        return {"column": column.strip(), "value": value.strip() if equals else None,
                **_bounds(bounds, data, shares=True)}

    def text(self) -> str:
        """The short form the model also reads: ``department:<=30%``, ``department=Sales:>=5,<=8``."""
        bounds = [f"{op}{v}" for op, v in ((">=", self.min_count), ("<=", self.max_count)) if v is not None]
        bounds += [f"{op}{_number_text(round(v * 100, 6))}%" for op, v in ((">=", self.min_share),
                                                                            ("<=", self.max_share)) if v is not None]
        group = self.column if self.value is None else f"{self.column}={self.value}"
        return f"{group}:{','.join(bounds)}"

    @model_validator(mode="after")
    def _bounded(self) -> "Quota":
        if all(b is None for b in (self.min_count, self.max_count, self.min_share, self.max_share)):
            raise ValueError(f"the quota on {self.column!r} sets no bound")
        for low, high, name in ((self.min_count, self.max_count, "count"), (self.min_share, self.max_share, "share")):
            if low is not None and high is not None and low > high:
                raise ValueError(f"the quota on {self.column!r} has min_{name} ({low:g}) above max_{name} ({high:g})")
        return self


SelectionMethod = Literal["everyone", "matchability", "lottery"]
#: How the launch lets an evaluation tell the program's effect apart from who takes part (:class:`PilotDesign`).
PilotKind = Literal["open", "waitlist", "stepped_wedge"]


class Selection(_Model):
    """How the class is chosen from the cohort's eligible mentee applicants (:mod:`workbench.matching.selection`)."""

    method: SelectionMethod = "everyone"
    class_size: int | None = Field(None, ge=1, description="mentees to choose; None = every eligible applicant")
    quotas: tuple[Quota, ...] = ()
    seed: int = Field(0, ge=0, description="seed of the lottery")


class PilotDesign(_Model):
    """The pilot design, which decides how Evaluate can tell whether the program worked
    (:mod:`workbench.evaluate.trial`).

    ``open``: every eligible applicant may take part; Evaluate compares them with matched
    non-participants (an association). ``waitlist``: the cohort's eligible mentee applicants are
    randomised (``seed``) to ``places`` places in this cohort, the rest to the next one; Evaluate
    compares everyone offered a place with everyone waitlisted (intention to treat).
    ``stepped_wedge``: the clusters (the values of the ``people.csv`` column ``cluster_column``,
    e.g. department or site) are randomised (``seed``) to ``steps`` start steps,
    ``months_per_step`` months apart; Evaluate compares started with waiting clusters, period by period.
    """

    design: PilotKind = "open"
    places: int | None = Field(None, ge=1, description="waitlist: places in this cohort; None = the pilot size")
    cluster_column: Name = Field("department", description="stepped wedge: the people.csv column of the clusters")
    steps: int = Field(3, ge=2, le=24, description="stepped wedge: start steps")
    months_per_step: int = Field(3, ge=1, le=24, description="stepped wedge: months between two steps")
    seed: int = Field(0, ge=0, description="seed of the randomisation")


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
    selection: Selection = Selection()
    pilot: PilotDesign = PilotDesign()


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
