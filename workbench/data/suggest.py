"""Proposing a mapping for an HR export: which of its columns is which contract column.

:func:`suggest_mapping` looks at a file as read (:class:`~workbench.data.reading.RawTable`) and
proposes, for every column of a table's contract, the file's column that holds it (or a
constant, or nothing), with the reason and a confidence between 0 and 1, and how its values
become the contract's (a date format, a map of values, a list separator, a look-up of people).
The proposal is a :class:`~workbench.data.reading.Mapping`, so the point-and-click import on the
Start page, the command line (``workbench import ... --suggest-mapping OUT.yaml``) and a
hand-written YAML mapping all end in the same place: :func:`~workbench.data.reading.apply_mapping`.

Evidence, strongest first: the mapping saved last time for the same table (the next export of the
same system), a header that is a usual name for the column in HR systems (:data:`SYNONYMS`), a
header close to one of those names (fuzzy, :mod:`difflib`) or a form question mentioning it
(:data:`~workbench.data.headers.QUESTION_WORDS`), and the values' shapes: dates, ids found among the
workspace's people (a column whose ids repeat and are all found in the file's id column is the
manager), e-mail addresses and names of people (found in ``people.csv``), levels (``L3``,
``Grade 5``, a ladder of words), sign-up roles, capacities, multi-choice answers naming skills.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping as TypingMapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import pandas as pd
import yaml

from workbench.data.headers import SYNONYMS, header_key, question_word
from workbench.data.reading import MAPPING_KEYS, Mapping, RawTable, person_key
from workbench.data.tables import LIST_SEPARATOR, TABLES, ColumnSpec

__all__ = ["ColumnChoice", "Suggestion", "mapping_with", "mapping_yaml", "role_of", "suggest_mapping"]

_FUZZY_CUTOFF = 0.8
#: Weakest evidence that makes a suggestion (0-1); weaker pairs are not proposed.
MIN_CONFIDENCE = 0.3
#: Distinct values of a column looked at (the most frequent first): enough to recognise a shape.
_SAMPLE_VALUES = 2000
#: Most different answers a multi-choice question is taken to have (more: free text, not a list of skills).
_MAX_CHOICES = 300
#: Contract columns holding a person id of people.csv.
_PERSON_COLUMNS = ("person_id", "manager_id", "mentee_id", "mentor_id", "ranks_person_id")


@dataclass(frozen=True)
class ColumnChoice:
    """What the suggestion does for one contract ``column``.

    ``source`` is the file's column that holds it, or ``None``; ``default`` the constant every row gets when
    there is no source (``None`` for none); ``reason`` says why in a sentence; ``confidence`` is between 0
    (a guess) and 1 (certain); ``required`` repeats the contract. How the source's values become the
    contract's: ``values`` maps file values to contract values, ``date_format`` is the ``strptime`` format of
    its dates, ``separator`` splits its multi-choice answers into items, ``lookup`` names the column of
    people.csv (``email``, ``name``) its values find a person by.
    """

    column: str
    source: str | None
    default: str | None
    reason: str
    confidence: float
    required: bool
    values: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    separator: str | None = None
    lookup: str | None = None


@dataclass(frozen=True)
class Suggestion:
    """A proposed mapping of a file onto the contract of ``table``.

    ``mapping`` applies it; ``choices`` has one :class:`ColumnChoice` per contract column, in contract order;
    ``unused`` are the file's columns no contract column takes (kept as extra columns when imported);
    ``missing`` are required contract columns with neither a source nor a constant: the import will be
    refused until they get one. ``options`` holds, per (contract column, file column) with evidence in the
    values, the choice that pair would be: what :func:`mapping_with` takes when a column is chosen by hand.
    """

    table: str
    mapping: Mapping
    choices: tuple[ColumnChoice, ...]
    unused: tuple[str, ...]
    options: dict[tuple[str, str], ColumnChoice] = field(default_factory=dict, compare=False, repr=False)

    @property
    def missing(self) -> tuple[str, ...]:
        """Required contract columns with no source and no constant."""
        return tuple(c.column for c in self.choices if c.required and c.source is None and c.default is None)


# --------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------


def _candidates(column: str) -> tuple[str, ...]:
    return (header_key(column), *(header_key(s) for s in SYNONYMS.get(column, ())))


def _score(header: str, column: str) -> tuple[float, str]:
    """How well the file's ``header`` names contract ``column`` (0-1) and why."""
    key = header_key(header)
    if not key:
        return 0.0, ""
    names = _candidates(column)
    if key == names[0]:
        return 1.0, f"the header '{header}' is the column's own name"
    if key in names[1:]:
        return 0.9, f"the header '{header}' is a usual name for {column} in HR exports"
    best = max(names, key=lambda n: difflib.SequenceMatcher(None, key, n).ratio())
    ratio = difflib.SequenceMatcher(None, key, best).ratio()
    if ratio >= _FUZZY_CUTOFF:
        return round(0.8 * ratio, 2), f"the header '{header}' is close to '{best}'"
    word = question_word(header, column)
    if word is not None:
        return 0.6, f"the question '{header}' mentions '{word}'"
    return 0.0, ""


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    """What a column's values say about one contract column: how strongly alone (0-1), why, the transform, and the
    most confidence the choice may have whatever the header says (below 1 when the transform needs checking)."""

    score: float
    reason: str
    values: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    separator: str | None = None
    lookup: str | None = None
    cap: float = 1.0


