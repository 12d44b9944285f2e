"""Every program of a workspace matched together on the Matching page (:class:`ProgramsPanel`).

A workspace with several programs (peer, senior and reverse tiers, say) shares
its mentors' time between them: the Matching page's own settings match the
program chosen in the header as if it were alone, with every mentor's full
places; this panel matches all of them with
:func:`workbench.matching.match_programs`, jointly (one exact solve) or in a
priority order, and shows per program who is matched and how the mentors'
places were shared. It shows figures about programs only (no person), so it
is the same in the published app, where only **Save** is missing. Its parts
(:class:`ProgramsOrder`, :func:`every_program`) serve the What-if page's All
programs forecast too.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as w
import pandas as pd

from workbench.data.importing import checked_tables
from workbench.design.catalogue import structure_label
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.matching import ProgramsMatch, match_programs, save_programs_matching
from workbench.matching.names import method_label
from workbench.privacy import published_mode
from workbench.programs import load_programs, program_ids
from workbench.workspace import Workspace
from workbench.views.feedback import Notice, guarded
from workbench.views.shell import PageContext
from workbench.views.tables import html_table

#: What "all programs" means, said on the page.
ALL_MEANS = (
    "All programs means every program of this workspace matched on the same cohort. A mentor's capacity on their "
    "enrolment row is their total across programs, and a mentee is matched in at most one program that shares "
    "mentors. One-on-one (and functional and mosaic) programs share the mentors' places; group, flash, peer and "
    "reverse programs are matched on their own and take none of them. Jointly: one exact solve that matches the "
    "most mentees with the best total score over all programs (each program's own method does not apply). In "
    "priority order: each program in turn with its own method, on the places the ones before it left.")


#: What a page that takes one program at a time says about all of them.
ONE_AT_A_TIME = {
    "What-if": ("simulates the program {program} alone: its design and the people its enrolment puts in it, as "
                "if its mentors did not give time to the other programs. The All programs section below forecasts "
                "every program together, with the mentors' places and time shared between them."),
    "Evaluate": ("evaluates the participants of the program {program}: its enrolled mentees (the enrolment's program "
                 "column, blank = every program), its design and its saved matching. The All programs section at the "
                 "bottom evaluates each program on its own, totals what adds up (cost, avoided exits, ROI) and "
                 "pools retention over all of them, each person counted once; their designs and cadences differ, "
                 "so meetings against the cadence are not pooled."),
}


def scope_note(workspace: Workspace, page: str) -> w.HTML:
    """A line saying which program the page takes and what it does not do for all of them (empty with one)."""
    ids = program_ids(workspace)
    if len(ids) < 2:
        return w.HTML()
    text = f"This workspace has {len(ids)} programs ({', '.join(ids)}). This page " + ONE_AT_A_TIME[page].format(
        program=workspace.program_id)
    return w.HTML(f"<p class='wb-scope-note' role='note'>{html.escape(text)}</p>")


def every_program(workspace: Workspace) -> tuple[dict[str, pd.DataFrame], dict[str, ProgramDesign]]:
    """The workspace's tables (every program's enrolment) and each program's design, by id in priority order."""
    return checked_tables(workspace), {p: program.design for p, program in load_programs(workspace).items()}


class ProgramsOrder(w.HBox):
    """How every program is matched together: jointly, or in a priority order typed as program ids."""

    def __init__(self, programs: Sequence[str], verb: str = "Match") -> None:
        style = {"description_width": "initial"}
        self.mode = w.ToggleButtons(options=[("Jointly", "joint"), ("In priority order", "priority")],
                                    value="joint", description=verb, style=style)
        self.order = w.Text(value=", ".join(programs), description="Priority order", style=style,
                            layout=w.Layout(width="420px"),
                            placeholder="program ids, first served first, separated by commas")
        self.mode.observe(self._on_mode, names="value")
        self._on_mode()
        super().__init__([self.mode, self.order], layout=w.Layout(flex_flow="row wrap", align_items="center"))

    def _on_mode(self, _change: object = None) -> None:
        self.order.layout.display = "" if self.mode.value == "priority" else "none"

    def chosen(self) -> tuple[str, list[str] | None]:
        """The mode and, in priority order, the ids typed (``None`` when jointly)."""
        if self.mode.value != "priority":
            return self.mode.value, None
        return self.mode.value, [p.strip() for p in self.order.value.split(",") if p.strip()]


