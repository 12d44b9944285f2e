"""``workbench gaps`` from a terminal, on a copy of the demo organisation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench import gaps as gaps_api
from workbench.cli import GAP_GROUPINGS, main
from workbench.data.importing import read_workspace_table
from workbench.gaps import aggregate, person_gaps
from workbench.workspace import DEMO_SOURCE, open_workspace
from tests.conftest import WITHOUT_STORY

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
    return tmp_path / "demo"


def demo_gaps(folder: Path) -> pd.DataFrame:
    workspace = open_workspace(folder)
    names = ("people", "requirements", "proficiency", "goals")
    return person_gaps({name: read_workspace_table(workspace, name) for name in names})


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_gaps_writes_one_row_per_person_and_required_skill(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "gaps.csv"
    assert main(["gaps", str(demo), "--out", str(out)]) == 0
    expected = demo_gaps(demo)
    written = read(out)
    assert list(written.columns) == ["person_id", "skill_id", "current", "target", "gap", "weighted_gap"]
    assert len(written) == len(expected)
    assert written["person_id"].tolist() == expected["person_id"].tolist()
    unknown = expected["current"].isna().to_numpy()
    assert unknown.any() and not unknown.all()
    assert (written.loc[unknown, ["current", "gap", "weighted_gap"]] == "").all().all()
    assert (written.loc[~unknown, ["current", "gap", "weighted_gap"]] != "").all().all()
    assert written.loc[~unknown, "gap"].astype(int).tolist() == expected.loc[~unknown, "gap"].astype(int).tolist()
    assert pd.to_numeric(written.loc[~unknown, "weighted_gap"]).round(6).tolist() == \
        expected.loc[~unknown, "weighted_gap"].astype(float).round(6).tolist()
    line = capsys.readouterr().out.strip()
    assessed = int(expected["current"].notna().sum())
    assert line == (f"Wrote {len(expected):,} rows to {out}: {expected['person_id'].nunique():,} people, "
                    f"{expected['skill_id'].nunique()} required skills, {assessed:,} of {len(expected):,} "
                    f"person-skill requirements assessed ({assessed / len(expected):.1%}).")


@pytest.mark.parametrize("by", GAP_GROUPINGS)
def test_gaps_by_a_column_writes_the_aggregates(demo: Path, tmp_path: Path, by: str) -> None:
    out = tmp_path / f"by-{by}.csv"
    assert main(["gaps", str(demo), "--out", str(out), "--by", by]) == 0
    written = read(out)
    expected = aggregate(demo_gaps(demo), by)
    partition = by != "goal"  # a row serves several goals; skills' rows add up to the requirements printed
    assert list(written.columns) == [*expected.columns, "hidden", *(["hidden_small"] if partition else [])]
    assert written[by].tolist() == expected[by].astype(str).tolist()
    small = (expected["people"] < 5).to_numpy()  # groups of fewer than five people are blanked ...
    hidden = (written["hidden"] == "True").to_numpy()
    assert hidden[small].all()
    if partition and hidden.any() and not hidden.all():  # ... and enough others that none can be worked out
        assert hidden.sum() >= 2 and expected.loc[hidden, "people"].sum() >= 5
    if not partition:
        assert (hidden == small).all()
    assert written.loc[~hidden, "required"].astype(int).tolist() == expected.loc[~hidden, "required"].tolist()
    assert (written.loc[hidden, ["people", "required", "mean_gap"]] == "").all().all()


def test_the_cli_groupings_are_those_of_aggregate() -> None:
    assert GAP_GROUPINGS == gaps_api.GROUPINGS


def test_cells_that_would_run_as_formulas_are_defused(demo: Path, tmp_path: Path) -> None:
    people = (demo / "people.csv").read_text(encoding="utf-8").replace(",Engineering,", ",=Engineering,")
    (demo / "people.csv").write_text(people, encoding="utf-8")
    requirements = (demo / "requirements.csv").read_text(encoding="utf-8").replace(",Engineering,", ",=Engineering,")
    (demo / "requirements.csv").write_text(requirements, encoding="utf-8")
    out = tmp_path / "by-department.csv"
    assert main(["gaps", str(demo), "--out", str(out), "--by", "department"]) == 0
    assert "'=Engineering" in read(out)["department"].tolist()


def test_an_unknown_grouping_is_refused_by_the_parser(demo: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "workbench", "gaps", str(demo), "--out", str(tmp_path / "x.csv"),
                             "--by", "location"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "invalid choice: 'location'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_a_workspace_without_requirements_says_so(demo: Path, tmp_path: Path, capsys) -> None:
    (demo / "requirements.csv").unlink()
    out = tmp_path / "gaps.csv"
    assert main(["gaps", str(demo), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workbench: ") and "has no requirements.csv" in err and "Import" in err
    assert not out.exists()
    (demo / "people.csv").unlink()
    assert main(["gaps", str(demo), "--out", str(out)]) == 2
    assert "has no people.csv and no requirements.csv" in capsys.readouterr().err


def test_a_missing_output_folder_or_workspace_says_so(demo: Path, tmp_path: Path, capsys) -> None:
    assert main(["gaps", str(demo), "--out", str(tmp_path / "nowhere" / "gaps.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["gaps", str(tmp_path / "missing"), "--out", str(tmp_path / "gaps.csv")]) == 2
    assert "is not a workspace" in capsys.readouterr().err

