"""What-if charts, checked through their Vega-Lite specs (and rendered once to SVG)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import vl_convert

from workbench.charts import (
    distribution_caption,
    distribution_chart,
    effects_caption,
    effects_chart,
    frontier_caption,
    frontier_chart,
    programs_caption,
    programs_chart,
    survival_caption,
    survival_chart,
    tornado_caption,
    tornado_chart,
)
from workbench.charts.whatif import COMPARISON_KPIS, KPI_GROUPS, NO_DATA, format_effect, kpi_scale, scenario_colours
from workbench.data.importing import read_workspace_tables
from workbench.design.store import load_design
from workbench.simulate import KPIS
from workbench.design.model import Eligibility
from workbench.whatif import (ALL_PROGRAMS, BASELINE, Scenario, comparison_table, frontier, run_scenarios,
                              simulate_programs, tornado)
from workbench.workspace import DEMO_SOURCE, open_workspace
from tests.conftest import WITHOUT_STORY


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whatif-charts") / "demo"
    shutil.copytree(DEMO_SOURCE, folder, ignore=WITHOUT_STORY)
    workspace = open_workspace(folder)
    tables, _ = read_workspace_tables(workspace)
    return tables, load_design(workspace)


@pytest.fixture(scope="module")
def results(demo):
    tables, design = demo
    scenarios = [BASELINE, Scenario("Longer", overrides={"duration_months": 12}),
                 Scenario("Weekly", overrides={"cadence": "weekly"})]
    return run_scenarios(tables, design, scenarios, runs=300, seed=4, executor=False).finished()


def all_rows(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def leaves(spec: dict) -> list[dict]:
    found = []
    for key in ("layer", "vconcat", "hconcat"):
        for part in spec.get(key, []):
            found += leaves(part)
    if "spec" in spec:
        found += leaves(spec["spec"])
    if "mark" in spec:
        found.append(spec)
    return found


def marks(spec: dict) -> list[str]:
    return [leaf["mark"]["type"] if isinstance(leaf["mark"], dict) else leaf["mark"] for leaf in leaves(spec)]


def text_of(spec: dict) -> str:
    return str(spec)


def renders(chart) -> str:
    svg = vl_convert.vegalite_to_svg(chart.to_json())
    assert svg.startswith("<svg")
    return svg


def test_kpis_are_shown_in_the_units_people_read() -> None:
    assert kpi_scale("retention") == (100.0, "percentage points", ".1f")
    assert kpi_scale("early_closure")[1] == "%" and kpi_scale("cost", "EUR")[1] == "EUR"
    assert format_effect("retention", 0.025, sign=True) == "+2.5 points"
    assert format_effect("retention", -0.00001, sign=True) == "0.0 points"
    assert format_effect("exits", -0.78, sign=True) == "-0.78 people"
    assert format_effect("cost", 35010.4, "EUR") == "35,010 EUR"
    assert format_effect("early_closure", 0.105) == "10.5%"
    assert format_effect("roi", float("nan")) == "-"
    scale = scenario_colours(["design", "A", "design", "B"]).to_dict()
    assert scale["domain"] == ["design", "A", "B"] and scale["range"][0] == "#4d4d4d"


def test_effects_chart_one_panel_per_kpi_with_intervals_in_points(results) -> None:
    table = comparison_table(results)
    spec = effects_chart(table).to_dict()
    assert len(spec["vconcat"]) == len(COMPARISON_KPIS)
    rows = [r for r in all_rows(spec) if "scenario" in r]
    assert {r["kpi"] for r in rows} == set(COMPARISON_KPIS) and len(rows) == 3 * len(COMPARISON_KPIS)
    design = next(r for r in rows if r["kpi"] == "retention" and r["scenario"] == "design")
    expected = table[(table["kpi"] == "retention") & (table["scenario"] == "design")].iloc[0]
    assert design["effect_shown"] == pytest.approx(expected["effect"] * 100)
    assert design["low_shown"] <= design["effect_shown"] <= design["high_shown"]
    assert {"rule", "point"} <= set(marks(spec))
    assert "comparison group of eligible non-participants" in text_of(spec["title"])
    # the same scenario has the same colour everywhere, the baseline first
    colours = [leaf["encoding"]["color"]["scale"]["domain"] for leaf in leaves(spec)
               if "color" in leaf.get("encoding", {})]
    assert all(domain == ["design", "Longer", "Weekly"] for domain in colours)
    money = effects_chart(table, KPI_GROUPS["money"][1], currency="EUR").to_dict()
    assert len(money["vconcat"]) == 3 and "EUR" in text_of(money)
    renders(effects_chart(table))


def test_effects_caption_names_each_scenario_and_the_comparison(results) -> None:
    table = comparison_table(results)
    caption = effects_caption(table)
    assert caption.startswith("Participants still employed at the horizon against a simulated comparison group")
    assert all(name in caption for name in ("design:", "Longer:", "Weekly:")) and "95% interval" in caption
    assert "better than design in" in caption and "points" in caption
    assert "EUR" in effects_caption(table, ["cost"], currency="EUR")


def test_distribution_chart_bins_per_scenario_on_a_shared_axis(results) -> None:
    bins = pd.concat([r.distribution("retention").query("series == 'difference'").assign(scenario=r.name)
                      for r in results], ignore_index=True)
    spec = distribution_chart(bins, "retention").to_dict()
    rows = all_rows(spec)
    assert len(rows) == len(bins) == 3 * 20
    assert sum(r["share"] for r in rows if r["scenario"] == "Longer") == pytest.approx(1.0)
    assert spec["facet"]["row"]["field"] == "scenario" and spec["resolve"]["scale"]["x"] == "shared"
    first = bins.iloc[0]
    assert rows[0]["start"] == pytest.approx(first["start"] * 100)
    assert {"bar", "rule"} <= set(marks(spec))
    caption = distribution_caption(bins, "retention")
    assert "nine runs in ten between" in caption and "Weekly:" in caption
    meetings = pd.concat([r.distribution("meetings").query("series == 'participants'").assign(scenario=r.name)
                          for r in results])
    assert "rule" not in marks(distribution_chart(meetings, "meetings").to_dict())
    renders(distribution_chart(bins, "retention"))


def test_survival_chart_participants_solid_and_comparison_dashed(results) -> None:
    survival = pd.concat([r.survival.assign(scenario=r.name) for r in results], ignore_index=True)
    spec = survival_chart(survival).to_dict()
    rows = all_rows(spec)
    months = survival["month"].nunique()
    assert len(rows) == 3 * 2 * (months + 1)  # from month 0, both groups
    assert {r["group"] for r in rows} == {"Participants", "Comparison group"}
    assert all(r["employed"] == 1.0 for r in rows if r["month"] == 0)
    assert spec["encoding"]["strokeDash"]["field"] == "group"
    caption = survival_caption(survival)
    assert caption.startswith(f"Still employed after {months} months:") and "comparison group" in caption
    renders(survival_chart(survival))


def test_tornado_chart_largest_swings_first_without_the_flat_ones(demo) -> None:
    tables, design = demo
    table = tornado(tables, design, "retention", parameters=["turnover_reduction", "quality_base", "tool_cost"],
                    levers=["cadence"], runs=100, executor=False)
    spec = tornado_chart(table).to_dict()
    rows = [r for r in all_rows(spec) if "end" in r]
    labels = list(dict.fromkeys(r["label"] for r in rows))
    assert set(labels) == {"Turnover reduction", "Quality base", "Cadence (design)"}  # tool cost does not move it
    assert labels[0] == "Turnover reduction"
    assert {r["range"] for r in rows if r["label"] == "Cadence (design)"} == {"monthly to weekly"}
    turnover = [r for r in rows if r["label"] == "Turnover reduction"]
    assert {r["end"] for r in turnover} == {"at the low end of its range", "at the high end of its range"}
    assert turnover[0]["source"].startswith("Practitioner default")
    assert "participants still employed" in text_of(spec["title"])
    caption = tornado_caption(table)
    assert caption.startswith("Turnover reduction matters most")
    assert caption.endswith("1 assumption or lever does not affect this figure: left out.")
    renders(tornado_chart(table))


def test_frontier_chart_marks_the_efficient_scenarios(results) -> None:
    table = frontier(results)
    spec = frontier_chart(table, currency="EUR").to_dict()
    rows = [r for r in all_rows(spec) if "status" in r]
    assert len(rows) == 3 and {r["scenario"] for r in rows} == {"design", "Longer", "Weekly"}
    assert "efficient" in {r["status"] for r in rows}
    assert {"line", "point", "text", "rule"} <= set(marks(spec))
    assert "Program cost (EUR)" in text_of(spec)
    caption = frontier_caption(table, currency="EUR")
    assert caption.startswith("Impact here is exits avoided by the horizon") and "Efficient:" in caption
    dominated = pd.DataFrame({"scenario": ["cheap", "dear"], "cost": [1.0, 2.0], "impact": [2.0, 1.0],
                              "efficient": [True, False]})
    dominated.attrs.update(label="Exits avoided by the horizon", impact="exits")
    assert "1 scenario (dear) cost more" in frontier_caption(dominated)
    renders(frontier_chart(table))


def test_programs_chart_shows_each_simulated_program_and_the_total(demo) -> None:
    tables, design = demo
    nobody = design.model_copy(update={"align": design.align.model_copy(
        update={"mentee_eligibility": Eligibility(level_min=50)})})
    table = simulate_programs(tables, {"main": design, "empty": nobody}, runs=200, seed=1).table()
    spec = programs_chart(table).to_dict()
    rows = [r for r in all_rows(spec) if "program" in r]
    assert [r["program"] for r in rows] == ["main", ALL_PROGRAMS]
    assert [r["kind"] for r in rows] == ["program", "total"]
    assert all(r["exits_avoided_low"] <= r["exits_avoided"] <= r["exits_avoided_high"] for r in rows)
    assert {"rule", "point"} <= set(marks(spec))
    caption = programs_caption(table)
    main = table.set_index("program").loc["main"]
    assert f"main: {main['exits_avoided']:,.2f}" in caption and "Not simulated (nobody matched): empty." in caption
    renders(programs_chart(table))


@pytest.mark.parametrize("build", [
    lambda: effects_chart(pd.DataFrame()), lambda: distribution_chart(pd.DataFrame(), "retention"),
    lambda: survival_chart(pd.DataFrame()), lambda: tornado_chart(pd.DataFrame()),
    lambda: frontier_chart(pd.DataFrame()), lambda: programs_chart(pd.DataFrame())])
def test_empty_inputs_say_so(build) -> None:
    assert NO_DATA in str(build().to_dict())


def test_captions_of_empty_inputs_say_what_to_do() -> None:
    assert "Run a comparison" in effects_caption(pd.DataFrame())
    assert "Run a comparison" in distribution_caption(pd.DataFrame(), "retention")
    assert "Run a comparison" in survival_caption(pd.DataFrame())
    assert "Run the sensitivity analysis" in tornado_caption(pd.DataFrame())
    assert "Run a comparison" in frontier_caption(pd.DataFrame())


def test_too_many_rows_are_refused() -> None:
    bins = pd.DataFrame({"scenario": ["a"] * 6000, "start": 0.0, "end": 1.0, "share": 0.0})
    with pytest.raises(ValueError, match="aggregate"):
        distribution_chart(bins, "retention")
    with pytest.raises(ValueError, match="needs the column"):
        effects_chart(pd.DataFrame({"kpi": ["retention"]}))
    assert set(KPIS) >= set(COMPARISON_KPIS)
