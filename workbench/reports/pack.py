"""The stakeholder pack: a folder of static HTML pages about a workspace's program, for anyone, offline.

:func:`write_pack` writes ``index.html`` and one page per step: the design
(the brief's own content, :func:`~workbench.reports.brief.brief_html`), the
skill gaps (aggregates of :mod:`workbench.gaps`), the saved matching's figures
and fairness, the saved what-if comparison, and the latest evaluation
(computed as ``workbench evaluate`` computes it, seeded). The pages open from
disk (``file://``) or any static web host and load nothing from anywhere:
every chart travels as its Vega-Lite spec inside the page and is drawn by
vega-embed with the Vega runtime inlined once in the page, through
:data:`~workbench.charts.embed.DRAW_JS`, the same function the app draws with.

Privacy: only aggregates are shown; groups of fewer than
:data:`~workbench.privacy.MIN_GROUP` people are hidden in charts, tables and
the download alike; text from the client is HTML-escaped; and before anything
is written every page is scanned for the ids, names and e-mail addresses of
``people.csv``. A mention found (a sponsor named in the design, say) is
replaced by "[withheld]" and counted (:attr:`PackResult.withheld`).

A part the workspace cannot supply yet (no design, no saved matching, ...)
gets a page saying what is missing and how to make it
(:attr:`PackResult.missing`). The folder is written next to ``out`` and
renamed into place when complete, so a failure never leaves a half-written
pack; a non-empty ``out`` that is not a pack is refused unless ``force``.
"""

from __future__ import annotations

import datetime
import errno
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.charts.common import NO_DATA
from workbench.charts.embed import DRAW_JS, chart_spec, vega_runtime
from workbench.charts.trajectories import trajectories_caption, trajectories_chart
from workbench.charts import evaluate as evaluation_charts
from workbench.charts.gaps import (
    gap_heatmap,
    gap_heatmap_caption,
    prioritised_gaps_caption,
    prioritised_gaps_chart,
    small_demand_note,
    supply_demand_caption,
    supply_demand_chart,
)
from workbench.charts.matching import (
    coverage_caption,
    coverage_chart,
    fairness_caption,
    fairness_chart,
    method_label,
    score_distribution_caption,
    score_distribution_chart,
)
from workbench.charts.overview import headcount_chart
from workbench.charts.whatif import effects_caption, effects_chart, tornado_caption, tornado_chart
from workbench.data.importing import checked_tables
from workbench.design.model import ProgramDesign
from workbench.design.store import DESIGN_FILE, load_design
from workbench.errors import WorkbenchError
from workbench.evaluate import RESAMPLES, RUNS, evaluate_workspace
from workbench.exports import safe_csv_text
from workbench.gaps import (GAP_CELL_MARGINS, aggregate, coverage, hide_small_cells, hide_small_demand, person_gaps,
                            prioritised_gaps, readiness, supply_demand)
from workbench.matching import match_rates, saved_matching
from workbench.matching.names import mentee_word
from workbench.organisation import headcounts
from workbench.privacy import MIN_GROUP, hide_small_groups
from workbench.readiness import check_workspace
from workbench.reports.brief import _count_text, _organisation, _reasons_text, brief_html
from workbench.reports.evaluation import (
    _EXTRA_CSS,
    WAVE_NAMES,
    _adjustments,
    _headline,
    _list,
    _num,
    _outcome_tables,
    _p,
    _pct,
    _points,
    cohort_facts,
    trajectories_table_html,
    trial_html,
)
from workbench.reports.markup import CSS, escape, html_facts, html_table
from workbench.reports.sections import GAP_TABLES, comparison_intro, scenario_table
from workbench.whatif import comparison_display, saved_comparison
from workbench.workspace import Workspace

#: What ``pack.json`` says a pack is; a folder holding it may be replaced without ``force``.
PACK_KIND = "workbench-stakeholder-pack"
PACK_VERSION = 1
MANIFEST = "pack.json"
#: What replaces a person's id, name or e-mail found in a page.
WITHHELD = "[withheld]"

#: The pack's pages in navigation order: (key, file, title).
PAGES: tuple[tuple[str, str, str], ...] = (
    ("index", "index.html", "Overview"),
    ("design", "design.html", "Design"),
    ("gaps", "skill-gaps.html", "Skill gaps"),
    ("matching", "matching.html", "Matching"),
    ("whatif", "what-if.html", "What-if"),
    ("evaluation", "evaluation.html", "Evaluation"),
)
#: The one download: skill gaps per department and skill, small groups blanked.
GAPS_CSV = "downloads/skill-gaps-by-department-and-skill.csv"

#: For a non-technical reader: what each page shows, and what to keep in mind.
ABOUT = {
    "index": ("This pack describes the mentoring program designed for {org}: the design, where skills fall short, "
              "how mentees and mentors were matched, how alternative designs compare in a forecast and how the "
              "last cohort did.",
              "It shows figures about groups only: no one's name, id or e-mail, and groups of fewer than five "
              "people are hidden. Charts are interactive: point at a bar or a dot to see its figures."),
    "design": ("The decisions taken for the program, step by step (Align, eXperience, Launch, Evaluate, Support), "
               "with the reason given for each, its guidance and evidence, the objectives, and what the "
               "workbench's consistency checks still flag.",
               "The design is a plan. The findings are risks the checks spotted in the design and the data; they "
               "are prompts for a decision, not certainties."),
    "gaps": ("Where people fall short of the skill levels the organisation's goals ask of them, which gaps matter "
             "most, and whether enrolled mentors can offer what mentees need.",
             "Only assessed skill levels count: an unknown level is left out, never counted as a gap or as no gap. "
             "Groups of fewer than five people are hidden."),
    "matching": ("How the saved matching paired mentees with mentors: how many got a partner, how good the fit is "
                 "on the design's criteria, and whether some groups were matched less often than others.",
                 "A score measures fit on the design's criteria, not how well two people will get on. Groups of "
                 "fewer than five people are hidden; no one is named."),
    "whatif": ("How alternative designs of the program might compare, forecast by the workbench's outcome model "
               "against a simulated group of colleagues who do not take part.",
               "These are forecasts under the model's documented assumptions, not measurements. When two options' "
               "intervals overlap a lot, the model cannot tell them apart."),
    "evaluation": ("How the latest cohort that ran actually did: survey answers, meetings, who stayed, the return "
                   "on investment and the objectives, each set against a comparison group: comparable colleagues "
                   "who did not take part or, when the cohort ran as a randomised waitlist, the applicants "
                   "waitlisted for the next cohort.",
                   # the evaluation page starts this with who took part, as its pilot design says (design_note)
                   "Small cohorts give wide intervals; groups of fewer than five people are hidden."),
}

