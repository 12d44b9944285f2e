"""Who may take part: a design's eligibility rules as filters over ``people.csv``.

People arrive as read from CSV (:func:`workbench.data.importing.read_workspace_table`):
every column is text and a blank cell is ``""``. Dates are ``YYYY-MM-DD``.

A person is *employed on day d* when ``hire_date <= d`` and ``exit_date`` is
blank or after ``d`` (the convention of the demo organisation). Tenure is
counted in months of :data:`DAYS_PER_MONTH` days. A cell that cannot be read
(a blank level, a malformed date) never passes a filter that uses it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import pandas as pd

from workbench.data.columns import date_column, number_column, text_column
from workbench.design.model import ColumnFilter, Eligibility, ProgramDesign
from workbench.errors import WorkbenchError

#: Days in an average month, for tenure in months.
DAYS_PER_MONTH = 30.44


def data_as_of(people: pd.DataFrame, *, today: datetime.date | None = None) -> datetime.date:
    """The day the people data describes: its latest ``hire_date`` or ``exit_date`` not after ``today``.

    An HR export is a snapshot; the last hire or exit it records is the best
    estimate of when it was taken. Dates after ``today`` (defaults to the
    system date) are planned hires or notified exits, not the present, so they
    are ignored. With no usable date at all, the answer is ``today``.
    For the demo organisation (generated as of 2026-06-30) this is 2026-06-28,
    its last recorded hire.
    """
    today = today or datetime.date.today()
    dates = pd.concat([date_column(people, "hire_date"), date_column(people, "exit_date")])
    dates = dates[dates <= pd.Timestamp(today)]
    return dates.max().date() if not dates.empty else today


def employed(people: pd.DataFrame, *, as_of: datetime.date) -> pd.Series:
    """Whether each person is employed on ``as_of`` (hired on or before it, not yet left); index of ``people``."""
    day = pd.Timestamp(as_of)
    exits = date_column(people, "exit_date")
    left = exits.notna() & (exits <= day)
    unreadable_exit = text_column(people, "exit_date").ne("") & exits.isna()
    return ((date_column(people, "hire_date") <= day) & ~left & ~unreadable_exit).rename("employed")


def tenure_months(people: pd.DataFrame, *, as_of: datetime.date) -> pd.Series:
    """Months (of 30.44 days) from ``hire_date`` to ``as_of``; ``NaN`` where the hire date is unreadable."""
    days = (pd.Timestamp(as_of) - date_column(people, "hire_date")).dt.days
    return (days / DAYS_PER_MONTH).rename("tenure_months")


def eligible(people: pd.DataFrame, rule: Eligibility, *, as_of: datetime.date) -> pd.Series:
    """Who passes ``rule`` on ``as_of``: a boolean Series named ``eligible`` with the index of ``people``.

    A person passes when all of these hold: employed on ``as_of``; in one of
    ``rule.departments`` (when any are named); at a ``level`` within
    ``rule.level_min``-``rule.level_max`` (inclusive, whole levels); at least
    ``rule.min_tenure_months`` months (30.44 days each) since ``hire_date``;
    and, when ``rule.performance_column`` is a column of ``people``, a numeric
    value there of at least ``rule.performance_min`` (a blank rating fails).
    A performance column the table does not have excludes nobody; the
    consistency checks report it instead. Every filter of ``rule.filters``
    must pass too (:func:`passes_filter`).
    """
    mask = employed(people, as_of=as_of)
    if rule.departments:
        mask &= text_column(people, "department").isin(set(rule.departments))
    if rule.level_min is not None or rule.level_max is not None:
        level = number_column(people, "level")
        if rule.level_min is not None:
            mask &= level >= rule.level_min
        if rule.level_max is not None:
            mask &= level <= rule.level_max
    if rule.min_tenure_months is not None:
        mask &= tenure_months(people, as_of=as_of) >= rule.min_tenure_months
    if rule.performance_column is not None and rule.performance_column in people.columns:
        mask &= number_column(people, rule.performance_column) >= rule.performance_min
    for column_filter in rule.filters:
        mask &= passes_filter(people, column_filter)
    return mask.fillna(False).astype(bool).rename("eligible")


def passes_filter(people: pd.DataFrame, rule: ColumnFilter) -> pd.Series:
    """Who passes one column filter: text one of ``rule.values``, or a number within ``min_value``-``max_value``.

    A column the table does not have, a blank or an unreadable cell never passes.
    """
    if rule.values:
        return text_column(people, rule.column).isin({v.strip() for v in rule.values})
    value = number_column(people, rule.column)
    mask = value.notna()
    if rule.min_value is not None:
        mask &= value >= rule.min_value
    if rule.max_value is not None:
        mask &= value <= rule.max_value
    return mask


def filter_columns(design: ProgramDesign) -> list[str]:
    """The people columns the design's mentee and mentor eligibility filters read, in order, once each."""
    align = design.align
    return list(dict.fromkeys(f.column for rule in (align.mentee_eligibility, align.mentor_eligibility)
                              for f in rule.filters))


def refuse_sensitive(design: ProgramDesign, columns: Iterable[str], *, sensitive: Iterable[str], use: str) -> None:
    """Raise a :class:`WorkbenchError` when one of ``columns`` is sensitive and the design has not opted in to it.

    A sensitive column may be used only when ``experience.sensitive_opt_in``
    is set and ``experience.sensitive_attributes`` names it. ``use`` says
    what would use it ("eligibility filters", "selection quotas").
    """
    exp = design.experience
    allowed = set(exp.sensitive_attributes) if exp.sensitive_opt_in else set()
    refused = [c for c in dict.fromkeys(columns) if c in set(sensitive) and c not in allowed]
    if refused:
        raise WorkbenchError(
            f"Program {design.name!r}: the {use} use the sensitive column{'s' if len(refused) > 1 else ''} "
            f"{', '.join(repr(c) for c in refused)} without the design's opt-in. Record the opt-in "
            "(experience.sensitive_opt_in) and name the column in experience.sensitive_attributes once privacy "
            "review and consent are in place, or remove it.")
