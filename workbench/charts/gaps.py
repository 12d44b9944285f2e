"""Skill-gap charts, each with a plain-language caption.

Every builder takes one of the aggregated frames made by ``workbench.gaps``
(``aggregate``, ``prioritised_gaps``, ``supply_demand``, ``gap_profile``) and
returns an Altair chart; its ``*_caption`` companion takes the same arguments
and returns text for a non-technical reader: what the chart shows and the main
takeaway, computed from the same rows the chart draws.

Common rules:

* Inputs are aggregates. A chart never embeds more than ``MAX_ROWS`` rows
  (Altair refuses 5,000); the builders trim to their ``top``/``max_skills``
  and raise ``ValueError`` when an input is still too large.
* Empty inputs (or nothing left after dropping rows that cannot be drawn) give
  a chart with the text "No data for this selection" instead of an error.
* An unknown level is never drawn as zero: cells with no one assessed are
  grey, unassessed skills in a profile are labelled "not assessed".
* Privacy: heat-map cells of fewer than ``min_group`` people, or with fewer than
  ``min_group`` of them assessed, are sent to the
  chart without any of their numbers.
"""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from workbench.gaps.analysis import GAP_CELL_MARGINS, hide_small_cells
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
    "NO_DATA",
    "gap_heatmap",
    "gap_heatmap_and_caption",
    "gap_heatmap_caption",
    "gap_profile_and_caption",
    "gap_profile_chart",
    "gap_profile_caption",
    "prioritised_gaps_and_caption",
    "prioritised_gaps_chart",
    "prioritised_gaps_caption",
    "supply_demand_and_caption",
    "supply_demand_chart",
    "small_demand_note",
    "supply_demand_caption",
]


ASSESSED = "assessed"
NOT_ASSESSED = "not assessed"

_HEATMAP_COLUMNS = ("department", "skill_id", "people", "assessed", "coverage", "gap_share", "mean_gap",
                   "total_weighted_gap")
_PRIORITY_COLUMNS = ("skill_id", "name", "depth", "breadth", "criticality", "people_with_gap", "score")
_SUPPLY_COLUMNS = ("skill_id", "demand", "supply", "potential", "status")
_PROFILE_COLUMNS = ("person_id", "skill_id", "current", "target", "gap", "weighted_gap")

_SEQUENTIAL = "orangered"
_NOT_ASSESSED_GREY = "#c8c8c8"
_HIDDEN_FILL = "#ffffff"
_CELL_BORDER = "#9e9e9e"
_SHORTAGE = "#c0392b"
_SURPLUS = "#2e7d32"
_BALANCED = "#6b6b6b"
_DEMAND = "#37474f"
_SUPPLY = "#1f77b4"
_POTENTIAL = "#aec7e8"
_TARGET = "#212121"


# ---------------------------------------------------------------------------
# shared helpers


def _hidden_label(min_group: int) -> str:
    return f"hidden: fewer than {min_group} people (or assessed), or it would reveal one"


def _skill_labels(skill_ids: pd.Series, skills: pd.DataFrame | None, names: pd.Series | None = None) -> pd.Series:
    """Readable skill names for ``skill_ids``; ``skill_id`` where no name is known.

    Two different skills that share a name get their id appended so they never
    merge into one bar or column.
    """
    ids = skill_ids.astype(str)
    labels = pd.Series(pd.NA, index=skill_ids.index, dtype="object")
    if names is not None:
        labels = names.astype("object").where(names.notna() & (names.astype(str).str.strip() != ""), pd.NA)
    if skills is not None and {"skill_id", "name"} <= set(skills.columns) and len(skills):
        catalogue = skills.assign(skill_id=skills["skill_id"].astype(str)).drop_duplicates("skill_id")
        labels = labels.fillna(ids.map(catalogue.set_index("skill_id")["name"]))
    labels = labels.fillna(ids).astype(str)
    clashes = ids.groupby(labels, sort=False).transform("nunique").gt(1)
    return labels.where(~clashes, labels + " (" + ids + ")")


def _layer_of(kind: str, where: object = None, **mark: object) -> alt.Chart:
    """A layer without data: mark ``kind`` (``"rect"``, ``"text"``, ...) with ``mark`` options, drawing the rows
    ``where`` holds (all rows without it).

    Layers are built bare and the data, size and title set once on the layered chart
    (:func:`_layered`): Altair deep-copies a chart on every call (``encode``,
    ``mark_*``, ``transform_filter``, ``properties``), so building each layer from a
    ``base`` chart that already holds the encodings, then sizing the whole, copied
    every encoding many times over. The spec is the same. Encodings are given as
    channel objects (``alt.Text("name:N")``), never as bare strings: Altair turns a
    bare string into a channel by rebuilding its table of every schema class
    (about 5-10 ms each time).
    """
    chart = alt.Chart()
    if where is not None:
        chart = chart.transform_filter(where)
    return getattr(chart, f"mark_{kind}")(**mark)


def _layered(data: pd.DataFrame, layers: list, *, title: alt.Title, width: int, height: alt.Step,
             independent_colours: bool = False) -> alt.LayerChart:
    """``layers`` (from :func:`_layer_of`) drawn over ``data``, titled and sized; ``independent_colours``: a
    colour scale per layer."""
    options: dict[str, object] = {"title": title, "width": width, "height": height}
    if independent_colours:
        options["resolve"] = alt.Resolve(scale=alt.ScaleResolveMap(color="independent"))
    return alt.LayerChart(data=data, layer=layers, **options)


