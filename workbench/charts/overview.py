"""Charts that describe an organisation at a glance."""

from __future__ import annotations

import altair as alt
import pandas as pd

from workbench.organisation import headcounts


def headcount_chart(people: pd.DataFrame) -> alt.Chart:
    """Current headcount per department, stacked by level (1 = most junior).

    ``people`` has the ``people.csv`` columns ``department``, ``level`` and
    ``exit_date`` (blank or missing while the person is still employed).
    People who have left are not counted. The data is aggregated before
    charting (:func:`workbench.organisation.headcounts`), so the chart stays
    small whatever the size of the organisation; groups of fewer than five
    people, and enough others that none can be worked out, are not drawn.
    """
    counts = headcounts(people)
    counts = counts.loc[~counts["hidden"], ["department", "level", "people"]].astype({"people": int})
    return (
        alt.Chart(counts, title="Current headcount by department and level")
        .mark_bar()
        .encode(
            y=alt.Y("department:N", sort="-x", title=None),
            x=alt.X("sum(people):Q", title="People"),
            color=alt.Color("level:O", title="Level", scale=alt.Scale(scheme="blues")),
            order=alt.Order("level:O"),
            tooltip=[alt.Tooltip("department:N", title="Department"), alt.Tooltip("level:O", title="Level"),
                     alt.Tooltip("people:Q", title="People")],
        )
        .properties(width=520, height=alt.Step(22))
    )
