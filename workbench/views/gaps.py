"""The Skill gaps page: where the organisation falls short of its goals, and who could help.

People are named through :class:`workbench.privacy.PersonLabels`: under
pseudonyms in the published app, where the focus skills are shown but cannot
be saved (there is no Save button).

Small groups under the filters: a selection's figures must not give a group of
fewer than five away, alone or compared with another selection's (all
departments against one, levels 1-7 against 1-6). The page applies two rules:

* Department (levels and goals left whole): every figure is the unfiltered
  page's, hidden as the unfiltered page hides it. The heat map's cells and the
  ranking's skills of a department are its cells in the whole map
  (:data:`workbench.gaps.GAP_CELL_MARGINS`); a department's summary, readiness
  per goal and mentee demand per skill are hidden when the breakdown of all
  departments hides them (:func:`workbench.privacy.hide_small_groups`, so all
  departments minus the ones shown gives nothing away either).
* Level or goal: a figure is shown only when every department x level x goals
  piece it adds up holds none or at least five people
  (:func:`workbench.gaps.hide_split_groups`), since any two ranges or goals
  can be subtracted. Most figures of small departments are then hidden, and
  the page says so.

A selection of fewer than five people shows nothing but the message.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from workbench.charts.gaps import (
    gap_heatmap_and_caption,
    gap_profile_and_caption,
    prioritised_gaps_and_caption,
    small_demand_note,
    supply_demand_and_caption,
)
from workbench.data.importing import checked_tables
from workbench.design.model import ProgramDesign
from workbench.design.store import load_design, save_design
from workbench.gaps import (
    GAP_CELL_MARGINS,
    MentorSupply,
    SupplySelection,
    aggregate,
    coverage,
    filter_gaps,
    gap_profile,
    hide_small_cells,
    hide_small_demand,
    hide_split_groups,
    person_gaps,
    prioritised_gaps,
    readiness,
)
from workbench.errors import WorkbenchError
from workbench.privacy import MIN_GROUP, PersonLabels, hide_small_groups, published_mode
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, guarded
from workbench.views.parts import caption
from workbench.views.shell import PageContext
from workbench.views.tables import csv_download_link, html_table
from workbench.workspace import reread

ALL = "__all__"
#: Profiles kept drawn (the top person of the selections seen last, or people picked).
_PROFILES_KEPT = 16
#: The tables the page reads (when present): people, skills and requirements are needed.
PAGE_TABLES = ("people", "skills", "requirements", "proficiency", "goals", "enrolment")


class GapsView(w.VBox):
    """Filters, the gap charts with captions, supply and demand, and the program's focus skills.

    A filter change works on the gaps computed when the page opened (a selection
    of their rows) and on what supply and demand need from the tables, worked out
    once per design (:class:`workbench.gaps.MentorSupply`); every chart is updated
    in place. The profile is redrawn only when its person changes.
    """

    def __init__(self, context: PageContext) -> None:
        self.context = context
        workspace = context.workspace
        missing = [t for t in ("people", "skills", "requirements") if not workspace.table_path(t).is_file()]
        if missing:
            raise WorkbenchError(f"The skill-gap analysis needs {', '.join(m + '.csv' for m in missing)} in the "
                                 f"workspace {workspace.name!r}: import them on the Start page.")
        self.tables = checked_tables(workspace, PAGE_TABLES)
        self.skills = self.tables["skills"]
        self.people = PersonLabels.for_page(self.tables["people"])
        self.design = load_design(workspace)
        self.all_gaps = person_gaps(self.tables)
        people = self.all_gaps.drop_duplicates("person_id")
        levels = people["level"].dropna().astype(int)
        goals = self.tables.get("goals", pd.DataFrame(columns=["goal_id", "name"]))

        self.goal = w.Dropdown(options=[("All goals", ALL), *[(f"{g.name} ({g.goal_id})", g.goal_id)
                                                              for g in goals.itertuples()]],
                               description="Goal", style={"description_width": "initial"})
        self.department = w.Dropdown(options=[("All departments", ALL),
                                              *[(d, d) for d in sorted(people["department"].unique())]],
                                     description="Department", style={"description_width": "initial"})
        low, high = (int(levels.min()), int(levels.max())) if len(levels) else (1, 1)
        self._whole_levels = (low, high)
        self.levels = w.IntRangeSlider(value=(low, high), min=low, max=max(high, low + 1), description="Levels",
                                       continuous_update=False, style={"description_width": "initial"})
        for control in (self.goal, self.department, self.levels):
            control.observe(self._on_filter, names="value")

        self.summary = w.HTML()
        self.heatmap_caption, self.priority_caption = w.HTML(), w.HTML()
        self.supply_caption, self.profile_caption = w.HTML(), w.HTML()
        self.priority_table, self.readiness_table = w.HTML(), w.HTML()
        self.invitations, self.mentees, self.download = w.HTML(), w.HTML(), w.HTML()
        self.scarce = w.Dropdown(description="Invite mentors for", style={"description_width": "initial"})
        self.scarce.observe(self._on_scarce, names="value")
        self._supply: MentorSupply | None = None
        self._selection: SupplySelection | None = None
        self._supply_hidden = 0  # needed skills whose supply the selection hides
        self._rendering = False
        self.person = w.Combobox(placeholder="Type a pseudonym" if self.people.published
                                 else "Type a person id or name", description="Person",
                                 ensure_option=True, style={"description_width": "initial"})
        self._person_ids: dict[str, str] = {}
        self._profile_of: str | None = None  # whose profile the chart shows
        self._profiles: dict[str, tuple] = {}  # profile charts and captions drawn, by person id
        self.person.observe(lambda _c: self._render_profile(), names="value")

        self.focus = w.SelectMultiple(options=[(row.name, row.skill_id) for row in self.skills.itertuples()],
                                      rows=10, description="Focus skills", style={"description_width": "initial"},
                                      layout=w.Layout(width="520px"))
        self.notice = Notice()
        self.save_button = None
        if published_mode():
            focus_part = [w.HTML("<h3>The program's focus skills</h3><p>The skills the program should grow, as the "
                                 "design records them.</p>"), self.focus]
            self.focus.disabled = True
        else:
            self.save_button = w.Button(description="Save as program focus skills", button_style="primary",
                                        icon="save")
            self.save_button.on_click(self._on_save)
            focus_part = [w.HTML("<h3>The program's focus skills</h3><p>The skills the program should grow; the "
                                 "design, the matching and the brief use them.</p>"), self.focus, self.save_button,
                          self.notice]

        self.heatmap = self.priority_chart = self.supply_chart = self.profile_chart = None
        self._unfiltered_hiding()
        self.focus.value = tuple(self.design.align.focus_skills) or tuple(
            prioritised_gaps(self.all_gaps, self.skills, top=5)["skill_id"])
        self._render()  # the charts are created with their first figures

        filters = w.HBox([self.goal, self.department, self.levels])
        filters.add_class("wb-row")
        super().__init__([
            filters, self.summary,
            w.HTML("<h3>Where the gaps are</h3>"), self.heatmap, self.heatmap_caption,
            w.HTML("<h3>Which gaps matter most</h3>"), self.priority_chart, self.priority_caption,
            self.priority_table,
            w.HTML("<h3>Readiness per goal</h3><p>People in a goal's scope who meet every skill level it "
                   "requires, among those whose skills are all assessed.</p>"), self.readiness_table,
            w.HTML("<h3>Can the mentors supply what the mentees need?</h3>"), self.supply_chart, self.supply_caption,
            self.scarce, self.invitations,
            w.HTML("<h3>Mentees with the largest weighted gaps</h3>"), self.mentees,
            w.HTML("<h3>One person's profile</h3>"), self.person, self.profile_chart, self.profile_caption,
            *focus_part,
            self.download,
        ])
        self.add_class("wb-gaps")

    def _selected(self) -> pd.DataFrame:
        low, high = self.levels.value
        return filter_gaps(self.all_gaps, goal=None if self.goal.value == ALL else self.goal.value,
                           departments=self._departments(), level_min=low, level_max=high)

    def _departments(self) -> tuple[str, ...]:
        return () if self.department.value == ALL else (self.department.value,)

    def _whole(self, departments: tuple[str, ...] | None = None) -> pd.DataFrame:
        """The rows of ``departments`` (the selected one's by default; every department's when empty) with the
        levels and goals left whole."""
        low, high = self._whole_levels
        return filter_gaps(self.all_gaps, departments=self._departments() if departments is None else departments,
                           level_min=low, level_max=high)

    def _split(self) -> bool:
        """Whether a level or goal filter is on (the second rule of the module docstring)."""
        return self.goal.value != ALL or tuple(self.levels.value) != self._whole_levels

    def _unfiltered_hiding(self) -> None:
        """What the page hides with no filter on, per department: heat-map cells, the departments' summaries,
        readiness per goal and mentee demand per skill (the first rule of the module docstring)."""
        whole = self._whole(())
        cells = hide_small_cells(aggregate(whole, ["department", "skill_id"]), ["department", "skill_id"],
                                 margins=GAP_CELL_MARGINS)
        self._hidden_cells = set(zip(cells.loc[cells["hidden"], "department"], cells.loc[cells["hidden"], "skill_id"]))
        people = whole.groupby("department")["person_id"].nunique().rename("people").reset_index()
        shown = hide_small_groups(people, ["department"])
        self._hidden_departments = set(shown.loc[shown["hidden"], "department"])
        goals = self.tables.get("goals")
        ready = pd.concat([readiness(part, goals).assign(department=d) for d, part in whole.groupby("department")]
                          or [pd.DataFrame(columns=["department", "goal_id", "people"])], ignore_index=True)
        ready = hide_small_groups(ready[["department", "goal_id", "people"]], ["department", "goal_id"],
                                  within=["goal_id"])
        self._hidden_ready = set(zip(ready.loc[ready["hidden"], "department"], ready.loc[ready["hidden"], "goal_id"]))
        demand = self._supply_selection(whole).demand_rows
        demand = demand.groupby(["department", "skill_id"])["person_id"].nunique().rename("people").reset_index()
        demand = hide_small_groups(demand, ["department", "skill_id"], within=["skill_id"])
        self._hidden_demand = set(zip(demand.loc[demand["hidden"], "department"],
                                      demand.loc[demand["hidden"], "skill_id"]))

    def _hidden_here(self, hidden: set[tuple[str, str]]) -> set[str]:
        """The second members of ``hidden`` pairs in the selected department (none with all departments)."""
        return {item for department, item in hidden if (department,) == self._departments()}

    @guarded("update the analysis")
    def _on_filter(self, _change: object) -> None:
        self._render()

    def _show(self, name: str, chart: object) -> None:
        """Chart widget ``name`` shows ``chart``: created the first time, then updated in place."""
        widget = getattr(self, name)
        if widget is None:
            setattr(self, name, chart_widget(chart))
        else:
            widget.chart = chart

    def _supply_selection(self, gaps: pd.DataFrame) -> SupplySelection:
        if self._supply is None or self._supply.design is not self.design:  # the design is replaced when saved
            self._supply = MentorSupply(self.tables, design=self.design)
        return self._supply.selection(gaps)

    def _render(self) -> None:
        self._rendering = True
        try:
            self._render_selection()
        finally:
            self._rendering = False

    def _render_selection(self) -> None:
        gaps = self._selected()
        split = self._split()
        whole = self._whole() if split else None
        known = coverage(gaps)
        people = gaps["person_id"].nunique()
        share = "no required skills" if known["share"] is None else f"{known['share']:.0%}"
        if 0 < people < MIN_GROUP:
            hidden_because = (f"This selection has fewer than {MIN_GROUP} people: its figures are hidden to protect "
                              "them.")
        elif split and people and hide_split_groups(whole)["hidden"].iloc[0]:
            hidden_because = (f"Some departments and levels in this selection have fewer than {MIN_GROUP} people: "
                              "under a level or goal filter the selection's totals are hidden, since comparing them "
                              "with another selection's would give those people away.")
        elif not split and set(self._departments()) & self._hidden_departments:
            hidden_because = (f"hidden: fewer than {MIN_GROUP} people, or it would reveal a smaller department "
                              "(all departments minus the others shown).")
        else:
            hidden_because = ""
        self.summary.value = (
            f"<p class='wb-facts'>{people:,} people in this selection need {known['required']:,} skill levels; "
            f"{known['assessed']:,} are assessed ({share}). Unknown levels are left out of every figure, never "
            "counted as a gap or as no gap.</p>" if not hidden_because else
            f"<p class='wb-facts'>{html.escape(hidden_because)} Widen the filters.</p>")
        by_cell = aggregate(gaps, ["department", "skill_id"])
        cells = list(zip(by_cell["department"], by_cell["skill_id"]))
        hidden_cells = [cell in self._hidden_cells for cell in cells]
        if split:
            pieces = hide_split_groups(whole, ["department", "skill_id"])
            cut = set(zip(pieces.loc[pieces["hidden"], "department"], pieces.loc[pieces["hidden"], "skill_id"]))
            hidden_cells = [h or cell in cut for h, cell in zip(hidden_cells, cells)]
        chart, text = gap_heatmap_and_caption(by_cell.assign(hidden=hidden_cells), self.skills)
        self._show("heatmap", chart)
        self.heatmap_caption.value = caption(text)
        hide = self._hidden_here(self._hidden_cells)
        if split:
            pieces = hide_split_groups(whole, ["skill_id"])
            hide |= set(pieces.loc[pieces["hidden"], "skill_id"])
        ranked = prioritised_gaps(gaps, self.skills, hide=sorted(hide))
        chart, text = prioritised_gaps_and_caption(ranked)
        self._show("priority_chart", chart)
        self.priority_caption.value = caption(text)
        self.priority_table.value = html_table(ranked[["rank", "name", "reason"]], limit=10)
        ready = readiness(gaps, self.tables.get("goals")).assign(
            ready_share=lambda f: f["ready_share"].map(lambda v: "" if pd.isna(v) else f"{v:.0%}"))
        ready = hide_small_groups(ready, ["goal_id", "name"])
        # per goal: a department's as the breakdown of all departments hides it; under a level or goal filter
        # every goal's figures add up the pieces of the summary
        ready["hidden"] |= ready["goal_id"].isin(self._hidden_here(self._hidden_ready)) | (bool(hidden_because)
                                                                                           and split)
        for column in ("people", "fully_assessed", "ready", "ready_share", "unknown"):
            ready[column] = ready[column].astype(object).where(~ready["hidden"], None)
        ready["people"] = ready["people"].where(~ready["hidden"], f"hidden: fewer than {MIN_GROUP} people, or "
                                                                  "they would give a smaller group away")
        self.readiness_table.value = html_table(ready.drop(columns=["hidden", "hidden_small"]).rename(columns={
            "goal_id": "goal", "people": "people in scope", "fully_assessed": "all skills assessed",
            "ready": "ready", "ready_share": "ready (share)", "unknown": "with unknown skills"}))
        self._selection = self._supply_selection(gaps)
        hide = self._hidden_here(self._hidden_demand)
        if split:
            pieces = hide_split_groups(self._supply_selection(whole).demand_rows, ["skill_id"])
            hide |= set(pieces.loc[pieces["hidden"], "skill_id"])
        supply, left_out = hide_small_demand(self._selection.supply_demand(), hide=sorted(hide))
        self._supply_hidden = left_out
        chart, text = supply_demand_and_caption(supply)
        self._show("supply_chart", chart)
        self.supply_caption.value = caption(" ".join(filter(None, (text, small_demand_note(left_out)))))
        shortages = supply[supply["status"] == "shortage"]
        # a real value: a Dropdown whose value is None shows nothing at all
        self.scarce.options = [(row.name, row.skill_id) for row in shortages.itertuples()] or [("No shortages", "")]
        self.scarce.value = self.scarce.options[0][1]
        self._render_invitations()
        mentees = self._selection.top_mentees(n=15)
        self.mentees.value = html_table(self.people.table(mentees.assign(
            total_weighted_gap=mentees["total_weighted_gap"].round(1),
            enrolled=mentees["enrolled"].map({True: "yes", False: "no"}))))
        ids = list(gaps.drop_duplicates("person_id")["person_id"])
        self._person_ids = dict(zip(self.people.labels(ids), ids))
        self.person.options = tuple(self._person_ids)
        self._render_profile(gaps)
        self.download.value = csv_download_link(
            self.people.table(gaps[["person_id", "skill_id", "current", "target", "gap", "weighted_gap"]]),
            "gaps.csv", "Download the gaps of this selection (CSV)")

    def _on_scarce(self, _change: object) -> None:
        if not self._rendering:  # a render lists the invitations once, when it has set the choice
            self._render_invitations()

    def _render_invitations(self) -> None:
        if not self.scarce.value:
            hidden = self._supply_hidden
            self.invitations.value = (
                "<p>No skill is short of mentors in this selection.</p>" if not hidden else
                f"<p>No skill shown is short of mentors; the supply of {hidden} more "
                f"skill{'' if hidden == 1 else 's'} is hidden (fewer than five mentees in this selection need "
                f"{'it' if hidden == 1 else 'them'}, or another selection would give them away), so widen the "
                "filters to see it.</p>")
            return
        if self._selection is None or self._selection.design is not self.design:
            self._selection = self._supply_selection(self._selected())
        invited = self._selection.mentor_invitations(self.scarce.value, n=8)
        self.invitations.value = (html_table(self.people.table(invited)) if len(invited)
                                  else "<p>Nobody outside the program is proficient enough to mentor this skill.</p>")

    def _render_profile(self, gaps: pd.DataFrame | None = None) -> None:
        chosen = self._person_ids.get(self.person.value or "", "")
        if not chosen:
            chosen = (self._selected() if gaps is None else gaps).sort_values("weighted_gap", ascending=False)["person_id"].head(1)
            chosen = chosen.iloc[0] if len(chosen) else ""
        if self.profile_chart is not None and chosen == self._profile_of:
            return  # the profile comes from every gap, not the selection: it is already shown
        if chosen not in self._profiles:
            profile = self.people.table(gap_profile(self.all_gaps, chosen)) if chosen else pd.DataFrame()
            if len(self._profiles) >= _PROFILES_KEPT:
                self._profiles.pop(next(iter(self._profiles)))
            self._profiles[chosen] = gap_profile_and_caption(profile, self.skills)
        chart, text = self._profiles[chosen]
        self._show("profile_chart", chart)
        self.profile_caption.value = caption(text)
        self._profile_of = chosen

    @guarded("save the focus skills", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        # the focus skills onto the design as saved now (edits of other decisions elsewhere stay)
        latest = reread(self.context.workspace)
        data = load_design(latest).model_dump(mode="python")
        data["align"]["focus_skills"] = tuple(self.focus.value)
        updated = ProgramDesign.model_validate(data)
        self.context.workspace = save_design(latest, updated, message="save the focus skills")
        self.design = updated
        self.notice.show(f"Saved {len(self.focus.value)} focus skills in the design.", "success")


