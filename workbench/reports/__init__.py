"""Reports: documents built from the domain layer and its charts (the design brief, the stakeholder pack).

The names below are imported on first use (PEP 562): the pack pulls in every analysis (evaluation,
what-if, matching), which ``workbench brief`` need not pay for.
"""

from workbench.lazy import lazy_namespace

#: The module each public name comes from.
_EXPORTS = {
    "brief_html": "workbench.reports.brief",
    "brief_markdown": "workbench.reports.brief",
    "write_brief": "workbench.reports.brief",
    "PackResult": "workbench.reports.pack",
    "write_pack": "workbench.reports.pack",
}

__all__ = ["PackResult", "brief_html", "brief_markdown", "write_brief", "write_pack"]

__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS, globals())
