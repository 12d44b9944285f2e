"""The design brief: the whole program design as one document a client can keep.

:func:`brief_html` gives a self-contained HTML page (inline CSS, charts inlined
as SVG, nothing loaded from anywhere, so it opens offline and prints to PDF
with one AXLES step per page); :func:`brief_markdown` gives the same content as
Markdown; :func:`write_brief` loads a workspace's design, checks it and writes
either file. For each decision of the catalogue the brief shows what was
chosen, the client's reason, the guidance and the evidence behind it; then the
objectives, the open findings of the consistency checks and the organisation.

Charts are passed in ready-made (anything with ``to_json()`` giving a
Vega-Lite spec, such as an Altair chart, or the spec itself) so this module
stays free of the chart layer; ``workbench brief`` passes the headcount chart.
Later analyses add their own sections through ``extra_sections``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from workbench.charts import headcount_chart
from workbench.data.importing import checked_tables, workspace_warnings
from workbench.data.problems import warning_summary
from workbench.design.catalogue import DECISIONS, NOT_DECIDED, Decision, describe_value
from workbench.design.model import Objective, ProgramDesign
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.evaluate.power import ObjectivePower
from workbench.readiness import Finding, checked_with_power
from workbench.reports.markup import CSS, chart_svg, escape, html_facts, html_table, md_table, md_text
from workbench.reports.sections import default_sections
from workbench.simulate.mechanisms import MECHANISMS
from workbench.workspace import Workspace, atomic_write_text, check_output_path

FORMATS = ("html", "md")

STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("align", "A", "Align", "The business purpose, who the program serves and how success is measured."),
    ("experience", "X", "eXperience", "Structure, rhythm, matching, meetings, training and confidentiality."),
    ("launch", "L", "Launch", "Roll-out, sequence, communications, orientation and what happens to the unmatched."),
    ("evaluate", "E", "Evaluate", "Evaluation levels, metrics, attribution, survey timing and the inputs to ROI."),
    ("support", "S", "Support", "Check-ins, relationship health, re-matching, recognition and the next cohort."),
)

SEVERITIES: tuple[tuple[str, str, str], ...] = (
    ("error", "Errors", "Must be resolved before launch."),
    ("warning", "Warnings", "Risks worth a decision before launch."),
    ("info", "Notes", "Worth knowing; no change needed."),
)

_SEVERITY_ORDER = {severity: rank for rank, (severity, _, _) in enumerate(SEVERITIES)}

# ---------------------------------------------------------------------------
# Content shared by both formats


def _steps() -> list[tuple[str, str, str, str, list[Decision]]]:
    """Each AXLES step with its decisions from the catalogue, in catalogue order."""
    return [(step, letter, title, lead, [d for d in DECISIONS if d.step == step])
            for step, letter, title, lead in STEPS]


def _rationale(design: ProgramDesign, decision_id: str) -> str:
    return (design.rationale.get(decision_id) or "").strip()


def _other_rationale(design: ProgramDesign) -> list[tuple[str, str]]:
    """Reasons recorded under ids the catalogue does not know (kept, not dropped)."""
    known = {d.id for d in DECISIONS}
    return [(key, text.strip()) for key, text in sorted(design.rationale.items())
            if key not in known and text.strip()]


def _sources(decision: Decision) -> list[str]:
    """The decision's evidence sources, each once, in catalogue order."""
    seen: dict[str, None] = {}
    for evidence in decision.evidence:
        seen.setdefault(evidence.source.strip(), None)
    return [s for s in seen if s]


def _model_text(decision: Decision) -> str:
    """How the decision enters the what-if outcome model, or that it does not and why."""
    mechanism = MECHANISMS.get(decision.id)
    if mechanism is None:
        return ""
    return mechanism.how if mechanism.modelled else f"Not quantified. {mechanism.how}"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _objective_text(objective: Objective) -> str:
    return objective.statement.strip() or objective.kpi.strip() or objective.id


