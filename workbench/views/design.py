"""The design pages: every AXLES decision as a widget, live findings, save and undo.

A :class:`DesignSession` holds the design being edited, validates every change
through the design model and re-runs the consistency checks against the
workspace's data; the forms are built from the decision catalogue and the
model's field types, so a new decision in the model appears in the pages
without page code. In the published app decisions can be changed to explore
their findings and brief, but there is no Save or Undo: nothing is written.
"""

from __future__ import annotations

import datetime
import functools
import html
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence

import ipywidgets as w
import pandas as pd
import traitlets
from pydantic import BaseModel, ValidationError

from workbench.data.importing import checked_tables
from workbench.design.catalogue import DECISIONS, Decision, decisions_for, scope_text
from workbench.design.checks import Finding, check_design
from workbench.design.model import ColumnFilter, Eligibility, Objective, ProgramDesign, Quota
from workbench.design.store import load_design, save_design
from workbench.errors import WorkbenchError
from workbench.evaluate.power import ObjectivePower, objective_power, with_power_findings
from workbench.privacy import published_mode
from workbench.simulate.mechanisms import MECHANISMS
from workbench.views.feedback import Notice, guarded
from workbench.views.shell import PageContext
from workbench.views.tables import download_link
from workbench.programs import scoped_tables
from workbench.workspace import StaleWorkspaceError, Workspace, history, reread, undo

#: Where a decision sits in the design model, field by field: ``("experience", "structure")``.
FieldPath = tuple[str, ...]


def _field_type(path: FieldPath) -> object:
    """The annotation of the model field at ``path`` (e.g. ``("experience", "structure")``)."""
    model: type[BaseModel] = ProgramDesign
    annotation: object = model
    for key in path:
        annotation = model.model_fields[key].annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
    return annotation


def _replace(design: ProgramDesign, path: FieldPath, value: object) -> ProgramDesign:
    data = design.model_dump(mode="python")
    cursor = data
    for key in path[:-1]:
        cursor = cursor[key]
    cursor[path[-1]] = value
    return ProgramDesign.model_validate(data)


def _changes(before: dict, after: dict, path: FieldPath = ()) -> dict[FieldPath, object]:
    """The leaves of ``after`` (a design as plain data) that differ from ``before``, by path (lists are leaves)."""
    changed = {}
    for key, value in after.items():
        old = before.get(key) if isinstance(before, dict) else None
        if isinstance(value, dict) and isinstance(old, dict):
            changed.update(_changes(old, value, (*path, key)))
        elif value != old:
            changed[(*path, key)] = value
    return changed


def _get(design: ProgramDesign, path: FieldPath) -> object:
    value: object = design
    for key in path:
        value = getattr(value, key)
    return value


def _errors_text(exc: ValidationError, path: FieldPath = ()) -> str:
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
        self.tables = scoped_tables(self.workspace, checked_tables(self.workspace))
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

    def set(self, path: FieldPath, value: object) -> None:
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

    def reapply(self) -> list[FieldPath]:
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


# ---------------------------------------------------------------------------------------------
# Editors: one per model field type, each with get/set and a change callback


class Editor:
    """A widget for one decision's value; calls ``on_change(value)`` when the user edits it."""

    widget: w.Widget

    def __init__(self, on_change: Callable[[object], None]) -> None:
        self.on_change = on_change
        self._muted = False

    def _changed(self, _change: object = None) -> None:
        if not self._muted:
            self.on_change(self.get())

    def get(self) -> object:  # pragma: no cover - every editor overrides it
        """The value shown."""
        raise TypeError(type(self).__name__)

    def show(self, value: object) -> None:
        """Show ``value`` without reporting a change."""
        self._muted = True
        try:
            self._show(value)
        finally:
            self._muted = False

    def _show(self, value: object) -> None:  # pragma: no cover - every editor overrides it
        raise TypeError(type(self).__name__)


class ValueEditor(Editor):
    """A single ipywidgets value widget (dropdown, checkbox, number, text, date)."""

    def __init__(self, widget: w.ValueWidget, on_change: Callable[[object], None],
                 to_model: Callable[[object], object] = lambda v: v,
                 to_widget: Callable[[object], object] = lambda v: v) -> None:
        super().__init__(on_change)
        self.widget, self._to_model, self._to_widget = widget, to_model, to_widget
        widget.observe(self._changed, names="value")

    def get(self) -> object:
        return self._to_model(self.widget.value)

    def _show(self, value: object) -> None:
        self.widget.value = self._to_widget(value)


class ChoiceSetEditor(Editor):
    """Several options at once (a tuple of choices), as checkboxes."""

    def __init__(self, options: Sequence[tuple[str, str]], on_change: Callable[[object], None]) -> None:
        super().__init__(on_change)
        self.boxes = {value: w.Checkbox(description=label, indent=False, layout=w.Layout(width="auto"))
                      for label, value in options}
        for box in self.boxes.values():
            box.observe(self._changed, names="value")
        self.widget = w.HBox(list(self.boxes.values()), layout=w.Layout(flex_flow="row wrap"))

    def get(self) -> object:
        return tuple(value for value, box in self.boxes.items() if box.value)

    def _show(self, value: object) -> None:
        for key, box in self.boxes.items():
            box.value = key in (value or ())


