"""The Matching page: try matchings live, see why each pair was made, adjust, save and export.

The page's state and logic are a :class:`~workbench.sessions.matching.MatchingSession`;
this module draws it. The settings start from the design (structure, method,
criteria weights, hard rules) and change the matching shown here only; the design
itself is changed on the eXperience page. **Match** solves again, **Compare all
methods** runs every method on the same pool, one mentee's candidates explain a
pair (and let the consultant pin or forbid it), **Check robustness** moves the
weights at random, and **Save this matching** stores it in the workspace, refused
when the workspace changed since the page opened it. Matching, the comparison and
the robustness check run in the background (the comparison and the robustness
check can be cancelled between methods or runs) and draw their results on the
kernel's event loop; tests and notebooks that want the answer at once pass
``background=False``.

People are named through :class:`workbench.privacy.PersonLabels`. In the
published app that means pseudonyms everywhere (tables, pickers, charts,
notices and the CSV download), and there is no Save button: matchings can be
tried, compared and adjusted, never stored.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import ipywidgets as w
import pandas as pd
import traitlets

from workbench.charts.matching import (
    candidate_caption,
    candidate_chart,
    coverage_caption,
    coverage_chart,
    criterion_label,
    fairness_caption,
    fairness_chart,
    method_label,
    score_distribution_caption,
    score_distribution_chart,
)
from workbench.errors import WorkbenchError
from workbench.matching import MatchResult, comparison_table
from workbench.matching.names import mentee_word
from workbench.programs import page_tables, program_ids
from workbench.sessions.matching import NO_CHOICE, RUNS, SEEDED, Matched, MatchingSession
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, SaveOver, guarded
from workbench.views.parts import Job, JobPanel, Stage, caption, muted, row, tile, tiles
from workbench.views.programs import ProgramsPanel
from workbench.views.shell import PageContext
from workbench.views.tables import csv_download_link, download_link, header_words, html_table
from workbench.workspace import StaleWorkspaceError, Workspace, reread

#: Pairs and unmatched people shown in the page (all of them are in the CSV).
TABLE_ROWS = 100


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _without_score(reason: str) -> str:
    """A pair's reason without its closing "; score 0.78" (the table has a score column)."""
    return re.sub(r"; score [-\d.inf]+$", "", str(reason))


def _status(kind: str, text: str) -> str:
    """A line beside a button: ``text`` styled as ``kind`` (``saved``, ``unsaved``, ``muted``); ``""`` for none."""
    return f"<span class='wb-{kind}'>{html.escape(text, quote=False)}</span>" if text else ""


def _offer(dropdown: w.Dropdown, options: list[tuple[str, object]], preferred: object,
           draw: Callable[[], None]) -> None:
    """Put ``options`` in ``dropdown``, keeping its choice when still offered (else ``preferred``), and draw the
    choice once (through the dropdown's observer when the value changes)."""
    previous = dropdown.value
    dropdown.options = options
    chosen = previous if previous in [v for _, v in options] else preferred
    if dropdown.value == chosen:
        draw()
    else:
        dropdown.value = chosen  # the observer draws it


