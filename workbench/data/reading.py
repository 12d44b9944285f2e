"""Reading HR data files (CSV, TSV, TXT, XLSX) and mapping real exports onto the contracts.

* :func:`read_table_file` reads one file into a :class:`RawTable`: every cell
  as stripped text (``''`` when blank, ``'NA'`` stays ``'NA'``), the index
  holding the spreadsheet row of each line, plus what was detected
  (encoding, delimiter, sheet, the header's row under any report title rows)
  and notes saying so in plain sentences.  Trailing total rows are left out
  with a note.  Anything that stops the file from being read as a table
  raises a single :class:`DataFileError` naming the file.
* :func:`load_mapping` and :func:`apply_mapping` bring an HR export in
  without editing it: rename columns, translate values, parse dates into
  ISO form and fill defaults, as described by a small YAML file.  Dates and
  numbers in the contract's date and number columns are read in the style
  each column shows (dd/mm/yyyy or mm/dd/yyyy, thousands separators,
  decimal commas); a value that could be read more than one way is a
  problem naming its row.
* :func:`prepare_import` chains reading, mapping and validation.  It never
  writes anything.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import numbers
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping as TypingMapping

import numpy as np
import pandas as pd
import yaml

from workbench.data.headers import SYNONYMS, header_key
from workbench.data.problems import Problems
from workbench.data.tables import ROW_INDEX_NAME, TABLES, _spec
from workbench.data.validation import validate_against

__all__ = [
    "DATE_ORDERS",
    "DEFAULT_MAX_BYTES",
    "DELIMITERS",
    "MAPPING_KEYS",
    "MAX_CELL_CHARS",
    "MAX_WORKBOOK_BYTES",
    "DataFileError",
    "LOOKUP_COLUMNS",
    "Mapping",
    "RawTable",
    "apply_mapping",
    "check_cell_lengths",
    "load_mapping",
    "person_key",
    "prepare_import",
    "read_table_file",
    "workbook_sheets",
]

#: Largest data file read by default (bytes).
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
#: Longest value a cell may hold (characters): Excel's own limit. A longer one is refused naming its row and
#: column (one department name of 5 million characters took a chart past 15 minutes and 4 GB).
MAX_CELL_CHARS = 32_767
#: Largest workbook read once unpacked (bytes of sheet and shared-text XML): an .xlsx is compressed, so a
#: small file can unpack to far more than it shows. Read with calamine (benchmarks/bench_workbook.py, load
#: average 4.4 on 2 CPUs), 300,000 rows of 8 columns (11.2 MB, 110 MB unpacked) read in 8.8 s and import in
#: 15 s at a peak of 377 MB (openpyxl, the reader before: 135 s, 367 MB); 540,000 rows (198 MB unpacked) read
#: in 11 s and import in 23 s at 613 MB. A CSV within :data:`DEFAULT_MAX_BYTES` holds six times as many such
#: rows (3.7 million), so a workbook may unpack to as much.
MAX_WORKBOOK_BYTES = DEFAULT_MAX_BYTES
#: Delimiters considered when sniffing a text file, in order of preference.
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
#: Keys allowed at the top level of a mapping file.
MAPPING_KEYS: tuple[str, ...] = ("table", "columns", "values", "dates", "defaults", "strict_values", "lists", "lookup",
                                  "header_row", "decimal")
#: Columns of ``people.csv`` a mapping's ``lookup`` may find a person by.
LOOKUP_COLUMNS: tuple[str, ...] = ("email", "name")
#: Date styles a mapping's ``dates`` may give instead of a ``strptime`` format: the order of day, month
#: and year in dates such as ``03/04/05`` (a four-digit year, a month name or ISO form read as they are).
DATE_ORDERS: tuple[str, ...] = ("day-first", "month-first", "year-first")
#: Rows above the header a report's title may take (looked at when the first row is no header).
MAX_TITLE_ROWS = 10

_TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": ","}
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_MAX_MAPPING_BYTES = 1024 * 1024
_SNIFF_CHARS = 64 * 1024
_SNIFF_ROWS = 100
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_DATE = re.compile(_DATE_RE)


class DataFileError(ValueError):
    """A data or mapping file cannot be used; ``file`` names it, ``message`` says why."""

    def __init__(self, file: str | Path, message: str) -> None:
        """Record the file name and a plain-English message."""
        self.file = Path(file).name if str(file) else ""
        self.message = message
        super().__init__(f"{self.file}: {message}")


class NoDataRowsError(DataFileError):
    """A file with a header row and nothing under it; ``columns`` holds the header."""

    def __init__(self, file: str | Path, columns: list[str]) -> None:
        """Record the file name and its header."""
        super().__init__(file, "has a header row but no data rows")
        self.columns = list(columns)


@dataclass
class RawTable:
    """A table as read from a file, before mapping and validation.

    ``frame`` holds text cells only (``''`` when blank) with the file's
    header as column names; its index, named ``"row"``, is the spreadsheet
    row of each data line (header = row 1 in a plain CSV, so the first data
    row is 2; ``header_row`` under report title rows).  Completely blank
    lines are dropped, the row numbers of the others are kept.  ``notes``
    are plain sentences for the user about how the file was read (title
    rows skipped, the sheet chosen, total rows left out).
    """

    frame: pd.DataFrame
    file: str
    path: Path
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1
    notes: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        """Column names, as in the file's header."""
        return [str(c) for c in self.frame.columns]

    @property
    def rows(self) -> np.ndarray:
        """Spreadsheet row numbers of the data rows."""
        return self.frame.index.to_numpy(dtype=np.int64)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _column_letter(i: int) -> str:
    """Spreadsheet letter of 0-based column ``i`` (0 -> A, 26 -> AA)."""
    letters = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_table_file(path: str | Path, *, sheet: str | int | None = None,
                    max_bytes: int | None = None, table: str | None = None,
                    mapping: Mapping | None = None) -> RawTable:
    """Read a ``.csv``, ``.tsv``, ``.txt`` or ``.xlsx`` file into a :class:`RawTable`.

    Text files: the encoding is detected (UTF-8 with or without BOM, UTF-16
    and UTF-32 with a BOM or without one, told by where the NUL bytes fall,
    else Windows-1252, else Latin-1) and the delimiter sniffed among
    ``, ; TAB |``.  Workbooks (read with calamine): unless ``sheet`` (a name
    or a 0-based position among the worksheets, :func:`workbook_sheets`) says
    otherwise, the sheet whose header names the most columns of ``table``'s
    contract (by the names HR exports use, :mod:`workbench.data.headers`),
    else the first sheet holding a value; dates become ``YYYY-MM-DD`` and
    whole numbers lose their ``.0``, as in the CSV the workbook would export.

    The header is the first row that holds a value, unless that row cannot
    be one (blank over columns that hold values below: a report's title)
    and a row within the next :data:`MAX_TITLE_ROWS` can: then the rows
    above it are skipped, with a note.  ``mapping.header_row`` (a
    spreadsheet row) forces it; the names ``mapping`` renames count as
    known headers.  Row numbers stay those a spreadsheet shows.  Total rows
    at the end ("Total", "Grand total", "Summe", ... with numbers or nothing
    beside) are left out, with a note.

    Raises :class:`DataFileError` (and nothing else for bad input) when the
    file is missing, larger than ``max_bytes`` (default :data:`DEFAULT_MAX_BYTES`), empty, only a header, not
    text, not really a workbook, malformed (unclosed quote, a row with more
    values than the header), or has blank or duplicate header names for
    columns with data.
    """
    path = Path(path)
    name = path.name or str(path)
    max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        if not path.exists():
            raise DataFileError(name, f"file not found ({path})")
        if not path.is_file():
            raise DataFileError(name, "is not a file")
        size = path.stat().st_size
    except OSError as err:
        raise DataFileError(name, f"cannot be opened ({err.strerror or err})") from None
    if size > max_bytes:
        raise DataFileError(name, f"is {_megabytes(size)}, larger than the limit of {_megabytes(max_bytes)}")
    if size == 0:
        raise DataFileError(name, "is empty")
    suffix = path.suffix.lower()
    expect = _Expected.of(table, mapping)
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(path, name, sheet, expect)
    if suffix == ".xls":
        raise DataFileError(name, "is an old-style .xls workbook; save it as .xlsx or CSV")
    if suffix not in _TEXT_SUFFIXES:
        raise DataFileError(name, f"has an unsupported file type '{suffix or '(none)'}'; "
                                  "use .csv, .tsv, .txt or .xlsx")
    if sheet is not None:
        raise DataFileError(name, "is a text file; a sheet can only be chosen in an .xlsx workbook")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise DataFileError(name, f"cannot be read ({err.strerror or err})") from None
    text, encoding = _decode(data, name)
    delimiter = _sniff_delimiter(text, _TEXT_SUFFIXES[suffix])
    cells, first_row, ragged = _parse_text(text, delimiter, name)
    frame, header_row, notes = _table_from_cells(cells, first_row, name, expect, ragged, delimiter)
    return RawTable(frame, name, path, encoding=encoding, delimiter=delimiter, header_row=header_row,
                    notes=notes)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode ``data``, returning (text, encoding); reject what is not text."""
    if data.startswith(b"PK\x03\x04"):
        raise DataFileError(name, "looks like an Excel workbook or a zip archive, not a text "
                                  "table; if it is a workbook, give it the .xlsx extension")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataFileError(name, "looks like an old-style Excel (.xls) file, not a text table")
    if data.startswith(b"%PDF"):
        raise DataFileError(name, "is a PDF document, not a text table")
    text = encoding = None
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text, encoding = data.decode(codec), codec
            except UnicodeDecodeError:
                raise DataFileError(name, f"starts with a {codec} byte-order mark but is not "
                                          f"valid {codec} text") from None
            break
    if text is None and b"\x00" in data:
        text, encoding = _decode_bomless_unicode(data, name)
    if text is None:
        for codec in ("utf-8", "cp1252", "latin-1"):
            try:
                text, encoding = data.decode(codec), codec
                break
            except UnicodeDecodeError:
                continue
    assert text is not None and encoding is not None  # latin-1 decodes any bytes
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise DataFileError(name, "contains binary data (NUL characters), not a text table")
    sample = text[:_SNIFF_CHARS * 4]
    if sample and len(_CONTROL_RE.findall(sample)) > 0.01 * len(sample):
        raise DataFileError(name, "contains binary data (control characters), not a text table")
    return text, encoding


#: Encodings tried, in order, on a file with NUL bytes and no byte-order mark.
_BOMLESS_UNICODE = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")


def _decode_bomless_unicode(data: bytes, name: str) -> tuple[str, str]:
    """Decode UTF-16 or UTF-32 text without a byte-order mark, told apart by where its NUL bytes fall.

    Read in the wrong one of these encodings, a table's line breaks and
    delimiters (ASCII) turn into NULs, other characters or invalid text; so the
    one encoding that decodes with no NUL character and has a line break or a
    delimiter is taken. None or several: :class:`DataFileError` naming the
    encodings tried.
    """
    fits = []
    for codec in _BOMLESS_UNICODE:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and any(mark in text for mark in ("\n", *DELIMITERS)):
            fits.append((text, codec))
    if len(fits) == 1:
        return fits[0]
    tried = ", ".join(c.upper() for c in _BOMLESS_UNICODE)
    if fits:
        raise DataFileError(name, f"has NUL bytes and reads as text in several encodings "
                                  f"({', '.join(c.upper() for _, c in fits)}): save it as UTF-8 "
                                  "(or with a byte-order mark)")
    raise DataFileError(name, f"has NUL bytes and is not text in any encoding that has them ({tried}, without "
                              "a byte-order mark): binary data, not a text table; save the table as CSV (UTF-8)")


def _sniff_delimiter(text: str, default: str) -> str:
    """Pick the delimiter that splits the first lines into the most consistent table."""
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    candidates = [default] + [d for d in DELIMITERS if d != default]
    best, best_score = default, (0.0, 1)
    for delim in candidates:
        counts: list[int] = []
        try:
            for row in csv.reader(io.StringIO(sample), delimiter=delim, quotechar='"'):
                if any(cell.strip() for cell in row):
                    counts.append(len(row))
                if len(counts) > _SNIFF_ROWS:
                    break
        except csv.Error:
            continue
        if truncated and len(counts) > 2:
            counts = counts[:-1]
        if not counts:
            continue
        # the width most rows have: report title rows above the header are narrower
        width = max(set(counts), key=lambda c: (counts.count(c), c))
        if width < 2:
            continue
        consistency = sum(c == width for c in counts) / len(counts)
        if delim == default and consistency == 1.0:
            return delim  # the extension's own delimiter fits perfectly: trust it
        score = (consistency, width)
        if score > best_score:
            best, best_score = delim, score
    return best


_LEADING_BLANK_RE = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))*")


#: Times the C parser is run again, wider, on a file whose lines hold more values than its first.
_WIDER_TRIES = 4


def _parse_text(text: str, delimiter: str, name: str) -> tuple[pd.DataFrame, int, bool]:
    """The cells of a text table (row 0 is the first line that is not blank, shorter lines padded with
    blanks), the spreadsheet row of that line, and whether some line holds more values than the first."""
    lead = _LEADING_BLANK_RE.match(text)
    skipped = 0
    if lead and lead.end():
        skipped = len(re.findall(r"\r\n|\r|\n", lead.group(0)))
        text = text[lead.end():]
    if not text.strip():
        raise DataFileError(name, "is empty")
    width = None  # a title line above the header holds fewer values: read again as wide as the widest line
    for _ in range(_WIDER_TRIES + 1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cells = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str,
                                    keep_default_na=False, na_filter=False, skip_blank_lines=False,
                                    quotechar='"', engine="c", index_col=False,
                                    names=None if width is None else range(width))
            return cells, skipped + 1, width is not None
        except pd.errors.EmptyDataError:
            raise DataFileError(name, "is empty") from None
        except pd.errors.ParserError as err:
            message = str(err)
            unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
            if unclosed:
                row = int(unclosed.group(1)) + skipped + 1
                raise DataFileError(name, f"has a quoted value starting on row {row} that is never "
                                          "closed (a stray '\"')") from None
            wider = re.search(r"Expected \d+ fields in line \d+, saw (\d+)", message)
            if not wider:
                raise DataFileError(name, f"cannot be read as a table: {_short(message)}") from None
            width = int(wider.group(1))
        except Exception as err:  # the C parser can fail in other ways on garbage
            raise DataFileError(name, f"cannot be read as a table: {_short(str(err))}") from None
    return _parse_ragged(text, delimiter, name), skipped + 1, True


def _short(message: str) -> str:
    message = message.replace("Error tokenizing data. C error: ", "").strip()
    return message if len(message) <= 200 else message[:200] + "..."


def _parse_ragged(text: str, delimiter: str, name: str) -> pd.DataFrame:
    """Parse rows of differing lengths, padded with blanks to the longest."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"'))
    except csv.Error as err:
        raise DataFileError(name, f"cannot be read as a table: {_short(str(err))}") from None
    width = max((len(rec) for rec in records), default=0)
    for rec in records:
        if len(rec) < width:
            rec.extend([""] * (width - len(rec)))
    return pd.DataFrame(records, dtype=str)


