"""What every chart module shares: sizes, the "no data" chart, titles and input checks."""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import pandas as pd

#: Chart width in pixels.
WIDTH = 560
#: Most rows a chart may embed (under Altair's 5,000-row limit): aggregate before charting.
MAX_ROWS = 4_999
NO_DATA = "No data for this selection"


def is_empty(frame: pd.DataFrame | None) -> bool:
    return frame is None or len(frame) == 0


def require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` naming the columns ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} needs the column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns))}")


def check_size(rows: int, what: str) -> None:
    """Refuse to embed more than :data:`MAX_ROWS` rows."""
    if rows > MAX_ROWS:
        raise ValueError(f"{what} would embed {rows:,} rows in the chart (at most {MAX_ROWS:,}): "
                         "filter or aggregate the data first")


def numbers(series: pd.Series) -> pd.Series:
    """Plain float64 with NaN for unknowns (no nullable dtypes reach the chart)."""
    return pd.to_numeric(series, errors="coerce").astype("float64")


def title(text: str, subtitle: list[str] | None = None) -> alt.Title:
    """Left-aligned title, one subtitle line per entry."""
    return alt.Title(text, subtitle=subtitle or [], anchor="start", fontSize=15, subtitleFontSize=12,
                     subtitleColor="#555555", offset=10)


def no_data_chart(text: str, width: int = WIDTH) -> alt.Chart:
    """A chart of the right width that says there is nothing to draw."""
    return (
        alt.Chart(pd.DataFrame({"message": [NO_DATA]}), title=title(text))
        .mark_text(fontSize=14, color="#6b6b6b")
        .encode(text="message:N")
        .properties(width=width, height=80)
    )