class ProgramsPanel(w.VBox):
    """Match every program of the workspace together: mode, order, the outcome per program, save."""

    def __init__(self, context: PageContext) -> None:
        self.context = context
        self.programs = load_programs(context.workspace)
        self.found: ProgramsMatch | None = None
        self.how = ProgramsOrder(list(self.programs))
        self.mode, self.order = self.how.mode, self.how.order
        self.match_button = w.Button(description="Match all programs", icon="sitemap", button_style="primary",
                                     layout=w.Layout(width="auto"))
        self.match_button.on_click(self._on_match)
        self.save_button = None
        if not published_mode():
            self.save_button = w.Button(description="Save every program's matching", icon="save",
                                        layout=w.Layout(width="auto"),
                                        tooltip="Each program's pairs into its own results/, in one undoable save")
            self.save_button.on_click(self._on_save)
            self.save_button.disabled = True
        self.notice = Notice()
        self.outcome = w.HTML()
        listed = ", ".join(f"{p} ({html.escape(program.design.name)})" for p, program in self.programs.items())
        super().__init__([
            w.HTML(f"<h3>All programs</h3><p>This workspace has {len(self.programs)} programs: {listed}. The "
                   f"settings above match the program <b>{html.escape(context.workspace.program_id)}</b> alone, "
                   "as if no other program used its mentors' places.</p>"
                   f"<p class='wb-caption'>{html.escape(ALL_MEANS)}</p>"),
            self.how,
            w.HBox([c for c in (self.match_button, self.save_button) if c is not None]),
            self.notice, self.outcome,
        ])
        self.add_class("wb-programs-panel")

    @guarded("match every program", button="match_button")
    def _on_match(self, _button: w.Button) -> None:
        tables, designs = every_program(self.context.workspace)
        mode, order = self.how.chosen()
        self.found = match_programs(tables, designs, mode=mode, order=order)
        self.outcome.value = outcome_html(self.found)
        if self.save_button is not None:
            self.save_button.disabled = False

    @guarded("save every program's matching", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        if self.found is None:
            raise WorkbenchError("Press Match all programs first: there is nothing to save.")
        self.context.workspace = save_programs_matching(self.context.workspace, self.found)
        self.notice.show(f"Saved the matchings of {', '.join(self.found.order)} in the workspace (each in its own "
                         "results/ folder; undo restores the last).", "success")


def outcome_html(found: ProgramsMatch) -> str:
    """The outcome per program and the shared places, as the panel shows it (figures about programs only)."""
    summary = found.summary
    table = pd.DataFrame({
        "program": summary["program"], "design": summary["name"],
        "structure": summary["structure"].map(structure_label),
        # jointly, the programs that share places are solved together and their own methods do not apply
        "method": [("one joint solve" if found.mode == "joint" and shares else method_label(m))
                   for m, shares in zip(summary["method"], summary["shares_places"])],
        "shares mentor places": summary["shares_places"].map({True: "yes", False: "no, matched on its own"}),
        "mentees": summary["mentees"].astype(int), "matched": summary["matched_mentees"].astype(int),
        "match rate": summary["match_rate"].map("{:.0%}".format),
        "mean score": summary["mean_score"].map(lambda x: "–" if pd.isna(x) else f"{x:.2f}"),
        "mentor places used": pd.array([int(n) if shares else pd.NA
                                        for n, shares in zip(summary["places_used"], summary["shares_places"])],
                                       dtype="Int64")})
    lines = found.lines()
    return (f"<p><b>{html.escape(lines[0])}</b></p>" + html_table(table)
            + "".join(f"<p>{html.escape(line)}</p>" for line in lines[1 + len(found.summary):]))
