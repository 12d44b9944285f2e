"""The pilot design on the Launch page, driven from Python without a browser."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd
import pytest

from workbench.design import load_design
from workbench.design.model import Align, Launch, Objective, PilotDesign, ProgramDesign
from workbench.design.store import save_design
from workbench.evaluate.plan import load_plan
from workbench.views.pilot import PilotView
from workbench.views.shell import open_page
from tests.test_cli_select import snapshot


def page_with(pilot: PilotDesign, **align) -> PilotView:
    context, _ = open_page("06_launch_and_support")
    context.workspace = save_design(context.workspace, ProgramDesign(align=Align(**align), launch=Launch(pilot=pilot)))
    return PilotView(context)


def downloads(view: PilotView) -> list[str]:
    return [base64.b64decode(p).decode("utf-8") for p in re.findall(r"base64,([A-Za-z0-9+/=]+)", view.download.value)]


def test_drawing_shows_and_offers_the_waitlist_and_freezing_saves_the_plan(home: Path) -> None:
    objectives = (Objective(id="stay", kind="retention", horizon_months=12),)
    view = page_with(PilotDesign(design="waitlist", places=20, seed=2), objectives=objectives)
    assert "No evaluation plan is frozen yet" in view.frozen.value and view.freeze_button.disabled
    before = snapshot(view.context.workspace.path)
    view.draw_button.click()
    assert view.notice.value == ""
    assert "20 applicants offered a place now, 24 waitlisted" in view.summary.value
    assert "Cohort 2026: Randomised waitlist: 20 places, seed 2" in html.unescape(view.summary.value)
    assert html.unescape(view.summary.value).count("Randomised waitlist") == 1  # said once, with its settings
    listed = pd.read_csv(pd.io.common.StringIO(downloads(view)[0]), dtype=str)
    assert listed["allocation"].value_counts().to_dict() == {"waitlisted": 24, "offered": 20}
    assert snapshot(view.context.workspace.path) == before  # drawing saves nothing
    view.freeze_button.click()
    assert "Froze the evaluation plan of cohort 2026" in view.notice.value
    assert view.freeze_button.disabled  # frozen once; a new draw is needed for another try
    view.freeze_button.click()  # a click that slipped through is refused, the plan kept
    assert "already frozen for cohort '2026'" in html.unescape(view.notice.value)
    plan = load_plan(view.context.workspace)
    offered = plan.allocation.loc[plan.allocation["allocation"] == "offered", "person_id"]
    assert plan.horizon_months == 12 and set(offered) == set(listed.loc[listed["allocation"] == "offered",
                                                                        "person_id"])
    assert "The frozen plan" in view.frozen.value and "stay" in view.frozen.value


@pytest.mark.parametrize("pilot, align, message", [
    (PilotDesign(design="waitlist", places=60), {},
     "a randomised waitlist of 60 places needs more applicants than places; the cohort has 44 eligible"),
    (PilotDesign(design="stepped_wedge", steps=2), {"mentee_eligibility": {"departments": ("Sales",)}},
     "a staggered roll-out needs at least two clusters to compare, and the applicants' column 'department' has "
     "one cluster ('Sales')"),
])
def test_bad_pilot_input_is_said_in_the_page_and_nothing_is_saved(home: Path, pilot: PilotDesign, align: dict,
                                                                   message: str) -> None:
    view = page_with(pilot, **align)
    before = snapshot(view.context.workspace.path)
    view.draw_button.click()
    assert message in html.unescape(view.notice.value) and "Traceback" not in view.notice.value
    assert view.freeze_button.disabled and view.download.value == "" and view.summary.value == ""
    view.freeze_button.click()  # a click that slipped through still freezes nothing
    assert "Draw the allocation first" in view.notice.value
    assert snapshot(view.context.workspace.path) == before and load_plan(view.context.workspace) is None
    assert load_design(view.context.workspace).launch.pilot == pilot