class SettingsBar(w.VBox):
    """The matching settings (linked to the session's traits), Match, Back to the design's settings, and the hint
    that says whether the matching shown is the saved one or out of date."""

    def __init__(self, session: MatchingSession) -> None:
        self.session = session
        style = {"description_width": "initial"}
        self.structure = w.Dropdown(description="Structure", style=style, layout=w.Layout(width="300px"),
                                    options=session.structure_options())
        self.method = w.Dropdown(description="Method", style=style, layout=w.Layout(width="340px"),
                                 options=session.method_options())
        self.method_help = w.HTML()
        self.seed = w.BoundedIntText(value=0, min=0, max=2**31 - 1, description="Seed", style=style,
                                     layout=w.Layout(width="150px"))
        self.group_size = w.IntSlider(min=2, max=12, description="Mentees per group", style=style,
                                      continuous_update=False)
        self.mentors_per_mentee = w.IntSlider(min=2, max=5, description="Mentors per mentee", style=style,
                                              continuous_update=False)
        self.rounds = w.IntSlider(value=3, min=1, max=8, description="Flash rounds", style=style,
                                  continuous_update=False)
        self.circle_size = w.IntSlider(value=2, min=2, max=6, description="Peers per circle", style=style,
                                       continuous_update=False)
        self.balance_by = w.Dropdown(description="Even match rates across", style=style,
                                     layout=w.Layout(width="330px"),
                                     options=[(header_words(a), a) for a in session.balance_options()])
        self.balance_gap = w.IntSlider(min=0, max=50, description="Largest gap (points)", style=style,
                                       continuous_update=False)
        self.functional_skill = w.Dropdown(description="Skill taught", style=style, layout=w.Layout(width="360px"),
                                           options=session.skill_options())
        self.weights = {c: w.FloatSlider(min=0, max=10, step=0.5, description=label, continuous_update=False,
                                         readout_format=".1f", style={"description_width": "100px"},
                                         layout=w.Layout(width="320px"))
                        for c, label in session.criterion_labels().items()}
        self.rules = {r: w.Checkbox(description=label, indent=False, layout=w.Layout(width="auto"))
                      for r, label in session.rule_labels().items()}
        self.match_button = w.Button(description="Match", button_style="primary", icon="play",
                                     tooltip="Match the cohort with these settings")
        self.reset_button = w.Button(description="Back to the design's settings", icon="undo",
                                     layout=w.Layout(width="auto"))
        self.working = JobPanel(ahead=True, width="160px")
        self.hint = w.HTML()
        self.notice = Notice()
        self.reset_button.on_click(self._on_reset)

        for name in ("structure", "method", "seed", "group_size", "mentors_per_mentee", "rounds", "circle_size",
                     "balance_by", "balance_gap", "functional_skill"):
            traitlets.link((session, name), (getattr(self, name), "value"))
        for name, slider in self.weights.items():
            slider.observe(self._on_weight, names="value")
        for name, box in self.rules.items():
            box.observe(self._on_rule, names="value")
        session.observe(self._show_weights, names="weights")
        session.observe(self._show_rules, names="hard_rules")
        session.observe(self._show_relevant, names=["structure", "method"])
        session.observe(self._show_hint, names="hint")
        self._show_weights()
        self._show_rules()

        sliders = list(self.weights.values())
        half = (len(sliders) + 1) // 2
        self.structure_settings = w.HBox([self.group_size, self.mentors_per_mentee, self.rounds, self.circle_size,
                                          self.functional_skill, self.balance_by, self.balance_gap])
        top = row(w.VBox([w.HTML("<b>Criteria weights</b> <span class='wb-muted'>(how much each counts; "
                                 "0 = not used)</span>"),
                          w.HBox([w.VBox(sliders[:half]), w.VBox(sliders[half:])])]),
                  w.VBox([w.HTML("<b>Hard rules</b> <span class='wb-muted'>(never broken)</span>"),
                          *self.rules.values()]))
        top.layout.align_items = "flex-start"
        text, warning = session.pool_facts()
        facts = (f"<p class='wb-pool'>{html.escape(text)}"
                 + (f"<b class='wb-warning-text'>{html.escape(warning)}</b>" if warning else "") + "</p>")
        super().__init__([
            w.HTML("<h3>Settings</h3>"),
            w.HTML(facts),
            row(self.structure, self.method, self.seed, self.structure_settings),
            self.method_help,
            top,
            row(self.match_button, self.reset_button, self.working, self.hint),
            self.notice,
        ])
        self.add_class("wb-settings")
        self.structure.add_class("wb-structure")
        self._show_relevant()

    def _on_weight(self, change: dict) -> None:
        name = next(n for n, slider in self.weights.items() if slider is change["owner"])
        self.session.weights = {**self.session.weights, name: float(change["new"])}

    def _on_rule(self, _change: dict) -> None:
        self.session.hard_rules = [name for name, box in self.rules.items() if box.value]

    def _show_weights(self, _change: object = None) -> None:
        for name, slider in self.weights.items():
            slider.value = float(self.session.weights.get(name, 0.0))

    def _show_rules(self, _change: object = None) -> None:
        for name, box in self.rules.items():
            box.value = name in self.session.hard_rules

    def _show_hint(self, _change: object = None) -> None:
        self.hint.value = _status(*self.session.hint)

    def _show_relevant(self, _change: object = None) -> None:
        structure, method = self.session.structure, self.session.method
        peer = structure == "peer"
        self.method.layout.display = "none" if peer else None
        shown = ((self.group_size, structure == "group"), (self.mentors_per_mentee, structure == "mosaic"),
                 (self.rounds, structure == "flash"), (self.circle_size, peer),
                 (self.functional_skill, structure == "functional"),
                 (self.balance_by, method == "balanced" and not peer),
                 (self.balance_gap, method == "balanced" and not peer))
        for control, wanted in shown:
            control.layout.display = None if wanted else "none"
        # an empty box still takes a place in the wrapping row (and a line of its own when it wraps)
        self.structure_settings.layout.display = None if any(wanted for _, wanted in shown) else "none"
        self.seed.layout.display = None if method in SEEDED and not peer else "none"
        self.method_help.value = muted(self.session.method_help())

    @guarded("restore the design's settings", button="reset_button")
    def _on_reset(self, _button: w.Button) -> None:
        self.session.reset()


