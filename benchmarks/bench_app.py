"""The app under a workshop's load: one user, then ten at once, then nobody.

Serves the app (``workbench app``) on a copy of the demo organisation, waits
until its pre-started kernels have settled, and measures in headless Chromium:

1. **One user**: the Start page loaded three times on a preheated server;
   seconds to the first chart drawn (target: p50 <= 3 s).
2. **Ten sessions at once**, each clicking through every page in order:
   seconds from navigation to the page painted and, on pages that draw a chart
   as they open, to that chart's marks (p50, p95); every error a page shows.
3. **Memory**: resident memory (RSS) of the server plus all its kernels when idle
   (the baseline), at its peak during the sessions, and three minutes after
   every session closed (target: within 10% of the baseline).

Prints the load average beside every time: the machine is shared. Needs
Debian's chromium. ``--sessions N`` and ``--after S`` change the load and the wait.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium")
PAGES = ["00_start", "01_align", "02_experience", "03_skill_gaps", "04_matching", "05_what_if",
         "06_launch_and_support", "07_evaluate"]
#: Pages that draw a chart as they open, and the selector of its marks.
CHART_ON_OPEN = {"00_start": ".wb-start svg g.mark-rect path", "03_skill_gaps": "svg g.mark-rect path"}
ERRORS = ("The page could not be built", "could not be drawn", "Traceback")


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every descendant."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            statm = (stat.parent / "statm").read_text().split()
        except OSError:
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        rss[child] = int(statm[1]) * os.sysconf("SC_PAGE_SIZE")
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in family:
                family.add(child)
                frontier.append(child)
    return sum(rss.get(p, 0) for p in family)


def kernel_count(pid: int) -> int:
    count = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if b"ipykernel_launcher" in cmdline.read_bytes():
                stat = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()
                count += int(stat[1]) == pid
        except OSError:
            continue
    return count


class Sampler(threading.Thread):
    """Samples the server's resident memory every half second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.peak_kernels, self.running = pid, 0, 0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, tree_rss(self.pid))
            self.peak_kernels = max(self.peak_kernels, kernel_count(self.pid))
            time.sleep(0.5)


def wait_settled(pid: int, pool: int, timeout: float = 600) -> float:
    """Seconds until ``pool`` kernels run and the server's family has gone quiet."""
    started = time.monotonic()
    while time.monotonic() - started < timeout and kernel_count(pid) < pool:
        time.sleep(1)
    quiet = 0
    previous = cpu_seconds(pid)
    while time.monotonic() - started < timeout and quiet < 3:
        time.sleep(1)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - previous < 0.1 else 0
        previous = now
    return time.monotonic() - started


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def open_page(context, url: str, notebook: str) -> dict:  # noqa: ANN001 - Playwright's types
    page = await context.new_page()
    started = time.perf_counter()
    figures = {"page": notebook, "error": None}
    try:
        await page.goto(f"{url}voila/render/{notebook}.ipynb?workspace=demo", timeout=300_000)
        await page.wait_for_selector("nav.wb-nav", timeout=300_000)
        figures["painted"] = time.perf_counter() - started
        if notebook in CHART_ON_OPEN:
            await page.wait_for_selector(CHART_ON_OPEN[notebook], timeout=300_000)
            figures["chart"] = time.perf_counter() - started
        text = await page.inner_text("body")
        shown = [e for e in ERRORS if e in text]
        if shown:
            figures["error"] = f"{notebook}: {shown}"
    except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure and goes on
        figures["error"] = f"{notebook}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    await page.close(run_before_unload=True)
    return figures


async def session(browser, url: str) -> list[dict]:  # noqa: ANN001
    context = await browser.new_context(viewport={"width": 1280, "height": 1400})
    try:
        return [await open_page(context, url, notebook) for notebook in PAGES]
    finally:
        await context.close()


