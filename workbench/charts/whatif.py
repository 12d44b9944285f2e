"""What-if charts, each with a plain-language caption.

Every builder takes a frame made by :mod:`workbench.whatif` or
:mod:`workbench.simulate` and returns an Altair chart; its ``*_caption``
companion takes the same arguments and returns text for a non-technical
reader, computed from the same rows the chart draws.

* :func:`effects_chart`: each KPI's effect per scenario with its 95% interval
  (:func:`~workbench.whatif.comparison_table`).
* :func:`distribution_chart`: binned run-level values of one KPI per scenario
  (:meth:`~workbench.simulate.SimulationResult.distribution`).
* :func:`survival_chart`: share still employed month by month, participants
  against the comparison group (``SimulationResult.survival``).
* :func:`tornado_chart`: how far a KPI moves when each model parameter goes
  to the ends of its range (:func:`~workbench.whatif.tornado`).
* :func:`frontier_chart`: cost against impact, the efficient scenarios joined
  (:func:`~workbench.whatif.frontier`).
* :func:`programs_chart`: exits avoided per program and for all programs
  together, with 95% intervals (:meth:`~workbench.whatif.ProgramsForecast.table`).

Common rules: shares are shown in percent (effects against the comparison
group in percentage points); scenarios keep the order they first appear in and
the same colour in every chart (:func:`scenario_colours`); inputs are small
aggregates and a chart never embeds more than ``MAX_ROWS`` rows; empty inputs
give a chart that says "No data for this selection".
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from workbench.simulate import KPIS
from workbench.whatif.programs import ALL_PROGRAMS
from workbench.charts.common import (
    MAX_ROWS,
    NO_DATA,
    is_empty as _is_empty,
    require as _require,
    check_size as _check_size,
    title as _title,
    no_data_chart,
)


def _no_data_chart(text: str) -> alt.Chart:
    return no_data_chart(text, WIDTH)

__all__ = [
    "COMPARISON_KPIS",
    "KPI_GROUPS",
    "NO_DATA",
    "distribution_caption",
    "distribution_chart",
    "effects_caption",
    "effects_chart",
    "format_effect",
    "frontier_caption",
    "frontier_chart",
    "kpi_scale",
    "programs_caption",
    "programs_chart",
    "scenario_colours",
    "survival_caption",
    "survival_chart",
    "tornado_caption",
    "tornado_chart",
]

WIDTH = 520
#: KPIs measured against the simulated comparison group.
COMPARISON_KPIS = tuple(k for k, spec in KPIS.items() if spec.compared)
#: Groups of KPIs shown together: (label, KPIs).
KPI_GROUPS = {
    "comparison": ("Effects against the comparison group", COMPARISON_KPIS),
    "program": ("How the program runs", ("meetings", "early_closure", "quality")),
    "money": ("Cost and return", ("cost", "benefit", "roi")),
}
#: Parameters shown in a tornado at most.
TORNADO_ROWS = 12
_PALETTE = ["#4d4d4d", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#17becf",
            "#bcbd22"]
_EFFICIENT = "#1b7f3b"
_OTHER = "#9e9e9e"
_LOW_END = "#d95f02"
_HIGH_END = "#1b9e77"


# ---------------------------------------------------------------------------
# shared helpers


def kpi_scale(kpi: str, currency: str = "") -> tuple[float, str, str]:
    """How to show ``kpi``: ``(factor, unit text, value format)``; shares become percent (points for effects)."""
    unit = KPIS[kpi].unit
    if unit.startswith("share"):
        return 100.0, ("percentage points" if KPIS[kpi].compared else "%"), ".1f"
    if unit == "currency":
        return 1.0, currency or "currency units", ",.0f"
    if unit == "ratio":
        return 1.0, "x cost", ".2f"
    if unit == "0-1":
        return 1.0, "on a 0-1 scale", ".2f"
    return 1.0, unit, ",.2f"


def format_effect(kpi: str, value: float, currency: str = "", *, sign: bool = False) -> str:
    """``value`` of ``kpi``'s effect in the unit people read (``2.5 points``, ``-0.8 people``, ``35,010 EUR``)."""
    if value is None or not np.isfinite(value):
        return "-"
    factor, unit, fmt = kpi_scale(kpi, currency)
    shown = float(format(value * factor, fmt.replace(",", "")))
    number = format(shown + 0.0, ("+" if sign and shown != 0 else "") + fmt)  # never "-0.0"
    if unit == "percentage points":
        return f"{number} points"
    if unit == "%":
        return f"{number}%"
    if unit == "x cost":
        return number
    if unit == "on a 0-1 scale":
        return number
    return f"{number} {unit}"


