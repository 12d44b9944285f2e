"""Several programs on one pool of people: which programs a workspace holds, and who is in each.

A workspace's first program is its own ``design.yaml`` (id :data:`FIRST_PROGRAM`,
``"main"``), so every workspace written before programs existed is a
workspace of one program, unchanged. Each further program ``<id>`` keeps the
same files in ``programs/<id>/`` (``design.yaml``, ``results/``,
``scenarios/``), saved with the workspace's revision check and undo
(:func:`workbench.workspace.program_scope`). The programs, in their default
priority order, are the first one, then the others by id.

Who takes part: ``enrolment.csv`` may have a ``program`` column, a list of
program ids separated by ``;``. A blank cell (or no such column) means every
program; each program then keeps only the people its own eligibility admits.
A mentor enrols once per cohort, and the capacity on that row is their total
across programs: matching several programs never gives them more mentees in
all than that (:func:`workbench.matching.programs.match_programs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.data.columns import text_column
from workbench.data.validation import program_problems
from workbench.design.model import ProgramDesign
from workbench.data.importing import checked_tables, typed_tables
from workbench.data.validation import program_problems
from workbench.design.store import DESIGN_FILE, load_design, save_design
from workbench.errors import WorkbenchError
from workbench.workspace import (FIRST_PROGRAM, RESULT_FOLDERS, Workspace, check_program_id, program_ids,
                                 program_scope, save_files)

__all__ = ["FIRST_PROGRAM", "PROGRAM_COLUMN", "Program", "add_program", "enrolled_in", "load_programs",
           "page_tables", "program_ids", "program_tables", "remove_program", "scoped_tables"]

#: The optional enrolment column naming each person's programs (``;``-separated ids; blank = every program).
PROGRAM_COLUMN = "program"


@dataclass(frozen=True)
class Program:
    """One program of a workspace: its ``id``, its ``design`` and the ``workspace`` scoped to its files."""

    id: str
    design: ProgramDesign
    workspace: Workspace


def load_programs(workspace: Workspace) -> dict[str, Program]:
    """Every program of the workspace, by id, in default priority order (designs validated on loading)."""
    out = {}
    for program in program_ids(workspace):
        scoped = program_scope(workspace, program)
        out[program] = Program(program, load_design(scoped), scoped)
    return out


def add_program(workspace: Workspace, program: str, design: ProgramDesign | None = None) -> Workspace:
    """Add program ``program`` (a new id) with ``design`` (default: a copy of the first program's design).

    One undoable, revision-checked save of ``programs/<id>/design.yaml``; returns the workspace scoped to
    the new program.
    """
    check_program_id(program)
    if program in program_ids(workspace):
        raise WorkbenchError(f"The workspace {workspace.name!r} already has a program {program!r}.")
    if design is None:
        first = load_design(program_scope(workspace, None))
        design = first.model_copy(update={"name": f"{first.name} ({program})"})
    return save_design(program_scope(workspace, program), design, message=f"add the program {program!r}")


def remove_program(workspace: Workspace, program: str) -> Workspace:
    """Remove program ``program`` and its saved results and scenarios, in one undoable save.

    The first program is the workspace's own design and cannot be removed.
    """
    if program == FIRST_PROGRAM:
        raise WorkbenchError(f"The first program ({FIRST_PROGRAM!r}) is the workspace's own design and cannot be "
                             "removed.")
    if program not in program_ids(workspace):
        raise WorkbenchError(f"The workspace {workspace.name!r} has no program {program!r}; it has: "
                             f"{', '.join(program_ids(workspace))}.")
    scoped = program_scope(workspace, program)
    files = [DESIGN_FILE] + [f"{folder}/{p.name}" for folder in RESULT_FOLDERS
                             for p in sorted((scoped.files / folder).glob("*")) if p.is_file()
                             and not p.name.startswith(".")]
    return program_scope(save_files(scoped, {name: None for name in files},
                                    message=f"remove the program {program!r}"), None)


def enrolled_in(enrolment: pd.DataFrame, programs: Sequence[str]) -> dict[str, np.ndarray]:
    """Per program id, which enrolment rows take part in it (bool arrays, in row order).

    Reads the ``program`` column (blank or absent: every program). An id that
    is not one of ``programs`` is an error naming the row, column and value.
    """
    n = len(enrolment)
    if PROGRAM_COLUMN not in enrolment.columns:
        return {p: np.ones(n, dtype=bool) for p in programs}
    problems = program_problems(enrolment, programs)
    if not problems.ok:
        first = problems.frame.iloc[0]
        raise WorkbenchError(f"{first['file']} row {first['row']}, column {first['column']}: {first['problem']}"
                             + (f" ({len(problems) - 1} more such rows)" if len(problems) > 1 else "") + ".")
    named = text_column(enrolment, PROGRAM_COLUMN).str.split(";").map(
        lambda parts: {x.strip() for x in parts if x.strip()})
    blank = named.map(len).to_numpy() == 0
    return {p: blank | named.map(lambda ids, p=p: p in ids).to_numpy(dtype=bool) for p in programs}


def program_tables(tables: Mapping[str, pd.DataFrame], program: str,
                   programs: Sequence[str]) -> dict[str, pd.DataFrame]:
    """``tables`` with the enrolment cut to the rows that take part in ``program`` (see :func:`enrolled_in`)."""
    out = dict(tables)
    enrolment = tables.get("enrolment")
    if enrolment is not None:
        if program not in programs:
            raise WorkbenchError(f"There is no program {program!r}; the programs are: {', '.join(programs)}.")
        out["enrolment"] = enrolment[enrolled_in(enrolment, programs)[program]].reset_index(drop=True)
    return out


def scoped_tables(workspace: Workspace, tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The workspace's ``tables`` as its program sees them: the enrolment cut to the rows of ``workspace``'s
    program (:func:`workbench.workspace.program_scope`; the first program when it is not scoped)."""
    return program_tables(tables, workspace.program_id, program_ids(workspace))


def page_tables(workspace: Workspace, page: str, why: str = "") -> dict[str, pd.DataFrame]:
    """The workspace's tables for a page (or analysis) that needs people.csv and enrolment.csv; a clear
    :class:`~workbench.errors.WorkbenchError` naming ``page`` otherwise (``why`` follows the workspace's name).

    The enrolment is the page's program's (:func:`scoped_tables`); tables that fail their contracts raise
    :class:`~workbench.errors.InvalidDataError` (:func:`workbench.data.importing.checked_tables`)."""
    tables = typed_tables(workspace)
    missing = [t for t in ("people", "enrolment") if t not in tables]
    if missing:
        raise WorkbenchError(f"{page} needs {' and '.join(m + '.csv' for m in missing)} in the workspace "
                             f"{workspace.name!r}{why}: import {'them' if len(missing) > 1 else 'it'} on the Start "
                             "page.")
    return scoped_tables(workspace, tables)  # the enrolment of the page's program
