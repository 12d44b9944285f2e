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

What the page holds and decides (the cohorts offered, the choice, the
result, whether it is stale, the report, the calibrated scenario) is its
session, :class:`workbench.sessions.evaluate.EvaluateSession`; the view is the
controls and one class per section, each drawn from the session.
The evaluation runs in a background thread (the page's
:class:`~workbench.views.parts.Job`) so the page stays live; the thread only
moves the progress bar, and results are drawn on the kernel's event loop.
Tests pass ``background=False`` to run in the calling thread.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable

import ipywidgets as w
import numpy as np
import pandas as pd
import traitlets

from workbench.charts import evaluate as charts
from workbench.charts.trajectories import trajectories_caption, trajectories_chart
from workbench.errors import WorkbenchError
from workbench.evaluate import RESAMPLES, RUNS
from workbench.evaluate.scorecard import trajectory_table
from workbench.evaluate.result import BEHAVIOUR_CAVEATS
from workbench.privacy import MIN_GROUP, published_mode, shown_rows
from workbench.reports.evaluation import objectives_text, programs_table_rows, totals_facts, trial_html
from workbench.sessions.evaluate import REFRESH_LABEL, RUN_LABEL, EvaluateSession, Evaluated
from workbench.simulate import PARAMETERS
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, guarded
from workbench.views.parts import Job, JobPanel, Stage, caption, muted, row, tile
from workbench.views.programs import scope_note
from workbench.views.shell import PageContext, workspace_link
from workbench.views.tables import download_link, html_table

WAVE_LABELS = {"pre": "Before the program (pre)", "mid": "Midpoint", "post": "End of the program (post)",
               "followup": "Follow-up"}
STATUS_WORDS = {"met": "met", "not met": "not met", "unclear": "unclear", "not measured": "not measured"}
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


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(str(i))}</li>" for i in items) + "</ul>"


def _caveats(items, title: str = "Read with care") -> str:
    return f"<div class='wb-caveats'><b>{html.escape(title)}</b>{_list(items)}</div>"


def _facts(rows) -> str:
    return ("<ul class='wb-facts'>" + "".join(f"<li><b>{html.escape(k)}:</b> {html.escape(v)}</li>" for k, v in rows)
            + "</ul>")


def _table(frame: pd.DataFrame, *, nowrap: bool = False) -> str:
    return html_table(frame, limit=max(len(frame), 1), css_class="wb-table wb-nowrap" if nowrap else "wb-table")


def _not_measured_note(never: list[str], earlier: list[str]) -> str:
    """Why the trajectories table says "not measured" (:meth:`EvaluateSession.unmeasured_objectives`)."""
    lines = []
    if never:
        lines.append(f"Not measured: {', '.join(never)}; the Note column of the objectives table above says why.")
    if earlier:
        lines.append(f"Measured now but not at every horizon: {', '.join(earlier)}; the data as it stood then did "
                     "not allow it.")
    return "".join(caption(line) for line in lines)


def _hidden_note(count: int, what: str = "group") -> str:
    if not count:
        return ""
    return muted(f"{count} {what}{'s' if count != 1 else ''} {'are' if count != 1 else 'is'} not shown: fewer than "
                  f"{MIN_GROUP} people, or {'they' if count != 1 else 'it'} would give a smaller group away.")


def _heading(title: str, lead: str) -> w.HTML:
    return w.HTML(f"<h3>{html.escape(title)}</h3><p class='wb-lead'>{html.escape(lead)}</p>")


# ---------------------------------------------------------------------------------------------
# The page


