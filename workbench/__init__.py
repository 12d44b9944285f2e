"""Mentoring program workbench: design, test and evaluate workplace mentoring programs.

Every number the app shows is one function call away::

    import workbench
    ws = workbench.open_workspace("workspaces/demo")
    people = ws.read_table("people")
"""

__version__ = "0.1.0"

from workbench.errors import WorkbenchError, WorkspaceError
from workbench.workspace import (
    Workspace,
    WorkspaceSettings,
    create_workspace,
    find_workspace,
    list_workspaces,
    open_workspace,
    workspaces_home,
)

__all__ = [
    "Workspace",
    "WorkspaceError",
    "WorkspaceSettings",
    "WorkbenchError",
    "__version__",
    "create_workspace",
    "find_workspace",
    "list_workspaces",
    "open_workspace",
    "workspaces_home",
]
