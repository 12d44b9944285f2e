"""Mentoring program workbench: design, test and evaluate workplace mentoring programs.

Every number the app shows is one function call away::

    import workbench
    ws = workbench.find_workspace("demo")
    people = ws.read_table("people")
    problems = workbench.validate_workspace(ws)
"""

__version__ = "0.1.0"

from workbench.data.contracts import TABLES, Problems, validate_table, validate_tables
from workbench.data.health import DataHealth, data_health
from workbench.data.importing import ImportResult, import_table, validate_workspace
from workbench.data.reading import DataFileError, Mapping, load_mapping, read_table_file
from workbench.data.sample import generate_organisation, write_tables
from workbench.errors import WorkbenchError, WorkspaceError
from workbench.exports import safe_csv_text, spreadsheet_safe
from workbench.workspace import (
    StaleWorkspaceError,
    Workspace,
    WorkspaceSettings,
    create_workspace,
    find_workspace,
    history,
    list_workspaces,
    open_workspace,
    save_table,
    undo,
    workspaces_home,
)

__all__ = [
    "TABLES",
    "DataFileError",
    "DataHealth",
    "ImportResult",
    "Mapping",
    "Problems",
    "StaleWorkspaceError",
    "Workspace",
    "WorkspaceError",
    "WorkspaceSettings",
    "WorkbenchError",
    "__version__",
    "create_workspace",
    "data_health",
    "find_workspace",
    "generate_organisation",
    "history",
    "import_table",
    "list_workspaces",
    "load_mapping",
    "open_workspace",
    "read_table_file",
    "safe_csv_text",
    "save_table",
    "spreadsheet_safe",
    "undo",
    "validate_table",
    "validate_tables",
    "validate_workspace",
    "workspaces_home",
    "write_tables",
]
