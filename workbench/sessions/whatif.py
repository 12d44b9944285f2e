"""What the What-if page holds and computes, without widgets: :class:`WhatIfSession`.

The session holds the design and the tables, the saved scenarios and the one
open in the editor, the edited scenario's settings and model parameters as
values, which scenarios are compared against which baseline with how many
runs and which seed, and every result the page shows (the comparison, the
sweep, the tornado, what it would take, the designs found, the forecast of
all programs) and whether a comparison is saved for the brief. Its methods
build the edited scenario from the values (a :class:`WorkbenchError` says
what is wrong with a value), save and delete scenarios, apply the rule on how
many are compared, and run each calculation as a plain method taking
``progress`` and ``cancel`` (the page runs them in the background through its
``Job``; the session starts no thread). Figures are in the units of
:data:`workbench.simulate.KPIS` (shares as 0-1, money in the design's
currency, durations in months).
"""

from __future__ import annotations

import dataclasses
import datetime
import threading
import typing
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import traitlets

from workbench.data.importing import typed_tables
from workbench.design.catalogue import decision
from workbench.design.model import Criterion
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.matching.names import CRITERION_LABELS
from workbench.privacy import published_mode
from workbench.programs import load_programs, program_ids, scoped_tables
from workbench.simulate import KPIS, PARAMETERS
from workbench.simulate.mechanisms import LEVERS
from workbench.whatif import (
    BASELINE,
    MAX_COMPARED,
    OBJECTIVE_KPI,
    SETTINGS,
    Answer,
    Optimisation,
    ProgramsForecast,
    SavedComparison,
    Scenario,
    ScenarioRuns,
    apply_scenario,
    budget_check,
    comparison_table,
    delete_scenario,
    frontier,
    list_scenarios,
    objective_target,
    optimise,
    run_scenarios,
    save_comparison,
    save_scenario,
    saved_comparison,
    setting_value,
    simulate_programs,
    sweep,
    tornado,
    weight_criterion,
    weight_setting,
    what_would_it_take,
)
from workbench.whatif.analysis import result_row
from workbench.whatif.saved import SAVED_COMPARISON
from workbench.workspace import Workspace, reread

__all__ = ["WhatIfSession", "cancelled", "entry_value", "parameter_label", "setting_label"]

#: A calculation's progress callback: ``(steps done, steps in all, what is under way)``.
Progress = Callable[[int, int, str], None]

#: The picker's value for a scenario not saved yet.
NEW = "__new__"
#: The scenario being edited, compared without saving it (published app).
EDITED = "__edited__"
#: The goal "a target I set for one figure" (else an objective's id).
KPI_TARGET = "__kpi__"
BASELINE_NAME = BASELINE.name
#: Runs per scenario offered; 1,000 keeps a comparison to a second or two for a cohort of a few hundred.
RUN_CHOICES = (200, 500, 1_000, 2_000, 5_000, 10_000)
DEFAULT_RUNS = 1_000
#: Impact measures offered for the cost-against-impact chart.
IMPACTS = ("exits", "retention", "promotion", "skill_gap_closed")
#: Settings shown in the editor, by group (weights follow the matching ones).
PROGRAM_SETTINGS = ("structure", "cohort_size", "mentor_capacity", "group_size", "mentors_per_mentee",
                    "duration_months", "cadence", "meeting_minutes", "mentor_training_hours",
                    "mentee_training_hours", "goal_setting", "agreement", "session_guides", "horizon_months")
#: Support settings shown in the editor.
SUPPORT_SETTINGS = ("mentor_hours_per_month", "check_in", "coordinator_hours_per_month", "inactivity_days",
                    "rematching")
MATCHING_SETTINGS = ("matching_method", "matching_objective")
MONEY_SETTINGS = ("budget", "average_salary", "replacement_cost_multiple")
#: Settings that may be left blank (the design or the model then decides): entered as text.
OPTIONAL = ("cohort_size", "horizon_months", "budget", "average_salary", "coordinator_hours_per_month")
#: Choice settings and the catalogue decision their labels come from.
CHOICE_DECISIONS = {"structure": "experience.structure", "cadence": "experience.cadence",
                    "rematching": "support.rematching", "matching_method": "experience.matching_method",
                    "matching_objective": "experience.matching_objective", "check_in": "support.check_in"}