def _percent(share: float) -> str:
    return f"{share:.0%}"


def _levels(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} level" if text == "1" else f"{text} levels"


def _count(n: float, singular: str, plural: str | None = None) -> str:
    n = int(n)
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def _score(value: float) -> str:
    magnitude = abs(value)
    return f"{value:.0f}" if magnitude >= 10 else f"{value:.1f}" if magnitude >= 1 else f"{value:.2f}"


# ---------------------------------------------------------------------------
# heat map: department x skill


def _heatmap_cells(by_department_skill: pd.DataFrame, skills: pd.DataFrame | None, min_group: int,
                   max_skills: int) -> tuple[pd.DataFrame, list[str], list[str], int]:
    """The rows the heat map draws, its column and row orders, and the number of skills before trimming.

    Hidden cells keep only department, skill and status: their numbers never
    leave this function.
    """
    _require(by_department_skill, _HEATMAP_COLUMNS, "gap_heatmap")
    frame = by_department_skill.copy()
    frame = frame[frame["department"].notna() & frame["skill_id"].notna()]
    frame["department"] = frame["department"].astype(str)
    numeric = ["people", "assessed", "coverage", "gap_share", "mean_gap", "total_weighted_gap"]
    for column in numeric:
        frame[column] = _numbers(frame[column])
    frame["skill"] = _skill_labels(frame["skill_id"], skills)

    # A share over fewer than min_group assessed people says too much about each of them. A hidden cell must
    # not be a skill's, a department's or everyone's total minus the cells shown: hide more. Cells the caller
    # marked hidden (a page's filter: the unfiltered map hid them) stay hidden.
    hidden = hide_small_cells(frame, ["department", "skill_id"], margins=GAP_CELL_MARGINS,
                              min_group=min_group)["hidden"]
    if "hidden" in by_department_skill.columns:
        hidden = hidden | frame["hidden"].fillna(True).astype(bool)
    # Column order: skills by the total weighted gap of the cells that are shown. Counting hidden
    # cells would let a column's position give away a small group's gap.
    totals = (frame["total_weighted_gap"].where(~hidden).groupby(frame["skill"], sort=False).sum(min_count=1)
              .fillna(0.0).sort_values(ascending=False, kind="stable"))
    n_skills = len(totals)
    skill_order = list(totals.index[:max_skills])
    keep = frame["skill"].isin(skill_order)
    frame, hidden = frame[keep].copy(), hidden[keep]

    not_assessed = ~hidden & ((frame["assessed"].fillna(0) <= 0) | frame["gap_share"].isna())
    hidden, not_assessed = hidden.to_numpy(dtype=bool), not_assessed.to_numpy(dtype=bool)
    frame["status"] = pd.array(np.where(hidden, _hidden_label(min_group),
                                        np.where(not_assessed, NOT_ASSESSED, ASSESSED)).astype(object), dtype="str")
    for column in numeric:
        unknown = hidden | not_assessed if column in ("gap_share", "mean_gap") else hidden
        frame[column] = np.where(unknown, math.nan, frame[column].to_numpy(dtype=float))

    # Row order: departments by the weighted gap of the cells that are shown.
    dept_totals = (frame.groupby("department", sort=False)["total_weighted_gap"].sum(min_count=1).fillna(0.0)
                   .sort_values(ascending=False, kind="stable"))
    department_order = list(dept_totals.index)
    return frame.reset_index(drop=True), skill_order, department_order, n_skills


def _blank_cells(cells: pd.DataFrame) -> int:
    """Department x skill pairs with no row: nobody there is required to have the skill."""
    return cells["department"].nunique() * cells["skill"].nunique() - len(cells[["department", "skill"]]
                                                                          .drop_duplicates())


def gap_heatmap(by_department_skill: pd.DataFrame, skills: pd.DataFrame | None = None, *, min_group: int = MIN_GROUP,
                max_skills: int = 25) -> alt.LayerChart | alt.Chart:
    """Share of assessed people below target, per department (rows) and skill (columns).

    ``by_department_skill`` is ``workbench.gaps.aggregate(gaps, by=["department",
    "skill_id"])``, with an optional ``hidden`` column of cells to hide anyway
    (a filtered page's: those the unfiltered map hides); ``skills``
    (``skill_id``, ``name``) supplies column names.
    Colour is ``gap_share`` on a fixed 0-100% scale, so colours compare across
    filters. Cells of fewer than ``min_group`` people are drawn white, marked
    "<5", with no numbers (privacy); cells with no one assessed are grey,
    never "no gap"; pairs with no row (skill not required) stay blank.
    Only the ``max_skills`` skills with the largest total weighted gap are
    shown, in that order from left to right; departments run from the largest
    total gap (top) down. Both orders count shown cells only, so a hidden
    cell cannot move a row or column.
    """
    return _heatmap_chart(_heatmap_input(by_department_skill, skills, min_group, max_skills), min_group)


def _heatmap_input(by_department_skill: pd.DataFrame, skills: pd.DataFrame | None, min_group: int,
                   max_skills: int) -> tuple[pd.DataFrame, list[str], list[str], int] | None:
    """What the heat map and its caption show (:func:`_heatmap_cells`); ``None`` when there is nothing to show."""
    if _is_empty(by_department_skill):
        return None
    shown = _heatmap_cells(by_department_skill, skills, min_group, max_skills)
    return None if shown[0].empty else shown