class EvaluateView(w.VBox):
    """Cohort and participants, Run/Refresh, then every level of the evaluation, downloads and calibration."""

    def __init__(self, context: PageContext, *, background: bool = True, resamples: int = RESAMPLES,
                 runs: int = RUNS, seed: int = 0, evaluate_on_open: bool = True) -> None:
        """``evaluate_on_open``: evaluate the latest cohort at once (in the background when ``background``)."""
        self.context = context
        self.background = background
        self.session = EvaluateSession(context.workspace, resamples=resamples, runs=runs, seed=seed)
        self.session.observe(self._on_workspace, names="workspace")
        self._build_controls()
        self._build_results()
        self.all_programs = AllProgramsPanel(self) if self.session.several else None
        super().__init__([scope_note(context.workspace, "Evaluate"), self.controls, self.placeholder,
                          self.results_box, *([self.all_programs] if self.all_programs else [])])
        self.add_class("wb-evaluate")
        if evaluate_on_open:
            self._on_run()

    def _on_workspace(self, change: dict) -> None:
        self.context.workspace = change["new"]  # read for the evaluation, or saved with the scenario

    # ------------------------------------------------------------------ building

    def _build_controls(self) -> None:
        style = {"description_width": "initial"}
        session = self.session
        self.cohort = w.Dropdown(description="Cohort", style=style, layout=w.Layout(width="220px"),
                                 options=session.cohort_options)
        self.participants = w.Dropdown(description="Participants", style=style, layout=w.Layout(width="520px"),
                                       options=session.participant_options)
        traitlets.link((session, "cohort"), (self.cohort, "value"))
        traitlets.link((session, "participants"), (self.participants, "value"))
        self.run_button = w.Button(description=RUN_LABEL, icon="play", button_style="primary",
                                   layout=w.Layout(width="auto"),
                                   tooltip="Read the workspace again and evaluate the chosen cohort")
        self.run_button.on_click(self._on_run)
        session.observe(self._on_settings, names=["cohort", "participants"])
        self.stale = w.HTML()
        self.working = JobPanel(ahead=True, width="260px")
        self.job = Job(self, background=self.background, buttons=[self.run_button, self.cohort, self.participants],
                       on_idle=self._idle)
        self.notice = Notice()
        intro = ("The latest cohort that has run is evaluated as the page opens. To see another, or to count "
                 f"participants differently, choose them and press <b>{RUN_LABEL}</b> (<b>{REFRESH_LABEL}</b> "
                 "once figures are shown). The cohorts offered are those with meetings or survey answers from "
                 f"their mentees.{html.escape(session.waiting_sentence())} It takes a few seconds; nothing in the "
                 "workspace changes.")
        self.controls = w.VBox([
            w.HTML(f"<h3>Which cohort?</h3><p>{intro}</p>"),
            row(self.cohort, self.participants),
            row(self.run_button, self.stale),
            self.working, self.notice,
        ])
        self.controls.add_class("wb-settings")
        self.controls.add_class("wb-evaluate-controls")

    def _build_results(self) -> None:
        session = self.session
        self.placeholder = w.HTML(PRESS_RUN)
        self.download_notice = Notice()
        self.in_short = InShort(session, self.download_notice)
        self.trial = TrialSection(session)
        self.learning = LearningSection(session, self.notice)
        self.behaviour = BehaviourSection(session)
        self.outcomes = OutcomesSection(session)
        self.roi = RoiSection(session)
        self.scorecard = ScorecardSection(session)
        self.calibration = CalibrationSection(session)
        self.sections = (self.in_short, self.trial, self.learning, self.behaviour, self.outcomes, self.roi,
                         self.scorecard, self.calibration)
        self.method = w.HTML()
        self.results_box = w.VBox([*self.sections, self.method])
        self.results_box.add_class("wb-results")
        self.results_box.layout.display = "none"

    # ------------------------------------------------------------------ settings

    @guarded("note the changed settings")
    def _on_settings(self, _change: object = None) -> None:
        self._mark_stale()

    def _mark_stale(self) -> None:
        if self.busy:
            return
        self.stale.value = ("<span class='wb-unsaved'>The figures below are for cohort "
                            f"{html.escape(str(self.session.evaluated['cohort']))}: press <b>{REFRESH_LABEL}</b> "
                            "to evaluate the new choice.</span>" if self.session.stale else "")

    # ------------------------------------------------------------------ running

    @guarded("run the evaluation")
    def _on_run(self, _button: w.Button | None = None) -> None:
        if self.busy:
            raise WorkbenchError("The evaluation is still running: wait for it to finish.")
        session = self.session
        settings = session.settings()
        if settings["cohort"] is None:
            raise WorkbenchError("Choose a cohort to evaluate.")
        self.stale.value = ""
        if session.result is None:
            self.placeholder.value = muted(f"Evaluating cohort {settings['cohort']}: the figures appear here when it "
                                           "finishes.")
        self.job.run(self.working, f"Working: evaluating cohort {settings['cohort']} ...",
                     Stage("run the evaluation",
                           lambda progress, _cancel, _previous: session.evaluate(progress, **settings), self._show),
                     Stage("prepare the downloadable report",
                           lambda progress, _cancel, evaluated: (evaluated,
                                                                 session.prepare_report(evaluated, progress)),
                           lambda outcome, _seconds: self.in_short.show_downloads(*outcome), "download_notice"))

    def _idle(self) -> None:
        if self.session.result is None:
            self.placeholder.value = PRESS_RUN
        self._mark_stale()

    @property
    def busy(self) -> bool:
        """Whether the evaluation is running."""
        return self.job.busy

    def wait(self, timeout: float | None = None) -> None:
        """Wait for an evaluation running in the background (for notebooks and tests)."""
        self.job.wait(timeout)

    # ------------------------------------------------------------------ showing the result

    def _show(self, evaluated: Evaluated, seconds: float) -> None:
        self.session.accept(evaluated)
        result = evaluated.result
        self.placeholder.layout.display = "none"
        self.results_box.layout.display = None
        self.run_button.description, self.run_button.icon = REFRESH_LABEL, "refresh"
        self.in_short.preparing()
        for section in self.sections:
            section.show()
        self.method.value = _method_html(self.session.document)
        self.notice.show(f"Evaluated cohort {result.cohort.name} ({seconds:.1f} s). The figures describe the data as "
                         f"it stands on {result.cohort.as_of:%d %B %Y}.", "success")


