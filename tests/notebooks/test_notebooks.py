"""Every page under notebooks/ and every researchers' example under notebooks/examples/ runs headless, and is
committed clean; the examples are no pages."""

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from workbench.app.server import is_page
from workbench.views.shell import PAGES

FOLDER = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
EXAMPLES = sorted((FOLDER / "examples").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS and EXAMPLES


def test_no_example_is_a_page() -> None:
    assert not {p.stem for p in EXAMPLES} & {page.notebook for page in PAGES}
    assert all(is_page(p.relative_to(FOLDER).as_posix()) for p in NOTEBOOKS)
    assert not any(is_page(p.relative_to(FOLDER).as_posix()) for p in EXAMPLES)


@pytest.mark.parametrize("path", NOTEBOOKS + EXAMPLES, ids=lambda p: p.relative_to(FOLDER).as_posix())
def test_notebook_is_committed_without_outputs_or_widget_state(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: clear the outputs"
    assert "widgets" not in notebook["metadata"], f"{path.name}: widget state was saved"


def executed_outputs(path: Path) -> list[list]:
    """The outputs of each code cell of ``path`` run headless, after checking none is an error or a warning."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    cells = [c.outputs for c in notebook.cells if c.cell_type == "code"]
    outputs = [o for c in cells for o in c]
    assert [o for o in outputs if o.output_type == "error"] == []
    streams = [o.get("text", "") for o in outputs if o.output_type == "stream" and o.get("name") == "stderr"]
    assert not any("Traceback" in text or "Warning" in text for text in streams), streams
    return cells


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_without_error(path: Path, home: Path) -> None:
    widget_views = [o for c in executed_outputs(path) for o in c
                    if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget_views, "each page shows at least one widget"


@pytest.mark.notebook
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_executes_without_error(path: Path, home: Path) -> None:
    assert all(executed_outputs(path)), "every code cell of an example shows something"
    assert (home / "demo" / "workspace.yaml").is_file()  # the examples open the demo by name, in the test's home