def scenario_colours(names: Sequence[str]) -> alt.Scale:
    """The same colour for a scenario in every chart: the first (the baseline) grey, then a palette."""
    names = list(dict.fromkeys(str(n) for n in names))
    return alt.Scale(domain=names, range=[_PALETTE[i % len(_PALETTE)] for i in range(len(names))])


def _order(series: pd.Series) -> list[str]:
    return list(dict.fromkeys(series.astype(str)))


def _label(kpi: str) -> str:
    return KPIS[kpi].label if kpi in KPIS else str(kpi)


# ---------------------------------------------------------------------------
# effects with intervals


def _effect_rows(table: pd.DataFrame, kpis: Sequence[str]) -> pd.DataFrame:
    _require(table, ("kpi", "scenario", "effect", "low", "high"), "effects_chart")
    rows = table[table["kpi"].isin(kpis)].copy()
    factor = rows["kpi"].map(lambda k: kpi_scale(k)[0])
    for column in ("effect", "low", "high"):
        rows[f"{column}_shown"] = pd.to_numeric(rows[column], errors="coerce") * factor
    if "p_better" not in rows:
        rows["p_better"] = np.nan
    rows["p_text"] = [("" if pd.isna(p) else f"{p:.0%}") for p in rows["p_better"]]
    return rows


def effects_chart(table: pd.DataFrame, kpis: Sequence[str] | None = None, *, currency: str = "") -> alt.VConcatChart | alt.Chart:
    """One small panel per KPI: each scenario's effect (dot) with its 95% interval (bar).

    ``table`` is :func:`~workbench.whatif.comparison_table` (long: one row per
    KPI and scenario). ``kpis`` picks and orders the panels (default: the
    KPIs measured against the comparison group). Effects against the
    comparison group get a zero line: right of it, participants do better or
    more than the comparison group.
    """
    title = "What each scenario changes"
    kpis = list(kpis or COMPARISON_KPIS)
    if _is_empty(table):
        return _no_data_chart(title)
    rows = _effect_rows(table, kpis)
    if rows.empty:
        return _no_data_chart(title)
    _check_size(len(rows), "effects_chart")
    order = _order(table["scenario"])
    colour = alt.Color("scenario:N", scale=scenario_colours(order), legend=None)
    panels = []
    for kpi in [k for k in kpis if k in set(rows["kpi"])]:
        data = rows[rows["kpi"] == kpi]
        with_comparison = KPIS[kpi].compared
        _, unit_text, fmt = kpi_scale(kpi, currency)
        what = "difference from the comparison group" if with_comparison else "per scenario"
        direction = "higher is better" if KPIS[kpi].higher_is_better else "lower is better"
        y = alt.Y("scenario:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
        x = alt.X("effect_shown:Q", title=f"{unit_text}", axis=alt.Axis(format=fmt), scale=alt.Scale(zero=with_comparison))
        tooltip = [alt.Tooltip("scenario:N", title="Scenario"),
                   alt.Tooltip("effect_shown:Q", title="Mean", format=fmt),
                   alt.Tooltip("low_shown:Q", title="95% interval from", format=fmt),
                   alt.Tooltip("high_shown:Q", title="to", format=fmt),
                   alt.Tooltip("p_text:N", title="P(better than baseline)")]
        base = alt.Chart(data)
        interval = base.mark_rule(strokeWidth=3, opacity=0.55).encode(
            x=alt.X("low_shown:Q", title=unit_text, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=with_comparison)),
            x2="high_shown:Q", y=y, color=colour, tooltip=tooltip)
        dots = base.mark_point(filled=True, size=80, opacity=1).encode(x=x, y=y, color=colour, tooltip=tooltip)
        layers = [interval, dots]
        if with_comparison:
            zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#555555", strokeDash=[4, 3]).encode(
                x="zero:Q")
            layers.insert(0, zero)
        panels.append(alt.layer(*layers).properties(
            width=WIDTH, height=max(40, 24 * len(order)),
            title=alt.Title(f"{_label(kpi)}", subtitle=[f"{what}, {direction}"], anchor="start", fontSize=13,
                            subtitleFontSize=11, subtitleColor="#555555")))
    subtitle = ["Dot: the mean over simulated runs; bar: its 95% interval."]
    if any(KPIS[k].compared for k in kpis):
        subtitle.append("Dashed line: no difference from a simulated comparison group of eligible non-participants.")
    return alt.vconcat(*panels, spacing=18, title=_title(title, subtitle))