@dataclass(frozen=True)
class _Column:
    """A file column's values: the distinct non-blank ones (most frequent first, at most :data:`_SAMPLE_VALUES`),
    how many cells are filled, whether every filled cell is different, and the set of all its values."""

    header: str
    distinct: tuple[str, ...]
    filled: int
    rows: int
    unique: bool
    every: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @classmethod
    def of(cls, header: str, s: pd.Series) -> "_Column":
        filled = s[s.ne("")]  # a RawTable's cells are stripped text already
        counts = filled.value_counts(sort=True)
        values = counts.index.to_numpy(dtype=object).tolist()
        return cls(header, tuple(values[:_SAMPLE_VALUES]), len(filled), len(s), len(counts) == len(filled),
                   frozenset(values))

    @property
    def fill(self) -> float:
        """Share of the rows with a value (0-1)."""
        return self.filled / self.rows if self.rows else 0.0

    def example(self, n: int = 2) -> str:
        return ", ".join(f"'{v[:40]}'" for v in self.distinct[:n])

    @cached_property
    def dates(self) -> tuple[str, str, bool] | None:
        """The date format of the values and a note on it (:func:`_dates`), worked out once."""
        return _dates(self)

    @cached_property
    def items(self) -> tuple[str | None, tuple[str, ...]]:
        """The separator of the values as multi-choice answers (or ``None``) and the distinct items."""
        sep = _separator(self)
        return sep, tuple(sorted({p.strip() for v in self.distinct for p in (v.split(sep) if sep else [v])
                                  if p.strip()}))


#: Date formats tried on a column, the unambiguous and most usual first; ISO dates need no format.
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%d/%m/%y", "%m/%d/%y",
                 "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%y",
                 "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S",
                 "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M:%S", "%d.%m.%Y %H:%M:%S")
#: Formats that read the same text with day and month swapped.
_SWAPPED = {"%d/%m/%Y": "%m/%d/%Y", "%d/%m/%y": "%m/%d/%y", "%d/%m/%Y %H:%M:%S": "%m/%d/%Y %H:%M:%S",
            "%d/%m/%Y %H:%M": "%m/%d/%Y %H:%M"}
_DATE_SHAPE = re.compile(r"^[0-9]{1,4}[-/. ][0-9A-Za-z]{1,9}[-/., ]+[0-9]{2,4}( [0-9:]+( ?[AaPp][Mm])?)?$")


def _format_label(fmt: str) -> str:
    """A ``strptime`` format as people write it (``"%d/%m/%Y"`` -> ``"dd/mm/yyyy"``)."""
    for code, label in (("%d", "dd"), ("%m", "mm"), ("%Y", "yyyy"), ("%y", "yy"), ("%b", "Mon"), ("%B", "Month"),
                        ("%H", "hh"), ("%M", "mm"), ("%S", "ss")):
        fmt = fmt.replace(code, label)
    return fmt


