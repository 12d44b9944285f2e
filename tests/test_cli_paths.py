"""Output paths, ``--home`` and a closed pipe from a terminal: one line naming the path and what is wrong, exit 2,
before any work starts; a reader that goes away ends the command quietly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import CLOSED_PIPE, main
from workbench.workspace import DEMO_SOURCE
from tests.conftest import WITHOUT_STORY

REPO = Path(__file__).resolve().parents[1]
UNWRITABLE = Path("/proc/workbench-test")  # the system refuses new files there, even to root

# every command that writes a file, with the option naming it ({path}); {demo} is a workspace, {csv} a data file
WRITERS = [
    ["match", "{demo}", "--out", "{path}"],
    ["gaps", "{demo}", "--out", "{path}"],
    ["select", "{demo}", "--out", "{path}"],
    ["launch", "{demo}", "--out", "{path}"],
    ["rematch", "{demo}", "--out", "{path}"],
    ["simulate", "{demo}", "--out", "{path}"],
    ["compare", "{demo}", "--scenarios", "a,b", "--out", "{path}"],
    ["optimise", "{demo}", "--out", "{path}"],
    ["evaluate", "{demo}", "--json", "{path}"],
    ["evaluate", "{demo}", "--out", "{path}"],
    ["evaluate-file", "{csv}", "--json", "{path}"],
    ["brief", "{demo}", "--out", "{path}"],
    ["validate", "{demo}", "--problems", "{path}"],
    ["import", "{csv}", "--table", "people", "--into", "{demo}", "--problems", "{path}"],
    ["import", "{csv}", "--table", "people", "--into", "{demo}", "--suggest-mapping", "{path}"],
]


def _bad_paths(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of output path that cannot be written, with what the message must say."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    paths = {"a folder": (tmp_path / "folder", "it is a folder"),
             "a missing folder": (tmp_path / "missing" / "out.csv",
                                  f"the folder {tmp_path / 'missing'} does not exist"),
             "a file as folder": (tmp_path / "a-file" / "out.csv", f"{tmp_path / 'a-file'} is a file, not a folder")}
    if UNWRITABLE.parent.is_dir():
        paths["an unwritable place"] = (UNWRITABLE, "does not let files be created")
    if Path("/dev/null").exists():
        paths["a device"] = (Path("/dev/null"), "it is not a regular file")
    return paths


@pytest.mark.parametrize("command", WRITERS, ids=lambda c: " ".join(a for a in c if "{" not in a))
def test_an_output_path_that_cannot_be_written_is_refused_in_one_line(command, tmp_path: Path, capsys) -> None:
    for kind, (path, what) in _bad_paths(tmp_path).items():
        args = [a.format(demo=DEMO_SOURCE, csv=DEMO_SOURCE / "people.csv", path=path) for a in command]
        assert main(args) == 2, kind
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and what in lines[0], (kind, captured.err)
        assert captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "folder"]  # not even a temporary file
    assert list((tmp_path / "folder").iterdir()) == []


def test_evaluate_checks_its_output_before_the_work(tmp_path: Path, capsys, monkeypatch) -> None:
    import workbench.evaluate

    def not_now(*args, **kwargs):
        raise AssertionError("evaluated before the output path was checked")

    monkeypatch.setattr(workbench.evaluate, "evaluate_workspace", not_now)
    assert main(["evaluate", str(DEMO_SOURCE), "--json", str(tmp_path)]) == 2
    assert "it is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["a file", "a file as folder", "an unwritable place"])
def test_app_home_that_cannot_hold_workspaces_is_refused_in_one_line(kind: str, tmp_path: Path, capsys) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    home, what = {"a file": (tmp_path / "a-file", "is a file, not a folder"),
                  "a file as folder": (tmp_path / "a-file" / "home", "cannot be created"),
                  "an unwritable place": (UNWRITABLE, "cannot be created")}[kind]
    if not home.parent.exists():
        pytest.skip(f"no {home.parent} here")
    assert main(["app", "--home", str(home), "--port", "0"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and str(home) in lines[0] and what in lines[0], lines


def test_sample_into_an_unwritable_place_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert main(["sample", str(tmp_path / "a-file" / "org")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and f"{tmp_path / 'a-file'} is a file, not a folder" in lines[0], lines


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
def test_a_reader_that_goes_away_ends_the_command_quietly(buffered: bool, tmp_path: Path) -> None:
    # as `workbench simulate ... | head -1` once the head has its line: the pipe is closed before anything is written
    args = ["simulate", str(DEMO_SOURCE), "--runs", "20", "--out", str(tmp_path / "out.json")]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED" or not buffered}
    env |= {} if buffered else {"PYTHONUNBUFFERED": "1"}
    with subprocess.Popen([sys.executable, "-m", "workbench", *args], cwd=REPO, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        process.stdout.close()
        stderr = process.stderr.read().decode()
        code = process.wait(timeout=120)
    assert stderr == "", stderr
    assert code == CLOSED_PIPE


def test_importing_where_the_table_is_a_folder_says_so_and_keeps_no_history(tmp_path: Path, capsys) -> None:
    workspace = tmp_path / "org"
    shutil.copytree(DEMO_SOURCE, workspace, ignore=WITHOUT_STORY)
    (workspace / "people.csv").rename(tmp_path / "people.csv")
    (workspace / "people.csv").mkdir()
    assert main(["import", str(tmp_path / "people.csv"), "--table", "people", "--into", str(workspace)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "people.csv is a folder" in lines[0] and "Nothing was saved" in lines[0], lines
    assert not (workspace / ".history").exists()
    assert (workspace / "people.csv").is_dir()
