"""Bringing an HR export into a workspace, all or nothing.

A file is read (CSV, TSV or Excel; encoding and delimiter detected), mapped
(columns renamed, values translated, dates parsed, per a YAML mapping file),
validated against its table's contract and against the workspace's other
tables, and saved only when nothing is wrong. A failed import leaves the
workspace exactly as it was and returns every problem with file, row, column
and value.

The workspace's tables are read here too (:func:`read_workspace_table`, once per
version of each file, and :func:`checked_tables`, validated) and saved with
:func:`save_table`, which refuses a table that could not be read back; the
workspace itself (:mod:`workbench.workspace`) only stores files.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from workbench.data import reading
from workbench.data.columns import typed_table
from workbench.data.problems import Problems
from workbench.data.reading import DataFileError, Mapping, NoDataRowsError, load_mapping, prepare_import, read_table_file
from workbench.data.suggest import mapping_yaml
from workbench.data.tables import ROW_INDEX_NAME, TABLES
from workbench.data.validation import date_warnings, program_problems, validate_against, validate_tables
from workbench.errors import InvalidDataError, WorkspaceError
from workbench.privacy import refuse_when_published
from workbench.workspace import MAPPINGS_DIR, Workspace, csv_text, program_ids, save_files


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``ok`` with the saved ``workspace``, or the ``problems`` and nothing saved.

    ``notes`` say in plain sentences how the file was read (the header under title rows, the sheet chosen,
    total rows left out, the date style and decimal mark of each column), for the user to check.
    """

    table: str
    source: str
    rows: int
    problems: Problems
    workspace: Workspace
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the table was saved."""
        return self.problems.ok


# --------------------------------------------------------------------------
# Reading a workspace's tables, once per version of each file
# --------------------------------------------------------------------------
#
# A page's kernel reads the same tables again whenever the page re-renders (another
# workspace chosen and back, a design saved, an import). Within a process each file is
# read (and the set of tables validated) once per version of the file: a version is
# known by the file's inode, size, modification and change times. Saves replace files
# by renaming (a new inode); a file edited in place changes its times. A file changed
# within the last seconds is not trusted to show a new version by its times alone
# (they tick coarsely): it is read again every time until it has been left alone.

#: A file modified less than this long before it is read is read again next time.
_SETTLE_NS = 2_000_000_000
#: Files (and validated sets of tables) kept per process; the oldest is forgotten first.
_CACHE_FILES = 48
_CACHE_VALIDATIONS = 8

_lock = threading.Lock()
_files: OrderedDict[str, tuple[tuple[int, ...], pd.DataFrame]] = OrderedDict()
_typed: OrderedDict[str, tuple[tuple[int, ...], pd.DataFrame]] = OrderedDict()  # tables typed by their contracts
_validations: OrderedDict[tuple, Problems] = OrderedDict()


def _version(path: Path) -> tuple[int, ...] | None:
    """The file's version (inode, size, times), or ``None`` when it is missing or changed too recently to tell."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < _SETTLE_NS:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _remember(cache: OrderedDict, key: object, value: object, limit: int) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > limit:
            cache.popitem(last=False)


def read_workspace_table(workspace: Workspace, table: str) -> pd.DataFrame:
    """Table ``table`` (e.g. ``"people"``) of the workspace as text columns (blank cells are ``""``), read as
    validation reads it, once per version of the file in this process.

    Files edited by hand are read all the same: encoding and delimiter are
    detected. A file with only a header is an empty table. Raises
    :class:`WorkspaceError` when the file is missing or cannot be read (a file
    that cannot be read is never remembered). The frame returned is the caller's
    own: changing it changes nothing remembered (pandas copy-on-write).
    """
    return _once_per_version(_files, workspace.table_path(table), lambda: _read_table(workspace, table))


