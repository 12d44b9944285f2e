"""Reports: documents built from the domain layer and its charts (the design brief)."""

from workbench.reports.brief import brief_html, brief_markdown, write_brief

__all__ = ["brief_html", "brief_markdown", "write_brief"]