async def drive(url: str, sessions: int) -> tuple[tuple[list[float], str], tuple[list[dict], str]]:
    """Seconds to the Start page's first chart for one user, then every page's figures for ``sessions`` at once;
    each with the load average (at the end of the one-user runs; at the start and end of the sessions)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking"])
        single = []
        for _ in range(3):
            context = await browser.new_context()
            figures = await open_page(context, url, "00_start")
            await context.close()
            single.append(figures.get("chart", float("nan")))
            single_load = load()
            await asyncio.sleep(15)  # the Start page's kernel is pre-started again
        sessions_load = load()
        results = await asyncio.gather(*(session(browser, url) for _ in range(sessions)))
        sessions_load += f", at the end {load()}"
        await browser.close()
    return (single, single_load), ([figures for run in results for figures in run], sessions_load)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--after", type=float, default=180, help="seconds to wait after the sessions close")
    parser.add_argument("--log", type=Path, help="keep the server's log in this file")
    args = parser.parse_args()
    if CHROMIUM is None:
        print("bench_app: needs Debian's chromium (apt-get install chromium); nothing measured")
        return 1
    root = Path(tempfile.mkdtemp())
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    log = open(root / "server.log", "wb")
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "workbench", "app", "--port", str(port), "--home",
                               str(root / "home")], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        while url not in (root / "server.log").read_text(errors="replace"):
            if server.poll() is not None:
                raise SystemExit((root / "server.log").read_text())
            time.sleep(0.1)
        print(f"server listening after {time.monotonic() - started:.1f} s ({load()})")
        settled = wait_settled(server.pid, len(PAGES))
        baseline = tree_rss(server.pid)
        print(f"pre-started kernels settled after {settled:.0f} s: {kernel_count(server.pid)} kernels, "
              f"idle baseline {baseline / 2**30:.2f} GB ({load()})")
        sampler = Sampler(server.pid)
        sampler.start()
        (single, single_load), (figures, sessions_load) = asyncio.run(drive(url, args.sessions))
        sampler.running = False
        closed_at = time.monotonic()
        print(f"\none user, Start page, first chart: {', '.join(f'{s:.2f}' for s in single)} s; "
              f"p50 {statistics.median(single):.2f} s (target <= 3 s) ({single_load})")
        errors = [f["error"] for f in figures if f["error"]]
        print(f"\n{args.sessions} sessions x {len(PAGES)} pages at once ({sessions_load}):")
        print(f"{'page':<24}{'painted p50':>12}{'p95':>8}{'chart p50':>11}{'p95':>8}")
        for notebook in PAGES:
            painted = [f["painted"] for f in figures if f["page"] == notebook and "painted" in f]
            charts = [f["chart"] for f in figures if f["page"] == notebook and "chart" in f]
            row = f"{notebook:<24}"
            row += f"{statistics.median(painted):>12.1f}{percentile(painted, 0.95):>8.1f}" if painted else f"{'-':>20}"
            row += f"{statistics.median(charts):>11.1f}{percentile(charts, 0.95):>8.1f}" if charts else ""
            print(row)
        charts = [f["chart"] for f in figures if "chart" in f]
        if charts:
            print(f"time to first chart, all sessions: p50 {statistics.median(charts):.1f} s, "
                  f"p95 {percentile(charts, 0.95):.1f} s")
        print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:20]))
        print(f"peak: {sampler.peak / 2**30:.2f} GB resident, {sampler.peak_kernels} kernels")
        while time.monotonic() - closed_at < args.after:
            time.sleep(5)
        after = tree_rss(server.pid)
        print(f"{args.after:.0f} s after every session closed: {after / 2**30:.2f} GB, "
              f"{kernel_count(server.pid)} kernels, {after / baseline - 1:+.1%} against the idle baseline "
              f"(target within 10%) ({load()})")
        return 0 if not errors else 1
    finally:
        server.terminate()
        server.wait(60)
        log.close()
        if args.log:
            shutil.copyfile(root / "server.log", args.log)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
