import json
import math

import pandas as pd
import pytest
import vl_convert

from workbench.charts import (
    gap_heatmap,
    gap_heatmap_caption,
    gap_profile_caption,
    gap_profile_chart,
    prioritised_gaps_caption,
    prioritised_gaps_chart,
    supply_demand_caption,
    supply_demand_chart,
)
from tests.suppression import assert_suppressed
from workbench.charts.gaps import NO_DATA

SKILLS = pd.DataFrame({
    "skill_id": ["S1", "S2", "S3", "S4"],
    "name": ["Programming", "Negotiation", "Writing", "Coaching"],
    "category": ["Technical", "Social", "Basic", "Social"],
})


def cell(department, skill_id, people, assessed, gap_share, mean_gap, total_weighted_gap):
    with_gap = 0 if assessed == 0 else round(gap_share * assessed)
    return {"department": department, "skill_id": skill_id, "people": people, "required": people,
            "assessed": assessed, "coverage": assessed / people, "with_gap": with_gap,
            "gap_share": gap_share, "mean_gap": mean_gap, "total_weighted_gap": total_weighted_gap}


def by_department_skill() -> pd.DataFrame:
    nan = math.nan
    return pd.DataFrame([
        cell("Engineering", "S1", 20, 19, 0.42, 1.6, 40.0),
        cell("Engineering", "S2", 20, 0, nan, nan, 0.0),      # nobody assessed
        cell("Engineering", "S3", 20, 10, 0.1, 1.0, 2.0),
        cell("Sales", "S1", 8, 8, 0.25, 1.0, 3.0),
        cell("Sales", "S2", 8, 8, 0.5, 1.2, 6.0),
        cell("Sales", "S3", 8, 8, 0.0, 0.0, 0.0),
        # 3 people: must be hidden, although its gap is the largest of all.
        cell("Legal", "S2", 3, 3, 0.6667, 2.35, 91.25),
        # The smallest other Negotiation cell: hidden too, or Negotiation's total minus the cells shown is Legal.
        cell("Support", "S2", 5, 5, 0.2, 1.0, 1.0),
    ])


def rows(spec: dict) -> list[dict]:
    (dataset,) = spec["datasets"].values()
    return dataset


def layers(spec: dict) -> list[dict]:
    """Every single-mark layer of a (possibly nested) layered spec, in drawing order."""
    if "layer" not in spec:
        return [spec]
    return [leaf for layer in spec["layer"] for leaf in layers(layer)]


def filters(layer: dict) -> list[str]:
    return [json.dumps(t["filter"]) for t in layer.get("transform", []) if "filter" in t]


def x_sort(spec: dict) -> list[str]:
    return layers(spec)[0]["encoding"]["x"]["sort"]


def y_sort(spec: dict) -> list[str]:
    return layers(spec)[0]["encoding"]["y"]["sort"]


# --- heat map ---------------------------------------------------------------


def test_heatmap_sends_no_numbers_for_groups_below_the_minimum_size() -> None:
    spec = gap_heatmap(by_department_skill(), SKILLS).to_dict()
    (legal,) = [r for r in rows(spec) if r["department"] == "Legal"]
    assert legal["status"] == "hidden: fewer than 5 people (or assessed), or it would reveal one"
    assert {k: v for k, v in legal.items() if k not in {"department", "skill", "status"}} == dict.fromkeys(
        ["people", "assessed", "coverage", "gap_share", "mean_gap"])
    text = json.dumps(spec)
    assert "2.35" not in text and "0.6667" not in text and "91.25" not in text


def test_heatmap_hides_a_large_group_with_few_people_assessed() -> None:
    frame = pd.concat([by_department_skill(), pd.DataFrame([cell("Finance", "S1", 30, 2, 0.5, 3.25, 6.5)])],
                      ignore_index=True)
    spec = gap_heatmap(frame, SKILLS).to_dict()
    (finance,) = [r for r in rows(spec) if r["department"] == "Finance"]
    assert finance["status"] == "hidden: fewer than 5 people (or assessed), or it would reveal one"
    assert "3.25" not in json.dumps(spec)


def test_heatmap_hides_by_the_given_minimum_group() -> None:
    spec = gap_heatmap(by_department_skill(), SKILLS, min_group=10).to_dict()
    hidden = {(r["department"], r["skill"]) for r in rows(spec) if r["status"].startswith("hidden")}
    # Sales (8) is under ten everywhere; Engineering's Programming and Writing cells hide with it, the smallest
    # other cells of those skills, so neither skill's total gives Sales away.
    assert {d for d, _ in hidden} == {"Engineering", "Legal", "Sales", "Support"}
    assert ("Engineering", "Negotiation") not in hidden
    assert all(r["gap_share"] is None for r in rows(spec) if r["department"] == "Sales")


