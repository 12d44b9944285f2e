"""Matching charts, checked through their Vega-Lite specs (and rendered once to SVG)."""

import json

import numpy as np
import pandas as pd
import pytest
import vl_convert

from workbench.charts import (
    candidate_caption,
    candidate_chart,
    coverage_caption,
    coverage_chart,
    fairness_caption,
    fairness_chart,
    score_distribution_caption,
    score_distribution_chart,
)
from workbench.charts.matching import BINS, NO_DATA, method_label


def datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def all_rows(spec: dict) -> list[dict]:
    return [row for rows in datasets(spec) for row in rows]


def layers(spec: dict) -> list[dict]:
    if "layer" in spec:
        return [leaf for layer in spec["layer"] for leaf in layers(layer)]
    if "spec" in spec:
        return layers(spec["spec"])
    return [spec]


def marks(spec: dict) -> list[str]:
    return [leaf["mark"]["type"] if isinstance(leaf["mark"], dict) else leaf["mark"] for leaf in layers(spec)]


def renders(chart) -> str:
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    assert svg.startswith("<svg")
    return svg


def scores(method: str, values) -> pd.DataFrame:
    return pd.DataFrame({"method": method, "score": list(values)})


# ---------------------------------------------------------------------------
# score distribution


def test_one_method_is_one_histogram_of_binned_scores() -> None:
    chart = score_distribution_chart(scores("optimal", [0.12, 0.5, 0.52, 0.77, 0.78, 1.0]))
    spec = chart.to_dict()
    rows = all_rows(spec)
    assert len(rows) == BINS and sum(r["pairs"] for r in rows) == 6
    assert {r["label"] for r in rows} == {"Best total fit: mean 0.62"}
    top = next(r for r in rows if r["end"] == 1.0)
    assert top["pairs"] == 1  # a perfect score lands in the last bin, not past it
    assert spec["encoding"]["x"]["bin"] == "binned" and spec["mark"]["type"] == "bar"
    assert "facet" not in spec
    assert "clip" not in json.dumps(spec)
    assert ">How good are the pairs?<" in renders(chart)


def test_methods_are_rows_in_their_order_and_large_matchings_stay_small() -> None:
    rng = np.random.default_rng(0)
    frame = pd.concat([scores("random", rng.uniform(0, 1, 20_000)), scores("optimal", rng.uniform(0.5, 1, 20_000))])
    spec = score_distribution_chart(frame).to_dict()
    rows = all_rows(spec)
    assert len(rows) == 2 * BINS
    assert spec["facet"]["row"]["sort"] == [r["label"] for r in rows][::BINS]
    assert spec["facet"]["row"]["sort"][0].startswith("Random (baseline): mean 0.5")
    caption = score_distribution_caption(frame)
    assert "Best total fit gives the highest mean score" in caption
    renders(score_distribution_chart(frame))


def test_a_method_with_no_pairs_keeps_its_row() -> None:
    frame = pd.concat([scores("optimal", [0.5, 0.6]), pd.DataFrame({"method": ["random"], "score": [np.nan]})])
    rows = all_rows(score_distribution_chart(frame).to_dict())
    assert {r["label"] for r in rows} == {"Best total fit: mean 0.55", "Random (baseline): no pairs"}


def test_no_pairs_says_so_and_a_wrong_frame_is_refused() -> None:
    for empty in (pd.DataFrame(), scores("optimal", [])):
        spec = score_distribution_chart(empty).to_dict()
        assert all_rows(spec) == [{"message": NO_DATA}]
        assert score_distribution_caption(empty) == NO_DATA + "."
    with pytest.raises(ValueError, match="needs the column"):
        score_distribution_chart(pd.DataFrame({"score": [0.5]}))


def test_method_labels_are_plain_words() -> None:
    assert method_label("max_coverage") == "Most people matched"
    assert method_label("something_new") == "something new"


# ---------------------------------------------------------------------------
# coverage


def comparison(**rows) -> pd.DataFrame:
    return pd.DataFrame([{"method": m, **values} for m, values in rows.items()])


def test_coverage_of_one_matching_labels_each_share() -> None:
    table = comparison(optimal={"match_rate": 0.7045, "skills_covered": 0.55, "capacity_use": 1.0})
    chart = coverage_chart(table)
    spec = chart.to_dict()
    rows = all_rows(spec)
    assert [(r["measure"], r["text"]) for r in rows] == [
        ("People matched", "70%"), ("Needed skills covered", "55%"), ("Mentor places used", "100%")]
    assert marks(spec) == ["bar", "text"]
    assert all("yOffset" not in leaf.get("encoding", {}) for leaf in layers(spec))
    caption = coverage_caption(table)
    assert caption.startswith("70% of mentees have a partner") and "Every place is taken" in caption
    renders(chart)


def test_coverage_leaves_out_what_a_structure_does_not_have_and_groups_methods() -> None:
    peer = comparison(optimal={"match_rate": 0.98, "skills_covered": None, "capacity_use": None})
    assert [r["measure"] for r in all_rows(coverage_chart(peer).to_dict())] == ["People matched"]
    several = comparison(optimal={"match_rate": 0.7, "skills_covered": 0.55, "capacity_use": 1.0},
                         random={"match_rate": 0.7, "skills_covered": 0.25, "capacity_use": 1.0})
    spec = coverage_chart(several).to_dict()
    bars = next(leaf for leaf in layers(spec) if leaf["mark"]["type"] == "bar")
    assert bars["encoding"]["yOffset"]["field"] == "method_label"
    assert bars["encoding"]["color"]["sort"] == ["Best total fit", "Random (baseline)"]
    assert coverage_caption(several).startswith("With best total fit: 70% of mentees")
    assert all_rows(coverage_chart(pd.DataFrame()).to_dict()) == [{"message": NO_DATA}]


