"""Choosing the class on the Launch page: a class of N from the applicants, by matchability or by lottery.

The settings start from the saved design's ``launch.selection`` (the class
size falls back to the pilot size) and change only what this section shows;
the decision itself is recorded under *Choosing the class* above. **Choose
the class** runs :func:`workbench.matching.selection.select_cohort` with the
chosen method and, beside it, the other method on the same size and quotas,
so the best matchable class and a lottery can be compared. Nothing is saved:
the class and the comparison with the pool are offered as downloads.

The comparison with the pool hides groups of fewer than five applicants
(:func:`workbench.privacy.hide_small_groups`). The class itself, one row per
person, is shown and offered for download in the workshop only: in the
published app it would give the hidden groups away, pseudonyms or not.
The settings and the classes chosen are the session's
(:class:`workbench.sessions.selection.SelectionSession`).
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

import traitlets

from workbench.privacy import MIN_GROUP
from workbench.sessions.selection import SelectionSession
from workbench.views.feedback import Notice, guarded
from workbench.views.parts import caption
from workbench.views.shell import PageContext
from workbench.views.tables import csv_download_link, header_words, html_table

#: Rows of the class shown in the page (all of them are in the download).
TABLE_ROWS = 100
#: Said instead of the class list in the published app.
PUBLISHED_CLASS = ("The list of the people chosen is shown in the workshop only: one row per person with their "
                   "department, level and location would give away the groups hidden above.")


def _comparison_shown(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """The comparison as the page shows it: shares as percentages, hidden groups said to be hidden."""
    shown = pd.DataFrame({column: table[column]})
    for name, label in (("applicants", "applicants"), ("selected", "in the class")):
        shown[label] = [("hidden" if h else f"{int(v):,}") for v, h in zip(table[name], table["hidden"])]
    for name, label in (("pool_share", "share of applicants"), ("class_share", "share of the class")):
        shown[label] = ["" if h else f"{v:.0%}" for v, h in zip(table[name], table["hidden"])]
    shown["difference"] = ["" if h else f"{v * 100:+.0f} points" for v, h in zip(table["difference"], table["hidden"])]
    return shown


class SelectionView(w.VBox):
    """Class size, method, quotas and seed; the class chosen, its matchability, the comparison with the pool."""

    def __init__(self, context: PageContext) -> None:
        self.context = context
        self.session = session = SelectionSession(context.workspace)
        applicants = session.applicants
        style = {"description_width": "initial"}
        self.size = w.BoundedIntText(min=1, max=max(applicants, 1), description="Class size",
                                     style=style, layout=w.Layout(width="180px"))
        self.method = w.Dropdown(description="Choose by", style=style, layout=w.Layout(width="300px"),
                                 options=session.method_options)
        self.quotas = w.Text(description="Quotas", style=style,
                             placeholder="e.g. department:<=30%; level:>=2; department=Sales:>=5",
                             layout=w.Layout(width="560px"))
        self.seed = w.BoundedIntText(min=0, max=2**31 - 1, description="Lottery seed",
                                     style=style, layout=w.Layout(width="180px"))
        for name in ("size", "method", "quotas", "seed"):
            traitlets.link((session, name), (getattr(self, name), "value"))
        self.choose_button = w.Button(description="Choose the class", button_style="primary", icon="users",
                                      layout=w.Layout(width="auto"))
        self.choose_button.on_click(self._on_choose)
        self.notice = Notice()
        self.summary = w.HTML()
        self.methods = w.HTML()
        self.attribute = w.Dropdown(description="Compare by", style=style, layout=w.Layout(width="300px"))
        self.attribute.observe(self._on_attribute, names="value")
        self.comparison = w.HTML()
        self.class_table = w.HTML()
        self.download = w.HTML()
        row = dict(layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.results = w.VBox([
            self.summary, self.methods,
            w.HTML("<h4>The class against the applicant pool</h4>"), self.attribute, self.comparison,
            w.HTML(caption(f"Groups of fewer than {MIN_GROUP} applicants are hidden, and enough others that they cannot be "
                     "worked out from the totals.")),
            w.HTML("<h4>The class</h4>"), self.class_table, self.download,
        ])
        self.results.layout.display = "none"
        intro = (f"The current cohort has {applicants:,} eligible mentee applicant{'s' if applicants != 1 else ''}. "
                 "Choose a class of them: the best matchable class finds, exactly, the class that meets the quotas "
                 "and that the mentors can take at once with the best pair scores (mentor capacity, the design's "
                 "hard rules and criteria); the lottery draws a seeded random order and admits applicants in turn "
                 "while the quotas can still be met. Quotas: COLUMN:<=30% or COLUMN:>=2 for every value of a "
                 "column, COLUMN=VALUE:>=5 for one group; separate them with semicolons. Sensitive columns need the "
                 "design's opt-in. Nothing here is saved; record the choice under Choosing the class above. Matching "
                 "takes the cohort in enrolment.csv as it is: once the class is admitted, leave out of the enrolment "
                 "the applicants who were not (people may still decline, so the class is not applied for you). The "
                 "outcome model does not quantify how the choice of method changes outcomes.")
        super().__init__([
            w.HTML("<h3>Choose the class</h3>"), w.HTML(caption(intro)),
            w.HBox([self.size, self.method, self.seed], **row), w.HBox([self.quotas, self.choose_button], **row),
            self.notice, self.results,
        ])
        self.add_class("wb-selection")

    @guarded("choose the class", button="choose_button")
    def _on_choose(self, _button: object = None) -> None:
        self.results.layout.display = "none"  # an earlier class must not stand under a refusal of this one
        self.session.choose()
        self._render()

    def _render(self) -> None:
        result = self.session.result
        self.summary.value = "".join(f"<p>{html.escape(line)}</p>" for line in result.summary_lines())
        self.methods.value = (html_table(self.session.methods_table())
                              + caption("Both methods on the same class size and quotas. Matchable at once: "
                                         "mentees of the class the mentors can take together; pair scores run "
                                         "from 0 (no fit) to 1 (perfect)."))
        current = self.attribute.value
        self.attribute.unobserve(self._on_attribute, names="value")
        self.attribute.options = [(header_words(a), a) for a in result.attributes]
        self.attribute.value = current if current in result.attributes else next(iter(result.attributes), None)
        self.attribute.observe(self._on_attribute, names="value")
        self._on_attribute()
        report = csv_download_link(result.report(), "class_vs_pool.csv", "Download the comparison with the pool (CSV)")
        if self.session.people.published:  # one row per person with their groups would give the hidden groups away
            self.class_table.value = caption(PUBLISHED_CLASS)
            self.download.value = report
        else:
            table = result.table()
            self.class_table.value = html_table(table.round({"best_score": 2}), limit=TABLE_ROWS)  # as pair scores
            self.download.value = csv_download_link(table, "class.csv", "Download the class (CSV)") + " " + report
        self.results.layout.display = None

    def _on_attribute(self, _change: object = None) -> None:
        column = self.attribute.value
        if self.session.result is None or not column:
            self.comparison.value = ""
            return
        self.comparison.value = html_table(_comparison_shown(self.session.result.comparison(column), column))

