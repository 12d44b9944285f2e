import datetime
import html
import re
import shutil
from pathlib import Path

import pytest

from workbench.charts import headcount_chart
from workbench.data.importing import read_workspace_table
from workbench.reports.brief import brief_html, brief_markdown, write_brief
from workbench.design.catalogue import DECISIONS, describe_value
from workbench.readiness import Finding
from workbench.design.model import Align, Evaluate, Experience, Objective, ProgramDesign
from workbench.design.store import DesignError, save_design
from workbench.errors import WorkbenchError
from workbench.simulate.mechanisms import MECHANISMS
from workbench.workspace import DEMO_SOURCE, WorkspaceSettings, open_workspace, write_settings
from tests.conftest import WITHOUT_STORY

DAY = datetime.date(2025, 3, 14)
XSS = "<script>alert(1)</script>"

EXTERNAL = [
    re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"<script\b[^>]*\bsrc", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"<link\b", re.I),
]


@pytest.fixture
def workspace(tmp_path: Path):
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
    return open_workspace(tmp_path / "demo")


@pytest.fixture
def design() -> ProgramDesign:
    return ProgramDesign(
        name="Graduate retention | pilot",
        align=Align(business_problem="attrition", sponsor="Chief People Officer & co",
                    objectives=(Objective(id="retain", statement="Keep more graduates",
                                          kpi="annual exit rate of level 1-2 (%) | all sites", kind="retention",
                                          baseline=18.0, target=12.5, horizon_months=12),)),
        evaluate=Evaluate(metrics={"retain": ("HR exit data", "exit interviews")}),
        rationale={DECISIONS[0].id: f"Exits cost us most. {XSS}",
                   "experience.structure": "Line one\nline two",
                   "not.a.decision": "kept anyway"},
    )


@pytest.fixture
def findings() -> list[Finding]:
    return [
        Finding(check="demo_warning", severity="warning", title="Few mentors for the pilot",
                explanation="Only 12 people can mentor 30 mentees.", fix="Widen mentor eligibility.",
                decisions=("align.mentor_eligibility",)),
        Finding(check="demo_error", severity="error", title="Sensitive data <without> consent",
                explanation="Matching uses gender but the organisation did not opt in.",
                fix="Set the opt-in or drop the attribute.", decisions=("experience.sensitive_attributes",)),
        Finding(check="demo_info", severity="info", title="No start date", explanation="The launch has no date.",
                fix="Pick a start date.", decisions=()),
    ]


def render(workspace, design, findings, **kwargs) -> str:
    charts = [headcount_chart(read_workspace_table(workspace, "people"))]
    return brief_html(workspace, design, findings, generated=DAY, charts=charts, **kwargs)


def test_html_loads_nothing_from_outside(workspace, design, findings) -> None:
    page = render(workspace, design, findings)
    assert page.startswith("<!DOCTYPE html>")
    for pattern in EXTERNAL:
        assert not pattern.search(page), pattern.pattern
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()


def test_html_shows_every_decision_with_its_value(workspace, design, findings) -> None:
    page = render(workspace, design, findings)
    for decision in DECISIONS:
        assert f"<h3>{html.escape(decision.title)}</h3>" in page, decision.id
        assert html.escape(describe_value(design, decision.id)) in page, decision.id
        for evidence in decision.evidence:
            assert html.escape(evidence.source) in page
    # every decision says how the outcome model uses it, or that it does not quantify it and why
    article = page[page.index('id="d-experience.meeting_format"'):]
    article = article[:article.index("</article>")]
    why = MECHANISMS["experience.meeting_format"].how
    assert f"Outcome model</span> Not quantified. {html.escape(why)}" in article
    article = page[page.index('id="d-experience.cadence"'):]
    assert html.escape(MECHANISMS["experience.cadence"].how) in article[:article.index("</article>")]
    assert page.count('<span class="label">Outcome model</span>') == len(DECISIONS)
    # AXLES order: the step sections come in order, each decision inside its own step.
    positions = [page.index(f'id="step-{step}"') for step in ("align", "experience", "launch", "evaluate", "support")]
    assert positions == sorted(positions)
    assert page.index(f'id="d-{DECISIONS[0].id}"') < page.index(f'id="d-{DECISIONS[-1].id}"')


def test_html_escapes_everything_the_user_wrote(workspace, design, findings) -> None:
    page = render(workspace, design, findings)
    assert XSS not in page
    assert html.escape(XSS) in page
    assert "Exits cost us most." in page
    assert "Line one<br>line two" in page
    assert "Graduate retention | pilot" in page
    assert "Chief People Officer &amp; co" in page
    assert "Sensitive data &lt;without&gt; consent" in page
    assert "kept anyway" in page