class MenteeExplorer(w.VBox):
    """One mentee's options: why they got their partner, who else would fit, and pins and forbids.

    ``match(pins, forbids, notice, then)`` is the page's: it matches again in the page's job, shows errors in the
    Notice named ``notice`` and calls ``then()`` once the new matching is drawn.
    """

    def __init__(self, session: MatchingSession,
                 match: Callable[[set, set, str, Callable[[], None]], None]) -> None:
        self.session, self.match = session, match
        style = {"description_width": "initial"}
        self.mentee = w.Dropdown(description="Mentee", style=style, layout=w.Layout(width="460px"))
        self.mentee.observe(self._on_mentee, names="value")
        self.candidate_chart = chart_widget(candidate_chart(pd.DataFrame(), {}))
        self.candidate_caption = w.HTML()
        self.candidates_table = w.HTML()
        self.partner = w.Dropdown(description="Mentor", style=style, layout=w.Layout(width="600px"))
        self.pin_button = w.Button(description="Pin this pair", icon="thumb-tack", layout=w.Layout(width="auto"),
                                   tooltip="Always match these two (even against a rule), then match again")
        self.forbid_button = w.Button(description="Forbid this pair", icon="ban", layout=w.Layout(width="auto"),
                                      tooltip="Never match these two, then match again")
        self.pin_button.on_click(self._on_pin)
        self.forbid_button.on_click(self._on_forbid)
        self.overrides = w.HTML()
        self.override_choice = w.Dropdown(description="Pin or forbid", style=style, layout=w.Layout(width="600px"))
        self.remove_button = w.Button(description="Remove", icon="times", layout=w.Layout(width="auto"))
        self.clear_button = w.Button(description="Clear all pins and forbids", icon="trash",
                                     layout=w.Layout(width="auto"))
        self.remove_button.on_click(self._on_remove)
        self.clear_button.on_click(self._on_clear)
        self.working = JobPanel(ahead=True, width="160px")
        self.pick_notice = Notice()
        self._shown_mentee: str | None = None
        session.observe(self.enable, names="structure")
        self.candidates_table.add_class("wb-reasons")  # its last column is a sentence: the stylesheet gives it room
        for widget, name in ((self.mentee, "wb-mentee"), (self.partner, "wb-partner"),
                             (self.candidates_table, "wb-candidates")):
            widget.add_class(name)
        super().__init__([
            w.HTML("<h3>One mentee's options</h3><p>Why a mentee got their mentor, who else would fit, and what "
                   "rules out the rest. Pin or forbid a pair to override the matching; it is matched again at "
                   "once.</p>"),
            self.mentee, self.candidate_chart, self.candidate_caption,
            row(self.partner, self.pin_button, self.forbid_button, self.working), self.pick_notice,
            self.overrides, row(self.override_choice, self.remove_button, self.clear_button),
            w.HTML("<h4>Every criterion for these candidates</h4>"), self.candidates_table,
        ])
        self.enable()

    @property
    def buttons(self) -> list[w.Button]:
        """The buttons that match again (disabled while the page's job runs)."""
        return [self.pin_button, self.forbid_button, self.remove_button, self.clear_button]

    def enable(self, _change: object = None) -> None:
        """Pins need mentees and mentors (not peer circles); Remove and Clear need a pin or forbid."""
        self.pin_button.disabled = self.session.structure == "peer"
        for control in (self.override_choice, self.remove_button, self.clear_button):
            control.disabled = not (self.session.pins or self.session.forbids)

    def show(self) -> None:
        """Draw the explorer for the session's matching."""
        options, first = self.session.mentee_options()
        self.mentee.description = "Person" if self.session.peer else "Mentee"
        _offer(self.mentee, options, first, self._render_candidates)
        self._render_overrides()

    @guarded("show the mentee's candidates", notice="pick_notice")
    def _on_mentee(self, _change: object) -> None:
        if self.session.result is not None:
            self._render_candidates()

    def _render_candidates(self) -> None:
        mentee, session = self.mentee.value, self.session
        if mentee in (None, NO_CHOICE):
            self.candidate_chart.chart = candidate_chart(pd.DataFrame(), {})
            self.candidate_caption.value = ""
            self.candidates_table.value = ""
            self.partner.options = [("Nobody", NO_CHOICE)]
            self.partner.value = NO_CHOICE
            return
        result, who = session.result, session.who
        table = session.candidates(mentee)
        weights = result.settings["weights"]
        partner = "peer" if session.peer else "mentor"
        shown_table = session.people.table(table)
        self.candidate_chart.chart = candidate_chart(shown_table, weights, mentee=who(mentee), partner=partner)
        self.candidate_caption.value = caption(candidate_caption(shown_table, weights, who(mentee), partner=partner))
        shown = pd.DataFrame({"rank": table["rank"], partner: [who(p) for p in table["mentor_id"]],
                              "status": table["status"], "score": table["score"].round(2)})
        for name in result.criteria:
            shown[criterion_label(name).lower()] = table[name].round(2)
        shown["why"] = shown_table["reason"].to_numpy()
        self.candidates_table.value = html_table(shown)
        previous = self.partner.value
        self.partner.description = partner.capitalize()
        self.partner.options = [(f"{who(p)} · {s}", p) for p, s in zip(table["mentor_id"], table["status"])]
        values = list(table["mentor_id"])
        partners = list(table.loc[table["status"].str.startswith("matched"), "mentor_id"])
        same_mentee = mentee == self._shown_mentee
        self._shown_mentee = mentee
        self.partner.value = previous if same_mentee and previous in values else (partners or values)[0]

    def _render_overrides(self) -> None:
        items = self.session.override_items()
        if not items:
            self.overrides.value = "<p class='wb-muted'>No pairs pinned or forbidden.</p>"
            self.override_choice.options = [("No pair pinned or forbidden yet", NO_CHOICE)]
            self.override_choice.value = NO_CHOICE
        else:
            listed = "".join(f"<li>{html.escape(label)}</li>" for label, _ in items)
            self.overrides.value = f"<p><b>Pinned and forbidden pairs</b></p><ul class='wb-facts'>{listed}</ul>"
            self.override_choice.options = items
            self.override_choice.value = items[0][1]
        self.enable()

    def _chosen_pair(self) -> tuple[str, str]:
        mentee, mentor = self.mentee.value, self.partner.value
        if self.session.result is None or mentee in (None, NO_CHOICE) or mentor in (None, NO_CHOICE):
            raise WorkbenchError("Pick a mentee and one of their candidate mentors first.")
        return str(mentee), str(mentor)

    def _override(self, overrides: tuple[set, set], done: str) -> None:
        mentee = self.mentee.value
        self.match(*overrides, "explorer.pick_notice",
                   lambda: self.pick_notice.show(f"{done} and matched again. {self.session.now_matched(mentee)}",
                                                 "success"))

    @guarded("pin the pair", notice="pick_notice")
    def _on_pin(self, _button: w.Button) -> None:
        mentee, mentor = self._chosen_pair()
        who = self.session.who
        self._override(self.session.pinned(mentee, mentor), f"Pinned {who(mentee)} with {who(mentor)}")

    @guarded("forbid the pair", notice="pick_notice")
    def _on_forbid(self, _button: w.Button) -> None:
        mentee, mentor = self._chosen_pair()
        who = self.session.who
        self._override(self.session.forbidden(mentee, mentor), f"Forbade {who(mentee)} with {who(mentor)}")

    @guarded("remove the pin or forbid", notice="pick_notice")
    def _on_remove(self, _button: w.Button) -> None:
        chosen = self.override_choice.value
        if chosen in (None, NO_CHOICE):
            raise WorkbenchError("There is no pin or forbid to remove.")
        kind, a, b = chosen
        who = self.session.who
        said = f"Removed the {kind} of {who(a)} with {who(b)} and matched again."
        self.match(*self.session.without(kind, a, b), "explorer.pick_notice",
                   lambda: self.pick_notice.show(said, "success"))

    @guarded("clear the pins and forbids", notice="pick_notice")
    def _on_clear(self, _button: w.Button) -> None:
        self.match(set(), set(), "explorer.pick_notice",
                   lambda: self.pick_notice.show("Cleared every pin and forbid and matched again.", "success"))