def _check_widths(cells: pd.DataFrame, header: int, first_row: int, name: str, delimiter: str | None,
                  hint: str = "") -> None:
    """Refuse rows below the ``header`` (a position in ``cells``) with values right of the header's last name
    (lines of a text file longer than the header line); ``hint`` says which row looks like the header instead."""
    named = np.flatnonzero(cells.iloc[header].astype(str).str.strip().ne("").to_numpy())
    width = int(named[-1]) + 1 if len(named) else 0
    beyond = cells.iloc[header + 1:, width:]
    if beyond.empty:
        return
    filled = np.column_stack([beyond[c].astype(str).str.strip().ne("").to_numpy() for c in beyond.columns])
    longer = np.flatnonzero(filled.any(axis=1))
    too_long = [(first_row + header + 1 + int(i), width + int(np.flatnonzero(filled[i])[-1]) + 1) for i in longer]
    if too_long:
        where = ", ".join(f"row {r} has {k}" for r, k in too_long[:5])
        more = f" (and {len(too_long) - 5} more rows)" if len(too_long) > 5 else ""
        advice = hint or f"; check for an unquoted '{_show_delim(delimiter)}' inside a value"
        raise DataFileError(name, f"has rows with more values than the header's {width} columns: "
                                  f"{where}{more}{advice}")


def _show_delim(delimiter: str | None) -> str:
    return {"\t": "tab"}.get(delimiter or "", delimiter or "")


def _build_table(cells: pd.DataFrame, first_row: int, name: str, *, hint: str = "") -> pd.DataFrame:
    """Turn header + data cells (all text) into the frame of a RawTable.

    ``cells`` row 0 is the header, at spreadsheet row ``first_row``; ``hint`` ends the message of a value
    under a blank header name (which row looks like the header instead).
    """
    cells = cells.reset_index(drop=True)
    cells.columns = range(cells.shape[1])
    stripped = {i: cells[i].astype(str).str.strip() for i in cells.columns}
    body = pd.DataFrame(stripped, index=cells.index) if stripped else pd.DataFrame(index=cells.index)
    header = [str(v).replace("\ufeff", "").strip() for v in body.iloc[0]] if len(body) else []
    data = body.iloc[1:]
    keep, blank_with_data = [], []
    for i, label in enumerate(header):
        if label:
            keep.append(i)
        elif data[i].ne("").any():
            blank_with_data.append(_column_letter(i))
    if blank_with_data:
        raise DataFileError(name, "has values in columns without a header name: column "
                                  + ", ".join(blank_with_data[:10]) + hint)
    labels = [header[i] for i in keep]
    seen: dict[str, list[str]] = {}
    for i, label in zip(keep, labels):
        seen.setdefault(label, []).append(_column_letter(i))
    dupes = {k: v for k, v in seen.items() if len(v) > 1}
    if dupes:
        text = "; ".join(f"'{k}' (columns {', '.join(v)})" for k, v in dupes.items())
        raise DataFileError(name, f"has duplicate column names: {text}")
    if not keep:
        raise DataFileError(name, "has no header row")
    data = data[keep]
    data.columns = labels
    data.index = pd.Index(data.index.to_numpy(dtype=np.int64) + first_row, name=ROW_INDEX_NAME)
    nonblank = data.ne("").any(axis=1) if len(data.columns) else pd.Series(False, index=data.index)
    data = data[nonblank]
    check_cell_lengths(data, first_row, name)
    if data.empty:
        raise NoDataRowsError(name, labels)
    return data.astype(str)


