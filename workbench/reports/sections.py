"""Sections the brief adds for the analyses a workspace's data allows (skill gaps so far)."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.charts.gaps import gap_heatmap, gap_heatmap_caption, supply_demand_caption, supply_demand_chart
from workbench.design.model import ProgramDesign
from workbench.gaps import aggregate, coverage, person_gaps, prioritised_gaps, supply_demand
from workbench.reports.brief import _e, _html_table, _md, _md_table, chart_svg
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
    tables = {name: workspace.read_table(name) for name in workspace.tables()}
    skills = tables["skills"]
    gaps = person_gaps(tables)
    known = coverage(gaps)
    ranked = prioritised_gaps(gaps, skills, top=10)
    supply = supply_demand(gaps, tables, design=design)
    names = dict(zip(skills["skill_id"], skills["name"]))
    focus = ", ".join(names.get(s, s) for s in design.align.focus_skills) or "none chosen yet"
    share = "-" if known["share"] is None else f"{known['share']:.0%}"
    intro = (f"{known['assessed']:,} of {known['required']:,} required skill levels are assessed ({share}); "
             "unknown levels are left out, never counted as a gap. Program focus skills: " + focus + ".")
    rows = [(str(r.rank), r.name, r.reason) for r in ranked.itertuples()]
    shortages = supply[supply["status"] == "shortage"]
    short_text = supply_demand_caption(supply)
    if format == "md":
        lines = [_md(intro), "", *_md_table(("Rank", "Skill", "Why"), rows), "",
                 _md(short_text.replace("the chart compares", "this compares"))]
        return "Skill gaps", "\n".join(lines)
    by_cell = aggregate(gaps, ["department", "skill_id"])
    fragment = (f"<p>{_e(intro)}</p>"
                f"<figure>{chart_svg(gap_heatmap(by_cell, skills), prefix='gaps')}"
                f"<figcaption>{_e(gap_heatmap_caption(by_cell, skills))}</figcaption></figure>"
                "<h3>The most pressing gaps</h3>" + _html_table(("Rank", "Skill", "Why"), rows, numeric=(0,))
                + f"<h3>Mentor supply</h3><figure>{chart_svg(supply_demand_chart(supply), prefix='supply')}"
                f"<figcaption>{_e(short_text)}</figcaption></figure>"
                + (_html_table(("Skill", "Mentees who need it", "Mentor places", "Short by"),
                               [(r.name, f"{r.demand:,}", f"{r.supply:,}", f"{r.demand - r.supply:,}")
                                for r in shortages.itertuples()], numeric=(1, 2, 3)) if len(shortages) else ""))
    return "Skill gaps", fragment


def default_sections(workspace: Workspace, design: ProgramDesign, *, format: str = "html") -> Sequence[tuple[str, str]]:
    """Every analysis section the workspace's data allows, in the order of the AXLES pages."""
    return [section for section in (skill_gap_section(workspace, design, format=format),) if section is not None]
