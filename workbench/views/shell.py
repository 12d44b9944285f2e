"""What every page shares: the AXLES navigation header and the page's workspace.

Voila runs each page in its own kernel, so a page learns which workspace to
show from its address (``?workspace=<folder>``) and every navigation link
carries that choice on to the next page. In the published app the header
says that the page is a read-only view.
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

import ipywidgets as w
import traitlets

from workbench.data.importing import noted_warnings, noting_warnings
from workbench.data.problems import Problems, warning_lines, warning_summary
from workbench.errors import InvalidDataError, WorkbenchError
from workbench.privacy import published_mode
from workbench.programs import program_ids
from workbench.views.feedback import Notice, log
from workbench.workspace import Workspace, find_workspace, program_scope


@dataclass(frozen=True)
class Step:
    """One step of the AXLES model (Labin, *Mentoring Programs That Work*, ATD Press, 2017)."""

    key: str
    letter: str
    title: str
    summary: str


STEPS = (
    Step("align", "A", "Align",
         "Tie the program to a measurable business purpose: the talent problem, who it serves, "
         "the objectives and how success will be measured."),
    Step("experience", "X", "eXperience",
         "Design what mentees and mentors go through: structure, length, matching, meetings and training."),
    Step("launch", "L", "Launch",
         "Plan the roll-out: pilot or full launch, communications, orientation and releasing the matches."),
    Step("evaluate", "E", "Evaluate",
         "Decide how effectiveness is measured, and check a running program against a fair comparison group."),
    Step("support", "S", "Support",
         "Keep relationships healthy: check-ins, re-matching, mentor recognition and learning for the next cohort."),
)


@dataclass(frozen=True)
class Page:
    """A published page of the app: its notebook (without ``.ipynb``), title and the AXLES steps it serves."""

    notebook: str
    title: str
    steps: tuple[str, ...] = ()


#: The line every page shows in the published app.
PUBLISHED_NOTE = ("A read-only published view: explore freely, nothing you change here is saved, and people are "
                  "shown under pseudonyms.")

# Only pages that exist are listed; a test checks this list against notebooks/.
PAGES = (
    Page("00_start", "Start"),
    Page("01_align", "Align", ("align",)),
    Page("02_experience", "eXperience", ("experience",)),
    Page("03_skill_gaps", "Skill gaps", ("align",)),
    Page("04_matching", "Matching", ("experience",)),
    Page("05_what_if", "What-if", ("experience", "evaluate")),
    Page("06_launch_and_support", "Launch & Support", ("launch", "evaluate", "support")),
    Page("07_evaluate", "Evaluate", ("evaluate",)),
)


def page(notebook: str) -> Page:
    """The registered page for ``notebook`` (e.g. ``"00_start"``)."""
    for candidate in PAGES:
        if candidate.notebook == notebook:
            return candidate
    raise KeyError(f"{notebook!r} is not a page of the app")


def page_link(notebook: str, workspace_slug: str, program: str | None = None) -> str:
    """Relative link from one page to another, carrying the workspace and the program (none: the first)."""
    query = {"workspace": workspace_slug, **({"program": program} if program else {})}
    return f"{notebook}.ipynb?{urlencode(query)}"


def workspace_link(notebook: str, workspace: Workspace) -> str:
    """:func:`page_link` to ``notebook`` for ``workspace`` and the program it is scoped to."""
    return page_link(notebook, workspace.slug, workspace.program)


_REQUEST_SEEN = threading.Event()


def _query() -> dict[str, list[str]]:
    """The page address's query, parsed. Under Voila with kernels started ahead of time, the first call waits for
    the browser's request; Voila then puts it in the environment, and asking it again would wait forever."""
    from voila.utils import ENV_VARIABLE, wait_for_request

    if not _REQUEST_SEEN.is_set():
        wait_for_request()
        _REQUEST_SEEN.set()
    return parse_qs(os.getenv(ENV_VARIABLE.QUERY_STRING) or "")


def requested_workspace() -> str | None:
    """The ``workspace`` named in the page's address, if any.

    Under Voila this waits for the browser's request (needed when kernels are
    started ahead of time); elsewhere it falls back to ``$WORKBENCH_WORKSPACE``.
    The published app shows only the workspace it was started with, whatever
    the address says (its home may hold other clients' workspaces).
    """
    named = _query().get("workspace", [None])[0]
    if published_mode():
        return os.environ.get("WORKBENCH_WORKSPACE") or None
    return named or os.environ.get("WORKBENCH_WORKSPACE") or None


def requested_program() -> str | None:
    """The ``program`` named in the page's address (a program id of the workspace), if any."""
    return _query().get("program", [None])[0] or None


