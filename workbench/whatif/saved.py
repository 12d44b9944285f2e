"""The comparison saved for the design brief: ``results/whatif.json`` in the workspace.

:class:`SavedComparison` holds compared scenarios as plain data (:meth:`SavedComparison.of`): for each
scenario its name, description, the settings and model parameters it changes, the cohort's size, runs
and seed, and whether it stays within the budget; the KPI table of
:func:`~workbench.whatif.comparison_table` (effects with 95% intervals, and against the baseline with
P(better)); and optionally the largest swings of a tornado. Only aggregates: never a person's data.
:func:`save_comparison` stores it (one undoable, revision-checked save) and :func:`saved_comparison`
reads it back as the same object, whose :meth:`~SavedComparison.table` is the KPI table as a DataFrame
again. Its JSON (:data:`JSON_SCHEMA`) is the file, written byte for byte as before.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.privacy import refuse_when_published
from workbench.result import plain
from workbench.simulate import PARAMETERS, SimulationResult
from workbench.whatif.analysis import comparison_table
from workbench.whatif.run import budget_check
from workbench.whatif.scenarios import Scenario
from workbench.workspace import Workspace, save_files

#: Where the comparison for the brief is saved, in the workspace.
SAVED_COMPARISON = "results/whatif.json"
RECORD_VERSION = 1
#: Tornado rows kept for the brief (largest swings first).
TORNADO_ROWS = 8

_KPI_COLUMNS = ("kpi", "label", "unit", "higher_is_better", "scenario", "participants", "comparison", "effect", "low",
                "high", "vs_baseline", "vs_low", "vs_high", "p_better")
_TORNADO_COLUMNS = ("parameter", "kind", "description", "unit", "source", "low", "high", "range", "base", "at_low",
                    "at_high", "at_base", "swing")


def _changed_parameters(result: SimulationResult) -> dict[str, float]:
    return {name: float(value) for name, value in result.parameters.items()
            if name in PARAMETERS and not np.isclose(float(value), PARAMETERS[name].default, rtol=0, atol=1e-12)}


_NUMBER = {"type": ["number", "null"]}
_ROWS = {"type": "array", "items": {"type": "object"}}

#: JSON Schema (2020-12) of ``results/whatif.json`` (:meth:`SavedComparison.to_json`).
JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "What-if comparison saved for the design brief",
    "description": "Aggregates only: shares 0-1, money in the design's currency, null for a figure that does not "
                   "apply (no comparison group, the baseline against itself).",
    "type": "object", "required": ["version", "saved_on", "baseline", "scenarios", "kpis"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": RECORD_VERSION, "description": "version of this format"},
        "saved_on": {"type": "string", "description": "day of the save, YYYY-MM-DD"},
        "baseline": {"type": "string", "description": "the scenario the others are compared with"},
        "scenarios": {"type": "array", "minItems": 1, "description": "each scenario compared, the baseline first",
                      "items": {"type": "object", "required": ["name", "runs", "seed", "horizon_months"],
                                "properties": {
                                    "name": {"type": "string"}, "description": {"type": "string"},
                                    "overrides": {"type": "object", "description": "design settings it changes"},
                                    "parameters": {"type": "object", "description": "model parameters it changes"},
                                    "runs": {"type": "integer", "minimum": 2}, "seed": {"type": ["integer", "null"]},
                                    "horizon_months": {"type": "integer"},
                                    "cohort": {"type": "object", "description": "participants, mentors, "
                                                                                "unmatched_mentees"},
                                    "settings": {"type": "object", "description": "the settings simulated"},
                                    "budget": {"type": ["object", "null"], "description": "budget check, null "
                                                                                          "without a budget"}}}},
        "kpis": {**_ROWS, "description": "the KPI table: one row per KPI and scenario",
                 "items": {"type": "object", "required": list(_KPI_COLUMNS), "additionalProperties": False,
                           "properties": {"kpi": {"type": "string"}, "label": {"type": "string"},
                                          "unit": {"type": "string"}, "higher_is_better": {"type": "boolean"},
                                          "scenario": {"type": "string"},
                                          **{c: _NUMBER for c in _KPI_COLUMNS[5:]}}}},
        "tornado": {"type": "object", "required": ["kpi", "label", "scenario", "rows"],
                    "description": "the largest swings of the last sensitivity analysis",
                    "properties": {"kpi": {"type": ["string", "null"]}, "label": {"type": ["string", "null"]},
                                   "scenario": {"type": ["string", "null"]},
                                   "rows": {**_ROWS, "items": {"type": "object",
                                                               "required": list(_TORNADO_COLUMNS)}}}},
    },
}


@dataclass(frozen=True)
class SavedComparison:
    """Compared scenarios as saved for the brief (see the module docstring); every field is plain data.

    ``scenarios`` are the scenarios' entries (``name``, ``description``, ``overrides``, ``parameters``, ``runs``,
    ``seed``, ``horizon_months``, ``cohort``, ``settings``, ``budget``), the baseline first; ``kpis`` the KPI
    table's rows (:meth:`table` as a DataFrame); ``tornado`` the largest swings (``kpi``, ``label``, ``scenario``,
    ``rows``) or ``None``.
    """

    JSON_SCHEMA: ClassVar[dict] = JSON_SCHEMA

    saved_on: str
    baseline: str
    scenarios: tuple[dict, ...]
    kpis: tuple[dict, ...]
    tornado: dict | None = None
    version: int = RECORD_VERSION

    @classmethod
    def of(cls, results: Sequence[SimulationResult], *, scenarios: Sequence[Scenario] = (),
           baseline: int | str = 0, tornado: pd.DataFrame | None = None,
           saved_on: datetime.date | None = None) -> Self:
        """The compared ``results`` (see the module docstring).

        ``scenarios`` supply descriptions (matched by name); ``baseline`` as for
        :func:`~workbench.whatif.comparison_table`; ``tornado`` a table of
        :func:`~workbench.whatif.tornado` (its largest swings are kept; an
        ``attrs["scenario"]`` naming the scenario it was computed on is kept too).
        """
        results = list(results)
        table = comparison_table(results, baseline=baseline)
        names = [r.name for r in results]
        described = {s.name: s.description for s in scenarios}
        entries = [{
            "name": result.name, "description": described.get(result.name, ""),
            "overrides": dict(result.settings.get("overrides") or {}),
            "parameters": _changed_parameters(result),
            "runs": result.runs, "seed": (result.seed or {}).get("entropy"), "horizon_months": result.horizon_months,
            "cohort": {k: result.cohort.get(k) for k in ("participants", "mentors", "unmatched_mentees")},
            "settings": {k: result.settings.get(k) for k in ("structure", "duration_months", "cadence",
                                                             "meeting_minutes", "mentor_capacity", "rematching",
                                                             "mentor_training_hours", "mentee_training_hours",
                                                             "budget", "currency")},
            "budget": budget_check(result),
        } for result in results]
        swings = None
        if tornado is not None and len(tornado):
            top = tornado[tornado["swing"].notna()].head(TORNADO_ROWS)
            swings = {"kpi": tornado.attrs.get("kpi"), "label": tornado.attrs.get("label"),
                      "scenario": tornado.attrs.get("scenario"), "rows": top[list(_TORNADO_COLUMNS)].to_dict("records")}
        return cls.from_json(plain({
            "version": RECORD_VERSION, "saved_on": (saved_on or datetime.date.today()).isoformat(),
            "baseline": baseline if isinstance(baseline, str) else names[baseline], "scenarios": entries,
            "kpis": table[list(_KPI_COLUMNS)].to_dict("records"), **({"tornado": swings} if swings else {})}))

    @property
    def currency(self) -> str:
        """The baseline's currency (``""`` when it has none)."""
        return (self.scenarios[0].get("settings") or {}).get("currency") or ""

    def summary(self) -> dict:
        """The headline figures as plain data: ``saved_on``, ``baseline``, ``scenarios`` (names, the baseline first),
        the baseline's ``runs``, ``seed`` and ``horizon_months`` (every scenario is simulated alike), ``currency``."""
        first = self.scenarios[0]
        return {"saved_on": self.saved_on, "baseline": self.baseline,
                "scenarios": [str(s.get("name", "-")) for s in self.scenarios], "runs": first.get("runs"),
                "seed": first.get("seed"), "horizon_months": first.get("horizon_months"), "currency": self.currency}

    def by_group(self, attribute: str) -> pd.DataFrame:
        """A saved comparison holds no breakdown by group (it keeps the aggregate KPI table only): run a scenario
        and use :meth:`SimulationResult.by_group <workbench.simulate.SimulationResult.by_group>` (retention by
        department, level or location)."""
        raise WorkbenchError(f"A saved comparison has no breakdown by {attribute!r}: it keeps the KPI table only. "
                             "Simulate a scenario to see retention by department, level or location.")

    def table(self) -> pd.DataFrame:
        """The KPI table, as :func:`~workbench.whatif.comparison_table` made it."""
        table = pd.DataFrame(list(self.kpis), columns=list(_KPI_COLUMNS))
        for column in _KPI_COLUMNS[5:]:
            table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
        table["higher_is_better"] = table["higher_is_better"].astype(bool)
        return table

    def tornado_table(self) -> pd.DataFrame | None:
        """The saved swings as a table of :func:`~workbench.whatif.tornado` (``attrs`` ``kpi``, ``label``,
        ``scenario``), or ``None`` when none is saved."""
        if not self.tornado or not self.tornado.get("rows"):
            return None
        frame = pd.DataFrame(self.tornado["rows"])
        frame.attrs.update(kpi=self.tornado.get("kpi") or "retention", label=self.tornado.get("label"),
                           scenario=self.tornado.get("scenario"))
        return frame

    def to_json(self) -> dict:
        """The saved file's data under :data:`JSON_SCHEMA`."""
        return plain({"version": self.version, "saved_on": self.saved_on, "baseline": self.baseline,
                      "scenarios": list(self.scenarios), "kpis": list(self.kpis),
                      **({"tornado": self.tornado} if self.tornado is not None else {})})

    @classmethod
    def from_json(cls, document: dict) -> Self:
        """The comparison :meth:`to_json` wrote; :class:`~workbench.errors.WorkbenchError` when ``document`` is
        not one."""
        if not isinstance(document, dict) or not isinstance(document.get("scenarios"), list) \
                or not document["scenarios"] or not isinstance(document.get("kpis"), list):
            raise WorkbenchError("This is not a saved comparison: save the results again on the What-if page.")
        return cls(saved_on=document.get("saved_on"), baseline=document.get("baseline"),
                   scenarios=tuple(document["scenarios"]), kpis=tuple(document["kpis"]),
                   tornado=document.get("tornado"), version=document.get("version", RECORD_VERSION))


