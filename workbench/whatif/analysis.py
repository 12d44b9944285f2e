"""What-if analyses over scenarios: comparison, sweeps, tornado, cost versus impact, what it would take.

Every KPI is read as its **effect** (:meth:`SimulationResult.effect`):
participants minus the simulated comparison group for retention, exits,
promotion and skill-gap closure; the value itself for program-only KPIs
(meetings, early closure, quality, cost, benefit, ROI). Intervals are 95%
confidence intervals of the mean over runs; probabilities are shares of runs.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.result import KPI
from workbench.simulate import KPIS, PARAMETERS, SimulationResult, build_cohort
from workbench.simulate.mechanisms import LEVERS
from workbench.simulate.result import Z95
from workbench.whatif.run import Progress, budget_check, run_scenarios
from workbench.whatif.scenarios import (BASELINE, SETTINGS, Scenario, apply_scenario, model_parameter_or_setting,
                                        setting_value, short_name)

#: The most scenarios compared side by side.
MAX_COMPARED = 6
#: The most combinations one sweep may run.
MAX_SWEEP = 10_000
#: Objective kind (``align.objectives[].kind``) -> the KPI that measures it; other kinds are not modelled.
OBJECTIVE_KPI = {"retention": "retention", "promotion": "promotion", "skill": "skill_gap_closed"}


def _kpi(name: str) -> KPI:
    if name not in KPIS:
        raise WorkbenchError(f"Unknown KPI {name!r}; KPIs: {', '.join(KPIS)}.")
    return KPIS[name]


def _mean_ci(values: np.ndarray) -> tuple[float, float, float]:
    mean = float(values.mean())
    se = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else 0.0
    return mean, mean - Z95 * se, mean + Z95 * se


# --------------------------------------------------------------------------
# Side-by-side comparison


def comparison_table(results: Sequence[SimulationResult], *, baseline: int | str = 0) -> pd.DataFrame:
    """KPI x scenario, long: one row per KPI and scenario (at most :data:`MAX_COMPARED` scenarios).

    Columns: ``kpi``, ``label``, ``unit``, ``higher_is_better``, ``scenario``,
    ``participants`` and ``comparison`` (means; comparison blank for
    program-only KPIs), ``effect`` with its interval ``low``/``high``, and
    against the ``baseline`` scenario (index or name): ``vs_baseline`` with
    ``vs_low``/``vs_high`` and ``p_better`` (share of run pairs in which the
    scenario does better, ties half; blank for the baseline itself). Budgets:
    :func:`budget_table`.
    """
    results = list(results)
    if not 1 <= len(results) <= MAX_COMPARED:
        raise WorkbenchError(f"Compare 1 to {MAX_COMPARED} scenarios at a time, not {len(results)}.")
    names = [r.name for r in results]
    if isinstance(baseline, str):
        if baseline not in names:
            raise WorkbenchError(f"The baseline {baseline!r} is not among the scenarios: {', '.join(names)}.")
        baseline = names.index(baseline)
    base = results[baseline]
    against_base = {i: r.compare(base).set_index("kpi") for i, r in enumerate(results) if i != baseline}
    rows = []
    for kpi, spec in KPIS.items():
        for i, result in enumerate(results):
            participants, comparison = result.runs_kpis[kpi]
            effect, low, high = _mean_ci(result.effect(kpi))
            row = {"kpi": kpi, "label": spec.label, "unit": spec.unit, "higher_is_better": spec.higher_is_better,
                   "scenario": result.name,
                   "participants": float(participants.mean()),
                   "comparison": float(comparison.mean()) if comparison is not None else np.nan,
                   "effect": effect, "low": low, "high": high,
                   "vs_baseline": np.nan, "vs_low": np.nan, "vs_high": np.nan, "p_better": np.nan}
            if i != baseline:
                against = against_base[i].loc[kpi]
                row.update(vs_baseline=against["difference"], vs_low=against["low"], vs_high=against["high"],
                           p_better=against["p_better"])
            rows.append(row)
    return pd.DataFrame(rows)


def budget_table(results: Sequence[SimulationResult]) -> pd.DataFrame:
    """Per scenario that sets a budget: ``scenario``, ``budget``, ``currency``, ``expected_cost``, ``p_within``.

    ``p_within`` is the share of runs whose cost stays within the budget
    (:func:`~workbench.whatif.budget_check`); empty when no scenario sets one.
    """
    rows = [{"scenario": r.name, **budget_check(r)} for r in results if budget_check(r) is not None]
    return pd.DataFrame(rows, columns=["scenario", "budget", "currency", "expected_cost", "p_within"])


def comparison_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`comparison_table` as text for a terminal or a page: one row per KPI, one column per scenario.

    Each cell: the effect with its 95% interval and, beside the baseline,
    P(better than the baseline).
    """
    scenarios = list(dict.fromkeys(table["scenario"]))
    rows = []
    for kpi, group in table.groupby("kpi", sort=False):
        first = group.iloc[0]
        row = {"KPI": first["label"] + (" (vs comparison)" if not np.isnan(first["comparison"]) else "")}
        for _, r in group.iterrows():
            unit = r["unit"]
            shares = unit.startswith("share")
            show = (lambda v: f"{v * 100:.1f}") if shares else (
                lambda v: f"{v:,.0f}" if abs(v) >= 1000 or unit == "currency" else f"{v:.2f}")
            suffix = (" pts" if not np.isnan(r["comparison"]) else "%") if shares else ""
            text = f"{show(r['effect'])}{suffix} [{show(r['low'])}, {show(r['high'])}]"
            if not np.isnan(r["p_better"]):
                text += f"  P(better) {r['p_better']:.0%}"
            row[r["scenario"]] = text
        rows.append(row)
    return pd.DataFrame(rows, columns=["KPI", *scenarios])


