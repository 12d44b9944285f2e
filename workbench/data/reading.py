"""Reading HR data files (CSV, TSV, TXT, XLSX) and mapping real exports onto the contracts.

* :func:`read_table_file` reads one file into a :class:`RawTable`: every cell
  as stripped text (``''`` when blank, ``'NA'`` stays ``'NA'``), the index
  holding the spreadsheet row of each line (header = row 1), plus what was
  detected (encoding, delimiter, sheet).  Anything that stops the file from
  being read as a table raises a single :class:`DataFileError` naming the
  file.
* :func:`load_mapping` and :func:`apply_mapping` bring an HR export in
  without editing it: rename columns, translate values, parse dates into
  ISO form and fill defaults, as described by a small YAML file.
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

from workbench.data.contracts import (
    ROW_INDEX_NAME,
    TABLES,
    Problems,
    _spec,
    validate_against,
)

__all__ = [
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
MAPPING_KEYS: tuple[str, ...] = ("table", "columns", "values", "dates", "defaults", "strict_values", "lists", "lookup")
#: Columns of ``people.csv`` a mapping's ``lookup`` may find a person by.
LOOKUP_COLUMNS: tuple[str, ...] = ("email", "name")

_TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": ","}
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_MAX_MAPPING_BYTES = 1024 * 1024
_SNIFF_CHARS = 64 * 1024
_SNIFF_ROWS = 100
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DATE_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


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
    row is 2).  Completely blank lines are dropped, the row numbers of the
    others are kept.
    """

    frame: pd.DataFrame
    file: str
    path: Path
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

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
                    max_bytes: int | None = None) -> RawTable:
    """Read a ``.csv``, ``.tsv``, ``.txt`` or ``.xlsx`` file into a :class:`RawTable`.

    Text files: the encoding is detected (UTF-8 with or without BOM, UTF-16
    and UTF-32 with a BOM or without one, told by where the NUL bytes fall,
    else Windows-1252, else Latin-1) and the delimiter sniffed among
    ``, ; TAB |``.  Workbooks (read with calamine): the first sheet holding a
    value unless ``sheet`` (a name or a 0-based position among the worksheets,
    :func:`workbook_sheets`) says otherwise; dates become ``YYYY-MM-DD`` and
    whole numbers lose their ``.0``, as in the CSV the workbook would export.
    Leading blank lines or rows before the header are skipped.

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
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(path, name, sheet)
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
    frame = _parse_text(text, delimiter, name)
    return RawTable(frame, name, path, encoding=encoding, delimiter=delimiter)


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
        if not counts or counts[0] < 2:
            continue
        data = counts[1:]
        consistency = (sum(c == counts[0] for c in data) / len(data)) if data else 1.0
        if delim == default and consistency == 1.0:
            return delim  # the extension's own delimiter fits perfectly: trust it
        score = (consistency, counts[0])
        if score > best_score:
            best, best_score = delim, score
    return best


_LEADING_BLANK_RE = re.compile(r"(?:[ \t]*(?:\r\n|\r|\n))*")


def _parse_text(text: str, delimiter: str, name: str) -> pd.DataFrame:
    lead = _LEADING_BLANK_RE.match(text)
    skipped = 0
    if lead and lead.end():
        skipped = len(re.findall(r"\r\n|\r|\n", lead.group(0)))
        text = text[lead.end():]
    if not text.strip():
        raise DataFileError(name, "is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cells = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str,
                                keep_default_na=False, na_filter=False, skip_blank_lines=False,
                                quotechar='"', engine="c", index_col=False)
    except pd.errors.EmptyDataError:
        raise DataFileError(name, "is empty") from None
    except pd.errors.ParserError as err:
        message = str(err)
        unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
        if unclosed:
            row = int(unclosed.group(1)) + skipped + 1
            raise DataFileError(name, f"has a quoted value starting on row {row} that is never "
                                      "closed (a stray '\"')") from None
        if "Expected" in message and "fields" in message:
            cells = _parse_ragged(text, delimiter, name, skipped)
        else:
            raise DataFileError(name, f"cannot be read as a table: {_short(message)}") from None
    except Exception as err:  # the C parser can fail in other ways on garbage
        raise DataFileError(name, f"cannot be read as a table: {_short(str(err))}") from None
    return _build_table(cells, skipped + 1, name)


def _short(message: str) -> str:
    message = message.replace("Error tokenizing data. C error: ", "").strip()
    return message if len(message) <= 200 else message[:200] + "..."


def _parse_ragged(text: str, delimiter: str, name: str, skipped: int) -> pd.DataFrame:
    """Parse rows of differing lengths; trailing empty cells beyond the header are dropped."""
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"'))
    except csv.Error as err:
        raise DataFileError(name, f"cannot be read as a table: {_short(str(err))}") from None
    width = len(records[0]) if records else 0
    too_long = []
    for i, rec in enumerate(records):
        if len(rec) > width:
            if any(cell.strip() for cell in rec[width:]):
                too_long.append((skipped + 1 + i, len(rec)))
            del rec[width:]
        elif len(rec) < width:
            rec.extend([""] * (width - len(rec)))
    if too_long:
        where = ", ".join(f"row {r} has {k}" for r, k in too_long[:5])
        more = f" (and {len(too_long) - 5} more rows)" if len(too_long) > 5 else ""
        raise DataFileError(name, f"has rows with more values than the header's {width} columns: "
                                  f"{where}{more}; check for an unquoted '{_show_delim(delimiter)}' "
                                  "inside a value")
    return pd.DataFrame(records, dtype=str)


def _show_delim(delimiter: str | None) -> str:
    return {"\t": "tab"}.get(delimiter or "", delimiter or "")


def _build_table(cells: pd.DataFrame, first_row: int, name: str) -> pd.DataFrame:
    """Turn header + data cells (all text) into the frame of a RawTable.

    ``cells`` row 0 is the header, at spreadsheet row ``first_row``.
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
                                  + ", ".join(blank_with_data[:10]))
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


