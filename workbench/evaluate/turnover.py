"""Retention from a turnover file: one row per person with a time, a left/stayed flag and a program flag.

Many organisations (and public data sets) keep turnover as a single table rather
than dated hires and exits: tenure in months, whether the person quit (or is
still there, censored), whether they had coaching or mentoring, a department.
This module evaluates such a file directly, in the simplest honest design:

* the time axis is the file's time (tenure), the event is leaving, and people
  still employed are censored at their tenure;
* participants are the rows flagged as such, the comparison group is every
  other row (there are no dates, so no cohort start and no matching strata);
* Kaplan-Meier curves and the log-rank test (SciPy) compare the two groups as
  they are, and the Cox hazard ratio (statsmodels) is stratified by department
  and adjusted for level when the file has those columns.

The file is read like any import (CSV, TSV or Excel; encoding and delimiter
detected) and renamed and translated with the same YAML mapping format as
``workbench import`` (``columns`` and ``values``; ``table`` must be left out),
onto the columns of :data:`TURNOVER_COLUMNS`. Flags accept ``1``/``0``,
``yes``/``no`` and ``true``/``false`` in any case, so a mapping is only needed
for other words (``Quit``, ``Stayed``).

Two caveats hold however large the file: participants chose to take part
(self-selection), and a program flag recorded at the end favours people who
stayed long enough to join (immortal time), so the comparison overstates the
program's effect unless the flag was set when people joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.data.reading import DataFileError, apply_mapping, load_mapping, read_table_file
from workbench.errors import WorkbenchError
from workbench.evaluate.cohort import SELF_SELECTION
from workbench.evaluate.result import JSON_SCHEMA_VERSION, TURNOVER_JSON_SCHEMA, survival_json
from workbench.evaluate.survival import SurvivalComparison, compare_survival
from workbench.privacy import MIN_GROUP
from workbench.result import json_text, plain

#: Columns of a turnover file after mapping: name -> (required, meaning).
TURNOVER_COLUMNS: dict[str, tuple[bool, str]] = {
    "months": (True, "time employed (tenure), in months, 0 or more"),
    "left": (True, "1 (or yes/true) when the person left, 0 (no/false) when still employed"),
    "participant": (True, "1 (or yes/true) for a participant of the program, 0 (no/false) otherwise"),
    "department": (False, "department (the hazard ratio gives each its own baseline)"),
    "level": (False, "job level, a number (the hazard ratio adjusts for it)"),
}
_FLAGS = {"1": True, "0": False, "yes": True, "no": False, "true": True, "false": False, "y": True, "n": False}
SHOWN_PROBLEMS = 10

TURNOVER_CAVEATS = (
    SELF_SELECTION,
    "A program flag recorded at the end of the data favours people who stayed long enough to join (immortal "
    "time bias): the comparison then overstates the program's effect.",
    "Without dates there is no cohort start and no matching: the curves compare everyone as they are; the hazard "
    "ratio adjusts only for the department and level columns the file has.",
)


def read_turnover(path: str | Path, mapping: str | Path | None = None, *,
                  sheet: str | int | None = None) -> pd.DataFrame:
    """Read a turnover file and apply a YAML mapping; returns the text columns as mapped.

    Raises :class:`~workbench.errors.WorkbenchError` naming the file (and the
    mapping key) when either cannot be read or the mapping does not fit.
    """
    try:
        raw = read_table_file(path, sheet=sheet)
        rules = load_mapping(mapping) if mapping is not None else None
    except DataFileError as exc:
        raise WorkbenchError(str(exc)) from None
    if rules is not None and rules.table is not None:
        raise WorkbenchError(f"{rules.file}: a turnover mapping has no 'table' key (it maps onto the turnover "
                             f"columns {', '.join(TURNOVER_COLUMNS)}).")
    # The mapping steps are those of an import; "people" only names a contract for the messages, and
    # nothing here is validated against it.
    frame, problems = apply_mapping(raw, rules, "people", file=raw.file)
    if not problems.ok:
        lines = [f"  {p.column}: {p.problem}" for p in problems.frame.head(SHOWN_PROBLEMS).itertuples()]
        raise WorkbenchError(f"{raw.file} cannot be mapped:\n" + "\n".join(lines))
    return frame


def _flag(values: pd.Series, column: str, rows: pd.Index) -> pd.Series:
    text = values.fillna("").astype(str).str.strip().str.lower()
    mapped = text.map(_FLAGS)
    bad = mapped.isna() & text.ne("")
    if bad.any():
        shown = ", ".join(f"row {r}: {v!r}" for r, v in zip(rows[bad.to_numpy()][:SHOWN_PROBLEMS],
                                                             values[bad][:SHOWN_PROBLEMS]))
        raise WorkbenchError(f"Column {column!r} must hold 1/0, yes/no or true/false; found {shown}. Translate other "
                             f"words with the mapping's values (values: {{{column}: {{Quit: '1', Stayed: '0'}}}}).")
    return mapped


@dataclass(frozen=True, eq=False)
class TurnoverEvaluation:
    """Participants against everyone else in a turnover file (see the module docstring)."""

    JSON_SCHEMA: ClassVar[dict] = TURNOVER_JSON_SCHEMA

    survival: SurvivalComparison
    rows: int
    left_out: int
    covariates: tuple[str, ...]
    file: str | None = None
    caveats: tuple[str, ...] = TURNOVER_CAVEATS

    def to_json(self) -> dict:
        """Every figure under :data:`workbench.evaluate.TURNOVER_JSON_SCHEMA`."""
        groups = self.survival.groups.set_index("group")["people"]  # None for a group under five
        return plain({
            "schema_version": JSON_SCHEMA_VERSION, "kind": "turnover_evaluation",
            "source": {"file": self.file, "rows": self.rows, "participants": groups.get("participants", 0),
                       "comparison": groups.get("comparison", 0), "covariates": list(self.covariates),
                       "time_unit": "months", "left_out": self.left_out},
            "retention": survival_json("retention", self.survival, comparison="everyone in the file not marked as a "
                                       "participant", caveats=self.caveats),
        })

    def summary_lines(self) -> list[str]:
        """The headline figures in a few plain lines."""
        s = self.survival
        groups = s.groups.set_index("group")
        lines = [f"{self.rows:,} rows" + (f" ({self.left_out} left out for blank cells)" if self.left_out else "")
                 + ": " + "; ".join(f"{g} {int(r.people):,} people, {int(r.events):,} left" if r.people is not None
                                    else f"{g} fewer than {MIN_GROUP} people" for g, r in groups.iterrows()) + "."]
        if s.hazard_ratio is not None:
            hr = s.hazard_ratio
            adjusted = ", ".join(self.covariates) or "nothing"
            lines.append(f"Hazard ratio of leaving (Cox, adjusted for {adjusted}): {hr.estimate:.2f} "
                         f"[95% {hr.low:.2f}, {hr.high:.2f}], p = {hr.p_value:.3g}.")
        if s.logrank is not None:
            lines.append(f"Log-rank test: chi-square {s.logrank.statistic:.2f}, p = {s.logrank.p_value:.3g}.")
        lines.extend(s.notes)
        lines.append("Participants chose to take part, and a flag set at the end favours those who stayed: an "
                     "association, not proof of cause.")
        return lines

    def json_text(self) -> str:
        """:meth:`to_json` as text with sorted keys."""
        return json_text(self)


def evaluate_turnover(frame: pd.DataFrame, *, file: str | None = None,
                      min_group: int = MIN_GROUP) -> TurnoverEvaluation:
    """Retention of participants against everyone else in a mapped turnover table (see the module docstring).

    ``frame`` has the columns of :data:`TURNOVER_COLUMNS` (text or numbers; other
    columns are ignored). Rows with a blank time, flag or program flag are left
    out and counted. Raises :class:`~workbench.errors.WorkbenchError` for a
    missing column, a negative or non-numeric time, an unknown flag, or fewer
    than ``min_group`` people in a group.
    """
    missing = [c for c, (required, _) in TURNOVER_COLUMNS.items() if required and c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns[:12])) or "none"
        raise WorkbenchError(f"The turnover file needs the column{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(missing)} (rename them with the mapping's columns); its columns are: "
                             f"{found}.")
    rows = frame.index if frame.index.name == "row" else pd.RangeIndex(2, len(frame) + 2)
    text = frame["months"].astype(str).str.strip().replace({"nan": "", "None": ""})
    months = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    bad = months.isna() & text.ne("") | (months < 0)
    if bad.any():
        shown = ", ".join(f"row {r}: {v!r}" for r, v in zip(rows[bad.to_numpy()][:SHOWN_PROBLEMS],
                                                             text[bad][:SHOWN_PROBLEMS]))
        raise WorkbenchError(f"Column 'months' must hold a number of months, 0 or more; found {shown}.")
    data = pd.DataFrame({"months": months.to_numpy(float),
                         "left": _flag(frame["left"], "left", rows).to_numpy(),
                         "group": _flag(frame["participant"], "participant", rows).map(
                             {True: "participants", False: "comparison"}).to_numpy()})
    strata: list[str] = []
    if "department" in frame.columns:
        data["department"] = frame["department"].fillna("").astype(str).str.strip().replace("", "(blank)").to_numpy()
        strata.append("department")
    numeric: list[str] = []
    if "level" in frame.columns:
        level = pd.to_numeric(frame["level"], errors="coerce")
        if level.notna().all():
            data["level"] = level.to_numpy(float)
            numeric.append("level")
    complete = data[["months", "left", "group"]].notna().all(axis=1)
    left_out = int((~complete).sum())
    data = data[complete].assign(left=lambda d: d["left"].astype(bool)).reset_index(drop=True)
    for name in ("participants", "comparison"):
        n = int((data["group"] == name).sum())
        if n < min_group:
            kind = "participant" if name == "participants" else "comparison"
            raise WorkbenchError(f"The turnover file has {n} {kind} row{'s' if n != 1 else ''}: fewer than "
                                 f"{min_group} cannot be compared without pointing at people.")
    covariates = strata + numeric
    survival = compare_survival(data, time="months", event="left", group="group", first="participants",
                                second="comparison", numeric=numeric, strata=strata, min_group=min_group)
    return TurnoverEvaluation(survival=survival, rows=int(len(data)), left_out=left_out,
                              covariates=tuple(covariates), file=file)
