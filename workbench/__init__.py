"""Mentoring program workbench: design, test and evaluate workplace mentoring programs.

Every number the app shows is one function call away::

    import workbench
    ws = workbench.open("datasets/demo")    # InvalidDataError when a table fails its contract
    ws.tables["people"]                      # typed: numbers as numbers, dates as datetime64
    ws.match(), ws.simulate(), ws.compare(["design", "Weekly"]), ws.evaluate()
    problems = workbench.validate_workspace(ws.workspace)   # every problem, without raising

The names below are imported on first use (PEP 562), so that ``import
workbench`` (and the ``workbench`` command's ``--help``) loads no pandas.
"""

from workbench.lazy import lazy_namespace

__version__ = "0.1.0"

#: The module each public name comes from.
_EXPORTS = {
    "TABLES": "workbench.data.tables",
    "Problems": "workbench.data.problems",
    "date_warnings": "workbench.data.validation",
    "validate_table": "workbench.data.validation",
    "validate_tables": "workbench.data.validation",
    "DataHealth": "workbench.data.health",
    "data_health": "workbench.data.health",
    "ImportResult": "workbench.data.importing",
    "checked_tables": "workbench.data.importing",
    "checked_tables_and_warnings": "workbench.data.importing",
    "typed_tables": "workbench.data.importing",
    "import_table": "workbench.data.importing",
    "saved_mapping": "workbench.data.importing",
    "validate_workspace": "workbench.data.importing",
    "workspace_warnings": "workbench.data.importing",
    "DataFileError": "workbench.data.reading",
    "Mapping": "workbench.data.reading",
    "load_mapping": "workbench.data.reading",
    "read_table_file": "workbench.data.reading",
    "workbook_sheets": "workbench.data.reading",
    "Suggestion": "workbench.data.suggest",
    "mapping_yaml": "workbench.data.suggest",
    "suggest_mapping": "workbench.data.suggest",
    "generate_organisation": "workbench.data.sample",
    "write_tables": "workbench.data.sample",
    "ResearchWorkspace": "workbench.research",
    "open": "workbench.research",
    "InvalidDataError": "workbench.errors",
    "WorkbenchError": "workbench.errors",
    "WorkspaceError": "workbench.errors",
    "safe_csv_text": "workbench.exports",
    "KPI": "workbench.result",
    "Interval": "workbench.result",
    "Result": "workbench.result",
    "load_programs": "workbench.programs",
    "program_tables": "workbench.programs",
    "spreadsheet_safe": "workbench.exports",
    "StaleWorkspaceError": "workbench.workspace",
    "Workspace": "workbench.workspace",
    "WorkspaceSettings": "workbench.workspace",
    "create_workspace": "workbench.workspace",
    "find_workspace": "workbench.workspace",
    "artefact_of": "workbench.workspace",
    "history": "workbench.workspace",
    "list_workspaces": "workbench.workspace",
    "open_workspace": "workbench.workspace",
    "program_scope": "workbench.workspace",
    "save_table": "workbench.data.importing",
    "undo": "workbench.workspace",
    "workspaces_home": "workbench.workspace",
}

# ``open`` is left out: ``from workbench import *`` must not hide the built-in open (``workbench.open`` works).
__all__ = [
    "TABLES",
    "DataFileError",
    "DataHealth",
    "ImportResult",
    "Interval",
    "InvalidDataError",
    "KPI",
    "Mapping",
    "Problems",
    "ResearchWorkspace",
    "Result",
    "StaleWorkspaceError",
    "Suggestion",
    "Workspace",
    "WorkspaceError",
    "WorkspaceSettings",
    "WorkbenchError",
    "__version__",
    "checked_tables",
    "checked_tables_and_warnings",
    "create_workspace",
    "data_health",
    "date_warnings",
    "find_workspace",
    "generate_organisation",
    "artefact_of",
    "history",
    "import_table",
    "list_workspaces",
    "load_mapping",
    "load_programs",
    "mapping_yaml",
    "open_workspace",
    "program_scope",
    "program_tables",
    "read_table_file",
    "safe_csv_text",
    "save_table",
    "saved_mapping",
    "spreadsheet_safe",
    "suggest_mapping",
    "typed_tables",
    "undo",
    "validate_table",
    "validate_tables",
    "validate_workspace",
    "workbook_sheets",
    "workspace_warnings",
    "workspaces_home",
    "write_tables",
]


__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS, globals())