_PACK_CSS = """
main { max-width: 940px; }
[id] { scroll-margin-top: 64px; }
nav.pack { position: sticky; top: 0; z-index: 10; background: var(--accent); color: #fff;
           box-shadow: 0 1px 3px rgba(0,0,0,.15); }
nav.pack .inner { max-width: 940px; margin: 0 auto; padding: 0 32px; display: flex; flex-wrap: wrap;
                  align-items: center; column-gap: 2px; }
nav.pack .brand { font-weight: 700; margin-right: 14px; padding: 11px 0; font-size: 14px; max-width: 260px;
                  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
nav.pack a { color: #fff; text-decoration: none; padding: 11px 10px 8px; border-bottom: 3px solid transparent;
             font-size: 14px; }
nav.pack a:hover, nav.pack a:focus { background: rgba(255,255,255,.12); }
nav.pack a[aria-current="page"] { border-bottom-color: #fff; font-weight: 600; }
nav.pack a.missing { color: rgba(255,255,255,.72); }
nav.pack a.missing::after { content: " \\2013  not yet"; font-size: 11.5px; }
header.cover { margin-bottom: 20px; }
.about { background: var(--info-bg); border-left: 4px solid var(--info); border-radius: 8px; padding: 12px 16px;
         margin: 0 0 28px; }
.about p { margin: 0 0 6px; }
.about p:last-child { margin: 0; }
.missing-part { background: var(--warning-bg); border-left: 4px solid var(--warning); border-radius: 8px;
                padding: 14px 18px; margin: 0 0 24px; }
.missing-part h2 { font-size: 19px; margin-bottom: 8px; }
.missing-part code, .card code { background: rgba(0,0,0,.06); border-radius: 4px; padding: 1px 4px; font-size: 13px; }
.wb-chart { overflow-x: auto; min-height: 60px; }
.wb-chart svg { max-width: none; }
.wb-chart.wb-chart-error { min-height: 0; color: var(--error); background: var(--error-bg); border-radius: 6px;
                           padding: 10px 12px; font-size: 14px; }
figure.chart { margin: 18px 0 22px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px; margin: 0 0 24px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card h3 { margin-bottom: 4px; }
.card p { font-size: 14px; margin: 0; }
.card.missing { background: var(--soft); }
.card .status { display: block; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .05em;
                color: var(--accent); margin-bottom: 4px; }
.card.missing .status { color: var(--warning); }
.download { display: inline-block; margin: 4px 0 16px; font-size: 14px; }
@media print { nav.pack { display: none; } .wb-chart { overflow: visible; } }
"""

#: Draws every chart of the page: each ``script.wb-spec`` holds the spec of the element it names.
_DRAW_ALL_JS = """
(function () {
  var specs = document.querySelectorAll("script.wb-spec");
  for (var i = 0; i < specs.length; i++) {
    var node = specs[i];
    var element = document.getElementById(node.getAttribute("data-chart"));
    if (!element) { continue; }
    var spec;
    try {
      spec = JSON.parse(node.textContent);
    } catch (error) {
      element.textContent = "This chart could not be read; the figures are in the text and tables beside it.";
      element.classList.add("wb-chart-error");
      continue;
    }
    window.wbDrawChart(element, spec).catch(function () { /* wbDrawChart wrote the message in the page */ });
  }
})();
"""


# ---------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class PackResult:
    """What :func:`write_pack` wrote: the folder, its pages, what is missing and why."""

    path: Path
    #: Page files written, in navigation order (``index.html`` first).
    pages: tuple[str, ...]
    #: Part title -> ``(what is missing, how to make it)``, for each part the pack could not show.
    missing: dict[str, tuple[str, str]]
    #: Every file written, relative to :attr:`path`.
    files: tuple[str, ...]
    #: Total size of the files written, in bytes.
    bytes: int
    #: Mentions of people (ids, names, e-mails) found in the pages and replaced by :data:`WITHHELD`.
    withheld: int = 0
    #: Charts drawn in the pack.
    charts: int = 0


@dataclass
class _Page:
    key: str
    title: str
    body: str
    subtitle: str = ""
    summary: str = ""  # one line for the overview's card
    missing: tuple[str, str] | None = None  # what is missing, and how to make it (plain text)
    specs: list[tuple[str, dict]] = field(default_factory=list)
    caveat: str = ""  # "Keep in mind" before ABOUT's (plain text)


class _Figures:
    """Charts of one page: each becomes a placeholder, its spec as JSON beside it, and a caption."""

    def __init__(self) -> None:
        self.specs: list[tuple[str, dict]] = []

    def figure(self, chart, caption: str) -> str:
        """The chart and its caption; a chart with nothing to draw is left out, its caption (saying why) kept."""
        if _draws_nothing(chart):
            return f'<p class="none">{escape(caption)}</p>'
        spec = chart_spec(chart)
        spec.pop("$schema", None)  # vega-embed reads Vega-Lite without it; the page names no outside URL
        chart_id = f"chart-{len(self.specs) + 1}"
        self.specs.append((chart_id, spec))
        return (f'<figure class="chart"><div class="wb-chart" id="{chart_id}" role="img" '
                f'aria-label="{escape(caption)}"></div>'
                f'<script type="application/json" class="wb-spec" data-chart="{chart_id}">{_script_json(spec)}'
                f"</script><figcaption>{escape(caption)}</figcaption></figure>")


def _draws_nothing(chart) -> bool:
    """Whether ``chart`` is the charts' "No data for this selection" placeholder (``no_data_chart``)."""
    data = getattr(chart, "data", None)
    return (isinstance(data, pd.DataFrame) and list(data.columns) == ["message"]
            and data["message"].tolist() == [NO_DATA])


def _script_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``<``, ``>`` or ``&`` left to end it)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
               .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# ---------------------------------------------------------------------------