def _heatmap_chart(shown: tuple[pd.DataFrame, list[str], list[str], int] | None,
                   min_group: int) -> alt.LayerChart | alt.Chart:
    title = "Skill gaps by department"
    if shown is None:
        return _no_data_chart(title)
    cells, skill_order, department_order, n_skills = shown
    _check_size(len(cells), "gap_heatmap")
    data = cells[["department", "skill", "status", "people", "assessed", "coverage", "gap_share", "mean_gap"]]
    hidden = _hidden_label(min_group)
    subtitle = ["Colour: share of assessed people below the target level.",
                f"Grey: no one assessed. White with \u201c<{min_group}\u201d: fewer than {min_group} people, "
                "or a cell that would reveal one, hidden for privacy."]
    if _blank_cells(cells):
        subtitle.append("Blank: the skill is not required in that department.")
    if n_skills > len(skill_order):
        subtitle.append(f"The {len(skill_order)} skills with the largest total gaps, of {n_skills}.")
    # Few columns leave room for level labels; many need them slanted.
    slanted = len(skill_order) > 6
    cell = dict(
        x=alt.X("skill:N", sort=skill_order, title=None,
                axis=alt.Axis(labelAngle=-40 if slanted else 0, labelAlign="right" if slanted else "center",
                              labelLimit=150 if slanted else WIDTH // len(skill_order) - 8, ticks=False,
                              domain=False)),
        y=alt.Y("department:N", sort=department_order, title=None,
                axis=alt.Axis(labelLimit=160, ticks=False, domain=False)),
    )
    where = [alt.Tooltip("department:N", title="Department"), alt.Tooltip("skill:N", title="Skill")]
    shown = _layer_of("rect", alt.datum.status == ASSESSED, stroke="white", strokeWidth=1).encode(
        **cell,
        color=alt.Color("gap_share:Q", title="Share below target",
                        scale=alt.Scale(scheme=_SEQUENTIAL, domain=[0, 1], clamp=True),
                        legend=alt.Legend(format=".0%", orient="right", gradientLength=120, tickCount=5)),
        tooltip=[*where,
                 alt.Tooltip("people:Q", title="People", format=",d"),
                 alt.Tooltip("assessed:Q", title="Assessed", format=",d"),
                 alt.Tooltip("gap_share:Q", title="Below target", format=".0%"),
                 alt.Tooltip("mean_gap:Q", title="Average gap (levels)", format=".1f"),
                 alt.Tooltip("coverage:Q", title="Assessed share", format=".0%")],
    )
    unknown = _layer_of("rect", alt.datum.status != ASSESSED, stroke=_CELL_BORDER, strokeWidth=0.5).encode(
        **cell,
        color=alt.Color("status:N", title=None,
                        scale=alt.Scale(domain=[NOT_ASSESSED, hidden], range=[_NOT_ASSESSED_GREY, _HIDDEN_FILL]),
                        legend=alt.Legend(orient="right", symbolType="square", symbolStrokeColor=_CELL_BORDER,
                                          symbolStrokeWidth=0.5, labelLimit=200)),
        tooltip=[*where, alt.Tooltip("status:N", title="Shown as"),
                 alt.Tooltip("people:Q", title="People", format=",d"),
                 alt.Tooltip("assessed:Q", title="Assessed", format=",d")],
    )
    # Text on hidden cells tells them apart from blank ones (skill not required there).
    small = _layer_of("text", alt.datum.status == hidden, text=f"<{min_group}", fontSize=9,
                      color="#757575").encode(**cell)
    return _layered(data, [shown, unknown, small], title=_title(title, subtitle), width=WIDTH,
                    height=alt.Step(24), independent_colours=True)


def gap_heatmap_caption(by_department_skill: pd.DataFrame, skills: pd.DataFrame | None = None, *,
                        min_group: int = MIN_GROUP, max_skills: int = 25) -> str:
    """Plain-language caption for :func:`gap_heatmap` (same arguments).

    Names the department with the largest visible total weighted gap and its
    largest gap, e.g. "Engineering has the largest skill gaps: in Programming,
    42% of assessed people fall below the target level, by 1.6 levels on
    average." Hidden cells never contribute to the takeaway.
    """
    return _heatmap_caption(_heatmap_input(by_department_skill, skills, min_group, max_skills), min_group)


def gap_heatmap_and_caption(by_department_skill: pd.DataFrame, skills: pd.DataFrame | None = None, *,
                            min_group: int = MIN_GROUP, max_skills: int = 25) -> tuple[alt.LayerChart | alt.Chart, str]:
    """:func:`gap_heatmap` and :func:`gap_heatmap_caption` (same arguments), working out the cells once."""
    shown = _heatmap_input(by_department_skill, skills, min_group, max_skills)
    return _heatmap_chart(shown, min_group), _heatmap_caption(shown, min_group)


