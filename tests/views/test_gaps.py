from pathlib import Path

import pytest

from workbench.design import load_design
from workbench.errors import WorkbenchError
from workbench.views.gaps import GapsView
from workbench.views.shell import open_page
from workbench.workspace import create_workspace, find_workspace


@pytest.fixture
def view(home: Path) -> GapsView:
    context, _ = open_page("03_skill_gaps")
    return GapsView(context)


def test_the_page_summarises_coverage_and_explains_each_chart(view: GapsView) -> None:
    assert "are assessed" in view.summary.value and "never counted as a gap" in view.summary.value
    for caption in (view.heatmap_caption, view.priority_caption, view.supply_caption, view.profile_caption):
        assert caption.value.startswith("<p class='wb-caption'>") and len(caption.value) > 60
    assert "<table" in view.priority_table.value and "<table" in view.readiness_table.value


def test_a_filter_changes_the_heatmap_and_the_figures(view: GapsView) -> None:
    before_chart, before_summary = view.heatmap.chart.to_dict(), view.summary.value
    view.department.value = "Engineering"
    after = view.heatmap.chart.to_dict()
    departments = {row["department"] for row in next(iter(after["datasets"].values()))}
    assert departments == {"Engineering"}
    assert after != before_chart and view.summary.value != before_summary
    view.goal.value = "leadership_pipeline"
    assert "leadership_pipeline" in view.priority_table.value or "people in this selection" in view.summary.value


def test_focus_skills_are_saved_into_the_design(view: GapsView) -> None:
    chosen = tuple(view.focus.options[i][1] for i in (0, 1))
    view.focus.value = chosen
    view.save_button.click()
    assert "Saved 2 focus skills" in view.notice.value
    assert load_design(find_workspace("demo")).align.focus_skills == chosen


def test_a_person_profile_can_be_picked(view: GapsView) -> None:
    person = view.person.options[3]
    person_id = person.rsplit("(", 1)[1].rstrip(")")  # "Name (id)" in the workshop
    view.person.value = person
    rows = next(iter(view.profile_chart.chart.to_dict()["datasets"].values()))
    assert {row["person_id"] for row in rows if "person_id" in row} <= {person_id}
    assert person_id in view.profile_caption.value


def test_a_workspace_without_requirements_is_explained(home: Path) -> None:
    context, _ = open_page("03_skill_gaps")
    context.workspace = create_workspace("No data")
    with pytest.raises(WorkbenchError, match="needs people.csv, skills.csv, requirements.csv"):
        GapsView(context)
