"""Saving and loading ``design.yaml`` in a workspace."""

from __future__ import annotations

import yaml
from pydantic import ValidationError

from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError, shown
from workbench.privacy import refuse_when_published
from workbench.workspace import DESIGN_FILE, Workspace, save_files


class DesignError(WorkbenchError):
    """``design.yaml`` cannot be read; the message names the file and each wrong field."""


def design_to_yaml(design: ProgramDesign) -> str:
    """The design as the YAML text stored in ``design.yaml``."""
    return yaml.safe_dump(design.model_dump(mode="json"), sort_keys=False, allow_unicode=True, width=100)


class _TextDates(yaml.SafeLoader):
    """YAML without automatic dates: the model checks them, so a wrong one is reported with its field."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def design_from_yaml(text: str, *, source: str = DESIGN_FILE) -> ProgramDesign:
    """Parse and validate a design; :class:`DesignError` names every wrong field (``align.objectives.0.kpi``)."""
    try:
        data = yaml.load(text, Loader=_TextDates)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise DesignError(f"{source}: not valid YAML (nested too deeply to be a design).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise DesignError(f"{source}: not valid YAML{where}.") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DesignError(f"{source}: expected a mapping of AXLES steps, found {type(data).__name__}.")
    try:
        return ProgramDesign.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "(top level)"
            found = error.get("input")
            quoted = "" if error["type"] == "missing" or isinstance(found, dict) else f" (found {shown(found)})"
            lines.append(f"  {field}: {_plain(error)}{quoted}")
        raise DesignError(f"{source} has {len(lines)} problem{'s' if len(lines) > 1 else ''}:\n"
                          + "\n".join(lines)) from None


def _plain(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "is not a field of the design (a typo?)"
    return error["msg"][0].lower() + error["msg"][1:]


def load_design(workspace: Workspace) -> ProgramDesign:
    """The workspace's design, or a new default design when it has none yet."""
    path = workspace.files / DESIGN_FILE
    if not path.is_file():
        return ProgramDesign(name=f"{workspace.name} mentoring program")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DesignError(f"{path.name}: not UTF-8 text.") from None
    return design_from_yaml(text, source=path.name)


def save_design(workspace: Workspace, design: ProgramDesign, *, message: str = "save the design") -> Workspace:
    """Save ``design`` as ``design.yaml`` (revision-checked, undoable); returns the workspace as saved.

    Refused in the published app (:func:`workbench.privacy.refuse_when_published`).
    """
    refuse_when_published()
    return save_files(workspace, {DESIGN_FILE: design_to_yaml(design)}, message=message)
