"""``workbench undo``: the workspace's latest save, or one artefact's, from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.programs import add_program
from workbench.workspace import DEMO_SOURCE, open_workspace, program_scope, save_files
from tests.conftest import WITHOUT_STORY


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    shutil.copytree(DEMO_SOURCE, folder, ignore=WITHOUT_STORY)
    return folder


def test_undo_one_artefact_leaves_the_later_saves_of_others(workspace: Path, capsys) -> None:
    people = (workspace / "people.csv").read_bytes()
    assert main(["import", str(DEMO_SOURCE / "skills.csv"), "--table", "skills", "--into", str(workspace)]) == 0
    save_files(open_workspace(workspace), {"people.csv": people.decode() + "\n"}, message="import people")
    assert main(["match", str(workspace), "--save", "--out", str(workspace.parent / "pairs.csv")]) == 0
    capsys.readouterr()
    assert main(["undo", str(workspace), "--list"]) == 0
    listed = capsys.readouterr().out
    assert "3 saves" in listed and listed.index("matching: save the") < listed.index("people.csv: import people") \
        < listed.index("skills.csv: import skills.csv")
    assert main(["undo", str(workspace), "people"]) == 0
    out = capsys.readouterr().out
    assert "Undone: import people" in out and "people.csv is back as it was before it" in out
    assert (workspace / "people.csv").read_bytes() == people and (workspace / "results" / "matching.csv").is_file()
    assert main(["undo", str(workspace)]) == 0  # the latest save left: the matching
    assert "the saved matching is gone again (there was none before it)" in capsys.readouterr().out
    assert not (workspace / "results" / "matching.csv").exists()


def test_undo_of_a_programs_artefact(workspace: Path, capsys) -> None:
    senior = add_program(open_workspace(workspace), "senior")
    save_files(program_scope(senior, None), {"design.yaml": "name: first\n"}, message="save the design")
    assert main(["undo", str(workspace), "design", "--program", "senior"]) == 0
    assert "the design of the program 'senior' is gone again" in capsys.readouterr().out
    assert (workspace / "design.yaml").read_text() == "name: first\n"
    assert not (workspace / "programs" / "senior" / "design.yaml").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["design"], "there is nothing to undo for the design; no save of this workspace can be undone"),
    (["matching", "--program", "nope"], "there is no program 'nope'; the programs are main"),
])
def test_nothing_to_undo_or_an_unknown_program_is_one_line_and_exit_2(workspace: Path, capsys, args, message) -> None:
    before = {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file()}
    assert main(["undo", str(workspace), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert {p: p.read_bytes() for p in workspace.rglob("*") if p.is_file() and p.name != ".lock"} == before
