"""Hypothesis strategies for damaged inputs: tables as an HR export or a hand edit may leave them, and YAML files.

A damage is drawn on a clean table (a header and rows of text) or a clean YAML text, so that most cases are
the table or file a user has, with one or a few things wrong: the cases of issue 15 (duplicate person ids,
manager cycles, unknown people, negative capacity, implausible dates, NaN goals, a missing column, wrong
YAML types) and the classic catalogue (encodings with and without a byte-order mark, delimiters, empty
files, header only, very long cells, control characters, formulas, unicode, YAML bombs, tags and anchors,
wrong nesting, huge numbers, inf/nan text, blank rows, duplicated headers). Each strategy returns the bytes
to write and a short description of the damage, for the failure message.
"""

from __future__ import annotations

import csv
import io

import yaml
from hypothesis import strategies as st

from tests import with_a_wrong_value

#: Cell values that break a contract, a parser or a chart, or that look like something else.
ODD_VALUES = (
    "", " ", "=1+1", "+1", "-1", "@SUM(A1)", "-2", "0", "1.5", "1e309", "-1e309", "9" * 40, "0x1F", "1,5",
    "NaN", "nan", "inf", "-inf", "Infinity", "NULL", "None", "N/A", "TRUE", "false",
    "9999-12-31", "0001-01-01", "2099-01-01", "2020-13-45", "2021-02-29", "31/12/2020", "20200101",
    "Ζωή 李小龍 🙂", "\u202eevil", "a\u200bb", "e\u0301", "\ufeffP00001", "a\x00b", "bell\x07", "tab\there",
    "line\nbreak", "cr\rhere", 'quote"d', "semi;colon", "pipe|bar", "<script>alert(1)</script>",
    "../../etc/passwd", "x" * 300, "y" * 5_000, "z" * 40_000, "NOBODY",
)

#: Text encodings an export may arrive in, with and without a byte-order mark.
ENCODINGS = ("utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
             "utf-32-le", "utf-32-be")
DELIMITERS = (",", ";", "\t", "|")
LINE_ENDINGS = ("\n", "\r\n", "\r")


def read_rows(text: str) -> list[list[str]]:
    """A clean CSV text as a header and rows of text."""
    return [row for row in csv.reader(io.StringIO(text))]


def _cell_value(draw, rows: list[list[str]], column: int) -> str:
    """A value for a cell of ``column``: an odd one, one of another row (a duplicate), or any text."""
    kind = draw(st.sampled_from(["odd", "odd", "other row", "text"]))
    if kind == "odd":
        return draw(st.sampled_from(ODD_VALUES))
    if kind == "other row" and len(rows) > 1:
        return rows[draw(st.integers(1, len(rows) - 1))][column] if column < len(rows[1]) else ""
    return draw(st.text(max_size=12))


