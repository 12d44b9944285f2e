"""Sections the brief adds for the analyses a workspace's data allows: skill gaps, the saved matching, what-if."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.charts.gaps import (gap_heatmap, gap_heatmap_caption, small_demand_note, supply_demand_caption,
                                  supply_demand_chart)
from workbench.charts.whatif import effects_chart, format_effect
from workbench.data.importing import checked_tables
from workbench.design.model import ProgramDesign
from workbench.gaps import aggregate, coverage, hide_small_demand, person_gaps, prioritised_gaps, supply_demand
from workbench.matching import saved_matching
from workbench.reports.markup import chart_svg, escape, html_table, md_table, md_text
from workbench.whatif import comparison_display, saved_comparison, weight_criterion
from workbench.whatif.saved import SavedComparison
from workbench.workspace import Workspace

GAP_TABLES = ("people", "skills", "requirements")


def skill_gap_section(workspace: Workspace, design: ProgramDesign, *, format: str = "html") -> tuple[str, str] | None:
    """The "Skill gaps" section of the brief, or ``None`` when the workspace lacks the tables it needs.

    Coverage of assessments, the department x skill heat map (HTML only; groups of
    fewer than five hidden), the ten most pressing gaps with the reasons, the
    mentor supply for the skills mentees need, and the focus skills chosen.
    """
    if not all(workspace.table_path(t).is_file() for t in GAP_TABLES):
        return None
    tables = checked_tables(workspace)
    skills = tables["skills"]
    gaps = person_gaps(tables)
    known = coverage(gaps)
    ranked = prioritised_gaps(gaps, skills, top=10)
    supply, left_out = hide_small_demand(supply_demand(gaps, tables, design=design))
    names = dict(zip(skills["skill_id"], skills["name"]))
    focus = ", ".join(names.get(s, s) for s in design.align.focus_skills) or "none chosen yet"
    share = "-" if known["share"] is None else f"{known['share']:.0%}"
    intro = (f"{known['assessed']:,} of {known['required']:,} required skill levels are assessed ({share}); "
             "unknown levels are left out, never counted as a gap. Program focus skills: " + focus + ".")
    rows = [("" if r.hidden else str(r.rank), r.name, r.reason) for r in ranked.itertuples()]
    shortages = supply[supply["status"] == "shortage"]
    short_text = " ".join(filter(None, (supply_demand_caption(supply), small_demand_note(left_out))))
    if format == "md":
        lines = [md_text(intro), "", *md_table(("Rank", "Skill", "Why"), rows), "",
                 md_text(short_text.replace("the chart compares", "this compares"))]
        return "Skill gaps", "\n".join(lines)
    by_cell = aggregate(gaps, ["department", "skill_id"])
    fragment = (f"<p>{escape(intro)}</p>"
                f"<figure>{chart_svg(gap_heatmap(by_cell, skills), prefix='gaps')}"
                f"<figcaption>{escape(gap_heatmap_caption(by_cell, skills))}</figcaption></figure>"
                "<h3>The most pressing gaps</h3>" + html_table(("Rank", "Skill", "Why"), rows, numeric=(0,))
                + f"<h3>Mentor supply</h3><figure>{chart_svg(supply_demand_chart(supply), prefix='supply')}"
                f"<figcaption>{escape(short_text)}</figcaption></figure>"
                + (html_table(("Skill", "Mentees who need it", "Mentor places", "Short by"),
                              [(r.name, f"{r.demand:,}", f"{r.supply:,}", f"{r.demand - r.supply:,}")
                                for r in shortages.itertuples()], numeric=(1, 2, 3)) if len(shortages) else ""))
    return "Skill gaps", fragment


def _share(value) -> str:
    return "-" if value is None else f"{value:.0%}"


def _score(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def matching_section(workspace: Workspace, *, format: str = "html") -> tuple[str, str] | None:
    """The "Matching" section: the saved matching's settings and figures (never names), or ``None``."""
    saved = saved_matching(workspace)
    if saved is None:
        return None
    settings, s = saved.settings, saved.summary()
    weights = ", ".join(f"{k} {v:g}" for k, v in (settings.get("weights") or {}).items()) or "none"
    rules = ", ".join(r.replace("_", " ") for r in settings.get("hard_rules") or []) or "none beyond the defaults"
    intro = (f"Matching saved on {settings.get('matched_at', '-')}: {str(s.get('structure', '-')).replace('_', '-')} "
             f"structure, {str(s.get('method', '-')).replace('_', ' ')} method, seed {settings.get('seed', '-')}, "
             f"cohort {s.get('cohort') or '-'}. Criterion weights: {weights}. Hard rules: {rules}. "
             f"Pinned pairs: {len(settings.get('pinned') or [])}; forbidden pairs: {len(settings.get('forbidden') or [])}.")
    rows = [("Mentees matched", f"{s.get('matched_mentees', 0):,} of {s.get('mentees', 0):,} "
                                f"({_share(s.get('match_rate'))})"),
            ("Score (0-1): mean / median / worst", f"{_score(s.get('mean_score'))} / {_score(s.get('median_score'))} / "
                                                   f"{_score(s.get('worst_score'))}"),
            ("Needed skills covered", _share(s.get("skills_covered"))),
            ("Mentor capacity used", _share(s.get("capacity_use"))),
            ("Blocking pairs", "-" if s.get("blocking_pairs") is None else f"{s['blocking_pairs']:,}"),
            ("Proven optimal", {True: "yes", False: "no"}.get(s.get("optimal"), "not applicable"))]
    notes = list(saved.messages)
    if format == "md":
        return "Matching", "\n".join([md_text(intro), "", *md_table(("Figure", "Value"), rows),
                                      *(["", *(f"- {md_text(n)}" for n in notes)] if notes else [])])
    return "Matching", (f"<p>{escape(intro)}</p>" + html_table(("Figure", "Value"), rows)
                        + "".join(f"<p>{escape(n)}</p>" for n in notes))


