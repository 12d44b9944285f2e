"""The Matching page: try matchings live, see why each pair was made, adjust, save and export.

The settings start from the design (structure, method, criteria weights, hard
rules) and change the matching shown here only; the design itself is changed
on the eXperience page. Every action runs :mod:`workbench.matching` on the
workspace's tables: **Match** solves again, **Compare all methods** runs every
method on the same pool, one mentee's candidates explain a pair (and let the
consultant pin or forbid it), **Check robustness** moves the weights at random,
and **Save this matching** stores it in the workspace, refused when the
workspace changed since the page opened it.

People are named through :class:`workbench.privacy.PersonLabels`. In the
published app that means pseudonyms everywhere (tables, pickers, charts,
notices and the CSV download), and there is no Save button: matchings can be
tried, compared and adjusted, never stored.
"""

from __future__ import annotations

import contextlib
import html
import re
import typing

import ipywidgets as w
import pandas as pd
from traitlets import TraitError

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
from workbench.design.catalogue import decision, structure_label
from workbench.design.model import Criterion, Experience, HardRule, ProgramDesign
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.matching import (
    METHODS,
    STRUCTURES,
    MatchResult,
    Overrides,
    compare_methods,
    comparison_table,
    default_method,
    fairness_attributes,
    match,
    save_matching,
    saved_matching,
    sensitivity,
)
from workbench.matching.rematching import rematch_saved
from workbench.matching.pool import build_pool
from workbench.matching.results import candidates
from workbench.organisation import current_cohort
from workbench.privacy import PersonLabels, published_mode
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, SaveOver, guarded
from workbench.programs import program_ids
from workbench.views.programs import ProgramsPanel
from workbench.views.shell import PageContext, page_tables
from workbench.views.tables import csv_download_link, download_link, header_words, html_table
from workbench.workspace import StaleWorkspaceError, Workspace, reread

#: What each method does, in a line for the page.
METHOD_HELP = {
    "optimal": "Matches everyone it can, with the highest total score; the solver proves no better matching exists.",
    "max_coverage": "Matches as many mentees as possible first, then makes the pairs as good as it can.",
    "fair": "Lifts the weakest pair as high as possible (among matchings of the most people), then the total. It "
            "does not balance match rates between groups: check those under Is it fair?",
    "balanced": "The best total fit while every group's match rate stays within the gap of the others (groups of "
                "the attribute chosen; groups under five people count together); says what that costs.",
    "stable": "No mentee and mentor would both rather be together than with their partners; uses stated "
              "preferences.",
    "mentee_choice": "Mentees pick from a short list of their best mentors, first come first served: how "
                     "self-service sign-up would turn out.",
    "greedy": "Takes the best-scoring pairs first: easy to explain, not always the best overall.",
    "random": "Random allowed mentors: a baseline that shows what matching on the criteria adds.",
}
#: Methods whose outcome depends on the seed.
SEEDED = ("random", "mentee_choice")
#: Pairs and unmatched people shown in the page (all of them are in the CSV).
TABLE_ROWS = 100
NO_CHOICE = "__none__"


def _labels(decision_id: str) -> dict[str, str]:
    return {o.value: o.label for o in decision(decision_id).options}


def _caption(text: str) -> str:
    return f"<p class='wb-caption'>{html.escape(text)}</p>"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _without_score(reason: str) -> str:
    """A pair's reason without its closing "; score 0.78" (the table has a score column)."""
    return re.sub(r"; score [-\d.inf]+$", "", str(reason))


def _pairs(table: pd.DataFrame) -> set[tuple[str, str]]:
    """The (mentee, mentor) links of a matching table, its unmatched rows left out."""
    if table.empty:
        return set()
    linked = table[table.get("unmatched_role", pd.Series("", index=table.index)).fillna("").astype(str) == ""]
    return set(zip(linked["mentee_id"].astype(str), linked["mentor_id"].astype(str)))


def _tile(value: str, label: str, note: str = "", *, bad: bool = False) -> str:
    title = f" title='{html.escape(note)}'" if note else ""
    kind = "wb-tile wb-bad" if bad else "wb-tile"
    return f"<div class='{kind}'{title}><b>{html.escape(value)}</b><span>{html.escape(label)}</span></div>"


