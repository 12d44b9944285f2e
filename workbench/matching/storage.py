"""A matching saved in a workspace: :func:`save_matching`, :func:`saved_matching` (a :class:`SavedMatching`),
:func:`matching_files`.

A saved matching is two files of the program's folder, written in one undoable save: ``results/matching.csv``
(the pairs, then one row per unmatched person: :meth:`~workbench.matching.result.MatchResult.rounded_table`) and
``results/matching.yaml`` (the matching's settings, summary figures and messages). Their format is fixed: a
workspace saved by any earlier version loads as a :class:`SavedMatching`, which the reports, the evaluation and
re-matching read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np
import pandas as pd
import yaml

from workbench.errors import WorkbenchError
from workbench.matching.names import mentee_word
from workbench.matching.result import SETTINGS_SCHEMA, SUMMARY_SCHEMA, MatchResult
from workbench.privacy import refuse_when_published
from workbench.result import plain, records
from workbench.workspace import Workspace, csv_text, reading, save_files

__all__ = ["SavedMatching", "matching_files", "save_matching", "saved_matching"]


@dataclass(frozen=True, eq=False)
class SavedMatching:
    """A matching as saved in a workspace (:func:`saved_matching`): what its two files hold.

    ``table``: ``matching.csv`` as written, every cell text: the pairs (``mentee_id``, ``mentor_id``,
    ``group``, ``round``, ``score`` and the criteria 0-1, ``reason``), then one row per unmatched person (one
    id blank, ``unmatched_role`` set). ``settings``, ``figures`` (the summary as saved; :meth:`summary`) and
    ``messages`` come from ``matching.yaml``. A saved table has no people's attributes, so a saved matching
    has no ``by_group``: the stakeholder pack joins its pairs to the people table for that.
    """

    table: pd.DataFrame
    settings: dict
    figures: dict
    messages: tuple[str, ...] = ()

    JSON_SCHEMA: ClassVar[dict] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "SavedMatching", "description": "A matching saved in a workspace (SavedMatching.to_json()).",
        "type": "object",
        "properties": {
            # records saved by earlier versions may lack a figure or a setting, or hold one since retired
            "settings": {key: value for key, value in SETTINGS_SCHEMA.items() if key != "required"},
            "summary": {**{k: v for k, v in SUMMARY_SCHEMA.items() if k != "required"}, "additionalProperties": True},
            "messages": {"type": "array", "items": {"type": "string"}, "description": "Notes about the matching."},
            "columns": {"type": "array", "items": {"type": "string"}, "description": "The table's columns, in order."},
            "table": {"type": "array", "description": "matching.csv as saved: the pairs, then the unmatched.",
                      "items": {"type": "object", "required": ["mentee_id", "mentor_id"],
                                "additionalProperties": {"type": "string", "description": "A cell, as text."}}}},
        "required": ["settings", "summary", "messages", "columns", "table"],
        "additionalProperties": False,
    }

    @classmethod
    def from_record(cls, table: pd.DataFrame, record: dict) -> Self:
        """The saved matching of ``matching.csv`` (read as text) and ``matching.yaml``'s mapping."""
        return cls(table=table, settings=dict(record.get("settings") or {}), figures=dict(record.get("summary") or {}),
                   messages=tuple(str(m) for m in record.get("messages") or ()))

    @property
    def pairs(self) -> pd.DataFrame:
        """The rows of ``table`` that are pairs: both ids given (not an unmatched person)."""
        mentee, mentor = self._ids()
        return self.table[(mentee != "") & (mentor != "")]

    @property
    def structure(self) -> str:
        """The program structure matched (the summary's, else the settings')."""
        return str(self.figures.get("structure", self.settings.get("structure", "one_on_one")))

    @property
    def method(self) -> str:
        """The method (``"peer"`` for peer circles; the summary's, else the settings')."""
        return str(self.figures.get("method", self.settings.get("method", "")))

    @property
    def cohort(self) -> str:
        """The cohort matched, as text (blank when the settings do not say)."""
        return str(self.settings.get("cohort", ""))

    @property
    def matched_on(self) -> datetime.date | None:
        """The day the matching was made (``None`` when the settings do not say it readably)."""
        try:
            return datetime.date.fromisoformat(str(self.settings.get("matched_at", "")))
        except ValueError:
            return None

    def people(self) -> pd.DataFrame:
        """Per person on the mentee side (both peers, in peer circles): ``person_id``, ``matched`` (bool) and
        ``score``, the mean fit of their pairs (0-1; NaN unmatched), as the table has them."""
        mentee, mentor = self._ids()
        paired = (mentee != "") & (mentor != "")
        score = self.pair_scores()
        sides = [pd.DataFrame({"person_id": mentee[paired], "score": score})]
        pool = set(mentee[mentee != ""])
        if self.structure == "peer":
            sides.append(pd.DataFrame({"person_id": mentor[paired], "score": score}))
            pool |= set(mentor[paired])
        links = pd.concat(sides, ignore_index=True)
        people = pd.DataFrame({"person_id": sorted(pool)})
        per_person = links.groupby("person_id")["score"].mean()
        people["matched"] = people["person_id"].isin(per_person.index)
        people["score"] = people["person_id"].map(per_person)
        return people

    def pair_scores(self) -> pd.Series:
        """The fit score of each pair, 0-1 (NaN where the table's cell is not a number)."""
        pairs = self.pairs
        return pd.to_numeric(pairs.get("score", pd.Series(np.nan, index=pairs.index)), errors="coerce")

    def _ids(self) -> tuple[pd.Series, pd.Series]:
        """The table's mentee and mentor ids, stripped (blank where a row has none)."""
        blank = pd.Series("", index=self.table.index)
        return tuple(self.table.get(column, blank).fillna("").astype(str).str.strip()
                     for column in ("mentee_id", "mentor_id"))

    def summary(self) -> dict:
        """The summary figures as saved (:meth:`MatchResult.summary`), without the display word kept in the file."""
        return {k: v for k, v in self.figures.items() if k != "mentee_word"}

    def to_json(self) -> dict:
        """The saved matching as plain JSON data under :attr:`JSON_SCHEMA`."""
        return plain({"settings": self.settings, "summary": self.summary(), "messages": list(self.messages),
                      "columns": list(self.table.columns), "table": records(self.table)}, digits=None)

    @classmethod
    def from_json(cls, document: dict) -> Self:
        """The saved matching of :meth:`to_json` again."""
        table = pd.DataFrame(document["table"], columns=document["columns"], dtype=str)
        return cls(table=table, settings=dict(document["settings"]), figures=dict(document["summary"]),
                   messages=tuple(document["messages"]))