# Keeping people out of the pack


_ID_TOKEN = re.compile(r"[\w@+.\-]+")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+|-[^\W\d_]+)*")
_NAME_GAP = re.compile(r"[\s.]+")


class _PeopleFilter:
    """Finds the ids, names and e-mail addresses of ``people.csv`` in text and withholds them.

    Ids and e-mails match whole tokens (e-mails in any case); names match
    whole words in sequence, also HTML-escaped. Ids made only of digits and
    shorter than six are left alone: they cannot be told from the figures.
    """

    def __init__(self, people: pd.DataFrame | None) -> None:
        def column(name: str) -> list[str]:
            if people is None or name not in people.columns:
                return []
            return [v for v in people[name].fillna("").astype(str).str.strip() if v]

        self.ids = {v for v in column("person_id") if not (v.isdigit() and len(v) < 6)}
        self.emails = {v.casefold() for v in column("email")}
        self.names: dict[str, set[tuple[str, ...]]] = {}
        self.literals: set[str] = set()
        self.lengths: set[int] = set()
        import html

        for name in column("name"):
            words = tuple(_NAME_WORD.findall(name))
            if words:
                self.names.setdefault(words[0], set()).add(words)
                self.lengths.add(len(words))
            escaped = html.escape(name, quote=True)
            if escaped != name:
                self.literals.add(escaped)
        for value in [*self.ids, *column("email")]:
            escaped = html.escape(value, quote=True)
            if escaped != value:
                self.literals.add(escaped)

    def spans(self, text: str) -> list[tuple[int, int]]:
        found = []
        if self.ids or self.emails:
            for m in _ID_TOKEN.finditer(text):
                token = m.group()
                stripped = token.strip(".-+")
                if stripped in self.ids or stripped.casefold() in self.emails:
                    start = m.start() + token.index(stripped)
                    found.append((start, start + len(stripped)))
        if self.names:
            words = list(_NAME_WORD.finditer(text))
            lengths = sorted(self.lengths, reverse=True)
            for i, word in enumerate(words):
                options = self.names.get(word.group())
                if not options:
                    continue
                for n in lengths:
                    run = words[i:i + n]
                    if len(run) == n and tuple(w.group() for w in run) in options and all(
                            _NAME_GAP.fullmatch(text, a.end(), b.start()) for a, b in zip(run, run[1:])):
                        found.append((word.start(), run[-1].end()))
                        break
        for literal in self.literals:
            start = text.find(literal)
            while start >= 0:
                found.append((start, start + len(literal)))
                start = text.find(literal, start + 1)
        return found

    def redact(self, text: str) -> tuple[str, int]:
        """``text`` with every mention replaced by :data:`WITHHELD`, and how many there were."""
        spans = sorted(self.spans(text))
        if not spans:
            return text, 0
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        parts, last = [], 0
        for start, end in merged:
            parts += [text[last:start], WITHHELD]
            last = end
        parts.append(text[last:])
        return "".join(parts), len(merged)


# ---------------------------------------------------------------------------
# The parts


def _missing(key: str, title: str, what: str, how_html: str, how: str) -> _Page:
    """The page of a part the workspace cannot supply yet: what is missing, and how to make it."""
    body = (f'<div class="missing-part"><h2>Not in this pack yet</h2><p>{escape(what)}</p>'
            f"<p><strong>How to add it:</strong> {how_html}</p></div>")
    return _Page(key, title, body, missing=(what, how))


def _code(text: str) -> str:
    return f"<code>{escape(text)}</code>"


def _cli_path(workspace: Workspace) -> str:
    return f"workspaces/{workspace.slug}"


def _design_page(workspace: Workspace, design: ProgramDesign | None, design_problem: str | None,
                 generated: datetime.date) -> _Page:
    if design is None or design_problem is not None:
        what = design_problem or "No program design has been saved in this workspace yet."
        how = ("record the decisions on the Align and eXperience pages of the app (" + _code("workbench app")
               + ") and press <strong>Save design</strong>, then publish the pack again.")
        return _missing("design", "Design", what, how, "record the decisions on the Align and eXperience pages of "
                        "the app (workbench app) and press Save design.")
    findings = check_workspace(workspace, design)
    document = brief_html(workspace, design, findings, generated=generated, charts=(), extra_sections=())
    start, end = document.find("</header>"), document.rfind("<footer>")
    if start < 0 or end < start:
        raise WorkbenchError("The design brief's layout changed: the pack cannot take its content.")
    body = document[start + len("</header>"):end]
    errors = sum(f.severity == "error" for f in findings)
    summary = (f"{design.name.strip() or 'The program'}: {len(design.align.objectives)} objective"
               f"{'s' if len(design.align.objectives) != 1 else ''}, reasons recorded for {_reasons_text(design)}, "
               f"open findings: {_count_text(findings)}" + (" (resolve the errors before launch)." if errors else "."))
    return _Page("design", "Design", body, subtitle=design.name.strip() or "Mentoring program", summary=summary)