def test_heatmap_shows_unassessed_cells_as_not_assessed_never_as_zero() -> None:
    spec = gap_heatmap(by_department_skill(), SKILLS).to_dict()
    (unknown,) = [r for r in rows(spec) if r["department"] == "Engineering" and r["skill"] == "Negotiation"]
    assert unknown["status"] == "not assessed" and unknown["gap_share"] is None
    coloured, greyed, marked = layers(spec)
    assert coloured["encoding"]["color"]["field"] == "gap_share"
    assert coloured["encoding"]["color"]["scale"]["domain"] == [0, 1]
    assert filters(coloured) == ['"(datum.status === \'assessed\')"']
    assert greyed["encoding"]["color"]["scale"]["domain"][0] == "not assessed"
    assert marked["mark"]["text"] == "<5" and "hidden" in filters(marked)[0]
    # A real zero gap stays a coloured cell.
    (zero,) = [r for r in rows(spec) if r["department"] == "Sales" and r["skill"] == "Writing"]
    assert zero["status"] == "assessed" and zero["gap_share"] == 0


def test_heatmap_orders_skills_by_total_weighted_gap_and_keeps_the_top_ones() -> None:
    spec = gap_heatmap(by_department_skill(), SKILLS).to_dict()
    # Only shown cells count: the hidden Legal cell does not pull Negotiation forward.
    assert x_sort(spec) == ["Programming", "Negotiation", "Writing"]
    assert y_sort(spec) == ["Engineering", "Sales", "Legal", "Support"]
    trimmed = gap_heatmap(by_department_skill(), SKILLS, max_skills=2).to_dict()
    assert x_sort(trimmed) == ["Programming", "Negotiation"]
    assert {r["skill"] for r in rows(trimmed)} == {"Programming", "Negotiation"}
    assert "of 3" in json.dumps(trimmed["title"])


def test_heatmap_tooltip_and_layout() -> None:
    spec = gap_heatmap(by_department_skill(), SKILLS).to_dict()
    tooltip = {t["field"]: t for t in layers(spec)[0]["encoding"]["tooltip"]}
    assert set(tooltip) == {"department", "skill", "people", "assessed", "gap_share", "mean_gap", "coverage"}
    assert tooltip["gap_share"]["format"] == ".0%" and tooltip["coverage"]["format"] == ".0%"
    assert spec["width"] == 560
    assert spec["title"]["text"]


def test_heatmap_uses_skill_ids_without_a_catalogue() -> None:
    spec = gap_heatmap(by_department_skill()).to_dict()
    assert x_sort(spec) == ["S1", "S2", "S3"]


def test_heatmap_caption_names_the_largest_visible_gap() -> None:
    caption = gap_heatmap_caption(by_department_skill(), SKILLS)
    assert "Engineering has the largest skill gaps" in caption
    assert "Programming, 42% of assessed people" in caption and "1.6 levels" in caption
    assert "Legal" not in caption and "67%" not in caption and "2.4" not in caption
    assert "1 grey cell: no one assessed yet" in caption
    assert ("2 white cells marked \u201c<5\u201d: fewer than 5 people, or a cell that would reveal one, hidden "
            "for privacy") in caption
    assert "Blank cells: the skill is not required" in caption  # Legal has no Programming or Writing row


def test_heatmap_caption_when_every_cell_is_hidden() -> None:
    small = by_department_skill().query("department == 'Legal'")
    assert "too small or not assessed" in gap_heatmap_caption(small, SKILLS)


def test_heatmap_refuses_too_many_cells() -> None:
    many = pd.DataFrame([cell(f"D{i}", "S1", 10, 10, 0.5, 1.0, 1.0) for i in range(5_000)])
    with pytest.raises(ValueError, match="aggregate"):
        gap_heatmap(many)


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match="gap_share"):
        gap_heatmap(by_department_skill().drop(columns="gap_share"))


# --- prioritised gaps -------------------------------------------------------


def prioritised() -> pd.DataFrame:
    frame = pd.DataFrame({
        "skill_id": ["S3", "S1", "S2", "S4"],
        "name": ["Writing", "Programming", "Negotiation", "Coaching"],
        "category": ["Basic", "Technical", "Social", "Social"],
        "depth": [0.5, 1.6, 1.2, 0.8],
        "breadth": [0.1, 0.42, 0.5, 0.2],
        "criticality": [1.0, 3.0, 2.0, 1.0],
        "people_with_gap": [2, 8, 4, 3],
        "score": [0.05, 2.02, 1.2, 0.16],
        "rank": [4, 1, 2, 3],
    })
    frame["reason"] = ["few people", "deep gap for 8 people on a critical skill", "half of people short", "minor"]
    return frame


