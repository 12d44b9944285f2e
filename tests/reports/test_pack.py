"""The stakeholder pack: static pages, charts drawn in the page from inline specs, nobody named, small groups hidden."""

from __future__ import annotations

import datetime
import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import workbench.reports
from workbench.charts.common import NO_DATA, no_data_chart
from workbench.charts.embed import DRAW_JS, vega_runtime
from workbench.data.importing import read_workspace_tables
from workbench.design.model import Align, Evaluate, Objective, ProgramDesign
from workbench.design.store import load_design, save_design
from workbench.errors import WorkbenchError
from workbench.matching import match, save_matching
from workbench.privacy import MIN_GROUP
from workbench.reports import evaluation as evaluation_module
from workbench.reports import pack as pack_module
from workbench.reports.pack import GAPS_CSV, MANIFEST, PAGES, WITHHELD, write_pack
from workbench.whatif import BASELINE, SavedComparison, Scenario, run_scenarios, save_comparison, tornado
from workbench.workspace import ensure_demo_workspace, open_workspace

from tests.conftest import demo_home

DAY = datetime.date(2025, 3, 14)
XSS = "<script>alert(1)</script>"
PAGE_FILES = [file for _, file, _ in PAGES]
QUICK = {"resamples": 200, "runs": 20}  # the evaluation's bootstrap and forecast, small for speed
SPEC = re.compile(r'<script type="application/json" class="wb-spec" data-chart="([^"]+)">(.*?)</script>', re.S)
OUTSIDE = [
    re.compile(r"(?:https?:|ftp:|wss?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.I),
    re.compile(r"\bsrc\s*=", re.I),
    re.compile(r"<link\b", re.I),
    re.compile(r"@import", re.I),
    re.compile(r"url\(", re.I),
    re.compile(r"<iframe\b|<object\b|<embed\b|<img\b", re.I),
    re.compile(r"\bfetch\(|XMLHttpRequest|EventSource|WebSocket", re.I),
]


def _copy_demo(root: Path, name: str) -> Path:
    """A copy of the demo's tables with a new design, opened the way the app opens it (``ensure_demo_workspace``)."""
    home = root / f"home-{name}"
    source = ensure_demo_workspace(demo_home(home))
    return Path(shutil.move(str(source), str(root / name)))


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    return pd.read_csv(Path(workbench.__file__).resolve().parents[1] / "datasets" / "demo" / "people.csv",
                       dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, people: pd.DataFrame):
    """The demo with a design (naming people on purpose), a saved matching and a saved what-if comparison."""
    root = tmp_path_factory.mktemp("full")
    workspace = open_workspace(_copy_demo(root, "acme"))
    sponsor, owner, someone = people.iloc[0], people.iloc[1], people.iloc[2]
    design = ProgramDesign(
        name="Graduate <b>retention</b> & growth",
        align=Align(business_problem="attrition", sponsor=sponsor["name"], owner=owner["email"],
                    objectives=(Objective(id="retain", statement=f"Keep more graduates (ask {someone['person_id']})",
                                          kpi="annual exit rate (%)", kind="retention", baseline=18.0, target=12.5,
                                          horizon_months=12),)),
        evaluate=Evaluate(metrics={"retain": ("HR exit data",)}),
        rationale={"align.business_problem": f"Exits cost us most. {XSS}"},
    )
    workspace = save_design(workspace, design)
    tables, _ = read_workspace_tables(workspace)
    workspace = save_matching(workspace, match(tables, load_design(workspace), seed=0))
    scenarios = [BASELINE, Scenario("A year <i>", overrides={"duration_months": 12}, description="longer & deeper")]
    batch = run_scenarios(tables, load_design(workspace), scenarios, runs=60, seed=5, executor=False)
    sensitivity = tornado(tables, load_design(workspace), "retention",
                          parameters=["turnover_reduction", "maturity_months"], levers=[], runs=20,
                          executor=False)
    workspace = save_comparison(workspace, SavedComparison.of(batch.finished(), scenarios=scenarios,
                                                             tornado=sensitivity, saved_on=DAY))
    result = write_pack(workspace, root / "pack", generated=DAY, **QUICK)
    return workspace, result


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    """The demo as the app copies it: no design, no saved matching, no saved comparison."""
    root = tmp_path_factory.mktemp("demo")
    workspace = open_workspace(_copy_demo(root, "demo"))
    return workspace, write_pack(workspace, root / "pack", generated=DAY, **QUICK)


@pytest.fixture(scope="module")
def unmeasured(tmp_path_factory: pytest.TempPathFactory):
    """The demo with a design whose one objective cannot be measured (promotions: people.csv has no dates)."""
    root = tmp_path_factory.mktemp("unmeasured")
    folder = _copy_demo(root, "acme")
    people = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    (folder / "people.csv").write_text(people.drop(columns="promotion_date").to_csv(index=False), encoding="utf-8")
    workspace = open_workspace(folder)
    design = ProgramDesign(name="Promotions", align=Align(objectives=(
        Objective(id="promote", statement="Promote more graduates", kpi="annual promotion rate (%)", kind="promotion",
                  baseline=10.0, target=15.0, horizon_months=12),)))
    workspace = save_design(workspace, design)
    return workspace, write_pack(workspace, root / "pack", generated=DAY, resamples=200, runs=0)


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """The demo without the cohort's meetings and surveys (nothing to evaluate): a quick pack."""
    folder = _copy_demo(tmp_path, "bare")
    (folder / "meetings.csv").unlink()
    (folder / "survey.csv").unlink()
    return folder


def _pages(result) -> dict[str, str]:
    return {name: (result.path / name).read_text(encoding="utf-8") for name in PAGE_FILES}


def _specs(text: str) -> list[tuple[str, dict]]:
    return [(chart_id, json.loads(body)) for chart_id, body in SPEC.findall(text)]


def _rows(spec: dict) -> list[dict]:
    rows = [row for values in (spec.get("datasets") or {}).values() for row in values]

    def walk(node) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("values"), list):
                rows.extend(r for r in data["values"] if isinstance(r, dict))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in spec.items() if k != "datasets"})
    return rows


