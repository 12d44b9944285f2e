"""HTML and Markdown pieces every report shares: the stylesheet, escaping, tables, fact lists and charts as SVG.

The design brief (:mod:`.brief`), its analysis sections (:mod:`.sections`), the evaluation report
(:mod:`.evaluation`) and the stakeholder pack (:mod:`.pack`) all build their pages from these, so
they look alike and escape text the same way: anything from a workspace or a design is escaped
(:func:`escape`, :func:`md_text`) before it reaches a page.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence

from workbench.charts.embed import bounded_labels, chart_spec

# A system font stack: the brief loads no web fonts.
_FONTS = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", '
           'Arial, sans-serif')

#: The stylesheet of every report page (screen and print, A4).
CSS = """
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; --soft: #f4f6f9; --accent: #1d4e89;
        --error: #b42318; --error-bg: #fef3f2; --warning: #93370d; --warning-bg: #fffaeb;
        --info: #1849a9; --info-bg: #eff8ff; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink); font-family: FONTS; font-size: 15px; line-height: 1.55; }
main { max-width: 860px; margin: 0 auto; padding: 40px 32px 64px; }
header.cover { border-bottom: 3px solid var(--accent); padding-bottom: 18px; margin-bottom: 28px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; font-weight: 600; color: var(--accent);
          margin: 0 0 6px; }
h1 { font-size: 30px; line-height: 1.2; margin: 0 0 10px; }
h2 { font-size: 22px; line-height: 1.25; margin: 0 0 6px; }
h3 { font-size: 16.5px; line-height: 1.3; margin: 0 0 6px; }
h4 { font-size: 14px; margin: 18px 0 6px; }
p { margin: 0 0 10px; }
a { color: var(--accent); }
.meta { color: var(--muted); font-size: 14px; margin: 0; }
.meta span + span::before { content: "\\00B7"; margin: 0 8px; }
nav.contents { background: var(--soft); border-radius: 8px; padding: 12px 18px; margin-bottom: 32px;
               font-size: 14px; }
nav.contents ol { margin: 4px 0 0; padding-left: 20px; columns: 2; }
section { margin-top: 40px; }
.lead { color: var(--muted); margin-bottom: 18px; }
.step-head { display: flex; align-items: center; gap: 14px; border-bottom: 1px solid var(--line);
             padding-bottom: 10px; margin-bottom: 18px; }
.step-head .lead { margin: 0; }
.badge { flex: none; width: 40px; height: 40px; border-radius: 50%; background: var(--accent); color: #fff;
         font-weight: 700; font-size: 20px; display: flex; align-items: center; justify-content: center; }
dl.facts { display: grid; grid-template-columns: 190px 1fr; margin: 0; border-top: 1px solid var(--line); }
dl.facts dt, dl.facts dd { margin: 0; padding: 8px 0; border-bottom: 1px solid var(--line); }
dl.facts dt { font-weight: 600; color: var(--muted); padding-right: 16px; }
dl.facts ul { margin: 0; padding-left: 18px; }
article.decision { border-left: 3px solid var(--line); padding: 2px 0 2px 16px; margin: 0 0 22px; }
article.decision.flagged { border-left-color: var(--warning); }
article.decision.flagged-error { border-left-color: var(--error); }
.question { color: var(--muted); font-style: italic; margin-bottom: 8px; }
.choice { background: var(--soft); border-radius: 6px; padding: 8px 12px; margin-bottom: 8px; }
.choice strong { color: var(--accent); }
.label { display: inline-block; min-width: 74px; font-size: 12px; font-weight: 600; text-transform: uppercase;
         letter-spacing: .05em; color: var(--muted); }
