"""The session of the design pages: the design being edited, its findings, save, undo and reapply.

Every change is validated through the design model (a refused value raises
``ValueError`` in the model's words, e.g. "Duration months: must be at least 1")
and the consistency checks run again against the workspace's data.
"""

from __future__ import annotations

import traitlets
from pydantic import ValidationError

from workbench.data.importing import typed_tables
from workbench.design.model import ProgramDesign
from workbench.design.store import load_design, save_design
from workbench.errors import WorkbenchError
from workbench.evaluate.power import ObjectivePower, objective_power
from workbench.programs import scoped_tables
from workbench.readiness import check_design, with_power_findings
from workbench.workspace import Workspace, history, reread, undo

__all__ = ["DecisionPath", "DesignSession"]

#: Where a decision sits in the design model, e.g. ``("experience", "structure")``.
DecisionPath = tuple[str, ...]


def _replace(design: ProgramDesign, path: DecisionPath, value: object) -> ProgramDesign:
    data = design.model_dump(mode="python")
    cursor = data
    for key in path[:-1]:
        cursor = cursor[key]
    cursor[path[-1]] = value
    return ProgramDesign.model_validate(data)


def _changes(before: dict, after: dict, path: DecisionPath = ()) -> dict[DecisionPath, object]:
    """The leaves of ``after`` (a design as plain data) that differ from ``before``, by path (lists are leaves)."""
    changed = {}
    for key, value in after.items():
        old = before.get(key) if isinstance(before, dict) else None
        if isinstance(value, dict) and isinstance(old, dict):
            changed.update(_changes(old, value, (*path, key)))
        elif value != old:
            changed[(*path, key)] = value
    return changed


def _errors_text(exc: ValidationError, path: DecisionPath = ()) -> str:
    """The model's refusal in words, for the card of ``path``: the field and the place within it ("custom
    criteria, row 1, columns"), then the reason without pydantic's "Value error," and its types."""
    parts = []
    for error in exc.errors():
        loc = list(error["loc"])
        within = loc[len(path) - 1:] if path and loc[:len(path)] == list(path) else loc
        where = ", ".join(f"row {p + 1}" if isinstance(p, int) else str(p).replace("_", " ") for p in within)
        message = _reason(error)
        text = f"{where}: {message}" if where else message
        parts.append(text[:1].upper() + text[1:])
    return "; ".join(parts)


#: pydantic's refusals in the words a page uses, by error type (``ctx`` fills the braces).
_PATTERNS = {r"^[a-z][a-z0-9_]*$": "use lower-case letters, digits and _, starting with a letter",
             r"^[A-Za-z0-9_.-]+$": "use letters, digits, _, . and - only"}
_REASONS = {"float_parsing": "{input!r} is not a number", "int_parsing": "{input!r} is not a whole number",
            "greater_than": "must be above {gt}", "greater_than_equal": "must be at least {ge}",
            "less_than": "must be below {lt}", "less_than_equal": "must be at most {le}",
            "string_too_long": "at most {max_length} characters"}


def _reason(error: dict) -> str:
    """One pydantic error's reason in words (its own message, without "Value error,", for the others)."""
    kind, ctx = error["type"], {**error.get("ctx", {}), "input": error.get("input")}
    if kind in ("too_short", "string_too_short") and ctx.get("min_length") == 1:
        return "give at least one" if kind == "too_short" else "give a value"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        return _PATTERNS[ctx["pattern"]]
    if kind in _REASONS:
        return _REASONS[kind].format(**ctx)
    return error["msg"].removeprefix("Value error, ")


