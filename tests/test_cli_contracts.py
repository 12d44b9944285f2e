"""Every analysis command refuses a workspace whose tables fail their contracts, naming the problems as
``workbench validate`` does (exit 2, no traceback, nothing written)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.cli import main
from workbench.data.importing import validate_workspace
from workbench.result import schema_problems
from workbench.simulate import JSON_SCHEMA
from workbench.workspace import DEMO_SOURCE, open_workspace
from tests.conftest import WITHOUT_STORY


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cell(frame: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    changed = frame.copy()
    changed.loc[row, column] = value
    return changed


#: Damage done to one table of the demo: the table and the change.
DAMAGES = {
    "duplicate_person": ("people", lambda f: pd.concat([f, f.iloc[[4]]], ignore_index=True)),
    "manager_cycle": ("people", lambda f: cell(cell(f, 0, "manager_id", f.person_id[1]),
                                               1, "manager_id", f.person_id[0])),
    "unknown_enrolled_person": ("enrolment", lambda f: cell(f, 1, "person_id", "NOBODY")),
    "negative_capacity": ("enrolment", lambda f: cell(f, f.index[f.role == "mentor"][0], "capacity", "-2")),
    "bad_date": ("people", lambda f: cell(f, 3, "hire_date", "2020-13-45")),
    "nan_goal": ("goals", lambda f: cell(f, 0, "baseline", "NaN")),
    "no_level": ("people", lambda f: f.drop(columns="level")),
}


def damaged_demo(folder: Path, damage: str) -> Path:
    """A copy of the demo in ``folder`` with one of the :data:`DAMAGES`."""
    shutil.copytree(DEMO_SOURCE, folder, ignore=WITHOUT_STORY)
    table, change = DAMAGES[damage]
    path = folder / f"{table}.csv"
    change(read(path)).to_csv(path, index=False)
    return folder


#: Each command, and the tables it reads when not all of them.
COMMANDS = {
    "match": (["match", "{ws}", "--out", "{out}"], None),
    "gaps": (["gaps", "{ws}", "--out", "{out}"], {"people", "requirements", "proficiency", "goals"}),
    "brief": (["brief", "{ws}", "--out", "{out}.html"], None),
    "design check": (["design", "check", "{ws}"], {"people", "enrolment", "goals", "skills"}),
    "simulate": (["simulate", "{ws}", "--out", "{out}", "--runs", "20"], None),
    "evaluate": (["evaluate", "{ws}", "--runs", "0", "--resamples", "100", "--json", "{out}"], None),
}


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled at once, so the commands of one test share one validation."""
    from workbench.data import importing

    monkeypatch.setattr(importing, "_SETTLE_NS", 0)


@pytest.mark.parametrize("damage", DAMAGES)
def test_every_analysis_refuses_tables_that_fail_their_contracts(damage: str, tmp_path: Path, settled: None,
                                                                 capsys) -> None:
    ws = damaged_demo(tmp_path / "ws", damage)
    problems = validate_workspace(open_workspace(ws)).frame
    assert len(problems)
    before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    damaged = {f.removesuffix(".csv") for f in problems["file"]}
    for command, (template, reads) in COMMANDS.items():
        if reads is not None and not damaged & reads:
            continue  # a table the command does not read: test_only_the_tables_read_are_refused
        out = tmp_path / "out"
        assert main([part.format(ws=ws, out=out) for part in template]) == 2, command
        printed = capsys.readouterr()
        assert "Traceback" not in printed.err and "nothing was computed" in printed.err, command
        lines = printed.err.splitlines()
        for p in problems.astype(object).where(problems.notna(), "").itertuples():
            # each problem validate finds is named in one line: file, row, column and value
            assert any(all(str(part) in line for part in (p.file, p.row, p.column, p.value, p.problem))
                       for line in lines), (command, p)
        assert not any(tmp_path.glob("out*")), command
    assert {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()} == before


def test_only_the_tables_read_are_refused(tmp_path: Path, settled: None, capsys) -> None:
    """Skill gaps read no enrolment: a problem there stops matching, not the gaps."""
    ws = damaged_demo(tmp_path / "ws", "negative_capacity")
    assert main(["gaps", str(ws), "--out", str(tmp_path / "gaps.csv")]) == 0
    assert len(read(tmp_path / "gaps.csv"))
    assert main(["match", str(ws), "--out", str(tmp_path / "pairs.csv")]) == 2
    assert "enrolment.csv" in capsys.readouterr().err and not (tmp_path / "pairs.csv").exists()


