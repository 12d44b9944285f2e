"""The Skill gaps page: where the organisation falls short of its goals, and who could help.

People are named through :class:`workbench.privacy.PersonLabels`: under
pseudonyms in the published app, where the focus skills are shown but cannot
be saved (there is no Save button).

What the page holds and works out (the selection, its figures with small
groups hidden, the invitations, the focus skills' save) is its session,
:class:`workbench.sessions.gaps.GapsSession`; this view links the filters to it
and draws its :class:`~workbench.sessions.gaps.GapFigures`.
"""

from __future__ import annotations

import html

import ipywidgets as w

from workbench.charts.gaps import (
    gap_heatmap_and_caption,
    gap_profile_and_caption,
    prioritised_gaps_and_caption,
    small_demand_note,
    supply_demand_and_caption,
)
from workbench.privacy import published_mode
from workbench.sessions.gaps import GapsSession
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, guarded
from workbench.views.parts import caption
from workbench.views.shell import PageContext
from workbench.views.tables import csv_download_link, html_table

#: Profiles kept drawn (the top person of the selections seen last, or people picked).
_PROFILES_KEPT = 16


class GapsView(w.VBox):
    """Filters, the gap charts with captions, supply and demand, and the program's focus skills.

    A filter change works on the gaps computed when the page opened (a selection
    of their rows) and on what supply and demand need from the tables, worked out
    once per design (:class:`workbench.gaps.MentorSupply`); every chart is updated
    in place. The profile is redrawn only when its person changes.
    """

    def __init__(self, context: PageContext) -> None:
        self.context = context
        self.session = session = GapsSession(context.workspace)
        session.observe(self._on_workspace, names="workspace")
        style = {"description_width": "initial"}
        self.goal = w.Dropdown(options=session.goal_options, description="Goal", style=style)
        self.department = w.Dropdown(options=session.department_options, description="Department", style=style)
        low, high = session.whole_levels
        self.levels = w.IntRangeSlider(value=(low, high), min=low, max=max(high, low + 1), description="Levels",
                                       continuous_update=False, style=style)
        for control in (self.goal, self.department, self.levels):
            control.observe(self._on_filter, names="value")

        self.summary = w.HTML()
        self.heatmap_caption, self.priority_caption = w.HTML(), w.HTML()
        self.supply_caption, self.profile_caption = w.HTML(), w.HTML()
        self.priority_table, self.readiness_table = w.HTML(), w.HTML()
        self.invitations, self.mentees, self.download = w.HTML(), w.HTML(), w.HTML()
        self.scarce = w.Dropdown(description="Invite mentors for", style={"description_width": "initial"})
        self.scarce.observe(self._on_scarce, names="value")
        self._rendering = False
        self.person = w.Combobox(placeholder="Type a pseudonym" if session.people.published
                                 else "Type a person id or name", description="Person",
                                 ensure_option=True, style={"description_width": "initial"})
        self._profile_of: str | None = None  # whose profile the chart shows
        self._profiles: dict[str, tuple] = {}  # profile charts and captions drawn, by person id
        self.person.observe(lambda _c: self._render_profile(), names="value")

        self.focus = w.SelectMultiple(options=session.skill_options,
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
        self.focus.value = session.focus_skills
        self._render()  # the charts are created with their first figures
        session.observe(self._render, names="figures")

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

    def _on_workspace(self, change: dict) -> None:
        self.context.workspace = change["new"]  # saved with the focus skills

    @guarded("update the analysis")
    def _on_filter(self, _change: object) -> None:
        session = self.session
        session.goal, session.department, session.levels = self.goal.value, self.department.value, self.levels.value

    def _show(self, name: str, chart: object) -> None:
        """Chart widget ``name`` shows ``chart``: created the first time, then updated in place."""
        widget = getattr(self, name)
        if widget is None:
            setattr(self, name, chart_widget(chart))
        else:
            widget.chart = chart

    def _render(self, _change: object = None) -> None:
        self._rendering = True
        try:
            self._render_selection()
        finally:
            self._rendering = False

    def _render_selection(self) -> None:
        figures = self.session.figures
        known = figures.coverage
        share = "no required skills" if known["share"] is None else f"{known['share']:.0%}"
        self.summary.value = (
            f"<p class='wb-facts'>{figures.people:,} people in this selection need {known['required']:,} skill "
            f"levels; {known['assessed']:,} are assessed ({share}). Unknown levels are left out of every figure, "
            "never counted as a gap or as no gap.</p>" if not figures.hidden_because else
            f"<p class='wb-facts'>{html.escape(figures.hidden_because)} Widen the filters.</p>")
        chart, text = gap_heatmap_and_caption(figures.cells, self.session.skills)
        self._show("heatmap", chart)
        self.heatmap_caption.value = caption(text)
        chart, text = prioritised_gaps_and_caption(figures.ranked)
        self._show("priority_chart", chart)
        self.priority_caption.value = caption(text)
        self.priority_table.value = html_table(figures.ranked[["rank", "name", "reason"]], limit=10)
        self.readiness_table.value = html_table(figures.readiness)
        chart, text = supply_demand_and_caption(figures.supply)
        self._show("supply_chart", chart)
        self.supply_caption.value = caption(" ".join(filter(None, (text, small_demand_note(figures.supply_hidden)))))
        # a real value: a Dropdown whose value is None shows nothing at all
        self.scarce.options = figures.shortages or [("No shortages", "")]
        self.scarce.value = self.scarce.options[0][1]
        self._render_invitations()
        self.mentees.value = html_table(self.session.top_mentees())
        self.person.options = tuple(figures.person_ids)
        self._render_profile()
        self.download.value = csv_download_link(self.session.gaps_table(), "gaps.csv",
                                                "Download the gaps of this selection (CSV)")

    def _on_scarce(self, _change: object) -> None:
        if not self._rendering:  # a render lists the invitations once, when it has set the choice
            self._render_invitations()

    def _render_invitations(self) -> None:
        if not self.scarce.value:
            hidden = self.session.figures.supply_hidden
            self.invitations.value = (
                "<p>No skill is short of mentors in this selection.</p>" if not hidden else
                f"<p>No skill shown is short of mentors; the supply of {hidden} more "
                f"skill{'' if hidden == 1 else 's'} is hidden (fewer than five mentees in this selection need "
                f"{'it' if hidden == 1 else 'them'}, or another selection would give them away), so widen the "
                "filters to see it.</p>")
            return
        invited = self.session.invitations(self.scarce.value)
        self.invitations.value = (html_table(invited) if len(invited)
                                  else "<p>Nobody outside the program is proficient enough to mentor this skill.</p>")

    def _render_profile(self) -> None:
        chosen = self.session.figures.person_ids.get(self.person.value or "", "") or self.session.default_person()
        if self.profile_chart is not None and chosen == self._profile_of:
            return  # the profile comes from every gap, not the selection: it is already shown
        if chosen not in self._profiles:
            profile = self.session.profile(chosen)
            if len(self._profiles) >= _PROFILES_KEPT:
                self._profiles.pop(next(iter(self._profiles)))
            self._profiles[chosen] = gap_profile_and_caption(profile, self.session.skills)
        chart, text = self._profiles[chosen]
        self._show("profile_chart", chart)
        self.profile_caption.value = caption(text)
        self._profile_of = chosen

    @guarded("save the focus skills", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        self.session.save_focus(tuple(self.focus.value))
        self.notice.show(f"Saved {len(self.focus.value)} focus skills in the design.", "success")
