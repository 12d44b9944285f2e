"""Skill gaps: the levels people need (``requirements.csv``) against the levels they have (``proficiency.csv``).

Every function here is pure: it takes the workspace tables as read from CSV
(:func:`workbench.data.importing.read_workspace_table`: text columns, blanks ``""``)
or the frame :func:`person_gaps` returns, and gives back a new frame.

Units: ``current``, ``target`` and ``gap`` are levels of the workspace's
proficiency scale (0-5 by default); ``weight`` is ``importance x goal
priority`` (both as written in ``requirements.csv`` and ``goals.csv``, no
unit); ``weighted_gap`` is levels x weight; shares (``coverage``,
``gap_share``, ``breadth``, ``ready_share``) are fractions between 0 and 1.

How requirements are resolved per person (:func:`person_gaps`)
---------------------------------------------------------------
* Only people employed on ``as_of`` count (:func:`workbench.design.eligibility.employed`);
  ``as_of`` defaults to :func:`workbench.design.eligibility.data_as_of` of ``people.csv``.
* A requirement row applies to a person when every non-blank scope matches:
  ``department`` and ``job_title`` exactly, ``level_min <= level <= level_max``
  (both inclusive). ``goal_id`` does not scope the row, it labels it. A scope
  cell that cannot be read (``level_min`` of ``"two"``) matches nobody; a person
  whose level cannot be read matches no level-scoped row.
* A row's weight is ``importance x priority`` of its goal (``goals.csv``); a row
  without a goal, or whose goal is missing from ``goals.csv`` or has no
  readable priority, has priority 1. Rows whose ``skill_id`` is blank or whose
  ``target_level`` or ``importance`` cannot be read are ignored.
* When several rows apply to the same person and skill: ``target`` is the
  highest ``target_level``, ``weight`` the highest ``importance x priority`` of
  those rows, and ``goals`` lists their goals (sorted, ``;``-joined, ``""`` when
  none of them has a goal).
* ``current`` is the person's level in ``proficiency.csv``; a missing row (or an
  unreadable level) is *unknown*: ``current``, ``gap`` and ``weighted_gap`` are
  ``<NA>``, never 0 and never the whole target. ``gap = max(0, target -
  current)``; ``weighted_gap = gap x weight``.

Goals of merged rows: a (person, skill) row is counted under every goal in its
``goals``, with the merged target. So a person held to a higher target by
another goal must meet that higher target to count as ready for either goal,
a deliberately conservative reading of "meets all its requirements".
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.data.columns import date_column, number_column, text_column
from workbench.design.eligibility import data_as_of, employed
from workbench.errors import WorkbenchError
from workbench.privacy import MIN_GROUP, hide_small_groups

#: Columns of :func:`person_gaps`, in order.
GAP_COLUMNS: tuple[str, ...] = ("person_id", "skill_id", "department", "job_title", "level", "current", "target",
                                "gap", "weighted_gap", "weight", "goals")
#: What :func:`aggregate` can group by (``goal`` splits the ``goals`` column).
GROUPINGS: tuple[str, ...] = ("department", "job_title", "level", "goal", "skill_id")
#: Columns :func:`aggregate` adds after the group columns.
AGGREGATE_COLUMNS: tuple[str, ...] = ("people", "required", "assessed", "coverage", "with_gap", "gap_share",
                                      "mean_gap", "total_weighted_gap", "assessed_people")
#: Columns of :func:`readiness` (``name`` only when goals are given).
READINESS_COLUMNS: tuple[str, ...] = ("goal_id", "name", "people", "fully_assessed", "ready", "ready_share",
                                      "unknown")
#: Columns of :func:`prioritised_gaps`.
PRIORITY_COLUMNS: tuple[str, ...] = ("skill_id", "name", "category", "depth", "breadth", "criticality",
                                     "people_with_gap", "score", "rank", "reason", "hidden")

#: The totals shown beside the department x skill cells of :func:`aggregate` (the heat map): a skill's (the
#: priority ranking), a department's (the selection summary) and everyone's (:func:`hide_small_cells`).
GAP_CELL_MARGINS: tuple[tuple[str, ...], ...] = (("skill_id",), ("department",), ())

# Above this many (group x person) cells, distinct people per group are counted by hashing, not a bitmap.
_BITMAP_CELLS = 50_000_000


# --------------------------------------------------------------------------
# Reading text columns fast
# --------------------------------------------------------------------------


def _objects(values: pd.Series | np.ndarray) -> np.ndarray:
    array = values.to_numpy(dtype=object) if isinstance(values, (pd.Series, pd.Index)) else values
    return np.asarray(array, dtype=object)


def _text_codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (int64) and unique texts of a text column, texts stripped; missing cells are ``""``.

    Hashes each distinct cell once: ``uniques[codes]`` is the stripped column.
    """
    codes, raw = pd.factorize(_objects(values))
    stripped = [str(u).strip() for u in raw] + [""]
    merged, uniques = pd.factorize(np.asarray(stripped, dtype=object))
    table = merged.astype(np.int64)
    return table[np.where(codes < 0, len(raw), codes)], np.asarray(uniques, dtype=object)