def _once_per_version(cache: OrderedDict, path: Path, make) -> pd.DataFrame:
    """``make()``, the frame of the file at ``path``, made once per version of the file and kept in ``cache``;
    the caller's own copy (pandas copy-on-write)."""
    key = str(path.resolve())
    version = _version(path)
    if version is not None:
        with _lock:
            found = cache.get(key)
        if found is not None and found[0] == version:
            return found[1].copy(deep=False)
    frame = make()
    if version is not None and _version(path) == version:  # unchanged while it was read
        _remember(cache, key, (version, frame), _CACHE_FILES)
    return frame.copy(deep=False)


def _read_table(workspace: Workspace, table: str) -> pd.DataFrame:
    path = workspace.table_path(table)
    if not path.is_file():
        raise WorkspaceError(f"The workspace {workspace.name!r} has no {path.name}.")
    try:
        return read_table_file(path).frame.reset_index(drop=True)
    except NoDataRowsError as exc:
        return pd.DataFrame({column: pd.Series([], dtype=str) for column in exc.columns})
    except DataFileError as exc:
        raise WorkspaceError(f"{workspace.name}: {exc}") from None


class TableTooLargeError(WorkspaceError):
    """A table would be stored larger than a workspace table is read (it could not be read back)."""


def save_table(workspace: Workspace, table: str, frame: pd.DataFrame, *, message: str | None = None,
               also: dict[str, str | None] | None = None) -> Workspace:
    """Save ``frame`` as ``<table>.csv``, and the files ``also`` (name -> text, e.g. the mapping it was imported
    with) in the same save; see :func:`workbench.workspace.save_files`. Returns the workspace as saved.

    Data tables belong to the whole workspace, whichever program ``workspace`` is scoped to. Refused with
    :class:`TableTooLargeError` when the file would be larger than :func:`read_workspace_table` reads
    (:data:`workbench.data.reading.DEFAULT_MAX_BYTES`) or would hold a cell longer than it reads
    (:data:`~workbench.data.reading.MAX_CELL_CHARS`), so no save leaves a table that cannot be read back."""
    try:
        reading.check_cell_lengths(frame.set_axis(range(2, len(frame) + 2)), 1, f"{table}.csv")
    except DataFileError as err:
        raise TableTooLargeError(f"Stored as {table}.csv, {err.message}.") from None
    text = csv_text(frame)
    size = len(text.encode("utf-8"))
    if size > reading.DEFAULT_MAX_BYTES:
        raise TableTooLargeError(f"Stored as {table}.csv (UTF-8) it would be {size / 2**20:.1f} MB, larger than "
                                 f"the limit of {reading.DEFAULT_MAX_BYTES / 2**20:.1f} MB a workspace table is "
                                 "read with: split it, or leave out columns the workbench does not use.")
    saved = save_files(replace(workspace, program=None), {f"{table}.csv": text, **(also or {})},
                       message=message or f"save {table}.csv")
    return replace(saved, program=workspace.program)


def workspace_version(workspace: Workspace) -> tuple | None:
    """The versions of the workspace's contract tables and its scale; ``None`` while a table has just changed.

    Equal versions mean equal tables: what is computed from the tables alone can be
    reused for the same version.
    """
    versions = []
    for name in TABLES:
        path = workspace.table_path(name)
        if not path.is_file():
            continue
        version = _version(path)
        if version is None:
            return None
        versions.append((name, version))
    return (str(workspace.path.resolve()), tuple(workspace.settings.scale), tuple(versions))


def read_workspace_tables(workspace: Workspace) -> tuple[dict[str, pd.DataFrame], Problems]:
    """Every contract table present in the workspace as text, and problems reading any of them.

    Each file is read once per version in this process (:func:`read_workspace_table`).
    """
    tables, unreadable = {}, []
    for name in TABLES:
        if not workspace.table_path(name).is_file():
            continue
        try:
            tables[name] = read_workspace_table(workspace, name)
        except WorkspaceError as exc:
            unreadable.append(Problems.single(workspace.table_path(name).name, str(exc)))
    return tables, Problems.concat(unreadable)