def check_cell_lengths(data: pd.DataFrame, header_row: int, name: str) -> None:
    """Raise :class:`DataFileError` for a cell (header included) longer than :data:`MAX_CELL_CHARS`, naming
    the first one's row and column: the header is on spreadsheet row ``header_row``, ``data``'s index holds
    the rows of its lines. Only text columns can be that long."""
    found = [(header_row, column, column) for column in map(str, data.columns) if len(column) > MAX_CELL_CHARS]
    for column in data.columns:
        if not (pd.api.types.is_object_dtype(data[column]) or pd.api.types.is_string_dtype(data[column])):
            continue
        long = data[column].str.len().to_numpy(dtype=float, na_value=0) > MAX_CELL_CHARS
        if long.any():
            at = int(np.argmax(long))
            found.append((int(data.index[at]), column, data[column].iloc[at]))
    if found:
        row, column, value = min(found, key=lambda cell: cell[0])
        raise DataFileError(name, f"row {row}, column '{column[:40]}': the value '{value[:40]}...' is "
                                  f"{len(value):,} characters long, more than the {MAX_CELL_CHARS:,} a cell may hold")


# --------------------------------------------------------------------------
# The header under report title rows, and total rows at the end
# --------------------------------------------------------------------------

#: Rows under a possible header looked at to decide whether it is one.
_HEADER_SAMPLE = 50
#: Rows at the end of a table looked at for totals.
_MAX_TOTAL_ROWS = 5
#: A cell that is a value, not a name: a number (with separators, a sign or a percent, or a count such as "59
#: employees") or a date.
_VALUE_RE = re.compile(r"[-+(]?[0-9][0-9.,' \u00a0\u202f%)]*"
                       r"(?:\s*(?:employees?|people|persons?|staff|headcount|fte|rows?|records?|entries|items?))?"
                       r"|[0-9]{1,4}[./-][0-9]{1,2}[./-][0-9]{1,4}\b.*", re.IGNORECASE)
#: The label of a total row, in English, German, French and Italian exports.
_TOTAL_RE = re.compile(r"(?:grand\s+)?(?:totals?|sum|count|gesamt|gesamtsumme|summe|total\s+g[ée]n[ée]ral|totale)"
                       r"\s*:?\s*(?:\(.*\))?", re.IGNORECASE)


@dataclass(frozen=True)
class _Expected:
    """What the reader knows of the table a file should hold: ``names`` maps :func:`header_key` of the
    headers it may carry (contract names, their usual synonyms, the mapping's sources) to contract columns;
    ``ids`` are the keys naming its id column; ``header_row`` is the header's row if a mapping gives it."""

    table: str | None = None
    names: TypingMapping[str, str] = field(default_factory=dict)
    ids: frozenset[str] = frozenset()
    header_row: int | None = None

    @classmethod
    def of(cls, table: str | None, mapping: Mapping | None) -> _Expected:
        """What ``table`` (a contract name or ``None``) and ``mapping`` tell of the file."""
        table = table or (mapping.table if mapping is not None else None)
        names: dict[str, str] = {}
        id_column = None
        if table is not None:
            spec = _spec(table)
            for column in spec.columns:
                for header in (column.name, *SYNONYMS.get(column.name, ())):
                    names.setdefault(header_key(header), column.name)
            id_column = spec.columns[0].name if spec.columns[0].kind == "id" else None
        if mapping is not None:
            names.update({header_key(source): column for source, column in mapping.columns.items()})
        return cls(table, names, frozenset(k for k, c in names.items() if c == id_column),
                   mapping.header_row if mapping is not None else None)

    def named(self, labels) -> list[str]:
        """The contract columns ``labels`` (a header's cells) name, in order, each once."""
        found = dict.fromkeys(self.names[key] for key in map(header_key, labels) if key in self.names)
        return list(found)


def _stripped(cells: pd.DataFrame) -> np.ndarray:
    """``cells`` as a 2-D array of stripped text."""
    return np.array([[str(v).replace("\ufeff", "").strip() for v in row] for row in cells.itertuples(index=False)],
                    dtype=object).reshape(len(cells), cells.shape[1])


def _rows_text(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first}-{last}"


def _find_header(top: np.ndarray, first_row: int, name: str, expect: _Expected) -> tuple[int, str, str]:
    """Where the header is among the first rows ``top`` (stripped text; row 0 at spreadsheet row
    ``first_row`` holds a value): its position, a note when rows above it were skipped, and a hint for the
    message when no row fits (which row looks like the header).

    The first row is the header when every column holding values in the rows under it has a name there (as
    before there was any detection). Otherwise the header is a row within :data:`MAX_TITLE_ROWS` whose cells
    are names (text, not numbers or dates, each once) over every column holding values under it, every row
    above holding at most half as many values (titles, a date, a group heading); of several, the one naming
    most of the table's columns, then the first.
    """
    filled = top != ""
    if expect.header_row is not None:
        at = expect.header_row - first_row
        if at < 0 or at >= len(top) or not filled[at].any():
            where = "is past the end of the file" if at >= len(top) else "is blank"
            raise DataFileError(name, f"row {expect.header_row}, where the mapping puts the header, {where}")
        return at, _skipped_note(top, filled, at, first_row, "as the mapping says"), ""

    def fits(at: int, names_only: bool) -> bool:
        under = filled[at + 1:at + 1 + _HEADER_SAMPLE]
        labels = [v for v in top[at] if v]
        return (under.any() and not (under.any(axis=0) & ~filled[at]).any() and len(set(labels)) == len(labels)
                and not (names_only and any(_VALUE_RE.fullmatch(v) for v in labels)))

    if fits(0, names_only=False):
        return 0, "", ""
    counts = filled.sum(axis=1)
    # rows holding at least twice as many values as any row above them, two names or more
    dense = [at for at in range(1, min(MAX_TITLE_ROWS + 1, len(top)))
             if (2 * counts[:at] <= counts[at]).all() and sum(not _VALUE_RE.fullmatch(v) for v in top[at] if v) >= 2]
    found = [at for at in dense if fits(at, names_only=True)]
    if found:
        at = max(found, key=lambda at: (len(expect.named(top[at])), -at))
        return at, _skipped_note(top, filled, at, first_row, ""), ""
    if not dense:
        return 0, "", ""
    looks = max(dense, key=lambda at: (len(expect.named(top[at])), -at))
    return 0, "", (f" (row {first_row + looks} looks like the header: every column holding values needs a "
                   "name there)")


def _skipped_note(top: np.ndarray, filled: np.ndarray, at: int, first_row: int, why: str) -> str:
    """The note saying the header is at position ``at`` and which rows above it were skipped."""
    above = [row for row in range(at) if filled[row].any()]
    header = first_row + at
    why = f", {why}" if why else ""
    if not above:
        return f"The header is on row {header}{why}." if at else ""
    title = next(v for v in top[above[0]] if v)
    title = title if len(title) <= 60 else title[:57] + "..."
    skipped = _rows_text(1, header - 1)
    return f"The header is on row {header}{why}; {skipped} (a title: '{title}') {'was' if header == 2 else 'were'} skipped."


def _table_from_cells(cells: pd.DataFrame, first_row: int, name: str, expect: _Expected,
                      ragged: bool = False, delimiter: str | None = None
                      ) -> tuple[pd.DataFrame, int, tuple[str, ...]]:
    """The frame of a RawTable from a file's cells (row 0, at spreadsheet row ``first_row``, holds a value),
    the spreadsheet row of its header and notes on how it was read (title rows skipped, totals left out).
    ``ragged``: the cells are a text file's whose lines hold differing numbers of values (``delimiter``)."""
    rows = MAX_TITLE_ROWS + _HEADER_SAMPLE + 1
    if expect.header_row is not None:
        rows = max(rows, expect.header_row - first_row + _HEADER_SAMPLE + 1)
    at, note, hint = _find_header(_stripped(cells.iloc[:rows]), first_row, name, expect)
    if ragged:
        _check_widths(cells, at, first_row, name, delimiter, hint)
    frame = _build_table(cells.iloc[at:], first_row + at, name, hint=hint)
    frame, totals = _drop_totals(frame, expect)
    return frame, first_row + at, tuple(n for n in (note, totals) if n)


