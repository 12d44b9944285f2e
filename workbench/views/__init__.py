"""Views: ipywidgets classes that bind widgets to the domain layer and show charts."""

from workbench.views.data import DataPanel
from workbench.views.design import DesignPage, DesignSession
from workbench.views.evaluate import EvaluateView
from workbench.views.feedback import Notice, guarded
from workbench.views.gaps import GapsView
from workbench.views.matching import MatchingView
from workbench.views.shell import PAGES, STEPS, PageContext, PageHeader, open_page, show_page
from workbench.views.start import StartView
from workbench.views.whatif import WhatIfView

__all__ = ["PAGES", "STEPS", "DataPanel", "DesignPage", "DesignSession", "EvaluateView", "GapsView", "MatchingView", "Notice", "PageContext", "PageHeader", "StartView", "WhatIfView", "guarded", "open_page", "show_page"]
