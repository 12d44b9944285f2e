"""Evaluating a running program (AXLES Evaluate): Kirkpatrick's four levels and Phillips' ROI on real data.

:func:`evaluate` takes a workspace's tables and the design (:func:`evaluate_workspace`
a workspace) and returns one :class:`EvaluationResult`: survey response rates and paired change
(:mod:`.survey`), meetings against the design's cadence and health rules
(:mod:`.behaviour`), retention and promotion against a matched comparison group
with Kaplan-Meier curves, a log-rank test and a Cox hazard ratio
(:mod:`.cohort`, :mod:`.survival`, :mod:`.outcomes`), ROI with a bootstrap
interval (:mod:`.roi`), the objectives' scorecard (:mod:`.scorecard`) and the
outcome model's calibration (:mod:`.calibration`). :func:`evaluate_turnover`
does the retention part for a plain turnover file (:mod:`.turnover`).
:func:`objective_power` says before launch what the planned cohort can detect for each objective
(minimum detectable effect, cohort needed; :mod:`.power`).
:func:`evaluate_programs` (:func:`evaluate_programs_workspace`) evaluates every
program of a workspace, totals what adds up and pools retention over all of
them (:mod:`.programs`). Pilot designs that answer "did it work" (a randomised waitlist, a staggered
roll-out) are allocated and analysed in :mod:`.trial`; the evaluation plan frozen at launch, and the
deviations from it, in :mod:`.plan`. Every figure goes to JSON under :data:`JSON_SCHEMA`.
"""

from workbench.evaluate.behaviour import Behaviour, behaviour
from workbench.evaluate.calibration import Calibration, calibrate
from workbench.evaluate.cohort import (
    PARTICIPANT_RULES,
    TENURE_BANDS,
    EvaluationCohort,
    coarsened_match,
    cohorts_with_data,
    default_cohort,
    evaluation_cohort,
    program_cohorts,
)
from workbench.evaluate.evaluation import RESAMPLES, RUNS, evaluate, evaluate_workspace
from workbench.evaluate.outcomes import OutcomeComparison, outcome_comparison
from workbench.evaluate.plan import FrozenPlan, TrialAnalysis, freeze_plan, load_plan, plan_for
from workbench.evaluate.programs import (
    ALL_PROGRAMS,
    PROGRAMS_JSON_SCHEMA,
    ProgramsEvaluation,
    evaluate_programs,
    evaluate_programs_workspace,
)
from workbench.evaluate.power import ObjectivePower, objective_power, workspace_power
from workbench.evaluate.result import JSON_SCHEMA, TURNOVER_JSON_SCHEMA, EvaluationResult
from workbench.evaluate.roi import ROIEstimate, program_cost
from workbench.evaluate.scorecard import scorecard
from workbench.evaluate.survey import (
    change_against_comparison,
    cohen_dz_interval,
    holm,
    paired_change,
    response_rates,
    score_distribution,
)
from workbench.evaluate.survival import (
    HazardRatio,
    LogRank,
    SurvivalComparison,
    compare_survival,
    cox_hazard_ratio,
    kaplan_meier,
    logrank_test,
)
from workbench.evaluate.trial import itt_difference, waitlist_allocation, wedge_model, wedge_order
from workbench.evaluate.turnover import TURNOVER_COLUMNS, TurnoverEvaluation, evaluate_turnover, read_turnover

__all__ = [
    "ALL_PROGRAMS", "JSON_SCHEMA", "PARTICIPANT_RULES", "PROGRAMS_JSON_SCHEMA", "RESAMPLES", "RUNS", "TENURE_BANDS", "TURNOVER_COLUMNS",
    "TURNOVER_JSON_SCHEMA", "Behaviour", "Calibration", "EvaluationCohort", "EvaluationResult", "FrozenPlan",
    "HazardRatio", "LogRank", "OutcomeComparison", "ProgramsEvaluation", "ROIEstimate", "SurvivalComparison",
    "TrialAnalysis", "TurnoverEvaluation", "behaviour", "calibrate", "change_against_comparison", "coarsened_match",
    "cohen_dz_interval", "cohorts_with_data", "compare_survival", "cox_hazard_ratio", "default_cohort", "evaluate",
    "evaluate_programs", "evaluate_programs_workspace", "evaluate_turnover", "evaluate_workspace",
    "evaluation_cohort", "freeze_plan", "holm", "itt_difference", "kaplan_meier", "load_plan", "logrank_test",
    "outcome_comparison", "paired_change", "plan_for", "program_cohorts", "program_cost", "read_turnover",
    "response_rates", "score_distribution", "scorecard", "waitlist_allocation", "wedge_model", "wedge_order",
    "ObjectivePower", "objective_power", "workspace_power",
]
