"""Errors the workbench reports to people rather than to programmers.

A :class:`WorkbenchError` carries a message written for the person using the
app or the command line: what went wrong, where (file, row, column, value when
there is one) and what to do about it. Views show it in the page and the CLI
prints it without a traceback; any other exception is a bug and is logged.
"""

from __future__ import annotations

import reprlib

#: How :func:`shown` abbreviates: a few items of each list or mapping, a few levels deep, long texts cut.
_SHOWN = reprlib.Repr()
for _limit, _value in dict(maxlevel=2, maxlist=4, maxtuple=4, maxdict=4, maxset=4, maxfrozenset=4, maxstring=60,
                           maxother=60, maxlong=40).items():
    setattr(_SHOWN, _limit, _value)  # keyword arguments only from Python 3.12


def shown(value: object) -> str:
    """``repr(value)`` cut to a few items, levels and characters, for quoting a user's value in a message.

    A YAML file can hold a value that is huge once written out (a "billion laughs" of aliases): its
    full repr would take minutes and gigabytes; this one stays short, whatever the value.
    """
    return _SHOWN.repr(value)


class WorkbenchError(Exception):
    """A problem with the user's input or settings, described for the user."""


class WorkspaceError(WorkbenchError):
    """A workspace cannot be found, created, read or saved."""


class InvalidDataError(WorkspaceError):
    """Tables an analysis reads fail their contracts, so nothing was computed on them.

    ``problems`` is the :class:`workbench.data.problems.Problems` table of every error in
    those tables (file, row, column, value, problem), as ``workbench validate`` reports them;
    the message names the first few.
    """

    def __init__(self, message: str, problems: object) -> None:
        super().__init__(message)
        self.problems = problems
