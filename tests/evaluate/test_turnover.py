"""A file shaped like a real HR turnover export, mapped with a YAML mapping and evaluated."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

from workbench.errors import WorkbenchError
from workbench.evaluate import TURNOVER_JSON_SCHEMA, evaluate_turnover, read_turnover

MAPPING = """\
# Our HR system's turnover report, mapped onto the workbench's turnover columns.
columns:
  TenureMonths: months
  Quit: left
  Coaching: participant
  Dept: department
values:
  left: {"Yes": "1", "No": "0"}
  participant: {"Yes": "1", "No": "0", "Line manager": "0"}
"""


def turnover_export(path: Path, n: int = 800, ratio: float = 0.6, seed: int = 0, delimiter: str = ",") -> Path:
    """Tenure in months (decimals), Quit Yes/No, Coaching Yes/No/Line manager, Dept; one row per employee."""
    rng = np.random.default_rng(seed)
    dept = rng.choice(["Sales", "IT", "HR", "Operations"], n)
    coached = rng.random(n) < 0.3
    hazard = np.array([{"Sales": 0.035, "IT": 0.02, "HR": 0.015, "Operations": 0.025}[d] for d in dept])
    hazard = hazard * np.where(coached, ratio, 1.0)
    exit_month = rng.exponential(1 / hazard)
    followed = rng.uniform(3, 60, n)
    frame = pd.DataFrame({
        "EmployeeID": [f"E{i:05d}" for i in range(n)],
        "TenureMonths": np.round(np.minimum(exit_month, followed), 2),
        "Quit": np.where(exit_month < followed, "Yes", "No"),
        "Coaching": np.where(coached, "Yes", np.where(rng.random(n) < 0.1, "Line manager", "No")),
        "Dept": dept, "Gender": rng.choice(["f", "m"], n)})
    frame.to_csv(path, index=False, sep=delimiter, encoding="utf-8-sig")
    return path


def test_a_turnover_file_is_mapped_and_evaluated(tmp_path: Path) -> None:
    source = turnover_export(tmp_path / "turnover.csv", delimiter=";")
    mapping = tmp_path / "turnover.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    frame = read_turnover(source, mapping)
    assert {"months", "left", "participant", "department", "EmployeeID"} <= set(frame.columns)
    result = evaluate_turnover(frame, file=source.name)
    survival = result.survival
    assert result.rows == 800 and result.left_out == 0 and result.covariates == ("department",)
    assert survival.hazard_ratio.low < 0.6 < survival.hazard_ratio.high
    assert survival.hazard_ratio.strata == ("department",)
    assert survival.logrank.p_value < 0.05
    document = result.to_json()
    jsonschema.validate(document, TURNOVER_JSON_SCHEMA)
    assert document["source"]["participants"] + document["source"]["comparison"] == 800
    assert "E00001" not in result.json_text()  # no ids
    assert any("immortal time" in c for c in document["retention"]["caveats"])


def test_flags_in_plain_words_need_no_mapping(tmp_path: Path) -> None:
    frame = pd.DataFrame({"months": ["12", "3.5", "40", "7", "22", "15", "9", "30", "2", "18", "25", ""],
                          "left": ["yes", "No", "TRUE", "0", "1", "false", "Y", "n", "1", "0", "0", "1"],
                          "participant": ["1", "1", "1", "1", "1", "1", "0", "0", "0", "0", "0", "0"],
                          "level": ["1", "2", "1", "3", "2", "2", "1", "1", "2", "3", "1", "2"]})
    result = evaluate_turnover(frame)
    assert result.rows == 11 and result.left_out == 1 and result.covariates == ("level",)
    assert result.survival.groups["people"].tolist() == [6, 5]


@pytest.mark.parametrize(("frame", "message"), [
    (pd.DataFrame({"months": ["1"], "left": ["1"]}), "needs the column participant"),
    (pd.DataFrame({"months": ["-3"] * 10, "left": ["1"] * 10, "participant": ["1", "0"] * 5}), "0 or more"),
    (pd.DataFrame({"months": ["x"] * 10, "left": ["1"] * 10, "participant": ["1", "0"] * 5}), "number of months"),
    (pd.DataFrame({"months": ["3"] * 10, "left": ["Quit"] * 10, "participant": ["1", "0"] * 5}), "row 2: 'Quit'"),
    (pd.DataFrame({"months": ["3"] * 10, "left": ["1"] * 10, "participant": ["1"] * 3 + ["0"] * 7}),
     "3 participant rows: fewer than 5"),
])
def test_bad_turnover_data_is_refused_with_the_reason(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(WorkbenchError, match=message):
        evaluate_turnover(frame)


def test_mapping_problems_name_the_file(tmp_path: Path) -> None:
    source = turnover_export(tmp_path / "turnover.csv", n=50)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("columns:\n  Tenure: months\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="turnover.csv cannot be mapped:\n  Tenure: wrong.yaml renames"):
        read_turnover(source, wrong)
    table = tmp_path / "table.yaml"
    table.write_text("table: people\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="no 'table' key"):
        read_turnover(source, table)
    with pytest.raises(WorkbenchError, match="missing.csv"):
        read_turnover(tmp_path / "missing.csv")
