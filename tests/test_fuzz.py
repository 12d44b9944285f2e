"""The fuzz suite: damaged tables and YAML files (``tests/strategies.py``) against ``validate``, ``import`` and every
analysis command, run in-process through :func:`workbench.cli.main`.

Every run ends in exit 0 with its output readable, or exit 2 with a message naming the problem; never a
traceback, and never a changed file in the workspace (an import that succeeds changes its table,
``workspace.yaml`` and the history only, and leaves a workspace that validates). An analysis never runs on a
table that ``validate`` finds wrong. The counts of cases and outcomes are printed at the end of the module
(and kept in :data:`COUNTS`). Seeded (``derandomize``), so CI repeats the same cases; the numbers of examples
keep the module to about two minutes on two cores (more cases: raise ``max_examples``, or set
``derandomize=False`` and pass ``--hypothesis-seed``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import shutil
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import damaged_table, damaged_workbook, damaged_yaml
from workbench.cli import main
from workbench.data.tables import TABLES
from workbench.errors import WorkbenchError
from workbench.workspace import DEMO_SOURCE
from tests.conftest import WITHOUT_STORY

#: Outcomes of every run of the module: cases, runs, exit 0, exit 2, tracebacks, other exits.
COUNTS: Counter = Counter()
#: Seconds spent in each command (its first word) over the module.
SECONDS: Counter = Counter()
#: The slowest run: seconds and its arguments.
SLOWEST: list = [0.0, []]

FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: The analysis commands with their variants (one drawn per case), the tables each reads (None: all) and the
#: kind of file each writes to {out}.
ANALYSES = {
    "match": ([["match", "{ws}", "--out", "{out}.csv"], ["match", "{ws}", "--all", "--out", "{out}.csv"],
               ["match", "{ws}", "--program", "peer", "--out", "{out}.csv"]], None, "csv"),
    "gaps": ([["gaps", "{ws}", "--out", "{out}.csv"], ["gaps", "{ws}", "--by", "department", "--out", "{out}.csv"]],
             {"people", "requirements", "proficiency", "goals"}, "csv"),
    "brief": ([["brief", "{ws}", "--out", "{out}.md"], ["brief", "{ws}", "--out", "{out}.html"],
               ["brief", "{ws}", "--out", "{out}.md"]], None, "text"),
    "design check": ([["design", "check", "{ws}"]], {"people", "enrolment", "goals", "skills"}, None),
    "simulate": ([["simulate", "{ws}", "--runs", "10", "--out", "{out}.json"],
                  ["simulate", "{ws}", "--all", "--runs", "10", "--out", "{out}.json"],
                  ["simulate", "{ws}", "--program", "peer", "--runs", "10", "--out", "{out}.json"]], None, "json"),
    "evaluate": ([["evaluate", "{ws}", "--runs", "0", "--resamples", "100", "--json", "{out}.json"],
                  ["evaluate", "{ws}", "--all", "--runs", "0", "--resamples", "100", "--json", "{out}.json"],
                  ["evaluate", "{ws}", "--program", "peer", "--runs", "0", "--resamples", "100",
                   "--json", "{out}.json"]], None, "json"),
}


@dataclass
class Run:
    args: list[str]
    code: int | None
    out: str
    err: str
    crash: str = ""


def run(args: list[str]) -> Run:
    """``workbench ARGS`` in this process; an exception escaping :func:`main` is a crash (its traceback kept)."""
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    except Exception:  # noqa: BLE001 - a traceback is what the suite looks for
        SECONDS[args[0]] += time.perf_counter() - started
        COUNTS["runs"] += 1
        COUNTS["tracebacks"] += 1
        return Run(args, None, out.getvalue(), err.getvalue(), traceback.format_exc())
    SECONDS[args[0]] += time.perf_counter() - started
    SLOWEST[:] = max(SLOWEST, [time.perf_counter() - started, args])
    COUNTS["runs"] += 1
    COUNTS[{0: "exit 0", 2: "exit 2"}.get(code, "other exits")] += 1
    return Run(args, code, out.getvalue(), err.getvalue())


def fingerprint(folder: Path) -> dict[str, str]:
    """A hash of every file under ``folder`` by its relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def check_run(r: Run, case: str, written: Path | None = None, kind: str | None = None) -> None:
    """Exit 0 with the output readable, or exit 2 with a message; no traceback; no output after a refusal."""
    assert not r.crash, f"{case}: workbench {' '.join(r.args)} crashed:\n{r.crash}"
    assert r.code in (0, 2), f"{case}: workbench {' '.join(r.args)} exited {r.code}:\n{r.err}"
    assert "Traceback" not in r.err, f"{case}: {r.err}"
    if r.code == 2:
        message = (r.err + r.out).strip()
        assert message, f"{case}: workbench {' '.join(r.args)} exited 2 saying nothing"
        if written is not None:
            assert not written.exists(), f"{case}: {' '.join(r.args)} refused but wrote {written.name}"
    elif written is not None:
        assert written.is_file(), f"{case}: {' '.join(r.args)} exited 0 without writing {written.name}"
        if kind == "csv":
            pd.read_csv(written, dtype=str, keep_default_na=False)
        elif kind == "json":
            json.loads(written.read_text(encoding="utf-8"))
        else:
            assert written.read_text(encoding="utf-8").strip(), f"{case}: {written.name} is empty"