def _heatmap_caption(shown: tuple[pd.DataFrame, list[str], list[str], int] | None, min_group: int) -> str:
    if shown is None:
        return NO_DATA + "."
    cells, skill_order, _, n_skills = shown
    parts = ["Each cell shows, for one department and one skill, the share of assessed people who fall below "
             "the target level: the darker the cell, the more people fall short."]
    assessed = cells[cells["status"] == ASSESSED]
    with_gap = assessed[assessed["total_weighted_gap"].fillna(0) > 0]
    if with_gap.empty:
        parts.append("No department shown has anyone below target." if not assessed.empty
                     else "No cell can be shown: every group is either too small or not assessed.")
    else:
        department = with_gap.groupby("department")["total_weighted_gap"].sum().sort_values(
            ascending=False, kind="stable").index[0]
        top = (with_gap[with_gap["department"] == department]
               .sort_values(["total_weighted_gap", "gap_share"], ascending=False, kind="stable").iloc[0])
        how_far = f", by {_levels(top['mean_gap'])} on average" if pd.notna(top["mean_gap"]) else ""
        parts.append(f"{department} has the largest skill gaps: in {top['skill']}, {_percent(top['gap_share'])} "
                     f"of assessed people fall below the target level{how_far}.")
    n_grey = int((cells["status"] == NOT_ASSESSED).sum())
    n_hidden = int((cells["status"] == _hidden_label(min_group)).sum())
    if n_grey:
        parts.append(f"{_count(n_grey, 'grey cell')}: no one assessed yet, so the gap is unknown (not zero).")
    if n_hidden:
        parts.append(f"{_count(n_hidden, 'white cell')} marked \u201c<{min_group}\u201d: fewer than {min_group} "
                     "people, or a cell that would reveal one, hidden for privacy.")
    if _blank_cells(cells):
        parts.append("Blank cells: the skill is not required in that department.")
    if n_skills > len(skill_order):
        parts.append(f"Showing the {len(skill_order)} skills with the largest total gaps, of {n_skills}.")
    return " ".join(parts)


# ---------------------------------------------------------------------------
# prioritised gaps


def _top_priorities(prioritised: pd.DataFrame, top: int) -> tuple[pd.DataFrame, int]:
    _require(prioritised, _PRIORITY_COLUMNS, "prioritised_gaps_chart")
    frame = prioritised.copy()
    for column in ("depth", "breadth", "people_with_gap", "score"):
        frame[column] = _numbers(frame[column])
    frame = frame[frame["score"].notna()]
    if "rank" in frame.columns and _numbers(frame["rank"]).notna().all():
        frame = frame.assign(rank=_numbers(frame["rank"])).sort_values(["rank", "score"], ascending=[True, False],
                                                                       kind="stable")
    else:
        frame = frame.sort_values("score", ascending=False, kind="stable")
        frame["rank"] = range(1, len(frame) + 1)
    total = len(frame)
    frame = frame.head(top).reset_index(drop=True)
    frame["skill"] = _skill_labels(frame["skill_id"], None, frame["name"])
    if "category" not in frame.columns:
        frame["category"] = "Skills"
    frame["category"] = frame["category"].fillna("Other").astype(str)
    frame["reason"] = frame["reason"].fillna("").astype(str) if "reason" in frame.columns else ""
    if pd.api.types.is_numeric_dtype(frame["criticality"]):
        frame["criticality"] = _numbers(frame["criticality"])
    else:
        frame["criticality"] = frame["criticality"].astype("object").where(frame["criticality"].notna(), None)
    frame["score_label"] = frame["score"].map(_score)
    columns = ["rank", "skill", "category", "score", "score_label", "depth", "breadth", "criticality",
               "people_with_gap", "reason"]
    return frame[columns], total


def prioritised_gaps_chart(prioritised: pd.DataFrame, *, top: int = 12) -> alt.LayerChart | alt.Chart:
    """Horizontal bars of the priority score for the ``top`` skills, highest first.

    ``prioritised`` is ``workbench.gaps.prioritised_gaps(gaps, skills)``. Bars
    follow ``rank`` (1 at the top; by score when ranks are missing), coloured
    by skill category; the tooltip gives depth (levels), breadth (% of people),
    criticality, people with a gap and the reason text.
    """
    return _priorities_chart(_priorities_input(prioritised, top))


def _priorities_input(prioritised: pd.DataFrame, top: int) -> tuple[pd.DataFrame, int] | None:
    """What the priority chart and its caption show (:func:`_top_priorities`); ``None`` when nothing."""
    if _is_empty(prioritised):
        return None
    shown = _top_priorities(prioritised, top)
    return None if shown[0].empty else shown


