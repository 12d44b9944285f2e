"""The shared page parts: escaped text helpers, the progress panel and the background job."""

import threading

import ipywidgets as w
import pytest

from workbench.errors import WorkbenchError
from workbench.views.feedback import Notice
from workbench.views.parts import Job, JobPanel, Stage, caption, muted, muted_inline, row, tile, tiles


def test_text_parts_escape_people_s_words() -> None:
    assert caption("<b>Ann</b>") == "<p class='wb-caption'>&lt;b&gt;Ann&lt;/b&gt;</p>"
    assert muted("a & b") == "<p class='wb-muted'>a &amp; b</p>"
    assert muted_inline("x") == "<span class='wb-muted'>x</span>"
    assert tile("90%", "matched", "of <mentees>", bad=True) == (
        "<div class='wb-tile wb-bad' title='of &lt;mentees&gt;'><b>90%</b><span>matched</span></div>")
    assert tiles(["a", "b"]) == "<div class='wb-tiles'>ab</div>"
    box = row(w.Button(), w.HTML())
    assert "wb-row" in box._dom_classes and box.layout.flex_flow == "row wrap"


def test_the_panel_says_how_far_the_work_is() -> None:
    panel = JobPanel("Stop after this step")
    assert panel.layout.display == "none"
    panel.start("Simulating ...")
    assert panel.layout.display is None and "Simulating" in panel.text.value
    panel.update(2, 5, "scenario B")
    assert (panel.bar.value, panel.bar.max) == (2, 5) and "2 of 5 steps done (last: scenario B)" in panel.text.value
    panel.cancelling()
    panel.update(3, 5, "scenario C")
    assert panel.cancel_button.disabled and "Cancelling" in panel.text.value
    ahead = JobPanel(ahead=True)
    assert ahead.cancel_button is None
    ahead.start("Working ...")
    ahead.update(0, 3, "the survival curves")
    assert "Working: the survival curves (1 of 3)" in ahead.text.value
    ahead.update(3, 3, "done")
    assert "Finishing" in ahead.text.value


class Page:
    def __init__(self, background: bool) -> None:
        self.notice, self.other_notice = Notice(), Notice()
        self.button = w.Button()
        self.panel = JobPanel("Stop")
        self.shown: list = []
        self.idled = 0
        self.job = Job(self, background=background, buttons=[self.button], on_idle=self._idle)

    def _idle(self) -> None:
        self.idled += 1


def test_stages_run_in_order_and_show_on_the_calling_thread_without_background() -> None:
    page = Page(background=False)
    threads = []

    def first(progress, cancel, previous):
        progress(1, 2, "first")
        assert previous is None and not cancel.is_set()
        return 20

    def show(outcome, seconds):
        threads.append(threading.current_thread())
        page.shown.append(outcome)
        assert page.job.busy and page.button.disabled and seconds >= 0

    page.job.run(page.panel, "Working", Stage("count", first, show),
                 Stage("double", lambda _p, _c, previous: previous * 2, show, "other_notice"))
    assert page.shown == [20, 40] and threads == [threading.main_thread()] * 2
    assert not page.job.busy and not page.button.disabled and page.panel.layout.display == "none"
    assert page.idled == 1


def test_a_failing_stage_shows_its_error_in_its_notice_and_ends_the_job() -> None:
    page = Page(background=False)
    keep = lambda outcome, _seconds: page.shown.append(outcome)  # noqa: E731

    def fail(_p, _c, _previous):
        raise WorkbenchError("The cohort has no mentees.")

    page.job.run(page.panel, "Working", Stage("count", lambda *_: 1, keep), Stage("fail", fail, keep, "other_notice"),
                 Stage("never", lambda *_: 2, keep))
    assert page.shown == [1] and "The cohort has no mentees." in page.other_notice.value
    assert page.notice.value == "" and not page.job.busy and page.idled == 1


def test_an_unexpected_error_is_an_apology_with_a_reference() -> None:
    page = Page(background=False)
    page.job.run(page.panel, "Working", Stage("divide", lambda *_: 1 / 0, lambda *_: None))
    assert "could not divide" in page.notice.value and "reference" in page.notice.value and not page.job.busy


def test_one_job_at_a_time_and_cancel_reaches_the_work() -> None:
    page = Page(background=True)
    started, seen = threading.Event(), []

    def work(_p, cancel, _previous):
        started.set()
        seen.append(cancel.wait(10))
        return "stopped"

    page.job.run(page.panel, "Working", Stage("wait", work, lambda outcome, _s: page.shown.append(outcome)))
    started.wait(10)
    with pytest.raises(WorkbenchError, match="still running"):
        page.job.run(page.panel, "Again", Stage("wait", work, lambda *_: None))
    page.job.cancel()
    assert page.panel.cancel_button.disabled
    page.job.wait(10)
    assert seen == [True]  # no event loop runs in this thread: the result is shown from the worker
    assert page.shown == ["stopped"] and not page.job.busy