def _gaps_page(workspace: Workspace, tables: Mapping[str, pd.DataFrame], design: ProgramDesign | None,
               figures: _Figures, downloads: dict[str, str]) -> _Page:
    absent = [f"{t}.csv" for t in GAP_TABLES if t not in tables]
    if absent:
        what = (f"The workspace has no {' and no '.join(absent)}: skill gaps need the people, the skills and the "
                "levels the organisation's goals require.")
        how = ("import them on the Start page of the app, or with " + _code(
            f"workbench import FILE --table {absent[0][:-4]} --into {_cli_path(workspace)}") + ", then publish again.")
        return _missing("gaps", "Skill gaps", what, how, "import them on the Start page of the app or with "
                        f"`workbench import FILE --table {absent[0][:-4]} --into WORKSPACE`.")
    skills = tables["skills"]
    gaps = person_gaps(tables)
    known = coverage(gaps)
    share = share_text = "none" if known["share"] is None else f"{known['share']:.0%}"
    names = dict(zip(skills["skill_id"], skills["name"])) if "name" in skills.columns else {}
    focus = ", ".join(names.get(s, s) for s in design.align.focus_skills) if design is not None else ""
    parts = [f"<p>{gaps['person_id'].nunique():,} people currently employed need {known['required']:,} skill levels "
             f"between them; {known['assessed']:,} are assessed ({share}). Unknown levels are left out of every "
             "figure, never counted as a gap or as no gap."
             + (f" Program focus skills: {escape(focus)}." if focus else "") + "</p>"]

    by_cell = aggregate(gaps, ["department", "skill_id"])
    parts.append("<h2>Where the gaps are</h2>")
    parts.append(figures.figure(gap_heatmap(by_cell, skills), gap_heatmap_caption(by_cell, skills)))

    # Skills required of, or assessed for, fewer than five people are left out of the ranking.
    ranked = prioritised_gaps(gaps, skills)
    small = set(ranked.loc[ranked["hidden"], "skill_id"])
    ranked = ranked[~ranked["hidden"]].reset_index(drop=True)
    parts.append("<h2>The most pressing gaps</h2>")
    parts.append(figures.figure(prioritised_gaps_chart(ranked), prioritised_gaps_caption(ranked)))
    rows = [(str(r.rank), r.name or r.skill_id, r.reason) for r in ranked.head(10).itertuples()]
    if rows:
        parts.append(html_table(("Rank", "Skill", "Why it matters"), rows, numeric=(0,)))
    if small:
        parts.append(f'<p class="small">{len(small)} skill{"s" if len(small) != 1 else ""} required of (or assessed '
                     f"for) fewer than {MIN_GROUP} people {'are' if len(small) != 1 else 'is'} left out of the "
                     "ranking to protect them.</p>")

    goals = tables.get("goals")
    ready = readiness(gaps, goals)
    if len(ready):
        ready = hide_small_groups(ready, [c for c in ("goal_id", "name") if c in ready.columns])
        rows = []
        for r in ready.to_dict("records"):
            goal = (r.get("name") or "").strip() or r["goal_id"]
            if r["hidden"]:
                rows.append((goal, f"fewer than {MIN_GROUP}", "-", "-"))
                continue
            share = "-" if r["ready_share"] is None or pd.isna(r["ready_share"]) else f"{r['ready_share']:.0%}"
            rows.append((goal, f"{int(r['people']):,}", f"{int(r['fully_assessed']):,}", share))
        parts.append("<h2>How ready people are for each goal</h2><p>People count as ready when every skill level the "
                     "goal asks of them is assessed and met.</p>"
                     + html_table(("Goal", "People in scope", "Every level assessed", "Ready"), rows,
                                  numeric=(1, 2, 3)))

    shown, few = hide_small_demand(supply_demand(gaps, tables, design=design))
    parts.append("<h2>Can the mentors supply what mentees need?</h2>")
    parts.append(figures.figure(supply_demand_chart(shown), supply_demand_caption(shown)))
    shortages = shown[shown["status"] == "shortage"]
    if len(shortages):
        parts.append(html_table(("Skill", "Mentees who need it", "Mentor places", "Short by"),
                                [(r.name or r.skill_id, f"{r.demand:,}", f"{r.supply:,}", f"{r.demand - r.supply:,}")
                                  for r in shortages.itertuples()], numeric=(1, 2, 3)))
    if few:
        parts.append(f'<p class="small">{small_demand_note(few)}</p>')

    # The download: the heat map's figures, with its rule for small groups (people or assessed under five).
    table = by_cell.copy()
    table.insert(2, "skill", [names.get(s, s) for s in table["skill_id"]])
    table = hide_small_cells(table, ["department", "skill_id", "skill"], margins=GAP_CELL_MARGINS)
    for column in ("coverage", "gap_share", "mean_gap", "total_weighted_gap"):
        table[column] = pd.to_numeric(table[column], errors="coerce").round(4).astype(object).where(
            table[column].notna(), None)
    downloads[GAPS_CSV] = safe_csv_text(table)
    parts.append(f'<p><a class="download" href="{GAPS_CSV}" download>Download these figures per department and '
                 f"skill (CSV)</a><br><span class=\"small\">Groups of fewer than {MIN_GROUP} people (or assessed) "
                 "are blank and marked hidden. Shares are 0-1, gaps in levels.</span></p>")
    top = f" The most pressing gap: {ranked['name'].iloc[0] or ranked['skill_id'].iloc[0]}." if len(ranked) else ""
    summary = f"{share_text} of the skill levels people need are assessed.{top} Mentor supply against mentee demand."
    return _Page("gaps", "Skill gaps", "".join(parts), summary=summary)


def _fairness_attributes(people: pd.DataFrame, design: ProgramDesign | None, sensitive: Iterable[str]) -> list[str]:
    """The people columns match rates are broken down by: as the Matching page, a few at most."""
    opted = set()
    if design is not None and design.experience.sensitive_opt_in:
        opted = set(design.experience.sensitive_attributes)
    out = [c for c in ("department", "level", "location") if c in people.columns]
    out += [c for c in sensitive if c in opted and c in people.columns and c not in out]
    return out


