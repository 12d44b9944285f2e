"""A matching saved in a workspace: :func:`save_matching`, :func:`saved_matching`, :func:`matching_files`.

A saved matching is two files of the program's folder, written in one undoable save: ``results/matching.csv``
(the pairs, then one row per unmatched person: :meth:`~workbench.matching.result.MatchResult.rounded_table`) and
``results/matching.yaml`` (the matching's settings, summary figures and messages).
"""

from __future__ import annotations

import pandas as pd
import yaml

from workbench.errors import WorkbenchError
from workbench.matching.names import mentee_word
from workbench.matching.result import MatchResult
from workbench.privacy import refuse_when_published
from workbench.result import plain
from workbench.workspace import Workspace, csv_text, reading, save_files

__all__ = ["matching_files", "save_matching", "saved_matching"]

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


def saved_matching(workspace: Workspace) -> tuple[pd.DataFrame, dict] | None:
    """The matching saved in the workspace, ``(table, record)``; ``None`` when none is saved."""
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
    return pairs, record
