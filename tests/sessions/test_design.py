"""The design pages' session without widgets: edits validated by the model, findings, save, stale saves, undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.design import load_design
from workbench.errors import WorkspaceError
from workbench.sessions.design import DesignSession
from workbench.workspace import StaleWorkspaceError, find_workspace


@pytest.fixture
def session(demo_data_only: Path) -> DesignSession:
    return DesignSession(find_workspace("demo"))


def test_session_refuses_bad_values_with_the_field_name(session: DesignSession) -> None:
    with pytest.raises(ValueError, match="^Duration months: "):
        session.set(("experience", "duration_months"), 0)
    with pytest.raises(WorkspaceError, match="nothing to undo"):
        session.undo()


def test_an_edit_is_saved_and_a_stale_save_is_refused_then_reapplied_on_the_latest(session: DesignSession) -> None:
    other = DesignSession(session.workspace)
    session.set(("align", "sponsor"), "CFO")
    assert session.dirty and session.design.align.sponsor == "CFO"
    session.save()
    assert not session.dirty and load_design(find_workspace("demo")).align.sponsor == "CFO"
    other.set(("experience", "duration_months"), 9)
    with pytest.raises(StaleWorkspaceError):
        other.save()
    assert other.reapply() == []  # changed here and there: none of the same decisions
    assert other.design.align.sponsor == "CFO" and other.design.experience.duration_months == 9
    other.save()
    assert load_design(find_workspace("demo")).experience.duration_months == 9
