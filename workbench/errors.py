"""Errors the workbench reports to people rather than to programmers.

A :class:`WorkbenchError` carries a message written for the person using the
app or the command line: what went wrong, where (file, row, column, value when
there is one) and what to do about it. Views show it in the page and the CLI
prints it without a traceback; any other exception is a bug and is logged.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """A problem with the user's input or settings, described for the user."""


class WorkspaceError(WorkbenchError):
    """A workspace cannot be found, created, read or saved."""


class InvalidDataError(WorkspaceError):
    """Tables an analysis reads fail their contracts, so nothing was computed on them.

    ``problems`` is the :class:`workbench.data.contracts.Problems` table of every error in
    those tables (file, row, column, value, problem), as ``workbench validate`` reports them;
    the message names the first few.
    """

    def __init__(self, message: str, problems: object) -> None:
        super().__init__(message)
        self.problems = problems
