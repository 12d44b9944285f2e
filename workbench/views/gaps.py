"""The Skill gaps page: where the organisation falls short of its goals, and who could help.

People are named through :class:`workbench.privacy.PersonLabels`: under
pseudonyms in the published app, where the focus skills are shown but cannot
be saved (there is no Save button).
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from workbench.charts.gaps import (
    gap_heatmap,
    gap_heatmap_caption,
    gap_profile_chart,
    gap_profile_caption,
    prioritised_gaps_caption,
    prioritised_gaps_chart,
    supply_demand_caption,
    supply_demand_chart,
)
from workbench.design.model import ProgramDesign
from workbench.design.store import load_design, save_design
from workbench.gaps import (
    aggregate,
    coverage,
    filter_gaps,
    gap_profile,
    mentor_invitations,
    person_gaps,
    prioritised_gaps,
    readiness,
    supply_demand,
    top_mentees,
)
from workbench.errors import WorkbenchError
from workbench.privacy import PersonLabels, hide_small_groups, published_mode
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, guarded
from workbench.views.shell import PageContext
from workbench.views.tables import csv_download_link, html_table

ALL = "__all__"


class GapsView(w.VBox):
    """Filters, the gap charts with captions, supply and demand, and the program's focus skills."""

    def __init__(self, context: PageContext) -> None:
        self.context = context
        workspace = context.workspace
        missing = [t for t in ("people", "skills", "requirements") if not workspace.table_path(t).is_file()]
        if missing:
            raise WorkbenchError(f"The skill-gap analysis needs {', '.join(m + '.csv' for m in missing)} in the "
                                 f"workspace {workspace.name!r}: import them on the Start page.")
        self.tables = {name: workspace.read_table(name) for name in workspace.tables()}
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
        self.scarce.observe(lambda _c: self._render_invitations(), names="value")
        self.person = w.Combobox(placeholder="Type a pseudonym" if self.people.published
                                 else "Type a person id or name", description="Person",
                                 ensure_option=True, style={"description_width": "initial"})
        self._person_ids: dict[str, str] = {}
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

        self.heatmap = chart_widget(gap_heatmap(pd.DataFrame(), self.skills))
        self.priority_chart = chart_widget(prioritised_gaps_chart(pd.DataFrame()))
        self.supply_chart = chart_widget(supply_demand_chart(pd.DataFrame()))
        self.profile_chart = chart_widget(gap_profile_chart(pd.DataFrame(), self.skills))

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
        self.focus.value = tuple(self.design.align.focus_skills) or tuple(
            prioritised_gaps(self.all_gaps, self.skills, top=5)["skill_id"])
        self._render()

    def _selected(self) -> pd.DataFrame:
        low, high = self.levels.value
        return filter_gaps(self.all_gaps, goal=None if self.goal.value == ALL else self.goal.value,
                           departments=() if self.department.value == ALL else (self.department.value,),
                           level_min=low, level_max=high)

    @guarded("update the analysis")
    def _on_filter(self, _change: object) -> None:
        self._render()

    def _render(self) -> None:
        gaps = self._selected()
        known = coverage(gaps)
        people = gaps["person_id"].nunique()
        share = "no required skills" if known["share"] is None else f"{known['share']:.0%}"
        self.summary.value = (
            f"<p class='wb-facts'>{people:,} people in this selection need {known['required']:,} skill levels; "
            f"{known['assessed']:,} are assessed ({share}). Unknown levels are left out of every figure, never "
            "counted as a gap or as no gap.</p>")
        by_cell = aggregate(gaps, ["department", "skill_id"])
        self.heatmap.chart = gap_heatmap(by_cell, self.skills)
        self.heatmap_caption.value = _caption(gap_heatmap_caption(by_cell, self.skills))
        ranked = prioritised_gaps(gaps, self.skills)
        self.priority_chart.chart = prioritised_gaps_chart(ranked)
        self.priority_caption.value = _caption(prioritised_gaps_caption(ranked))
        self.priority_table.value = html_table(ranked[["rank", "name", "reason"]], limit=10)
        ready = readiness(gaps, self.tables.get("goals")).assign(
            ready_share=lambda f: f["ready_share"].map(lambda v: "" if pd.isna(v) else f"{v:.0%}"))
        ready = hide_small_groups(ready, ["goal_id", "name"]).drop(columns="hidden")
        self.readiness_table.value = html_table(ready.rename(columns={
            "goal_id": "goal", "people": "people in scope", "fully_assessed": "all skills assessed",
            "ready": "ready", "ready_share": "ready (share)", "unknown": "with unknown skills"}))
        supply = supply_demand(gaps, self.tables, design=self.design)
        self.supply_chart.chart = supply_demand_chart(supply)
        self.supply_caption.value = _caption(supply_demand_caption(supply))
        shortages = supply[supply["status"] == "shortage"]
        self.scarce.options = [(row.name, row.skill_id) for row in shortages.itertuples()] or [("No shortages", None)]
        self.scarce.value = self.scarce.options[0][1]
        self._render_invitations()
        mentees = top_mentees(gaps, self.tables, design=self.design, n=15)
        self.mentees.value = html_table(self.people.table(mentees.assign(
            total_weighted_gap=mentees["total_weighted_gap"].round(1),
            enrolled=mentees["enrolled"].map({True: "yes", False: "no"}))))
        ids = list(gaps.drop_duplicates("person_id")["person_id"])
        self._person_ids = dict(zip(self.people.labels(ids), ids))
        self.person.options = tuple(self._person_ids)
        self._render_profile()
        self.download.value = csv_download_link(
            self.people.table(gaps[["person_id", "skill_id", "current", "target", "gap", "weighted_gap"]]),
            "gaps.csv", "Download the gaps of this selection (CSV)")

    def _render_invitations(self) -> None:
        if self.scarce.value is None:
            self.invitations.value = "<p>No skill is short of mentors in this selection.</p>"
            return
        invited = mentor_invitations(self._selected(), self.tables, self.scarce.value, design=self.design, n=8)
        self.invitations.value = (html_table(self.people.table(invited)) if len(invited)
                                  else "<p>Nobody outside the program is proficient enough to mentor this skill.</p>")

    def _render_profile(self) -> None:
        chosen = self._person_ids.get(self.person.value or "", "")
        if not chosen:
            chosen = self._selected().sort_values("weighted_gap", ascending=False)["person_id"].head(1)
            chosen = chosen.iloc[0] if len(chosen) else ""
        profile = self.people.table(gap_profile(self.all_gaps, chosen)) if chosen else pd.DataFrame()
        self.profile_chart.chart = gap_profile_chart(profile, self.skills)
        self.profile_caption.value = _caption(gap_profile_caption(profile, self.skills))

    @guarded("save the focus skills", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        design = load_design(self.context.workspace)
        data = design.model_dump(mode="python")
        data["align"]["focus_skills"] = tuple(self.focus.value)
        updated = ProgramDesign.model_validate(data)
        self.context.workspace = save_design(self.context.workspace, updated, message="save the focus skills")
        self.design = updated
        self.notice.show(f"Saved {len(self.focus.value)} focus skills in the design.", "success")


def _caption(text: str) -> str:
    return f"<p class='wb-caption'>{html.escape(text)}</p>"
