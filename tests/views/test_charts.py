"""The chart widget: it syncs a Vega-Lite spec, its script is small, it updates in place and can send the runtime."""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap

import altair as alt
import pandas as pd
import pytest

from workbench.charts.common import no_data_chart
from workbench.charts.embed import DRAW_JS, bounded_labels, chart_spec, runtime_file_name
from workbench.views import charts
from workbench.views.charts import RUNTIME_ANSWER, RUNTIME_REQUEST, ChartData, ChartWidget, chart_widget, widget_esm

#: What every ipywidgets model syncs, besides its own state.
MODEL_STATE = {"_model_module", "_model_module_version", "_model_name", "_view_count", "_view_module",
               "_view_module_version", "_view_name"}
#: What an anywidget syncs besides: its script, its style, and what every DOM widget has.
ANYWIDGET_STATE = MODEL_STATE | {"_anywidget_id", "_css", "_esm", "_dom_classes", "layout", "tabbable", "tooltip"}


def bars(values: list[int], title: str = "Bars") -> alt.Chart:
    frame = pd.DataFrame({"group": [f"g{i}" for i in range(len(values))], "count": values})
    return alt.Chart(frame, title=title).mark_bar().encode(x="group:N", y="count:Q")


class SentMessages:
    """Records what the widget sends to the page over its comm."""

    def __init__(self, widget: ChartWidget | ChartData, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[dict] = []
        monkeypatch.setattr(widget.comm, "send", lambda data=None, metadata=None, buffers=None: self.sent.append(data))

    def updates(self) -> list[dict]:
        return [m["state"] for m in self.sent if m and m.get("method") == "update"]

    def custom(self) -> list[dict]:
        return [m["content"] for m in self.sent if m and m.get("method") == "custom"]


def test_the_synced_state_is_the_spec_and_nothing_else_of_the_chart() -> None:
    chart = bars([3, 1, 2])
    widget = chart_widget(chart)
    assert isinstance(widget, ChartWidget) and isinstance(widget.data, ChartData)
    # The chart's view follows a plain ipywidgets model that holds the spec and nothing else.
    state = widget.get_state()
    assert set(state) - ANYWIDGET_STATE == {"_data"} and state["_data"] == f"IPY_MODEL_{widget.data.model_id}"
    data = widget.data.get_state()
    assert set(data) - MODEL_STATE == {"spec"} and data["_view_name"] is None
    assert data["spec"] == widget.spec == chart_spec(chart) == bounded_labels(chart.to_dict())
    assert json.loads(json.dumps(data["spec"])) == data["spec"]  # plain JSON, data inlined
    assert widget.chart is chart


def test_closing_a_chart_closes_the_model_of_its_spec() -> None:
    widget = chart_widget(bars([1]))
    data = widget.data
    widget.close()
    assert widget.comm is None and data.comm is None


def test_the_script_is_small_has_no_initialize_and_carries_no_runtime() -> None:
    esm = widget_esm()
    assert esm == chart_widget(bars([1])).get_state()["_esm"]
    assert len(esm.encode("utf-8")) < 20_000
    # anywidget gives a model two seconds to import its script and run `initialize`, or drops every later
    # update: the script must stay tiny and must not wait for anything before the page draws.
    assert "initialize" not in esm and "export default { render }" in esm
    assert DRAW_JS in esm and json.dumps(runtime_file_name()) in esm
    assert "window.vegaEmbed=" not in esm  # the bundle's last line: the runtime is loaded once per page instead


def test_the_script_loads_the_runtime_where_the_app_serves_it() -> None:
    from workbench.app.server import STATIC_PREFIX

    assert charts.STATIC_PATH == STATIC_PREFIX
    assert json.dumps(STATIC_PREFIX) in widget_esm()


def test_update_in_place_sends_the_new_spec_only(monkeypatch: pytest.MonkeyPatch) -> None:
    widget = chart_widget(no_data_chart("Nothing yet"))
    messages = SentMessages(widget.data, monkeypatch)
    script = SentMessages(widget, monkeypatch)
    model_id = widget.model_id
    new = bars([5, 4], title="Now with data")
    widget.chart = new
    assert widget.model_id == model_id and widget.chart is new
    assert widget.spec == chart_spec(new)
    assert messages.updates() == [{"spec": chart_spec(new)}] and script.sent == []
    widget.chart = bars([5, 4], title="Now with data")  # the same picture: nothing to redraw
    assert len(messages.updates()) == 1


def test_a_chart_that_cannot_be_written_leaves_the_widget_as_it_was() -> None:
    widget = chart_widget(bars([1, 2]))
    before, spec = widget.chart, widget.spec
    too_many = alt.Chart(pd.DataFrame({"x": range(6_000)})).mark_tick().encode(x="x:Q")
    with pytest.raises(alt.MaxRowsError):
        widget.chart = too_many
    assert widget.chart is before and widget.spec == spec


def test_the_kernel_sends_the_runtime_when_the_page_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    widget = chart_widget(bars([1]))
    messages = SentMessages(widget.data, monkeypatch)
    widget.data._handle_custom_msg({"type": "something else"}, [])
    assert messages.custom() == []
    widget.data._handle_custom_msg({"type": RUNTIME_REQUEST}, [])
    (answer,) = messages.custom()
    assert answer["type"] == RUNTIME_ANSWER
    assert "window.vegaEmbed=" in answer["source"] and len(answer["source"]) > 500_000


def test_the_page_is_told_why_when_the_kernel_cannot_build_the_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise RuntimeError("no bundle here")

    monkeypatch.setattr(charts, "vega_runtime", broken)
    widget = chart_widget(bars([1]))
    messages = SentMessages(widget.data, monkeypatch)
    widget.data._handle_custom_msg({"type": RUNTIME_REQUEST}, [])
    assert messages.custom() == [{"type": RUNTIME_ANSWER,
                                  "error": "the kernel could not build the chart library: no bundle here"}]


NODE = shutil.which("node")

#: Drives the widget's module in Node with a stand-in page: a model, an element and a slow vegaEmbed.
NODE_HARNESS = textwrap.dedent("""
    import { readFileSync } from "node:fs";
    class Element {
      constructor() { this.textContent = ""; this.attributes = {}; this.classes = new Set(); this.wbView = null; }
      get classList() { const c = this.classes; return { add: (x) => c.add(x), remove: (x) => c.delete(x) }; }
      setAttribute(k, v) { this.attributes[k] = v; }
      removeAttribute(k) { delete this.attributes[k]; }
    }
    class Model {
      constructor(spec) { this.state = { spec }; this.handlers = {}; this.sent = []; }
      get(k) { return this.state[k]; }
      set(k, v) { this.state[k] = v; (this.handlers["change:" + k] || []).slice().forEach((h) => h()); }
      on(e, h) { (this.handlers[e] = this.handlers[e] || []).push(h); }
      off(e, h) { this.handlers[e] = (this.handlers[e] || []).filter((x) => x !== h); }
      send(m) { this.sent.push(m); }
    }
    globalThis.window = globalThis;
    globalThis.document = { getElementById: () => null, baseURI: "http://localhost/" };
    const log = { drawn: [], overlapping: 0, finalized: 0, running: 0 };
    window.vegaEmbed = async (element, spec) => {
      log.running += 1;
      if (log.running > 1) log.overlapping += 1;
      await new Promise((r) => setTimeout(r, 20));
      log.running -= 1;
      if (spec.fail) throw new Error("bad spec");
      element.textContent = "<svg>" + spec.n + "</svg>";
      log.drawn.push(spec.n);
      return { finalize: () => { log.finalized += 1; } };
    };
    const url = "data:text/javascript;base64," + Buffer.from(readFileSync(process.argv[2], "utf8")).toString("base64");
    const widget = (await import(url)).default;
    const model = new Model({ n: 0 });  // the spec's model
    const chart = new Model(null);
    chart.state._data = "IPY_MODEL_spec1";
    chart.widget_manager = { get_model: async (id) => { if (id !== "spec1") throw new Error(id); return model; } };
    const el = new Element();
    const cleanup = await widget.render({ model: chart, el });
    await new Promise((r) => setTimeout(r, 5));
    for (let n = 1; n <= 5; n++) model.set("spec", { n });  // updates while the first draw is running
    await new Promise((r) => setTimeout(r, 200));
    const afterUpdates = { drawn: [...log.drawn], text: el.textContent, overlapping: log.overlapping };
    model.set("spec", { fail: true });
    await new Promise((r) => setTimeout(r, 100));
    const failed = { error: el.attributes["data-wb-error"], text: el.textContent };
    model.set("spec", { n: 6 });
    await new Promise((r) => setTimeout(r, 100));
    const recovered = { text: el.textContent, error: el.attributes["data-wb-error"] || null };
    cleanup();
    model.set("spec", { n: 7 });
    await new Promise((r) => setTimeout(r, 100));
    console.log(JSON.stringify({ afterUpdates, failed, recovered, finalAfterCleanup: log.drawn.at(-1),
                                 finalized: log.finalized, sent: model.sent, classes: [...el.classes] }));
""")


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_module_draws_the_newest_spec_one_draw_at_a_time_and_says_why_a_draw_failed(tmp_path) -> None:
    (tmp_path / "widget.mjs").write_text(widget_esm(), encoding="utf-8")
    (tmp_path / "harness.mjs").write_text(NODE_HARNESS, encoding="utf-8")
    run = subprocess.run([NODE, str(tmp_path / "harness.mjs"), str(tmp_path / "widget.mjs")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    # The first spec, then straight to the newest: the specs in between are never drawn.
    assert result["afterUpdates"] == {"drawn": [0, 5], "text": "<svg>5</svg>", "overlapping": 0}
    assert result["failed"]["error"] == "bad spec"
    assert result["failed"]["text"].startswith("This chart could not be drawn (bad spec)")
    assert result["recovered"] == {"text": "<svg>6</svg>", "error": None}
    assert result["finalAfterCleanup"] == 6  # a removed view draws nothing more
    assert result["sent"] == []  # vegaEmbed was there: the kernel was not asked for the runtime
    assert result["finalized"] == 3  # every view drawn was finalized once (by the next draw or the cleanup)
    assert "wb-chart" in result["classes"] and "wb-chart-error" not in result["classes"]