class MatchingView(w.VBox):
    """Settings from the design, the Match button, the result explained, one mentee's options, save and export."""

    def __init__(self, context: PageContext) -> None:
        self.context = context
        workspace = context.workspace
        tables = page_tables(workspace, "Matching")
        if len(tables["enrolment"]) == 0:
            raise WorkbenchError(f"enrolment.csv in the workspace {workspace.name!r} has no rows: nobody has signed "
                                 "up as a mentee or a mentor yet. Import the enrolment on the Start page.")
        self.tables = tables
        self.design = load_design(workspace)
        pool = build_pool(tables, self.design)
        self.people = PersonLabels.for_page(tables["people"])
        self.result: MatchResult | None = None
        self.applied: dict | None = None
        self.compared: dict[str, MatchResult] | None = None
        self.candidate: pd.DataFrame | None = None
        self._shown_mentee: str | None = None
        self.pins: set[tuple[str, str]] = set()
        self.forbids: set[tuple[str, str]] = set()
        self._quiet = False

        exp = self.design.experience
        style = {"description_width": "initial"}
        structures = _labels("experience.structure")
        self.structure = w.Dropdown(description="Structure", style=style, layout=w.Layout(width="300px"),
                                    options=[(structures.get(s, s) + (" (design)" if s == exp.structure else ""), s)
                                             for s in STRUCTURES])
        designed = default_method(self.design)
        self.method = w.Dropdown(description="Method", style=style, layout=w.Layout(width="340px"),
                                 options=[(method_label(m) + (" (design)" if m == designed else ""), m)
                                          for m in METHODS])
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
                                     options=[(header_words(a), a)
                                              for a in fairness_attributes(pool, self.design)])
        self.balance_gap = w.IntSlider(min=0, max=50, description="Largest gap (points)", style=style,
                                       continuous_update=False)
        skills = tables.get("skills")
        names = (dict(zip(skills["skill_id"].astype(str), skills.get("name", skills["skill_id"]).astype(str)))
                 if skills is not None and "skill_id" in skills.columns else {})
        self.functional_skill = w.Dropdown(description="Skill taught", style=style, layout=w.Layout(width="360px"),
                                           options=[("(choose a skill)", NO_CHOICE)]
                                           + [(name, sid) for sid, name in sorted(names.items(), key=lambda x: x[1])])
        criteria = _labels("experience.criteria")
        shown = [c for c in typing.get_args(Criterion) if c != "affinity" or exp.sensitive_opt_in]
        self.weights = {c: w.FloatSlider(min=0, max=10, step=0.5, description=criteria.get(c, c),
                                         continuous_update=False, readout_format=".1f",
                                         style={"description_width": "100px"}, layout=w.Layout(width="320px"))
                        for c in shown}
        rules = _labels("experience.hard_rules")
        self.rules = {r: w.Checkbox(description=rules.get(r, r), indent=False, layout=w.Layout(width="auto"))
                      for r in typing.get_args(HardRule)}
        self.match_button = w.Button(description="Match", button_style="primary", icon="play",
                                     tooltip="Match the cohort with these settings")
        self.reset_button = w.Button(description="Back to the design's settings", icon="undo",
                                     layout=w.Layout(width="auto"))
        self.hint = w.HTML()
        self.notice = Notice()
        self.match_button.on_click(self._on_match)
        self.reset_button.on_click(self._on_reset)

        # results
        self.messages = Notice()
        self.summary = w.HTML()
        self.download = w.HTML()
        self.save_button = None
        if not published_mode():
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

        # one mentee
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
        self.pick_notice = Notice()

        # robustness
        self.spread = w.Dropdown(description="Move every weight by up to", style=style,
                                 options=[("±10%", 0.1), ("±20%", 0.2), ("±30%", 0.3)], value=0.2,
                                 layout=w.Layout(width="300px"))
        self.sensitivity_button = w.Button(description="Check robustness", icon="random", layout=w.Layout(width="auto"))
        self.sensitivity_button.on_click(self._on_sensitivity)
        self.sensitivity_text = w.HTML()
        self.sensitivity_notice = Notice()

        for control in (self.structure, self.method, self.seed, self.group_size, self.mentors_per_mentee,
                        self.rounds, self.circle_size, self.balance_by, self.balance_gap, self.functional_skill,
                        *self.weights.values(), *self.rules.values()):
            control.observe(self._on_setting, names="value")

        def row(*children: w.Widget) -> w.HBox:
            box = w.HBox(list(children), layout=w.Layout(flex_flow="row wrap", align_items="center"))
            box.add_class("wb-row")
            return box

        def top_row(*children: w.Widget) -> w.HBox:
            box = row(*children)
            box.layout.align_items = "flex-start"
            return box

        sliders = list(self.weights.values())
        half = (len(sliders) + 1) // 2
        self.structure_settings = w.HBox([self.group_size, self.mentors_per_mentee, self.rounds, self.circle_size,
                                          self.functional_skill, self.balance_by, self.balance_gap])
        settings = w.VBox([
            w.HTML("<h3>Settings</h3>"),
            w.HTML(self._pool_facts(pool)),
            row(self.structure, self.method, self.seed, self.structure_settings),
            self.method_help,
            top_row(w.VBox([w.HTML("<b>Criteria weights</b> <span class='wb-muted'>(how much each counts; "
                                   "0 = not used)</span>"),
                            w.HBox([w.VBox(sliders[:half]), w.VBox(sliders[half:])])]),
                    w.VBox([w.HTML("<b>Hard rules</b> <span class='wb-muted'>(never broken)</span>"),
                            *self.rules.values()])),
            row(self.match_button, self.reset_button, self.hint),
            self.notice,
        ])
        settings.add_class("wb-settings")
        self.placeholder = w.HTML("<p class='wb-muted'>Press <b>Match</b> to see who would be matched with whom, "
                                  "and why.</p>")
        self.results = w.VBox([
            self.messages,
            w.HTML("<h3>Result</h3>"), self.summary,
            row(*[c for c in (self.download, self.save_button, self.save_over, self.saved_status) if c is not None]),
            self.save_notice,
            w.HTML("<h3>Compare methods</h3><p>Every method on the same people, criteria and rules; the charts "
                   "below then show them all.</p>"),
            row(self.compare_button), self.compare_notice, self.comparison,
            self.distribution, self.distribution_caption,
            self.coverage, self.coverage_caption,
            w.HTML("<h3>Is it fair?</h3>"), self.attribute, self.fairness_notice, self.fairness,
            self.fairness_caption,
            self.unmatched_heading, self.unmatched_table,
            w.HTML("<h3>One mentee's options</h3><p>Why a mentee got their mentor, who else would fit, and what "
                   "rules out the rest. Pin or forbid a pair to override the matching; it is matched again at "
                   "once.</p>"),
            self.mentee, self.candidate_chart, self.candidate_caption,
            row(self.partner, self.pin_button, self.forbid_button), self.pick_notice,
            self.overrides, row(self.override_choice, self.remove_button, self.clear_button),
            w.HTML("<h4>Every criterion for these candidates</h4>"), self.candidates_table,
            w.HTML("<h3>How robust is it?</h3><p>Weights are judgement calls. This matches again ten times with "
                   "every weight moved at random and counts how many pairs change.</p>"),
            row(self.spread, self.sensitivity_button), self.sensitivity_notice, self.sensitivity_text,
            self.pairs_heading, self.pairs_table,
        ])
        self.results.layout.display = "none"
        # several programs on one pool: match them all together (figures about programs only)
        self.programs_panel = ProgramsPanel(context) if len(program_ids(workspace)) > 1 else None

        # re-matching the saved matching once the cohort runs
        self.rematch_button = w.Button(description="Check the saved matching against the meetings", icon="refresh",
                                       layout=w.Layout(width="auto"))
        self.rematch_button.on_click(self._on_rematch)
        self.rematch_notice = Notice()
        self.rematch_text = w.HTML()
        self.rematch_table = w.HTML()
        self.rematch_download = w.HTML()
        quiet = self.design.support.inactivity_days
        self.rematching = w.VBox([
            w.HTML(f"<h3>Re-match a running cohort</h3><p>Once pairs meet, some go quiet or end. This reads the "
                   f"saved matching against meetings.csv: a pair with no meeting for more than {quiet} days (the "
                   "design's inactivity rule) is quiet, a pair whose mentee or mentor left is closed. Their "
                   "mentees are offered a new mentor, never the previous one; every working pair stays as it is "
                   "and keeps its mentor's place.</p>"),
            row(self.rematch_button), self.rematch_notice, self.rematch_text, self.rematch_table,
            self.rematch_download,
        ])
        self.rematching.add_class("wb-rematch")
        for table in (self.pairs_table, self.unmatched_table, self.candidates_table, self.rematch_table):
            table.add_class("wb-reasons")  # their last column is a sentence: the stylesheet gives it room
        for widget, name in ((self.mentee, "wb-mentee"), (self.partner, "wb-partner"), (self.summary, "wb-summary"),
                             (self.pairs_table, "wb-pairs"), (self.candidates_table, "wb-candidates"),
                             (self.attribute, "wb-attribute"), (self.structure, "wb-structure")):
            widget.add_class(name)
        live = [] if self.people.published else [self.rematching]  # a running cohort's pairs: the workshop's only
        super().__init__([settings, self.placeholder, self.results, *live,
                          *([self.programs_panel] if self.programs_panel is not None else [])])
        self.add_class("wb-matching")
        self._show_settings(self.design)
        self._render_saved()
        self._show_saved()

    # ------------------------------------------------------------------ settings

    def _who(self, person_id: str) -> str:
        """A person as this page names them: ``Name (id)``, or a pseudonym in the published app."""
        return self.people(person_id)

    @staticmethod
    def _pool_facts(pool) -> str:
        places = int(pool.mentors["capacity"].sum()) if pool.n_mentors else 0
        text = (f"The current cohort has {pool.n_mentees:,} eligible mentee{'s' if pool.n_mentees != 1 else ''} "
                f"and {pool.n_mentors:,} eligible mentor{'s' if pool.n_mentors != 1 else ''} offering "
                f"{places:,} place{'s' if places != 1 else ''}. The settings below start from the design and "
                "change only the matching on this page.")
        warning = ""
        if pool.n_mentees == 0:
            warning = " Nobody eligible is enrolled as a mentee: there is no one to match."
        elif pool.n_mentors == 0:
            warning = " No eligible mentor is enrolled: only peer circles can be formed."
        return (f"<p class='wb-pool'>{html.escape(text)}"
                + (f"<b class='wb-warning-text'>{html.escape(warning)}</b>" if warning else "") + "</p>")

    def _show_settings(self, design: ProgramDesign) -> None:
        """Put the design's matching settings in the controls."""
        exp = design.experience
        self._quiet = True
        try:
            self.structure.value = exp.structure
            self.method.value = default_method(design)
            self.seed.value = 0
            self.group_size.value = exp.group_size
            self.mentors_per_mentee.value = exp.mentors_per_mentee
            self.rounds.value = 3
            self.circle_size.value = 2
            if exp.balance.attribute in [v for _, v in self.balance_by.options]:
                self.balance_by.value = exp.balance.attribute
            self.balance_gap.value = round(exp.balance.gap * 100)
            skill = exp.functional_skill or next(iter(design.align.focus_skills), None)
            self.functional_skill.value = skill if skill in [v for _, v in self.functional_skill.options] \
                else NO_CHOICE
            for name, slider in self.weights.items():
                slider.value = float(exp.criteria.get(name, 0.0))
            for name, box in self.rules.items():
                box.value = name in exp.hard_rules
        finally:
            self._quiet = False
        self._show_relevant()

    def _show_relevant(self) -> None:
        structure, method = self.structure.value, self.method.value
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
        self.method_help.value = (
            "<p class='wb-muted'>Peer circles: everyone is paired (or put in circles) with the peers who fit best; "
            "there is no method to choose.</p>" if peer
            else f"<p class='wb-muted'>{html.escape(METHOD_HELP.get(method, ''))}</p>")
        self.pin_button.disabled = peer

    @guarded("update the settings")
    def _on_setting(self, _change: object) -> None:
        self._show_relevant()
        if not self._quiet and self.result is not None:
            self.hint.value = "<span class='wb-unsaved'>Settings changed: press Match to see their effect.</span>"

    @guarded("restore the design's settings", button="reset_button")
    def _on_reset(self, _button: w.Button) -> None:
        self._show_settings(self.design)
        if self.result is not None:
            self.hint.value = "<span class='wb-unsaved'>Back to the design's settings: press Match.</span>"

    def settings(self) -> dict:
        """The matching settings the controls show, as keyword arguments of :func:`workbench.matching.match`."""
        exp = self.design.experience
        design = self.design
        chosen = {"group_size": self.group_size.value, "mentors_per_mentee": self.mentors_per_mentee.value,
                  "balance": {"attribute": self.balance_by.value or exp.balance.attribute,
                              "gap": self.balance_gap.value / 100},
                  "functional_skill": None if self.functional_skill.value == NO_CHOICE else self.functional_skill.value}
        if any(getattr(exp, k) != v for k, v in chosen.items() if k != "balance") or \
                exp.balance.model_dump() != chosen["balance"]:
            experience = Experience.model_validate({**exp.model_dump(), **chosen})
            design = design.model_copy(update={"experience": experience})
        weights = {name: float(slider.value) for name, slider in self.weights.items()}
        if "affinity" in exp.criteria and "affinity" not in weights:
            weights["affinity"] = float(exp.criteria["affinity"])
        return {"design": design, "structure": self.structure.value, "method": self.method.value,
                "seed": int(self.seed.value), "weights": weights,
                "hard_rules": tuple(name for name, box in self.rules.items() if box.value),
                "rounds": int(self.rounds.value), "circle_size": int(self.circle_size.value)}

    # ------------------------------------------------------------------ matching

    def _overrides(self, pins: set, forbids: set) -> Overrides:
        return Overrides(pin=frozenset(pins), forbid=frozenset(forbids))

    def _solve(self, pins: set | None = None, forbids: set | None = None) -> MatchResult:
        pins = self.pins if pins is None else pins
        forbids = self.forbids if forbids is None else forbids
        settings = self.settings()
        design = settings.pop("design")
        if sum(settings["weights"].values()) <= 0:
            raise WorkbenchError("Every criterion weight is 0: give at least one criterion a weight above 0.")
        try:
            result = match(self.tables, design, overrides=self._overrides(pins, forbids), **settings)
        except WorkbenchError as exc:
            if (pins or forbids) and "Override pairs" in str(exc):
                structure = settings["structure"].replace("_", "-")
                raise WorkbenchError(f"The pinned or forbidden pairs name people who are not mentee and mentor in "
                                     f"{structure} matching (its roles differ). Remove them under \"One mentee's "
                                     "options\", or change the structure back.") from None
            raise
        self.pins, self.forbids = set(pins), set(forbids)
        self.applied = {"design": design, **settings}
        self.result = result
        self.compared = None
        self._render()
        return result

    @guarded("match the cohort", button="match_button")
    def _on_match(self, _button: w.Button) -> None:
        self._solve()

    def _render(self) -> None:
        result = self.result
        assert result is not None
        self.placeholder.layout.display = "none"
        self.results.layout.display = None
        self.hint.value = ""
        if result.messages:
            self.messages.show(self.people.text("\n".join(result.messages)), "warning")
        else:
            self.messages.clear()
        self.summary.value = self._summary_html(result)
        method = result.summary["method"]
        name = f"matching-{self.context.workspace.slug}.csv"
        self.download.value = (csv_download_link(self.people.table(result.table()).round(4), name,
                                                 "Download the matching (CSV)")
                               if self.people.published
                               else download_link(result.csv(), name, "text/csv", "Download the matching (CSV)"))
        self.save_notice.clear()
        if self.save_over is not None:
            self.save_over.withdraw()
        peer = result.summary["structure"] == "peer"
        self.compare_button.disabled = peer
        self.comparison.value = ("<p class='wb-muted'>Peer circles are formed one way only: there are no methods to "
                                 "compare.</p>" if peer else
                                 "<p class='wb-muted'>Press <b>Compare all methods</b> to see every method side by "
                                 "side.</p>")
        self.compare_notice.clear()
        self.sensitivity_text.value = ""
        self.sensitivity_notice.clear()
        self._render_scores({method: result})
        self._render_fairness_options()
        self._render_tables()
        self._render_mentees()
        self._render_overrides()

    def _summary_html(self, result: MatchResult) -> str:
        s = result.summary
        word = s["mentee_word"]
        tiles = [_tile(_percent(s["match_rate"]), f"{s['matched_mentees']:,} of {s['mentees']:,} {word} matched")]
        if s["links"]:
            tiles += [_tile(f"{s['mean_score']:.2f}", "mean score (0-1)", "0 = no fit, 1 = a perfect fit"),
                      _tile(f"{s['worst_score']:.2f}", "weakest pair")]
        if s["links"] and s.get("skills_covered") is not None:
            tiles.append(_tile(_percent(s["skills_covered"]), "needed skills covered",
                               "share of the mentees' needed skills that a partner covers"))
        if s["links"] and s.get("capacity_use") is not None:
            tiles.append(_tile(_percent(s["capacity_use"]), f"of {s['capacity']:,} mentor places used"))
        if s["links"] and s.get("blocking_pairs") is not None:
            tiles.append(_tile(f"{s['blocking_pairs']:,}", "blocking pairs: NOT STABLE" if result.unstable else
                               "blocking pairs",
                               "a mentee and a mentor who would both rather be together than with their partners",
                               bad=result.unstable))
        if s["links"] and s.get("optimal") is True:
            tiles.append(_tile("✓", "proven optimal", "no other matching scores higher on these settings"))
        lines = result.summary_lines()
        lines = lines[:len(lines) - len(result.messages)] if result.messages else lines
        settings = result.settings
        pinned, forbidden = len(settings.get("pinned", ())), len(settings.get("forbidden", ()))
        if pinned or forbidden:
            lines.append(f"With {pinned} pinned and {forbidden} forbidden pair{'s' if forbidden != 1 else ''}.")
        text = " ".join(html.escape(self.people.text(line)) for line in lines)
        return f"<div class='wb-tiles'>{''.join(tiles)}</div><p class='wb-summary-text'>{text}</p>"

    def _render_scores(self, results: dict[str, MatchResult]) -> None:
        scores = pd.concat([r.pairs[["score"]].assign(method=name) for name, r in results.items()],
                           ignore_index=True)
        self.distribution.chart = score_distribution_chart(scores)
        self.distribution_caption.value = _caption(score_distribution_caption(scores))
        table = comparison_table(results)
        self.coverage.chart = coverage_chart(table)
        self.coverage_caption.value = _caption(coverage_caption(table))

    def _render_tables(self) -> None:
        result = self.result
        pairs = result.pairs
        shown = pd.DataFrame({
            "mentee": [self._who(p) for p in pairs["mentee_id"]],
            "mentor" if result.summary["structure"] != "peer" else "peer": [self._who(p) for p in pairs["mentor_id"]],
        })
        if pairs["group"].astype(str).str.len().gt(0).any():
            shown["group"] = pairs["group"].to_numpy()
        if pairs["round"].nunique() > 1:
            shown["round"] = pairs["round"].to_numpy()
        shown["score"] = pairs["score"].round(2).to_numpy()
        for name in result.criteria:
            shown[criterion_label(name).lower()] = pairs[name].round(2).to_numpy()
        shown["why"] = [self.people.text(_without_score(r)) for r in pairs["reason"]]
        links = "pairs" if result.summary["structure"] != "peer" else "peer links"
        self.pairs_heading.value = (f"<h3>The {links} ({len(pairs):,})</h3><p>Each criterion from 0 (no fit) to 1 "
                                    "(full fit); the score is their weighted mean.</p>")
        self.pairs_table.value = (html_table(shown, limit=TABLE_ROWS) if len(shown)
                                  else "<p>No pairs: see who is not matched and why below.</p>")
        unmatched = result.unmatched
        self.unmatched_heading.value = f"<h3>Not matched, and why ({len(unmatched):,})</h3>"
        table = pd.DataFrame({"person": [self._who(p) for p in unmatched["person_id"]],
                              "role": unmatched["role"].to_numpy(),
                              "why": [self.people.text(r) for r in unmatched["reason"]]})
        self.unmatched_table.value = (html_table(table, limit=TABLE_ROWS) if len(table)
                                      else "<p>Everyone has a partner.</p>")

    # ------------------------------------------------------------------ compare, fairness, robustness

    @guarded("compare the methods", notice="compare_notice", button="compare_button")
    def _on_compare(self, _button: w.Button) -> None:
        if self.applied is None:
            raise WorkbenchError("Press Match first.")
        settings = dict(self.applied)
        design = settings.pop("design")
        settings.pop("method")
        seed = settings.pop("seed")
        self.comparison.value = "<p class='wb-muted'>Matching with every method…</p>"
        try:
            results = compare_methods(self.tables, design, seed=seed,
                                      overrides=self._overrides(self.pins, self.forbids), **settings)
        except Exception:
            self.comparison.value = ""
            raise
        self.compared = results
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
        current = self.result.summary["method"] if self.result is not None else None
        note = (f"<p class='wb-muted'>The matching shown above uses {html.escape(method_label(current).lower())}; "
                "choose another method in the settings and press Match to use it.</p>" if current else "")
        self.comparison.value = html_table(shown) + note

    def _render_fairness_options(self) -> None:
        result = self.result
        options = []
        for attribute in fairness_attributes(result.pool, result.design):
            values = result.pool.mentees[attribute].astype(str)
            if values.nunique() >= max(len(values), 2):  # one group per person: names, e-mails
                continue
            table = result.fairness(attribute)
            if (~table["hidden"].astype(bool)).any():
                options.append((header_words(attribute), attribute))
        previous = self.attribute.value
        self.attribute.options = options or [("No grouping with enough people", NO_CHOICE)]
        values = [v for _, v in self.attribute.options]
        preferred = previous if previous in values else "department" if "department" in values else values[0]
        if self.attribute.value == preferred:
            self._render_fairness()
        else:
            self.attribute.value = preferred  # the observer draws it

    @guarded("break the match rate down", notice="fairness_notice")
    def _on_attribute(self, _change: object) -> None:
        if self.result is not None:
            self._render_fairness()

    def _render_fairness(self) -> None:
        attribute = self.attribute.value
        if attribute in (None, NO_CHOICE):
            self.fairness.chart = fairness_chart(pd.DataFrame(), "group")
            self.fairness_caption.value = _caption("No attribute has a group of five or more mentees to compare.")
            return
        table = self.result.fairness(attribute)
        overall = self.result.summary["match_rate"]
        label = header_words(attribute)
        self.fairness.chart = fairness_chart(table, attribute, overall=overall, label=label)
        self.fairness_caption.value = _caption(fairness_caption(table, attribute, overall=overall, label=label))

    @guarded("check how robust the matching is", notice="sensitivity_notice", button="sensitivity_button")
    def _on_sensitivity(self, _button: w.Button) -> None:
        if self.applied is None:
            raise WorkbenchError("Press Match first.")
        settings = dict(self.applied)
        design = settings.pop("design")
        runs = 10
        self.sensitivity_text.value = f"<p class='wb-muted'>Matching again {runs} times…</p>"
        try:
            table = sensitivity(self.tables, design, runs=runs, spread=float(self.spread.value),
                                overrides=self._overrides(self.pins, self.forbids), **settings)
        except Exception:
            self.sensitivity_text.value = ""
            raise
        changed = table["changed"]
        mean, low, high = float(changed.mean()), float(changed.min()), float(changed.max())
        if mean < 0.1:
            verdict = "Robust: the pairs hardly depend on the exact weights."
        elif mean < 0.3:
            verdict = ("Some pairs hinge on the exact weights: agree the weights with the client before releasing "
                       "the matches.")
        else:
            verdict = ("Many pairs depend on the exact weights: settle the weights (or pin the pairs that matter) "
                       "before releasing the matches.")
        self.sensitivity_text.value = (
            f"<div class='wb-tiles'>{_tile(_percent(mean), 'of pairs change on average')}"
            f"{_tile(f'{low:.0%}–{high:.0%}', f'range over {runs} runs')}</div>"
            f"<p>With every weight moved at random by up to ±{self.spread.value:.0%}, {mean:.0%} of the pairs change "
            f"on average (from {low:.0%} to {high:.0%} across {runs} runs). {html.escape(verdict)}</p>")

    # ------------------------------------------------------------------ one mentee, pins and forbids

    def _render_mentees(self) -> None:
        result = self.result
        peer = result.summary["structure"] == "peer"
        matched = set(result.pairs["mentee_id"]) | (set(result.pairs["mentor_id"]) if peer else set())
        ids = list(result.pool.mentees["person_id"].astype(str))
        options = [(f"{self._who(p)} · {'matched' if p in matched else 'not matched'}", p) for p in ids]
        previous = self.mentee.value
        self.mentee.description = "Person" if peer else "Mentee"
        self.mentee.options = options or [("Nobody to match", NO_CHOICE)]
        values = [v for _, v in self.mentee.options]
        unmatched = [p for p in ids if p not in matched]
        preferred = previous if previous in values else (unmatched or values)[0]
        if self.mentee.value == preferred:
            self._render_candidates()
        else:
            self.mentee.value = preferred  # the observer draws it

    @guarded("show the mentee's candidates", notice="pick_notice")
    def _on_mentee(self, _change: object) -> None:
        if self.result is not None:
            self._render_candidates()

    def _render_candidates(self) -> None:
        mentee = self.mentee.value
        if mentee in (None, NO_CHOICE):
            self.candidate_chart.chart = candidate_chart(pd.DataFrame(), {})
            self.candidate_caption.value = ""
            self.candidates_table.value = ""
            self.partner.options = [("Nobody", NO_CHOICE)]
            self.partner.value = NO_CHOICE
            return
        result = self.result
        table = candidates(self.tables, result, mentee, top=15)
        self.candidate = table
        weights = result.settings["weights"]
        partner = "peer" if result.summary["structure"] == "peer" else "mentor"
        shown_table = self.people.table(table)
        self.candidate_chart.chart = candidate_chart(shown_table, weights, mentee=self._who(mentee), partner=partner)
        self.candidate_caption.value = _caption(candidate_caption(shown_table, weights, self._who(mentee),
                                                                  partner=partner))
        shown = pd.DataFrame({"rank": table["rank"], partner: [self._who(p) for p in table["mentor_id"]],
                              "status": table["status"], "score": table["score"].round(2)})
        for name in result.criteria:
            shown[criterion_label(name).lower()] = table[name].round(2)
        shown["why"] = shown_table["reason"].to_numpy()
        self.candidates_table.value = html_table(shown)
        previous = self.partner.value
        self.partner.description = "Peer" if result.summary["structure"] == "peer" else "Mentor"
        self.partner.options = [(f"{self._who(p)} · {s}", p) for p, s in zip(table["mentor_id"], table["status"])]
        values = list(table["mentor_id"])
        partners = list(table.loc[table["status"].str.startswith("matched"), "mentor_id"])
        same_mentee = mentee == self._shown_mentee
        self._shown_mentee = mentee
        self.partner.value = previous if same_mentee and previous in values else (partners or values)[0]

    def _override(self, pins: set, forbids: set, done: str) -> None:
        mentee = self.mentee.value
        result = self._solve(pins, forbids)
        peer = result.summary["structure"] == "peer"
        mine = result.pairs[(result.pairs["mentee_id"] == mentee) | ((result.pairs["mentor_id"] == mentee) & peer)]
        if mine.empty:
            now = f"{self._who(mentee)} is not matched now."
        else:
            partner = [b if a == mentee else a for a, b in zip(mine["mentee_id"], mine["mentor_id"])]
            now = (f"{self._who(mentee)} is now matched with "
                   + ", ".join(f"{self._who(p)} (score {s:.2f})" for p, s in zip(partner, mine["score"])) + ".")
        self.pick_notice.show(f"{done} and matched again. {now}", "success")

    @guarded("pin the pair", notice="pick_notice", button="pin_button")
    def _on_pin(self, _button: w.Button) -> None:
        mentee, mentor = self._chosen_pair()
        self._override(self.pins | {(mentee, mentor)}, self.forbids - {(mentee, mentor)},
                       f"Pinned {self._who(mentee)} with {self._who(mentor)}")

    @guarded("forbid the pair", notice="pick_notice", button="forbid_button")
    def _on_forbid(self, _button: w.Button) -> None:
        mentee, mentor = self._chosen_pair()
        self._override(self.pins - {(mentee, mentor)}, self.forbids | {(mentee, mentor)},
                       f"Forbade {self._who(mentee)} with {self._who(mentor)}")

    def _chosen_pair(self) -> tuple[str, str]:
        mentee, mentor = self.mentee.value, self.partner.value
        if self.result is None or mentee in (None, NO_CHOICE) or mentor in (None, NO_CHOICE):
            raise WorkbenchError("Pick a mentee and one of their candidate mentors first.")
        return str(mentee), str(mentor)

    def _render_overrides(self) -> None:
        items = [(f"Pinned: {self._who(a)} with {self._who(b)}", ("pin", a, b)) for a, b in sorted(self.pins)]
        items += [(f"Forbidden: {self._who(a)} with {self._who(b)}", ("forbid", a, b)) for a, b in sorted(self.forbids)]
        if not items:
            self.overrides.value = "<p class='wb-muted'>No pairs pinned or forbidden.</p>"
            self.override_choice.options = [("No pair pinned or forbidden yet", NO_CHOICE)]
            self.override_choice.value = NO_CHOICE
        else:
            listed = "".join(f"<li>{html.escape(label)}</li>" for label, _ in items)
            self.overrides.value = f"<p><b>Pinned and forbidden pairs</b></p><ul class='wb-facts'>{listed}</ul>"
            self.override_choice.options = items
            self.override_choice.value = items[0][1]
        for control in (self.override_choice, self.remove_button, self.clear_button):
            control.disabled = not items

    @guarded("remove the pin or forbid", notice="pick_notice", button="remove_button")
    def _on_remove(self, _button: w.Button) -> None:
        chosen = self.override_choice.value
        if chosen in (None, NO_CHOICE):
            raise WorkbenchError("There is no pin or forbid to remove.")
        kind, a, b = chosen
        pins = self.pins - {(a, b)} if kind == "pin" else self.pins
        forbids = self.forbids - {(a, b)} if kind == "forbid" else self.forbids
        self._solve(pins, forbids)
        self.pick_notice.show(f"Removed the {'pin' if kind == 'pin' else 'forbid'} of {self._who(a)} with "
                              f"{self._who(b)} and matched again.", "success")

    @guarded("clear the pins and forbids", notice="pick_notice", button="clear_button")
    def _on_clear(self, _button: w.Button) -> None:
        self._solve(set(), set())
        self.pick_notice.show("Cleared every pin and forbid and matched again.", "success")

    # ------------------------------------------------------------------ save

    def _render_saved(self) -> None:
        try:
            saved = saved_matching(self.context.workspace)
        except WorkbenchError as exc:  # a damaged file: say so here; matching and saving again replaces it
            self.saved_status.value = f"<span class='wb-unsaved'>{html.escape(str(exc))}</span>"
            return
        if saved is None:
            self.saved_status.value = "<span class='wb-muted'>No matching is saved in this workspace yet.</span>"
            return
        table, record = saved
        summary, settings = record.get("summary", {}) or {}, record.get("settings", {}) or {}
        structure = structure_label(str(summary.get("structure", ""))).lower()
        method = method_label(str(summary.get("method", "")))
        when = settings.get("matched_at", "")
        pairs = int((table.get("unmatched_role", pd.Series(dtype=str)) == "").sum()) if len(table) else 0
        self.saved_status.value = (
            f"<span class='wb-saved'>Saved in the workspace: {html.escape(structure)} matching by "
            f"{html.escape(method.lower())}, {pairs:,} pair{'s' if pairs != 1 else ''}"
            + (f", matched on {html.escape(str(when))}" if when else "") + ".</span>")

    def _show_saved(self) -> None:
        """On opening: the saved matching of the current cohort, matched again from its settings and shown.

        The saved record keeps the settings (structure, method, seed, weights, rules, pins and forbids),
        so the same settings on the same tables give the same pairs. When today's tables give other pairs
        (the enrolment or the people changed since), the page says how many saved pairs differ.
        """
        try:
            saved = saved_matching(self.context.workspace)
        except WorkbenchError:
            return  # said beside the Save button by _render_saved
        if saved is None:
            return
        table, record = saved
        settings = record.get("settings")
        if not isinstance(settings, dict) or \
                str(settings.get("cohort", "")) != current_cohort(self.tables["enrolment"])[0]:
            return  # no settings, or a past cohort's matching: the page starts from the design
        self._quiet = True
        try:
            controls = {"structure": self.structure, "method": self.method, "seed": self.seed,
                        "group_size": self.group_size, "mentors_per_mentee": self.mentors_per_mentee,
                        "rounds": self.rounds, "circle_size": self.circle_size}
            for key, control in controls.items():
                if key in settings:
                    with contextlib.suppress(TraitError, TypeError, ValueError):  # a value the control cannot take: the design's stays
                        control.value = settings[key]
            weights = settings.get("weights") or {}
            for name, slider in self.weights.items():
                with contextlib.suppress(TraitError, TypeError, ValueError):
                    slider.value = float(weights.get(name, 0.0))
            rules = set(settings.get("hard_rules") or ())
            for name, box in self.rules.items():
                box.value = name in rules
        finally:
            self._quiet = False
        self._show_relevant()
        pins, forbids = (
            {(str(pair[0]), str(pair[1])) for pair in settings.get(key) or ()
             if isinstance(pair, (list, tuple)) and len(pair) == 2} for key in ("pinned", "forbidden"))
        try:
            result = self._solve(pins, forbids)
        except WorkbenchError as exc:
            self._show_settings(self.design)
            self.notice.show(f"The saved matching could not be matched again on today's tables ({exc}). The "
                             "settings are the design's: press Match.", "warning")
            return
        saved_pairs = _pairs(table)
        now = _pairs(result.pairs)
        when = settings.get("matched_at", "")
        on = f" (saved on {html.escape(str(when))})" if when else ""
        if saved_pairs == now:
            self.hint.value = (f"<span class='wb-saved'>Showing the matching saved in the workspace{on}, "
                               "matched again from its settings. Change a setting and press Match to try "
                               "another.</span>")
        else:
            differ = len(saved_pairs - now)
            self.hint.value = (
                f"<span class='wb-unsaved'>The saved matching's settings{on} are in the controls, but today's "
                f"tables give other pairs: {differ:,} of its {len(saved_pairs):,} pairs differ (the enrolment "
                "or the people changed since it was saved). Shown: today's pairs. The saved pairs are in "
                "results/matching.csv; save this matching to replace them.</span>")

    @guarded("re-match the quiet and closed pairs", notice="rematch_notice", button="rematch_button")
    def _on_rematch(self, _button: w.Button) -> None:
        saved = saved_matching(self.context.workspace)
        if saved is None:
            raise WorkbenchError("No matching is saved in this workspace: match, then Save this matching. "
                                 "Re-matching checks the saved pairs against meetings.csv.")
        found = rematch_saved(self.tables, self.design, saved)
        self.rematch_text.value = "".join(_caption(self.people.text(line)) for line in found.summary_lines())
        broken = found.pairs[found.pairs["status"] != "working"]
        shown = pd.DataFrame({
            "mentee": [self._who(p) for p in broken["mentee_id"]],
            "mentor": [self._who(p) for p in broken["mentor_id"]], "status": broken["status"].to_numpy(),
            "why": [self.people.text(r) for r in broken["reason"]],
            "suggested mentor": [self._who(p) if p else "" for p in broken["suggested_mentor_id"]],
            "score": broken["suggested_score"].round(2).to_numpy(),
            "why this mentor": [self.people.text(_without_score(r)) for r in broken["suggestion"]]})
        self.rematch_table.value = (html_table(shown, limit=TABLE_ROWS) if len(shown) else
                                    "<p class='wb-muted'>Every pair is working: nothing to re-match.</p>")
        name = f"rematch-{self.context.workspace.slug}.csv"
        self.rematch_download.value = (
            csv_download_link(self.people.table(found.pairs), name, "Download every pair with its status (CSV)")
            if self.people.published else
            download_link(found.csv(), name, "text/csv", "Download every pair with its status (CSV)"))

    @guarded("save the matching", notice="save_notice", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        if self.result is None:
            raise WorkbenchError("Press Match first: there is no matching to save.")
        self._save(self.context.workspace, self.result)

    def _save(self, workspace: Workspace, result: MatchResult) -> None:
        try:
            self.context.workspace = save_matching(workspace, result)
        except StaleWorkspaceError as refused:
            self._render_saved()  # what is saved now, from the other tab
            raise self.save_over.offer(refused, lambda: self._save(reread(self.context.workspace), result)) from None
        self._render_saved()
        self.save_notice.show("Saved the matching in the workspace (results/matching.csv and results/matching.yaml).",
                              "success")
