"""Matching charts, each with a plain-language caption.

Every builder takes a frame made by :mod:`workbench.matching` (a result's
``pairs``, :func:`~workbench.matching.comparison_table`,
:meth:`~workbench.matching.MatchResult.by_group`,
:func:`~workbench.matching.candidates`) and returns an Altair chart;
its ``*_caption`` companion takes the same arguments and returns text for a
non-technical reader, computed from the same rows the chart draws.

Common rules:

* Scores are binned before charting, so a matching of any size embeds at most
  ``methods x bins`` rows; the other inputs are small aggregates. A chart never
  embeds more than ``MAX_ROWS`` rows and raises ``ValueError`` rather than try.
* Empty inputs give a chart that says "No data for this selection".
* Privacy: fairness groups marked ``hidden`` (fewer than five people) are drawn
  as a label without any of their numbers, whatever the input holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from workbench.matching.names import CRITERION_LABELS, METHOD_LABELS, criterion_label, method_label
from workbench.privacy import MIN_GROUP
from workbench.charts.common import (
    MAX_ROWS,
    NO_DATA,
    WIDTH,
    is_empty as _is_empty,
    require as _require,
    check_size as _check_size,
    numbers as _numbers,
    title as _title,
    no_data_chart as _no_data_chart,
)

__all__ = [
    "CRITERION_LABELS",
    "METHOD_LABELS",
    "NO_DATA",
    "candidate_caption",
    "candidate_chart",
    "coverage_caption",
    "coverage_chart",
    "criterion_label",
    "fairness_caption",
    "fairness_chart",
    "method_label",
    "score_distribution_caption",
    "score_distribution_chart",
]

BINS = 20

_MEASURES = (("match_rate", "People matched"), ("skills_covered", "Needed skills covered"),
             ("capacity_use", "Mentor places used"))

_BAR = "#1f77b4"
_MUTED = "#9e9e9e"
_MEAN = "#212121"
_CRITERION_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
                      "#d62728", "#7f7f7f", "#aec7e8", "#ffbb78"]  # 8 built-in criteria and a design's own


# ---------------------------------------------------------------------------
# shared helpers


def _count(n: float, singular: str, plural: str | None = None) -> str:
    n = int(n)
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


# ---------------------------------------------------------------------------
# score distribution, one row per method


def _score_bins(scores: pd.DataFrame, bins: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pairs per score bin and method, and per method: label, pairs, mean and worst score."""
    _require(scores, ("method", "score"), "score_distribution_chart")
    frame = pd.DataFrame({"method": scores["method"].astype(str), "score": _numbers(scores["score"])})
    frame = frame[frame["score"].notna()]
    order = list(dict.fromkeys(scores["method"].astype(str)))
    stats = (frame.groupby("method", sort=False)["score"].agg(pairs="size", mean="mean", worst="min")
             .reindex(order).reset_index())
    stats["pairs"] = stats["pairs"].fillna(0).astype(int)
    stats["label"] = [f"{method_label(m)}: mean {s:.2f}" if p else f"{method_label(m)}: no pairs"
                      for m, p, s in zip(stats["method"], stats["pairs"], stats["mean"])]
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, frame["score"].clip(0, 1).to_numpy(), side="right") - 1, 0, bins - 1)
    counts = (frame.assign(bin=which).groupby(["method", "bin"], sort=False).size().rename("pairs").reset_index())
    grid = pd.MultiIndex.from_product([order, range(bins)], names=["method", "bin"]).to_frame(index=False)
    counts = grid.merge(counts, on=["method", "bin"], how="left").fillna({"pairs": 0})
    counts["pairs"] = counts["pairs"].astype(int)
    counts["start"] = edges[counts["bin"]]
    counts["end"] = edges[counts["bin"] + 1]
    counts["label"] = counts["method"].map(dict(zip(stats["method"], stats["label"])))
    counts["range"] = [f"{a:.2f}-{b:.2f}" for a, b in zip(counts["start"], counts["end"])]
    return counts, stats