def _method_html(doc: dict) -> str:
    """How the figures were made: the methods and the privacy rule."""
    s = doc["settings"]
    return "<h3>How the figures were made</h3>" + _facts([
        ("Comparison group", doc["cohort"]["comparison_rule"] + "; people who joined a later cohort stay in it"),
        ("Survival", "Kaplan-Meier curves, log-rank test, Cox model with a baseline per department, adjusted for "
                     "level and tenure"),
        ("Shares and ROI", f"bootstrap, {s['resamples']:,} resamples, seed {s['seed']}"),
        ("Surveys", "paired t-test and Wilcoxon signed-rank test, Holm-corrected across constructs; effect size "
                    "Cohen's d_z; free-text answers are never read"),
        ("Privacy", f"groups of fewer than {MIN_GROUP} people are never shown; no names or ids appear"),
    ])


# ---------------------------------------------------------------------------------------------
# The sections of the results, each drawn by ``show()`` from the session's current evaluation


class _Section(w.VBox):
    """A section of the results: its heading and lead, then what the section adds; ``show()`` draws the session's
    current evaluation. Given an empty ``chart`` of its kind, the section has a chart and its caption."""

    def __init__(self, session: EvaluateSession, css_class: str, title: str, lead: str, chart=None) -> None:
        self.session = session
        if chart is not None:
            self.chart, self.caption = chart_widget(chart), w.HTML()
        super().__init__([_heading(title, lead)])
        self.add_class(css_class)


class InShort(w.VBox):
    """The headline figures, the cohort's facts and the caveats (self-selection first), and the downloads;
    ``notice`` says when the report could not be prepared."""

    def __init__(self, session: EvaluateSession, notice: Notice) -> None:
        self.session = session
        self.summary = w.HTML()
        self.summary.add_class("wb-evaluation-summary")
        self.downloads = w.HTML()
        self.downloads.add_class("wb-downloads")
        super().__init__([w.HTML("<h3>In short</h3>"), self.summary, self.downloads, notice])

    def preparing(self) -> None:
        """Say that the report is being prepared (the links follow)."""
        self.downloads.value = muted("Preparing the downloadable report ...")

    def show(self) -> None:
        doc, result = self.session.document, self.session.result
        c = doc["cohort"]
        tiles = []
        at = doc["retention"].get("at_horizon")
        if at:
            d = at["difference"]
            tiles.append(tile(_points(d["share"]), f"still employed after {c['horizon_months']} months: "
                               "participants minus the comparison group (95% interval "
                               f"{_interval(d['low'], d['high'], lambda v: _num(float(v) * 100, 1, signed=True))})"))
        hr = doc["retention"].get("hazard_ratio")
        if hr:
            tiles.append(tile(_num(hr["estimate"]), f"hazard ratio of leaving (95% interval {_num(hr['low'])} to "
                               f"{_num(hr['high'])}); below 1: participants left less",
                               "From a Cox model: each department its own baseline, adjusted for level and tenure."))
        if doc["roi"]:
            r = doc["roi"]["roi"]
            tiles.append(tile(_num(r["estimate"], signed=True), f"return on each unit spent (95% interval "
                               f"{_num(r['low'], signed=True)} to {_num(r['high'], signed=True)}); above zero in "
                               f"{_pct(r['p_positive'])} of resamples"))
        b = doc["behaviour"]
        if b["pairs"]:
            tiles.append(tile(_pct(b["share_of_cadence"]), "of the meetings the design's cadence plans were held"))
        if doc["scorecard"]:
            tiles.append(tile(*objectives_text(doc["scorecard"])))  # "1 objective not measured", not "0 of 1 met"
        facts = _facts([
            ("Cohort", f"{c['name']}, started {c['start']} ({c['start_source']}); data to {c['as_of']}, "
                       f"{c['follow_up_months']:.1f} months of follow-up; shares are read after "
                       f"{c['horizon_months']} months"),
            ("Participants", f"{c['participants']}, {c['participant_rule']}; "
                             f"{charts.shown_count(c['matched_participants'])} of them have comparable colleagues"),
            ("Compared with", f"{charts.shown_count(c['comparison_matched'])} of {c['comparison_pool']} "
                              f"{c['comparison_rule']}"),
            ("Program", f"{doc['design']['structure'].replace('_', '-')}, {doc['design']['cadence']} meetings, "
                        f"{doc['design']['duration_months']} months; {c['mentors']} mentors, {c['pairs']} pairs, "
                        f"{c['meetings']} meetings logged"),
        ])
        left_out = _caveats(result.notes, "Left out") if result.notes else ""
        self.summary.value = (f"<div class='wb-tiles'>{''.join(tiles)}</div>{facts}"
                              f"{_caveats(result.caveats)}{left_out}")

    def show_downloads(self, evaluated: Evaluated, report: str) -> None:
        if not self.session.keep_report(evaluated, report):
            return
        stem = self.session.download_stem
        self.downloads.value = (
            "<p>" + download_link(report, f"{stem}.html", "text/html", "Download the report (HTML)")
            + " · " + download_link(evaluated.result.json_text(), f"{stem}.json", "application/json",
                                    "Every figure (JSON)")
            + "</p>" + muted("The report is one page that opens offline and prints to PDF; it holds no names, "
                              "ids or free-text answers."))


