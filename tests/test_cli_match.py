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
from tests.conftest import WITHOUT_STORY


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
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
    saved = saved_matching(open_workspace(demo))
    assert saved.settings["structure"] == "flash" and len(saved.table) == len(read(out))
    assert "Saved the matching" in capsys.readouterr().out


def test_bad_input_exits_2_without_a_traceback(demo: Path, tmp_path: Path) -> None:
    enrolment = demo / "enrolment.csv"
    frame = read(enrolment)
    frame.assign(role="mentee", capacity="").to_csv(enrolment, index=False)  # only mentors give a capacity
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


def test_a_criterion_the_data_cannot_score_exits_2_and_changes_nothing(demo: Path, tmp_path: Path) -> None:
    from workbench.design.model import DesignCriterion, Experience, ProgramDesign
    from workbench.design.store import save_design

    def design_with(*criteria: DesignCriterion) -> None:
        save_design(open_workspace(demo), ProgramDesign(name="Graduates", experience=Experience(
            custom_criteria=criteria)))

    out = tmp_path / "m.csv"
    for criterion, message in (
            (DesignCriterion(name="shared_hobbies", kind="shared_items", columns=("hobbies",)),
             "Program 'Graduates': criterion 'shared_hobbies' reads column 'hobbies', which neither the enrolment nor "
             "people.csv has."),
            (DesignCriterion(name="same_band", kind="same", columns=("age_band",)),
             "Program 'Graduates': criterion 'same_band' reads 'age_band', a sensitive column"),
            (DesignCriterion(name="title_close", kind="distance", columns=("job_title",), scale=2),
             "Program 'Graduates': criterion 'title_close' (distance) needs numbers in column 'job_title', but "
             "person P")):
        design_with(criterion)
        before = {p.name: p.read_bytes() for p in demo.iterdir() if p.is_file()}
        done = subprocess.run([sys.executable, "-m", "workbench", "match", str(demo), "--out", str(out), "--save"],
                              capture_output=True, text=True)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
        assert not out.exists() and {p.name: p.read_bytes() for p in demo.iterdir() if p.is_file()} == before
        check = subprocess.run([sys.executable, "-m", "workbench", "design", "check", str(demo)],
                               capture_output=True, text=True)
        assert check.returncode == 2 and "A matching criterion cannot be scored" in check.stdout
        assert " ".join(message.split()[:4]) in " ".join(check.stdout.split())


def test_the_demo_matches_on_its_sign_up_survey(demo: Path, tmp_path: Path) -> None:
    (demo / "design.yaml").write_text(
        "experience:\n"
        "  custom_criteria:\n"
        "  - {name: shared_values, label: Shared values, kind: shared_items, columns: [values], weight: 3}\n"
        "  - {name: working_style, label: Working style, kind: similarity, columns: [working_style], scale: 4,"
        " weight: 3}\n", encoding="utf-8")
    out = tmp_path / "m.csv"
    assert main(["match", str(demo), "--out", str(out)]) == 0
    pairs = read(out)
    pairs = pairs[pairs["unmatched_role"] == ""]
    shared, style = pd.to_numeric(pairs["shared_values"]), pd.to_numeric(pairs["working_style"])
    assert shared.between(0, 1).all() and style.between(0, 1).all() and shared.mean() > 1 / 3
    assert pairs["reason"].str.contains(r"Shared values: (?:none in common|\d in common \()").all()
    assert pairs["reason"].str.contains(r"Working style: \d+% alike over 5 items").all()


def test_balanced_prints_each_groups_rate_and_bad_settings_exit_2(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "balanced.csv"
    assert main(["match", str(demo), "--out", str(out), "--method", "balanced", "--balance-by", "department",
                 "--gap", "0.1"]) == 0
    printed = capsys.readouterr().out
    assert "Match rate per department (groups under five people hidden):" in printed
    assert "percentage points of each other" in printed
    assert main(["match", str(demo), "--out", str(out), "--method", "balanced", "--balance-by", "email"]) == 2
    assert "experience.balance.attribute is 'email'" in capsys.readouterr().err
    assert main(["match", str(demo), "--out", str(out), "--method", "balanced", "--gap", "2"]) == 2
    assert "balance.gap" in capsys.readouterr().err


def save_live_matching(demo: Path) -> pd.DataFrame:
    """The demo's live pairs (those in meetings.csv) saved as the workspace's matching."""
    pairs = read(demo / "meetings.csv")[["mentee_id", "mentor_id"]].drop_duplicates()
    (demo / "results").mkdir(exist_ok=True)
    pairs.to_csv(demo / "results" / "matching.csv", index=False)
    (demo / "results" / "matching.yaml").write_text("settings:\n  cohort: '2025'\n  matched_at: '2025-06-01'\n")
    return pairs


def test_rematch_writes_statuses_and_suggestions(demo: Path, tmp_path: Path, capsys) -> None:
    pairs = save_live_matching(demo)
    out = tmp_path / "rematch.csv"
    assert main(["rematch", str(demo), "--out", str(out)]) == 0
    table = read(out)
    assert len(table) == len(pairs) and set(table["status"]) == {"working", "quiet", "closed"}
    broken = table[table["status"] != "working"]
    assert (broken["suggested_mentor_id"] != broken["mentor_id"]).all() and broken["suggestion"].ne("").all()
    assert table.loc[table["status"] == "working", "suggested_mentor_id"].eq("").all()
    printed = capsys.readouterr().out
    assert f"{len(pairs)} pairs" in printed and "every working pair is kept" in printed


def test_rematch_bad_input_exits_2_and_changes_nothing(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "rematch.csv"
    done = subprocess.run([sys.executable, "-m", "workbench", "rematch", str(demo), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "no saved matching" in done.stderr and "Traceback" not in done.stderr
    pairs = save_live_matching(demo)
    pairs.iloc[[0]].assign(mentee_id="P99999").pipe(lambda f: pd.concat([pairs, f])).to_csv(
        demo / "results" / "matching.csv", index=False)
    before = {p: p.read_bytes() for p in demo.rglob("*") if p.is_file()}
    done = subprocess.run([sys.executable, "-m", "workbench", "rematch", str(demo), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"results/matching.csv row {len(pairs) + 2}, column mentee_id: 'P99999' is not in people.csv" in done.stderr
    (demo / "meetings.csv").unlink()
    pairs.to_csv(demo / "results" / "matching.csv", index=False)
    done = subprocess.run([sys.executable, "-m", "workbench", "rematch", str(demo)], capture_output=True, text=True)
    assert done.returncode == 2 and "needs meetings.csv" in done.stderr
    assert not out.exists()
    assert {p: p.read_bytes() for p in demo.rglob("*") if p.is_file() and p.name != "meetings.csv"
            and p.name != "matching.csv"} == {p: b for p, b in before.items() if p.name not in ("meetings.csv",
                                                                                              "matching.csv")}