def effects_caption(table: pd.DataFrame, kpis: Sequence[str] | None = None, *, currency: str = "") -> str:
    """Plain-language caption for :func:`effects_chart` (same arguments)."""
    kpis = list(kpis or COMPARISON_KPIS)
    if _is_empty(table):
        return "Run a comparison to see what each scenario changes."
    rows = _effect_rows(table, kpis)
    if rows.empty:
        return "None of these figures is in the comparison."
    order = _order(table["scenario"])
    baseline = order[0]
    kpi = kpis[0] if kpis[0] in set(rows["kpi"]) else rows["kpi"].iloc[0]
    label = _label(kpi).lower()
    parts = []
    with_comparison = KPIS[kpi].compared
    for name in order:
        row = rows[(rows["kpi"] == kpi) & (rows["scenario"] == name)]
        if row.empty:
            continue
        r = row.iloc[0]
        text = (f"{name}: {format_effect(kpi, r['effect'], currency, sign=with_comparison)} "
                f"(95% interval {format_effect(kpi, r['low'], currency, sign=with_comparison)} to "
                f"{format_effect(kpi, r['high'], currency, sign=with_comparison)}")
        if name != baseline and pd.notna(r["p_better"]):
            text += f"; better than {baseline} in {r['p_better']:.0%} of runs"
        parts.append(text + ")")
    against = (" against a simulated comparison group of eligible non-participants" if with_comparison else "")
    return (f"{label[0].upper()}{label[1:]}{against}: " + "; ".join(parts) + ". When two intervals overlap a lot, "
            "the model cannot tell those scenarios apart.")


# ---------------------------------------------------------------------------
# distributions of run-level values


def distribution_chart(bins: pd.DataFrame, kpi: str, *, currency: str = "") -> alt.FacetChart | alt.Chart:
    """How much one KPI varies from one simulated cohort to the next, one histogram per scenario.

    ``bins`` has ``scenario``, ``start``, ``end``, ``share`` (share of runs in
    the bin): the ``difference`` series of
    :meth:`~workbench.simulate.SimulationResult.distribution` for KPIs
    measured against the comparison group, else the ``participants`` series,
    with a ``scenario`` column. Rows share the value axis.
    """
    label = _label(kpi)
    title = f"How much it varies: {label.lower()}"
    if _is_empty(bins):
        return _no_data_chart(title)
    _require(bins, ("scenario", "start", "end", "share"), "distribution_chart")
    _check_size(len(bins), "distribution_chart")
    factor, unit_text, fmt = kpi_scale(kpi, currency)
    with_comparison = KPIS[kpi].compared
    data = pd.DataFrame({"scenario": bins["scenario"].astype(str),
                         "start": pd.to_numeric(bins["start"]) * factor, "end": pd.to_numeric(bins["end"]) * factor,
                         "share": pd.to_numeric(bins["share"])})
    data["range"] = [f"{format(a, fmt)} to {format(b, fmt)}" for a, b in zip(data["start"], data["end"])]
    order = _order(data["scenario"])
    axis_title = f"{'Difference from the comparison group' if with_comparison else label}, {unit_text}"
    bars = alt.Chart().mark_bar(stroke="#ffffff", strokeWidth=0.4).encode(
        x=alt.X("start:Q", bin="binned", title=axis_title, axis=alt.Axis(format=fmt)),
        x2="end:Q",
        y=alt.Y("share:Q", title="Runs", axis=alt.Axis(format=".0%", tickCount=3)),
        color=alt.Color("scenario:N", scale=scenario_colours(order), legend=None),
        tooltip=[alt.Tooltip("scenario:N", title="Scenario"), alt.Tooltip("range:N", title="Value"),
                 alt.Tooltip("share:Q", title="Share of runs", format=".1%")],
    )
    layers = [bars]
    if with_comparison:
        layers.append(alt.Chart().mark_rule(color="#555555", strokeDash=[4, 3]).encode(x=alt.datum(0)))
    subtitle = ["Each bar: the share of simulated cohorts (runs) with a result in that range."]
    if with_comparison:
        subtitle.append("Dashed line: no difference from the comparison group.")
    return (
        alt.layer(*layers, data=data).properties(width=WIDTH, height=70)
        .facet(row=alt.Row("scenario:N", sort=order, title=None,
                           header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                                             labelFontSize=12, labelFontWeight="bold")),
               title=_title(title, subtitle))
        .resolve_scale(y="shared", x="shared")
    )