class TrialSection(_Section):
    """The pilot design, when an evaluation plan was frozen at launch: its estimate and the deviations."""

    def __init__(self, session: EvaluateSession) -> None:
        super().__init__(session, "wb-trial", "Pilot design", "The design that decided who took part, frozen with "
                         "the evaluation plan at launch: its estimate, and what ran differently from the plan.")
        self.text = w.HTML()
        self.children += (self.text,)

    def show(self) -> None:
        trial = self.session.document.get("trial")
        self.layout.display = None if trial else "none"
        self.text.value = (trial_html(trial) + _caveats(trial["caveats"])) if trial else ""


class LearningSection(_Section):
    """Reaction and learning: response rates per wave, and the paired change per construct by the chosen wave,
    alone and against the comparison group's. ``notice`` shows what goes wrong when the wave changes."""

    def __init__(self, session: EvaluateSession, notice: Notice) -> None:
        super().__init__(session, "wb-learning", "Reaction and learning (Kirkpatrick levels 1 and 2)",
                         "Who answered the surveys, and how their answers changed from the survey before the "
                         "program.", charts.survey_change_chart(pd.DataFrame()))
        self.notice = notice
        self.rates = w.HTML()
        self.wave = w.Dropdown(description="Change by the survey at the", style={"description_width": "initial"},
                               layout=w.Layout(width="420px"))
        self.wave.observe(self._on_wave, names="value")
        self.change_table, self.against_table, self.caveats = w.HTML(), w.HTML(), w.HTML()
        self.parts = w.VBox([self.rates, self.wave, self.chart, self.caption, self.change_table, self.against_table,
                             self.caveats])
        self.missing = w.HTML()
        self.children += (self.missing, self.parts)

    def show(self) -> None:
        result = self.session.result
        rates = result.response_rates
        if not len(rates):
            self.missing.value = muted("No survey answers for this cohort (survey.csv has none from its "
                                          "participants), so reaction and learning cannot be shown.")
            self.parts.layout.display = "none"
            return
        self.missing.value = ""
        self.parts.layout.display = None
        rows = []
        for r in rates.to_dict("records"):
            few = r["respondents"] < MIN_GROUP
            invited = r["invited"]
            rows.append({"Survey": WAVE_LABELS.get(r["wave"], r["wave"]),
                         "Group": charts.GROUP_LABELS.get(r["group"], r["group"]),
                         "Invited": "–" if invited is None or not _finite(invited) else f"{int(invited):,}",
                         "Answered": f"fewer than {MIN_GROUP}" if few else f"{int(r['respondents']):,}",
                         "Response rate": "–" if few else _pct(r["rate"])})
        self.rates.value = ("<h4>Response rates</h4>" + _table(pd.DataFrame(rows))
                            + muted("The comparison group's invitations are not recorded, so its rate is blank."))
        waves = self.session.change_waves
        previous = self.wave.value
        self.wave.options = [(WAVE_LABELS.get(wv, wv).lower(), wv) for wv in waves]
        self.wave.value = previous if previous in waves else (waves[0] if waves else None)
        self.wave.layout.display = None if waves else "none"
        self.chart.layout.display = None if waves else "none"
        self._render_survey_chart()
        self.caveats.value = _caveats(result.learning_caveats)

    @guarded("show the survey change")
    def _on_wave(self, _change: object) -> None:
        if self.session.result is not None:
            self._render_survey_chart()

    def _render_survey_chart(self) -> None:
        """The chart and tables of the change by the chosen survey wave."""
        wave = self.wave.value
        result = self.session.result
        change = result.change
        if wave is None:
            self.caption.value = ""
            self.change_table.value = muted(f"Fewer than {MIN_GROUP} people answered both the survey before the "
                                             "program and a later one, so no change is shown.")
            self.against_table.value = ""
            return
        self.chart.chart = charts.survey_change_chart(change, wave=wave)
        self.caption.value = caption(charts.survey_change_caption(change, wave=wave,
                                                                   against=result.against_comparison,
                                                                   note=charts.design_note(self.session.document)))
        change = change[change["wave"] == wave]
        hidden_rows = change["hidden"].fillna(False).astype(bool)
        shown, hidden = change[~hidden_rows], int(hidden_rows.sum())
        if len(shown):
            table = pd.DataFrame({
                "Construct": shown["construct"].str.replace("_", " ").str.capitalize(),
                "Group": shown["group"].map(lambda v: charts.GROUP_LABELS.get(v, v)),
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
                + muted("Scale points on the survey's own scale, for people who answered both surveys. Each 95% "
                         "interval is the construct's own, while the p-values are Holm-corrected for testing several "
                         "constructs at once: an interval can clear zero while its corrected p is above 0.05, and "
                         "the corrected p is the stricter reading. d_z is the change in standard deviations of the "
                         "individual changes (about 0.2 small, 0.5 medium, 0.8 large).")
                + _hidden_note(hidden, "row"))
        else:
            self.change_table.value = muted(f"Fewer than {MIN_GROUP} people answered both surveys.")
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
                                        + muted("What changed for everyone shows in the comparison group's change; "
                                                 "the difference is what is left for the program, as far as the "
                                                 "groups are alike."))
        elif not (change["group"] == "comparison").any():
            when = WAVE_LABELS[wave].lower()
            self.against_table.value = muted(f"The comparison group was not surveyed at the {when}: without its "
                                              "change, part of any rise may be what happened to everyone.")
        else:
            self.against_table.value = muted(f"Setting the change against the comparison group's needs at least "
                                              f"{MIN_GROUP} people of each group answering both surveys: without it, "
                                              "part of any rise may be what happened to everyone.")


