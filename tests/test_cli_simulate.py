"""``workbench simulate`` and ``workbench compare`` from a terminal, on a copy of the demo organisation."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.design.model import Eligibility
from workbench.design.store import load_design
from workbench.programs import add_program
from workbench.result import schema_problems
from workbench.simulate import JSON_SCHEMA, KPIS, PARAMETERS
from workbench.whatif import Scenario, save_scenario
from workbench.workspace import DEMO_SOURCE, open_workspace
from tests.conftest import WITHOUT_STORY


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
    workspace = open_workspace(tmp_path / "demo")
    workspace = save_scenario(workspace, Scenario("Weekly", overrides={"cadence": "weekly", "budget": 40000}))
    save_scenario(workspace, Scenario("Capacity one", overrides={"mentor_capacity": 1},
                                      parameters={"turnover_reduction": 0.5}))
    return tmp_path / "demo"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True)


def test_simulate_writes_the_documented_json_and_prints_the_kpis(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "result.json"
    assert main(["simulate", str(demo), "--runs", "300", "--seed", "4", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert schema_problems(data, JSON_SCHEMA) == []
    assert data["runs"] == 300 and data["seed"]["entropy"] == 4 and data["scenario"] == "design"
    assert set(data["parameters"]) == set(PARAMETERS) and set(data["kpis"]) == set(KPIS)
    retention = data["kpis"]["retention"]
    assert retention["difference"]["low"] <= retention["difference"]["mean"] <= retention["difference"]["high"]
    printed = capsys.readouterr().out
    assert "Scenario 'design'" in printed and "Participants still employed at the horizon" in printed
    assert "difference [95% interval]" in printed and f"Wrote {out}" in printed
    assert "budget" not in data


def test_a_saved_scenario_with_a_budget(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "weekly.json"
    assert main(["simulate", str(demo), "--scenario", "Weekly", "--runs", "200", "--out", str(out),
                 "--horizon", "18"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert schema_problems(data, JSON_SCHEMA) == [] and data["horizon_months"] == 18
    assert data["settings"]["cadence"] == "weekly" and data["settings"]["overrides"]["budget"] == 40000
    assert data["budget"]["budget"] == 40000 and 0 <= data["budget"]["p_within"] <= 1
    assert "within budget in" in capsys.readouterr().out


def test_same_seed_same_bytes(demo: Path, tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    for out, seed in ((a, "9"), (b, "9"), (c, "10")):
        assert main(["simulate", str(demo), "--runs", "200", "--seed", seed, "--out", str(out)]) == 0
    assert a.read_bytes() == b.read_bytes() and a.read_bytes() != c.read_bytes()


def test_compare_prints_a_table_and_writes_json(demo: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "compare.json"
    assert main(["compare", str(demo), "--scenarios", "design,Weekly,Capacity one", "--runs", "200", "--seed", "3",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    header = next(line for line in printed.splitlines() if line.startswith("KPI"))
    assert header.split() == ["KPI", "design", "Weekly", "Capacity", "one"]
    assert "P(better)" in printed and "Meetings held per participant" in printed
    assert "Weekly: budget 40,000 EUR, expected cost" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [s["scenario"] for s in data["scenarios"]] == ["design", "Weekly", "Capacity one"]
    assert all(schema_problems(s, JSON_SCHEMA) == [] for s in data["scenarios"])
    assert len(data["comparison"]) == 3 * len(KPIS) and data["baseline"] == "design"
    # the same scenario in another comparison, in another place: the same figures
    single = tmp_path / "weekly.json"
    assert main(["simulate", str(demo), "--scenario", "Weekly", "--runs", "200", "--seed", "3",
                 "--out", str(single)]) == 0
    weekly = json.loads(single.read_text(encoding="utf-8"))
    weekly.pop("budget")
    assert weekly.pop("warnings") == data["warnings"] == []  # the command's, once per document
    assert weekly == data["scenarios"][1]


@pytest.mark.parametrize("args, message", [
    (["simulate", "{demo}", "--scenario", "Nope", "--out", "{out}"], "has no scenario called 'Nope'"),
    (["simulate", "{demo}", "--runs", "1", "--out", "{out}"], "--runs must be from 2"),
    (["simulate", "{demo}", "--seed", "-3", "--out", "{out}"], "--seed must be 0 or more"),
    (["simulate", "{demo}", "--horizon", "99", "--out", "{out}"], "--horizon must be 1 to 60"),
    (["simulate", "{missing}", "--out", "{out}"], "is not a workspace"),
    (["simulate", "{demo}", "--out", "{nowhere}"], "does not exist"),
    (["compare", "{demo}", "--scenarios", "design"], "2 to 6 names"),
    (["compare", "{demo}", "--scenarios", "a,b,c,d,e,f,g"], "2 to 6 names"),
    (["compare", "{demo}", "--scenarios", "design,Nope"], "has no scenario called 'Nope'"),
    (["compare", "{demo}", "--scenarios", "design,Weekly", "--runs", "1"], "--runs must be from 2"),
    (["compare", "{missing}", "--scenarios", "design,Weekly"], "is not a workspace"),
])
def test_bad_input_exits_2_with_a_message(demo: Path, tmp_path: Path, capsys, args, message) -> None:
    values = {"demo": demo, "out": tmp_path / "r.json", "missing": tmp_path / "missing",
              "nowhere": tmp_path / "no" / "r.json"}
    assert main([a.format(**values) for a in args]) == 2  # any other exception would fail the test here
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_from_a_terminal_bad_input_gives_no_traceback(demo: Path, tmp_path: Path) -> None:
    (demo / "scenarios" / "bad.yaml").write_text("name: Bad\noverrides: {duration_months: 99}\n", encoding="utf-8")
    done = run("simulate", str(demo), "--scenario", "Bad", "--out", str(tmp_path / "r.json"))
    assert done.returncode == 2 and "scenarios/bad.yaml" in done.stderr and "duration_months" in done.stderr
    assert "Traceback" not in done.stderr
    done = run("compare", str(demo), "--scenarios", "design,Weekly", "--runs", "0")
    assert done.returncode == 2 and "--runs must be from 2" in done.stderr and "Traceback" not in done.stderr


def test_workers_do_not_change_the_figures(demo: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    for out, workers in ((one, "1"), (two, "2")):
        assert main(["compare", str(demo), "--scenarios", "Capacity one,design", "--runs", "100", "--workers",
                     workers, "--out", str(out)]) == 0
    assert one.read_bytes() == two.read_bytes()


@pytest.fixture
def tiers(demo: Path) -> Path:
    """The demo with a second program, ``peer`` (mentors 0-1 level above), with its own scenario."""
    workspace = open_workspace(demo)
    first = load_design(workspace)
    peer = add_program(workspace, "peer", first.model_copy(update={"name": "Peer tier", "experience": (
        first.experience.model_copy(update={"seniority_gap_min": 0, "seniority_gap_max": 1}))}))
    save_scenario(peer, Scenario("Peer weekly", overrides={"cadence": "weekly"}))
    return demo


def test_simulate_one_program_or_all_of_them(tiers: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "all.json"
    assert main(["simulate", str(tiers), "--all", "--runs", "200", "--seed", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2 programs of" in printed and "(jointly)" in printed and "All programs" in printed
    assert "Not modelled" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data["programs"]) == {"main", "peer"} and data["mode"] == "joint"
    assert all(schema_problems(r, JSON_SCHEMA) == [] for r in data["programs"].values())
    total = data["all_programs"]
    assert total["cohort"]["participants"] == sum(r["cohort"]["participants"] for r in data["programs"].values())
    assert total["kpis"]["cost"]["participants"]["mean"] == pytest.approx(
        sum(r["kpis"]["cost"]["participants"]["mean"] for r in data["programs"].values()))
    # priority order: the first program is served first
    assert main(["simulate", str(tiers), "--all", "--priority", "peer,main", "--runs", "200", "--out", str(out)]) == 0
    assert "in priority order peer > main" in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["order"] == ["peer", "main"]
    # one program: its own enrolment, design and scenarios
    one = tmp_path / "peer.json"
    assert main(["simulate", str(tiers), "--program", "peer", "--scenario", "Peer weekly", "--runs", "200",
                 "--out", str(one)]) == 0
    assert "Program peer (Peer tier): Scenario 'Peer weekly'" in capsys.readouterr().out
    assert json.loads(one.read_text(encoding="utf-8"))["settings"]["cadence"] == "weekly"
    assert main(["compare", str(tiers), "--program", "peer", "--scenarios", "design,Peer weekly", "--runs",
                 "100"]) == 0
    assert "Peer weekly" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["simulate", "--all", "--program", "peer"], "Give either --program ID or --all, not both."),
    (["simulate", "--priority", "main,peer"], "--priority orders the programs of --all; add --all."),
    (["simulate", "--program", "nobody"], "has no program 'nobody'; its programs are: main, peer."),
    (["simulate", "--all", "--priority", "peer"], "must name every program once: missing main"),
    (["simulate", "--all", "--scenario", "Weekly"], "--scenario applies to one program"),
    (["compare", "--program", "nobody", "--scenarios", "design,Weekly"], "has no program 'nobody'"),
])
def test_bad_program_input_exits_2_with_one_line(tiers: Path, tmp_path: Path, capsys, args, message) -> None:
    out = tmp_path / "r.json"
    assert main([args[0], str(tiers), *args[1:], "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_program_without_eligible_mentors_exits_2_and_writes_nothing(demo: Path, tmp_path: Path, capsys) -> None:
    workspace = open_workspace(demo)
    design = load_design(workspace)
    add_program(workspace, "senior", design.model_copy(update={"name": "Senior tier", "align": design.align.model_copy(
        update={"mentor_eligibility": Eligibility(level_min=40)})}))
    for argv in (["--all"], ["--program", "senior"], ["--all", "--priority", "senior,main"]):
        out = tmp_path / "r.json"
        assert main(["simulate", str(demo), *argv, "--runs", "100", "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "Program 'senior' (Senior tier) has no eligible mentor" in err and not out.exists()