def test_prioritised_bars_follow_rank_and_keep_the_top() -> None:
    spec = prioritised_gaps_chart(prioritised(), top=3).to_dict()
    assert y_sort(spec) == ["Programming", "Negotiation", "Coaching"]
    assert [r["skill"] for r in rows(spec)] == ["Programming", "Negotiation", "Coaching"]
    bars = layers(spec)[0]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["x"]["field"] == "score"
    tooltip = {t["field"] for t in bars["encoding"]["tooltip"]}
    assert {"depth", "breadth", "criticality", "people_with_gap", "reason"} <= tooltip
    assert spec["width"] == 560


def test_prioritised_ranks_by_score_when_rank_is_missing() -> None:
    spec = prioritised_gaps_chart(prioritised().drop(columns="rank")).to_dict()
    assert y_sort(spec) == ["Programming", "Negotiation", "Coaching", "Writing"]


def test_prioritised_caption_names_the_top_skill_and_the_next() -> None:
    caption = prioritised_gaps_caption(prioritised(), top=3)
    assert "Top priority: Programming, score 2.0 (8 people below target, by 1.6 levels on average" in caption
    assert "Next: Negotiation" in caption and "top 3 of 4" in caption


# --- supply and demand ------------------------------------------------------


def supply() -> pd.DataFrame:
    return pd.DataFrame({
        "skill_id": ["S1", "S2", "S3", "S4", "S5"],
        "name": ["Programming", "Negotiation", "Writing", "Coaching", "Welding"],
        "demand": [30, 6, 4, 5, 0],
        "supply": [12, 4, 9, 5, 3],
        "potential": [10, 0, 2, 1, 4],
        "balance": [-18, -2, 5, 0, 3],
        "status": ["shortage", "shortage", "surplus", "balanced", "no demand"],
        "mentors": [6, 2, 5, 3, 2],
    })


def test_supply_demand_sorted_by_shortage_without_skills_nobody_wants() -> None:
    spec = supply_demand_chart(supply()).to_dict()
    assert y_sort(spec) == ["Programming", "Negotiation", "Coaching", "Writing"]
    data = rows(spec)
    assert "Welding" not in {r["skill"] for r in data}
    programming = {r["series"]: (r["start"], r["end"]) for r in data if r["skill"] == "Programming"}
    assert programming == {"Mentees who want it": (0, 30), "Mentor places": (0, 12),
                           "Extra places if eligible people enrolled": (12, 22)}
    labels = {r["skill"]: r["status_label"] for r in data}
    assert labels == {"Programming": "18 short (+10 possible)", "Negotiation": "2 short",
                      "Coaching": "balanced (+1 possible)", "Writing": "5 spare (+2 possible)"}
    status = layers(spec)[-1]["encoding"]["color"]
    assert status["field"] == "status" and status["scale"]["domain"][0] == "shortage"


def test_supply_demand_keeps_the_largest_shortages() -> None:
    spec = supply_demand_chart(supply(), top=2).to_dict()
    assert y_sort(spec) == ["Programming", "Negotiation"]
    assert {r["skill"] for r in rows(spec)} == {"Programming", "Negotiation"}


def test_supply_demand_caption_names_the_largest_shortage() -> None:
    caption = supply_demand_caption(supply())
    assert "2 of 4 skills in demand are short of mentors" in caption
    assert "Programming: 30 mentees want it but there are 12 mentor places (18 short)" in caption
    assert "could add 10 places, not enough to close it" in caption


def test_supply_demand_caption_without_shortage() -> None:
    caption = supply_demand_caption(supply().query("status != 'shortage'"))
    assert "Every skill shown has enough mentor places; the tightest is Coaching: 5 mentees for 5 places." in caption


# --- one person's profile ---------------------------------------------------


def profile() -> pd.DataFrame:
    frame = pd.DataFrame({
        "person_id": "P7", "skill_id": ["S1", "S2", "S3", "S4"], "department": "Engineering",
        "job_title": "Analyst", "level": 2,
        "current": pd.array([1, None, 4, 2], dtype="Int64"),
        "target": pd.array([3, 3, 3, 3], dtype="Int64"),
        "gap": pd.array([2.0, None, 0.0, 1.0], dtype="Float64"),
        "weight": [1.0, 2.0, 1.0, 3.0],
        "goals": [["G1", "G2"], ["G1"], [], ["G2"]],
    })
    frame["weighted_gap"] = frame["gap"] * frame["weight"]
    return frame