# --------------------------------------------------------------------------
# Sweeps


def _split(name: str, value) -> tuple[dict, dict]:
    return ({}, {name: value}) if model_parameter_or_setting(name) == "parameter" else ({name: value}, {})


def grid_scenarios(grid: Mapping[str, Sequence], *, base: Scenario | None = None) -> list[Scenario]:
    """One scenario per combination of ``grid`` (setting or model parameter -> values), on top of ``base``.

    Each is named ``"setting=value, ..."`` (so the same combination always
    has the same random stream, whatever else the grid holds; a name longer
    than 200 characters is cut and ends in a hash of the whole).
    """
    base = base or BASELINE
    if not grid:
        raise WorkbenchError("A sweep needs at least one setting with values.")
    for name, values in grid.items():
        model_parameter_or_setting(name)
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not len(values):
            raise WorkbenchError(f"Give the sweep a list of values for {name!r}, not {values!r}.")
    count = math.prod(len(v) for v in grid.values())
    if count > MAX_SWEEP:
        raise WorkbenchError(f"The sweep has {count:,} combinations; at most {MAX_SWEEP:,} run at once.")
    scenarios = []
    for combination in itertools.product(*grid.values()):
        overrides, parameters = {}, {}
        for name, value in zip(grid, combination):
            o, p = _split(name, value)
            overrides.update(o)
            parameters.update(p)
        label = ", ".join(f"{k}={v}" for k, v in zip(grid, combination))
        prefix = "" if base.name == BASELINE.name else f"{base.name}: "
        scenarios.append(base.with_changes(name=short_name(prefix + label), overrides=overrides,
                                           parameters=parameters, stream=None))
    return scenarios