# ---------------------------------------------------------------------------
# What is written


def test_every_page_is_written_with_navigation_workspace_date_and_a_plain_explanation(full) -> None:
    workspace, result = full
    assert result.pages == tuple(PAGE_FILES) and result.missing == {}
    assert set(result.files) == {*PAGE_FILES, MANIFEST, GAPS_CSV}
    assert result.bytes == sum((result.path / f).stat().st_size for f in result.files)
    assert sorted(p.name for p in result.path.parent.iterdir() if p.name.startswith(".pack")) == []  # no staging left
    for name, text in _pages(result).items():
        assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"), name
        nav = re.search(r'<nav class="pack".*?</nav>', text, re.S).group(0)
        assert [f for f in re.findall(r'href="([^"]+)"', nav)] == PAGE_FILES, name
        assert re.search(rf'href="{re.escape(name)}"[^>]*aria-current="page"', nav), name
        assert html.escape(workspace.name) in nav and f"Generated {DAY.isoformat()}" in text, name
        assert "What this page shows." in text and "Keep in mind." in text, name
    manifest = json.loads((result.path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["kind"] == "workbench-stakeholder-pack" and manifest["generated"] == DAY.isoformat()
    assert all(page["included"] for page in manifest["pages"]) and manifest["missing"] == {}


def test_each_page_carries_its_content(full) -> None:
    _, result = full
    pages = _pages(result)
    design = pages["design.html"]
    # The brief's own content: every AXLES step, the decisions, objectives, findings and organisation.
    for anchor in ("summary", "step-align", "step-experience", "step-launch", "step-evaluate", "step-support",
                   "objectives", "findings", "organisation"):
        assert f'id="{anchor}"' in design
    assert "Business problem" in design and "Reasons recorded for" in design
    gaps = pages["skill-gaps.html"]
    assert "Where the gaps are" in gaps and "The most pressing gaps" in gaps and GAPS_CSV in gaps
    matching = pages["matching.html"]
    assert "Mentees matched" in matching and "Who gets matched" in matching and "seed 0" in matching
    whatif = pages["what-if.html"]
    assert "Scenarios compared on 2025-03-14" in whatif and "Which assumptions matter most" in whatif
    evaluation = pages["evaluation.html"]
    assert "Cohort" in evaluation and "Who stayed?" in evaluation and "seed 0, 200 bootstrap resamples" in evaluation
    assert "not proof" in evaluation
    index = pages["index.html"]
    assert index.count('class="card"') == 5 and "Not yet" not in index


def test_the_evaluation_is_the_one_workbench_evaluate_computes(full) -> None:
    from workbench.evaluate import evaluate_workspace

    workspace, result = full
    expected = evaluate_workspace(workspace, seed=0, **QUICK).to_json()
    hr = expected["retention"]["hazard_ratio"]
    text = (result.path / "evaluation.html").read_text(encoding="utf-8")
    assert f"{hr['estimate']:.2f} (95% interval {hr['low']:.2f} to {hr['high']:.2f})" in text


# ---------------------------------------------------------------------------
# Charts: drawn in the page, nothing from outside


def test_one_runtime_per_page_with_charts_and_no_outside_url_in_any_file(full) -> None:
    _, result = full
    runtime = vega_runtime()
    assert "window.vegaEmbed" in runtime
    for name in result.files:
        text = (result.path / name).read_text(encoding="utf-8")
        if name.endswith(".html"):
            charted = bool(SPEC.search(text))
            assert text.count(runtime) == (1 if charted else 0), name
            assert text.count(DRAW_JS) == (1 if charted else 0), name
            text = text.replace(runtime, "")  # the bundle's own strings (XML namespaces) are not requests
        found = [p.pattern for p in OUTSIDE if p.search(text)]
        assert found == [], (name, found)
    # The runtime requests nothing by itself either: the only URLs in it are namespaces and help links.
    urls = set(re.findall(r"https?://[^\s\"'`)]+", runtime))
    assert {u for u in urls if not u.startswith(("http://www.w3.org/", "https://vega.github.io/",
                                                 "https://github.com/vega/"))} == set()


def test_every_chart_spec_parses_as_json_has_data_and_a_place_to_draw(full) -> None:
    _, result = full
    counts = {}
    for name, text in _pages(result).items():
        specs = _specs(text)
        counts[name] = len(specs)
        for chart_id, spec in specs:
            assert f'<div class="wb-chart" id="{chart_id}"' in text, (name, chart_id)
            assert "$schema" not in spec
            assert _rows(spec), (name, chart_id)  # data inlined in the spec
    assert counts == {"index.html": 1, "design.html": 0, "skill-gaps.html": 3, "matching.html": 5,
                      "what-if.html": 2, "evaluation.html": 9}  # evaluation: promotion (people.csv has dates) and
    # the objectives' trajectories too
    assert result.charts == sum(counts.values())


def test_no_chart_is_drawn_empty_in_any_pack(full, demo, unmeasured) -> None:
    for _, result in (full, demo, unmeasured):
        for name, text in _pages(result).items():
            for chart_id, spec in _specs(text):
                assert NO_DATA not in json.dumps(spec), (result.path, name, chart_id)
    # Without a design there are no objectives: no chart, the scorecard's caption says why.
    evaluation = _pages(demo[1])["evaluation.html"]
    assert ('<h2>Objectives</h2><p class="none">The design has no objectives yet (Align): there is nothing to '
            "score.</p>") in evaluation


def test_objectives_that_are_not_measured_get_a_note_not_an_empty_chart(unmeasured) -> None:
    _, result = unmeasured
    evaluation = _pages(result)["evaluation.html"]
    section = evaluation[evaluation.index("<h2>Objectives</h2>"):]
    assert section.startswith('<h2>Objectives</h2><p class="none">Of 1 objective: 1 not measured.')
    assert "Objectives: where the program stands" not in evaluation  # the chart is left out
    assert "people.csv has no promotion_date column" in section  # the table says why it was not measured
    # The tile says it was not measured, in the scorecard's words, not "0 of 1 objectives met".
    assert "<div><strong>1</strong><span>objective not measured</span></div>" in evaluation
    assert "objectives met" not in evaluation


def test_the_evaluation_page_uses_the_evaluation_reports_helpers() -> None:
    # One place for the tiles, the outcome tables and points (tested in tests/reports/test_evaluation.py).
    for name in ("_headline", "_outcome_tables", "_points"):
        assert getattr(pack_module, name) is getattr(evaluation_module, name), name
    assert not hasattr(pack_module, "_objectives_text")  # the report's objectives_text, through _headline


def test_a_chart_with_nothing_to_draw_is_left_out_with_its_caption() -> None:
    figures = pack_module._Figures()
    assert figures.figure(no_data_chart("Anything"), "Nothing to draw: no objective was measured.") == \
        '<p class="none">Nothing to draw: no objective was measured.</p>'
    assert figures.specs == []


def test_the_evaluation_page_shows_the_objectives_trajectories_as_a_chart_and_a_table(full) -> None:
    from workbench.evaluate import evaluate_workspace
    from workbench.evaluate.scorecard import trajectory_table

    workspace, result = full
    expected = evaluate_workspace(workspace, seed=0, **QUICK).trajectories
    assert len(expected)  # the demo's cohort has passed 6 months of its 12-month objective
    text = (result.path / "evaluation.html").read_text(encoding="utf-8")
    section = text[text.index("<h3>Over time, cohort by cohort</h3>"):text.index("<h2>The forecast against")]
    ((_, spec),) = _specs(section)
    drawn = [row for row in _rows(spec) if "observed" in row]
    assert sorted((r["cohort"], r["months"], r["observed"]) for r in drawn) == sorted(
        (r.cohort, r.months, r.observed) for r in expected.itertuples() if pd.notna(r.observed))
    table = trajectory_table(expected)
    rows = re.findall(r"<tr>(.*?)</tr>", section.split("</figure>", 1)[1])
    cells = [[html.unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)] for row in rows]
    assert cells == [list(table.columns), *table.astype(str).to_numpy().tolist()]
    assert cells[0][-1] == "6 months" and cells[1][:3] == ["retain", "everyone", "2025"]


def test_differences_of_shares_are_in_percentage_points(full) -> None:
    _, result = full
    pages = _pages(result)
    evaluation = re.sub(r"<script\b.*?</script>", "", pages["evaluation.html"], flags=re.S)
    assert re.search(r"<strong>[+-]\d+\.\d points</strong><span>retention after \d+ months, participants minus "
                     r"comparison \([+-]\d+\.\d points to [+-]\d+\.\d points\)</span>", evaluation)
    assert re.search(r'<td>Difference</td><td class="num">[+-]\d+\.\d points</td>', evaluation)
    # By department and level: every difference is in points.
    by_group = evaluation[evaluation.index("<h3>By department and level</h3>"):]
    by_group = by_group[:by_group.index("</table>")]
    last_cells = re.findall(r'<td class="num">([^<]*)</td></tr>', by_group)
    assert last_cells and all(cell.endswith(" points") for cell in last_cells), last_cells
    # No signed percentage (a difference) anywhere on the page or in the overview's card.
    assert re.findall(r"[+-]\d+(?:\.\d+)?%", evaluation) == []
    assert re.search(r"Still employed after \d+ months: [+-]\d+\.\d points against the comparison group",
                     pages["index.html"])


def test_the_participants_rule_is_not_in_double_brackets(full) -> None:
    _, result = full
    evaluation = _pages(result)["evaluation.html"]
    participants = re.search(r"<dt>Participants</dt><dd>(.*?)</dd>", evaluation).group(1)
    assert re.fullmatch(r"\d+, [^;]+; \d+ with comparable non-participants", participants), participants
    assert "((" not in participants and "))" not in participants


# ---------------------------------------------------------------------------
# Privacy


def test_no_person_id_name_or_email_appears_in_any_file(full, people: pd.DataFrame) -> None:
    _, result = full
    identifiers = [v for column in ("person_id", "name", "email") for v in people[column] if v.strip()]
    identifiers += [html.escape(v) for v in identifiers if html.escape(v) != v]
    runtime = vega_runtime()
    # Every file is scanned whole; the runtime, the same in every page, is scanned once.
    assert [v for v in identifiers if v in runtime] == []
    for name in result.files:
        text = (result.path / name).read_text(encoding="utf-8").replace(runtime, "")
        leaked = [v for v in identifiers if v in text]
        assert leaked == [], (name, leaked[:5])
    # The design named a sponsor, an owner's e-mail and an id: withheld, and said so.
    design = (result.path / "design.html").read_text(encoding="utf-8")
    assert f"Sponsor: {WITHHELD}; Owner: {WITHHELD}" in design and f"(ask {WITHHELD})" in design
    assert result.withheld >= 3


def test_small_groups_are_hidden_in_charts_tables_and_the_download(full) -> None:
    _, result = full
    pages = _pages(result)
    hidden_rows = 0
    for name, text in pages.items():
        for chart_id, spec in _specs(text):
            for row in _rows(spec):
                hidden = row.get("hidden") is True or str(row.get("status", "")).startswith("hidden")
                if hidden:
                    hidden_rows += 1
                    figures = {k: v for k, v in row.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
                               and k != "bar"}
                    assert all(v is None for v in figures.values()), (name, chart_id, row)
                elif isinstance(row.get("people"), (int, float)) and not isinstance(row.get("people"), bool):
                    assert row["people"] >= MIN_GROUP, (name, chart_id, row)
    assert hidden_rows > 0  # the demo has small departments: they are there, and hidden
    assert "hidden: fewer than 5 people" in pages["matching.html"]
    table = pd.read_csv(result.path / GAPS_CSV, dtype=str, keep_default_na=False)
    assert {"department", "skill_id", "skill", "people", "gap_share", "hidden"} <= set(table.columns)
    hidden = table["hidden"] == "True"
    assert hidden.any() and (table.loc[hidden, ["people", "assessed", "gap_share", "mean_gap"]] == "").all().all()
    assert (pd.to_numeric(table.loc[~hidden, "people"]) >= MIN_GROUP).all()
    assert "person_id" not in table.columns


def test_text_from_the_client_is_escaped(full) -> None:
    _, result = full
    pages = _pages(result)
    for name, text in pages.items():
        body = text.replace(vega_runtime(), "")
        assert XSS not in body and "<b>retention</b>" not in body and "<i>" not in body, name
    assert "Graduate &lt;b&gt;retention&lt;/b&gt; &amp; growth" in pages["design.html"]
    assert "A year &lt;i&gt;" in pages["what-if.html"] and "longer &amp; deeper" in pages["what-if.html"]
    # In a spec, text cannot end the script element it sits in.
    assert "A year \\u003ci\\u003e" in pages["what-if.html"]


def test_the_filter_finds_ids_names_and_emails_but_not_lookalikes() -> None:
    people = pd.DataFrame({"person_id": ["P001", "1234", "E-17"], "name": ["Ana Li", "Seán O'Brien", "Bo"],
                           "email": ["ana.li@example.com", "", "bo@x.org"]})
    find = pack_module._PeopleFilter(people)
    text, count = find.redact("Ana Li (P001, ANA.LI@example.com) met Se\u00e1n O&#x27;Brien and Bo in room 1234; "
                              "P0012, Ana Lima, Boston, E-17.")
    assert text == (f"{WITHHELD} ({WITHHELD}, {WITHHELD}) met {WITHHELD} and {WITHHELD} in room 1234; "
                    f"P0012, Ana Lima, Boston, {WITHHELD}.")
    assert count == 6


# ---------------------------------------------------------------------------
# Missing parts and bad input


def test_missing_parts_get_a_page_saying_how_to_make_them(demo) -> None:
    _, result = demo
    assert set(result.missing) == {"Design", "Matching", "What-if"}
    pages = _pages(result)
    assert "Not in this pack yet" in pages["design.html"] and "Save design" in pages["design.html"]
    assert "workbench match" in pages["matching.html"] and "--save" in pages["matching.html"]
    assert "Save results to the brief" in pages["what-if.html"]
    for name in ("design.html", "matching.html", "what-if.html"):
        assert vega_runtime() not in pages[name] and 'class="missing" aria-current="page"' in pages[name]
    assert pages["index.html"].count("Not yet") == 3
    assert "Who stayed?" in pages["evaluation.html"] and "Where the gaps are" in pages["skill-gaps.html"]
    manifest = json.loads((result.path / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["missing"]) == {"Design", "Matching", "What-if"}
    assert all(set(v) == {"what", "how"} for v in manifest["missing"].values())


def test_no_evaluable_cohort_and_no_gap_tables_are_reported(bare: Path, tmp_path: Path) -> None:
    (bare / "requirements.csv").unlink()
    result = write_pack(open_workspace(bare), tmp_path / "pack", generated=DAY, **QUICK)
    assert set(result.missing) == {"Design", "Skill gaps", "Matching", "What-if", "Evaluation"}
    what, how = result.missing["Evaluation"]
    assert "No cohort could be evaluated" in what and "workbench evaluate" in how
    assert "requirements.csv" in result.missing["Skill gaps"][0]
    assert GAPS_CSV not in result.files and (result.path / "index.html").is_file()


def test_the_download_is_safe_to_open_in_a_spreadsheet(bare: Path, tmp_path: Path) -> None:
    skills = pd.read_csv(bare / "skills.csv", dtype=str, keep_default_na=False)
    skills.loc[:, "name"] = "=HYPERLINK(\"x\")" + skills["name"]
    skills.to_csv(bare / "skills.csv", index=False)
    result = write_pack(open_workspace(bare), tmp_path / "pack", generated=DAY, **QUICK)
    table = pd.read_csv(result.path / GAPS_CSV, dtype=str, keep_default_na=False)
    assert table["skill"].str.startswith("'=HYPERLINK").all()


def test_a_bad_out_is_refused_and_nothing_is_changed(bare: Path, tmp_path: Path) -> None:
    workspace = open_workspace(bare)
    with pytest.raises(WorkbenchError, match="does not exist"):
        write_pack(workspace, tmp_path / "nowhere" / "pack")
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="is a file"):
        write_pack(workspace, tmp_path / "file.txt")
    # Inside a file: the file exists, it is just not a folder.
    with pytest.raises(WorkbenchError) as caught:
        write_pack(workspace, tmp_path / "file.txt" / "pack")
    assert str(caught.value) == (f"Cannot create the folder {tmp_path / 'file.txt' / 'pack'}: "
                                 f"{tmp_path / 'file.txt'} is a file, not a folder.")
    with pytest.raises(WorkbenchError, match="File name too long"):
        write_pack(workspace, tmp_path / ("x" * 300))
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="--force"):
        write_pack(workspace, keep)
    assert [p.name for p in keep.iterdir()] == ["notes.txt"]
    assert write_pack(workspace, keep, force=True, generated=DAY, **QUICK).path == keep
    assert not (keep / "notes.txt").exists() and (keep / "index.html").is_file()
    # An earlier pack is replaced without --force.
    (keep / "index.html").write_text("old", encoding="utf-8")
    write_pack(workspace, keep, generated=DAY, **QUICK)
    assert (keep / "index.html").read_text(encoding="utf-8") != "old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failure_leaves_no_half_written_pack(bare: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = open_workspace(bare)
    out = tmp_path / "pack"
    write_pack(workspace, out, generated=DAY, **QUICK)
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pack_module, "_evaluation_page", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_pack(workspace, out, generated=DAY, **QUICK)
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # the earlier pack, intact
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left
    monkeypatch.undo()
    fresh = tmp_path / "fresh"

    def cannot_write(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pack_module.tempfile, "mkdtemp", cannot_write)
    with pytest.raises(WorkbenchError, match="Permission denied"):
        write_pack(workspace, fresh)
    assert not fresh.exists()

    def refused(*args, **kwargs):  # what /proc answers
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(pack_module.tempfile, "mkdtemp", refused)
    with pytest.raises(WorkbenchError) as caught:
        write_pack(workspace, fresh)
    assert str(caught.value) == (f"Cannot create the folder {fresh}: {tmp_path} does not allow new folders "
                                 "(No such file or directory).")
    assert not fresh.exists()


