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

import asyncio
import dataclasses
import datetime
import html
import threading
import time
import typing
from collections.abc import Callable, Sequence

import ipywidgets as w
import numpy as np
import pandas as pd

from workbench.charts.matching import CRITERION_LABELS
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
from workbench.design.model import Criterion
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.privacy import published_mode
from workbench.simulate import KPIS, PARAMETERS, SimulationResult
from workbench.simulate.mechanisms import LEVERS, not_modelled
from workbench.whatif import (
    BASELINE,
    MAX_COMPARED,
    OBJECTIVE_KPI,
    SETTINGS,
    Answer,
    FORECAST_MEANS,
    Optimisation,
    ProgramsForecast,
    Scenario,
    ScenarioRuns,
    apply_scenario,
    budget_check,
    comparison_display,
    comparison_record,
    comparison_table,
    delete_scenario,
    frontier,
    list_scenarios,
    objective_target,
    optimise,
    run_scenarios,
    save_comparison,
    save_scenario,
    saved_comparison,
    setting_value,
    simulate_programs,
    sweep,
    tornado,
    weight_criterion,
    weight_setting,
    what_would_it_take,
)
from workbench.whatif.analysis import result_row, value_text
from workbench.whatif.saved import SAVED_COMPARISON, saved_comparison_table
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, SaveOver, guarded
from workbench.programs import program_ids
from workbench.views.programs import ProgramsOrder, every_program, scope_note
from workbench.views.shell import PageContext, page_tables
from workbench.views.tables import html_table
from workbench.workspace import StaleWorkspaceError, Workspace, reread

NEW = "__new__"
#: The scenario being edited, compared without saving it (published app).
EDITED = "__edited__"
KPI_TARGET = "__kpi__"
BASELINE_NAME = BASELINE.name
#: Runs per scenario offered; 1,000 keeps a comparison to a second or two for a cohort of a few hundred.
RUN_CHOICES = (200, 500, 1_000, 2_000, 5_000, 10_000)
DEFAULT_RUNS = 1_000
PRESS_RUN = "<p class='wb-muted'>Press <b>Run the comparison</b> to see the forecasts.</p>"
#: Designs the optimiser may try, the default, and how many of the frontier are shown side by side.
SEARCH_SIZES = (50, 100, 200, 500)
DEFAULT_SEARCH = 100
SHOWN_DESIGNS = 5
#: Impact measures offered for the cost-against-impact chart.
IMPACTS = ("exits", "retention", "promotion", "skill_gap_closed")
#: Settings shown in the editor, by group (weights follow the matching ones).
PROGRAM_SETTINGS = ("structure", "cohort_size", "mentor_capacity", "group_size", "mentors_per_mentee",
                    "duration_months", "cadence", "meeting_minutes", "mentor_training_hours",
                    "mentee_training_hours", "goal_setting", "agreement", "session_guides", "horizon_months")
#: Support settings shown in the editor.
SUPPORT_SETTINGS = ("mentor_hours_per_month", "check_in", "coordinator_hours_per_month", "inactivity_days",
                    "rematching")
MATCHING_SETTINGS = ("matching_method", "matching_objective")
MONEY_SETTINGS = ("budget", "average_salary", "replacement_cost_multiple")
#: Settings that may be left blank (the design or the model then decides).
OPTIONAL = ("cohort_size", "horizon_months", "budget", "average_salary", "coordinator_hours_per_month")
#: Choice settings and the catalogue decision their labels come from.
CHOICE_DECISIONS = {"structure": "experience.structure", "cadence": "experience.cadence",
                    "rematching": "support.rematching", "matching_method": "experience.matching_method",
                    "matching_objective": "experience.matching_objective", "check_in": "support.check_in"}
#: Plain label and unit of each setting ("{currency}" is the design's currency).
SETTING_LABELS = {
    "structure": ("Structure", ""),
    "cohort_size": ("Participants", "people"),
    "mentor_capacity": ("Mentor capacity", "mentees per mentor"),
    "group_size": ("Group size", "mentees per group"),
    "mentors_per_mentee": ("Mentors per mentee", "mentors"),
    "duration_months": ("Duration", "months"),
    "cadence": ("Meetings", ""),
    "meeting_minutes": ("Meeting length", "minutes"),
    "mentor_training_hours": ("Mentor training", "hours"),
    "mentee_training_hours": ("Mentee training", "hours"),
    "rematching": ("Re-matching", ""),
    "goal_setting": ("Goal setting", ""),
    "agreement": ("Mentoring agreement", ""),
    "session_guides": ("Session guides", ""),
    "mentor_hours_per_month": ("Mentor time given", "hours a month"),
    "check_in": ("Check-ins", ""),
    "coordinator_hours_per_month": ("Coordinator time", "hours a month"),
    "inactivity_days": ("Close quiet pairs after", "days without a meeting"),
    "horizon_months": ("Follow outcomes for", "months"),
    "matching_method": ("Matching method", ""),
    "matching_objective": ("Matching objective", ""),
    "budget": ("Budget", "{currency}"),
    "average_salary": ("Average salary", "{currency} a year"),
    "replacement_cost_multiple": ("Cost of replacing a leaver", "annual salaries"),
}
_LABEL_STYLE = {"description_width": "170px"}


def _caption(text: str) -> str:
    return f"<p class='wb-caption'>{html.escape(text)}</p>"


def _muted(text: str) -> str:
    return f"<span class='wb-muted'>{html.escape(text)}</span>"


def _number(value: object) -> str:
    if value is None:
        return "not set"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def parameter_label(name: str) -> str:
    """A model parameter's name in words (``turnover_reduction`` -> ``Turnover reduction``)."""
    return name.replace("_", " ").capitalize()


def setting_label(name: str) -> str:
    """A setting's or a model parameter's plain name."""
    if name in PARAMETERS:
        return parameter_label(name)
    criterion = weight_criterion(name)
    if criterion is not None:
        return f"{CRITERION_LABELS.get(criterion, criterion.capitalize())} weight"
    return SETTING_LABELS.get(name, (name.replace("_", " ").capitalize(), ""))[0]


def _choice_labels(name: str) -> dict:
    if name in CHOICE_DECISIONS:
        return {o.value: o.label for o in decision(CHOICE_DECISIONS[name]).options}
    if name in SETTINGS and SETTINGS[name].choices == (False, True):
        return {False: "No", True: "Yes"}
    return {}


def _step(low: float, high: float) -> float:
    span = max(high - low, 1e-9)
    return float(10 ** np.floor(np.log10(span / 100)))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the kernel (the thread that handles widget messages), if this thread runs one."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _same(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return bool(np.isclose(float(a), float(b), rtol=1e-9, atol=1e-9))
    return a == b


# ---------------------------------------------------------------------------------------------
# One editable setting or model parameter


class Field:
    """One setting or model parameter in the editor: its widget, the design's value, a note beside it."""

    def __init__(self, name: str, widget: w.ValueWidget, design_value: object, unit: str = "",
                 optional: bool = False, kind: str = "float") -> None:
        self.name, self.widget, self.design_value, self.unit = name, widget, design_value, unit
        self.optional, self.kind = optional, kind
        self.note = w.HTML()
        self.row = w.HBox([widget, self.note], layout=w.Layout(align_items="center"))
        self.row.add_class("wb-row")

    def get(self) -> object:
        """The value shown (``None`` for a blank optional field); a WorkbenchError when it is not a number."""
        value = self.widget.value
        if not self.optional:
            return value
        text = str(value).replace(",", "").strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise WorkbenchError(f"{setting_label(self.name)}: {value!r} is not a number.") from None
        if self.kind == "int":
            if number != int(number):
                raise WorkbenchError(f"{setting_label(self.name)} must be a whole number, not {value!r}.")
            return int(number)
        return number

    def show(self, value: object) -> None:
        """Put ``value`` in the widget (``None``: blank); a slider widens to take a value beyond its end."""
        if self.optional:
            self.widget.value = "" if value is None else _number(value).replace(",", "")
            return
        if isinstance(self.widget, w.FloatSlider) and isinstance(value, (int, float)):
            if value > self.widget.max:
                self.widget.max = float(value)
            if value < self.widget.min:
                self.widget.min = float(value)
        self.widget.value = value

    def changed(self) -> bool:
        """Whether the value differs from the design's (a blank optional field never does)."""
        try:
            value = self.get()
        except WorkbenchError:
            return True
        if self.optional and value is None:
            return False
        return not _same(value, self.design_value)


# ---------------------------------------------------------------------------------------------
# Progress of a long calculation