def score_distribution_chart(scores: pd.DataFrame, *, bins: int = BINS) -> alt.FacetChart | alt.Chart:
    """How many pairs reach each score, one histogram per method, stacked with a shared score axis.

    ``scores`` has one row per pair: ``method`` and ``score`` (0-1), e.g. a
    result's ``pairs`` with a ``method`` column, or several results' pairs
    concatenated. Scores are counted in ``bins`` equal bins over 0-1 before
    charting; methods keep the order they first appear in. Each row's label
    gives the method's mean score.
    """
    title = "How good are the pairs?"
    if _is_empty(scores):
        return _no_data_chart(title)
    counts, stats = _score_bins(scores, bins)
    if stats["pairs"].sum() == 0:
        return _no_data_chart(title)
    _check_size(len(counts), "score_distribution_chart")
    order = list(stats["label"])
    several = len(order) > 1
    subtitle = ["Pairs by score: 0 = no fit, 1 = a perfect fit on every criterion. Further right is better."]
    if several:
        subtitle.append("One row per matching method, same pool and settings.")
    bars = alt.Chart(counts).mark_bar(color=_BAR, stroke="#ffffff", strokeWidth=0.5).encode(
        x=alt.X("start:Q", bin="binned", title="Score of the pair", scale=alt.Scale(domain=[0, 1], nice=False),
                axis=alt.Axis(format=".1f", values=[round(v / 10, 1) for v in range(11)])),
        x2="end:Q",
        y=alt.Y("pairs:Q", title="Pairs", axis=alt.Axis(tickMinStep=1, format=",d", tickCount=3)),
        tooltip=[alt.Tooltip("label:N", title="Method"), alt.Tooltip("range:N", title="Score"),
                 alt.Tooltip("pairs:Q", title="Pairs", format=",d")],
    )
    if not several:
        return bars.properties(width=WIDTH, height=140, title=_title(title, [*subtitle, order[0] + "."]))
    return (
        bars.properties(width=WIDTH, height=60)
        .facet(row=alt.Row("label:N", sort=order, title=None,
                           header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                             labelOrient="top", labelFontSize=12, labelFontWeight="bold")),
               title=_title(title, subtitle))
        .resolve_scale(y="shared")
        .configure_facet(spacing=18)
    )


def score_distribution_caption(scores: pd.DataFrame, *, bins: int = BINS) -> str:
    """Plain-language caption for :func:`score_distribution_chart` (same arguments)."""
    if _is_empty(scores):
        return NO_DATA + "."
    _, stats = _score_bins(scores, bins)
    stats = stats[stats["pairs"] > 0]
    if stats.empty:
        return NO_DATA + "."
    if len(stats) == 1:
        row = stats.iloc[0]
        return (f"The chart counts the {_count(row['pairs'], 'pair')} by score. Their mean score is "
                f"{row['mean']:.2f} and the weakest pair scores {row['worst']:.2f} (0 = no fit, 1 = perfect).")
    best = stats.sort_values("mean", ascending=False, kind="stable").iloc[0]
    fairest = stats.sort_values("worst", ascending=False, kind="stable").iloc[0]
    parts = [f"Each row counts one method's pairs by score. {method_label(best['method'])} gives the highest mean "
             f"score ({best['mean']:.2f})"]
    if fairest["method"] != best["method"]:
        parts.append(f"; {method_label(fairest['method'])} has the best weakest pair ({fairest['worst']:.2f}).")
    else:
        parts.append(f" and the best weakest pair ({fairest['worst']:.2f}).")
    return "".join(parts) + " Compare the number of pairs too: a method that matches fewer people can look better."


# ---------------------------------------------------------------------------
# coverage and capacity


