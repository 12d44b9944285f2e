"""The HTML and Markdown pieces every report shares."""

import re

from workbench.reports.markup import chart_svg


def test_chart_svg_takes_a_spec_and_keeps_ids_apart() -> None:
    spec = {"data": {"values": [{"a": "x", "b": 1}, {"a": "y", "b": 2}]}, "mark": "bar",
            "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}}}
    svg = chart_svg(spec, prefix="one")
    assert svg.startswith("<svg") and "mark-rect" in svg
    assert all(name.startswith("one-") for name in re.findall(r'\bid="([^"]+)"', svg))


def test_chart_svg_cuts_every_label_whatever_the_chart_allows() -> None:
    long = "Customer operations " * 500  # 10,000 characters
    spec = {"data": {"values": [{"a": long, "b": 1}, {"a": "y", "b": 2}]}, "mark": "bar",
            "encoding": {"y": {"field": "a", "type": "nominal", "axis": {"labelLimit": 0}},  # 0: no pixel limit
                         "x": {"field": "b", "type": "quantitative"}}}
    labels = re.findall(r">([^<]*)</text>", chart_svg(spec))
    assert any(label.startswith(long[:40]) and label.endswith("\u2026") for label in labels)
    assert max(map(len, labels)) < 80
