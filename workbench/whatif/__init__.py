"""What-if: scenarios of a program design, run side by side, swept, stress-tested and costed.

* :mod:`.scenarios`: a :class:`Scenario` is the design plus overrides of
  settings (:data:`SETTINGS`: structure, cohort size, capacity, duration,
  cadence, weights, training, budget, ...) and model parameters, saved as
  ``scenarios/<slug>.yaml`` in the workspace.
* :mod:`.run`: :func:`run_scenarios` matches each scenario's cohort (cached
  by the settings matching reads) and simulates it with its own
  ``SeedSequence``, through any ``concurrent.futures.Executor`` (local
  processes by default; a Dask cluster through ``Client.get_executor()``),
  with progress and cancellation. The same inputs give the same result on
  any executor, in any order.
* :mod:`.analysis`: :func:`comparison_table` (up to six scenarios),
  :func:`sweep` (a grid of settings), :func:`tornado` (each model parameter
  over its documented range), :func:`frontier` (cost against impact, the
  efficient ones marked), :func:`what_would_it_take` (the smallest change to
  a setting that reaches a target with a chosen probability).
* :mod:`.optimise`: :func:`optimise` searches the whole design (structure,
  cohort size, capacity, duration, cadence, meeting length, training,
  re-matching, weights, cohorts in a row) for the efficient frontier of cost
  against the probability of reaching each objective, within the budget,
  mentor hours and mentor pool, with Optuna's NSGA-II through the same
  executors.
* :mod:`.programs`: :func:`simulate_programs` forecasts every program of a
  workspace together: matched on their shared mentors, each simulated under
  its own design with the mentors' hours in the other programs counted, and
  combined run by run into an all-programs result.
* :mod:`.saved`: the comparison saved for the design brief
  (``results/whatif.json``): :class:`SavedComparison`, :func:`save_comparison`,
  :func:`saved_comparison`.

JSON of a simulated scenario (schema version 1, JSON Schema :data:`workbench.simulate.JSON_SCHEMA`)::

    schema_version   1
    scenario         the scenario's name ("design" for the design itself)
    seed             {"entropy": S, "spawn_key": [k]}: SeedSequence(S, spawn_key=(k,)) reproduces the run
    runs, horizon_months
    parameters       every model parameter used, by name (defaults included)
    settings         every design setting used (structure, duration_months, cadence, meeting_minutes,
                     rematching, training hours, matching_method; what-if adds mentor_capacity, group_size,
                     weights, hard_rules, budget, currency, salary, overrides, stream, cohort_size)
    cohort           participants, mentors, unmatched_mentees, group_size
    kpis             per KPI: label, unit, higher_is_better, and
                       participants  {mean, low, high, p05, p95}
                       comparison    the same for the simulated comparison group (null for program-only KPIs)
                       difference    participants - comparison: {mean, low, high, p05, p95, p_positive}
    retention_by_group  per attribute (department, level, location): rows of participants, retention,
                     comparison, difference, low, high; groups under five participants blanked
    survival         per month: share of participants and of the comparison group still employed
    budget           (workbench simulate, when the design sets one) budget, currency, expected_cost, p_within

``low``/``high`` are the 95% confidence interval of the mean over runs;
``p05``/``p95`` the spread of single runs.
"""

from workbench.whatif.analysis import (
    MAX_COMPARED,
    OBJECTIVE_KPI,
    Answer,
    Target,
    budget_table,
    comparison_display,
    comparison_table,
    frontier,
    grid_scenarios,
    objective_target,
    sweep,
    tornado,
    what_would_it_take,
)
from workbench.whatif.run import (
    ScenarioRuns,
    budget_check,
    local_executor,
    matching_key,
    resize_cohort,
    run_scenario,
    run_scenarios,
    scenario_seed,
    simulate_scenario,
    stable_hash,
)
from workbench.whatif.scenarios import (
    BASELINE,
    SETTINGS,
    Scenario,
    Setting,
    apply_scenario,
    delete_scenario,
    list_scenarios,
    load_scenario,
    save_scenario,
    scenario_names,
    setting_value,
    weight_criterion,
    weight_setting,
)
from workbench.whatif.programs import (
    ALL_PROGRAMS,
    FORECAST_MEANS,
    ProgramsForecast,
    combine_programs,
    simulate_programs,
)
from workbench.whatif.saved import SavedComparison, save_comparison, saved_comparison
from workbench.whatif.optimise import Dimension, Optimisation, optimise, search_space

__all__ = [
    "ALL_PROGRAMS",
    "BASELINE",
    "FORECAST_MEANS",
    "MAX_COMPARED",
    "OBJECTIVE_KPI",
    "SETTINGS",
    "Answer",
    "Dimension",
    "Optimisation",
    "ProgramsForecast",
    "SavedComparison",
    "Scenario",
    "ScenarioRuns",
    "Setting",
    "Target",
    "apply_scenario",
    "budget_check",
    "budget_table",
    "comparison_display",
    "combine_programs",
    "comparison_table",
    "delete_scenario",
    "frontier",
    "grid_scenarios",
    "list_scenarios",
    "load_scenario",
    "local_executor",
    "matching_key",
    "objective_target",
    "optimise",
    "resize_cohort",
    "run_scenario",
    "run_scenarios",
    "save_comparison",
    "save_scenario",
    "saved_comparison",
    "scenario_names",
    "scenario_seed",
    "search_space",
    "setting_value",
    "simulate_programs",
    "simulate_scenario",
    "stable_hash",
    "sweep",
    "tornado",
    "weight_criterion",
    "weight_setting",
    "what_would_it_take",
]