class PageContext(traitlets.HasTraits):
    """The state a page shares with its header: which page, which workspace."""

    notebook = traitlets.Unicode()
    workspace = traitlets.Instance(Workspace)
    #: Values in the tables the page read that meet their contracts but are unlikely to be true (the header shows them).
    warnings = traitlets.Instance(Problems, allow_none=True)

    @classmethod
    def from_request(cls, notebook: str) -> tuple["PageContext", str | None]:
        """Open the workspace the address names; fall back to the demo with a message when it cannot."""
        page(notebook)
        named = requested_workspace()
        try:
            workspace = find_workspace(named)
        except WorkbenchError as exc:
            fallback = find_workspace(None)
            return cls(notebook=notebook, workspace=fallback), f"{exc} Showing the {fallback.name} workspace instead."
        program = requested_program()
        if program is not None and program not in program_ids(workspace):
            return cls(notebook=notebook, workspace=workspace), (
                f"The workspace {workspace.name!r} has no program {program!r}: showing its first program.")
        return cls(notebook=notebook, workspace=program_scope(workspace, program)), None


class PageHeader(w.VBox):
    """The header on every page: the app's navigation and the open workspace."""

    def __init__(self, context: PageContext, message: str | None = None) -> None:
        self.context = context
        self.nav = w.HTML()
        self.notice = Notice()
        # the pages' own text about saving (marked wb-edit-only in the notebooks) is hidden when nothing saves
        self.published = w.HTML(f"<style>.wb-edit-only {{ display: none; }}</style>"
                                f"<p class='wb-published' role='note' style='background:#e8f0fe;color:#174ea6;"
                                f"padding:6px 12px;border-radius:4px'>{html.escape(PUBLISHED_NOTE)}</p>"
                                if published_mode() else "")
        self.warnings = Notice()
        super().__init__([self.nav, self.published, self.notice, self.warnings])
        self.add_class("wb-header")
        context.observe(self._render, names="workspace")
        context.observe(self._show_warnings, names="warnings")
        self._render()
        if message:
            self.notice.show(message, "warning")

    def _render(self, _change: object = None) -> None:
        workspace = self.context.workspace
        links = []
        for entry in PAGES:
            current = ' aria-current="page"' if entry.notebook == self.context.notebook else ""
            links.append(f'<a href="{html.escape(workspace_link(entry.notebook, workspace))}"{current}>'
                         f"{html.escape(entry.title)}</a>")
        self.nav.value = (
            '<nav class="wb-nav" aria-label="Workbench pages"><span class="wb-brand">Mentoring program workbench</span>'
            + "".join(links)
            + f'<span class="wb-ws">Workspace: <b>{html.escape(workspace.name)}</b></span></nav>'
            + self._programs(workspace)
        )

    def _show_warnings(self, _change: object = None) -> None:
        """The warnings of the data the page read, once for the page, in an amber notice above its results (in
        the published app counted per file, column and problem: a listed warning shows a person's value)."""
        warnings = self.context.warnings
        if warnings is None or warnings.ok:
            self.warnings.clear()
            return
        if published_mode():
            lines = [f"{row.file}, column {row.column}: {row.values:,} value{'s are' if row.values != 1 else ' is'} "
                     f"{row.problem}" for row in warning_summary(warnings).itertuples(index=False)]
            fix = "the workspace's owner can correct them"
        else:
            lines = warning_lines(warnings)
            fix = "if they are slips, correct the file and import it again on the Start page"
        self.warnings.show(f"Values to check in the data (they do not stop the figures below; {fix}):\n"
                           + "\n".join(lines), "warning")

    def _programs(self, workspace: Workspace) -> str:
        """The program selector: one link per program of the workspace, when it has more than one."""
        ids = program_ids(workspace)
        if len(ids) < 2:
            return ""
        links = []
        for p in ids:
            href = html.escape(page_link(self.context.notebook, workspace.slug, p if p != ids[0] else None))
            name = f"<b>{html.escape(p)}</b>" if p == workspace.program_id else html.escape(p)
            current = ' aria-current="true"' if p == workspace.program_id else ""
            links.append(f'<a href="{href}"{current}>{name}</a>')
        return ("<nav class='wb-programs' aria-label='Programs'>Program: " + " · ".join(links)
                + f" <span class='wb-muted'>(this page shows {'' if published_mode() else 'and saves '}the chosen "
                  "program; they share the people and the mentors' places)</span></nav>")


def show_page(view: Callable[..., w.Widget], context: PageContext, *args: object, **kwargs: object) -> w.Widget:
    """The page's view, or, when the workspace's data or design cannot support it, a message saying why
    (data that fails its contracts: the problems and how to fix them). The warnings of the tables the view
    read join the page's (``context.warnings``, shown once in its header)."""
    try:
        with noting_warnings():
            shown = view(context, *args, **kwargs)
            _add_warnings(context, noted_warnings())
        return shown
    except InvalidDataError as exc:
        log.info("%s: %s", context.notebook, exc)
        notice = Notice()
        notice.show_problems(exc, workspace_link("00_start", context.workspace))
        return notice
    except WorkbenchError as exc:
        log.info("%s: %s", context.notebook, exc)
        notice = Notice()
        notice.show(str(exc), "error")
        return notice


def _add_warnings(context: PageContext, warnings: Problems) -> None:
    """Add ``warnings`` to the page's (each once)."""
    joined = Problems.concat([context.warnings or Problems(), warnings])
    context.warnings = Problems(joined.frame.drop_duplicates())


def open_page(notebook: str) -> tuple[PageContext, PageHeader]:
    """Start a page: read its workspace from the address and build its header."""
    context, message = PageContext.from_request(notebook)
    return context, PageHeader(context, message)