class JobPanel(w.HBox):
    """A progress bar with a line of text and a Cancel button, shown while a calculation runs."""

    def __init__(self) -> None:
        self.bar = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="300px"))
        self.text = w.HTML()
        self.cancel_button = w.Button(description="Cancel", icon="stop", button_style="warning",
                                      tooltip="Stop after the scenario being simulated now")
        super().__init__([self.bar, self.text, self.cancel_button], layout=w.Layout(align_items="center"))
        self.add_class("wb-row")
        self.add_class("wb-progress")
        self.layout.display = "none"
        self._message, self._started, self._cancelling = "", time.monotonic(), False

    def start(self, message: str) -> None:
        self.bar.max, self.bar.value = 1, 0
        self.bar.bar_style = "info"
        self._message, self._started, self._cancelling = message, time.monotonic(), False
        self.cancel_button.disabled = False
        self._show_text()
        self.layout.display = None

    def update(self, done: int, total: int, message: str) -> None:
        self.bar.max = max(1, int(total))
        self.bar.value = min(int(done), self.bar.max)
        if not self._cancelling:
            self._message = f"{done:,} of {total:,} steps done (last: {message})"
        self._show_text()

    def tick(self) -> None:
        """Show the time so far (called every second or so while the work runs)."""
        if self.layout.display != "none":
            self._show_text()

    def _show_text(self) -> None:
        seconds = time.monotonic() - self._started
        self.text.value = html.escape(f"{self._message} · {seconds:.0f} s")

    def cancelling(self) -> None:
        self.cancel_button.disabled = True
        self._cancelling = True
        self._message = "Cancelling: finishing the step that is running ..."
        self._show_text()

    def stop(self) -> None:
        self.layout.display = "none"


# ---------------------------------------------------------------------------------------------
# The page