class GroupEditor(Editor):
    """A nested model (eligibility, constraints): one editor per field, edited as a whole."""

    def __init__(self, editors: dict[str, Editor], labels: dict[str, str], on_change: Callable[[object], None],
                 shown: Mapping[str, Callable[[dict], bool]] | None = None) -> None:
        super().__init__(on_change)
        self.editors = editors
        self.shown = dict(shown or {})  # field -> whether it applies to the group's value (hidden otherwise)
        for editor in editors.values():
            editor.on_change = lambda _value: self._changed()
        # labels wrap rather than being cut off ("Departments (none ticked = all)")
        self.rows = {name: w.HBox([w.HTML(html.escape(labels[name]), layout=w.Layout(width="220px")), editor.widget])
                     for name, editor in editors.items()}
        self.widget = w.VBox(list(self.rows.values()))

    def get(self) -> object:
        return {name: editor.get() for name, editor in self.editors.items()}

    def _changed(self, _change: object = None) -> None:
        self._show_fields(self.get())
        super()._changed()

    def _show(self, value: object) -> None:
        data = value.model_dump(mode="python") if isinstance(value, BaseModel) else dict(value or {})
        for name, editor in self.editors.items():
            editor.show(data.get(name))
        self._show_fields(data)

    def _show_fields(self, data: dict) -> None:
        for name, applies in self.shown.items():
            self.rows[name].layout.display = None if applies(data) else "none"