#: Plain label and unit of each setting ("{currency}" is the design's currency).
SETTING_LABELS = {
    "structure": ("Structure", ""),
    "cohort_size": ("Participants", "people"),
    "mentor_capacity": ("Mentor capacity", "mentees per mentor"),
    "group_size": ("Group size", "mentees per group"),
    "mentors_per_mentee": ("Mentors per mentee", "mentors"),
    "duration_months": ("Duration", "months"),
    "cadence": ("Meetings", ""),
    "meeting_minutes": ("Meeting length", "minutes"),
    "mentor_training_hours": ("Mentor training", "hours"),
    "mentee_training_hours": ("Mentee training", "hours"),
    "rematching": ("Re-matching", ""),
    "goal_setting": ("Goal setting", ""),
    "agreement": ("Mentoring agreement", ""),
    "session_guides": ("Session guides", ""),
    "mentor_hours_per_month": ("Mentor time given", "hours a month"),
    "check_in": ("Check-ins", ""),
    "coordinator_hours_per_month": ("Coordinator time", "hours a month"),
    "inactivity_days": ("Close quiet pairs after", "days without a meeting"),
    "horizon_months": ("Follow outcomes for", "months"),
    "matching_method": ("Matching method", ""),
    "matching_objective": ("Matching objective", ""),
    "budget": ("Budget", "{currency}"),
    "average_salary": ("Average salary", "{currency} a year"),
    "replacement_cost_multiple": ("Cost of replacing a leaver", "annual salaries"),
}


def number_text(value: object) -> str:
    """A setting's value as the page writes it (``1,500``, ``0.25``, ``not set`` for ``None``)."""
    if value is None:
        return "not set"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def parameter_label(name: str) -> str:
    """A model parameter's name in words (``turnover_reduction`` -> ``Turnover reduction``)."""
    return name.replace("_", " ").capitalize()


def setting_label(name: str) -> str:
    """A setting's or a model parameter's plain name."""
    if name in PARAMETERS:
        return parameter_label(name)
    criterion = weight_criterion(name)
    if criterion is not None:
        return f"{CRITERION_LABELS.get(criterion, criterion.capitalize())} weight"
    return SETTING_LABELS.get(name, (name.replace("_", " ").capitalize(), ""))[0]


def choice_labels(name: str) -> dict:
    """The plain labels of a choice setting's values (``{"weekly": "Weekly", ...}``; ``{}`` for a number)."""
    if name in CHOICE_DECISIONS:
        return {o.value: o.label for o in decision(CHOICE_DECISIONS[name]).options}
    if name in SETTINGS and SETTINGS[name].choices == (False, True):
        return {False: "No", True: "Yes"}
    return {}


def same(a: object, b: object) -> bool:
    """Whether two values of a setting are the same (numbers to within 1e-9)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return bool(np.isclose(float(a), float(b), rtol=1e-9, atol=1e-9))
    return a == b


def entry_text(value: object) -> str:
    """An optional setting's value as it is entered (``""`` for ``None``, no thousands separators)."""
    return "" if value is None else number_text(value).replace(",", "")