def _coverage_rows(table: pd.DataFrame) -> pd.DataFrame:
    _require(table, ("method", "match_rate"), "coverage_chart")
    rows = []
    for record in table.to_dict("records"):
        for key, label in _MEASURES:
            value = record.get(key)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            rows.append({"method": str(record["method"]), "method_label": method_label(str(record["method"])),
                         "measure": label, "share": float(value), "text": f"{float(value):.0%}"})
    return pd.DataFrame(rows, columns=["method", "method_label", "measure", "share", "text"])


def coverage_chart(table: pd.DataFrame) -> alt.LayerChart | alt.Chart:
    """Share of mentees matched, of their needed skills covered and of mentor places used, per method.

    ``table`` is :func:`workbench.matching.comparison_table` (one row per
    method; one row for a single matching). Measures a structure does not have
    (blank, e.g. capacity for peers) are left out. With several methods the
    bars of a measure are grouped, one colour per method.
    """
    title = "Coverage and capacity"
    if _is_empty(table):
        return _no_data_chart(title)
    rows = _coverage_rows(table)
    if rows.empty:
        return _no_data_chart(title)
    _check_size(len(rows), "coverage_chart")
    measures = [label for _, label in _MEASURES if label in set(rows["measure"])]
    methods = list(dict.fromkeys(rows["method_label"]))
    several = len(methods) > 1
    x = alt.X("share:Q", title=None, scale=alt.Scale(domain=[0, 1.12], nice=False),
              axis=alt.Axis(format=".0%", values=[0, 0.25, 0.5, 0.75, 1.0], grid=True))
    y = alt.Y("measure:N", sort=measures, title=None, axis=alt.Axis(labelLimit=220, ticks=False, labelFontSize=12))
    tooltip = [alt.Tooltip("method_label:N", title="Method"), alt.Tooltip("measure:N", title="Measure"),
               alt.Tooltip("share:Q", title="Share", format=".0%")]
    base = alt.Chart(rows).encode(y=y, tooltip=tooltip)
    if several:
        base = base.encode(yOffset=alt.YOffset("method_label:N", sort=methods))
        colour = alt.Color("method_label:N", title="Method", sort=methods,
                           legend=alt.Legend(orient="bottom", columns=2, labelLimit=260))
        bars = base.mark_bar(size=8).encode(x=x, color=colour)
        height = alt.Step(10)
        size = 10
    else:
        bars = base.mark_bar(size=18, color=_BAR).encode(x=x)
        height = alt.Step(30)
        size = 12
    labels = base.mark_text(align="left", dx=4, fontSize=size - 1 if several else 12, color="#333333").encode(
        x="share:Q", text="text:N")
    subtitle = ["Mentees with a partner, mentees' needed skills that a partner covers, mentor places filled."]
    return (alt.layer(bars, labels, title=_title(title, subtitle))
            .properties(width=WIDTH - 140, height=height))


def coverage_caption(table: pd.DataFrame) -> str:
    """Plain-language caption for :func:`coverage_chart` (same arguments)."""
    if _is_empty(table):
        return NO_DATA + "."
    rows = _coverage_rows(table)
    if rows.empty:
        return NO_DATA + "."
    first = rows[rows["method"] == rows["method"].iloc[0]].set_index("measure")["share"]
    parts = []
    if "People matched" in first:
        parts.append(f"{first['People matched']:.0%} of mentees have a partner")
    if "Needed skills covered" in first:
        parts.append(f"partners cover {first['Needed skills covered']:.0%} of the skills mentees need")
    if "Mentor places used" in first:
        parts.append(f"{first['Mentor places used']:.0%} of mentor places are used")
    text = "; ".join(parts)
    text = (text[:1].upper() + text[1:] + ".") if text else ""
    if rows["method"].nunique() > 1:
        text = f"With {method_label(rows['method'].iloc[0]).lower()}: " + text[:1].lower() + text[1:]
    elif "Mentor places used" in first and first["Mentor places used"] >= 0.999 and first.get("People matched", 1) < 1:
        text += " Every place is taken: more mentors, or more mentees per mentor, would match more people."
    return text


