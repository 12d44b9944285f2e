"""``workbench select`` from a terminal, on a copy of the demo organisation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.workspace import DEMO_SOURCE
from tests.conftest import WITHOUT_STORY


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
    return tmp_path / "demo"


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_select_writes_the_class_and_the_report(demo: Path, tmp_path: Path, capsys) -> None:
    out, report = tmp_path / "class.csv", tmp_path / "report.csv"
    before = snapshot(demo)
    assert main(["select", str(demo), "--size", "20", "--method", "matchability", "--quota", "department:<=30%",
                 "--quota", "level:>=2", "--out", str(out), "--report", str(report)]) == 0
    chosen = read(out)
    assert len(chosen) == 20 and chosen["person_id"].is_unique
    assert chosen["department"].value_counts().max() <= 6 and chosen["level"].value_counts().min() >= 2
    compared = read(report)
    assert {"department", "level"} <= set(compared["attribute"])
    shown = compared[compared["hidden"] == "False"]
    assert (pd.to_numeric(shown["applicants"]) >= 5).all()
    assert (compared.loc[compared["hidden"] == "True", "selected"] == "").all()
    printed = capsys.readouterr().out
    assert "Wrote the class of 20" in printed and "Proven the best class under the quotas." in printed
    assert snapshot(demo) == before  # nothing in the workspace changes


def test_the_lottery_gives_the_same_bytes_for_the_same_seed(demo: Path, tmp_path: Path) -> None:
    files = [tmp_path / f"{name}.csv" for name in ("a", "b", "c")]
    for out, seed in zip(files, ("4", "4", "5")):
        assert main(["select", str(demo), "--size", "15", "--method", "lottery", "--seed", seed,
                     "--quota", "department:<=40%", "--out", str(out)]) == 0
    assert files[0].read_bytes() == files[1].read_bytes() != files[2].read_bytes()
    assert "draw" in read(files[0]).columns


@pytest.mark.parametrize("options, message", [
    (["--size", "5", "--method", "lottery", "--quota", "department:>=1"],
     "Program 'Demo organisation mentoring program': the minimums for department add up to 7"),
    (["--size", "40", "--method", "matchability", "--quota", "department=Sales:>=40"],
     "the quota on department = 'Sales' asks for at least 40 of a class of 40, but only 9 applicants"),
    (["--size", "5", "--method", "lottery", "--quota", "gender=woman:>=3"],
     "the selection quotas use the sensitive column 'gender' without the design's opt-in"),
    (["--size", "10", "--method", "lottery", "--quota", "department:=3"], "Quota 'department:=3'"),
    (["--size", "10"], "the method 'everyone' takes all 44 eligible applicants, not a class of 10"),
    (["--size", "0"], "--size must be at least 1"),
])
def test_bad_input_exits_2_with_a_message_and_writes_nothing(demo: Path, tmp_path: Path, capsys, options,
                                                             message) -> None:
    out = tmp_path / "class.csv"
    before = snapshot(demo)
    assert main(["select", str(demo), *options, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert not out.exists() and snapshot(demo) == before