class DesignSession(traitlets.HasTraits):
    """The design being edited in one page, its findings, and its workspace.

    With ``power``, each objective's power (:func:`workbench.evaluate.power.objective_power`) is worked
    out too, once per design (edits of the reasons alone reuse it), and its findings join the checks'.
    """

    workspace = traitlets.Instance(Workspace)
    design = traitlets.Instance(ProgramDesign)
    findings = traitlets.List()
    power = traitlets.List()  # ObjectivePower, one per objective, when the session works power out
    dirty = traitlets.Bool(False)

    def __init__(self, workspace: Workspace, *, power: bool = False) -> None:
        super().__init__(workspace=workspace, design=load_design(workspace))
        self.base = self.design  # the design as last read or saved: what this page's edits started from
        self.with_power = power
        self._load_tables()
        self._check()

    def _load_tables(self) -> None:
        # the enrolment of this program: the checks count its mentees and mentors
        self.tables = scoped_tables(self.workspace, typed_tables(self.workspace))
        self._power_cache: dict[str, list[ObjectivePower]] = {}
        self._model_cache: dict = {}  # the outcome model's expected effects for these tables

    def _check(self) -> None:
        findings = check_design(self.design, self.tables, sensitive=self.workspace.settings.sensitive)
        if self.with_power:
            key = self.design.model_copy(update={"rationale": {}}).model_dump_json()
            if key not in self._power_cache:
                self._power_cache = {key: objective_power(self.design, self.tables,  # the latest design only
                                                          model_cache=self._model_cache,
                                                          sensitive=self.workspace.settings.sensitive)}
            self.power = self._power_cache[key]
            findings = with_power_findings(findings, self.power)
        self.findings = findings

    def set(self, path: DecisionPath, value: object) -> None:
        """Change one decision; raises ``ValueError`` with the model's message when the value is refused."""
        try:
            design = _replace(self.design, path, value)
        except ValidationError as exc:
            raise ValueError(_errors_text(exc, path)) from None
        if design != self.design:
            self.design = design
            self.dirty = True
            self._check()

    def set_rationale(self, decision_id: str, text: str) -> None:
        """Record why a decision was taken (shown in the brief); blank removes it."""
        rationale = dict(self.design.rationale)
        if text.strip():
            rationale[decision_id] = text.strip()
        else:
            rationale.pop(decision_id, None)
        self.set(("rationale",), rationale)

    @property
    def design_revision(self) -> int:
        """How many saves this program's design had when this page last read or saved it."""
        return self.workspace.revision_of(self.workspace.artefact("design"))

    def save(self) -> None:
        """Save to ``design.yaml``. Refused with :class:`~workbench.workspace.StaleWorkspaceError` when the
        design was saved elsewhere since this page read it; the edits stay here (see :meth:`reapply`)."""
        self.workspace = save_design(self.workspace, self.design)
        self.base = self.design
        self.dirty = False

    def undo(self) -> str:
        """Undo the latest save of this program's design (other pages' saves stay) and reload it;
        returns what was undone, in words."""
        latest = history(self.workspace, "design")
        self.workspace = undo(self.workspace, "design")
        self.reload()
        return f"{latest[0].message} ({latest[0].saved_at.replace('T', ' ')[:16]} UTC)" if latest else "the last save"

    def reload(self) -> None:
        """Read the design and data again from the workspace (discarding unsaved changes)."""
        self.workspace = reread(self.workspace)
        self._load_tables()
        self.design = self.base = load_design(self.workspace)
        self.dirty = False
        self._check()

    def reapply(self) -> list[DecisionPath]:
        """Read the latest saved design and make this page's unsaved edits again on top of it.

        An edit is a decision whose value differs from the design this page read; the decisions
        changed elsewhere and not here keep the other save's value. Returns the decisions changed
        both here and elsewhere, which now hold this page's value (to say so). Not saved: the
        page shows the result for a look before Save.
        """
        base = self.base.model_dump(mode="python")
        edits = _changes(base, self.design.model_dump(mode="python"))
        latest_workspace = reread(self.workspace)
        latest = load_design(latest_workspace)
        theirs = _changes(base, latest.model_dump(mode="python"))
        design = latest
        for path, value in edits.items():
            try:
                design = _replace(design, path, value)
            except ValidationError as exc:  # nothing changed yet: the page keeps its edits
                raise WorkbenchError(f"Your change to {' > '.join(map(str, path)).replace('_', ' ')} cannot be made "
                                     f"on the latest design ({_errors_text(exc)}); nothing was changed here: note "
                                     "your changes, press 'Discard changes' and make them again.") from None
        self.workspace, self.base = latest_workspace, latest  # what the next save is checked against
        self._load_tables()
        self.design = design
        self.dirty = design != latest
        self._check()
        return [path for path in edits if path in theirs and theirs[path] != edits[path]]
