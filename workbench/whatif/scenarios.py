"""Scenarios: the program design with some settings and model parameters changed, saved in the workspace.

A :class:`Scenario` names a set of **overrides** (design settings, see
:data:`SETTINGS`) and **parameters** (outcome-model parameters, see
:data:`workbench.simulate.PARAMETERS`), and optionally its own ``runs`` and
``seed``. :func:`apply_scenario` applies the overrides to a
:class:`~workbench.design.model.ProgramDesign` and validates the result, so a
wrong value is reported with the setting's name. The design itself is the
scenario called ``"design"`` (:data:`BASELINE`).

Two settings are not fields of the design:

* ``cohort_size`` resizes the **matched cohort** (not the enrolment): when
  smaller, a seeded sample of the matched mentees without replacement; when
  larger, every matched mentee plus a seeded sample with replacement. The
  mix of match scores, skill needs and exit hazards is kept; mentors and
  unmatched mentees scale in proportion. The sample depends only on the seed
  and the size, so scenarios of the same size share it.
* ``horizon_months`` is how long outcomes are followed (1-60 months; default
  the longer of 12 months and the program).

Scenarios are saved as YAML files ``scenarios/<slug>.yaml`` in the workspace
(:func:`save_scenario`, :func:`delete_scenario`: undoable, revision checked)::

    name: Shorter and weekly
    description: Six months, weekly meetings
    overrides: {duration_months: 6, cadence: weekly}
    parameters: {turnover_reduction: 0.3}
    runs: 2000        # optional
    seed: 7           # optional
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import ValidationError

from workbench.design.model import Constraints, Criterion, Evaluate, Experience, ProgramDesign, Support
from workbench.errors import WorkbenchError
from workbench.simulate.parameters import PARAMETERS, resolve
from workbench.workspace import Workspace, save_files

SCENARIO_FOLDER = "scenarios"
#: The name of the scenario that is the design itself.
BASELINE_NAME = "design"
#: The most runs a scenario may ask for.
MAX_RUNS = 1_000_000
#: Largest ``cohort_size``.
MAX_COHORT = 1_000_000

#: Longest scenario name (generated sweep names can be long).
MAX_NAME = 200
_NAME = re.compile(r"^[^\x00-\x1f/\\]{1,%d}$" % MAX_NAME)


@dataclass(frozen=True)
class Setting:
    """A setting a scenario may override.

    ``path`` is where it lives in the design (``None`` for the two that are
    not design fields), ``kind`` is ``int``, ``float``, ``choice`` or
    ``mapping``, ``low``/``high`` the allowed range (numbers), ``choices``
    the allowed values, ``matching`` whether changing it changes who is
    matched with whom (the cohort is re-matched).
    """

    name: str
    path: tuple[str, ...] | None
    kind: str
    description: str
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    matching: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float")


def weight_setting(criterion: str) -> str:
    """The name of the setting that holds a matching criterion's weight (0-10): ``weight.<criterion>``.

    >>> weight_setting("skills")
    'weight.skills'
    """
    return f"weight.{criterion}"


def weight_criterion(name: str) -> str | None:
    """The matching criterion whose weight setting ``name`` is (``"weight.skills"`` -> ``"skills"``), or ``None``
    when ``name`` is not a weight setting (:func:`weight_setting` makes the names)."""
    prefix, dot, criterion = name.partition(".")
    return criterion if prefix == "weight" and dot else None


_MODELS = {"experience": Experience, "constraints": Constraints, "evaluate": Evaluate, "support": Support}


def _field(path: tuple[str, ...], name: str, description: str, matching: bool = False) -> Setting:
    """A setting read off the design model: kind, range and choices from the field's type and bounds."""
    info = _MODELS[path[-2]].model_fields[path[-1]]
    annotation = info.annotation
    if get_origin(annotation) in (Union, UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
    if get_origin(annotation) is Literal:
        return Setting(name, path, "choice", description, choices=get_args(annotation), matching=matching)
    if annotation is bool:
        return Setting(name, path, "choice", description, choices=(False, True), matching=matching)
    kind = "int" if annotation is int else "float"
    return Setting(name, path, kind, description, low=low, high=high, matching=matching)


def _settings() -> dict[str, Setting]:
    exp = ("experience",)
    items = [
        _field((*exp, "structure"), "structure", "program structure (one-on-one, group, peer, ...)", True),
        Setting("cohort_size", None, "int", "participants: the matched cohort resampled to this size (see the "
                                            "module docstring)", low=1, high=MAX_COHORT),
        _field((*exp, "mentor_capacity"), "mentor_capacity", "most mentees one mentor takes", True),
        _field((*exp, "group_size"), "group_size", "mentees per mentor in group mentoring", True),
        _field((*exp, "mentors_per_mentee"), "mentors_per_mentee", "mentors per mentee in mosaic mentoring", True),
        _field((*exp, "duration_months"), "duration_months", "program length in months"),
        _field((*exp, "cadence"), "cadence", "how often pairs meet"),
        _field((*exp, "meeting_minutes"), "meeting_minutes", "length of a meeting in minutes"),
        _field((*exp, "matching_method"), "matching_method", "who makes the matches", True),
        _field((*exp, "matching_objective"), "matching_objective", "what the matching optimises", True),
        Setting("weights", (*exp, "criteria"), "mapping", "all matching criteria weights (criterion -> 0-10)",
                matching=True),
        _field((*exp, "mentor_training_hours"), "mentor_training_hours", "training hours per mentor (each hour "
                                                                         "adds less than the one before)"),
        _field((*exp, "mentee_training_hours"), "mentee_training_hours", "training hours per mentee (each hour "
                                                                         "adds less than the one before)"),
        _field((*exp, "goal_setting"), "goal_setting", "pairs set goals at the start"),
        _field((*exp, "agreement"), "agreement", "pairs sign a mentoring agreement"),
        _field((*exp, "session_guides"), "session_guides", "pairs get session guides"),
        _field(("support", "mentor_hours_per_month"), "mentor_hours_per_month",
               "hours a month each mentor is given for mentoring"),
        _field(("support", "check_in"), "check_in", "how often the coordinator checks in with pairs"),
        _field(("support", "inactivity_days"), "inactivity_days", "days without a meeting before a pair is closed"),
        _field(("align", "constraints", "coordinator_hours_per_month"), "coordinator_hours_per_month",
               "coordinator hours a month for the program (blank: as many as needed)"),
        _field(("align", "constraints", "budget"), "budget", "total program budget (currency units)"),
        _field(("support", "rematching"), "rematching", "no-fault re-matching of closed pairs"),
        _field(("evaluate", "average_salary"), "average_salary", "average annual salary (currency units)"),
        _field(("evaluate", "replacement_cost_multiple"), "replacement_cost_multiple",
               "cost of replacing a leaver, in annual salaries"),
        Setting("horizon_months", None, "int", "months outcomes are followed", low=1, high=60),
    ]
    items += [Setting(weight_setting(c), (*exp, "criteria", c), "float", f"weight of the {c} matching criterion",
                      low=0, high=10, matching=True) for c in get_args(Criterion)]
    return {s.name: s for s in items}


#: Every setting a scenario may override, by name.
SETTINGS: dict[str, Setting] = _settings()


def _check_setting(name: str, value: Any) -> Any:
    """``value`` checked against what the setting takes (type, choices, range), or a WorkbenchError naming it."""
    if name not in SETTINGS:
        raise WorkbenchError(f"Unknown setting {name!r}. Settings: {', '.join(SETTINGS)}; model parameters go "
                             f"under 'parameters'.")
    s = SETTINGS[name]
    if s.kind == "choice":
        if value not in s.choices:
            raise WorkbenchError(f"Setting {name!r} cannot be {value!r}; choose one of: {', '.join(s.choices)}.")
        return value
    if s.kind == "mapping":
        if not isinstance(value, Mapping):
            raise WorkbenchError(f"Setting {name!r} must map criteria to weights, not {value!r}.")
        return {str(k): _check_setting(weight_setting(k), v) if weight_setting(k) in SETTINGS else _unknown_criterion(k)
                for k, v in value.items()}
    if name in ("budget", "coordinator_hours_per_month") and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise WorkbenchError(f"Setting {name!r} must be a number, not {value!r}.")
    if s.kind == "int":
        if float(value) != int(value):
            raise WorkbenchError(f"Setting {name!r} must be a whole number, not {value!r}.")
        value = int(value)
    else:
        value = float(value)
    if (s.low is not None and value < s.low) or (s.high is not None and value > s.high):
        bounds = f"{s.low:g} to {s.high:g}" if s.high is not None else f"at least {s.low:g}"
        raise WorkbenchError(f"Setting {name!r} = {value:g} is outside its range ({bounds}).")
    return value


def _unknown_criterion(name: str):
    raise WorkbenchError(f"Unknown matching criterion {name!r} in 'weights'; criteria: "
                         f"{', '.join(get_args(Criterion))}.")


@dataclass(frozen=True)
class Scenario:
    """A named variation of the design: ``overrides`` (setting -> value), ``parameters`` (model parameters).

    ``runs`` and ``seed``, when given, replace the ones of the call that runs
    it. ``stream`` names the random stream (default: the name): scenarios with
    the same stream and seed share their random numbers (common random
    numbers), which is how sensitivity analyses compare like with like.
    Values are checked when the scenario is made (names, types, ranges); the
    design as a whole when it is applied (:func:`apply_scenario`). Treat the
    dictionaries as read-only; :meth:`with_changes` makes a changed copy.
    """

    name: str
    overrides: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)
    runs: int | None = None
    seed: int | None = None
    description: str = ""
    stream: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name.strip()) or not self.name.strip():
            raise WorkbenchError(f"{self.name!r} cannot name a scenario: use 1-{MAX_NAME} characters, no "
                                 "slashes.")
        object.__setattr__(self, "name", self.name.strip())
        if not isinstance(self.overrides, Mapping) or not isinstance(self.parameters, Mapping):
            raise WorkbenchError(f"Scenario {self.name!r}: overrides and parameters must be mappings.")
        try:
            overrides = {str(k): _check_setting(str(k), v) for k, v in self.overrides.items()}
            resolve(self.parameters)
        except WorkbenchError as exc:
            raise WorkbenchError(f"Scenario {self.name!r}: {exc}") from None
        object.__setattr__(self, "overrides", overrides)
        object.__setattr__(self, "parameters", {str(k): float(v) for k, v in self.parameters.items()})
        for label, value, low, high in (("runs", self.runs, 2, MAX_RUNS), ("seed", self.seed, 0, 2**63 - 1)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not low <= value <= high):
                raise WorkbenchError(f"Scenario {self.name!r}: {label} must be a whole number from {low:,} to "
                                     f"{high:,}, not {value!r}.")
        if self.name == BASELINE_NAME and (self.overrides or self.parameters):
            raise WorkbenchError(f"The name {BASELINE_NAME!r} is the design itself; give the scenario another name.")

    @property
    def slug(self) -> str:
        return scenario_slug(self.name)

    @property
    def stream_name(self) -> str:
        return self.stream or self.name

    def with_changes(self, *, name: str | None = None, overrides: Mapping | None = None,
                     parameters: Mapping | None = None, stream: str | None = None) -> "Scenario":
        """A copy with ``overrides`` and ``parameters`` added (replacing the same names)."""
        return Scenario(name=name or self.name, overrides={**self.overrides, **dict(overrides or {})},
                        parameters={**self.parameters, **dict(parameters or {})}, runs=self.runs, seed=self.seed,
                        description=self.description, stream=stream if stream is not None else self.stream)

    def to_dict(self) -> dict:
        """Plain data, as saved (empty and unset fields left out)."""
        data: dict = {"name": self.name}
        if self.description:
            data["description"] = self.description
        data["overrides"] = dict(self.overrides)
        data["parameters"] = dict(self.parameters)
        for key in ("runs", "seed", "stream"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


#: The design itself, unchanged.
BASELINE = Scenario(BASELINE_NAME)


def scenario_slug(name: str) -> str:
    """The file name stem of a scenario: lower case letters, digits and single dashes (at most 80)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80].strip("-")
    return slug or "scenario"


def short_name(label: str) -> str:
    """``label`` as a scenario name: itself when short enough, else cut and made unique by a hash of the whole."""
    if len(label) <= MAX_NAME:
        return label
    import hashlib

    return f"{label[:MAX_NAME - 11].rstrip()} #{hashlib.sha256(label.encode('utf-8')).hexdigest()[:8]}"


def model_parameter_or_setting(name: str) -> str:
    """``"parameter"`` or ``"setting"``: where ``name`` goes in a scenario; a WorkbenchError when neither."""
    if name in PARAMETERS:
        return "parameter"
    if name in SETTINGS:
        return "setting"
    raise WorkbenchError(f"{name!r} is neither a setting ({', '.join(SETTINGS)}) nor a model parameter "
                         f"({', '.join(PARAMETERS)}).")


# --------------------------------------------------------------------------
# Applying a scenario to a design


def apply_scenario(design: ProgramDesign, scenario: Scenario) -> ProgramDesign:
    """The design with the scenario's overrides (settings that are not design fields are left out).

    The changed design is validated as a whole; a value the design refuses
    (say a group size below 2, or seniority rules that no longer fit) is
    reported with the setting that set it.
    """
    if not scenario.overrides:
        return design
    data = design.model_dump(mode="python")
    setters: dict[tuple, str] = {}
    for name, value in sorted(scenario.overrides.items(), key=lambda item: SETTINGS[item[0]].kind != "mapping"):
        path = SETTINGS[name].path
        if path is None:
            continue
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = dict(value) if isinstance(value, Mapping) else value
        setters[path] = name
    try:
        return ProgramDesign.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = tuple(str(p) for p in error["loc"])
            name = next((setters[loc[:k]] for k in range(len(loc), 0, -1) if loc[:k] in setters),
                        ".".join(loc) or "the design")
            lines.append(f"{name}: {error['msg'][0].lower()}{error['msg'][1:]}")
        raise WorkbenchError(f"Scenario {scenario.name!r} makes the design invalid: " + "; ".join(lines) + ".") \
            from None


def setting_value(design: ProgramDesign, name: str, scenario: Scenario | None = None) -> Any:
    """The value of setting or model parameter ``name`` in ``design`` under ``scenario`` (its default if unset)."""
    scenario = scenario or BASELINE
    if name in PARAMETERS:
        return scenario.parameters.get(name, PARAMETERS[name].default)
    if name in scenario.overrides:
        return scenario.overrides[name]
    setting = SETTINGS[name]
    if setting.path is None:
        return None
    value: Any = design.model_dump(mode="python")
    for part in setting.path:
        value = value.get(part) if isinstance(value, dict) else None
    if weight_criterion(name) is not None and value is None:
        return 0.0
    return value


# --------------------------------------------------------------------------
# Saved scenarios


def scenario_to_yaml(scenario: Scenario) -> str:
    """The YAML text of ``scenarios/<slug>.yaml``."""
    return yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True, width=100)


def scenario_from_yaml(text: str, *, source: str = "scenario") -> Scenario:
    """Parse and check a saved scenario; errors name the file and the field."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):  # RecursionError: nested too deeply
        raise WorkbenchError(f"{source}: not valid YAML.") from None
    if not isinstance(data, dict):
        raise WorkbenchError(f"{source}: expected a mapping with name, overrides and parameters.")
    unknown = set(data) - {"name", "description", "overrides", "parameters", "runs", "seed", "stream"}
    if unknown:
        raise WorkbenchError(f"{source}: unknown field{'s' if len(unknown) > 1 else ''} "
                             f"{', '.join(sorted(map(str, unknown)))}.")
    try:
        return Scenario(name=data.get("name"), overrides=data.get("overrides") or {},
                        parameters=data.get("parameters") or {}, runs=data.get("runs"), seed=data.get("seed"),
                        description=str(data.get("description") or ""), stream=data.get("stream"))
    except WorkbenchError as exc:
        raise WorkbenchError(f"{source}: {exc}") from None


def _path(name: str) -> str:
    return f"{SCENARIO_FOLDER}/{scenario_slug(name)}.yaml"


def _saved(workspace: Workspace) -> list[tuple[str, Scenario]]:
    folder = workspace.files / SCENARIO_FOLDER
    if not folder.is_dir():
        return []
    return [(f"{SCENARIO_FOLDER}/{p.name}",
             scenario_from_yaml(p.read_text(encoding="utf-8"), source=f"{SCENARIO_FOLDER}/{p.name}"))
            for p in sorted(folder.glob("*.yaml"))]


def _find(workspace: Workspace, name: str) -> tuple[str, Scenario] | None:
    """The saved scenario called ``name``, else the one whose file or name has that slug."""
    saved = _saved(workspace)
    for path, scenario in saved:
        if scenario.name == name.strip():
            return path, scenario
    slug = scenario_slug(name)
    for path, scenario in saved:
        if scenario.slug == slug or Path(path).stem == slug:
            return path, scenario
    return None


def list_scenarios(workspace: Workspace) -> list[Scenario]:
    """The scenarios saved in the workspace, by name (the design itself, :data:`BASELINE`, is not among them)."""
    return sorted((scenario for _, scenario in _saved(workspace)), key=lambda s: s.name.lower())


def scenario_names(workspace: Workspace) -> list[str]:
    """``"design"`` and the names of the saved scenarios."""
    return [BASELINE_NAME] + [s.name for s in list_scenarios(workspace)]


def load_scenario(workspace: Workspace, name: str) -> Scenario:
    """The scenario called ``name`` (or with that slug); ``"design"`` is the design itself."""
    if name.strip() == BASELINE_NAME:
        return BASELINE
    found = _find(workspace, name)
    if found is None:
        raise WorkbenchError(f"The workspace {workspace.name!r} has no scenario called {name!r}; scenarios: "
                             f"{', '.join(scenario_names(workspace))}.")
    return found[1]


def save_scenario(workspace: Workspace, scenario: Scenario, *, replace: bool = True) -> Workspace:
    """Save ``scenario`` in ``scenarios/`` (one undoable, revision-checked save); returns the workspace as saved.

    A new scenario goes to ``scenarios/<slug>.yaml``; one saved before keeps
    its file. A different scenario whose name has the same slug is refused;
    so is one of the same name when ``replace`` is false.
    """
    if scenario.name == BASELINE_NAME:
        raise WorkbenchError(f"{BASELINE_NAME!r} is the design itself: save the design instead.")
    found = _find(workspace, scenario.name)
    path = _path(scenario.name)
    if found is not None:
        path, existing = found
        if existing.name != scenario.name:
            raise WorkbenchError(f"The scenario {existing.name!r} is already saved as {path}; choose a name that "
                                 f"differs in more than punctuation or case.")
        if not replace:
            raise WorkbenchError(f"A scenario called {scenario.name!r} already exists.")
    return save_files(workspace, {path: scenario_to_yaml(scenario)}, message=f"save the scenario {scenario.name!r}")


def delete_scenario(workspace: Workspace, name: str) -> Workspace:
    """Remove the saved scenario ``name`` (undoable)."""
    if name.strip() == BASELINE_NAME:
        raise WorkbenchError(f"{BASELINE_NAME!r} is the design itself and cannot be deleted.")
    found = _find(workspace, name)
    if found is None:
        load_scenario(workspace, name)  # raises, listing the scenarios there are
    path, scenario = found
    return save_files(workspace, {path: None}, message=f"delete the scenario {scenario.name!r}")
