"""Imports point one way: domain -> charts -> views -> app/cli, never back."""

import ast
from collections.abc import Iterator
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
def test_sessions_import_no_widgets_charts_or_views(path: Path) -> None:
    names = imported_modules(path)
    assert not {n.split(".")[0] for n in names} & {"ipywidgets", "altair", "voila", "anywidget", "IPython"}
    assert not {n for n in names if n.startswith(("workbench.views", "workbench.charts", "workbench.app",
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


# --------------------------------------------------------------------------
# Layers: every unit of the package (a subpackage or a top-level module, named by the
# first component under workbench/) imports only units of its own layer or below.
# --------------------------------------------------------------------------

#: The package's units, lowest layer first. ``workbench`` is the package namespace (``workbench/__init__.py``).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),
    ("privacy", "exports", "lazy", "result"),
    ("workspace",),  # storage only: folders, files, revisions
    ("data",),  # reading, importing and validating tables
    ("design",),
    ("organisation",),
    ("programs",),
    ("gaps",),
    ("matching",),
    ("simulate",),
    ("evaluate",),
    ("whatif",),
    ("readiness",),  # checks that use matching and the evaluation's power
    ("story", "research"),
    ("charts",),
    ("reports",),
    ("sessions",),  # the pages' models: state and logic without widgets
    ("views",),
    ("app",),
    ("cli", "workbench"),
    ("__main__",),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
#: Units that import inside functions, downward only, so that ``workbench --help`` and a page's kernel start
#: without loading every analysis (the design pages load the brief's analyses only when it is prepared); everywhere
#: else an import inside a function would hide a climb.
LAZY_IMPORTERS = {"cli", "app", "views", "workbench", "__main__"}


def unit_of(path: Path) -> str:
    """The unit a module of the package belongs to: ``matching/results.py`` -> ``matching``."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return "workbench" if parts == ("__init__",) else parts[0]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def workbench_imports(path: Path, source: str | None = None) -> Iterator[tuple[ast.stmt, str, list[str], bool]]:
    """Each import of the package in ``path``: (statement, module imported from, names, inside a function)."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    inside = {id(node) for function in ast.walk(tree) if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
              for node in ast.walk(function) if node is not function}
    package = module_name(path).split(".") if path.name == "__init__.py" else module_name(path).split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = ".".join(package[:len(package) - node.level + 1] + ([module] if module else []))
            if module == "workbench" or module.startswith("workbench."):
                yield node, module, [alias.name for alias in node.names], id(node) in inside
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "workbench" or alias.name.startswith("workbench."):
                    yield node, alias.name, [], id(node) in inside


def target_units(module: str, names: list[str]) -> set[str]:
    """The units an import reaches: ``workbench.gaps.analysis`` -> gaps; ``from workbench import data`` -> data;
    any other name from the namespace (``from workbench import __version__``) -> ``workbench``."""
    parts = module.split(".")
    if len(parts) > 1:
        return {parts[1]}
    return {name if name in RANK and name != "workbench" else "workbench" for name in names} or {"workbench"}


def statement(node: ast.stmt) -> str:
    if isinstance(node, ast.ImportFrom):
        return f"from {'.' * node.level}{node.module or ''} import {', '.join(a.name for a in node.names)}"
    return "import " + ", ".join(a.name for a in node.names)


def layer_offences(path: Path, source: str | None = None) -> list[str]:
    """Imports of ``path`` that climb to a higher layer, and imports inside functions outside the top layers."""
    where = path.relative_to(PACKAGE.parent)
    unit = unit_of(path)
    offences = []
    for node, module, names, in_function in workbench_imports(path, source):
        for target in sorted(target_units(module, names)):
            if RANK.get(target, len(LAYERS)) > RANK[unit]:
                offences.append(f"{where}:{node.lineno}: {statement(node)} climbs from {unit} to {target}")
        if in_function and unit not in LAZY_IMPORTERS:
            offences.append(f"{where}:{node.lineno}: {statement(node)} is imported inside a function "
                            f"(import it at the top of the module; a cycle means a function belongs elsewhere)")
    return offences


def private_offences(path: Path, source: str | None = None) -> list[str]:
    """Imports of ``path`` of a ``_private`` name from another unit of the package."""
    where = path.relative_to(PACKAGE.parent)
    unit = unit_of(path)
    return [f"{where}:{node.lineno}: {statement(node)} takes private {name} from {module}"
            for node, module, names, _ in workbench_imports(path, source)
            if target_units(module, names) != {unit}
            for name in names if name.startswith("_") and not (name.startswith("__") and name.endswith("__"))]


def test_every_unit_of_the_package_has_a_layer() -> None:
    assert sorted({unit_of(p) for p in modules_in()} - set(RANK)) == []


def test_imports_point_down_the_layers_and_none_hides_inside_a_function() -> None:
    offences = [offence for path in modules_in() for offence in layer_offences(path)]
    assert offences == [], "\n".join(offences)


def test_no_module_imports_a_private_name_from_another_package() -> None:
    offences = [offence for path in modules_in() for offence in private_offences(path)]
    assert offences == [], "\n".join(offences)


def test_the_layer_checks_name_each_climb_each_hidden_import_and_each_private_name() -> None:
    design = PACKAGE / "design" / "model.py"
    source = ("from workbench.matching.pool import Pool\n"
              "from workbench.data.reading import _decode\n"
              "from workbench.design.catalogue import _BY_ID\n"
              "def f():\n"
              "    from workbench.workspace import Workspace\n")
    assert layer_offences(design, source) == [
        "workbench/design/model.py:1: from workbench.matching.pool import Pool climbs from design to matching",
        "workbench/design/model.py:5: from workbench.workspace import Workspace is imported inside a function "
        "(import it at the top of the module; a cycle means a function belongs elsewhere)"]
    assert private_offences(design, source) == [
        "workbench/design/model.py:2: from workbench.data.reading import _decode takes private _decode from "
        "workbench.data.reading"]
    cli = PACKAGE / "cli.py"
    top = "from workbench import __version__\ndef f():\n    from workbench.app import serve\n"
    assert layer_offences(cli, top) == []
