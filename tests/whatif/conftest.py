"""A copy of the demo organisation as a workspace, its tables and design, shared by the what-if tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.data.importing import read_workspace_tables
from workbench.design.store import load_design
from workbench.workspace import DEMO_SOURCE, open_workspace


@pytest.fixture
def workspace(tmp_path: Path):
    shutil.copytree(DEMO_SOURCE, tmp_path / "demo")
    return open_workspace(tmp_path / "demo")


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whatif") / "demo"
    shutil.copytree(DEMO_SOURCE, folder)
    workspace = open_workspace(folder)
    tables, _ = read_workspace_tables(workspace)
    return tables, load_design(workspace)
