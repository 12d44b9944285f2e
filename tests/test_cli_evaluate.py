"""``workbench evaluate`` and ``workbench evaluate-file`` from a terminal."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from workbench.cli import main
from workbench.evaluate import JSON_SCHEMA, PROGRAMS_JSON_SCHEMA, TURNOVER_JSON_SCHEMA
from workbench.workspace import DEMO_SOURCE
from tests.evaluate import split_programs
from tests.conftest import WITHOUT_STORY

EXTERNAL = [
    re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"<script\b", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"<link\b", re.I),
]
QUICK = ["--runs", "20", "--resamples", "200"]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
    return tmp_path / "demo"


def test_evaluate_writes_an_offline_report_and_json_under_the_schema(demo: Path, tmp_path: Path, capsys) -> None:
    survey = demo / "survey.csv"
    frame = pd.read_csv(survey, dtype=str, keep_default_na=False)
    frame["comment"] = "SECRET free text about my manager"
    frame.to_csv(survey, index=False)
    out, document = tmp_path / "report.html", tmp_path / "evaluation.json"
    assert main(["evaluate", str(demo), "--out", str(out), "--json", str(document)]) == 0
    printed = capsys.readouterr().out
    assert "Cohort 2025" in printed and "Hazard ratio of leaving" in printed and "not proof of cause" in printed
    data = json.loads(document.read_text(encoding="utf-8"))
    jsonschema.validate(data, JSON_SCHEMA)
    assert data["settings"] == {"seed": 0, "resamples": 2000, "runs": 1000}
    assert {"statistic", "p_value"} <= set(data["retention"]["logrank"])
    assert {"estimate", "low", "high"} <= set(data["retention"]["hazard_ratio"])
    assert {"group", "time", "survival"} <= set(data["retention"]["km"][0])
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "Who stayed?" in text
    assert not [p.pattern for p in EXTERNAL if p.search(text)]
    people = pd.read_csv(demo / "people.csv", dtype=str, keep_default_na=False)
    for blob in (text, document.read_text(encoding="utf-8")):
        assert "SECRET" not in blob
        assert not any(pid in blob for pid in people["person_id"].iloc[::25])
        assert not any(name in blob for name in people["name"].iloc[::25])


def test_the_same_seed_gives_the_same_json(demo: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for out in (a, b):
        assert main(["evaluate", str(demo), "--json", str(out), "--seed", "7", *QUICK]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_options_reach_the_evaluation(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    assert main(["evaluate", str(demo), "--json", str(out), "--cohort", "2025", "--start", "2025-06-30",
                 "--horizon", "6", "--participants", "met", "--runs", "0", "--resamples", "200"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["cohort"]["start"] == "2025-06-30" and data["cohort"]["start_source"] == "given"
    assert data["cohort"]["horizon_months"] == 6 and data["calibration"] is None
    assert data["cohort"]["participant_rule"] == "mentees with at least one meeting"


@pytest.mark.parametrize(("args", "message"), [
    (["--cohort", "1850"], "no cohort '1850'"),
    (["--start", "30/06/2025"], "--start must be a date"),
    (["--horizon", "40"], "horizon must be 1 to 11"),
    (["--json", "{tmp}/missing/e.json"], "does not exist"),
    (["--runs", "1"], "--runs must be 0"),
])
def test_bad_input_exits_2_with_the_reason(demo: Path, tmp_path: Path, capsys, args, message) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(["evaluate", str(demo), *QUICK, *args]) == 2
    assert message in capsys.readouterr().err


def test_a_workspace_without_program_data_says_so(demo: Path, capsys) -> None:
    (demo / "meetings.csv").unlink()
    (demo / "survey.csv").unlink()
    assert main(["evaluate", str(demo)]) == 2
    assert "No cohort has program data" in capsys.readouterr().err


def test_evaluate_all_writes_every_program_and_the_totals(demo: Path, tmp_path: Path, capsys) -> None:
    split_programs(demo)
    out, document, alone = tmp_path / "all.html", tmp_path / "all.json", tmp_path / "peer.json"
    assert main(["evaluate", str(demo), "--all", "--out", str(out), "--json", str(document), *QUICK]) == 0
    printed = capsys.readouterr().out
    assert "main (" in printed and "peer (Peer tier)" in printed
    assert re.search(r"cohort 2025: \d+ participants", printed)  # counted in whole people, not "17.0"
    # a mentee of both programs: the people counted once would be the programs' participants minus that one
    assert "All programs" in printed and "hidden: fewer than 5 people are in more than one program" in printed
    data = json.loads(document.read_text(encoding="utf-8"))
    assert data["kind"] == "programs_evaluation" and data["totals"]["cost"] > 0
    assert [row["program"] for row in data["table"]] == ["main", "peer", "all programs"]
    jsonschema.validate(data, PROGRAMS_JSON_SCHEMA)
    for program in ("main", "peer"):
        jsonschema.validate(data["programs"][program]["evaluation"], JSON_SCHEMA)
    assert main(["evaluate", str(demo), "--program", "peer", "--json", str(alone), *QUICK]) == 0
    assert "(program peer)" in capsys.readouterr().out
    peer = json.loads(alone.read_text(encoding="utf-8"))
    assert peer.pop("warnings") == data["warnings"] == []  # the command's, once per document
    assert peer == data["programs"]["peer"]["evaluation"]
    text = out.read_text(encoding="utf-8")
    sections = re.findall(r'<section id="([^"]+)"', text)
    assert sections[0] == "all-programs" and "main-summary" in sections and "peer-roi" in sections
    assert "Retention pooled over all programs" in text and "<svg" in text
    assert not [p.pattern for p in EXTERNAL if p.search(text)]
    people = pd.read_csv(demo / "people.csv", dtype=str, keep_default_na=False)
    assert not any(pid in text for pid in people["person_id"].iloc[::25])


@pytest.mark.parametrize(("args", "message"), [
    (["--program", "senior"], "has no program 'senior'; its programs are: main, peer."),
    (["--all", "--program", "peer"], "Give either --program ID or --all, not both."),
])
def test_a_bad_program_choice_exits_2_and_writes_nothing(demo: Path, tmp_path: Path, capsys, args, message) -> None:
    split_programs(demo)
    out, document = tmp_path / "r.html", tmp_path / "r.json"
    assert main(["evaluate", str(demo), *args, "--out", str(out), "--json", str(document), *QUICK]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not document.exists()


def turnover_file(folder: Path, n: int = 400) -> tuple[Path, Path]:
    rng = np.random.default_rng(1)
    coached = rng.random(n) < 0.35
    months = rng.exponential(np.where(coached, 60.0, 36.0))
    followed = rng.uniform(6, 48, n)
    pd.DataFrame({"EmployeeID": [f"E{i}" for i in range(n)], "TenureMonths": np.round(np.minimum(months, followed), 1),
                  "Quit": np.where(months < followed, "Yes", "No"), "Coaching": np.where(coached, "Yes", "No"),
                  "Dept": rng.choice(["Sales", "IT", "Finance"], n)}).to_csv(folder / "turnover.csv", index=False)
    (folder / "turnover.yaml").write_text(
        "columns:\n  TenureMonths: months\n  Quit: left\n  Coaching: participant\n  Dept: department\n",
        encoding="utf-8")
    return folder / "turnover.csv", folder / "turnover.yaml"


def test_evaluate_file_maps_a_turnover_export(tmp_path: Path, capsys) -> None:
    source, mapping = turnover_file(tmp_path)
    out, document = tmp_path / "turnover.html", tmp_path / "turnover.json"
    assert main(["evaluate-file", str(source), "--mapping", str(mapping), "--out", str(out), "--json",
                 str(document)]) == 0
    printed = capsys.readouterr().out
    assert "400 rows" in printed and "Hazard ratio of leaving (Cox, adjusted for department)" in printed
    data = json.loads(document.read_text(encoding="utf-8"))
    jsonschema.validate(data, TURNOVER_JSON_SCHEMA)
    assert data["retention"]["hazard_ratio"]["estimate"] < 1
    text = out.read_text(encoding="utf-8")
    assert "Who stayed?" in text and not [p.pattern for p in EXTERNAL if p.search(text)]
    assert "E1" not in re.sub(r"<svg.*?</svg>", "", text, flags=re.S)


def test_evaluate_file_without_a_mapping_names_the_missing_columns(tmp_path: Path) -> None:
    source, _ = turnover_file(tmp_path, n=30)
    done = subprocess.run([sys.executable, "-m", "workbench", "evaluate-file", str(source)], capture_output=True,
                          text=True)
    assert done.returncode == 2 and "needs the columns months, left, participant" in done.stderr
    assert "Traceback" not in done.stderr


def test_repeated_assessments_without_dates_are_refused_and_nothing_changes(tmp_path: Path, capsys) -> None:
    folder = shutil.copytree(DEMO_SOURCE, tmp_path / "demo")  # its design measures competency growth
    path = folder / "proficiency.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    repeated = frame.duplicated(["person_id", "skill_id"], keep=False)
    first = int(np.flatnonzero(repeated.to_numpy())[0])  # the earlier of a person's two assessments of a skill
    frame.loc[first, "assessed_on"] = ""
    frame.to_csv(path, index=False)
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert main(["evaluate", str(folder), *QUICK]) == 2
    error = capsys.readouterr().err
    assert (f"proficiency.csv row {first + 2}, column assessed_on, value '': {frame.loc[first, 'person_id']}'s "
            f"{frame.loc[first, 'skill_id']} is assessed more than once") in error
    assert "Traceback" not in error and len(error.strip().splitlines()) == 1
    # both assessments undated: the file's own key refuses the repeat, naming the row and the value
    frame.loc[first + 1, "assessed_on"] = ""
    frame.to_csv(path, index=False)
    before[path] = path.read_bytes()
    assert main(["evaluate", str(folder), *QUICK]) == 2
    error = capsys.readouterr().err
    assert re.search(rf"proficiency\.csv\s+{first + 3}\s+skill_id\s+{frame.loc[first, 'skill_id']}\s", error)
    assert "with no assessed_on" in error and "Traceback" not in error
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