def _drop_totals(frame: pd.DataFrame, expect: _Expected) -> tuple[pd.DataFrame, str]:
    """``frame`` without the total rows at its end, and a note naming them.

    A total row has a total's label ("Total", "Grand total", "Sum", "Count", "Gesamt", "Summe", "Total
    général", "Totale", ...) in its first cell holding a value or in the id column, and nothing but numbers
    beside; one row is always kept.
    """
    ids = [c for c in frame.columns if header_key(c) in expect.ids]
    dropped: list[tuple[int, str]] = []
    for pos in range(len(frame) - 1, max(len(frame) - 1 - _MAX_TOTAL_ROWS, 0), -1):
        row = frame.iloc[pos]
        values = [v for v in row.tolist() if v]
        label = next((v for v in [values[0], *(row[c] for c in ids)] if _TOTAL_RE.fullmatch(v)), None)
        if label is None:
            break
        rest = list(values)
        rest.remove(label)
        if not all(_VALUE_RE.fullmatch(v) for v in rest):
            break
        dropped.append((int(frame.index[pos]), label))
    if not dropped:
        return frame, ""
    dropped.reverse()
    rows = _rows_text(dropped[0][0], dropped[-1][0]) if len(dropped) > 1 else f"row {dropped[0][0]}"
    labels = ", ".join(f"'{label}'" for _, label in dropped)
    verb = "looks like a total and was" if len(dropped) == 1 else "look like totals and were"
    return frame.iloc[:len(frame) - len(dropped)], f"{rows[0].upper()}{rows[1:]} ({labels}) {verb} left out."