def _number_text(value: object) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def parse_number(text: str, kind: type) -> object:
    """``kind`` (int or float) from text, ``None`` when blank; other text is returned for the model to refuse."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if kind is int and number.is_integer() else number if kind is float else text


def optional_number(kind: type, on_change: Callable[[object], None]) -> ValueEditor:
    """A number that may be left blank (``None``)."""
    return ValueEditor(w.Text(placeholder="not set", layout=w.Layout(width="140px")), on_change,
                       lambda text: parse_number(text, kind), _number_text)


def editor_for(decision: Decision, annotation: object, on_change: Callable[[object], None],
               choices: dict[str, list[tuple[str, str]]]) -> Editor:
    """The editor for a decision whose model field has type ``annotation``.

    ``choices`` gives options that come from the workspace's data, by decision
    id (departments, goals, skills, sensitive columns).
    """
    labels = {o.value: o.label for o in decision.options}
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    optional = origin in (typing.Union, types.UnionType) and type(None) in args
    if optional:
        inner = [a for a in args if a is not type(None)]
        annotation = inner[0] if len(inner) == 1 else annotation
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if decision.id in choices:
        return ChoiceSetEditor(choices[decision.id], on_change)
    if origin is typing.Literal:
        options = [(labels.get(v, str(v)), v) for v in args]
        if optional:
            options = [("Not decided", None), *options]
        return ValueEditor(w.Dropdown(options=options, layout=w.Layout(width="320px")), on_change)
    if origin is tuple and args and typing.get_origin(args[0]) is typing.Literal:
        return ChoiceSetEditor([(labels.get(v, str(v)), v) for v in typing.get_args(args[0])], on_change)
    if annotation is bool:
        return ValueEditor(w.Checkbox(indent=False, description="Yes"), on_change)
    if annotation in (int, float):
        if optional:
            return optional_number(annotation, on_change)
        widget = w.IntText() if annotation is int else w.FloatText(step=0.5)
        widget.layout = w.Layout(width="140px")
        return ValueEditor(widget, on_change)
    if annotation is datetime.date:
        return ValueEditor(w.DatePicker(), on_change)
    if origin is tuple and args and args[0] in (ColumnFilter, Quota):  # short forms, separated by semicolons
        return ValueEditor(w.Text(placeholder="e.g. " + ("site=Leeds|York; performance:>=3" if args[0] is ColumnFilter
                                                         else "department:<=30%; level:>=2"),
                                  layout=w.Layout(width="420px")), on_change,
                           lambda text: tuple(i.strip() for i in text.split(";") if i.strip()),
                           lambda items: "; ".join(args[0].model_validate(i).text() for i in items or ()))
    if origin is tuple:  # free text items
        return ValueEditor(w.Text(placeholder="comma-separated", layout=w.Layout(width="420px")), on_change,
                           lambda text: tuple(i.strip() for i in text.split(",") if i.strip()),
                           lambda items: ", ".join(items or ()))
    if typing.get_origin(annotation) is typing.Annotated or annotation is str:
        if decision.id.endswith("statement"):
            return ValueEditor(w.Textarea(layout=w.Layout(width="100%", height="70px")), on_change)
        width = "140px" if decision.id.endswith("currency") else "420px"
        if optional:
            return ValueEditor(w.Text(layout=w.Layout(width=width)), on_change, lambda v: v.strip() or None,
                               lambda v: v or "")
        return ValueEditor(w.Text(layout=w.Layout(width=width)), on_change)
    raise TypeError(f"no editor for {decision.id} ({annotation!r})")


# ---------------------------------------------------------------------------------------------


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_STYLE = {"error": ("#fdecea", "#b3261e", "Problem"), "warning": ("#fff4e5", "#8a5300", "Check"),
                  "info": ("#e8f0fe", "#174ea6", "Note")}


def findings_html(findings: Sequence[Finding], *, titles: dict[str, str]) -> str:
    """The findings as HTML cards, most severe first; ``titles`` names the decisions involved."""
    if not findings:
        return "<div class='wb-finding wb-finding-ok'>No open findings: the design is consistent with the data.</div>"
    cards = []
    for finding in sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 3)):
        background, colour, label = SEVERITY_STYLE.get(finding.severity, SEVERITY_STYLE["info"])
        involved = ", ".join(titles.get(d, d) for d in finding.decisions)
        cards.append(
            f"<div class='wb-finding wb-finding-{finding.severity}' data-check='{html.escape(finding.check)}' "
            f"style='background:{background};border-left:4px solid {colour}'>"
            f"<b style='color:{colour}'>{label}: {html.escape(finding.title)}</b>"
            f"<p>{html.escape(finding.explanation)}</p><p><i>Suggested fix:</i> {html.escape(finding.fix)}</p>"
            + (f"<p class='wb-involved'>Decisions: {html.escape(involved)}</p>" if involved else "")
            + "</div>")
    return "".join(cards)


class FindingsPanel(w.VBox):
    """The consistency findings for the whole design, re-run as decisions change."""

    def __init__(self, session: DesignSession, titles: dict[str, str]) -> None:
        self.session, self.titles = session, titles
        self.summary = w.HTML()
        self.cards = w.HTML()
        super().__init__([w.HTML("<h3>Findings</h3>"), self.summary, self.cards])
        self.add_class("wb-findings")
        session.observe(self._render, names="findings")
        self._render()

    def _render(self, _change: object = None) -> None:
        counts = {s: sum(f.severity == s for f in self.session.findings) for s in SEVERITY_ORDER}
        problems, notes = counts["error"], counts["info"]
        self.summary.value = (f"<p>{problems} problem{'s' if problems != 1 else ''}, {counts['warning']} to check, "
                              f"{notes} note{'s' if notes != 1 else ''}.</p>")
        self.cards.value = findings_html(self.session.findings, titles=self.titles)


# Decisions that only apply to some designs are hidden otherwise.
SHOWN_WHEN: dict[str, Callable[[ProgramDesign], bool]] = {
    "experience.group_size": lambda d: d.experience.structure == "group",
    "experience.mentors_per_mentee": lambda d: d.experience.structure == "mosaic",
    "experience.balance": lambda d: d.experience.matching_objective == "balanced_groups",
    "experience.functional_skill": lambda d: d.experience.structure == "functional",
    "experience.sensitive_attributes": lambda d: d.experience.sensitive_opt_in or bool(d.experience.sensitive_attributes),
    "launch.pilot_size": lambda d: d.launch.rollout == "pilot",
    "launch.mentor_join_threshold": lambda d: d.launch.recruit_mentors_first,
}

GROUP_LABELS = {
    "departments": "Departments (none ticked = all)", "level_min": "Lowest level (1 = most junior)",
    "level_max": "Highest level", "min_tenure_months": "Minimum tenure (months)",
    "performance_column": "Performance column", "performance_min": "Lowest performance value",
    "budget": "Budget", "currency": "Currency (ISO code)", "coordinator_hours_per_month": "Coordinator hours a month",
    "expected_mentors": "Mentors expected to volunteer",
    "filters": "Other filters (any people column)", "method": "How the class is chosen",
    "class_size": "Class size (mentees)", "quotas": "Quotas or spread targets", "seed": "Lottery seed",
    "launch.pilot.design": "Design", "launch.pilot.places": "Places this cohort (blank = the pilot size)",
    "launch.pilot.cluster_column": "Clusters: the people column (department, site...)",
    "launch.pilot.steps": "Start steps", "launch.pilot.months_per_step": "Months between steps",
    "launch.pilot.seed": "Random seed (the same seed draws the same allocation)",
}

#: Fields of a nested decision that only apply to some of its values (keyed by path): hidden otherwise.
FIELD_SHOWN_WHEN: dict[str, Callable[[dict], bool]] = {
    "launch.pilot.places": lambda v: v.get("design") == "waitlist",
    "launch.pilot.cluster_column": lambda v: v.get("design") == "stepped_wedge",
    "launch.pilot.steps": lambda v: v.get("design") == "stepped_wedge",
    "launch.pilot.months_per_step": lambda v: v.get("design") == "stepped_wedge",
    "launch.pilot.seed": lambda v: v.get("design") != "open",
}


#: The decision cards that show each objective's minimum detectable effect (they list the objectives).
POWER_DECISIONS = ("align.objectives", "evaluate.metrics")


def power_html(power: Sequence[ObjectivePower]) -> str:
    """Each objective's minimum detectable effect, one line each, in words a sponsor understands."""
    return "".join(f"<p class='wb-model-note wb-power'><b>{html.escape(p.objective)}</b>: "
                   f"{html.escape(p.sentence())}</p>" for p in power)


