"""``workbench launch`` from a terminal: randomise the pilot design's allocation and freeze the evaluation plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from workbench.cli import main
from workbench.evaluate.plan import load_plan
from workbench.workspace import DEMO_SOURCE, open_workspace
from tests.conftest import WITHOUT_STORY
from tests.test_cli_select import snapshot


def demo_with(tmp_path: Path, pilot: dict, **eligibility) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_SOURCE, folder, ignore=WITHOUT_STORY)
    design = {"name": "Pilot", "align": {"mentee_eligibility": eligibility}, "launch": {"pilot": pilot}}
    (folder / "design.yaml").write_text(yaml.safe_dump(design, sort_keys=False), encoding="utf-8")
    return folder


def test_launch_writes_the_waitlist_and_freezes_the_plan_once(tmp_path: Path, capsys) -> None:
    demo = demo_with(tmp_path, {"design": "waitlist", "places": 20, "seed": 1})
    out = tmp_path / "waitlist.csv"
    before = snapshot(demo)
    assert main(["launch", str(demo), "--out", str(out)]) == 0
    assert snapshot(demo) == before  # without --freeze nothing is saved
    drawn = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert drawn["allocation"].value_counts().to_dict() == {"offered": 20, "waitlisted": 24}
    assert "20 applicants offered a place now, 24 waitlisted" in capsys.readouterr().out
    assert main(["launch", str(demo), "--freeze"]) == 0
    plan = load_plan(open_workspace(demo))
    assert plan.cohort == "2026" and plan.pilot.places == 20
    assert list(plan.allocation["person_id"]) == list(drawn["person_id"])
    frozen = snapshot(demo)
    assert main(["launch", str(demo), "--freeze"]) == 2
    assert "already frozen for cohort '2026'" in capsys.readouterr().err
    assert snapshot(demo) == frozen


@pytest.mark.parametrize("pilot, eligibility, message", [
    ({"design": "waitlist", "places": 50}, {},
     "a randomised waitlist of 50 places needs more applicants than places; the cohort has 44 eligible mentee "
     "applicants"),
    ({"design": "stepped_wedge", "cluster_column": "department", "steps": 2}, {"departments": ["Sales"]},
     "a staggered roll-out needs at least two clusters to compare, and the applicants' column 'department' has one "
     "cluster ('Sales')"),
])
def test_bad_pilot_input_exits_2_with_one_line_and_saves_nothing(tmp_path: Path, capsys, pilot: dict,
                                                                  eligibility: dict, message: str) -> None:
    demo = demo_with(tmp_path, pilot, **eligibility)
    before = snapshot(demo)
    assert main(["launch", str(demo), "--freeze", "--out", str(tmp_path / "list.csv")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert snapshot(demo) == before and not (tmp_path / "list.csv").exists()