def test_the_reports_package_exports_write_pack() -> None:
    assert workbench.reports.write_pack is write_pack
    assert "write_pack" in workbench.reports.__all__


# ---------------------------------------------------------------------------
# In a browser, from disk


@pytest.mark.browser
def test_the_pack_draws_its_charts_from_disk_without_any_request_outside(browser_page, full, tmp_path: Path) -> None:
    _, result = full
    page = browser_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for name, expected in (("index.html", 1), ("skill-gaps.html", 3), ("evaluation.html", 9)):
        page.goto((result.path / name).as_uri())
        page.wait_for_function(f"() => document.querySelectorAll('.wb-chart svg').length === {expected}")
        assert page.locator(".wb-chart-error").count() == 0
        marks = page.locator(".wb-chart svg g[class*='mark-'] path, .wb-chart svg g[class*='mark-'] line, "
                             ".wb-chart svg g[class*='mark-'] text")
        assert marks.count() > 10, name
        for index in range(expected):
            chart = page.locator(".wb-chart").nth(index)
            assert chart.locator("svg g[class*='mark-'] > *").count() > 0, (name, index)
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    # The navigation bar leads to the other pages, on disk.
    page.locator("nav.pack a", has_text="Matching").click()
    page.wait_for_function("() => document.querySelectorAll('.wb-chart svg').length === 5")
    assert page.url.endswith("/matching.html")
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []


