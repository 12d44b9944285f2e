"""The parts every page is built from: captions, muted text, tiles, rows, a progress panel, background jobs.

Text helpers return HTML with the text escaped (people's words may appear in
them); :func:`row` lays widgets side by side, wrapping on a narrow screen;
:class:`JobPanel` shows how far a calculation is, with an optional Cancel;
:class:`Job` runs a page's calculation in a background thread so the page
stays live, one at a time, and draws its results back on the kernel's event
loop (widgets that draw charts and tables are not updated from another thread).
"""

from __future__ import annotations

import asyncio
import html
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from workbench.errors import WorkbenchError
from workbench.views.feedback import guarded

__all__ = ["Job", "JobPanel", "Stage", "caption", "muted", "muted_inline", "row", "tile", "tiles"]


def caption(text: str) -> str:
    """A chart's or a table's caption: what it shows and how to read it."""
    return f"<p class='wb-caption'>{html.escape(text)}</p>"


def muted(text: str) -> str:
    """A paragraph of secondary text (a placeholder, a note under a section)."""
    return f"<p class='wb-muted'>{html.escape(text)}</p>"


def muted_inline(text: str) -> str:
    """Secondary text within a line (beside a label or a button)."""
    return f"<span class='wb-muted'>{html.escape(text)}</span>"


def tile(value: str, label: str, note: str = "", *, bad: bool = False) -> str:
    """A headline figure: ``value`` large over ``label``; ``note`` on hover; ``bad`` marks a figure that is wrong."""
    title = f" title='{html.escape(note)}'" if note else ""
    kind = "wb-tile wb-bad" if bad else "wb-tile"
    return f"<div class='{kind}'{title}><b>{html.escape(value)}</b><span>{html.escape(label)}</span></div>"


def tiles(items: Sequence[str]) -> str:
    """Tiles (:func:`tile`) side by side."""
    return f"<div class='wb-tiles'>{''.join(items)}</div>"


def row(*children: w.Widget) -> w.HBox:
    """Widgets side by side, vertically centred, wrapping onto a new line when the page is narrow."""
    box = w.HBox(list(children), layout=w.Layout(flex_flow="row wrap", align_items="center"))
    box.add_class("wb-row")
    return box


# ---------------------------------------------------------------------------------------------
# Progress and background work


class JobPanel(w.HBox):
    """A progress bar with a line of text (and a Cancel button when ``cancel`` is a tooltip), shown while a
    calculation runs; :meth:`update` and :meth:`tick` are safe to call from the worker thread.

    ``ahead``: the progress messages name the step about to run (else the step just finished).
    """

    def __init__(self, cancel: str | None = None, *, ahead: bool = False, width: str = "300px") -> None:
        self.ahead = ahead
        self.bar = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width=width))
        self.text = w.HTML()
        self.cancel_button = (w.Button(description="Cancel", icon="stop", button_style="warning", tooltip=cancel)
                              if cancel else None)
        super().__init__([self.bar, self.text, *([self.cancel_button] if self.cancel_button else [])],
                         layout=w.Layout(align_items="center"))
        self.add_class("wb-row")
        self.add_class("wb-progress")
        self.layout.display = "none"
        self._message, self._started, self._cancelling = "", time.monotonic(), False

    def start(self, message: str) -> None:
        """Show the panel with ``message``, the bar empty and the clock at zero."""
        self.bar.max, self.bar.value, self.bar.bar_style = 1, 0, "info"
        self._message, self._started, self._cancelling = message, time.monotonic(), False
        if self.cancel_button is not None:
            self.cancel_button.disabled = False
        self._show_text()
        self.layout.display = None

    def update(self, done: int, total: int, message: str) -> None:
        """``done`` of ``total`` steps finished; ``message`` names the step under way (``ahead``) or the last one."""
        self.bar.max = max(1, int(total))
        self.bar.value = min(int(done), self.bar.max)
        if self._cancelling:
            pass
        elif not self.ahead:
            self._message = f"{done:,} of {total:,} steps done (last: {message})"
        elif done < total:
            self._message = f"Working: {message} ({min(done + 1, total):,} of {total:,})"
        else:
            self._message = "Finishing ..."
        self._show_text()

    def tick(self) -> None:
        """Show the time so far (called every second or so while the work runs)."""
        if self.layout.display != "none":
            self._show_text()

    def _show_text(self) -> None:
        self.text.value = html.escape(f"{self._message} · {time.monotonic() - self._started:.0f} s")

    def cancelling(self) -> None:
        """Say that the calculation stops after the step under way."""
        if self.cancel_button is not None:
            self.cancel_button.disabled = True
        self._cancelling = True
        self._message = "Cancelling: finishing the step that is running ..."
        self._show_text()

    def stop(self) -> None:
        """Hide the panel."""
        self.layout.display = "none"