def distribution_caption(bins: pd.DataFrame, kpi: str, *, currency: str = "") -> str:
    """Plain-language caption for :func:`distribution_chart` (same arguments)."""
    if _is_empty(bins):
        return "Run a comparison to see how much the results vary between simulated cohorts."
    with_comparison = KPIS[kpi].compared
    parts = []
    for name in _order(bins["scenario"]):
        rows = bins[bins["scenario"].astype(str) == name]
        share = pd.to_numeric(rows["share"]).to_numpy()
        starts, ends = pd.to_numeric(rows["start"]).to_numpy(), pd.to_numeric(rows["end"]).to_numpy()
        if not len(share) or share.sum() <= 0:
            continue
        cumulative = np.cumsum(share) / share.sum()
        low = starts[min(np.searchsorted(cumulative, 0.05, side="right"), len(starts) - 1)]
        high = ends[min(np.searchsorted(cumulative, 0.95), len(ends) - 1)]
        parts.append(f"{name}: nine runs in ten between {format_effect(kpi, low, currency, sign=with_comparison)} "
                     f"and {format_effect(kpi, high, currency, sign=with_comparison)}")
    what = "the difference from the comparison group" if with_comparison else "the figure"
    return (f"One simulated cohort can land anywhere in these ranges: this is the spread of {what} from one run to "
            "the next, much wider than the interval of the mean. " + "; ".join(parts) + ".")


# ---------------------------------------------------------------------------
# survival


def _survival_rows(survival: pd.DataFrame) -> pd.DataFrame:
    _require(survival, ("scenario", "month", "participants", "comparison"), "survival_chart")
    long = survival.melt(id_vars=["scenario", "month"], value_vars=["participants", "comparison"], var_name="group",
                         value_name="employed")
    start = long.drop_duplicates(["scenario", "group"]).assign(month=0, employed=1.0)
    long = pd.concat([start, long], ignore_index=True)
    long["group"] = long["group"].map({"participants": "Participants", "comparison": "Comparison group"})
    long["scenario"] = long["scenario"].astype(str)
    return long.sort_values(["scenario", "group", "month"], kind="stable").reset_index(drop=True)


