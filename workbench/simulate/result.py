"""One shape for every simulated scenario: KPIs with intervals, breakdowns, distributions, comparison, JSON.

Intervals: ``low``/``high`` are the 95% confidence interval of the mean over
runs (mean +- 1.96 standard errors), so they narrow as runs grow (by about
1/sqrt(2) when runs double); ``p05``/``p95`` are the spread of single runs
(what one cohort may see). Distributions are binned run-level KPIs, never raw
draws. Group breakdowns blank groups under five participants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.privacy import MIN_GROUP, hide_small_groups
from workbench.result import KPI, Interval, plain

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
    ``p_positive`` the share of runs in which participants beat the comparison group (``None`` without one).
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


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """KPIs of one scenario; ``runs_kpis[k]`` holds run-level values ``(participants, comparison or None)``."""

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

    def effect(self, kpi: str) -> np.ndarray:
        """Run-level effect of ``kpi``: participants minus comparison, or the value itself for program-only KPIs."""
        participants, comparison = self.runs_kpis[kpi]
        return participants - comparison if comparison is not None else participants

    def kpi(self, name: str) -> KPIFigures:
        """``name``'s figures: means with their 95% CI and run spread, per side (see :class:`KPIFigures`)."""
        participants, comparison = self.runs_kpis[name]
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
                stats = figures.side(side) or dict.fromkeys(("mean", "low", "high", "p05", "p95"), np.nan)
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

    def by_group(self, attribute: str) -> pd.DataFrame:
        """Retention per group of ``attribute``: participants, comparison, difference; groups under five hidden, and
        enough others that none can be worked out from the cohort's total (:func:`~workbench.privacy.hide_small_groups`)."""
        if attribute not in self.groups:
            raise KeyError(f"no breakdown by {attribute!r}; available: {', '.join(self.groups)}")
        return hide_small_groups(self.groups[attribute], [attribute], count="participants", min_group=MIN_GROUP)

    def distribution(self, kpi: str, bins: int = 20) -> pd.DataFrame:
        """Binned run-level values of ``kpi`` (participants, comparison, effect): ``series, start, end, share``."""
        participants, comparison = self.runs_kpis[kpi]
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
        """Every figure under the documented schema (see ``docs`` in the README); no raw draws, no timestamps."""
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

    def json_text(self) -> str:
        """:meth:`to_json` as text (sorted keys, so the same result gives the same bytes)."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, allow_nan=False) + "\n"