def _cell_text(value) -> str:
    """Text of one workbook cell, as a user would type it in a CSV."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        if pd.isna(value):
            return ""
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.strftime("%Y-%m-%d") if value.year >= 1000 else value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            return "" if f != f else str(f)
        if f.is_integer() and abs(f) < 1e15:
            return str(int(f))
        return repr(f)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _open_workbook(path: Path, name: str):
    """The workbook at ``path`` (a :class:`python_calamine.CalamineWorkbook`) once it is known to be an .xlsx
    that unpacks to at most :data:`MAX_WORKBOOK_BYTES`; :class:`DataFileError` otherwise."""
    from python_calamine import CalamineWorkbook

    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as err:
        raise DataFileError(name, f"cannot be read ({err.strerror or err})") from None
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataFileError(name, "is an old-style or password-protected Excel file; "
                                  "save it as an unprotected .xlsx or as CSV")
    if not magic.startswith(b"PK\x03\x04"):
        raise DataFileError(name, "is not a valid .xlsx workbook")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(part.file_size for part in archive.infolist()
                           if part.filename.startswith("xl/worksheets/") or part.filename == "xl/sharedStrings.xml")
    except (zipfile.BadZipFile, OSError, ValueError):
        unpacked = 0  # not a readable archive: the workbook reader below says so
    if unpacked > MAX_WORKBOOK_BYTES:
        raise DataFileError(name, f"unpacks to {_megabytes(unpacked)} of sheets, larger than the limit of "
                                  f"{_megabytes(MAX_WORKBOOK_BYTES)} for a workbook; save the sheet as CSV "
                                  "(a fraction of that size) or split it")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as err:  # calamine: zip, XML or format errors all mean "not readable"
        raise _unreadable(name, err) from None


def _unreadable(name: str, err: Exception) -> DataFileError:
    return DataFileError(name, f"cannot be read as an .xlsx workbook: {_short(str(err) or type(err).__name__)}")


def _worksheet_names(book) -> list[str]:
    from python_calamine import SheetTypeEnum

    return [str(sheet.name) for sheet in book.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]


def _sheet(book, sheet: str, name: str):
    """The worksheet ``sheet``, read (a :class:`python_calamine.CalamineSheet`)."""
    try:
        return book.get_sheet_by_name(sheet)
    except Exception as err:
        raise _unreadable(name, err) from None


def _sheet_cells(sheet, name: str, rows: int | None = None) -> list[list]:
    """Every cell of the read ``sheet`` from cell A1 on (rows and columns before the first value kept, blank), as
    Python values (text, float, bool, date, datetime, time; ``''`` when blank); the first ``rows`` rows if given."""
    try:
        return sheet.to_python(skip_empty_area=False, nrows=rows)
    except Exception as err:
        raise _unreadable(name, err) from None


def workbook_sheets(path: str | Path, table: str | None = None) -> tuple[list[str], str | None]:
    """The worksheets of the .xlsx workbook at ``path``, in order, and the sheet :func:`read_table_file` reads
    when none is chosen (``None`` when no sheet holds a value): for ``table``, the sheet whose header names
    the most of its columns, else the first holding a value.

    Raises :class:`DataFileError` as :func:`read_table_file` does for a file that is not a readable workbook.
    """
    path = Path(path)
    name = path.name or str(path)
    expect = _Expected.of(table, None)
    book = _open_workbook(path, name)
    try:
        names = _worksheet_names(book)
        return names, _choose_sheet(book, names, name, expect)[0]
    finally:
        book.close()


def _sheet_text(cells: list[list]) -> pd.DataFrame:
    return pd.DataFrame(cells, dtype=object).map(_cell_text)


def _choose_sheet(book, names: list[str], name: str, expect: _Expected) -> tuple[str | None, object, str]:
    """The sheet to read when none is named (``None`` when no sheet holds a value), that sheet as read, and a
    note saying why when the workbook has several sheets.

    The sheet whose header (found as :func:`read_table_file` finds it) names the most columns of the table
    ``expect`` describes; with no such sheet, the first holding a value.
    """
    best: tuple[int, str, object, list[str]] | None = None  # (columns named, sheet, as read, the columns)
    for sheet in names:
        read, rows = _sheet(book, sheet, name), MAX_TITLE_ROWS + _HEADER_SAMPLE + 1
        cells = _sheet_cells(read, name, rows)
        text = _sheet_text(cells)
        if not text.ne("").to_numpy().any() and len(cells) >= rows:  # its values may start further down
            text = _sheet_text(_sheet_cells(read, name))
        start = np.flatnonzero(text.ne("").any(axis=1).to_numpy()) if text.size else []
        if not len(start):
            continue
        top = _stripped(text.iloc[int(start[0]):int(start[0]) + rows])
        try:
            at = _find_header(top, int(start[0]) + 1, name, expect)[0]
        except DataFileError:
            at = 0
        named = expect.named(top[at])
        if best is None or len(named) > best[0]:
            best = (len(named), sheet, read, named)
        if not expect.names or len(names) == 1:
            break
    if best is None:
        return None, None, ""
    count, sheet, read, named = best
    if len(names) == 1:
        return sheet, read, ""
    if count:
        columns = ", ".join(named[:6]) + (", ..." if len(named) > 6 else "")
        return sheet, read, (f"Sheet '{sheet}' was read: its header names {count} of the "
                             f"{expect.table or 'mapped'} columns ({columns}), the most of the workbook's "
                             f"{len(names)} sheets.")
    return sheet, read, (f"Sheet '{sheet}' was read, the first of the workbook's {len(names)} sheets holding a "
                         "value.")


def _read_excel(path: Path, name: str, sheet: str | int | None, expect: _Expected) -> RawTable:
    book = _open_workbook(path, name)
    note, read = "", None
    try:
        names = _worksheet_names(book)
        if not names:
            raise DataFileError(name, "has no sheets")
        if sheet is None:
            chosen, read, note = _choose_sheet(book, names, name, expect)
            if chosen is None:
                raise DataFileError(name, f"has no values in any sheet ({', '.join(names)})")
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise DataFileError(name, f"has no sheet number {sheet} (sheets: {', '.join(names)})")
            chosen = names[sheet]
        elif str(sheet) in names:
            chosen = str(sheet)
        else:
            raise DataFileError(name, f"has no sheet '{sheet}' (sheets: {', '.join(names)})")
        cells = _sheet_cells(read if read is not None else _sheet(book, chosen, name), name)
    finally:
        book.close()
    width = max((len(row) for row in cells), default=0)
    if not width:
        raise DataFileError(name, f"sheet '{chosen}' is empty")
    text = _sheet_text(cells)
    nonblank = np.flatnonzero(text.ne("").any(axis=1).to_numpy())
    if len(nonblank) == 0:
        raise DataFileError(name, f"sheet '{chosen}' is empty")
    start = int(nonblank[0])
    frame, header_row, notes = _table_from_cells(text.iloc[start:], start + 1, name, expect)
    return RawTable(frame, name, path, sheet=chosen, header_row=header_row, notes=(note, *notes) if note else notes)


# --------------------------------------------------------------------------
# Mapping files
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    """How to bring one HR export onto a table contract (see :func:`load_mapping`).

    ``columns`` renames source columns to contract columns; ``values`` maps,
    per contract column, source values to contract values; ``dates`` gives,
    per contract column, the ``strptime`` format of the source dates or
    their order (one of :data:`DATE_ORDERS`, for dates such as ``03/04/05``);
    ``defaults`` gives a constant for a contract column the source lacks.
    With ``strict_values`` a value absent from a column's ``values`` map is
    a problem rather than being kept as it is.  ``file`` names the mapping
    file in messages.  ``lists`` gives, per contract column, the separator
    its source cells use between the items of a multi-choice answer
    (``", "`` in a Google Forms export): each item is translated with
    ``values`` and the items joined with ``;``.  ``lookup`` gives, per
    contract column, the column of ``people.csv`` (:data:`LOOKUP_COLUMNS`)
    the source holds, so each cell becomes the ``person_id`` of the one
    person it names (a sign-up form knows people by e-mail, not by id).
    ``header_row`` is the
    spreadsheet row of the header (found by the reader when ``None``);
    ``decimal`` the decimal mark of the numbers (``"."`` or ``","``; found
    per column when ``None``).
    """

    file: str = "mapping"
    table: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    strict_values: bool = False
    lists: dict[str, str] = field(default_factory=dict)
    lookup: dict[str, str] = field(default_factory=dict)
    header_row: int | None = None
    decimal: str | None = None


class _MappingLoader(yaml.BaseLoader):
    """YAML loader keeping every scalar as text and refusing duplicate keys.

    Text is what a CSV holds, so ``Yes``, ``No``, ``1`` and ``01`` must stay
    as written rather than become booleans or numbers.
    """

    def construct_mapping(self, node, deep=False):
        """Build a mapping, rejecting non-text and duplicate keys."""
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _value in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise yaml.constructor.ConstructorError(
                        None, None, "keys must be plain text", key_node.start_mark)
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _type_name(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the text '{value}'"


def _text_map(data, key: str, name: str) -> dict[str, str]:
    """Validate a mapping of text to text (``''`` or absent means empty)."""
    if data in (None, ""):
        return {}
    if not isinstance(data, dict):
        raise DataFileError(name, f"key '{key}' must be a mapping of names to values, "
                                  f"not {_type_name(data)}")
    out = {}
    for k, v in data.items():
        if not isinstance(v, str):
            raise DataFileError(name, f"key '{key}.{k}' must be a single value (text), "
                                      f"not {_type_name(v)}")
        out[str(k)] = v
    return out


def _check_date_format(fmt: str, key: str, name: str) -> None:
    if fmt in DATE_ORDERS:
        return
    if "%" not in fmt:
        raise DataFileError(name, f"key '{key}': '{fmt}' is not a date format; use "
                                  f"{', '.join(DATE_ORDERS)} or strptime codes such as %d/%m/%Y")
    try:
        sample = dt.datetime(2001, 2, 3, 4, 5, 6).strftime(fmt)
        dt.datetime.strptime(sample, fmt)
    except ValueError as err:
        raise DataFileError(name, f"key '{key}': '{fmt}' is not a usable date format ({err})") from None


def _parse_bool(value, key: str, name: str) -> bool:
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0", ""):
        return False
    raise DataFileError(name, f"key '{key}' must be true or false, not {_type_name(value)}")


def _header_row(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
        return int(value)
    raise DataFileError(name, f"key 'header_row' must be the spreadsheet row of the header (1 or more), "
                              f"not {_type_name(value)}")


def _decimal(value, name: str) -> str | None:
    if value in (None, ""):
        return None
    if value in (".", ","):
        return value
    raise DataFileError(name, f"key 'decimal' must be '.' or ',' (the decimal mark), not {_type_name(value)}")


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a YAML mapping file.

    Allowed keys: ``table`` (a table name), ``columns`` (source column ->
    contract column), ``values`` (contract column -> {source value ->
    value}), ``dates`` (contract column -> strptime format, or ``day-first``,
    ``month-first`` or ``year-first``), ``defaults`` (contract column ->
    constant), ``strict_values`` (true/false), ``lists`` (contract column ->
    separator of the items in a source cell), ``lookup`` (contract column ->
    ``email`` or ``name``), ``header_row`` (the spreadsheet row of the header)
    and ``decimal`` (``.`` or ``,``).  All
    scalars are read as text, so ``Yes``/``No`` and ``01`` keep their
    spelling.  Raises :class:`DataFileError` naming the mapping file and the
    offending key for unreadable YAML, unknown keys, wrong types, an unknown
    table, a bad date format or a duplicated key.
    """
    path = Path(path)
    name = path.name or str(path)
    try:
        if not path.is_file():
            raise DataFileError(name, f"mapping file not found ({path})")
        if path.stat().st_size > _MAX_MAPPING_BYTES:
            raise DataFileError(name, "is too large to be a mapping file")
        raw = path.read_bytes()
    except OSError as err:
        raise DataFileError(name, f"cannot be read ({err.strerror or err})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataFileError(name, "is not UTF-8 text; save the mapping file as UTF-8") from None
    try:
        data = yaml.load(text, Loader=_MappingLoader)  # noqa: S506 - BaseLoader builds no objects
    except RecursionError:
        raise DataFileError(name, "is not valid YAML: nested too deeply to be a mapping file") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" on line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise DataFileError(name, f"is not valid YAML{where}: {problem}") from None
    if data in (None, ""):
        raise DataFileError(name, "is empty")
    if not isinstance(data, dict):
        raise DataFileError(name, "must be a YAML mapping with keys such as 'columns' and "
                                  f"'values', not {_type_name(data)}")
    unknown = [k for k in data if k not in MAPPING_KEYS]
    if unknown:
        raise DataFileError(name, f"unknown key '{unknown[0]}'; allowed keys are "
                                  f"{', '.join(MAPPING_KEYS)}")
    table = data.get("table")
    if table in ("", None):
        table = None
    elif not isinstance(table, str) or table not in TABLES:
        raise DataFileError(name, f"key 'table': {_type_name(table)} is not a known table; "
                                  f"known tables are {', '.join(TABLES)}")
    columns = _text_map(data.get("columns"), "columns", name)
    for src, dst in columns.items():
        if not dst.strip():
            raise DataFileError(name, f"key 'columns.{src}' needs a contract column name")
    values_raw = data.get("values")
    values: dict[str, dict[str, str]] = {}
    if values_raw not in (None, ""):
        if not isinstance(values_raw, dict):
            raise DataFileError(name, f"key 'values' must map column names to value maps, "
                                      f"not {_type_name(values_raw)}")
        for column, vmap in values_raw.items():
            if vmap in (None, ""):
                vmap = {}
            if not isinstance(vmap, dict):
                raise DataFileError(name, f"key 'values.{column}' must map source values to "
                                          f"values, not {_type_name(vmap)}")
            values[column] = _text_map(vmap, f"values.{column}", name)
    dates = _text_map(data.get("dates"), "dates", name)
    for column, fmt in dates.items():
        _check_date_format(fmt, f"dates.{column}", name)
    defaults = _text_map(data.get("defaults"), "defaults", name)
    strict = _parse_bool(data.get("strict_values", "false"), "strict_values", name)
    lists, lookup = _list_and_lookup_keys(data, name)
    return Mapping(file=name, table=table, columns=columns, values=values, dates=dates,
                   defaults=defaults, strict_values=strict, lists=lists, lookup=lookup,
                   header_row=_header_row(data.get("header_row"), name), decimal=_decimal(data.get("decimal"), name))


def _list_and_lookup_keys(data: dict, name: str) -> tuple[dict[str, str], dict[str, str]]:
    """The ``lists`` and ``lookup`` keys of mapping file ``name``, checked."""
    lists = _text_map(data.get("lists"), "lists", name)
    for column, separator in lists.items():
        if separator == "":
            raise DataFileError(name, f"key 'lists.{column}' needs a separator such as ',' or ';'")
    lookup = _text_map(data.get("lookup"), "lookup", name)
    for column, by in lookup.items():
        if by not in LOOKUP_COLUMNS:
            raise DataFileError(name, f"key 'lookup.{column}': people are found by "
                                      f"{' or '.join(LOOKUP_COLUMNS)}, not by '{by}'")
    return lists, lookup


def _text_frame(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A copy of ``df`` as stripped text ('' for missing) indexed by spreadsheet row,
    and the names of columns that appeared more than once (the first is kept)."""
    index = df.index
    if not (index.name == ROW_INDEX_NAME and pd.api.types.is_integer_dtype(index.dtype)):
        index = pd.Index(np.arange(len(df), dtype=np.int64) + 2, name=ROW_INDEX_NAME)
    out: dict[str, np.ndarray] = {}
    dupes: list[str] = []
    for pos, label in enumerate(df.columns):
        if str(label).strip() in out:
            dupes.append(str(label).strip())
            continue
        s = df.iloc[:, pos]
        if s.dtype != "str":
            s = s.astype(object)
            s = s.where(s.notna(), "").astype(str)
        out[str(label).strip()] = s.fillna("").str.strip().to_numpy()
    frame = pd.DataFrame(out, index=index) if out else pd.DataFrame(index=index)
    return (frame.astype(str) if out else frame), sorted(set(dupes))


def _problem_rows(file: str, rows, column: str, values, messages) -> pd.DataFrame:
    rows = np.asarray(rows, dtype=np.int64)
    values = pd.Series(values, dtype=object).reset_index(drop=True).astype(str)
    if isinstance(messages, str):
        messages = [messages] * len(rows)
    return pd.DataFrame({
        "file": file, "row": pd.array(rows, dtype="Int64"), "column": column,
        "value": values, "problem": pd.Series(messages, dtype=object).reset_index(drop=True).astype(str),
    })


def _table_problem(file: str, column: str, message: str) -> pd.DataFrame:
    return Problems.single(file, message, column=column).frame


def _missing_column(mapping: Mapping, column: str, file: str, does: str) -> list[pd.DataFrame]:
    """The problem of ``mapping``, which ``does`` something to (e.g. "maps values of") ``column`` that ``file``
    lacks; none when the mapping's ``defaults`` add the column."""
    if column in mapping.defaults:
        return []
    return [_table_problem(file, column, f"{mapping.file} {does} column '{column}', but {file} has no such column")]


def apply_mapping(raw: RawTable | pd.DataFrame, mapping: Mapping | None, table: str, *,
                  file: str | None = None,
                  existing: TypingMapping[str, pd.DataFrame] | None = None,
                  notes: list[str] | None = None) -> tuple[pd.DataFrame, Problems]:
    """Apply ``mapping`` to a raw table bound for contract ``table``.

    In order: rename columns; translate values (unmapped values are kept,
    or are problems with ``strict_values``); parse the ``dates`` columns
    with a ``strptime`` format and write them as ``YYYY-MM-DD`` (values
    already in that form are accepted, unparseable ones are kept and
    reported); read the contract's other date columns and its number
    columns in the style each shows (dd/mm/yyyy or mm/dd/yyyy, ``27 Oct
    2008``, thousands separators, decimal commas; a value that reads more
    than one way is a problem giving its readings, unless the column's
    other values or the mapping's ``dates`` order or ``decimal`` decide);
    add ``defaults`` for columns still missing.
    Renames of absent columns, two renames onto one name and renames onto a
    column the file already has are problems (the colliding rename is
    skipped).  Rows keep their source row numbers in the index, so problems
    point at the source file.  Returns the mapped text frame and the
    problems; nothing is validated against the contract here.
    ``mapping=None`` tidies the frame and reads its dates and numbers.
    Sentences saying how dates and numbers were read are appended to
    ``notes`` when it is given.
    ``lookup`` columns are found in ``existing["people"]`` (the workspace's
    tables, as text) and ``lists`` columns are split, translated item by
    item and joined with ``;`` (:func:`_lookup_people`,
    :func:`_translate_lists`), both before the other values are translated.
    """
    _spec(table)
    if isinstance(raw, RawTable):
        (frame, dupes), file = _text_frame(raw.frame), file or raw.file
    else:
        (frame, dupes), file = _text_frame(raw), file or TABLES[table].file
    found = [_table_problem(file, d, f"column '{d}' appears more than once; only the first is used")
             for d in dupes]
    mapping = Mapping() if mapping is None else mapping
    mfile = mapping.file
    if mapping.table is not None and mapping.table != table:
        found.append(_table_problem(file, "", f"{mfile} is a mapping for {mapping.table}.csv, "
                                              f"not for {table}.csv"))
    source = list(frame.columns)
    rename: dict[str, str] = {}
    taken: dict[str, str] = {}
    for src, dst in mapping.columns.items():
        if src not in source:
            found.append(_table_problem(file, src, f"{mfile} renames column '{src}', but {file} "
                                                   "has no such column"))
        elif dst in taken:
            found.append(_table_problem(file, src, f"{mfile} renames both '{taken[dst]}' and "
                                                   f"'{src}' to '{dst}'"))
        else:
            taken[dst] = src
            rename[src] = dst
    refused = True
    while refused:  # refusing one rename can make another collide, so repeat until stable
        refused = False
        for src, dst in list(rename.items()):
            if dst != src and dst in source and dst not in rename:
                found.append(_table_problem(file, src, f"{mfile} renames '{src}' to '{dst}', but "
                                                       f"{file} already has a column '{dst}'"))
                del rename[src]
                refused = True
    frame = frame.rename(columns=rename)
    found += _lookup_people(frame, mapping, file, existing)
    found += _translate_lists(frame, mapping, file)

    for column, vmap in mapping.values.items():
        if column in mapping.lists:
            continue  # translated item by item
        if column not in frame.columns:
            found += _missing_column(mapping, column, file, "maps values of")
            continue
        s = frame[column]
        mapped = s.map(vmap)
        hit = mapped.notna()
        frame[column] = mapped.where(hit, s).astype(str)
        if mapping.strict_values:
            bad = (~hit & s.ne("")).to_numpy()
            if bad.any():
                known = ", ".join(f"'{k}'" for k in list(vmap)[:8]) + (", ..." if len(vmap) > 8 else "")
                vals = s[bad]
                found.append(_problem_rows(
                    file, frame.index[bad], column, vals,
                    f"{column} '" + vals.str.slice(0, 60).reset_index(drop=True) +
                    f"' is not one of the values {mfile} maps ({known})"))

    for column, fmt in mapping.dates.items():
        if column not in frame.columns:
            found += _missing_column(mapping, column, file, "gives a date format for")
            continue
        if fmt in DATE_ORDERS:  # an order, not a format: read with the other dates below
            continue
        s = frame[column]
        nonblank = s.ne("")
        parsed = pd.to_datetime(s.where(nonblank), format=fmt, errors="coerce")
        parsed = parsed.where(parsed.dt.year >= 1)
        iso = pd.to_datetime(s.where(nonblank & s.str.fullmatch(_DATE_RE)), format="%Y-%m-%d",
                             errors="coerce")
        parsed = parsed.fillna(iso)
        frame[column] = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), s).astype(str)
        bad = (nonblank & parsed.isna()).to_numpy()
        if bad.any():
            vals = s[bad]
            found.append(_problem_rows(
                file, frame.index[bad], column, vals,
                f"{column} '" + vals.str.slice(0, 60).reset_index(drop=True) +
                f"' does not match the date format {fmt} given in {mfile}"))

    frame, read = _read_values(frame, table, mapping, file, notes)
    found.extend(read)

    for column, value in mapping.defaults.items():
        if column not in frame.columns:
            frame[column] = value
    frame = frame.astype(str) if len(frame.columns) else frame
    return frame, Problems.concat(found)

