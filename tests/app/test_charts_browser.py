"""Every chart draws, every time: Evaluate and What-if loaded fresh three times each in headless Chromium.

Charts used to stay on their first, empty spec ("No data for this selection")
when anywidget gave up on their model ("[anywidget] Failed to initialize
model.", see ``workbench.views.charts``), which happened on slow or busy
machines. Here each page is loaded once alone, then twice side by side (two
tabs at once), the second tab as on a machine so slow that anywidget gives up
on every chart's model. Each chart must have drawn marks wherever the text
beside it reports figures, no chart may show an error, and the Vega runtime
must be fetched at most once per page load.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.views.charts import RUNTIME_REQUEST

from ..conftest import AppServer, free_port

pytestmark = pytest.mark.browser

LOADS = 3
RUNTIME = re.compile(r"/workbench/static/vega-runtime-[^/]+\.js$")
NO_DATA = "No data for this selection"

#: Per visible chart under ``root``: its data marks (not axes, legends or titles), its text and any error.
CHARTS_JS = """root => [...document.querySelectorAll(root + ' .wb-chart')]
  .filter(chart => chart.offsetParent !== null)
  .map(chart => ({
    marks: chart.querySelectorAll('svg g.role-mark:not(.mark-text) > *').length,
    text: chart.textContent,
    error: chart.getAttribute('data-wb-error'),
  }))"""

#: anywidget gives a model 2 s to load its script (``AbortSignal.timeout(2000)``); here it gets 1 ms, so
#: every chart's model misses the deadline, as on a very slow machine.
MISSED_DEADLINE_JS = """
const timeout = AbortSignal.timeout.bind(AbortSignal);
AbortSignal.timeout = (ms) => timeout(ms === 2000 ? 1 : ms);
"""

#: True once every visible chart under the root has drawn or says why it could not.
SETTLED_JS = """root => [...document.querySelectorAll(root + ' .wb-chart')]
  .filter(chart => chart.offsetParent !== null)
  .every(chart => chart.querySelector('svg') || chart.getAttribute('data-wb-error'))"""


@pytest.fixture(scope="module")
def workspace(app_server: AppServer) -> str:
    """A copy of the demo with an objective (scored on Evaluate) and a scenario to compare on What-if."""
    from workbench.design.model import Align, Objective, ProgramDesign
    from workbench.design.store import save_design
    from workbench.whatif import Scenario, save_scenario
    from workbench.workspace import create_workspace

    created = create_workspace("Charts client", app_server.home, copy_demo=True)
    created = save_design(created, ProgramDesign(name="Graduates", align=Align(objectives=(
        Objective(id="exits", statement="Fewer graduates leave", kind="retention", kpi="annual exit rate (%)",
                  baseline=20, target=14),))))
    save_scenario(created, Scenario("A year", overrides={"duration_months": 12}))
    return created.path.name


class Load:
    """One fresh page of the app, with what it requested and what it logged."""

    def __init__(self, context, url: str, *, missed_deadline: bool = False) -> None:
        self.page = context.new_page()
        self.page.set_default_timeout(120_000)
        self.missed_deadline = missed_deadline
        self.runtime_requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: RUNTIME.search(request.url) and self.runtime_requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        if missed_deadline:
            self.page.add_init_script(MISSED_DEADLINE_JS)
        self.page.goto(url)

    def charts(self, root: str) -> list[dict]:
        self.page.wait_for_function(SETTLED_JS, arg=root)
        return self.page.evaluate(CHARTS_JS, root)

    def check(self) -> None:
        assert len(self.runtime_requests) <= 1, self.runtime_requests
        errors = [e for e in self.errors if "anywidget" in e or "chart" in e.lower()]
        if self.missed_deadline:  # the point of this load: anywidget gave up on the models, the charts did not
            assert errors and all("Failed to initialize model" in e for e in errors), self.errors
        else:
            assert errors == [], self.errors
        assert self.page.locator(".wb-chart-error").count() == 0
        assert "This chart could not be drawn" not in self.page.content()
        self.page.close()


def fresh_loads(context, url: str) -> Iterator[list[Load]]:
    """One page alone, then two side by side, the second as on a machine too slow for anywidget's deadline."""
    yield [Load(context, url)]
    yield [Load(context, url), Load(context, url, missed_deadline=True)]


def assert_drawn(charts: list[dict], where: str) -> None:
    assert charts, f"no chart visible in {where}"
    for chart in charts:
        assert chart["error"] is None, (where, chart["error"])
        assert NO_DATA not in chart["text"] and chart["marks"] > 0, (where, chart["text"][:200])