def problem_files(ws: Path) -> set[str] | None:
    """The files ``validate`` finds problems in, or None when the workspace cannot be opened at all."""
    from workbench.data.importing import validate_workspace
    from workbench.workspace import open_workspace

    try:
        return set(validate_workspace(open_workspace(ws)).frame["file"])
    except WorkbenchError:
        return None


def run_analyses(ws: Path, out: Path, variants: dict[str, int], case: str, only: set[str] | None = None) -> None:
    """Every analysis command (or those ``only``; the drawn variant of each) on ``ws``: none changes it, each
    ends in exit 0 or 2, and each refuses when ``validate`` finds a problem in a table it reads."""
    before = fingerprint(ws)
    validated = run(["validate", str(ws)])
    check_run(validated, case)
    broken = problem_files(ws)
    if broken is not None:  # validate names the files with problems (the first 50 problems), and only then exits 2
        assert (validated.code == 2) == bool(broken), f"{case}: validate exited {validated.code}, problems in {broken}"
        assert not broken or any(file in validated.err for file in broken), f"{case}: validate named no file"
    for name, (templates, reads, kind) in ANALYSES.items():
        if only is not None and name not in only:
            continue
        template = templates[variants[name] % len(templates)]
        args = [a.format(ws=ws, out=out / name.replace(" ", "_")) for a in template]
        written = next((Path(a) for a in args if a.startswith(str(out))), None)
        r = run(args)
        check_run(r, case, written, kind)
        read = {TABLES[t].file for t in (reads or TABLES)}
        if broken and broken & read:
            assert r.code == 2, f"{case}: {' '.join(args)} ran on tables validate refuses ({sorted(broken)})"
        if "nothing was computed" in r.err:  # the contracts' refusal names the files validate refuses
            assert broken and any(file in r.err for file in broken & read), f"{case}: {r.err}"
        if written is not None and written.exists():
            written.unlink()
    unchanged = fingerprint(ws) == before
    COUNTS["changed"] += not unchanged
    assert unchanged, f"{case}: a command changed the workspace"


# --------------------------------------------------------------------------------------------------------------
# the workspace every case starts from: the demo with its design saved and a second program


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    from workbench.programs import add_program
    from workbench.design.store import load_design, save_design
    from workbench.workspace import open_workspace

    from workbench.data import importing

    # files count as settled at once, so the commands of one case share one validation (each case's workspace
    # is a new folder, and nothing changes a file in place during a case)
    settled = pytest.MonkeyPatch()
    settled.setattr(importing, "_SETTLE_NS", 0)
    folder = tmp_path_factory.mktemp("fuzz") / "base"
    shutil.copytree(DEMO_SOURCE, folder, ignore=WITHOUT_STORY)
    workspace = save_design(open_workspace(folder), load_design(open_workspace(folder)))
    add_program(workspace, "peer")
    shutil.rmtree(folder / ".history")
    started = time.monotonic()
    yield folder
    settled.undo()
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    line = (f"fuzz: {COUNTS['cases']} cases generated, {COUNTS['runs']} runs: {COUNTS['exit 0']} exit 0, "
            f"{COUNTS['exit 2']} exit 2, {COUNTS['tracebacks']} tracebacks, {COUNTS['other exits']} other exits, "
            f"{COUNTS['changed']} changed workspaces; {time.monotonic() - started:.0f} s ("
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in SECONDS.most_common())
            + f"; slowest run {SLOWEST[0]:.1f} s: {' '.join(SLOWEST[1][:2])})")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # shown with or without -s
            reporter.write_line("\n" + line)


def copy_of(base: Path) -> tuple[Path, Path, tempfile.TemporaryDirectory]:
    """A fresh copy of the base workspace and an empty folder for outputs (a new path each case: the
    process's file cache never sees the same path twice)."""
    holder = tempfile.TemporaryDirectory(prefix="fuzz-")
    ws = Path(holder.name) / "ws"
    shutil.copytree(base, ws)
    out = Path(holder.name) / "out"
    out.mkdir()
    return ws, out, holder


VARIANTS = st.fixed_dictionaries({name: st.integers(0, 2) for name in ANALYSES})
TABLE_NAMES = sorted(n for n in TABLES if (DEMO_SOURCE / TABLES[n].file).is_file())