def result_row(result: SimulationResult | None, kpis: Sequence[str]) -> dict:
    """``<kpi>_mean``, ``<kpi>_low``, ``<kpi>_high`` (effects) for ``kpis``, and ``p_within_budget``."""
    row = {}
    for kpi in kpis:
        mean, low, high = _mean_ci(result.effect(kpi)) if result is not None else (np.nan,) * 3
        row.update({f"{kpi}_mean": mean, f"{kpi}_low": low, f"{kpi}_high": high})
    budget = budget_check(result) if result is not None else None
    row["p_within_budget"] = budget["p_within"] if budget else np.nan
    return row


def sweep(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, grid: Mapping[str, Sequence], *,
          base: Scenario | None = None, kpis: Sequence[str] | None = None, runs: int = 1000, seed: int = 0,
          horizon_months: int | None = None, executor=None, workers: int = 2, progress: Progress | None = None,
          cancel: threading.Event | Callable[[], bool] | None = None, cohorts: dict | None = None) -> pd.DataFrame:
    """Run every combination of ``grid`` (see :func:`grid_scenarios`); one row per combination.

    Columns: ``scenario``, one per grid key, the effects of ``kpis``
    (default all, see :func:`result_row`), ``p_within_budget`` and
    ``status`` (``done``, ``cancelled`` or why it failed). A combination the
    design refuses is a row with its reason, not an error. ``attrs`` holds
    ``runs``, ``seed`` and ``cancelled``. Executor, progress and cancel as for
    :func:`workbench.whatif.run_scenarios`.
    """
    kpis = list(kpis or KPIS)
    for kpi in kpis:
        _kpi(kpi)
    scenarios = grid_scenarios(grid, base=base)
    batch = run_scenarios(tables, design, scenarios, runs=runs, seed=seed, horizon_months=horizon_months,
                          executor=executor, workers=workers, progress=progress, cancel=cancel, errors="record",
                          cohorts=cohorts)
    rows = []
    for scenario, combination, result in zip(scenarios, itertools.product(*grid.values()), batch.results):
        status = "done" if result is not None else batch.errors.get(scenario.name, "cancelled")
        rows.append({"scenario": scenario.name, **dict(zip(grid, combination)), **result_row(result, kpis),
                     "status": status})
    table = pd.DataFrame(rows)
    table.attrs.update(runs=runs, seed=seed, cancelled=batch.cancelled)
    return table


# --------------------------------------------------------------------------
# Tornado: one-at-a-time sensitivity to each model parameter over its range, and to each design lever


def value_text(value) -> str:
    """A setting's or parameter's value in words: ``0.15``, ``monthly``, ``yes``, ``not set``."""
    if value is None:
        return "not set"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.number)):
        return f"{float(value):g}"
    return str(value).replace("_", " ")


