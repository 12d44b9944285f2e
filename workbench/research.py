"""A workspace opened for research from Python: its tables, its design and the analyses, in one line.

::

    import workbench

    ws = workbench.open("datasets/demo")     # a workspace folder, or a workspace's name under the home
    ws.tables["people"].dtypes               # typed: numbers as numbers, dates as datetime64
    ws.design                                # the ProgramDesign (the default one when there is no design.yaml)
    ws.match()                               # a MatchResult, as workbench.matching.match gives
    ws.simulate(runs=500, seed=1)            # a SimulationResult, as workbench.whatif.run_scenario gives
    ws.compare(["design", weekly], runs=500) # a ScenarioRuns, as workbench.whatif.run_scenarios gives
    ws.evaluate(seed=0)                      # an EvaluationResult, as workbench.evaluate.evaluate_workspace gives

Each method is the function the ``workbench`` command calls for the same job
(``match``, ``simulate``, ``compare``, ``evaluate``), with the same checks and
defaults, on the tables and design read when the workspace was opened: open it
again to see later saves. Nothing here saves anything to the workspace.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from workbench.data.importing import checked_tables_and_warnings
from workbench.data.problems import Problems
from workbench.data.validation import coerce_table
from workbench.design.model import ProgramDesign
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.evaluate import EvaluationResult, evaluate_workspace
from workbench.matching import MatchResult, match
from workbench.matching.scores import design_criterion_problems
from workbench.programs import scoped_tables
from workbench.simulate import SimulationResult
from workbench.whatif import Scenario, ScenarioRuns, load_scenario, local_executor, run_scenario, run_scenarios
from workbench.workspace import DESIGN_FILE, Workspace, find_workspace, open_workspace


def open(workspace: str | os.PathLike) -> ResearchWorkspace:  # noqa: A001 - workbench.open, as the issue asks
    """Open a workspace for research: ``workspace`` is its folder (``"datasets/demo"``, ``"workspaces/acme"``)
    or the name of a workspace under the home folder (``"demo"``, as :func:`workbench.find_workspace` takes).

    Every table is checked against its contract first: a workspace with a problem raises
    :class:`~workbench.errors.InvalidDataError` naming each file, row, column and value (its ``problems``
    hold them as a table), so nothing is computed on bad data. A folder that is not a workspace raises
    :class:`~workbench.errors.WorkspaceError`.
    """
    path = Path(workspace)
    if path.is_dir() or len(path.parts) != 1:
        opened = open_workspace(path)
    else:
        opened = find_workspace(str(workspace))
    return ResearchWorkspace.read(opened)


@dataclass(frozen=True, eq=False)
class ResearchWorkspace:
    """A workspace's tables and design as read when it was opened (:func:`open`), and the analyses on them.

    ``tables``: each table present (a read-only mapping), typed by its contract
    (:func:`workbench.data.validation.coerce_table`): whole numbers ``Int64``, numbers ``float64``,
    dates ``datetime64``, lists tuples of ids, text ``str`` with blanks missing.
    ``text_tables``: the same tables as stored, as text. Workbench's functions take either, with the same
    results (``workbench.whatif.sweep(ws.tables, ws.design, ...)``). ``design``: the program design;
    the default design when the workspace has no ``design.yaml`` yet (``design_saved`` is then false).
    ``warnings``: values that pass the contracts but are unlikely (a date before 1900, a hire after
    today), with file, row, column and value; they do not stop an analysis.
    """

    workspace: Workspace
    text_tables: Mapping[str, pd.DataFrame] = field(repr=False)
    tables: Mapping[str, pd.DataFrame] = field(repr=False)
    design: ProgramDesign = field(repr=False)
    warnings: Problems = field(repr=False)

    @classmethod
    def read(cls, workspace: Workspace) -> ResearchWorkspace:
        """Read ``workspace``'s tables (checked: :func:`workbench.checked_tables`) and design."""
        text, warnings = checked_tables_and_warnings(workspace)
        typed = {name: coerce_table(name, frame) for name, frame in text.items()}
        return cls(workspace=workspace, text_tables=MappingProxyType(text), tables=MappingProxyType(typed),
                   design=load_design(workspace), warnings=warnings)

    @property
    def name(self) -> str:
        """The workspace's display name."""
        return self.workspace.name

    @property
    def path(self) -> Path:
        """The workspace's folder."""
        return self.workspace.path

    @property
    def scale(self) -> tuple[int, int]:
        """The proficiency scale of ``proficiency.level`` and ``requirements.target_level``: (lowest, highest)
        whole levels (default 0-5)."""
        return self.workspace.settings.scale

    @property
    def design_saved(self) -> bool:
        """Whether the design comes from the workspace's ``design.yaml`` (false: the default design)."""
        return (self.workspace.files / DESIGN_FILE).is_file()

    def __repr__(self) -> str:
        rows = ", ".join(f"{name} {len(frame):,}" for name, frame in self.tables.items())
        design = repr(self.design.name) if self.design_saved else "the default design (no design.yaml yet)"
        return f"<workspace {self.name!r} at {self.path}; tables (rows): {rows}; design: {design}>"

    def _program_tables(self) -> dict[str, pd.DataFrame]:
        """The text tables as the workspace's first program sees them (its enrolment rows)."""
        missing = [f"{name}.csv" for name in ("people", "enrolment") if name not in self.text_tables]
        if missing:
            raise WorkbenchError(f"{self.name!r} has no {' and no '.join(missing)}: matching and simulating need "
                                 "the people and the cohort's enrolment. Import them first.")
        return scoped_tables(self.workspace, self.text_tables)

    def match(self, *, design: ProgramDesign | None = None, **settings) -> MatchResult:
        """Match the current cohort (or ``cohort=``) under the design: :func:`workbench.matching.match`.

        ``settings`` are that function's keywords: ``method``, ``structure``, ``seed`` (default 0),
        ``weights`` (criterion -> weight 0-10), ``hard_rules``, ``overrides``, ``cohort``, ``rounds``,
        ``circle_size``, ``top_k``. ``design`` replaces the workspace's for this matching (e.g.
        ``ws.design.model_copy(update=...)``). As ``workbench match``, criteria reading a sensitive column
        the design has not opted in to are refused first. Scores are 0-1; the result's ``summary()`` has the
        match rate (0-1), ``pairs`` one row per pair, ``unmatched`` one row per person with the reason.
        """
        design = self.design if design is None else design
        tables = self._program_tables()
        problems = design_criterion_problems(design, [t for n, t in tables.items() if n in ("people", "enrolment")],
                                             sensitive=self.workspace.settings.sensitive)
        if problems:
            raise WorkbenchError("\n".join(problems))
        return match(tables, design, **settings)

    def scenario(self, scenario: str | Scenario) -> Scenario:
        """``scenario`` itself, or the scenario of that name saved in the workspace (``"design"``: the design)."""
        return scenario if isinstance(scenario, Scenario) else load_scenario(self.workspace, scenario)

    def simulate(self, scenario: str | Scenario = "design", *, runs: int = 1000, seed: int = 0,
                 horizon_months: int | None = None, design: ProgramDesign | None = None) -> SimulationResult:
        """Simulate a scenario of the design (default the design itself): :func:`workbench.whatif.run_scenario`.

        ``runs``: Monte Carlo runs (at least 2); ``seed``: the same seed gives the same figures;
        ``horizon_months``: months of outcomes to follow (default the design's). ``scenario``: a
        :class:`~workbench.whatif.Scenario` or the name of one saved in the workspace. The result's
        ``kpis()`` has each KPI for participants and the simulated comparison group, their difference
        and 95% intervals (shares 0-1, money in the design's currency).
        """
        return run_scenario(self._program_tables(), self.design if design is None else design,
                            self.scenario(scenario), runs=runs, seed=seed, horizon_months=horizon_months)

    def compare(self, scenarios: Sequence[str | Scenario], *, runs: int = 1000, seed: int = 0,
                horizon_months: int | None = None, workers: int = 1,
                design: ProgramDesign | None = None) -> ScenarioRuns:
        """Simulate several scenarios side by side: :func:`workbench.whatif.run_scenarios`.

        ``scenarios``: :class:`~workbench.whatif.Scenario` objects or names of saved ones (``"design"``
        for the design itself); the first is the baseline of ``workbench.whatif.comparison_table(
        result.finished())`` (each KPI's effect with its 95% interval and P(better than the baseline)).
        ``runs``, ``seed`` and ``horizon_months`` as for :meth:`simulate`; each scenario has its own
        random stream, so its figures do not depend on the others. ``workers``: local processes
        (default 1: run here); the results do not depend on it. Each worker first imports pandas and
        the workbench (seconds), longer than the demo's comparisons take here: workers pay off for
        large cohorts and many scenarios.
        """
        if workers < 1:
            raise WorkbenchError(f"Workers must be at least 1, not {workers}.")
        chosen = [self.scenario(s) for s in scenarios]
        executor = local_executor(workers) if workers > 1 else False
        try:
            return run_scenarios(self._program_tables(), self.design if design is None else design, chosen,
                                 runs=runs, seed=seed, horizon_months=horizon_months, executor=executor)
        finally:
            if executor:
                executor.shutdown()

    def evaluate(self, *, cohort: str | None = None, **options) -> EvaluationResult:
        """Evaluate a cohort that ran (default the latest with data): :func:`workbench.evaluate.evaluate_workspace`.

        Reads the workspace as saved (its tables, ``design.yaml`` and saved matching). ``options`` are
        :func:`workbench.evaluate.evaluate`'s: ``start``, ``as_of``, ``horizon_months`` (months),
        ``participants``, ``seed`` (default 0), ``resamples`` (bootstrap, default 2000),
        ``calibrate_forecast`` and ``runs`` (the forecast's). ``summary_lines()`` gives the findings;
        groups of fewer than five people are never shown.
        """
        return evaluate_workspace(self.workspace, cohort=cohort, **options)
