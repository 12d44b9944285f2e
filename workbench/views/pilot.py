"""The pilot design on the Launch page: draw the allocation, download it, freeze the evaluation plan.

The design is chosen under *Pilot design* above (``launch.pilot``) and saved with the design.
**Draw the allocation** runs :func:`workbench.evaluate.plan.plan_for` on the saved design and the
current cohort: a randomised waitlist's seeded draw (who is offered a place now, who waits for the
next cohort), or a staggered roll-out's order of clusters. Nothing is saved by drawing; the list
downloads as a spreadsheet-safe CSV. **Freeze the plan** saves the plan (design, allocation,
objectives, horizon, analysis) in the workspace in one undoable save
(:func:`workbench.evaluate.plan.freeze_plan`); Evaluate then follows it. Bad input (fewer
applicants than places, one cluster) is said in the page and nothing is saved. The list of people
is shown and offered in the workshop only, as the class is (:mod:`workbench.views.selection`).
The plan drawn and its freeze are the session's (:class:`workbench.sessions.pilot.PilotSession`).
"""

from __future__ import annotations

import html

import ipywidgets as w

from workbench.privacy import published_mode
from workbench.sessions.pilot import PilotSession
from workbench.views.feedback import Notice, guarded
from workbench.views.parts import caption
from workbench.views.shell import PageContext
from workbench.views.tables import csv_download_link, html_table

#: Rows of the allocation shown in the page (all of them are in the download).
TABLE_ROWS = 60
PUBLISHED_LIST = ("The list of who was offered a place is shown in the workshop only; the counts above are the "
                  "allocation's.")


class PilotView(w.VBox):
    """The saved pilot design, its allocation drawn on the current cohort, and the frozen evaluation plan."""

    def __init__(self, context: PageContext) -> None:
        self.context = context
        self.session = PilotSession(context.workspace)
        self.session.observe(self._on_workspace, names="workspace")
        self.draw_button = w.Button(description="Draw the allocation", button_style="primary", icon="random",
                                    layout=w.Layout(width="auto"))
        self.draw_button.on_click(self._on_draw)
        self.freeze_button = w.Button(description="Freeze the plan", button_style="success", icon="lock",
                                      layout=w.Layout(width="auto"), disabled=True)
        self.freeze_button.on_click(self._on_freeze)
        self.freeze_button.layout.display = "none" if published_mode() else None
        self.notice = Notice()
        self.frozen = w.HTML()
        self.summary = w.HTML()
        self.allocation = w.HTML()
        self.download = w.HTML()
        intro = ("Save the pilot design above first. Draw the allocation to see it on the current cohort's eligible "
                 "mentee applicants: with a randomised waitlist, a seeded draw offers the places and the others "
                 "join the next cohort; with a staggered roll-out, the departments or sites are drawn to start "
                 "steps. The same seed always gives the same draw. Freeze the plan before the cohort starts: it "
                 "records the design, the allocation, the objectives, the horizon and the analysis, so Evaluate "
                 "analyses the design that was run and reports any deviation from it. The outcome model does not "
                 "use the pilot design.")
        super().__init__([w.HTML("<h3>Pilot design and evaluation plan</h3>"), w.HTML(caption(intro)), self.frozen,
                          w.HBox([self.draw_button, self.freeze_button]), self.notice, self.summary,
                          self.allocation, self.download])
        self.add_class("wb-pilot")
        self._show_frozen()

    def _on_workspace(self, change: dict) -> None:
        self.context.workspace = change["new"]  # saved with the plan

    def _show_frozen(self) -> None:
        frozen = self.session.frozen()
        if frozen is None:
            self.frozen.value = caption("No evaluation plan is frozen yet.")
            return
        self.frozen.value = ("<h4>The frozen plan</h4>"
                             + "".join(f"<p>{html.escape(line)}</p>" for line in frozen.lines())
                             + caption(f"Frozen on {frozen.frozen_on.isoformat()}; undo the save of the plan to "
                                        "freeze another."))

    @guarded("draw the allocation", button="draw_button")
    def _on_draw(self, _button: object = None) -> None:
        self.freeze_button.disabled = True
        self.summary.value = self.allocation.value = self.download.value = ""
        plan = self.session.draw()
        # the headline names the design with its settings; the plan's own first line says the same in short
        self.summary.value = (f"<p><b>Cohort {html.escape(plan.cohort)}: {html.escape(self.session.design_words)}"
                              "</b></p>" + "".join(f"<p>{html.escape(line)}</p>" for line in plan.lines()[1:]))
        table = plan.allocation
        name = f"allocation-cohort-{plan.cohort}.csv"
        if "cluster" in table:
            self.allocation.value = html_table(table.rename(columns={"starts_month": "starts (month)"}))
            self.download.value = csv_download_link(table, name, "Download the order (CSV)")
        elif len(table.columns) > 1:
            if self.session.people.published:
                self.allocation.value = caption(PUBLISHED_LIST)
            else:
                shown = table.sort_values("draw", kind="stable")
                labels = self.session.people.labels(shown["person_id"])
                self.allocation.value = html_table(shown.assign(person_id=labels),
                                                   limit=TABLE_ROWS)  # named as the other pages name people
                self.download.value = csv_download_link(shown, name, "Download the allocation (CSV)")
        self.freeze_button.disabled = published_mode()

    @guarded("freeze the evaluation plan")  # not button=: the guard would enable it again once frozen
    def _on_freeze(self, _button: object = None) -> None:
        self.freeze_button.disabled = True  # until the next draw: a plan is frozen once, and a failed try says why
        plan = self.session.freeze()
        self._show_frozen()
        self.notice.show(f"Froze the evaluation plan of cohort {plan.cohort}. Undo the last save of the plan "
                         "to change it.", "success")