class RematchPanel(w.VBox):
    """Re-matching a running cohort: the saved pairs read against meetings.csv, quiet and closed pairs with a new
    mentor suggested (the workshop's only: it shows a running cohort's pairs)."""

    def __init__(self, session: MatchingSession) -> None:
        self.session = session
        self.button = w.Button(description="Check the saved matching against the meetings", icon="refresh",
                               layout=w.Layout(width="auto"))
        self.button.on_click(self._on_rematch)
        self.notice = Notice()
        self.text = w.HTML()
        self.table = w.HTML()
        self.table.add_class("wb-reasons")
        self.download = w.HTML()
        quiet = session.design.support.inactivity_days
        super().__init__([
            w.HTML(f"<h3>Re-match a running cohort</h3><p>Once pairs meet, some go quiet or end. This reads the "
                   f"saved matching against meetings.csv: a pair with no meeting for more than {quiet} days (the "
                   "design's inactivity rule) is quiet, a pair whose mentee or mentor left is closed. Their "
                   "mentees are offered a new mentor, never the previous one; every working pair stays as it is "
                   "and keeps its mentor's place.</p>"),
            row(self.button), self.notice, self.text, self.table, self.download,
        ])
        self.add_class("wb-rematch")

    @guarded("re-match the quiet and closed pairs", button="button")
    def _on_rematch(self, _button: w.Button) -> None:
        session, who, people = self.session, self.session.who, self.session.people
        found = session.rematch()
        self.text.value = "".join(caption(people.text(line)) for line in found.summary_lines())
        broken = found.pairs[found.pairs["status"] != "working"]
        shown = pd.DataFrame({
            "mentee": [who(p) for p in broken["mentee_id"]],
            "mentor": [who(p) for p in broken["mentor_id"]], "status": broken["status"].to_numpy(),
            "why": [people.text(r) for r in broken["reason"]],
            "suggested mentor": [who(p) if p else "" for p in broken["suggested_mentor_id"]],
            "score": broken["suggested_score"].round(2).to_numpy(),
            "why this mentor": [people.text(_without_score(r)) for r in broken["suggestion"]]})
        self.table.value = (html_table(shown, limit=TABLE_ROWS) if len(shown) else
                            "<p class='wb-muted'>Every pair is working: nothing to re-match.</p>")
        name = f"rematch-{session.workspace.slug}.csv"
        self.download.value = (
            csv_download_link(people.table(found.pairs), name, "Download every pair with its status (CSV)")
            if people.published else
            download_link(found.csv(), name, "text/csv", "Download every pair with its status (CSV)"))


