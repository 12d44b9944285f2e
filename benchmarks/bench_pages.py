"""Where a page's time goes, from the person's request to the page's widgets built, inside the kernel.

The app pre-starts one kernel per page: the notebook's first cell runs its
imports before any request, then waits in ``open_page`` for the request's
query string; everything after that is on the person's clock. For every page
notebook in ``notebooks/`` this runs the page's code cells in a fresh process
the same way: the first cell's imports first (the "preheat", reported but not
part of the page's time), then the rest of the cells, timed (wall and CPU
seconds), with ``WORKBENCH_HOME`` a temporary copy of the demo organisation and
``voila.utils.get_query_string`` answering ``workspace=demo``. Widgets talk to
a stand-in comm that encodes every message as the kernel would (JSON), so the
cost of sending the widgets' state is counted too, and its size is reported.

After the page is built, a few interactions are timed the same way (median of
``--changes`` each, the handler runs synchronously in the kernel):

* Skill gaps: a change of the department, level or goal filter, until the
  heat map's ``spec`` trait changed and until the handler returned;
* Start: a change of the workspace picker to another workspace (a copy of the
  demo with people's levels shuffled) and back, until the headcount chart's
  ``spec`` changed and until the handler returned.

The load average is printed beside every figure: on a busy machine compare the
CPU seconds, which other processes do not inflate.

Usage: ``python benchmarks/bench_pages.py [--profile] [--changes N] [PAGE ...]``
(pages by notebook name, e.g. ``03_skill_gaps``; default every page).
"""

from __future__ import annotations

from workbench.data.importing import read_workspace_table
import argparse
import ast
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
#: The workspace the second workspace's copy is given on the Start page.
OTHER = "Other organisation"


def load() -> str:
    """The 1-minute load average, for printing beside a figure."""
    return f"load {os.getloadavg()[0]:.1f}/{os.cpu_count()}" if hasattr(os, "getloadavg") else "load ?"


def code_cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def split_preheat(cells: list[str]) -> tuple[str, list[str]]:
    """The first cell's imports (run before the request) and the code run after it, cell by cell."""
    tree = ast.parse(cells[0])
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    rest = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    return ("\n".join(ast.unparse(n) for n in imports),
            ["\n".join(ast.unparse(n) for n in rest), *cells[1:]])


# ---------------------------------------------------------------- in the page's process


def _install_kernel_stand_ins() -> dict:
    """A comm that JSON-encodes what it would send; the request's query string answered at once."""
    import comm
    import voila.utils
    from comm.base_comm import BaseComm
    from jupyter_client.session import json_packer

    sent = {"messages": 0, "bytes": 0}

    class EncodingComm(BaseComm):
        def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
            sent["messages"] += 1
            sent["bytes"] += len(json_packer({"data": data or {}, "comm_id": self.comm_id, **keys}))

    comm.create_comm = lambda *args, **kwargs: EncodingComm(*args, **kwargs)
    voila.utils.get_query_string = lambda url=None: "workspace=demo"
    return sent


def _run_cell(source: str, namespace: dict) -> object:
    """Run a cell as IPython does: the value of a last expression is returned (it would be displayed)."""
    tree = ast.parse(source)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is not None:
        return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    return None


def _find(value: object, kind: type) -> object | None:
    """The first widget of class ``kind`` in a widget tree."""
    if isinstance(value, kind):
        return value
    for child in getattr(value, "children", ()) or ():
        found = _find(child, kind)
        if found is not None:
            return found
    return None


def _spec_owner(chart):
    """The object whose ``spec`` trait a chart widget syncs (the widget, or the model it sends its spec on)."""
    if chart.has_trait("spec"):
        return chart
    return next(value for value in (getattr(chart, name, None) for name in ("data", "_data"))
                if value is not None and value.has_trait("spec"))


def _timed_changes(steps: list, chart, n: int) -> dict:
    """Run ``steps`` (callables making one change each) ``n`` times; ms until ``chart.spec`` changed and in all."""
    spec_at: list[tuple[float, float]] = []
    _spec_owner(chart).observe(lambda _c: spec_at.append((time.perf_counter(), time.process_time())), names="spec")
    to_spec, to_spec_cpu, total, cpu, unchanged = [], [], [], [], 0
    for i in range(n):
        spec_at.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        steps[i % len(steps)]()
        ended, ended_cpu = time.perf_counter(), time.process_time()
        total.append((ended - started) * 1000)
        cpu.append((ended_cpu - started_cpu) * 1000)
        if spec_at:
            to_spec.append((spec_at[0][0] - started) * 1000)
            to_spec_cpu.append((spec_at[0][1] - started_cpu) * 1000)
        else:
            unchanged += 1
    return {"to_spec_ms": statistics.median(to_spec) if to_spec else None,
            "to_spec_cpu_ms": statistics.median(to_spec_cpu) if to_spec_cpu else None,
            "total_ms": statistics.median(total), "cpu_ms": statistics.median(cpu),
            "max_ms": max(total), "unchanged": unchanged, "n": n, "load": load()}


