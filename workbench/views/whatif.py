"""The What-if page: try variations of the program design and compare their forecast outcomes.

The **baseline** is the design saved on the design pages. An **alternative**
(a :class:`~workbench.whatif.Scenario`) changes some of its settings
(structure, cohort size, capacity, duration, cadence, training, re-matching,
budget, matching weights ...) or the outcome model's assumptions, and is saved
in the workspace (``scenarios/``; revision-checked like every save). Up to six
scenarios are compared: each is matched and simulated
(:func:`workbench.whatif.run_scenarios`), and the page shows the KPI table
with 95% intervals and P(better than the baseline), the effects with their
intervals, how much single runs vary, who stays month by month, cost against
impact with the efficient frontier (optionally over a sweep of one setting),
which assumptions matter most (tornado), and what it would take to reach a
target. **Save results to the brief** stores the comparison
(``results/whatif.json``), which the design brief shows.

The page's state and logic live in a
:class:`~workbench.sessions.whatif.WhatIfSession`; the view is one class per
section over it (:class:`ScenarioEditor`, :class:`CompareSection`,
:class:`ResultsSection`, :class:`TornadoSection`, :class:`WhatItTakesSection`,
:class:`DesignSearchSection`, :class:`ProgramsSection`, :func:`assumptions_box`).

Long calculations run in a background thread so the page stays live: a
progress bar shows how far they are and **Cancel** stops them between
scenarios. The thread only moves the progress bar; results are drawn back on
the kernel's event loop (chart widgets are not updated from another thread).
Tests pass ``background=False`` to run everything in the calling thread.

A workspace with several programs gets an **All programs** section: every
program matched together on the shared mentors and simulated under its own
design (:func:`workbench.whatif.simulate_programs`), a table per program and
the total, and the exits each avoids; figures about programs only, so the
published app shows it too.

In the published app nothing is saved: there is no Save scenario, Delete
scenario or Save results to the brief. The scenario being edited can be
compared without saving it instead (ticked under Compare as "The settings
above").
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd
import traitlets

from workbench.charts.whatif import (
    KPI_GROUPS,
    distribution_caption,
    distribution_chart,
    effects_caption,
    effects_chart,
    format_effect,
    frontier_caption,
    frontier_chart,
    kpi_scale,
    programs_caption,
    programs_chart,
    survival_caption,
    survival_chart,
    tornado_caption,
    tornado_chart,
)
from workbench.design.catalogue import decision
from workbench.simulate import KPIS, PARAMETERS
from workbench.simulate.mechanisms import not_modelled
from workbench.whatif import BASELINE, FORECAST_MEANS, OBJECTIVE_KPI, SETTINGS, Answer, Optimisation, \
    ProgramsForecast, ScenarioRuns, comparison_display, weight_criterion, weight_setting
from workbench.whatif.analysis import value_text
from workbench.whatif.saved import SAVED_COMPARISON, SavedComparison
from workbench.programs import page_tables
from workbench.sessions.whatif import (
    BASELINE_NAME,
    DEFAULT_RUNS,
    IMPACTS,
    KPI_TARGET,
    MATCHING_SETTINGS,
    MONEY_SETTINGS,
    NEW,
    OPTIONAL,
    PROGRAM_SETTINGS,
    RUN_CHOICES,
    SETTING_LABELS,
    SUPPORT_SETTINGS,
    WhatIfSession,
    cancelled,
    choice_labels,
    entry_text,
    number_text,
    parameter_label,
    setting_label,
)
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, SaveOver, guarded
from workbench.views.parts import Job, JobPanel, Stage, caption, muted_inline, row
from workbench.views.programs import ProgramsOrder, scope_note
from workbench.views.shell import PageContext
from workbench.views.tables import html_table
from workbench.workspace import StaleWorkspaceError

__all__ = ["CompareSection", "DesignSearchSection", "ProgramsSection", "ResultsSection", "ScenarioEditor",
           "TornadoSection", "WhatIfView", "WhatItTakesSection", "assumptions_box"]

PRESS_RUN = "<p class='wb-muted'>Press <b>Run the comparison</b> to see the forecasts.</p>"
#: Designs the optimiser may try, the default, and how many of the frontier are shown side by side.
SEARCH_SIZES = (50, 100, 200, 500)
DEFAULT_SEARCH = 100
SHOWN_DESIGNS = 5
#: What the Cancel button of every calculation on the page does.
STOP_AFTER = "Stop after the scenario being simulated now"
#: The edit hint for each of the session's statuses.
HINTS = {"": "", "unsaved": "<span class='wb-unsaved'>Not saved yet</span>",
         "saved": "<span class='wb-saved'>Saved</span>"}
_LABEL_STYLE = {"description_width": "170px"}
_STYLE = {"description_width": "initial"}


def _step(low: float, high: float) -> float:
    span = max(high - low, 1e-9)
    return float(10 ** np.floor(np.log10(span / 100)))


def _kpi_options() -> list[tuple[str, str]]:
    return [(spec.label, kpi) for kpi, spec in KPIS.items()]


# ---------------------------------------------------------------------------------------------
# Parts shared by the sections


class Field:
    """One setting or model parameter in the editor: its widget and a note beside it (the value is the session's)."""

    def __init__(self, name: str, widget: w.ValueWidget, unit: str = "") -> None:
        self.name, self.widget, self.unit = name, widget, unit
        self.note = w.HTML()
        self.row = w.HBox([widget, self.note], layout=w.Layout(align_items="center"))
        self.row.add_class("wb-row")

    def show(self, value: object) -> None:
        """Put ``value`` in the widget; a slider widens to take a value beyond its end."""
        if isinstance(self.widget, w.FloatSlider) and isinstance(value, (int, float)):
            if value > self.widget.max:
                self.widget.max = float(value)
            if value < self.widget.min:
                self.widget.min = float(value)
        self.widget.value = value


def save_offering(over_button: SaveOver, save: Callable[[bool], str]) -> None:
    """Run ``save(over=False)`` and say what it did in ``over_button``'s Notice; a save refused because another
    tab saved meanwhile offers ``over_button``, which runs ``save(over=True)``."""

    def attempt(over: bool) -> None:
        try:
            message = save(over)
        except StaleWorkspaceError as refused:
            raise over_button.offer(refused, lambda: attempt(True)) from None
        over_button.notice.show(message, "success")

    attempt(False)


class SessionPart:
    """A part of the page that shows the session's values in widgets and passes the user's changes back to it."""

    _showing = False

    @contextlib.contextmanager
    def showing(self) -> Iterator[None]:
        """While the session's values are put in the widgets (the changes are not the user's)."""
        self._showing = True
        try:
            yield
        finally:
            self._showing = False

    def follow(self, widget: w.ValueWidget, apply: Callable[[Any], None], action: str) -> None:
        """Pass ``widget``'s new values to ``apply`` (a session method), but not those the session put there;
        ``action`` says what it does in the part's Notice when it fails."""

        @guarded(action)
        def changed(_part: SessionPart, value: object) -> None:
            if not self._showing and value is not None:
                apply(value)

        widget.observe(lambda change: changed(self, change["new"]), names="value")


class Section(w.VBox):
    """A section of the page over the session, running its calculations through the page's :class:`Job`."""

    def __init__(self, session: WhatIfSession, job: Job) -> None:
        super().__init__()
        self.session, self.job = session, job

    def launch(self, panel: JobPanel, message: str, action: str, work: Callable[..., Any],
               show: Callable[[Any, float], None], *, cancelled_text: str | None = None) -> None:
        """Run ``work(progress, cancel)`` through the page's job, ``panel`` showing how far it is, then
        ``show(outcome, seconds)``; with ``cancelled_text``, a cancelled outcome says so in the section's Notice
        instead. Errors show in the section's Notice."""

        def done(outcome: Any, seconds: float) -> None:
            if cancelled_text is not None and cancelled(outcome):
                self.notice.show(cancelled_text, "warning")
                return
            show(outcome, seconds)

        self.job.run(panel, message, Stage(action, lambda progress, cancel, _previous: work(progress, cancel), done),
                     owner=self)

    @guarded("cancel the calculation")
    def _on_cancel(self, _button: w.Button) -> None:
        self.job.cancel()

    def progress_panel(self) -> JobPanel:
        """A progress panel whose Cancel stops the page's calculation."""
        panel = JobPanel(STOP_AFTER)
        panel.cancel_button.on_click(self._on_cancel)
        return panel


# ---------------------------------------------------------------------------------------------
# 1. Scenarios


class ScenarioEditor(SessionPart, w.VBox):
    """Pick, name, edit, save, delete and reset a scenario; its values are the session's."""

    def __init__(self, session: WhatIfSession) -> None:
        self.session = session
        self.picker = w.Dropdown(description="Scenario", style=_STYLE, layout=w.Layout(width="300px"))
        self.follow(self.picker, session.open, "open the scenario")
        self.name = w.Text(description="Name", placeholder="e.g. A year, weekly", style=_STYLE,
                           layout=w.Layout(width="300px"))
        self.description = w.Text(description="Note", placeholder="why try it (shown in the brief)", style=_STYLE,
                                  layout=w.Layout(width="340px"))
        traitlets.link((session, "name"), (self.name, "value"))
        traitlets.link((session, "description"), (self.description, "value"))
        self.fields: dict[str, Field] = {name: self._field(name) for name in session.settings}
        self.parameters: dict[str, Field] = {name: self._parameter_field(name) for name in PARAMETERS}
        for field in (*self.fields.values(), *self.parameters.values()):
            self.follow(field.widget, lambda value, name=field.name: session.enter(name, value),
                        "update the scenario")

        program = w.VBox([self.fields[n].row for n in PROGRAM_SETTINGS])
        support = w.VBox([w.HTML("<p class='wb-muted'>Mentors' time sets how many meetings take place; check-ins "
                                 "and the coordinator's time prevent early closures and notice quiet pairs sooner "
                                 "for re-matching.</p>"), *[self.fields[n].row for n in SUPPORT_SETTINGS]])
        matching = w.VBox([w.HTML("<p class='wb-muted'>Changing these matches the cohort again.</p>"),
                           *[self.fields[n].row for n in MATCHING_SETTINGS],
                           *[self.fields[weight_setting(c)].row for c in session.criteria]])
        money = w.VBox([w.HTML("<p class='wb-muted'>Costs are staff time (from the average salary), training, "
                               "coordination and tools; the benefit is exits avoided times the cost of replacing "
                               "a leaver.</p>"), *[self.fields[n].row for n in MONEY_SETTINGS]])
        model = w.VBox([w.HTML("<p class='wb-muted'>The outcome model's assumptions. Each starts at its default; "
                               "the note beside it gives the plausible range, and hovering over a slider shows "
                               "the evidence behind it. Change one to test what the forecast rests on.</p>"),
                        *[f.row for f in self.parameters.values()]])
        self.sections = w.Accordion(children=[program, support, matching, money, model],
                                    titles=("Program", "Support", "Matching", "Money", "Model assumptions"))
        self.sections.selected_index = 0
        self.changes = w.HTML()
        self.save_button = self.delete_button = None
        if not session.published:
            self.save_button = w.Button(description="Save scenario", icon="save", button_style="primary",
                                        tooltip="Save this scenario in the workspace (scenarios/)")
            self.delete_button = w.Button(description="Delete scenario", icon="trash",
                                          layout=w.Layout(width="auto"))
            self.save_button.on_click(self._on_save)
            self.delete_button.on_click(self._on_delete)
        self.reset_button = w.Button(description="Back to the design's values", icon="undo",
                                     layout=w.Layout(width="auto"))
        self.reload_button = w.Button(description="Reload", icon="refresh", layout=w.Layout(width="auto"),
                                      tooltip="Read the design and the saved scenarios again from the workspace")
        self.edit_hint = w.HTML()
        self.notice = Notice()
        self.save_over = None if session.published else SaveOver(self.notice)
        self.reset_button.on_click(self._on_reset)
        self.reload_button.on_click(self._on_reload)
        self.design_text = w.HTML(f"<p>{html.escape(session.design_summary())}</p>")
        super().__init__([
            w.HTML("<h3>1. Scenarios</h3>"), self.design_text,
            row(self.picker, self.name, self.description),
            self.sections, self.changes,
            row(*[b for b in (self.save_button, self.save_over, self.delete_button) if b is not None],
                self.reset_button, self.reload_button, self.edit_hint),
            self.notice,
        ])
        self.add_class("wb-settings")
        self.add_class("wb-scenario-editor")
        self.name.add_class("wb-scenario-name")
        session.observe(self._show_picker, names=["saved", "picked"])
        session.observe(self._show_values, names=["entries", "parameters"])
        session.observe(self._show_status, names=["status", "loaded"])
        self._show_picker()
        self._show_values()
        self._show_status()

    def _field(self, name: str) -> Field:
        setting = SETTINGS[name]
        label, unit = SETTING_LABELS.get(name, (setting_label(name), ""))
        unit = unit.replace("{currency}", self.session.currency or "currency units")
        design_value = self.session.design_values[name]
        layout = w.Layout(width="380px")
        if setting.kind == "choice":
            labels = choice_labels(name)
            widget = w.Dropdown(options=[(labels.get(c, str(c).replace("_", " ")), c) for c in setting.choices],
                                value=design_value, description=label, style=_LABEL_STYLE, layout=layout)
            return Field(name, widget, unit)
        if name in OPTIONAL:
            placeholder = {"cohort_size": "everyone matched",
                           "horizon_months": "12 or the program's length",
                           "budget": "no budget set",
                           "coordinator_hours_per_month": "as many as needed",
                           "average_salary": f"model default {PARAMETERS['annual_salary'].default:,.0f}"}[name]
            widget = w.Text(value=entry_text(design_value), placeholder=placeholder, description=label,
                            style=_LABEL_STYLE, layout=layout, continuous_update=False)
            return Field(name, widget, unit)
        low = setting.low if setting.low is not None else 0
        high = setting.high if setting.high is not None else 1e9
        if weight_criterion(name) is not None:
            widget = w.FloatSlider(value=design_value, min=0, max=10, step=0.5, description=label,
                                   style=_LABEL_STYLE, layout=layout, continuous_update=False, readout_format=".1f")
            return Field(name, widget, "0 = not used, 10 = counts most")
        if setting.kind == "int":
            widget = w.BoundedIntText(value=design_value, min=int(low), max=int(high), description=label,
                                      style=_LABEL_STYLE, layout=layout)
            return Field(name, widget, unit)
        step = 0.1 if high <= 10 else 0.5
        widget = w.BoundedFloatText(value=design_value, min=float(low), max=float(high), step=step,
                                    description=label, style=_LABEL_STYLE, layout=layout)
        return Field(name, widget, unit)

    @staticmethod
    def _parameter_field(name: str) -> Field:
        p = PARAMETERS[name]
        # from the lowest allowed value (effects may go down to none) to the top of the plausible range
        low, high = p.allowed[0], p.high
        step = _step(p.low, p.high)
        fmt = ",.0f" if step >= 1 else (".2f" if step >= 0.01 else ".3f")
        widget = w.FloatSlider(value=p.default, min=low, max=high, step=step, description=parameter_label(name),
                               style={"description_width": "190px"}, layout=w.Layout(width="470px"),
                               continuous_update=False, readout_format=fmt,
                               tooltip=f"{p.description}. Source: {p.source}")
        field = Field(name, widget, p.unit)
        field.row = w.VBox([field.row, w.HTML(f"<div class='wb-muted' style='margin:-4px 0 8px 198px;"
                                              f"font-size:12px;max-width:640px'>{html.escape(p.description)}</div>")])
        return field

    # ------------------------------------------------------------------ the session shown

    def _show_picker(self, _change: object = None) -> None:
        with self.showing():
            self.picker.options = [("New scenario", NEW)] + [(s.name, s.name) for s in self.session.saved]
            self.picker.value = self.session.picked

    def _show_values(self, _change: object = None) -> None:
        session = self.session
        with self.showing():
            for name, field in self.fields.items():
                field.show(session.entries[name])
            for name, field in self.parameters.items():
                field.show(session.parameters[name])
        self._render_changes()

    def _show_status(self, _change: object = None) -> None:
        self.edit_hint.value = HINTS[self.session.status]
        if self.delete_button is not None:
            self.delete_button.disabled = self.session.loaded is None

    def _render_changes(self) -> None:
        session = self.session
        for field in (*self.fields.values(), *self.parameters.values()):
            field.row.layout.display = None if session.visible(field.name) else "none"
            unit = html.escape(field.unit)
            if field.name in PARAMETERS:
                p = PARAMETERS[field.name]
                source = html.escape(f"{p.description}. Source: {p.source}")
                note = (f"{unit}; plausible {p.low:g} to {p.high:g} · default {p.default:g} · <span title='{source}' "
                        "style='cursor:help;color:#0b57d0;border-bottom:1px dotted #0b57d0'>source</span>")
            else:
                design = session.shown(field.name, session.design_values[field.name])
                note = f"{unit}{' · ' if unit else ''}design: {html.escape(design)}"
            if session.changed(field.name):
                note = f"<b style='color:#8a5300'>changed</b> · {note}"
            field.note.value = f"<span class='wb-muted' style='font-size:12px'>{note}</span>"
        items = session.change_items()
        if items:
            self.changes.value = ("<p class='wb-changes'><b>Changes from the design:</b> "
                                  + html.escape("; ".join(items)) + "</p>")
        else:
            self.changes.value = ("<p class='wb-changes wb-muted'>No changes from the design yet: change a value "
                                  "above.</p>")

    # ------------------------------------------------------------------ what the user does

    @guarded("save the scenario", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        scenario = self.session.scenario_to_save()
        save_offering(self.save_over, lambda over: self.session.save(scenario, over=over))

    @guarded("delete the scenario", button="delete_button")
    def _on_delete(self, _button: w.Button) -> None:
        self.notice.show(self.session.delete(), "success")

    @guarded("restore the design's values", button="reset_button")
    def _on_reset(self, _button: w.Button) -> None:
        self.session.reset()

    @guarded("reload the workspace", button="reload_button")
    def _on_reload(self, _button: w.Button) -> None:
        self.notice.show(self.session.reload(), "info")


# ---------------------------------------------------------------------------------------------
# 2. Compare


class CompareSection(SessionPart, Section):
    """Which scenarios to compare, against which baseline, how many runs and which seed; runs the comparison."""

    def __init__(self, session: WhatIfSession, job: Job, notice: Notice, show_results: Callable[[], None]) -> None:
        super().__init__(session, job)
        self.show_results = show_results
        self.baseline = w.Dropdown(description="Baseline", style=_STYLE, layout=w.Layout(width="320px"),
                                   tooltip="Every other scenario is compared with this one")
        self.follow(self.baseline, session.choose_baseline, "choose the baseline")
        self.choices = w.VBox()
        self.boxes: dict[str, w.Checkbox] = {}
        self.runs = w.Dropdown(description="Runs per scenario", style=_STYLE, layout=w.Layout(width="230px"),
                               options=[(f"{n:,}", n) for n in RUN_CHOICES], value=DEFAULT_RUNS,
                               tooltip="More runs give narrower intervals and take longer")
        self.seed = w.BoundedIntText(value=0, min=0, max=2**31 - 1, description="Seed", style=_STYLE,
                                     layout=w.Layout(width="160px"),
                                     tooltip="The same seed gives the same numbers again")
        traitlets.link((session, "runs"), (self.runs, "value"))
        traitlets.link((session, "seed"), (self.seed, "value"))
        self.run_button = w.Button(description="Run the comparison", icon="play", button_style="primary",
                                   layout=w.Layout(width="auto"))
        self.run_button.on_click(self._on_run)
        self.progress = self.progress_panel()
        self.notice = notice
        self.children = [
            w.HTML("<h3>2. Compare</h3><p>Tick up to six scenarios, the baseline included. Each is matched and "
                   "simulated many times (runs): more runs give narrower intervals but take longer.</p>"),
            row(self.baseline, self.runs, self.seed),
            self.choices,
            row(self.run_button),
            self.progress, notice,
        ]
        self.add_class("wb-settings")
        self.add_class("wb-compare")
        session.observe(self._render_choices, names=["saved", "choices"])
        session.observe(self._show_ticks, names=["ticked", "baseline"])
        self._render_choices()

    def _render_choices(self, _change: object = None) -> None:
        session = self.session
        with self.showing():
            self.baseline.options = session.baseline_options()
            self.baseline.value = session.baseline
            self.boxes = {}
            rows = []
            for name in session.choices:
                box = w.Checkbox(value=name in session.ticked, description=session.choice_label(name), indent=False,
                                 layout=w.Layout(width="260px"))
                self.follow(box, lambda on, name=name: session.set_ticked(name, on), "tick the scenario")
                self.boxes[name] = box
                rows.append(w.HBox([box, w.HTML(muted_inline(session.choice_text(name)))],
                                   layout=w.Layout(align_items="center")))
            self.choices.children = rows
        self._show_ticks()

    def _show_ticks(self, _change: object = None) -> None:
        with self.showing():
            self.baseline.value = self.session.baseline
            for name, box in self.boxes.items():
                box.value = name in self.session.ticked
                box.disabled = name == self.session.baseline

    @guarded("run the comparison")
    def _on_run(self, _button: w.Button) -> None:
        session = self.session
        scenarios = session.compared_scenarios()
        runs, seed = session.runs, session.seed

        def show(batch: ScenarioRuns, seconds: float) -> None:
            failed = session.store_comparison(scenarios, batch, runs, seed, seconds)
            self.show_results()
            if failed:
                self.notice.show("Some scenarios could not be simulated:\n" + "\n".join(failed.values()), "warning")

        self.launch(self.progress, f"Matching and simulating {len(scenarios)} "
                    f"scenario{'s' if len(scenarios) != 1 else ''} ...", "run the comparison",
                    lambda progress, cancel: session.comparison(scenarios, runs, seed, progress, cancel), show,
                    cancelled_text="Cancelled: nothing new to show. Fewer runs per scenario make the comparison "
                                   "quicker.")


# ---------------------------------------------------------------------------------------------
# 3. Results


class ResultsSection(Section):
    """The comparison's key figures and charts, the sweep of one setting, and saving the results for the brief.

    ``placeholder`` stands before the results until a comparison runs (the comparison saved for the brief, if
    any); ``run_notice`` shows errors of the charts' choices."""

    def __init__(self, session: WhatIfSession, job: Job, run_notice: Notice) -> None:
        super().__init__(session, job)
        self.run_notice = run_notice
        self.placeholder = w.HTML(PRESS_RUN)
        self.summary = w.HTML()
        self.kpi_table = w.HTML()
        self.kpi_table.add_class("wb-kpi-table")
        self.budget_text = w.HTML()
        self.effects_group = w.Dropdown(description="Show", style=_STYLE, layout=w.Layout(width="420px"),
                                        options=[(label, key) for key, (label, _) in KPI_GROUPS.items()],
                                        value="comparison")
        self.effects_group.observe(self._on_effects_group, names="value")
        self.effects = chart_widget(effects_chart(pd.DataFrame()))
        self.effects_caption = w.HTML()
        self.distribution_kpi = w.Dropdown(description="Figure", style=_STYLE, layout=w.Layout(width="480px"),
                                           options=_kpi_options(), value="retention")
        self.distribution_kpi.observe(self._on_distribution_kpi, names="value")
        self.distribution = chart_widget(distribution_chart(pd.DataFrame(), "retention"))
        self.distribution_caption = w.HTML()
        self.survival = chart_widget(survival_chart(pd.DataFrame()))
        self.survival_caption = w.HTML()
        self.impact = w.Dropdown(description="Impact", style=_STYLE, layout=w.Layout(width="420px"),
                                 options=[("Exits avoided by the horizon", "exits")]
                                 + [(KPIS[k].label + " (vs comparison)", k) for k in IMPACTS[1:]],
                                 value="exits")
        self.impact.observe(self._on_impact, names="value")
        self.frontier = chart_widget(frontier_chart(pd.DataFrame()))
        self.frontier_caption = w.HTML()
        self.notice = Notice()  # the sweep's and the cost-against-impact chart's
        sweepable = [(setting_label(n), n) for n in SETTINGS
                     if n != "weights" and n in session.settings] + [(f"{parameter_label(n)} (assumption)", n)
                                                                     for n in PARAMETERS]
        self.sweep_setting = w.Dropdown(description="Try", style=_STYLE, layout=w.Layout(width="330px"),
                                        options=sweepable, value="duration_months")
        self.sweep_setting.observe(self._on_sweep_setting, names="value")
        self.sweep_values = w.Text(description="at", style=_STYLE, layout=w.Layout(width="300px"),
                                   placeholder="values, separated by commas")
        self.sweep_button = w.Button(description="Add these to the chart", icon="plus", layout=w.Layout(width="auto"),
                                     tooltip="Simulate the baseline with each value and add it to the chart")
        self.sweep_button.on_click(self._on_sweep)
        self.brief_button = None
        if not session.published:
            self.brief_button = w.Button(description="Save results to the brief", icon="file-text",
                                         layout=w.Layout(width="auto"),
                                         tooltip=f"Store this comparison in the workspace ({SAVED_COMPARISON}); the "
                                                 "design brief shows it")
            self.brief_button.on_click(self._on_save_results)
        self.brief_status = w.HTML()
        self.brief_notice = Notice()
        self.brief_over = SaveOver(self.brief_notice)
        brief = [] if session.published else [w.HTML("<h4>For the design brief</h4>"),
                                               row(self.brief_button, self.brief_over, self.brief_status),
                                               self.brief_notice]
        self.sweep_progress = self.progress_panel()
        self.children = [
            w.HTML("<h3>3. Results</h3>"), self.summary,
            w.HTML("<h4>Key figures</h4>"), self.kpi_table, self.budget_text,
            w.HTML("<h4>Effects, with their 95% intervals</h4>"), self.effects_group, self.effects,
            self.effects_caption,
            w.HTML("<h4>How much a single cohort can vary</h4>"), self.distribution_kpi, self.distribution,
            self.distribution_caption,
            w.HTML("<h4>Who stays</h4>"), self.survival, self.survival_caption,
            w.HTML("<h4>Cost against impact</h4>"), self.impact, self.frontier, self.frontier_caption,
            w.HTML("<p>Add more points: simulate the baseline with one setting at several values.</p>"),
            row(self.sweep_setting, self.sweep_values, self.sweep_button),
            self.sweep_progress, self.notice,
            *brief,
        ]
        self.add_class("wb-results")
        self.layout.display = "none"
        self._on_sweep_setting()
        session.observe(self._render_saved_status, names=["brief", "brief_problem"])
        self._render_saved_status()

    # ------------------------------------------------------------------ the comparison

    def render(self) -> None:
        """Show the session's comparison (instead of the placeholder)."""
        session = self.session
        results = session.results
        self.placeholder.layout.display = "none"
        self.layout.display = None
        first = results[0]
        runs, seed, seconds = session.last_run["runs"], session.last_run["seed"], session.last_run["seconds"]
        cohort = first.cohort.get("participants", 0)
        self.summary.value = (
            f"<p class='wb-summary-text'>{len(results)} scenario{'s' if len(results) != 1 else ''}, "
            f"{runs:,} simulated runs each (seed {seed}, {seconds:.1f} s); the baseline is "
            f"<b>{html.escape(session.name_of(first.name))}</b> with {cohort:,} matched participants, followed for "
            f"{first.horizon_months} months. Effects are the difference from a simulated comparison group of "
            "eligible non-participants with the same exit rates. These are <b>model forecasts, not "
            "measurements</b>: they rest on the assumptions listed at the bottom of the page.</p>")
        self.kpi_table.value = self._kpi_table_html(session.table, [r.cohort.get("participants", 0) for r in results])
        self.budget_text.value = self._budget_html(session.budgets())
        self._render_effects()
        self._render_distribution()
        survival = session.survival()
        self.survival.chart = survival_chart(survival)
        self.survival_caption.value = caption(survival_caption(survival))
        self._render_frontier()
        self.notice.clear()
        self.brief_notice.clear()
        if self.brief_button is not None:
            self.brief_button.disabled = False

    def _kpi_table_html(self, table: pd.DataFrame, participants: list[int]) -> str:
        """The key figures of a comparison table (:func:`comparison_table`), one column per scenario."""
        name_of = self.session.name_of
        display = comparison_display(table)
        names = list(display.columns[1:])
        display.columns = ["Figure"] + [f"{name_of(n)} (baseline)" if i == 0 else name_of(n)
                                        for i, n in enumerate(names)]
        size = pd.DataFrame([["Matched participants simulated"] + [f"{int(n):,}" for n in participants]],
                            columns=display.columns)
        units = []
        for kpi in table["kpi"].drop_duplicates():
            _, unit_text, _ = kpi_scale(kpi, self.session.currency)
            units.append({"percentage points": "pts", "%": "%", "x cost": "ratio"}.get(unit_text, unit_text))
        display["Figure"] = [label.replace(" (vs comparison)", ": difference from the comparison group") + f" ({unit})"
                             for label, unit in zip(display["Figure"], units)]
        shown = pd.concat([size, display], ignore_index=True)
        return html_table(shown, limit=len(shown)) + caption(
            "Each cell: the mean over runs with its 95% interval in brackets. 'pts' are percentage points: +2.5 pts "
            "means 2.5 more participants in 100 than in the comparison group. P(better) is the share of runs in "
            "which the scenario does better than the baseline (fewer exits, lower cost and fewer early closures "
            "count as better); around 50% means no real difference.")

    def _budget_html(self, budgets: list[tuple[str, dict | None]]) -> str:
        """Each scenario's expected cost against the budget (``budget_check`` per scenario name)."""
        budgets = [(self.session.name_of(n), b) for n, b in budgets if b is not None]
        if budgets:
            return "<p>" + html.escape(" ".join(
                f"{n}: expected cost {b['expected_cost']:,.0f} {b['currency']} against a budget of "
                f"{b['budget']:,.0f}; within the budget in {b['p_within']:.0%} of runs." for n, b in budgets)) + "</p>"
        return caption("No budget is set in the design: set one on the Align page or in a scenario (Money) to see "
                       "the chance of staying within it.")

    @guarded("show the effects", notice="run_notice")
    def _on_effects_group(self, _change: object) -> None:
        if self.session.table is not None:
            self._render_effects()

    def _render_effects(self) -> None:
        kpis = KPI_GROUPS[self.effects_group.value][1]
        table = self.session.named_table()
        currency = self.session.currency
        self.effects.chart = effects_chart(table, kpis, currency=currency)
        self.effects_caption.value = caption(effects_caption(table, kpis, currency=currency))

    @guarded("show the distribution", notice="run_notice")
    def _on_distribution_kpi(self, _change: object) -> None:
        if self.session.results:
            self._render_distribution()

    def _render_distribution(self) -> None:
        session = self.session
        kpi = self.distribution_kpi.value
        bins = session.distribution(kpi)
        self.distribution.chart = distribution_chart(bins, kpi, currency=session.currency)
        text = distribution_caption(bins, kpi, currency=session.currency)
        if KPIS[kpi].compared:
            above = "; ".join(f"{session.name_of(r.name)} {r.kpi(kpi).p_positive:.0%}" for r in session.results)
            better = "above" if KPIS[kpi].higher_is_better else "below"
            text += f" Runs in which participants do better than the comparison group ({better} zero): {above}."
        self.distribution_caption.value = caption(text)

    # ------------------------------------------------------------------ cost against impact, sweep

    @guarded("show cost against impact")
    def _on_impact(self, _change: object) -> None:
        if self.session.results:
            self._render_frontier()

    def _render_frontier(self) -> None:
        table = self.session.frontier_table(self.impact.value)
        self.frontier.chart = frontier_chart(table, currency=self.session.currency)
        self.frontier_caption.value = caption(frontier_caption(table, currency=self.session.currency))

    @guarded("suggest values to try")
    def _on_sweep_setting(self, _change: object = None) -> None:
        if self.sweep_setting.value is not None:
            self.sweep_values.value = self.session.sweep_suggestion(self.sweep_setting.value)

    @guarded("run the sweep")
    def _on_sweep(self, _button: w.Button) -> None:
        session = self.session
        name = self.sweep_setting.value
        values = session.sweep_values(name, self.sweep_values.value)

        def show(table: pd.DataFrame, seconds: float) -> None:
            message, kind = session.store_sweep(name, values, table, seconds)
            self._render_frontier()
            self.notice.show(message, kind)

        self.launch(self.sweep_progress, f"Simulating {len(values)} values of {setting_label(name).lower()} ...",
                    "run the sweep", lambda progress, cancel: session.sweep(name, values, progress, cancel), show)

    # ------------------------------------------------------------------ saving for the brief

    def _render_saved_status(self, _change: object = None) -> None:
        session = self.session
        record = session.brief
        if session.brief_problem:
            self.brief_status.value = muted_inline(session.brief_problem)
            self.placeholder.value = PRESS_RUN
            return
        if record is None:
            self.brief_status.value = muted_inline("No comparison is saved for the brief yet.")
            self.placeholder.value = PRESS_RUN
            return
        names = ", ".join(session.name_of(name) for name in record.summary()["scenarios"])
        self.brief_status.value = (f"<span class='wb-saved'>The brief shows the comparison saved on "
                                   f"{html.escape(str(record.saved_on or ''))}: {html.escape(names)}.</span>")
        self.placeholder.value = self._saved_html(record)

    def _saved_html(self, record: SavedComparison) -> str:
        """Until a comparison runs: the saved comparison's key figures, as the brief shows them."""
        scenarios, headline = record.scenarios, record.summary()
        first = scenarios[0]
        runs, seed = headline["runs"], headline["seed"]
        how = f", {int(runs):,} simulated runs each (seed {seed})" if isinstance(runs, int) else ""
        try:
            table = record.table()
            figures = self._kpi_table_html(table, [s.get("cohort", {}).get("participants", 0) for s in scenarios])
        except (KeyError, TypeError, ValueError):  # a record from another version: its figures are not shown
            return PRESS_RUN
        budgets = self._budget_html([(s["name"], s.get("budget")) for s in scenarios])
        return (f"<div class='wb-saved-comparison'><h3>3. Results: the comparison saved for the brief</h3>"
                f"<p class='wb-summary-text'>Saved on {html.escape(str(record.saved_on or ''))}: "
                f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}{how}; the baseline is "
                f"<b>{html.escape(self.session.name_of(first['name']))}</b>, followed for "
                f"{html.escape(str(first.get('horizon_months', '')))} months. These are <b>model forecasts, not "
                "measurements</b>. Press <b>Run the comparison</b> to run it again with its charts, or tick other "
                "scenarios.</p>" + figures + budgets + "</div>")

    @guarded("save the results for the brief", notice="brief_notice", button="brief_button")
    def _on_save_results(self, _button: w.Button) -> None:
        record = self.session.brief_record()
        save_offering(self.brief_over, lambda over: self.session.save_brief(record, over=over))


# ---------------------------------------------------------------------------------------------
# Which assumptions matter most


class TornadoSection(Section):
    """Each assumption moved to the ends of its plausible range, one at a time, on the baseline."""

    def __init__(self, session: WhatIfSession, job: Job) -> None:
        super().__init__(session, job)
        self.kpi = w.Dropdown(description="Figure", style=_STYLE, layout=w.Layout(width="480px"),
                              options=_kpi_options(), value="retention")
        self.button = w.Button(description="Run the sensitivity analysis", icon="sliders",
                               layout=w.Layout(width="auto"))
        self.button.on_click(self._on_run)
        self.notice = Notice()
        self.chart = chart_widget(tornado_chart(pd.DataFrame()))
        self.chart.layout.display = "none"
        self.caption = w.HTML()
        self.progress = self.progress_panel()
        self.children = [
            w.HTML("<h3>Which assumptions matter most?</h3><p>The forecasts rest on the model's assumptions. This "
                   "moves each one to the ends of its plausible range, one at a time, on the baseline, and shows "
                   "how far the figure moves.</p>"),
            row(self.kpi, self.button), self.progress, self.notice, self.chart, self.caption,
        ]
        self.add_class("wb-tornado")

    @guarded("run the sensitivity analysis")
    def _on_run(self, _button: w.Button) -> None:
        session = self.session
        kpi = self.kpi.value
        base = session.scenario(session.baseline or BASELINE_NAME)
        runs, seed = session.runs, session.seed

        def show(table: pd.DataFrame, seconds: float) -> None:
            session.tornado_table = table
            self.chart.chart = tornado_chart(table)
            self.chart.layout.display = None
            self.caption.value = caption(
                tornado_caption(table) + f" Computed on {'the design' if base is BASELINE else repr(base.name)}, "
                f"{runs:,} runs per value ({seconds:.1f} s).")

        self.launch(self.progress, f"Simulating {session.tornado_count()} variations of the baseline ...",
                    "run the sensitivity analysis",
                    lambda progress, cancel: session.tornado(kpi, base, runs, seed, progress, cancel), show,
                    cancelled_text="Cancelled before every assumption was tried: nothing new to show.")


# ---------------------------------------------------------------------------------------------
# What would it take


class WhatItTakesSection(Section):
    """The smallest change to one setting of the baseline that reaches a goal in a share of runs."""

    def __init__(self, session: WhatIfSession, job: Job) -> None:
        super().__init__(session, job)
        self.goal = w.Dropdown(description="Goal", style=_STYLE, layout=w.Layout(width="560px"))
        self.goal.observe(self._on_goal, names="value")
        self.kpi = w.Dropdown(description="Figure", style=_STYLE, layout=w.Layout(width="480px"),
                              options=_kpi_options(), value="retention")
        self.kpi.observe(self._on_goal, names="value")
        self.target = w.FloatText(value=2.0, description="Target", style=_STYLE, layout=w.Layout(width="170px"))
        self.target_unit = w.HTML()
        self.probability = w.FloatSlider(value=0.6, min=0.5, max=0.95, step=0.05, description="in at least",
                                         readout_format=".0%", style=_STYLE, continuous_update=False,
                                         layout=w.Layout(width="300px"))
        numeric = [(setting_label(n), n) for n in session.settings if SETTINGS[n].numeric]
        numeric += [(f"{parameter_label(n)} (assumption)", n) for n in PARAMETERS]
        self.setting = w.Dropdown(description="by changing", style=_STYLE, layout=w.Layout(width="360px"),
                                  options=numeric, value="duration_months")
        self.button = w.Button(description="Find out", icon="search", layout=w.Layout(width="auto"))
        self.button.on_click(self._on_take)
        self.notice = Notice()
        self.answer = w.HTML()
        self.answer.add_class("wb-answer")
        self.progress = self.progress_panel()
        goals = session.goals()
        self.goal.options = goals
        self.goal.value = goals[0][1]
        self._on_goal()
        self.children = [
            w.HTML("<h3>What would it take?</h3><p>The smallest change to one setting of the baseline after which "
                   "the simulated program reaches a goal in the share of runs you ask for.</p>"),
            self.goal, row(self.kpi, self.target, self.target_unit),
            row(self.probability, w.HTML(muted_inline("of simulated cohorts")), self.setting, self.button),
            self.progress, self.notice, self.answer,
        ]
        self.add_class("wb-take")

    @guarded("set the goal")
    def _on_goal(self, _change: object = None) -> None:
        own = self.goal.value == KPI_TARGET
        for widget in (self.kpi, self.target, self.target_unit):
            widget.layout.display = None if own else "none"
        kpi = self.kpi.value
        spec = KPIS[kpi]
        unit, with_comparison, better = spec.unit, spec.compared, spec.higher_is_better
        _, unit_text, _ = kpi_scale(kpi, self.session.currency)
        side = "at least" if better else "at most"
        scope = " than the comparison group" if with_comparison else ""
        more = (" more" if better else " fewer") if with_comparison else ""
        self.target_unit.value = muted_inline(f"{unit_text}{more}{scope} ({side} this)")
        text = self.session.goal_text(self.goal.value)
        self.answer.value = caption(text) if text else ""

    def target_value(self) -> tuple[str, float]:
        """The KPI and the target effect in the KPI's own unit (shares as 0-1)."""
        kpi = self.kpi.value
        factor = kpi_scale(kpi)[0]
        return kpi, float(self.target.value) / factor

    @guarded("work out what it would take")
    def _on_take(self, _button: w.Button) -> None:
        session = self.session
        setting = self.setting.value
        probability = round(float(self.probability.value), 2)
        base = session.scenario(session.baseline or BASELINE_NAME)
        runs, seed = session.runs, session.seed
        if self.goal.value == KPI_TARGET:
            kpi, target = self.target_value()
            goal = {"kpi": kpi, "target": target}
        else:
            goal = {"objective": self.goal.value}

        def show(answer: Answer, _seconds: float) -> None:
            session.answer = answer
            self.answer.value = self._answer_html(answer)

        self.launch(self.progress, f"Trying values of {setting_label(setting).lower()} ...",
                    "work out what it would take",
                    lambda progress, cancel: session.what_it_takes(setting, goal, probability, base, runs, seed,
                                                                   progress, cancel), show)

    def _answer_html(self, answer: Answer) -> str:
        sentence = f"<p style='font-size:15px'><b>{html.escape(self.session.answer_sentence(answer))}</b></p>"
        tried = answer.evaluations
        if len(tried):
            kpi = answer.target.kpi
            shown = pd.DataFrame({setting_label(answer.setting): [number_text(int(v) if float(v).is_integer() else v)
                                                                  for v in tried["value"]],
                                  "goal reached in": [f"{p:.0%} of runs" for p in tried["p_reach"]],
                                  "mean result": [format_effect(kpi, e, self.session.currency, sign=KPIS[kpi].compared)
                                                  for e in tried["effect"]]})
            sentence += ("<p class='wb-muted'>Values tried (every value on the same simulated cohorts):</p>"
                         + html_table(shown, limit=len(shown)))
        return sentence + caption("A model forecast under the assumptions listed below, not a promise.")


# ---------------------------------------------------------------------------------------------
# Find better designs


class DesignSearchSection(Section):
    """The optimiser: the designs nobody beats on both cost and the objectives, to open or save as scenarios."""

    def __init__(self, session: WhatIfSession, job: Job) -> None:
        super().__init__(session, job)
        design = session.design
        budget = design.align.constraints.budget
        self.budget = w.Text(value="" if budget is None else f"{budget:g}", placeholder="no budget",
                             description=f"Budget ({session.currency or 'currency'})", style=_STYLE,
                             layout=w.Layout(width="260px"))
        self.size = w.Dropdown(description="Designs to try", style=_STYLE, layout=w.Layout(width="200px"),
                               options=[(f"{n:,}", n) for n in SEARCH_SIZES], value=DEFAULT_SEARCH)
        self.runs = w.Dropdown(description="Runs per design", style=_STYLE, layout=w.Layout(width="210px"),
                               options=[(f"{n:,}", n) for n in (100, 200, 500, 1_000)], value=200)
        self.button = w.Button(description="Find better designs", icon="magic", button_style="primary",
                               layout=w.Layout(width="auto"))
        self.button.on_click(self._on_search)
        self.notice = Notice()
        self.results = w.VBox()
        goals = [o for o in design.align.objectives
                 if o.kind in OBJECTIVE_KPI and o.baseline is not None and o.target is not None]
        aim = ("the chance of reaching each objective of the design at its horizon" if goals else
               "the exits avoided (the design has no objective the model simulates; add one on the Align page)")
        self.progress = self.progress_panel()
        self.children = [
            w.HTML("<h3>Find better designs</h3><p>Searches the whole design at once (structure, cohort size, mentor "
                   "capacity, duration, meetings and their length, training, re-matching, matching weights, and up "
                   "to three cohorts in a row on the same mentors) for the designs nobody beats on both cost and "
                   f"{html.escape(aim)}, within the budget, the mentors' hours a month "
                   f"({design.support.mentor_hours_per_month:g}) and the mentor pool.</p>"),
            row(self.budget, self.size, self.runs, self.button),
            self.progress, self.notice, self.results,
        ]
        self.add_class("wb-search")

    @guarded("find better designs")
    def _on_search(self, _button: w.Button) -> None:
        session = self.session
        budget = session.search_budget(self.budget.value)
        candidates, runs, seed = int(self.size.value), int(self.runs.value), session.seed

        def show(found: Optimisation, seconds: float) -> None:
            if found.cancelled:
                self.notice.show(f"Cancelled after {len(found.candidates)} designs: nothing was saved. "
                                 "Showing what the designs tried so far give.", "warning")
            if found.binding:
                self.notice.show(found.binding, "warning")
            session.optimisation = found
            self._show(found, seconds)

        self.launch(self.progress, f"Trying {candidates:,} designs ...", "find better designs",
                    lambda progress, cancel: session.search(budget, candidates, runs, seed, progress, cancel), show)

    def _show(self, found: Optimisation, seconds: float) -> None:
        front = found.frontier()
        if front.empty:
            self.results.children = [w.HTML(caption("No design tried keeps within every constraint."))]
            return
        picks = front.iloc[sorted({int(round(i)) for i in np.linspace(0, len(front) - 1, min(SHOWN_DESIGNS,
                                                                                               len(front)))})]
        rows = picks.to_dict("records")
        names = [f"#{int(r['candidate'])}" for r in rows]
        table: dict[str, list[str]] = {"": names}
        table["Cost"] = [f"{r['cost']:,.0f} {self.session.currency}".strip() for r in rows]
        for target in found.targets:
            table[f"Reaches {target.objective}"] = [f"{r[f'p_{target.objective}']:.0%} of runs" for r in rows]
        table["Exits avoided"] = [f"{r['exits_avoided']:.2f}" for r in rows]
        table["Participants"] = [f"{int(r['participants']):,}" for r in rows]
        changes = [found.changes(r) for r in rows]
        for dim in found.space:
            if any(dim.setting in c for c in changes):
                table[dim.label().capitalize()] = [
                    f"{value_text(c[dim.setting][0])} → {value_text(c[dim.setting][1])}" if dim.setting in c
                    else "as the design" for c in changes]
        shown = pd.DataFrame(table).set_index("").T.reset_index().rename(columns={"index": ""})
        text = (f"{len(found.candidates):,} designs tried ({int(found.candidates['feasible'].sum()):,} within the "
                f"constraints), {found.runs:,} runs each, seed {found.seed}, in {seconds:.0f} s; {len(front)} "
                f"{'are' if len(front) != 1 else 'is'} on the frontier, {len(rows)} shown from the cheapest to the "
                "most effective. Each is a model forecast under the assumptions below. Designs of several cohorts "
                "in a row add up their cohorts' costs and exits.")
        buttons = []
        for record, name in zip(rows, names):
            load = w.Button(description=f"Open {name} in the editor", icon="pencil", layout=w.Layout(width="auto"))
            load.on_click(lambda _b, record=record: self._open_candidate(record))
            buttons.append(load)
            if not self.session.published:
                save = w.Button(description=f"Save {name} as a scenario", icon="save", layout=w.Layout(width="auto"))
                save.on_click(lambda _b, record=record: self._save_candidate(record))
                buttons.append(save)
        self.results.children = [w.HTML(html_table(shown, limit=len(shown)) + caption(text)), row(*buttons)]

    @guarded("open the design in the editor")
    def _open_candidate(self, candidate: dict) -> None:
        self.session.show(self.session.candidate_scenario(candidate), saved=False)
        self.notice.show("Opened in the scenario editor above (not saved): compare it with the design, or "
                         "save it there.", "info")

    @guarded("save the design as a scenario")
    def _save_candidate(self, candidate: dict) -> None:
        self.notice.show(self.session.save_candidate(candidate), "success")


# ---------------------------------------------------------------------------------------------
# All programs


class ProgramsSection(Section):
    """Every program of the workspace matched together and forecast, when there is more than one (else hidden)."""

    def __init__(self, session: WhatIfSession, job: Job) -> None:
        super().__init__(session, job)
        self.button = None
        ids = session.programs
        if len(ids) < 2:
            self.layout.display = "none"
            return
        self.how = ProgramsOrder(ids, verb="Match them")
        self.button = w.Button(description="Forecast all programs", icon="sitemap", button_style="primary",
                               layout=w.Layout(width="auto"))
        self.button.on_click(self._on_forecast)
        self.progress = self.progress_panel()
        self.notice = Notice()
        self.table = w.HTML()
        self.chart = chart_widget(programs_chart(pd.DataFrame()))
        self.chart.layout.display = "none"  # until there is a forecast to draw
        self.caption = w.HTML()
        self.children = [
            w.HTML(f"<h3>All programs</h3><p>This workspace has {len(ids)} programs ({html.escape(', '.join(ids))}). "
                   "The sections above take the program "
                   f"<b>{html.escape(session.workspace.program_id)}</b> alone; this forecast takes every "
                   "program with its saved design, the runs and seed chosen under Compare.</p>"
                   + caption(FORECAST_MEANS)),
            row(self.how, self.button),
            self.progress, self.notice, self.table, self.chart, self.caption]
        self.add_class("wb-all-programs")

    @guarded("forecast every program")
    def _on_forecast(self, _button: w.Button) -> None:
        session = self.session
        mode, order = self.how.chosen()
        runs, seed = session.runs, session.seed

        def show(found: ProgramsForecast, seconds: float) -> None:
            session.programs_forecast = found
            self._show(found, seconds)

        self.launch(self.progress, f"Matching {len(session.programs)} programs together and simulating each ...",
                    "forecast every program",
                    lambda progress, cancel: session.forecast_programs(mode, order, runs, seed, progress, cancel),
                    show, cancelled_text="Cancelled: nothing new to show.")

    def _show(self, found: ProgramsForecast, seconds: float) -> None:
        table = found.table()
        interval = lambda mean, low, high, fmt: "–" if pd.isna(mean) else \
            f"{format(mean, fmt)} [{format(low, fmt)}, {format(high, fmt)}]"
        currency = self.session.currency
        shown = pd.DataFrame({
            "Program": table["program"], "Design": table["name"], "Mentees": table["mentees"].map("{:,}".format),
            "Participants": table["participants"].map("{:,}".format),
            "Exits avoided [95% interval]": [interval(*r, ",.2f") for r in zip(
                table["exits_avoided"], table["exits_avoided_low"], table["exits_avoided_high"])],
            f"Cost ({currency or 'currency'})": table["cost"].map(lambda x: "–" if pd.isna(x) else f"{x:,.0f}"),
            "ROI [95% interval]": [interval(*r, "+.2f") for r in zip(table["roi"], table["roi_low"],
                                                                      table["roi_high"])]})
        if table["budget"].notna().any():
            shown["P(within budget)"] = table["p_within_budget"].map(lambda x: "–" if pd.isna(x) else f"{x:.0%}")
        shown["Note"] = table["note"]
        how = "jointly" if found.mode == "joint" else f"in priority order {' > '.join(found.order)}"
        self.table.value = (
            f"<p class='wb-summary-text'>{len(found.order)} programs matched together ({html.escape(how)}), "
            f"{found.runs:,} simulated runs each (seed {found.seed}, {seconds:.1f} s), followed for "
            f"{found.horizon_months} months. <b>Model forecasts, not measurements.</b></p>"
            + html_table(shown, limit=len(shown)))
        self.chart.chart = programs_chart(table)
        self.chart.layout.display = ""
        self.caption.value = caption(programs_caption(table))


# ---------------------------------------------------------------------------------------------
# The model's assumptions


def assumptions_box() -> w.Accordion:
    """The outcome model's assumptions with their sources, and the design decisions it leaves out."""
    rows = pd.DataFrame([{"assumption": parameter_label(p.name), "default": f"{p.default:g}",
                          "plausible range": f"{p.low:g} to {p.high:g}", "unit": p.unit,
                          "what it is": p.description, "source": p.source} for p in PARAMETERS.values()])
    body = w.HTML("<p>Every forecast on this page comes from a Monte Carlo model of the program: relationship "
                  "quality from the match score, the hours of contact (meetings per month and their length, as "
                  "far as mentors have the time), training, goal setting, session guides, participants' say "
                  "in matching and the structure, with diminishing returns for contact and training; early "
                  "closures from quality, hand matching, agreements and check-ins; meetings from the cadence "
                  "and quality; exits and promotions from each participant's own baseline rates, reduced or "
                  "raised while the relationship lasts; costs from staff time. The comparison group is "
                  "simulated from the same people's baseline rates without the program. The defaults below "
                  "are used unless a scenario changes them; an 'assumption' source means no study gives the "
                  "value.</p>" + html_table(rows, limit=len(rows)))
    left_out = pd.DataFrame([{"decision": decision(m.decision).title, "why the model leaves it out": m.how}
                             for m in not_modelled()])
    omitted = w.HTML("<p>These design decisions change no figure on this page: the model does not quantify "
                     "them, for the reason given. Judge them on the design pages' guidance and evidence.</p>"
                     + html_table(left_out, limit=len(left_out)))
    box = w.Accordion(children=[body, omitted], titles=("The model's assumptions and their sources",
                                                        "What the model leaves out"))
    box.selected_index = None
    box.add_class("wb-assumptions")
    return box


# ---------------------------------------------------------------------------------------------
# The page


class WhatIfView(w.VBox):
    """Scenario editor, comparison with progress and cancel, charts, sensitivity, what it would take, brief."""

    def __init__(self, context: PageContext, *, background: bool = True, executor=False) -> None:
        self.context = context
        tables = page_tables(context.workspace, "What-if", " to match and simulate a cohort")
        self.session = session = WhatIfSession(context.workspace, tables, executor=executor)
        traitlets.dlink((session, "workspace"), (context, "workspace"))
        self.job = job = Job(self, background=background)
        run_notice = Notice()
        self.editor = ScenarioEditor(session)
        self.results = ResultsSection(session, job, run_notice)
        self.compare = CompareSection(session, job, run_notice, self.results.render)
        self.tornado = TornadoSection(session, job)
        self.take = WhatItTakesSection(session, job)
        self.search = DesignSearchSection(session, job)
        self.programs = ProgramsSection(session, job)
        job.buttons = [self.compare.run_button, self.results.sweep_button, self.tornado.button, self.take.button,
                       self.search.button, *([self.programs.button] if self.programs.button else [])]
        super().__init__([scope_note(context.workspace, "What-if"), self.editor, self.compare,
                          self.results.placeholder, self.results, self.tornado, self.take, self.search, self.programs,
                          assumptions_box()])
        self.add_class("wb-whatif")

    @property
    def busy(self) -> bool:
        """Whether a calculation is running."""
        return self.job.busy

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the calculation running in the background (for notebooks and tests)."""
        self.job.wait(timeout)
