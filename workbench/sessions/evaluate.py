"""The Evaluate page's session: the cohorts that can be evaluated, the choice, the evaluation and what it gives.

:class:`EvaluateSession` holds what the page (:mod:`workbench.views.evaluate`) shows, without widgets: the
workspace, the cohorts with program data and those waiting for it, the cohort and participants rule chosen
(traits), the current :class:`~workbench.evaluate.EvaluationResult` with its JSON document, what was
evaluated (so the page can say when the choice changed since), the downloadable report, the calibrated
what-if scenario and the evaluation of every program. Its long computations (:meth:`evaluate`,
:meth:`report`, :meth:`evaluate_programs`) are plain methods: the page runs them in its background job and
hands their outcome back with :meth:`accept` and :meth:`keep_report` on the kernel's event loop.

Example (the demo workspace)::

    session = EvaluateSession(open_workspace("demo"), resamples=200, runs=50)
    session.accept(session.evaluate())
    session.result.cohort.name  # '2025'
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import traitlets

from workbench.errors import WorkbenchError
from workbench.evaluate import RESAMPLES, RUNS, EvaluationResult, cohorts_with_data, evaluate_workspace
from workbench.evaluate.cohort import cohort_order, program_cohorts
from workbench.evaluate.evaluation import STEPS, workspace_tables
from workbench.evaluate.programs import ProgramsEvaluation, evaluate_programs_workspace
from workbench.programs import page_tables, program_ids
from workbench.reports.evaluation import evaluation_html
from workbench.whatif import Scenario, save_scenario
from workbench.workspace import StaleWorkspaceError, Workspace, open_workspace, program_scope

#: Who counts as a participant (:data:`workbench.evaluate.PARTICIPANT_RULES`), in words.
PARTICIPANT_LABELS = {
    "enrolled": "Everyone enrolled (intention to treat)",
    "met": "Only mentees who met a mentor (stricter, favours those who stayed)",
}
#: The page's run button before and after the first evaluation (messages name them).
RUN_LABEL, REFRESH_LABEL = "Run the evaluation", "Refresh"
#: Steps of one run shown in the progress: the evaluation's parts, then the downloadable report.
TOTAL_STEPS = len(STEPS) + 1

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Evaluated:
    """One run's outcome: the result, the workspace as read for it, and the settings it was run with."""

    result: EvaluationResult
    workspace: Workspace
    settings: dict


