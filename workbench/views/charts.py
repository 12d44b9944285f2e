"""Showing Altair charts in a page, offline and interactive.

Charts are drawn by the ``JupyterChart`` widget with Vega bundled locally
(``anywidget`` + ``vl-convert-python``), so nothing is fetched from a CDN, and
as SVG so the browser tests can count marks. A chart widget is created once and
updated in place, which moves far less data than redisplaying it.
"""

from __future__ import annotations

import altair as alt

EMBED_OPTIONS = {"renderer": "svg", "actions": False}


def chart_widget(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    """A widget showing ``chart``; assign ``widget.chart = new_chart`` to update it."""
    alt.JupyterChart.enable_offline()
    # JupyterChart ignores global embed options: they are passed every time.
    return alt.JupyterChart(chart, embed_options=EMBED_OPTIONS)