def test_html_has_the_summary_objectives_and_findings(workspace, design, findings) -> None:
    page = render(workspace, design, findings)
    assert "Demo organisation" in page and "Generated 2025-03-14" in page
    assert "One-on-one" in page and "9 months" in page and "Every two weeks" in page
    assert "Reduce attrition" in page
    objectives = page[page.index('id="objectives"'):page.index('id="findings"')]
    for cell in ("Keep more graduates", "annual exit rate of level 1-2 (%) | all sites", ">18<", ">12.5<",
                 "12 months", "HR exit data; exit interviews"):
        assert cell in objectives
    open_findings = page[page.index('id="findings"'):page.index('id="organisation"')]
    assert open_findings.index("Errors (1)") < open_findings.index("Warnings (1)") < open_findings.index("Notes (1)")
    for finding in findings:
        assert html.escape(finding.explanation) in open_findings
        assert html.escape(finding.fix) in open_findings
    assert "1 error, 1 warning, 1 note" in page
    # The decision a finding concerns is flagged where it is described.
    card = page[page.index('id="d-experience.sensitive_attributes"'):]
    assert card.index("Sensitive data &lt;without&gt; consent") < card.index("</article>")


def test_html_inlines_the_headcount_chart_as_svg(workspace, design, findings) -> None:
    page = render(workspace, design, findings)
    organisation = page[page.index('id="organisation"'):]
    assert "<svg" in organisation
    assert "mark-rect" in organisation and "<path" in organisation
    assert "Current headcount by department and level" in organisation
    assert "people currently employed" in organisation and "people.csv" in organisation


def test_html_prints_one_step_per_page_on_a4(workspace, design, findings) -> None:
    page = render(workspace, design, findings)
    assert "@page { size: A4;" in page
    assert re.search(r"section\.step[^{]*\{[^}]*break-before: page", page)
    assert "break-inside: avoid" in page


def test_html_is_deterministic(workspace, design, findings) -> None:
    first = render(workspace, design, findings).encode()
    second = render(workspace, design, list(findings)).encode()
    assert first == second


def test_extra_sections_are_added_in_order(workspace, design) -> None:
    page = brief_html(workspace, design, [], generated=DAY,
                      extra_sections=[("Skill gaps", "<p>gap table</p>"), ("Matching", "<p>match table</p>")])
    assert page.index("<h2>Skill gaps</h2><p>gap table</p>") < page.index("<h2>Matching</h2><p>match table</p>")
    assert 'href="#extra-1"' in page
    assert "No open findings" in page