# ---------------------------------------------------------------------------
# fairness by group


def _fairness_rows(fairness: pd.DataFrame, attribute: str, min_group: int) -> pd.DataFrame:
    _require(fairness, (attribute, "people", "match_rate"), "fairness_chart")
    frame = fairness.copy()
    hidden = frame["hidden"].astype(bool) if "hidden" in frame.columns else pd.Series(False, index=frame.index)
    people = _numbers(frame["people"])
    hidden = hidden | people.isna() | (people < min_group)
    out = pd.DataFrame({"group": frame[attribute].astype(str).to_numpy(), "hidden": hidden.to_numpy()})
    for column in ("people", "matched", "match_rate", "mean_score"):
        values = _numbers(frame[column]) if column in frame.columns else pd.Series(np.nan, index=frame.index)
        out[column] = values.where(~hidden).to_numpy()
    small = frame["hidden_small"].astype(bool) if "hidden_small" in frame.columns else hidden
    out["text"] = [(f"hidden: fewer than {min_group} people" if s else "hidden: it would reveal a smaller group")
                   if h else f"{r:.0%} of {p:,.0f}"
                   for h, s, r, p in zip(out["hidden"], small.to_numpy(), out["match_rate"], out["people"])]
    out["bar"] = out["match_rate"].fillna(0.0)
    return out


def fairness_chart(fairness: pd.DataFrame, attribute: str, *, overall: float | None = None,
                   min_group: int = MIN_GROUP, label: str | None = None) -> alt.LayerChart | alt.Chart:
    """Share of each group's mentees who got a partner, one bar per group of ``attribute``.

    ``fairness`` is ``MatchResult.by_group(attribute)``. Groups marked
    ``hidden`` (or with fewer than ``min_group`` people) are drawn as a grey
    label with no bar and none of their numbers. ``overall`` (0-1), when given,
    is drawn as a dashed line: the match rate of everyone. ``label`` names the
    attribute in the title (default: the column name with spaces).
    """
    name = label or attribute.replace("_", " ")
    title = f"Who gets matched, by {name}"
    if _is_empty(fairness):
        return _no_data_chart(title)
    rows = _fairness_rows(fairness, attribute, min_group)
    _check_size(len(rows), "fairness_chart")
    order = list(rows["group"])
    y = alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=220, ticks=False))
    x = alt.X("bar:Q", title="Mentees matched", scale=alt.Scale(domain=[0, 1.25], nice=False),
              axis=alt.Axis(format=".0%", values=[0, 0.25, 0.5, 0.75, 1.0], grid=True))
    tooltip = [alt.Tooltip("group:N", title=name.capitalize()), alt.Tooltip("text:N", title="Matched"),
               alt.Tooltip("mean_score:Q", title="Mean score", format=".2f")]
    base = alt.Chart(rows).encode(y=y)
    bars = base.mark_bar(size=16, color=_BAR).encode(x=x, tooltip=tooltip).transform_filter(~alt.datum.hidden)
    labels = base.mark_text(align="left", dx=4, fontSize=11).encode(
        x="bar:Q", text="text:N",
        color=alt.condition(alt.datum.hidden, alt.value(_MUTED), alt.value("#333333")),
    )
    layers = [bars, labels]
    subtitle = ["Share of each group's mentees who have a partner."]
    if overall is not None and not math.isnan(overall):
        line = pd.DataFrame({"overall": [float(overall)], "label": [f"everyone: {overall:.0%}"]})
        layers.append(alt.Chart(line).mark_rule(color=_MEAN, strokeDash=[4, 3]).encode(x="overall:Q"))
        subtitle.append(f"Dashed line: everyone ({overall:.0%}).")
    if rows["hidden"].any():
        subtitle.append(f"Groups of fewer than {min_group} people are hidden to protect them.")
    return alt.layer(*layers, title=_title(title, subtitle)).properties(width=WIDTH - 140, height=alt.Step(24))