def survival_chart(survival: pd.DataFrame) -> alt.Chart:
    """Share still employed month by month: participants (solid) and the comparison group (dashed), per scenario.

    ``survival`` has ``scenario``, ``month``, ``participants``, ``comparison``
    (shares 0-1), e.g. each result's ``survival`` with a ``scenario`` column.
    """
    title = "Who is still employed, month by month"
    if _is_empty(survival):
        return _no_data_chart(title)
    rows = _survival_rows(survival)
    _check_size(len(rows), "survival_chart")
    order = _order(survival["scenario"])
    low = float(rows["employed"].min())
    floor = max(0.0, np.floor((low - 0.02) * 50) / 50)
    return alt.Chart(rows).mark_line(strokeWidth=2).encode(
        x=alt.X("month:Q", title="Months from the start of the program", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("employed:Q", title="Still employed", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[floor, 1.0], nice=False)),
        color=alt.Color("scenario:N", scale=scenario_colours(order), title="Scenario", sort=order,
                        legend=alt.Legend(orient="right", labelLimit=200)),
        strokeDash=alt.StrokeDash("group:N", title="Group", sort=["Participants", "Comparison group"],
                                  scale=alt.Scale(domain=["Participants", "Comparison group"], range=[[1, 0], [5, 4]])),
        detail="group:N",
        tooltip=[alt.Tooltip("scenario:N", title="Scenario"), alt.Tooltip("group:N", title="Group"),
                 alt.Tooltip("month:Q", title="Month"), alt.Tooltip("employed:Q", title="Still employed",
                                                                    format=".1%")],
    ).properties(width=WIDTH, height=260, title=_title(title, [
        "Solid: participants; dashed: a simulated comparison group of eligible non-participants."]))


def survival_caption(survival: pd.DataFrame) -> str:
    """Plain-language caption for :func:`survival_chart` (same argument)."""
    if _is_empty(survival):
        return "Run a comparison to see who stays, month by month."
    last = survival.sort_values("month").groupby("scenario", sort=False).tail(1)
    parts = []
    for name in _order(survival["scenario"]):
        row = last[last["scenario"].astype(str) == name]
        if row.empty:
            continue
        r = row.iloc[0]
        gap = (r["participants"] - r["comparison"]) * 100
        parts.append(f"{name}: {r['participants']:.1%} of participants against {r['comparison']:.1%} of the "
                     f"comparison group ({gap:+.1f} points)")
    month = int(survival["month"].max())
    return (f"Still employed after {month} months: " + "; ".join(parts) + ". The gap between a solid line and its "
            "dashed line is what the program adds, according to the model.")


# ---------------------------------------------------------------------------
# tornado


def _parameter_label(name: str) -> str:
    return str(name).replace("_", " ").capitalize()


def _tornado_rows(table: pd.DataFrame, top: int) -> tuple[pd.DataFrame, str]:
    _require(table, ("parameter", "low", "high", "at_low", "at_high", "at_base", "swing"), "tornado_chart")
    kpi = table.attrs.get("kpi", "retention")
    factor, _, fmt = kpi_scale(kpi) if kpi in KPIS else (1.0, "", ".2f")
    rows = table[pd.to_numeric(table["swing"], errors="coerce") > 0].head(top).copy()
    rows["label"] = [_parameter_label(p) for p in rows["parameter"]]
    for column in ("at_low", "at_high", "at_base"):
        rows[f"{column}_shown"] = pd.to_numeric(rows[column]) * factor
    if "range" not in rows:  # saved before design levers joined the tornado: numbers only
        rows["range"] = [f"{lo:g} to {hi:g}" for lo, hi in zip(rows["low"], rows["high"])]
    if "kind" in rows:
        rows["label"] = [f"{label} (design)" if kind == "design" else label
                         for label, kind in zip(rows["label"], rows["kind"])]
    for column in ("description", "source", "unit"):
        if column not in rows:
            rows[column] = ""
    return rows, fmt