def test_a_workspace_without_data_still_gets_a_brief(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    write_settings(folder, WorkspaceSettings(name="Empty"))
    page = brief_html(open_workspace(folder), ProgramDesign(), [], generated=DAY)
    assert "<svg" not in page
    assert "no data tables yet" in page
    assert "None set yet" in page



def test_markdown_has_the_same_content(workspace, design, findings) -> None:
    text = brief_markdown(workspace, design, findings, generated=DAY)
    for decision in DECISIONS:
        assert f"### {decision.title}" in text, decision.id
    assert text.count("*Outcome model:* Not quantified.") == sum(not m.modelled for m in MECHANISMS.values())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and XSS not in text
    assert "> Line one\n> line two" in text
    assert "| Keep more graduates | annual exit rate of level 1-2 (%) \\| all sites | 18 | 12.5 | 12 months |" in text
    assert "### Errors (1)" in text and "Sensitive data &lt;without&gt; consent" in text
    assert "Generated 2025-03-14" in text
    assert "<svg" not in text
    assert text == brief_markdown(workspace, design, findings, generated=DAY)


def test_write_brief_checks_the_saved_design(workspace, tmp_path: Path) -> None:
    save_design(workspace, ProgramDesign(name="Saved design", experience=Experience(sensitive_attributes=("gender",))))
    out = write_brief(open_workspace(workspace.path), tmp_path / "brief.html", generated=DAY)
    page = out.read_text(encoding="utf-8")
    assert out == tmp_path / "brief.html"
    assert "Saved design" in page and "Errors (" in page
    md = write_brief(open_workspace(workspace.path), tmp_path / "brief.md", generated=DAY)
    assert md.read_text(encoding="utf-8").startswith("# Saved design")
    plain = write_brief(workspace, tmp_path / "brief.txt", format="md", generated=DAY)
    assert plain.read_text(encoding="utf-8").startswith("# Saved design")
    assert not list(tmp_path.glob(".brief*"))


def test_write_brief_refuses_what_it_cannot_write(workspace, tmp_path: Path) -> None:
    with pytest.raises(WorkbenchError, match=r"\.html or \.md"):
        write_brief(workspace, tmp_path / "brief.pdf")
    with pytest.raises(WorkbenchError, match="html or md"):
        write_brief(workspace, tmp_path / "brief.html", format="pdf")
    with pytest.raises(WorkbenchError, match="does not exist"):
        write_brief(workspace, tmp_path / "missing" / "brief.html")
    (workspace.path / "design.yaml").write_text("experience:\n  duration_months: 0\n", encoding="utf-8")
    with pytest.raises(DesignError, match="experience.duration_months"):
        write_brief(workspace, tmp_path / "brief.html")
    assert not (tmp_path / "brief.html").exists()


def test_the_brief_includes_the_skill_gaps_when_the_data_allows(tmp_path) -> None:
    import shutil

    from workbench.reports.sections import default_sections
    from workbench.workspace import open_workspace

    shutil.copytree(Path(__file__).resolve().parents[2] / "datasets" / "demo", tmp_path / "ws", ignore=WITHOUT_STORY)
    ws = open_workspace(tmp_path / "ws")
    out = write_brief(ws, tmp_path / "brief.html", generated=DAY)
    text = out.read_text(encoding="utf-8")
    assert "Skill gaps" in text and "The most pressing gaps" in text and "Active Learning" in text
    assert text.count("<svg") >= 3  # headcount, the gap heat map, mentor supply
    markdown = write_brief(ws, tmp_path / "brief.md", generated=DAY).read_text(encoding="utf-8")
    assert "## Skill gaps" in markdown or "Skill gaps" in markdown
    (ws.path / "requirements.csv").unlink()
    assert default_sections(open_workspace(ws.path), ProgramDesign()) == []


def test_the_brief_includes_the_saved_matching_without_names(tmp_path) -> None:
    from workbench.data.importing import read_workspace_tables
    from workbench.design.store import load_design
    from workbench.matching import match, save_matching
    from workbench.reports.sections import matching_section

    ws = open_workspace(shutil.copytree(DEMO_SOURCE, tmp_path / "ws", ignore=WITHOUT_STORY))
    assert matching_section(ws) is None
    tables, _ = read_workspace_tables(ws)
    result = match(tables, load_design(ws), method="fair")
    ws = save_matching(ws, result)
    text = write_brief(ws, tmp_path / "brief.html", generated=DAY).read_text(encoding="utf-8")
    assert "Matching" in text and "fair method" in text
    assert f"{result.summary()['matched_mentees']} of {result.summary()['mentees']}" in text
    assert not any(pid in text for pid in result.pairs["mentee_id"])  # figures only, never who
    markdown = write_brief(ws, tmp_path / "brief.md", generated=DAY).read_text(encoding="utf-8")
    assert "Mentees matched" in markdown



def test_the_brief_counts_the_data_warnings_in_a_note(workspace, design, findings) -> None:
    people = read_workspace_table(workspace, "people")
    rows = people.index[people["exit_date"].eq("")][:2]
    people.loc[rows, "exit_date"] = "9999-12-31"
    people.to_csv(workspace.table_path("people"), index=False)
    assert "Data warnings" not in brief_markdown(open_workspace(DEMO_SOURCE), design, findings, generated=DAY)
    page = render(workspace, design, findings)
    assert "<h3>Data warnings</h3>" in page
    assert ("<tr><td>people.csv</td><td>exit_date</td><td class=\"num\">2</td><td>more than 10 years ahead: a "
            "placeholder? Leave it blank for people still employed.</td></tr>") in page
    markdown = brief_markdown(workspace, design, findings, generated=DAY)
    assert "### Data warnings" in markdown and "| people.csv | exit_date | 2 | more than 10 years ahead" in markdown
    assert "9999-12-31" not in page + markdown  # counted, not listed: the brief is shared


def test_the_objectives_carry_their_minimum_detectable_effect(workspace, design, findings) -> None:
    from workbench.evaluate.power import objective_power

    tables = {name: read_workspace_table(workspace, name) for name in ("people", "enrolment", "meetings", "survey")}
    power = objective_power(design, tables, runs=50)
    sentence = power[0].sentence()
    assert "minimum detectable effect" in sentence
    page = render(workspace, design, findings, power=power)
    objectives = page[page.index('id="objectives"'):page.index('id="findings"')]
    assert "<h3>Minimum detectable effect</h3>" in objectives and html.escape(sentence) in objectives
    md = brief_markdown(workspace, design, findings, generated=DAY, power=power)
    assert f"- **Keep more graduates.** {sentence}" in md
    assert md.index("### Minimum detectable effect") < md.index("## Open findings")
    assert "Minimum detectable effect" not in render(workspace, design, findings)