def fairness_caption(fairness: pd.DataFrame, attribute: str, *, overall: float | None = None,
                     min_group: int = MIN_GROUP, label: str | None = None) -> str:
    """Plain-language caption for :func:`fairness_chart` (same arguments): the lowest and highest groups shown."""
    if _is_empty(fairness):
        return NO_DATA + "."
    rows = _fairness_rows(fairness, attribute, min_group)
    shown = rows[~rows["hidden"]]
    name = label or attribute.replace("_", " ")
    hidden = int(rows["hidden"].sum())
    tail = (f" {_count(hidden, 'group')} of fewer than {min_group} people {'is' if hidden == 1 else 'are'} hidden."
            if hidden else "")
    if shown.empty:
        return f"Every {name} group has fewer than {min_group} people, so none is shown." if hidden else NO_DATA + "."
    low = shown.sort_values("match_rate", kind="stable").iloc[0]
    high = shown.sort_values("match_rate", ascending=False, kind="stable").iloc[0]
    if len(shown) == 1 or high["match_rate"] - low["match_rate"] < 1e-9:
        text = f"Every {name} group shown has the same match rate ({low['match_rate']:.0%})."
    else:
        gap = high["match_rate"] - low["match_rate"]
        text = (f"By {name}, {high['group']} has the highest match rate ({high['match_rate']:.0%}) and "
                f"{low['group']} the lowest ({low['match_rate']:.0%}), {gap * 100:.0f} points apart.")
        if gap >= 0.2:
            text += " A gap this large is worth a look: the rules or the mentors on offer may favour some groups."
    return text + tail


# ---------------------------------------------------------------------------
# one mentee's candidates


def _candidate_rows(candidates: pd.DataFrame, weights: Mapping[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    _require(candidates, ("mentor_id", "status", "allowed", "score"), "candidate_chart")
    frame = candidates.reset_index(drop=True)
    names = frame["name"].astype(str) if "name" in frame.columns else pd.Series("", index=frame.index)
    frame = frame.assign(who=[f"{n} ({i})" if n else str(i) for n, i in zip(names, frame["mentor_id"])])
    used = {k: float(v) for k, v in weights.items() if float(v) > 0 and k in frame.columns}
    total = sum(used.values())
    pieces = []
    for position, (name, weight) in enumerate(used.items()):
        value = _numbers(frame[name]).fillna(0.0)
        pieces.append(pd.DataFrame({"who": frame["who"], "criterion": criterion_label(name), "position": position,
                                    "value": value, "part": value * weight / total if total else 0.0,
                                    "allowed": frame["allowed"].astype(bool)}))
    parts = (pd.concat(pieces, ignore_index=True) if pieces
             else pd.DataFrame(columns=["who", "criterion", "position", "value", "part", "allowed"]))
    ends = pd.DataFrame({"who": frame["who"], "score": _numbers(frame["score"]),
                         "status": frame["status"].astype(str), "allowed": frame["allowed"].astype(bool)})
    ends["text"] = [f"{s:.2f}  {st}" for s, st in zip(ends["score"], ends["status"])]
    return parts, ends


def candidate_chart(candidates: pd.DataFrame, weights: Mapping[str, float], *,
                    mentee: str | None = None, partner: str = "mentor") -> alt.LayerChart | alt.Chart:
    """One mentee's candidate mentors: each bar is the score, split into what each criterion adds.

    ``candidates`` is :func:`workbench.matching.candidates` (rows in
    its order, best first); ``weights`` the criterion weights the matching
    used (``result.settings["weights"]``): a criterion adds ``weight x
    value / total weight``, so the pieces add up to the score. Pairs that are
    not allowed are faded; the label after each bar gives the score and the
    status (matched, full, not allowed and why). ``mentee`` names the mentee
    in the title; ``partner`` is the word for the other side ("peer" in peer
    circles).
    """
    title = (f"Candidate {partner}s for {mentee}, best fit first" if mentee
             else f"Candidate {partner}s, best fit first")
    if _is_empty(candidates):
        return _no_data_chart(title)
    parts, ends = _candidate_rows(candidates, weights)
    _check_size(len(parts) + len(ends), "candidate_chart")
    order = list(ends["who"])
    criteria = list(dict.fromkeys(parts["criterion"]))
    y = alt.Y("who:N", sort=order, title=None, axis=alt.Axis(labelLimit=240, ticks=False))
    x = alt.X("part:Q", title="Score (each colour: what a criterion adds)", stack="zero",
              scale=alt.Scale(domain=[0, 1.9], nice=False), axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1.0],
                                                                        format=".2f", grid=True))
    bars = alt.Chart(parts).mark_bar(size=14).encode(
        y=y, x=x,
        color=alt.Color("criterion:N", title="Criterion", sort=criteria,
                        scale=alt.Scale(domain=criteria, range=_CRITERION_COLOURS[:len(criteria)]),
                        legend=alt.Legend(orient="bottom", direction="horizontal", columns=4)),
        opacity=alt.condition(alt.datum.allowed, alt.value(1.0), alt.value(0.3)),
        order=alt.Order("position:Q"),
        tooltip=[alt.Tooltip("who:N", title=partner.capitalize()), alt.Tooltip("criterion:N", title="Criterion"),
                 alt.Tooltip("value:Q", title="Criterion value (0-1)", format=".2f"),
                 alt.Tooltip("part:Q", title="Adds to the score", format=".3f")],
    )
    labels = alt.Chart(ends).mark_text(align="left", dx=4, fontSize=11).encode(
        y=y, x=alt.X("score:Q"), text="text:N",
        color=alt.condition(alt.datum.allowed, alt.value("#333333"), alt.value("#b3261e")),
        tooltip=[alt.Tooltip("who:N", title=partner.capitalize()), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("score:Q", title="Score", format=".2f")],
    )
    subtitle = ["Faded bars: pairs a rule or an administrator does not allow (what they would score)."]
    return alt.layer(bars, labels, title=_title(title, subtitle)).properties(width=WIDTH + 80, height=alt.Step(22))