def _priorities_chart(shown: tuple[pd.DataFrame, int] | None) -> alt.LayerChart | alt.Chart:
    title = "Which skill gaps to tackle first"
    if shown is None:
        return _no_data_chart(title)
    data, total = shown
    _check_size(len(data), "prioritised_gaps_chart")
    order = list(data["skill"])
    subtitle = ["Priority score combines how far people fall short, how many do, and how critical the skill is."]
    if total > len(data):
        subtitle.append(f"Top {len(data)} of {total} skills.")
    criticality = (alt.Tooltip("criticality:Q", title="Criticality", format=".2~f")
                   if pd.api.types.is_numeric_dtype(data["criticality"])
                   else alt.Tooltip("criticality:N", title="Criticality"))
    bar = dict(
        y=alt.Y("skill:N", sort=order, title=None, axis=alt.Axis(labelLimit=200, ticks=False)),
        x=alt.X("score:Q", title="Priority score", axis=alt.Axis(grid=True, tickCount=5)),
        tooltip=[alt.Tooltip("rank:Q", title="Rank", format="d"),
                 alt.Tooltip("skill:N", title="Skill"),
                 alt.Tooltip("category:N", title="Category"),
                 alt.Tooltip("score:Q", title="Score", format=".3~r"),
                 alt.Tooltip("depth:Q", title="Depth (levels)", format=".1f"),
                 alt.Tooltip("breadth:Q", title="Breadth (people below target)", format=".0%"),
                 criticality,
                 alt.Tooltip("people_with_gap:Q", title="People with a gap", format=",d"),
                 alt.Tooltip("reason:N", title="Why")],
    )
    bars = _layer_of("bar", cornerRadiusEnd=2).encode(
        **bar,
        color=alt.Color("category:N", title="Category", scale=alt.Scale(scheme="tableau10"),
                        legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=200)),
    )
    labels = _layer_of("text", align="left", dx=4, fontSize=11, color="#424242").encode(
        **bar, text=alt.Text("score_label:N"))
    return _layered(data, [bars, labels], title=_title(title, subtitle), width=WIDTH, height=alt.Step(24))


def prioritised_gaps_caption(prioritised: pd.DataFrame, *, top: int = 12) -> str:
    """Plain-language caption for :func:`prioritised_gaps_chart` (same arguments).

    Names the top skill with its score, people with a gap, depth and breadth,
    and the runner-up; the detailed reason text stays in the chart's tooltip.
    """
    return _priorities_caption(_priorities_input(prioritised, top))


def prioritised_gaps_and_caption(prioritised: pd.DataFrame, *, top: int = 12) -> tuple[alt.LayerChart | alt.Chart, str]:
    """:func:`prioritised_gaps_chart` and :func:`prioritised_gaps_caption` (same arguments), ranking once."""
    shown = _priorities_input(prioritised, top)
    return _priorities_chart(shown), _priorities_caption(shown)


def _priorities_caption(shown: tuple[pd.DataFrame, int] | None) -> str:
    if shown is None:
        return NO_DATA + "."
    data, total = shown
    shown = f"the {len(data)} skills" if total > len(data) else "the skills"
    parts = [f"The bars rank {shown} where closing gaps matters most. The score combines how far people fall "
             "below the target level, how many of them do, and how critical the skill is."]
    first = data.iloc[0]
    facts = []
    if pd.notna(first["people_with_gap"]):
        facts.append(f"{_count(first['people_with_gap'], 'person', 'people')} below target")
    if pd.notna(first["depth"]):
        facts.append(f"by {_levels(first['depth'])} on average")
    if pd.notna(first["breadth"]):
        facts.append(f"{_percent(first['breadth'])} of those assessed")
    detail = f" ({', '.join(facts)})" if facts else ""
    # The reason text is detailed (weights, goal ids): it stays in the tooltip, not in the caption.
    parts.append(f"Top priority: {first['skill']}, score {_score(first['score'])}{detail}.")
    if len(data) > 1:
        second = data.iloc[1]
        parts.append(f"Next: {second['skill']} (score {_score(second['score'])}).")
    if total > len(data):
        parts.append(f"Showing the top {len(data)} of {total} skills with a gap.")
    return " ".join(parts)


# ---------------------------------------------------------------------------
# mentor supply and mentee demand


_STATUS_COLOURS = {"shortage": _SHORTAGE, "surplus": _SURPLUS, "balanced": _BALANCED}
_SERIES = ("Mentees who want it", "Mentor places", "Extra places if eligible people enrolled")


def _supply_rows(supply: pd.DataFrame, top: int) -> tuple[pd.DataFrame, int]:
    """One row per skill with demand, sorted by shortage (demand minus supply), largest first."""
    _require(supply, _SUPPLY_COLUMNS, "supply_demand_chart")
    frame = supply.copy()
    for column in ("demand", "supply", "potential"):
        frame[column] = _numbers(frame[column]).fillna(0.0)
    frame["mentors"] = _numbers(frame["mentors"]) if "mentors" in frame.columns else math.nan
    frame["status"] = frame["status"].astype("object").fillna("").astype(str).str.strip().str.lower()
    frame = frame[(frame["status"] != "no demand") & (frame["demand"] > 0)]
    frame["shortfall"] = frame["demand"] - frame["supply"]
    derived = pd.Series("balanced", index=frame.index).mask(frame["shortfall"] > 0, "shortage").mask(
        frame["shortfall"] < 0, "surplus")
    frame["status"] = frame["status"].where(frame["status"].isin(list(_STATUS_COLOURS)), derived)
    frame = frame.sort_values(["shortfall", "demand"], ascending=False, kind="stable")
    total = len(frame)
    frame = frame.head(top).reset_index(drop=True)
    names = frame["name"] if "name" in frame.columns else None
    frame["skill"] = _skill_labels(frame["skill_id"], None, names)
    return frame, total


def _places(n: float) -> str:
    return "are no mentor places" if n == 0 else f"{'is' if n == 1 else 'are'} {_count(n, 'mentor place')}"


def _status_text(shortfall: float) -> str:
    if shortfall > 0:
        return f"{shortfall:,.0f} short"
    if shortfall < 0:
        return f"{-shortfall:,.0f} spare"
    return "balanced"