class PowerNote(w.HTML):
    """What the planned cohort can detect for each objective, updated as the design changes."""

    def __init__(self, session: DesignSession) -> None:
        super().__init__()
        self.session = session
        self.add_class("wb-power-note")
        session.observe(self._render, names="power")
        self._render()

    def _render(self, _change: object = None) -> None:
        self.value = power_html(self.session.power)


class DecisionCard(w.VBox):
    """One decision: its question, the editor, and (folded) guidance, evidence and the reason chosen."""

    def __init__(self, session: DesignSession, decision: Decision, choices: dict[str, list[tuple[str, str]]]) -> None:
        self.session, self.decision = session, decision
        self.path: FieldPath = tuple(decision.id.split("."))
        self.error = w.HTML()
        self.heading = w.HTML()
        self.editor = self._build_editor(choices)
        self.rationale = w.Textarea(placeholder="Why this choice? In the client's words; it appears in the design brief.",
                                    layout=w.Layout(width="100%", height="48px"))
        self.rationale.observe(self._on_rationale, names="value")
        self.why = w.Accordion(children=[w.VBox([w.HTML(_guidance_html(decision)), self.rationale])],
                               titles=("Guidance, evidence and the reason for this choice",), selected_index=None)
        parts = [self.heading, self.editor.widget, self.error, self.why]
        if decision.id in POWER_DECISIONS:
            parts.insert(2, PowerNote(session))
        mechanism = MECHANISMS.get(decision.id)
        if mechanism is not None and not mechanism.modelled:
            parts.insert(2, w.HTML(f"<p class='wb-model-note wb-not-modelled'><b>Not quantified by the outcome "
                                   f"model.</b> {html.escape(mechanism.how)}</p>"))
        super().__init__(parts)
        self.add_class("wb-decision")
        self.add_class(f"wb-decision-{decision.id.replace('.', '-')}")
        session.observe(self._on_design, names="design")
        self.refresh()

    def _render_heading(self) -> None:
        unit = f" <span class='wb-unit'>({html.escape(self.decision.unit)})</span>" if self.decision.unit else ""
        noted = (" <span class='wb-noted'>reason recorded</span>"
                 if self.decision.id in self.session.design.rationale else "")
        self.heading.value = (f"<h4>{html.escape(self.decision.title)}{unit}{noted}</h4>"
                              f"<p class='wb-question'>{html.escape(self.decision.question)}</p>")

    def _on_design(self, _change: object = None) -> None:
        shown = SHOWN_WHEN.get(self.decision.id, lambda _d: True)(self.session.design)
        self.layout.display = None if shown else "none"
        self._render_heading()

    def _build_editor(self, choices: dict[str, list[tuple[str, str]]]) -> Editor:
        annotation = _field_type(self.path)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = annotation.model_fields
            editors = {}
            for name, info in fields.items():
                labelled = typing.get_origin(info.annotation) is typing.Literal  # the decision's options label it
                sub = Decision(id=f"{self.decision.id}.{name}", step=self.decision.step, title=name, question="",
                               guidance="", options=self.decision.options if labelled else (), evidence=(),
                               depends_on=())
                editors[name] = editor_for(sub, info.annotation, lambda _v: None, choices)
            paths = {name: f"{self.decision.id}.{name}" for name in fields}
            labels = {name: GROUP_LABELS.get(path, GROUP_LABELS.get(name, name.replace("_", " ").capitalize()))
                      for name, path in paths.items()}
            shown = {name: FIELD_SHOWN_WHEN[path] for name, path in paths.items() if path in FIELD_SHOWN_WHEN}
            return GroupEditor(editors, labels, self._on_edit, shown)
        if self.decision.id == "align.objectives":
            return ObjectivesEditor(self._on_edit, choices.get("goals", []))
        if self.decision.id == "experience.criteria":
            labels = {o.value: o.label for o in self.decision.options}
            keys = typing.get_args(typing.get_args(annotation)[0])
            return WeightsEditor(self._on_edit, [(labels.get(k, k), k) for k in keys])
        if self.decision.id == "experience.custom_criteria":
            return CriteriaEditor(self._on_edit, [(o.label, o.value) for o in self.decision.options],
                                  [column for _, column in choices.get("data:columns", [])])
        if self.decision.id == "evaluate.metrics":
            return MetricsEditor(self._on_edit)
        return editor_for(self.decision, annotation, self._on_edit, choices)

    def _on_edit(self, value: object) -> None:
        try:
            self.session.set(self.path, value)
        except ValueError as exc:
            self.error.value = f"<div class='wb-field-error' role='alert'>{html.escape(str(exc))}</div>"
        else:
            self.error.value = ""

    def _on_rationale(self, change: dict) -> None:
        self.session.set_rationale(self.decision.id, change["new"])

    def refresh(self) -> None:
        """Show the session's current value and rationale."""
        value = _get(self.session.design, self.path)
        if isinstance(self.editor, MetricsEditor):
            self.editor.objectives = [o.id for o in self.session.design.align.objectives]
        self.editor.show(value)
        self.error.value = ""
        self.rationale.unobserve(self._on_rationale, names="value")
        self.rationale.value = self.session.design.rationale.get(self.decision.id, "")
        self.rationale.observe(self._on_rationale, names="value")
        self._on_design()