#: Where a saved matching lives in a workspace.
SAVED_TABLE = "results/matching.csv"
SAVED_SUMMARY = "results/matching.yaml"


def save_matching(workspace: Workspace, result: MatchResult) -> Workspace:
    """Save ``result`` into the workspace (``results/matching.csv`` and ``.yaml``), in one undoable save.

    Refused with :class:`workbench.workspace.StaleWorkspaceError` when a matching was saved elsewhere
    since ``workspace`` was read, and in the published app (:func:`workbench.privacy.refuse_when_published`).
    """
    refuse_when_published()
    s = result.summary()
    return save_files(workspace, matching_files(result),
                      message=f"save the {s['structure'].replace('_', '-')} matching ({s['method'].replace('_', ' ')})")


def matching_files(result: MatchResult) -> dict[str, str]:
    """The files a saved matching is made of (name in the program's folder -> text): the table and a record.

    The table is stored as written (:func:`workbench.workspace.csv_text`): an id such as ``=1+1`` reads
    back as ``=1+1``, where the spreadsheet-safe export would write ``'=1+1``."""
    figures = result.summary()
    keys = list(figures)
    at = keys.index("mentors") + 1  # the record keeps the word its first readers showed, where it was
    summary = {**{k: figures[k] for k in keys[:at]}, "mentee_word": mentee_word(figures["structure"]),
               **{k: figures[k] for k in keys[at:]}}
    record = {"settings": result.settings, "summary": summary, "messages": list(result.messages)}
    return {SAVED_TABLE: csv_text(result.rounded_table()),
            SAVED_SUMMARY: yaml.safe_dump(plain(record, digits=None), sort_keys=False, allow_unicode=True)}


def saved_matching(workspace: Workspace) -> SavedMatching | None:
    """The matching saved in the workspace; ``None`` when none is saved.

    Raises :class:`~workbench.errors.WorkbenchError` naming the workspace when its files cannot be read or
    are not ones the workbench wrote."""
    table, summary = workspace.files / SAVED_TABLE, workspace.files / SAVED_SUMMARY
    with reading(workspace):  # both files from the same save
        if not table.is_file() or not summary.is_file():
            return None
        try:
            pairs = pd.read_csv(table, dtype=str, keep_default_na=False)
            record = yaml.safe_load(summary.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError) as exc:
            raise WorkbenchError(f"The saved matching of the workspace {workspace.name!r} cannot be read "
                                 f"({exc.__class__.__name__} in {SAVED_TABLE} or {SAVED_SUMMARY}): match and save "
                                 "again on the Matching page, or undo the last save of the matching.") from None
    if not isinstance(record, dict) or not {"mentee_id", "mentor_id"} <= set(pairs.columns) \
            or not all(isinstance(record.get(key) or {}, dict) for key in ("settings", "summary")):
        raise WorkbenchError(f"The saved matching of the workspace {workspace.name!r} is not one the workbench wrote "
                             f"({SAVED_SUMMARY} must be a mapping whose settings and summary are mappings, and "
                             f"{SAVED_TABLE} have columns mentee_id and mentor_id): match and save again on the "
                             "Matching page.")
    return SavedMatching.from_record(pairs, record)
