"""The Evaluate page of a cohort launched with a randomised waitlist and a frozen evaluation plan."""

from __future__ import annotations

from pathlib import Path

from workbench.data.importing import save_table
from workbench.evaluate.plan import freeze_plan, plan_for
from workbench.evaluate.trial import OFFERED
from workbench.design.store import save_design
from workbench.views.evaluate import EvaluateView
from workbench.views.shell import open_page
from workbench.workspace import create_workspace
from tests.evaluate.launch_organisation import launch_tables, run_cohort
from tests.evaluate.test_plan import HAZARD_RATIO, MONTHLY_HAZARD, SELF_SELECTION_WORDS, waitlist_design
from tests.views.test_evaluate import QUICK, widget_text


def test_the_page_shows_the_waitlists_analysis_and_no_self_selection_caveat(home: Path) -> None:
    workspace = create_workspace("Waitlist")
    at_launch = launch_tables(n_applicants=120, n_mentors=60, seed=8)
    for name, frame in at_launch.items():
        workspace = save_table(workspace, name, frame)
    design = waitlist_design(places=60)
    workspace = save_design(workspace, design)
    plan = plan_for(at_launch, design, cohort="2025")
    workspace = freeze_plan(workspace, plan)
    offered = plan.allocation.loc[plan.allocation["allocation"] == OFFERED, "person_id"]
    for name, frame in run_cohort(at_launch, {p: 0.0 for p in offered}, monthly_hazard=MONTHLY_HAZARD,
                                  hazard_ratio=HAZARD_RATIO, seed=4).items():
        workspace = save_table(workspace, name, frame)
    context, _ = open_page("07_evaluate")
    context.workspace = workspace
    view = EvaluateView(context, **QUICK)
    view.run_button.click()
    assert "wb-notice-success" in view.notice.value, view.notice.value
    assert view.trial.layout.display is None
    assert "Offered minus waitlisted (intention to treat)" in view.trial.text.value
    assert "60 applicants offered a place, 60 waitlisted" in view.trial.text.value
    text = widget_text(view)
    assert SELF_SELECTION_WORDS not in text and "chose to take part" not in text
    assert "Applicants were randomised" in view.in_short.summary.value