def test_a_boolean_proficiency_scale_is_a_message_not_a_traceback(tmp_path: Path, capsys) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(DEMO_SOURCE, ws, ignore=WITHOUT_STORY)
    settings = ws / "workspace.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "min: 0" in text and "max: 5" in text
    settings.write_text(text.replace("min: 0", "min: false").replace("max: 5", "max: true"), encoding="utf-8")
    for args in (["validate", str(ws)],
                 ["import", str(DEMO_SOURCE / "skills.csv"), "--into", str(ws), "--table", "skills"]):
        assert main(args) == 2
        assert "field 'scale' must have whole numbers min < max" in capsys.readouterr().err


#: Dates that meet the contract but are unlikely to be true: each workspace has one, and the warning it gives.
IMPLAUSIBLE_DATES = {
    "hire_in_2099": ("hire_date", "2099-01-01", "is more than 10 years ahead: a placeholder?"),
    "hire_next_year": ("hire_date", (dt.date.today() + dt.timedelta(days=366)).isoformat(), "is a hire after today"),
    "exit_9999": ("exit_date", "9999-12-31", "is more than 10 years ahead: a placeholder?"),
}


@pytest.mark.parametrize("case", IMPLAUSIBLE_DATES)
@pytest.mark.parametrize("command", ["match", "gaps"])
def test_an_analysis_on_implausible_dates_runs_and_warns(case: str, command: str, tmp_path: Path, settled: None,
                                                         capsys) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(DEMO_SOURCE, ws, ignore=WITHOUT_STORY)
    column, value, warning = IMPLAUSIBLE_DATES[case]
    people = read(ws / "people.csv")
    row = people.index[people["exit_date"].eq("")][10]  # still employed: any hire date comes before the exit
    people.pipe(cell, row, column, value).to_csv(ws / "people.csv", index=False)
    out = tmp_path / "out.csv"
    assert main([command, str(ws), "--out", str(out)]) == 0
    assert len(read(out))
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1
    assert lines[0].startswith(f"warning: people.csv row {row + 2}, column {column}: {value} {warning}")


def test_warnings_follow_only_the_tables_read_and_are_capped(tmp_path: Path, settled: None, capsys) -> None:
    """Skill gaps read no meetings: a placeholder date there is named by match (which reads them), not by gaps."""
    ws = tmp_path / "ws"
    shutil.copytree(DEMO_SOURCE, ws, ignore=WITHOUT_STORY)
    meetings = read(ws / "meetings.csv")
    meetings.loc[:14, "date"] = "0001-01-01"
    meetings.to_csv(ws / "meetings.csv", index=False)
    assert main(["gaps", str(ws), "--out", str(tmp_path / "gaps.csv")]) == 0
    assert "warning:" not in capsys.readouterr().err
    assert main(["match", str(ws), "--out", str(tmp_path / "pairs.csv")]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert lines[0] == "warning: meetings.csv row 2, column date: 0001-01-01 is before 1900: a slip or a placeholder?"
    assert len(lines) == 11 and lines[-1] == "warning: ... and 5 more"


def test_json_output_lists_the_warnings(tmp_path: Path, settled: None, capsys) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(DEMO_SOURCE, ws, ignore=WITHOUT_STORY)
    read(ws / "people.csv").pipe(cell, 0, "exit_date", "9999-12-31").to_csv(ws / "people.csv", index=False)
    out = tmp_path / "r.json"
    assert main(["simulate", str(ws), "--out", str(out), "--runs", "20"]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert schema_problems(document, JSON_SCHEMA) == []
    # counted, without rows or values: the JSON is shared beyond the terminal
    assert [(w["file"], w["column"], w["values"]) for w in document["warnings"]] == [("people.csv", "exit_date", 1)]
    assert "9999-12-31" not in out.read_text(encoding="utf-8")
    assert "warning: people.csv row 2, column exit_date: 9999-12-31" in capsys.readouterr().err


def test_every_analysis_names_the_warnings_of_what_it_read_and_exits_as_before(tmp_path: Path, settled: None,
                                                                            capsys) -> None:
    clean, ws = tmp_path / "clean", tmp_path / "ws"
    shutil.copytree(DEMO_SOURCE, clean, ignore=WITHOUT_STORY)
    shutil.copytree(DEMO_SOURCE, ws, ignore=WITHOUT_STORY)
    read(ws / "people.csv").pipe(cell, 0, "exit_date", "9999-12-31").to_csv(ws / "people.csv", index=False)
    line = "warning: people.csv row 2, column exit_date: 9999-12-31 is more than 10 years ahead"
    for command, (template, _) in COMMANDS.items():
        codes = [main([part.format(ws=folder, out=tmp_path / f"out-{folder.name}") for part in template])
                 for folder in (clean, ws)]
        assert codes[0] == codes[1], command
        printed = capsys.readouterr().err
        assert printed.count(line) == 1 and "Traceback" not in printed, command
