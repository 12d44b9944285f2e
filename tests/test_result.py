"""The shared result protocol: the plain-data converter, intervals and KPI descriptions."""

import json
import math

import jsonschema
import numpy as np
import pandas as pd
from hypothesis import given, strategies as st

from workbench.result import KPI, Interval, interval_schema, plain, records


def test_plain_unwraps_numpy_and_blanks_what_json_cannot_hold() -> None:
    value = {1: (np.int64(3), np.float64(0.1234567890123)), "x": np.array([1.5, np.nan]), "na": pd.NA,
             "inf": float("inf"), "interval": Interval(0.5, 0.25, 0.75)}
    assert plain(value) == {"1": [3, 0.123456789], "x": [1.5, None], "na": None, "inf": None,
                            "interval": {"estimate": 0.5, "low": 0.25, "high": 0.75, "level": 0.95}}
    assert plain(0.1234567890123, digits=None) == 0.1234567890123
    json.dumps(plain(value), allow_nan=False)


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.none(), st.text()),
                max_size=20))
def test_plain_always_gives_strict_json(values: list) -> None:
    json.dumps(plain({"values": values, "array": np.array([v for v in values if isinstance(v, float)])}),
               allow_nan=False)


def test_records_blank_missing_cells() -> None:
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": ["x", None]})
    assert records(frame) == [{"a": 1.0, "b": "x"}, {"a": None, "b": None}]


def test_an_interval_round_trips_and_matches_its_schema() -> None:
    interval = Interval(0.1, -0.05, 0.25)
    jsonschema.validate(interval.to_dict(), interval_schema("An effect."))
    assert Interval.from_dict(interval.to_dict()) == interval
    assert not interval.excludes(0) and interval.excludes(-0.1)
    assert not Interval(0.1).known and not Interval(0.1).excludes(0)
    assert not Interval(0.1, math.nan, 1.0).known


def test_a_kpi_knows_which_way_is_better() -> None:
    exits = KPI("exits", "Participants who leave", "people", compared=True, higher_is_better=False)
    assert exits.better(3, 5) and not exits.better(5, 3)
    assert exits.to_dict()["compared"] is True