def _dates(col: _Column) -> tuple[str, str, bool] | None:
    """The date format all (or 95% of) the column's values are in, a note on it and whether it needs checking
    (day and month could be either way round, or some values are not dates), or ``None``."""
    values = [v for v in col.distinct if _DATE_SHAPE.match(v)]
    if not values or len(values) < 0.95 * len(col.distinct):
        return None
    sample = pd.Series(values, dtype=str)
    best = None
    for fmt in _DATE_FORMATS:
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce")
        ok = parsed.notna() & parsed.dt.year.between(1900, 2100)
        share = ok.mean()
        if share == 1.0:
            best = (fmt, 1.0)
            break
        if share >= 0.95 and (best is None or share > best[1]):
            best = (fmt, share)
    if best is None:
        return None
    fmt, share = best
    note, doubt = f"its values are dates ({_format_label(fmt)})", share < 1.0
    if fmt in _SWAPPED:
        swapped = pd.to_datetime(sample, format=_SWAPPED[fmt], errors="coerce")
        if swapped.notna().all():
            note, doubt = (note + f"; every one also reads as {_format_label(_SWAPPED[fmt])}: choose the column's date "
                           "style, or each such date is listed when importing"), True
    if share < 1.0:
        note += f"; {round((1 - share) * len(values))} value(s) are written another way, read row by row"
    return fmt, note, doubt


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ID_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")


def _share(values, known: set[str]) -> tuple[int, int]:
    """How many of ``values`` are in ``known``, and how many there are."""
    values = list(values)
    return sum(v in known for v in values), len(values)


#: Grades with a number: ``L3``, ``Level 3``, ``G5``, ``Grade 5``, ``Band 4``, ``P3``, ``M2``, ``5``.
_GRADE = re.compile(r"^(?:l|lvl|level|g|gr|grade|b|band|job level|pay grade|p|m|e|ic|t|s|step)?\s*[-_.]?\s*"
                    r"([0-9]{1,2})$")
#: Career ladders in words, most junior first: words of one rung share a number.
_LADDER: tuple[tuple[str, ...], ...] = (
    ("intern", "apprentice", "trainee", "placement"),
    ("graduate", "entry", "entry level", "junior", "jr", "assistant"),
    ("associate", "analyst"),
    ("mid", "mid level", "intermediate", "professional", "experienced", "specialist"),
    ("senior", "sr", "senior professional", "senior specialist"),
    ("lead", "staff", "team lead", "team leader", "supervisor"),
    ("principal", "expert", "manager"),
    ("senior manager", "head", "head of"),
    ("director", "senior principal", "distinguished"),
    ("senior director", "vice president", "vp", "fellow"),
    ("senior vice president", "svp", "executive", "c level", "chief", "executive vice president", "evp"),
)
_RUNG = {word: rung for rung, words in enumerate(_LADDER) for word in words}


def _levels(col: _Column) -> _Evidence | None:
    """Job levels in the column's values: numbered grades, or a ladder of words."""
    keys = {v: header_key(v) for v in col.distinct}
    numbers = {v: _GRADE.match(k) for v, k in keys.items()}
    if all(numbers.values()) and len(col.distinct) <= 30:
        found = {v: int(m.group(1)) for v, m in numbers.items()}
        shift = 1 - min(found.values()) if min(found.values()) < 1 else 0
        vmap = {v: str(n + shift) for v, n in sorted(found.items(), key=lambda p: (p[1], p[0])) if str(n + shift) != v}
        low, high = min(found.values()) + shift, max(found.values()) + shift
        if not vmap:
            return _Evidence(0.3 if high <= 20 else 0.0, f"its values are whole numbers from {low} to {high}")
        reason = (f"its values are grades such as {col.example()}: the number is taken as the level ({low}-{high})"
                  + (f", plus {shift} so that the lowest is 1" if shift else ""))
        return _Evidence(0.6, reason, values=vmap)
    rungs = {v: _RUNG.get(k) for v, k in keys.items()}
    known = [v for v, r in rungs.items() if r is not None]
    if len(known) >= 2 and len(known) >= 0.8 * len(rungs):
        order = sorted({rungs[v] for v in known})
        vmap = {v: str(order.index(rungs[v]) + 1) for v in sorted(known, key=lambda v: (rungs[v], v))}
        ladder = " < ".join(sorted(known, key=lambda v: (rungs[v], v)))
        others = [v for v in rungs if rungs[v] is None]
        reason = (f"its values look like a career ladder ({ladder}): proposed as levels "
                  + ", ".join(f"{v}={n}" for v, n in vmap.items())
                  + "; check the order and the numbers against the organisation's grades"
                  + (f" and map {', '.join(repr(o) for o in others[:5])} by hand" if others else ""))
        return _Evidence(0.45, reason, values=vmap, cap=0.6)
    return None