def _matching_page(workspace: Workspace, tables: Mapping[str, pd.DataFrame], design: ProgramDesign | None,
                   figures: _Figures) -> _Page:
    saved = saved_matching(workspace)
    if saved is None:
        what = "No matching has been saved in this workspace yet."
        how = ("save a matching on the Matching page of the app, or run "
               + _code(f"workbench match {_cli_path(workspace)} --out matches.csv --save") + ", then publish again.")
        return _missing("matching", "Matching", what, how, "save a matching on the Matching page of the app or run "
                        "`workbench match WORKSPACE --out matches.csv --save`.")
    settings, s = saved.settings, saved.summary()
    structure, method = saved.structure, saved.method
    weights = ", ".join(f"{k} {float(v):g}" for k, v in (settings.get("weights") or {}).items()) or "none"
    rules = ", ".join(str(r).replace("_", " ") for r in settings.get("hard_rules") or []) or "none beyond the defaults"
    word = mentee_word(structure)
    intro = (f"Matching saved on {settings.get('matched_at', '-')}: {structure.replace('_', '-')} structure, "
             f"{method_label(method).lower()} ({method.replace('_', ' ')}), seed {settings.get('seed', '-')}, "
             f"cohort {s.get('cohort') or settings.get('cohort') or '-'}. Criterion weights: {weights}. Hard rules: "
             f"{rules}. Pairs pinned by hand: {len(settings.get('pinned') or [])}; pairs forbidden by hand: "
             f"{len(settings.get('forbidden') or [])}.")
    share = (lambda v: "-" if v is None else f"{float(v):.0%}")
    score = (lambda v: "-" if v is None else f"{float(v):.2f}")
    facts = [(f"{str(word).capitalize()} matched", f"{int(s.get('matched_mentees') or 0):,} of "
                                                    f"{int(s.get('mentees') or 0):,} ({share(s.get('match_rate'))})"),
             ("Fit score (0-1): mean, median, worst", f"{score(s.get('mean_score'))}, {score(s.get('median_score'))}, "
                                                      f"{score(s.get('worst_score'))}"),
             ("Needed skills a partner covers", share(s.get("skills_covered"))),
             ("Mentor places used", share(s.get("capacity_use"))),
             ("Blocking pairs (both would rather swap)", "-" if s.get("blocking_pairs") is None
              else f"{int(s['blocking_pairs']):,}"),
             ("Proven the best total fit", {True: "yes", False: "no"}.get(s.get("optimal"), "not applicable"))]
    parts = [f"<p>{escape(intro)}</p>", html_facts(facts)]
    messages = [m for m in saved.messages if not m.startswith("preferences.csv")]
    if messages:
        parts.append('<div class="caveats after-facts"><strong>Notes from the matching</strong>'
                     + _list(messages) + "</div>")

    summary_row = pd.DataFrame([{"method": method, "match_rate": s.get("match_rate"),
                                 "skills_covered": s.get("skills_covered"), "capacity_use": s.get("capacity_use")}])
    parts.append("<h2>Coverage</h2>")
    parts.append(figures.figure(coverage_chart(summary_row), coverage_caption(summary_row)))
    people, scores = saved.people(), saved.pair_scores()
    scores_frame = pd.DataFrame({"method": method, "score": scores.to_numpy()})
    parts.append("<h2>How good the fit is</h2>")
    parts.append(figures.figure(score_distribution_chart(scores_frame), score_distribution_caption(scores_frame)))

    people_table = tables.get("people")
    if people_table is not None and len(people):
        roster = people_table.drop_duplicates("person_id").set_index("person_id")
        attributes = _fairness_attributes(people_table, design, workspace.settings.sensitive)
        overall = float(people["matched"].mean())
        if attributes:
            parts.append("<h2>Who gets matched</h2><p>The share of each group's "
                         f"{escape(word)} who have a partner, beside everyone's ({overall:.0%}). Groups of fewer than "
                         f"{MIN_GROUP} people are hidden.</p>")
        for attribute in attributes:
            fairness = match_rates(people, people["person_id"].map(roster[attribute]), attribute)
            label = attribute.replace("_", " ")
            parts.append(figures.figure(fairness_chart(fairness, attribute, overall=overall, label=label),
                                        fairness_caption(fairness, attribute, overall=overall, label=label)))
    summary = (f"{int(s.get('matched_mentees') or 0):,} of {int(s.get('mentees') or 0):,} {word} matched "
               f"({share(s.get('match_rate'))}), mean fit {score(s.get('mean_score'))}; who gets matched, by group.")
    return _Page("matching", "Matching", "".join(parts), summary=summary)


def _whatif_page(workspace: Workspace, figures: _Figures) -> _Page:
    how = ("compare scenarios on the What-if page of the app and press <strong>Save results to the brief</strong>, "
           "then publish again.")
    how_text = "compare scenarios on the What-if page of the app and press Save results to the brief."
    try:
        record = saved_comparison(workspace)
    except WorkbenchError as exc:
        return _missing("whatif", "What-if", str(exc), how, how_text)
    if record is None:
        what = "No what-if comparison has been saved in this workspace yet."
        return _missing("whatif", "What-if", what, how, how_text)
    table, headline = record.table(), record.summary()
    currency, names = headline["currency"], headline["scenarios"]
    headers, rows = scenario_table(record)
    parts = [f"<p>{escape(comparison_intro(record))}</p>", "<h2>The scenarios</h2>",
             html_table(headers, rows, numeric=(2,))]
    parts.append("<h2>What each scenario changes</h2>")
    parts.append(figures.figure(effects_chart(table, currency=currency), effects_caption(table, currency=currency)))
    display = comparison_display(table)
    kpi_headers = ["Figure", *[f"{c} (baseline)" if c == record.baseline else c for c in display.columns[1:]]]
    parts.append("<h3>Key figures</h3>" + html_table(kpi_headers, [tuple(str(v) for v in row)
                                                                    for row in display.itertuples(index=False)]))
    frame = record.tornado_table()
    if frame is not None:
        on = frame.attrs["scenario"]
        parts.append("<h2>Which assumptions matter most</h2><p>"
                     + escape(f"Computed on {'the design' if on in (None, 'design') else repr(on)}: each assumption "
                              "moved across its plausible range, the others unchanged.") + "</p>")
        parts.append(figures.figure(tornado_chart(frame), tornado_caption(frame)))
    parts.append('<div class="caveats"><strong>Read with care</strong>' + _list([
        "These are forecasts of the workbench's outcome model under its documented assumptions, not measurements.",
        "Each scenario is simulated against its own comparison group with the same exit hazards: the model says "
        "what the design could change, not what the organisation will see.",
    ]) + "</div>")
    summary = (f"{len(names)} designs compared in the outcome model's forecast ({', '.join(names)}); "
               "forecasts, not measurements.")
    return _Page("whatif", "What-if", "".join(parts), summary=summary)