def _change_text(name: str, value) -> str:
    criterion = weight_criterion(name)
    words = (name if criterion is None else f"{criterion} weight").replace("_", " ")
    if isinstance(value, dict):
        value = ", ".join(f"{k} {v:g}" for k, v in value.items())
    elif isinstance(value, float):
        value = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    return f"{words} {str(value).replace('_', ' ')}"


def scenario_rows(record: SavedComparison) -> list[tuple[str, str, str, str]]:
    """A saved comparison's scenarios as table rows: name, what it changes, participants, within budget."""
    rows = []
    for entry in record.scenarios:
        name = entry.get("name", "-")
        changes = [_change_text(k, v) for k, v in (entry.get("overrides") or {}).items()]
        changes += [f"assumption {k.replace('_', ' ')} {v:g}" for k, v in (entry.get("parameters") or {}).items()]
        if name == record.baseline and not changes:
            s = entry.get("settings") or {}
            changes = [f"the design as saved: {str(s.get('structure', '-')).replace('_', '-')}, "
                       f"{s.get('duration_months', '-')} months, {s.get('cadence', '-')} meetings"]
        what = "; ".join(changes) or "no changes"
        if entry.get("description"):
            what = f"{entry['description']} ({what})"
        budget = entry.get("budget")
        within = "-" if not budget else f"{budget['p_within']:.0%} of runs"
        participants = (entry.get("cohort") or {}).get("participants")
        rows.append((name + (" (baseline)" if name == record.baseline else ""), what,
                     "-" if participants is None else f"{participants:,}", within))
    return rows


