"""Every page has something to show on the demo organisation as it ships: the story of a first workshop."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.design import load_design
from workbench.design.catalogue import DECISIONS, NOT_DECIDED, describe_value
from workbench.views.design import DesignPage
from workbench.views.evaluate import EvaluateView
from workbench.views.matching import MatchingView
from workbench.views.shell import open_page
from workbench.views.whatif import WhatIfView
from workbench.whatif import list_scenarios
from workbench.workspace import DEMO_SOURCE


@pytest.fixture(autouse=True)
def story(home: Path, demo_data_only: Path) -> None:
    """The demo as it ships, in place of the tables-only copy the other page tests use."""
    shutil.rmtree(demo_data_only)
    shutil.copytree(DEMO_SOURCE, demo_data_only)


def test_the_design_pages_show_every_decision_taken_with_its_reason(home: Path) -> None:
    pages = {"01_align": ("align",), "02_experience": ("experience",),
             "06_launch_and_support": ("launch", "evaluate", "support")}
    cards = []
    for notebook, steps in pages.items():
        context, _ = open_page(notebook)
        page = DesignPage(context, steps)
        cards += page.cards
        assert not any(f.severity == "error" for f in page.session.findings)
    assert {c.decision.id for c in cards} == {d.id for d in DECISIONS}
    design = cards[0].session.design
    assert [c.decision.id for c in cards if "reason recorded" not in c.heading.value] == []
    assert [d.id for d in DECISIONS if describe_value(design, d.id) == NOT_DECIDED] == []


def test_the_matching_page_knows_the_saved_matching_of_the_current_cohort(home: Path) -> None:
    context, _ = open_page("04_matching")
    view = MatchingView(context)
    assert "Saved in the workspace: one-on-one matching by best total fit" in view.saved_status.value


def test_the_what_if_page_offers_the_objectives_the_scenarios_and_the_saved_comparison(home: Path) -> None:
    context, _ = open_page("05_what_if")
    view = WhatIfView(context, background=False)
    goals = [value for _, value in view.goal.options]
    assert {"retention", "data_skills"} <= set(goals)  # the objectives the outcome model simulates
    assert [label for label, _ in view.picker.options][1:] == [s.name for s in list_scenarios(context.workspace)]
    assert len(view.picker.options) == 4
    assert "The brief shows the comparison saved on" in view.brief_status.value


def test_the_evaluate_page_scores_the_past_cohort_against_the_designs_objectives(home: Path) -> None:
    context, _ = open_page("07_evaluate")
    view = EvaluateView(context, background=False, resamples=200, runs=20)
    view.run_button.click()
    assert "wb-notice-success" in view.notice.value, view.notice.value
    card = view.result.scorecard
    assert list(card["objective"]) == [o.id for o in load_design(context.workspace).align.objectives]
    measured = card[card["status"] != "not measured"]
    assert set(measured["objective"]) == {"retention", "career_clarity"}
    assert pd.to_numeric(measured["observed"]).notna().all()
    assert "career_clarity" in view.scorecard_table.value
