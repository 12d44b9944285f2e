"""Choosing the class without widgets: the settings from the design, both methods, a refused choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.design import load_design
from workbench.errors import WorkbenchError
from workbench.sessions.selection import SelectionSession
from workbench.workspace import open_workspace


@pytest.fixture
def session(demo_data_only: Path) -> SelectionSession:
    return SelectionSession(open_workspace(demo_data_only))


def test_the_settings_start_from_the_design(session: SelectionSession) -> None:
    design = load_design(session.workspace)
    assert session.method == "matchability" and session.quotas == "" and session.result is None
    assert session.size == design.launch.pilot_size or session.size == session.applicants
    assert [m for _, m in session.method_options] == ["matchability", "lottery"]


def test_choosing_runs_both_methods_on_the_same_settings(session: SelectionSession) -> None:
    session.size, session.quotas = 20, "department:<=30%; level:>=2"
    chosen = session.choose()
    assert chosen is session.result and len(chosen.selected) == 20
    assert session.alternative.summary["method"] == "lottery"
    table = session.methods_table()
    assert list(table["method"]) == [session.labels["matchability"], session.labels["lottery"]]
    assert list(table["class"]) == [20, 20]


def test_the_lottery_follows_its_seed(session: SelectionSession) -> None:
    session.method, session.size, session.seed = "lottery", 15, 3
    first = list(session.choose().selected["person_id"])
    assert list(session.choose().selected["person_id"]) == first
    session.seed = 4
    assert list(session.choose().selected["person_id"]) != first


def test_a_refused_choice_leaves_no_class(session: SelectionSession) -> None:
    session.size = 5
    session.choose()
    session.quotas = "department:>=1"
    with pytest.raises(WorkbenchError, match="minimums for department add up to 7"):
        session.choose()
    assert session.result is None and session.alternative is None
    session.quotas = "department:=3"
    with pytest.raises(WorkbenchError, match="the bound"):
        session.parsed_quotas()