def role_of(answer: str) -> str | None:
    """The enrolment role a sign-up answer means (``"I want a mentor"`` -> ``"mentee"``), or ``None``."""
    key = header_key(answer)
    mentee = re.search(r"\bmentee|\bmentored\b|\b(want|find|get|need|have|looking for|like) (a )?mentor\b|"
                       r"\breceive mentoring|\bbeing mentored|\blearn from", key)
    mentor = re.search(r"\bmentor\b(?! ?(and|or) )|\bmentor others|\bmentoring others|\bgive mentoring|\bbe a mentor|"
                       r"\boffer mentoring|\bmentor\b$", key)
    if re.search(r"\bboth\b|\beither\b", key) or (mentee and re.search(r"\bmentor\b(?!ed)", key)
                                                  and re.search(r"\band\b|\bor\b", key) and "mentee" in key):
        return "both"
    if mentee:
        return "mentee"
    if mentor or key in ("mentor", "mentoring"):
        return "mentor"
    return None


def _roles(col: _Column, choices: tuple[str, ...]) -> _Evidence | None:
    """Sign-up roles in the column's values (``Mentee``, ``I want a mentor``, ``Both``) mapped onto ``choices``."""
    found = {v: role_of(v) for v in col.distinct}
    known = {v: r for v, r in found.items() if r in choices}
    if not known or len(known) < 0.8 * len(found):
        return None
    vmap = {v: r for v, r in known.items() if v != r}
    others = [v for v in found if v not in known]
    reason = ("its answers are roles: " + ", ".join(f"'{v}' = {r}" for v, r in known.items())
              + (f"; map {', '.join(repr(o) for o in others[:5])} by hand" if others else ""))
    return _Evidence(0.75, reason, values=vmap)


