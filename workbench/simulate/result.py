"""One shape for every simulated scenario: KPIs with intervals, breakdowns, distributions, comparison, JSON.

:class:`SimulationResult` follows the result protocol (:mod:`workbench.result`): ``summary()``,
``by_group(attribute)``, ``to_json()``/``from_json()`` under :data:`JSON_SCHEMA`, kept here.

Intervals (:class:`~workbench.result.Interval`, :meth:`SimulationResult.kpi`): the 95% confidence
interval of the mean over runs (mean +- 1.96 standard errors, ``low``/``high`` in the JSON), which
narrows as runs grow (by about 1/sqrt(2) when runs double), and the spread of single runs, their 5th
to 95th percentile (level 0.90, ``p05``/``p95`` in the JSON: what one cohort may see). Distributions are
binned run-level KPIs, never raw draws. Group breakdowns blank groups under five participants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Self

import numpy as np
import pandas as pd

from workbench.data.problems import WARNINGS_JSON_SCHEMA
from workbench.errors import WorkbenchError
from workbench.privacy import MIN_GROUP, hide_small_groups
from workbench.result import KPI, Interval, json_text, plain
from workbench.simulate.parameters import PARAMETERS

JSON_SCHEMA_VERSION = 1
Z95 = 1.959963984540054

#: Every KPI a simulation reports, by name (:class:`~workbench.result.KPI`: label, unit, whether it is measured
#: against the simulated comparison group, which way is better).
KPIS: dict[str, KPI] = {k.name: k for k in (
    KPI("retention", "Participants still employed at the horizon", "share 0-1", compared=True),
    KPI("exits", "Participants who leave by the horizon", "people", compared=True, higher_is_better=False),
    KPI("promotion", "Participants promoted by the horizon", "share 0-1", compared=True),
    KPI("skill_gap_closed", "Share of targeted skill-gap levels closed", "share 0-1", compared=True),
    KPI("meetings", "Meetings held per participant", "meetings"),
    KPI("early_closure", "Relationships closed before the program ends", "share 0-1", higher_is_better=False),
    KPI("quality", "Mean relationship quality", "0-1"),
    KPI("cost", "Program cost", "currency", higher_is_better=False),
    KPI("benefit", "Exits avoided x replacement cost", "currency"),
    KPI("roi", "Return on investment, (benefit - cost) / cost", "ratio"),
)}


SIDES = ("participants", "comparison", "difference")
#: The figures of a side in the JSON: mean, its 95% CI (low, high), the run spread (p05, p95).
STATS = ("mean", "low", "high", "p05", "p95")


def _figures(values: np.ndarray) -> tuple[Interval, Interval]:
    """The mean of run-level ``values`` with its 95% CI, and with the spread of single runs (5th-95th percentile)."""
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean())
    se = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
    return (Interval(mean, mean - Z95 * se, mean + Z95 * se),
            Interval(mean, float(np.percentile(values, 5)), float(np.percentile(values, 95)), level=0.90))


@dataclass(frozen=True)
class KPIFigures:
    """One KPI of a scenario over its runs, per side (``participants``, ``comparison``, ``difference``: the two
    last only for a KPI measured against the comparison group).

    ``mean[side]`` is the mean over runs with its 95% confidence interval (narrows as runs grow), ``spread[side]``
    the same mean with the single runs' 5th and 95th percentiles (``level`` 0.90: what one cohort may see);
    ``p_positive`` the share of runs whose difference is above zero (``None`` without a comparison group).
    """

    kpi: KPI
    mean: dict[str, Interval]
    spread: dict[str, Interval]
    p_positive: float | None = None

    def side(self, name: str) -> dict | None:
        """One side as the saved JSON writes it: ``{mean, low, high, p05, p95}``, ``None`` when there is none."""
        mean, spread = self.mean.get(name), self.spread.get(name)
        if mean is None or not np.isfinite(mean.estimate):
            return None
        return {"mean": mean.estimate, "low": mean.low, "high": mean.high, "p05": spread.low, "p95": spread.high}


_NUMBER = {"type": "number"}
_MAYBE_NUMBER = {"type": ["number", "null"]}


def _stats(extra: dict | None = None) -> dict:
    properties = {name: _NUMBER for name in sorted(STATS)} | (extra or {})
    return {"type": "object", "required": sorted(properties), "properties": properties,
            "additionalProperties": False}


def _kpi(with_comparison: bool) -> dict:
    side = _stats() if with_comparison else {"type": "null"}
    difference = _stats({"p_positive": {"type": "number", "minimum": 0, "maximum": 1}}) if with_comparison \
        else {"type": "null"}
    return {
        "type": "object",
        "required": ["label", "unit", "higher_is_better", "participants", "comparison", "difference"],
        "properties": {"label": {"type": "string"}, "unit": {"type": "string"},
                       "higher_is_better": {"type": "boolean"}, "participants": _stats(), "comparison": side,
                       "difference": difference},
        "additionalProperties": False,
    }


_GROUP_ROW = {
    "type": "object",
    "required": ["participants", "retention", "comparison", "difference", "low", "high"],
    "properties": {"participants": {"type": ["integer", "null"], "minimum": 5},
                   "retention": _MAYBE_NUMBER, "comparison": _MAYBE_NUMBER, "difference": _MAYBE_NUMBER,
                   "low": _MAYBE_NUMBER, "high": _MAYBE_NUMBER},
    "additionalProperties": {"type": "string"},  # the group's own column (department, level, location)
    "minProperties": 7, "maxProperties": 7,
}

#: JSON Schema (2020-12) of one simulated scenario: :meth:`SimulationResult.to_json`, ``workbench simulate --out``.
#: The README's What-if section describes it in words.
JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Simulated mentoring program scenario",
    "type": "object",
    "required": ["schema_version", "scenario", "seed", "runs", "horizon_months", "parameters", "settings", "cohort",
                 "kpis", "retention_by_group", "survival"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": JSON_SCHEMA_VERSION, "description": "bumped when the shape changes"},
        "scenario": {"type": "string", "description": "the scenario's name; 'design' is the design itself"},
        "seed": {
            "type": "object", "required": ["entropy", "spawn_key"], "additionalProperties": False,
            "description": "numpy SeedSequence(entropy, spawn_key=...): with the inputs, reproduces every figure",
            "properties": {"entropy": {"type": "integer", "minimum": 0},
                           "spawn_key": {"type": "array", "items": {"type": "integer", "minimum": 0}}},
        },
        "runs": {"type": "integer", "minimum": 2},
        "horizon_months": {"type": "integer", "minimum": 1, "maximum": 60},
        "parameters": {
            "type": "object", "description": "every outcome-model parameter used (defaults and overrides)",
            "required": sorted(PARAMETERS), "additionalProperties": False,
            "properties": {name: _NUMBER for name in sorted(PARAMETERS)},
        },
        "settings": {
            "type": "object", "description": "every design setting the simulation used (structure, duration, "
                                             "cadence, meeting length, training, re-matching, matching method; "
                                             "from what-if also capacity, weights, budget and the overrides)",
            "required": ["structure", "duration_months", "cadence", "meeting_minutes", "rematching",
                         "mentor_training_hours", "mentee_training_hours", "matching_method"],
        },
        "cohort": {
            "type": "object", "required": ["participants", "mentors", "unmatched_mentees", "group_size"],
            "properties": {"participants": {"type": "integer", "minimum": 1},
                           "mentors": {"type": "integer", "minimum": 0},
                           "unmatched_mentees": {"type": "integer", "minimum": 0}, "group_size": _NUMBER},
        },
        "kpis": {
            "type": "object", "required": sorted(KPIS), "additionalProperties": False,
            "properties": {name: _kpi(spec.compared) for name, spec in KPIS.items()},
        },
        "retention_by_group": {
            "type": "object", "description": "retention per group; groups under five participants blanked",
            "additionalProperties": {"type": "array", "items": _GROUP_ROW},
        },
        "survival": {
            "type": "array", "description": "share still employed at the end of each month",
            "items": {"type": "object", "required": ["month", "participants", "comparison"],
                      "additionalProperties": False,
                      "properties": {"month": {"type": "integer", "minimum": 1},
                                     "participants": {"type": "number", "minimum": 0, "maximum": 1},
                                     "comparison": {"type": "number", "minimum": 0, "maximum": 1}}},
        },
        "budget": {
            "type": "object", "description": "written by `workbench simulate` when the design sets a budget",
            "required": ["budget", "currency", "expected_cost", "p_within"], "additionalProperties": False,
            "properties": {"budget": _NUMBER, "currency": {"type": "string"}, "expected_cost": _NUMBER,
                           "p_within": {"type": "number", "minimum": 0, "maximum": 1}},
        },
        "warnings": {**WARNINGS_JSON_SCHEMA, "description": "written by `workbench simulate`: "
                                                           + WARNINGS_JSON_SCHEMA["description"]},
    },
}


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """KPIs of one scenario; ``runs_kpis[k]`` holds run-level values ``(participants, comparison or None)``.

    A result read back with :meth:`from_json` holds the saved figures (``figures``) and no run-level values:
    its KPIs, breakdowns, survival, :meth:`summary` and :meth:`to_json` are as saved; what needs the runs
    (:meth:`effect`, :meth:`compare`, :meth:`distribution`) asks to simulate again.
    """

    JSON_SCHEMA: ClassVar[dict] = JSON_SCHEMA

    name: str
    runs: int
    seed: dict
    horizon_months: int
    parameters: dict
    settings: dict
    cohort: dict
    runs_kpis: dict[str, tuple[np.ndarray, np.ndarray | None]] = field(repr=False)
    groups: dict[str, pd.DataFrame] = field(repr=False)
    survival: pd.DataFrame = field(repr=False)
    figures: dict[str, KPIFigures] | None = field(default=None, repr=False)

    def _runs(self, kpi: str) -> tuple[np.ndarray, np.ndarray | None]:
        if self.figures is not None:
            raise WorkbenchError(f"The scenario {self.name!r} was read from its saved figures, which hold no "
                                 "run-level values: simulate it again to compare runs or draw their spread.")
        return self.runs_kpis[kpi]

    def effect(self, kpi: str) -> np.ndarray:
        """Run-level effect of ``kpi``: participants minus comparison, or the value itself for program-only KPIs."""
        participants, comparison = self._runs(kpi)
        return participants - comparison if comparison is not None else participants

    def kpi(self, name: str) -> KPIFigures:
        """``name``'s figures: means with their 95% CI and run spread, per side (see :class:`KPIFigures`)."""
        if self.figures is not None:
            return self.figures[name]
        participants, comparison = self._runs(name)
        sides = {"participants": participants}
        if comparison is not None:
            sides.update(comparison=comparison, difference=self.effect(name))
        figures = {side: _figures(values) for side, values in sides.items()}
        return KPIFigures(KPIS[name], mean={side: f[0] for side, f in figures.items()},
                          spread={side: f[1] for side, f in figures.items()},
                          p_positive=float((self.effect(name) > 0).mean()) if comparison is not None else None)

    def kpis(self) -> pd.DataFrame:
        """One row per KPI: participants', comparison's and difference's mean, 95% CI and run spread."""
        rows = []
        for kpi, spec in KPIS.items():
            figures = self.kpi(kpi)
            row = {"kpi": kpi, "label": spec.label, "unit": spec.unit, "higher_is_better": spec.higher_is_better}
            for side in SIDES:
                stats = figures.side(side) or dict.fromkeys(STATS, np.nan)
                row.update({f"{side}_{k}": v for k, v in stats.items()})
            row["p_positive"] = np.nan if figures.p_positive is None else figures.p_positive
            rows.append(row)
        return pd.DataFrame(rows)

    def compare(self, other: "SimulationResult") -> pd.DataFrame:
        """Per KPI: this scenario's effect minus ``other``'s, its 95% CI, and P(this beats other).

        The effect is the difference from the comparison group where there is
        one, else the KPI itself. "Beats" follows the KPI's direction (fewer
        exits, lower cost and fewer early closures are better); P is the share
        of run pairs in which this scenario does better, ties counting half.
        """
        rows = []
        for kpi, spec in KPIS.items():
            a, b = self.effect(kpi), other.effect(kpi)
            diff = float(a.mean() - b.mean())
            se = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))) if min(len(a), len(b)) > 1 else 0.0
            k = min(len(a), len(b))
            wins = spec.better(a[:k], b[:k])
            p_better = float(wins.mean() + 0.5 * (a[:k] == b[:k]).mean())
            rows.append({"kpi": kpi, "label": spec.label, "unit": spec.unit, "higher_is_better": spec.higher_is_better,
                         "this": float(a.mean()), "other": float(b.mean()), "difference": diff,
                         "low": diff - Z95 * se, "high": diff + Z95 * se, "p_better": p_better})
        return pd.DataFrame(rows)

    def summary(self) -> dict:
        """The headline figures as plain data: ``scenario``, ``runs``, ``horizon_months``, ``participants`` (people)
        and ``effects``: each KPI's mean over runs, against the comparison group where it has one (shares 0-1,
        exits in people, money in the design's currency)."""
        effects = {kpi: self.kpi(kpi).mean["difference" if spec.compared else "participants"].estimate
                   for kpi, spec in KPIS.items()}
        return plain({"scenario": self.name, "runs": self.runs, "horizon_months": self.horizon_months,
                      "participants": self.cohort.get("participants"), "effects": effects})

    def by_group(self, attribute: str) -> pd.DataFrame:
        """Retention per group of ``attribute``: participants, comparison, difference; groups under five hidden, and
        enough others that none can be worked out from the cohort's total (:func:`~workbench.privacy.hide_small_groups`).
        A result read back with :meth:`from_json` gives the rows as saved (hidden already)."""
        if attribute not in self.groups:
            raise WorkbenchError(f"The simulation breaks retention down by {', '.join(self.groups) or 'nothing'}, not by "
                                 f"{attribute!r}.")
        if self.figures is not None:
            return self.groups[attribute].copy()
        return hide_small_groups(self.groups[attribute], [attribute], count="participants", min_group=MIN_GROUP)

    def distribution(self, kpi: str, bins: int = 20) -> pd.DataFrame:
        """Binned run-level values of ``kpi`` (participants, comparison, effect): ``series, start, end, share``."""
        participants, comparison = self._runs(kpi)
        series = {"participants": participants}
        if comparison is not None:
            series.update(comparison=comparison, difference=participants - comparison)
        rows = []
        for name, values in series.items():
            low, high = float(values.min()), float(values.max())
            if high <= low:
                high = low + 1e-9
            counts, edges = np.histogram(values, bins=bins, range=(low, high))
            rows += [{"series": name, "start": float(s), "end": float(e), "share": c / len(values)}
                     for s, e, c in zip(edges[:-1], edges[1:], counts)]
        return pd.DataFrame(rows)

    def to_json(self) -> dict:
        """Every figure under :data:`JSON_SCHEMA` (the README's What-if section); no raw draws, no timestamps."""
        kpis = {}
        for kpi, spec in KPIS.items():
            figures = self.kpi(kpi)
            entry = {"label": spec.label, "unit": spec.unit, "higher_is_better": spec.higher_is_better}
            entry.update({side: figures.side(side) for side in SIDES})
            if entry["difference"] is not None:
                entry["difference"]["p_positive"] = figures.p_positive
            kpis[kpi] = entry
        groups = {name: self.by_group(name).drop(columns=["hidden", "hidden_small"], errors="ignore").to_dict("records")
                  for name in self.groups}
        return plain({
            "schema_version": JSON_SCHEMA_VERSION, "scenario": self.name, "seed": self.seed, "runs": self.runs,
            "horizon_months": self.horizon_months, "parameters": self.parameters, "settings": self.settings,
            "cohort": self.cohort, "kpis": kpis, "retention_by_group": groups,
            "survival": self.survival.to_dict("records"),
        })

    @classmethod
    def from_json(cls, document: dict) -> Self:
        """The result :meth:`to_json` wrote, with its saved figures (see the class docstring); keys written beside
        them (``budget``, ``warnings`` of ``workbench simulate``) are left out."""
        if document.get("schema_version") != JSON_SCHEMA_VERSION:
            raise WorkbenchError(f"This simulation was saved under schema version {document.get('schema_version')!r}; "
                                 f"this workbench reads version {JSON_SCHEMA_VERSION}: simulate it again.")
        figures = {}
        for kpi, spec in KPIS.items():
            saved = document["kpis"][kpi]
            sides = {side: saved[side] for side in SIDES if saved.get(side) is not None}
            figures[kpi] = KPIFigures(
                spec, mean={side: Interval(v["mean"], v["low"], v["high"]) for side, v in sides.items()},
                spread={side: Interval(v["mean"], v["p05"], v["p95"], level=0.90) for side, v in sides.items()},
                p_positive=sides["difference"]["p_positive"] if "difference" in sides else None)
        return cls(name=document["scenario"], runs=document["runs"], seed=dict(document["seed"]),
                   horizon_months=document["horizon_months"], parameters=dict(document["parameters"]),
                   settings=dict(document["settings"]), cohort=dict(document["cohort"]), runs_kpis={},
                   groups={name: pd.DataFrame(rows, dtype=object) for name, rows in document["retention_by_group"].items()},
                   survival=pd.DataFrame(document["survival"]), figures=figures)

    def json_text(self) -> str:
        """:meth:`to_json` as text (sorted keys, so the same result gives the same bytes)."""
        return json_text(self)