def test_a_cohort_with_few_comparable_participants_shows_no_figure_of_them(tmp_path: Path) -> None:
    """All but three participants of the demo's past cohort get departments of their own: three are matched."""
    folder = _copy_demo(tmp_path, "few")
    enrolment = pd.read_csv(folder / "enrolment.csv", dtype=str, keep_default_na=False)
    mentees = enrolment.loc[(enrolment["cohort"] == "2025") & enrolment["role"].isin(["mentee", "both"]),
                            "person_id"].tolist()
    people = pd.read_csv(folder / "people.csv", dtype=str, keep_default_na=False)
    moved = people["person_id"].isin(mentees[3:])
    people.loc[moved, "department"] = [f"Unit {k}" for k in range(int(moved.sum()))]
    people.to_csv(folder / "people.csv", index=False)
    result = write_pack(open_workspace(folder), tmp_path / "pack", generated=DAY, resamples=200, runs=0)
    text = (result.path / "evaluation.html").read_text(encoding="utf-8")
    assert "Still employed after" in text and "is not shown: fewer than five people in one of the groups" in text
    assert "fewer than 5 with comparable non-participants" in text and "not shown: fewer than five people" in text
    assert not re.search(r"Participants \([1-4]\)", text) and "ROI (" not in text
    bars = [row for _, spec in _specs(text) for row in _rows(spec) if {"meetings_to", "pairs"} <= set(row)]
    assert bars and all(row["pairs"] >= MIN_GROUP for row in bars)


