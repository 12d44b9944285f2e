"""Reports: documents built from the domain layer and its charts (the design brief, the stakeholder pack)."""

from workbench.reports.brief import brief_html, brief_markdown, write_brief

__all__ = ["PackResult", "brief_html", "brief_markdown", "write_brief", "write_pack"]


def __getattr__(name: str):
    # The pack pulls in every analysis (evaluation, what-if, matching): imported on first use only,
    # so ``workbench brief`` does not pay for it.
    if name in ("PackResult", "write_pack"):
        from workbench.reports import pack

        return getattr(pack, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