class BehaviourSection(_Section):
    """Behaviour: meetings against the design's cadence, pairs gone quiet, early closures."""

    def __init__(self, session: EvaluateSession) -> None:
        super().__init__(session, "wb-behaviour", "Behaviour (Kirkpatrick level 3)",
                         "Did pairs meet as often as the design planned? Who went quiet or stopped early?",
                         charts.meetings_chart(pd.DataFrame()))
        self.facts, self.missing = w.HTML(), w.HTML()
        self.parts = w.VBox([self.chart, self.caption, self.facts])
        self.children += (self.missing, self.parts)

    def show(self) -> None:
        b = self.session.result.behaviour.summary
        if not b["pairs"]:
            self.missing.value = muted("No meetings are logged for this cohort (meetings.csv has none from its "
                                            "mentees), so meetings, pairs gone quiet and early closures cannot be "
                                            "shown.")
            self.parts.layout.display = "none"
            return
        self.missing.value = ""
        self.parts.layout.display = None
        self.chart.chart = charts.meetings_chart(self.session.result.behaviour.distribution(),
                                                   expected_per_pair=b["expected_per_pair"])
        self.caption.value = caption(charts.meetings_caption(b))
        self.facts.value = _facts([
            ("Meetings", f"{b['meetings']:,} in {b['pairs']:,} pairs; median {_num(b['median_meetings_per_pair'], 1)}"
                         f" per pair, {_num(b['mean_minutes'], 0)} minutes on average"),
            ("Gone quiet", f"{_pct(b['gone_quiet_share'])} of pairs went more than {b['inactivity_days']} days "
                           "without meeting at some point (the design's health rule)" if b["gone_quiet"] is not None
             else f"not shown: fewer than {MIN_GROUP} pairs went quiet, or fewer than {MIN_GROUP} did not"),
            ("Closed early", f"{_pct(b['closed_early_share'])} of pairs stopped meeting before the program "
                             "ended" if b["closed_early_share"] is not None else f"not shown: fewer than {MIN_GROUP} "
                             "pairs, or it would give a smaller group away"),
            ("Participants who never met", charts.shown_count(b["participants_without_meetings"],
                                                       f"not shown (1 to {MIN_GROUP - 1}, or all but that few)")),
        ]) + _caveats(BEHAVIOUR_CAVEATS)