# --------------------------------------------------------------------------
# Dates and numbers, in the style each column shows
# --------------------------------------------------------------------------

_ORDER_NAMES = {"dmy": "day-first", "mdy": "month-first", "ymd": "year-first"}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
#: Day, month and year in digits (a midnight time after them is dropped): 27/10/2008, 10-27-08, 2008.10.27.
_NUMERIC_DATE = re.compile(r"([0-9]{1,4})([./-])([0-9]{1,2})\2([0-9]{1,4})(?:[ T]0?0:00(?::00(?:\.0+)?)?)?")
_DAY_MONTH_NAME = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?[ ./-]*([A-Za-z]{3,9})\.?,?[ ./-]*([0-9]{4}|[0-9]{2})")
_MONTH_NAME_DAY = re.compile(r"([A-Za-z]{3,9})\.?[ ./-]*([0-9]{1,2})(?:st|nd|rd|th)?,?[ ./-]+([0-9]{4})")
_COMPACT_DATE = re.compile(r"(1[89][0-9]{2}|2[01][0-9]{2})([01][0-9])([0-3][0-9])")
#: Excel's day numbers for 1927-05-18 to 2119-01-10, as a CSV saved from a date column without its format holds them.
_SERIAL_DATE = re.compile(r"[1-7][0-9]{4}(?:\.0+)?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WRITTEN_NUMBER = re.compile(r"([+-]?)([0-9][0-9., \u00a0\u202f\u2009'’]*)")
_GROUP_MARKS = " \u00a0\u202f\u2009'’"


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day) if year >= 1 else None
    except ValueError:
        return None


def _two_digit_year(year: int) -> int:
    """A two-digit year as Excel reads it: 00-29 are 2000-2029, 30-99 are 1930-1999."""
    return year + (2000 if year < 30 else 1900)


def _month(word: str) -> int | None:
    word = word.lower()
    return next((i + 1 for i, month in enumerate(_MONTHS) if month.startswith(word)), None) if len(word) >= 3 else None


def _date_readings(value: str) -> dict[str, tuple[dt.date, str]]:
    """Every date ``value`` can be, keyed by the order it is read in (``dmy``, ``mdy``, ``ymd``; ``fixed`` when
    its form leaves one reading: a four-digit year first, a month name, yyyymmdd, an Excel day number), each
    with the style it is written in (``dd/mm/yyyy``); empty when it is no date."""
    found = _NUMERIC_DATE.fullmatch(value)
    if found:
        first, sep, middle, last = found.groups()
        a, b, c = int(first), int(middle), int(last)
        if len(first) == 4 and len(last) <= 2:
            readings = {"fixed": (_date(a, b, c), f"yyyy{sep}mm{sep}dd")}
        elif len(first) > 2 or len(last) not in (2, 4):
            return {}
        else:
            year, yy = (c, "yyyy") if len(last) == 4 else (_two_digit_year(c), "yy")
            readings = {"dmy": (_date(year, b, a), f"dd{sep}mm{sep}{yy}"),
                        "mdy": (_date(year, a, b), f"mm{sep}dd{sep}{yy}")}
            if len(last) == 2:
                readings["ymd"] = (_date(_two_digit_year(a), b, c), f"yy{sep}mm{sep}dd")
        return {order: reading for order, reading in readings.items() if reading[0] is not None}
    found = _DAY_MONTH_NAME.fullmatch(value)
    if found and _month(found.group(2)):
        year = int(found.group(3)) if len(found.group(3)) == 4 else _two_digit_year(int(found.group(3)))
        date = _date(year, _month(found.group(2)), int(found.group(1)))
        return {"fixed": (date, "dd Mon " + "y" * len(found.group(3)))} if date else {}
    found = _MONTH_NAME_DAY.fullmatch(value)
    if found and _month(found.group(1)):
        date = _date(int(found.group(3)), _month(found.group(1)), int(found.group(2)))
        return {"fixed": (date, "Mon dd, yyyy")} if date else {}
    found = _COMPACT_DATE.fullmatch(value)
    if found:
        date = _date(*map(int, found.groups()))
        return {"fixed": (date, "yyyymmdd")} if date else {}
    if _SERIAL_DATE.fullmatch(value):
        return {"fixed": (_EXCEL_EPOCH + dt.timedelta(days=int(float(value))), "Excel day numbers")}
    return {}


def _long_date(date: dt.date) -> str:
    return f"{date.day} {date:%B} {date.year}"


def _first_row(s: pd.Series, value: str) -> int:
    return int(s.index[np.flatnonzero(s.to_numpy() == value)[0]])


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _rewritten(s: pd.Series, read: dict[str, str], bad: dict[str, str], column: str, file: str
               ) -> tuple[pd.Series, list]:
    """Column ``s`` with the values ``read`` rewritten, and a problem for each cell holding a value of ``bad``
    (value -> message)."""
    out = s.map(read).fillna(s).astype(str) if read else s
    if not bad:
        return out, []
    rows = s.isin(list(bad)).to_numpy()
    return out, [_problem_rows(file, s.index[rows], column, s[rows], s[rows].map(bad))]


def _read_dates(s: pd.Series, column: str, order: str | None, file: str) -> tuple[pd.Series, list, str]:
    """The dates of column ``s`` (text, index = spreadsheet rows) as ``YYYY-MM-DD``, problems, and a note.

    A value that reads one way only is read so; a value that reads several ways (``03/04/05``) is read in
    ``order`` (one of :data:`DATE_ORDERS`, from the mapping), else in the order the column's values that
    read one way only show (``27/10/2008``: day-first) when they all show the same, else it is a problem
    giving its readings. With ``order`` a value that cannot be read in it is a problem, and so is one written
    as a date that is no calendar day in any order (``31/02/2009``). Other values that are no date are kept
    (the contract check reports them).
    """
    todo = [v for v in pd.unique(s.to_numpy()) if v and not _ISO_DATE.fullmatch(v)]
    if not todo:
        return s, [], ""
    readings = {v: _date_readings(v) for v in todo}
    shown: dict[str, str] = {}  # order -> the first value that reads in that order only (of day and month first)
    for value, reading in readings.items():
        dm = reading.keys() & {"dmy", "mdy"}
        if len(dm) == 1:
            shown.setdefault(dm.pop(), value)
    wanted = {name: key for key, name in _ORDER_NAMES.items()}.get(order or "")
    settled = wanted or (next(iter(shown)) if len(shown) == 1 else None)
    read: dict[str, str] = {}
    bad: dict[str, str] = {}
    styles: dict[str, int] = {}
    decided: list[str] = []
    for value, reading in readings.items():
        if not reading:
            if _NUMERIC_DATE.fullmatch(value):  # written as a date, but no such day in any order
                bad[value] = (f"{column} '{value}' is not a real calendar date, read day-first, month-first or "
                              "year-first")
            continue
        if "fixed" in reading:
            pick = "fixed"
        elif len(reading) == 1 and not wanted:
            pick = next(iter(reading))
        else:
            pick = settled if settled in reading else None
            decided += [value] if pick and len(reading) > 1 else []
        if pick is None and wanted:
            only = _or_list([f"{_long_date(d)} ({_ORDER_NAMES[k]})" for k, (d, _) in reading.items()])
            bad[value] = f"{column} '{value}' is not a {order} date, the order the mapping gives; it reads as {only}"
        elif pick is None:
            bad[value] = (f"{column} '{value}' could be {_or_list([_long_date(d) for d, _ in reading.values()])}; "
                          f"give the column's date style in the mapping (dates: {column}: day-first, month-first or "
                          "year-first)")
        else:
            date, style = reading[pick]
            read[value] = date.isoformat()
            styles[style] = styles.get(style, 0) + 1
    out, problems = _rewritten(s, read, bad, column, file)
    if not read:
        return out, problems, ""
    written = sorted(styles, key=lambda style: -styles[style])
    note = f"{column}: dates written {_and_list(written[:3])}{' and others' if len(written) > 3 else ''} were read"
    if any("yy" in style and "yyyy" not in style for style in written):
        note += " (two-digit years as 1930-2029)"
    if decided:
        why = "as the mapping says" if wanted else f"as '{shown[settled]}' on row {_first_row(s, shown[settled])} shows"
        cells = int(s.isin(decided).sum())
        note += (f"; {_count(cells, 'date')} that could be read more than one way (such as '{decided[0]}' on "
                 f"row {_first_row(s, decided[0])}) {'was' if cells == 1 else 'were'} read "
                 f"{_ORDER_NAMES[settled]}, {why}")
    if len(shown) == 2 and not wanted:
        note += (f"; the column mixes day-first ('{shown['dmy']}', row {_first_row(s, shown['dmy'])}) and month-first "
                 f"('{shown['mdy']}', row {_first_row(s, shown['mdy'])}) dates, each read the only way it can be")
    return out, problems, note + "."


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _number_reading(value: str, mark: str) -> str | None:
    """``value`` as a plain number (``1234.5``) when its decimal mark is ``mark``: the other mark, a space or an
    apostrophe may separate groups of three digits; ``None`` when it is no number written so."""
    found = _WRITTEN_NUMBER.fullmatch(value)
    if not found:
        return None
    sign, body = found.groups()
    whole, point, fraction = body.partition(mark)
    if point and not fraction.isdigit():
        return None
    if not whole.isdigit():
        marks = set(re.sub(r"[0-9]", "", whole))
        if len(marks) != 1 or not marks <= set(_GROUP_MARKS) | ({","} if mark == "." else {"."}):
            return None
        groups = whole.split(marks.pop())
        if not (1 <= len(groups[0]) <= 3 and groups[0][0] != "0" and all(len(g) == 3 for g in groups[1:])):
            return None
        whole = "".join(groups)
    return sign + whole + (f".{fraction}" if point else "")


def _read_numbers(s: pd.Series, column: str, kind: str, decimal: str | None, file: str
                  ) -> tuple[pd.Series, list, str]:
    """The numbers of column ``s`` (text, index = spreadsheet rows) as plain text numbers, problems, a note.

    Thousands separators (``1,234``, ``1.234``, ``1 234``, ``1'234``) and decimal commas (``12,5``) are read.
    A value that reads two ways (``1,234``: 1234 or 1.234) takes the decimal mark ``decimal`` (from the
    mapping), else the one the column's other values show (``12,5``: a comma) when they all show the same;
    a number already in plain form (``1.234``) is kept as it is unless the column shows decimal commas;
    anything else that reads two ways is a problem giving both. In a whole-number column (``kind`` ``int``)
    only whole readings count. With ``decimal`` a value that cannot be read with it is a problem.
    """
    values = pd.unique(s.to_numpy())
    todo = [v for v in values if v and (decimal == "," or not _PLAIN_NUMBER.fullmatch(v))]
    if not todo:
        return s, [], ""
    if decimal is None and any("," in v for v in todo):  # decimal commas shown: '1.250' may be 1250
        todo += [v for v in values if "." in v and _PLAIN_NUMBER.fullmatch(v)]
    readings = {}
    for value in todo:
        reading = {mark: r for mark in (".", ",") if (r := _number_reading(value, mark)) is not None
                   and (kind != "int" or _PLAIN_NUMBER.fullmatch(r) and float(r).is_integer())}
        readings[value] = reading
    shown: dict[str, str] = {}  # decimal mark -> the first value that reads with it only
    for value, reading in readings.items():
        if len(reading) == 1:
            shown.setdefault(next(iter(reading)), value)
    settled = decimal or (next(iter(shown)) if len(shown) == 1 else None)
    read: dict[str, str] = {}
    bad: dict[str, str] = {}
    decided: list[str] = []
    commas = thousands = False
    for value, reading in readings.items():
        if not reading:
            continue
        if decimal:
            pick = decimal if decimal in reading else None
        elif len(set(reading.values())) == 1:
            pick = next(iter(reading))
        elif settled in reading:
            pick = settled
            decided.append(value)
        elif _PLAIN_NUMBER.fullmatch(value):
            continue
        else:
            pick = None
        if pick is None and decimal:
            bad[value] = f"{column} '{value}' is not a number with '{decimal}' as its decimal mark, as the mapping says"
        elif pick is None:
            ways = _or_list([f"{r} (with '{mark}' as the decimal mark)" for mark, r in reading.items()])
            bad[value] = (f"{column} '{value}' could be {ways}; give the decimal mark in the mapping "
                          "(decimal: ',' or '.')")
        elif reading[pick] != value:
            read[value] = reading[pick]
            point = "." in reading[pick]
            commas |= pick == "," and point
            thousands |= len(re.sub(r"[0-9+-]", "", value)) > point
    out, problems = _rewritten(s, read, bad, column, file)
    if not read:
        return out, problems, ""
    example = next(iter(read))
    how = _and_list([text for text, used in (("thousands separators", thousands), ("a decimal comma", commas))
                     if used])
    note = (f"{column}: numbers written with {how} were read as plain numbers (such as '{example}' on row "
            f"{_first_row(s, example)} as {read[example]})")
    if decided and not decimal:
        cells = int(s.isin(decided).sum())
        note += (f"; {_count(cells, 'number')} that could be read two ways (such as '{decided[0]}') "
                 f"{'was' if cells == 1 else 'were'} read with '{settled}' as the decimal mark, as "
                 f"'{shown[settled]}' on row {_first_row(s, shown[settled])} shows")
    return out, problems, note + "."


def _read_values(frame: pd.DataFrame, table: str, mapping: Mapping, file: str, notes: list[str] | None
                 ) -> tuple[pd.DataFrame, list]:
    """``frame`` with its date and number columns read (:func:`_read_dates`, :func:`_read_numbers`): the
    contract's date columns and those the mapping gives an order for, except those it gives a format for; the
    contract's whole-number and number columns."""
    kinds = {column.name: column.kind for column in TABLES[table].columns}
    found: list = []
    for column in frame.columns:
        order = mapping.dates.get(column)
        if order is not None and order not in DATE_ORDERS:
            continue  # read with its strptime format already
        if order is not None or kinds.get(column) == "date":
            values, problems, note = _read_dates(frame[column], column, order, file)
        elif kinds.get(column) in ("int", "number"):
            values, problems, note = _read_numbers(frame[column], column, kinds[column], mapping.decimal, file)
        else:
            continue
        if values is not frame[column]:
            frame[column] = values
        found.extend(problems)
        if note and notes is not None:
            notes.append(note)
    return frame, found


def person_key(value: str, by: str) -> str:
    """``value`` as a lookup by ``by`` (:data:`LOOKUP_COLUMNS`) compares it: e-mails in lower case; names also
    without accents, with single spaces and "Last, First" turned round (``"Núñez,  Ana"`` -> ``"ana nunez"``)."""
    text = " ".join(str(value).split()).casefold()
    if by != "name":
        return text
    if text.count(",") == 1:
        last, first = (part.strip() for part in text.split(","))
        text = f"{first} {last}".strip()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _lookup_people(frame: pd.DataFrame, mapping: Mapping, file: str,
                   existing: TypingMapping[str, pd.DataFrame] | None) -> list[pd.DataFrame]:
    """Replace, in place, each ``lookup`` column's e-mails or names by the ``person_id`` of the one person of
    ``existing["people"]`` they name; problems for values that name nobody or several people (kept as they are)."""
    found: list[pd.DataFrame] = []
    people = (existing or {}).get("people")
    sources = {dst: src for src, dst in mapping.columns.items()}
    for column, by in mapping.lookup.items():
        if column not in frame.columns:
            found.append(_table_problem(file, column, f"{mapping.file} looks up column '{column}' in people.csv, "
                                                      f"but {file} has no such column"))
            continue
        if people is None or by not in people.columns or "person_id" not in people.columns:
            found.append(_table_problem(file, column, f"{mapping.file} finds {column} by {by} in people.csv, but the "
                                                      f"workspace has no people.csv with a {by} column: import "
                                                      "people first"))
            continue
        ids = people.groupby(people[by].astype(str).map(lambda v: person_key(v, by)))["person_id"].agg(list)
        ids = ids.drop(index="", errors="ignore")
        s = frame[column]
        keys = s.map(lambda v: person_key(v, by))
        matches = keys.map(ids)
        one = matches.map(lambda m: isinstance(m, list) and len(m) == 1)
        frame[column] = s.where(~one, matches[one].str[0]).astype(str)
        shown = f"'{sources.get(column, column)}'"
        nobody = (~one & s.ne("") & matches.isna()).to_numpy()
        if nobody.any():
            vals = s[nobody]
            found.append(_problem_rows(file, frame.index[nobody], column, vals,
                                       f"{shown} value '" + vals.str.slice(0, 60).reset_index(drop=True) +
                                       f"' is not the {by} of anyone in people.csv, so {column} is unknown"))
        several = (~one & matches.notna()).to_numpy()
        if several.any():
            vals, who = s[several], matches[several].map(lambda m: ", ".join(m[:5]) + (", ..." if len(m) > 5 else ""))
            found.append(_problem_rows(file, frame.index[several], column, vals,
                                       f"{shown} value '" + vals.str.slice(0, 60).reset_index(drop=True) +
                                       f"' is the {by} of several people in people.csv (" +
                                       who.reset_index(drop=True) + f"): give {column} itself for this row"))
    return found


def _translate_lists(frame: pd.DataFrame, mapping: Mapping, file: str) -> list[pd.DataFrame]:
    """Split, in place, each ``lists`` column's cells on its separator, translate every item with the column's
    ``values`` (an item translated to ``''`` is dropped) and join the items with ``;``; with ``strict_values``,
    items the map does not know are problems."""
    found: list[pd.DataFrame] = []
    for column, separator in mapping.lists.items():
        if column not in frame.columns:
            found += _missing_column(mapping, column, file, "splits the items of")
            continue
        vmap = mapping.values.get(column, {})
        s = frame[column]
        items = s.str.split(separator, regex=False).map(lambda parts: [p.strip() for p in parts if p.strip()])
        frame[column] = items.map(lambda parts: ";".join(t for t in (vmap.get(p, p) for p in parts) if t))
        if mapping.strict_values:
            unknown = items.map(lambda parts: [p for p in parts if p not in vmap])
            bad = unknown.map(bool).to_numpy()
            if bad.any():
                vals = unknown[bad].map("; ".join)
                found.append(_problem_rows(file, frame.index[bad], column, vals,
                                           f"{column} has answers that are not among the values {mapping.file} "
                                           "maps: '" + vals.str.slice(0, 60).reset_index(drop=True) + "'"))
    return found


# --------------------------------------------------------------------------
# End to end
# --------------------------------------------------------------------------


def prepare_import(source_path: str | Path, table: str, mapping_path: str | Path | Mapping | None = None, *,
                   scale: tuple[int, int] = (0, 5),
                   existing: TypingMapping[str, pd.DataFrame] | None = None,
                   sheet: str | int | None = None,
                   max_bytes: int | None = None,
                   notes: list[str] | None = None) -> tuple[pd.DataFrame, Problems]:
    """Read, map and validate one file bound for ``table``; write nothing.

    The file is read with :func:`read_table_file` (the header and sheet
    found for ``table`` and the mapping), mapped with the mapping (a YAML
    file or a :class:`Mapping`) if given (:func:`apply_mapping`), validated against the contract and against the
    ``existing`` workspace tables it refers to (e.g. proficiency against
    people and skills; see :func:`~workbench.data.validation.validate_against`).
    Returns the mapped table (text, index = source row numbers) and every
    problem, rows pointing at the source file.  A file or mapping that
    cannot be read at all gives an empty table and a single table-level
    problem instead of an exception.  ``ValueError`` only for an unknown
    table name or a bad scale.  Sentences saying how the file was read
    (:attr:`RawTable.notes`, then how dates and numbers were read) are
    appended to ``notes`` when it is given.
    """
    spec = _spec(table)
    empty = pd.DataFrame({c: pd.Series([], dtype=str) for c in spec.column_names})
    empty.index = pd.Index([], dtype=np.int64, name=ROW_INDEX_NAME)
    mapping, unusable = None, None
    try:
        mapping = (mapping_path if isinstance(mapping_path, Mapping) or mapping_path is None
                   else load_mapping(mapping_path))
    except DataFileError as err:
        unusable = err
    try:
        raw = read_table_file(source_path, sheet=sheet, max_bytes=max_bytes, table=table, mapping=mapping)
    except DataFileError as err:
        unusable = err  # the file's own problem comes first
    if unusable is not None:
        return empty, Problems.single(unusable.file, unusable.message)
    if notes is not None:
        notes.extend(raw.notes)
    frame, mapped = apply_mapping(raw, mapping, table, existing=existing, notes=notes)
    checked = validate_against(table, frame, existing, scale=scale, file=raw.file)
    if len(mapped) and len(checked):
        reported = set(zip(mapped.frame["row"].dropna().astype(int), mapped.frame["column"]))
        keys = zip(checked.frame["row"].fillna(-1).astype(int), checked.frame["column"])
        keep = np.fromiter(((r, c) not in reported for r, c in keys), dtype=bool,
                           count=len(checked))
        checked = Problems(checked.frame[keep])
    combined = Problems.concat([mapped, checked]).frame
    combined = combined.sort_values("row", na_position="first", kind="stable")
    return frame, Problems(combined)