class WhatIfView(w.VBox):
    """Scenario editor, comparison with progress and cancel, charts, sensitivity, what it would take, brief."""

    def __init__(self, context: PageContext, *, background: bool = True, executor=False) -> None:
        self.context = context
        self.background = background
        self.executor = executor
        self.published = published_mode()
        workspace = context.workspace
        tables = page_tables(workspace, "What-if", " to match and simulate a cohort")
        self.tables = tables
        self.design = load_design(workspace)
        self.currency = self.design.align.constraints.currency or ""
        self.cohorts: dict = {}
        self.saved: list[Scenario] = []
        self.loaded: Scenario | None = None
        self.results: list[SimulationResult] = []
        self.compared: list[Scenario] = []
        self.table: pd.DataFrame | None = None
        self.tornado_table: pd.DataFrame | None = None
        self.sweep_table: pd.DataFrame | None = None
        self.answer: Answer | None = None
        self.busy = False
        self._thread: threading.Thread | None = None
        self._cancel: threading.Event | None = None
        self._loading = False
        self.last_run: dict = {}

        self._build_editor()
        self._build_compare()
        self._build_results()
        self._build_tornado()
        self._build_what_it_takes()
        self._build_search()
        self._build_programs()
        assumptions = self._assumptions_box()
        self._job_buttons = [self.run_button, self.sweep_button, self.tornado_button, self.take_button,
                             self.search_button, *([self.programs_button] if self.programs_button else [])]
        super().__init__([scope_note(workspace, "What-if"), self.editor, self.compare_box, self.placeholder,
                          self.results_box, self.tornado_box, self.take_box, self.search_box, self.programs_box,
                          assumptions])
        self.add_class("wb-whatif")
        self._refresh_scenarios(select=NEW)
        self._render_saved_status()

    # ------------------------------------------------------------------ building the editor

    def _field(self, name: str) -> Field:
        setting = SETTINGS[name]
        label, unit = SETTING_LABELS.get(name, (setting_label(name), ""))
        unit = unit.replace("{currency}", self.currency or "currency units")
        design_value = setting_value(self.design, name)
        layout = w.Layout(width="380px")
        if setting.kind == "choice":
            labels = _choice_labels(name)
            widget = w.Dropdown(options=[(labels.get(c, str(c).replace("_", " ")), c) for c in setting.choices],
                                value=design_value, description=label, style=_LABEL_STYLE, layout=layout)
            return Field(name, widget, design_value, unit, kind="choice")
        if name in OPTIONAL:
            placeholder = {"cohort_size": "everyone matched",
                           "horizon_months": "12 or the program's length",
                           "budget": "no budget set",
                           "coordinator_hours_per_month": "as many as needed",
                           "average_salary": f"model default {PARAMETERS['annual_salary'].default:,.0f}"}[name]
            widget = w.Text(value="" if design_value is None else _number(design_value).replace(",", ""),
                            placeholder=placeholder, description=label, style=_LABEL_STYLE, layout=layout,
                            continuous_update=False)
            return Field(name, widget, design_value, unit, optional=True, kind=setting.kind)
        low = setting.low if setting.low is not None else 0
        high = setting.high if setting.high is not None else 1e9
        if weight_criterion(name) is not None:
            widget = w.FloatSlider(value=float(design_value or 0.0), min=0, max=10, step=0.5, description=label,
                                   style=_LABEL_STYLE, layout=layout, continuous_update=False, readout_format=".1f")
            return Field(name, widget, float(design_value or 0.0), "0 = not used, 10 = counts most")
        if setting.kind == "int":
            widget = w.BoundedIntText(value=int(design_value), min=int(low), max=int(high), description=label,
                                      style=_LABEL_STYLE, layout=layout)
            return Field(name, widget, int(design_value), unit, kind="int")
        step = 0.1 if high <= 10 else 0.5
        widget = w.BoundedFloatText(value=float(design_value), min=float(low), max=float(high), step=step,
                                    description=label, style=_LABEL_STYLE, layout=layout)
        return Field(name, widget, float(design_value), unit)

    def _parameter_field(self, name: str) -> Field:
        p = PARAMETERS[name]
        # from the lowest allowed value (effects may go down to none) to the top of the plausible range
        low, high = p.allowed[0], p.high
        step = _step(p.low, p.high)
        fmt = ",.0f" if step >= 1 else (".2f" if step >= 0.01 else ".3f")
        widget = w.FloatSlider(value=p.default, min=low, max=high, step=step, description=parameter_label(name),
                               style={"description_width": "190px"}, layout=w.Layout(width="470px"),
                               continuous_update=False, readout_format=fmt,
                               tooltip=f"{p.description}. Source: {p.source}")
        field = Field(name, widget, p.default, p.unit)
        field.row = w.VBox([field.row, w.HTML(f"<div class='wb-muted' style='margin:-4px 0 8px 198px;"
                                              f"font-size:12px;max-width:640px'>{html.escape(p.description)}</div>")])
        return field

    def _build_editor(self) -> None:
        style = {"description_width": "initial"}
        self.picker = w.Dropdown(description="Scenario", style=style, layout=w.Layout(width="300px"))
        self.picker.observe(self._on_pick, names="value")
        self.name = w.Text(description="Name", placeholder="e.g. A year, weekly", style=style,
                           layout=w.Layout(width="300px"))
        self.description = w.Text(description="Note", placeholder="why try it (shown in the brief)", style=style,
                                  layout=w.Layout(width="340px"))
        self.fields: dict[str, Field] = {name: self._field(name) for name in
                                         (*PROGRAM_SETTINGS, *SUPPORT_SETTINGS, *MATCHING_SETTINGS,
                                          *MONEY_SETTINGS)}
        criteria = [c for c in typing.get_args(Criterion) if c != "affinity" or self.design.experience.sensitive_opt_in]
        for criterion in criteria:
            self.fields[weight_setting(criterion)] = self._field(weight_setting(criterion))
        self.parameters: dict[str, Field] = {name: self._parameter_field(name) for name in PARAMETERS}
        for field in (*self.fields.values(), *self.parameters.values()):
            field.widget.observe(self._on_edit, names="value")

        program = w.VBox([self.fields[n].row for n in PROGRAM_SETTINGS])
        support = w.VBox([w.HTML("<p class='wb-muted'>Mentors' time sets how many meetings take place; check-ins "
                                 "and the coordinator's time prevent early closures and notice quiet pairs sooner "
                                 "for re-matching.</p>"), *[self.fields[n].row for n in SUPPORT_SETTINGS]])
        matching = w.VBox([w.HTML("<p class='wb-muted'>Changing these matches the cohort again.</p>"),
                           *[self.fields[n].row for n in MATCHING_SETTINGS],
                           *[self.fields[weight_setting(c)].row for c in criteria]])
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
        if not self.published:
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
        self.save_over = None if self.published else SaveOver(self.notice)
        self.reset_button.on_click(self._on_reset)
        self.reload_button.on_click(self._on_reload)
        self.design_text = w.HTML(self._design_summary())
        self.editor = w.VBox([
            w.HTML("<h3>1. Scenarios</h3>"), self.design_text,
            self._row(self.picker, self.name, self.description),
            self.sections, self.changes,
            self._row(*[b for b in (self.save_button, self.save_over, self.delete_button) if b is not None],
                      self.reset_button,
                      self.reload_button, self.edit_hint),
            self.notice,
        ])
        self.editor.add_class("wb-settings")
        self.editor.add_class("wb-scenario-editor")
        self.name.add_class("wb-scenario-name")

    @staticmethod
    def _row(*children: w.Widget) -> w.HBox:
        box = w.HBox(list(children), layout=w.Layout(flex_flow="row wrap", align_items="center"))
        box.add_class("wb-row")
        return box

    def _design_summary(self) -> str:
        exp = self.design.experience
        structures = _choice_labels("structure")
        cadences = _choice_labels("cadence")
        text = (f"The baseline is the design saved on the design pages: {structures.get(exp.structure, exp.structure)}"
                f" mentoring for {exp.duration_months} months, meetings {cadences.get(exp.cadence, exp.cadence).lower()}"
                f" for {exp.meeting_minutes} minutes, mentors take up to {exp.mentor_capacity} mentees. An "
                "alternative changes some of its settings or of the model's assumptions: pick a saved one or "
                "start a new one, change values below, and "
                + ("compare it as 'The settings above' (this published view saves nothing)." if self.published
                   else "save it to compare it."))
        return f"<p>{html.escape(text)}</p>"

    # ------------------------------------------------------------------ building the comparison controls

    def _build_compare(self) -> None:
        style = {"description_width": "initial"}
        self.baseline = w.Dropdown(description="Baseline", style=style, layout=w.Layout(width="320px"),
                                   tooltip="Every other scenario is compared with this one")
        self.baseline.observe(self._on_baseline, names="value")
        self.choices = w.VBox()
        self.runs = w.Dropdown(description="Runs per scenario", style=style, layout=w.Layout(width="230px"),
                               options=[(f"{n:,}", n) for n in RUN_CHOICES], value=DEFAULT_RUNS,
                               tooltip="More runs give narrower intervals and take longer")
        self.seed = w.BoundedIntText(value=0, min=0, max=2**31 - 1, description="Seed", style=style,
                                     layout=w.Layout(width="160px"),
                                     tooltip="The same seed gives the same numbers again")
        self.run_button = w.Button(description="Run the comparison", icon="play", button_style="primary",
                                   layout=w.Layout(width="auto"))
        self.run_button.on_click(self._on_run)
        self.run_progress = JobPanel()
        self.run_progress.cancel_button.on_click(self._on_cancel)
        self.run_notice = Notice()
        self.compare_box = w.VBox([
            w.HTML("<h3>2. Compare</h3><p>Tick up to six scenarios, the baseline included. Each is matched and "
                   "simulated many times (runs): more runs give narrower intervals but take longer.</p>"),
            self._row(self.baseline, self.runs, self.seed),
            self.choices,
            self._row(self.run_button),
            self.run_progress, self.run_notice,
        ])
        self.compare_box.add_class("wb-settings")
        self.compare_box.add_class("wb-compare")

    # ------------------------------------------------------------------ building the results

    def _build_results(self) -> None:
        style = {"description_width": "initial"}
        self.placeholder = w.HTML(PRESS_RUN)
        self.summary = w.HTML()
        self.kpi_table = w.HTML()
        self.kpi_table.add_class("wb-kpi-table")
        self.budget_text = w.HTML()
        self.effects_group = w.Dropdown(description="Show", style=style, layout=w.Layout(width="420px"),
                                        options=[(label, key) for key, (label, _) in KPI_GROUPS.items()],
                                        value="comparison")
        self.effects_group.observe(self._on_effects_group, names="value")
        self.effects = chart_widget(effects_chart(pd.DataFrame()))
        self.effects_caption = w.HTML()
        self.distribution_kpi = w.Dropdown(description="Figure", style=style, layout=w.Layout(width="480px"),
                                           options=[(label, kpi) for kpi, (label, *_) in KPIS.items()],
                                           value="retention")
        self.distribution_kpi.observe(self._on_distribution_kpi, names="value")
        self.distribution = chart_widget(distribution_chart(pd.DataFrame(), "retention"))
        self.distribution_caption = w.HTML()
        self.survival = chart_widget(survival_chart(pd.DataFrame()))
        self.survival_caption = w.HTML()
        self.impact = w.Dropdown(description="Impact", style=style, layout=w.Layout(width="420px"),
                                 options=[("Exits avoided by the horizon", "exits")]
                                 + [(KPIS[k][0] + " (vs comparison)", k) for k in IMPACTS[1:]],
                                 value="exits")
        self.impact.observe(self._on_impact, names="value")
        self.frontier = chart_widget(frontier_chart(pd.DataFrame()))
        self.frontier_caption = w.HTML()
        self.frontier_notice = Notice()
        sweepable = [(setting_label(n), n) for n in SETTINGS
                     if n != "weights" and n in self.fields] + [(f"{parameter_label(n)} (assumption)", n)
                                                                for n in PARAMETERS]
        self.sweep_setting = w.Dropdown(description="Try", style=style, layout=w.Layout(width="330px"),
                                        options=sweepable, value="duration_months")
        self.sweep_setting.observe(self._on_sweep_setting, names="value")
        self.sweep_values = w.Text(description="at", style=style, layout=w.Layout(width="300px"),
                                   placeholder="values, separated by commas")
        self.sweep_button = w.Button(description="Add these to the chart", icon="plus", layout=w.Layout(width="auto"),
                                     tooltip="Simulate the baseline with each value and add it to the chart")
        self.sweep_button.on_click(self._on_sweep)
        self.sweep_progress = JobPanel()
        self.sweep_progress.cancel_button.on_click(self._on_cancel)
        self._on_sweep_setting()
        self.brief_button = None
        if not self.published:
            self.brief_button = w.Button(description="Save results to the brief", icon="file-text",
                                         layout=w.Layout(width="auto"),
                                         tooltip=f"Store this comparison in the workspace ({SAVED_COMPARISON}); the "
                                                 "design brief shows it")
            self.brief_button.on_click(self._on_save_results)
        self.brief_status = w.HTML()
        self.brief_notice = Notice()
        self.brief_over = SaveOver(self.brief_notice)
        brief = [] if self.published else [w.HTML("<h4>For the design brief</h4>"),
                                           self._row(self.brief_button, self.brief_over, self.brief_status), self.brief_notice]
        self.results_box = w.VBox([
            w.HTML("<h3>3. Results</h3>"), self.summary,
            w.HTML("<h4>Key figures</h4>"), self.kpi_table, self.budget_text,
            w.HTML("<h4>Effects, with their 95% intervals</h4>"), self.effects_group, self.effects, self.effects_caption,
            w.HTML("<h4>How much a single cohort can vary</h4>"), self.distribution_kpi, self.distribution,
            self.distribution_caption,
            w.HTML("<h4>Who stays</h4>"), self.survival, self.survival_caption,
            w.HTML("<h4>Cost against impact</h4>"), self.impact, self.frontier, self.frontier_caption,
            w.HTML("<p>Add more points: simulate the baseline with one setting at several values.</p>"),
            self._row(self.sweep_setting, self.sweep_values, self.sweep_button),
            self.sweep_progress, self.frontier_notice,
            *brief,
        ])
        self.results_box.add_class("wb-results")
        self.results_box.layout.display = "none"

    def _build_tornado(self) -> None:
        style = {"description_width": "initial"}
        self.tornado_kpi = w.Dropdown(description="Figure", style=style, layout=w.Layout(width="480px"),
                                      options=[(label, kpi) for kpi, (label, *_) in KPIS.items()], value="retention")
        self.tornado_button = w.Button(description="Run the sensitivity analysis", icon="sliders",
                                       layout=w.Layout(width="auto"))
        self.tornado_button.on_click(self._on_tornado)
        self.tornado_progress = JobPanel()
        self.tornado_progress.cancel_button.on_click(self._on_cancel)
        self.tornado_notice = Notice()
        self.tornado_chart = chart_widget(tornado_chart(pd.DataFrame()))
        self.tornado_chart.layout.display = "none"
        self.tornado_caption = w.HTML()
        self.tornado_box = w.VBox([
            w.HTML("<h3>Which assumptions matter most?</h3><p>The forecasts rest on the model's assumptions. This "
                   "moves each one to the ends of its plausible range, one at a time, on the baseline, and shows "
                   "how far the figure moves.</p>"),
            self._row(self.tornado_kpi, self.tornado_button), self.tornado_progress, self.tornado_notice,
            self.tornado_chart, self.tornado_caption,
        ])
        self.tornado_box.add_class("wb-tornado")

    def _build_what_it_takes(self) -> None:
        style = {"description_width": "initial"}
        self.goal = w.Dropdown(description="Goal", style=style, layout=w.Layout(width="560px"))
        self.goal.observe(self._on_goal, names="value")
        self.take_kpi = w.Dropdown(description="Figure", style=style, layout=w.Layout(width="480px"),
                                   options=[(label, kpi) for kpi, (label, *_) in KPIS.items()], value="retention")
        self.take_kpi.observe(self._on_goal, names="value")
        self.target = w.FloatText(value=2.0, description="Target", style=style, layout=w.Layout(width="170px"))
        self.target_unit = w.HTML()
        self.probability = w.FloatSlider(value=0.6, min=0.5, max=0.95, step=0.05, description="in at least",
                                         readout_format=".0%", style=style, continuous_update=False,
                                         layout=w.Layout(width="300px"))
        numeric = [(setting_label(n), n) for n in self.fields if SETTINGS[n].numeric]
        numeric += [(f"{parameter_label(n)} (assumption)", n) for n in PARAMETERS]
        self.take_setting = w.Dropdown(description="by changing", style=style, layout=w.Layout(width="360px"),
                                       options=numeric, value="duration_months")
        self.take_button = w.Button(description="Find out", icon="search", layout=w.Layout(width="auto"))
        self.take_button.on_click(self._on_take)
        self.take_progress = JobPanel()
        self.take_progress.cancel_button.on_click(self._on_cancel)
        self.take_notice = Notice()
        self.take_answer = w.HTML()
        self.take_answer.add_class("wb-answer")
        objectives = [(f"Objective {o.id}: {o.statement or o.kpi or o.kind}"[:90], o.id)
                      for o in self.design.align.objectives
                      if o.kind in OBJECTIVE_KPI and o.baseline is not None and o.target is not None]
        self.goal.options = objectives + [("A target I set for one figure", KPI_TARGET)]
        self.goal.value = objectives[0][1] if objectives else KPI_TARGET
        self._on_goal()
        self.take_box = w.VBox([
            w.HTML("<h3>What would it take?</h3><p>The smallest change to one setting of the baseline after which "
                   "the simulated program reaches a goal in the share of runs you ask for.</p>"),
            self.goal, self._row(self.take_kpi, self.target, self.target_unit),
            self._row(self.probability, w.HTML(_muted("of simulated cohorts")), self.take_setting, self.take_button),
            self.take_progress, self.take_notice, self.take_answer,
        ])
        self.take_box.add_class("wb-take")

    def _build_search(self) -> None:
        style = {"description_width": "initial"}
        budget = self.design.align.constraints.budget
        self.search_budget = w.Text(value="" if budget is None else f"{budget:g}", placeholder="no budget",
                                    description=f"Budget ({self.currency or 'currency'})", style=style,
                                    layout=w.Layout(width="260px"))
        self.search_size = w.Dropdown(description="Designs to try", style=style, layout=w.Layout(width="200px"),
                                      options=[(f"{n:,}", n) for n in SEARCH_SIZES], value=DEFAULT_SEARCH)
        self.search_runs = w.Dropdown(description="Runs per design", style=style, layout=w.Layout(width="210px"),
                                      options=[(f"{n:,}", n) for n in (100, 200, 500, 1_000)], value=200)
        self.search_button = w.Button(description="Find better designs", icon="magic", button_style="primary",
                                      layout=w.Layout(width="auto"))
        self.search_button.on_click(self._on_search)
        self.search_progress = JobPanel()
        self.search_progress.cancel_button.on_click(self._on_cancel)
        self.search_notice = Notice()
        self.search_results = w.VBox()
        self.optimisation = None
        goals = [o for o in self.design.align.objectives
                 if o.kind in OBJECTIVE_KPI and o.baseline is not None and o.target is not None]
        aim = ("the chance of reaching each objective of the design at its horizon" if goals else
               "the exits avoided (the design has no objective the model simulates; add one on the Align page)")
        self.search_box = w.VBox([
            w.HTML("<h3>Find better designs</h3><p>Searches the whole design at once (structure, cohort size, mentor "
                   "capacity, duration, meetings and their length, training, re-matching, matching weights, and up "
                   "to three cohorts in a row on the same mentors) for the designs nobody beats on both cost and "
                   f"{html.escape(aim)}, within the budget, the mentors' hours a month "
                   f"({self.design.support.mentor_hours_per_month:g}) and the mentor pool.</p>"),
            self._row(self.search_budget, self.search_size, self.search_runs, self.search_button),
            self.search_progress, self.search_notice, self.search_results,
        ])
        self.search_box.add_class("wb-search")

    @guarded("find better designs", notice="search_notice")
    def _on_search(self, _button: w.Button) -> None:
        text = self.search_budget.value.replace(",", "").strip()
        try:
            budget = float(text) if text else None
        except ValueError:
            raise WorkbenchError(f"Budget: {self.search_budget.value!r} is not a number.") from None
        candidates, runs = int(self.search_size.value), int(self.search_runs.value)

        def work(progress, cancel) -> Optimisation:
            return optimise(self.tables, self.design, budget=budget, candidates=candidates, runs=runs,
                            seed=int(self.seed.value), executor=self.executor, progress=progress, cancel=cancel)

        def done(found: Optimisation, seconds: float) -> None:
            if found.cancelled:
                self.search_notice.show(f"Cancelled after {len(found.candidates)} designs: nothing was saved. "
                                        "Showing what the designs tried so far give.", "warning")
            if found.binding:
                self.search_notice.show(found.binding, "warning")
            self.optimisation = found
            self._show_search(found, seconds)

        self._launch("find better designs", self.search_progress, "search_notice",
                     f"Trying {candidates:,} designs ...", work, done)

    def _show_search(self, found: Optimisation, seconds: float) -> None:
        front = found.frontier()
        if front.empty:
            self.search_results.children = [w.HTML(_caption("No design tried keeps within every constraint."))]
            return
        picks = front.iloc[sorted({int(round(i)) for i in np.linspace(0, len(front) - 1, min(SHOWN_DESIGNS,
                                                                                               len(front)))})]
        rows = picks.to_dict("records")
        names = [f"#{int(r['candidate'])}" for r in rows]
        table: dict[str, list[str]] = {"": names}
        table["Cost"] = [f"{r['cost']:,.0f} {self.currency}".strip() for r in rows]
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
        caption = (f"{len(found.candidates):,} designs tried ({int(found.candidates['feasible'].sum()):,} within the "
                   f"constraints), {found.runs:,} runs each, seed {found.seed}, in {seconds:.0f} s; {len(front)} "
                   f"{'are' if len(front) != 1 else 'is'} on the frontier, {len(rows)} shown from the cheapest to the "
                   "most effective. Each is a model forecast under the assumptions below. Designs of several cohorts "
                   "in a row add up their cohorts' costs and exits.")
        buttons = []
        for row, name in zip(rows, names):
            load = w.Button(description=f"Open {name} in the editor", icon="pencil", layout=w.Layout(width="auto"))
            load.on_click(lambda _b, row=row: self._open_candidate(row))
            buttons.append(load)
            if not self.published:
                save = w.Button(description=f"Save {name} as a scenario", icon="save", layout=w.Layout(width="auto"))
                save.on_click(lambda _b, row=row: self._save_candidate(row))
                buttons.append(save)
        self.search_results.children = [w.HTML(html_table(shown, limit=len(shown)) + _caption(caption)),
                                        self._row(*buttons)]

    def _build_programs(self) -> None:
        """The All programs forecast, when the workspace has more than one program (else an empty box)."""
        ids = program_ids(self.context.workspace)
        self.programs_button = None
        self.programs_forecast: ProgramsForecast | None = None
        self.programs_box = w.VBox()
        if len(ids) < 2:
            self.programs_box.layout.display = "none"
            return
        self.programs_how = ProgramsOrder(ids, verb="Match them")
        self.programs_button = w.Button(description="Forecast all programs", icon="sitemap", button_style="primary",
                                        layout=w.Layout(width="auto"))
        self.programs_button.on_click(self._on_programs)
        self.programs_progress = JobPanel()
        self.programs_progress.cancel_button.on_click(self._on_cancel)
        self.programs_notice = Notice()
        self.programs_table = w.HTML()
        self.programs_chart = chart_widget(programs_chart(pd.DataFrame()))
        self.programs_chart.layout.display = "none"  # until there is a forecast to draw
        self.programs_caption = w.HTML()
        self.programs_box.children = [
            w.HTML(f"<h3>All programs</h3><p>This workspace has {len(ids)} programs ({html.escape(', '.join(ids))}). "
                   "The sections above take the program "
                   f"<b>{html.escape(self.context.workspace.program_id)}</b> alone; this forecast takes every "
                   "program with its saved design, the runs and seed chosen under Compare.</p>"
                   + _caption(FORECAST_MEANS)),
            self._row(self.programs_how, self.programs_button),
            self.programs_progress, self.programs_notice, self.programs_table, self.programs_chart,
            self.programs_caption]
        self.programs_box.add_class("wb-all-programs")

    @guarded("forecast every program", notice="programs_notice")
    def _on_programs(self, _button: w.Button) -> None:
        tables, designs = every_program(self.context.workspace)
        mode, order = self.programs_how.chosen()
        runs, seed = int(self.runs.value), int(self.seed.value)

        def work(progress, cancel) -> ProgramsForecast:
            return simulate_programs(tables, designs, mode=mode, order=order, runs=runs, seed=seed,
                                     progress=progress, cancel=cancel)

        def done(found: ProgramsForecast, seconds: float) -> None:
            if found.cancelled:
                self.programs_notice.show("Cancelled: nothing new to show.", "warning")
                return
            self.programs_forecast = found
            self._show_programs(found, seconds)

        self._launch("forecast every program", self.programs_progress, "programs_notice",
                     f"Matching {len(designs)} programs together and simulating each ...", work, done)

    def _show_programs(self, found: ProgramsForecast, seconds: float) -> None:
        table = found.table()
        interval = lambda mean, low, high, fmt: "–" if pd.isna(mean) else \
            f"{format(mean, fmt)} [{format(low, fmt)}, {format(high, fmt)}]"
        shown = pd.DataFrame({
            "Program": table["program"], "Design": table["name"], "Mentees": table["mentees"].map("{:,}".format),
            "Participants": table["participants"].map("{:,}".format),
            "Exits avoided [95% interval]": [interval(*r, ",.2f") for r in zip(
                table["exits_avoided"], table["exits_avoided_low"], table["exits_avoided_high"])],
            f"Cost ({self.currency or 'currency'})": table["cost"].map(lambda x: "–" if pd.isna(x) else f"{x:,.0f}"),
            "ROI [95% interval]": [interval(*r, "+.2f") for r in zip(table["roi"], table["roi_low"],
                                                                      table["roi_high"])]})
        if table["budget"].notna().any():
            shown["P(within budget)"] = table["p_within_budget"].map(lambda x: "–" if pd.isna(x) else f"{x:.0%}")
        shown["Note"] = table["note"]
        how = "jointly" if found.mode == "joint" else f"in priority order {' > '.join(found.order)}"
        self.programs_table.value = (
            f"<p class='wb-summary-text'>{len(found.order)} programs matched together ({html.escape(how)}), "
            f"{found.runs:,} simulated runs each (seed {found.seed}, {seconds:.1f} s), followed for "
            f"{found.horizon_months} months. <b>Model forecasts, not measurements.</b></p>"
            + html_table(shown, limit=len(shown)))
        self.programs_chart.chart = programs_chart(table)
        self.programs_chart.layout.display = ""
        self.programs_caption.value = _caption(programs_caption(table))

    def _candidate_scenario(self, row: dict) -> Scenario:
        base = f"Optimiser #{int(row['candidate'])}"
        taken = {s.name for s in self.saved}
        name = next(n for n in (base, *(f"{base} ({k})" for k in range(2, 100))) if n not in taken)
        return self.optimisation.scenario(row, name)

    @guarded("open the design in the editor", notice="search_notice")
    def _open_candidate(self, row: dict) -> None:
        self._show_scenario(self._candidate_scenario(row), saved=False)
        self.search_notice.show("Opened in the scenario editor above (not saved): compare it with the design, or "
                                "save it there.", "info")

    @guarded("save the design as a scenario", notice="search_notice")
    def _save_candidate(self, row: dict) -> None:
        scenario = self._candidate_scenario(row)
        self.context.workspace = save_scenario(self.context.workspace, scenario)
        ticked = self._ticked()
        if len(ticked) < MAX_COMPARED:
            ticked.append(scenario.name)
        self._refresh_scenarios(select=scenario.name)
        self._tick(ticked)
        self.search_notice.show(f"Saved the scenario {scenario.name!r} in the workspace; it is ticked under Compare.",
                                "success")

    def _assumptions_box(self) -> w.Widget:
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

    # ------------------------------------------------------------------ scenarios: list, load, edit

    def _refresh_scenarios(self, select: str | None = None) -> None:
        """Read the saved scenarios again and rebuild the picker and the comparison choices."""
        self.saved = list_scenarios(self.context.workspace)
        names = [s.name for s in self.saved]
        previous = self.picker.value
        wanted = select if select is not None else previous
        self._loading = True
        try:
            self.picker.options = [("New scenario", NEW)] + [(n, n) for n in names]
            self.picker.value = wanted if wanted in (NEW, *names) else NEW
        finally:
            self._loading = False
        self._load(self.picker.value)
        self._render_choices()

    def _scenario(self, name: str) -> Scenario:
        if name == BASELINE_NAME:
            return BASELINE
        if name == EDITED:
            return self._edited()
        for scenario in self.saved:
            if scenario.name == name:
                return scenario
        raise WorkbenchError(f"There is no saved scenario called {name!r} any more: press Reload.")

    def _edited(self) -> Scenario:
        """The scenario in the editor, to compare without saving it (renamed if a saved one has its name)."""
        scenario = self.current_scenario()
        if scenario.name in {s.name for s in self.saved}:
            scenario = dataclasses.replace(scenario, name=f"{scenario.name} (edited)")
        return scenario

    def _new_name(self) -> str:
        taken = {s.name.lower() for s in self.saved}
        k = 1
        while f"alternative {k}" in taken:
            k += 1
        return f"Alternative {k}"

    def _load(self, name: str) -> None:
        """Show scenario ``name`` (or the design's values for a new one) in the editor."""
        self._show_scenario(None if name == NEW else self._scenario(name))

    def _show_scenario(self, scenario: Scenario | None, *, saved: bool = True) -> None:
        """Show ``scenario`` in the editor (``None``: the design's values); ``saved=False`` for one not saved yet."""
        self.loaded = scenario if saved else None
        self._loading = True
        try:
            self.name.value = scenario.name if scenario else self._new_name()
            self.description.value = scenario.description if scenario else ""
            overrides = dict(scenario.overrides) if scenario else {}
            weights = overrides.pop("weights", None)
            for key, field in self.fields.items():
                if key in overrides:
                    value = overrides[key]
                elif weights is not None and weight_criterion(key) is not None:
                    value = float(weights.get(weight_criterion(key), 0.0))
                else:
                    value = field.design_value
                field.show(value)
            for key, field in self.parameters.items():
                field.show((scenario.parameters if scenario else {}).get(key, field.design_value))
        finally:
            self._loading = False
        if self.delete_button is not None:
            self.delete_button.disabled = self.loaded is None
        self.edit_hint.value = ""
        self._render_changes()

    @guarded("open the scenario")
    def _on_pick(self, _change: object) -> None:
        if not self._loading and self.picker.value is not None:
            self._load(self.picker.value)

    @guarded("update the scenario")
    def _on_edit(self, _change: object) -> None:
        if self._loading:
            return
        self._render_changes()
        self.edit_hint.value = "<span class='wb-unsaved'>Not saved yet</span>"

    def _visible(self, field: Field) -> bool:
        structure = self.fields["structure"].widget.value
        wanted = {"group_size": structure == "group", "mentors_per_mentee": structure == "mosaic"}
        return wanted.get(field.name, True) or field.changed()

    def _render_changes(self) -> None:
        items = []
        for field in (*self.fields.values(), *self.parameters.values()):
            field.row.layout.display = None if self._visible(field) else "none"
            changed = field.changed()
            design = self._shown(field.name, field.design_value)
            unit = html.escape(field.unit)
            if field.name in PARAMETERS:
                p = PARAMETERS[field.name]
                source = html.escape(f"{p.description}. Source: {p.source}")
                note = (f"{unit}; plausible {p.low:g} to {p.high:g} · default {p.default:g} · <span title='{source}' "
                        "style='cursor:help;color:#0b57d0;border-bottom:1px dotted #0b57d0'>source</span>")
            else:
                note = f"{unit}{' · ' if unit else ''}design: {html.escape(design)}"
            if changed:
                note = f"<b style='color:#8a5300'>changed</b> · {note}"
            field.note.value = f"<span class='wb-muted' style='font-size:12px'>{note}</span>"
            if changed:
                try:
                    items.append(f"{setting_label(field.name)}: {design} → {self._shown(field.name, field.get())}"
                                 + self._unit(field.name, field.get()))
                except WorkbenchError as exc:
                    items.append(str(exc))
        if items:
            self.changes.value = ("<p class='wb-changes'><b>Changes from the design:</b> "
                                  + html.escape("; ".join(items)) + "</p>")
        else:
            self.changes.value = ("<p class='wb-changes wb-muted'>No changes from the design yet: change a value "
                                  "above.</p>")

    def _shown(self, name: str, value: object) -> str:
        if value is None:
            return {"cohort_size": "everyone matched", "budget": "none", "horizon_months": "default",
                    "average_salary": "model default"}.get(name, "not set")
        labels = _choice_labels(name)
        if labels:
            return labels.get(value, str(value))
        return _number(value)

    def _unit(self, name: str, value: object) -> str:
        """`` months``, `` mentees per mentor`` ... after a number of setting ``name`` (nothing after text)."""
        if name in PARAMETERS or weight_criterion(name) is not None or not isinstance(value, (int, float)):
            return ""
        unit = SETTING_LABELS.get(name, ("", ""))[1].replace("{currency}", self.currency)
        first, _, rest = unit.partition(" ")
        if value == 1 and first.endswith("s"):  # 1 month, 1 mentee per mentor
            unit = first[:-1] + (f" {rest}" if rest else "")
        return f" {unit}" if unit else ""

    def describe_changes(self, scenario: Scenario) -> str:
        """What ``scenario`` changes from the design, in words."""
        items = []
        for name, value in scenario.overrides.items():
            if name == "weights":
                items.append("matching weights " + ", ".join(f"{k} {v:g}" for k, v in value.items()))
                continue
            items.append(f"{setting_label(name)}: {self._shown(name, setting_value(self.design, name))} → "
                         f"{self._shown(name, value)}{self._unit(name, value)}")
        for name, value in scenario.parameters.items():
            items.append(f"{parameter_label(name)}: {PARAMETERS[name].default:g} → {value:g}")
        return "; ".join(items) or "no changes"

    def current_scenario(self) -> Scenario:
        """The scenario the editor shows, checked (a WorkbenchError names what is wrong)."""
        name = self.name.value.strip()
        if not name:
            raise WorkbenchError("Give the scenario a name.")
        if name == BASELINE_NAME:
            raise WorkbenchError(f"{BASELINE_NAME!r} is the design itself: give the scenario another name.")
        overrides = {key: field.get() for key, field in self.fields.items() if field.changed()}
        parameters = {key: field.get() for key, field in self.parameters.items() if field.changed()}
        loaded = self.loaded if self.loaded is not None and self.loaded.name == name else None
        scenario = Scenario(name=name, overrides=overrides, parameters=parameters,
                            runs=loaded.runs if loaded else None, seed=loaded.seed if loaded else None,
                            description=self.description.value.strip(), stream=loaded.stream if loaded else None)
        apply_scenario(self.design, scenario)  # the design as a whole must accept it
        return scenario

    @guarded("save the scenario", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        scenario = self.current_scenario()
        if not scenario.overrides and not scenario.parameters:
            raise WorkbenchError("This scenario changes nothing: change a setting or an assumption first, or "
                                 "compare the design itself (it is always the baseline).")
        self._save(self.context.workspace, scenario)

    def _save(self, workspace: Workspace, scenario: Scenario) -> None:
        replaced = any(s.name == scenario.name for s in self.saved)
        try:
            self.context.workspace = save_scenario(workspace, scenario)
        except StaleWorkspaceError as refused:
            raise self.save_over.offer(refused, lambda: self._save(reread(self.context.workspace), scenario)) from None
        ticked = self._ticked()
        if scenario.name not in ticked and len(ticked) < MAX_COMPARED:
            ticked.append(scenario.name)
        self._refresh_scenarios(select=scenario.name)
        self._tick(ticked)
        self.edit_hint.value = "<span class='wb-saved'>Saved</span>"
        copy = ""
        if self.loaded is not None and not replaced and self.loaded.name != scenario.name:
            copy = " as a new scenario"
        self.notice.show(f"Saved the scenario {scenario.name!r}{copy} in the workspace. It is ticked under Compare: "
                         "press Run the comparison.", "success")

    @guarded("delete the scenario", button="delete_button")
    def _on_delete(self, _button: w.Button) -> None:
        name = self.picker.value
        if name in (None, NEW):
            raise WorkbenchError("Pick a saved scenario to delete.")
        self.context.workspace = delete_scenario(self.context.workspace, name)
        ticked = [n for n in self._ticked() if n != name]
        self._refresh_scenarios(select=NEW)
        self._tick(ticked)
        self.notice.show(f"Deleted the scenario {name!r} from the workspace.", "success")

    @guarded("restore the design's values", button="reset_button")
    def _on_reset(self, _button: w.Button) -> None:
        name, description = self.name.value, self.description.value
        self._load(NEW)
        self.name.value, self.description.value = name, description
        self.loaded = None
        self.edit_hint.value = "<span class='wb-unsaved'>Not saved yet</span>"

    @guarded("reload the workspace", button="reload_button")
    def _on_reload(self, _button: w.Button) -> None:
        self.context.workspace = reread(self.context.workspace)
        design = load_design(self.context.workspace)
        if design != self.design:
            raise WorkbenchError("The design was changed on another page since this page opened it: reload the "
                                 "page in the browser to compare against the new design.")
        ticked = self._ticked()
        self._refresh_scenarios()
        self._tick(ticked)
        self._render_saved_status()
        self.notice.show("Read the saved scenarios again from the workspace.", "info")

    # ------------------------------------------------------------------ comparison choices

    def _render_choices(self) -> None:
        previous = {name: box.value for name, box in getattr(self, "_boxes", {}).items()}
        names = [BASELINE_NAME] + [s.name for s in self.saved]
        baseline = self.baseline.value if self.baseline.value in names else BASELINE_NAME
        if self.published:
            names.insert(1, EDITED)
        self._loading = True
        try:
            self.baseline.options = [("The design", BASELINE_NAME)] + [(s.name, s.name) for s in self.saved]
            self.baseline.value = baseline
        finally:
            self._loading = False
        self._boxes: dict[str, w.Checkbox] = {}
        rows = []
        for k, name in enumerate(names):
            label = {BASELINE_NAME: "The design", EDITED: "The settings above"}.get(name, name)
            default = previous.get(name, k < MAX_COMPARED)
            box = w.Checkbox(value=default, description=label, indent=False, layout=w.Layout(width="260px"))
            self._boxes[name] = box
            text = {BASELINE_NAME: "the design as saved",
                    EDITED: "the scenario being edited above, compared without saving it (left out while it changes "
                            "nothing)"}.get(name) or self.describe_changes(self._scenario(name))
            rows.append(w.HBox([box, w.HTML(_muted(text))], layout=w.Layout(align_items="center")))
        self.choices.children = rows
        self._on_baseline()

    def _ticked(self) -> list[str]:
        return [name for name, box in getattr(self, "_boxes", {}).items() if box.value]

    def _tick(self, names: Sequence[str]) -> None:
        for name, box in self._boxes.items():
            box.value = name in names or name == self.baseline.value

    @guarded("choose the baseline")
    def _on_baseline(self, _change: object = None) -> None:
        if self._loading:
            return
        for name, box in getattr(self, "_boxes", {}).items():
            is_base = name == self.baseline.value
            if is_base:
                box.value = True
            box.disabled = is_base

    def compared_scenarios(self) -> list[Scenario]:
        """The baseline first, then the other ticked scenarios in list order."""
        base = self.baseline.value or BASELINE_NAME
        others = [n for n in self._ticked() if n != base]
        if EDITED in others:
            edited = self._edited()
            if not edited.overrides and not edited.parameters:
                others.remove(EDITED)
        if len(others) + 1 > MAX_COMPARED:
            raise WorkbenchError(f"Tick at most {MAX_COMPARED - 1} scenarios besides the baseline "
                                 f"({len(others)} are ticked).")
        return [self._scenario(base)] + [self._scenario(n) for n in others]

    # ------------------------------------------------------------------ running in the background

    def _launch(self, action: str, panel: JobPanel, notice: str, message: str,
                work: Callable[[Callable, threading.Event], object], done: Callable[[object, float], None]) -> None:
        """Run ``work(progress, cancel)`` (in a thread unless ``background`` is off), then ``done(outcome, seconds)``.

        Only the progress bar, its text and simple values change from the
        worker thread; ``done`` (which redraws charts and tables) runs on the
        kernel's event loop, where widget messages are safe. Errors of either
        part are shown in the ``notice`` attribute's Notice through
        :func:`guarded`.
        """
        if self.busy:
            raise WorkbenchError("Another calculation is still running: wait for it to finish, or cancel it.")
        self.busy = True
        cancel = threading.Event()
        self._cancel = cancel
        self._panel = panel
        for button in self._job_buttons:
            button.disabled = True
        panel.start(message)
        started = time.monotonic()
        loop = _running_loop() if self.background else None

        def idle() -> None:
            panel.stop()
            self.busy = False
            for button in self._job_buttons:
                button.disabled = False

        def show(view: "WhatIfView", outcome: object) -> None:
            try:
                done(outcome, time.monotonic() - started)
            finally:
                idle()

        shown = guarded(action, notice=notice)(show)

        def compute(view: "WhatIfView") -> None:
            try:
                outcome = work(panel.update, cancel)
            except BaseException:
                idle()
                raise
            if loop is None:
                shown(view, outcome)
            else:
                loop.call_soon_threadsafe(shown, view, outcome)

        body = guarded(action, notice=notice)(compute)
        if self.background:
            self._thread = threading.Thread(target=body, args=(self,), name=f"what-if: {action}", daemon=True)
            self._thread.start()
            thread = self._thread

            def clock() -> None:  # the time so far, so a long first step does not look stuck
                while thread.is_alive():
                    thread.join(1.0)
                    panel.tick()

            threading.Thread(target=clock, name="what-if: clock", daemon=True).start()
        else:
            body(self)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the calculation running in the background (for notebooks and tests)."""
        if self._thread is not None:
            self._thread.join(timeout)

    @guarded("cancel the calculation", notice="run_notice")
    def _on_cancel(self, _button: w.Button) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self._panel.cancelling()

    # ------------------------------------------------------------------ the comparison

    @guarded("run the comparison", notice="run_notice")
    def _on_run(self, _button: w.Button) -> None:
        scenarios = self.compared_scenarios()
        runs, seed = int(self.runs.value), int(self.seed.value)

        def work(progress, cancel) -> ScenarioRuns:
            return run_scenarios(self.tables, self.design, scenarios, runs=runs, seed=seed, executor=self.executor,
                                 progress=progress, cancel=cancel, errors="record", cohorts=self.cohorts)

        def done(batch: ScenarioRuns, seconds: float) -> None:
            if batch.cancelled:
                self.run_notice.show("Cancelled: nothing new to show. Fewer runs per scenario make the comparison "
                                     "quicker.", "warning")
                return
            failed = {n: why for n, why in batch.errors.items()}
            if scenarios[0].name in failed:
                raise WorkbenchError(failed[scenarios[0].name])
            self.compared = [s for s, r in zip(scenarios, batch.results) if r is not None]
            self.results = batch.finished()
            self.sweep_table = None
            self.last_run = {"runs": runs, "seed": seed, "seconds": seconds}
            self._render_results()
            if failed:
                self.run_notice.show("Some scenarios could not be simulated:\n" + "\n".join(failed.values()),
                                     "warning")

        self._launch("run the comparison", self.run_progress, "run_notice",
                     f"Matching and simulating {len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''} ...",
                     work, done)

    def _render_results(self) -> None:
        results = self.results
        self.table = comparison_table(results, baseline=0)
        self.placeholder.layout.display = "none"
        self.results_box.layout.display = None
        first = results[0]
        runs, seed, seconds = self.last_run["runs"], self.last_run["seed"], self.last_run["seconds"]
        cohort = first.cohort.get("participants", 0)
        self.summary.value = (
            f"<p class='wb-summary-text'>{len(results)} scenario{'s' if len(results) != 1 else ''}, "
            f"{runs:,} simulated runs each (seed {seed}, {seconds:.1f} s); the baseline is "
            f"<b>{html.escape(self._name(first.name))}</b> with {cohort:,} matched participants, followed for "
            f"{first.horizon_months} months. Effects are the difference from a simulated comparison group of "
            "eligible non-participants with the same exit rates. These are <b>model forecasts, not "
            "measurements</b>: they rest on the assumptions listed at the bottom of the page.</p>")
        self._render_kpi_table()
        self._render_effects()
        self._render_distribution()
        survival = pd.concat([r.survival.assign(scenario=self._name(r.name)) for r in results], ignore_index=True)
        self.survival.chart = survival_chart(survival)
        self.survival_caption.value = _caption(survival_caption(survival))
        self._render_frontier()
        self.frontier_notice.clear()
        self.brief_notice.clear()
        if self.brief_button is not None:
            self.brief_button.disabled = False

    def _name(self, name: str) -> str:
        return "The design" if name == BASELINE_NAME else name

    def _render_kpi_table(self) -> None:
        self.kpi_table.value = self._kpi_table_html(self.table, [r.cohort.get("participants", 0) for r in self.results])
        self.budget_text.value = self._budget_html([(r.name, budget_check(r)) for r in self.results])

    def _kpi_table_html(self, table: pd.DataFrame, participants: list[int]) -> str:
        """The key figures of a comparison table (:func:`comparison_table`), one column per scenario."""
        display = comparison_display(table)
        names = list(display.columns[1:])
        display.columns = ["Figure"] + [f"{self._name(n)} (baseline)" if i == 0 else self._name(n)
                                        for i, n in enumerate(names)]
        size = pd.DataFrame([["Matched participants simulated"] + [f"{int(n):,}" for n in participants]],
                            columns=display.columns)
        units = []
        for kpi in table["kpi"].drop_duplicates():
            _, unit_text, _ = kpi_scale(kpi, self.currency)
            units.append({"percentage points": "pts", "%": "%", "x cost": "ratio"}.get(unit_text, unit_text))
        display["Figure"] = [label.replace(" (vs comparison)", ": difference from the comparison group") + f" ({unit})"
                             for label, unit in zip(display["Figure"], units)]
        shown = pd.concat([size, display], ignore_index=True)
        return html_table(shown, limit=len(shown)) + _caption(
            "Each cell: the mean over runs with its 95% interval in brackets. 'pts' are percentage points: +2.5 pts "
            "means 2.5 more participants in 100 than in the comparison group. P(better) is the share of runs in "
            "which the scenario does better than the baseline (fewer exits, lower cost and fewer early closures "
            "count as better); around 50% means no real difference.")

    def _budget_html(self, budgets: list[tuple[str, dict | None]]) -> str:
        """Each scenario's expected cost against the budget (``budget_check`` per scenario name)."""
        budgets = [(self._name(n), b) for n, b in budgets if b is not None]
        if budgets:
            return "<p>" + html.escape(" ".join(
                f"{n}: expected cost {b['expected_cost']:,.0f} {b['currency']} against a budget of "
                f"{b['budget']:,.0f}; within the budget in {b['p_within']:.0%} of runs." for n, b in budgets)) + "</p>"
        return _caption("No budget is set in the design: set one on the Align page or in a scenario (Money) to see "
                        "the chance of staying within it.")

    def _named_table(self) -> pd.DataFrame:
        table = self.table.copy()
        table["scenario"] = table["scenario"].map(self._name)
        return table

    @guarded("show the effects", notice="run_notice")
    def _on_effects_group(self, _change: object) -> None:
        if self.table is not None:
            self._render_effects()

    def _render_effects(self) -> None:
        kpis = KPI_GROUPS[self.effects_group.value][1]
        table = self._named_table()
        self.effects.chart = effects_chart(table, kpis, currency=self.currency)
        self.effects_caption.value = _caption(effects_caption(table, kpis, currency=self.currency))

    @guarded("show the distribution", notice="run_notice")
    def _on_distribution_kpi(self, _change: object) -> None:
        if self.results:
            self._render_distribution()

    def _render_distribution(self) -> None:
        kpi = self.distribution_kpi.value
        series = "difference" if KPIS[kpi][2] else "participants"
        frames = []
        for result in self.results:
            frame = result.distribution(kpi)
            frames.append(frame[frame["series"] == series].assign(scenario=self._name(result.name)))
        bins = pd.concat(frames, ignore_index=True)
        self.distribution.chart = distribution_chart(bins, kpi, currency=self.currency)
        text = distribution_caption(bins, kpi, currency=self.currency)
        if KPIS[kpi][2]:
            above = "; ".join(f"{self._name(r.name)} {r.kpi(kpi)['p_positive']:.0%}" for r in self.results)
            better = "above" if KPIS[kpi][3] else "below"
            text += f" Runs in which participants do better than the comparison group ({better} zero): {above}."
        self.distribution_caption.value = _caption(text)

    # ------------------------------------------------------------------ cost against impact, sweep

    @guarded("show cost against impact", notice="frontier_notice")
    def _on_impact(self, _change: object) -> None:
        if self.results:
            self._render_frontier()

    def _render_frontier(self) -> None:
        impact = self.impact.value
        kpis = ["cost", *IMPACTS]
        rows = [{"scenario": self._name(r.name), **result_row(r, kpis)} for r in self.results]
        frame = pd.DataFrame(rows)
        if self.sweep_table is not None:
            done = self.sweep_table[self.sweep_table["status"] == "done"]
            frame = pd.concat([frame, done[frame.columns.intersection(done.columns)]], ignore_index=True)
        table = frontier(frame, impact=impact)
        self.frontier.chart = frontier_chart(table, currency=self.currency)
        self.frontier_caption.value = _caption(frontier_caption(table, currency=self.currency))

    @guarded("suggest values to try", notice="frontier_notice")
    def _on_sweep_setting(self, _change: object = None) -> None:
        name = self.sweep_setting.value
        if name is None:
            return
        if name in PARAMETERS:
            p = PARAMETERS[name]
            values = np.linspace(p.low, p.high, 5)
            self.sweep_values.value = ", ".join(f"{v:.3g}" for v in values)
            return
        setting = SETTINGS[name]
        if setting.kind == "choice":
            self.sweep_values.value = ", ".join(str(c) for c in setting.choices)
            return
        current = setting_value(self.design, name)
        if current is None:
            current = {"cohort_size": 50, "horizon_months": 12, "budget": 50000, "average_salary": 60000}.get(name, 1)
        low = setting.low if setting.low is not None else 0
        high = setting.high if setting.high is not None else current * 4
        candidates = [current * f for f in (0.5, 0.75, 1.5, 2.0)]  # the baseline's own value is on the chart
        if setting.kind == "int":
            candidates = [int(round(c)) for c in candidates]
        values = sorted({min(max(c, low), high) for c in candidates})
        self.sweep_values.value = ", ".join(_number(v).replace(",", "") for v in values)

    def _sweep_values(self) -> list:
        name = self.sweep_setting.value
        texts = [t.strip() for t in self.sweep_values.value.split(",") if t.strip()]
        if not texts:
            raise WorkbenchError("Give the values to try, separated by commas (e.g. 6, 9, 12).")
        if name not in PARAMETERS and SETTINGS[name].kind == "choice":
            choices = SETTINGS[name].choices
            labels = {v.lower(): k for k, v in _choice_labels(name).items()}
            values = [labels.get(t.lower(), t) for t in texts]
            wrong = [t for t, v in zip(texts, values) if v not in choices]
            if wrong:
                raise WorkbenchError(f"{setting_label(name)} cannot be {', '.join(wrong)}; choose from "
                                     f"{', '.join(choices)}.")
            return list(dict.fromkeys(values))
        values = []
        for text in texts:
            try:
                number = float(text.replace(" ", ""))
            except ValueError:
                raise WorkbenchError(f"{text!r} is not a number: give {setting_label(name).lower()} values "
                                     "separated by commas.") from None
            integer = name not in PARAMETERS and SETTINGS[name].kind == "int"
            values.append(int(round(number)) if integer else number)
        values = list(dict.fromkeys(values))
        if len(values) > 20:
            raise WorkbenchError("Try at most 20 values at once.")
        return values

    @guarded("run the sweep", notice="frontier_notice")
    def _on_sweep(self, _button: w.Button) -> None:
        if not self.results:
            raise WorkbenchError("Run the comparison first: the sweep adds points to its chart.")
        name = self.sweep_setting.value
        values = self._sweep_values()
        base = self.compared[0]
        runs, seed = int(self.last_run["runs"]), int(self.last_run["seed"])

        def work(progress, cancel) -> pd.DataFrame:
            return sweep(self.tables, self.design, {name: values}, base=base, kpis=["cost", *IMPACTS], runs=runs,
                         seed=seed, executor=self.executor, progress=progress, cancel=cancel, cohorts=self.cohorts)

        current = setting_value(self.design, name, base)

        def done(table: pd.DataFrame, seconds: float) -> None:
            label = setting_label(name)
            table = table[[not _same(v, current) for v in table[name]]].copy()  # the baseline is already shown
            table["scenario"] = [f"{label} {self._shown(name, v)}{self._unit(name, v)}" for v in table[name]]
            self.sweep_table = table
            self._render_frontier()
            failed = table[table["status"] != "done"]
            if table.attrs.get("cancelled"):
                self.frontier_notice.show(f"Cancelled: {int((table['status'] == 'done').sum())} of {len(table)} "
                                          "values were simulated and are shown.", "warning")
            elif len(failed):
                self.frontier_notice.show("Some values could not be simulated:\n" + "\n".join(
                    f"{s}: {why}" for s, why in zip(failed["scenario"], failed["status"])), "warning")
            else:
                same = (f"; {self._shown(name, current)}{self._unit(name, current)} is the baseline itself, already "
                        "on the chart" if len(table) < len(values) else "")
                self.frontier_notice.show(f"Added {len(table)} values of {label.lower()} to the chart{same} "
                                          f"({seconds:.1f} s).", "success")

        self._launch("run the sweep", self.sweep_progress, "frontier_notice",
                     f"Simulating {len(values)} values of {setting_label(name).lower()} ...", work, done)

    # ------------------------------------------------------------------ tornado

    @guarded("run the sensitivity analysis", notice="tornado_notice")
    def _on_tornado(self, _button: w.Button) -> None:
        kpi = self.tornado_kpi.value
        base = self._scenario(self.baseline.value or BASELINE_NAME)
        runs, seed = int(self.runs.value), int(self.seed.value)

        def work(progress, cancel) -> pd.DataFrame:
            return tornado(self.tables, self.design, kpi, scenario=base, runs=runs, seed=seed, executor=self.executor,
                           progress=progress, cancel=cancel, cohorts=self.cohorts)

        def done(table: pd.DataFrame, seconds: float) -> None:
            if table.attrs.get("cancelled"):
                self.tornado_notice.show("Cancelled before every assumption was tried: nothing new to show.",
                                         "warning")
                return
            table.attrs["scenario"] = base.name
            self.tornado_table = table
            self.tornado_chart.chart = tornado_chart(table)
            self.tornado_chart.layout.display = None
            self.tornado_caption.value = _caption(
                tornado_caption(table) + f" Computed on {'the design' if base is BASELINE else repr(base.name)}, "
                f"{runs:,} runs per value ({seconds:.1f} s).")

        count = 1 + 2 * (len(PARAMETERS) + len(LEVERS))
        self._launch("run the sensitivity analysis", self.tornado_progress, "tornado_notice",
                     f"Simulating {count} variations of the baseline ...", work, done)

    # ------------------------------------------------------------------ what would it take

    @guarded("set the goal", notice="take_notice")
    def _on_goal(self, _change: object = None) -> None:
        own = self.goal.value == KPI_TARGET
        for widget in (self.take_kpi, self.target, self.target_unit):
            widget.layout.display = None if own else "none"
        kpi = self.take_kpi.value
        _, unit, with_comparison, better = KPIS[kpi]
        _, unit_text, _ = kpi_scale(kpi, self.currency)
        side = "at least" if better else "at most"
        scope = " than the comparison group" if with_comparison else ""
        more = (" more" if better else " fewer") if with_comparison else ""
        self.target_unit.value = _muted(f"{unit_text}{more}{scope} ({side} this)")
        if not own and self.goal.value is not None:
            goal = objective_target(self.design, self.goal.value)
            self.take_answer.value = _caption(f"This objective asks for {goal.describe()}.")
        else:
            self.take_answer.value = ""

    def target_value(self) -> tuple[str, float]:
        """The KPI and the target effect in the KPI's own unit (shares as 0-1)."""
        kpi = self.take_kpi.value
        factor = kpi_scale(kpi)[0]
        return kpi, float(self.target.value) / factor

    @guarded("work out what it would take", notice="take_notice")
    def _on_take(self, _button: w.Button) -> None:
        setting = self.take_setting.value
        probability = round(float(self.probability.value), 2)
        base = self._scenario(self.baseline.value or BASELINE_NAME)
        runs, seed = int(self.runs.value), int(self.seed.value)
        if self.goal.value == KPI_TARGET:
            kpi, target = self.target_value()
            goal = {"kpi": kpi, "target": target}
        else:
            goal = {"objective": self.goal.value}

        def work(progress, cancel) -> Answer:
            return what_would_it_take(self.tables, self.design, setting, probability=probability, scenario=base,
                                      runs=runs, seed=seed, executor=self.executor, progress=progress,
                                      cancel=cancel, cohorts=self.cohorts, **goal)

        def done(answer: Answer, seconds: float) -> None:
            self.answer = answer
            self.take_answer.value = self._answer_html(answer)

        self._launch("work out what it would take", self.take_progress, "take_notice",
                     f"Trying values of {setting_label(setting).lower()} ...", work, done)

    def answer_sentence(self, answer: Answer) -> str:
        """The answer in one plain sentence."""
        label = setting_label(answer.setting)
        goal = answer.target.describe()
        share = f"{answer.probability:.0%}"

        def show(value: float) -> str:
            value = int(value) if float(value).is_integer() else float(value)
            return f"{_number(value)}{self._unit(answer.setting, value)}"

        if answer.cancelled:
            return "Stopped before an answer was found."
        if answer.value is None:
            return (f"No {label.lower()} from {show(answer.low)} to {show(answer.high)} reaches the goal ({goal}) in "
                    f"{share} of simulated cohorts: the best value tried reaches it in "
                    f"{answer.probability_reached:.0%}. Try another setting, a lower target or a lower share.")
        if answer.change == 0:
            return (f"The current {label.lower()} ({show(answer.current)}) already reaches the goal ({goal}) in "
                    f"{answer.probability_reached:.0%} of simulated cohorts (you asked for {share}).")
        direction = "raising" if answer.change > 0 else "lowering"
        return (f"It would take {direction} {label.lower()} from {show(answer.current)} to {show(answer.value)}: "
                f"then the goal ({goal}) is reached in {answer.probability_reached:.0%} of simulated cohorts (you "
                f"asked for {share}).")

    def _answer_html(self, answer: Answer) -> str:
        sentence = f"<p style='font-size:15px'><b>{html.escape(self.answer_sentence(answer))}</b></p>"
        tried = answer.evaluations
        if len(tried):
            shown = pd.DataFrame({setting_label(answer.setting): [_number(int(v) if float(v).is_integer() else v)
                                                                  for v in tried["value"]],
                                  "goal reached in": [f"{p:.0%} of runs" for p in tried["p_reach"]],
                                  "mean result": [format_effect(answer.target.kpi, e, self.currency,
                                                                sign=KPIS[answer.target.kpi][2])
                                                  for e in tried["effect"]]})
            sentence += ("<p class='wb-muted'>Values tried (every value on the same simulated cohorts):</p>"
                         + html_table(shown, limit=len(shown)))
        return sentence + _caption("A model forecast under the assumptions listed below, not a promise.")

    # ------------------------------------------------------------------ saving for the brief

    def _render_saved_status(self) -> None:
        try:
            record = saved_comparison(self.context.workspace)
        except WorkbenchError as exc:
            self.brief_status.value = _muted(str(exc))
            self.placeholder.value = PRESS_RUN
            return
        if record is None:
            self.brief_status.value = _muted("No comparison is saved for the brief yet.")
            self.placeholder.value = PRESS_RUN
            return
        names = ", ".join(self._name(s["name"]) for s in record["scenarios"])
        self.brief_status.value = (f"<span class='wb-saved'>The brief shows the comparison saved on "
                                   f"{html.escape(str(record.get('saved_on', '')))}: {html.escape(names)}.</span>")
        self.placeholder.value = self._saved_html(record)

    def _saved_html(self, record: dict) -> str:
        """Until a comparison runs: the saved comparison's key figures, as the brief shows them."""
        scenarios = record["scenarios"]
        first = scenarios[0]
        runs, seed = first.get("runs"), first.get("seed")
        how = f", {int(runs):,} simulated runs each (seed {seed})" if isinstance(runs, int) else ""
        try:
            table = saved_comparison_table(record)
            figures = self._kpi_table_html(table, [s.get("cohort", {}).get("participants", 0) for s in scenarios])
        except (KeyError, TypeError, ValueError):  # a record from another version: its figures are not shown
            return PRESS_RUN
        budgets = self._budget_html([(s["name"], s.get("budget")) for s in scenarios])
        return (f"<div class='wb-saved-comparison'><h3>3. Results: the comparison saved for the brief</h3>"
                f"<p class='wb-summary-text'>Saved on {html.escape(str(record.get('saved_on', '')))}: "
                f"{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}{how}; the baseline is "
                f"<b>{html.escape(self._name(first['name']))}</b>, followed for "
                f"{html.escape(str(first.get('horizon_months', '')))} months. These are <b>model forecasts, not "
                "measurements</b>. Press <b>Run the comparison</b> to run it again with its charts, or tick other "
                "scenarios.</p>" + figures + budgets + "</div>")

    @guarded("save the results for the brief", notice="brief_notice", button="brief_button")
    def _on_save_results(self, _button: w.Button) -> None:
        if not self.results:
            raise WorkbenchError("Run the comparison first: there are no results to save.")
        tornado_table = self.tornado_table
        record = comparison_record(self.results, scenarios=self.compared, tornado=tornado_table,
                                   saved_on=datetime.date.today())
        self._save_results(self.context.workspace, record)

    def _save_results(self, workspace: Workspace, record: dict) -> None:
        try:
            self.context.workspace = save_comparison(workspace, record)
        except StaleWorkspaceError as refused:
            raise self.brief_over.offer(refused, lambda: self._save_results(reread(self.context.workspace), record)) \
                from None
        self._render_saved_status()
        self.brief_notice.show(f"Saved the comparison in the workspace ({SAVED_COMPARISON}). The design brief, "
                               "prepared on the Align, eXperience and Launch & Support pages, now has a What-if "
                               "section with these scenarios and figures.", "success")