def _whole(values: np.ndarray) -> np.ndarray:
    """Floats with anything that is not a whole number (or is not finite) set to NaN."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(values) & (np.floor(values) == values), values, np.nan)


def _numbers(texts: np.ndarray) -> np.ndarray:
    """Texts parsed as floats; blanks and unreadable cells are NaN."""
    if len(texts) == 0:
        return np.zeros(0, dtype=float)
    return pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _column(frame: pd.DataFrame, column: str) -> np.ndarray:
    return text_column(frame, column).to_numpy(dtype=object)


def _str_array(values: Sequence[str] | np.ndarray) -> pd.api.extensions.ExtensionArray:
    return pd.array(np.asarray(values, dtype=object), dtype="str")


def _ints(values: np.ndarray, missing: np.ndarray | None = None) -> pd.arrays.IntegerArray:
    values = np.asarray(values)
    mask = np.zeros(len(values), dtype=bool) if missing is None else np.asarray(missing, dtype=bool)
    return pd.arrays.IntegerArray(np.where(mask, 0, values).astype(np.int64), mask)


def _floats(values: np.ndarray, missing: np.ndarray) -> pd.arrays.FloatingArray:
    return pd.arrays.FloatingArray(np.where(missing, 0.0, values).astype(np.float64), np.asarray(missing, dtype=bool))


# --------------------------------------------------------------------------
# person_gaps
# --------------------------------------------------------------------------


def _empty_gaps() -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": _str_array([]), "skill_id": _str_array([]), "department": _str_array([]),
        "job_title": _str_array([]), "level": _ints(np.zeros(0)), "current": _ints(np.zeros(0)),
        "target": _ints(np.zeros(0)), "gap": _floats(np.zeros(0), np.zeros(0, dtype=bool)),
        "weighted_gap": _floats(np.zeros(0), np.zeros(0, dtype=bool)), "weight": np.zeros(0, dtype=float),
        "goals": _str_array([]),
    })


class _Staff:
    """Employed people sorted by ``person_id``, with their scope columns as codes."""

    def __init__(self, people: pd.DataFrame, as_of: datetime.date) -> None:
        staff = people.loc[employed(people, as_of=as_of).to_numpy()]
        ids = _column(staff, "person_id")
        keep = (ids != "") & ~pd.Series(ids, dtype=object).duplicated().to_numpy()
        rows = np.flatnonzero(keep)
        rows = rows[np.argsort(ids[rows], kind="stable")]
        self.ids = ids[rows]
        self.department = _column(staff, "department")[rows]
        self.job_title = _column(staff, "job_title")[rows]
        self.level = _whole(number_column(staff, "level").to_numpy(dtype=float)[rows])
        self.dept_codes, dept_names = pd.factorize(self.department)
        self.job_codes, job_names = pd.factorize(self.job_title)
        self.dept_lookup = {name: code for code, name in enumerate(dept_names)}
        self.job_lookup = {name: code for code, name in enumerate(job_names)}
        self._masks: dict[tuple[str, str, str, str], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def scope(self, department: str, job_title: str, level_min: str, level_max: str) -> np.ndarray:
        """Who a requirement row with these scope cells applies to (boolean per person)."""
        key = (department, job_title, level_min, level_max)
        if key not in self._masks:
            mask = np.ones(len(self), dtype=bool)
            if department:
                mask &= self.dept_codes == self.dept_lookup.get(department, -2)
            if job_title:
                mask &= self.job_codes == self.job_lookup.get(job_title, -2)
            for text, keep_if in ((level_min, np.greater_equal), (level_max, np.less_equal)):
                if text:
                    bound = _whole(_numbers(np.array([text], dtype=object)))[0]
                    with np.errstate(invalid="ignore"):
                        mask &= keep_if(self.level, bound) if not math.isnan(bound) else False
            self._masks[key] = mask
        return self._masks[key]


def _requirement_rows(requirements: pd.DataFrame, goals: pd.DataFrame | None) -> pd.DataFrame:
    """Usable requirement rows with their weight (importance x priority) and goal code."""
    frame = pd.DataFrame({column: _column(requirements, column)
                          for column in ("skill_id", "goal_id", "department", "job_title", "level_min",
                                         "level_max")})
    frame["target"] = _whole(number_column(requirements, "target_level").to_numpy(dtype=float))
    frame["importance"] = number_column(requirements, "importance").to_numpy(dtype=float)
    priority: dict[str, float] = {}
    if goals is not None and len(goals):
        values = number_column(goals, "priority").to_numpy(dtype=float)
        for goal_id, value in zip(_column(goals, "goal_id"), values):
            if goal_id and goal_id not in priority and np.isfinite(value):
                priority[goal_id] = float(value)
    frame["priority"] = [priority.get(g, 1.0) for g in frame["goal_id"]]
    frame = frame[(frame["skill_id"] != "") & frame["target"].notna()
                  & np.isfinite(frame["importance"].to_numpy(dtype=float))].reset_index(drop=True)
    frame["weight"] = frame["importance"] * frame["priority"]
    return frame


def _proficiency_by_skill(proficiency: pd.DataFrame | None, staff: _Staff, skills: np.ndarray
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Known levels of employed people in required skills, grouped by skill.

    Returns ``(person, level, bounds)``: rows ``bounds[s]:bounds[s + 1]`` of
    ``person`` (positions in ``staff``) and ``level`` belong to ``skills[s]``.
    """
    empty = np.zeros(0, dtype=np.int64)
    if proficiency is None or not len(proficiency) or not len(skills):
        return empty, np.zeros(0), np.zeros(len(skills) + 1, dtype=np.int64)
    if not {"person_id", "skill_id", "level"} <= set(proficiency.columns):
        return empty, np.zeros(0), np.zeros(len(skills) + 1, dtype=np.int64)
    person_codes, person_ids = _text_codes(proficiency["person_id"])
    person = pd.Index(staff.ids).get_indexer(person_ids)[person_codes]
    skill_codes, skill_ids = _text_codes(proficiency["skill_id"])
    skill = pd.Index(skills).get_indexer(skill_ids)[skill_codes]
    level_codes, level_texts = _text_codes(proficiency["level"])
    level = _whole(_numbers(level_texts))[level_codes]
    keep = (person >= 0) & (skill >= 0) & ~np.isnan(level)
    person, skill, level = person[keep], skill[keep], level[keep]
    small = np.int16 if len(skills) < np.iinfo(np.int16).max else np.int32
    order = np.argsort(skill.astype(small), kind="stable")  # radix sort on small integer codes
    bounds = np.zeros(len(skills) + 1, dtype=np.int64)
    bounds[1:] = np.cumsum(np.bincount(skill, minlength=len(skills)))
    return person[order], level[order].astype(np.int64), bounds


