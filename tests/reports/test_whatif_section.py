"""The brief's What-if section: the comparison saved on the What-if page, figures only."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from workbench.data.importing import read_workspace_tables
from workbench.design.store import load_design
from workbench.reports.brief import write_brief
from workbench.reports.sections import default_sections, whatif_section
from workbench.whatif import BASELINE, SavedComparison, Scenario, run_scenarios, save_comparison, tornado
from workbench.workspace import DEMO_SOURCE, open_workspace
from tests.conftest import WITHOUT_STORY

DAY = datetime.date(2025, 3, 14)


@pytest.fixture
def saved(tmp_path: Path):
    workspace = open_workspace(shutil.copytree(DEMO_SOURCE, tmp_path / "ws", ignore=WITHOUT_STORY))
    tables, _ = read_workspace_tables(workspace)
    design = load_design(workspace)
    scenarios = [BASELINE, Scenario("A year <b>", overrides={"duration_months": 12, "budget": 40000},
                                    description="longer & deeper", parameters={"turnover_reduction": 0.25})]
    batch = run_scenarios(tables, design, scenarios, runs=200, seed=5, executor=False)
    sensitivity = tornado(tables, design, "retention", parameters=["turnover_reduction", "maturity_months"],
                          levers=["cadence"], runs=50, executor=False)
    record = SavedComparison.of(batch.finished(), scenarios=scenarios, tornado=sensitivity,
                               saved_on=datetime.date(2025, 3, 1))
    return save_comparison(workspace, record), batch


def test_no_section_until_a_comparison_is_saved(tmp_path: Path) -> None:
    workspace = open_workspace(shutil.copytree(DEMO_SOURCE, tmp_path / "ws", ignore=WITHOUT_STORY))
    assert whatif_section(workspace) is None
    assert "What-if" not in [title for title, _ in default_sections(workspace, load_design(workspace))]


def test_the_section_shows_scenarios_settings_and_kpis_with_intervals(saved) -> None:
    workspace, batch = saved
    title, fragment = whatif_section(workspace)
    assert title == "What-if"
    assert "Scenarios compared on 2025-03-01" in fragment and "200 simulated runs each (seed 5)" in fragment
    assert "simulated comparison group of eligible non-participants" in fragment and "not measurements" in fragment
    assert "design (baseline)" in fragment and "the design as saved" in fragment
    assert "A year &lt;b&gt;" in fragment and "<b>" not in fragment  # escaped
    assert "longer &amp; deeper" in fragment and "duration months 12" in fragment and "budget 40,000" in fragment
    assert "assumption turnover reduction 0.25" in fragment and "of runs" in fragment  # within budget
    assert "Participants still employed at the horizon (vs comparison)" in fragment
    assert " pts [" in fragment and "P(better)" in fragment
    assert "<svg" in fragment and "Which assumptions matter most" in fragment
    assert "Turnover reduction" in fragment and "Practitioner default" in fragment
    assert "(computed on the design)" in fragment
    # figures only: nobody's id
    mentees = batch.finished()[0]
    assert mentees.cohort["participants"] > 0
    assert "P0" not in fragment.replace("P(better)", "")


def test_the_brief_gets_the_section_in_html_and_markdown(saved, tmp_path: Path) -> None:
    workspace, _ = saved
    assert [t for t, _ in default_sections(workspace, load_design(workspace))][-1] == "What-if"
    text = write_brief(workspace, tmp_path / "brief.html", generated=DAY).read_text(encoding="utf-8")
    assert "What-if" in text and "Scenarios compared on 2025-03-01" in text
    markdown = write_brief(workspace, tmp_path / "brief.md", generated=DAY).read_text(encoding="utf-8")
    assert "## What-if" in markdown or "What-if" in markdown
    assert "| Scenario | What it changes | Participants | Within budget |" in markdown
    assert "A year &lt;b&gt; (baseline)" not in markdown and "design (baseline)" in markdown
    assert "Which assumptions" not in markdown and "The assumptions and design levers that matter most" in markdown


def test_no_budget_column_when_no_scenario_has_a_budget(tmp_path: Path) -> None:
    workspace = open_workspace(shutil.copytree(DEMO_SOURCE, tmp_path / "ws", ignore=WITHOUT_STORY))
    tables, _ = read_workspace_tables(workspace)
    batch = run_scenarios(tables, load_design(workspace), [BASELINE], runs=50, executor=False)
    workspace = save_comparison(workspace, SavedComparison.of(batch.finished()))
    _, fragment = whatif_section(workspace)
    assert "Within budget" not in fragment and "Which assumptions" not in fragment
    _, markdown = whatif_section(workspace, format="md")
    assert "| Scenario | What it changes | Participants |" in markdown
