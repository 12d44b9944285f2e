"""The table contracts: every table the workbench reads, described once in :data:`TABLES`.

Each :class:`TableSpec` lists its columns (:class:`ColumnSpec`: kind, bounds, whether it may be blank, what it
holds), its keys (:class:`KeySpec`) and whether the table is optional; :data:`REFERENCES` names the columns
that must point at another table's ids. Validation (:mod:`workbench.data.validation`) and the typed read
(:func:`workbench.data.validation.coerce_table`) are built from this registry.

Conventions of the contract:

* column names are exact; extra columns are kept, never dropped;
* a blank cell means "missing"; surrounding whitespace is ignored;
* dates are ISO 8601 calendar dates, ``YYYY-MM-DD``;
* lists (``languages``, ``wants``, ``offers``) are ``;``-separated;
* a missing proficiency row means "unknown", not zero.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_SCALE",
    "LIST_SEPARATOR",
    "REFERENCES",
    "ROLES",
    "ROW_INDEX_NAME",
    "TABLES",
    "WAVES",
    "ColumnSpec",
    "KeySpec",
    "Reference",
    "TableSpec",
]


#: Index name that marks an index as holding spreadsheet row numbers.
ROW_INDEX_NAME = "row"
#: Default proficiency scale (inclusive bounds).
DEFAULT_SCALE: tuple[int, int] = (0, 5)
#: Separator of list cells (``languages``, ``wants``, ``offers``).
LIST_SEPARATOR = ";"
#: Allowed values of ``enrolment.role``.
ROLES: tuple[str, ...] = ("mentee", "mentor", "both")
#: Allowed values of ``survey.wave``.
WAVES: tuple[str, ...] = ("pre", "mid", "post", "followup")
_KINDS = ("id", "text", "int", "number", "date", "enum", "list")


# --------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table contract.

    ``kind`` is one of ``id`` (identifier text, no ``;``), ``text``, ``int``
    (whole number), ``number``, ``date`` (``YYYY-MM-DD``), ``enum`` (one of
    ``choices``) or ``list`` (``;``-separated identifiers).  ``required``
    says the column must exist; ``blank_ok`` says its cells may be blank.
    Bounds are inclusive unless ``min_exclusive``; ``on_scale`` columns take
    their bounds from the workspace's proficiency scale.  ``description``
    says what the column holds, in words for a consultant; ``blank`` what a
    blank cell means where blanks are allowed (``""``: unknown).
    """

    name: str
    kind: str
    required: bool = True
    blank_ok: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False
    on_scale: bool = False
    choices: tuple[str, ...] = ()
    sensitive: bool = False
    description: str = ""
    blank: str = ""

    def __post_init__(self) -> None:
        """Reject unknown column kinds."""
        if self.kind not in _KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def bounds(self, scale: tuple[int, int] = DEFAULT_SCALE) -> tuple[float | None, float | None]:
        """Return the (minimum, maximum) allowed for this column under ``scale``."""
        if self.on_scale:
            return float(scale[0]), float(scale[1])
        return self.minimum, self.maximum


@dataclass(frozen=True)
class KeySpec:
    """A uniqueness constraint over ``columns``.

    Columns listed in ``optional`` may be absent from the table (then they
    are left out of the key) or blank (all blanks count as one value).
    Duplicates are reported in column ``report``.
    """

    columns: tuple[str, ...]
    report: str
    optional: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """Contract of one table: its columns, keys and whether it is optional."""

    name: str
    columns: tuple[ColumnSpec, ...]
    optional_table: bool = False
    keys: tuple[KeySpec, ...] = ()
    description: str = ""

    @property
    def file(self) -> str:
        """File name of the table in a workspace (``<name>.csv``)."""
        return f"{self.name}.csv"

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Names of the columns that must be present."""
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional_columns(self) -> tuple[str, ...]:
        """Names of the contract columns that may be absent."""
        return tuple(c.name for c in self.columns if not c.required)

    @property
    def sensitive_columns(self) -> tuple[str, ...]:
        """Names of the columns holding sensitive personal data."""
        return tuple(c.name for c in self.columns if c.sensitive)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of all contract columns, required first as declared."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnSpec:
        """Return the spec of column ``name`` (``KeyError`` if not a contract column)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


