"""The evaluation report: self-contained, escaped, the same bytes for the same result and date."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.data.importing import read_workspace_tables
from workbench.design.model import Align, Objective, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate import evaluate, evaluate_turnover
from workbench.reports.evaluation import evaluation_html, objectives_text, turnover_html, write_report
from workbench.workspace import DEMO_SOURCE, open_workspace

DAY = datetime.date(2026, 7, 1)
XSS = "<script>alert(1)</script>"
EXTERNAL = [
    re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"<script\b", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"<link\b", re.I),
]


@pytest.fixture(scope="module")
def result():
    tables, _ = read_workspace_tables(open_workspace(DEMO_SOURCE))
    design = ProgramDesign(name=f"Graduates {XSS}", align=Align(objectives=(
        Objective(id="exits", kind="retention", kpi=f"annual exit rate (%) {XSS}", baseline=20, target=14),)))
    return evaluate(tables, design, runs=50, resamples=300)


@pytest.fixture(scope="module")
def unmeasured():
    """The demo with a design whose one objective cannot be measured (promotions: people.csv has no dates)."""
    tables, _ = read_workspace_tables(open_workspace(DEMO_SOURCE))
    tables["people"] = tables["people"].drop(columns="promotion_date")
    design = ProgramDesign(name="Promotions", align=Align(objectives=(
        Objective(id="promote", statement="Promote more graduates", kpi="annual promotion rate (%)", kind="promotion",
                  baseline=10.0, target=15.0, horizon_months=12),)))
    return evaluate(tables, design, resamples=200, calibrate_forecast=False)


def test_the_report_is_self_contained_escaped_and_repeatable(result) -> None:
    text = evaluation_html(result, workspace_name="Demo", generated=DAY)
    assert text == evaluation_html(result, workspace_name="Demo", generated=DAY)
    assert not [p.pattern for p in EXTERNAL if p.search(text)]
    assert XSS not in text and "&lt;script&gt;" in text
    for anchor in ("summary", "learning", "behaviour", "results", "roi", "scorecard", "calibration", "method"):
        assert f'<section id="{anchor}">' in text and f'href="#{anchor}"' in text
    assert text.count("<svg") >= 7  # survey x2, meetings, KM, ROI, scorecard, calibration
    assert "Read with care" in text and "chose (or were chosen) to take part" in text
    assert "Measured on" in text and "<h3>Over time, cohort by cohort</h3>" in text  # scope and trajectories
    assert "Generated 2026-07-01" in text


def test_a_parameter_not_fitted_has_no_interval_to_show(result) -> None:
    text = evaluation_html(result, generated=DAY)
    row = re.search(r"<tr><td>early closure</td>(.*?)</tr>", text).group(1)  # hidden in the demo: not fitted
    assert "Not fitted: the observed share is not shown." in row and " to " not in row


def test_hidden_groups_are_counted_not_shown(result) -> None:
    text = evaluation_html(result, generated=DAY)
    hidden = [r for r in result.retention.by_group["department"].to_dict("records") if r["hidden"]]
    assert hidden
    for row in hidden:
        assert f"department: {row['value']}" not in text
    assert "groups with fewer than five people in either group, and enough others" in text


def test_the_objectives_tile_says_when_nothing_was_measured(unmeasured) -> None:
    text = evaluation_html(unmeasured, generated=DAY)
    assert [r["status"] for r in unmeasured.to_json()["scorecard"]] == ["not measured"]
    # The scorecard's words, not "0 of 1 objectives met".
    assert "<div><strong>1</strong><span>objective not measured</span></div>" in text
    assert "objectives met" not in text


def test_the_objectives_tile_counts_what_was_not_met(result) -> None:
    text = evaluation_html(result, generated=DAY)
    card = result.to_json()["scorecard"]
    value, words = objectives_text(card)
    assert f"<div><strong>{value}</strong><span>{words}</span></div>" in text
    assert value == f"{sum(r['status'] == 'met' for r in card)} of 1" and words.startswith("objectives met")


def test_the_objectives_text_uses_the_scorecards_words() -> None:
    assert objectives_text([{"status": "not measured"}]) == ("1", "objective not measured")
    assert objectives_text([{"status": "not measured"}] * 2) == ("2", "objectives not measured")
    assert objectives_text([{"status": "met"}, {"status": "unclear"}, {"status": "not measured"}]) == \
        ("1 of 3", "objectives met (1 unclear, 1 not measured)")
    assert objectives_text([{"status": "not met"}, {"status": "unclear"}]) == \
        ("0 of 2", "objectives met (1 not met, 1 unclear)")
    assert objectives_text([{"status": "met"}, {"status": "met"}]) == ("2 of 2", "objectives met")


def test_differences_of_shares_are_in_percentage_points(result) -> None:
    text = evaluation_html(result, generated=DAY)
    body = re.sub(r"<svg\b.*?</svg>", "", text, flags=re.S)  # chart text is the charts' own
    assert re.search(r"<strong>[+-]\d+\.\d points</strong><span>retention after \d+ months, participants minus "
                     r"comparison \([+-]\d+\.\d points to [+-]\d+\.\d points\)</span>", body)
    assert re.search(r'<td>Difference</td><td class="num">[+-]\d+\.\d points</td>'
                     r'<td[^>]*>[+-]\d+\.\d points to [+-]\d+\.\d points</td>', body)
    by_group = body[body.index("<h3>By department and level</h3>"):]
    by_group = by_group[:by_group.index("</table>")]
    last_cells = re.findall(r'<td class="num">([^<]*)</td></tr>', by_group)
    assert last_cells and all(cell.endswith(" points") for cell in last_cells), last_cells
    # No signed percentage (a difference) anywhere in the page's text.
    assert re.findall(r"[+-]\d+(?:\.\d+)?%", body) == []


def test_the_participants_line_is_not_in_double_brackets(result) -> None:
    text = evaluation_html(result, generated=DAY)
    participants = re.search(r"<dt>Participants</dt><dd>(.*?)</dd>", text).group(1)
    assert re.fullmatch(r"\d+, [^;]+; \d+ with comparable non-participants", participants), participants
    assert "((" not in participants and "))" not in participants


def test_turnover_report(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"months": rng.uniform(1, 40, 60).round(1), "left": rng.integers(0, 2, 60),
                          "participant": np.tile([0, 1], 30)})
    text = turnover_html(evaluate_turnover(frame, file="hr.csv"), generated=DAY)
    assert "Retention of program participants" in text and "hr.csv: 60 rows used" in text
    assert "immortal time" in text and not [p.pattern for p in EXTERNAL if p.search(text)]
    assert "Months of tenure" in text and "everyone in the file not marked as a participant" in text
    assert "since the cohort started" not in text


def test_write_report_checks_the_target(tmp_path: Path) -> None:
    assert write_report("<html></html>", tmp_path / "r.html").read_text(encoding="utf-8") == "<html></html>"
    with pytest.raises(WorkbenchError, match="name the file .html"):
        write_report("x", tmp_path / "r.pdf")
    with pytest.raises(WorkbenchError, match="does not exist"):
        write_report("x", tmp_path / "missing" / "r.html")
