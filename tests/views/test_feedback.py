import logging
import re

import ipywidgets as w
import pytest

from workbench.errors import WorkbenchError
from workbench.views.feedback import Notice, guarded


class Panel:
    def __init__(self) -> None:
        self.notice = Notice()
        self.button = w.Button(description="Go")
        self.seen_disabled: list[bool] = []

    @guarded("do the thing", button="button")
    def ok(self, value: int) -> int:
        self.seen_disabled.append(self.button.disabled)
        return value * 2

    @guarded("do the thing", button="button")
    def user_error(self) -> None:
        raise WorkbenchError("people.csv row 3, column level: 'senior' is not a whole number.")

    @guarded("do the thing", button="button")
    def bug(self) -> None:
        raise ZeroDivisionError("secret internals")


def test_button_is_disabled_while_work_runs_and_released_after() -> None:
    panel = Panel()
    assert panel.ok(4) == 8
    assert panel.seen_disabled == [True]
    assert panel.button.disabled is False
    assert panel.notice.value == ""


def test_a_user_error_shows_its_own_message_in_the_page() -> None:
    panel = Panel()
    assert panel.user_error() is None
    assert "row 3, column level: &#x27;senior&#x27;" in panel.notice.value
    assert 'role="alert"' in panel.notice.value
    assert panel.button.disabled is False


def test_a_bug_shows_a_reference_and_logs_the_traceback(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("workbench.app")
    logger.addHandler(caplog.handler)
    panel = Panel()
    try:
        panel.bug()
    finally:
        logger.removeHandler(caplog.handler)
    record = caplog.records[-1]
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    reference = re.search(r"reference ([0-9a-f]{8})", record.getMessage()).group(1)
    assert f"reference {reference}" in panel.notice.value
    assert "could not do the thing" in panel.notice.value
    assert "secret internals" not in panel.notice.value
    assert panel.button.disabled is False


def test_a_new_run_clears_the_previous_message() -> None:
    panel = Panel()
    panel.user_error()
    panel.ok(1)
    assert panel.notice.value == ""


def test_data_that_fails_its_contracts_shows_its_problems_in_the_page() -> None:
    import pandas as pd

    from workbench.data.problems import Problems
    from workbench.errors import InvalidDataError

    problems = Problems(pd.DataFrame({"file": ["enrolment.csv"], "row": [7], "column": ["capacity"],
                                      "value": ["<b>-2</b>"], "problem": ["capacity '-2' must be 0 or more"]}))

    class Page(Panel):
        @guarded("match", button="button")
        def refused(self) -> None:
            raise InvalidDataError("refused", problems)

    panel = Page()
    assert panel.refused() is None
    assert "1 problem in enrolment.csv" in panel.notice.value and 'role="alert"' in panel.notice.value
    assert "<td>capacity</td><td>&lt;b&gt;-2&lt;/b&gt;</td>" in panel.notice.value
    assert "import it again on the Start page" in panel.notice.value and panel.button.disabled is False