def _evaluation_page(workspace: Workspace, figures: _Figures, *, seed: int, resamples: int, runs: int) -> _Page:
    try:
        result = evaluate_workspace(workspace, seed=seed, resamples=resamples, calibrate_forecast=runs > 0,
                                    runs=max(runs, 2))
    except WorkbenchError as exc:
        what = f"No cohort could be evaluated: {exc}"
        how = ("an evaluation needs a cohort that ran: its mentees in enrolment.csv and their meetings (meetings.csv) "
               "or survey answers (survey.csv), with at least five participants. Import them, check with "
               + _code(f"workbench evaluate {_cli_path(workspace)}") + ", then publish again.")
        return _missing("evaluation", "Evaluation", what, how, "import the cohort's meetings or survey answers "
                        "(at least five participants) and check with `workbench evaluate WORKSPACE`.")
    doc = result.to_json()
    c = doc["cohort"]
    parts = [_headline(doc), html_facts([
        *cohort_facts(doc),
        ("Figures made", f"seed {doc['settings']['seed']}, {doc['settings']['resamples']:,} bootstrap resamples, "
                         f"{doc['settings']['runs']:,} forecast runs"),
    ]), '<div class="caveats after-facts"><strong>Read with care</strong>' + _list(doc["caveats"]) + "</div>"]
    if doc.get("trial"):
        parts.append("<h2>Pilot design</h2>" + trial_html(doc["trial"]))

    rates = doc["reaction"]["response_rates"]
    parts.append("<h2>Reaction and learning</h2><p class=\"lead\">Who answered the surveys, and how their answers "
                 "changed from the survey before the program.</p>")
    if rates:
        def answered(r: dict) -> tuple[str, str]:
            if r["respondents"] is None or r["respondents"] < MIN_GROUP:
                return f"fewer than {MIN_GROUP}", "-"
            return f"{int(r['respondents']):,}", _pct(r["rate"], 0)

        parts.append(html_table(("Survey", "Group", "Invited", "Answered", "Rate"),
                                [(WAVE_NAMES.get(r["wave"], r["wave"]), r["group"],
                                   "-" if r["invited"] is None else f"{int(r['invited']):,}", *answered(r))
                                  for r in rates], numeric=(2, 3, 4), css_class="compact"))
        waves = [w for w in ("post", "followup", "mid") if any(r["wave"] == w for r in doc["learning"]["change"])]
        for wave in waves[:2]:
            parts.append(figures.figure(
                evaluation_charts.survey_change_chart(result.change, wave=wave),
                evaluation_charts.survey_change_caption(result.change, wave=wave, against=result.against_comparison,
                                                        note=evaluation_charts.design_note(doc))))
        parts.append('<div class="caveats"><strong>Read with care</strong>' + _list(doc["learning"]["caveats"])
                     + "</div>")
    else:
        parts.append('<p class="none">No survey answers for this cohort.</p>')

    b = doc["behaviour"]
    parts.append("<h2>Behaviour</h2><p class=\"lead\">Did pairs meet as the design planned?</p>")
    if b["pairs"]:
        parts.append(figures.figure(
            evaluation_charts.meetings_chart(result.behaviour.distribution(), expected_per_pair=b["expected_per_pair"]),
            evaluation_charts.meetings_caption(result.behaviour.summary)))
        parts.append(html_facts([
            ("Meetings", f"{b['meetings']} in {b['pairs']} pairs; median {_num(b['median_meetings_per_pair'], 1)} "
                         f"per pair; {_num(b['mean_minutes'], 0)} minutes on average"),
            ("Against the cadence", f"{_pct(b['share_of_cadence'], 0)} of the meetings a {b['cadence']} cadence "
                                    "expects over each pair's time together"),
            ("Pairs gone quiet", f"no meeting for {b['inactivity_days']} days: "
                                 f"{evaluation_charts.pairs_count(b['gone_quiet'])} pairs at some point, "
                                 f"{evaluation_charts.pairs_count(b['closed_early'])} closed early, "
                                 f"{evaluation_charts.pairs_count(b['ended_by_exit'])} ended by an exit"),
        ]))
    else:
        parts.append('<p class="none">No meetings were logged for this cohort.</p>')

    parts.append("<h2>Results</h2><p class=\"lead\">Did participants stay (and move up) more than their "
                 "comparison group?</p>")
    for key, heading in (("retention", "Retention"), ("promotion", "Promotion")):
        block = doc[key]
        parts.append(f"<h3>{heading}</h3>")
        if not block.get("measured"):
            parts.append(f'<p class="none">{escape(block.get("reason", "Not measured."))}</p>')
            continue
        km = pd.DataFrame(block["km"])
        caption = evaluation_charts.km_caption(km, outcome=block["outcome"], horizon_months=block.get("horizon_months"),
                                               logrank=block["logrank"], hazard_ratio=block["hazard_ratio"],
                                               note=evaluation_charts.design_note(doc))
        parts.append(f"<p>{escape('Compared with: ' + block['comparison'] + '.')}</p>")
        parts.append(figures.figure(evaluation_charts.km_chart(km, outcome=block["outcome"],
                                                               horizon_months=block.get("horizon_months")), caption))
        hr = block["hazard_ratio"]
        if hr:
            parts.append(html_facts([("Hazard ratio (Cox)", f"{_num(hr['estimate'])} (95% interval "
                                                             f"{_num(hr['low'])} to {_num(hr['high'])}), p = "
                                                             f"{_p(hr['p_value'])}; {_adjustments(hr)}")]))
        parts.append(_outcome_tables(block))
        parts.append('<div class="caveats"><strong>Read with care</strong>' + _list(block["caveats"]) + "</div>")

    roi = doc["roi"]
    parts.append("<h2>Return on investment</h2>")
    if roi:
        parts.append(figures.figure(
            evaluation_charts.roi_chart(result.roi.distribution(), estimate=roi["roi"]["estimate"]),
            evaluation_charts.roi_caption(roi, note=evaluation_charts.design_note(doc))))
        costs = roi["cost_breakdown"]
        parts.append(html_table(("Item", f"Amount ({roi['currency']})"), [
            ("Meetings", f"{costs['meetings']:,.0f}"), ("Training", f"{costs['training']:,.0f}"),
            ("Coordination", f"{costs['coordination']:,.0f}"), ("Tools", f"{costs['tools']:,.0f}"),
            ("Program cost", f"{roi['cost']:,.0f}"),
            ("Benefit: avoided exits x replacement cost",
             f"{roi['benefit']['estimate']:,.0f} ({roi['benefit']['low']:,.0f} to {roi['benefit']['high']:,.0f})"),
        ], numeric=(1,), css_class="compact"))
        parts.append('<div class="caveats"><strong>Read with care</strong>' + _list(roi["caveats"]) + "</div>")
    else:
        parts.append('<p class="none">Not computed.</p>')

    parts.append("<h2>Objectives</h2>")
    # Nothing measured (or no objectives): no chart, the caption says why, as on the app's Evaluate page.
    parts.append(figures.figure(
        evaluation_charts.scorecard_chart(result.scorecard),
        evaluation_charts.scorecard_caption(result.scorecard, note=evaluation_charts.design_note(doc))))
    if doc["scorecard"]:
        parts.append(html_table(
            ("Objective", "Measured on", "Baseline, target", "Observed (95% interval)", "Verdict", "Note"),
            [(r.get("statement") or r["objective"], r["scope"], f"{_num(r['baseline'])}, {_num(r['target'])}",
              f"{_num(r['observed'])} ({_num(r['low'])} to {_num(r['high'])})" if r["observed"] is not None else "-",
              r["status"] + (f" (P {r['p_met']:.0%})" if r["p_met"] is not None else ""), r.get("note") or "-")
             for r in doc["scorecard"]]))

    if doc["trajectories"]:
        parts.append("<h3>Over time, cohort by cohort</h3>")
        parts.append(figures.figure(trajectories_chart(result.trajectories),
                                    trajectories_caption(result.trajectories)))
        parts.append(trajectories_table_html(result.trajectories))

    if doc["calibration"]:
        parts.append("<h2>The forecast against what happened</h2>")
        parts.append(figures.figure(
            evaluation_charts.calibration_chart(result.calibration.forecast),
            evaluation_charts.calibration_caption(result.calibration.forecast, result.calibration.fitted)))
    summary = (f"Cohort {c['name']}, {c['participants']} participants against "
               f"{evaluation_charts.shown_count(c['comparison_matched'])} "
               + ("waitlisted applicants." if (doc.get("trial") or {}).get("design") == "waitlist"
                  else "comparable colleagues."))
    at = doc["retention"].get("at_horizon")
    if at:
        d = at["difference"]
        summary += (f" Still employed after {doc['cohort']['horizon_months']} months: "
                    f"{_points(d['share'])} against the comparison group (95% interval "
                    f"{_points(d['low'])} to {_points(d['high'])}).")
    return _Page("evaluation", "Evaluation", "".join(parts),
                 subtitle=f"{doc['design']['name']}: cohort {c['name']}", summary=summary,
                 caveat=evaluation_charts.design_note(doc))


