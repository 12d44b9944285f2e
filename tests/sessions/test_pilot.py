"""The pilot design without widgets: draw the allocation (nothing saved), freeze it once."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.design.model import Align, Launch, Objective, PilotDesign, ProgramDesign
from workbench.design.store import save_design
from workbench.errors import WorkbenchError
from workbench.evaluate.plan import load_plan
from workbench.sessions.pilot import PilotSession
from workbench.workspace import open_workspace
from tests.test_cli_select import snapshot


def session_with(folder: Path, pilot: PilotDesign) -> PilotSession:
    objectives = (Objective(id="stay", kind="retention", horizon_months=12),)
    workspace = save_design(open_workspace(folder), ProgramDesign(align=Align(objectives=objectives),
                                                                  launch=Launch(pilot=pilot)))
    return PilotSession(workspace)


def test_drawing_saves_nothing_and_freezing_saves_the_plan_once(demo_data_only: Path) -> None:
    session = session_with(demo_data_only, PilotDesign(design="waitlist", places=20, seed=2))
    assert session.frozen() is None and session.plan is None
    with pytest.raises(WorkbenchError, match="Draw the allocation first"):
        session.freeze()
    before = snapshot(demo_data_only)
    plan = session.draw()
    assert session.plan is plan and session.design_words == "Randomised waitlist: 20 places, seed 2"
    assert plan.allocation["allocation"].value_counts().to_dict() == {"waitlisted": 24, "offered": 20}
    assert snapshot(demo_data_only) == before
    revision = session.workspace.settings.revision
    session.freeze()
    assert session.workspace.settings.revision == revision + 1
    assert session.frozen().horizon_months == 12 and load_plan(open_workspace(demo_data_only)) is not None
    with pytest.raises(WorkbenchError, match="already frozen for cohort '2026'"):
        session.freeze()


def test_a_refused_draw_leaves_no_plan(demo_data_only: Path) -> None:
    session = session_with(demo_data_only, PilotDesign(design="waitlist", places=20, seed=2))
    session.draw()
    session.workspace = save_design(session.workspace, ProgramDesign(launch=Launch(
        pilot=PilotDesign(design="waitlist", places=60))))
    with pytest.raises(WorkbenchError, match="needs more applicants than places; the cohort has 44 eligible"):
        session.draw()
    assert session.plan is None
