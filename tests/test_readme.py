"""The README's code: the researchers' example runs as a plain script, and every workbench name it uses exists."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import workbench
from workbench.matching.names import STRUCTURES

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def python_blocks(after_heading: str) -> list[str]:
    """The ```python blocks of the README's section ``after_heading`` (up to the next ``## `` heading)."""
    section = README.split(f"\n## {after_heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_researchers_example_runs_as_a_plain_script(tmp_path: Path) -> None:
    example = python_blocks("For researchers")[0]
    assert "__main__" not in example and "workers=2" in example  # worker processes, from an unguarded script
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=REPO, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stderr
    assert "bootstrapping phase" not in done.stderr and "Traceback" not in done.stderr
    out = done.stdout
    assert out.count("<workspace ") == 1  # print(ws) at the top ran once: no worker re-ran the script
    assert re.search(r"^hire_date\s+datetime64", out, flags=re.M) and re.search(r"^level\s+Int64", out, flags=re.M)
    assert set(out.splitlines()) & set(STRUCTURES)  # print(ws.design.experience.structure)
    assert re.search(r": \d+ of \d+ [\w ]+ matched", out)  # matching.summary_lines(), whatever the structure
    assert "participants_mean" in out and out.count("Participants still employed at the horizon") == 2
    assert re.search(r"^0 +Participants still employed.*\bP\(better\) \d+%$", out, flags=re.M)  # design, Weekly
    assert re.search(r"^Cohort \S+: started", out, flags=re.M)


def dotted_names(text: str) -> set[str]:
    return set(re.findall(r"\bworkbench(?:\.[A-Za-z_]\w*)+", text))


def imported_names(text: str) -> set[str]:
    found = set()
    for module, names in re.findall(r"^\s*from (workbench(?:\.\w+)*) import ([\w, ]+)$", text, flags=re.M):
        found |= {f"{module}.{name.strip()}" for name in names.split(",")}
    return found


@pytest.mark.parametrize("name", sorted(dotted_names(README) | imported_names(README)))
def test_every_workbench_name_the_readme_uses_exists(name: str) -> None:
    # as a reader writes it: attributes from ``import workbench`` (lazy), or the module imported
    parts = name.split(".")
    try:
        value = workbench
        for part in parts[1:]:
            value = getattr(value, part)
    except AttributeError:
        module = importlib.import_module(".".join(parts[:-1]))
        assert hasattr(module, parts[-1]), name