def _sheet_cells(book, sheet: str, name: str) -> list[list]:
    """Every cell of ``sheet`` from cell A1 on (rows and columns before the first value kept, blank), as Python
    values (text, float, bool, date, datetime, time; ``''`` when blank)."""
    try:
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as err:
        raise _unreadable(name, err) from None


def workbook_sheets(path: str | Path) -> tuple[list[str], str | None]:
    """The worksheets of the .xlsx workbook at ``path``, in order, and the first that holds a value (``None``
    when none does): the sheet :func:`read_table_file` reads when none is chosen.

    Raises :class:`DataFileError` as :func:`read_table_file` does for a file that is not a readable workbook.
    """
    path = Path(path)
    name = path.name or str(path)
    book = _open_workbook(path, name)
    try:
        names = _worksheet_names(book)
        return names, _first_with_values(book, names, name)[0]
    finally:
        book.close()


def _first_with_values(book, names: list[str], name: str) -> tuple[str | None, list[list]]:
    """The first of the sheets ``names`` that holds a value, and its cells (``None`` and none when none does)."""
    for sheet in names:
        cells = _sheet_cells(book, sheet, name)
        if any(cell != "" for row in cells for cell in row):
            return sheet, cells
    return None, []


def _read_excel(path: Path, name: str, sheet: str | int | None) -> RawTable:
    book = _open_workbook(path, name)
    try:
        names = _worksheet_names(book)
        if not names:
            raise DataFileError(name, "has no sheets")
        chosen, cells = _first_with_values(book, names, name) if sheet is None else (None, None)
        if sheet is None:
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
        if cells is None:
            cells = _sheet_cells(book, chosen, name)
    finally:
        book.close()
    width = max((len(row) for row in cells), default=0)
    if not width:
        raise DataFileError(name, f"sheet '{chosen}' is empty")
    text = pd.DataFrame(cells, dtype=object).map(_cell_text)
    nonblank = np.flatnonzero(text.ne("").any(axis=1).to_numpy())
    if len(nonblank) == 0:
        raise DataFileError(name, f"sheet '{chosen}' is empty")
    start = int(nonblank[0])
    frame = _build_table(text.iloc[start:], start + 1, f"{name}")
    return RawTable(frame, name, path, sheet=chosen)


