"""``workbench brief`` and ``workbench design check`` from a terminal."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.design.model import Experience, ProgramDesign
from workbench.design.store import save_design
from workbench.workspace import DEMO_SOURCE, open_workspace
from tests.conftest import WITHOUT_STORY

REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
    return tmp_path / "demo"


def test_brief_writes_a_self_contained_html_file(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.html"
    result = run("brief", str(demo), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout and "open finding" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<svg" in page and "mark-rect" in page
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page)


def test_brief_format_follows_the_suffix_or_the_option(demo: Path, tmp_path: Path) -> None:
    result = run("brief", str(demo), "--out", str(tmp_path / "brief.md"))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert text.startswith("# ") and "## Open findings" in text and "<svg" not in text
    result = run("brief", str(demo), "--out", str(tmp_path / "brief.txt"), "--format", "md")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "brief.txt").read_text(encoding="utf-8").startswith("# ")


def test_brief_with_an_unknown_suffix_says_so(demo: Path, tmp_path: Path) -> None:
    result = run("brief", str(demo), "--out", str(tmp_path / "brief.pdf"))
    assert result.returncode == 2
    assert ".html or .md" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "brief.pdf").exists()


def test_design_check_passes_a_design_without_errors(demo: Path) -> None:
    result = run("design", "check", str(demo))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.split("\n")[0]
    assert "Fix:" in result.stdout or "no findings" in result.stdout


def test_design_check_fails_on_an_error_finding(demo: Path, tmp_path: Path) -> None:
    save_design(open_workspace(demo), ProgramDesign(experience=Experience(sensitive_attributes=("gender",))))
    result = run("design", "check", str(demo))
    assert result.returncode == 2
    assert "1 error" in result.stdout
    assert re.search(r"^ERROR +Sensitive data used without opt-in$", result.stdout, re.M)
    assert "Traceback" not in result.stderr
    # The brief is still written, and says how many findings are open.
    brief = run("brief", str(demo), "--out", str(tmp_path / "brief.html"))
    assert brief.returncode == 0, brief.stderr
    assert "(1 error)" in brief.stdout
    assert "Sensitive data used without opt-in" in (tmp_path / "brief.html").read_text(encoding="utf-8")


def test_a_malformed_design_names_the_field_without_a_traceback(demo: Path, tmp_path: Path) -> None:
    (demo / "design.yaml").write_text("experience:\n  duration_months: 0\n  cadense: weekly\n", encoding="utf-8")
    for args in (("design", "check", str(demo)), ("brief", str(demo), "--out", str(tmp_path / "brief.html"))):
        result = run(*args)
        assert result.returncode == 2, args
        assert "experience.duration_months" in result.stderr and "experience.cadense" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "brief.html").exists()


def test_design_check_on_a_folder_that_is_no_workspace(tmp_path: Path) -> None:
    result = run("design", "check", str(tmp_path))
    assert result.returncode == 2
    assert "is not a workspace" in result.stderr and "Traceback" not in result.stderr


def test_design_without_a_subcommand_prints_its_help() -> None:
    result = run("design")
    assert result.returncode == 0
    assert "check" in result.stdout and "design.yaml" in result.stdout


def test_design_check_and_the_brief_say_the_demo_cohort_cannot_detect_its_retention_effect(tmp_path: Path) -> None:
    demo = shutil.copytree(DEMO_SOURCE, tmp_path / "demo")  # the demo as it ships, with its design
    result = run("design", "check", str(demo))
    assert result.returncode == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert "WARNING Objective retention: the cohort cannot detect its effect" in text
    assert re.search(r"minimum detectable effect \(80% power, 5% significance\) is a fall in the mentees' annual "
                     r"exit rate from [\d.]+% to [\d.]+%\. The outcome model expects [\d.]+% to [\d.]+%; detecting "
                     r"that needs about [\d,]+ mentees, or [\d,]+ cohorts of (\d+|this size)\.", text)
    assert "in the objective's scope (Engineering; levels 1-2" in text  # powered on the people it is about
    brief = run("brief", str(demo), "--out", str(tmp_path / "brief.md"))
    assert brief.returncode == 0, brief.stderr
    sentence = re.search(r"With (\d+|fewer than 5) mentees .*? cohorts of (\d+|this size)\.", text).group(0)
    assert sentence in " ".join((tmp_path / "brief.md").read_text(encoding="utf-8").split())


def test_a_table_only_the_power_reads_is_named_in_a_note_without_failing_the_check(tmp_path: Path) -> None:
    demo = shutil.copytree(DEMO_SOURCE, tmp_path / "demo")
    survey = (demo / "survey.csv").read_text(encoding="utf-8").splitlines()
    survey[1] = survey[1].replace(survey[1].split(",")[3], "lots")
    (demo / "survey.csv").write_text("\n".join(survey) + "\n", encoding="utf-8")
    result = run("design", "check", str(demo))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    text = " ".join(result.stdout.split())
    assert "NOTE Minimum detectable effect not worked out" in text and "survey.csv 2 score lots" in text