_NUMBER_WORDS = {"none": 0, "zero": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a single": 1, "a couple": 2}


def _capacities(col: _Column) -> _Evidence | None:
    """Capacities in the column's answers (``"2"``, ``"Up to 3 mentees"``, ``"1-2"``, ``"None"``): the largest
    number named is the capacity."""
    vmap, unread = {}, []
    for v in col.distinct:
        numbers = [int(n) for n in re.findall(r"[0-9]+", v)]
        words = [n for w, n in _NUMBER_WORDS.items() if re.search(rf"\b{w}\b", v.lower())]
        if numbers or words:
            vmap[v] = str(max(numbers or words))
        elif header_key(v) in ("n a", "na", "not applicable"):
            vmap[v] = ""
        else:
            unread.append(v)
    if not vmap or unread and len(unread) > 0.2 * len(col.distinct) or max(int(n or 0) for n in vmap.values()) > 50:
        return None
    worded = [v for v in vmap if vmap[v] != v]
    reason = ("its answers are numbers" if not worded else
              "the number in each answer is taken: " + ", ".join(f"'{v}' = {vmap[v] or 'blank'}" for v in worded[:4])
              + (", ..." if len(worded) > 4 else ""))
    score = 0.5 if any("mentee" in v.lower() for v in col.distinct) else 0.25
    return _Evidence(score, reason, values={v: n for v, n in vmap.items() if n != v})


def _separator(col: _Column) -> str | None:
    """The separator of a multi-choice column: ``;`` (Microsoft Forms) or ``,`` (Google Forms), or ``None``."""
    for sep in (";", ","):
        if sum(sep in v for v in col.distinct) >= max(1, 0.1 * len(col.distinct)):
            return sep
    return None


class _Skills:
    """The workspace's skills, found from the answers of a form (ids, names, close names)."""

    def __init__(self, skills: pd.DataFrame) -> None:
        self.by_key: dict[str, str] = {}
        for sid, name in zip(skills["skill_id"].astype(str), skills.get("name", skills["skill_id"]).astype(str)):
            self.by_key.setdefault(header_key(sid), sid)
            self.by_key.setdefault(header_key(name), sid)
        self.found: dict[str, tuple[str, bool] | None] = {}
        self.names = dict(zip(skills["skill_id"].astype(str), skills.get("name", skills["skill_id"]).astype(str)))

    def find(self, item: str) -> tuple[str, bool] | None:
        """The skill id ``item`` names and whether it was a close match rather than the name itself."""
        if item not in self.found:
            self.found[item] = self._find(item)
        return self.found[item]

    def _find(self, item: str) -> tuple[str, bool] | None:
        key = header_key(item)
        if key in self.by_key:
            return self.by_key[key], False
        close = difflib.get_close_matches(key, list(self.by_key), n=1, cutoff=_FUZZY_CUTOFF)
        if close:
            return self.by_key[close[0]], True
        inside = [k for k in self.by_key if len(k) > 3 and re.search(rf"\b{re.escape(k)}\b", key)]
        if len(inside) == 1 or len({self.by_key[k] for k in inside}) == 1:
            return self.by_key[inside[0]], True
        return None


def _skill_lists(col: _Column, skills: _Skills | None) -> _Evidence | None:
    """Multi-choice answers naming skills (``"Public speaking, Negotiation"``): the separator and a map of each
    answer onto a skill id of skills.csv."""
    sep, items = col.items
    if not items or len(items) > _MAX_CHOICES:
        return None
    if skills is None:
        if sep is None:
            return None
        return _Evidence(0.3, f"its answers are lists ({col.example(1)}); the workspace needs skills.csv to turn "
                              "them into skill ids", separator=sep)
    found = {item: skills.find(item) for item in items}
    known = {item: f for item, f in found.items() if f is not None}
    if len(known) < 0.5 * len(items):
        return None
    vmap = {item: sid for item, (sid, _) in known.items() if item != sid}
    close = [f"'{item}' as {skills.names[sid]}" for item, (sid, fuzzy) in known.items() if fuzzy]
    others = [item for item in items if item not in known]
    reason = (f"{len(known)} of its {len(items)} answers name skills of skills.csv"
              + (f" (taken by a close name: {', '.join(close[:4])}{', ...' if len(close) > 4 else ''}; check them)"
                 if close else "")
              + (f"; {', '.join(repr(o) for o in others[:4])} name no skill: map them by hand or they will be "
                 "reported" if others else ""))
    return _Evidence(0.5 if sep else 0.35, reason, values=vmap, separator=sep or LIST_SEPARATOR,
                     cap=0.7 if close or others else 1.0)


class _Context:
    """What the evidence from values needs besides the column: the file's columns and the workspace's tables."""

    def __init__(self, table: str, columns: dict[str, _Column], existing: TypingMapping[str, pd.DataFrame]) -> None:
        self.table = table
        self.columns = columns
        self.existing = existing
        people = existing.get("people")
        self.person_ids = set(people["person_id"].astype(str)) if people is not None and "person_id" in people else None
        self.people_by = {by: set(people[by].astype(str).map(lambda v, by=by: person_key(v, by))) - {""}
                          for by in ("email", "name") if people is not None and by in people}
        skills = existing.get("skills")
        self.skills = _Skills(skills) if skills is not None and "skill_id" in skills else None
        enrolment = existing.get("enrolment")
        self.roles = (dict(zip(enrolment["person_id"].astype(str), enrolment["role"].astype(str)))
                      if enrolment is not None and {"person_id", "role"} <= set(enrolment) else {})
        self.id_columns = [h for h, c in columns.items() if c.unique and c.fill == 1.0 and c.distinct
                           and all(_ID_SHAPE.match(v) and not _EMAIL.match(v) for v in c.distinct)
                           and any(ch.isdigit() for ch in c.distinct[0]) and c.dates is None]


def _person_evidence(col: _Column, column: str, ctx: _Context) -> _Evidence | None:
    """Ids of people (found in people.csv, or the file's own ids), e-mails and names of people."""
    if not col.distinct:
        return None
    if ctx.table == "people" and column == "manager_id":
        for other in ctx.id_columns:
            known, n = _share(col.distinct, ctx.columns[other].every)
            if other != col.header and known == n and not col.unique:
                return _Evidence(0.65, f"its values repeat and are all ids found in '{other}': each person's manager")
        return None
    if ctx.table == "people" and column == "person_id":
        if col.header in ctx.id_columns:
            return _Evidence(0.5, f"its values are ids, one per row ({col.example()})")
        return None
    if ctx.person_ids is not None and all(_ID_SHAPE.match(v) for v in col.distinct[:50]):
        known, n = _share(col.distinct, ctx.person_ids)
        if known >= 0.8 * n:
            score, reason = 0.6, f"{known} of its {n} ids are person ids of people.csv"
            if column in ("mentee_id", "mentor_id") and ctx.roles:
                wanted = ("mentee", "both") if column == "mentee_id" else ("mentor", "both")
                fits, _ = _share((ctx.roles.get(v) for v in col.distinct), set(wanted))
                if fits < 0.8 * n:
                    return None
                reason += f", enrolled as {column[:-3]}s"
                score = 0.65
            return _Evidence(score, reason)
    if ctx.table == "people":
        return None
    for by, shape in (("email", _EMAIL), ("name", None)):
        if shape is not None and not all(shape.match(v) for v in col.distinct):
            continue
        if by == "name" and not (re.search(r"\bname\b", header_key(col.header))
                                 and any(" " in v for v in col.distinct)):
            continue
        known = ctx.people_by.get(by)
        if known is None:
            if by == "email":
                return _Evidence(0.45, f"its values are e-mail addresses: {column} is found from them in people.csv "
                                       "(import people first)", lookup=by)
            continue
        found, n = _share((person_key(v, by) for v in col.distinct), known)
        if found >= 0.5 * n:
            return _Evidence(0.7 if by == "email" else 0.5,
                             f"{found} of its {n} values are {'e-mail addresses' if by == 'email' else 'names'} of "
                             f"people in people.csv: {column} is found from them", lookup=by)
    return None


def _evidence(col: _Column, spec: ColumnSpec, ctx: _Context) -> _Evidence | None:
    """What the values of file column ``col`` say about contract column ``spec`` (``None``: nothing)."""
    if not col.distinct:
        return None
    name = spec.name
    if spec.kind == "date":
        if col.dates is None:
            return None
        fmt, note, doubt = col.dates
        score = 0.5
        if name == "exit_date":  # most people have not left: a column of leaving dates is mostly blank
            score, note = (0.55, note + ", mostly blank as leaving dates are") if col.fill < 0.5 else (0.2, note)
        elif name == "hire_date":  # everyone was hired
            score = 0.55 if col.fill >= 0.9 else 0.2
        # in doubt, no format: the reading finds the column's style, reads mixed styles row by row and lists each
        # date that reads two ways (03/04/05) unless the column's other dates or a style chosen by hand decide
        return _Evidence(score, note, date_format=None if fmt == "%Y-%m-%d" or doubt else fmt,
                         cap=0.6 if doubt else 1.0)
    if name in _PERSON_COLUMNS:
        return _person_evidence(col, name, ctx)
    if name == "email":
        if not all(_EMAIL.match(v) for v in col.distinct):
            return None
        known = ctx.people_by.get("email")
        if known:
            found, n = _share((person_key(v, "email") for v in col.distinct), known)
            if found >= 0.5 * n:
                return _Evidence(0.7, f"{found} of its {n} values are e-mail addresses of people in people.csv")
        return _Evidence(0.6, "its values are e-mail addresses")
    if name == "level" and ctx.table == "people":
        return _levels(col)
    if name == "role" and spec.choices:
        return _roles(col, spec.choices)
    if name == "capacity":
        return _capacities(col)
    if name in ("wants", "offers"):
        return _skill_lists(col, ctx.skills)
    if spec.kind == "enum" and spec.choices:
        known, n = _share(col.distinct, set(spec.choices))
        return _Evidence(0.6, f"its values are {', '.join(spec.choices)}") if known == n else None
    if spec.kind in ("text", "id"):
        table = ctx.existing.get(ctx.table)
        if table is not None and name in table:
            before = set(table[name].astype(str)) - {""}
            known, n = _share(col.distinct, before)
            if before and known >= 0.5 * n and len(before) < 0.9 * len(table):
                return _Evidence(0.55, f"{known} of its {n} values are values of {name} in the workspace's "
                                       f"{ctx.table}.csv ({col.example()})")
    return None


def _contradiction(col: _Column, spec: ColumnSpec, evidence: _Evidence | None, ctx: _Context) -> str | None:
    """Why the values of ``col`` cannot be contract column ``spec`` as they are, or ``None``."""
    if not col.distinct or evidence is not None:
        return None
    if spec.name in _PERSON_COLUMNS and ctx.table != "people" and ctx.person_ids is not None:
        known, n = _share(col.distinct, ctx.person_ids)
        if known < 0.5 * n:
            return f"only {known} of its {n} values are person ids of people.csv (e.g. {col.example(1)})"
    if spec.kind == "date":
        return f"its values are not dates the workbench knows (e.g. {col.example(1)})"
    if spec.kind in ("int", "number") and not all(re.fullmatch(r"[+-]?[0-9]*\.?[0-9]+", v) for v in col.distinct):
        return f"its values are not numbers (e.g. {col.example(1)}): map them by hand"
    return None


def _pair(col: _Column, spec: ColumnSpec, ctx: _Context) -> ColumnChoice | None:
    """The choice of file column ``col`` for contract column ``spec``, headers and values together, or ``None``."""
    score, reason = _score(col.header, spec.name)
    evidence = _evidence(col, spec, ctx)
    if evidence is not None and score > 0:
        score, reason = min(1.0, max(score, evidence.score) + 0.05), f"{reason}, and {evidence.reason}"
    elif evidence is not None:
        score, reason = evidence.score, evidence.reason
    elif score > 0 and (problem := _contradiction(col, spec, evidence, ctx)):
        score, reason = round(score * 0.6, 2), f"{reason}, but {problem}"
    if evidence is not None:
        score = min(score, evidence.cap)
    if score < MIN_CONFIDENCE:
        return None
    reason = reason[0].upper() + reason[1:]
    transform = evidence or _Evidence(0.0, "")
    return ColumnChoice(spec.name, col.header, None, reason, round(score, 2), spec.required,
                        values=dict(transform.values), date_format=transform.date_format,
                        separator=transform.separator, lookup=transform.lookup)


# --------------------------------------------------------------------------
# The suggestion
# --------------------------------------------------------------------------


def _previous_choice(previous: Mapping, source: str, spec: ColumnSpec,
                     detected: ColumnChoice | None) -> ColumnChoice:
    """The choice the saved mapping made for ``spec``, its translations first and newly seen values added."""
    column = spec.name
    values = {**(detected.values if detected else {}), **previous.values.get(column, {})}
    return ColumnChoice(column, source, None, f"'{source}' was mapped to {column} last time", 1.0, spec.required,
                        values=values,
                        date_format=previous.dates.get(column, detected.date_format if detected else None),
                        separator=previous.lists.get(column, detected.separator if detected else None),
                        lookup=previous.lookup.get(column, detected.lookup if detected else None))


def _cohort_from_dates(columns: dict[str, _Column]) -> tuple[str, str] | None:
    """The year of the latest answer of a form's timestamp column, and the column: a cohort to start from."""
    for header, col in columns.items():
        if col.dates is not None:
            years = pd.to_datetime(pd.Series(col.distinct), format=col.dates[0], errors="coerce").dt.year.dropna()
            if len(years):
                return str(int(years.max())), header
    return None


def suggest_mapping(raw: RawTable, table: str, *, previous: Mapping | None = None,
                    existing: TypingMapping[str, pd.DataFrame] | None = None) -> Suggestion:
    """Propose how the file read as ``raw`` maps onto the contract of ``table``.

    ``previous`` is the mapping saved with the workspace for this table: its choices are kept for the file's
    columns that still exist (the next export of the same system maps as the last one did), its value maps
    extended with values seen for the first time. ``existing`` are the workspace's tables as read (text): with
    them the values say more (ids of people.csv, e-mails and names of people, skills named in a sign-up form).
    Every other contract column takes the unused file column whose header and values name it best, the
    strongest pairs first (:data:`MIN_CONFIDENCE` at least). A required column that may be blank and has no
    source gets the constant ``""``. ``ValueError`` for an unknown table.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    spec = TABLES[table]
    existing = existing or {}
    headers = raw.columns
    frame = raw.frame
    columns = {h: _Column.of(h, frame.iloc[:, i]) for i, h in enumerate(headers) if h not in headers[:i]}
    ctx = _Context(table, columns, existing)
    options = {(col.name, h): choice for col in spec.columns for h, c in columns.items()
               if (choice := _pair(c, col, ctx)) is not None}
    taken: dict[str, ColumnChoice] = {}
    used: set[str] = set()
    defaults: dict[str, str] = {}
    if previous is not None:
        for source, column in previous.columns.items():
            if source in columns and column in spec.column_names and column not in taken:
                taken[column] = _previous_choice(previous, source, spec.column(column), options.get((column, source)))
                used.add(source)
        defaults = {c: v for c, v in previous.defaults.items() if c in spec.column_names and c not in taken}
    for choice in sorted(options.values(), key=lambda c: (-c.confidence, headers.index(c.source))):
        if choice.column not in taken and choice.source not in used:
            taken[choice.column] = choice
            used.add(choice.source)
    cohort = _cohort_from_dates(columns) if table == "enrolment" and "cohort" not in taken else None
    choices = []
    for col in spec.columns:
        if col.name in taken:
            choices.append(taken[col.name])
        elif col.name in defaults:
            choices.append(ColumnChoice(col.name, None, defaults[col.name], "The constant given last time", 1.0,
                                        col.required))
        elif col.name == "cohort" and cohort is not None:
            choices.append(ColumnChoice(col.name, None, cohort[0],
                                        f"A constant: the year of the latest answer in '{cohort[1]}'; give the "
                                        "cohort's own name if it has one", 0.4, col.required))
        elif col.required and col.blank_ok:
            choices.append(ColumnChoice(col.name, None, "", "No column of the file holds it: left blank in every "
                                                            "row, which the contract allows", 0.5, col.required))
        else:
            reason = "No column of the file looks like it" + ("" if col.required else " (optional)")
            choices.append(ColumnChoice(col.name, None, None, reason, 0.0, col.required))
    return _suggestion(table, choices, headers, previous.strict_values if previous is not None else False, options)


def _suggestion(table: str, choices: list[ColumnChoice], headers: list[str], strict: bool,
                options: dict[tuple[str, str], ColumnChoice]) -> Suggestion:
    sourced = [c for c in choices if c.source is not None]
    columns = {c.source: c.column for c in sourced}
    names = set(TABLES[table].column_names)
    for header in headers:
        if header not in columns and header in names and header in columns.values():
            # the file has a column named like a contract column another of its columns holds: kept aside
            # under another name, or the rename onto that name would be refused
            aside = next(f"{header} ({n})" if n else f"{header} (in file)" for n in range(0, 1000)
                         if (f"{header} ({n})" if n else f"{header} (in file)") not in headers)
            columns[header] = aside
    mapping = Mapping(
        file="suggested mapping", table=table, columns=columns,
        values={c.column: dict(c.values) for c in sourced if c.values},
        dates={c.column: c.date_format for c in sourced if c.date_format},
        defaults={c.column: c.default for c in choices if c.source is None and c.default is not None},
        strict_values=strict,
        lists={c.column: c.separator for c in sourced if c.separator},
        lookup={c.column: c.lookup for c in sourced if c.lookup})
    used = {c.source for c in choices}
    return Suggestion(table, mapping, tuple(choices), tuple(h for h in headers if h not in used), options)


def mapping_with(suggestion: Suggestion, column: str, *, source: str | None = None,
                 default: str | None = None) -> Suggestion:
    """``suggestion`` with contract ``column`` taken from the file's column ``source``, or the constant
    ``default``, or neither (both ``None``): what a dropdown on the import screen does. A source another
    column had is taken from it. The translations the values of ``source`` call for (dates, levels, roles,
    people looked up...) come with it. ``KeyError`` for a column not in the contract."""
    names = [c.column for c in suggestion.choices]
    if column not in names:
        raise KeyError(column)
    choices = []
    for choice in suggestion.choices:
        if choice.column == column:
            reason = ("Chosen by hand" if source is not None or default is not None else "Left out by hand")
            found = suggestion.options.get((column, source)) if source is not None else None
            choice = replace(found or choice, source=source, default=None if source is not None else default,
                             reason=reason, confidence=1.0)
            if found is None:
                choice = replace(choice, values={}, date_format=None, separator=None, lookup=None)
        elif source is not None and choice.source == source:
            choice = replace(choice, source=None, reason=f"'{source}' was given to {column}", confidence=0.0,
                             values={}, date_format=None, separator=None, lookup=None)
        choices.append(choice)
    headers = [c.source for c in suggestion.choices if c.source is not None] + list(suggestion.unused)
    return _suggestion(suggestion.table, choices, headers, suggestion.mapping.strict_values, suggestion.options)


class _MappingDumper(yaml.SafeDumper):
    """YAML writer of mapping files: text holding a Unicode line break (NEL, LS, PS) is written double-quoted,
    with the break escaped (PyYAML writes it raw in a single-quoted scalar, which reads back as a space)."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(c in text for c in "\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_MappingDumper.add_representer(str, _text)


def mapping_yaml(mapping: Mapping) -> str:
    """``mapping`` as the YAML text of a mapping file (:func:`~workbench.data.reading.load_mapping` reads it
    back to an equal mapping; every value is quoted text, so ``01`` and ``Yes`` keep their spelling)."""
    data = {"table": mapping.table, "columns": mapping.columns, "values": mapping.values, "dates": mapping.dates,
            "defaults": mapping.defaults, "strict_values": "true" if mapping.strict_values else "false",
            "lists": mapping.lists, "lookup": mapping.lookup,
            "header_row": None if mapping.header_row is None else str(mapping.header_row), "decimal": mapping.decimal}
    data = {k: v for k, v in data.items() if k in MAPPING_KEYS and v not in (None, {}, "false")}
    return yaml.dump(data, Dumper=_MappingDumper, sort_keys=False, allow_unicode=True)
