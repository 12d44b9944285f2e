"""Imports point one way: domain -> charts -> views -> app/cli, never back."""

import ast
from pathlib import Path

import pytest

import workbench

PACKAGE = Path(workbench.__file__).resolve().parent
UI_MODULES = {"ipywidgets", "altair", "anywidget", "voila", "traitlets", "IPython"}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules_in(*parts: str) -> list[Path]:
    return sorted((PACKAGE.joinpath(*parts)).rglob("*.py"))


def domain_modules() -> list[Path]:
    layered = {"charts", "reports", "sessions", "views", "app"}
    return [p for p in modules_in() if p.relative_to(PACKAGE).parts[0] not in layered and p.name not in {"cli.py", "__main__.py"}]


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_domain_modules_import_no_ui(path: Path) -> None:
    roots = {name.split(".")[0] for name in imported_modules(path)}
    assert not roots & UI_MODULES
    assert not {n for n in imported_modules(path) if n.startswith(("workbench.views", "workbench.charts",
                                                                   "workbench.app", "workbench.cli"))}


@pytest.mark.parametrize("path", modules_in("charts"), ids=lambda p: p.name)
def test_charts_import_no_widgets(path: Path) -> None:
    names = imported_modules(path)
    assert not {n.split(".")[0] for n in names} & {"ipywidgets", "voila"}
    assert not {n for n in names if n.startswith(("workbench.views", "workbench.app", "workbench.cli"))}


@pytest.mark.parametrize("path", modules_in("reports"), ids=lambda p: p.name)
def test_reports_import_no_widgets_views_or_app(path: Path) -> None:
    names = imported_modules(path)
    assert not {n.split(".")[0] for n in names} & {"ipywidgets", "voila", "anywidget"}
    assert not {n for n in names if n.startswith(("workbench.views", "workbench.app", "workbench.cli"))}


@pytest.mark.parametrize("path", modules_in("sessions"), ids=lambda p: p.name)
def test_sessions_import_no_widgets_charts_views_or_app(path: Path) -> None:
    names = imported_modules(path)
    assert not {n.split(".")[0] for n in names} & {"ipywidgets", "altair", "anywidget", "voila", "IPython"}
    assert not {n for n in names if n.startswith(("workbench.charts", "workbench.views", "workbench.app",
                                                  "workbench.cli"))}


@pytest.mark.parametrize("path", modules_in("views"), ids=lambda p: p.name)
def test_views_do_not_import_the_app_or_cli(path: Path) -> None:
    assert not {n for n in imported_modules(path) if n.startswith(("workbench.app", "workbench.cli"))}


def test_public_api_is_importable() -> None:
    for name in workbench.__all__:
        assert hasattr(workbench, name), name


def test_no_machine_paths_in_the_project() -> None:
    repo = PACKAGE.parent
    tracked = [p for p in repo.rglob("*") if p.is_file() and p.suffix in {".py", ".ipynb", ".md", ".toml", ".yaml",
                                                                            ".j2", ".html", ".json", ".cfg"}
               and not {".venv", ".venvs", ".git", "workspaces", "node_modules"} & set(p.relative_to(repo).parts)]
    tracked = [p for p in tracked if p != Path(__file__).resolve()]
    offenders = [str(p.relative_to(repo)) for p in tracked
                 if any(s in p.read_text(encoding="utf-8", errors="ignore") for s in ("/work/", "/root/", "/home/"))]
    assert offenders == []