def supply_demand_chart(supply: pd.DataFrame, *, top: int = 15) -> alt.LayerChart | alt.Chart:
    """Mentees who want each skill against the mentor places offering it.

    ``supply`` is ``workbench.gaps.supply_demand(...)``. Per skill: a dark bar
    for demand (mentees), a blue bar for supply (mentor places) extended in
    light blue by ``potential`` (places eligible people could add by
    enrolling), and a label coloured by ``status`` ("12 short" in red, "3
    spare" in green). Skills with no demand are dropped; the ``top`` skills
    with the largest shortage (demand minus supply) are shown, largest first.
    """
    return _supply_chart(_supply_input(supply, top))


def _supply_input(supply: pd.DataFrame, top: int) -> tuple[pd.DataFrame, int, pd.DataFrame] | None:
    """The rows the supply chart and its caption show (:func:`_supply_rows`), their total and ``supply``;
    ``None`` when nothing."""
    if _is_empty(supply):
        return None
    rows, total = _supply_rows(supply, top)
    return None if rows.empty else (rows, total, supply)


def _supply_chart(shown: tuple[pd.DataFrame, int, pd.DataFrame] | None) -> alt.LayerChart | alt.Chart:
    title = "Mentor places against mentee demand"
    if shown is None:
        return _no_data_chart(title)
    rows, total = shown[0].copy(), shown[1]
    rows["status_label"] = [_status_text(shortfall) for shortfall in rows["shortfall"]]
    # Potential places can dwarf the rest: the axis fits demand and supply, the light bars run off it
    # (cut at the edge) and the label gives their number.
    rows["status_label"] = rows["status_label"] + rows["potential"].map(
        lambda n: f" (+{n:,.0f} possible)" if n > 0 else "")
    rows["label_at"] = rows[["demand", "supply"]].max(axis=1)
    keep = ["skill", "demand", "supply", "potential", "mentors", "status", "status_label", "label_at"]
    pieces = [
        rows[keep].assign(series=_SERIES[0], bar="Mentees", start=0.0, end=rows["demand"]),
        rows[keep].assign(series=_SERIES[1], bar="Mentors", start=0.0, end=rows["supply"]),
        rows[keep].assign(series=_SERIES[2], bar="Mentors", start=rows["supply"],
                          end=rows["supply"] + rows["potential"])[rows["potential"] > 0],
    ]
    data = pd.concat(pieces, ignore_index=True)
    _check_size(len(data), "supply_demand_chart")
    order = list(rows["skill"])
    subtitle = ["Sorted by shortage, largest first.",
                "Light blue: places that eligible people who have not enrolled could add (may run off the chart)."]
    if total > len(rows):
        subtitle.append(f"The {len(rows)} skills with the largest shortage, of {total} in demand.")
    x_max = float(rows["label_at"].max()) * 1.6 or 1.0
    data["end"] = data["end"].clip(upper=x_max)  # potential places run to the edge, their number is in the label
    y = alt.Y("skill:N", sort=order, title=None, axis=alt.Axis(labelLimit=200, ticks=False))
    colour = alt.Color("series:N", title=None,
                       scale=alt.Scale(domain=list(_SERIES), range=[_DEMAND, _SUPPLY, _POTENTIAL]),
                       legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=280))
    tooltip = [alt.Tooltip("skill:N", title="Skill"),
               alt.Tooltip("demand:Q", title="Mentees who want it", format=",d"),
               alt.Tooltip("supply:Q", title="Mentor places", format=",d"),
               alt.Tooltip("potential:Q", title="Possible extra places", format=",d"),
               alt.Tooltip("mentors:Q", title="Mentors", format=",d"),
               alt.Tooltip("status_label:N", title="Balance")]
    x = alt.X("start:Q", title="People (mentees) or places (mentors)", scale=alt.Scale(domain=[0, x_max], nice=False),
              axis=alt.Axis(tickMinStep=1, format=",d"))

    def bars(series: str, size: int) -> alt.Chart:
        # Mentor places as a wide bar, mentees as a narrow bar on top: a bullet chart per skill.
        return _layer_of("bar", alt.datum.series == series, size=size).encode(
            y=y, x=x, x2=alt.X2("end:Q"), color=colour, tooltip=tooltip)

    labels = _layer_of("text", alt.datum.series == _SERIES[0], align="left", dx=5, fontSize=11,
                       fontWeight="bold").encode(
        y=y,
        x=alt.X("label_at:Q"),
        text=alt.Text("status_label:N"),
        color=alt.Color("status:N", scale=alt.Scale(domain=list(_STATUS_COLOURS),
                                                    range=list(_STATUS_COLOURS.values())), legend=None),
    )
    bullets = alt.LayerChart(layer=[bars(_SERIES[1], 16), bars(_SERIES[2], 16), bars(_SERIES[0], 6)])
    return _layered(data, [bullets, labels], title=_title(title, subtitle), width=WIDTH, height=alt.Step(26),
                    independent_colours=True)


def small_demand_note(left_out: int, *, min_group: int = MIN_GROUP) -> str:
    """What to say beside the supply chart about the skills :func:`workbench.gaps.hide_small_demand` left out
    (``""`` when none)."""
    if not left_out:
        return ""
    return (f"{_count(left_out, 'skill')} needed by fewer than {min_group} mentees {'are' if left_out != 1 else 'is'} "
            "left out to protect them.")


