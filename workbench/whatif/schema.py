"""The JSON a simulation is written as (``SimulationResult.to_json()``, ``workbench simulate --out``), as JSON Schema.

:data:`RESULT_SCHEMA` (JSON Schema 2020-12) is the contract; the README's
What-if section describes it in words. Shares are 0-1, money is in the
design's currency, intervals are 95% confidence intervals of the mean over
runs (``low``/``high``) and the spread of single runs (``p05``/``p95``).
"""

from __future__ import annotations

from workbench.data.problems import WARNINGS_JSON_SCHEMA
from workbench.simulate import KPIS, PARAMETERS
from workbench.simulate.result import JSON_SCHEMA_VERSION

_NUMBER = {"type": "number"}
_MAYBE_NUMBER = {"type": ["number", "null"]}
_STATS = {"mean", "low", "high", "p05", "p95"}


def _stats(extra: dict | None = None) -> dict:
    properties = {name: _NUMBER for name in sorted(_STATS)} | (extra or {})
    return {"type": "object", "required": sorted(properties), "properties": properties,
            "additionalProperties": False}


def _kpi(with_comparison: bool) -> dict:
    side = _stats() if with_comparison else {"type": "null"}
    difference = _stats({"p_positive": {"type": "number", "minimum": 0, "maximum": 1}}) if with_comparison \
        else {"type": "null"}
    return {
        "type": "object",
        "required": ["label", "unit", "higher_is_better", "participants", "comparison", "difference"],
        "properties": {"label": {"type": "string"}, "unit": {"type": "string"},
                       "higher_is_better": {"type": "boolean"}, "participants": _stats(), "comparison": side,
                       "difference": difference},
        "additionalProperties": False,
    }


_GROUP_ROW = {
    "type": "object",
    "required": ["participants", "retention", "comparison", "difference", "low", "high"],
    "properties": {"participants": {"type": ["integer", "null"], "minimum": 5},
                   "retention": _MAYBE_NUMBER, "comparison": _MAYBE_NUMBER, "difference": _MAYBE_NUMBER,
                   "low": _MAYBE_NUMBER, "high": _MAYBE_NUMBER},
    "additionalProperties": {"type": "string"},  # the group's own column (department, level, location)
    "minProperties": 7, "maxProperties": 7,
}

#: JSON Schema of one simulated scenario.
RESULT_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Simulated mentoring program scenario",
    "type": "object",
    "required": ["schema_version", "scenario", "seed", "runs", "horizon_months", "parameters", "settings", "cohort",
                 "kpis", "retention_by_group", "survival"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": JSON_SCHEMA_VERSION, "description": "bumped when the shape changes"},
        "scenario": {"type": "string", "description": "the scenario's name; 'design' is the design itself"},
        "seed": {
            "type": "object", "required": ["entropy", "spawn_key"], "additionalProperties": False,
            "description": "numpy SeedSequence(entropy, spawn_key=...): with the inputs, reproduces every figure",
            "properties": {"entropy": {"type": "integer", "minimum": 0},
                           "spawn_key": {"type": "array", "items": {"type": "integer", "minimum": 0}}},
        },
        "runs": {"type": "integer", "minimum": 2},
        "horizon_months": {"type": "integer", "minimum": 1, "maximum": 60},
        "parameters": {
            "type": "object", "description": "every outcome-model parameter used (defaults and overrides)",
            "required": sorted(PARAMETERS), "additionalProperties": False,
            "properties": {name: _NUMBER for name in sorted(PARAMETERS)},
        },
        "settings": {
            "type": "object", "description": "every design setting the simulation used (structure, duration, "
                                             "cadence, meeting length, training, re-matching, matching method; "
                                             "from what-if also capacity, weights, budget and the overrides)",
            "required": ["structure", "duration_months", "cadence", "meeting_minutes", "rematching",
                         "mentor_training_hours", "mentee_training_hours", "matching_method"],
        },
        "cohort": {
            "type": "object", "required": ["participants", "mentors", "unmatched_mentees", "group_size"],
            "properties": {"participants": {"type": "integer", "minimum": 1},
                           "mentors": {"type": "integer", "minimum": 0},
                           "unmatched_mentees": {"type": "integer", "minimum": 0}, "group_size": _NUMBER},
        },
        "kpis": {
            "type": "object", "required": sorted(KPIS), "additionalProperties": False,
            "properties": {name: _kpi(spec[2]) for name, spec in KPIS.items()},
        },
        "retention_by_group": {
            "type": "object", "description": "retention per group; groups under five participants blanked",
            "additionalProperties": {"type": "array", "items": _GROUP_ROW},
        },
        "survival": {
            "type": "array", "description": "share still employed at the end of each month",
            "items": {"type": "object", "required": ["month", "participants", "comparison"],
                      "additionalProperties": False,
                      "properties": {"month": {"type": "integer", "minimum": 1},
                                     "participants": {"type": "number", "minimum": 0, "maximum": 1},
                                     "comparison": {"type": "number", "minimum": 0, "maximum": 1}}},
        },
        "budget": {
            "type": "object", "description": "written by `workbench simulate` when the design sets a budget",
            "required": ["budget", "currency", "expected_cost", "p_within"], "additionalProperties": False,
            "properties": {"budget": _NUMBER, "currency": {"type": "string"}, "expected_cost": _NUMBER,
                           "p_within": {"type": "number", "minimum": 0, "maximum": 1}},
        },
        "warnings": {**WARNINGS_JSON_SCHEMA, "description": "written by `workbench simulate`: "
                                                           + WARNINGS_JSON_SCHEMA["description"]},
    },
}


def schema_problems(document: dict) -> list[str]:
    """Where ``document`` departs from :data:`RESULT_SCHEMA` (empty when it conforms); needs ``jsonschema``."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(RESULT_SCHEMA)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]
