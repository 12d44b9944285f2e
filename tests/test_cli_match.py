"""``workbench match`` from a terminal, on a copy of the demo organisation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.matching import saved_matching
from workbench.workspace import DEMO_SOURCE, open_workspace


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo")
    return tmp_path / "demo"


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_match_writes_pairs_and_unmatched_and_prints_the_summary(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "matches.csv"
    assert main(["match", str(demo), "--out", str(out)]) == 0
    table = read(out)
    assert {"mentee_id", "mentor_id", "score", "skills", "seniority", "reason"} <= set(table.columns)
    pairs = table[table["unmatched_role"] == ""]
    assert (pairs["mentor_id"] != "").all() and pd.to_numeric(pairs["score"]).between(0, 1).all()
    printed = capsys.readouterr().out
    assert f"Wrote {len(pairs)} pairs" in printed and "matched (" in printed and "Proven optimal" in printed
    assert saved_matching(open_workspace(demo)) is None  # nothing saved without --save


@pytest.mark.parametrize("method", ["stable", "random", "mentee_choice"])
def test_same_seed_same_bytes(demo: Path, tmp_path: Path, method: str) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (a, b):
        assert main(["match", str(demo), "--out", str(out), "--method", method, "--seed", "4"]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_structure_and_save(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "flash.csv"
    assert main(["match", str(demo), "--out", str(out), "--structure", "flash", "--save"]) == 0
    assert set(read(out)["round"]) >= {"1", "2", "3"}
    table, record = saved_matching(open_workspace(demo))
    assert record["settings"]["structure"] == "flash" and len(table) == len(read(out))
    assert "Saved the matching" in capsys.readouterr().out


def test_bad_input_exits_2_without_a_traceback(demo: Path, tmp_path: Path) -> None:
    enrolment = demo / "enrolment.csv"
    frame = read(enrolment)
    frame.assign(role="mentee").to_csv(enrolment, index=False)
    out = tmp_path / "m.csv"
    done = subprocess.run([sys.executable, "-m", "workbench", "match", str(demo), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "No eligible mentor" in done.stdout  # a result that says why
    assert read(out)["reason"].eq("there are no mentors in the pool").all()
    for args, message in ((["--cohort", "1850"], "no rows for cohort '1850'"),
                          (["--out", str(tmp_path / "missing" / "m.csv")], "does not exist")):
        done = subprocess.run([sys.executable, "-m", "workbench", "match", str(demo), "--out", str(out), *args],
                              capture_output=True, text=True)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "workbench", "match", str(demo), "--out", str(out), "--method", "x"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_a_stable_matching_with_blocking_pairs_is_an_error_and_is_not_saved(demo: Path, tmp_path: Path, capsys,
                                                                            monkeypatch) -> None:
    """Were the stable method ever to leave blocking pairs, the summary says so as an error and nothing is saved."""
    import workbench.matching.structures as structures
    from workbench.matching.solvers import solve_random

    monkeypatch.setattr(structures, "solve_stable", lambda scores, cap, **kw: solve_random(scores, cap, seed=3))
    out = tmp_path / "pairs.csv"
    assert main(["match", str(demo), "--out", str(out), "--method", "stable", "--save"]) == 1
    captured = capsys.readouterr()
    assert "ERROR, not stable:" in captured.out and "blocking pairs" in captured.out
    assert "nothing was saved" in captured.err
    assert saved_matching(open_workspace(demo)) is None