blockquote.rationale { margin: 0 0 8px; padding: 6px 12px; border-left: 3px solid var(--accent);
                       background: #f7f9fc; }
blockquote.rationale p:last-child { margin-bottom: 0; }
.none { color: var(--muted); font-style: italic; }
.guidance { font-size: 14px; }
.evidence { font-size: 13px; color: var(--muted); margin: 0; }
.flags { font-size: 13px; margin: 6px 0 0; }
.tag { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; }
.tag.error { background: var(--error-bg); color: var(--error); }
.tag.warning { background: var(--warning-bg); color: var(--warning); }
.tag.info { background: var(--info-bg); color: var(--info); }
table { width: 100%; border-collapse: collapse; font-size: 13.5px; margin: 8px 0 14px; }
caption { text-align: left; font-weight: 600; margin-bottom: 6px; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; border-bottom: 2px solid var(--line); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap, th.nowrap { white-space: nowrap; }
table.compact { width: auto; min-width: 50%; }
.finding { border-radius: 8px; padding: 10px 14px; margin: 0 0 12px; }
.finding.error { background: var(--error-bg); border-left: 4px solid var(--error); }
.finding.warning { background: var(--warning-bg); border-left: 4px solid var(--warning); }
.finding.info { background: var(--info-bg); border-left: 4px solid var(--info); }
.finding h4 { margin: 0 0 4px; font-size: 15px; }
.finding p { margin: 0 0 6px; }
.finding p:last-child { margin-bottom: 0; }
.small { font-size: 13px; color: var(--muted); }
.after-facts { margin-top: 10px; }
figure.chart { margin: 16px 0; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
footer { margin-top: 48px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted);
         font-size: 12.5px; }
@page { size: A4; margin: 18mm 16mm 20mm; }
@media print {
  body { font-size: 10.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  nav.contents { display: none; }
  a { color: inherit; text-decoration: none; }
  section { margin-top: 24px; }
  section.step, section.page { break-before: page; margin-top: 0; }
  h2, h3, h4, .step-head { break-after: avoid; }
  article.decision, .finding, figure, tr, dl.facts dt, dl.facts dd { break-inside: avoid; }
  table { break-inside: avoid; }
  thead { display: table-header-group; }
}
""".replace("FONTS", _FONTS)


def escape(text: object) -> str:
    """Text (any value, as ``str``) escaped for HTML, quotes included."""
    return html.escape(str(text), quote=True)


_ID_ATTRIBUTE = re.compile(r'\bid="([^"]+)"')
_EXTERNAL_HREF = re.compile(r'\s(?:xlink:)?href="(?!#)[^"]*"')
_EXTERNAL_URL = re.compile(r"url\((?!\s*['\"]?#)[^)]*\)")


def chart_svg(chart: object, *, prefix: str = "chart") -> str:
    """A chart as inline SVG with no external references.

    ``chart`` is an Altair chart, a Vega-Lite spec as a ``dict`` or as JSON
    text; its labels are cut as every drawn chart's are
    (:func:`workbench.charts.embed.bounded_labels`). It is rendered with
    vl-convert without network access; ids inside the SVG get ``prefix`` so
    several charts can share one page, and any link to outside the SVG is
    removed so the page never loads anything.
    """
    import vl_convert

    if isinstance(chart, Mapping):
        spec = bounded_labels(dict(chart))
    elif isinstance(chart, str):
        spec = bounded_labels(json.loads(chart))
    else:
        spec = chart_spec(chart)
    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
    ids = set(_ID_ATTRIBUTE.findall(svg))
    for name in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}-{name}"').replace(f"#{name})", f"#{prefix}-{name})") \
                 .replace(f'href="#{name}"', f'href="#{prefix}-{name}"')
    svg = _EXTERNAL_HREF.sub("", svg)
    svg = _EXTERNAL_URL.sub("none", svg)
    return svg


def html_facts(rows: Sequence[tuple[str, str | list[str]]]) -> str:
    """``(label, value)`` rows as a definition list; a value that is a list of several is a bulleted list."""
    items = []
    for label, value in rows:
        if isinstance(value, list):
            shown = "<ul>" + "".join(f"<li>{escape(v)}</li>" for v in value) + "</ul>" if len(value) > 1 \
                else escape(value[0])
        else:
            shown = escape(value)
        items.append(f"<dt>{escape(label)}</dt><dd>{shown}</dd>")
    return f'<dl class="facts">{"".join(items)}</dl>'


def html_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = (),
               nowrap: Sequence[int] = (), css_class: str = "") -> str:
    """A table with ``headers``; cells of the columns at ``numeric`` are right-aligned, at ``nowrap`` unbroken."""

    def cell(tag: str, index: int, text: str) -> str:
        classes = " ".join(c for c, columns in (("num", numeric), ("nowrap", nowrap)) if index in columns)
        attribute = f' class="{classes}"' if classes else ""
        return f"<{tag}{attribute}>{escape(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    table_class = f' class="{css_class}"' if css_class else ""
    return f"<table{table_class}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def md_text(text: object) -> str:
    """Text made inert in Markdown: ``<`` and ``>`` are escaped, so it cannot add raw HTML."""
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def _md_cell(text: object) -> str:
    return " ".join(md_text(text).replace("\\", "\\\\").replace("|", "\\|").split())


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> list[str]:
    """A Markdown table as lines; ``|`` in a cell is escaped, columns at ``numeric`` are right-aligned."""
    align = ["---:" if i in numeric else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(_md_cell(h) for h in headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return lines