def tornado_chart(table: pd.DataFrame, *, top: int = TORNADO_ROWS) -> alt.LayerChart | alt.Chart:
    """Which model assumptions and design levers matter most for one KPI: a bar each, from its low end to its high end.

    ``table`` is :func:`~workbench.whatif.tornado` (``attrs`` name the KPI);
    the ``top`` largest swings are drawn, largest first; parameters and levers
    the KPI does not depend on (no swing) are left out. The line is the KPI
    with every parameter at its default and the design as it is.
    """
    kpi = table.attrs.get("kpi", "retention") if table is not None else "retention"
    title = f"Which assumptions and design levers matter most for: {_label(kpi).lower()}"
    if _is_empty(table):
        return _no_data_chart(title)
    rows, fmt = _tornado_rows(table, top)
    if rows.empty:
        return _no_data_chart(title)
    shown = rows[["label", "description", "range", "source", "at_base_shown"]]
    long = pd.concat([
        shown.assign(end="at the low end of its range", value=rows["at_low_shown"]),
        shown.assign(end="at the high end of its range", value=rows["at_high_shown"]),
    ], ignore_index=True)
    order = list(rows["label"])
    _, unit_text, _ = kpi_scale(kpi)
    with_comparison = KPIS[kpi].compared
    axis = f"{'Difference from the comparison group' if with_comparison else _label(kpi)}, {unit_text}"
    tooltip = [alt.Tooltip("label:N", title="Assumption or lever"), alt.Tooltip("description:N", title="What it is"),
               alt.Tooltip("range:N", title="Range tried"), alt.Tooltip("end:N", title="Set"),
               alt.Tooltip("value:Q", title="Result", format=fmt), alt.Tooltip("source:N", title="Source")]
    bars = alt.Chart(long).mark_bar(height=14).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)),
        x=alt.X("at_base_shown:Q", title=axis, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=False)),
        x2="value:Q",
        color=alt.Color("end:N", title="Assumption set", sort=["at the low end of its range",
                                                                "at the high end of its range"],
                        scale=alt.Scale(domain=["at the low end of its range", "at the high end of its range"],
                                        range=[_LOW_END, _HIGH_END]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=tooltip,
    )
    centre = alt.Chart(shown.head(1)).mark_rule(color="#212121", strokeWidth=1.5).encode(x="at_base_shown:Q")
    return alt.layer(bars, centre).properties(
        width=WIDTH, height=max(60, 22 * len(rows)),
        title=_title(title, ["Each bar: the result when one assumption moves to the ends of its plausible range, or "
                             "one design lever (design) between two values, the others unchanged.",
                             "Black line: every assumption at its default, the design as it is."]))


def tornado_caption(table: pd.DataFrame, *, top: int = TORNADO_ROWS) -> str:
    """Plain-language caption for :func:`tornado_chart` (same arguments)."""
    if _is_empty(table):
        return "Run the sensitivity analysis to see which assumptions matter most."
    kpi = table.attrs.get("kpi", "retention")
    rows, _ = _tornado_rows(table, top)
    if rows.empty:
        return "No assumption moves this figure: it does not depend on the model's parameters."
    first = rows.iloc[0]
    with_comparison = KPIS[kpi].compared
    where = "between" if first.get("kind") == "design" else "across its plausible range"
    text = (f"{first['label']} matters most: {where} ({first['range']}) "
            f"{_label(kpi).lower()} moves from {format_effect(kpi, first['at_low'], sign=with_comparison)} to "
            f"{format_effect(kpi, first['at_high'], sign=with_comparison)}")
    if len(rows) > 1:
        second = rows.iloc[1]
        text += (f", then {second['label'][0].lower() + second['label'][1:]} (from "
                 f"{format_effect(kpi, second['at_low'], sign=with_comparison)} to "
                 f"{format_effect(kpi, second['at_high'], sign=with_comparison)})")
    zero = int((pd.to_numeric(table["swing"], errors="coerce") == 0).sum())
    return (text + ". The longer the bar, the more the forecast rests on that assumption or lever: check "
            "assumptions against the client's own data first." + (
                f" {zero} assumption{'s or levers do' if zero != 1 else ' or lever does'} not affect this figure: "
                "left out." if zero else ""))


# ---------------------------------------------------------------------------
# cost against impact


def frontier_chart(table: pd.DataFrame, *, currency: str = "", label_all: bool | None = None) -> alt.LayerChart | alt.Chart:
    """Program cost against impact, one point per scenario; the efficient ones highlighted and joined.

    ``table`` is :func:`~workbench.whatif.frontier` (``attrs`` label the
    impact). A scenario is efficient when no other costs no more and achieves
    at least as much. Names are written beside the points (all of them up to
    a dozen points, else only the efficient ones, unless ``label_all`` says).
    """
    label = table.attrs.get("label", "Impact") if table is not None else "Impact"
    title = "Cost against impact"
    if _is_empty(table):
        return _no_data_chart(title)
    _require(table, ("scenario", "cost", "impact", "efficient"), "frontier_chart")
    _check_size(len(table), "frontier_chart")
    impact = table.attrs.get("impact", "exits")
    factor = kpi_scale(impact)[0] if impact in KPIS and impact != "exits" else 1.0
    unit = kpi_scale(impact)[1] if impact in KPIS and impact != "exits" else "people"
    data = pd.DataFrame({
        "scenario": table["scenario"].astype(str), "cost": pd.to_numeric(table["cost"]),
        "impact": pd.to_numeric(table["impact"]) * factor,
        "impact_low": pd.to_numeric(table.get("impact_low", table["impact"])) * factor,
        "impact_high": pd.to_numeric(table.get("impact_high", table["impact"])) * factor,
        "status": ["efficient" if e else "costs more for the same or less" for e in table["efficient"].astype(bool)]})
    label_all = len(data) <= 12 if label_all is None else label_all
    data["name"] = [s if (label_all or st == "efficient") else "" for s, st in zip(data["scenario"], data["status"])]
    colour = alt.Color("status:N", title=None, scale=alt.Scale(domain=["efficient", "costs more for the same or less"],
                                                               range=[_EFFICIENT, _OTHER]),
                       legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip("scenario:N", title="Scenario"),
               alt.Tooltip("cost:Q", title=f"Cost ({currency or 'currency'})", format=",.0f"),
               alt.Tooltip("impact:Q", title=label, format=",.2f"),
               alt.Tooltip("impact_low:Q", title="95% interval from", format=",.2f"),
               alt.Tooltip("impact_high:Q", title="to", format=",.2f"), alt.Tooltip("status:N", title="")]
    base = alt.Chart(data)
    x = alt.X("cost:Q", title=f"Program cost ({currency or 'currency units'})", axis=alt.Axis(format=",.0f"),
              scale=alt.Scale(zero=False, padding=20))
    y = alt.Y("impact:Q", title=f"{label} ({unit})", scale=alt.Scale(zero=False, padding=20))
    intervals = base.mark_rule(opacity=0.45, strokeWidth=2).encode(x=x, y="impact_low:Q", y2="impact_high:Q",
                                                                   color=colour, tooltip=tooltip)
    line = base.transform_filter(alt.datum.status == "efficient").mark_line(color=_EFFICIENT, strokeDash=[5, 3]) \
        .encode(x=x, y=y, order="cost:Q")
    points = base.mark_point(filled=True, size=110, opacity=1).encode(x=x, y=y, color=colour, tooltip=tooltip)
    names = base.mark_text(align="left", dx=8, dy=-6, fontSize=11, color="#1f2328").encode(x=x, y=y, text="name:N")
    return alt.layer(intervals, line, points, names).properties(
        width=WIDTH, height=300,
        title=_title(title, ["Up and to the left is better: more impact for less money. Vertical bars: 95% intervals.",
                             "Green and joined: efficient, no other scenario costs no more and achieves at least as "
                             "much."]))


def frontier_caption(table: pd.DataFrame, *, currency: str = "") -> str:
    """Plain-language caption for :func:`frontier_chart` (same arguments)."""
    if _is_empty(table):
        return "Run a comparison to see cost against impact."
    label = str(table.attrs.get("label", "impact")).lower()
    efficient = table[table["efficient"].astype(bool)]
    names = ", ".join(efficient["scenario"].astype(str))
    others = table[~table["efficient"].astype(bool)]
    money = currency or "currency units"
    text = (f"Impact here is {label}. Efficient: {names}. " if names else f"Impact here is {label}. ")
    if len(others):
        text += (f"{len(others)} scenario{'s' if len(others) != 1 else ''} ("
                 + ", ".join(others["scenario"].astype(str).head(5)) + (", ..." if len(others) > 5 else "")
                 + ") cost more than another for the same or less impact. ")
    if len(efficient) > 1:
        cheap, dear = efficient.iloc[0], efficient.iloc[-1]
        extra_cost = dear["cost"] - cheap["cost"]
        extra_impact = dear["impact"] - cheap["impact"]
        if extra_impact > 0:
            impact = table.attrs.get("impact", "exits")
            if impact == "exits":
                gain = f"avoids {extra_impact:,.2f} more exits"
            else:
                gain = (f"adds {format_effect(impact, extra_impact)} to "
                        f"{str(table.attrs.get('label', impact)).lower()}")
            text += (f"Going from {cheap['scenario']} to {dear['scenario']} costs {extra_cost:,.0f} {money} more and "
                     f"{gain}. ")
    return text + "Costs are the model's estimate of staff time, training, coordination and tools."


# ---------------------------------------------------------------------------
# every program of a workspace


def _program_rows(table: pd.DataFrame) -> pd.DataFrame:
    _require(table, ("program", "exits_avoided", "exits_avoided_low", "exits_avoided_high"), "programs_chart")
    rows = table[pd.to_numeric(table["exits_avoided"], errors="coerce").notna()].copy()
    rows["program"] = rows["program"].astype(str)
    rows["kind"] = np.where(rows["program"] == ALL_PROGRAMS, "total", "program")
    return rows


def programs_chart(table: pd.DataFrame) -> alt.LayerChart | alt.Chart:
    """Exits avoided by the horizon per program and for all programs together: dot the mean, bar its 95% interval.

    ``table`` is :meth:`~workbench.whatif.ProgramsForecast.table` (one row per
    program, the all-programs row last); programs nobody was matched in are
    left out. Right of the dashed line, the program avoids exits.
    """
    title = "Exits avoided, per program and in all"
    if _is_empty(table):
        return _no_data_chart(title)
    rows = _program_rows(table)
    if rows.empty:
        return _no_data_chart(title)
    _check_size(len(rows), "programs_chart")
    order = list(rows["program"])
    y = alt.Y("program:N", sort=order, title=None, axis=alt.Axis(labelLimit=220))
    colour = alt.Color("kind:N", scale=alt.Scale(domain=["program", "total"], range=[_PALETTE[1], _PALETTE[0]]),
                       legend=None)
    tooltip = [alt.Tooltip("program:N", title="Program"),
               alt.Tooltip("exits_avoided:Q", title="Exits avoided (people)", format=",.2f"),
               alt.Tooltip("exits_avoided_low:Q", title="95% interval from", format=",.2f"),
               alt.Tooltip("exits_avoided_high:Q", title="to", format=",.2f")]
    base = alt.Chart(rows)
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#555555", strokeDash=[4, 3]).encode(x="zero:Q")
    interval = base.mark_rule(strokeWidth=3, opacity=0.55).encode(
        x=alt.X("exits_avoided_low:Q", title="Exits avoided by the horizon (people)"), x2="exits_avoided_high:Q",
        y=y, color=colour, tooltip=tooltip)
    dots = base.mark_point(filled=True, size=90, opacity=1).encode(x="exits_avoided:Q", y=y, color=colour,
                                                                    tooltip=tooltip)
    return alt.layer(zero, interval, dots).properties(
        width=WIDTH, height=max(60, 28 * len(rows)),
        title=_title(title, ["Dot: the mean over simulated runs; bar: its 95% interval. Dashed line: no exits "
                             "avoided against a simulated comparison group.",
                             "All programs adds the programs' exits avoided run by run."]))


def programs_caption(table: pd.DataFrame) -> str:
    """Plain-language caption for :func:`programs_chart` (same argument)."""
    if _is_empty(table):
        return "Run the forecast of every program to see the exits each avoids."
    rows = _program_rows(table)
    if rows.empty:
        return "Nobody is matched in any program, so no program is simulated."
    parts = [f"{r.program}: {r.exits_avoided:,.2f} (95% interval {r.exits_avoided_low:,.2f} to "
             f"{r.exits_avoided_high:,.2f})" for r in rows.itertuples()]
    left_out = [str(p) for p, x in zip(table["program"], pd.to_numeric(table["exits_avoided"], errors="coerce"))
                if pd.isna(x)]
    text = "Exits avoided by the horizon against a simulated comparison group: " + "; ".join(parts) + "."
    if left_out:
        text += f" Not simulated (nobody matched): {', '.join(left_out)}."
    return text
