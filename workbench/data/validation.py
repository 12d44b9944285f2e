"""Validating tables against their contracts (:data:`workbench.data.tables.TABLES`), and typing them.

From the registry this module builds one pandera schema per table and scale (:func:`table_schema`),
validates tables that arrive as DataFrames of strings exactly as read from CSV (:func:`validate_table`,
:func:`validate_tables`, :func:`validate_against`), checks values that are valid but unlikely
(:func:`date_warnings`) and turns validated tables into typed ones (:func:`coerce_table`). Whatever is
wrong comes back as a :class:`~workbench.data.problems.Problems` table; validation never raises on
malformed data.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import pandera.pandas as pa

from workbench.data.columns import (
    _DATE_RE,
    _INT_RE,
    _NUMBER_RE,
    _as_text,
    _parse_date,
    _parse_number,
    _parse_whole,
    split_list,
)
from workbench.data.problems import Problems, _finish, _fmt, _problems, _shown
from workbench.data.tables import (
    DEFAULT_SCALE,
    LIST_SEPARATOR,
    REFERENCES,
    ROW_INDEX_NAME,
    TABLES,
    ColumnSpec,
    KeySpec,
    Reference,
    TableSpec,
    _spec,
)

__all__ = [
    "coerce_table",
    "date_warnings",
    "program_problems",
    "table_schema",
    "validate_against",
    "validate_table",
    "validate_tables",
]


_NOUNS = {"people": "person", "skills": "skill", "goals": "goal"}


# --------------------------------------------------------------------------
# Normalising input
# --------------------------------------------------------------------------


def _check_scale(scale) -> tuple[int, int]:
    try:
        lo, hi = scale
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a pair (low, high), not {scale!r}") from None
    if isinstance(lo, bool) or isinstance(hi, bool) or int(lo) != lo or int(hi) != hi:
        raise ValueError(f"scale bounds must be whole numbers, not {scale!r}")
    lo, hi = int(lo), int(hi)
    if lo >= hi:
        raise ValueError(f"scale low end must be below its high end, not {scale!r}")
    return lo, hi


def _clean_label(label) -> str:
    return str(label).replace("\ufeff", "").strip()


def _row_numbers(df: pd.DataFrame, rows) -> np.ndarray:
    n = len(df)
    if rows is not None:
        arr = pd.to_numeric(pd.Series(list(rows), dtype=object), errors="coerce")
        arr = arr.to_numpy(dtype=float, na_value=np.nan)
        if len(arr) != n:
            raise ValueError(f"rows has {len(arr)} entries for a table of {n} rows")
        fallback = np.arange(n, dtype=float) + 2
        arr = np.where(np.isfinite(arr), arr, fallback)
        return arr.astype(np.int64)
    index = df.index
    if index.name == ROW_INDEX_NAME and pd.api.types.is_integer_dtype(index.dtype) and index.nlevels == 1:
        return index.to_numpy(dtype=np.int64)
    return np.arange(n, dtype=np.int64) + 2


@dataclass
class _Prepared:
    name: str
    file: str
    frame: pd.DataFrame  # RangeIndex, unique str labels, str cells with NaN for blank
    rows: np.ndarray
    problems: list[pd.DataFrame]


def _prepare(name: str, df: pd.DataFrame, file: str | None, rows=None) -> _Prepared:
    spec = _spec(name)
    file = file or spec.file
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame for {name}, got {type(df).__name__}")
    row_numbers = _row_numbers(df, rows)
    labels = [_clean_label(c) for c in df.columns]
    counts = Counter(labels)
    problems = []
    dupes = [lab for lab, k in counts.items() if k > 1]
    if dupes:
        problems.append(_problems(
            file, None, dupes, "",
            [f"column '{lab}' appears {counts[lab]} times; only the first is used" for lab in dupes],
        ))
    data: dict[str, pd.Series] = {}
    for pos, lab in enumerate(labels):
        if lab not in data:
            data[lab] = _as_text(df.iloc[:, pos])
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(df))) if data else pd.DataFrame(
        index=pd.RangeIndex(len(df)))
    return _Prepared(name, file, frame, row_numbers, problems)


#: Dates before this are taken for slips or placeholders (``0001-01-01``): a warning, not an error.
EARLIEST_PLAUSIBLE_DATE = dt.date(1900, 1, 1)
#: Years after today past which a date is taken for a placeholder (``9999-12-31``): a warning.
PLAUSIBLE_YEARS_AHEAD = 10


def date_warnings(tables: Mapping[str, pd.DataFrame], *, today: dt.date | None = None) -> Problems:
    """Dates that meet their contract but are unlikely to be true, as a :class:`Problems` table of warnings.

    A date before :data:`EARLIEST_PLAUSIBLE_DATE` or more than :data:`PLAUSIBLE_YEARS_AHEAD` years
    after ``today`` (default: today) in any date column, and a ``hire_date`` after ``today``, each
    named by file, row, column and value. ``tables`` maps table names to tables as read (text, the
    index holding spreadsheet rows, as :func:`validate_table` takes them); unparseable dates are
    left to the contract. Warnings do not make a table invalid.
    """
    today = today or dt.date.today()
    earliest = pd.Timestamp(EARLIEST_PLAUSIBLE_DATE)
    latest = pd.Timestamp(today.replace(year=today.year + PLAUSIBLE_YEARS_AHEAD, day=min(today.day, 28)))
    frames = []
    for name, df in tables.items():
        if name not in TABLES:
            continue
        spec = TABLES[name]
        rows = _row_numbers(df, None)
        for col in spec.columns:
            if col.kind != "date" or col.name not in df.columns:
                continue
            text = _as_text(df[col.name])
            dates = _parse_date(text)
            reasons = pd.Series(np.where(dates < earliest, f"before {EARLIEST_PLAUSIBLE_DATE.year}: a slip or a "
                                         "placeholder?", ""), dtype=object)
            reasons[dates > latest] = (f"more than {PLAUSIBLE_YEARS_AHEAD} years ahead: a placeholder?"
                                       + (" Leave it blank for people still employed." if col.name == "exit_date"
                                          else ""))
            if col.name == "hire_date":
                reasons[(dates > pd.Timestamp(today)) & ~(dates > latest)] = f"a hire after today ({today.isoformat()})"
            flagged = reasons.ne("").to_numpy()
            if flagged.any():
                frames.append(_problems(spec.file, rows[flagged], col.name, text[flagged], reasons[flagged]))
    return Problems.concat(frames)


def program_problems(enrolment: pd.DataFrame, programs: Sequence[str], *, file: str = "enrolment.csv") -> Problems:
    """Rows of ``enrolment`` whose ``program`` column names an id that is not one of ``programs`` (the
    workspace's, :func:`workbench.workspace.program_ids`): one problem per row and id, with its value.
    Nothing when the table has no such column. Rows are numbered as :func:`validate_table` numbers them (an
    index named ``"row"`` holds them, else position + 2)."""
    if "program" not in enrolment.columns:
        return Problems()
    items = split_list(enrolment["program"].reset_index(drop=True))
    bad = items[~items.isin(list(programs))]
    known = ", ".join(programs)
    rows = _row_numbers(enrolment, None)[bad.index.to_numpy()]
    return Problems(_problems(file, rows, "program", bad.astype(str).tolist(),
                              [f"{v!r} is not a program of this workspace ({known})" for v in bad]))


def _in_bounds(values: pd.Series, lo, hi, exclusive: bool) -> pd.Series:
    ok = pd.Series(True, index=values.index)
    if lo is not None:
        ok &= values.gt(lo) if exclusive else values.ge(lo)
    if hi is not None:
        ok &= values.le(hi)
    return ok


def _bounds_text(col: ColumnSpec, scale) -> str:
    lo, hi = col.bounds(scale)
    if col.on_scale:
        return f"is outside the scale {_fmt(lo)}-{_fmt(hi)}"
    if lo is not None and hi is not None:
        return f"must be between {_fmt(lo)} and {_fmt(hi)}"
    if lo is not None:
        return f"must be greater than {_fmt(lo)}" if col.min_exclusive else f"must be {_fmt(lo)} or more"
    return f"must be {_fmt(hi)} or less"


def _column_valid(col: ColumnSpec, scale) -> Callable[[pd.Series], pd.Series] | None:
    """Vectorised validity test for the non-blank cells of ``col`` (None: anything goes)."""
    lo, hi = col.bounds(scale)
    if col.kind == "id":
        return lambda s: ~s.str.contains(LIST_SEPARATOR, regex=False).fillna(False).astype(bool)
    if col.kind in ("int", "number"):
        parse = _parse_whole if col.kind == "int" else _parse_number

        def valid(s: pd.Series) -> pd.Series:
            """True for blank cells and numbers of the right kind within bounds."""
            v = parse(s)
            return (v.notna() & _in_bounds(v, lo, hi, col.min_exclusive)) | s.isna()

        return valid
    if col.kind == "date":
        return lambda s: _parse_date(s).notna() | s.isna()
    if col.kind == "enum":
        choices = list(col.choices)
        return lambda s: s.isin(choices) | s.isna()
    return None


def _column_explain(col: ColumnSpec, values: pd.Series, scale) -> pd.Series:
    """Plain-English reason for each failing value of ``col``."""
    values = values.reset_index(drop=True).astype(str)
    shown = _shown(values)
    head = f"{col.name} '" + shown + "' "
    if col.kind == "id":
        return head + f"must not contain '{LIST_SEPARATOR}'"
    if col.kind == "enum":
        return head + "is not one of: " + ", ".join(col.choices)
    if col.kind == "date":
        looks = values.str.fullmatch(_DATE_RE).fillna(False).astype(bool)
        reason = np.where(looks, "is not a real calendar date", "is not a date in YYYY-MM-DD form")
        return head + pd.Series(reason, dtype=object)
    if col.kind == "int":
        pattern = values.str.fullmatch(_INT_RE).fillna(False).astype(bool)
        parsed = _parse_whole(values)
        reason = np.where(~pattern, "is not a whole number",
                          np.where(parsed.isna(), "is too large", _bounds_text(col, scale)))
        return head + pd.Series(reason, dtype=object)
    parsed = _parse_number(values)
    pattern = values.str.fullmatch(_NUMBER_RE).fillna(False).astype(bool)
    reason = np.where(~pattern, "is not a number",
                      np.where(parsed.isna(), "is too large", _bounds_text(col, scale)))
    return head + pd.Series(reason, dtype=object)


# --------------------------------------------------------------------------
# Row rules (checks that look at several columns of a row)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _RowRule:
    name: str
    columns: tuple[str, ...]
    report: str
    valid: Callable[[pd.DataFrame], pd.Series]
    explain: Callable[[pd.DataFrame], pd.Series]


def _exit_valid(df: pd.DataFrame) -> pd.Series:
    return ~(_parse_date(df["exit_date"]) < _parse_date(df["hire_date"]))


def _exit_explain(df: pd.DataFrame) -> pd.Series:
    return "exit_date " + df["exit_date"].astype(str) + " is before hire_date " + df["hire_date"].astype(str)


def _levels_valid(df: pd.DataFrame) -> pd.Series:
    return ~(_parse_whole(df["level_min"]) > _parse_whole(df["level_max"]))


def _levels_explain(df: pd.DataFrame) -> pd.Series:
    return "level_max " + df["level_max"].astype(str) + " is below level_min " + df["level_min"].astype(str)


def _mentee_capacity_valid(df: pd.DataFrame) -> pd.Series:
    return ~(df["role"].eq("mentee").fillna(False).astype(bool) & df["capacity"].notna())


def _mentee_capacity_explain(df: pd.DataFrame) -> pd.Series:
    return ("capacity '" + _shown(df["capacity"]) +
            "' is given but role is 'mentee'; only mentors take mentees")


def _mentor_capacity_valid(df: pd.DataFrame) -> pd.Series:
    return ~(df["role"].isin(["mentor", "both"]) & df["capacity"].isna())


def _mentor_capacity_explain(df: pd.DataFrame) -> pd.Series:
    return ("capacity is blank but role is '" + df["role"].astype(str) +
            "'; give the number of mentees they can take (0 or more)")


def _same_valid(a: str, b: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda df: ~(df[a].eq(df[b]).fillna(False).astype(bool))


def _self_rank_explain(df: pd.DataFrame) -> pd.Series:
    return "person_id '" + _shown(df["person_id"]) + "' ranks themselves"


def _self_meeting_explain(df: pd.DataFrame) -> pd.Series:
    return "mentor_id '" + _shown(df["mentor_id"]) + "' is the same person as mentee_id"


_ROW_RULES: dict[str, tuple[_RowRule, ...]] = {
    "people": (_RowRule("exit_before_hire", ("hire_date", "exit_date"), "exit_date",
                        _exit_valid, _exit_explain),),
    "requirements": (_RowRule("level_range", ("level_min", "level_max"), "level_max",
                              _levels_valid, _levels_explain),),
    "enrolment": (
        _RowRule("mentee_capacity", ("role", "capacity"), "capacity",
                 _mentee_capacity_valid, _mentee_capacity_explain),
        _RowRule("mentor_capacity", ("role", "capacity"), "capacity",
                 _mentor_capacity_valid, _mentor_capacity_explain),
    ),
    "preferences": (_RowRule("self_rank", ("person_id", "ranks_person_id"), "ranks_person_id",
                             _same_valid("person_id", "ranks_person_id"), _self_rank_explain),),
    "meetings": (_RowRule("self_meeting", ("mentee_id", "mentor_id"), "mentor_id",
                          _same_valid("mentee_id", "mentor_id"), _self_meeting_explain),),
}


def _rule_check(rule: _RowRule) -> pa.Check:
    def check(df: pd.DataFrame) -> pd.Series:
        """True for rows that obey the rule (or when a column it needs is absent)."""
        if any(c not in df.columns for c in rule.columns):
            return pd.Series(True, index=df.index)
        return rule.valid(df).fillna(True).astype(bool)

    return pa.Check(check, name=f"rule:{rule.name}")


# --------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------


def _key_column_name(i: int) -> str:
    return f"__key{i}__"


def _key_codes(frame: pd.DataFrame, key: KeySpec, spec: TableSpec) -> pd.Series | None:
    """One integer code per distinct key; negative and unique where a required part is blank.

    Numeric key parts compare as numbers ("1", "01" and "1.0" are the same rank).
    """
    parts = [c for c in key.columns if c in frame.columns]
    if any(c not in parts for c in key.columns if c not in key.optional):
        return None
    n = len(frame)
    combined = np.zeros(n, dtype=np.int64)
    blank = np.zeros(n, dtype=bool)
    for col in parts:
        optional = col in key.optional
        values = frame[col]
        if spec.column(col).kind in {"int", "number"}:
            numbers = _parse_number(values.astype("string").fillna(""))
            values = values.where(numbers.isna(), numbers.astype(str))
        codes, uniques = pd.factorize(values, use_na_sentinel=not optional)
        if not optional:
            blank |= codes < 0
        combined = combined * (len(uniques) + 1) + (codes + 1)
        # keep codes small so the product never overflows
        combined = pd.factorize(combined)[0].astype(np.int64)
    # rows with a blank required part get codes of their own (never duplicates)
    combined[blank] = -1 - np.flatnonzero(blank)
    return pd.Series(combined, index=frame.index)


def _key_explain(frame: pd.DataFrame, key: KeySpec, codes: pd.Series, pos: np.ndarray,
                 rows: np.ndarray) -> pd.Series:
    arr = codes.to_numpy(dtype=np.int64)
    uniq, first_idx = np.unique(arr, return_index=True)
    first_rows = rows[first_idx[np.searchsorted(uniq, arr[pos])]]
    parts = [c for c in key.columns if c in frame.columns]
    text = pd.Series("", index=range(len(pos)), dtype=object)
    for i, col in enumerate(parts):
        vals = frame[col].iloc[pos].reset_index(drop=True)
        if col in key.optional:
            piece = pd.Series(np.where(vals.isna(), f"no {col}", f"{col} '" + _shown(vals.fillna("")) + "'"),
                              dtype=object)
        else:
            piece = f"{col} '" + _shown(vals) + "'"
        text = piece if i == 0 else text + " with " + piece
    return text + " appears more than once (first on row " + pd.Series(first_rows).astype(str) + ")"


# --------------------------------------------------------------------------
# The pandera schemas
# --------------------------------------------------------------------------


def table_schema(name: str, scale: tuple[int, int] = DEFAULT_SCALE) -> pa.DataFrameSchema:
    """Return the pandera schema of table ``name`` for proficiency ``scale``.

    The schema applies to a *prepared* frame: text cells, stripped, blanks as
    NaN, plus one integer column per uniqueness key (see :data:`TABLES`).
    It checks column presence, blanks, cell formats and bounds, keys and
    row rules; it does not coerce.  Use :func:`validate_table` rather than
    calling it directly: that function prepares the frame and turns the
    failures into plain-English :class:`Problems`.  Schemas are cached.
    """
    _spec(name)
    return _build_schema(name, _check_scale(scale))


@functools.lru_cache(maxsize=64)
def _build_schema(name: str, scale: tuple[int, int]) -> pa.DataFrameSchema:
    spec = TABLES[name]
    columns: dict[str, pa.Column] = {}
    for col in spec.columns:
        valid = _column_valid(col, scale)
        checks = [pa.Check(valid, name=f"cell:{col.name}")] if valid is not None else []
        columns[col.name] = pa.Column(required=col.required, nullable=col.blank_ok, checks=checks)
    for i, _key in enumerate(spec.keys):
        columns[_key_column_name(i)] = pa.Column(required=False, unique=True,
                                                 report_duplicates="exclude_first")
    checks = [_rule_check(rule) for rule in _ROW_RULES.get(name, ())]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False, name=name)


def _positions(index_values: pd.Series) -> np.ndarray:
    pos = pd.to_numeric(index_values, errors="coerce").dropna()
    return np.unique(pos.to_numpy(dtype=np.int64))


def _schema_problems(prep: _Prepared, scale: tuple[int, int]) -> list[pd.DataFrame]:
    spec = TABLES[prep.name]
    frame = prep.frame
    key_codes: dict[str, tuple[KeySpec, pd.Series]] = {}
    extra = {}
    for i, key in enumerate(spec.keys):
        codes = _key_codes(frame, key, spec)
        if codes is not None:
            key_codes[_key_column_name(i)] = (key, codes)
            extra[_key_column_name(i)] = codes
    checked = frame.assign(**extra) if extra else frame
    try:
        table_schema(prep.name, scale).validate(checked, lazy=True)
        return []
    except pa.errors.SchemaErrors as err:
        failures = err.failure_cases
    except pa.errors.SchemaError as err:  # pragma: no cover - lazy=True collects errors
        failures = err.failure_cases if isinstance(err.failure_cases, pd.DataFrame) else pd.DataFrame()

    out: list[pd.DataFrame] = []
    rows, file = prep.rows, prep.file
    failures = failures.assign(check=failures["check"].astype(str),
                               column=failures["column"].astype(object))
    rule_by_name = {f"rule:{r.name}": r for r in _ROW_RULES.get(prep.name, ())}
    for check, group in failures.groupby("check", sort=False):
        if check == "column_in_dataframe":
            missing = [str(c) for c in group["failure_case"]]
            out.append(_problems(file, None, missing, "",
                                 [f"required column '{c}' is missing" for c in missing]))
        elif check in rule_by_name:
            rule = rule_by_name[check]
            pos = _positions(group["index"])
            sub = frame.iloc[pos].reset_index(drop=True)
            out.append(_problems(file, rows[pos], rule.report, sub[rule.report], rule.explain(sub)))
        else:
            for column, cgroup in group.groupby("column", sort=False, dropna=False):
                pos = _positions(cgroup["index"])
                out.append(_column_problems(prep, str(column), str(check), pos, key_codes, scale,
                                            cgroup))
    return out


def _column_problems(prep: _Prepared, column: str, check: str, pos: np.ndarray,
                     key_codes: dict, scale, group: pd.DataFrame) -> pd.DataFrame:
    frame, rows, file = prep.frame, prep.rows, prep.file
    spec = TABLES[prep.name]
    if check == "not_nullable" and column in frame.columns:
        return _problems(file, rows[pos], column, "", [f"{column} is blank but required"] * len(pos))
    if check == "field_uniqueness" and column in key_codes:
        key, codes = key_codes[column]
        values = frame[key.report].iloc[pos]
        return _problems(file, rows[pos], key.report, values,
                         _key_explain(frame, key, codes, pos, rows))
    if check.startswith("cell:") and column in frame.columns:
        values = frame[column].iloc[pos]
        return _problems(file, rows[pos], column, values,
                         _column_explain(spec.column(column), values, scale))
    # Anything else pandera reports is passed on as it is.
    cases = group["failure_case"].astype(str).reset_index(drop=True)
    if len(pos) == len(cases):
        return _problems(file, rows[pos], column, cases, f"{column} failed check {check}")
    return _problems(file, None, column, cases, f"{column} failed check {check}")


# --------------------------------------------------------------------------
# References and the management chain
# --------------------------------------------------------------------------


def _id_index(prep: _Prepared, column: str) -> pd.Index | None:
    if column not in prep.frame.columns:
        return None
    return pd.Index(prep.frame[column].dropna().unique())


def _reference_problems(prep: _Prepared, ref: Reference, known: pd.Index) -> list[pd.DataFrame]:
    frame = prep.frame
    if ref.column not in frame.columns:
        return []
    noun = _NOUNS.get(ref.target, ref.target_column)
    target_file = TABLES[ref.target].file
    if ref.is_list:
        items = split_list(frame[ref.column])
        bad = items[~items.isin(known)]
        if bad.empty:
            return []
        pos = bad.index.to_numpy(dtype=np.int64)
        msg = f"{ref.column} lists '" + _shown(bad).reset_index(drop=True) + \
            f"', which is not a {noun} in {target_file}"
        return [_problems(prep.file, prep.rows[pos], ref.column, bad, msg)]
    s = frame[ref.column]
    mask = (s.notna() & ~s.isin(known)).to_numpy()
    if not mask.any():
        return []
    pos = np.flatnonzero(mask)
    bad = s.iloc[pos].reset_index(drop=True)
    msg = f"{ref.column} '" + _shown(bad) + f"' is not a {noun} in {target_file}"
    return [_problems(prep.file, prep.rows[pos], ref.column, bad, msg)]


def _cycle_text(ids: np.ndarray, path: list[int], start: int) -> str:
    length = len(path)
    person = ids[path[start]]
    if length == 1:
        return f"'{person}' is their own manager"
    shown = min(length, 6)
    chain = [str(ids[path[(start + k) % length]]) for k in range(shown)]
    text = " -> ".join(chain)
    if shown < length:
        text += f" -> ... ({length} people)"
    return f"'{person}' is in a management cycle: {text} -> {person}"


def _management_problems(prep: _Prepared) -> list[pd.DataFrame]:
    frame = prep.frame
    if "person_id" not in frame.columns or "manager_id" not in frame.columns:
        return []
    pid, mid = frame["person_id"], frame["manager_id"]
    known = _id_index(prep, "person_id")
    out = _reference_problems(prep, REFERENCES[0], known)

    # `known` lists the ids in order of first occurrence, as `first_pos` does
    first_pos = np.flatnonzero((pid.notna() & ~pid.duplicated(keep="first")).to_numpy())
    ids = known.to_numpy(dtype=object)
    n = len(ids)
    if n == 0:
        return out
    target = known.get_indexer(mid.iloc[first_pos])
    nxt = np.full(n + 1, n, dtype=np.int64)
    nxt[:n] = np.where(target >= 0, target, n)
    # f^(2^k) for 2^k > n lands every node on a cycle or the sink; its image
    # is exactly the set of nodes on cycles.
    jump, steps = nxt.copy(), 1
    while steps <= n:
        jump = jump[jump]
        steps *= 2
    on_cycle = np.zeros(n + 1, dtype=bool)
    on_cycle[jump] = True
    on_cycle[n] = False
    cycle_nodes = np.flatnonzero(on_cycle)
    if len(cycle_nodes) == 0:
        return out
    seen = np.zeros(n, dtype=bool)
    nodes, messages = [], []
    for node in cycle_nodes:
        if seen[node]:
            continue
        path = [int(node)]
        seen[node] = True
        x = int(nxt[node])
        while x != node:
            path.append(x)
            seen[x] = True
            x = int(nxt[x])
        for k in range(len(path)):
            nodes.append(path[k])
            messages.append(_cycle_text(ids, path, k))
    pos = first_pos[np.asarray(nodes, dtype=np.int64)]
    out.append(_problems(prep.file, prep.rows[pos], "manager_id", mid.iloc[pos], messages))
    return out


def _cross_problems(prep: _Prepared, targets: Mapping[str, _Prepared]) -> list[pd.DataFrame]:
    out: list[pd.DataFrame] = []
    for ref in REFERENCES:
        if ref.table != prep.name or ref.target == prep.name or ref.target not in targets:
            continue
        known = _id_index(targets[ref.target], ref.target_column)
        if known is None:
            continue
        out.extend(_reference_problems(prep, ref, known))
    return out


# --------------------------------------------------------------------------
# Public validation API
# --------------------------------------------------------------------------


def _validate_prepared(prep: _Prepared, scale: tuple[int, int]) -> list[pd.DataFrame]:
    frames = list(prep.problems)
    frames.extend(_schema_problems(prep, scale))
    if prep.name == "people":
        frames.extend(_management_problems(prep))
    return frames


def validate_table(name: str, df: pd.DataFrame, *, scale: tuple[int, int] = DEFAULT_SCALE,
                   file: str | None = None, rows: Sequence[int] | None = None) -> Problems:
    """Validate one table against its contract and return every problem found.

    ``df`` is the table as read from CSV (text cells; other dtypes, NaN and
    odd column labels are tolerated).  Checks: required columns present,
    duplicated column names, blanks in required cells, cell formats (whole
    numbers, numbers, ISO dates, enumerations), bounds and the proficiency
    ``scale``, duplicate keys, row rules (exit before hire, capacity given to
    a mentee or missing for a mentor, ranking or meeting oneself,
    ``level_min`` above ``level_max``) and, for ``people``, managers that are
    not people and cycles in the management chain.

    ``file`` names the file in problems (default ``<name>.csv``).  Row
    numbers are taken from ``rows`` if given, else from the index if it is
    named ``"row"`` (as produced by :mod:`workbench.data.reading`), else
    they are the position + 2.  Raises ``ValueError`` only for an unknown
    table name, a bad scale or a ``rows`` of the wrong length.
    """
    scale = _check_scale(scale)
    prep = _prepare(name, df, file, rows)
    return _finish(_validate_prepared(prep, scale), TABLES[name])


def validate_against(name: str, df: pd.DataFrame, existing: Mapping[str, pd.DataFrame] | None, *,
                     scale: tuple[int, int] = DEFAULT_SCALE, file: str | None = None,
                     rows: Sequence[int] | None = None) -> Problems:
    """Validate table ``name`` alone and against the ``existing`` tables it refers to.

    Like :func:`validate_table`, plus the references from this table to the
    tables in ``existing`` (e.g. proficiency person and skill ids against the
    workspace's people and skills).  A referenced table absent from
    ``existing`` is not checked against; ``existing[name]`` itself is ignored.
    Only problems located in ``df`` are reported.
    """
    scale = _check_scale(scale)
    prep = _prepare(name, df, file, rows)
    frames = _validate_prepared(prep, scale)
    targets = {}
    for ref in REFERENCES:
        if ref.table == name and ref.target != name and existing and ref.target in existing \
                and existing[ref.target] is not None and ref.target not in targets:
            targets[ref.target] = _prepare(ref.target, existing[ref.target], None)
    frames.extend(_cross_problems(prep, targets))
    return _finish(frames, TABLES[name])


def validate_tables(tables: Mapping[str, pd.DataFrame], *, scale: tuple[int, int] = DEFAULT_SCALE,
                    require_all: bool = True, files: Mapping[str, str] | None = None) -> Problems:
    """Validate a set of tables: each against its contract, then against each other.

    Cross-table checks: person ids (proficiency, enrolment, preferences,
    survey, meetings) must be in people; skill ids (proficiency,
    requirements, enrolment ``wants``/``offers`` lists) must be in skills;
    requirements ``goal_id`` must be in goals.  References to a table that
    is not given are skipped.  With ``require_all`` a missing non-optional
    table is a problem; unknown table names are always a problem.  ``files``
    optionally maps table names to file names used in the problems.
    """
    scale = _check_scale(scale)
    files = dict(files or {})
    frames: list[Problems] = []
    prepared: dict[str, _Prepared] = {}
    for name, df in tables.items():
        if name not in TABLES:
            frames.append(Problems.single(
                files.get(name, f"{name}.csv"),
                f"'{name}' is not a known table; known tables are {', '.join(TABLES)}"))
            continue
        if df is None:
            continue
        prepared[name] = _prepare(name, df, files.get(name))
    if require_all:
        for spec in TABLES.values():
            if not spec.optional_table and spec.name not in prepared:
                frames.append(Problems.single(files.get(spec.name, spec.file),
                                              f"required table {spec.file} is missing"))
    for name in TABLES:
        if name in prepared:
            prep = prepared[name]
            found = _validate_prepared(prep, scale) + _cross_problems(prep, prepared)
            frames.append(_finish(found, TABLES[name]))
    return Problems.concat(frames)


# --------------------------------------------------------------------------
# Coercion
# --------------------------------------------------------------------------


def coerce_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Return table ``name`` with typed columns, for use after validation passes.

    Whole numbers become ``Int64``, numbers ``float64``, dates
    ``datetime64``, lists tuples of stripped ids (``()`` when blank), text
    columns stripped ``str`` with blanks as missing.  Extra columns are kept
    as stripped text; duplicated column names keep their first occurrence.
    Cells that would not validate become missing.  The index is preserved.
    """
    spec = _spec(name)
    prep = _prepare(name, df, None)
    out: dict[str, pd.Series] = {}
    for column in prep.frame.columns:
        s = prep.frame[column]
        col = next((c for c in spec.columns if c.name == column), None)
        kind = col.kind if col is not None else "text"
        if kind == "int":
            s = _parse_whole(s).round().astype("Int64")
        elif kind == "number":
            s = _parse_number(s)
        elif kind == "date":
            s = _parse_date(s)
        elif kind == "list":
            items = split_list(s)
            grouped = items.groupby(level=0).apply(tuple) if len(items) else pd.Series([], dtype=object)
            s = pd.Series([grouped.get(i, ()) for i in range(len(s))], dtype=object)
        out[column] = s
    result = pd.DataFrame(out, index=pd.RangeIndex(len(df))) if out else pd.DataFrame(
        index=pd.RangeIndex(len(df)))
    result.index = df.index
    return result