def tornado(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, kpi: str = "retention", *,
            scenario: Scenario | None = None, parameters: Sequence[str] | None = None,
            levers: Sequence[str] | None = None, runs: int = 1000, seed: int = 0,
            horizon_months: int | None = None, executor=None, workers: int = 2, progress: Progress | None = None,
            cancel=None, cohorts: dict | None = None) -> pd.DataFrame:
    """How much ``kpi``'s effect moves when each model parameter goes to the ends of its documented range, and
    each design lever (:data:`workbench.simulate.mechanisms.LEVERS`) to its two values.

    ``parameters`` and ``levers`` (setting names) choose which; default all.
    Every run uses the scenario's random stream (common random numbers), so
    a swing is the parameter's or the lever's doing, not noise: one the KPI
    does not depend on swings by exactly zero (a lever that re-matches the
    cohort changes the pairs too). One row per parameter or lever, largest
    swing first: ``parameter`` (its name), ``kind`` (``"model"`` or
    ``"design"``), ``description``, ``unit``, ``source``, ``low``, ``high``
    (the values tried), ``range`` (them in words), ``base`` (the value used),
    ``at_low``, ``at_high``, ``at_base`` (the KPI's effect), ``swing``
    (``|at_high - at_low|``). ``attrs`` holds ``kpi`` and ``cancelled``.
    """
    label = _kpi(kpi).label
    scenario = scenario or BASELINE
    names = list(PARAMETERS if parameters is None else parameters)
    for name in names:
        if name not in PARAMETERS:
            raise WorkbenchError(f"Unknown model parameter {name!r}; known: {', '.join(PARAMETERS)}.")
    known_levers = {lever.setting: lever for lever in LEVERS}
    lever_names = list(known_levers if levers is None else levers)
    for name in lever_names:
        if name not in known_levers:
            raise WorkbenchError(f"Unknown design lever {name!r}; levers: {', '.join(known_levers)}.")
    stream = scenario.stream_name
    runs_for = [scenario.with_changes(stream=stream)]
    tried = []
    for name in names:
        p = PARAMETERS[name]
        tried.append(("model", name, p.low, p.high, p.description, p.unit, p.source))
        for end, value in (("low", p.low), ("high", p.high)):
            runs_for.append(scenario.with_changes(name=short_name(f"{name} {end}"), parameters={name: value},
                                                  stream=stream))
    for name in lever_names:
        lever = known_levers[name]
        tried.append(("design", name, lever.low, lever.high, SETTINGS[name].description, "",
                      "design lever (see What the model leaves out for decisions it does not quantify)"))
        for end, value in (("low", lever.low), ("high", lever.high)):
            runs_for.append(scenario.with_changes(name=short_name(f"{name} {end}"), overrides={name: value},
                                                  stream=stream))
    batch = run_scenarios(tables, design, runs_for, runs=runs, seed=seed, horizon_months=horizon_months,
                          executor=executor, workers=workers, progress=progress, cancel=cancel, cohorts=cohorts)
    base_result = batch.results[0]
    at_base = float(base_result.effect(kpi).mean()) if base_result is not None else np.nan
    base_design = apply_scenario(design, scenario)
    rows = []
    for k, (kind, name, low_value, high_value, description, unit, source) in enumerate(tried):
        low, high = batch.results[1 + 2 * k], batch.results[2 + 2 * k]
        at_low = float(low.effect(kpi).mean()) if low is not None else np.nan
        at_high = float(high.effect(kpi).mean()) if high is not None else np.nan
        if kind == "model":
            used = base_result.parameters[name] if base_result is not None else np.nan
        else:
            used = setting_value(base_design, name, scenario)
        rows.append({"parameter": name, "kind": kind, "description": description, "unit": unit, "source": source,
                     "low": low_value, "high": high_value, "range": f"{value_text(low_value)} to "
                                                                   f"{value_text(high_value)}",
                     "base": used, "at_low": at_low, "at_high": at_high, "at_base": at_base,
                     "swing": abs(at_high - at_low)})
    table = pd.DataFrame(rows, columns=["parameter", "kind", "description", "unit", "source", "low", "high", "range",
                                        "base", "at_low", "at_high", "at_base", "swing"])
    table = table.sort_values("swing", ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    table.attrs.update(kpi=kpi, label=label, cancelled=batch.cancelled)
    return table


# --------------------------------------------------------------------------
# Cost versus impact


def frontier(results: Sequence[SimulationResult] | pd.DataFrame, *, impact: str = "exits",
             cost: str = "cost") -> pd.DataFrame:
    """Cost against impact per scenario, with the efficient frontier marked.

    ``results``: simulation results, or a :func:`sweep` table. ``impact`` is
    a KPI; its effect is turned so that more is better (for ``exits``: exits
    avoided, comparison minus participants). One row per scenario, by cost:
    ``scenario``, ``cost`` (mean) with ``cost_low``/``cost_high``,
    ``impact`` with ``impact_low``/``impact_high``, and ``efficient``: no
    other scenario costs no more and achieves at least as much, one of them
    strictly. ``attrs`` holds the impact's ``label``.
    """
    spec, _ = _kpi(impact), _kpi(cost)
    label, better = spec.label, spec.higher_is_better
    sign = 1.0 if better else -1.0
    if isinstance(results, pd.DataFrame):
        frame = results
        needed = [f"{cost}_mean", f"{impact}_mean"]
        missing = [c for c in needed if c not in frame]
        if missing:
            raise WorkbenchError(f"The table has no {', '.join(missing)} column: sweep the KPIs {cost} and {impact}.")
        rows = pd.DataFrame({
            "scenario": frame["scenario"] if "scenario" in frame else frame.index.astype(str),
            "cost": frame[f"{cost}_mean"], "cost_low": frame.get(f"{cost}_low"),
            "cost_high": frame.get(f"{cost}_high"),
            "impact": sign * frame[f"{impact}_mean"],
            "impact_low": sign * frame[f"{impact}_low" if better else f"{impact}_high"],
            "impact_high": sign * frame[f"{impact}_high" if better else f"{impact}_low"]}).dropna(
            subset=["cost", "impact"])
    else:
        records = []
        for result in results:
            c_mean, c_low, c_high = _mean_ci(result.effect(cost))
            i_mean, i_low, i_high = _mean_ci(sign * result.effect(impact))
            records.append({"scenario": result.name, "cost": c_mean, "cost_low": c_low, "cost_high": c_high,
                            "impact": i_mean, "impact_low": i_low, "impact_high": i_high})
        rows = pd.DataFrame(records, columns=["scenario", "cost", "cost_low", "cost_high", "impact", "impact_low",
                                              "impact_high"])
    rows = rows.sort_values(["cost", "impact"], ascending=[True, False], kind="stable").reset_index(drop=True)
    costs, impacts = rows["cost"].to_numpy(float), rows["impact"].to_numpy(float)
    efficient = [not np.any((costs <= c) & (impacts >= i) & ((costs < c) | (impacts > i)))
                 for c, i in zip(costs, impacts)]
    rows["efficient"] = efficient
    impact_label = "Exits avoided by the horizon" if impact == "exits" else label
    rows.attrs.update(impact=impact, label=impact_label)
    return rows


# --------------------------------------------------------------------------
# What would it take


@dataclass(frozen=True)
class Target:
    """A KPI effect to reach: ``effect >= target`` (or ``<=`` when lower is better) in a run."""

    kpi: str
    target: float
    horizon_months: int | None = None
    objective: str | None = None

    @property
    def higher_is_better(self) -> bool:
        return KPIS[self.kpi].higher_is_better

    def reached(self, result: SimulationResult) -> np.ndarray:
        effect = result.effect(self.kpi)
        return effect >= self.target if self.higher_is_better else effect <= self.target

    def describe(self) -> str:
        spec = KPIS[self.kpi]
        shown = f"{self.target * 100:+.1f} points" if spec.unit.startswith("share") else \
            f"{self.target:,.2f} {spec.unit}"
        side = "at least" if self.higher_is_better else "at most"
        scope = " against the comparison group" if spec.compared else ""
        return f"{spec.label.lower()}{scope} {side} {shown}"


def _share(value: float) -> float:
    return value / 100 if abs(value) > 1 else value


def objective_target(design: ProgramDesign, objective_id: str) -> Target:
    """The KPI and effect an objective of ``align.objectives`` asks for (see :data:`OBJECTIVE_KPI`).

    Baseline and target are read as shares (0-1, or percent when above 1);
    the effect needed is ``target - baseline``. For ``retention``, a target
    below the baseline is read as an exit rate going down: the retention
    effect needed is ``baseline - target``. The objective's horizon becomes
    the simulation's.
    """
    objectives = {o.id: o for o in design.align.objectives}
    if objective_id not in objectives:
        raise WorkbenchError(f"The design has no objective {objective_id!r}; objectives: "
                             f"{', '.join(objectives) or 'none yet (add them on the Align page)'}.")
    o = objectives[objective_id]
    if o.kind not in OBJECTIVE_KPI:
        raise WorkbenchError(f"The objective {objective_id!r} is about {o.kind}, which the outcome model does not "
                             f"simulate; it simulates {', '.join(OBJECTIVE_KPI)}.")
    if o.baseline is None or o.target is None:
        raise WorkbenchError(f"The objective {objective_id!r} needs a baseline and a target.")
    baseline, target = _share(o.baseline), _share(o.target)
    needed = abs(target - baseline) if o.kind == "retention" else target - baseline
    horizon = min(o.horizon_months, 60) if o.horizon_months else None
    return Target(OBJECTIVE_KPI[o.kind], needed, horizon, objective_id)


@dataclass(frozen=True, eq=False)
class Answer:
    """What :func:`what_would_it_take` found.

    ``value`` is the setting's value closest to the current one that
    reaches the target with the probability asked (``None`` when no value
    in ``[low, high]`` does); ``change`` is ``value - current``;
    ``probability_reached`` is P(reach) at ``value`` (or the best seen);
    ``evaluations`` every value tried, with P(reach) and the effect's mean.
    """

    setting: str
    target: Target
    probability: float
    current: float
    value: float | None
    change: float | None
    probability_reached: float
    low: float
    high: float
    evaluations: pd.DataFrame
    cancelled: bool = False

    @property
    def reachable(self) -> bool:
        return self.value is not None

    def message(self) -> str:
        """One plain sentence."""
        goal = f"{self.target.describe()} with probability {self.probability:.0%}"
        show = (lambda v: f"{v:g}")
        if self.cancelled:
            return f"Stopped before finding what it takes to reach {goal}."
        if self.value is None:
            return (f"No {self.setting} from {show(self.low)} to {show(self.high)} reaches {goal}: the best "
                    f"reaches it with probability {self.probability_reached:.0%}.")
        if self.change == 0:
            return f"The current {self.setting} ({show(self.current)}) already reaches {goal} " \
                   f"(probability {self.probability_reached:.0%})."
        return (f"{self.setting} = {show(self.value)} (from {show(self.current)}, {self.change:+g}) reaches {goal} "
                f"(probability {self.probability_reached:.0%}).")


def what_would_it_take(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, setting: str, *,
                       kpi: str | None = None, target: float | None = None, objective: str | None = None,
                       probability: float = 0.8, scenario: Scenario | None = None, low: float | None = None,
                       high: float | None = None, runs: int = 1000, seed: int = 0, executor=False,
                       workers: int = 2, max_steps: int = 12, progress: Progress | None = None, cancel=None,
                       cohorts: dict | None = None) -> Answer:
    """The smallest change to ``setting`` after which a run reaches the target with at least ``probability``.

    The target is an ``objective`` id of the design (:func:`objective_target`)
    or a ``kpi`` with the ``target`` effect (in the KPI's unit: shares as
    0-1, for example ``kpi="retention", target=0.05`` for five points more
    than the comparison group; for KPIs where lower is better, such as
    ``exits`` or ``cost``, the run must come in at or below it).
    ``setting`` is a numeric setting (:data:`~workbench.whatif.SETTINGS`) or
    a model parameter, searched from its current value towards ``low`` and
    towards ``high`` (default: its allowed range; ``cohort_size``: 2 to 10x
    the current cohort) by bisection, assuming the chance of reaching the
    target moves one way on each side. Every value uses the scenario's
    random stream (common random numbers), so neighbouring values are
    compared on the same draws. Whole-number settings stay whole.
    """
    if not 0 < probability < 1:
        raise WorkbenchError(f"The probability must be between 0 and 1 (exclusive), not {probability}.")
    if objective is not None:
        goal = objective_target(design, objective)
    elif kpi is not None and target is not None:
        _kpi(kpi)
        goal = Target(kpi, float(target))
    else:
        raise WorkbenchError("Say what to reach: an objective of the design, or a KPI and its target.")
    scenario = scenario or BASELINE
    kind = model_parameter_or_setting(setting)
    if kind == "parameter":
        integer, (lo, hi) = False, PARAMETERS[setting].allowed
    else:
        spec = SETTINGS[setting]
        if not spec.numeric:
            raise WorkbenchError(f"{setting!r} is not a number, so there is no smallest change to search; compare "
                                 f"its options as scenarios instead.")
        integer, lo, hi = spec.kind == "int", spec.low, spec.high
    current = setting_value(design, setting, scenario)
    if setting == "cohort_size":
        if current is None:
            current = build_cohort(tables, apply_scenario(design, scenario)).size
        lo, hi = 2, max(2, 10 * current)
    if setting == "horizon_months" and current is None:
        current = max(12, int(scenario.overrides.get("duration_months", design.experience.duration_months)))
    if current is None:
        raise WorkbenchError(f"The design does not set {setting!r}; give it a value in a scenario first.")
    lo = float(low) if low is not None else float(lo if lo is not None else 0.0)
    hi = float(high) if high is not None else float(hi if hi is not None else max(1.0, 10 * float(current)))
    if not lo <= hi:
        raise WorkbenchError(f"The search range of {setting!r} is empty ({lo:g} to {hi:g}).")
    current = float(current)
    if integer:
        lo, hi, current = math.ceil(lo), math.floor(hi), round(current)
    horizon = goal.horizon_months
    stream = scenario.stream_name
    evaluated: dict[float, tuple[float, float]] = {}
    cancelled = False

    def evaluate(values: list[float]) -> None:
        nonlocal cancelled
        values = [v for v in dict.fromkeys(values) if v not in evaluated]
        if not values or cancelled:
            return
        batch_scenarios = []
        for v in values:
            o, p = _split(setting, int(v) if integer else float(v))
            batch_scenarios.append(scenario.with_changes(name=short_name(f"{setting}={v:g}"), overrides=o,
                                                         parameters=p, stream=stream))
        batch = run_scenarios(tables, design, batch_scenarios, runs=runs, seed=seed, horizon_months=horizon,
                              executor=executor, workers=workers, cancel=cancel, cohorts=cohorts)
        cancelled = batch.cancelled
        for v, result in zip(values, batch.results):
            if result is not None:
                evaluated[v] = (float(goal.reached(result).mean()), float(result.effect(goal.kpi).mean()))
            if progress is not None:
                progress(len(evaluated), len(evaluated) + 1, f"{setting} = {v:g}")

    def ok(v: float) -> bool:
        return v in evaluated and evaluated[v][0] >= probability

    start = min(max(current, lo), hi)
    evaluate([start, lo, hi])
    answer = None
    if ok(start):
        answer = start
    else:
        found = []
        for end in (lo, hi):
            if end == start or not ok(end):
                continue
            bad, good = start, end  # bad fails, good reaches; close in on the boundary nearest to start
            for _ in range(max_steps):
                if cancelled:
                    break
                if integer and abs(good - bad) <= 1:
                    break
                mid = (bad + good) / 2
                mid = float(math.floor(mid) if good > bad else math.ceil(mid)) if integer else mid
                if not integer and abs(good - bad) <= (hi - lo) * 1e-3:
                    break
                evaluate([mid])
                if ok(mid):
                    good = mid
                else:
                    bad = mid
            found.append(good)
        if found:
            answer = min(found, key=lambda v: abs(v - start))
    table = pd.DataFrame([{"value": v, "p_reach": p, "effect": e} for v, (p, e) in sorted(evaluated.items())],
                         columns=["value", "p_reach", "effect"])
    best = evaluated[answer][0] if answer is not None else (table["p_reach"].max() if len(table) else float("nan"))
    return Answer(setting=setting, target=goal, probability=probability, current=current, value=answer,
                  change=None if answer is None else answer - current, probability_reached=float(best), low=lo,
                  high=hi, evaluations=table, cancelled=cancelled)

