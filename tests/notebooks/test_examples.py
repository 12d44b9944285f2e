"""The researchers' example notebooks under notebooks/examples/ run headless, are committed clean, and are no pages."""

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from workbench.app.server import is_page
from workbench.views.shell import PAGES

FOLDER = Path(__file__).resolve().parents[2] / "notebooks" / "examples"
EXAMPLES = sorted(FOLDER.glob("*.ipynb"))


def test_there_are_examples_and_none_is_a_page() -> None:
    assert EXAMPLES
    assert not {p.stem for p in EXAMPLES} & {page.notebook for page in PAGES}
    assert not any(is_page(p.relative_to(FOLDER.parent).as_posix()) for p in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_is_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: clear the outputs"
    assert "widgets" not in notebook["metadata"], f"{path.name}: widget state was saved"


@pytest.mark.notebook
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_executes_without_error(path: Path, home: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    streams = [o.get("text", "") for o in outputs if o.output_type == "stream" and o.get("name") == "stderr"]
    assert not any("Traceback" in text or "Warning" in text for text in streams), streams
    # the workspace the examples open by name is the demo, copied into the test's home
    assert (home / "demo" / "workspace.yaml").is_file()
    assert all(c.outputs for c in notebook.cells if c.cell_type == "code"), "every code cell shows something"