def workspace_problems(workspace: Workspace, *, require_all: bool = True) -> tuple[dict[str, pd.DataFrame], Problems]:
    """The workspace's tables and every problem in them (unreadable files, contracts, cross-table checks).

    ``require_all``: a missing required table is a problem. The validation runs
    once per version of the workspace's tables in this process.
    """
    version = workspace_version(workspace)
    tables, unreadable = read_workspace_tables(workspace)
    key = None if version is None or not unreadable.ok else (version, require_all, tuple(program_ids(workspace)))
    if key is not None:
        with _lock:
            found = _validations.get(key)
        if found is not None:
            return tables, found
    problems = Problems.concat([unreadable, validate_tables(tables, scale=workspace.settings.scale,
                                                            require_all=require_all),
                                *([program_problems(tables["enrolment"], program_ids(workspace))]
                                  if "enrolment" in tables else [])])
    if key is not None and workspace_version(workspace) == version:
        _remember(_validations, key, problems, _CACHE_VALIDATIONS)
    return tables, problems


def workspace_warnings(workspace: Workspace) -> Problems:
    """Values in the workspace's tables that meet their contracts but are unlikely to be true (implausible dates,
    hires after today: :func:`~workbench.data.validation.date_warnings`), by file, row, column and value.

    Computed once per version of the tables and day in this process; warnings never stop an analysis.
    """
    version, today = workspace_version(workspace), dt.date.today()
    key = None if version is None else ("warnings", version, today)
    if key is not None:
        with _lock:
            found = _validations.get(key)
        if found is not None:
            return found
    warnings = date_warnings(read_workspace_tables(workspace)[0], today=today)
    if key is not None and workspace_version(workspace) == version:
        _remember(_validations, key, warnings, _CACHE_VALIDATIONS)
    return warnings


# The warnings of the tables handed out within a :func:`noting_warnings` block, by workspace folder and file.
_noted: ContextVar[dict[tuple[str, str], Problems] | None] = ContextVar("workbench_noted_warnings", default=None)


@contextmanager
def noting_warnings() -> Iterator[None]:
    """Within the block, note the warnings of every table :func:`checked_tables` hands out (each file once),
    for :func:`noted_warnings`: how a command or a page shows the warnings of the data its results rest on
    without passing them through every function between. Blocks nest; the inner one notes its own."""
    token = _noted.set({})
    try:
        yield
    finally:
        _noted.reset(token)


def noted_warnings() -> Problems:
    """The warnings of the tables read so far in the current :func:`noting_warnings` block (none outside one)."""
    return Problems.concat((_noted.get() or {}).values())


#: Problems named in the message of :class:`InvalidDataError` (all of them are on the error's ``problems``).
SHOWN_PROBLEMS = 10