class OutcomesSection(_Section):
    """Results: retention and promotion as Kaplan-Meier curves with the log-rank test and the Cox hazard ratio,
    retention by department and level, and how alike the two groups are."""

    def __init__(self, session: EvaluateSession) -> None:
        super().__init__(session, "wb-outcomes", "Results (Kirkpatrick level 4)",
                         "Did participants stay, and move up, more than comparable colleagues who did not take part?")
        self.retention_chart = chart_widget(charts.km_chart(pd.DataFrame()))
        self.retention_caption, self.retention_tables = w.HTML(), w.HTML()
        self.promotion_chart = chart_widget(charts.km_chart(pd.DataFrame(), outcome="promotion"))
        self.promotion_caption, self.promotion_tables, self.no_promotion = w.HTML(), w.HTML(), w.HTML()
        self.details = w.Accordion(children=[w.HTML(), w.HTML()],
                                   titles=("Retention by department and level", "How alike are the two groups?"))
        self.details.selected_index = None
        self.children += (
            w.HTML("<h4>Retention</h4>"), self.retention_chart, self.retention_caption, self.retention_tables,
            self.details,
            w.HTML("<h4>Promotion</h4>"), self.no_promotion, self.promotion_chart, self.promotion_caption,
            self.promotion_tables)

    def show(self) -> None:
        doc = self.session.document
        self._outcome(doc["retention"], self.retention_chart, self.retention_caption, self.retention_tables)
        block = doc["retention"]
        by_group, hidden = shown_rows(block.get("by_group", []))
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
            by_text = muted(f"Every department and level has fewer than {MIN_GROUP} people in one of the groups.")
        balance, hidden_balance = shown_rows(block.get("balance", []))
        frame = pd.DataFrame({
            "Characteristic": [f"{r['variable'].replace('_', ' ').capitalize()}: {r['value']}" for r in balance],
            "Participants": [_pct(r["participants"]) for r in balance],
            "Comparison": [_pct(r["comparison"]) for r in balance],
            "Comparison, weighted": [_pct(r["comparison_weighted"]) for r in balance]})
        self.details.children[0].value = by_text
        self.details.children[1].value = (
            muted("Share of each group by department, level and tenure band. The weights give the comparison group "
                   "the participants' mix; what the data does not record (motivation, performance, intent to stay) "
                   "cannot be balanced.") + _table(frame) + _hidden_note(hidden_balance))
        promotion = doc["promotion"]
        measured = bool(promotion.get("measured"))
        self.promotion_chart.layout.display = None if measured else "none"
        if measured:
            self.no_promotion.value = ""
            self._outcome(promotion, self.promotion_chart, self.promotion_caption, self.promotion_tables)
        else:
            self.no_promotion.value = muted("Promotion is not measured: " + promotion.get("reason", "") + " Add "
                                             "that column to people.csv to compare promotions too.")
            self.promotion_caption.value = self.promotion_tables.value = ""

    def _outcome(self, block: dict, chart: w.Widget, caption_box: w.HTML, tables: w.HTML) -> None:
        km = pd.DataFrame(block["km"])
        horizon = block.get("horizon_months")
        chart.chart = charts.km_chart(km, outcome=block["outcome"], horizon_months=horizon)
        caption_box.value = caption(charts.km_caption(km, outcome=block["outcome"], horizon_months=horizon,
                                               logrank=block["logrank"], hazard_ratio=block["hazard_ratio"],
                                               note=charts.design_note(self.session.document)))
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
        facts += [(f"{charts.GROUP_LABELS.get(g['group'], g['group'])}", f"{g['people']} people, {g['events']} "
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
                     + muted(f"Participants did better in {_pct(at['p_better'])} of bootstrap resamples. "
                              f"Compared with: {block['comparison']}."))
        else:
            table = muted(f"{block['label']} after {_num(block['horizon_months'], 0)} months is not shown: fewer "
                           f"than {MIN_GROUP} people in one of the groups compared.")
        notes = _caveats(block["notes"], "Notes") if block["notes"] else ""
        tables.value = _facts(facts) + table + notes + _caveats(block["caveats"])


class RoiSection(_Section):
    """The return on investment with its bootstrap distribution and the costs it weighs."""

    def __init__(self, session: EvaluateSession) -> None:
        super().__init__(session, "wb-roi", "Return on investment",
                         "Exits avoided against the comparison group, valued at the cost of replacing a leaver, "
                         "against what the program cost so far.", charts.roi_chart(pd.DataFrame()))
        self.table = w.HTML()
        self.children += (self.chart, self.caption, self.table)

    def show(self) -> None:
        roi = self.session.document["roi"]
        if not roi:
            self.chart.layout.display = "none"
            self.caption.value = muted("The ROI could not be computed for this cohort.")
            self.table.value = ""
            return
        self.chart.layout.display = None
        self.chart.chart = charts.roi_chart(self.session.result.roi.distribution(), estimate=roi["roi"]["estimate"])
        self.caption.value = caption(charts.roi_caption(roi, note=charts.design_note(self.session.document)))
        parts, currency = roi["cost_breakdown"], roi["currency"]
        benefit = roi["benefit"]
        frame = pd.DataFrame({"Item": ["Meetings (staff time)", "Training", "Coordination", "Tools", "Program cost",
                                       "Cost of replacing one leaver", "Benefit: exits avoided x replacement cost"],
                              f"Amount ({currency})": [f"{parts['meetings']:,.0f}", f"{parts['training']:,.0f}",
                                                       f"{parts['coordination']:,.0f}", f"{parts['tools']:,.0f}",
                                                       f"{roi['cost']:,.0f}", f"{roi['replacement_cost']:,.0f}",
                                                       f"{benefit['estimate']:,.0f} ({benefit['low']:,.0f} to "
                                                       f"{benefit['high']:,.0f})"]})
        self.table.value = (_table(frame) + muted(
            f"Salary: {roi['salary_source']}; an hour of staff time costs {parts['hourly_cost']:,.2f} {currency}. "
            f"{roi['resamples']:,} bootstrap resamples.") + _caveats(roi["caveats"]))


class ScorecardSection(_Section):
    """The design's objectives: baseline, target, what was observed and a verdict; then cohort by cohort."""

    def __init__(self, session: EvaluateSession) -> None:
        super().__init__(session, "wb-scorecard", "Objectives", "Each objective of the design: its baseline, "
                         "target, what was observed and a verdict with its confidence.",
                         charts.scorecard_chart(pd.DataFrame()))
        self.table = w.HTML()
        self.trajectories_chart = chart_widget(trajectories_chart(pd.DataFrame()))
        self.trajectories_caption, self.trajectories_table = w.HTML(), w.HTML()
        self.children += (self.chart, self.caption, self.table, w.HTML("<h4>Over time, cohort by cohort</h4>"),
                          self.trajectories_chart, self.trajectories_caption, self.trajectories_table)

    def show(self) -> None:
        card = self.session.result.scorecard
        if not len(card):
            self.chart.layout.display = "none"
            link = workspace_link("01_align", self.session.workspace)
            self.caption.value = (
                "<p class='wb-muted'>The design has no objectives yet, so there is nothing to score. Add SMART "
                f"objectives with a KPI, a baseline and a target on the <a href='{html.escape(link)}'>Align page</a>"
                "; this page then says whether each was met.</p>")
            self.table.value = ""
            return
        measured = pd.to_numeric(card["observed"], errors="coerce").notna().any()
        self.chart.layout.display = None if measured else "none"
        self.chart.chart = charts.scorecard_chart(card)
        self.caption.value = caption(charts.scorecard_caption(card, note=charts.design_note(self.session.document)))
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
        self.table.value = _table(pd.DataFrame(rows))
        paths = self.session.result.trajectories
        shown = paths is not None and len(paths)
        self.trajectories_chart.layout.display = None if shown else "none"
        self.trajectories_chart.chart = trajectories_chart(paths)
        self.trajectories_caption.value = caption(trajectories_caption(paths))
        self.trajectories_table.value = (_table(trajectory_table(paths))
                                         + _not_measured_note(*self.session.unmeasured_objectives()) if shown else "")


class CalibrationSection(_Section):
    """The outcome model's forecast against what happened, the assumptions fitted, and (in the workshop) their
    save as a what-if scenario."""

    def __init__(self, session: EvaluateSession) -> None:
        super().__init__(session, "wb-calibration", "Calibration: forecast against what happened",
                         "What the outcome model forecast for this design and cohort, set against what was observed.",
                         charts.calibration_chart(pd.DataFrame()))
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
            row(self.scenario_name, self.scenario_button), self.scenario_notice, self.scenario_link]
            if self.scenario_button is not None else [])
        self.scenario_box.add_class("wb-calibrated-scenario")
        self.children += (self.chart, self.caption, self.fitted_table,
                          *([] if self.scenario_button is None else [self.scenario_box]))

    def show(self) -> None:
        calibration = self.session.result.calibration
        self.scenario_notice.clear()
        self.scenario_link.value = ""
        if calibration is None:
            self.chart.layout.display = "none"
            self.caption.value = muted("The forecast was not run for this evaluation.")
            self.fitted_table.value = ""
            self.scenario_box.layout.display = "none"
            return
        self.chart.layout.display = None
        self.chart.chart = charts.calibration_chart(calibration.forecast)
        self.caption.value = caption(charts.calibration_caption(calibration.forecast, calibration.fitted))
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
            + muted(f"Baseline attrition: the comparison group left at {_num(base['observed_comparison_hazard'], 3)} "
                     f"exits per person-year against the forecast's {_num(base['forecast_hazard'], 3)} for the same "
                     f"mix of people. {calibration.runs:,} forecast runs. " + " ".join(calibration.notes)))
        self.scenario_box.layout.display = None
        if self.scenario_button is None:
            return
        self.scenario_name.value = name = self.session.scenario_name
        self.scenario_name.disabled = self.scenario_button.disabled = not name
        if not name:
            self.scenario_notice.show("Nothing could be fitted from this cohort (see the table), so there is no "
                                      "scenario to save.", "info")

    @guarded("save the scenario", notice="scenario_notice", button="scenario_button")
    def _on_save_scenario(self, _button: w.Button | None = None) -> None:
        scenario = self.session.save_scenario(self.scenario_name.value)
        link = workspace_link("05_what_if", self.session.workspace)
        self.scenario_notice.show(f"Saved the scenario {scenario.name!r} in the workspace: "
                                  f"{scenario.description}", "success")
        self.scenario_link.value = (f"<p><a href='{html.escape(link)}'>Open the What-if page</a> to compare it with "
                                    "the design or other alternatives.</p>")