def scenario_table(record: SavedComparison) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The saved comparison's scenarios as ``(headers, rows)`` (:func:`scenario_rows`); the Within budget column
    is left out when no scenario has a budget (no column of dashes)."""
    headers, rows = ("Scenario", "What it changes", "Participants", "Within budget"), scenario_rows(record)
    if all(row[3] == "-" for row in rows):
        return headers[:3], [row[:3] for row in rows]
    return headers, rows


def comparison_intro(record: SavedComparison) -> str:
    """What a saved comparison is, in a paragraph: when, how many scenarios and runs, and how to read it."""
    headline = record.summary()
    return (f"Scenarios compared on {headline['saved_on']} with the outcome model: "
            f"{len(headline['scenarios'])} scenarios, {int(headline['runs'] or 0):,} simulated runs each (seed "
            f"{headline['seed']}), outcomes followed for {headline['horizon_months']} months. Effects "
            "are differences from a simulated comparison group of eligible non-participants; brackets give the 95% "
            "interval of the mean, and P(better) the share of runs in which a scenario beats the baseline. These "
            "are forecasts under the model's documented assumptions, not measurements.")


def whatif_section(workspace: Workspace, *, format: str = "html") -> tuple[str, str] | None:
    """The "What-if" section: the comparison saved on the What-if page (aggregates only), or ``None``.

    The scenarios with what each changes, the KPI table (effects with 95%
    intervals and P(better than the baseline)), the effects chart (HTML), and
    the assumptions that mattered most when a sensitivity analysis was saved.
    """
    record = saved_comparison(workspace)
    if record is None:
        return None
    table, headline = record.table(), record.summary()
    currency = headline["currency"]
    intro = comparison_intro(record)
    scenario_headers, scenarios = scenario_table(record)
    display = comparison_display(table)
    kpi_headers = ["Figure", *[f"{c} (baseline)" if c == record.baseline else c
                               for c in display.columns[1:]]]
    kpi_rows = [tuple(str(v) for v in row) for row in display.itertuples(index=False)]
    sensitivity = record.tornado
    notes = ""
    sensitivity_rows = []
    if sensitivity and sensitivity.get("rows"):
        kpi = sensitivity.get("kpi") or "retention"
        on = sensitivity.get("scenario")
        where = f" (computed on {'the design' if on in (None, 'design') else repr(on)})"
        notes = (f"The assumptions and design levers that matter most for {str(sensitivity.get('label', kpi)).lower()}"
                 f"{where}, each moved across its plausible range (a lever between two values) with the others "
                 "unchanged:")
        sensitivity_rows = [(str(r["parameter"]).replace("_", " ").capitalize()
                             + (" (design)" if r.get("kind") == "design" else ""),
                             r.get("range") or f"{r['low']:g} to {r['high']:g}",
                             f"{format_effect(kpi, r['at_low'], currency, sign=True)} to "
                             f"{format_effect(kpi, r['at_high'], currency, sign=True)}", str(r.get("source") or ""))
                            for r in sensitivity["rows"][:5]]
    sensitivity_headers = ("Assumption or design lever", "Range tried", "Result", "Source")
    if format == "md":
        lines = [md_text(intro), "", *md_table(scenario_headers, scenarios, numeric=(2,)),
                 "", *md_table(kpi_headers, kpi_rows)]
        if sensitivity_rows:
            lines += ["", md_text(notes), "", *md_table(sensitivity_headers, sensitivity_rows)]
        return "What-if", "\n".join(lines)
    chart = chart_svg(effects_chart(table, currency=currency), prefix="whatif")
    fragment = (f"<p>{escape(intro)}</p>"
                + html_table(scenario_headers, scenarios, numeric=(2,))
                + "<h3>Key figures</h3>" + html_table(kpi_headers, kpi_rows)
                + f"<figure>{chart}<figcaption>{escape('Each dot is a scenario mean, each bar its 95% interval.')}"
                  "</figcaption></figure>")
    if sensitivity_rows:
        fragment += f"<h3>Which assumptions matter most</h3><p>{escape(notes)}</p>" + html_table(sensitivity_headers,
                                                                                         sensitivity_rows)
    return "What-if", fragment


def default_sections(workspace: Workspace, design: ProgramDesign, *, format: str = "html") -> Sequence[tuple[str, str]]:
    """Every analysis section the workspace's data allows, in the order of the AXLES pages."""
    found = (skill_gap_section(workspace, design, format=format), matching_section(workspace, format=format),
             whatif_section(workspace, format=format))
    return [section for section in found if section is not None]
