"""An organisation's HR tables: the contracts they meet (:mod:`.tables`), the problems found in them
(:mod:`.problems`), validating and typing them (:mod:`.validation`), reading their cells (:mod:`.columns`),
reading real exports (:mod:`.reading`) and importing them into a workspace (:mod:`.importing`).

The names below are imported on first use (PEP 562).
"""

from workbench.lazy import lazy_namespace

#: The module each public name comes from.
_EXPORTS = {
    "DEFAULT_SCALE": "workbench.data.tables",
    "LIST_SEPARATOR": "workbench.data.tables",
    "REFERENCES": "workbench.data.tables",
    "ROLES": "workbench.data.tables",
    "ROW_INDEX_NAME": "workbench.data.tables",
    "TABLES": "workbench.data.tables",
    "WAVES": "workbench.data.tables",
    "ColumnSpec": "workbench.data.tables",
    "KeySpec": "workbench.data.tables",
    "Reference": "workbench.data.tables",
    "TableSpec": "workbench.data.tables",
    "PROBLEM_COLUMNS": "workbench.data.problems",
    "WARNINGS_JSON_SCHEMA": "workbench.data.problems",
    "Problems": "workbench.data.problems",
    "warning_lines": "workbench.data.problems",
    "warning_summary": "workbench.data.problems",
    "date_column": "workbench.data.columns",
    "number_column": "workbench.data.columns",
    "split_list": "workbench.data.columns",
    "text_column": "workbench.data.columns",
    "typed_table": "workbench.data.columns",
    "coerce_table": "workbench.data.validation",
    "date_warnings": "workbench.data.validation",
    "program_problems": "workbench.data.validation",
    "table_schema": "workbench.data.validation",
    "validate_against": "workbench.data.validation",
    "validate_table": "workbench.data.validation",
    "validate_tables": "workbench.data.validation",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS, globals())