def _headcount_figure(people: pd.DataFrame, figures: _Figures) -> str:
    """The organisation's current headcount by department and level, groups of fewer than five hidden."""
    counts = headcounts(people)
    if not len(counts):
        return ""
    caption = "The people currently employed, by department and level (1 = most junior)."
    hidden = int(counts["hidden"].sum())
    if hidden:
        caption += (f" {hidden:,} department and level group{'s are' if hidden != 1 else ' is'} not drawn: groups "
                    f"of fewer than {MIN_GROUP} people, and enough others that none can be worked out from the "
                    "totals of a department or the organisation, to protect them.")
    return figures.figure(headcount_chart(people), caption)


def _index_page(workspace: Workspace, pages: Sequence[_Page], tables: Mapping[str, pd.DataFrame],
                figures: _Figures) -> _Page:
    cards = []
    for key, file, title in PAGES[1:]:
        page = next(p for p in pages if p.key == key)
        if page.missing is None:
            status, text = "In this pack", page.summary or ABOUT[key][0]
        else:
            status, text = "Not yet", f"{page.missing[0]} The page says how to add it."
        cards.append(f'<div class="card{" missing" if page.missing else ""}"><span class="status">{escape(status)}'
                     f'</span><h3><a href="{file}">{escape(title)}</a></h3><p>{escape(text)}</p></div>')
    parts = ["<h2>In this pack</h2>", '<div class="cards">' + "".join(cards) + "</div>"]
    sentence, _ = _organisation(workspace)
    if "people" in tables:
        parts.append("<h2>The organisation</h2>")
        if sentence:
            parts.append(f"<p>{escape(sentence)}</p>")
        parts.append(_headcount_figure(tables["people"], figures))
    return _Page("index", "Overview", "".join(parts))


# ---------------------------------------------------------------------------
# Pages


def _page_html(page: _Page, pages: Sequence[_Page], workspace: Workspace, generated: datetime.date,
               body: str) -> str:
    org = workspace.name.strip() or workspace.slug
    links = []
    for other in pages:
        file = next(f for k, f, _ in PAGES if k == other.key)
        classes = ' class="missing"' if other.missing else ""
        current = ' aria-current="page"' if other.key == page.key else ""
        links.append(f'<a href="{file}"{classes}{current}>{escape(other.title)}</a>')
    lead, caveat = ABOUT[page.key]
    caveat = f"{page.caveat} {caveat}" if page.caveat else caveat
    title = "Stakeholder pack" if page.key == "index" else page.title
    head_title = f"{page.title} - {org} - stakeholder pack"
    subtitle = f"<p class=\"lead\">{escape(page.subtitle)}</p>" if page.subtitle else ""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="referrer" content="no-referrer">',
           f"<title>{escape(head_title)}</title>", f"<style>{CSS}{_EXTRA_CSS}{_PACK_CSS}</style>", "</head>", "<body>",
           '<nav class="pack" aria-label="Pages of the pack"><div class="inner">'
           f'<span class="brand">{escape(org)}</span>' + "".join(links) + "</div></nav>", "<main>",
           f'<header class="cover"><p class="kicker">Mentoring program · stakeholder pack</p><h1>{escape(title)}</h1>'
           f"{subtitle}<p class=\"meta\"><span>Workspace: {escape(org)}</span><span>Generated {generated.isoformat()}"
           "</span></p></header>",
           f'<div class="about"><p><strong>What this page shows.</strong> {escape(lead.format(org=org))}</p>'
           f"<p><strong>Keep in mind.</strong> {escape(caveat)}</p></div>"]
    if page.specs:
        out.append('<noscript><p class="none">The charts on this page need JavaScript; their figures are also in the '
                   "text and tables.</p></noscript>")
    out.append(body)
    out.append(f"<footer>Generated by the mentoring program workbench on {generated.isoformat()} from the workspace "
               f"{escape(org)}. Figures about groups only: no names, ids or e-mail addresses; groups of fewer than "
               f"{MIN_GROUP} people are hidden.</footer>")
    out.append("</main>")
    return "\n".join(out)


