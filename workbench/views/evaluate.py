"""The Evaluate page: how a cohort that ran did, on Kirkpatrick's levels and ROI, against a fair comparison group.

The latest cohort with program data (meetings or survey answers) is evaluated
as the page opens (:func:`workbench.evaluate.evaluate_workspace`); pick another
cohort or who counts as a participant and press **Refresh**. The page shows,
top to bottom:
the headline figures with the caveats (self-selection first); reaction and
learning (response rates per wave, paired pre/post change per construct with
95% intervals, Holm-corrected p-values and effect sizes, and the change
against the comparison group's); behaviour (meetings against the design's
cadence, pairs gone quiet, early closures); results (retention, and promotion
when the data allows, as Kaplan-Meier curves with the log-rank test and the
Cox hazard ratio); the ROI with its bootstrap distribution; the objectives'
scorecard; and the calibration of the outcome model, whose fitted parameters
can be saved as a what-if scenario for the next cohort (revision-checked).
**Download the report** gives the self-contained HTML page of
:func:`workbench.reports.evaluation.evaluation_html`, and the JSON every figure.

With several programs the page evaluates the program of the header, and an
**All programs** section (:class:`AllProgramsPanel`) evaluates every program on
the chosen cohort (:func:`workbench.evaluate.evaluate_programs_workspace`): the
table per program with the total row, the totals, the hazard ratio per program
and pooled, and what pooling means. It shows figures about programs only.

Privacy: groups of fewer than five people are never shown (the domain marks
them, this page leaves them out and says how many), no person id or name
appears, and free-text survey answers are never read. In the published app
the fitted values cannot be saved as a scenario (the part is not there).

The evaluation runs in a background thread so the page stays live; the
thread only moves the progress bar, and results are drawn on the kernel's
event loop. Tests pass ``background=False`` to run in the calling thread.
"""

from __future__ import annotations

import asyncio
import datetime
import html
import threading
import time
from collections.abc import Callable

import ipywidgets as w
import numpy as np
import pandas as pd

from workbench.charts.evaluate import (
    calibration_caption,
    calibration_chart,
    design_note,
    km_caption,
    km_chart,
    meetings_caption,
    meetings_chart,
    programs_caption,
    programs_chart,
    roi_caption,
    roi_chart,
    scorecard_caption,
    scorecard_chart,
    shown_count,
    survey_change_caption,
    survey_change_chart,
)
from workbench.charts.trajectories import trajectories_caption, trajectories_chart
from workbench.errors import WorkbenchError
from workbench.evaluate import RESAMPLES, RUNS, EvaluationResult, cohorts_with_data, evaluate_workspace
from workbench.evaluate.cohort import cohort_order, program_cohorts
from workbench.evaluate.evaluation import workspace_tables
from workbench.evaluate.scorecard import trajectory_table
from workbench.evaluate.programs import ProgramsEvaluation, evaluate_programs_workspace
from workbench.evaluate.evaluation import STEPS
from workbench.evaluate.result import BEHAVIOUR_CAVEATS
from workbench.privacy import MIN_GROUP, published_mode
from workbench.reports.evaluation import evaluation_html, objectives_text, programs_table_rows, totals_facts, \
    trial_html
from workbench.simulate import PARAMETERS
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, guarded
from workbench.programs import program_ids
from workbench.views.programs import scope_note
from workbench.views.shell import PageContext, page_tables, workspace_link
from workbench.views.tables import download_link, html_table
from workbench.whatif import Scenario, save_scenario
from workbench.workspace import StaleWorkspaceError, open_workspace, program_scope

#: Who counts as a participant (:data:`workbench.evaluate.PARTICIPANT_RULES`), in words.
PARTICIPANT_LABELS = {
    "enrolled": "Everyone enrolled (intention to treat)",
    "met": "Only mentees who met a mentor (stricter, favours those who stayed)",
}
WAVE_LABELS = {"pre": "Before the program (pre)", "mid": "Midpoint", "post": "End of the program (post)",
               "followup": "Follow-up"}
GROUP_LABELS = {"participants": "Participants", "comparison": "Comparison group"}
STATUS_WORDS = {"met": "met", "not met": "not met", "unclear": "unclear", "not measured": "not measured"}
RUN_LABEL, REFRESH_LABEL = "Run the evaluation", "Refresh"
PRESS_RUN = f"<p class='wb-muted'>Press <b>{RUN_LABEL}</b> to see how the cohort did.</p>"


# ---------------------------------------------------------------------------------------------
# Formatting


def _finite(value: object) -> bool:
    try:
        return value is not None and value is not pd.NA and bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


def _num(value: object, digits: int = 2, *, signed: bool = False) -> str:
    return f"{float(value):{'+' if signed else ''}.{digits}f}" if _finite(value) else "–"


def _signed(value: object) -> str:
    return _num(value, signed=True)


def _short(value: object) -> str:
    """A value in its objective's own unit, to three significant digits (18, 4.5, 9.06, 24.2)."""
    if not _finite(value):
        return "–"
    return f"{float(value):.3g}" if abs(float(value)) < 1000 else f"{float(value):,.0f}"


def _pct(value: object, digits: int = 0, *, signed: bool = False) -> str:
    return f"{float(value) * 100:{'+' if signed else ''}.{digits}f}%" if _finite(value) else "–"


def _points(value: object) -> str:
    return f"{float(value) * 100:+.1f} points" if _finite(value) else "–"


def _p(value: object) -> str:
    if not _finite(value):
        return "–"
    return "< 0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def _interval(low: object, high: object, fmt: Callable[[object], str]) -> str:
    return f"{fmt(low)} to {fmt(high)}" if _finite(low) and _finite(high) else "–"


def _caption(text: str) -> str:
    return f"<p class='wb-caption'>{html.escape(text)}</p>"


def _muted(text: str) -> str:
    return f"<p class='wb-muted'>{html.escape(text)}</p>"


def _tile(value: str, label: str, note: str = "") -> str:
    title = f" title='{html.escape(note)}'" if note else ""
    return f"<div class='wb-tile'{title}><b>{html.escape(value)}</b><span>{html.escape(label)}</span></div>"


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in items) + "</ul>"


def _caveats(items, title: str = "Read with care") -> str:
    return f"<div class='wb-caveats'><b>{html.escape(title)}</b>{_list(items)}</div>"


def _facts(rows) -> str:
    return ("<ul class='wb-facts'>" + "".join(f"<li><b>{html.escape(k)}:</b> {html.escape(v)}</li>" for k, v in rows)
            + "</ul>")


def _table(frame: pd.DataFrame, *, nowrap: bool = False) -> str:
    return html_table(frame, limit=max(len(frame), 1), css_class="wb-table wb-nowrap" if nowrap else "wb-table")


