import pandas as pd
import vl_convert

from workbench.charts import headcount_chart
from workbench.charts.embed import LABEL_CHARS, chart_spec

LONG = ("Research and development " * 400).strip()  # 9,999 characters: its label took 13 s to lay out uncut


def _texts(node) -> list[str]:
    """Every text item of a Vega scenegraph."""
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for value in node.values() for t in _texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in _texts(value)]
    return []


def test_a_long_label_is_laid_out_cut_and_kept_whole_in_the_data() -> None:
    # groups of five: smaller ones are hidden (workbench.organisation.headcounts) and draw no label
    people = pd.DataFrame({"department": [LONG] * 5 + ["Sales"] * 5, "level": ["1"] * 5 + ["2"] * 5})
    spec = chart_spec(headcount_chart(people))
    texts = _texts(vl_convert.vegalite_to_scenegraph(spec))
    assert max(map(len, texts)) <= LABEL_CHARS
    assert LONG[:LABEL_CHARS - 1] + "\u2026" in texts and "Sales" in texts
    rows = next(iter(spec["datasets"].values()))
    assert LONG in {row["department"] for row in rows}  # the tooltip shows the whole name


def test_an_axis_of_its_own_keeps_its_label_expression() -> None:
    chart = headcount_chart(pd.DataFrame({"department": ["Sales"] * 5, "level": ["1"] * 5}))
    spec = chart_spec(chart.configure_axis(labelExpr="upper(datum.label)"))
    assert "SALES" in _texts(vl_convert.vegalite_to_scenegraph(spec))
