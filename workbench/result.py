"""The one shape every analysis result shares: matching, simulation, what-if comparison and evaluation.

A result (:class:`Result`) answers the same four questions whatever made it:

* ``summary()``: the headline figures as plain data (numbers, shares 0-1, counts), no display words;
* ``by_group(attribute)``: a breakdown per group of a people attribute, groups under
  :data:`~workbench.privacy.MIN_GROUP` people (and any that would give a small one away) hidden;
* ``to_json()``: every figure as plain JSON data under the class's JSON Schema (``JSON_SCHEMA``,
  draft 2020-12, kept beside the class), ``from_json(document)``: the object again from that data,
  so a saved result loads back as what was saved, and reports read it through the same methods.

Figures with uncertainty are :class:`Interval` values (an estimate and its two ends at a stated level),
KPIs are described by :class:`KPI`, and :func:`plain` is the one converter from NumPy/pandas values to
plain JSON (or YAML) data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError

__all__ = ["KPI", "Interval", "Result", "conforming", "interval_schema", "json_text", "plain", "records",
           "schema_problems"]


def plain(value: Any, *, digits: int | None = 10) -> Any:
    """``value`` as plain JSON/YAML data.

    Mappings get text keys, tuples and arrays become lists, NumPy scalars are unwrapped, ``pd.NA``/``NaT``
    and non-finite floats become ``None``, floats are rounded to ``digits`` decimals (``None``: kept as they
    are), and :class:`Interval`/:class:`KPI` values become their dictionaries.
    """
    if isinstance(value, (Interval, KPI)):
        return plain(value.to_dict(), digits=digits)
    if isinstance(value, dict):
        return {str(k): plain(v, digits=digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, digits=digits) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v, digits=digits) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return value if digits is None else round(value, digits)
    return value


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    """``frame`` (optionally only ``columns``) as a list of plain JSON rows (blanks as ``None``)."""
    part = frame if columns is None else frame[columns]
    return plain(part.astype(object).where(part.notna(), None).to_dict("records"))


@dataclass(frozen=True)
class Interval:
    """An estimate with its interval: ``low`` to ``high`` at ``level`` (0.95: a 95% interval).

    What the interval is (a confidence interval of a mean, a bootstrap interval, the spread of single
    runs between their 5th and 95th percentiles, which is ``level=0.90``) is said where it is made;
    ``None`` ends mean the interval cannot be computed (too few people, a hidden group).
    """

    estimate: float | None
    low: float | None = None
    high: float | None = None
    level: float = 0.95

    @property
    def known(self) -> bool:
        """Whether both ends are finite numbers."""
        return all(v is not None and math.isfinite(v) for v in (self.low, self.high))

    def excludes(self, value: float = 0.0) -> bool:
        """Whether the whole interval lies on one side of ``value`` (for an effect: a clear difference)."""
        return self.known and (self.low > value or self.high < value)

    def to_dict(self, *, estimate: str = "estimate", level: bool = True) -> dict:
        """The interval as plain data; ``estimate`` names the estimate's key (a saved format may call it ``share``),
        ``level=False`` leaves the level out (for formats that state it in their schema instead)."""
        data = {estimate: self.estimate, "low": self.low, "high": self.high}
        return plain(data | {"level": self.level} if level else data)

    @classmethod
    def of_draws(cls, estimate: float, draws: np.ndarray, level: float = 0.95) -> Self:
        """``estimate`` with the percentile interval of bootstrap (or simulation) ``draws`` at ``level`` (0.95: the
        2.5th to 97.5th percentile); no draws give blank (NaN) ends."""
        tail = round(50 * (1 - level), 10)  # 2.5 exactly at 0.95, not 2.5000000000000018
        low, high = np.percentile(draws, [tail, 100 - tail]) if len(draws) else (np.nan, np.nan)
        return cls(float(estimate), float(low), float(high), level)

    @classmethod
    def from_dict(cls, data: dict) -> Self:
        return cls(estimate=data.get("estimate"), low=data.get("low"), high=data.get("high"),
                   level=data.get("level", 0.95))


def interval_schema(description: str, *, null: bool = False) -> dict:
    """The JSON Schema of an :class:`Interval`'s dictionary (``null``: the whole value may be ``null``)."""
    number = {"type": ["number", "null"]}
    return {"type": ["object", "null"] if null else "object", "description": description,
            "properties": {"estimate": {**number, "description": "The estimate."},
                           "low": {**number, "description": "The interval's lower end."},
                           "high": {**number, "description": "The interval's upper end."},
                           "level": {"type": "number", "description": "The interval's level, 0-1 (0.95: 95%)."}},
            "required": ["estimate", "low", "high", "level"], "additionalProperties": False}


@dataclass(frozen=True)
class KPI:
    """What a KPI is: its id, label, unit, whether it has a comparison group, and which way is better."""

    name: str
    label: str
    unit: str
    compared: bool = False
    higher_is_better: bool = True

    def to_dict(self) -> dict:
        return {"kpi": self.name, "label": self.label, "unit": self.unit, "compared": self.compared,
                "higher_is_better": self.higher_is_better}

    def better(self, a: float, b: float) -> bool:
        """Whether ``a`` is better than ``b`` for this KPI."""
        return a > b if self.higher_is_better else a < b


@runtime_checkable
class Result(Protocol):
    """The protocol of an analysis result; see the module docstring."""

    JSON_SCHEMA: ClassVar[dict]

    def summary(self) -> dict: ...

    def by_group(self, attribute: str) -> pd.DataFrame: ...

    def to_json(self) -> dict: ...

    @classmethod
    def from_json(cls, document: dict) -> Self: ...


def schema_problems(document: dict, schema: dict) -> list[str]:
    """Where ``document`` departs from the JSON Schema ``schema`` (a result's ``JSON_SCHEMA``), one line per problem
    led by its path (empty when it conforms); needs ``jsonschema``."""
    import jsonschema  # optional: only checks of saved documents need it

    validator = jsonschema.Draft202012Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]


def conforming(document: dict, schema: dict, what: str) -> dict:
    """``document`` when it conforms to the JSON Schema ``schema``; else a :class:`~workbench.errors.WorkbenchError`
    naming the first problem (``what``: what the document should be, as "an evaluation")."""
    problems = schema_problems(document, schema)
    if problems:
        raise WorkbenchError(f"This is not {what} the workbench wrote: {problems[0]}")
    return document


def json_text(result: Result) -> str:
    """A result's JSON as text (sorted keys, so the same result gives the same bytes)."""
    return json.dumps(result.to_json(), indent=2, sort_keys=True, allow_nan=False) + "\n"