def _summary(design: ProgramDesign) -> list[tuple[str, str | list[str]]]:
    """The program at a glance, as (label, text or list of texts), in the catalogue's words."""
    def say(decision_id: str) -> str:
        return describe_value(design, decision_id)

    def lower(text: str) -> str:
        return text[:1].lower() + text[1:]

    align, experience, launch = design.align, design.experience, design.launch
    problem = say("align.business_problem")
    if align.problem_statement.strip():
        problem = f"{problem}: {align.problem_statement.strip()}"
    structure = say("experience.structure")
    if experience.structure == "group":
        structure += f" ({say('experience.group_size')} per mentor)"
    elif experience.structure == "mosaic":
        structure += f" ({say('experience.mentors_per_mentee')} per mentee)"
    launch_text = say("launch.rollout")
    if launch.rollout == "pilot" and launch.pilot_size:
        launch_text += f" of {say('launch.pilot_size')}"
    launch_text += f", starting {launch.start_date.isoformat()}" if launch.start_date else ", start date not decided"
    rows: list[tuple[str, str | list[str]]] = [("Business problem", problem)]
    people = [f"{label}: {name.strip()}" for label, name in (("Sponsor", align.sponsor), ("Owner", align.owner))
              if name.strip()]
    if people:
        rows.append(("Sponsor and owner", "; ".join(people)))
    rows += [
        ("Structure", structure),
        ("Duration", say("experience.duration_months")),
        ("Cadence", f"{say('experience.cadence')}, {say('experience.meeting_minutes')} per meeting, "
                    f"{lower(say('experience.meeting_format'))}"),
        ("Mentees", f"{say('align.mentee_eligibility')}; enrolment: {lower(say('experience.enrolment'))}"
                    + ("" if experience.voluntary else "; not voluntary")),
        ("Mentors", f"{say('align.mentor_eligibility')}; up to {say('experience.mentor_capacity')} each"),
        ("Matching", f"{say('experience.matching_method')}; {lower(say('experience.matching_objective'))}"),
        ("Launch", launch_text),
        ("Objectives", [_objective_text(o) for o in align.objectives] or ["none set yet"]),
    ]
    return [(label, [_capital(v) for v in value] if isinstance(value, list) else _capital(value))
            for label, value in rows]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _reasons_text(design: ProgramDesign) -> str:
    """How many decisions have a recorded reason, e.g. ``"12 of 61 decisions"``."""
    given = sum(bool(_rationale(design, d.id)) for d in DECISIONS)
    return f"{given} of {len(DECISIONS)} decisions"


#: What the minimum detectable effect is, for the brief's reader.
POWER_LEAD = ("What the planned cohort can show for each objective before anyone is mentored: the smallest effect "
              "it can tell from chance (the minimum detectable effect), and the cohort the expected effect needs.")


def _power_rows(design: ProgramDesign, power: Sequence[ObjectivePower]) -> list[tuple[str, str]]:
    """(objective, the power sentence) for each objective with a power result."""
    objectives = {o.id: o for o in design.align.objectives}
    names = {oid: _objective_text(o).rstrip(".") + "." for oid, o in objectives.items()}
    return [(names.get(p.objective, p.objective), p.sentence()) for p in power]


def _objective_rows(design: ProgramDesign) -> list[tuple[str, str, str, str, str, str]]:
    """Objective, KPI, baseline, target, horizon and how it is measured, one row per objective."""
    rows = []
    for objective in design.align.objectives:
        measured = "; ".join(m for m in design.evaluate.metrics.get(objective.id, ()) if m.strip())
        months = objective.horizon_months
        horizon = f"{months} month{'s' if months != 1 else ''}" if months else ""
        rows.append((_objective_text(objective), objective.kpi.strip(), _number(objective.baseline),
                     _number(objective.target), horizon, measured))
    return rows


def _sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: _SEVERITY_ORDER.get(f.severity, len(_SEVERITY_ORDER)))


