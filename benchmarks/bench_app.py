"""How fast the app appears: server start, first paint of the start page, chart drawn.

Serves the app twice on the demo organisation, with pre-started page kernels
(the app's setting) and without them (the baseline, Voila's default), and
loads the start page in headless Chromium three times each. Prints seconds
and the ratio to the baseline measured in the same run. Needs Debian's chromium.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from workbench.app import app_environment, voila_arguments

ROUNDS = 3
CHROMIUM = shutil.which("chromium")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 120) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def measure(preheat: bool) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from workbench.workspace import ensure_demo_workspace

    home = Path(tempfile.mkdtemp()) / "home"
    ensure_demo_workspace(home)
    port = free_port()
    args = [a if not a.startswith("--preheat_kernel") else f"--preheat_kernel={preheat}" for a in voila_arguments(port)]
    env = {**os.environ, **app_environment(home, "demo")}
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "voila", *args], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_http(url)
        ready = time.perf_counter() - started
        time.sleep(5)  # let the kernel pool fill, as it would before anyone opens the page
        paints, charts = [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=["--no-sandbox", "--disable-gpu",
                                                       "--disable-background-networking"])
            for _ in range(ROUNDS):
                page = browser.new_page()
                t0 = time.perf_counter()
                page.goto(f"{url}voila/render/00_start.ipynb?workspace=demo")
                page.wait_for_selector("nav.wb-nav", timeout=120_000)
                paints.append(time.perf_counter() - t0)
                page.wait_for_selector(".wb-start svg g.mark-rect path", timeout=120_000)
                charts.append(time.perf_counter() - t0)
                page.close()
                time.sleep(3)  # the pool refills
            browser.close()
        return {"server_ready_s": ready, "first_paint_s": statistics.median(paints),
                "chart_drawn_s": statistics.median(charts)}
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(home.parent, ignore_errors=True)


def main() -> int:
    if CHROMIUM is None:
        print("bench_app: needs Debian's chromium (apt-get install chromium); nothing measured")
        return 1
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import workbench.views"], check=True)
    print(f"import workbench.views (cold process): {time.perf_counter() - started:.2f} s")
    baseline = measure(preheat=False)
    app = measure(preheat=True)
    print(f"{'figure (median of ' + str(ROUNDS) + ' loads)':<36}{'app':>8}{'no preheat':>12}{'ratio':>8}")
    for key in ("server_ready_s", "first_paint_s", "chart_drawn_s"):
        print(f"{key:<36}{app[key]:>8.2f}{baseline[key]:>12.2f}{app[key] / baseline[key]:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
