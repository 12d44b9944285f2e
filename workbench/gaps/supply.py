"""Mentor supply against mentee demand per skill, whom to invite as mentors, and which mentees need most.

Every function takes the frame of :func:`workbench.gaps.analysis.person_gaps`
and the workspace tables as read from CSV (text, blanks ``""``), plus an
optional :class:`~workbench.design.model.ProgramDesign`. Levels are levels of
the proficiency scale; capacity is in mentees (places); ``weighted_gap`` is
levels x weight (importance x goal priority).

The rules
---------
* **Cohort.** Enrolment is read for the current cohort
  (:func:`workbench.organisation.current_cohort`: the latest ``cohort``).
* **Program rows.** When the design names goals (``align.goal_ids``) or focus
  skills (``align.focus_skills``), only gap rows serving one of those goals or
  for one of those skills count; otherwise every row counts.
* **Mentees.** Employed people enrolled in the current cohort as ``mentee`` or
  ``both``. When the cohort has no mentees (or there is no enrolment table),
  the program's target population stands in: employed people eligible under
  ``align.mentee_eligibility`` (every employee without a design).
* **Demand** for a skill: mentees with a known gap above 0 in it. An unknown
  level is not counted as demand (nor as no demand: it is simply not known).
* **Mentor level** for a skill: with demand, the higher of the highest target
  among those mentees' rows and ``ceil(median current level of those mentees +
  mentor_margin)``: a mentor should have reached what the mentees aim for and
  be clearly ahead of the typical mentee. Without demand, the highest target
  of the skill's program rows.
* **Enrolled mentors**: employed people of the current cohort with role
  ``mentor`` or ``both`` (only ``mentor`` when the design sets
  ``experience.allow_both_roles`` to false). Capacity is the enrolment's
  (blank = 0), capped at ``experience.mentor_capacity`` when a design is
  given. A mentor can mentor a skill when their known level reaches the mentor
  level; a mentor whose ``offers`` lists skills counts only for those, and for
  an offered skill whose level is unknown the offer is taken at its word.
* **Potential mentors**: employed people eligible under
  ``align.mentor_eligibility`` (every employee without a design) who are not
  enrolled in the current cohort as mentor (nor, when the design does not
  allow both roles, as mentee), whose known level reaches the mentor level.
  Each counts with the design's ``mentor_capacity`` (2 without a design).
* **Capacity per skill is an upper bound.** A mentor's capacity counts in full
  for every skill they can mentor, although they spread it over those skills:
  ``supply`` and ``potential`` of different skills do not add up.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from functools import cached_property

import numpy as np
import pandas as pd

from workbench.data.columns import number_column, text_column
from workbench.organisation import current_cohort
from workbench.design.eligibility import data_as_of, eligible, employed
from workbench.design.model import ProgramDesign
from workbench.gaps.analysis import _goal_sets, _str_array, _text_codes, _whole, current_proficiency, skill_names
from workbench.privacy import MIN_GROUP, hide_small_groups

#: Columns of :func:`supply_demand`.
SUPPLY_COLUMNS: tuple[str, ...] = ("skill_id", "name", "demand", "supply", "potential", "balance", "status",
                                   "mentors")
#: Statuses of :func:`supply_demand`, in the order rows are sorted.
STATUSES: tuple[str, ...] = ("shortage", "balanced", "surplus", "no demand")
#: Places a potential mentor offers when no design gives ``experience.mentor_capacity`` (the design default).
DEFAULT_MENTOR_CAPACITY = 2
#: Levels a mentor should be ahead of the median mentee, by default.
MENTOR_MARGIN = 1
MENTEE_ROLES = ("mentee", "both")


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


class _Staff:
    """What the rules need from the tables and the design, whatever the selection of gaps: who is who, and
    the proficiency table read once."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], design: ProgramDesign | None,
                 as_of: datetime.date | None) -> None:
        self.tables = tables
        self.design = design
        people = tables["people"].reset_index(drop=True)
        self.as_of = as_of or data_as_of(people)
        ids = text_column(people, "person_id")
        first = (ids != "") & ~ids.duplicated()
        self.people = people[first.to_numpy()].reset_index(drop=True)
        self.ids = text_column(self.people, "person_id").to_numpy(dtype=object)
        self.employed = employed(self.people, as_of=self.as_of).to_numpy()

    # -- who is who ------------------------------------------------------------------------------------------

    def _eligible(self, role: str) -> np.ndarray:
        if self.design is None:
            return self.employed
        rule = getattr(self.design.align, f"{role}_eligibility")
        return eligible(self.people, rule, as_of=self.as_of).to_numpy()

    @cached_property
    def cohort(self) -> pd.DataFrame:
        """Current cohort rows of employed people: person_id, role, capacity (places), offers (tuple)."""
        enrolment = self.tables.get("enrolment")
        if enrolment is None or not len(enrolment):
            return pd.DataFrame({"person_id": pd.Series([], dtype=object), "role": pd.Series([], dtype=object),
                                 "capacity": pd.Series([], dtype=np.int64), "offers": pd.Series([], dtype=object)})
        _, rows = current_cohort(enrolment)
        capacity = number_column(rows, "capacity").fillna(0).clip(lower=0).to_numpy()
        frame = pd.DataFrame({
            "person_id": text_column(rows, "person_id").to_numpy(dtype=object),
            "role": text_column(rows, "role").to_numpy(dtype=object),
            "capacity": np.floor(capacity).astype(np.int64),
            "offers": [tuple(dict.fromkeys(s.strip() for s in cell.split(";") if s.strip()))
                       for cell in text_column(rows, "offers")],
        })
        staff = set(self.ids[self.employed])
        frame = frame[frame["person_id"].isin(staff).to_numpy()]
        return frame.drop_duplicates("person_id").reset_index(drop=True)

    @property
    def mentor_roles(self) -> tuple[str, ...]:
        both = self.design is None or self.design.experience.allow_both_roles
        return ("mentor", "both") if both else ("mentor",)

    @cached_property
    def enrolled_mentees(self) -> set[str]:
        return set(self.cohort.loc[self.cohort["role"].isin(MENTEE_ROLES), "person_id"])

    @cached_property
    def mentees(self) -> set[str]:
        """Who demand is counted for: the cohort's mentees, else the target population."""
        return self.enrolled_mentees or self.population

    @cached_property
    def population(self) -> set[str]:
        return set(self.ids[self._eligible("mentee")])

    @cached_property
    def mentors(self) -> pd.DataFrame:
        """Enrolled mentors: person_id, capacity (capped by the design), offers."""
        mentors = self.cohort[self.cohort["role"].isin(self.mentor_roles)].copy()
        if self.design is not None:
            mentors["capacity"] = mentors["capacity"].clip(upper=self.design.experience.mentor_capacity)
        return mentors.reset_index(drop=True)

    @cached_property
    def candidates(self) -> set[str]:
        """Potential mentors: eligible employees not enrolled as mentors (nor as mentees when roles cannot mix)."""
        taken = set(self.cohort.loc[self.cohort["role"].isin(("mentor", "both")), "person_id"])
        if self.mentor_roles == ("mentor",):
            taken |= self.enrolled_mentees
        return set(self.ids[self._eligible("mentor")]) - taken

    @property
    def potential_capacity(self) -> int:
        return self.design.experience.mentor_capacity if self.design is not None else DEFAULT_MENTOR_CAPACITY

    @cached_property
    def positions(self) -> pd.Index:
        """Person ids, to find people's rows."""
        return pd.Index(self.ids)

    @cached_property
    def people_columns(self) -> dict[str, np.ndarray]:
        """What tables of people show: name (when people has names), department, job title (text), level."""
        people = self.people
        columns = {column: text_column(people, column).to_numpy(dtype=object)
                   for column in ("name", "department", "job_title") if column != "name" or column in people.columns}
        columns["level"] = _whole(number_column(people, "level").to_numpy(dtype=float))
        return columns

    # -- proficiency -----------------------------------------------------------------------------------------

    @cached_property
    def _proficiency(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """The proficiency table as codes: (person codes, person ids, skill codes, skill ids, levels)."""
        proficiency = current_proficiency(self.tables.get("proficiency"))
        if proficiency is None or not len(proficiency):
            return None
        person_codes, person_ids = _text_codes(proficiency["person_id"])
        skill_codes, skill_ids = _text_codes(proficiency["skill_id"])
        level_codes, level_texts = _text_codes(proficiency["level"])
        levels = _whole(pd.to_numeric(pd.Series(level_texts, dtype=object), errors="coerce")
                        .to_numpy(dtype=float, na_value=np.nan))[level_codes]
        return person_codes, person_ids, skill_codes, skill_ids, levels

    def known_levels(self, people: set[str], skills: list[str]) -> pd.DataFrame:
        """Known levels (floats) of ``people`` in ``skills``: person_id, skill_id, level."""
        columns = {"person_id": pd.Series([], dtype=object), "skill_id": pd.Series([], dtype=object),
                   "level": pd.Series([], dtype=float)}
        coded = self._proficiency
        if coded is None or not people or not skills:
            return pd.DataFrame(columns)
        person_codes, person_ids, skill_codes, skill_ids, levels = coded
        keep = (np.isin(person_ids, list(people))[person_codes] & np.isin(skill_ids, skills)[skill_codes]
                & ~np.isnan(levels))
        frame = pd.DataFrame({"person_id": person_ids[person_codes[keep]], "skill_id": skill_ids[skill_codes[keep]],
                              "level": levels[keep]})
        return frame.drop_duplicates(["person_id", "skill_id"], keep="last").reset_index(drop=True)

    @cached_property
    def every_mentor_level(self) -> pd.DataFrame:
        """Known levels of enrolled and potential mentors in every skill (filtered per selection)."""
        coded = self._proficiency
        skills = [] if coded is None else list(coded[3])
        return self.known_levels(set(self.mentors["person_id"]) | self.candidates, skills)

    @cached_property
    def mentor_pairs(self) -> "_MentorPairs":
        """Who could mentor what, as arrays over every skill (a selection keeps its skills)."""
        return _MentorPairs(self)

    def mentor_known_levels(self, skills: list[str]) -> pd.DataFrame:
        """:meth:`known_levels` of enrolled and potential mentors in ``skills``."""
        known = self.every_mentor_level
        if not skills:
            return self.known_levels(set(), skills)
        return known[known["skill_id"].isin(skills).to_numpy(dtype=bool)].reset_index(drop=True)


class _MentorPairs:
    """Mentors' known levels and offers as arrays, for counting places per skill without a merge per selection.

    ``level_*``: one entry per known level of an enrolled or potential mentor
    (person, skill): the skill, the level, whether the person is a potential
    mentor, and the capacity of an enrolled mentor who offers nothing in
    particular (-1 for anyone else). ``offer_*``: one entry per skill an enrolled
    mentor offers: the skill, the mentor's capacity and the entry of
    ``level_*`` for that person and skill (-1 when the level is unknown).
    """

    def __init__(self, staff: _Staff) -> None:
        known = staff.every_mentor_level
        mentors = staff.mentors
        persons = known["person_id"].to_numpy(dtype=object)
        self.level_skill = known["skill_id"].to_numpy(dtype=object)
        self.level = known["level"].to_numpy(dtype=float)
        self.level_candidate = known["person_id"].isin(staff.candidates).to_numpy(dtype=bool)
        free = {person: int(capacity) for person, capacity, offers
                in zip(mentors["person_id"], mentors["capacity"], mentors["offers"]) if len(offers) == 0}
        self.level_free_capacity = np.array([free.get(person, -1) for person in persons], dtype=np.int64)
        entry = {pair: i for i, pair in enumerate(zip(persons, self.level_skill))}
        offers = [(person, skill, int(capacity)) for person, capacity, offered
                  in zip(mentors["person_id"], mentors["capacity"], mentors["offers"]) for skill in offered]
        self.offer_skill = np.array([skill for _, skill, _ in offers], dtype=object)
        self.offer_capacity = np.array([capacity for _, _, capacity in offers], dtype=np.int64)
        self.offer_level = np.array([entry.get((person, skill), -1) for person, skill, _ in offers], dtype=np.int64)


class _Setting:
    """The facts shared by the functions of this module for one selection of gaps, computed once."""

    def __init__(self, gaps: pd.DataFrame, staff: _Staff) -> None:
        self.gaps = gaps
        self.staff = staff
        self.tables, self.design, self.as_of = staff.tables, staff.design, staff.as_of
        self._levels: dict[int, pd.Series] = {}

    def __getattr__(self, name: str) -> object:  # who is who: the same for every selection
        if name == "staff":
            raise AttributeError(name)
        return getattr(self.staff, name)

    # -- the gap rows that matter ----------------------------------------------------------------------------

    @cached_property
    def program(self) -> np.ndarray:
        """Gap rows serving the design's goals or focus skills (every row when it names neither)."""
        gaps = self.gaps
        design = self.design
        if design is None or not (design.align.goal_ids or design.align.focus_skills):
            return np.ones(len(gaps), dtype=bool)
        keep = np.array(gaps["skill_id"].isin(list(design.align.focus_skills)), dtype=bool)
        if design.align.goal_ids:
            codes, sets = _goal_sets(gaps["goals"])
            wanted = set(design.align.goal_ids)
            keep |= np.array([bool(wanted & set(s)) for s in sets], dtype=bool)[codes] if sets else False
        return keep

    @cached_property
    def demand_rows(self) -> pd.DataFrame:
        gaps = self.gaps
        short = gaps["gap"].fillna(0).to_numpy(dtype=float) > 0
        mentee = gaps["person_id"].isin(self.mentees).to_numpy(dtype=bool)
        return gaps.loc[self.program & short & mentee]

    @cached_property
    def skills(self) -> list[str]:
        return sorted(set(self.gaps.loc[self.program, "skill_id"]))

    def mentor_levels(self, margin: int) -> pd.Series:
        """The level a mentor needs per skill (index skill_id, whole levels)."""
        if margin not in self._levels:
            skills = pd.Index(self.skills, name="skill_id")
            program = self.gaps.loc[self.program, ["skill_id", "target"]]
            level = np.full(len(skills), -np.inf)
            np.fmax.at(level, skills.get_indexer(program["skill_id"].to_numpy(dtype=object)),
                       program["target"].to_numpy(dtype=float, na_value=np.nan))
            rows = self.demand_rows
            current = rows["current"].to_numpy(dtype=float, na_value=np.nan)
            if len(rows) and not np.isnan(current).any():  # a gap above 0 has a known level
                skill = skills.get_indexer(rows["skill_id"].to_numpy(dtype=object))
                ordered = current[np.lexsort((current, skill))]
                counts = np.bincount(skill, minlength=len(skills))
                starts = np.cumsum(counts) - counts
                has = counts > 0
                low, high = (starts + (counts - 1) // 2)[has], (starts + counts // 2)[has]
                ahead = np.ceil((ordered[low] + ordered[high]) / 2 + margin)  # the median, as pandas takes it
                highest = np.full(len(skills), -np.inf)
                np.maximum.at(highest, skill, rows["target"].to_numpy(dtype=float, na_value=np.nan))
                level[has] = np.maximum(highest[has], ahead)
            elif len(rows):
                grouped = rows.astype({"current": float, "target": float}).groupby("skill_id")
                ahead = np.ceil(grouped["current"].median() + margin)
                level = pd.Series(level, index=skills)
                level.loc[ahead.index] = np.maximum(grouped["target"].max(), ahead)
            self._levels[margin] = pd.Series(np.asarray(level), index=skills, name="target").astype(np.int64)
        return self._levels[margin].copy()


def _places_per_skill(setting: _Setting, levels: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per skill of the selection: places enrolled mentors offer, how many mentors those are, and the places
    potential mentors would add (the rules of the module docstring).

    An enrolled mentor counts for a skill they offer unless their known level is
    below the mentor level (an unknown level takes the offer at its word); one
    who offers nothing in particular counts where their known level reaches it.
    A potential mentor counts where their known level reaches it.
    """
    skills = pd.Index(setting.skills)
    n = len(skills)
    pairs = setting.mentor_pairs
    needed = np.append(levels.reindex(skills).to_numpy(dtype=float), np.inf)  # [-1]: a skill not selected
    level_skill = skills.get_indexer(pairs.level_skill)
    enough = pairs.level >= needed[level_skill]
    offer_skill = skills.get_indexer(pairs.offer_skill)
    known = pairs.offer_level >= 0  # an offer whose level is unknown counts at its word
    offered = offer_skill >= 0
    offered[known] &= enough[pairs.offer_level[known]]
    free = enough & (pairs.level_free_capacity >= 0)
    potential = enough & pairs.level_candidate
    supply = (np.bincount(offer_skill[offered], weights=pairs.offer_capacity[offered], minlength=n)
              + np.bincount(level_skill[free], weights=pairs.level_free_capacity[free], minlength=n))
    mentors = (np.bincount(offer_skill[offered], minlength=n) + np.bincount(level_skill[free], minlength=n))
    spare = np.bincount(level_skill[potential], minlength=n) * setting.potential_capacity
    return (np.rint(supply).astype(np.int64), mentors.astype(np.int64), spare.astype(np.int64))


def _demand_per_skill(setting: _Setting) -> np.ndarray:
    """Mentees with a gap, per skill of the selection."""
    rows = setting.demand_rows
    skills = pd.Index(setting.skills)
    if not len(rows):
        return np.zeros(len(skills), dtype=np.int64)
    skill = skills.get_indexer(rows["skill_id"].to_numpy(dtype=object)).astype(np.int64)
    person, people = pd.factorize(rows["person_id"].to_numpy(dtype=object))
    pairs = np.unique(skill * max(len(people), 1) + person)
    return np.bincount(pairs // max(len(people), 1), minlength=len(skills)).astype(np.int64)


def _supply_demand(setting: _Setting, mentor_margin: int) -> pd.DataFrame:
    skills = setting.skills
    levels = setting.mentor_levels(mentor_margin)
    supply, count, spare = _places_per_skill(setting, levels)
    demand = _demand_per_skill(setting)
    names = skill_names(setting.tables)
    balance = supply - demand
    status = np.where(demand == 0, "no demand", np.where(balance < 0, "shortage",
                                                         np.where(balance > 0, "surplus", "balanced")))
    frame = pd.DataFrame({
        "skill_id": _str_array(skills),
        "name": _str_array([names.get(s, "") for s in skills]),
        "demand": demand,
        "supply": supply,
        "potential": spare,
        "balance": balance.astype(np.int64),
        "status": _str_array(status),
        "mentors": count,
    })
    order = frame["status"].map({s: i for i, s in enumerate(STATUSES)})
    frame = frame.assign(_order=order.to_numpy()).sort_values(["_order", "balance", "skill_id"], kind="stable")
    return frame.drop(columns="_order").reset_index(drop=True)


def hide_small_demand(supply: pd.DataFrame, *, min_group: int = MIN_GROUP,
                      hide: Sequence[str] = ()) -> tuple[pd.DataFrame, int]:
    """:func:`supply_demand` rows as they may be shown, and how many were left out: skills needed by some but
    fewer than ``min_group`` mentees (:func:`workbench.privacy.hide_small_groups`; skills overlap, so no
    complementary suppression), and the needed skills in ``hide`` (a filtered page's: those whose demand
    another selection's would give away). Their demand would point at the mentees who lack the skill."""
    needed = (pd.to_numeric(supply["demand"], errors="coerce").fillna(0) > 0).to_numpy()
    hidden = np.zeros(len(supply), dtype=bool)
    hidden[needed] = hide_small_groups(supply.loc[needed, ["demand"]], [], count="demand", min_group=min_group,
                                       complementary=False)["hidden"].to_numpy(dtype=bool)
    hidden |= needed & supply["skill_id"].isin(list(hide)).to_numpy(dtype=bool)
    return supply[~hidden].reset_index(drop=True), int(hidden.sum())


class MentorSupply:
    """Supply and demand for many selections of the same gaps: what depends only on the tables and the design
    (who is employed, enrolled, eligible; the proficiency table) is worked out once.

    ``MentorSupply(tables, design=design).selection(gaps)`` answers exactly as
    :func:`supply_demand`, :func:`mentor_invitations` and :func:`top_mentees`
    do for those ``gaps``; a page whose filters select rows of one
    :func:`~workbench.gaps.analysis.person_gaps` frame keeps one ``MentorSupply``.
    The tables must not be changed in place while it is in use.
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame], *, design: ProgramDesign | None = None,
                 as_of: datetime.date | None = None) -> None:
        self._staff = _Staff(tables, design, as_of)

    @property
    def design(self) -> ProgramDesign | None:
        """The design whose rules apply."""
        return self._staff.design

    def selection(self, gaps: pd.DataFrame) -> "SupplySelection":
        """The rules applied to ``gaps`` (rows of ``person_gaps``, e.g. filtered); each answer is worked out once."""
        return SupplySelection(_Setting(gaps, self._staff))


class SupplySelection:
    """Supply, demand, invitations and mentees for one selection of gaps (:meth:`MentorSupply.selection`)."""

    def __init__(self, setting: _Setting) -> None:
        self._setting = setting
        self._tables: dict[int, pd.DataFrame] = {}

    @property
    def design(self) -> ProgramDesign | None:
        """The design whose rules apply."""
        return self._setting.design

    def supply_demand(self, *, mentor_margin: int = MENTOR_MARGIN) -> pd.DataFrame:
        """:func:`supply_demand` of the selection."""
        if mentor_margin not in self._tables:
            self._tables[mentor_margin] = _supply_demand(self._setting, mentor_margin)
        return self._tables[mentor_margin].copy()

    @property
    def demand_rows(self) -> pd.DataFrame:
        """The rows of the selection's gaps that make up the demand: mentees' gaps above 0 in the program."""
        return self._setting.demand_rows

    def mentor_invitations(self, skill_id: str, *, n: int = 10) -> pd.DataFrame:
        """:func:`mentor_invitations` of the selection."""
        return _mentor_invitations(self._setting, self.supply_demand(), skill_id, n)

    def top_mentees(self, *, n: int = 20) -> pd.DataFrame:
        """:func:`top_mentees` of the selection."""
        return _top_mentees(self._setting, n)


def supply_demand(gaps: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, design: ProgramDesign | None = None,
                  as_of: datetime.date | None = None, mentor_margin: int = MENTOR_MARGIN) -> pd.DataFrame:
    """Mentor places against mentees who need each skill (rules in the module docstring).

    One row per skill of the program rows of ``gaps``: ``skill_id``, ``name``
    (from the skills table, ``""`` without it); ``demand`` (mentees with a gap
    in the skill); ``supply`` (places, the summed capacity of enrolled mentors
    who can mentor it); ``potential`` (places eligible employees not enrolled
    as mentors could add); ``balance`` (supply - demand, places); ``status``
    (``"shortage"`` when supply < demand, ``"surplus"`` when supply > demand,
    ``"balanced"``, or ``"no demand"`` when no mentee needs it); ``mentors``
    (enrolled mentors who can mentor it). ``mentor_margin`` is in levels.
    Sorted shortages first (largest first), then balanced, surplus and no
    demand, ties by ``skill_id``. Supply and potential are upper bounds per
    skill: a mentor's capacity counts in every skill they can mentor.
    """
    return _supply_demand(_Setting(gaps, _Staff(tables, design, as_of)), mentor_margin)


def _people_columns(setting: _Setting, ids: pd.Series) -> dict[str, object]:
    people = setting.people_columns
    index = setting.positions.get_indexer(ids)
    columns: dict[str, object] = {"person_id": _str_array(ids.to_numpy(dtype=object))}
    for column in ("name", "department", "job_title"):
        if column in people:
            columns[column] = _str_array(people[column][index])
    level = people["level"][index]
    columns["level"] = pd.arrays.IntegerArray(np.nan_to_num(level).astype(np.int64), np.isnan(level))
    return columns


def mentor_invitations(gaps: pd.DataFrame, tables: Mapping[str, pd.DataFrame], skill_id: str, *,
                       design: ProgramDesign | None = None, n: int = 10, as_of: datetime.date | None = None
                       ) -> pd.DataFrame:
    """Whom to invite as mentor for ``skill_id``: potential mentors (module docstring) whose known level reaches the
    mentor level of the skill (with the default margin of :data:`MENTOR_MARGIN` level).

    Columns: ``person_id``, ``name`` (when people has names), ``department``,
    ``job_title``, ``level`` (job level, Int64), ``proficiency`` (their level in
    the skill, Int64), ``reason``. Best first: highest proficiency, then highest
    job level, then ``person_id``; at most ``n`` rows. Empty when no program
    row of ``gaps`` requires the skill.
    """
    setting = _Setting(gaps, _Staff(tables, design, as_of))
    return _mentor_invitations(setting, _supply_demand(setting, MENTOR_MARGIN), skill_id, n)


def _mentor_invitations(setting: _Setting, table: pd.DataFrame, skill_id: str, n: int) -> pd.DataFrame:
    found = table[table["skill_id"] == skill_id]
    levels = setting.mentor_levels(MENTOR_MARGIN)
    if found.empty:
        rows = pd.DataFrame({"person_id": pd.Series([], dtype=object), "level": pd.Series([], dtype=float)})
        needed = 0
    else:
        needed = int(levels[skill_id])
        rows = setting.mentor_known_levels([skill_id])
        rows = rows[rows["person_id"].isin(setting.candidates).to_numpy(dtype=bool) & (rows["level"] >= needed)]
    columns = _people_columns(setting, rows["person_id"].astype(object))
    columns["proficiency"] = pd.arrays.IntegerArray(rows["level"].to_numpy(dtype=np.int64),
                                                    np.zeros(len(rows), dtype=bool))
    frame = pd.DataFrame(columns)
    if not found.empty:
        row = found.iloc[0]
        label = row["name"] or skill_id
        context = (f"{_plural(int(row['demand']), 'mentee')} need{'s' if row['demand'] == 1 else ''} it and "
                   f"enrolled mentors offer {_plural(int(row['supply']), 'place')} ({row['status']})")
        frame["reason"] = _str_array([f"level {p} in {label}, mentoring it needs {needed}; {context}"
                                      for p in frame["proficiency"]])
    else:
        frame["reason"] = _str_array([])
    frame = frame.sort_values(["proficiency", "level", "person_id"], ascending=[False, False, True],
                              na_position="last", kind="stable")
    return frame.head(n).reset_index(drop=True)


def top_mentees(gaps: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, design: ProgramDesign | None = None,
                n: int = 20, as_of: datetime.date | None = None) -> pd.DataFrame:
    """The people of the program's target population with the largest total weighted gap.

    The target population is the employees eligible under the design's
    ``align.mentee_eligibility`` (every employee without a design); only
    program rows count (module docstring) and unknown levels add nothing.
    Columns: ``person_id``, ``name`` (when people has names), ``department``,
    ``job_title``, ``level`` (Int64), ``total_weighted_gap`` (levels x weight),
    ``skills`` (their three largest weighted gaps, ``;``-joined, ties by
    ``skill_id``), ``enrolled`` (enrolled as mentee or both in the current
    cohort). People whose total is 0 are left out. Largest total first, ties by
    ``person_id``; at most ``n`` rows.
    """
    return _top_mentees(_Setting(gaps, _Staff(tables, design, as_of)), n)


def _top_mentees(setting: _Setting, n: int) -> pd.DataFrame:
    gaps = setting.gaps
    weighted = gaps["weighted_gap"].fillna(0).to_numpy(dtype=float)
    keep = setting.program & (weighted > 0) & gaps["person_id"].isin(setting.population).to_numpy(dtype=bool)
    rows = pd.DataFrame({"person_id": gaps["person_id"].to_numpy(dtype=object)[keep],
                         "skill_id": gaps["skill_id"].to_numpy(dtype=object)[keep], "weighted_gap": weighted[keep]})
    rows = rows.sort_values(["person_id", "weighted_gap", "skill_id"], ascending=[True, False, True], kind="stable")
    grouped = rows.groupby("person_id", sort=True)
    totals = grouped["weighted_gap"].sum()
    skills = rows.groupby("person_id", sort=True).head(3).groupby("person_id", sort=True)["skill_id"].agg(";".join)
    summary = pd.DataFrame({"person_id": totals.index.to_numpy(dtype=object), "total": totals.to_numpy(dtype=float),
                            "skills": skills.reindex(totals.index).to_numpy(dtype=object)})
    summary = summary.sort_values(["total", "person_id"], ascending=[False, True], kind="stable").head(n)
    columns = _people_columns(setting, summary["person_id"].astype(object))
    columns["total_weighted_gap"] = summary["total"].to_numpy(dtype=float)
    columns["skills"] = _str_array(summary["skills"].to_numpy(dtype=object))
    columns["enrolled"] = summary["person_id"].isin(setting.enrolled_mentees).to_numpy(dtype=bool)
    return pd.DataFrame(columns).reset_index(drop=True)
