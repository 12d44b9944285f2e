"""One way to run a widget callback: busy state, friendly errors, details in the log.

Voila swallows exceptions raised in widget callbacks, so a failing button would
simply do nothing. Every callback in the app goes through :func:`guarded`: the
triggering button is disabled while the work runs, a :class:`WorkbenchError`
shows its own message in the page, and any other exception shows a short
apology with a reference while the traceback goes to the server log.
"""

from __future__ import annotations

import functools
import html
import logging
import operator
import sys
import uuid
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from workbench.errors import InvalidDataError, WorkbenchError
from workbench.privacy import published_mode
from workbench.views.tables import problems_html

log = logging.getLogger("workbench.app")


def _log_to_server() -> None:
    # In a kernel, sys.stderr is forwarded to the page; the process's own stderr
    # is the terminal that runs the server, which is where details belong.
    if not log.handlers:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[workbench %(levelname)s %(asctime)s] %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


_log_to_server()

_STYLES = {
    "error": ("#fdecea", "#b3261e"),
    "warning": ("#fff4e5", "#8a5300"),
    "success": ("#e8f5e9", "#1b5e20"),
    "info": ("#e8f0fe", "#174ea6"),
}


class Notice(w.HTML):
    """A message box in the page (error, warning, success or info); empty when hidden."""

    def show(self, message: str, kind: str = "info") -> None:
        """Show ``message`` (plain text, escaped) styled as ``kind``."""
        background, colour = _STYLES[kind]
        self.value = (
            f'<div class="wb-notice wb-notice-{kind}" role="{"alert" if kind == "error" else "status"}" '
            f'style="background:{background};color:{colour};padding:8px 12px;border-radius:4px;'
            f'white-space:pre-wrap">{html.escape(message)}</div>'
        )

    def show_problems(self, error: InvalidDataError, start_link: str | None = None) -> None:
        """Show the problems that stopped a computation (:func:`workbench.data.importing.checked_tables`):
        how many and where, the table of them, and how to fix them (``start_link``: the Start page's address)."""
        frame = error.problems.frame
        count = f"{len(frame):,} problem{'s' if len(frame) != 1 else ''}"
        self.show(f"The workspace's data has {count} in {', '.join(sorted(set(frame['file'])))}: nothing is "
                  "computed on a table that fails its checks.", "error")
        if published_mode():
            fix = "The workspace's owner can correct the file and import it again."
        else:
            start = (f"<a href='{html.escape(start_link)}'>the Start page</a>" if start_link else "the Start page")
            fix = (f"To fix: correct the file (or the HR export it came from) and import it again on {start}, which "
                   "lists every problem; a mapping file can rename columns and translate values.")
        self.value += problems_html(frame, published=published_mode()) + f"<p class='wb-fix'>{fix}</p>"

    def clear(self) -> None:
        """Hide the message."""
        self.value = ""


def guarded(action: str, *, notice: str = "notice", button: str | None = None) -> Callable:
    """Decorate a view method used as a widget callback.

    ``action`` says in plain words what the callback does ("create the
    workspace"); it is used in the message when something unexpected fails.
    ``notice`` and ``button`` name attributes of the view (dotted for a part of
    it: ``"explorer.notice"``): the :class:`Notice` that shows messages and the
    button to disable while the work runs.
    The wrapped method returns ``None`` when it failed.
    """

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            box: Notice = operator.attrgetter(notice)(self)
            trigger: w.Button | None = operator.attrgetter(button)(self) if button else None
            if trigger is not None:
                trigger.disabled = True
            box.clear()
            try:
                return method(self, *args, **kwargs)
            except InvalidDataError as exc:
                log.info("%s: %s", action, exc)
                box.show_problems(exc)
            except WorkbenchError as exc:
                log.info("%s: %s", action, exc)
                box.show(str(exc), "error")
            except Exception:
                reference = uuid.uuid4().hex[:8]
                log.exception("Could not %s (reference %s)", action, reference)
                box.show(
                    f"Sorry, the workbench could not {action}. The details were written to the server log "
                    f"(reference {reference}).",
                    "error",
                )
            finally:
                if trigger is not None:
                    trigger.disabled = False
            return None

        return run

    return decorate


class SaveOver(w.Button):
    """Offered when a save was refused because the same thing was saved elsewhere meanwhile (another tab, a
    notebook): saves this page's version over that one. Hidden until :meth:`offer`; shows in ``notice``."""

    def __init__(self, notice: Notice) -> None:
        super().__init__(description="Save mine over it", icon="save", button_style="warning",
                         tooltip="Replace the version saved elsewhere with this page's",
                         layout=w.Layout(display="none", width="auto"))
        self.notice = notice
        self._save: Callable[[], None] | None = None
        self.on_click(self._on_click)

    def offer(self, refused: WorkbenchError, save: Callable[[], None]) -> WorkbenchError:
        """Show the button, to run ``save()`` (a save from the latest copy, saying what it did) when pressed;
        returns the error to raise, the refusal's message with what the page still holds and can do."""
        self._save = save
        self.layout.display = None
        return WorkbenchError(f"{refused} This page's version is still here: press '{self.description}' to save it "
                              "over the other one, or reload the page to see that one first.")

    def withdraw(self) -> None:
        """Hide the offer (the page's version changed or was saved)."""
        self._save = None
        self.layout.display = "none"

    @guarded("save over the other version")
    def _on_click(self, _button: w.Button) -> None:
        save = self._save
        self.withdraw()
        if save is not None:
            save()