@dataclass(frozen=True)
class Reference:
    """``table.column`` must name an existing ``target.target_column`` value."""

    table: str
    column: str
    target: str
    target_column: str
    is_list: bool = False


def _c(name: str, kind: str, **kw) -> ColumnSpec:
    return ColumnSpec(name, kind, **kw)


def _opt(name: str, kind: str, **kw) -> ColumnSpec:
    return ColumnSpec(name, kind, required=False, blank_ok=True, **kw)


_TABLE_LIST: tuple[TableSpec, ...] = (
    TableSpec(
        "people",
        (
            _c("person_id", "id", description="the person's id in the HR system (employee number)"),
            _c("department", "text", description="the department or business unit they work in"),
            _c("job_title", "text", description="their job title"),
            _c("level", "int", minimum=1, description="job level or grade as a number, 1 = most junior"),
            _c("location", "text", description="the site or city they work at"),
            _c("manager_id", "id", blank_ok=True, description="their line manager's person_id",
               blank="no manager (the top of the organisation)"),
            _c("hire_date", "date", description="the day they joined"),
            _c("exit_date", "date", blank_ok=True, description="the day they left", blank="still employed"),
            _opt("name", "text", description="full name, shown to the program's team"),
            _opt("email", "text", description="work email address"),
            _opt("timezone", "text", description="time zone, e.g. Europe/London"),
            _opt("languages", "list", description="languages they can mentor in"),
            _opt("gender", "text", sensitive=True,
                 description="gender; used only where the design opts in to sensitive attributes"),
            _opt("ethnicity", "text", sensitive=True,
                 description="ethnicity; used only where the design opts in to sensitive attributes"),
            _opt("age_band", "text", sensitive=True,
                 description="age band such as 35-44; used only where the design opts in to sensitive attributes"),
            _opt("promotion_date", "date", description="the day of their latest promotion",
                 blank="never promoted here"),
            _opt("high_potential", "text", description="yes for a high-potential employee (talent review)",
                 blank="not flagged"),
            _opt("job_change_date", "date", description="the day they last moved to another job inside the "
                                                        "organisation (not a promotion)", blank="never moved"),
        ),
        keys=(KeySpec(("person_id",), "person_id"),),
        description="Everyone in the organisation.",
    ),
    TableSpec(
        "skills",
        (_c("skill_id", "id", description="a short id for the skill, e.g. negotiation"),
         _c("name", "text", description="the skill's name as people read it"),
         _c("category", "text", description="the group the skill belongs to, e.g. Technical")),
        keys=(KeySpec(("skill_id",), "skill_id"),),
        description="The skill catalogue.",
    ),
    TableSpec(
        "proficiency",
        (
            _c("person_id", "id", description="the person assessed (a person_id of people.csv)"),
            _c("skill_id", "id", description="the skill assessed (a skill_id of skills.csv)"),
            _c("level", "int", on_scale=True, description="their level in the skill, on the workspace's scale"),
            _opt("assessed_on", "date", description="the day of the assessment; a skill assessed again is a "
                                                    "new row with its own date", blank="not dated"),
        ),
        keys=(KeySpec(("person_id", "skill_id", "assessed_on"), "skill_id", optional=("assessed_on",)),),
        description="Known skill levels; a missing row means unknown, not zero.",
    ),
    TableSpec(
        "goals",
        (
            _c("goal_id", "id", description="a short id for the goal"),
            _c("name", "text", description="the goal in words"),
            _c("priority", "number", minimum=0, min_exclusive=True,
               description="how much the goal weighs against the others (any positive number)"),
            _c("kpi", "text", description="the measure that shows progress, with its unit"),
            _c("baseline", "number", blank_ok=True, description="the KPI's value today", blank="not measured yet"),
            _c("target", "number", description="the KPI's value the program aims for"),
            _c("horizon_months", "int", minimum=1, description="months until the target should be reached"),
        ),
        keys=(KeySpec(("goal_id",), "goal_id"),),
        description="Business goals the programme serves.",
    ),
    TableSpec(
        "requirements",
        (
            _c("skill_id", "id", description="the skill required (a skill_id of skills.csv)"),
            _c("target_level", "int", on_scale=True, description="the level needed, on the workspace's scale"),
            _c("importance", "number", minimum=0, min_exclusive=True,
               description="how much this requirement weighs (any positive number)"),
            _opt("goal_id", "id", description="the goal it serves (a goal_id of goals.csv)", blank="no goal"),
            _opt("department", "text", description="only people in this department", blank="every department"),
            _opt("job_title", "text", description="only people with this job title", blank="every job title"),
            _opt("level_min", "int", minimum=1, description="only people at this level or above",
                 blank="from the lowest level"),
            _opt("level_max", "int", minimum=1, description="only people at this level or below",
                 blank="up to the highest level"),
        ),
        keys=(KeySpec(("skill_id", "goal_id", "department", "job_title", "level_min", "level_max"), "skill_id",
                      optional=("goal_id", "department", "job_title", "level_min", "level_max")),),
        description="Target skill levels; blank scope columns apply to all.",
    ),
    TableSpec(
        "enrolment",
        (
            _c("person_id", "id", description="who signed up (a person_id of people.csv)"),
            _c("role", "enum", choices=ROLES, description="the part they take"),
            _c("capacity", "int", blank_ok=True, minimum=0, description="how many mentees a mentor takes",
               blank="no mentees (a mentee leaves it blank)"),
            _c("wants", "list", blank_ok=True, description="skills a mentee wants to develop (skill_ids)",
               blank="only the skill gaps found from proficiency"),
            _c("offers", "list", blank_ok=True, description="skills a mentor offers (skill_ids)",
               blank="any skill their proficiency shows"),
            _opt("cohort", "text", description="the intake they belong to, e.g. 2027"),
            _opt("program", "list", description="the programs they signed up for (program ids)",
                 blank="every program"),
        ),
        keys=(KeySpec(("person_id", "cohort"), "person_id", optional=("cohort",)),),
        description="Who takes part, as mentee, mentor or both.",
    ),
    TableSpec(
        "preferences",
        (_c("person_id", "id", description="the person choosing (a person_id of people.csv)"),
         _c("ranks_person_id", "id", description="the partner they would like (a person_id of people.csv)"),
         _c("rank", "int", minimum=1, description="their order of choice, 1 = first choice")),
        optional_table=True,
        keys=(
            KeySpec(("person_id", "ranks_person_id"), "ranks_person_id"),
            KeySpec(("person_id", "rank"), "rank"),
        ),
        description="Ranked wishes for a partner; rank 1 = first choice.",
    ),
    TableSpec(
        "survey",
        (
            _c("person_id", "id", description="who answered (a person_id of people.csv)"),
            _c("wave", "enum", choices=WAVES, description="when they answered, relative to the program"),
            _c("construct", "text", description="what the score measures, e.g. career_clarity"),
            _c("score", "number", description="their score"),
            _c("date", "date", description="the day they answered"),
        ),
        optional_table=True,
        keys=(KeySpec(("person_id", "wave", "construct"), "construct"),),
        description="Survey scores per wave.",
    ),
    TableSpec(
        "meetings",
        (
            _c("mentee_id", "id", description="the mentee (a person_id of people.csv)"),
            _c("mentor_id", "id", description="the mentor (a person_id of people.csv)"),
            _c("date", "date", description="the day they met"),
            _c("minutes", "number", minimum=0, description="how long they met, in minutes"),
        ),
        optional_table=True,
        description="Mentoring meetings that took place.",
    ),
)


#: The table contracts, by table name, in workspace order.
TABLES: dict[str, TableSpec] = {t.name: t for t in _TABLE_LIST}
#: Foreign-key style references between tables.
REFERENCES: tuple[Reference, ...] = (
    Reference("people", "manager_id", "people", "person_id"),
    Reference("proficiency", "person_id", "people", "person_id"),
    Reference("proficiency", "skill_id", "skills", "skill_id"),
    Reference("requirements", "skill_id", "skills", "skill_id"),
    Reference("requirements", "goal_id", "goals", "goal_id"),
    Reference("enrolment", "person_id", "people", "person_id"),
    Reference("enrolment", "wants", "skills", "skill_id", is_list=True),
    Reference("enrolment", "offers", "skills", "skill_id", is_list=True),
    Reference("preferences", "person_id", "people", "person_id"),
    Reference("preferences", "ranks_person_id", "people", "person_id"),
    Reference("survey", "person_id", "people", "person_id"),
    Reference("meetings", "mentee_id", "people", "person_id"),
    Reference("meetings", "mentor_id", "people", "person_id"),
)


def _spec(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown table {name!r}; known tables: {', '.join(TABLES)}") from None