@st.composite
def _damage_rows(draw, rows: list[list[str]]) -> tuple[list[list[str]], str]:
    """One damage to the header or rows (a copy of ``rows``) and what it was."""
    rows = [list(r) for r in rows]
    header, n = rows[0], len(rows)
    column = draw(st.integers(0, len(header) - 1))
    name = header[column]
    kind = draw(st.sampled_from(["cell", "cell", "cell", "cell", "duplicate row", "drop row", "blank row",
                                 "ragged row", "drop column", "duplicate header", "rename header", "extra column",
                                 "header only", "cycle", "swap columns"]))
    if kind == "cell" and n > 1:
        row = draw(st.integers(1, n - 1))
        value = _cell_value(draw, rows, column)
        rows[row] += [""] * (column + 1 - len(rows[row]))  # a row made blank or short by an earlier damage
        rows[row][column] = value
        return rows, f"row {row + 1}, column {name!r} = {value[:60]!r}"
    if kind == "duplicate row" and n > 1:
        row = draw(st.integers(1, n - 1))
        rows.insert(draw(st.integers(1, n)), list(rows[row]))
        return rows, f"row {row + 1} repeated"
    if kind == "drop row" and n > 1:
        row = draw(st.integers(1, n - 1))
        del rows[row]
        return rows, f"row {row + 1} removed"
    if kind == "blank row":
        at = draw(st.integers(1, n))
        rows.insert(at, draw(st.sampled_from([[], [""] * len(header), [" "]])))
        return rows, f"blank row at {at + 1}"
    if kind == "ragged row" and n > 1:
        row = draw(st.integers(1, n - 1))
        rows[row] = rows[row][:-1] if draw(st.booleans()) else rows[row] + ["extra", "cells"]
        return rows, f"row {row + 1} with {len(rows[row])} cells"
    if kind == "drop column":
        for r in rows:
            del r[column:column + 1]
        return rows, f"column {name!r} removed"
    if kind == "duplicate header":
        other = draw(st.integers(0, len(header) - 1))
        rows[0][other] = name
        return rows, f"header {other + 1} renamed to {name!r} (twice)"
    if kind == "rename header":
        new = draw(st.sampled_from(["", " ", name.upper(), f" {name} ", name + "\x00", "=cmd", "Ζωή", "x" * 500]))
        rows[0][column] = new
        return rows, f"header {name!r} renamed to {new!r}"
    if kind == "extra column":
        for i, r in enumerate(rows):
            r.append("notes" if i == 0 else draw(st.sampled_from(ODD_VALUES[:20])))
        return rows, "an extra column"
    if kind == "header only":
        return rows[:1], "header only"
    if kind == "cycle" and n > 2:
        # two rows pointing at each other through a pair of id columns (manager_id -> person_id, a cycle)
        targets = [i for i, h in enumerate(header) if h.endswith("_id") and i != column]
        if targets:
            other = draw(st.sampled_from(targets))
            a, b = draw(st.lists(st.integers(1, n - 1), min_size=2, max_size=2, unique=True))
            rows[a][column], rows[b][column] = rows[b][other], rows[a][other]
            return rows, f"rows {a + 1} and {b + 1} point at each other ({name!r} -> {header[other]!r})"
    if kind == "swap columns" and len(header) > 1:
        other = draw(st.integers(0, len(header) - 1))
        for r in rows:
            if len(r) > max(column, other):
                r[column], r[other] = r[other], r[column]
        return rows, f"values of {name!r} and {header[other]!r} swapped (headers kept)"
    return rows, "unchanged"


@st.composite
def damaged_table(draw, clean: str) -> tuple[bytes, str]:
    """A clean CSV text damaged: one to three damages to its rows, written with any delimiter, encoding and line
    ending, or a damage to the file itself (empty, whitespace, cut short, garbage). The bytes and a description."""
    whole = draw(st.sampled_from(["rows"] * 6 + ["empty", "whitespace", "bom only", "cut", "garbage",
                                                 "spliced bytes"]))
    if whole == "empty":
        return b"", "an empty file"
    if whole == "whitespace":
        return draw(st.sampled_from([b"\n\n", b" \r\n \t\n", b",,,\n,,,\n"])), "only blank lines"
    if whole == "bom only":
        return b"\xef\xbb\xbf", "only a byte-order mark"
    if whole == "garbage":
        return draw(st.binary(min_size=1, max_size=300)), "random bytes"
    data = clean.encode("utf-8")
    if whole == "cut":
        at = draw(st.integers(1, len(data) - 1))
        return data[:at], f"cut after {at} bytes"
    if whole == "spliced bytes":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:], f"bytes spliced in at {at}"
    rows = read_rows(clean)
    described = []
    for _ in range(draw(st.integers(1, 3))):
        rows, what = draw(_damage_rows(rows))
        described.append(what)
    delimiter = draw(st.sampled_from(DELIMITERS))
    encoding = draw(st.sampled_from(ENCODINGS))
    ending = draw(st.sampled_from(LINE_ENDINGS))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=ending, quoting=quoting,
                        escapechar="\\" if quoting == csv.QUOTE_NONE else None)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding, errors="replace")
    return data, "; ".join(described) + f" ({encoding}, delimiter {delimiter!r}, line end {ending!r}, " \
                                        f"quoting {quoting})"