def _finish(text: str, page: _Page) -> str:
    """The page's end: the runtime (once) and the drawing code when it has charts."""
    if not page.specs:
        return text + "\n</body>\n</html>\n"
    return "\n".join([text, f"<script>{vega_runtime()}</script>", f"<script>{DRAW_JS}</script>",
                      f"<script>{_DRAW_ALL_JS}</script>", "</body>", "</html>", ""])


# ---------------------------------------------------------------------------
# Writing


def _is_pack(folder: Path) -> bool:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("kind") == PACK_KIND


def _check_target(out: Path, force: bool) -> None:
    try:
        if out.parent.exists() and not out.parent.is_dir():
            raise WorkbenchError(f"Cannot create the folder {out}: {out.parent} is a file, not a folder.")
        if not out.parent.is_dir():
            raise WorkbenchError(f"Cannot create the folder {out}: the folder {out.parent} does not exist.")
        if out.exists() and not out.is_dir():
            raise WorkbenchError(f"Cannot write the pack to {out}: it is a file, not a folder.")
        if out.is_dir() and not force and any(out.iterdir()) and not _is_pack(out):
            raise WorkbenchError(f"{out} is not empty and does not hold a stakeholder pack: choose an empty or new "
                                 "folder, or pass --force to replace its contents.")
    except OSError as exc:  # a folder on the way that cannot be read, a name too long, ...
        raise WorkbenchError(f"Cannot write the pack to {out}: {exc.strerror or exc}.") from None


def _cannot_create(out: Path, exc: OSError) -> WorkbenchError:
    """The error for a folder ``out`` the system refuses to make (in /proc, /sys, a read-only disk, ...)."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOENT, errno.EPERM, errno.EACCES, errno.EROFS):
        reason = f"{out.parent} does not allow new folders ({reason})"
    return WorkbenchError(f"Cannot create the folder {out}: {reason}.")


def _write_files(folder: Path, files: Mapping[str, str]) -> int:
    total = 0
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        total += len(data)
    return total


def _swap_into_place(staging: Path, out: Path) -> None:
    """Rename ``staging`` to ``out``; an earlier ``out`` is moved aside first and removed after."""
    if out.exists():
        old = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.old"
        os.rename(out, old)
        try:
            os.rename(staging, out)
        except BaseException:
            os.rename(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, out)


def write_pack(workspace: Workspace, out: str | os.PathLike, *, generated: datetime.date | None = None,
               force: bool = False, seed: int = 0, resamples: int | None = None, runs: int | None = None,
               progress: Callable[[str], None] | None = None) -> PackResult:
    """Write the stakeholder pack of ``workspace`` into the folder ``out``; see the module docstring.

    ``generated`` is the date printed on every page (default today).
    ``seed``, ``resamples`` and ``runs`` are those of ``workbench evaluate``
    (defaults :data:`workbench.evaluate.RESAMPLES` and :data:`~workbench.evaluate.RUNS`).
    ``progress(message)`` is called as each part starts. Raises
    :class:`~workbench.errors.WorkbenchError` when ``out``'s parent folder does
    not exist or is a file, ``out`` is a file, a non-empty folder that is not a
    pack (unless ``force``), or cannot be created or written (``/proc/pack``);
    the message names the path, and nothing is changed then; and
    :class:`~workbench.errors.InvalidDataError` when a table fails its contract.
    """
    out = Path(out)
    day = generated if generated is not None else datetime.date.today()
    note = progress or (lambda message: None)
    _check_target(out, force)
    tables = checked_tables(workspace)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as exc:
        raise _cannot_create(out, exc) from None
    try:
        design: ProgramDesign | None = None
        design_problem = None
        try:
            design = load_design(workspace)
        except WorkbenchError as exc:
            design_problem = f"{DESIGN_FILE} cannot be read: {exc}"
        has_design = (workspace.path / DESIGN_FILE).is_file() and design is not None

        pages: list[_Page] = []
        downloads: dict[str, str] = {}

        def build(key: str, make: Callable[[_Figures], _Page]) -> None:
            note(next(title for k, _, title in PAGES if k == key))
            figures = _Figures()
            page = make(figures)
            page.specs = figures.specs
            pages.append(page)

        build("design", lambda f: _design_page(workspace, design if has_design else None, design_problem, day))
        build("gaps", lambda f: _gaps_page(workspace, tables, design, f, downloads))
        build("matching", lambda f: _matching_page(workspace, tables, design, f))
        build("whatif", lambda f: _whatif_page(workspace, f))
        build("evaluation", lambda f: _evaluation_page(workspace, f, seed=seed,
                                                       resamples=RESAMPLES if resamples is None else resamples,
                                                       runs=RUNS if runs is None else runs))
        build("index", lambda f: _index_page(workspace, pages, tables, f))
        pages.sort(key=lambda p: [k for k, _, _ in PAGES].index(p.key))

        note("writing")
        people = _PeopleFilter(tables.get("people"))
        files: dict[str, str] = {}
        withheld = 0
        for page in pages:
            file = next(f for k, f, _ in PAGES if k == page.key)
            text, count = people.redact(_page_html(page, pages, workspace, day, page.body))
            withheld += count
            files[file] = _finish(text, page)
        for name, text in downloads.items():
            text, count = people.redact(text)
            withheld += count
            files[name] = text
        missing = {p.title: p.missing for p in pages if p.missing}
        manifest = {"kind": PACK_KIND, "version": PACK_VERSION, "workspace": workspace.name,
                    "generated": day.isoformat(), "seed": seed,
                    "pages": [{"file": f, "title": t, "included": next(p for p in pages if p.key == k).missing is None}
                              for k, f, t in PAGES],
                    "downloads": sorted(downloads),
                    "missing": {title: {"what": what, "how": how} for title, (what, how) in missing.items()}}
        text, count = people.redact(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        withheld += count
        files[MANIFEST] = text  # written last: a folder with pack.json is a complete pack
        size = _write_files(staging, files)
        os.chmod(staging, 0o755)  # mkdtemp made it private; a pack is for reading
        _swap_into_place(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WorkbenchError(f"Cannot write the pack to {out}: {exc.strerror or exc}.") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PackResult(path=out, pages=tuple(f for _, f, _ in PAGES), missing=missing, files=tuple(files),
                      bytes=size, withheld=withheld, charts=sum(len(p.specs) for p in pages))