def _not_measured_note(paths: pd.DataFrame, card: pd.DataFrame) -> str:
    """Why the trajectories table says "not measured": the objectives the scorecard does not measure either (its
    Note column says why), and those measured now but not as the data stood at an earlier horizon."""
    missing = paths.loc[pd.to_numeric(paths["observed"], errors="coerce").isna(), "objective"].astype(str).unique()
    now = set(card.loc[card["status"] == "not measured", "objective"].astype(str))
    never, earlier = [o for o in missing if o in now], [o for o in missing if o not in now]
    lines = []
    if never:
        lines.append(f"Not measured: {', '.join(never)}; the Note column of the objectives table above says why.")
    if earlier:
        lines.append(f"Measured now but not at every horizon: {', '.join(earlier)}; the data as it stood then did "
                     "not allow it.")
    return "".join(_caption(line) for line in lines)


def _hidden_note(count: int, what: str = "group") -> str:
    if not count:
        return ""
    return _muted(f"{count} {what}{'s' if count != 1 else ''} {'are' if count != 1 else 'is'} not shown: fewer than "
                  f"{MIN_GROUP} people, or {'they' if count != 1 else 'it'} would give a smaller group away.")


def _heading(title: str, lead: str) -> w.HTML:
    return w.HTML(f"<h3>{html.escape(title)}</h3><p class='wb-lead'>{html.escape(lead)}</p>")


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the kernel (the thread that handles widget messages), if this thread runs one."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# ---------------------------------------------------------------------------------------------
# Progress


class WorkingNote(w.HBox):
    """A progress bar with what is being computed and the time so far, shown while the evaluation runs."""

    def __init__(self) -> None:
        self.bar = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="260px"))
        self.text = w.HTML()
        super().__init__([self.bar, self.text], layout=w.Layout(align_items="center"))
        self.add_class("wb-row")
        self.add_class("wb-progress")
        self.layout.display = "none"
        self._message, self._started = "", time.monotonic()

    def start(self, message: str) -> None:
        self.bar.max, self.bar.value, self.bar.bar_style = 1, 0, "info"
        self._message, self._started = message, time.monotonic()
        self._show()
        self.layout.display = None

    def update(self, done: int, total: int, message: str) -> None:
        """``done`` of ``total`` steps finished, ``message`` the one under way (safe from a worker thread)."""
        self.bar.max = max(1, int(total))
        self.bar.value = min(int(done), self.bar.max)
        self._message = f"Working: {message} ({min(done + 1, total)} of {total})" if done < total else "Finishing ..."
        self._show()

    def tick(self) -> None:
        if self.layout.display != "none":
            self._show()

    def _show(self) -> None:
        self.text.value = html.escape(f"{self._message} · {time.monotonic() - self._started:.0f} s")

    def stop(self) -> None:
        self.layout.display = "none"


# ---------------------------------------------------------------------------------------------
# The page


