"""Small HTML tables for pages: escaped, right-aligned numbers, capped in length."""

from __future__ import annotations

import base64
import html

import pandas as pd

from workbench.exports import safe_csv_text


#: Words for columns that pages show as the domain names them, where the name alone is unclear (others:
#: underscores read as spaces).
HEADER_WORDS = {"person_id": "person", "best_score": "best pair score (0-1)", "allowed_mentors": "mentors allowed",
                "draw": "lottery draw", "onet_soc_code": "occupation (O*NET code)"}


def header_words(column: object) -> str:
    """The words a reader sees for ``column`` (a table's header, a people column in a picker):
    ``"best_score"`` -> "best pair score (0-1)", ``"job_title"`` -> "job title"."""
    return HEADER_WORDS.get(str(column), str(column).replace("_", " "))


def html_table(frame: pd.DataFrame, *, limit: int = 50, css_class: str = "wb-table") -> str:
    """``frame`` as an HTML table of at most ``limit`` rows, every cell escaped, headers in words
    (:func:`header_words`)."""
    shown = frame.head(limit)
    head = "".join(f"<th>{html.escape(header_words(c))}</th>" for c in shown.columns)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) for c in shown.columns]
    body = []
    for row in shown.itertuples(index=False):
        cells = []
        for value, is_number in zip(row, numeric):
            text = "" if pd.isna(value) else (f"{value:,}" if is_number and isinstance(value, int) else str(value))
            cells.append(f"<td class='num'>{html.escape(text)}</td>" if is_number else f"<td>{html.escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    more = (f"<p class='wb-more'>Showing {limit:,} of {len(frame):,} rows.</p>" if len(frame) > limit else "")
    return f"<table class='{css_class}'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def download_link(content: str | bytes, file_name: str, media_type: str, label: str) -> str:
    """A link that downloads ``content`` (text, sent as UTF-8, or the bytes of a binary file such as a
    workbook) as ``file_name``, embedded in the page (no server round trip)."""
    binary = isinstance(content, bytes)
    payload = base64.b64encode(content if binary else content.encode("utf-8")).decode("ascii")
    charset = "" if binary else ";charset=utf-8"
    return (f'<a class="wb-download" download="{html.escape(file_name)}" '
            f'href="data:{media_type}{charset};base64,{payload}">{html.escape(label)}</a>')


def csv_download_link(frame: pd.DataFrame, file_name: str, label: str) -> str:
    """A link that downloads ``frame`` as a spreadsheet-safe CSV."""
    return download_link(safe_csv_text(frame), file_name, "text/csv", label)


def problems_html(problems: pd.DataFrame, *, published: bool, limit: int = 30) -> str:
    """Validation problems (file, row, column, value, problem) as a page shows them: listed with a CSV
    download, or in the published app counted per file and column (a listed problem shows a person's value)."""
    if published:
        counts = problems.groupby(["file", "column"], sort=True).size().rename("problems").reset_index()
        return ("<h4>Validation problems</h4><p>Counted per file and column; the published app does not list the "
                "rows.</p>" + html_table(counts, limit=limit))
    return ("<h4>Validation problems</h4>" + html_table(problems, limit=limit)
            + csv_download_link(problems, "problems.csv", "Download all problems (CSV)"))
