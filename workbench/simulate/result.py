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
from workbench.result import KPI

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


def _interval(values: np.ndarray) -> dict[str, float]:
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean())
    se = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
    return {"mean": mean, "low": mean - Z95 * se, "high": mean + Z95 * se,
            "p05": float(np.percentile(values, 5)), "p95": float(np.percentile(values, 95))}


def _clean(value):
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if not np.isfinite(value) else round(value, 10)
    return value


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

    def kpis(self) -> pd.DataFrame:
        """One row per KPI: participants', comparison's and difference's mean, 95% CI and run spread."""
        rows = []
        for kpi, spec in KPIS.items():
            participants, comparison = self.runs_kpis[kpi]
            row = {"kpi": kpi, "label": spec.label, "unit": spec.unit, "higher_is_better": spec.higher_is_better}
            for prefix, values in (("participants", participants), ("comparison", comparison),
                                   ("difference", self.effect(kpi) if comparison is not None else None)):
                stats = _interval(values) if values is not None else dict.fromkeys(("mean", "low", "high", "p05",
                                                                                    "p95"), np.nan)
                row.update({f"{prefix}_{k}": v for k, v in stats.items()})
            row["p_positive"] = float((self.effect(kpi) > 0).mean()) if comparison is not None else np.nan
            rows.append(row)
        return pd.DataFrame(rows)

    def kpi(self, name: str) -> dict[str, float]:
        """One KPI's row as a dict."""
        return self.kpis().set_index("kpi").loc[name].to_dict()

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
        for row in self.kpis().to_dict("records"):
            entry = {"label": row["label"], "unit": row["unit"], "higher_is_better": row["higher_is_better"]}
            for prefix in ("participants", "comparison", "difference"):
                values = {k: row[f"{prefix}_{k}"] for k in ("mean", "low", "high", "p05", "p95")}
                entry[prefix] = None if np.isnan(values["mean"]) else values
            if entry["difference"] is not None:
                entry["difference"]["p_positive"] = row["p_positive"]
            kpis[row["kpi"]] = entry
        groups = {name: self.by_group(name).drop(columns=["hidden", "hidden_small"], errors="ignore").to_dict("records")
                  for name in self.groups}
        return _clean({
            "schema_version": JSON_SCHEMA_VERSION, "scenario": self.name, "seed": self.seed, "runs": self.runs,
            "horizon_months": self.horizon_months, "parameters": self.parameters, "settings": self.settings,
            "cohort": self.cohort, "kpis": kpis, "retention_by_group": groups,
            "survival": self.survival.to_dict("records"),
        })

    def json_text(self) -> str:
        """:meth:`to_json` as text (sorted keys, so the same result gives the same bytes)."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, allow_nan=False) + "\n"
