"""Choosing the class on the Launch page, driven from Python without a browser."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest

from workbench.design import load_design
from workbench.privacy import MIN_GROUP
from workbench.views.selection import SelectionView
from workbench.views.shell import open_page


@pytest.fixture
def view(home: Path) -> SelectionView:
    context, _ = open_page("06_launch_and_support")
    return SelectionView(context)


def downloads(view: SelectionView) -> list[str]:
    return [base64.b64decode(p).decode("utf-8") for p in re.findall(r"base64,([A-Za-z0-9+/=]+)", view.download.value)]


def test_the_settings_start_from_the_design_and_results_wait(view: SelectionView) -> None:
    design = load_design(view.context.workspace)
    assert view.method.value == "matchability"  # the demo design takes everyone; the page offers a choice
    assert view.size.value == design.launch.pilot_size and view.quotas.value == ""
    assert view.results.layout.display == "none"


def test_choosing_shows_the_class_the_comparison_and_downloads(view: SelectionView) -> None:
    view.size.value = 20
    view.quotas.value = "department:<=30%; level:>=2"
    view.choose_button.click()
    assert view.notice.value == "" and view.results.layout.display is None
    assert len(view.session.result.selected) == 20 and "best matchable class" in view.summary.value
    assert "Lottery" in view.methods.value and "Best matchable class" in view.methods.value
    assert view.attribute.options and view.attribute.value == "department"
    assert ("job title", "job_title") in view.attribute.options  # the column in words, as on the Matching page
    compared = view.session.result.comparison("department")
    assert view.comparison.value.count("hidden") >= int(compared["hidden"].sum())
    assert view.class_table.value.count("<tr>") - 1 == 20
    assert "<th>best pair score (0-1)</th>" in view.class_table.value and "_" not in re.sub(
        r"<td>.*?</td>", "", view.class_table.value)  # headers in words; ids stay in the cells (and the CSV)
    chosen, report = downloads(view)
    chosen = pd.read_csv(pd.io.common.StringIO(chosen), dtype=str)
    assert len(chosen) == 20 and chosen["department"].value_counts().max() <= 6
    report = pd.read_csv(pd.io.common.StringIO(report), dtype=str, keep_default_na=False)
    assert (pd.to_numeric(report.loc[report["hidden"] == "False", "applicants"]) >= MIN_GROUP).all()


def test_the_lottery_is_the_same_for_the_same_seed(view: SelectionView) -> None:
    view.method.value, view.size.value, view.seed.value = "lottery", 15, 3
    view.choose_button.click()
    first = list(view.session.result.selected["person_id"])
    view.choose_button.click()
    assert list(view.session.result.selected["person_id"]) == first
    view.seed.value = 4
    view.choose_button.click()
    assert list(view.session.result.selected["person_id"]) != first


def test_bad_quotas_show_a_message_naming_the_program_and_column(view: SelectionView) -> None:
    view.size.value = 5
    view.quotas.value = "department:>=1"
    view.choose_button.click()
    assert "Demo organisation mentoring program" in view.notice.value
    assert "minimums for department add up to 7" in view.notice.value
    view.quotas.value = "gender=woman:>=3"
    view.choose_button.click()
    assert "sensitive column" in view.notice.value and "gender" in view.notice.value
    view.quotas.value = "department:=3"
    view.choose_button.click()
    assert "the bound" in view.notice.value and not view.choose_button.disabled


def test_a_refused_class_hides_the_class_chosen_before(view: SelectionView) -> None:
    view.size.value = 5
    view.choose_button.click()
    assert view.session.result is not None and view.results.layout.display is None
    view.quotas.value = "department:>=1"
    view.choose_button.click()
    assert "add up to" in view.notice.value
    assert view.session.result is None and view.results.layout.display == "none"