@st.composite
def table_case(draw, workbook: bool = False) -> tuple[str, bytes, str]:
    table = draw(st.sampled_from(TABLE_NAMES))
    damaged = damaged_workbook if workbook else damaged_table
    data, what = draw(damaged((DEMO_SOURCE / TABLES[table].file).read_text(encoding="utf-8")))
    return table, data, what


@settings(FUZZ, max_examples=40)
@given(case=table_case(), variants=VARIANTS)
def test_a_damaged_table_in_the_workspace_is_refused_or_analysed(base: Path, case, variants) -> None:
    """As a table edited by hand: every command on the workspace holding it."""
    table, data, what = case
    COUNTS["cases"] += 1
    ws, out, holder = copy_of(base)
    with holder:
        (ws / TABLES[table].file).write_bytes(data)
        run_analyses(ws, out, variants, f"{TABLES[table].file}: {what}")


def clean_mapping(table: str) -> str:
    """A mapping file for the demo's ``table`` that changes nothing: each column to itself, a value, dates."""
    columns = (DEMO_SOURCE / TABLES[table].file).read_text(encoding="utf-8").partition("\n")[0].split(",")
    document = {"table": table, "columns": {c: c for c in columns}, "values": {columns[-1]: {"n/a": ""}},
                "dates": {c: "%Y-%m-%d" for c in columns if c.endswith("date")}, "strict_values": "false"}
    return yaml.safe_dump(document)


@settings(FUZZ, max_examples=100)  # most exports are refused at once: cheap cases
@given(suffix=st.sampled_from([".csv", ".csv", ".tsv", ".txt", ".xlsx"]), variants=VARIANTS,
       analysis=st.sampled_from(sorted(ANALYSES)), data=st.data(), with_mapping=st.sampled_from([0, 0, 0, 1]))
def test_a_damaged_export_is_imported_whole_or_not_at_all(base: Path, suffix: str, variants, analysis: str, data,
                                                           with_mapping: int) -> None:
    """As an HR export, with or without a damaged mapping file: imported into the workspace, all or nothing;
    what is imported validates and analyses."""
    table, content, what = data.draw(table_case(workbook=suffix == ".xlsx"), label="export")
    COUNTS["cases"] += 1
    ws, out, holder = copy_of(base)
    with holder:
        source = out.parent / f"export{suffix}"
        source.write_bytes(content)
        mapping = []
        if with_mapping:
            text, damage = data.draw(damaged_yaml(clean_mapping(table)), label="mapping")
            (out.parent / "mapping.yaml").write_bytes(text)
            mapping, what = ["--mapping", str(out.parent / "mapping.yaml")], f"{what}; mapping: {damage}"
        before = fingerprint(ws)
        r = run(["import", str(source), "--table", table, "--into", str(ws), *mapping])
        label = f"import {TABLES[table].file}{suffix}: {what}"
        check_run(r, label)
        after = fingerprint(ws)
        if r.code == 2:
            if after != before:
                COUNTS["changed"] += 1
            assert after == before, f"{label}: refused, but the workspace changed"
            return
        changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
        saved_with = {f"mappings/{table}.yaml"} if mapping else set()  # the mapping is saved with the table
        assert {p for p in changed if not p.startswith(".history")} <= {TABLES[table].file, "workspace.yaml",
                                                                          *saved_with}, \
            f"{label}: changed {sorted(changed)}"
        validated = run(["validate", str(ws)])
        check_run(validated, label)
        assert validated.code == 0, f"{label}: imported, then validate says:\n{validated.err}"
        run_analyses(ws, out, variants, label, only={analysis})


YAML_FILES = {"workspace.yaml": "workspace.yaml", "design.yaml": "design.yaml",
              "program design": "programs/peer/design.yaml"}


@settings(FUZZ, max_examples=40)
@given(data=st.data(), which=st.sampled_from(sorted(YAML_FILES)), variants=VARIANTS,
       table=st.sampled_from(["skills", "goals"]))
def test_a_damaged_yaml_file_is_refused_or_read(base: Path, data, which: str, variants, table: str) -> None:
    """workspace.yaml or a design.yaml damaged: validate, an import into the workspace and every analysis."""
    relative = YAML_FILES[which]
    text, what = data.draw(damaged_yaml((base / relative).read_text(encoding="utf-8")), label="yaml")
    COUNTS["cases"] += 1
    ws, out, holder = copy_of(base)
    with holder:
        (ws / relative).write_bytes(text)
        label = f"{relative}: {what}"
        run_analyses(ws, out, variants, label)
        before = fingerprint(ws)
        r = run(["import", str(DEMO_SOURCE / TABLES[table].file), "--table", table, "--into", str(ws)])
        check_run(r, label)
        if r.code == 2:
            assert fingerprint(ws) == before, f"{label}: a refused import changed the workspace"
