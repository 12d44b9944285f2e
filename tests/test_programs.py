"""Several programs in one workspace: the files, round trips, undo, old workspaces, the enrolment column,
and ``workbench programs`` / ``workbench match --program / --all`` from a terminal."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.data.importing import read_workspace_table
from workbench.design.model import Eligibility
from workbench.design.store import load_design, save_design
from workbench.errors import WorkbenchError
from workbench.matching import saved_matching
from workbench.programs import add_program, enrolled_in, load_programs, program_ids, program_tables, remove_program
from workbench.whatif.scenarios import Scenario, list_scenarios, save_scenario
from workbench.workspace import DEMO_SOURCE, StaleWorkspaceError, open_workspace, program_scope, undo
from tests.conftest import WITHOUT_STORY


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
    return tmp_path / "demo"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".history" not in p.parts and p.name != ".lock"}


def test_an_old_workspace_is_one_program_unchanged(demo: Path) -> None:
    before = snapshot(demo)
    workspace = open_workspace(demo)
    programs = load_programs(workspace)
    assert list(programs) == ["main"] and programs["main"].workspace.files == demo
    assert programs["main"].design == load_design(workspace)
    tables = {"enrolment": read_workspace_table(workspace, "enrolment")}
    assert program_tables(tables, "main", ["main"])["enrolment"].equals(tables["enrolment"])
    assert snapshot(demo) == before


def test_several_designs_round_trip_with_their_own_files_and_undo(demo: Path) -> None:
    workspace = open_workspace(demo)
    first = load_design(workspace)
    senior = first.model_copy(update={"name": "Senior tier", "experience": first.experience.model_copy(
        update={"seniority_gap_min": 2, "seniority_gap_max": 5})})
    peer = add_program(workspace, "peer")
    assert peer.program == "peer" and (demo / "programs" / "peer" / "design.yaml").is_file()
    senior_ws = add_program(open_workspace(demo), "senior", senior)
    assert program_ids(open_workspace(demo)) == ["main", "peer", "senior"]
    programs = load_programs(open_workspace(demo))
    assert programs["senior"].design == senior and programs["main"].design == first
    assert programs["peer"].design.experience == first.experience
    # each program's scenarios are its own
    senior_ws = save_scenario(senior_ws, Scenario(name="Weekly", overrides={"cadence": "weekly"}))
    assert [s.name for s in list_scenarios(senior_ws)] == ["Weekly"]
    assert list_scenarios(program_scope(senior_ws, None)) == []
    assert (demo / "programs" / "senior" / "scenarios").is_dir() and not (demo / "scenarios").exists()
    # other programs' saves do not make a page's copy of the peer design stale ...
    peer_page = programs["peer"].workspace
    moved_on = save_design(peer_page, first.model_copy(update={"name": "Peer tier"}))
    # ... but a second save from that same old copy is refused, and undo takes back the peer design alone
    with pytest.raises(StaleWorkspaceError, match="the design of the program 'peer' .now at revision 2, this copy at 1"):
        save_design(peer_page, first)
    assert load_design(undo(moved_on, "design")).name == load_programs(open_workspace(demo))["main"].design.name \
        + " (peer)"
    # undo takes back the latest save, whichever program made it
    latest = undo(open_workspace(demo))
    assert not (demo / "programs" / "senior" / "scenarios" / "weekly.yaml").exists()
    undo(latest)
    assert program_ids(open_workspace(demo)) == ["main", "peer"]
    removed = remove_program(open_workspace(demo), "peer")
    assert program_ids(removed) == ["main"]
    with pytest.raises(WorkbenchError, match="cannot be removed"):
        remove_program(removed, "main")
    with pytest.raises(WorkbenchError, match="cannot name a program"):
        add_program(removed, "Peer Tier")


def test_the_enrolment_column_names_programs_and_blank_means_every_one() -> None:
    enrolment = pd.DataFrame({"person_id": ["a", "b", "c", "d"], "program": ["", "peer", "peer; main", " "]})
    rows = enrolled_in(enrolment, ["main", "peer"])
    assert rows["main"].tolist() == [True, False, True, True] and rows["peer"].tolist() == [True, True, True, True]
    with pytest.raises(WorkbenchError, match=r"enrolment.csv row 3, column program: 'senior' is not a program"):
        enrolled_in(enrolment.assign(program=["", "senior", "", ""]), ["main", "peer"])


def test_cli_programs_and_matching_every_program(demo: Path, tmp_path: Path, capsys) -> None:
    assert main(["programs", str(demo), "--add", "peer"]) == 0
    assert "2 programs" in capsys.readouterr().out
    out = tmp_path / "all.csv"
    assert main(["match", str(demo), "--all", "--out", str(out), "--save"]) == 0
    printed = capsys.readouterr().out
    assert "solved jointly" in printed and "Proven optimal" in printed and "no mentor has more" in printed
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert set(table["program"]) == {"main", "peer"}
    workspace = open_workspace(demo)
    for program in ("main", "peer"):
        saved = saved_matching(program_scope(workspace, program))
        assert saved.settings["programs"]["mode"] == "joint"
        assert len(saved.table) == (table["program"] == program).sum()
    assert main(["match", str(demo), "--all", "--priority", "peer,main", "--out", str(out)]) == 0
    assert "priority order peer > main" in capsys.readouterr().out
    assert main(["match", str(demo), "--program", "peer", "--out", str(out), "--method", "greedy"]) == 0
    assert "Program peer" in capsys.readouterr().out


def test_a_tier_without_eligible_mentors_exits_2_and_changes_nothing(demo: Path, tmp_path: Path, capsys) -> None:
    workspace = open_workspace(demo)
    design = load_design(workspace)
    add_program(workspace, "senior", design.model_copy(update={"align": design.align.model_copy(
        update={"mentor_eligibility": Eligibility(level_min=40)})}))
    assert main(["match", str(demo), "--program", "main", "--out", str(tmp_path / "a.csv"), "--save"]) == 0
    before = snapshot(demo)
    for argv in (["--all"], ["--all", "--priority", "main,senior"], ["--program", "senior"]):
        out = tmp_path / "x.csv"
        assert main(["match", str(demo), *argv, "--out", str(out), "--save"]) == 2
        err = capsys.readouterr().err
        assert "Program 'senior'" in err and "no eligible mentor" in err and "Traceback" not in err
        assert not out.exists()
    assert snapshot(demo) == before


def test_unknown_program_ids_in_the_enrolment_are_problems_of_validate_and_refused_on_import(
        demo: Path, tmp_path: Path, capsys) -> None:
    from workbench.data.importing import import_table, validate_workspace

    workspace = open_workspace(demo)
    add_program(workspace, "peer")
    enrolment = read_workspace_table(workspace, "enrolment")
    enrolment["program"] = ""
    enrolment.loc[2, "program"] = "main;senior"
    enrolment.loc[6, "program"] = "nosuch"
    source = tmp_path / "enrolment.csv"
    enrolment.to_csv(source, index=False)
    before = snapshot(demo)
    found = import_table(source, "enrolment", open_workspace(demo))
    assert not found.problems.ok and snapshot(demo) == before  # refused, nothing changed
    rows = found.problems.frame[["row", "column", "value"]].astype(str).values.tolist()
    assert rows == [["4", "program", "senior"], ["8", "program", "nosuch"]]
    assert "not a program of this workspace (main, peer)" in found.problems.frame["problem"].iloc[0]

    # written behind the app's back: validate names every row (exit 2), and adding the program clears one of them
    enrolment.to_csv(demo / "enrolment.csv", index=False)
    assert main(["validate", str(demo)]) == 2
    said = capsys.readouterr()
    assert "senior" in said.out + said.err and "nosuch" in said.out + said.err
    add_program(open_workspace(demo), "senior")
    left = validate_workspace(open_workspace(demo)).frame
    assert left[["row", "value"]].astype(str).values.tolist() == [["8", "nosuch"]]
