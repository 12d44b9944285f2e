"""The pages are tested on the demo organisation's tables with a new design and nothing saved, as they were
written; ``test_demo.py`` tests the demo as it ships, with its story."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _demo_tables_only(request: pytest.FixtureRequest) -> None:
    if "home" in request.fixturenames:
        request.getfixturevalue("demo_data_only")