def skill_names(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """``skill_id`` -> the skill's name from ``skills.csv`` (the first row of an id; blank names left out).

    Empty when there is no skills table or it has no ``name`` column; callers
    fall back to the id: ``skill_names(tables).get(skill, skill)``.
    """
    skills = tables.get("skills")
    if skills is None or "skill_id" not in skills.columns or "name" not in skills.columns:
        return {}
    names: dict[str, str] = {}
    for skill_id, name in zip(text_column(skills, "skill_id"), text_column(skills, "name")):
        if name:
            names.setdefault(skill_id, name)
    return names


def current_proficiency(proficiency: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each person's latest assessment of each skill, what gaps and matching read.

    With an ``assessed_on`` column (``proficiency.csv`` may hold repeated, dated
    assessments, which competency growth compares), the row with the latest date
    (an undated one counts as the oldest); without it, the table as it is.
    """
    if proficiency is None or "assessed_on" not in proficiency.columns:
        return proficiency
    when = date_column(proficiency, "assessed_on")
    order = np.argsort(when.to_numpy(dtype="datetime64[ns]").view("int64"), kind="stable")  # NaT sorts first
    keys = pd.DataFrame({"person": text_column(proficiency, "person_id"), "skill": text_column(proficiency, "skill_id")})
    latest = ~keys.iloc[order].duplicated(keep="last").to_numpy()
    return proficiency.iloc[np.sort(order[latest])]


def person_gaps(tables: Mapping[str, pd.DataFrame], *, as_of: datetime.date | None = None) -> pd.DataFrame:
    """One row per currently employed person and skill a requirement asks of them.

    ``tables`` holds the workspace tables as read from CSV: ``people`` and
    ``requirements`` are needed; ``proficiency`` (missing = every level
    unknown) and ``goals`` (missing = every priority 1) are optional. People
    count when employed on ``as_of`` (default: the day the people data
    describes, :func:`workbench.design.eligibility.data_as_of`).

    Resolution rules (the module docstring has them in full): a requirement
    row applies to a person when every non-blank scope matches (``department``
    and ``job_title`` exactly, ``level_min <= level <= level_max``; ``goal_id``
    only labels the row). Priority comes from ``goals.csv`` (1.0 for rows
    without a goal). When several rows apply to the same person and skill,
    ``target`` is the highest ``target_level`` and ``weight`` the highest
    ``importance x priority`` among them; ``gap = max(0, target - current)``
    and ``weighted_gap = gap x weight``. An unknown level (no proficiency row)
    leaves ``current``, ``gap`` and ``weighted_gap`` as ``<NA>``.

    Columns, in order: ``person_id``, ``skill_id``, ``department``,
    ``job_title``, ``level`` (Int64), ``current`` (Int64, levels), ``target``
    (Int64, levels), ``gap`` (Float64, levels), ``weighted_gap`` (Float64,
    levels x weight), ``weight`` (float), ``goals`` (``;``-joined goal ids,
    sorted; ``""`` when no applying row has a goal). Rows are sorted by
    ``person_id`` then ``skill_id``.
    """
    people, requirements = tables.get("people"), tables.get("requirements")
    if people is None or requirements is None:
        missing = " and ".join(name for name, table in (("people", people), ("requirements", requirements))
                               if table is None)
        raise WorkbenchError(f"Skill gaps need the {missing} table{'s' if ' and ' in missing else ''}.")
    as_of = as_of or data_as_of(people)
    staff = _Staff(people, as_of)
    rules = _requirement_rows(requirements, tables.get("goals"))
    if not len(staff) or not len(rules):
        return _empty_gaps()

    skills = np.asarray(sorted(set(rules["skill_id"])), dtype=object)
    goal_ids = sorted({g for g in rules["goal_id"] if g})
    words = max(1, -(-len(goal_ids) // 64))
    goal_bit = {g: (i // 64, np.uint64(1) << np.uint64(i % 64)) for i, g in enumerate(goal_ids)}
    prof_person, prof_level, bounds = _proficiency_by_skill(current_proficiency(tables.get("proficiency")), staff,
                                                               skills)

    n = len(staff)
    known_buffer = np.zeros(n, dtype=bool)
    level_buffer = np.zeros(n, dtype=np.int64)
    found: list[tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    plan: list[list[tuple]] = [[] for _ in skills]
    skill_index = {skill: s for s, skill in enumerate(skills)}
    for rule in zip(rules["skill_id"], rules["department"], rules["job_title"], rules["level_min"],
                    rules["level_max"], rules["target"], rules["weight"], rules["goal_id"]):
        plan[skill_index[rule[0]]].append(rule[1:])
    for s, rows in enumerate(plan):
        applies = np.zeros(n, dtype=bool)
        target = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
        weight = np.full(n, -np.inf)
        bits = np.zeros((words, n), dtype=np.uint64)
        for department, job_title, level_min, level_max, row_target, row_weight, goal_id in rows:
            mask = staff.scope(department, job_title, level_min, level_max)
            applies |= mask
            np.maximum(target, np.where(mask, np.int64(row_target), target), out=target)
            np.maximum(weight, np.where(mask, row_weight, -np.inf), out=weight)
            if goal_id:
                word, bit = goal_bit[goal_id]
                bits[word] |= np.where(mask, bit, np.uint64(0))
        who = np.flatnonzero(applies)
        if not len(who):
            continue
        known_person = prof_person[bounds[s]:bounds[s + 1]]
        known_buffer[known_person] = True
        level_buffer[known_person] = prof_level[bounds[s]:bounds[s + 1]]
        found.append((s, who, target[who], weight[who], bits[:, who], level_buffer[who], known_buffer[who]))
        known_buffer[known_person] = False
    del prof_person, prof_level
    if not found:
        return _empty_gaps()

    # Place every (person, skill) row in person-major order without sorting: skills come in order, so each
    # person's rows fill their slots in skill order.
    counts = np.bincount(np.concatenate([f[1] for f in found]), minlength=n)
    fill = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    total = int(counts.sum())
    person = np.empty(total, dtype=np.int64)
    skill = np.empty(total, dtype=np.int64)
    target = np.empty(total, dtype=np.int64)
    weight = np.empty(total, dtype=float)
    current = np.empty(total, dtype=np.int64)
    known = np.empty(total, dtype=bool)
    bits = np.empty((words, total), dtype=np.uint64)
    while found:  # release each skill's arrays once placed
        s, who, s_target, s_weight, s_bits, s_current, s_known = found.pop(0)
        slot = fill[who]
        fill[who] += 1
        person[slot], skill[slot], target[slot], weight[slot] = who, s, s_target, s_weight
        current[slot], known[slot], bits[:, slot] = s_current, s_known, s_bits

    combo, first = _combinations(bits)
    labels = [";".join(g for i, g in enumerate(goal_ids) if int(bits[i // 64, row]) >> (i % 64) & 1)
              for row in first]
    gap = np.maximum(target - current, 0).astype(float)
    level = staff.level[person]
    return pd.DataFrame({
        "person_id": _str_array(staff.ids).take(person),
        "skill_id": _str_array(skills).take(skill),
        "department": _str_array(staff.department).take(person),
        "job_title": _str_array(staff.job_title).take(person),
        "level": _ints(np.nan_to_num(level), np.isnan(level)),
        "current": _ints(current, ~known),
        "target": _ints(target),
        "gap": _floats(gap, ~known),
        "weighted_gap": _floats(gap * weight, ~known),
        "weight": weight,
        "goals": _str_array(labels).take(combo),
    }, copy=False)


def _combinations(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code each column of ``bits`` (one goal set per row) and give the first row of each code."""
    code = pd.factorize(bits[0])[0].astype(np.int64)
    for word in bits[1:]:
        other = pd.factorize(word)[0].astype(np.int64)
        code = pd.factorize(code * (int(other.max()) + 1) + other)[0].astype(np.int64)
    # pandas numbers codes in order of first appearance: a row starts a new code when its code exceeds all before.
    seen = np.maximum.accumulate(code) if len(code) else code
    first = np.flatnonzero(np.concatenate([[True], code[1:] > seen[:-1]])) if len(code) else code
    return code, first


# --------------------------------------------------------------------------
# Filters and summaries over the gaps frame
# --------------------------------------------------------------------------


def _goal_sets(goals: pd.Series) -> tuple[np.ndarray, list[list[str]]]:
    """Codes of the ``goals`` column and, per code, the goal ids it lists."""
    codes, uniques = _text_codes(goals)
    return codes, [sorted({g.strip() for g in str(u).split(";") if g.strip()}) for u in uniques]


def filter_gaps(gaps: pd.DataFrame, *, goal: str | None = None, departments: Sequence[str] = (),
                level_min: int | None = None, level_max: int | None = None) -> pd.DataFrame:
    """The rows of ``gaps`` that serve ``goal`` (one of its ``goals``), in ``departments`` (any when empty),
    at a ``level`` within ``level_min``-``level_max`` (inclusive; an unknown level fails a bound).

    The index is reset; columns and order are kept.
    """
    keep = np.ones(len(gaps), dtype=bool)
    if goal is not None:
        codes, sets = _goal_sets(gaps["goals"])
        keep &= np.array([goal in s for s in sets], dtype=bool)[codes] if sets else False
    if isinstance(departments, str):
        departments = (departments,)
    if departments:
        keep &= gaps["department"].isin(list(departments)).to_numpy(dtype=bool)
    level = gaps["level"].to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        if level_min is not None:
            keep &= level >= level_min
        if level_max is not None:
            keep &= level <= level_max
    return gaps.loc[keep].reset_index(drop=True)


def hide_split_groups(gaps: pd.DataFrame, by: Sequence[str] = (), *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Which groups of ``by`` (columns of :func:`person_gaps` rows; ``()`` for all of ``gaps`` as one group) a
    level or goal filter (:func:`filter_gaps`) could cut a group of fewer than ``min_group`` people out of.

    A figure of a group under those filters adds up *pieces*: the people of
    one department and level whose rows serve one set of goals (for a group
    of one skill, the goals of that skill's row; otherwise the goals of all
    of the person's rows together). Every range of levels and every goal
    selects whole pieces, so comparing the figures of two selections (levels
    1-7 against 1-6, all goals against one) can tell a piece's size and
    never less. The rule: a group's figures are shown under a level or goal
    filter only when each of its pieces holds none or at least ``min_group``
    people (distinct people; its assessed people when some are assessed, as
    :func:`hide_small_cells` counts). Pass the rows the page would show
    without the level and goal filters (its department's, say).

    One row per group (one row for ``by=()``): the ``by`` columns and
    ``hidden`` (bool).
    """
    by = list(by)
    person = _objects(gaps["person_id"])
    if "skill_id" in by:
        goals = _objects(gaps["goals"])
    else:  # a person's pieces: the goals of all their rows
        codes, sets = _goal_sets(gaps["goals"])
        served = pd.Series([";".join(s) for s in sets], dtype=object).take(codes) if len(codes) else pd.Series(
            [], dtype=object)
        union = served.groupby(person).agg(lambda g: ";".join(sorted({x for v in g for x in v.split(";") if x})))
        goals = union.reindex(person).to_numpy(dtype=object)
    known = gaps["current"].notna().to_numpy(dtype=bool)
    rows = pd.DataFrame({**{c: _objects(gaps[c]) for c in by}, "_department": _objects(gaps["department"]),
                         "_level": gaps["level"].astype(object).to_numpy(), "_goals": goals, "_person": person,
                         "_assessed": np.where(known, person, None)})
    keys = [*by, "_department", "_level", "_goals"]
    pieces = rows.groupby(keys, dropna=False, sort=False).agg(people=("_person", "nunique"),
                                                               assessed=("_assessed", "nunique"))
    counted = pieces["assessed"].where(pieces["assessed"] > 0, pieces["people"])
    small = (counted > 0) & (counted < min_group)
    if not by:
        return pd.DataFrame({"hidden": [bool(small.any())]})
    return small.groupby(level=list(range(len(by))), sort=True).any().rename("hidden").reset_index().rename(
        columns={f"level_{k}": c for k, c in enumerate(by)})


def coverage(gaps: pd.DataFrame) -> dict:
    """Assessment coverage: ``{"required": rows, "assessed": rows with a known level, "share": assessed /
    required (a fraction, ``None`` when nothing is required)}``."""
    required = len(gaps)
    assessed = int(gaps["current"].notna().sum())
    return {"required": required, "assessed": assessed, "share": assessed / required if required else None}


def _measures(gaps: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    known = gaps["current"].notna().to_numpy(dtype=bool)
    gap = gaps["gap"].to_numpy(dtype=float, na_value=np.nan)
    weighted = gaps["weighted_gap"].to_numpy(dtype=float, na_value=np.nan)
    weight = gaps["weight"].to_numpy(dtype=float, na_value=np.nan)
    return known, np.where(known, gap, 0.0), np.where(known, weighted, 0.0), weight


def _distinct_people(group: np.ndarray, person: np.ndarray, groups: int, people: int) -> np.ndarray:
    """Distinct persons per group code."""
    if not len(group):
        return np.zeros(groups, dtype=np.int64)
    if groups * people <= _BITMAP_CELLS:
        seen = np.zeros(groups * people, dtype=bool)
        seen[group * people + person] = True
        return seen.reshape(groups, people).sum(axis=1).astype(np.int64)
    pairs = pd.unique(group * people + person)
    return np.bincount(pairs // people, minlength=groups).astype(np.int64)


def aggregate(gaps: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """Gaps summed up per group of ``by``: one or more of ``department``, ``job_title``, ``level``, ``goal``,
    ``skill_id``.

    For ``goal`` each row counts once under every goal in its ``goals`` (rows
    without a goal are left out). Columns: the ``by`` column(s); ``people``
    (distinct persons); ``required`` (person-skill rows); ``assessed`` (rows
    with a known level); ``coverage`` (assessed / required, 0-1); ``with_gap``
    (assessed rows with a gap above 0); ``gap_share`` (with_gap / assessed, NaN
    when none is assessed); ``mean_gap`` (levels, mean over assessed rows, NaN
    when none); ``total_weighted_gap`` (levels x weight, over assessed rows);
    ``assessed_people`` (distinct persons with an assessed row: a group of
    several skills has more rows than people). Groups are sorted by the ``by`` values (unknown levels last).
    """
    names = [by] if isinstance(by, str) else list(by)
    bad = [name for name in names if name not in GROUPINGS]
    if not names or bad or len(set(names)) != len(names):
        raise ValueError(f"aggregate: group by one or more distinct columns of {', '.join(GROUPINGS)}, "
                         f"not {by!r}.")
    rows = None
    goal_codes = goal_names = None
    if "goal" in names:
        rows, goal_codes, goal_names = _explode_goals(gaps["goals"])
    components = []
    for name in names:
        if name == "goal":
            components.append((goal_codes, _str_array(goal_names)))
            continue
        codes, uniques = _sorted_codes(gaps[name])
        components.append((codes if rows is None else codes[rows], uniques))
    if len(components) == 1:
        group, n_groups = components[0][0], len(components[0][1])
        keys = [components[0][1]]
    else:
        key = np.zeros(len(components[0][0]), dtype=np.int64)
        for codes, uniques in components:
            key = key * len(uniques) + codes
        group, combined = pd.factorize(key, sort=True)
        group, n_groups = group.astype(np.int64), len(combined)
        keys = []
        rest = np.asarray(combined, dtype=np.int64)
        for codes, uniques in reversed(components):
            keys.append(uniques.take(rest % len(uniques)))
            rest = rest // len(uniques)
        keys.reverse()
    known, gap, weighted, _ = _measures(gaps)
    person, person_ids = pd.factorize(_objects(gaps["person_id"]))
    if rows is not None:
        known, gap, weighted, person = known[rows], gap[rows], weighted[rows], person[rows]
    required = np.bincount(group, minlength=n_groups).astype(np.int64)
    assessed = np.bincount(group, weights=known, minlength=n_groups).astype(np.int64)
    with_gap = np.bincount(group, weights=known & (gap > 0), minlength=n_groups).astype(np.int64)
    gap_sum = np.bincount(group, weights=gap, minlength=n_groups)
    weighted_sum = np.bincount(group, weights=weighted, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = dict(zip(names, keys))
        result.update({
            "people": _distinct_people(group, person.astype(np.int64), n_groups, len(person_ids)),
            "required": required,
            "assessed": assessed,
            "coverage": assessed / np.maximum(required, 1),
            "with_gap": with_gap,
            "gap_share": np.where(assessed > 0, with_gap / np.maximum(assessed, 1), np.nan),
            "mean_gap": np.where(assessed > 0, gap_sum / np.maximum(assessed, 1), np.nan),
            "total_weighted_gap": weighted_sum + 0.0,
            "assessed_people": _distinct_people(group[known], person.astype(np.int64)[known], n_groups,
                                                len(person_ids)),
        })
    return pd.DataFrame(result)


def hide_small_cells(aggregated: pd.DataFrame, keys: Sequence[str], *, within: Sequence[str] = (),
                     margins: Sequence[Sequence[str]] | None = None, min_group: int = MIN_GROUP,
                     complementary: bool = True) -> pd.DataFrame:
    """:func:`aggregate` rows (``people`` and ``assessed`` at least) as they may be shown: the small-group rule of
    :func:`workbench.privacy.hide_small_groups` applied to the people a group's figures describe.

    A group's shares and gaps describe its assessed people when some are
    assessed, else its people: that count of distinct persons
    (``assessed_people``, or, without that column, the smaller of ``people``
    and ``assessed`` rows, which is the same for one skill; ``people`` when
    none is assessed) must reach ``min_group``. ``keys``, ``within``,
    ``margins``, ``complementary`` and the ``hidden`` column are those of
    :func:`~workbench.privacy.hide_small_groups`. Department x skill cells,
    say, pass :data:`GAP_CELL_MARGINS`: a skill's total is shown in the
    priority ranking, a department's when the page selects it, and the
    whole organisation's in every summary.
    """
    assessed = pd.to_numeric(aggregated["assessed"], errors="coerce").fillna(0)
    people = pd.to_numeric(aggregated["people"], errors="coerce").fillna(0)
    persons = (pd.to_numeric(aggregated["assessed_people"], errors="coerce").fillna(0)
               if "assessed_people" in aggregated.columns else np.minimum(people, assessed))
    counted = aggregated.assign(_counted=np.where(assessed > 0, persons, people))
    shown = hide_small_groups(counted, keys, count="_counted", min_group=min_group, within=within,
                              margins=margins, complementary=complementary)
    return shown.drop(columns="_counted")


def _sorted_codes(values: pd.Series) -> tuple[np.ndarray, pd.api.extensions.ExtensionArray]:
    """Codes (int64) of a column and its sorted distinct values (missing values last, kept as a group)."""
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        codes, uniques = pd.factorize(_objects(values), sort=True, use_na_sentinel=False)
        return codes.astype(np.int64), _str_array(uniques)
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=False)
    return codes.astype(np.int64), uniques.array


def _explode_goals(goals: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each row once per goal it serves: ``(row positions, goal codes, goal ids sorted)``."""
    codes, sets = _goal_sets(goals)
    names = sorted({g for s in sets for g in s})
    index = {g: i for i, g in enumerate(names)}
    lengths = np.array([len(s) for s in sets], dtype=np.int64)
    table = np.full((len(sets), max(1, int(lengths.max()) if len(sets) else 1)), -1, dtype=np.int64)
    for c, s in enumerate(sets):
        table[c, :len(s)] = [index[g] for g in s]
    per_row = lengths[codes] if len(sets) else np.zeros(len(codes), dtype=np.int64)
    rows = np.repeat(np.arange(len(codes), dtype=np.int64), per_row)
    offset = np.arange(len(rows), dtype=np.int64) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return rows, table[codes[rows], offset] if len(rows) else np.zeros(0, dtype=np.int64), names


def readiness(gaps: pd.DataFrame, goals: pd.DataFrame | None = None) -> pd.DataFrame:
    """How ready each goal's population is: one row per goal, sorted by ``goal_id``.

    A person is *in scope* of a goal when at least one of their rows serves it.
    Columns: ``goal_id``; ``name`` (only when ``goals``, the goals table, is
    given; ``""`` for a goal it lacks; its goals without requirements appear
    with 0 people); ``people`` (in scope); ``fully_assessed`` (people whose
    every row for the goal has a known level); ``ready`` (fully assessed people
    with no gap in any of those rows, judged on the merged target, see the
    module docstring); ``ready_share`` (ready / fully_assessed, 0-1, NaN when
    nobody is fully assessed); ``unknown`` (people with at least one unknown
    level among those rows).
    """
    rows, goal_code, names = _explode_goals(gaps["goals"])
    known, gap, _, _ = _measures(gaps)
    person, person_ids = pd.factorize(_objects(gaps["person_id"]))
    n_people = max(len(person_ids), 1)
    pair, pairs = pd.factorize(goal_code * n_people + person.astype(np.int64)[rows])
    unknown_rows = np.bincount(pair, weights=~known[rows], minlength=len(pairs))
    short_rows = np.bincount(pair, weights=known[rows] & (gap[rows] > 0), minlength=len(pairs))
    pair_goal = np.asarray(pairs, dtype=np.int64) // n_people
    in_scope = np.bincount(pair_goal, minlength=len(names)).astype(np.int64)
    fully = np.bincount(pair_goal, weights=unknown_rows == 0, minlength=len(names)).astype(np.int64)
    ready = np.bincount(pair_goal, weights=(unknown_rows == 0) & (short_rows == 0),
                        minlength=len(names)).astype(np.int64)
    frame = pd.DataFrame({"goal_id": _str_array(names), "people": in_scope, "fully_assessed": fully,
                          "ready": ready})
    if goals is not None:
        ids, titles = _column(goals, "goal_id"), _column(goals, "name")
        title = {}
        for goal_id, name in zip(ids, titles):
            title.setdefault(goal_id, name)
        extra = sorted(set(title) - set(names) - {""})
        if extra:
            frame = pd.concat([frame, pd.DataFrame({"goal_id": _str_array(extra), "people": 0,
                                                    "fully_assessed": 0, "ready": 0})], ignore_index=True)
            frame = frame.sort_values("goal_id", kind="stable").reset_index(drop=True)
        frame.insert(1, "name", _str_array([title.get(g, "") for g in frame["goal_id"]]))
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["ready_share"] = np.where(frame["fully_assessed"] > 0,
                                        frame["ready"] / np.maximum(frame["fully_assessed"], 1), np.nan)
    frame["unknown"] = (frame["people"] - frame["fully_assessed"]).astype(np.int64)
    for column in ("people", "fully_assessed", "ready"):
        frame[column] = frame[column].astype(np.int64)
    return frame


def _join_names(items: Sequence[str]) -> str:
    return ", ".join(items)


def _reason(required: int, assessed: int, with_gap: int, depth: float, breadth: float, criticality: float,
            top_weight: float, goal_ids: Sequence[str]) -> str:
    if assessed == 0:
        parts = [f"no level is known for the {required} {'person' if required == 1 else 'people'} who need it"]
    else:
        head = (f"{with_gap} of {assessed} assessed {'person' if assessed == 1 else 'people'} ({breadth:.0%}) "
                f"{'falls' if with_gap == 1 else 'fall'} short")
        if with_gap:
            head += f", by {depth:.1f} level{'' if depth == 1 else 's'} on average"
        parts = [head]
        if assessed < required:
            parts.append(f"{required - assessed} of {required} not assessed")
    spread = f", up to {top_weight:.2f}" if f"{top_weight:.2f}" != f"{criticality:.2f}" else ""
    parts.append(f"mean weight {criticality:.2f} (importance x goal priority{spread})")
    if goal_ids:
        parts.append(f"required for goal{'s' if len(goal_ids) > 1 else ''} {_join_names(goal_ids)}")
    else:
        parts.append("required without a goal")
    return "; ".join(parts)


def prioritised_gaps(gaps: pd.DataFrame, skills: pd.DataFrame | None = None, *, top: int | None = None,
                     min_group: int = MIN_GROUP, hide: Sequence[str] = ()) -> pd.DataFrame:
    """Skills ranked by how much their gaps matter: ``score = depth x breadth x criticality``.

    One row per skill of ``gaps``: ``skill_id``; ``name`` and ``category`` from
    ``skills`` (the skills table; ``""`` when not given or missing); ``depth``
    (levels: mean gap over assessed rows with a gap; 0 when nobody assessed
    falls short; NaN when nobody is assessed); ``breadth`` (share of assessed
    rows with a gap, 0-1, NaN when none is assessed); ``criticality`` (mean
    ``weight``, importance x goal priority, over every row of the skill);
    ``people_with_gap``; ``score`` (NaN when nobody is assessed); ``rank`` (1 =
    highest score); ``reason`` (the three factors in plain English).
    Sorted by score (highest first, unknown scores last), ties by ``skill_id``;
    ``top`` keeps the first ``top`` rows.

    Privacy: a skill required of fewer than ``min_group`` people, or assessed
    for fewer than ``min_group`` (but some), is ``hidden``
    (:func:`hide_small_cells`, the heat map's rule), and so is every skill
    in ``hide`` (a filtered page's: say the skills whose cell the unfiltered
    heat map hides for the department selected): its figures and rank are
    blank (NaN, ``<NA>``), its reason says why, and it comes after every
    shown skill.
    """
    codes, skill_ids = pd.factorize(_objects(gaps["skill_id"]), sort=True)
    n = len(skill_ids)
    known, gap, _, weight = _measures(gaps)
    short = known & (gap > 0)
    required = np.bincount(codes, minlength=n).astype(np.int64)
    assessed = np.bincount(codes, weights=known, minlength=n).astype(np.int64)
    with_gap = np.bincount(codes, weights=short, minlength=n).astype(np.int64)
    short_sum = np.bincount(codes, weights=np.where(short, gap, 0.0), minlength=n)
    weight_sum = np.bincount(codes, weights=weight, minlength=n)
    top_weight = np.full(n, -np.inf)
    np.maximum.at(top_weight, codes, weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        depth = np.where(assessed > 0, np.where(with_gap > 0, short_sum / np.maximum(with_gap, 1), 0.0), np.nan)
        breadth = np.where(assessed > 0, with_gap / np.maximum(assessed, 1), np.nan)
        criticality = weight_sum / np.maximum(required, 1)
    hidden = hide_small_cells(pd.DataFrame({"people": required, "assessed": assessed}), [], min_group=min_group,
                              complementary=False)["hidden"].to_numpy(dtype=bool)
    hidden = hidden | np.isin(np.asarray(skill_ids, dtype=object), list(hide))
    depth[hidden] = breadth[hidden] = criticality[hidden] = np.nan
    score = depth * breadth * criticality

    goal_codes, sets = _goal_sets(gaps["goals"])
    skill_goals: list[set[str]] = [set() for _ in range(n)]
    if n:
        pairs = pd.unique(codes.astype(np.int64) * max(len(sets), 1) + goal_codes)
        for pair in pairs:
            skill_goals[int(pair) // max(len(sets), 1)].update(sets[int(pair) % max(len(sets), 1)])

    order = np.lexsort((np.arange(n), -np.nan_to_num(score, nan=0.0), np.isnan(score), hidden))
    name = category = [""] * n
    if skills is not None:
        ids = _column(skills, "skill_id")
        first = ~pd.Series(ids, dtype=object).duplicated().to_numpy()
        names = dict(zip(ids[first], _column(skills, "name")[first]))
        categories = dict(zip(ids[first], _column(skills, "category")[first]))
        name = [names.get(s, "") for s in skill_ids]
        category = [categories.get(s, "") for s in skill_ids]
    reasons = [f"hidden: fewer than {min_group} people (or assessed), or it would reveal one" if hidden[i]
               else _reason(int(required[i]), int(assessed[i]), int(with_gap[i]), depth[i], breadth[i],
                            criticality[i], top_weight[i], sorted(skill_goals[i])) for i in range(n)]
    ranks = np.zeros(n, dtype=np.int64)
    ranks[~hidden[order]] = np.arange(1, int((~hidden).sum()) + 1)
    frame = pd.DataFrame({
        "skill_id": _str_array(np.asarray(skill_ids, dtype=object)[order]),
        "name": _str_array(np.asarray(name, dtype=object)[order]),
        "category": _str_array(np.asarray(category, dtype=object)[order]),
        "depth": depth[order],
        "breadth": breadth[order],
        "criticality": criticality[order],
        "people_with_gap": _ints(with_gap[order], hidden[order]),
        "score": score[order],
        "rank": _ints(ranks, hidden[order]),
        "reason": _str_array(np.asarray(reasons, dtype=object)[order]),
        "hidden": hidden[order],
    })
    return frame.head(top).reset_index(drop=True) if top is not None else frame


def gap_profile(gaps: pd.DataFrame, person_id: str) -> pd.DataFrame:
    """One person's rows of ``gaps``, largest ``weighted_gap`` first, unknown levels last, ties by ``skill_id``."""
    rows = gaps[gaps["person_id"] == person_id]
    return rows.sort_values(["weighted_gap", "skill_id"], ascending=[False, True], na_position="last",
                            kind="stable").reset_index(drop=True)
