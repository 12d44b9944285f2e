"""One way of drawing a chart in a browser, for the app's pages and the offline pack alike.

A chart travels as its Vega-Lite spec (``chart_spec``) and is drawn by
vega-embed as SVG. The Vega runtime (vega, vega-lite and vega-embed, bundled by
``vl-convert-python``, about 0.9 MB) is never sent with each chart: the app
serves it once per page as a cached static file (``runtime_file_name``), the
stakeholder pack inlines it once per HTML page. ``DRAW_JS`` is the one function
both use to draw a spec into an element, and to say in the element why a chart
could not be drawn.
"""

from __future__ import annotations

import functools
import json

import altair as alt

#: Most characters of an axis or facet label a chart draws; a longer label is cut to this many, ending in an
#: ellipsis (the data, and so the tooltip, keep the full text). The renderer measures a label to fit it to its
#: pixel limit: one department name of 10,000 characters took 13 s to lay out, 100,000 about 170 s.
LABEL_CHARS = 60
#: vega-embed options for every chart: SVG (marks can be counted by tests), no action menu.
EMBED_OPTIONS = {"renderer": "svg", "actions": False}

#: JavaScript defining ``wbDrawChart(element, spec)``: draws ``spec`` with ``window.vegaEmbed``
#: (the runtime must be loaded) and returns the vega-embed result; on failure it writes a
#: plain message into the element (``wbShowChartError``) and rethrows. A redraw into the same
#: element finalizes the view drawn there before; calls for one element must not overlap.
DRAW_JS = """
window.wbShowChartError = window.wbShowChartError || function (element, error) {
  const reason = String(error && error.message || error);
  element.setAttribute("data-wb-error", reason);
  element.textContent = "This chart could not be drawn (" + reason +
    "). Reload the page; if it stays blank, the figures are in the text and tables beside it.";
  element.classList.add("wb-chart-error");
};
window.wbDrawChart = window.wbDrawChart || async function (element, spec) {
  const options = %s;
  try {
    if (typeof window.vegaEmbed !== "function") {
      throw new Error("the chart library did not load");
    }
    if (element.wbView) {
      element.wbView.finalize();
      element.wbView = null;
    } else {
      element.textContent = "";  // a placeholder or an earlier message, never a drawn chart
    }
    const result = await window.vegaEmbed(element, spec, options);
    element.wbView = result;
    element.removeAttribute("data-wb-error");
    element.classList.remove("wb-chart-error");
    return result;
  } catch (error) {
    window.wbShowChartError(element, error);
    throw error;
  }
};
""" % json.dumps(EMBED_OPTIONS)


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec as plain JSON-ready data (data inlined).

    Not validated against the Vega-Lite schema here: validating took about a third
    of the time of writing a spec, on every redraw in a page. The chart tests
    validate the charts (their ``to_dict()`` and ``to_json()`` calls do).
    """
    return bounded_labels(chart.to_dict(validate=False))


def bounded_labels(spec: dict) -> dict:
    """``spec`` with every axis and facet label cut to :data:`LABEL_CHARS` characters (``…`` at the end).

    Set in the spec's ``config``, so it holds for every chart whatever its builder; an axis that sets
    its own ``labelExpr`` keeps it. Returns a new dict; ``spec`` is left as it was.
    """
    cut = {"labelExpr": f"truncate(datum.label, {LABEL_CHARS})"}
    config = dict(spec.get("config") or {})
    for part in ("axis", "header"):
        config[part] = {**cut, **(config.get(part) or {})}
    return {**spec, "config": config}


@functools.cache
def vega_runtime() -> str:
    """JavaScript that defines ``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite``, offline.

    Built by ``vl_convert.javascript_bundle`` for the Vega-Lite version Altair
    writes (about 0.9 MB; about 1 s to build, so it is built once per process).
    """
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())


def runtime_file_name() -> str:
    """A file name for the runtime that changes whenever its content can (safe to cache forever).

    The bundle is fixed by the vl-convert release and the Vega-Lite version, so the
    name is known without building it (a page kernel never pays for the build).
    """
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return f"vega-runtime-{vl_convert.__version__}-{vl_version_for_vl_convert()}.js"