def _guidance_html(decision: Decision) -> str:
    options = "".join(f"<li><b>{html.escape(o.label)}</b>: {html.escape(o.guidance)}</li>" for o in decision.options)
    evidence = "".join(f"<li>{html.escape(e.finding)} <span class='wb-source'>({html.escape(e.source)})</span></li>"
                       for e in decision.evidence)
    titles = {d.id: d.title for d in DECISIONS}
    depends = ", ".join(titles.get(d, d.removeprefix("data:").replace("_", " ") + " data") for d in decision.depends_on)
    mechanism = MECHANISMS.get(decision.id)
    model = (f"<p class='wb-model-note'><b>In the outcome model (What-if):</b> {html.escape(mechanism.how)}</p>"
             if mechanism is not None and mechanism.modelled else "")
    return (f"<p>{html.escape(decision.guidance)}</p>" + model
            + (f"<p><b>Options</b></p><ul>{options}</ul>" if options else "")
            + (f"<p><b>Evidence</b></p><ul>{evidence}</ul>" if evidence else "")
            + (f"<p class='wb-depends'><b>Depends on:</b> {html.escape(depends)}</p>" if depends else ""))


class WeightsEditor(Editor):
    """Matching criteria weights, one slider each (0 = not used)."""

    def __init__(self, on_change: Callable[[object], None], criteria: Sequence[tuple[str, str]]) -> None:
        super().__init__(on_change)
        self.sliders = {value: w.FloatSlider(min=0, max=10, step=0.5, description=label,
                                             style={"description_width": "160px"}, continuous_update=False,
                                             layout=w.Layout(width="480px"))
                        for label, value in criteria}
        for slider in self.sliders.values():
            slider.observe(self._changed, names="value")
        self.widget = w.VBox(list(self.sliders.values()))

    def get(self) -> object:
        return {key: slider.value for key, slider in self.sliders.items() if slider.value > 0}

    def _show(self, value: object) -> None:
        for key, slider in self.sliders.items():
            slider.value = float((value or {}).get(key, 0.0))


class MetricsEditor(Editor):
    """How each objective is measured: a comma-separated list of measures per objective."""

    def __init__(self, on_change: Callable[[object], None]) -> None:
        super().__init__(on_change)
        self.objectives: list[str] = []
        self.fields: dict[str, w.Text] = {}
        self.widget = w.VBox()

    def get(self) -> object:
        return {oid: tuple(m.strip() for m in field.value.split(",") if m.strip())
                for oid, field in self.fields.items() if field.value.strip()}

    def _show(self, value: object) -> None:
        value = dict(value or {})
        self.fields = {}
        for oid in self.objectives:
            field = w.Text(value=", ".join(value.get(oid, ())), description=oid, style=LABELLED,
                           placeholder="e.g. annual exit rate from HR data, exit survey",
                           layout=w.Layout(width="620px"))  # the label as wide as the objective's id
            field.observe(self._changed, names="value")
            self.fields[oid] = field
        self.widget.children = list(self.fields.values()) or [w.HTML("<i>Add objectives on the Align page first.</i>")]


#: Style of a row editor's fields: the label as wide as its words.
LABELLED = {"description_width": "initial"}


class RowsEditor(Editor):
    """A list of small records (dicts), one bordered row of widgets each, with Add and Remove."""

    add_label = "Add"

    def __init__(self, on_change: Callable[[object], None]) -> None:
        super().__init__(on_change)
        self.rows = w.VBox()
        self.add_button = w.Button(description=self.add_label, icon="plus")
        self.add_button.on_click(lambda _b: self._add())
        self.widget = w.VBox([self.rows, self.add_button])
        self._value: list[dict] = []

    def _new(self) -> dict:  # pragma: no cover - every editor overrides it
        raise TypeError(type(self).__name__)

    def _row(self, index: int, item: dict) -> w.Widget:  # pragma: no cover - every editor overrides it
        raise TypeError(type(self).__name__)

    def _field(self, index: int, widget: w.ValueWidget, key: str, to_model: Callable = lambda v: v) -> w.ValueWidget:
        """``widget`` bound to ``key`` of row ``index``."""
        def update(change: dict) -> None:
            if not self._muted:
                self._value[index][key] = to_model(change["new"])
                self._changed()
        widget.observe(update, names="value")
        return widget

    def _number(self, index: int, key: str, label: str, kind: type = float, placeholder: str = "") -> w.Text:
        """A number of row ``index`` that may be left blank, with its visible ``label``."""
        placeholder = placeholder or "not set"
        width = 40 + 8 * len(label) + 7 * max(len(placeholder), 7)  # the label and the hint in full
        return self._field(index, w.Text(value=_number_text(self._value[index].get(key)), description=label,
                                         placeholder=placeholder, style=LABELLED, layout=w.Layout(width=f"{width}px")),
                           key, lambda text: parse_number(text, kind))

    def _remove_button(self, index: int) -> w.Button:
        remove = w.Button(description="Remove", icon="trash", layout=w.Layout(width="110px"))
        remove.on_click(lambda _b: self._remove(index))
        return remove

    def _add(self) -> None:
        self._value.append(self._new())
        self._render()
        self._changed()

    def _remove(self, index: int) -> None:
        del self._value[index]
        self._render()
        self._changed()

    def _render(self) -> None:
        self._muted = True
        try:
            self.rows.children = [w.VBox(self._row(i, item), layout=w.Layout(border="1px solid #d0d7de",
                                                                            padding="6px", margin="4px 0"))
                                  for i, item in enumerate(self._value)]
        finally:
            self._muted = False

    def get(self) -> object:
        return [dict(item) for item in self._value]

    def _show(self, value: object) -> None:
        self._value = [v.model_dump(mode="python") if isinstance(v, BaseModel) else dict(v) for v in (value or ())]
        self._render()