def _count_text(findings: Sequence[Finding]) -> str:
    """``"1 error, 2 warnings"`` or ``"none"``."""
    names = {"error": ("error", "errors"), "warning": ("warning", "warnings"), "info": ("note", "notes")}
    parts = []
    for severity, _, _ in SEVERITIES:
        count = sum(f.severity == severity for f in findings)
        if count:
            parts.append(f"{count} {names[severity][count != 1]}")
    return ", ".join(parts) if parts else "none"


def _flags(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    """Decision id -> the errors and warnings that concern it (notes are not flagged)."""
    flagged: dict[str, list[Finding]] = {}
    for finding in _sorted_findings(f for f in findings if f.severity in ("error", "warning")):
        for decision_id in finding.decisions:
            flagged.setdefault(decision_id, []).append(finding)
    return flagged


def _organisation(workspace: Workspace) -> tuple[str, list[tuple[str, int]]]:
    """A sentence about the current workforce (empty without people.csv) and the rows per table."""
    counts = sorted(workspace.row_counts().items())
    if not workspace.table_path("people").is_file():
        return "", counts
    people = checked_tables(workspace, ["people"])["people"]
    if "exit_date" in people.columns:
        people = people[people["exit_date"].fillna("").astype(str).str.strip() == ""]
    parts = [f"{len(people):,} people currently employed"]
    for column, noun in (("department", "department"), ("location", "location")):
        if column in people.columns:
            distinct = people[column].fillna("").astype(str).str.strip()
            n = distinct[distinct != ""].nunique()
            parts.append(f"{n:,} {noun}{'s' if n != 1 else ''}")
    sentence = parts[0] + (" across " + " and ".join(parts[1:]) if len(parts) > 1 else "") + "."
    return sentence, counts


#: What the brief says above its Data warnings.
WARNINGS_NOTE = ("Values in the workspace's tables that meet their contracts but are unlikely to be true (counted, "
                 "not listed: workbench validate names each by row). They did not stop the figures in this brief; "
                 "correct them in the source file and import it again if they are slips.")


def _warning_rows(workspace: Workspace) -> list[tuple[str, str, str, str]]:
    """The workspace's data warnings counted by file, column and problem (:func:`warning_summary`), as table rows."""
    return [(row.file, row.column, f"{row.values:,}", row.problem)
            for row in warning_summary(workspace_warnings(workspace)).itertuples(index=False)]


def _date(generated: datetime.date | None) -> datetime.date:
    return generated if generated is not None else datetime.date.today()


# ---------------------------------------------------------------------------
# HTML


def _paragraphs(text: str, css_class: str = "") -> str:
    """Escaped text as paragraphs (blank lines) with line breaks kept."""
    attribute = f' class="{css_class}"' if css_class else ""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "".join(f"<p{attribute}>{'<br>'.join(escape(line) for line in b.strip().splitlines())}</p>" for b in blocks)


def _html_decision(design: ProgramDesign, decision: Decision, flags: Sequence[Finding]) -> str:
    worst = _sorted_findings(flags)[0].severity if flags else ""
    css = "decision" + (" flagged-error" if worst == "error" else " flagged" if worst == "warning" else "")
    parts = [f'<article class="{css}" id="d-{escape(decision.id)}">', f"<h3>{escape(decision.title)}</h3>"]
    if decision.question.strip():
        parts.append(f'<p class="question">{escape(decision.question)}</p>')
    value = describe_value(design, decision.id)
    shown = (f'<span class="none">{escape(value)}</span>' if value == NOT_DECIDED
             else f"<strong>{escape(_capital(value) if value in ('yes', 'no') else value)}</strong>")
    parts.append(f'<p class="choice"><span class="label">Decision</span> {shown}</p>')
    reason = _rationale(design, decision.id)
    if reason:
        parts.append(f'<blockquote class="rationale"><span class="label">Why</span>{_paragraphs(reason)}'
                     "</blockquote>")
    if decision.guidance.strip():
        parts.append(_paragraphs(decision.guidance, "guidance"))
    sources = _sources(decision)
    if sources:
        parts.append(f'<p class="evidence"><span class="label">Evidence</span> '
                     f"{'; '.join(escape(s) for s in sources)}</p>")
    model = _model_text(decision)
    if model:
        parts.append(f'<p class="evidence"><span class="label">Outcome model</span> {escape(model)}</p>')
    if flags:
        tags = " ".join(f'<span class="tag {escape(f.severity)}">{escape(f.title)}</span>' for f in flags)
        parts.append(f'<p class="flags"><a href="#findings">See findings:</a> {tags}</p>')
    parts.append("</article>")
    return "".join(parts)


def _html_findings(findings: Sequence[Finding]) -> str:
    if not findings:
        return '<p class="none">No open findings: the checks found nothing to resolve.</p>'
    titles = {d.id: d.title for d in DECISIONS}
    parts = []
    for severity, heading, lead in SEVERITIES:
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        parts.append(f"<h3>{escape(heading)} ({len(group)})</h3><p class=\"small\">{escape(lead)}</p>")
        for finding in group:
            parts.append(f'<div class="finding {escape(severity)}"><h4>{escape(finding.title)}</h4>')
            if finding.explanation.strip():
                parts.append(_paragraphs(finding.explanation))
            if finding.fix.strip():
                parts.append(f"<p><strong>Fix:</strong> {escape(finding.fix)}</p>")
            if finding.decisions:
                links = "; ".join(f'<a href="#d-{escape(d)}">{escape(titles.get(d, d))}</a>' if d in titles
                                  else escape(d) for d in finding.decisions)
                parts.append(f'<p class="small">Decisions: {links}</p>')
            parts.append("</div>")
    other = [f for f in findings if f.severity not in _SEVERITY_ORDER]
    for finding in other:
        parts.append(f'<div class="finding info"><h4>{escape(finding.title)}</h4>{_paragraphs(finding.explanation)}'
                     f"<p><strong>Fix:</strong> {escape(finding.fix)}</p></div>")
    return "".join(parts)


def brief_html(workspace: Workspace, design: ProgramDesign, findings: Sequence[Finding], *,
               generated: datetime.date | None = None, charts: Sequence[object] = (),
               extra_sections: Sequence[tuple[str, str]] = (), power: Sequence[ObjectivePower] = ()) -> str:
    """The design brief as one self-contained HTML document.

    It loads nothing (inline CSS, system fonts, charts inlined as SVG), so it
    opens offline and prints to PDF on A4 with each AXLES step on its own
    page. ``findings`` are the open findings of the checks; ``charts`` (Altair
    charts or Vega-Lite specs) go in the Organisation section; each of
    ``extra_sections`` is ``(title, HTML fragment)`` and is added as a section
    of its own (the fragment is trusted and inserted as it is; everything
    else from the design and the workspace is escaped). ``generated`` is the
    date printed on the brief (default today); the same inputs and date give
    the same bytes.
    """
    findings = _sorted_findings(findings)
    day = _date(generated)
    flags = _flags(findings)
    title = design.name.strip() or "Mentoring program"
    sections: list[tuple[str, str]] = [("summary", "Summary")]
    sections += [(f"step-{step}", name) for step, _, name, _ in STEPS]
    sections += [("objectives", "Objectives"), ("findings", "Open findings"), ("organisation", "Organisation")]
    sections += [(f"extra-{i + 1}", name) for i, (name, _) in enumerate(extra_sections)]

    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{escape(title)} - design brief</title>", f"<style>{CSS}</style>", "</head>", "<body>", "<main>"]
    out.append(f'<header class="cover"><p class="kicker">Mentoring program design brief</p><h1>{escape(title)}</h1>'
               f'<p class="meta"><span>Workspace: {escape(workspace.name)}</span><span>Generated {day.isoformat()}'
               "</span><span>AXLES model</span></p></header>")
    out.append('<nav class="contents" aria-label="Contents"><strong>Contents</strong><ol>'
               + "".join(f'<li><a href="#{anchor}">{escape(name)}</a></li>' for anchor, name in sections)
               + "</ol></nav>")

    out.append(f'<section id="summary"><h2>Summary</h2>{html_facts(_summary(design))}'
               f'<p class="small after-facts">Open findings: <a href="#findings">{escape(_count_text(findings))}</a>. '
               f"Reasons recorded for {escape(_reasons_text(design))}.</p></section>")

    for step, letter, name, lead, decisions in _steps():
        out.append(f'<section class="step" id="step-{step}"><div class="step-head"><div class="badge" '
                   f'aria-hidden="true">{letter}</div><div><h2>{escape(name)}</h2><p class="lead">{escape(lead)}</p>'
                   "</div></div>")
        out.extend(_html_decision(design, d, flags.get(d.id, ())) for d in decisions)
        if not decisions:
            out.append('<p class="none">The catalogue has no decisions for this step.</p>')
        out.append("</section>")

    other = _other_rationale(design)
    if other:
        out.append('<section id="other-notes"><h2>Other notes</h2><p class="lead">Reasons recorded for items '
                   "the decision catalogue does not list.</p>"
                   + html_table(("Item", "Reason"), other) + "</section>")

    objective_rows = _objective_rows(design)
    out.append('<section class="page" id="objectives"><h2>Objectives</h2><p class="lead">What the program must '
               "change, in each KPI's own unit, and how it will be measured.</p>")
    if objective_rows:
        out.append(html_table(("Objective", "KPI", "Baseline", "Target", "Horizon", "How measured"),
                              objective_rows, numeric=(2, 3), nowrap=(4,)))
    else:
        out.append('<p class="none">No objectives set yet (Align).</p>')
    power_rows = _power_rows(design, power)
    if power_rows:
        out.append(f"<h3>Minimum detectable effect</h3><p>{escape(POWER_LEAD)}</p><ul>"
                   + "".join(f"<li><b>{escape(name)}</b> {escape(text)}</li>" for name, text in power_rows) + "</ul>")
    out.append("</section>")

    out.append(f'<section id="findings"><h2>Open findings</h2><p class="lead">What the consistency checks found '
               f"in this design and the workspace's data: {escape(_count_text(findings))}.</p>"
               f"{_html_findings(findings)}</section>")

    sentence, counts = _organisation(workspace)
    out.append('<section class="page" id="organisation"><h2>Organisation</h2>')
    if sentence:
        out.append(f'<p class="lead">{escape(sentence)}</p>')
    for index, chart in enumerate(charts):
        out.append(f'<figure class="chart">{chart_svg(chart, prefix=f"chart{index + 1}")}</figure>')
    if counts:
        out.append("<h3>Data in the workspace</h3>"
                   + html_table(("File", "Rows"), [(f"{t}.csv", f"{n:,}") for t, n in counts], numeric=(1,),
                                css_class="compact"))
    else:
        out.append('<p class="none">The workspace holds no data tables yet.</p>')
    warnings = _warning_rows(workspace)
    if warnings:
        out.append(f'<div id="data-warnings" role="note"><h3>Data warnings</h3><p class="small">'
                   f"{escape(WARNINGS_NOTE)}</p>"
                   + html_table(("File", "Column", "Values", "Warning"), warnings, numeric=(2,), css_class="compact")
                   + "</div>")
    out.append("</section>")

    for index, (name, fragment) in enumerate(extra_sections):
        out.append(f'<section class="page" id="extra-{index + 1}"><h2>{escape(name)}</h2>{fragment}</section>')

    out.append(f"<footer>Generated by the mentoring program workbench on {day.isoformat()} from the design "
               f"in the workspace {escape(workspace.name)}. Structure after the AXLES model (Labin, <em>Mentoring "
               "Programs That Work</em>, ATD Press, 2017).</footer>")
    out.extend(["</main>", "</body>", "</html>", ""])
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Markdown


def _md_quote(text: str) -> list[str]:
    return ["> " + md_text(line).rstrip() if line.strip() else ">" for line in text.strip().splitlines()]


def brief_markdown(workspace: Workspace, design: ProgramDesign, findings: Sequence[Finding], *,
                   generated: datetime.date | None = None,
                   extra_sections: Sequence[tuple[str, str]] = (), power: Sequence[ObjectivePower] = ()) -> str:
    """The design brief as Markdown: the same content as :func:`brief_html`, without charts.

    Tables are Markdown tables (``|`` in a cell is escaped); text from the
    design and the workspace cannot inject HTML. ``extra_sections`` are
    ``(title, Markdown fragment)``, added as they are.
    """
    findings = _sorted_findings(findings)
    day = _date(generated)
    flags = _flags(findings)
    titles = {d.id: d.title for d in DECISIONS}
    lines = [f"# {md_text(design.name.strip() or 'Mentoring program')}", "",
             f"*Mentoring program design brief · Workspace: {md_text(workspace.name)} · "
             f"Generated {day.isoformat()} · AXLES model*", "", "## Summary", ""]
    for label, value in _summary(design):
        if isinstance(value, list) and len(value) > 1:
            lines.append(f"- **{label}:**")
            lines += [f"  - {md_text(v)}" for v in value]
        else:
            lines.append(f"- **{label}:** {md_text(value[0] if isinstance(value, list) else value)}")
    lines += ["", f"Open findings: {_count_text(findings)}. Reasons recorded for {_reasons_text(design)}.", ""]

    for _, letter, name, lead, decisions in _steps():
        lines += [f"## {letter} · {name}", "", f"*{lead}*", ""]
        for decision in decisions:
            lines += [f"### {md_text(decision.title)}", ""]
            if decision.question.strip():
                lines += [f"*{md_text(decision.question.strip())}*", ""]
            value = describe_value(design, decision.id)
            lines += [f"**Decision:** {md_text(_capital(value) if value in ('yes', 'no') else value)}", ""]
            reason = _rationale(design, decision.id)
            if reason:
                lines += ["**Why:**", "", *_md_quote(reason), ""]
            if decision.guidance.strip():
                lines += [md_text(decision.guidance.strip()), ""]
            sources = _sources(decision)
            if sources:
                lines += [f"*Evidence:* {'; '.join(md_text(s) for s in sources)}", ""]
            model = _model_text(decision)
            if model:
                lines += [f"*Outcome model:* {md_text(model)}", ""]
            concerns = flags.get(decision.id, ())
            if concerns:
                lines += ["*See findings:* " + "; ".join(f"{f.severity}: {md_text(f.title)}" for f in concerns), ""]

    other = _other_rationale(design)
    if other:
        lines += ["## Other notes", "", *md_table(("Item", "Reason"), other), ""]

    lines += ["## Objectives", ""]
    objective_rows = _objective_rows(design)
    if objective_rows:
        lines += md_table(("Objective", "KPI", "Baseline", "Target", "Horizon", "How measured"), objective_rows,
                          numeric=(2, 3))
    else:
        lines.append("*No objectives set yet (Align).*")
    power_rows = _power_rows(design, power)
    if power_rows:
        lines += ["", "### Minimum detectable effect", "", md_text(POWER_LEAD), "",
                  *(f"- **{md_text(name)}** {md_text(text)}" for name, text in power_rows)]
    lines += ["", "## Open findings", ""]
    if not findings:
        lines += ["*No open findings: the checks found nothing to resolve.*", ""]
    for severity, heading, lead in SEVERITIES:
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        lines += [f"### {heading} ({len(group)})", "", f"*{lead}*", ""]
        for finding in group:
            lines.append(f"- **{md_text(finding.title)}**: {' '.join(md_text(finding.explanation).split())}")
            if finding.fix.strip():
                lines.append(f"  - *Fix:* {' '.join(md_text(finding.fix).split())}")
            if finding.decisions:
                lines.append(f"  - *Decisions:* {'; '.join(md_text(titles.get(d, d)) for d in finding.decisions)}")
        lines.append("")

    sentence, counts = _organisation(workspace)
    lines += ["## Organisation", ""]
    if sentence:
        lines += [md_text(sentence), ""]
    lines += (["### Data in the workspace", "",
               *md_table(("File", "Rows"), [(f"{t}.csv", f"{n:,}") for t, n in counts], numeric=(1,))]
              if counts else ["*The workspace holds no data tables yet.*"])
    lines.append("")
    warnings = _warning_rows(workspace)
    if warnings:
        lines += ["### Data warnings", "", f"*{md_text(WARNINGS_NOTE)}*", "",
                  *md_table(("File", "Column", "Values", "Warning"), warnings, numeric=(2,)), ""]
    for name, fragment in extra_sections:
        lines += [f"## {md_text(name)}", "", fragment.strip(), ""]
    lines += ["---", "", f"*Generated by the mentoring program workbench on {day.isoformat()}. Structure after the "
              "AXLES model (Labin, Mentoring Programs That Work, ATD Press, 2017).*", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Writing


def brief_format(out: Path, format: str | None = None) -> str:
    """The brief format: ``format`` if given, else from the suffix of ``out`` (``.md`` or ``.html``)."""
    if format is None:
        suffix = Path(out).suffix.lower()
        format = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}.get(suffix)
        if format is None:
            raise WorkbenchError(f"Cannot tell the brief format from {Path(out).name!r}: name it .html or .md, "
                                 "or give the format (html or md).")
    if format not in FORMATS:
        raise WorkbenchError(f"The brief format must be html or md, not {format!r}.")
    return format


def default_charts(workspace: Workspace) -> list[object]:
    """The charts every brief shows when the data allows: the organisation's headcount."""
    if not workspace.table_path("people").is_file():
        return []
    return [headcount_chart(checked_tables(workspace, ["people"])["people"])]


def write_brief(workspace: Workspace, out: Path, *, format: str | None = None,
                generated: datetime.date | None = None, findings: Sequence[Finding] | None = None,
                charts: Sequence[object] | None = None,
                extra_sections: Sequence[tuple[str, str]] | None = None,
                power: Sequence[ObjectivePower] | None = None) -> Path:
    """Write the brief of the workspace's design to ``out``; return the path written.

    The design is read from ``design.yaml`` (:func:`~workbench.design.store.load_design`;
    a wrong file raises :class:`~workbench.design.store.DesignError`) and checked
    with :func:`~workbench.readiness.checked_with_power` unless ``findings`` are
    given, and each objective's power with :func:`~workbench.evaluate.power.workspace_power`
    unless ``power`` is given. ``format`` is ``"html"`` or ``"md"`` (default: from the suffix of
    ``out``). ``charts`` (default :func:`default_charts`) and ``extra_sections``
    (default: every analysis the data allows, :func:`~workbench.reports.sections.default_sections`)
    are as for :func:`brief_html` (for Markdown, charts are left out and the
    sections are Markdown). The file
    is replaced atomically: readers see the old brief or the new one.
    """
    out = Path(out)
    format = brief_format(out, format)
    check_output_path(out)
    design = load_design(workspace)
    if findings is None or power is None:
        checked, computed = checked_with_power(workspace, design)
        findings = checked if findings is None else findings
        power = computed if power is None else power
    if extra_sections is None:
        extra_sections = default_sections(workspace, design, format=format)
    if format == "html":
        charts = default_charts(workspace) if charts is None else charts
        text = brief_html(workspace, design, findings, generated=generated, charts=charts,
                          extra_sections=extra_sections, power=power)
    else:
        text = brief_markdown(workspace, design, findings, generated=generated, extra_sections=extra_sections,
                              power=power)
    atomic_write_text(out, text)
    return out