class EvaluateSession(traitlets.HasTraits):
    """The Evaluate page's state and logic; ``resamples`` (bootstrap), ``runs`` (forecast runs; 0: no
    calibration) and ``seed`` are the evaluation's.

    Raises :class:`~workbench.errors.WorkbenchError` when people.csv or enrolment.csv is missing, or when no
    cohort has meetings or survey answers yet (the words say what to import).
    """

    workspace = traitlets.Instance(Workspace)
    cohort = traitlets.Unicode(allow_none=True)
    participants = traitlets.Unicode("enrolled")
    result = traitlets.Instance(EvaluationResult, allow_none=True)
    document = traitlets.Dict()  # the result's JSON document (EvaluationResult.to_json)
    evaluated = traitlets.Dict()  # the settings of the result: {"cohort": ..., "participants": ...}
    report = traitlets.Unicode(None, allow_none=True)  # the result's HTML report, once prepared
    programs = traitlets.Instance(ProgramsEvaluation, allow_none=True)  # every program on the chosen cohort

    def __init__(self, workspace: Workspace, *, resamples: int = RESAMPLES, runs: int = RUNS, seed: int = 0) -> None:
        tables = page_tables(workspace, "Evaluate",
                             " (the people of the organisation and who enrolled in which cohort)")
        self.program_ids = program_ids(workspace)
        self.resamples, self.runs, self.seed = resamples, runs, seed
        # with several programs, whether a mentee was enrolled before is read from every program's enrolment
        self.cohorts = (program_cohorts(workspace_tables(workspace), tables) if self.several
                        else cohorts_with_data(tables))
        enrolled = cohort_order(tables["enrolment"]) if "cohort" in tables["enrolment"] else []
        if not self.cohorts:
            has = [f for f in ("meetings", "survey") if f in tables]
            found = (f"it has {' and '.join(h + '.csv' for h in has)}, but not for the mentees of any cohort in "
                     "enrolment.csv" if has else "it has neither meetings.csv nor survey.csv")
            raise WorkbenchError(
                f"No cohort of the workspace {workspace.name!r} can be evaluated yet: an evaluation needs a cohort "
                f"that has run, with its meetings log (meetings.csv) or survey answers (survey.csv), and {found}. "
                "Import them on the Start page once a cohort has run; before that, the What-if page forecasts a "
                "design instead.")
        self.waiting = [c for c in enrolled if c not in self.cohorts]
        super().__init__(workspace=workspace, cohort=self.cohorts[-1])

    # ------------------------------------------------------------------ choices

    @property
    def several(self) -> bool:
        """Whether the workspace has several programs (then every program can be evaluated too)."""
        return len(self.program_ids) > 1

    @property
    def cohort_options(self) -> list[tuple[str, str]]:
        """The cohorts that can be evaluated, latest first, as ``(label, value)``."""
        return [(str(c), c) for c in reversed(self.cohorts)]

    @property
    def participant_options(self) -> list[tuple[str, str]]:
        """Who can count as a participant, as ``(label, value)``."""
        return [(label, key) for key, label in PARTICIPANT_LABELS.items()]

    def waiting_sentence(self) -> str:
        """The sentence on the cohorts not offered (enrolled, without meetings or survey answers); "" if none."""
        if not self.waiting:
            return ""
        one = len(self.waiting) == 1
        return (f" {'Cohort' if one else 'Cohorts'} {', '.join(self.waiting)} {'has' if one else 'have'} no meetings "
                f"or survey answers yet, so {'it is' if one else 'they are'} not offered.")

    def settings(self) -> dict:
        """The choice as it stands: ``{"cohort": ..., "participants": ...}``."""
        return {"cohort": self.cohort, "participants": self.participants}

    @property
    def stale(self) -> bool:
        """Whether figures are shown and the choice changed since they were evaluated."""
        return self.result is not None and self.settings() != self.evaluated

    # ------------------------------------------------------------------ evaluating

    def evaluate(self, progress: Progress | None = None, *, cohort: str | None = None,
                 participants: str | None = None) -> Evaluated:
        """Read the workspace again and evaluate ``cohort`` with the ``participants`` rule (the chosen ones by
        default); ``progress(done, total, step)`` follows the steps (of :data:`TOTAL_STEPS`). Stores nothing:
        :meth:`accept` does. Raises :class:`~workbench.errors.WorkbenchError` when no cohort is chosen or the
        workspace's data cannot be evaluated."""
        settings = {"cohort": self.cohort if cohort is None else cohort,
                    "participants": self.participants if participants is None else participants}
        if settings["cohort"] is None:
            raise WorkbenchError("Choose a cohort to evaluate.")
        workspace = program_scope(open_workspace(self.workspace.path), self.workspace.program)
        step = (lambda done, _total, name: progress(done, TOTAL_STEPS, name)) if progress else None
        result = evaluate_workspace(
            workspace, cohort=settings["cohort"], participants=settings["participants"], seed=self.seed,
            resamples=self.resamples, runs=max(self.runs, 2), calibrate_forecast=self.runs > 0, progress=step)
        return Evaluated(result, workspace, settings)

    def accept(self, evaluated: Evaluated) -> None:
        """Make ``evaluated`` the current evaluation (its report is prepared apart: :meth:`report`)."""
        self.workspace = evaluated.workspace
        self.report = None
        self.document = evaluated.result.to_json()
        self.evaluated = dict(evaluated.settings)
        self.result = evaluated.result

    def prepare_report(self, evaluated: Evaluated, progress: Progress | None = None) -> str:
        """The self-contained HTML report of ``evaluated`` (:func:`~workbench.reports.evaluation.evaluation_html`);
        stores nothing: :meth:`keep_report` does."""
        if progress:
            progress(TOTAL_STEPS - 1, TOTAL_STEPS, "preparing the downloadable report")
        return evaluation_html(evaluated.result, workspace_name=evaluated.workspace.name)

    def keep_report(self, evaluated: Evaluated, report: str) -> bool:
        """Keep ``report`` when ``evaluated`` is still the current evaluation; whether it was kept."""
        if evaluated.result is not self.result:
            return False
        self.report = report
        return True

    @property
    def download_stem(self) -> str:
        """The downloads' file name without its suffix: ``evaluation-<workspace>-cohort-<cohort>``."""
        return f"evaluation-{self.workspace.slug}-cohort-{self.result.cohort.name}"

    # ------------------------------------------------------------------ what the figures allow

    @property
    def change_waves(self) -> list[str]:
        """The later survey waves with a paired change shown (a group of five or more), end of the program first."""
        change = self.result.change
        if not len(change):
            return []
        shown = change.loc[~change["hidden"].fillna(False).astype(bool), "wave"]
        return [wave for wave in ("post", "followup", "mid") if (shown == wave).any()]

    def unmeasured_objectives(self) -> tuple[list[str], list[str]]:
        """The objectives the trajectories leave unmeasured at some horizon: those the scorecard does not measure
        either (its note says why), and those measured now but not as the data stood at an earlier horizon."""
        paths, card = self.result.trajectories, self.result.scorecard
        missing = paths.loc[pd.to_numeric(paths["observed"], errors="coerce").isna(), "objective"].astype(str).unique()
        now = set(card.loc[card["status"] == "not measured", "objective"].astype(str))
        return [o for o in missing if o in now], [o for o in missing if o not in now]

    # ------------------------------------------------------------------ the calibrated scenario

    @property
    def fitted(self) -> dict[str, float]:
        """The outcome model's parameters fitted to the evaluated cohort (none without a calibration)."""
        calibration = self.result.calibration if self.result is not None else None
        return dict(calibration.parameters) if calibration is not None else {}

    @property
    def scenario_name(self) -> str:
        """The name offered for the calibrated scenario ("" when nothing was fitted)."""
        return f"Fitted to cohort {self.result.cohort.name}" if self.fitted else ""

    def calibrated_scenario(self, name: str) -> Scenario:
        """The what-if scenario named ``name`` with the fitted parameters, to two decimals as the page shows them."""
        if not self.fitted:
            raise WorkbenchError("Run the evaluation first: the scenario takes its values from the calibration.")
        if not name.strip():
            raise WorkbenchError("Give the scenario a name.")
        result = self.result
        parameters = {k: round(float(v), 2) for k, v in self.fitted.items()}
        values = ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in parameters.items())
        return Scenario(name.strip(), parameters=parameters,
                        description=f"The outcome model's assumptions fitted to cohort {result.cohort.name} "
                                    f"(evaluated {datetime.date.today().isoformat()}, data to "
                                    f"{result.cohort.as_of.isoformat()}): {values}.")

    def save_scenario(self, name: str) -> Scenario:
        """Save :meth:`calibrated_scenario` in the workspace (revision-checked, never over a scenario of the same
        name); returns it. Raises :class:`~workbench.errors.WorkbenchError` saying what to do otherwise."""
        scenario = self.calibrated_scenario(name)
        try:
            self.workspace = save_scenario(self.workspace, scenario, replace=False)
        except StaleWorkspaceError:
            raise WorkbenchError("The workspace was changed elsewhere (for example on another page) since this "
                                 f"evaluation read it. Nothing was saved: press {REFRESH_LABEL} to evaluate the "
                                 "latest data, then save the scenario again.") from None
        except WorkbenchError as exc:
            if "already exists" in str(exc):
                raise WorkbenchError(f"A scenario called {scenario.name!r} is already saved in the workspace: "
                                     "choose another name.") from None
            raise
        return scenario

    # ------------------------------------------------------------------ every program

    def evaluate_programs(self) -> ProgramsEvaluation:
        """Every program of the workspace evaluated on the chosen cohort and rule, without the forecast's
        calibration (:func:`~workbench.evaluate.evaluate_programs_workspace`); kept as :attr:`programs`."""
        workspace = program_scope(open_workspace(self.workspace.path), None)
        self.programs = evaluate_programs_workspace(
            workspace, cohort=self.cohort, participants=self.participants, seed=self.seed,
            resamples=self.resamples, calibrate_forecast=False)
        return self.programs
