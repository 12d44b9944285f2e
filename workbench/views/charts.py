"""Showing Altair charts in a page, offline and interactive.

A chart is a small widget (:class:`ChartWidget`) drawn by the browser from its
Vega-Lite spec, the only state a chart syncs. The Vega runtime (vega,
vega-lite and vega-embed, about 0.9 MB) never travels with a chart: the
widget's script (a few kB) loads it once per page from the app
(``{baseUrl}workbench/static/<runtime_file_name()>``, cached by the browser for
good) and draws with the shared ``wbDrawChart`` (:mod:`workbench.charts.embed`),
as SVG so the browser tests can count marks. Where the app's route does not
exist (JupyterLab, plain Voila) the page asks the kernel for the runtime over
the chart's own widget messages instead.

A chart widget is created once and updated in place (``widget.chart = new_chart``):
only the new spec is sent, and the chart is redrawn into the same element.

Why charts stayed blank before ("[anywidget] Failed to initialize model."):
anywidget (0.11) gives each model two seconds, from its creation in the page,
to import its script and run its ``initialize``; a model that misses the
deadline still shows its first state but drops every later message from the
kernel, so the chart stayed on its first, empty spec ("No data for this
selection") while the text beside it was updated. Voila creates every model of
a page at once and then renders the page in long tasks (about 0.4 s here, more
on a slow or busy machine) before any script can load; Altair's offline
``JupyterChart`` then compiled the whole runtime in every chart's script (about
0.9 MB each), which pushed charts past the deadline. Here the script is tiny and
has no ``initialize``, and, so that even a model that misses the deadline keeps
drawing, the spec does not travel on the anywidget model at all: it lives on a
plain ipywidgets model (:class:`ChartData`, no deadline) that the chart's view
follows.
"""

from __future__ import annotations

import functools
import json

import altair as alt
import anywidget
import ipywidgets
import traitlets

from workbench.charts.embed import DRAW_JS, chart_spec, runtime_file_name, vega_runtime

#: Custom message a chart sends to its kernel when the page cannot load the runtime by itself.
RUNTIME_REQUEST = "wb-runtime-request"
#: The kernel's answer: ``{"type": RUNTIME_ANSWER, "source": <runtime JavaScript>}`` or ``"error"``.
RUNTIME_ANSWER = "wb-runtime"
#: Below the server's base URL, where the app serves the runtime (``workbench.app.STATIC_PREFIX``).
STATIC_PATH = "workbench/static/"
#: How long a page waits for its kernel to send the runtime (building it takes a few seconds).
KERNEL_TIMEOUT_MS = 120_000

_LOADER_JS = """
const RUNTIME_FILE = %(runtime_file)s;
const LOADING = "__wbVegaRuntime:" + RUNTIME_FILE;

function serverBaseUrl() {
  const node = document.getElementById("jupyter-config-data");
  if (!node) return null;
  try { return JSON.parse(node.textContent).baseUrl || null; } catch (error) { return null; }
}

function fromServer() {
  const base = serverBaseUrl();
  if (base === null) return Promise.reject(new Error("no server address in this page"));
  const url = new URL(base.replace(/\\/?$/, "/") + %(static_path)s + RUNTIME_FILE, document.baseURI).href;
  return import(url);
}

function fromKernel(data) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      data.off("msg:custom", answer);
      reject(new Error("the kernel did not send the chart library"));
    }, %(kernel_timeout)d);
    function answer(message) {
      if (!message || message.type !== %(answer)s) return;
      clearTimeout(timer);
      data.off("msg:custom", answer);
      if (typeof message.source !== "string") {
        reject(new Error(message.error || "the kernel could not build the chart library"));
        return;
      }
      const url = URL.createObjectURL(new Blob([message.source], { type: "text/javascript" }));
      import(url).then(resolve, reject).finally(() => URL.revokeObjectURL(url));
    }
    data.on("msg:custom", answer);
    data.send({ type: %(request)s });
  });
}

// One load per page, shared by every chart; a failed load is tried again by the next draw.
function loadRuntime(data) {
  if (typeof window.vegaEmbed === "function") return Promise.resolve();
  if (!window[LOADING]) {
    const loading = fromServer()
      .catch(() => fromKernel(data))
      .then(() => {
        if (typeof window.vegaEmbed !== "function") throw new Error("the chart library did not define vegaEmbed");
      });
    loading.catch(() => { if (window[LOADING] === loading) window[LOADING] = null; });
    window[LOADING] = loading;
  }
  return window[LOADING];
}

// The spec's model: a plain ipywidgets model, whose messages no anywidget deadline can stop.
async function specModel(model) {
  const ref = String(model.get("_data") || "");
  return model.widget_manager.get_model(ref.replace(/^IPY_MODEL_/, ""));
}

async function render({ model, el }) {
  el.classList.add("wb-chart");
  let data;
  try {
    data = await specModel(model);
  } catch (error) {
    window.wbShowChartError(el, new Error("the chart's data did not reach the page"));
    return () => {};
  }
  let alive = true;
  let pending = null;  // the newest spec not drawn yet
  let drawing = false;
  // Where the runtime comes from the kernel (JupyterLab), it takes a few seconds: say so meanwhile.
  const hint = setTimeout(() => {
    if (alive && !el.wbView && !el.hasAttribute("data-wb-error")) el.textContent = "Loading the chart library…";
  }, 1000);
  async function drawNewest() {
    if (drawing) return;  // the running loop draws the newest spec when its draw ends
    drawing = true;
    try {
      await loadRuntime(data).finally(() => clearTimeout(hint));
      while (alive && pending !== null) {
        const spec = pending;
        pending = null;
        await window.wbDrawChart(el, spec).catch((error) => console.warn("[workbench] chart not drawn:", error));
      }
      if (!alive && el.wbView) { el.wbView.finalize(); el.wbView = null; }  // removed while drawing
    } catch (error) {
      if (alive) window.wbShowChartError(el, error);
    } finally {
      drawing = false;
    }
  }
  function onSpec() {
    pending = data.get("spec");
    drawNewest();
  }
  data.on("change:spec", onSpec);
  onSpec();
  return () => {
    alive = false;
    clearTimeout(hint);
    data.off("change:spec", onSpec);
    if (el.wbView) { el.wbView.finalize(); el.wbView = null; }
  };
}

export default { render };
"""