# ---------------------------------------------------------------------------
# fairness


def fairness_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "department": ["Engineering", "Finance", "Sales"],
        "people": [8, 3, 9], "matched": [4, 3, 7], "match_rate": [0.5, 1.0, 7 / 9], "mean_score": [0.67, 0.9, 0.7],
        "hidden": [False, True, False],  # numbers left in on purpose: the chart must drop them
    })


def test_hidden_groups_are_labelled_and_carry_no_numbers() -> None:
    chart = fairness_chart(fairness_frame(), "department", overall=0.7)
    spec = chart.to_dict()
    rows = [r for r in all_rows(spec) if "group" in r]
    finance = next(r for r in rows if r["group"] == "Finance")
    assert finance["text"] == "hidden: fewer than 5 people"
    assert all(finance[k] is None for k in ("people", "matched", "match_rate", "mean_score"))
    assert finance["bar"] == 0
    assert "3" not in json.dumps({k: v for k, v in finance.items() if k != "text"})
    sales = next(r for r in rows if r["group"] == "Sales")
    assert sales["text"] == "78% of 9"
    assert [m for m in marks(spec)] == ["bar", "text", "rule"]
    bars = layers(spec)[0]
    assert bars["transform"] == [{"filter": "(!datum.hidden)"}]
    assert any("Groups of fewer than 5 people are hidden" in line for line in spec["title"]["subtitle"])
    svg = renders(chart)
    assert "hidden: fewer than 5 people" in svg


def test_small_groups_are_hidden_even_when_the_input_does_not_say_so() -> None:
    frame = fairness_frame().drop(columns="hidden")
    rows = [r for r in all_rows(fairness_chart(frame, "department").to_dict()) if "group" in r]
    assert next(r for r in rows if r["group"] == "Finance")["match_rate"] is None


def test_fairness_caption_names_the_extremes_and_never_a_hidden_group() -> None:
    text = fairness_caption(fairness_frame(), "department", overall=0.7)
    assert "Sales has the highest match rate (78%)" in text and "Engineering the lowest (50%)" in text
    assert "Finance" not in text and "1 group of fewer than 5 people is hidden" in text
    assert fairness_caption(fairness_frame(), "department", label="team").startswith("By team, Sales")
    only_small = fairness_frame().assign(hidden=True)
    assert fairness_caption(only_small, "department") == "Every department group has fewer than 5 people, so none is shown."
    assert "by job title" in fairness_chart(fairness_frame().rename(columns={"department": "job_title"}),
                                           "job_title").to_dict()["title"]["text"]
    assert fairness_chart(fairness_frame(), "department", label="team").to_dict()["title"]["text"] == \
        "Who gets matched, by team"


# ---------------------------------------------------------------------------
# one mentee's candidates


def candidate_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "rank": pd.array([1, 2, pd.NA], dtype="Int64"),
        "mentor_id": ["M1", "M2", "M3"],
        "name": ["Ann", "Bo", ""],
        "status": ["matched", "full (2 of 2 places taken)", "not allowed (management chain)"],
        "allowed": [True, True, False],
        "score": [0.8, 0.6, 0.5],
        "skills": [1.0, 0.5, 0.5], "seniority": [0.5, 1.0, 0.5],
        "reason": ["a", "b", "c"],
    })


def test_candidate_bars_add_up_to_the_score_per_criterion() -> None:
    weights = {"skills": 3.0, "seniority": 1.0}
    frame = candidate_frame()
    frame["score"] = (3 * frame["skills"] + frame["seniority"]) / 4
    chart = candidate_chart(frame, weights)
    spec = chart.to_dict()
    parts, ends = datasets(spec)[0], datasets(spec)[1]
    if "criterion" not in parts[0]:
        parts, ends = ends, parts
    totals = pd.DataFrame(parts).groupby("who")["part"].sum()
    assert totals["Ann (M1)"] == pytest.approx(frame["score"][0])
    assert totals["M3"] == pytest.approx(frame["score"][2])  # no name: the id alone
    assert [r["text"] for r in ends] == ["0.88  matched", "0.62  full (2 of 2 places taken)",
                                         "0.50  not allowed (management chain)"]
    bars = layers(spec)[0]
    assert bars["encoding"]["opacity"]["condition"]["test"] == "datum.allowed"
    assert bars["encoding"]["y"]["sort"] == ["Ann (M1)", "Bo (M2)", "M3"]
    assert "clip" not in json.dumps(spec)
    renders(chart)


def test_candidate_caption_names_the_best_fit_the_partner_and_the_excluded() -> None:
    text = candidate_caption(candidate_frame(), {"skills": 1.0}, "Zoe (E1)")
    assert text.startswith("The best allowed fit for Zoe (E1) is Ann (M1) (score 0.80).")
    assert "Matched with Ann (M1) (score 0.80, number 1 on the list)." in text
    assert "1 mentor shown is not allowed" in text
    unmatched = candidate_frame().assign(status=["full", "full", "not allowed (x)"])
    assert "Zoe (E1) has no partner in this matching." in candidate_caption(unmatched, {"skills": 1.0}, "Zoe (E1)")
    assert all_rows(candidate_chart(pd.DataFrame(), {}).to_dict()) == [{"message": NO_DATA}]


def test_peers_are_called_peers() -> None:
    spec = candidate_chart(candidate_frame(), {"skills": 1.0}, mentee="Zoe (E1)", partner="peer").to_dict()
    assert spec["title"]["text"] == "Candidate peers for Zoe (E1), best fit first"
    assert "1 peer shown is not allowed" in candidate_caption(candidate_frame(), {"skills": 1.0}, partner="peer")