class EvaluateView(w.VBox):
    """Cohort and participants, Run/Refresh, then every level of the evaluation, downloads and calibration."""

    def __init__(self, context: PageContext, *, background: bool = True, resamples: int = RESAMPLES,
                 runs: int = RUNS, seed: int = 0, evaluate_on_open: bool = True) -> None:
        """``evaluate_on_open``: evaluate the latest cohort at once (in the background when ``background``)."""
        self.context = context
        self.background = background
        self.resamples, self.runs, self.seed = resamples, runs, seed
        workspace = context.workspace
        tables = page_tables(workspace, "Evaluate",
                             " (the people of the organisation and who enrolled in which cohort)")
        several = len(program_ids(workspace)) > 1
        # with several programs, whether a mentee was enrolled before is read from every program's enrolment
        self.cohorts = program_cohorts(workspace_tables(workspace), tables) if several else cohorts_with_data(tables)
        enrolled = cohort_order(tables["enrolment"]) if "cohort" in tables["enrolment"] else []
        if not self.cohorts:
            has = [f for f in ("meetings", "survey") if f in tables]
            found = (f"it has {' and '.join(h + '.csv' for h in has)}, but not for the mentees of any cohort in "
                     "enrolment.csv" if has else "it has neither meetings.csv nor survey.csv")
            raise WorkbenchError(
                f"No cohort of the workspace {workspace.name!r} can be evaluated yet: an evaluation needs a cohort "
                f"that has run, with its meetings log (meetings.csv) or survey answers (survey.csv), and {found}. "
                "Import them on the Start page once a cohort has run; before that, the What-if page forecasts a "
                "design instead.")
        self.waiting = [c for c in enrolled if c not in self.cohorts]
        self.result: EvaluationResult | None = None
        self.evaluated: dict = {}
        self.report: str | None = None
        self.busy = False
        self._thread: threading.Thread | None = None

        self._build_controls()
        self._build_results()
        self.all_programs = AllProgramsPanel(self) if several else None
        super().__init__([scope_note(workspace, "Evaluate"), self.controls, self.placeholder, self.results_box,
                          *([self.all_programs] if several else [])])
        self.add_class("wb-evaluate")
        if evaluate_on_open:
            self._on_run()

    # ------------------------------------------------------------------ building

    def _build_controls(self) -> None:
        style = {"description_width": "initial"}
        latest = self.cohorts[-1]
        self.cohort = w.Dropdown(description="Cohort", style=style, layout=w.Layout(width="220px"),
                                 options=[(str(c), c) for c in reversed(self.cohorts)], value=latest)
        self.participants = w.Dropdown(description="Participants", style=style, layout=w.Layout(width="520px"),
                                       options=[(label, key) for key, label in PARTICIPANT_LABELS.items()],
                                       value="enrolled")
        self.run_button = w.Button(description=RUN_LABEL, icon="play", button_style="primary",
                                   layout=w.Layout(width="auto"),
                                   tooltip="Read the workspace again and evaluate the chosen cohort")
        self.run_button.on_click(self._on_run)
        self.cohort.observe(self._on_settings, names="value")
        self.participants.observe(self._on_settings, names="value")
        self.stale = w.HTML()
        self.working = WorkingNote()
        self.notice = Notice()
        waiting = ""
        if self.waiting:
            names = ", ".join(self.waiting)
            waiting = (f" {'Cohort' if len(self.waiting) == 1 else 'Cohorts'} {names} "
                       f"{'has' if len(self.waiting) == 1 else 'have'} no meetings or survey answers yet, so "
                       f"{'it is' if len(self.waiting) == 1 else 'they are'} not offered.")
        intro = ("The latest cohort that has run is evaluated as the page opens. To see another, or to count "
                 f"participants differently, choose them and press <b>{RUN_LABEL}</b> (<b>{REFRESH_LABEL}</b> "
                 "once figures are shown). The cohorts offered are those with meetings or survey answers from "
                 f"their mentees.{html.escape(waiting)} It takes a few seconds; nothing in the workspace changes.")
        self.controls = w.VBox([
            w.HTML(f"<h3>Which cohort?</h3><p>{intro}</p>"),
            self._row(self.cohort, self.participants),
            self._row(self.run_button, self.stale),
            self.working, self.notice,
        ])
        self.controls.add_class("wb-settings")
        self.controls.add_class("wb-evaluate-controls")

    @staticmethod
    def _row(*children: w.Widget) -> w.HBox:
        row = w.HBox(list(children), layout=w.Layout(align_items="center", flex_flow="row wrap"))
        row.add_class("wb-row")
        return row

    def _build_results(self) -> None:
        empty = pd.DataFrame()
        self.placeholder = w.HTML(PRESS_RUN)
        # summary
        self.summary = w.HTML()
        self.summary.add_class("wb-evaluation-summary")
        self.downloads = w.HTML()
        self.downloads.add_class("wb-downloads")
        self.download_notice = Notice()
        summary_box = w.VBox([w.HTML("<h3>In short</h3>"), self.summary, self.downloads, self.download_notice])
        # reaction and learning
        self.rates = w.HTML()
        self.wave = w.Dropdown(description="Change by the survey at the", style={"description_width": "initial"},
                               layout=w.Layout(width="420px"))
        self.wave.observe(self._on_wave, names="value")
        self.survey_chart = chart_widget(survey_change_chart(empty))
        self.survey_caption = w.HTML()
        self.change_table = w.HTML()
        self.against_table = w.HTML()
        self.learning_caveats = w.HTML()
        self.survey_parts = w.VBox([self.rates, self.wave, self.survey_chart, self.survey_caption,
                                    self.change_table, self.against_table, self.learning_caveats])
        self.no_survey = w.HTML()
        learning_box = w.VBox([
            _heading("Reaction and learning (Kirkpatrick levels 1 and 2)",
                     "Who answered the surveys, and how their answers changed from the survey before the program."),
            self.no_survey, self.survey_parts])
        learning_box.add_class("wb-learning")
        # behaviour
        self.meetings_chart = chart_widget(meetings_chart(empty))
        self.meetings_caption = w.HTML()
        self.behaviour_facts = w.HTML()
        self.no_meetings = w.HTML()
        self.behaviour_parts = w.VBox([self.meetings_chart, self.meetings_caption, self.behaviour_facts])
        behaviour_box = w.VBox([
            _heading("Behaviour (Kirkpatrick level 3)",
                     "Did pairs meet as often as the design planned? Who went quiet or stopped early?"),
            self.no_meetings, self.behaviour_parts])
        behaviour_box.add_class("wb-behaviour")
        # results
        self.retention_chart = chart_widget(km_chart(empty))
        self.retention_caption = w.HTML()
        self.retention_tables = w.HTML()
        self.promotion_chart = chart_widget(km_chart(empty, outcome="promotion"))
        self.promotion_caption = w.HTML()
        self.promotion_tables = w.HTML()
        self.no_promotion = w.HTML()
        self.outcome_details = w.Accordion(children=[w.HTML(), w.HTML()],
                                           titles=("Retention by department and level",
                                                   "How alike are the two groups?"))
        self.outcome_details.selected_index = None
        results_box = w.VBox([
            _heading("Results (Kirkpatrick level 4)",
                     "Did participants stay, and move up, more than comparable colleagues who did not take part?"),
            w.HTML("<h4>Retention</h4>"), self.retention_chart, self.retention_caption, self.retention_tables,
            self.outcome_details,
            w.HTML("<h4>Promotion</h4>"), self.no_promotion, self.promotion_chart, self.promotion_caption,
            self.promotion_tables])
        results_box.add_class("wb-outcomes")
        # ROI
        self.roi_chart = chart_widget(roi_chart(empty))
        self.roi_caption = w.HTML()
        self.roi_table = w.HTML()
        roi_box = w.VBox([
            _heading("Return on investment",
                     "Exits avoided against the comparison group, valued at the cost of replacing a leaver, against "
                     "what the program cost so far."),
            self.roi_chart, self.roi_caption, self.roi_table])
        roi_box.add_class("wb-roi")
        # scorecard
        self.scorecard_chart = chart_widget(scorecard_chart(empty))
        self.scorecard_caption = w.HTML()
        self.scorecard_table = w.HTML()
        scorecard_box = w.VBox([
            _heading("Objectives", "Each objective of the design: its baseline, target, what was observed and a "
                                   "verdict with its confidence."),
            self.scorecard_chart, self.scorecard_caption, self.scorecard_table])
        scorecard_box.add_class("wb-scorecard")
        self.trajectories_chart = chart_widget(trajectories_chart(empty))
        self.trajectories_caption = w.HTML()
        self.trajectories_table = w.HTML()
        scorecard_box.children += (w.HTML("<h4>Over time, cohort by cohort</h4>"), self.trajectories_chart,
                                   self.trajectories_caption, self.trajectories_table)
        # calibration
        self.calibration_chart = chart_widget(calibration_chart(empty))
        self.calibration_caption = w.HTML()
        self.fitted_table = w.HTML()
        self.scenario_name = w.Text(description="Scenario name", style={"description_width": "initial"},
                                    layout=w.Layout(width="380px"))
        self.scenario_button = None
        if not published_mode():
            self.scenario_button = w.Button(description="Save as a what-if scenario", icon="save",
                                            button_style="success", layout=w.Layout(width="auto"),
                                            tooltip="Save the fitted values as a scenario of the What-if page")
            self.scenario_button.on_click(self._on_save_scenario)
        self.scenario_notice = Notice()
        self.scenario_link = w.HTML()
        self.scenario_box = w.VBox([
            w.HTML("<h4>Start the next cohort's forecasts from what happened</h4>"
                   "<p>Save the fitted values as a scenario: on the What-if page it changes only these assumptions "
                   "of the outcome model, so the next cohort's forecasts start from this cohort's evidence.</p>"),
            self._row(self.scenario_name, self.scenario_button), self.scenario_notice, self.scenario_link]
            if self.scenario_button is not None else [])
        self.scenario_box.add_class("wb-calibrated-scenario")
        calibration_box = w.VBox([
            _heading("Calibration: forecast against what happened",
                     "What the outcome model forecast for this design and cohort, set against what was observed."),
            self.calibration_chart, self.calibration_caption, self.fitted_table,
            *([] if self.scenario_button is None else [self.scenario_box])])
        calibration_box.add_class("wb-calibration")
        # the pilot design, when a plan was frozen at launch
        self.trial = w.HTML()
        self.trial_box = w.VBox([
            _heading("Pilot design", "The design that decided who took part, frozen with the evaluation plan at "
                                     "launch: its estimate, and what ran differently from the plan."), self.trial])
        self.trial_box.add_class("wb-trial")
        # how
        self.method = w.HTML()
        self.results_box = w.VBox([summary_box, self.trial_box, learning_box, behaviour_box, results_box, roi_box,
                                   scorecard_box, calibration_box, self.method])
        self.results_box.add_class("wb-results")
        self.results_box.layout.display = "none"

    # ------------------------------------------------------------------ settings

    @guarded("note the changed settings")
    def _on_settings(self, _change: object = None) -> None:
        self._mark_stale()

    def _mark_stale(self) -> None:
        if self.result is not None and not self.busy:
            current = {"cohort": self.cohort.value, "participants": self.participants.value}
            if current != self.evaluated:
                self.stale.value = ("<span class='wb-unsaved'>The figures below are for cohort "
                                    f"{html.escape(str(self.evaluated['cohort']))}: press <b>{REFRESH_LABEL}</b> "
                                    "to evaluate the new choice.</span>")
            else:
                self.stale.value = ""

    # ------------------------------------------------------------------ running

    @guarded("run the evaluation")
    def _on_run(self, _button: w.Button | None = None) -> None:
        if self.busy:
            raise WorkbenchError("The evaluation is still running: wait for it to finish.")
        cohort, rule = self.cohort.value, self.participants.value
        if cohort is None:
            raise WorkbenchError("Choose a cohort to evaluate.")
        path, program = self.context.workspace.path, self.context.workspace.program
        loop = _running_loop() if self.background else None
        self.busy = True
        self.run_button.disabled = True
        self.cohort.disabled = self.participants.disabled = True
        self.stale.value = ""
        self.working.start(f"Working: evaluating cohort {cohort} ...")
        if self.result is None:
            self.placeholder.value = (f"<p class='wb-muted'>Evaluating cohort {html.escape(str(cohort))}: the "
                                      "figures appear here when it finishes.</p>")
        started = time.monotonic()
        total = len(STEPS) + 1  # the evaluation's parts, then the downloadable report

        def post(function: Callable, *args: object) -> None:
            if loop is None:
                function(*args)
            else:
                loop.call_soon_threadsafe(function, *args)

        def idle() -> None:
            self.working.stop()
            if self.result is None:
                self.placeholder.value = PRESS_RUN
            self.busy = False
            self.run_button.disabled = False
            self.cohort.disabled = self.participants.disabled = False
            self._mark_stale()

        def deliver(view: "EvaluateView", outcome: tuple) -> None:
            kind, value, *rest = outcome
            try:
                if kind == "error":
                    raise value
                workspace, seconds = rest
                view._show(value, workspace, {"cohort": cohort, "participants": rule}, seconds)
            finally:
                if kind == "error":
                    idle()

        def deliver_report(view: "EvaluateView", outcome: tuple) -> None:
            kind, value = outcome
            try:
                if kind == "error":
                    raise value
                view._show_downloads(value)
            finally:
                idle()

        shown = guarded("run the evaluation")(deliver)
        report_shown = guarded("prepare the downloadable report", notice="download_notice")(deliver_report)

        def compute() -> None:
            try:
                workspace = program_scope(open_workspace(path), program)
                result = evaluate_workspace(
                    workspace, cohort=cohort, participants=rule, seed=self.seed, resamples=self.resamples,
                    runs=max(self.runs, 2), calibrate_forecast=self.runs > 0,
                    progress=lambda done, _total, step: self.working.update(done, total, step))
            except BaseException as exc:  # shown on the event loop, with the traceback in the log
                post(shown, self, ("error", exc))
                return
            post(shown, self, ("ok", result, workspace, time.monotonic() - started))
            self.working.update(total - 1, total, "preparing the downloadable report")
            try:
                report = evaluation_html(result, workspace_name=workspace.name)
            except BaseException as exc:
                post(report_shown, self, ("error", exc))
                return
            post(report_shown, self, ("ok", (result, report)))

        if self.background:
            self._thread = threading.Thread(target=compute, name="evaluate", daemon=True)
            self._thread.start()
            thread = self._thread

            def clock() -> None:  # the time so far, so a long step does not look stuck
                while thread.is_alive():
                    thread.join(1.0)
                    self.working.tick()

            threading.Thread(target=clock, name="evaluate: clock", daemon=True).start()
        else:
            compute()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for an evaluation running in the background (for notebooks and tests)."""
        if self._thread is not None:
            self._thread.join(timeout)

    # ------------------------------------------------------------------ showing the result

    def _show(self, result: EvaluationResult, workspace, settings: dict, seconds: float) -> None:
        self.result, self.evaluated, self.report = result, settings, None
        self.context.workspace = workspace
        self.document = result.to_json()
        self.placeholder.layout.display = "none"
        self.results_box.layout.display = None
        self.run_button.description, self.run_button.icon = REFRESH_LABEL, "refresh"
        self.downloads.value = _muted("Preparing the downloadable report ...")
        self._render_summary()
        self._render_trial()
        self._render_learning()
        self._render_behaviour()
        self._render_outcomes()
        self._render_roi()
        self._render_scorecard()
        self._render_calibration()
        self._render_method()
        self.notice.show(f"Evaluated cohort {result.cohort.name} ({seconds:.1f} s). The figures describe the data as "
                         f"it stands on {result.cohort.as_of:%d %B %Y}.", "success")

    def _show_downloads(self, outcome: tuple) -> None:
        result, report = outcome
        if result is not self.result:
            return
        self.report = report
        stem = f"evaluation-{self.context.workspace.slug}-cohort-{result.cohort.name}"
        self.downloads.value = (
            "<p>" + download_link(report, f"{stem}.html", "text/html", "Download the report (HTML)")
            + " · " + download_link(result.json_text(), f"{stem}.json", "application/json",
                                    "Every figure (JSON)")
            + "</p>" + _muted("The report is one page that opens offline and prints to PDF; it holds no names, "
                              "ids or free-text answers."))

    def _render_summary(self) -> None:
        doc, result = self.document, self.result
        c = doc["cohort"]
        tiles = []
        at = doc["retention"].get("at_horizon")
        if at:
            d = at["difference"]
            tiles.append(_tile(_points(d["share"]), f"still employed after {c['horizon_months']} months: "
                               "participants minus the comparison group (95% interval "
                               f"{_interval(d['low'], d['high'], lambda v: _num(float(v) * 100, 1, signed=True))})"))
        hr = doc["retention"].get("hazard_ratio")
        if hr:
            tiles.append(_tile(_num(hr["estimate"]), f"hazard ratio of leaving (95% interval {_num(hr['low'])} to "
                               f"{_num(hr['high'])}); below 1: participants left less",
                               "From a Cox model: each department its own baseline, adjusted for level and tenure."))
        if doc["roi"]:
            r = doc["roi"]["roi"]
            tiles.append(_tile(_num(r["estimate"], signed=True), f"return on each unit spent (95% interval "
                               f"{_num(r['low'], signed=True)} to {_num(r['high'], signed=True)}); above zero in "
                               f"{_pct(r['p_positive'])} of resamples"))
        b = doc["behaviour"]
        if b["pairs"]:
            tiles.append(_tile(_pct(b["share_of_cadence"]), "of the meetings the design's cadence plans were held"))
        if doc["scorecard"]:
            tiles.append(_tile(*objectives_text(doc["scorecard"])))  # "1 objective not measured", not "0 of 1 met"
        facts = _facts([
            ("Cohort", f"{c['name']}, started {c['start']} ({c['start_source']}); data to {c['as_of']}, "
                       f"{c['follow_up_months']:.1f} months of follow-up; shares are read after "
                       f"{c['horizon_months']} months"),
            ("Participants", f"{c['participants']}, {c['participant_rule']}; {shown_count(c['matched_participants'])} of them "
                             "have comparable colleagues"),
            ("Compared with", f"{shown_count(c['comparison_matched'])} of {c['comparison_pool']} {c['comparison_rule']}"),
            ("Program", f"{doc['design']['structure'].replace('_', '-')}, {doc['design']['cadence']} meetings, "
                        f"{doc['design']['duration_months']} months; {c['mentors']} mentors, {c['pairs']} pairs, "
                        f"{c['meetings']} meetings logged"),
        ])
        left_out = _caveats(result.notes, "Left out") if result.notes else ""
        self.summary.value = (f"<div class='wb-tiles'>{''.join(tiles)}</div>{facts}"
                              f"{_caveats(result.caveats)}{left_out}")

    def _render_trial(self) -> None:
        trial = self.document.get("trial")
        self.trial_box.layout.display = None if trial else "none"
        self.trial.value = (trial_html(trial) + _caveats(trial["caveats"])) if trial else ""

    # ------------------------------------------------------------------ levels 1 and 2

    def _render_learning(self) -> None:
        result = self.result
        rates = result.response_rates
        if not len(rates):
            self.no_survey.value = _muted("No survey answers for this cohort (survey.csv has none from its "
                                          "participants), so reaction and learning cannot be shown.")
            self.survey_parts.layout.display = "none"
            return
        self.no_survey.value = ""
        self.survey_parts.layout.display = None
        rows = []
        for r in rates.to_dict("records"):
            few = r["respondents"] < MIN_GROUP
            invited = r["invited"]
            rows.append({"Survey": WAVE_LABELS.get(r["wave"], r["wave"]),
                         "Group": GROUP_LABELS.get(r["group"], r["group"]),
                         "Invited": "–" if invited is None or not _finite(invited) else f"{int(invited):,}",
                         "Answered": f"fewer than {MIN_GROUP}" if few else f"{int(r['respondents']):,}",
                         "Response rate": "–" if few else _pct(r["rate"])})
        self.rates.value = ("<h4>Response rates</h4>" + _table(pd.DataFrame(rows))
                            + _muted("The comparison group's invitations are not recorded, so its rate is blank."))
        change = result.change
        shown = change[~change["hidden"].fillna(False).astype(bool)] if len(change) else change
        waves = [wv for wv in ("post", "followup", "mid") if len(shown) and (shown["wave"] == wv).any()]
        previous = self.wave.value
        self.wave.options = [(WAVE_LABELS.get(wv, wv).lower(), wv) for wv in waves]
        self.wave.value = previous if previous in waves else (waves[0] if waves else None)
        self.wave.layout.display = None if waves else "none"
        self.survey_chart.layout.display = None if waves else "none"
        self._render_survey_chart()
        self.learning_caveats.value = _caveats(result.learning_caveats)

    @guarded("show the survey change")
    def _on_wave(self, _change: object) -> None:
        if self.result is not None:
            self._render_survey_chart()

    def _render_survey_chart(self) -> None:
        """The chart and tables of the change by the chosen survey wave."""
        wave = self.wave.value
        result = self.result
        change = result.change
        if wave is None:
            self.survey_caption.value = ""
            self.change_table.value = _muted(f"Fewer than {MIN_GROUP} people answered both the survey before the "
                                             "program and a later one, so no change is shown.")
            self.against_table.value = ""
            return
        self.survey_chart.chart = survey_change_chart(change, wave=wave)
        self.survey_caption.value = _caption(survey_change_caption(change, wave=wave,
                                                                   against=result.against_comparison,
                                                                   note=design_note(self.document)))
        change = change[change["wave"] == wave]
        hidden_rows = change["hidden"].fillna(False).astype(bool)
        shown, hidden = change[~hidden_rows], int(hidden_rows.sum())
        if len(shown):
            table = pd.DataFrame({
                "Construct": shown["construct"].str.replace("_", " ").str.capitalize(),
                "Group": shown["group"].map(lambda v: GROUP_LABELS.get(v, v)),
                "People answering both": [f"{int(n)}" for n in shown["pairs"]],
                "Change (95% interval)": [f"{_signed(c)} ({_interval(lo, hi, _signed)})"
                                          for c, lo, hi in zip(shown["change"], shown["low"], shown["high"])],
                "p, corrected (t / Wilcoxon)": [f"{_p(t)} / {_p(wx)}" for t, wx in
                                                zip(shown["t_p_holm"], shown["wilcoxon_p_holm"])],
                "Effect size d_z (95% interval)": [f"{_num(d)} ({_interval(lo, hi, _num)})" for d, lo, hi in
                                                   zip(shown["d_z"], shown["d_z_low"], shown["d_z_high"])],
            })
            self.change_table.value = (
                f"<h4>Paired change from the survey before the program to the {WAVE_LABELS[wave].lower()}</h4>"
                + _table(table, nowrap=True)
                + _muted("Scale points on the survey's own scale, for people who answered both surveys. Each 95% "
                         "interval is the construct's own, while the p-values are Holm-corrected for testing several "
                         "constructs at once: an interval can clear zero while its corrected p is above 0.05, and "
                         "the corrected p is the stricter reading. d_z is the change in standard deviations of the "
                         "individual changes (about 0.2 small, 0.5 medium, 0.8 large).")
                + _hidden_note(hidden, "row"))
        else:
            self.change_table.value = _muted(f"Fewer than {MIN_GROUP} people answered both surveys.")
        against = result.against_comparison
        against = against[against["wave"] == wave] if len(against) else against
        if len(against):
            table = pd.DataFrame({
                "Construct": against["construct"].str.replace("_", " ").str.capitalize(),
                "Participants' change": [_num(v, signed=True) for v in against["participants_change"]],
                "Comparison's change": [_num(v, signed=True) for v in against["comparison_change"]],
                "Difference (95% interval)": [f"{_signed(d)} ({_interval(lo, hi, _signed)})" for d, lo, hi in
                                              zip(against["difference"], against["low"], against["high"])],
                "p, corrected": [_p(v) for v in against["p_holm"]],
            })
            self.against_table.value = ("<h4>Participants' change against the comparison group's</h4>"
                                        + _table(table, nowrap=True)
                                        + _muted("What changed for everyone shows in the comparison group's change; "
                                                 "the difference is what is left for the program, as far as the "
                                                 "groups are alike."))
        elif not (change["group"] == "comparison").any():
            when = WAVE_LABELS[wave].lower()
            self.against_table.value = _muted(f"The comparison group was not surveyed at the {when}: without its "
                                              "change, part of any rise may be what happened to everyone.")
        else:
            self.against_table.value = _muted(f"Setting the change against the comparison group's needs at least "
                                              f"{MIN_GROUP} people of each group answering both surveys: without it, "
                                              "part of any rise may be what happened to everyone.")

    # ------------------------------------------------------------------ level 3

    def _render_behaviour(self) -> None:
        b = self.result.behaviour.summary
        if not b["pairs"]:
            self.no_meetings.value = _muted("No meetings are logged for this cohort (meetings.csv has none from its "
                                            "mentees), so meetings, pairs gone quiet and early closures cannot be "
                                            "shown.")
            self.behaviour_parts.layout.display = "none"
            return
        self.no_meetings.value = ""
        self.behaviour_parts.layout.display = None
        self.meetings_chart.chart = meetings_chart(self.result.behaviour.distribution(),
                                                   expected_per_pair=b["expected_per_pair"])
        self.meetings_caption.value = _caption(meetings_caption(b))
        self.behaviour_facts.value = _facts([
            ("Meetings", f"{b['meetings']:,} in {b['pairs']:,} pairs; median {_num(b['median_meetings_per_pair'], 1)}"
                         f" per pair, {_num(b['mean_minutes'], 0)} minutes on average"),
            ("Gone quiet", f"{_pct(b['gone_quiet_share'])} of pairs went more than {b['inactivity_days']} days "
                           "without meeting at some point (the design's health rule)" if b["gone_quiet"] is not None
             else f"not shown: fewer than {MIN_GROUP} pairs went quiet, or fewer than {MIN_GROUP} did not"),
            ("Closed early", f"{_pct(b['closed_early_share'])} of pairs stopped meeting before the program "
                             "ended" if b["closed_early_share"] is not None else f"not shown: fewer than {MIN_GROUP} "
                             "pairs, or it would give a smaller group away"),
            ("Participants who never met", shown_count(b["participants_without_meetings"],
                                                       f"not shown (1 to {MIN_GROUP - 1}, or all but that few)")),
        ]) + _caveats(BEHAVIOUR_CAVEATS)

    # ------------------------------------------------------------------ level 4

    def _outcome(self, block: dict, chart: w.Widget, caption: w.HTML, tables: w.HTML) -> None:
        km = pd.DataFrame(block["km"])
        horizon = block.get("horizon_months")
        chart.chart = km_chart(km, outcome=block["outcome"], horizon_months=horizon)
        caption.value = _caption(km_caption(km, outcome=block["outcome"], horizon_months=horizon,
                                            logrank=block["logrank"], hazard_ratio=block["hazard_ratio"],
                                            note=design_note(self.document)))
        facts = []
        hr = block["hazard_ratio"]
        if hr:
            adjusted = [f"{s} (each its own baseline)" for s in hr["strata"]]
            adjusted += [a.replace("tenure_months", "tenure") for a in hr["adjusted_for"]]
            facts.append(("Hazard ratio (Cox model)", f"{_num(hr['estimate'])}, 95% interval {_num(hr['low'])} to "
                          f"{_num(hr['high'])}, p = {_p(hr['p_value'])}; "
                          + ("adjusted for " + ", ".join(adjusted) if adjusted else "not adjusted")))
        if block["logrank"]:
            facts.append(("Log-rank test of the curves", f"chi-square {_num(block['logrank']['statistic'])}, "
                                                         f"p = {_p(block['logrank']['p_value'])}"))
        facts += [(f"{GROUP_LABELS.get(g['group'], g['group'])}", f"{g['people']} people, {g['events']} "
                   f"{'exits' if block['outcome'] == 'retention' else 'promotions'}" if g["people"] is not None
                   else f"fewer than {MIN_GROUP} people: not shown") for g in block["groups"]]
        at = block.get("at_horizon")
        table = ""
        if at:
            rows = [{"Group": name, "Share": _pct(at[key]["share"], 1),
                     "95% interval": _interval(at[key]["low"], at[key]["high"], lambda v: _pct(v, 1))}
                    for key, name in (("participants", f"Participants ({at['participants_people']})"),
                                      ("comparison", f"Comparison group, weighted ({at['comparison_people']})"))]
            d = at["difference"]
            rows.append({"Group": "Difference", "Share": _points(d["share"]),
                         "95% interval": _interval(d["low"], d["high"], _points)})
            table = (f"<h4>{html.escape(block['label'])} after {_num(block['horizon_months'], 0)} months</h4>"
                     + _table(pd.DataFrame(rows))
                     + _muted(f"Participants did better in {_pct(at['p_better'])} of bootstrap resamples. "
                              f"Compared with: {block['comparison']}."))
        else:
            table = _muted(f"{block['label']} after {_num(block['horizon_months'], 0)} months is not shown: fewer "
                           f"than {MIN_GROUP} people in one of the groups compared.")
        notes = _caveats(block["notes"], "Notes") if block["notes"] else ""
        tables.value = _facts(facts) + table + notes + _caveats(block["caveats"])

    def _render_outcomes(self) -> None:
        doc = self.document
        self._outcome(doc["retention"], self.retention_chart, self.retention_caption, self.retention_tables)
        block = doc["retention"]
        by_group = [r for r in block.get("by_group", []) if not r["hidden"]]
        hidden = sum(bool(r["hidden"]) for r in block.get("by_group", []))
        if by_group:
            frame = pd.DataFrame({
                "Group": [f"{r['variable'].replace('_', ' ').capitalize()}: {r['value']}" for r in by_group],
                "Participants": [f"{r['participants']}" for r in by_group],
                "Comparison": [f"{r['comparison']}" for r in by_group],
                "Participants still employed": [_pct(r["participants_share"]) for r in by_group],
                "Comparison, weighted": [_pct(r["comparison_share"]) for r in by_group],
                "Difference": [_points(r["difference"]) for r in by_group]})
            by_text = _table(frame) + _hidden_note(hidden)
        else:
            by_text = _muted(f"Every department and level has fewer than {MIN_GROUP} people in one of the groups.")
        balance = [r for r in block.get("balance", []) if not r["hidden"]]
        hidden_balance = sum(bool(r["hidden"]) for r in block.get("balance", []))
        frame = pd.DataFrame({
            "Characteristic": [f"{r['variable'].replace('_', ' ').capitalize()}: {r['value']}" for r in balance],
            "Participants": [_pct(r["participants"]) for r in balance],
            "Comparison": [_pct(r["comparison"]) for r in balance],
            "Comparison, weighted": [_pct(r["comparison_weighted"]) for r in balance]})
        self.outcome_details.children[0].value = by_text
        self.outcome_details.children[1].value = (
            _muted("Share of each group by department, level and tenure band. The weights give the comparison group "
                   "the participants' mix; what the data does not record (motivation, performance, intent to stay) "
                   "cannot be balanced.") + _table(frame) + _hidden_note(hidden_balance))
        promotion = doc["promotion"]
        measured = bool(promotion.get("measured"))
        self.promotion_chart.layout.display = None if measured else "none"
        if measured:
            self.no_promotion.value = ""
            self._outcome(promotion, self.promotion_chart, self.promotion_caption, self.promotion_tables)
        else:
            self.no_promotion.value = _muted("Promotion is not measured: " + promotion.get("reason", "") + " Add "
                                             "that column to people.csv to compare promotions too.")
            self.promotion_caption.value = self.promotion_tables.value = ""

    # ------------------------------------------------------------------ ROI and scorecard

    def _render_roi(self) -> None:
        roi = self.document["roi"]
        if not roi:
            self.roi_chart.layout.display = "none"
            self.roi_caption.value = _muted("The ROI could not be computed for this cohort.")
            self.roi_table.value = ""
            return
        self.roi_chart.layout.display = None
        self.roi_chart.chart = roi_chart(self.result.roi.distribution(), estimate=roi["roi"]["estimate"])
        self.roi_caption.value = _caption(roi_caption(roi, note=design_note(self.document)))
        parts, currency = roi["cost_breakdown"], roi["currency"]
        benefit = roi["benefit"]
        frame = pd.DataFrame({"Item": ["Meetings (staff time)", "Training", "Coordination", "Tools", "Program cost",
                                       "Cost of replacing one leaver", "Benefit: exits avoided x replacement cost"],
                              f"Amount ({currency})": [f"{parts['meetings']:,.0f}", f"{parts['training']:,.0f}",
                                                       f"{parts['coordination']:,.0f}", f"{parts['tools']:,.0f}",
                                                       f"{roi['cost']:,.0f}", f"{roi['replacement_cost']:,.0f}",
                                                       f"{benefit['estimate']:,.0f} ({benefit['low']:,.0f} to "
                                                       f"{benefit['high']:,.0f})"]})
        self.roi_table.value = (_table(frame) + _muted(
            f"Salary: {roi['salary_source']}; an hour of staff time costs {parts['hourly_cost']:,.2f} {currency}. "
            f"{roi['resamples']:,} bootstrap resamples.") + _caveats(roi["caveats"]))

    def _render_scorecard(self) -> None:
        card = self.result.scorecard
        if not len(card):
            self.scorecard_chart.layout.display = "none"
            link = workspace_link("01_align", self.context.workspace)
            self.scorecard_caption.value = (
                "<p class='wb-muted'>The design has no objectives yet, so there is nothing to score. Add SMART "
                f"objectives with a KPI, a baseline and a target on the <a href='{html.escape(link)}'>Align page</a>"
                "; this page then says whether each was met.</p>")
            self.scorecard_table.value = ""
            return
        measured = pd.to_numeric(card["observed"], errors="coerce").notna().any()
        self.scorecard_chart.layout.display = None if measured else "none"
        self.scorecard_chart.chart = scorecard_chart(card)
        self.scorecard_caption.value = _caption(scorecard_caption(card, note=design_note(self.document)))
        rows = []
        for r in card.to_dict("records"):
            unit = f" ({r['unit']})" if r["unit"] else ""
            observed = "–"
            if _finite(r["observed"]):
                observed = f"{_short(r['observed'])} ({_interval(r['low'], r['high'], _short)})"
                if _finite(r["comparison"]):
                    observed += f"; comparison group {_short(r['comparison'])}"
            verdict = STATUS_WORDS.get(r["status"], r["status"])
            if _finite(r["p_met"]):
                verdict += f" (chance met: {_pct(r['p_met'])})"
            rows.append({"Objective": f"{r['objective']}: {r['statement'] or r['kpi']}",
                         "Measured on": r["scope"],
                         "Measured as": f"{r['measure']}{unit}" if r["measure"] else "–",
                         "Baseline": _short(r["baseline"]), "Target": _short(r["target"]),
                         "Observed (95% interval)": observed, "Verdict": verdict, "Note": r["note"]})
        self.scorecard_table.value = _table(pd.DataFrame(rows))
        paths = self.result.trajectories
        self.trajectories_chart.layout.display = None if paths is not None and len(paths) else "none"
        self.trajectories_chart.chart = trajectories_chart(paths)
        self.trajectories_caption.value = _caption(trajectories_caption(paths))
        self.trajectories_table.value = (_table(trajectory_table(paths)) + _not_measured_note(paths, card)
                                         if paths is not None and len(paths) else "")

    # ------------------------------------------------------------------ calibration

    def _render_calibration(self) -> None:
        calibration = self.result.calibration
        self.scenario_notice.clear()
        self.scenario_link.value = ""
        if calibration is None:
            self.calibration_chart.layout.display = "none"
            self.calibration_caption.value = _muted("The forecast was not run for this evaluation.")
            self.fitted_table.value = ""
            self.scenario_box.layout.display = "none"
            return
        self.calibration_chart.layout.display = None
        self.calibration_chart.chart = calibration_chart(calibration.forecast)
        self.calibration_caption.value = _caption(calibration_caption(calibration.forecast, calibration.fitted))
        fitted = calibration.fitted
        frame = pd.DataFrame({
            "Assumption": [p.replace("_", " ").capitalize() for p in fitted["parameter"]],
            "What it is": [PARAMETERS[p].description if p in PARAMETERS else "" for p in fitted["parameter"]],
            "Used in the forecast": [_num(v) for v in fitted["used"]],
            "Fitted": [_num(v) for v in fitted["fitted"]],
            "95% interval": [_interval(lo, hi, _num) for lo, hi in zip(fitted["low"], fitted["high"])],
            "How": list(fitted["note"])})
        base = calibration.baseline
        self.fitted_table.value = (
            "<h4>The model's assumptions, fitted to this cohort</h4>" + _table(frame)
            + _muted(f"Baseline attrition: the comparison group left at {_num(base['observed_comparison_hazard'], 3)} "
                     f"exits per person-year against the forecast's {_num(base['forecast_hazard'], 3)} for the same "
                     f"mix of people. {calibration.runs:,} forecast runs. " + " ".join(calibration.notes)))
        self.scenario_box.layout.display = None
        if self.scenario_button is None:
            return
        if calibration.parameters:
            self.scenario_name.value = f"Fitted to cohort {self.result.cohort.name}"
            self.scenario_name.disabled = self.scenario_button.disabled = False
        else:
            self.scenario_name.value = ""
            self.scenario_name.disabled = self.scenario_button.disabled = True
            self.scenario_notice.show("Nothing could be fitted from this cohort (see the table), so there is no "
                                      "scenario to save.", "info")

    def calibrated_scenario(self) -> Scenario:
        """The what-if scenario with the fitted parameters (to two decimals, as the page shows them), named as in
        the name box."""
        result = self.result
        if result is None or result.calibration is None or not result.calibration.parameters:
            raise WorkbenchError("Run the evaluation first: the scenario takes its values from the calibration.")
        name = self.scenario_name.value.strip()
        if not name:
            raise WorkbenchError("Give the scenario a name.")
        parameters = {k: round(float(v), 2) for k, v in result.calibration.parameters.items()}
        values = ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in parameters.items())
        return Scenario(name, parameters=parameters,
                        description=f"The outcome model's assumptions fitted to cohort {result.cohort.name} "
                                    f"(evaluated {datetime.date.today().isoformat()}, data to "
                                    f"{result.cohort.as_of.isoformat()}): {values}.")

    @guarded("save the scenario", notice="scenario_notice", button="scenario_button")
    def _on_save_scenario(self, _button: w.Button | None = None) -> None:
        scenario = self.calibrated_scenario()
        try:
            self.context.workspace = save_scenario(self.context.workspace, scenario, replace=False)
        except StaleWorkspaceError:
            raise WorkbenchError("The workspace was changed elsewhere (for example on another page) since this "
                                 f"evaluation read it. Nothing was saved: press {REFRESH_LABEL} to evaluate the "
                                 "latest data, then save the scenario again.") from None
        except WorkbenchError as exc:
            if "already exists" in str(exc):
                raise WorkbenchError(f"A scenario called {scenario.name!r} is already saved in the workspace: "
                                     "choose another name.") from None
            raise
        link = workspace_link("05_what_if", self.context.workspace)
        self.scenario_notice.show(f"Saved the scenario {scenario.name!r} in the workspace: "
                                  f"{scenario.description}", "success")
        self.scenario_link.value = (f"<p><a href='{html.escape(link)}'>Open the What-if page</a> to compare it with "
                                    "the design or other alternatives.</p>")

    # ------------------------------------------------------------------ how the figures were made

    def _render_method(self) -> None:
        doc = self.document
        s = doc["settings"]
        self.method.value = "<h3>How the figures were made</h3>" + _facts([
            ("Comparison group", doc["cohort"]["comparison_rule"] + "; people who joined a later cohort stay in it"),
            ("Survival", "Kaplan-Meier curves, log-rank test, Cox model with a baseline per department, adjusted for "
                         "level and tenure"),
            ("Shares and ROI", f"bootstrap, {s['resamples']:,} resamples, seed {s['seed']}"),
            ("Surveys", "paired t-test and Wilcoxon signed-rank test, Holm-corrected across constructs; effect size "
                        "Cohen's d_z; free-text answers are never read"),
            ("Privacy", f"groups of fewer than {MIN_GROUP} people are never shown; no names or ids appear"),
        ])


class AllProgramsPanel(w.VBox):
    """Every program of the workspace evaluated on the cohort chosen above: the per-program table with the total
    row, the totals, the hazard ratio per program and pooled, and what pooling means. Figures about programs
    only (no person), so it is the same in the published app."""

    def __init__(self, view: EvaluateView) -> None:
        self.view = view
        self.found: ProgramsEvaluation | None = None
        self.run_button = w.Button(description="Evaluate all programs", icon="sitemap", layout=w.Layout(width="auto"),
                                   tooltip="Evaluate every program on the cohort chosen above, then total them")
        self.run_button.on_click(self._on_run)
        self.notice = Notice()
        self.table = w.HTML()
        self.chart = chart_widget(programs_chart(pd.DataFrame()))
        self.chart.layout.display = "none"
        self.caption = w.HTML()
        self.caveats = w.HTML()
        ids = program_ids(view.context.workspace)
        super().__init__([
            w.HTML(f"<h3>All programs</h3><p>This workspace has {len(ids)} programs ({html.escape(', '.join(ids))})."
                   " The figures above are those of the program "
                   f"<b>{html.escape(view.context.workspace.program_id)}</b>. Evaluate every program on the cohort "
                   "chosen above to set them side by side, with the totals that add up and retention pooled over "
                   "all of them (each person counted once).</p>"),
            w.HBox([self.run_button]), self.notice, self.table, self.chart, self.caption, self.caveats])
        self.add_class("wb-all-programs")

    @guarded("evaluate every program", button="run_button")
    def _on_run(self, _button: w.Button | None = None) -> None:
        view = self.view
        workspace = program_scope(open_workspace(view.context.workspace.path), None)
        started = time.monotonic()
        self.found = found = evaluate_programs_workspace(
            workspace, cohort=view.cohort.value, participants=view.participants.value, seed=view.seed,
            resamples=view.resamples, calibrate_forecast=False)
        document = found.to_json()
        table = found.table()
        headers, rows = programs_table_rows(table, document["totals"].get("currency"))
        self.table.value = _table(pd.DataFrame(rows, columns=list(headers)), nowrap=True) + (
            _facts(totals_facts(document)) if found.results else "")
        shown = bool(found.results)
        self.chart.layout.display = None if shown else "none"
        if shown:
            self.chart.chart = programs_chart(table)
        self.caption.value = _caption(programs_caption(table)) if shown else ""
        self.caveats.value = _caveats(document["caveats"])
        self.notice.show(f"Evaluated {len(found.results)} of {len(found.names)} programs on cohort "
                         f"{view.cohort.value} ({time.monotonic() - started:.1f} s).",
                         "success" if found.results else "warning")