class AllProgramsPanel(w.VBox):
    """Every program of the workspace evaluated on the cohort chosen above: the per-program table with the total
    row, the totals, the hazard ratio per program and pooled, and what pooling means. Figures about programs
    only (no person), so it is the same in the published app."""

    def __init__(self, view: EvaluateView) -> None:
        self.session = session = view.session
        self.run_button = w.Button(description="Evaluate all programs", icon="sitemap", layout=w.Layout(width="auto"),
                                   tooltip="Evaluate every program on the cohort chosen above, then total them")
        self.run_button.on_click(self._on_run)
        self.notice = Notice()
        self.table = w.HTML()
        self.chart = chart_widget(charts.programs_chart(pd.DataFrame()))
        self.chart.layout.display = "none"
        self.caption = w.HTML()
        self.caveats = w.HTML()
        ids = session.program_ids
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
        started = time.monotonic()
        found = self.session.evaluate_programs()
        document = found.to_json()
        table = found.table()
        headers, rows = programs_table_rows(table, document["totals"].get("currency"))
        self.table.value = _table(pd.DataFrame(rows, columns=list(headers)), nowrap=True) + (
            _facts(totals_facts(document)) if found.results else "")
        shown = bool(found.results)
        self.chart.layout.display = None if shown else "none"
        if shown:
            self.chart.chart = charts.programs_chart(table)
        self.caption.value = caption(charts.programs_caption(table)) if shown else ""
        self.caveats.value = _caveats(document["caveats"])
        self.notice.show(f"Evaluated {len(found.results)} of {len(found.names)} programs on cohort "
                         f"{self.session.cohort} ({time.monotonic() - started:.1f} s).",
                         "success" if found.results else "warning")