def billion_laughs(levels: int, width: int = 9, key: str = "name") -> str:
    """A YAML "billion laughs": ``key`` is a list nested ``levels`` deep, ``width**levels`` items once written
    out (nine levels of nine: 387 million), from a few hundred bytes of aliases."""
    lines = ["a0: &a0 [lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + f"\n{key}: *a{levels - 1}\n"


#: Whole YAML texts of the classic catalogue: bombs, tags, anchors, wrong nesting, odd scalars.
ODD_YAML = {
    "a billion laughs": billion_laughs(9),
    "a python tag": "name: !!python/object/apply:os.system ['echo hacked']\n",
    "a custom tag": "name: !secret x\n",
    "a binary tag": "name: !!binary aGVsbG8=\n",
    "a set tag": "name: !!set {a, b}\n",
    "a merge key": "base: &b {name: x}\n<<: *b\n",
    "a list at the top": "- name\n- scale\n",
    "a scalar at the top": "just text\n",
    "a number at the top": "42\n",
    "deep nesting": "name: " + "[" * 5000 + "]" * 5000 + "\n",
    "tabs for indentation": "name: x\nscale:\n\tmin: 0\n",
    "duplicate keys": "name: a\nname: b\n",
    "unclosed quote": "name: 'open\n",
    "a document separator": "name: a\n---\nname: b\n",
    "only a comment": "# nothing here\n",
    "not UTF-8": None,  # bytes below
    "UTF-16": None,
}


@st.composite
def damaged_yaml(draw, clean: str) -> tuple[bytes, str]:
    """A clean YAML text (a mapping) damaged: a value of a wrong type at any key (``tests.with_a_wrong_value``),
    or a text of the classic catalogue, or the clean text spoilt as bytes. The bytes and a description."""
    kind = draw(st.sampled_from(["wrong value"] * 4 + ["odd value"] * 2 + ["catalogue"] * 2 + ["bytes"]))
    document = yaml.safe_load(clean)
    if kind == "wrong value":
        changed, path, value = draw(with_a_wrong_value(document))
        return yaml.safe_dump(changed, allow_unicode=True).encode(), f"{'.'.join(map(str, path))} = {value!r}"
    if kind == "odd value":
        changed, path, _ = draw(with_a_wrong_value(document))
        text = draw(st.sampled_from([".inf", "-.inf", ".nan", "1e400", "9" * 400, "0o777", "0x1F", "~", "''",
                                     "2099-01-01", "0001-01-01", "yes", "'=1+1'", "[]", "{}", "*undefined"]))
        target = changed
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = "__ODD__"
        dumped = yaml.safe_dump(changed, allow_unicode=True).replace("__ODD__", text)
        return dumped.encode(), f"{'.'.join(map(str, path))}: {text}"
    if kind == "catalogue":
        name = draw(st.sampled_from(sorted(ODD_YAML)))
        if name == "not UTF-8":
            return clean.encode("utf-8") + b"\xff\xfe\x00bad", name
        if name == "UTF-16":
            return clean.encode("utf-16"), name
        return ODD_YAML[name].encode(), name
    data = clean.encode()
    at = draw(st.integers(0, len(data)))
    return data[:at], f"cut after {at} bytes"


@st.composite
def damaged_workbook(draw, clean: str) -> tuple[bytes, str]:
    """A clean CSV text as an .xlsx export, damaged: one to three damages to its rows, cells typed as a
    spreadsheet types them (numbers, dates, booleans, formulas such as ``=1+1``), the table below blank rows
    or after an empty first sheet. The bytes and a description."""
    import datetime

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    rows = read_rows(clean)
    described = []
    for _ in range(draw(st.integers(1, 3))):
        rows, what = draw(_damage_rows(rows))
        described.append(what)
    book = Workbook()
    sheet = book.active
    if draw(st.booleans()):
        sheet.title = "Notes"
        sheet = book.create_sheet("Export")
        described.append("an empty first sheet")
    skip = draw(st.integers(0, 2))
    typed = draw(st.booleans())
    for r, row in enumerate(rows, start=1 + skip):
        for c, value in enumerate(row, start=1):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32_767]
            if typed and r > 1 + skip:  # as a spreadsheet keeps them: numbers, dates, formulas
                try:
                    value = float(value) if "." in value or "e" in value.lower() else int(value)
                except ValueError:
                    try:
                        value = datetime.date.fromisoformat(value)
                    except ValueError:
                        pass
            sheet.cell(row=r, column=c, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), "; ".join(described) + f" (xlsx, {skip} blank rows above, typed cells: {typed})"
