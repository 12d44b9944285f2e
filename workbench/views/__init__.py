"""Views: ipywidgets classes that bind widgets to the domain layer and show charts.

The names below are imported on first use (PEP 562): a page's kernel that runs
``from workbench.views import StartView, open_page, show_page`` imports the
start and shell modules and what they need, not every page's view.
"""

from importlib import import_module as _import_module
from importlib.util import find_spec as _find_spec

#: The module each public name comes from.
_EXPORTS = {
    "DataPanel": "workbench.views.data",
    "DesignPage": "workbench.views.design",
    "DesignSession": "workbench.views.design",
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
    "StartView": "workbench.views.start",
    "WhatIfView": "workbench.views.whatif",
}

__all__ = ["PAGES", "STEPS", "DataPanel", "DesignPage", "DesignSession", "EvaluateView", "GapsView", "MatchingView", "Notice", "PageContext", "PageHeader", "StartView", "WhatIfView", "guarded", "open_page", "show_page"]


def __getattr__(name: str):
    """A public name (imported from its module on first use) or a view module (``workbench.views.shell``)."""
    if name in _EXPORTS:
        value = getattr(_import_module(_EXPORTS[name]), name)
    elif name.isidentifier() and not name.startswith("_") and _find_spec(f"{__name__}.{name}") is not None:
        value = _import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