class ObjectivesEditor(RowsEditor):
    """SMART objectives: add, edit, remove; each tied to a KPI with baseline, target and horizon."""

    KINDS = typing.get_args(Objective.model_fields["kind"].annotation)
    add_label = "Add objective"

    def __init__(self, on_change: Callable[[object], None], goals: Sequence[tuple[str, str]]) -> None:
        self.goals = list(goals)
        super().__init__(on_change)

    def _new(self) -> dict:
        taken = {o["id"] for o in self._value}
        number = next(i for i in range(1, len(taken) + 2) if f"O{i}" not in taken)
        return {"id": f"O{number}", "statement": "", "kpi": "", "kind": "other", "goal_id": None,
                "baseline": None, "target": None, "horizon_months": None}

    def _row(self, index: int, objective: dict) -> list[w.Widget]:
        field = functools.partial(self._field, index)
        goal_options = [("No goal", None), *[(label, value) for label, value in self.goals]]
        return [
            w.HBox([w.HTML(f"<b>{html.escape(objective['id'])}</b>"),
                    field(w.Text(value=objective.get("statement", ""), description="Statement", style=LABELLED,
                                 placeholder="specific, measurable, time-bound", layout=w.Layout(width="520px")),
                          "statement"), self._remove_button(index)]),
            w.HBox([field(w.Text(value=objective.get("kpi", ""), description="KPI", style=LABELLED,
                                 placeholder="KPI and unit", layout=w.Layout(width="260px")), "kpi"),
                    field(w.Dropdown(options=list(self.KINDS), value=objective.get("kind", "other"),
                                     description="Kind", style=LABELLED, layout=w.Layout(width="200px")), "kind"),
                    field(w.Dropdown(options=goal_options, value=objective.get("goal_id")
                                     if objective.get("goal_id") in {v for _, v in goal_options} else None,
                                     description="Goal", style=LABELLED, layout=w.Layout(width="260px")),
                          "goal_id")]),
            w.HBox([self._number(index, "baseline", "Baseline"), self._number(index, "target", "Target"),
                    self._number(index, "horizon_months", "Horizon", int, "months")]),
            w.HBox([field(w.Text(value=_filters_text((objective.get("scope") or {}).get("filters", ())),
                                 description="Measured on", style=LABELLED, placeholder="everyone, or e.g. "
                                 "department=Engineering; level:>=1,<=2", layout=w.Layout(width="520px")),
                          "scope", lambda text, i=index: {**(self._value[i].get("scope") or {}), "filters": tuple(
                              p.strip() for p in text.split(";") if p.strip())}),
                    field(w.Text(value=_filters_text([objective["group"]] if objective.get("group") else ()),
                                 description="Group", style=LABELLED, placeholder="representation: gender=woman",
                                 layout=w.Layout(width="300px")), "group", lambda text: text.strip() or None)]),
            w.HTML("<span class='wb-hint'>" + html.escape(_scope_words(objective.get("scope"))) + "</span>"),
        ]


def _filters_text(filters) -> str:
    """Column filters in their short form, separated by semicolons (a filter that does not read is shown as typed)."""
    def text(item) -> str:
        try:
            return ColumnFilter.model_validate(item).text()
        except ValueError:
            return str(item)
    return "; ".join(text(f) for f in filters or ())


def _scope_words(scope: dict | None) -> str:
    try:
        return "Measured on: " + scope_text(Eligibility.model_validate(scope or {}))
    except ValueError as error:
        return f"The scope does not read: {error}"


