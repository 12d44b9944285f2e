"""A copy of the demo organisation's tables as a workspace, with a new design, shared by the what-if tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.data.importing import read_workspace_tables
from workbench.design.store import load_design
from workbench.workspace import DEMO_SOURCE, open_workspace

from ..conftest import WITHOUT_STORY


@pytest.fixture
def workspace(tmp_path: Path):
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo", ignore=WITHOUT_STORY)
    return open_workspace(tmp_path / "demo")


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whatif") / "demo"
    shutil.copytree(DEMO_SOURCE, folder, ignore=WITHOUT_STORY)
    workspace = open_workspace(folder)
    tables, _ = read_workspace_tables(workspace)
    return tables, load_design(workspace)