def save_comparison(workspace: Workspace, comparison: SavedComparison) -> Workspace:
    """Save ``comparison`` as ``results/whatif.json``; returns the workspace as saved.

    Refused with :class:`~workbench.workspace.StaleWorkspaceError` when a comparison was saved elsewhere
    since ``workspace`` was read, and in the published app (:func:`workbench.privacy.refuse_when_published`).
    """
    refuse_when_published()
    names = ", ".join(s["name"] for s in comparison.scenarios)
    return save_files(workspace, comparison_files(comparison), message=f"save the what-if comparison ({names})")


def comparison_files(comparison: SavedComparison) -> dict[str, str]:
    """The file a saved comparison is (name in the program's folder -> text): its JSON, keys sorted."""
    return {SAVED_COMPARISON: json.dumps(comparison.to_json(), indent=2, sort_keys=True, allow_nan=False,
                                         ensure_ascii=False) + "\n"}


def saved_comparison(workspace: Workspace) -> SavedComparison | None:
    """The comparison saved for the brief, or ``None`` when none is saved."""
    path = workspace.files / SAVED_COMPARISON
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise WorkbenchError(f"{SAVED_COMPARISON} in the workspace {workspace.name!r} cannot be read: save the "
                             "results again on the What-if page.") from None
    try:
        return SavedComparison.from_json(document)
    except WorkbenchError:
        raise WorkbenchError(f"{SAVED_COMPARISON} in the workspace {workspace.name!r} is not a saved comparison: "
                             "save the results again on the What-if page.") from None
