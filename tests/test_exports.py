import csv
import io

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from workbench.exports import safe_csv_text, spreadsheet_safe


def test_formula_cells_are_neutralised_and_numbers_kept() -> None:
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "@SUM(A1)", "-2+3", "Ann", "+44 20 7946 0000"],
                          "value": ["-3", "+1.5", "1e5", "", "\tx"]})
    safe = spreadsheet_safe(frame)
    assert safe["name"].tolist() == ["'=HYPERLINK(\"x\")", "'@SUM(A1)", "'-2+3", "Ann", "'+44 20 7946 0000"]
    assert safe["value"].tolist() == ["-3", "+1.5", "1e5", "", "'\tx"]
    assert frame["name"][0] == "=HYPERLINK(\"x\")"  # the input is not changed


def test_numeric_columns_are_untouched() -> None:
    frame = pd.DataFrame({"n": [-1, 2], "x": [-0.5, 1.0]})
    assert safe_csv_text(frame) == "n,x\n-1,-0.5\n2,1.0\n"


@given(st.lists(st.text(st.characters(exclude_characters="\r\n", exclude_categories=("Cs",)), max_size=12), min_size=1, max_size=20))
def test_no_cell_of_a_safe_csv_starts_a_formula(cells: list[str]) -> None:
    text = safe_csv_text(pd.DataFrame({"cell": cells}))
    back = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    for original, written in zip(cells, back):
        risky = original.startswith(("=", "+", "-", "@", "\t"))
        assert not written.startswith(("=", "@", "\t"))
        if written.startswith(("+", "-")):
            float(written)  # only plain numbers may keep a sign
        assert written == original or (risky and written == "'" + original)
