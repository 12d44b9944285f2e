"""The comparison saved for the design brief: ``results/whatif.json`` in the workspace.

:func:`comparison_record` turns compared scenarios into plain data: for each
scenario its name, description, the settings and model parameters it
changes, the cohort's size, runs and seed, and whether it stays within the
budget; the KPI table of :func:`~workbench.whatif.comparison_table` (effects
with 95% intervals, and against the baseline with P(better)); and optionally
the largest swings of a tornado. Only aggregates: never a person's data.
:func:`save_comparison` stores it (one undoable, revision-checked save) and
:func:`saved_comparison` reads it back; :func:`saved_comparison_table` gives
the KPI table as a DataFrame again.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError
from workbench.privacy import refuse_when_published
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


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if not np.isfinite(value) else round(value, 10)
    return value


def _changed_parameters(result: SimulationResult) -> dict[str, float]:
    return {name: float(value) for name, value in result.parameters.items()
            if name in PARAMETERS and not np.isclose(float(value), PARAMETERS[name].default, rtol=0, atol=1e-12)}


def comparison_record(results: Sequence[SimulationResult], *, scenarios: Sequence[Scenario] = (),
                      baseline: int | str = 0, tornado: pd.DataFrame | None = None,
                      saved_on: datetime.date | None = None) -> dict:
    """The compared ``results`` as plain data for ``results/whatif.json`` (see the module docstring).

    ``scenarios`` supply descriptions (matched by name); ``baseline`` as for
    :func:`~workbench.whatif.comparison_table`; ``tornado`` a table of
    :func:`~workbench.whatif.tornado` (its largest swings are kept; an
    ``attrs["scenario"]`` naming the scenario it was computed on is kept too).
    """
    results = list(results)
    table = comparison_table(results, baseline=baseline)
    names = [r.name for r in results]
    base = baseline if isinstance(baseline, str) else names[baseline]
    described = {s.name: s.description for s in scenarios}
    entries = []
    for result in results:
        entries.append({
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
        })
    record = {"version": RECORD_VERSION, "saved_on": (saved_on or datetime.date.today()).isoformat(),
              "baseline": base, "scenarios": entries,
              "kpis": table[list(_KPI_COLUMNS)].to_dict("records")}
    if tornado is not None and len(tornado):
        top = tornado[tornado["swing"].notna()].head(TORNADO_ROWS)
        record["tornado"] = {"kpi": tornado.attrs.get("kpi"), "label": tornado.attrs.get("label"),
                             "scenario": tornado.attrs.get("scenario"),
                             "rows": top[list(_TORNADO_COLUMNS)].to_dict("records")}
    return _plain(record)


def save_comparison(workspace: Workspace, record: dict) -> Workspace:
    """Save ``record`` (:func:`comparison_record`) as ``results/whatif.json``; returns the workspace as saved.

    Refused with :class:`~workbench.workspace.StaleWorkspaceError` when a comparison was saved elsewhere
    since ``workspace`` was read, and in the published app (:func:`workbench.privacy.refuse_when_published`).
    """
    refuse_when_published()
    names = ", ".join(s["name"] for s in record.get("scenarios", []))
    return save_files(workspace, comparison_files(record), message=f"save the what-if comparison ({names})")


def comparison_files(record: dict) -> dict[str, str]:
    """The file a saved comparison is (name in the program's folder -> text): ``record`` as sorted JSON."""
    return {SAVED_COMPARISON: json.dumps(_plain(record), indent=2, sort_keys=True, allow_nan=False,
                                         ensure_ascii=False) + "\n"}


def saved_comparison(workspace: Workspace) -> dict | None:
    """The comparison saved for the brief, or ``None`` when none is saved."""
    path = workspace.files / SAVED_COMPARISON
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise WorkbenchError(f"{SAVED_COMPARISON} in the workspace {workspace.name!r} cannot be read: save the "
                             "results again on the What-if page.") from None
    if not isinstance(record, dict) or not isinstance(record.get("scenarios"), list) \
            or not isinstance(record.get("kpis"), list):
        raise WorkbenchError(f"{SAVED_COMPARISON} in the workspace {workspace.name!r} is not a saved comparison: "
                             "save the results again on the What-if page.")
    return record


def saved_comparison_table(record: dict) -> pd.DataFrame:
    """The KPI table of a saved record, as :func:`~workbench.whatif.comparison_table` made it."""
    table = pd.DataFrame(record["kpis"], columns=list(_KPI_COLUMNS))
    for column in ("participants", "comparison", "effect", "low", "high", "vs_baseline", "vs_low", "vs_high",
                   "p_better"):
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    table["higher_is_better"] = table["higher_is_better"].astype(bool)
    return table
