"""Proposing a mapping for an HR export: which of its columns is which contract column.

:func:`suggest_mapping` looks at a file as read (:class:`~workbench.data.reading.RawTable`) and
proposes, for every column of a table's contract, the file's column that holds it (or a
constant, or nothing), with the reason and a confidence between 0 and 1. The proposal is a
:class:`~workbench.data.reading.Mapping`, so the point-and-click import on the Start page, the
command line (``workbench import ... --suggest-mapping OUT.yaml``) and a hand-written YAML
mapping all end in the same place: :func:`~workbench.data.reading.apply_mapping`.

Evidence, strongest first: the mapping saved last time for the same table (the next export of the
same system), a header that is a usual name for the column in HR systems (:data:`SYNONYMS`), a
header close to one of those names (fuzzy, :mod:`difflib`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

import yaml

from workbench.data.contracts import TABLES
from workbench.data.headers import SYNONYMS, header_key
from workbench.data.reading import MAPPING_KEYS, Mapping, RawTable

__all__ = ["ColumnChoice", "Suggestion", "mapping_with", "mapping_yaml", "suggest_mapping"]

_FUZZY_CUTOFF = 0.8


@dataclass(frozen=True)
class ColumnChoice:
    """What the suggestion does for one contract ``column``.

    ``source`` is the file's column that holds it, or ``None``; ``default`` the constant every row gets when
    there is no source (``None`` for none); ``reason`` says why in a sentence; ``confidence`` is between 0
    (a guess) and 1 (certain); ``required`` repeats the contract.
    """

    column: str
    source: str | None
    default: str | None
    reason: str
    confidence: float
    required: bool


@dataclass(frozen=True)
class Suggestion:
    """A proposed mapping of a file onto the contract of ``table``.

    ``mapping`` applies it; ``choices`` has one :class:`ColumnChoice` per contract column, in contract order;
    ``unused`` are the file's columns no contract column takes (kept as extra columns when imported);
    ``missing`` are required contract columns with neither a source nor a constant: the import will be
    refused until they get one.
    """

    table: str
    mapping: Mapping
    choices: tuple[ColumnChoice, ...]
    unused: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Required contract columns with no source and no constant."""
        return tuple(c.column for c in self.choices if c.required and c.source is None and c.default is None)


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
    return 0.0, ""


def suggest_mapping(raw: RawTable, table: str, *, previous: Mapping | None = None) -> Suggestion:
    """Propose how the file read as ``raw`` maps onto the contract of ``table``.

    ``previous`` is the mapping saved with the workspace for this table: its choices are kept for the file's
    columns that still exist (the next export of the same system maps as the last one did). Every other
    contract column takes the unused file column whose header names it best (:data:`SYNONYMS`, then
    :mod:`difflib`), the strongest pairs first. ``ValueError`` for an unknown table.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    spec = TABLES[table]
    headers = raw.columns
    taken: dict[str, tuple[str, float, str]] = {}  # contract column -> (source, confidence, reason)
    used: set[str] = set()
    defaults: dict[str, str] = {}
    if previous is not None:
        for source, column in previous.columns.items():
            if source in headers and column in spec.column_names and column not in taken:
                taken[column] = (source, 1.0, f"'{source}' was mapped to {column} last time")
                used.add(source)
        defaults = {c: v for c, v in previous.defaults.items() if c in spec.column_names and c not in taken}
    pairs = sorted(((score, reason, header, col.name)
                    for col in spec.columns if col.name not in taken
                    for header in headers if header not in used
                    for score, reason in [_score(header, col.name)] if score > 0),
                   key=lambda p: (-p[0], headers.index(p[2])))
    for score, reason, header, column in pairs:
        if column not in taken and header not in used:
            taken[column] = (header, score, reason)
            used.add(header)
    choices = []
    for col in spec.columns:
        if col.name in taken:
            source, confidence, reason = taken[col.name]
            choices.append(ColumnChoice(col.name, source, None, reason, confidence, col.required))
        elif col.name in defaults:
            choices.append(ColumnChoice(col.name, None, defaults[col.name], "the constant given last time", 1.0,
                                        col.required))
        else:
            reason = "no column of the file looks like it" + ("" if col.required else " (optional)")
            choices.append(ColumnChoice(col.name, None, None, reason, 0.0, col.required))
    return _suggestion(table, choices, headers, previous)


def _suggestion(table: str, choices: list[ColumnChoice], headers: list[str], previous: Mapping | None) -> Suggestion:
    mapping = Mapping(
        file="suggested mapping", table=table,
        columns={c.source: c.column for c in choices if c.source is not None},
        values=dict(previous.values) if previous is not None else {},
        dates=dict(previous.dates) if previous is not None else {},
        defaults={c.column: c.default for c in choices if c.source is None and c.default is not None},
        strict_values=previous.strict_values if previous is not None else False)
    used = {c.source for c in choices}
    return Suggestion(table, mapping, tuple(choices), tuple(h for h in headers if h not in used))


def mapping_with(suggestion: Suggestion, column: str, *, source: str | None = None,
                 default: str | None = None) -> Suggestion:
    """``suggestion`` with contract ``column`` taken from the file's column ``source``, or the constant
    ``default``, or neither (both ``None``): what a dropdown on the import screen does. A source another
    column had is taken from it. ``KeyError`` for a column not in the contract."""
    names = [c.column for c in suggestion.choices]
    if column not in names:
        raise KeyError(column)
    choices = []
    for choice in suggestion.choices:
        if choice.column == column:
            reason = ("chosen by hand" if source is not None or default is not None
                      else "left out by hand")
            choice = replace(choice, source=source, default=None if source is not None else default,
                             reason=reason, confidence=1.0)
        elif source is not None and choice.source == source:
            choice = replace(choice, source=None, reason=f"'{source}' was given to {column}", confidence=0.0)
        choices.append(choice)
    headers = [c.source for c in suggestion.choices if c.source is not None] + list(suggestion.unused)
    previous = suggestion.mapping
    return _suggestion(suggestion.table, choices, headers, previous)


def mapping_yaml(mapping: Mapping) -> str:
    """``mapping`` as the YAML text of a mapping file (:func:`~workbench.data.reading.load_mapping` reads it
    back to an equal mapping; every value is quoted text, so ``01`` and ``Yes`` keep their spelling)."""
    data = {"table": mapping.table, "columns": mapping.columns, "values": mapping.values, "dates": mapping.dates,
            "defaults": mapping.defaults, "strict_values": "true" if mapping.strict_values else "false"}
    data = {k: v for k, v in data.items() if k in MAPPING_KEYS and v not in (None, {}, "false")}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_style=None)