def entry_value(name: str, entered: object) -> object:
    """The value of setting ``name`` as entered; an optional setting is entered as text (blank: ``None``) and a
    WorkbenchError says when it is not a number, or not a whole one for a count."""
    if name not in OPTIONAL:
        return entered
    text = str(entered).replace(",", "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise WorkbenchError(f"{setting_label(name)}: {entered!r} is not a number.") from None
    if SETTINGS[name].kind == "int":
        if number != int(number):
            raise WorkbenchError(f"{setting_label(name)} must be a whole number, not {entered!r}.")
        return int(number)
    return number


def cancelled(outcome: object) -> bool:
    """Whether a calculation's outcome says it was cancelled (``.cancelled``, or ``attrs["cancelled"]`` of a table)."""
    attrs = getattr(outcome, "attrs", None)
    return bool(attrs.get("cancelled")) if isinstance(attrs, dict) else bool(getattr(outcome, "cancelled", False))


class WhatIfSession(traitlets.HasTraits):
    """The What-if page's state and logic over one workspace (see the module's docstring).

    ``tables``: the page's tables (default: the workspace's, the enrolment of its program); ``executor``: where
    simulations run (:func:`workbench.whatif.run_scenarios`; ``False`` in this process). In the published app
    (:func:`workbench.privacy.published_mode`) nothing is saved and the scenario being edited may be compared.
    """

    workspace = traitlets.Instance(Workspace)
    #: The saved scenarios, as listed in the workspace.
    saved = traitlets.List()
    # the editor: the scenario open (NEW for a new one), its name, note, values and whether they are saved
    picked = traitlets.Unicode(NEW)
    loaded = traitlets.Any(None)  # the saved Scenario the editor shows, None for a new or an unsaved one
    name = traitlets.Unicode()
    description = traitlets.Unicode()
    entries = traitlets.Dict()  # setting -> value as entered (text for OPTIONAL settings)
    parameters = traitlets.Dict()  # model parameter -> value
    status = traitlets.Unicode("")  # "", "unsaved" or "saved"
    # the comparison: which scenarios, against which baseline, with how many runs and which seed
    choices = traitlets.List()  # the names offered under Compare, in order
    ticked = traitlets.List()
    baseline = traitlets.Unicode(BASELINE_NAME)
    runs = traitlets.Int(DEFAULT_RUNS)
    seed = traitlets.Int(0)
    # results
    results = traitlets.List()  # SimulationResult of each compared scenario, the baseline first
    compared = traitlets.List()  # the Scenario of each result
    last_run = traitlets.Dict()  # runs, seed and seconds of the comparison shown
    sweep_table = traitlets.Any(None)
    tornado_table = traitlets.Any(None)
    answer = traitlets.Any(None)
    optimisation = traitlets.Any(None)
    programs_forecast = traitlets.Any(None)
    # the comparison saved for the brief: its record, or why it cannot be read
    brief = traitlets.Any(None)
    brief_problem = traitlets.Unicode("")

    def __init__(self, workspace: Workspace, tables: Mapping[str, pd.DataFrame] | None = None, *,
                 executor=False) -> None:
        super().__init__(workspace=workspace)
        self.tables = dict(tables) if tables is not None else scoped_tables(workspace, typed_tables(workspace))
        self.design = load_design(workspace)
        self.currency = self.design.align.constraints.currency or ""
        self.executor = executor
        self.published = published_mode()
        self.cohorts: dict = {}  # matched cohorts, reused by every calculation on these tables
        self.table: pd.DataFrame | None = None  # comparison_table of the results
        self.programs = program_ids(workspace)
        self.criteria = [c for c in typing.get_args(Criterion)
                         if c != "affinity" or self.design.experience.sensitive_opt_in]
        self.settings = (*PROGRAM_SETTINGS, *SUPPORT_SETTINGS, *MATCHING_SETTINGS, *MONEY_SETTINGS,
                         *(weight_setting(c) for c in self.criteria))
        self.design_values = {name: self._design_value(name) for name in self.settings}
        self.design_values.update({name: p.default for name, p in PARAMETERS.items()})
        self.refresh(select=NEW)
        self.read_brief()

    def _design_value(self, name: str) -> object:
        value = setting_value(self.design, name)
        if weight_criterion(name) is not None:
            return float(value or 0.0)
        kind = SETTINGS[name].kind
        if name in OPTIONAL or kind == "choice":
            return value
        return int(value) if kind == "int" else float(value)

    # ------------------------------------------------------------------ words

    def shown(self, name: str, value: object) -> str:
        """``value`` of setting ``name`` in words (a choice's label, a number with separators)."""
        if value is None:
            return {"cohort_size": "everyone matched", "budget": "none", "horizon_months": "default",
                    "average_salary": "model default"}.get(name, "not set")
        labels = choice_labels(name)
        if labels:
            return labels.get(value, str(value))
        return number_text(value)

    def unit(self, name: str, value: object) -> str:
        """`` months``, `` mentees per mentor`` ... after a number of setting ``name`` (nothing after text)."""
        if name in PARAMETERS or weight_criterion(name) is not None or not isinstance(value, (int, float)):
            return ""
        unit = SETTING_LABELS.get(name, ("", ""))[1].replace("{currency}", self.currency)
        first, _, rest = unit.partition(" ")
        if value == 1 and first.endswith("s"):  # 1 month, 1 mentee per mentor
            unit = first[:-1] + (f" {rest}" if rest else "")
        return f" {unit}" if unit else ""

    def name_of(self, name: str) -> str:
        """A scenario's name as the page shows it (the baseline design: "The design")."""
        return "The design" if name == BASELINE_NAME else name

    def design_summary(self) -> str:
        """The baseline design in one paragraph, and what an alternative is."""
        exp = self.design.experience
        structures = choice_labels("structure")
        cadences = choice_labels("cadence")
        cadence = cadences.get(exp.cadence, exp.cadence).lower()
        return (f"The baseline is the design saved on the design pages: {structures.get(exp.structure, exp.structure)}"
                f" mentoring for {exp.duration_months} months, meetings {cadence}"
                f" for {exp.meeting_minutes} minutes, mentors take up to {exp.mentor_capacity} mentees. An "
                "alternative changes some of its settings or of the model's assumptions: pick a saved one or "
                "start a new one, change values below, and "
                + ("compare it as 'The settings above' (this published view saves nothing)." if self.published
                   else "save it to compare it."))

    def describe_changes(self, scenario: Scenario) -> str:
        """What ``scenario`` changes from the design, in words."""
        items = []
        for name, value in scenario.overrides.items():
            if name == "weights":
                items.append("matching weights " + ", ".join(f"{k} {v:g}" for k, v in value.items()))
                continue
            items.append(f"{setting_label(name)}: {self.shown(name, setting_value(self.design, name))} → "
                         f"{self.shown(name, value)}{self.unit(name, value)}")
        for name, value in scenario.parameters.items():
            items.append(f"{parameter_label(name)}: {PARAMETERS[name].default:g} → {value:g}")
        return "; ".join(items) or "no changes"

    # ------------------------------------------------------------------ the scenario being edited

    def value(self, name: str) -> object:
        """The edited value of setting or model parameter ``name`` (WorkbenchError: an entry that is not one)."""
        if name in PARAMETERS:
            return self.parameters[name]
        return entry_value(name, self.entries[name])

    def enter(self, name: str, value: object) -> None:
        """Change setting or model parameter ``name`` to ``value`` (an optional setting's value as text)."""
        trait = "parameters" if name in PARAMETERS else "entries"
        values = getattr(self, trait)
        if name in values and type(values[name]) is type(value) and values[name] == value:
            return
        setattr(self, trait, {**values, name: value})
        self.status = "unsaved"

    def changed(self, name: str) -> bool:
        """Whether ``name`` differs from the design's value (an entry that is not a value does; a blank one not)."""
        try:
            value = self.value(name)
        except WorkbenchError:
            return True
        if name in OPTIONAL and value is None:
            return False
        return not same(value, self.design_values[name])

    def visible(self, name: str) -> bool:
        """Whether the editor shows ``name``: group size for groups, mentors per mentee for mosaics, or changed."""
        structure = self.entries["structure"]
        wanted = {"group_size": structure == "group", "mentors_per_mentee": structure == "mosaic"}
        return wanted.get(name, True) or self.changed(name)

    def change_items(self) -> list[str]:
        """What the edited values change from the design, one item a change (a value that is not one: why)."""
        items = []
        for name in (*self.settings, *PARAMETERS):
            if self.changed(name):
                try:
                    items.append(f"{setting_label(name)}: {self.shown(name, self.design_values[name])} → "
                                 f"{self.shown(name, self.value(name))}" + self.unit(name, self.value(name)))
                except WorkbenchError as exc:
                    items.append(str(exc))
        return items

    def current_scenario(self) -> Scenario:
        """The scenario the editor shows, checked (a WorkbenchError names what is wrong)."""
        name = self.name.strip()
        if not name:
            raise WorkbenchError("Give the scenario a name.")
        if name == BASELINE_NAME:
            raise WorkbenchError(f"{BASELINE_NAME!r} is the design itself: give the scenario another name.")
        overrides = {key: self.value(key) for key in self.settings if self.changed(key)}
        parameters = {key: self.value(key) for key in PARAMETERS if self.changed(key)}
        loaded = self.loaded if self.loaded is not None and self.loaded.name == name else None
        scenario = Scenario(name=name, overrides=overrides, parameters=parameters,
                            runs=loaded.runs if loaded else None, seed=loaded.seed if loaded else None,
                            description=self.description.strip(), stream=loaded.stream if loaded else None)
        apply_scenario(self.design, scenario)  # the design as a whole must accept it
        return scenario

    def edited_scenario(self) -> Scenario:
        """The scenario in the editor, to compare without saving it (renamed if a saved one has its name)."""
        scenario = self.current_scenario()
        if scenario.name in {s.name for s in self.saved}:
            scenario = dataclasses.replace(scenario, name=f"{scenario.name} (edited)")
        return scenario

    def scenario(self, name: str) -> Scenario:
        """The scenario called ``name``: the design (the baseline), the one being edited (EDITED) or a saved one."""
        if name == BASELINE_NAME:
            return BASELINE
        if name == EDITED:
            return self.edited_scenario()
        for scenario in self.saved:
            if scenario.name == name:
                return scenario
        raise WorkbenchError(f"There is no saved scenario called {name!r} any more: press Reload.")

    def new_name(self) -> str:
        """A name no saved scenario has: "Alternative 1", "Alternative 2" ..."""
        taken = {s.name.lower() for s in self.saved}
        k = 1
        while f"alternative {k}" in taken:
            k += 1
        return f"Alternative {k}"

    def open(self, name: str) -> None:
        """Show scenario ``name`` in the editor (NEW: a new one, from the design's values)."""
        self.picked = name
        self.show(None if name == NEW else self.scenario(name))

    def show(self, scenario: Scenario | None, *, saved: bool = True) -> None:
        """Put ``scenario``'s values in the editor (``None``: the design's); ``saved=False`` for one not saved."""
        overrides = dict(scenario.overrides) if scenario else {}
        weights = overrides.pop("weights", None)
        entries = {}
        for key in self.settings:
            if key in overrides:
                value = overrides[key]
            elif weights is not None and weight_criterion(key) is not None:
                value = float(weights.get(weight_criterion(key), 0.0))
            else:
                value = self.design_values[key]
            entries[key] = entry_text(value) if key in OPTIONAL else value
        parameters = {key: (scenario.parameters if scenario else {}).get(key, self.design_values[key])
                      for key in PARAMETERS}
        with self.hold_trait_notifications():
            self.loaded = scenario if saved else None
            self.name = scenario.name if scenario else self.new_name()
            self.description = scenario.description if scenario else ""
            self.entries, self.parameters = entries, parameters
            self.status = ""

    def reset(self) -> None:
        """Back to the design's values, keeping the name and the note (then not saved)."""
        name, description = self.name, self.description
        self.show(None)
        with self.hold_trait_notifications():
            self.name, self.description = name, description
            self.loaded = None
            self.status = "unsaved"

    def refresh(self, select: str | None = None) -> None:
        """Read the saved scenarios again; open ``select`` (default: the one open, NEW when it is gone)."""
        with self.hold_trait_notifications():  # the page redraws once every list agrees
            self.saved = list_scenarios(self.workspace)
            names = [s.name for s in self.saved]
            wanted = select if select is not None else self.picked
            self.open(wanted if wanted in (NEW, *names) else NEW)
            self._offer_choices()

    def save(self, scenario: Scenario, *, over: bool = False) -> str:
        """Save ``scenario`` in the workspace (``over``: over a version saved elsewhere meanwhile) and tick it
        under Compare while there is room; returns what was done, in words. A save from a stale copy raises
        :class:`~workbench.workspace.StaleWorkspaceError`."""
        self.workspace = save_scenario(reread(self.workspace) if over else self.workspace, scenario)
        ticked = list(self.ticked)
        if scenario.name not in ticked and len(ticked) < MAX_COMPARED:
            ticked.append(scenario.name)
        self.refresh(select=scenario.name)
        self.tick(ticked)
        self.status = "saved"
        return (f"Saved the scenario {scenario.name!r} in the workspace. It is ticked under Compare: press Run the "
                "comparison.")

    def scenario_to_save(self) -> Scenario:
        """The edited scenario, refused when it changes nothing."""
        scenario = self.current_scenario()
        if not scenario.overrides and not scenario.parameters:
            raise WorkbenchError("This scenario changes nothing: change a setting or an assumption first, or "
                                 "compare the design itself (it is always the baseline).")
        return scenario

    def delete(self) -> str:
        """Delete the saved scenario open in the editor; returns what was done, in words."""
        name = self.picked
        if name in (None, NEW):
            raise WorkbenchError("Pick a saved scenario to delete.")
        self.workspace = delete_scenario(self.workspace, name)
        ticked = [n for n in self.ticked if n != name]
        self.refresh(select=NEW)
        self.tick(ticked)
        return f"Deleted the scenario {name!r} from the workspace."

    def reload(self) -> str:
        """Read the saved scenarios and the comparison saved for the brief again (refused when the design changed
        since the page opened it); returns what was done, in words."""
        self.workspace = reread(self.workspace)
        if load_design(self.workspace) != self.design:
            raise WorkbenchError("The design was changed on another page since this page opened it: reload the "
                                 "page in the browser to compare against the new design.")
        ticked = list(self.ticked)
        self.refresh()
        self.tick(ticked)
        self.read_brief()
        return "Read the saved scenarios again from the workspace."

    # ------------------------------------------------------------------ which scenarios are compared

    def _offer_choices(self) -> None:
        """The names offered under Compare: the design, the saved scenarios (published: the one being edited);
        those offered before keep their tick, new ones are ticked while there is room."""
        known, ticked = set(self.choices), set(self.ticked)
        names = [BASELINE_NAME] + [s.name for s in self.saved]
        baseline = self.baseline if self.baseline in names else BASELINE_NAME
        if self.published:
            names.insert(1, EDITED)
        with self.hold_trait_notifications():
            self.choices = names
            self.ticked = [n for k, n in enumerate(names) if (n in ticked if n in known else k < MAX_COMPARED)]
            self.choose_baseline(baseline)

    def baseline_options(self) -> list[tuple[str, str]]:
        """The scenarios that may be the baseline, as ``(label, name)``."""
        return [("The design", BASELINE_NAME)] + [(s.name, s.name) for s in self.saved]

    def choice_label(self, name: str) -> str:
        """The label of a scenario under Compare."""
        return {BASELINE_NAME: "The design", EDITED: "The settings above"}.get(name, name)

    def choice_text(self, name: str) -> str:
        """What a scenario under Compare is, in words."""
        return {BASELINE_NAME: "the design as saved",
                EDITED: "the scenario being edited above, compared without saving it (left out while it changes "
                        "nothing)"}.get(name) or self.describe_changes(self.scenario(name))

    def choose_baseline(self, name: str) -> None:
        """Compare against scenario ``name`` (it is ticked)."""
        self.baseline = name
        if name not in self.ticked:
            self.ticked = [n for n in self.choices if n in self.ticked or n == name]

    def tick(self, names: Sequence[str]) -> None:
        """Tick exactly ``names`` under Compare (and the baseline)."""
        self.ticked = [n for n in self.choices if n in names or n == self.baseline]

    def set_ticked(self, name: str, on: bool) -> None:
        """Tick or untick one scenario (the baseline stays ticked)."""
        if on or name == self.baseline:
            self.tick([*self.ticked, name])
        else:
            self.tick([n for n in self.ticked if n != name])

    def compared_scenarios(self) -> list[Scenario]:
        """The baseline first, then the other ticked scenarios in list order (at most :data:`MAX_COMPARED`)."""
        base = self.baseline or BASELINE_NAME
        others = [n for n in self.ticked if n != base]
        if EDITED in others:
            edited = self.edited_scenario()
            if not edited.overrides and not edited.parameters:
                others.remove(EDITED)
        if len(others) + 1 > MAX_COMPARED:
            raise WorkbenchError(f"Tick at most {MAX_COMPARED - 1} scenarios besides the baseline "
                                 f"({len(others)} are ticked).")
        return [self.scenario(base)] + [self.scenario(n) for n in others]

    # ------------------------------------------------------------------ the comparison

    def comparison(self, scenarios: Sequence[Scenario], runs: int, seed: int, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> ScenarioRuns:
        """Match and simulate ``scenarios`` (``runs`` each, from ``seed``); a scenario that fails is recorded."""
        return run_scenarios(self.tables, self.design, scenarios, runs=runs, seed=seed, executor=self.executor,
                             progress=progress, cancel=cancel, errors="record", cohorts=self.cohorts)

    def store_comparison(self, scenarios: Sequence[Scenario], batch: ScenarioRuns, runs: int, seed: int,
                         seconds: float) -> dict[str, str]:
        """Keep the results of a finished comparison (a sweep shown before is dropped); returns why each scenario
        that failed did. A baseline that failed raises its WorkbenchError."""
        failed = dict(batch.errors)
        if scenarios[0].name in failed:
            raise WorkbenchError(failed[scenarios[0].name])
        results = batch.finished()
        self.table = comparison_table(results, baseline=0)
        with self.hold_trait_notifications():
            self.compared = [s for s, r in zip(scenarios, batch.results) if r is not None]
            self.sweep_table = None
            self.last_run = {"runs": runs, "seed": seed, "seconds": seconds}
            self.results = results
        return failed

    def named_table(self) -> pd.DataFrame:
        """The comparison table with the scenarios' names as the page shows them."""
        table = self.table.copy()
        table["scenario"] = table["scenario"].map(self.name_of)
        return table

    def budgets(self) -> list[tuple[str, dict | None]]:
        """Each compared scenario's cost against its budget (:func:`workbench.whatif.budget_check`)."""
        return [(r.name, budget_check(r)) for r in self.results]

    def survival(self) -> pd.DataFrame:
        """Who stays month by month, every compared scenario."""
        return pd.concat([r.survival.assign(scenario=self.name_of(r.name)) for r in self.results], ignore_index=True)

    def distribution(self, kpi: str) -> pd.DataFrame:
        """How ``kpi`` varies over single runs, every compared scenario: the difference from the comparison
        group for a KPI that has one, else the participants' figure."""
        series = "difference" if KPIS[kpi].compared else "participants"
        frames = []
        for result in self.results:
            frame = result.distribution(kpi)
            frames.append(frame[frame["series"] == series].assign(scenario=self.name_of(result.name)))
        return pd.concat(frames, ignore_index=True)

    def frontier_table(self, impact: str) -> pd.DataFrame:
        """Cost against ``impact`` for the compared scenarios and the sweep's values, the efficient ones marked."""
        rows = [{"scenario": self.name_of(r.name), **result_row(r, ["cost", *IMPACTS])} for r in self.results]
        frame = pd.DataFrame(rows)
        if self.sweep_table is not None:
            done = self.sweep_table[self.sweep_table["status"] == "done"]
            frame = pd.concat([frame, done[frame.columns.intersection(done.columns)]], ignore_index=True)
        return frontier(frame, impact=impact)

    # ------------------------------------------------------------------ a sweep of one setting

    def sweep_suggestion(self, name: str) -> str:
        """Values of setting or parameter ``name`` to try, as text: a parameter's plausible range, a choice's
        options, else around the baseline's value (which is on the chart already)."""
        if name in PARAMETERS:
            p = PARAMETERS[name]
            return ", ".join(f"{v:.3g}" for v in np.linspace(p.low, p.high, 5))
        setting = SETTINGS[name]
        if setting.kind == "choice":
            return ", ".join(str(c) for c in setting.choices)
        current = setting_value(self.design, name)
        if current is None:
            current = {"cohort_size": 50, "horizon_months": 12, "budget": 50000, "average_salary": 60000}.get(name, 1)
        low = setting.low if setting.low is not None else 0
        high = setting.high if setting.high is not None else current * 4
        candidates = [current * f for f in (0.5, 0.75, 1.5, 2.0)]  # the baseline's own value is on the chart
        if setting.kind == "int":
            candidates = [int(round(c)) for c in candidates]
        values = sorted({min(max(c, low), high) for c in candidates})
        return ", ".join(number_text(v).replace(",", "") for v in values)

    def sweep_values(self, name: str, text: str) -> list:
        """The values of ``name`` in ``text`` (separated by commas; a choice by its value or its label), at most
        20; a WorkbenchError before a comparison has run (the sweep adds points to its chart) or for a bad value."""
        if not self.results:
            raise WorkbenchError("Run the comparison first: the sweep adds points to its chart.")
        texts = [t.strip() for t in text.split(",") if t.strip()]
        if not texts:
            raise WorkbenchError("Give the values to try, separated by commas (e.g. 6, 9, 12).")
        if name not in PARAMETERS and SETTINGS[name].kind == "choice":
            choices = SETTINGS[name].choices
            labels = {v.lower(): k for k, v in choice_labels(name).items()}
            values = [labels.get(t.lower(), t) for t in texts]
            wrong = [t for t, v in zip(texts, values) if v not in choices]
            if wrong:
                raise WorkbenchError(f"{setting_label(name)} cannot be {', '.join(wrong)}; choose from "
                                     f"{', '.join(choices)}.")
            return list(dict.fromkeys(values))
        values = []
        for entered in texts:
            try:
                number = float(entered.replace(" ", ""))
            except ValueError:
                raise WorkbenchError(f"{entered!r} is not a number: give {setting_label(name).lower()} values "
                                     "separated by commas.") from None
            integer = name not in PARAMETERS and SETTINGS[name].kind == "int"
            values.append(int(round(number)) if integer else number)
        values = list(dict.fromkeys(values))
        if len(values) > 20:
            raise WorkbenchError("Try at most 20 values at once.")
        return values

    def sweep(self, name: str, values: Sequence, progress: Progress | None = None,
              cancel: threading.Event | None = None) -> pd.DataFrame:
        """Simulate the comparison's baseline with ``name`` at each of ``values`` (the comparison's runs and seed)."""
        return sweep(self.tables, self.design, {name: list(values)}, base=self.compared[0], kpis=["cost", *IMPACTS],
                     runs=int(self.last_run["runs"]), seed=int(self.last_run["seed"]), executor=self.executor,
                     progress=progress, cancel=cancel, cohorts=self.cohorts)

    def store_sweep(self, name: str, values: Sequence, table: pd.DataFrame, seconds: float) -> tuple[str, str]:
        """Keep a sweep's values for the cost-against-impact chart (the baseline's own value is already there);
        returns what to say about it and how (``"success"`` or ``"warning"``)."""
        current = setting_value(self.design, name, self.compared[0])
        label = setting_label(name)
        cancelled = bool(table.attrs.get("cancelled"))
        table = table[[not same(v, current) for v in table[name]]].copy()
        table["scenario"] = [f"{label} {self.shown(name, v)}{self.unit(name, v)}" for v in table[name]]
        self.sweep_table = table
        failed = table[table["status"] != "done"]
        if cancelled:
            return (f"Cancelled: {int((table['status'] == 'done').sum())} of {len(table)} values were simulated and "
                    "are shown.", "warning")
        if len(failed):
            return "Some values could not be simulated:\n" + "\n".join(
                f"{s}: {why}" for s, why in zip(failed["scenario"], failed["status"])), "warning"
        itself = (f"; {self.shown(name, current)}{self.unit(name, current)} is the baseline itself, already on the "
                  "chart" if len(table) < len(values) else "")
        return f"Added {len(table)} values of {label.lower()} to the chart{itself} ({seconds:.1f} s).", "success"

    # ------------------------------------------------------------------ which assumptions matter most

    @staticmethod
    def tornado_count() -> int:
        """How many variations a sensitivity analysis simulates (each assumption and lever at both ends, and
        the base)."""
        return 1 + 2 * (len(PARAMETERS) + len(LEVERS))

    def tornado(self, kpi: str, base: Scenario, runs: int, seed: int, progress: Progress | None = None,
                cancel: threading.Event | None = None) -> pd.DataFrame:
        """How far ``kpi`` moves when each assumption and lever goes to the ends of its range on ``base``
        (``attrs["scenario"]``: the base's name)."""
        table = tornado(self.tables, self.design, kpi, scenario=base, runs=runs, seed=seed, executor=self.executor,
                        progress=progress, cancel=cancel, cohorts=self.cohorts)
        table.attrs["scenario"] = base.name
        return table

    # ------------------------------------------------------------------ what would it take

    def goals(self) -> list[tuple[str, str]]:
        """The goals offered: the design's objectives the model simulates, then a target for one figure."""
        objectives = [(f"Objective {o.id}: {o.statement or o.kpi or o.kind}"[:90], o.id)
                      for o in self.design.align.objectives
                      if o.kind in OBJECTIVE_KPI and o.baseline is not None and o.target is not None]
        return objectives + [("A target I set for one figure", KPI_TARGET)]

    def goal_text(self, goal: str | None) -> str:
        """What an objective of the design asks for, in words (nothing for a target set on the page)."""
        if goal is None or goal == KPI_TARGET:
            return ""
        return f"This objective asks for {objective_target(self.design, goal).describe()}."

    def what_it_takes(self, setting: str, goal: Mapping, probability: float, base: Scenario, runs: int, seed: int,
                      progress: Progress | None = None, cancel: threading.Event | None = None) -> Answer:
        """The smallest change to ``setting`` of ``base`` that reaches ``goal`` (``{"objective": id}`` or
        ``{"kpi": kpi, "target": effect in the KPI's unit}``) in a share ``probability`` (0-1) of runs."""
        return what_would_it_take(self.tables, self.design, setting, probability=probability, scenario=base,
                                  runs=runs, seed=seed, executor=self.executor, progress=progress, cancel=cancel,
                                  cohorts=self.cohorts, **goal)

    def answer_sentence(self, answer: Answer) -> str:
        """The answer in one plain sentence."""
        label = setting_label(answer.setting)
        goal = answer.target.describe()
        share = f"{answer.probability:.0%}"

        def show(value: float) -> str:
            value = int(value) if float(value).is_integer() else float(value)
            return f"{number_text(value)}{self.unit(answer.setting, value)}"

        if answer.cancelled:
            return "Stopped before an answer was found."
        if answer.value is None:
            return (f"No {label.lower()} from {show(answer.low)} to {show(answer.high)} reaches the goal ({goal}) in "
                    f"{share} of simulated cohorts: the best value tried reaches it in "
                    f"{answer.probability_reached:.0%}. Try another setting, a lower target or a lower share.")
        if answer.change == 0:
            return (f"The current {label.lower()} ({show(answer.current)}) already reaches the goal ({goal}) in "
                    f"{answer.probability_reached:.0%} of simulated cohorts (you asked for {share}).")
        direction = "raising" if answer.change > 0 else "lowering"
        return (f"It would take {direction} {label.lower()} from {show(answer.current)} to {show(answer.value)}: "
                f"then the goal ({goal}) is reached in {answer.probability_reached:.0%} of simulated cohorts (you "
                f"asked for {share}).")

    # ------------------------------------------------------------------ find better designs

    @staticmethod
    def search_budget(text: str) -> float | None:
        """The budget typed for the search (blank: none)."""
        entered = text.replace(",", "").strip()
        try:
            return float(entered) if entered else None
        except ValueError:
            raise WorkbenchError(f"Budget: {text!r} is not a number.") from None

    def search(self, budget: float | None, candidates: int, runs: int, seed: int, progress: Progress | None = None,
               cancel: threading.Event | None = None) -> Optimisation:
        """Search the whole design for the frontier of cost against the objectives
        (:func:`workbench.whatif.optimise`)."""
        return optimise(self.tables, self.design, budget=budget, candidates=candidates, runs=runs, seed=seed,
                        executor=self.executor, progress=progress, cancel=cancel)

    def candidate_scenario(self, candidate: dict) -> Scenario:
        """A design the search found, as a scenario named "Optimiser #<n>" (no saved scenario has the name)."""
        base = f"Optimiser #{int(candidate['candidate'])}"
        taken = {s.name for s in self.saved}
        name = next(n for n in (base, *(f"{base} ({k})" for k in range(2, 100))) if n not in taken)
        return self.optimisation.scenario(candidate, name)

    def save_candidate(self, candidate: dict) -> str:
        """Save a design the search found as a scenario, ticked under Compare while there is room."""
        scenario = self.candidate_scenario(candidate)
        self.workspace = save_scenario(self.workspace, scenario)
        ticked = list(self.ticked)
        if len(ticked) < MAX_COMPARED:
            ticked.append(scenario.name)
        self.refresh(select=scenario.name)
        self.tick(ticked)
        return f"Saved the scenario {scenario.name!r} in the workspace; it is ticked under Compare."

    # ------------------------------------------------------------------ all programs

    def forecast_programs(self, mode: str, order: Sequence[str] | None, runs: int, seed: int,
                          progress: Progress | None = None, cancel: threading.Event | None = None
                          ) -> ProgramsForecast:
        """Every program matched together (``mode`` "joint" or "priority" in ``order``) and simulated under its
        own saved design (:func:`workbench.whatif.simulate_programs`)."""
        designs = {p: program.design for p, program in load_programs(self.workspace).items()}
        return simulate_programs(typed_tables(self.workspace), designs, mode=mode, order=order, runs=runs,
                                 seed=seed, progress=progress, cancel=cancel)

    # ------------------------------------------------------------------ the comparison saved for the brief

    def read_brief(self) -> None:
        """Read the comparison saved for the brief (``brief``; ``brief_problem`` when it cannot be read)."""
        try:
            record = saved_comparison(self.workspace)
        except WorkbenchError as exc:
            self.brief, self.brief_problem = None, str(exc)
            return
        self.brief, self.brief_problem = record, ""

    def brief_record(self) -> SavedComparison:
        """The comparison shown, as the brief stores it (with the tornado when one ran)."""
        if not self.results:
            raise WorkbenchError("Run the comparison first: there are no results to save.")
        return SavedComparison.of(self.results, scenarios=self.compared, tornado=self.tornado_table,
                                  saved_on=datetime.date.today())

    def save_brief(self, record: SavedComparison, *, over: bool = False) -> str:
        """Save ``record`` (:meth:`brief_record`) for the brief (``over``: over one saved elsewhere meanwhile);
        returns what was done, in words."""
        self.workspace = save_comparison(reread(self.workspace) if over else self.workspace, record)
        self.read_brief()
        return (f"Saved the comparison in the workspace ({SAVED_COMPARISON}). The design brief, prepared on the "
                "Align, eXperience and Launch & Support pages, now has a What-if section with these scenarios and "
                "figures.")