class MatchingView(w.VBox):
    """Settings from the design, the Match button, the result explained, one mentee's options, save and export.

    ``background``: match, compare and check robustness in a background thread (``False``: at once, in the
    calling thread, for tests and notebooks).
    """

    def __init__(self, context: PageContext, *, background: bool = True) -> None:
        self.context = context
        workspace = context.workspace
        self.session = session = MatchingSession(workspace, page_tables(workspace, "Matching"))
        session.observe(self._on_workspace, names="workspace")
        self.people = session.people
        self.controls = SettingsBar(session)
        self.controls.match_button.on_click(self._on_match)
        self.explorer = MenteeExplorer(session, self._match)
        self.rematching = None if self.people.published else RematchPanel(session)

        # results
        style = {"description_width": "initial"}
        self.messages = Notice()
        self.summary = w.HTML()
        self.download = w.HTML()
        self.save_button = None
        if not self.people.published:
            self.save_button = w.Button(description="Save this matching", icon="save", layout=w.Layout(width="auto"),
                                        tooltip="Store the pairs and the summary in the workspace "
                                                "(results/matching.csv)")
            self.save_button.on_click(self._on_save)
        self.saved_status = w.HTML()
        self.save_notice = Notice()
        self.save_over = None if self.save_button is None else SaveOver(self.save_notice)
        self.distribution = chart_widget(score_distribution_chart(pd.DataFrame()))
        self.distribution_caption = w.HTML()
        self.coverage = chart_widget(coverage_chart(pd.DataFrame()))
        self.coverage_caption = w.HTML()
        self.compare_button = w.Button(description="Compare all methods", icon="columns", layout=w.Layout(width="auto"))
        self.compare_button.on_click(self._on_compare)
        self.compare_working = JobPanel("Stop after the method under way (the methods done are shown)")
        self.comparison = w.HTML()
        self.compare_notice = Notice()
        self.attribute = w.Dropdown(description="Break down by", style=style, layout=w.Layout(width="320px"))
        self.attribute.observe(self._on_attribute, names="value")
        self.fairness = chart_widget(fairness_chart(pd.DataFrame(), "group"))
        self.fairness_caption = w.HTML()
        self.fairness_notice = Notice()
        self.pairs_table = w.HTML()
        self.unmatched_table = w.HTML()
        self.pairs_heading = w.HTML()
        self.unmatched_heading = w.HTML()

        # robustness
        self.spread = w.Dropdown(description="Move every weight by up to", style=style,
                                 options=[("±10%", 0.1), ("±20%", 0.2), ("±30%", 0.3)],
                                 layout=w.Layout(width="300px"))
        traitlets.link((session, "spread"), (self.spread, "value"))
        self.sensitivity_button = w.Button(description="Check robustness", icon="random", layout=w.Layout(width="auto"))
        self.sensitivity_button.on_click(self._on_sensitivity)
        self.sensitivity_working = JobPanel("Stop after the run under way (the runs done are counted)")
        self.sensitivity_text = w.HTML()
        self.sensitivity_notice = Notice()

        self.placeholder = w.HTML("<p class='wb-muted'>Press <b>Match</b> to see who would be matched with whom, "
                                  "and why.</p>")
        self.results = w.VBox([
            self.messages,
            w.HTML("<h3>Result</h3>"), self.summary,
            row(*[c for c in (self.download, self.save_button, self.save_over, self.saved_status) if c is not None]),
            self.save_notice,
            w.HTML("<h3>Compare methods</h3><p>Every method on the same people, criteria and rules; the charts "
                   "below then show them all.</p>"),
            row(self.compare_button, self.compare_working), self.compare_notice, self.comparison,
            self.distribution, self.distribution_caption,
            self.coverage, self.coverage_caption,
            w.HTML("<h3>Is it fair?</h3>"), self.attribute, self.fairness_notice, self.fairness,
            self.fairness_caption,
            self.unmatched_heading, self.unmatched_table,
            self.explorer,
            w.HTML("<h3>How robust is it?</h3><p>Weights are judgement calls. This matches again ten times with "
                   "every weight moved at random and counts how many pairs change.</p>"),
            row(self.spread, self.sensitivity_button, self.sensitivity_working), self.sensitivity_notice,
            self.sensitivity_text,
            self.pairs_heading, self.pairs_table,
        ])
        self.results.layout.display = "none"
        # several programs on one pool: match them all together (figures about programs only)
        self.programs_panel = ProgramsPanel(context) if len(program_ids(workspace)) > 1 else None
        for table in (self.pairs_table, self.unmatched_table):
            table.add_class("wb-reasons")  # their last column is a sentence: the stylesheet gives it room
        for widget, name in ((self.summary, "wb-summary"), (self.pairs_table, "wb-pairs"),
                             (self.attribute, "wb-attribute")):
            widget.add_class(name)
        buttons = [self.controls.match_button, self.compare_button, self.sensitivity_button, *self.explorer.buttons,
                   *([self.save_button] if self.save_button is not None else [])]
        self.job = Job(self, background=background, buttons=buttons, on_idle=self._enable)
        for panel in (self.compare_working, self.sensitivity_working):
            panel.cancel_button.on_click(self._on_cancel)
        super().__init__([self.controls, self.placeholder, self.results,
                          *[c for c in (self.rematching, self.programs_panel) if c is not None]])
        self.add_class("wb-matching")
        self._render_saved()
        warning = session.restore_saved()  # the saved matching of the current cohort, matched again (at once)
        if warning:
            self.controls.notice.show(warning, "warning")
        if session.result is not None:
            self._render()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a matching, comparison or robustness check running in the background (notebooks, tests)."""
        self.job.wait(timeout)

    def _on_workspace(self, change: dict) -> None:
        self.context.workspace = change["new"]

    def _enable(self) -> None:
        """After a job: the buttons that do not apply stay disabled (comparing peer circles, pins without pairs)."""
        self.compare_button.disabled = self.session.peer
        self.explorer.enable()

    def _on_cancel(self, _button: w.Button) -> None:
        self.job.cancel()

    # ------------------------------------------------------------------ matching

    def _match(self, pins: set | None = None, forbids: set | None = None, notice: str = "controls.notice",
               then: Callable[[], None] | None = None) -> None:
        """Match with the settings chosen in the page's job, then draw the matching and call ``then()``."""
        session = self.session
        panel = self.controls.working if notice == "controls.notice" else self.explorer.working

        def done(matched: Matched, _seconds: float) -> None:
            session.accept(matched)
            self._render()
            if then is not None:
                then()

        self.job.run(panel, "Matching ...", Stage("match the cohort", lambda *_: session.solve(pins, forbids), done,
                                                  notice))

    @guarded("match the cohort", notice="controls.notice")
    def _on_match(self, _button: w.Button) -> None:
        self._match()

    def _render(self) -> None:
        result = self.session.result
        self.placeholder.layout.display = "none"
        self.results.layout.display = None
        if result.messages:
            self.messages.show(self.people.text("\n".join(result.messages)), "warning")
        else:
            self.messages.clear()
        self.summary.value = self._summary_html(result)
        name = f"matching-{self.session.workspace.slug}.csv"
        self.download.value = (csv_download_link(self.people.table(result.table()).round(4), name,
                                                 "Download the matching (CSV)")
                               if self.people.published
                               else download_link(result.csv(), name, "text/csv", "Download the matching (CSV)"))
        self.save_notice.clear()
        if self.save_over is not None:
            self.save_over.withdraw()
        peer = self.session.peer
        self.compare_button.disabled = peer
        self.comparison.value = ("<p class='wb-muted'>Peer circles are formed one way only: there are no methods to "
                                 "compare.</p>" if peer else
                                 "<p class='wb-muted'>Press <b>Compare all methods</b> to see every method side by "
                                 "side.</p>")
        self.compare_notice.clear()
        self.sensitivity_text.value = ""
        self.sensitivity_notice.clear()
        self._render_scores({result.summary()["method"]: result})
        shown, preferred = self.session.fairness_choices()
        _offer(self.attribute, [(header_words(a), a) for a in shown] or [("No grouping with enough people", NO_CHOICE)],
               preferred, self._render_fairness)
        self._render_tables()
        self.explorer.show()

    def _summary_html(self, result: MatchResult) -> str:
        s = result.summary()
        word = mentee_word(s["structure"])
        shown = [tile(_percent(s["match_rate"]), f"{s['matched_mentees']:,} of {s['mentees']:,} {word} matched")]
        if s["links"]:
            shown += [tile(f"{s['mean_score']:.2f}", "mean score (0-1)", "0 = no fit, 1 = a perfect fit"),
                      tile(f"{s['worst_score']:.2f}", "weakest pair")]
        if s["links"] and s.get("skills_covered") is not None:
            shown.append(tile(_percent(s["skills_covered"]), "needed skills covered",
                              "share of the mentees' needed skills that a partner covers"))
        if s["links"] and s.get("capacity_use") is not None:
            shown.append(tile(_percent(s["capacity_use"]), f"of {s['capacity']:,} mentor places used"))
        if s["links"] and s.get("blocking_pairs") is not None:
            shown.append(tile(f"{s['blocking_pairs']:,}", "blocking pairs: NOT STABLE" if result.unstable else
                              "blocking pairs",
                              "a mentee and a mentor who would both rather be together than with their partners",
                              bad=result.unstable))
        if s["links"] and s.get("optimal") is True:
            shown.append(tile("✓", "proven optimal", "no other matching scores higher on these settings"))
        lines = result.summary_lines()
        lines = lines[:len(lines) - len(result.messages)] if result.messages else lines
        settings = result.settings
        pinned, forbidden = len(settings.get("pinned", ())), len(settings.get("forbidden", ()))
        if pinned or forbidden:
            lines.append(f"With {pinned} pinned and {forbidden} forbidden pair{'s' if forbidden != 1 else ''}.")
        text = " ".join(html.escape(self.people.text(line)) for line in lines)
        return f"{tiles(shown)}<p class='wb-summary-text'>{text}</p>"

    def _render_scores(self, results: dict[str, MatchResult]) -> None:
        scores = pd.concat([r.pairs[["score"]].assign(method=name) for name, r in results.items()],
                           ignore_index=True)
        self.distribution.chart = score_distribution_chart(scores)
        self.distribution_caption.value = caption(score_distribution_caption(scores))
        table = comparison_table(results)
        self.coverage.chart = coverage_chart(table)
        self.coverage_caption.value = caption(coverage_caption(table))

    def _render_tables(self) -> None:
        result, who, peer = self.session.result, self.session.who, self.session.peer
        pairs = result.pairs
        shown = pd.DataFrame({"mentee": [who(p) for p in pairs["mentee_id"]],
                              "peer" if peer else "mentor": [who(p) for p in pairs["mentor_id"]]})
        if pairs["group"].astype(str).str.len().gt(0).any():
            shown["group"] = pairs["group"].to_numpy()
        if pairs["round"].nunique() > 1:
            shown["round"] = pairs["round"].to_numpy()
        shown["score"] = pairs["score"].round(2).to_numpy()
        for name in result.criteria:
            shown[criterion_label(name).lower()] = pairs[name].round(2).to_numpy()
        shown["why"] = [self.people.text(_without_score(r)) for r in pairs["reason"]]
        links = "peer links" if peer else "pairs"
        self.pairs_heading.value = (f"<h3>The {links} ({len(pairs):,})</h3><p>Each criterion from 0 (no fit) to 1 "
                                    "(full fit); the score is their weighted mean.</p>")
        self.pairs_table.value = (html_table(shown, limit=TABLE_ROWS) if len(shown)
                                  else "<p>No pairs: see who is not matched and why below.</p>")
        unmatched = result.unmatched
        self.unmatched_heading.value = f"<h3>Not matched, and why ({len(unmatched):,})</h3>"
        table = pd.DataFrame({"person": [who(p) for p in unmatched["person_id"]],
                              "role": unmatched["role"].to_numpy(),
                              "why": [self.people.text(r) for r in unmatched["reason"]]})
        self.unmatched_table.value = (html_table(table, limit=TABLE_ROWS) if len(table)
                                      else "<p>Everyone has a partner.</p>")

    # ------------------------------------------------------------------ compare, fairness, robustness

    @guarded("compare the methods", notice="compare_notice")
    def _on_compare(self, _button: w.Button) -> None:
        session = self.session

        def work(progress, cancel, _previous) -> tuple[dict[str, MatchResult], int]:
            total = [0]

            def step(done: int, of: int, method: str) -> None:
                total[0] = of
                progress(done, of, method_label(method))
            return session.compare(step, cancel.is_set), total[0]

        self.job.run(self.compare_working, "Matching with every method…",
                     Stage("compare the methods", work, lambda found, _seconds: self._render_comparison(*found),
                           "compare_notice"))

    def _render_comparison(self, results: dict[str, MatchResult], methods: int) -> None:
        if not results:  # cancelled before the first method
            self.compare_notice.show("Cancelled before the first method: nothing compared.", "warning")
            return
        if len(results) < methods:
            self.compare_notice.show(f"Cancelled: {len(results)} of {methods} methods compared.", "warning")
        self.session.compared = results
        self._render_scores(results)
        table = comparison_table(results)
        shown = pd.DataFrame({"method": [method_label(m) for m in table["method"]]})
        for column, title in (("match_rate", "matched"), ("mean_score", "mean score"),
                              ("worst_score", "weakest pair"), ("skills_covered", "skills covered"),
                              ("capacity_use", "places used"), ("blocking_pairs", "blocking pairs")):
            values = table[column]
            if values.isna().all():
                continue
            if column in ("match_rate", "skills_covered", "capacity_use"):
                shown[title] = [_percent(v) if pd.notna(v) else "" for v in values]
            elif column == "blocking_pairs":
                shown[title] = values.astype("Int64")
            else:
                shown[title] = values.astype(float).round(2)
        current = self.session.result.summary()["method"]
        note = (f"<p class='wb-muted'>The matching shown above uses {html.escape(method_label(current).lower())}; "
                "choose another method in the settings and press Match to use it.</p>")
        self.comparison.value = html_table(shown) + note

    @guarded("break the match rate down", notice="fairness_notice")
    def _on_attribute(self, _change: object) -> None:
        if self.session.result is not None:
            self._render_fairness()

    def _render_fairness(self) -> None:
        attribute = self.attribute.value
        if attribute in (None, NO_CHOICE):
            self.fairness.chart = fairness_chart(pd.DataFrame(), "group")
            self.fairness_caption.value = caption("No attribute has a group of five or more mentees to compare.")
            return
        result = self.session.result
        table = result.by_group(attribute)
        overall = result.summary()["match_rate"]
        label = header_words(attribute)
        self.fairness.chart = fairness_chart(table, attribute, overall=overall, label=label)
        self.fairness_caption.value = caption(fairness_caption(table, attribute, overall=overall, label=label))

    @guarded("check how robust the matching is", notice="sensitivity_notice")
    def _on_sensitivity(self, _button: w.Button) -> None:
        session = self.session

        def done(found, _seconds: float) -> None:
            session.robustness = found
            if found is None:
                self.sensitivity_notice.show("Cancelled before the first run: nothing to show.", "warning")
                return
            self.sensitivity_text.value = (
                tiles([tile(_percent(found.mean), "of pairs change on average"),
                       tile(f"{found.low:.0%}–{found.high:.0%}", f"range over {found.runs} runs")])
                + f"<p>With every weight moved at random by up to ±{found.spread:.0%}, {found.mean:.0%} of the pairs "
                f"change on average (from {found.low:.0%} to {found.high:.0%} across {found.runs} runs). "
                f"{html.escape(found.verdict)}</p>")

        self.sensitivity_text.value = ""
        self.job.run(self.sensitivity_working, f"Matching again {RUNS} times…",
                     Stage("check how robust the matching is",
                           lambda progress, cancel, _previous: session.check_robustness(progress, cancel.is_set),
                           done, "sensitivity_notice"))

    # ------------------------------------------------------------------ save

    def _render_saved(self) -> None:
        self.saved_status.value = _status(*self.session.saved_status())

    @guarded("save the matching", notice="save_notice", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        self._save(self.session.workspace)

    def _save(self, workspace: Workspace) -> None:
        try:
            self.session.save(workspace)
        except StaleWorkspaceError as refused:
            self._render_saved()  # what is saved now, from the other tab
            raise self.save_over.offer(refused, lambda: self._save(reread(self.session.workspace))) from None
        self._render_saved()
        self.save_notice.show("Saved the matching in the workspace (results/matching.csv and results/matching.yaml).",
                              "success")