def _interactions(notebook: str, page: object, n: int) -> dict:
    if notebook == "03_skill_gaps":
        from workbench.sessions.gaps import ALL
        from workbench.views.gaps import GapsView

        view = _find(page, GapsView)
        departments = [v for _, v in view.department.options if v != ALL]
        goals = [v for _, v in view.goal.options if v != ALL]
        low, high = view.levels.value

        def setter(control, value):
            return lambda: setattr(control, "value", value)

        steps = []
        for department in departments[:4]:
            steps += [setter(view.department, department), setter(view.department, ALL)]
        steps += [setter(view.levels, (low, max(low, high - 1))), setter(view.levels, (low, high))]
        for goal in goals[:2]:
            steps += [setter(view.goal, goal), setter(view.goal, ALL)]
        return {"filter change (Skill gaps, heat map)": _timed_changes(steps, view.heatmap, n)}
    if notebook == "00_start":
        from workbench.views.start import StartView

        view = _find(page, StartView)
        slugs = [v for _, v in view.choice.options]
        other = next(s for s in slugs if s != "demo")
        steps = [lambda: setattr(view.choice, "value", other), lambda: setattr(view.choice, "value", "demo")]
        return {"workspace change (Start, headcount chart)": _timed_changes(steps, view.data.chart, n)}
    return {}


def child(notebook: Path, profile: bool, changes: int) -> None:
    """Run one page as its kernel would and print what it cost, as JSON on the last line."""
    sent = _install_kernel_stand_ins()
    preheat, cells = split_preheat(code_cells(notebook))
    namespace: dict = {"__name__": "__main__"}
    started, started_cpu = time.perf_counter(), time.process_time()
    exec(compile(preheat, "<preheat>", "exec"), namespace)
    preheat_s, preheat_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    before = dict(sent)

    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    started, started_cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    values = [_run_cell(cell, namespace) for cell in cells]
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    result = {"page": notebook.stem, "preheat_s": preheat_s, "preheat_cpu": preheat_cpu, "wall_s": wall,
              "cpu_s": cpu, "messages": sent["messages"] - before["messages"],
              "kB": (sent["bytes"] - before["bytes"]) / 1024, "load": load()}
    if profiler:
        import io
        import pstats

        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(r"workbench", 10)
        stats.sort_stats("tottime").print_stats(10)
        result["profile"] = out.getvalue()
    result["interactions"] = _interactions(notebook.stem, values[-1], changes) if changes else {}
    print(json.dumps(result))


# ---------------------------------------------------------------- the driver


def _prepare_home(home: Path) -> None:
    """The demo, and for the Start page a second workspace whose headcount chart differs."""
    import numpy as np

    from workbench.workspace import create_workspace, ensure_demo_workspace

    ensure_demo_workspace(home)
    other = create_workspace(OTHER, home, copy_demo=True)
    people = read_workspace_table(other, "people")
    people["level"] = np.random.default_rng(7).permutation(people["level"].to_numpy())
    people.to_csv(other.table_path("people"), index=False)


def run_page(notebook: Path, profile: bool, changes: int, bytecode: Path | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as home:
        _prepare_home(Path(home))
        env = {**os.environ, "WORKBENCH_HOME": home, "WORKBENCH_WORKSPACE": "", "PYTHONWARNINGS": "ignore"}
        env.pop("WORKBENCH_PUBLISHED", None)
        if bytecode is not None:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(bytecode)
        command = [sys.executable, __file__, "--child", str(notebook), "--changes", str(changes)]
        if profile:
            command.append("--profile")
        done = subprocess.run(command, cwd=notebook.parent, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{notebook.name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="notebook names, e.g. 03_skill_gaps (default: every page)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile top-10 of each page's part")
    parser.add_argument("--changes", type=int, default=20, help="interactions timed per page (median)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="run as the environment says (with PYTHONDONTWRITEBYTECODE=1 every module imported "
                             "after the request is compiled from source on the person's clock)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(Path(args.child), args.profile, args.changes)
        return 0
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    if args.pages:
        notebooks = [n for n in notebooks if n.stem in args.pages]
    bytecode = None
    if not args.no_bytecode_cache:
        # As in an installed app: modules are compiled once, then read from their bytecode. Kept in a folder
        # of the benchmark's own (nothing is written into the environment), filled by one untimed run per page.
        bytecode = Path(tempfile.gettempdir()) / "workbench-bench-pages-bytecode"
        for notebook in notebooks:
            run_page(notebook, False, 0, bytecode)
    print(f"Request -> page's widgets built, in a fresh process per page ({os.cpu_count()} CPUs"
          f"{'' if bytecode else ', no bytecode cache'})")
    print(f"  {'page':<24}{'wall s':>8}{'CPU s':>8}{'msgs':>6}{'kB sent':>9}   {'preheat s':>9}   load")
    results = []
    for notebook in notebooks:
        result = run_page(notebook, args.profile, args.changes, bytecode)
        results.append(result)
        print(f"  {result['page']:<24}{result['wall_s']:>8.2f}{result['cpu_s']:>8.2f}{result['messages']:>6}"
              f"{result['kB']:>9.0f}   {result['preheat_s']:>9.2f}   {result['load']}", flush=True)
    for result in results:
        for name, figures in result["interactions"].items():
            to_spec = ("-" if figures["to_spec_ms"] is None
                       else f"{figures['to_spec_ms']:.0f} ms ({figures['to_spec_cpu_ms']:.0f} ms CPU)")
            print(f"  {name}: median {to_spec} until the chart's spec changed, {figures['total_ms']:.0f} ms "
                  f"handler ({figures['cpu_ms']:.0f} ms CPU), max {figures['max_ms']:.0f} ms, "
                  f"{figures['unchanged']} of {figures['n']} left the spec unchanged; {figures['load']}")
    if args.profile:
        for result in results:
            print(f"\n===== {result['page']}: profile of request -> widgets built ({result['load']})")
            print(result["profile"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
