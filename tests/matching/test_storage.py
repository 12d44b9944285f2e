"""Saved matchings: files written by the workbench load back as a :class:`SavedMatching`, and save as they were."""

from __future__ import annotations

import dataclasses
import datetime
import json
import shutil
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
import yaml

from tests.conftest import demo_home
from workbench.data.importing import read_workspace_tables
from workbench.design.store import load_design
from workbench.matching import SavedMatching, match, save_matching, saved_matching
from workbench.matching.storage import SAVED_SUMMARY, SAVED_TABLE, matching_files
from workbench.result import json_text
from workbench.workspace import find_workspace

#: A saved matching as the workbench wrote it before SavedMatching existed (the demo's, issue 18): any later
#: version must keep loading it.
FIXTURE = Path(__file__).parent / "fixtures" / "saved_matching"


@pytest.fixture
def workspace(tmp_path):
    return find_workspace("demo", demo_home(tmp_path))


def test_a_matching_saved_by_an_earlier_version_loads(workspace) -> None:
    (workspace.files / "results").mkdir(exist_ok=True)
    for name in (SAVED_TABLE, SAVED_SUMMARY):
        shutil.copyfile(FIXTURE / Path(name).name, workspace.files / name)
    saved = saved_matching(workspace)
    record = yaml.safe_load((FIXTURE / "matching.yaml").read_text(encoding="utf-8"))
    pd.testing.assert_frame_equal(saved.table, pd.read_csv(FIXTURE / "matching.csv", dtype=str,
                                                           keep_default_na=False))
    assert saved.settings == record["settings"] and saved.messages == tuple(record["messages"])
    assert saved.summary() == {k: v for k, v in record["summary"].items() if k != "mentee_word"}
    assert (saved.structure, saved.method, saved.cohort) == ("one_on_one", "optimal", "2026")
    assert saved.matched_on == datetime.date(2026, 6, 28)
    s = saved.summary()
    assert len(saved.pairs) == s["links"] == len(saved.pair_scores())
    people = saved.people()
    assert len(people) == s["mentees"] and people["matched"].sum() == s["matched_mentees"]
    assert people["score"].mean() == pytest.approx(s["mean_score"], abs=1e-4)  # scores saved to 4 decimals

    document = saved.to_json()
    jsonschema.Draft202012Validator.check_schema(SavedMatching.JSON_SCHEMA)
    jsonschema.validate(document, SavedMatching.JSON_SCHEMA)
    back = SavedMatching.from_json(json.loads(json_text(saved)))
    assert back.to_json() == document
    pd.testing.assert_frame_equal(back.table, saved.table)


def test_a_matching_saves_and_loads_as_it_was_and_its_files_keep_their_format(workspace) -> None:
    tables, _ = read_workspace_tables(workspace)
    result = match(tables, load_design(workspace), structure="peer")
    result = dataclasses.replace(result, settings={**result.settings, "matched_at": "2026-06-28"})
    saved = saved_matching(save_matching(workspace, result))
    assert saved.summary() == result.summary() and saved.settings == result.settings
    assert saved.structure == "peer" and len(saved.pairs) == len(result.pairs)
    assert saved.people()["matched"].sum() == result.summary()["matched_mentees"]
    record = yaml.safe_load(matching_files(result)[SAVED_SUMMARY])
    # the record keeps the word the earlier readers showed, after the head counts
    assert list(record["summary"])[:6] == ["structure", "method", "cohort", "mentees", "mentors", "mentee_word"]
    assert record["summary"]["mentee_word"] == "people" and list(record) == ["settings", "summary", "messages"]