# ---------------------------------------------------------------------------
# Who took part: the pilot design that was run


KEEP_IN_MIND = re.compile(r"<strong>Keep in mind\.</strong> (.*?)</p>", re.S)


@pytest.fixture(scope="module")
def waitlist_pack(tmp_path_factory: pytest.TempPathFactory):
    """A generated organisation whose cohort ran as a randomised waitlist frozen at launch (six waitlisted
    applicants met a mentor anyway), published."""
    from tests.evaluate.launch_organisation import waitlist_workspace

    root = tmp_path_factory.mktemp("waitlist")
    workspace = open_workspace(waitlist_workspace(root / "home"))
    return write_pack(workspace, root / "pack", generated=DAY, resamples=200, runs=0)


def test_the_evaluation_page_keeps_in_mind_the_caveat_of_the_design_that_ran(full, waitlist_pack) -> None:
    from workbench.charts.evaluate import DESIGN_NOTES, SELF_SELECTION_NOTE

    opened = _pages(full[1])["evaluation.html"]
    assert KEEP_IN_MIND.search(opened).group(1).startswith(html.escape(SELF_SELECTION_NOTE))
    assert "Pilot design</h2>" not in opened
    page = (waitlist_pack.path / "evaluation.html").read_text(encoding="utf-8")
    assert KEEP_IN_MIND.search(page).group(1).startswith(html.escape(DESIGN_NOTES["waitlist"]))
    assert "chose to take part" not in page and "chose (or were chosen)" not in page
    # the design's own analysis and the deviations from the frozen plan are on the page
    assert "Randomised waitlist, seed 3" in page and "Offered minus waitlisted (intention to treat)" in page
    assert "6 waitlisted applicants took part (met a mentor) in this cohort." in page
    # everyone is compared as drawn: nobody is said to be matched with non-participants
    assert "100, applicants offered a place (intention to treat, randomised)<" in page
    assert "comparable non-participants" not in page and "comparable non-participants" in opened
    index = (waitlist_pack.path / "index.html").read_text(encoding="utf-8")
    assert "100 participants against 300 waitlisted applicants" in index