_CSS = """
.wb-chart { min-height: 24px; overflow-x: auto; }
.wb-chart.wb-chart-error { min-height: 0; padding: 8px 12px; border-radius: 6px; color: #8a1f11; background: #fdecea; }
"""


@functools.cache
def widget_esm() -> str:
    """The chart widget's JavaScript module: the shared drawing code and the runtime loader (a few kB)."""
    return DRAW_JS + _LOADER_JS % {
        "runtime_file": json.dumps(runtime_file_name()),
        "static_path": json.dumps(STATIC_PATH),
        "kernel_timeout": KERNEL_TIMEOUT_MS,
        "request": json.dumps(RUNTIME_REQUEST),
        "answer": json.dumps(RUNTIME_ANSWER),
    }


class ChartData(ipywidgets.Widget):
    """A chart's Vega-Lite spec, the only state it syncs; it answers the page's requests for the runtime.

    A plain ipywidgets model with no view, so its updates reach the page even
    when anywidget has given up on the chart's own model (see the module's notes).
    """

    spec = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._answer_runtime_request)

    def _answer_runtime_request(self, _widget: ChartData, content: object, _buffers: list) -> None:
        if not isinstance(content, dict) or content.get("type") != RUNTIME_REQUEST:
            return
        try:
            source = vega_runtime()
        except Exception as error:  # the page must say why, not wait for a timeout
            self.send({"type": RUNTIME_ANSWER, "error": f"the kernel could not build the chart library: {error}"})
            return
        self.send({"type": RUNTIME_ANSWER, "source": source})


class ChartWidget(anywidget.AnyWidget):
    """A chart drawn by the browser from its Vega-Lite spec.

    ``widget.chart`` is the Altair chart shown; assigning a new one sends its spec
    (on ``widget.data``, a :class:`ChartData`) and the page redraws the chart in place.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode(_CSS).tag(sync=True)
    _data = traitlets.Instance(ChartData).tag(sync=True, **ipywidgets.widget_serialization)

    def __init__(self, chart: alt.TopLevelMixin, **kwargs) -> None:
        self._chart = chart
        super().__init__(_data=ChartData(spec=chart_spec(chart)), _esm=widget_esm(), **kwargs)

    @property
    def data(self) -> ChartData:
        """The model that carries the spec to the page."""
        return self._data

    @property
    def spec(self) -> dict:
        """The Vega-Lite spec shown (``chart_spec(widget.chart)``)."""
        return self._data.spec

    @property
    def chart(self) -> alt.TopLevelMixin:
        """The Altair chart shown."""
        return self._chart

    @chart.setter
    def chart(self, chart: alt.TopLevelMixin) -> None:
        spec = chart_spec(chart)  # first, so a chart that cannot be written leaves the widget as it was
        self._chart = chart
        self._data.spec = spec

    def close(self) -> None:
        self._data.close()
        super().close()


def chart_widget(chart: alt.TopLevelMixin) -> ChartWidget:
    """A widget showing ``chart``; assign ``widget.chart = new_chart`` to update it."""
    return ChartWidget(chart)