def test_every_chart_of_the_evaluate_page_draws_on_every_fresh_load(browser_page, app_server: AppServer,
                                                                    workspace: str) -> None:
    #: Each part of the page, with text that shows it reports figures (its charts must then be drawn).
    parts = {
        ".wb-learning": r"Paired change from the survey",
        ".wb-behaviour": r"\d+ pairs held \d+ meetings",
        ".wb-outcomes": r"After \d+ months, the share who stayed",
        ".wb-roi": r"the ROI is [+-]?\d",
        ".wb-scorecard": r"Of \d+ objective",
        ".wb-calibration": r"\d+ of \d+ observed figures",
    }
    loads = 0
    for tabs in fresh_loads(browser_page.context, f"{app_server.url}voila/render/07_evaluate.ipynb?workspace={workspace}"):
        for load in tabs:  # each evaluates the latest cohort as it opens
            page = load.page
            page.locator(".wb-evaluate-controls .wb-notice-success", has_text="Evaluated cohort").wait_for()
            page.locator(".wb-evaluate-controls .wb-progress").wait_for(state="hidden")
            for root, figures in parts.items():
                text = page.locator(root).inner_text()
                assert re.search(figures, text), (root, text[:300])
                assert_drawn(load.charts(root), root)
            # The demo records promotions: retention and promotion each draw their curves.
            assert "Promotion is not measured" not in page.locator(".wb-outcomes").inner_text()
            assert len(load.charts(".wb-outcomes")) == 2
            load.check()
            loads += 1
    assert loads == LOADS


def test_every_chart_of_the_what_if_page_draws_on_every_fresh_load(browser_page, app_server: AppServer,
                                                                   workspace: str) -> None:
    loads = 0
    for tabs in fresh_loads(browser_page.context, f"{app_server.url}voila/render/05_what_if.ipynb?workspace={workspace}"):
        for load in tabs:
            load.page.locator(".wb-compare .widget-dropdown", has_text="Runs per scenario").locator("select").select_option(
                label="200")  # the fewest: the charts, not the forecasts, are under test
            load.page.locator(".wb-compare .widget-checkbox", has_text="A year").locator("input").check()
            load.page.get_by_role("button", name="Run the comparison").click()
        for load in tabs:
            page = load.page
            page.locator(".wb-kpi-table th", has_text="A year").wait_for()
            page.locator(".wb-compare .wb-progress").wait_for(state="hidden")
            assert re.search(r"\d+(\.\d+)?%", page.locator(".wb-kpi-table").inner_text())
            # The results are redrawn in place as the kernel's messages arrive: wait for both scenarios' effects.
            page.wait_for_function("() => document.querySelector('.wb-results .wb-chart svg')?.textContent"
                                   ".includes('A year')")
            charts = load.charts(".wb-results")
            assert len(charts) == 4  # effects, a cohort's spread, who stays, cost against impact
            assert_drawn(charts, ".wb-results")
            # The sensitivity chart stays hidden until its own button is pressed.
            assert load.charts(".wb-tornado") == []
            load.check()
            loads += 1
    assert loads == LOADS


class PlainVoila(AppServer):
    """Voila alone on one notebook of two charts: no app, so no route for the chart runtime."""

    def __init__(self, folder: Path, log_path: Path) -> None:
        import nbformat

        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import altair as alt\n"
            "import ipywidgets\n"
            "import pandas as pd\n"
            "from workbench.views.charts import chart_widget\n\n"
            "frame = pd.DataFrame({'group': list('abc'), 'count': [3, 1, 2]})\n"
            "ipywidgets.VBox([chart_widget(alt.Chart(frame).mark_bar().encode(x='group:N', y='count:Q')),\n"
            "                 chart_widget(alt.Chart(frame).mark_point().encode(x='group:N', y='count:Q'))])")])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(notebook, folder / "charts.ipynb")
        self.home = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log_path
        self._log = open(log_path, "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "voila", "charts.ipynb", f"--port={self.port}", "--Voila.port_retries=0",
             "--Voila.ip=127.0.0.1", "--no-browser"],
            cwd=folder, env=env, stdout=self._log, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def plain_voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    folder = tmp_path_factory.mktemp("plain-voila")
    server = PlainVoila(folder, folder / "server.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_charts_draw_where_the_app_does_not_serve_the_runtime(browser_page, plain_voila: AppServer) -> None:
    """Plain Voila (or JupyterLab): the static file is missing, so the page asks its kernel, once, for the runtime."""
    page = browser_page
    asked: list[str] = []
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())  # no CDN fonts here
    page.on("websocket", lambda socket: socket.on(
        "framesent", lambda payload: RUNTIME_REQUEST in str(payload) and asked.append("runtime")))
    statuses: list[int] = []
    page.on("response", lambda response: RUNTIME.search(response.url) and statuses.append(response.status))
    page.goto(plain_voila.url)
    page.locator(".wb-chart").nth(1).wait_for()
    page.wait_for_function(SETTLED_JS, arg="body")
    charts = page.evaluate(CHARTS_JS, "body")
    assert len(charts) == 2
    assert_drawn(charts, "plain Voila")
    assert statuses and 200 not in statuses, statuses  # plain Voila answers with a redirect, then 403
    assert asked == ["runtime"]  # one request for the two charts
