"""Views: ipywidgets classes that bind widgets to the domain layer and show charts.

The names below are imported on first use (PEP 562): a page's kernel that runs
``from workbench.views import StartView, open_page, show_page`` imports the
start and shell modules and what they need, not every page's view.
"""

from workbench.lazy import lazy_namespace

#: The module each public name comes from.
_EXPORTS = {
    "DataPanel": "workbench.views.data",
    "DesignPage": "workbench.views.design",
    "DesignSession": "workbench.sessions.design",
    "EvaluateView": "workbench.views.evaluate",
    "Notice": "workbench.views.feedback",
    "guarded": "workbench.views.feedback",
    "GapsView": "workbench.views.gaps",
    "MatchingView": "workbench.views.matching",
    "PAGES": "workbench.views.shell",
    "STEPS": "workbench.views.shell",
    "PageContext": "workbench.views.shell",
    "PageHeader": "workbench.views.shell",
    "open_page": "workbench.views.shell",
    "show_page": "workbench.views.shell",
    "SelectionView": "workbench.views.selection",
    "PilotView": "workbench.views.pilot",
    "StartView": "workbench.views.start",
    "TableEditor": "workbench.views.editor",
    "WhatIfView": "workbench.views.whatif",
}

__all__ = ["PAGES", "STEPS", "DataPanel", "DesignPage", "DesignSession", "EvaluateView", "GapsView", "MatchingView", "Notice", "PageContext", "PageHeader", "PilotView", "SelectionView", "StartView", "TableEditor", "WhatIfView", "guarded", "open_page", "show_page"]


__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS, globals())