@dataclass(frozen=True)
class Stage:
    """One part of a job: ``work(progress, cancel, previous)`` computes (in the worker thread; ``previous`` is the
    last stage's outcome, ``None`` for the first), then ``done(outcome, seconds)`` shows it on the event loop.
    ``action`` says in plain words what it does and ``notice`` names the view's Notice for its errors
    (:func:`~workbench.views.feedback.guarded`)."""

    action: str
    work: Callable[[Callable[[int, int, str], None], threading.Event, Any], Any]
    done: Callable[[Any, float], None]
    notice: str = "notice"


class Job:
    """A page's background calculations, one at a time.

    ``owner`` is the view whose Notices show errors; ``buttons`` are disabled while a job runs;
    ``on_idle`` is called when a job ends, however it ends. With ``background=False`` (tests,
    notebooks that want the answer at once) everything runs in the calling thread.
    """

    def __init__(self, owner: object, *, background: bool = True, buttons: Sequence[w.Widget] = (),
                 on_idle: Callable[[], None] | None = None) -> None:
        self.owner, self.background, self.buttons, self.on_idle = owner, background, list(buttons), on_idle
        self.busy = False
        self.thread: threading.Thread | None = None
        self._cancel: threading.Event | None = None
        self._panel: JobPanel | None = None

    def run(self, panel: JobPanel, message: str, *stages: Stage, owner: object | None = None) -> None:
        """Run ``stages`` one after the other, showing progress in ``panel``; a stage that fails (in its work or
        its display) shows its error in its Notice (an attribute of ``owner``, by default the Job's owner: a
        section of a page names its own) and ends the job."""
        if self.busy:
            raise WorkbenchError("Another calculation is still running: wait for it to finish, or cancel it.")
        self.busy = True
        cancel = self._cancel = threading.Event()
        self._panel = panel
        for button in self.buttons:
            button.disabled = True
        panel.start(message)
        started = time.monotonic()
        loop = _running_loop() if self.background else None
        owner = self.owner if owner is None else owner

        def idle() -> None:
            panel.stop()
            self.busy = False
            for button in self.buttons:
                button.disabled = False
            if self.on_idle is not None:
                self.on_idle()

        def post(function: Callable, *args: object) -> None:
            if loop is None:
                function(owner, *args)
            else:
                loop.call_soon_threadsafe(function, owner, *args)

        def shown(stage: Stage, last: bool) -> Callable:
            def show(_owner: object, outcome: object) -> None:
                try:
                    stage.done(outcome, time.monotonic() - started)
                finally:
                    if last:
                        idle()
            return guarded(stage.action, notice=stage.notice)(show)

        def fail(_owner: object, error: BaseException) -> None:
            try:
                raise error
            finally:
                idle()

        def compute() -> None:
            outcome = None
            for index, stage in enumerate(stages):
                try:
                    outcome = stage.work(panel.update, cancel, outcome)
                except BaseException as exc:  # shown on the event loop, with the traceback in the log
                    post(guarded(stage.action, notice=stage.notice)(fail), exc)
                    return
                post(shown(stage, index == len(stages) - 1), outcome)

        if not self.background:
            compute()
            return
        self.thread = thread = threading.Thread(target=compute, name=f"workbench: {stages[0].action}", daemon=True)
        thread.start()

        def clock() -> None:  # the time so far, so a long step does not look stuck
            while thread.is_alive():
                thread.join(1.0)
                panel.tick()

        threading.Thread(target=clock, name=f"workbench: {stages[0].action}: clock", daemon=True).start()

    def cancel(self) -> None:
        """Ask the running job to stop after the step under way (its work sees ``cancel.is_set()``)."""
        if self._cancel is not None and self.busy:
            self._cancel.set()
            if self._panel is not None:
                self._panel.cancelling()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the job running in the background (for notebooks and tests)."""
        if self.thread is not None:
            self.thread.join(timeout)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the kernel (the thread that handles widget messages), if this thread runs one."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