class CriteriaEditor(RowsEditor):
    """Criteria of the design's own: name, words, kind, column(s), scale and weight, each row one criterion.

    ``columns`` lists the columns the workspace's people and enrolment tables
    have, as a hint; a criterion may name another (the findings then say the
    data lacks it).
    """

    add_label = "Add criterion"

    def __init__(self, on_change: Callable[[object], None], kinds: Sequence[tuple[str, str]],
                 columns: Sequence[str] = ()) -> None:
        self.kinds, self.columns = list(kinds), list(columns)
        super().__init__(on_change)
        if self.columns:
            self.widget.children = [*self.widget.children, w.HTML(
                "<p class='wb-hint'>Columns in the data: " + html.escape(", ".join(self.columns)) + "</p>")]

    def _new(self) -> dict:
        taken = {c["name"] for c in self._value}
        number = next(i for i in range(1, len(taken) + 2) if f"criterion_{i}" not in taken)
        return {"name": f"criterion_{number}", "label": "", "kind": "same", "columns": (), "scale": None,
                "weight": 1.0}

    def _row(self, index: int, criterion: dict) -> list[w.Widget]:
        field = functools.partial(self._field, index)
        return [
            w.HBox([field(w.Text(value=criterion["name"], description="Name", style=LABELLED,
                                 layout=w.Layout(width="260px")), "name"),
                    field(w.Text(value=criterion.get("label", ""), description="Words shown", style=LABELLED,
                                 placeholder="optional", layout=w.Layout(width="300px")), "label"),
                    self._remove_button(index)]),
            w.HBox([field(w.Dropdown(options=self.kinds, value=criterion["kind"], description="Kind", style=LABELLED,
                                     layout=w.Layout(width="240px")), "kind"),
                    field(w.Text(value=", ".join(criterion.get("columns", ())), description="Columns",
                                 style=LABELLED, placeholder="comma-separated", layout=w.Layout(width="300px")),
                          "columns", lambda text: tuple(c.strip() for c in text.split(",") if c.strip())),
                    self._number(index, "scale", "Scale", float, "distance / similarity")]),
            field(w.FloatSlider(value=float(criterion.get("weight", 1.0)), min=0, max=10, step=0.5,
                                description="Weight", style=LABELLED, continuous_update=False,
                                layout=w.Layout(width="480px")),
                  "weight"),
        ]


# ---------------------------------------------------------------------------------------------


def data_choices(workspace: Workspace, tables: dict[str, pd.DataFrame]) -> dict[str, list[tuple[str, str]]]:
    """Options that come from the workspace's data, by decision id."""
    people = tables.get("people", pd.DataFrame())
    departments = sorted(set(people["department"])) if "department" in people else []
    goals = tables.get("goals", pd.DataFrame())
    goal_options = ([(f"{row.goal_id}: {row.name}", row.goal_id) for row in goals.itertuples()]
                    if {"goal_id", "name"} <= set(goals.columns) else [])
    skills = tables.get("skills", pd.DataFrame())
    skill_options = ([(row.name, row.skill_id) for row in skills.itertuples()]
                     if {"skill_id", "name"} <= set(skills.columns) else [])
    sensitive = [(c.replace("_", " "), c) for c in workspace.settings.sensitive]
    columns = sorted({c for name in ("people", "enrolment") for c in tables.get(name, pd.DataFrame()).columns} - {
        "person_id", "role", "capacity", "cohort", "name", "email", "manager_id"})
    choices: dict[str, list[tuple[str, str]]] = {
        "align.goal_ids": goal_options,
        "align.focus_skills": skill_options,
        "experience.sensitive_attributes": sensitive,
        "goals": goal_options,
        "data:columns": [(c, c) for c in columns],
    }
    for group in ("align.mentee_eligibility", "align.mentor_eligibility"):
        choices[f"{group}.departments"] = [(d, d) for d in departments]
    return {key: value for key, value in choices.items() if value or key == "experience.sensitive_attributes"}


class BriefDownload(w.VBox):
    """Prepare the design brief (HTML or Markdown) of the design as shown, as download links."""

    def __init__(self, session: DesignSession) -> None:
        self.session = session
        self.button = w.Button(description="Prepare the design brief", icon="file-text", layout=w.Layout(width="auto"))
        self.links = w.HTML()
        self.notice = Notice()
        self.button.on_click(self._on_prepare)
        super().__init__([w.HBox([self.button, self.links]), self.notice])
        self.add_class("wb-brief")

    @guarded("prepare the design brief", button="button")
    def _on_prepare(self, _button: w.Button) -> None:
        # The brief pulls in every analysis and chart; only a press of this button needs it,
        # so the design pages' kernels start without them (about 90 MB less each).
        from workbench.reports.brief import brief_html, brief_markdown, default_charts
        from workbench.reports.sections import default_sections

        session = self.session
        findings, power = session.findings, session.power
        if not session.with_power:
            power = objective_power(session.design, session.tables, sensitive=session.workspace.settings.sensitive)
            findings = with_power_findings(findings, power)
        document = brief_html(session.workspace, session.design, findings,
                              charts=default_charts(session.workspace),
                              extra_sections=default_sections(session.workspace, session.design), power=power)
        text = brief_markdown(session.workspace, session.design, findings,
                              extra_sections=default_sections(session.workspace, session.design, format="md"),
                              power=power)
        stem = re.sub(r"[^\w-]+", "-", session.design.name).strip("-").lower() or "design"
        self.links.value = (download_link(document, f"{stem}-brief.html", "text/html", "Download the brief (HTML)")
                            + " " + download_link(text, f"{stem}-brief.md", "text/markdown", "Markdown"))
        if session.dirty:
            self.notice.show("The brief includes changes that are not saved yet.", "warning")