def supply_demand_caption(supply: pd.DataFrame, *, top: int = 15) -> str:
    """Plain-language caption for :func:`supply_demand_chart` (same arguments).

    Counts the skills short of mentors, names the largest shortage with its
    numbers and says whether eligible people who have not enrolled could
    close it.
    """
    return _supply_caption(_supply_input(supply, top))


def supply_demand_and_caption(supply: pd.DataFrame, *, top: int = 15) -> tuple[alt.LayerChart | alt.Chart, str]:
    """:func:`supply_demand_chart` and :func:`supply_demand_caption` (same arguments), sorting the rows once."""
    shown = _supply_input(supply, top)
    return _supply_chart(shown), _supply_caption(shown)


def _supply_caption(shown: tuple[pd.DataFrame, int, pd.DataFrame] | None) -> str:
    if shown is None:
        return NO_DATA + "."
    rows, total, supply = shown
    parts = ["For each skill mentees want, the chart compares how many mentees want it with how many mentor "
             "places offer it."]
    short = rows[rows["shortfall"] > 0]
    if short.empty:
        tightest = rows.iloc[0]
        parts.append(f"Every skill shown has enough mentor places; the tightest is {tightest['skill']}: "
                     f"{_count(tightest['demand'], 'mentee')} for {_count(tightest['supply'], 'place')}.")
    else:
        worst = short.iloc[0]
        every = rows if total <= len(rows) else _supply_rows(supply, len(supply))[0]
        n_short = int((every["shortfall"] > 0).sum())
        parts.append(f"{n_short:,} of {_count(total, 'skill')} in demand {'is' if n_short == 1 else 'are'} short of mentors. "
                     f"The largest shortage is {worst['skill']}: {_count(worst['demand'], 'mentee')} want it but "
                     f"there {_places(worst['supply'])} "
                     f"({worst['shortfall']:,.0f} short).")
        if worst["potential"] > 0:
            enough = "enough to close the gap" if worst["potential"] >= worst["shortfall"] else "not enough to close it"
            parts.append(f"Eligible people who have not enrolled could add {_count(worst['potential'], 'place')}, "
                         f"{enough}.")
        else:
            parts.append("No eligible person outside the programme could add places for it.")
    if total > len(rows):
        parts.append(f"Showing the {len(rows)} skills with the largest shortage, of {total:,} in demand.")
    return " ".join(parts)


# ---------------------------------------------------------------------------
# one person's profile


def _profile_rows(profile: pd.DataFrame, skills: pd.DataFrame | None) -> pd.DataFrame:
    """The person's skills, largest weighted gap first, unknown gaps last."""
    _require(profile, _PROFILE_COLUMNS, "gap_profile_chart")
    people = profile["person_id"].dropna().astype(str).unique()
    if len(people) > 1:
        raise ValueError(f"gap_profile_chart shows one person; the profile holds {len(people):,} "
                         f"({', '.join(people[:3])}, ...)")
    frame = profile.copy()
    for column in ("current", "target", "gap", "weighted_gap"):
        frame[column] = _numbers(frame[column])
    frame = frame[frame["target"].notna()]
    frame["skill"] = _skill_labels(frame["skill_id"], skills)
    frame["state"] = NOT_ASSESSED
    frame.loc[frame["current"].notna() & (frame["current"] < frame["target"]), "state"] = "Below target"
    frame.loc[frame["current"].notna() & (frame["current"] >= frame["target"]), "state"] = "At or above target"
    frame["current_text"] = frame["current"].map(lambda v: NOT_ASSESSED if pd.isna(v) else f"{v:.0f}")
    frame = frame.sort_values(["weighted_gap", "gap", "target", "skill"], ascending=[False, False, False, True],
                              na_position="last", kind="stable")
    return frame.reset_index(drop=True)


def _goal_text(goals: object) -> str:
    """Goals as text whether given as a list of ids or already as text."""
    if isinstance(goals, (list, tuple, set, frozenset)):
        return ", ".join(map(str, goals))
    return "" if goals is None or (isinstance(goals, float) and math.isnan(goals)) or goals is pd.NA else str(goals)


def _profile_heading(profile: pd.DataFrame) -> tuple[str, str]:
    first = profile.iloc[0]
    person = str(first["person_id"])
    role = [str(first[c]) for c in ("job_title", "department") if c in profile.columns and pd.notna(first[c])]
    return person, " \u00b7 ".join(role)


def gap_profile_chart(profile: pd.DataFrame, skills: pd.DataFrame | None = None) -> alt.LayerChart | alt.Chart:
    """One person's current level in each skill (dot) against the target (black tick).

    ``profile`` is ``workbench.gaps.gap_profile(gaps, person_id)``; ``skills``
    (``skill_id``, ``name``) supplies row names. A grey line joins current to
    target; the dot is orange below target and blue at or above it. Skills
    with no known level get the label "not assessed" next to the target and no
    dot, so they never read as level 0. Rows follow the weighted gap, largest
    first, unknown gaps last. Raises ``ValueError`` if ``profile`` holds more
    than one person.
    """
    return _profile_chart(profile, _profile_input(profile, skills))


