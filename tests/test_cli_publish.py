"""``workbench publish``: the offline stakeholder pack from a terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import build_parser, main
from workbench.reports import pack as pack_module
from workbench.workspace import ensure_demo_workspace

from tests.conftest import demo_home


@pytest.fixture
def demo(home: Path) -> Path:
    return ensure_demo_workspace(demo_home(home))  # the demo's tables with a new design and nothing saved


def _one_line_error(captured) -> str:
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("workbench: ") and "Traceback" not in captured.err
    return lines[0]


def test_publish_writes_the_pack_and_names_what_is_missing(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "pack"
    assert main(["publish", str(demo), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"to {out}: 6 pages" in printed and "index.html" in printed
    # The demo has no design, no saved matching and no saved comparison: each is named with how to make it.
    assert "Missing from the pack (3):" in printed
    assert "Design: No program design has been saved" in printed and "Save design" in printed
    assert "Matching: No matching has been saved" in printed and "workbench match WORKSPACE" in printed
    assert "What-if: No what-if comparison has been saved" in printed and "Save results to the brief" in printed
    for name in ("index.html", "design.html", "skill-gaps.html", "matching.html", "what-if.html", "evaluation.html"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "pack.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 0 and set(manifest["missing"]) == {"Design", "Matching", "What-if"}
    # Publishing again replaces the earlier pack without --force.
    assert main(["publish", str(demo), "--out", str(out), "--seed", "1"]) == 0
    assert json.loads((out / "pack.json").read_text(encoding="utf-8"))["seed"] == 1


def test_a_missing_parent_folder_exits_2_with_one_line(demo: Path, tmp_path: Path, capsys) -> None:
    assert main(["publish", str(demo), "--out", str(tmp_path / "no" / "such" / "pack")]) == 2
    assert "does not exist" in _one_line_error(capsys.readouterr())


def test_an_unwritable_out_exits_2_with_one_line(demo: Path, tmp_path: Path, capsys,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, whom file modes do not stop: the folder refuses through the call that makes it.
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pack_module.tempfile, "mkdtemp", refuse)
    out = tmp_path / "pack"
    assert main(["publish", str(demo), "--out", str(out)]) == 2
    assert "Permission denied" in _one_line_error(capsys.readouterr()) and not out.exists()


def test_a_file_or_a_folder_of_other_things_is_not_overwritten(demo: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "report.html"
    target.write_text("mine", encoding="utf-8")
    assert main(["publish", str(demo), "--out", str(target)]) == 2
    assert "is a file" in _one_line_error(capsys.readouterr())
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["publish", str(demo), "--out", str(folder)]) == 2
    assert "--force" in _one_line_error(capsys.readouterr())
    assert target.read_text(encoding="utf-8") == "mine" and (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_out_inside_a_file_says_it_is_a_file(demo: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "here"
    folder.mkdir()
    afile = folder / "afile"
    afile.write_text("mine", encoding="utf-8")
    assert main(["publish", str(demo), "--out", str(afile / "pack")]) == 2
    line = _one_line_error(capsys.readouterr())
    assert line == f"workbench: Cannot create the folder {afile / 'pack'}: {afile} is a file, not a folder."
    assert afile.read_text(encoding="utf-8") == "mine" and [p.name for p in folder.iterdir()] == ["afile"]


@pytest.mark.parametrize("system", ["/proc", "/sys"])
def test_a_folder_the_system_refuses_exits_2_naming_it(demo: Path, capsys, system: str) -> None:
    if not Path(system, "self" if system == "/proc" else "kernel").exists():
        pytest.skip(f"no {system} here")
    out = Path(system) / "pack"
    assert main(["publish", str(demo), "--out", str(out)]) == 2
    line = _one_line_error(capsys.readouterr())
    assert line.startswith(f"workbench: Cannot create the folder {out}: {system} does not allow new folders ("), line
    assert not out.exists()


def test_a_workspace_that_does_not_exist_exits_2(tmp_path: Path, capsys) -> None:
    assert main(["publish", str(tmp_path / "nowhere"), "--out", str(tmp_path / "pack")]) == 2
    _one_line_error(capsys.readouterr())
    assert not (tmp_path / "pack").exists()


def test_the_command_is_listed_and_fails_cleanly_from_a_terminal(tmp_path: Path) -> None:
    assert "publish" in build_parser().format_help()
    done = subprocess.run([sys.executable, "-m", "workbench", "publish", str(tmp_path / "nowhere"), "--out",
                           str(tmp_path / "missing" / "pack")], capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