def candidate_caption(candidates: pd.DataFrame, weights: Mapping[str, float], mentee: str = "this mentee", *,
                      partner: str = "mentor") -> str:
    """Plain-language caption for :func:`candidate_chart`: the best allowed partner and the current partner(s)."""
    if _is_empty(candidates):
        return NO_DATA + "."
    allowed = candidates[candidates["allowed"].astype(bool)]
    parts = []
    if allowed.empty:
        parts.append(f"No {partner} shown is allowed for {mentee}.")
    else:
        best = allowed.iloc[0]
        parts.append(f"The best allowed fit for {mentee} is {_who(best)} (score {best['score']:.2f}).")
    matched = candidates[candidates["status"].astype(str).str.startswith("matched")]
    if matched.empty:
        parts.append(f"{mentee[:1].upper() + mentee[1:]} has no partner in this matching.")
    else:
        for row in matched.itertuples(index=False):
            rank = "" if pd.isna(row.rank) else f", number {int(row.rank)} on the list"
            parts.append(f"Matched with {_who(row._asdict())} (score {row.score:.2f}{rank}).")
    blocked = int((~candidates["allowed"].astype(bool)).sum())
    if blocked:
        parts.append(f"{_count(blocked, partner)} shown {'is' if blocked == 1 else 'are'} not allowed: "
                     "the status says which rule.")
    if len(allowed) and not matched.empty and float(matched["score"].max()) < float(allowed["score"].iloc[0]) - 1e-9:
        parts.append("Better fits are taken by others or the method weighs the whole group, not one person.")
    return " ".join(parts)


def _who(row) -> str:
    name = str(row["name"]) if "name" in row and row["name"] else ""
    return f"{name} ({row['mentor_id']})" if name else str(row["mentor_id"])