def _profile_input(profile: pd.DataFrame, skills: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows the profile chart and its caption show (:func:`_profile_rows`); ``None`` when nothing."""
    if _is_empty(profile):
        return None
    rows = _profile_rows(profile, skills)
    return None if rows.empty else rows


def _profile_chart(profile: pd.DataFrame, rows: pd.DataFrame | None) -> alt.LayerChart | alt.Chart:
    title = "Skill levels against targets"
    if rows is None:
        return _no_data_chart(title)
    _check_size(len(rows), "gap_profile_chart")
    person, role = _profile_heading(profile)
    data = rows[["skill", "current", "target", "gap", "weighted_gap", "state", "current_text"]].copy()
    goals = rows["goals"] if "goals" in rows.columns else pd.Series("", index=rows.index)
    data["goals"] = goals.map(_goal_text)
    top_level = max(float(data["target"].max()), float(data["current"].max()) if data["current"].notna().any() else 0,
                    1.0)
    # Half a level of margin keeps dots and ticks off the edges; a full level leaves room for
    # "not assessed" beside a target at the top of the scale.
    unknown_at_top = ((data["state"] == NOT_ASSESSED) & (data["target"] >= top_level)).any()
    x_scale = alt.Scale(domain=[-0.5, top_level + (1.0 if unknown_at_top else 0.5)], nice=False, zero=False)
    levels = list(range(0, int(math.ceil(top_level)) + 1))
    tooltip = [alt.Tooltip("skill:N", title="Skill"),
               alt.Tooltip("current_text:N", title="Current level"),
               alt.Tooltip("target:Q", title="Target level", format="d"),
               alt.Tooltip("gap:Q", title="Gap (levels)", format=".1f"),
               alt.Tooltip("weighted_gap:Q", title="Weighted gap", format=".2~f"),
               alt.Tooltip("goals:N", title="Goals")]
    row = dict(
        y=alt.Y("skill:N", sort=list(data["skill"]), title=None, axis=alt.Axis(labelLimit=200, ticks=False)),
        tooltip=tooltip,
    )
    known = alt.datum.state != NOT_ASSESSED
    span = _layer_of("rule", known, color="#bdbdbd", strokeWidth=3).encode(
        **row,
        x=alt.X("current:Q", scale=x_scale, title="Proficiency level",
                axis=alt.Axis(values=levels, format="d", grid=True)),
        x2=alt.X2("target:Q"),
    )
    target = _layer_of("tick", color=_TARGET, thickness=3, size=18, opacity=1).encode(
        **row, x=alt.X("target:Q", scale=x_scale))
    dots = _layer_of("circle", known, size=140, opacity=1).encode(
        **row,
        x=alt.X("current:Q", scale=x_scale),
        color=alt.Color("state:N", title="Current level",
                        scale=alt.Scale(domain=["Below target", "At or above target"], range=["#e6550d", _SUPPLY]),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
    )
    unknown = _layer_of("text", alt.datum.state == NOT_ASSESSED, align="left", dx=8, fontStyle="italic",
                        color="#757575", fontSize=11).encode(**row, x=alt.X("target:Q", scale=x_scale),
                                                            text=alt.Text("current_text:N"))
    heading = f"{person} \u00b7 {role}" if role else person
    subtitle = [f"{heading}.", "Dot: current level. Black tick: target level. Largest weighted gap at the top."]
    return _layered(data, [span, target, dots, unknown], title=_title(title, subtitle), width=WIDTH,
                    height=alt.Step(26))


def gap_profile_caption(profile: pd.DataFrame, skills: pd.DataFrame | None = None) -> str:
    """Plain-language caption for :func:`gap_profile_chart` (same arguments).

    Names the person's largest weighted gap with current and target levels and
    counts skills below target, meeting it, and not assessed.
    """
    return _profile_caption(profile, _profile_input(profile, skills))


def gap_profile_and_caption(profile: pd.DataFrame, skills: pd.DataFrame | None = None
                            ) -> tuple[alt.LayerChart | alt.Chart, str]:
    """:func:`gap_profile_chart` and :func:`gap_profile_caption` (same arguments), sorting the rows once."""
    rows = _profile_input(profile, skills)
    return _profile_chart(profile, rows), _profile_caption(profile, rows)


def _profile_caption(profile: pd.DataFrame, rows: pd.DataFrame | None) -> str:
    if rows is None:
        return NO_DATA + "."
    person, _ = _profile_heading(profile)
    parts = [f"The chart compares {person}'s current level in each skill (dots) with the target level for "
             "their role (black ticks)."]
    below = rows[rows["state"] == "Below target"]
    if below.empty:
        parts.append("Every assessed skill meets its target." if (rows["state"] != NOT_ASSESSED).any()
                     else "None of these skills has been assessed yet.")
    else:
        worst = below.iloc[0]
        short_by = worst["target"] - worst["current"]
        parts.append(f"The largest gap is in {worst['skill']}: level {worst['current']:.0f} against a target of "
                     f"{worst['target']:.0f} ({_levels(short_by)} short).")
    counts = rows["state"].value_counts()
    n_rows = len(rows)
    summary = [f"{counts.get('Below target', 0):,} of {n_rows:,} skills below target",
               f"{counts.get('At or above target', 0):,} at or above it"]
    if counts.get(NOT_ASSESSED, 0):
        summary.append(f"{counts[NOT_ASSESSED]:,} not assessed yet (unknown, not zero)")
    parts.append("In all: " + ", ".join(summary[:-1]) + " and " + summary[-1] + ".")
    return " ".join(parts)