def test_profile_sorted_by_weighted_gap_with_unknowns_last() -> None:
    spec = gap_profile_chart(profile(), SKILLS).to_dict()
    assert y_sort(spec) == ["Coaching", "Programming", "Writing", "Negotiation"]
    assert spec["width"] == 560


def test_profile_never_draws_an_unknown_level_as_zero() -> None:
    spec = gap_profile_chart(profile(), SKILLS).to_dict()
    (negotiation,) = [r for r in rows(spec) if r["skill"] == "Negotiation"]
    assert negotiation["current"] is None and negotiation["current_text"] == "not assessed"
    by_mark = {layer["mark"]["type"]: layer for layer in layers(spec)}
    assert "state !== 'not assessed'" in filters(by_mark["circle"])[0]
    assert "state === 'not assessed'" in filters(by_mark["text"])[0]
    assert by_mark["text"]["encoding"]["x"]["field"] == "target"
    assert {r["skill"]: r["goals"] for r in rows(spec)}["Programming"] == "G1, G2"


def test_profile_caption() -> None:
    caption = gap_profile_caption(profile(), SKILLS)
    assert "P7's current level" in caption
    assert "largest gap is in Coaching: level 2 against a target of 3 (1 level short)" in caption
    assert "2 of 4 skills below target, 1 at or above it and 1 not assessed yet" in caption


def test_profile_of_several_people_is_refused() -> None:
    two = pd.concat([profile(), profile().assign(person_id="P8")])
    with pytest.raises(ValueError, match="one person"):
        gap_profile_chart(two)


# --- every chart ------------------------------------------------------------

BUILDERS = {
    "heatmap": (lambda f: gap_heatmap(f, SKILLS), lambda f: gap_heatmap_caption(f, SKILLS), by_department_skill),
    "prioritised": (prioritised_gaps_chart, prioritised_gaps_caption, prioritised),
    "supply": (supply_demand_chart, supply_demand_caption, supply),
    "profile": (lambda f: gap_profile_chart(f, SKILLS), lambda f: gap_profile_caption(f, SKILLS), profile),
}


@pytest.mark.parametrize("name", BUILDERS)
@pytest.mark.parametrize("empty", ["no rows", "no columns", "none"])
def test_empty_input_gives_a_no_data_chart(name: str, empty: str) -> None:
    build, caption, sample = BUILDERS[name]
    frame = {"no rows": sample().iloc[:0], "no columns": pd.DataFrame(), "none": None}[empty]
    spec = build(frame).to_dict()
    assert spec["mark"]["type"] == "text" and rows(spec) == [{"message": NO_DATA}]
    assert spec["width"] == 560 and spec["title"]["text"]
    assert caption(frame) == NO_DATA + "."


def test_nothing_left_to_draw_gives_a_no_data_chart() -> None:
    nobody = supply().assign(demand=0, status="no demand")
    assert rows(supply_demand_chart(nobody).to_dict()) == [{"message": NO_DATA}]
    assert supply_demand_caption(nobody) == NO_DATA + "."


@pytest.mark.parametrize("name", BUILDERS)
def test_vega_can_draw_each_chart(name: str) -> None:
    build, _, sample = BUILDERS[name]
    for frame in (sample(), sample().iloc[:0]):
        chart = build(frame)
        spec = chart.to_dict()
        assert "url" not in json.dumps(spec.get("data", {})) and all(
            "url" not in layer.get("data", {}) for layer in layers(spec))
        svg = vl_convert.vegalite_to_svg(chart.to_json())
        assert svg.startswith("<svg") and "<text" in svg


def test_heatmap_hides_a_second_cell_so_a_skill_total_gives_no_cell_away() -> None:
    # Negotiation's total (the priority ranking shows "k of n assessed fall short") minus the Engineering and
    # Sales cells shown was the Legal cell of 3 people: the smallest other cell hides with it.
    frame = by_department_skill().query("department != 'Support'")
    drawn = [r for r in rows(gap_heatmap(frame, SKILLS).to_dict()) if r["skill"] == "Negotiation"]
    true = {r.department: r.people for r in frame[frame["skill_id"] == "S2"].itertuples()}
    assert_suppressed({r["department"]: r["people"] for r in drawn}, true, what="heat map, Negotiation")