def checked_tables(workspace: Workspace, names: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """The workspace's tables ``names`` (default: every contract table) that are present, each as text,
    once they pass their contracts; what every analysis reads instead of the raw files.

    The tables are validated as ``workbench validate`` does (contracts and cross-table checks,
    :func:`workspace_problems`: once per version of the files in this process, so a second call
    costs a look at the files' sizes and times). Raises :class:`~workbench.errors.InvalidDataError`
    naming every problem (file, row, column, value) located in one of ``names``' files, so nothing
    is computed on a table with errors; a table absent from the workspace is left to the caller.
    Their warnings (:func:`workspace_warnings`) are noted for the enclosing :func:`noting_warnings` block.
    """
    return checked_tables_and_warnings(workspace, names)[0]


def checked_tables_and_warnings(workspace: Workspace, names: Iterable[str] | None = None
                                ) -> tuple[dict[str, pd.DataFrame], Problems]:
    """:func:`checked_tables` and the warnings of the tables returned (:func:`workspace_warnings`)."""
    wanted = list(TABLES) if names is None else list(names)
    tables, problems = workspace_problems(workspace, require_all=False)
    files = {TABLES[name].file for name in wanted}
    found = Problems(problems.frame[problems.frame["file"].isin(files)])
    if not found.ok:
        named = sorted(set(found.frame["file"]))
        raise InvalidDataError(
            f"The workspace {workspace.name!r} has {len(found):,} problem{'s' if len(found) != 1 else ''} in "
            f"{', '.join(named)}, so nothing was computed:\n{found.text(SHOWN_PROBLEMS)}\n"
            "Correct the file and import it again (workbench import, or the Start page, which lists every "
            "problem, as does workbench validate).", found)
    returned = {name: tables[name] for name in wanted if name in tables}
    warnings = workspace_warnings(workspace).frame
    noted = _noted.get()
    if noted is not None:
        noted.update({(str(workspace.path), TABLES[name].file):
                      Problems(warnings[warnings["file"] == TABLES[name].file]) for name in returned})
    return returned, Problems(warnings[warnings["file"].isin({TABLES[name].file for name in returned})])


def typed_tables(workspace: Workspace, names: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """:func:`checked_tables`, each typed by its contract once per version of its file in this process
    (:func:`~workbench.data.columns.typed_table`: dates as timestamps, numbers as floats, the rest as text
    with blanks ``""``), so that an analysis parses no cell again. Raises as :func:`checked_tables`."""
    return {name: _once_per_version(_typed, workspace.table_path(name), lambda: typed_table(name, frame))
            for name, frame in checked_tables(workspace, names).items()}


def validate_workspace(workspace: Workspace) -> Problems:
    """Every problem in the workspace's tables: contracts, cross-table checks, missing required tables."""
    return workspace_problems(workspace, require_all=True)[1]


def import_table(source: str | Path, table: str, into: Workspace, mapping: str | Path | Mapping | None = None, *,
                 sheet: str | int | None = None, max_bytes: int | None = None) -> ImportResult:
    """Import the file ``source`` as table ``table`` (e.g. ``"people"``) into the workspace ``into``.

    ``mapping`` is an optional YAML mapping file (see ``datasets/README.md``) or a
    :class:`~workbench.data.reading.Mapping` (a suggestion's, :mod:`workbench.data.suggest`); it is saved with
    the table, in the same save, as ``mappings/<table>.yaml`` (:func:`saved_mapping` reads it back) for the
    next export of the same system.
    The table replaces the workspace's current one only if the file, the
    mapping, the contract and the cross-table checks all pass, and no other
    table would gain a problem (e.g. proficiency rows for people no longer in
    ``people.csv``), and the table as stored can be read back: a file that would be stored larger than
    the workspace reads (:data:`~workbench.data.reading.DEFAULT_MAX_BYTES`; a Latin-1 file grows when
    stored as UTF-8) is refused. ``max_bytes`` limits the file read (default that same limit).
    The save is revision-checked like any other. In the published app
    nothing is imported: :class:`workbench.privacy.ReadOnlyError` before the file is read.
    """
    refuse_when_published()
    if table not in TABLES:
        problems = Problems.single(Path(source).name, f"'{table}' is not a known table; known tables are "
                                                      f"{', '.join(TABLES)}")
        return ImportResult(table, Path(source).name, 0, problems, into)
    if mapping is not None and not isinstance(mapping, Mapping):
        try:
            mapping = load_mapping(mapping)
        except DataFileError as err:
            return ImportResult(table, Path(source).name, 0, Problems.single(err.file, err.message), into)
    version = workspace_version(into)
    existing, _ = read_workspace_tables(into)
    noted: list[str] = []
    frame, problems = prepare_import(source, table, mapping, scale=into.settings.scale, existing=existing,
                                     sheet=sheet, max_bytes=max_bytes, notes=noted)
    return _save_when_valid(into, version, existing, table, frame, problems, source=Path(source).name,
                            message=f"import {Path(source).name} as {table}",
                            change=f"after importing {TABLES[table].file}", notes=tuple(noted),
                            also=_mapping_file(into, table, mapping))


#: The tables the Start page's editor edits in the page (small ones; the others come from HR exports).
EDITABLE_TABLES: tuple[str, ...] = ("skills", "goals", "requirements", "enrolment")


def edited_table_problems(workspace: Workspace, table: str, frame: pd.DataFrame) -> Problems:
    """Every problem that stops :func:`save_edited_table` from saving ``frame`` as table ``table``; saves nothing.

    The checks are an import's (:func:`import_table`): the table's contract, its references to the workspace's
    other tables, the programs ``enrolment.program`` names, and, when the table passes those, the problems it
    would cause in the other tables (e.g. a skill removed that proficiency.csv still uses). Rows are numbered
    as :func:`save_edited_table` says.
    """
    version, existing, frame = _edited(workspace, table, frame)
    return _problems_of(workspace, version, existing, table, frame, TABLES[table].file, _edit_change(table))


def save_edited_table(workspace: Workspace, table: str, frame: pd.DataFrame) -> ImportResult:
    """Save ``frame`` as table ``table`` (one of :data:`EDITABLE_TABLES`), as edited in the page, when it passes
    every check an import passes (:func:`edited_table_problems`).

    ``frame`` holds text cells (blank: ``""`` or missing; saved without surrounding spaces). Its rows are numbered as in a spreadsheet of the
    saved file (header = row 1, first data row = row 2), unless its index, named ``"row"``, holds the numbers.
    Rows blank in every cell are left out; an optional contract column blank in every row is not added to a
    table that did not have it. Problems (file ``<table>.csv``, row, column, value) mean nothing was saved.
    The save is one undoable save named "edit <table>.csv in the table editor". ``workspace`` is the copy the
    table was read from: when the table was saved elsewhere since (another tab), the save is refused with
    :class:`~workbench.workspace.StaleWorkspaceError`. Refused in the published app.
    """
    refuse_when_published()
    version, existing, frame = _edited(workspace, table, frame)
    return _save_when_valid(workspace, version, existing, table, frame, None, source=TABLES[table].file,
                            message=f"edit {TABLES[table].file} in the table editor", change=_edit_change(table))


def _edit_change(table: str) -> str:
    return f"after the edit of {TABLES[table].file}"


def _edited(workspace: Workspace, table: str, frame: pd.DataFrame
            ) -> tuple[tuple | None, dict[str, pd.DataFrame], pd.DataFrame]:
    """The workspace's version and tables, and the edited table as it would be saved (text, index = rows)."""
    if table not in EDITABLE_TABLES:
        raise ValueError(f"{table!r} is not edited in the page; the tables edited there are "
                         f"{', '.join(EDITABLE_TABLES)}")
    version = workspace_version(workspace)
    existing, _ = read_workspace_tables(workspace)
    if frame.index.name != ROW_INDEX_NAME:
        frame = frame.set_axis(pd.RangeIndex(2, len(frame) + 2, name=ROW_INDEX_NAME))
    text = frame.astype(object).where(frame.notna(), "").astype(str).apply(lambda column: column.str.strip())
    text = text[text.ne("").any(axis=1)]
    stored = existing[table].columns if table in existing else ()
    unused = [c for c in TABLES[table].optional_columns
              if c in text.columns and c not in stored and text[c].eq("").all()]
    return version, existing, text.drop(columns=unused)


def _problems_of(into: Workspace, version: tuple | None, existing: dict[str, pd.DataFrame], table: str,
                 frame: pd.DataFrame, file: str, change: str, found: Problems | None = None) -> Problems:
    """Every problem in ``frame``, the new table ``table`` (file ``file``, rows numbered by its index ``"row"``):
    ``found`` (an import's reading and mapping problems and its contract's), else its contract's and references';
    the programs it names that the workspace lacks; and, when there are none, the problems it would cause in the
    other tables, saying they would come ``change`` ("after importing people.csv")."""
    if found is None:
        found = validate_against(table, frame, existing, scale=into.settings.scale, file=file)
    if table == "enrolment":
        found = Problems.concat([found, program_problems(frame, program_ids(into), file=file)])
        found = Problems(found.frame.sort_values("row", na_position="first", kind="stable"))
    if found.ok:
        found = _problems_caused_elsewhere(into, version, existing, table, frame, change)
    return found


def _save_when_valid(into: Workspace, version: tuple | None, existing: dict[str, pd.DataFrame], table: str,
                     frame: pd.DataFrame, found: Problems | None, *, source: str, message: str, change: str,
                     notes: tuple[str, ...] = (), also: dict[str, str] | None = None) -> ImportResult:
    """Save ``frame`` as table ``table`` (and the files ``also`` in the same save) when :func:`_problems_of`
    finds nothing wrong; else the problems. ``notes`` go to the result."""
    problems = _problems_of(into, version, existing, table, frame, source, change, found)
    if problems.ok:
        try:
            return ImportResult(table, source, len(frame), problems,
                                save_table(into, table, frame.reset_index(drop=True), message=message, also=also),
                                notes)
        except TableTooLargeError as err:
            problems = Problems.single(source, f"{err} Nothing was saved.")
    return ImportResult(table, source, len(frame), problems, into, notes)


def _mapping_file(workspace: Workspace, table: str, mapping: Mapping | None) -> dict[str, str]:
    """The mapping file to save with an import of ``table``: none when there is no mapping or it is saved already."""
    if mapping is None:
        return {}
    name, text = f"{MAPPINGS_DIR}/{table}.yaml", mapping_yaml(mapping)
    path = workspace.path / name
    return {} if path.is_file() and path.read_text(encoding="utf-8") == text else {name: text}


def saved_mapping(workspace: Workspace, table: str) -> Mapping | None:
    """The mapping table ``table`` was last imported with (``mappings/<table>.yaml``), or ``None`` when it was
    imported without one. :class:`WorkspaceError` naming the file when it cannot be read (edited by hand)."""
    path = workspace.path / MAPPINGS_DIR / f"{table}.yaml"
    if not path.is_file():
        return None
    try:
        return load_mapping(path)
    except DataFileError as err:
        raise WorkspaceError(f"The workspace {workspace.name!r} has a mapping {MAPPINGS_DIR}/{err.file} that "
                             f"cannot be used: {err.message}.") from None


def _problems_caused_elsewhere(workspace: Workspace, version: tuple | None, existing: dict[str, pd.DataFrame],
                               table: str, frame: pd.DataFrame, change: str) -> Problems:
    """Problems the new table would create in the other tables (e.g. people removed but still assessed), each
    saying it would come ``change`` (e.g. "after importing people.csv").

    ``existing`` are the workspace's tables as read at ``version`` (:func:`workspace_version`): while
    the workspace is still at that version, their problems are those the page has already found.
    """
    others = [name for name in existing if name != table]
    if not others:
        return Problems()
    scale = workspace.settings.scale
    if version is not None and workspace_version(workspace) == version:
        before = workspace_problems(workspace, require_all=False)[1].frame
    else:
        before = validate_tables(existing, scale=scale, require_all=False).frame
    after = validate_tables({**existing, table: frame.reset_index(drop=True)}, scale=scale, require_all=False).frame
    after = after[after["file"] != TABLES[table].file]
    seen = set(before.astype(str).itertuples(index=False, name=None))
    new = after[[row not in seen for row in after.astype(str).itertuples(index=False, name=None)]]
    if new.empty:
        return Problems()
    new = new.assign(problem=new["problem"] + f" ({change})")
    return Problems(new)
