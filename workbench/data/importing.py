"""Bringing an HR export into a workspace, all or nothing.

A file is read (CSV, TSV or Excel; encoding and delimiter detected), mapped
(columns renamed, values translated, dates parsed, per a YAML mapping file),
validated against its table's contract and against the workspace's other
tables, and saved only when nothing is wrong. A failed import leaves the
workspace exactly as it was and returns every problem with file, row, column
and value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.data.contracts import TABLES, Problems, validate_tables
from workbench.data.reading import DEFAULT_MAX_BYTES, prepare_import
from workbench.errors import WorkspaceError
from workbench.privacy import refuse_when_published
from workbench.workspace import Workspace, save_table


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``ok`` with the saved ``workspace``, or the ``problems`` and nothing saved."""

    table: str
    source: str
    rows: int
    problems: Problems
    workspace: Workspace

    @property
    def ok(self) -> bool:
        """True when the table was saved."""
        return self.problems.ok


def read_workspace_tables(workspace: Workspace) -> tuple[dict[str, pd.DataFrame], Problems]:
    """Every contract table present in the workspace as text, and problems reading any of them."""
    tables, unreadable = {}, []
    for name in TABLES:
        if not workspace.table_path(name).is_file():
            continue
        try:
            tables[name] = workspace.read_table(name)
        except WorkspaceError as exc:
            unreadable.append(Problems.single(workspace.table_path(name).name, str(exc)))
    return tables, Problems.concat(unreadable)


def validate_workspace(workspace: Workspace) -> Problems:
    """Every problem in the workspace's tables: contracts, cross-table checks, missing required tables."""
    tables, unreadable = read_workspace_tables(workspace)
    checked = validate_tables(tables, scale=workspace.settings.scale, require_all=True)
    return Problems.concat([unreadable, checked])


def import_table(source: str | Path, table: str, into: Workspace, mapping: str | Path | None = None, *,
                 sheet: str | int | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportResult:
    """Import the file ``source`` as table ``table`` (e.g. ``"people"``) into the workspace ``into``.

    ``mapping`` is an optional YAML mapping file (see ``datasets/README.md``).
    The table replaces the workspace's current one only if the file, the
    mapping, the contract and the cross-table checks all pass, and no other
    table would gain a problem (e.g. proficiency rows for people no longer in
    ``people.csv``). The save is revision-checked like any other. In the published app
    nothing is imported: :class:`workbench.privacy.ReadOnlyError` before the file is read.
    """
    refuse_when_published()
    if table not in TABLES:
        problems = Problems.single(Path(source).name, f"'{table}' is not a known table; known tables are "
                                                      f"{', '.join(TABLES)}")
        return ImportResult(table, Path(source).name, 0, problems, into)
    existing, _ = read_workspace_tables(into)
    frame, problems = prepare_import(source, table, mapping, scale=into.settings.scale, existing=existing,
                                     sheet=sheet, max_bytes=max_bytes)
    if problems.ok:
        problems = _problems_caused_elsewhere(existing, table, frame, into.settings.scale)
    if not problems.ok:
        return ImportResult(table, Path(source).name, len(frame), problems, into)
    saved = save_table(into, table, frame.reset_index(drop=True), message=f"import {Path(source).name} as {table}")
    return ImportResult(table, Path(source).name, len(frame), problems, saved)


def _problems_caused_elsewhere(existing: dict[str, pd.DataFrame], table: str, frame: pd.DataFrame,
                               scale: tuple[int, int]) -> Problems:
    """Problems the new table would create in the other tables (e.g. people removed but still assessed)."""
    others = [name for name in existing if name != table]
    if not others:
        return Problems()
    before = validate_tables(existing, scale=scale, require_all=False).frame
    after = validate_tables({**existing, table: frame.reset_index(drop=True)}, scale=scale, require_all=False).frame
    after = after[after["file"] != TABLES[table].file]
    seen = set(before.astype(str).itertuples(index=False, name=None))
    new = after[[row not in seen for row in after.astype(str).itertuples(index=False, name=None)]]
    if new.empty:
        return Problems()
    new = new.assign(problem=new["problem"] + f" (after importing {TABLES[table].file})")
    return Problems(new)
