"""workbench.open: typed tables, the design, and the same results as the functions each method stands for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import workbench
from workbench.data.importing import checked_tables
from workbench.design.model import DesignCriterion, Experience, ProgramDesign
from workbench.design.store import load_design, save_design
from workbench.errors import InvalidDataError, WorkbenchError, WorkspaceError
from workbench.data.columns import typed_table
from workbench.evaluate import evaluate, evaluate_workspace
from workbench.gaps import person_gaps
from workbench.matching import match
from workbench.programs import scoped_tables
from workbench.readiness import check_design
from workbench.whatif import BASELINE, Scenario, run_scenario, run_scenarios, save_scenario
from workbench.workspace import DEMO_SOURCE, open_workspace

WEEKLY = Scenario("Weekly", overrides={"cadence": "weekly", "duration_months": 6})


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("research") / "demo"
    shutil.copytree(DEMO_SOURCE, folder)
    return folder


@pytest.fixture(scope="module")
def ws(demo: Path) -> workbench.ResearchWorkspace:
    return workbench.open(demo)


def text_tables(folder: Path) -> dict[str, pd.DataFrame]:
    workspace = open_workspace(folder)
    return scoped_tables(workspace, checked_tables(workspace))


def test_tables_are_typed_by_their_contracts(ws) -> None:
    people, enrolment = ws.tables["people"], ws.tables["enrolment"]
    assert pd.api.types.is_datetime64_any_dtype(people["hire_date"])
    assert pd.api.types.is_integer_dtype(people["level"]) and pd.api.types.is_float_dtype(ws.tables["goals"]["target"])
    assert people["hire_date"].notna().all() and people["exit_date"].isna().any()  # blank exit: still employed
    assert enrolment["wants"].map(lambda v: isinstance(v, tuple)).all()
    assert sorted(ws.tables) == sorted(ws.text_tables) == sorted(checked_tables(open_workspace(ws.path)))
    assert (people["person_id"] == ws.text_tables["people"]["person_id"]).all()
    with pytest.raises(TypeError):
        ws.tables["people"] = people  # read-only
    assert ws.scale == (0, 5) and ws.tables["proficiency"]["level"].between(*ws.scale).all()


def test_every_function_takes_the_typed_tables_as_it_takes_them_as_stored(ws) -> None:
    """Levels as Int64, lists as tuples, blanks missing: the same results as the text the functions read."""
    typed, text = dict(ws.tables), dict(ws.text_tables)
    assert match(typed, ws.design, seed=1).csv() == match(text, ws.design, seed=1).csv()
    assert (run_scenario(typed, ws.design, BASELINE, runs=50, seed=2).json_text()
            == run_scenario(text, ws.design, BASELINE, runs=50, seed=2).json_text())
    options = dict(seed=1, resamples=200, calibrate_forecast=False)
    assert evaluate(typed, ws.design, **options).json_text() == evaluate(text, ws.design, **options).json_text()
    pd.testing.assert_frame_equal(person_gaps(typed), person_gaps(text))
    assert check_design(ws.design, typed) == check_design(ws.design, text)
    assert typed_table("enrolment", typed["enrolment"]).equals(typed_table("enrolment", text["enrolment"]))


def test_a_name_opens_the_workspace_under_the_home(home: Path) -> None:
    ws = workbench.open("demo")
    assert ws.path == home / "demo" and "people" in ws.tables
    with pytest.raises(WorkspaceError, match="'acme' is not a workspace"):
        workbench.open("acme")
    with pytest.raises(WorkspaceError, match="is not a workspace"):
        workbench.open(home / "nowhere")


def test_a_table_failing_its_contract_is_named_with_row_column_and_value(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(DEMO_SOURCE, folder)
    people = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    people.loc[2, "hire_date"] = "31/02/2020"
    people.to_csv(folder / "people.csv", index=False)
    with pytest.raises(InvalidDataError) as raised:
        workbench.open(folder)
    problem = raised.value.problems.frame.iloc[0]
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == \
        ("people.csv", 4, "hire_date", "31/02/2020")  # the header is row 1
    assert "people.csv" in str(raised.value) and "31/02/2020" in str(raised.value)


def test_without_a_saved_design_the_design_is_the_default(tmp_path: Path) -> None:
    folder = tmp_path / "undesigned"
    shutil.copytree(DEMO_SOURCE, folder)
    (folder / "design.yaml").unlink(missing_ok=True)
    ws = workbench.open(folder)
    assert not ws.design_saved and ws.design == load_design(open_workspace(folder))
    assert ws.design == ProgramDesign(name=f"{ws.name} mentoring program")
    assert "the default design (no design.yaml yet)" in repr(ws)


def test_a_saved_design_is_the_design(tmp_path: Path) -> None:
    folder = tmp_path / "designed"
    shutil.copytree(DEMO_SOURCE, folder)
    design = ProgramDesign(name="Graduates", experience=Experience(cadence="weekly", mentor_capacity=1))
    save_design(open_workspace(folder), design)
    ws = workbench.open(folder)
    assert ws.design_saved and ws.design == design and "design: 'Graduates'" in repr(ws)
    assert ws.match().design.experience.mentor_capacity == 1


def test_match_is_the_matching_function(demo: Path, ws) -> None:
    tables = text_tables(demo)
    assert ws.match().csv() == match(tables, ws.design).csv()
    assert ws.match(method="greedy", seed=3).csv() == match(tables, ws.design, method="greedy", seed=3).csv()
    other = ws.design.model_copy(update={"experience": Experience(mentor_capacity=1)})
    assert ws.match(design=other).csv() == match(tables, other).csv() != ws.match().csv()


def test_match_refuses_a_sensitive_criterion_without_the_opt_in(ws) -> None:
    design = ProgramDesign(name="Graduates", experience=Experience(
        custom_criteria=(DesignCriterion(name="same_band", kind="same", columns=("age_band",)),)))
    with pytest.raises(WorkbenchError, match="criterion 'same_band' reads 'age_band', a sensitive column"):
        ws.match(design=design)


def test_simulate_and_compare_are_the_scenario_functions(demo: Path, ws) -> None:
    tables = text_tables(demo)
    assert ws.simulate(runs=100, seed=2).json_text() == run_scenario(tables, ws.design, BASELINE, runs=100,
                                                                     seed=2).json_text()
    save_scenario(open_workspace(demo), WEEKLY)
    by_name = ws.simulate("Weekly", runs=100, seed=2, horizon_months=12)
    assert by_name.json_text() == ws.simulate(WEEKLY, runs=100, seed=2, horizon_months=12).json_text()
    compared = ws.compare(["design", "Weekly"], runs=100, seed=2)
    expected = run_scenarios(tables, ws.design, [BASELINE, WEEKLY], runs=100, seed=2, executor=False)
    assert [r.json_text() for r in compared] == [r.json_text() for r in expected]
    with pytest.raises(WorkbenchError, match="no scenario called 'No such scenario'"):
        ws.compare(["design", "No such scenario"])
    with pytest.raises(WorkbenchError, match="Workers must be at least 1"):
        ws.compare(["design", "Weekly"], workers=0)


def test_evaluate_is_the_evaluation_function(demo: Path, ws) -> None:
    options = dict(seed=1, resamples=200, runs=20)
    assert ws.evaluate(**options).to_json() == evaluate_workspace(open_workspace(demo), **options).to_json()