# --------------------------------------------------------------------------
# Mapping files
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    """How to bring one HR export onto a table contract (see :func:`load_mapping`).

    ``columns`` renames source columns to contract columns; ``values`` maps,
    per contract column, source values to contract values; ``dates`` gives,
    per contract column, the ``strptime`` format of the source dates;
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
    if "%" not in fmt:
        raise DataFileError(name, f"key '{key}': '{fmt}' is not a date format; use strptime "
                                  "codes such as %d/%m/%Y")
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


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a YAML mapping file.

    Allowed keys: ``table`` (a table name), ``columns`` (source column ->
    contract column), ``values`` (contract column -> {source value ->
    value}), ``dates`` (contract column -> strptime format), ``defaults``
    (contract column -> constant), ``strict_values`` (true/false),
    ``lists`` (contract column -> separator of the items in a source cell)
    and ``lookup`` (contract column -> ``email`` or ``name``).  All
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
                   defaults=defaults, strict_values=strict, lists=lists, lookup=lookup)


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


def apply_mapping(raw: RawTable | pd.DataFrame, mapping: Mapping | None, table: str, *,
                  file: str | None = None,
                  existing: TypingMapping[str, pd.DataFrame] | None = None) -> tuple[pd.DataFrame, Problems]:
    """Apply ``mapping`` to a raw table bound for contract ``table``.

    In order: rename columns; translate values (unmapped values are kept,
    or are problems with ``strict_values``); parse the ``dates`` columns and
    write them as ``YYYY-MM-DD`` (values already in that form are accepted,
    unparseable ones are kept and reported); add ``defaults`` for columns
    still missing.  Renames of absent columns, two renames onto one name
    and renames onto a column the file already has are problems (the
    colliding rename is skipped).  Rows keep their source row numbers in
    the index, so problems point at the source file.  Returns the mapped
    text frame and the problems; nothing is validated against the contract
    here.  ``mapping=None`` only tidies the frame.  ``lookup`` columns are
    found in ``existing["people"]`` (the workspace's tables, as text) and
    ``lists`` columns are split, translated item by item and joined with
    ``;`` (:func:`_lookup_people`, :func:`_translate_lists`), both before the
    other values are translated.
    """
    _spec(table)
    if isinstance(raw, RawTable):
        (frame, dupes), file = _text_frame(raw.frame), file or raw.file
    else:
        (frame, dupes), file = _text_frame(raw), file or TABLES[table].file
    found = [_table_problem(file, d, f"column '{d}' appears more than once; only the first is used")
             for d in dupes]
    if mapping is None:
        return frame, Problems.concat(found)
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
            if column not in mapping.defaults:
                found.append(_table_problem(file, column, f"{mfile} maps values of column "
                                                          f"'{column}', but {file} has no such column"))
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
            if column not in mapping.defaults:
                found.append(_table_problem(file, column, f"{mfile} gives a date format for column "
                                                          f"'{column}', but {file} has no such column"))
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

    for column, value in mapping.defaults.items():
        if column not in frame.columns:
            frame[column] = value
    frame = frame.astype(str) if len(frame.columns) else frame
    return frame, Problems.concat(found)


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
            if column not in mapping.defaults:
                found.append(_table_problem(file, column, f"{mapping.file} splits the items of column '{column}', "
                                                          f"but {file} has no such column"))
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
                   max_bytes: int | None = None) -> tuple[pd.DataFrame, Problems]:
    """Read, map and validate one file bound for ``table``; write nothing.

    The file is read with :func:`read_table_file`, mapped with the mapping
    (a YAML file or a :class:`Mapping`) if given, validated against the contract and against the
    ``existing`` workspace tables it refers to (e.g. proficiency against
    people and skills; see :func:`~workbench.data.contracts.validate_against`).
    Returns the mapped table (text, index = source row numbers) and every
    problem, rows pointing at the source file.  A file or mapping that
    cannot be read at all gives an empty table and a single table-level
    problem instead of an exception.  ``ValueError`` only for an unknown
    table name or a bad scale.
    """
    spec = _spec(table)
    empty = pd.DataFrame({c: pd.Series([], dtype=str) for c in spec.column_names})
    empty.index = pd.Index([], dtype=np.int64, name=ROW_INDEX_NAME)
    try:
        raw = read_table_file(source_path, sheet=sheet, max_bytes=max_bytes)
        mapping = (mapping_path if isinstance(mapping_path, Mapping) or mapping_path is None
                   else load_mapping(mapping_path))
    except DataFileError as err:
        return empty, Problems.single(err.file, err.message)
    frame, mapped = apply_mapping(raw, mapping, table, existing=existing)
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