class DesignPage(w.VBox):
    """A design page for some AXLES steps: decision cards, live findings, save and undo."""

    def __init__(self, context: PageContext, steps: Sequence[str]) -> None:
        # the pages that show objectives show what the cohort can detect of them (see POWER_DECISIONS)
        self.session = DesignSession(context.workspace, power=bool({"align", "evaluate"} & set(steps)))
        self.context = context
        choices = data_choices(context.workspace, self.session.tables)
        self.cards: list[DecisionCard] = []
        sections = []
        for step in steps:
            cards = [DecisionCard(self.session, d, choices) for d in decisions_for(step)]
            self.cards.extend(cards)
            sections.append(w.VBox([w.HTML(f"<h2>{html.escape(STEP_TITLES[step])}</h2>"), *cards]))
        self.findings = FindingsPanel(self.session, {d.id: d.title for d in DECISIONS})
        self.published = published_mode()
        self.save_button = self.undo_button = self.reapply_button = None
        if not self.published:
            self.save_button = w.Button(description="Save design", button_style="primary", icon="save")
            self.undo_button = w.Button(description="Undo last design save", icon="undo", layout=w.Layout(width="auto"),
                                        tooltip="Puts back this program's design as it was before its latest save; "
                                                "other pages' saves stay")
            self.save_button.on_click(self._on_save)
            self.undo_button.on_click(self._on_undo)
            self.reapply_button = w.Button(description="Reload and re-apply my changes", icon="code-fork",
                                           layout=w.Layout(display="none", width="auto"))
            self.reapply_button.on_click(self._on_reapply)
        self.reload_button = w.Button(description="Discard changes", icon="refresh")
        self.status = w.HTML()
        self.notice = Notice()
        self.reload_button.on_click(self._on_reload)
        self.session.observe(self._on_dirty, names="dirty")
        writes = [] if self.published else [self.save_button, self.undo_button, self.reapply_button]
        bar = w.HBox([*writes, self.reload_button, self.status])
        bar.add_class("wb-savebar")
        form = w.VBox(sections, layout=w.Layout(flex="1 1 auto", min_width="0"))
        side = w.VBox([self.findings], layout=w.Layout(flex="0 0 340px"))
        side.add_class("wb-side")
        body = w.HBox([form, side])
        body.add_class("wb-row")
        self.brief = BriefDownload(self.session)
        super().__init__([bar, self.notice, body, w.HTML("<h3>Design brief</h3><p>A document of the whole design "
                                                          "with the reasons, the evidence and the open findings. It "
                                                          "opens offline and prints to PDF.</p>"), self.brief])
        self.add_class("wb-design")
        self._on_dirty()

    def _on_dirty(self, _change: object = None) -> None:
        if self.published:
            self.status.value = ("<span class='wb-unsaved'>Changed here only: this published view saves nothing"
                                 "</span>" if self.session.dirty else "<span class='wb-saved'>The saved design</span>")
            return
        self.status.value = ("<span class='wb-unsaved'>Unsaved changes</span>" if self.session.dirty
                             else "<span class='wb-saved'>Saved (design revision "
                                  f"{self.session.design_revision})</span>")

    def _refresh_cards(self) -> None:
        for card in self.cards:
            card.refresh()

    @guarded("save the design", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        try:
            self.session.save()
        except StaleWorkspaceError as exc:
            self.reapply_button.layout.display = None
            raise WorkbenchError(f"{exc} Your changes are still on this page: press '{self.reapply_button.description}'"
                                 " to take the latest saved design and make them again on top of it (then Save), "
                                 f"or '{self.reload_button.description}' to drop them.") from None
        self.reapply_button.layout.display = "none"
        self.context.workspace = self.session.workspace
        self._on_dirty()
        self.notice.show("Design saved. Other pages show it when opened or reloaded.", "success")

    @guarded("re-apply the changes", button="reapply_button")
    def _on_reapply(self, _button: w.Button) -> None:
        titles = {tuple(d.id.split(".")): d.title for d in DECISIONS}
        both = [titles.get(path[:2], " > ".join(str(p).replace("_", " ") for p in path))
                for path in self.session.reapply()]
        self.reapply_button.layout.display = "none"
        self._refresh_cards()
        self._on_dirty()
        also = (f" Changed elsewhere too, now with your value: {'; '.join(dict.fromkeys(both))}." if both else "")
        self.notice.show("Showing the latest saved design with your changes made again on top of it; nothing is "
                         f"saved until you press Save.{also}", "info")

    @guarded("undo the last save", button="undo_button")
    def _on_undo(self, _button: w.Button) -> None:
        what = self.session.undo()
        self.context.workspace = self.session.workspace
        self._refresh_cards()
        self._on_dirty()
        self.notice.show(f"Undone: {what}.", "success")

    @guarded("reload the design", button="reload_button")
    def _on_reload(self, _button: w.Button) -> None:
        if self.reapply_button is not None:
            self.reapply_button.layout.display = "none"
        self.session.reload()
        self._refresh_cards()
        self._on_dirty()
        self.notice.show("Showing the design as last saved.", "info")


STEP_TITLES = {"align": "Align", "experience": "eXperience", "launch": "Launch", "evaluate": "Evaluation plan",
               "support": "Support"}
