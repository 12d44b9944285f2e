"""Evaluation charts, each with a plain-language caption that states its comparison and its caveat.

Every builder takes a frame (or a few numbers) from a
:class:`workbench.evaluate.EvaluationResult` and returns an Altair chart; its
``*_caption`` companion takes the same arguments and returns text for a
non-technical reader, computed from the same rows the chart draws:

* :func:`km_chart`: Kaplan-Meier curves of participants and the comparison group;
* :func:`survey_change_chart`: mean change per survey construct with its interval;
* :func:`meetings_chart`: meetings held per pair against the design's cadence;
* :func:`roi_chart`: the bootstrap distribution of the ROI;
* :func:`scorecard_chart`: each objective's observed value, interval, baseline and target;
* :func:`calibration_chart`: what the outcome model forecast against what happened;
* :func:`programs_chart`: the hazard ratio of leaving per program and pooled over all programs.

Privacy: rows marked ``hidden`` (groups under five people) are never drawn, and
a curve of fewer than five people is dropped whatever the input holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from workbench.evaluate.behaviour import HIDDEN_STATUS, STATUSES
from workbench.evaluate.programs import POOLED_ASSOCIATION
from workbench.privacy import MIN_GROUP
from workbench.charts.common import (
    MAX_ROWS,
    NO_DATA,
    WIDTH,
    is_empty as _is_empty,
    require as _require,
    title as _title,
    no_data_chart as _no_data_chart,
)

__all__ = [
    "NO_DATA", "calibration_caption", "calibration_chart", "design_note", "km_caption", "km_chart", "meetings_caption",
    "meetings_chart", "programs_caption", "programs_chart", "roi_caption", "roi_chart", "scorecard_caption",
    "scorecard_chart", "survey_change_caption",
    "survey_change_chart",
]

SELF_SELECTION_NOTE = ("People chose to take part, so part of any difference may be who they are rather than "
                       "what the program did.")

#: What a caption says instead of :data:`SELF_SELECTION_NOTE` when a pilot design decided who took part.
DESIGN_NOTES = {
    "waitlist": "Applicants were randomised to a place now or the waitlist, so the two groups differ only by chance.",
    "stepped_wedge": "Participants against matched colleagues outside the program: an association; the stepped-wedge "
                     "model compares the clusters as they were randomised to start.",
}


def design_note(document: Mapping) -> str:
    """The note on who took part for an evaluation's JSON ``document``: the pilot design's when it followed a
    frozen plan (``trial``), else :data:`SELF_SELECTION_NOTE`."""
    trial = document.get("trial")
    return DESIGN_NOTES.get(trial["design"], SELF_SELECTION_NOTE) if trial else SELF_SELECTION_NOTE


GROUP_LABELS = {"participants": "Participants", "comparison": "Comparison group"}
GROUP_COLOURS = {"Participants": "#1f77b4", "Comparison group": "#8c8c8c"}
STATUS_COLOURS = {"active": "#1f77b4", "closed early": "#ff7f0e", "ended by an exit": "#9e9e9e",
                  HIDDEN_STATUS: "#d9d9d9",
                  "met": "#2ca02c", "not met": "#d62728", "unclear": "#ff7f0e", "not measured": "#9e9e9e"}
WAVE_LABELS = {"mid": "midpoint", "post": "end", "followup": "follow-up"}
OUTCOME_WORDS = {"retention": ("Still employed", "stayed", "leave"),
                 "promotion": ("Not yet promoted", "were not yet promoted", "be promoted")}


# ---------------------------------------------------------------------------
# shared helpers


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    if "hidden" in frame.columns:
        frame = frame[~frame["hidden"].fillna(False).astype(bool)]
    return frame


def _number(value) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


#: Plain names of the Cox model's covariates.
COVARIATE_WORDS = {"tenure_months": "tenure", "level": "level", "department": "department"}


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _pct(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f}%"


# ---------------------------------------------------------------------------
# Kaplan-Meier curves


def _km_rows(km: pd.DataFrame) -> pd.DataFrame:
    _require(km, ("group", "time", "survival"), "km_chart")
    frame = km.copy()
    starts = frame[frame["time"] == frame.groupby("group")["time"].transform("min")]
    big = set(starts.loc[starts.get("at_risk", pd.Series(MIN_GROUP, index=starts.index)) >= MIN_GROUP, "group"])
    frame = frame[frame["group"].isin(big)]
    last = frame["time"] == frame.groupby("group")["time"].transform("max")
    keep = (frame["time"] == 0) | last | (frame.get("events", pd.Series(1, index=frame.index)) > 0)
    frame = frame[keep].copy()
    frame["label"] = frame["group"].map(GROUP_LABELS).fillna(frame["group"].astype(str))
    for column in ("low", "high"):
        if column not in frame:
            frame[column] = np.nan
    return frame[["label", "time", "survival", "low", "high"]].reset_index(drop=True)


#: What the cohort's comparison group is, for the curves' subtitle.
COHORT_COMPARISON = "The comparison group: eligible non-participants in the same department, level and tenure band."


def km_chart(km: pd.DataFrame, *, outcome: str = "retention", horizon_months: float | None = None,
             time_title: str = "Months since the cohort started", comparison: str = COHORT_COMPARISON
             ) -> alt.LayerChart | alt.Chart:
    """Kaplan-Meier curves (steps) of each group with their 95% bands.

    ``km`` is ``result.retention.survival.km`` (``group``, ``time`` in months,
    ``survival``, ``low``, ``high``, ``at_risk``, ``events``). ``outcome`` is
    ``retention`` or ``promotion`` (the y axis then counts people not yet
    promoted). A vertical rule marks ``horizon_months`` when given. ``time_title``
    names the time axis and ``comparison`` says who the comparison group is (a
    turnover file's time is tenure, its comparison everyone else). Only the steps
    are embedded, so a large comparison group stays small.
    """
    label, _, _ = OUTCOME_WORDS[outcome]
    title = "Who stayed?" if outcome == "retention" else "Who was promoted?"
    if _is_empty(km):
        return _no_data_chart(title)
    rows = _km_rows(km)
    if rows.empty:
        return _no_data_chart(title)
    if len(rows) > MAX_ROWS:
        raise ValueError(f"km_chart would embed {len(rows):,} rows (at most {MAX_ROWS:,})")
    groups = list(dict.fromkeys(rows["label"]))
    colour = alt.Color("label:N", title=None, sort=groups,
                       scale=alt.Scale(domain=groups, range=[GROUP_COLOURS.get(g, "#4c78a8") for g in groups]),
                       legend=alt.Legend(orient="bottom"))
    low = float(np.nanmin(rows[["survival", "low"]].to_numpy(dtype=float)))
    y_scale = alt.Scale(domain=[max(0.0, math.floor(low * 10) / 10), 1.0], nice=False)
    base = alt.Chart(rows)
    # the band shares the line's colour encoding: a layer with legend=None beside one with a legend makes
    # Vega-Lite drop the legend of both ("Conflicting legend property")
    band = base.mark_area(interpolate="step-after", opacity=0.15).encode(
        x="time:Q", y=alt.Y("low:Q", scale=y_scale), y2="high:Q", color=colour)
    line = base.mark_line(interpolate="step-after", strokeWidth=2.2).encode(
        x=alt.X("time:Q", title=time_title, scale=alt.Scale(nice=False)),
        y=alt.Y("survival:Q", title=label, scale=y_scale, axis=alt.Axis(format=".0%")),
        color=colour,
        tooltip=[alt.Tooltip("label:N", title="Group"), alt.Tooltip("time:Q", title="Months", format=".1f"),
                 alt.Tooltip("survival:Q", title=label, format=".1%")])
    layers = [band, line]
    if horizon_months is not None:
        layers.append(alt.Chart(pd.DataFrame({"time": [float(horizon_months)]})).mark_rule(
            strokeDash=[4, 3], color="#555555").encode(x="time:Q"))
    subtitle = ["Kaplan-Meier estimate with its 95% band; steps down are exits." if outcome == "retention"
                else "Kaplan-Meier estimate with its 95% band; steps down are promotions.", comparison]
    return alt.layer(*layers).properties(width=WIDTH, height=260, title=_title(title, subtitle))


def km_caption(km: pd.DataFrame, *, outcome: str = "retention", horizon_months: float | None = None,
               logrank: Mapping | None = None, hazard_ratio: Mapping | None = None,
               note: str = SELF_SELECTION_NOTE) -> str:
    """Caption for :func:`km_chart`: the shares at the horizon, the test, the hazard ratio, the caveat
    (``note``: :func:`design_note`).

    ``logrank`` and ``hazard_ratio`` are the JSON blocks (``statistic``,
    ``p_value``; ``estimate``, ``low``, ``high``), or ``None``.
    """
    if _is_empty(km):
        return NO_DATA + "."
    rows = _km_rows(km)
    if rows.empty:
        return NO_DATA + " (groups under five people are not shown)."
    label, did, verb = OUTCOME_WORDS[outcome]
    parts = []
    end = horizon_months if horizon_months is not None else float(rows["time"].max())
    shares = []
    for group in dict.fromkeys(rows["label"]):
        part = rows[(rows["label"] == group) & (rows["time"] <= end)]
        shares.append(f"{group.lower()} {_pct(float(part['survival'].iloc[-1]))}")
    parts.append(f"After {end:.0f} months, the share who {did}: {'; '.join(shares)}.")
    if hazard_ratio:
        hr = hazard_ratio
        direction = "less" if hr["estimate"] < 1 else "more"
        straddles = "; the interval includes no difference" if hr["low"] <= 1 <= hr["high"] else ""
        allowed = [COVARIATE_WORDS.get(c, c) for c in [*hr.get("strata", ()), *hr.get("adjusted_for", ())]]
        allowing = f"Allowing for {_and(allowed)}, p" if allowed else "P"
        parts.append(f"{allowing}articipants were {direction} likely to {verb} "
                     f"at any time (hazard ratio {hr['estimate']:.2f}, 95% interval {hr['low']:.2f} to "
                     f"{hr['high']:.2f}{straddles}).")
    if logrank:
        parts.append(f"Log-rank test of the curves: chi-square {logrank['statistic']:.2f}, p = "
                     f"{logrank['p_value']:.3g}.")
    parts.append(note)
    return " ".join(parts)


# ---------------------------------------------------------------------------
# survey change


def _change_rows(change: pd.DataFrame, wave: str) -> pd.DataFrame:
    _require(change, ("construct", "wave", "group", "change", "low", "high"), "survey_change_chart")
    rows = _shown(change)
    rows = rows[rows["wave"] == wave].copy()
    rows["label"] = rows["group"].map(GROUP_LABELS).fillna(rows["group"].astype(str))
    rows["construct_label"] = rows["construct"].astype(str).str.replace("_", " ").str.capitalize()
    for column in ("change", "low", "high"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    return rows.dropna(subset=["change"]).reset_index(drop=True)


def survey_change_chart(change: pd.DataFrame, *, wave: str = "post") -> alt.LayerChart | alt.Chart:
    """Mean change from the pre survey to ``wave`` per construct and group, with 95% intervals.

    ``change`` is ``result.change`` (``construct``, ``wave``, ``group``,
    ``change``, ``low``, ``high``, ``pairs``, ``hidden``); hidden rows are not drawn.
    """
    title = f"What changed by the {WAVE_LABELS.get(wave, wave)} survey?"
    if _is_empty(change):
        return _no_data_chart(title)
    rows = _change_rows(change, wave)
    if rows.empty:
        return _no_data_chart(title)
    groups = list(dict.fromkeys(rows["label"]))
    colour = alt.Color("label:N", title=None, sort=groups,
                       scale=alt.Scale(domain=groups, range=[GROUP_COLOURS.get(g, "#4c78a8") for g in groups]),
                       legend=alt.Legend(orient="bottom"))
    y = alt.Y("construct_label:N", title=None, axis=alt.Axis(labelFontSize=12))
    offset = alt.YOffset("label:N", sort=groups)
    base = alt.Chart(rows)
    bars = base.mark_rule(strokeWidth=2).encode(x="low:Q", x2="high:Q", y=y, yOffset=offset, color=colour)
    points = base.mark_point(filled=True, size=70).encode(
        x=alt.X("change:Q", title="Mean change from the pre survey (scale points)"), y=y, yOffset=offset,
        color=colour,
        tooltip=[alt.Tooltip("construct_label:N", title="Construct"), alt.Tooltip("label:N", title="Group"),
                 alt.Tooltip("change:Q", title="Change", format="+.2f"),
                 alt.Tooltip("low:Q", title="95% low", format="+.2f"),
                 alt.Tooltip("high:Q", title="95% high", format="+.2f"),
                 alt.Tooltip("pairs:Q", title="People answering both")])
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#555555", strokeDash=[4, 3]).encode(x="x:Q")
    subtitle = ["Dots: mean change of people who answered both surveys; lines: 95% intervals.",
                "An interval that crosses the dashed line is consistent with no change."]
    return alt.layer(zero, bars, points).properties(width=WIDTH, height=alt.Step(28),
                                                     title=_title(title, subtitle))


def survey_change_caption(change: pd.DataFrame, *, wave: str = "post",
                          against: pd.DataFrame | None = None, note: str = SELF_SELECTION_NOTE) -> str:
    """Caption for :func:`survey_change_chart`; ``against`` is ``result.against_comparison`` when available,
    ``note`` the caveat on who took part (:func:`design_note`)."""
    if _is_empty(change):
        return NO_DATA + "."
    rows = _change_rows(change, wave)
    participants = rows[rows["group"] == "participants"]
    if participants.empty:
        return NO_DATA + " (fewer than five participants answered both surveys)."
    clear = participants[participants["low"] > 0]
    parts = [f"Participants' scores rose on {len(clear)} of {len(participants)} constructs with an interval above "
             "zero" + (f" ({', '.join(clear['construct_label'].str.lower())})." if len(clear) else ".")]
    if against is not None and len(against):
        part = against[against["wave"] == wave]
        beyond = part[part["low"] > 0]
        if len(part):
            parts.append(f"Against the comparison group's change, {len(beyond)} of {len(part)} constructs rose more "
                         "for participants with an interval above zero.")
    else:
        parts.append("Without a comparison group's change, part of any rise may be what happened to everyone.")
    parts.append("Only people who answered both surveys count; free-text answers are never shown. " + note)
    return " ".join(parts)


# ---------------------------------------------------------------------------
# meetings against the cadence


def meetings_chart(distribution: pd.DataFrame, *, expected_per_pair: float | None = None) -> alt.LayerChart | alt.Chart:
    """Pairs by number of meetings held, coloured by status, with the cadence's expectation as a rule.

    ``distribution`` is ``result.behaviour.distribution()`` (``meetings`` to
    ``meetings_to``: a range of meeting counts holding five pairs or more,
    ``status``, ``pairs``); ``expected_per_pair`` is the summary's
    ``expected_per_pair``.
    """
    title = "Did pairs meet as often as planned?"
    if _is_empty(distribution):
        return _no_data_chart(title)
    _require(distribution, ("meetings", "meetings_to", "status", "pairs"), "meetings_chart")
    rows = distribution.copy()
    statuses = [s for s in (*STATUSES, HIDDEN_STATUS) if s in set(rows["status"])]
    # a number line, one bar per range of meeting counts (each five pairs or more), so that counts no pair had
    # between ranges leave a gap
    rows["end"] = rows["meetings_to"] + 1
    rows["held"] = [f"{a}" if a == b else f"{a}-{b}" for a, b in zip(rows["meetings"], rows["meetings_to"])]
    bars = alt.Chart(rows).mark_bar(stroke="#ffffff", strokeWidth=0.5).encode(
        x=alt.X("meetings:Q", title="Meetings held by the pair", axis=alt.Axis(tickMinStep=1, format=",d")),
        x2="end:Q",
        y=alt.Y("sum(pairs):Q", title="Pairs", axis=alt.Axis(tickMinStep=1, format=",d")),
        color=alt.Color("status:N", title=None, sort=statuses,
                        scale=alt.Scale(domain=statuses, range=[STATUS_COLOURS[s] for s in statuses]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("held:N", title="Meetings"), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("pairs:Q", title="Pairs")])
    subtitle = ["Closed early: no meeting for longer than the design's health rule before the program ended.",
                f"Meeting counts are grouped so that each bar stands for {MIN_GROUP} pairs or more; '{HIDDEN_STATUS}' "
                f"marks statuses of fewer than {MIN_GROUP} pairs, or that would give such a few away."]
    chart = bars
    if expected_per_pair is not None and np.isfinite(expected_per_pair):
        subtitle.insert(0, f"The design's cadence expects about {expected_per_pair:.0f} meetings per pair "
                           "over the time they were both there (dashed line).")
        rule = alt.Chart(pd.DataFrame({"expected": [float(expected_per_pair)]})).mark_rule(
            color="#212121", strokeDash=[4, 3]).encode(x="expected:Q", tooltip=[alt.Tooltip(
                "expected:Q", title="Meetings the cadence expects", format=".1f")])
        chart = alt.layer(bars, rule)
    return chart.properties(width=WIDTH, height=220, title=_title(title, subtitle))


def shown_count(count: int | None, hidden: str = f"fewer than {MIN_GROUP}") -> str:
    """A head count of an evaluation's JSON as text; ``None`` (hidden: a group under five) as ``hidden``."""
    return hidden if count is None else f"{count:,}"


def pairs_count(count: int | None) -> str:
    """A number of pairs from ``result.behaviour.summary`` as text: hidden ones (``None``: under five, or hidden
    beside them) as "a number not shown"."""
    return shown_count(count, "a number not shown")


def meetings_caption(summary: Mapping) -> str:
    """Caption for :func:`meetings_chart` from ``result.behaviour.summary``."""
    if not summary or not summary.get("pairs"):
        return NO_DATA + "."
    s = summary
    parts = [f"{s['pairs']:,} pairs held {s['meetings']:,} meetings, {s['meetings_per_pair']:.1f} each on average "
             f"against about {s['expected_per_pair']:.1f} the {s['cadence']} cadence expects "
             f"({_pct(s['share_of_cadence'])} of plan)."]
    parts.append(f"{pairs_count(s['gone_quiet'])} pair{'s' if s['gone_quiet'] != 1 else ''} went more than "
                 f"{s['inactivity_days']} days without meeting at some point; {pairs_count(s['closed_early'])} closed "
                 f"early and {pairs_count(s['ended_by_exit'])} ended because someone left.")
    parts.append(f"Each bar stands for {MIN_GROUP} pairs or more (meeting counts are grouped until it does); "
                 f"statuses of fewer than {MIN_GROUP} pairs are not shown, nor others that would give them away.")
    if not s.get("program_finished", True):
        parts.append("The program has not ended yet, so these counts will move.")
    parts.append("Meetings not logged count as not held.")
    return " ".join(parts)


# ---------------------------------------------------------------------------
# ROI


def roi_chart(distribution: pd.DataFrame, *, estimate: float | None = None) -> alt.LayerChart | alt.Chart:
    """The bootstrap distribution of the ROI, with break-even (0) and the estimate marked.

    ``distribution`` is ``result.roi.distribution()`` (``start``, ``end``,
    ``share``); ``estimate`` is ``result.roi.roi.estimate``.
    """
    title = "Return on investment, with its uncertainty"
    if _is_empty(distribution):
        return _no_data_chart(title)
    _require(distribution, ("start", "end", "share"), "roi_chart")
    rows = distribution.assign(side=np.where(distribution["end"] <= 0, "loss", "gain"))
    bars = alt.Chart(rows).mark_bar(stroke="#ffffff", strokeWidth=0.5).encode(
        x=alt.X("start:Q", bin="binned", title="ROI: (benefit - cost) / cost", axis=alt.Axis(format="+.1f")),
        x2="end:Q", y=alt.Y("share:Q", title="Share of resamples", axis=alt.Axis(format=".0%")),
        color=alt.Color("side:N", title=None, scale=alt.Scale(domain=["loss", "gain"], range=["#d62728", "#2ca02c"]),
                        legend=None),
        tooltip=[alt.Tooltip("start:Q", title="From", format="+.2f"), alt.Tooltip("end:Q", title="To", format="+.2f"),
                 alt.Tooltip("share:Q", title="Share", format=".1%")])
    marks = [alt.Chart(pd.DataFrame({"x": [0.0], "what": ["break-even"]})).mark_rule(
        color="#555555", strokeDash=[4, 3]).encode(x="x:Q")]
    if estimate is not None and np.isfinite(estimate):
        marks.append(alt.Chart(pd.DataFrame({"x": [float(estimate)]})).mark_rule(color="#212121", strokeWidth=2)
                     .encode(x="x:Q"))
    subtitle = ["Bootstrap resamples of the comparison: each bar is how often the ROI fell in that range.",
                "Dashed: break-even. Solid: the estimate."]
    return alt.layer(bars, *marks).properties(width=WIDTH, height=200, title=_title(title, subtitle))


def roi_caption(roi: Mapping | None, *, note: str = SELF_SELECTION_NOTE) -> str:
    """Caption for :func:`roi_chart` from the JSON ``roi`` block (or ``None``); ``note``: :func:`design_note`."""
    if not roi:
        return NO_DATA + "."
    r = roi["roi"]
    avoided = roi["avoided_exits"]
    return (f"Against the comparison group, about {avoided['estimate']:.1f} exits were avoided among "
            f"{roi['participants']} participants (95% interval {avoided['low']:.1f} to {avoided['high']:.1f}). At "
            f"{roi['replacement_cost']:,.0f} {roi['currency']} per replacement and a cost of {roi['cost']:,.0f} "
            f"{roi['currency']}, the ROI is {r['estimate']:+.2f} (95% interval {r['low']:+.2f} to {r['high']:+.2f}); "
            f"it is above zero in {_pct(r['p_positive'])} of resamples. " + note)


# ---------------------------------------------------------------------------
# scorecard


def _scorecard_rows(card: pd.DataFrame) -> pd.DataFrame:
    _require(card, ("objective", "status", "observed", "low", "high", "target", "baseline"), "scorecard_chart")
    rows = card.copy()
    for column in ("observed", "low", "high", "target", "baseline"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    rows = rows[rows["observed"].notna()].copy()
    rows["label"] = [f"{o}: {s}" for o, s in zip(rows["objective"], rows["status"])]
    return rows.reset_index(drop=True)


def scorecard_chart(card: pd.DataFrame) -> alt.VConcatChart | alt.Chart:
    """One panel per measured objective: observed (dot) with its interval, baseline (grey tick), target (black tick).

    ``card`` is ``result.scorecard``. Each panel has its own scale (objectives
    have their own units); the dot's colour is the verdict.
    """
    title = "Objectives: where the program stands"
    if _is_empty(card):
        return _no_data_chart(title)
    rows = _scorecard_rows(card)
    if rows.empty:
        return _no_data_chart(title)
    panels = []
    for row in rows.to_dict("records"):
        one = pd.DataFrame([row])
        values = [v for v in (row["low"], row["high"], row["target"], row["baseline"], row["observed"])
                  if v is not None and np.isfinite(v)]
        pad = (max(values) - min(values)) * 0.15 or 1.0
        scale = alt.Scale(domain=[min(values) - pad, max(values) + pad], nice=False)
        x_title = f"{row.get('measure') or row.get('kpi') or ''} ({row.get('unit') or ''})"
        base = alt.Chart(one)
        layers = [base.mark_rule(strokeWidth=3, color="#9ecae1").encode(x=alt.X("low:Q", scale=scale, title=x_title),
                                                                          x2="high:Q")]
        if np.isfinite(row["baseline"]):
            layers.append(base.mark_tick(color="#9e9e9e", thickness=3, size=22).encode(x="baseline:Q"))
        if np.isfinite(row["target"]):
            layers.append(base.mark_tick(color="#212121", thickness=3, size=22).encode(x="target:Q"))
        layers.append(base.mark_point(filled=True, size=110, color=STATUS_COLOURS.get(row["status"], "#1f77b4"))
                      .encode(x="observed:Q", tooltip=[alt.Tooltip("objective:N", title="Objective"),
                                                       alt.Tooltip("observed:Q", title="Observed", format=".3g"),
                                                       alt.Tooltip("target:Q", title="Target", format=".3g"),
                                                       alt.Tooltip("status:N", title="Verdict")]))
        panels.append(alt.layer(*layers).properties(width=WIDTH, height=30, title=alt.Title(
            row["label"], anchor="start", fontSize=12)))
    subtitle = ["Dot: observed (colour: met, not met, unclear); blue line: 95% interval; black tick: target; "
                "grey tick: baseline."]
    return alt.vconcat(*panels, spacing=14, title=_title(title, subtitle))


def scorecard_caption(card: pd.DataFrame, *, note: str = SELF_SELECTION_NOTE) -> str:
    """Caption for :func:`scorecard_chart`; ``note``: :func:`design_note`."""
    if _is_empty(card):
        return "The design has no objectives yet (Align): there is nothing to score."
    counts = card["status"].value_counts()
    parts = [f"{counts.get(s, 0)} {s}" for s in ("met", "not met", "unclear", "not measured") if counts.get(s, 0)]
    return (f"Of {len(card)} objective{'s' if len(card) != 1 else ''}: {', '.join(parts)}. Met or not met means "
            "the whole 95% interval is on one side of the target; unclear means it straddles it. " + note)


# ---------------------------------------------------------------------------
# calibration


def calibration_chart(forecast: pd.DataFrame) -> alt.VConcatChart | alt.Chart:
    """One panel per measure: the forecast's single-run range (5th-95th percentile), its mean, and what happened.

    ``forecast`` is ``result.calibration.forecast``.
    """
    title = "Forecast against what happened"
    if _is_empty(forecast):
        return _no_data_chart(title)
    _require(forecast, ("label", "forecast", "p05", "p95", "observed"), "calibration_chart")
    rows = forecast.copy()
    for column in ("forecast", "p05", "p95", "observed"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    panels = []
    for row in rows.to_dict("records"):
        one = pd.DataFrame([row])
        values = [v for v in (row["p05"], row["p95"], row["forecast"], row["observed"]) if np.isfinite(v)]
        pad = (max(values) - min(values)) * 0.15 or 0.05
        scale = alt.Scale(domain=[min(values) - pad, max(values) + pad], nice=False)
        fmt = ".0%" if str(row.get("unit", "")).startswith("share") else ".1f"
        base = alt.Chart(one)
        layers = [base.mark_bar(color="#c6dbef", height=14).encode(
                      x=alt.X("p05:Q", scale=scale, title=None, axis=alt.Axis(format=fmt)), x2="p95:Q"),
                  base.mark_tick(color="#08519c", thickness=3, size=20).encode(x="forecast:Q")]
        if np.isfinite(row["observed"]):
            layers.append(base.mark_point(filled=True, size=110, color="#d62728" if row.get("within") is False
                                          else "#212121").encode(
                x="observed:Q", tooltip=[alt.Tooltip("label:N", title="Measure"),
                                         alt.Tooltip("forecast:Q", title="Forecast", format=fmt),
                                         alt.Tooltip("observed:Q", title="Observed", format=fmt)]))
        panels.append(alt.layer(*layers).properties(width=WIDTH, height=26, title=alt.Title(
            row["label"], anchor="start", fontSize=12)))
    subtitle = ["Bar: what one cohort could see if the model were right (5th-95th percentile of runs).",
                "Tick: the forecast's mean. Dot: what happened (red when outside the bar)."]
    return alt.vconcat(*panels, spacing=12, title=_title(title, subtitle))


def calibration_caption(forecast: pd.DataFrame, fitted: pd.DataFrame | None = None) -> str:
    """Caption for :func:`calibration_chart`; ``fitted`` is ``result.calibration.fitted``."""
    if _is_empty(forecast):
        return NO_DATA + "."
    measured = forecast[forecast["within"].notna()]
    outside = measured[measured["within"] == False]  # noqa: E712 - a column of True/False/None
    parts = [f"{len(measured) - len(outside)} of {len(measured)} observed figures fall within the range the "
             "outcome model forecast for this design" + (f"; outside: {', '.join(outside['label'].str.lower())}."
                                                         if len(outside) else ".")]
    for row in forecast[forecast["within"].isna()].itertuples():  # nothing observed to compare: say why
        why = str(getattr(row, "note", "") or "").strip().rstrip(".")
        parts.append(f"{row.label}: nothing observed to compare" + (f" ({why[0].lower()}{why[1:]})." if why else "."))
    if fitted is not None and len(fitted):
        shown = fitted[pd.to_numeric(fitted["fitted"], errors="coerce").notna()]
        if len(shown):
            parts.append("Suggested starting values for the next cohort's scenarios: " + "; ".join(
                f"{r.parameter.replace('_', ' ')} {r.fitted:.2f} (was {r.used:.2f}{', clipped' if r.clipped else ''})"
                for r in shown.itertuples()) + ".")
    return " ".join(parts)


POOLED_LABEL = "All programs (pooled)"


def _programs_rows(table: pd.DataFrame, all_programs: str) -> pd.DataFrame:
    rows = table[table["hazard_ratio"].notna()]
    return pd.DataFrame({
        "label": np.where(rows["program"] == all_programs, POOLED_LABEL, rows["program"].astype(str)),
        "kind": np.where(rows["program"] == all_programs, "pooled", "program"),
        "estimate": rows["hazard_ratio"].astype(float), "low": rows["hazard_low"].astype(float),
        "high": rows["hazard_high"].astype(float), "participants": rows["participants"]})


def programs_chart(table: pd.DataFrame, *, all_programs: str = "all programs") -> alt.LayerChart | alt.Chart:
    """The hazard ratio of leaving (participants against their comparison group) per program, with its 95%
    interval, and pooled over all programs, on a log scale with 1 (no difference) marked.

    ``table`` is :meth:`workbench.evaluate.ProgramsEvaluation.table` (``program``,
    ``participants``, ``hazard_ratio``, ``hazard_low``, ``hazard_high``); the row
    ``all_programs`` is the pooled one. Programs without a hazard ratio are left out.
    """
    title = "Leaving per program, against each comparison group"
    if _is_empty(table):
        return _no_data_chart(title)
    _require(table, ("program", "participants", "hazard_ratio", "hazard_low", "hazard_high"), "programs_chart")
    rows = _programs_rows(table, all_programs)
    if rows.empty:
        return _no_data_chart(title)
    order = list(rows["label"])
    scale = alt.Scale(type="log", domain=[min(0.1, float(rows["low"].min())), max(10.0, float(rows["high"].max()))])
    y = alt.Y("label:N", title=None, sort=order)
    colour = alt.Color("kind:N", legend=None, scale=alt.Scale(domain=["program", "pooled"],
                                                               range=["#1f77b4", "#212121"]))
    base = alt.Chart(rows)
    bars = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", scale=scale, title="Hazard ratio of leaving "
                                                        "(below 1: participants left less)"), x2="high:Q", y=y,
                                                color=colour)
    points = base.mark_point(filled=True, size=70).encode(
        x="estimate:Q", y=y, color=colour, shape=alt.Shape("kind:N", legend=None, scale=alt.Scale(
            domain=["program", "pooled"], range=["circle", "diamond"])),
        tooltip=[alt.Tooltip("label:N", title="Program"), alt.Tooltip("participants:Q", title="Participants"),
                 alt.Tooltip("estimate:Q", title="Hazard ratio", format=".2f"),
                 alt.Tooltip("low:Q", title="95% from", format=".2f"),
                 alt.Tooltip("high:Q", title="95% to", format=".2f")])
    one = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#555555", strokeDash=[4, 3]).encode(x="x:Q")
    subtitle = ["Cox hazard ratio with its 95% interval; dashed: no difference. The pooled row counts each "
                "person once.", "Each program is compared with eligible colleagues who did not take part in it."]
    return alt.layer(bars, points, one).properties(width=WIDTH, height=36 * len(rows) + 30,
                                                   title=_title(title, subtitle))


def programs_caption(table: pd.DataFrame, *, all_programs: str = "all programs") -> str:
    """Caption for :func:`programs_chart` from the same table."""
    if _is_empty(table):
        return NO_DATA + "."
    rows = _programs_rows(table, all_programs)
    if rows.empty:
        return "No program has a hazard ratio of leaving: a group without exits, or too few people."
    parts = [f"{r.label}: {r.estimate:.2f} (95% interval {r.low:.2f} to {r.high:.2f})" for r in rows.itertuples()]
    clear = [r.label for r in rows.itertuples() if r.high < 1 or r.low > 1]
    has = "has an interval that excludes" if len(clear) == 1 else "have intervals that exclude"
    verdict = (f"Only {_and(clear)} {has} 1."
               if clear else "Every interval includes 1: no program shows a clear difference in leaving.")
    left = len(table[(table["program"] != all_programs)]) - int((rows["kind"] == "program").sum())
    missing = f" {left} program{'s have' if left != 1 else ' has'} no hazard ratio." if left else ""
    return "Hazard ratio of leaving, participants against the comparison group: " + "; ".join(parts) + ". " \
        + verdict + missing + " " + _programs_note(table, all_programs)


def _programs_note(table: pd.DataFrame, all_programs: str) -> str:
    """Who took part in each program (its ``pilot`` design), or :data:`SELF_SELECTION_NOTE` when all ran open."""
    if "pilot" not in table:
        return SELF_SELECTION_NOTE
    rows = table[(table["program"] != all_programs) & table["pilot"].notna()]
    if set(rows["pilot"]) <= {"open"}:
        return SELF_SELECTION_NOTE
    return " ".join([*(f"{r.program}: {DESIGN_NOTES.get(r.pilot, SELF_SELECTION_NOTE)}" for r in rows.itertuples()),
                     POOLED_ASSOCIATION])
