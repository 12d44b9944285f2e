"""Running scenarios: the cohort each one matches, its own random stream, any ``concurrent.futures`` executor.

Running a scenario is (1) the cohort: :func:`workbench.simulate.build_cohort`
under the scenario's design, re-matched only when a setting that matching
reads changed (cohorts are cached by those settings, :func:`matching_key`),
then resized when the scenario sets ``cohort_size``; and (2)
:func:`workbench.simulate.simulate` seeded with
``SeedSequence(seed, spawn_key=(stable_hash(stream),))``, where the stream is
the scenario's name unless it names another. So a scenario's result depends
only on the workspace's tables, the design, the scenario, the runs and the
seed: never on which other scenarios run with it, in what order, or where.

:func:`run_scenarios` runs many through an executor: local processes by
default (``executor=None``; ``workers`` of them), in this process
(``executor=False``), or any ``concurrent.futures.Executor`` passed in, such
as a Dask cluster's ``distributed.Client(...).get_executor()`` (the
``dask`` extra). Matching runs first (one task per distinct cohort), then one
task per scenario; tasks receive plain picklable inputs (DataFrames, the
design model, the scenario) and workers import :mod:`workbench`. Progress is
reported through ``progress(done, total, message)`` after each task, and
``cancel`` (a ``threading.Event`` or a function returning true) stops
submitting, cancels what has not started and returns what finished, marked
``cancelled``.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import json
import multiprocessing.context
import multiprocessing.spawn
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.simulate import Cohort, SimulationResult, build_cohort, simulate
from workbench.whatif.scenarios import BASELINE, Scenario, apply_scenario

#: Experience fields only the outcome model reads: changing them never re-matches.
SIMULATION_ONLY = ("duration_months", "cadence", "meeting_minutes", "mentor_training_hours",
                   "mentee_training_hours", "goal_setting", "agreement", "meeting_format", "session_guides")
#: Local worker processes by default.
DEFAULT_WORKERS = 2
#: Tasks in flight per worker: enough to keep workers busy, few enough to cancel promptly.
PENDING_PER_WORKER = 2

Progress = Callable[[int, int, str], None]


def stable_hash(text: str) -> int:
    """A 64-bit number from ``text`` that is the same in every process, machine and Python version."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def scenario_seed(seed: int, stream: str) -> np.random.SeedSequence:
    """The ``SeedSequence`` of a scenario's stream: ``SeedSequence(seed, spawn_key=(stable_hash(stream),))``."""
    return np.random.SeedSequence(int(seed), spawn_key=(stable_hash(stream),))


def matching_key(design: ProgramDesign) -> str:
    """What matching reads from the design, as text: designs with the same key have the same cohort."""
    experience = design.experience.model_dump(mode="json", exclude=set(SIMULATION_ONLY))
    align = design.align.model_dump(mode="json", include={"mentee_eligibility", "mentor_eligibility",
                                                          "focus_skills"})
    return json.dumps({"experience": experience, "align": align}, sort_keys=True)


_COHORT_STREAM = stable_hash("cohort_size")


def resize_cohort(cohort: Cohort, size: int, seed: int) -> Cohort:
    """The cohort resampled to ``size`` participants (see :mod:`workbench.whatif.scenarios`), seeded by ``seed``."""
    n = cohort.size
    if size == n or n == 0:
        return cohort
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(_COHORT_STREAM, int(size))))
    if size < n:
        rows = np.sort(rng.choice(n, size, replace=False))
    else:
        rows = np.concatenate([np.arange(n), np.sort(rng.integers(0, n, size - n))])
    mentees = cohort.mentees.iloc[rows].reset_index(drop=True)
    copy = pd.Series(rows).groupby(rows).cumcount().to_numpy()
    mentees["person_id"] = [pid if k == 0 else f"{pid}#{k + 1}" for pid, k in zip(mentees["person_id"], copy)]
    scale = size / n
    mentors = 0 if cohort.mentors == 0 else max(1, round(cohort.mentors * scale))
    return dataclasses.replace(cohort, mentees=mentees, mentors=mentors, unmatched=round(cohort.unmatched * scale))


def _settings_used(design: ProgramDesign, scenario: Scenario, cohort_size: int | None) -> dict:
    exp = design.experience
    used = {"mentor_capacity": exp.mentor_capacity, "group_size": exp.group_size,
            "mentors_per_mentee": exp.mentors_per_mentee, "matching_objective": exp.matching_objective,
            "weights": dict(exp.criteria), "hard_rules": list(exp.hard_rules),
            "budget": design.align.constraints.budget, "currency": design.align.constraints.currency,
            "average_salary": design.evaluate.average_salary,
            "replacement_cost_multiple": design.evaluate.replacement_cost_multiple,
            "overrides": dict(scenario.overrides), "stream": scenario.stream_name}
    if cohort_size is not None:
        used["cohort_size"] = cohort_size
    return used


def simulate_scenario(cohort: Cohort, design: ProgramDesign, scenario: Scenario, *, runs: int, seed: int,
                      horizon_months: int | None = None) -> SimulationResult:
    """Simulate ``scenario`` on the cohort its design matched (before any ``cohort_size``).

    ``runs``, ``seed`` and ``horizon_months`` are the call's; the scenario's
    own ``runs``, ``seed`` and ``horizon_months`` setting win. The result's
    ``settings`` record every setting used.
    """
    runs = scenario.runs or runs
    seed = scenario.seed if scenario.seed is not None else seed
    scenario_design = apply_scenario(design, scenario)
    size = scenario.overrides.get("cohort_size")
    if size is not None:
        cohort = resize_cohort(cohort, size, seed)
    horizon = scenario.overrides.get("horizon_months", horizon_months)
    result = simulate(cohort, scenario_design, runs=runs, seed=scenario_seed(seed, scenario.stream_name),
                      parameters=scenario.parameters, horizon_months=horizon, name=scenario.name)
    return dataclasses.replace(result, settings={**result.settings,
                                                 **_settings_used(scenario_design, scenario, size)})


def run_scenario(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, scenario: Scenario = BASELINE, *,
                 runs: int = 1000, seed: int = 0, horizon_months: int | None = None,
                 cohorts: dict | None = None) -> SimulationResult:
    """One scenario in this process (``cohorts``: a dict to cache cohorts in across calls)."""
    return run_scenarios(tables, design, [scenario], runs=runs, seed=seed, horizon_months=horizon_months,
                         executor=False, cohorts=cohorts)[scenario.name]


def _cohort_task(tables: Mapping[str, pd.DataFrame], design: ProgramDesign) -> Cohort:
    return build_cohort(tables, design)


def _simulate_task(cohort: Cohort, design: ProgramDesign, scenario: Scenario, runs: int, seed: int,
                   horizon_months: int | None) -> SimulationResult:
    return simulate_scenario(cohort, design, scenario, runs=runs, seed=seed, horizon_months=horizon_months)


@dataclass(frozen=True, eq=False)
class ScenarioRuns:
    """Results of :func:`run_scenarios`, in the order the scenarios were given.

    ``results[i]`` is ``None`` when scenario ``i`` did not finish (cancelled,
    or failed with ``errors="record"``; ``errors`` maps its name to why).
    """

    scenarios: tuple[Scenario, ...]
    results: tuple[SimulationResult | None, ...]
    cancelled: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> SimulationResult:
        for scenario, result in zip(self.scenarios, self.results):
            if scenario.name == name:
                if result is None:
                    raise KeyError(f"scenario {name!r} did not finish: {self.errors.get(name, 'cancelled')}")
                return result
        raise KeyError(name)

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self):
        return iter(self.results)

    def finished(self) -> list[SimulationResult]:
        """The results that finished, in order."""
        return [r for r in self.results if r is not None]


def _cancelled(cancel) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


class _Serial(cf.Executor):
    """Runs each task when it is submitted, in this process (results identical to any other executor)."""

    def submit(self, fn, /, *args, **kwargs):
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


class _WorkbenchWorker(multiprocessing.context.SpawnProcess):
    """A spawned worker process that starts without the caller's main module (:func:`_preparation_data`)."""


class _WorkerContext(multiprocessing.context.SpawnContext):
    Process = _WorkbenchWorker


_WORKER_NAME = _WorkbenchWorker.__name__ + "-"  # a process is named after its class: "_WorkbenchWorker-3"
_stdlib_preparation_data = multiprocessing.spawn.get_preparation_data


def _preparation_data(name: str) -> dict:
    """What a new process is told about this one; for a worker, without the main module.

    Spawned processes normally re-run the caller's ``__main__`` (as
    ``__mp_main__``) so that functions defined there can be unpickled: a plain
    script without an ``if __name__ == "__main__":`` guard then runs again in
    every worker, which starts workers of its own and fails ("An attempt has
    been made to start a new process before the current process has finished
    its bootstrapping phase"). Workers only run workbench's own functions, so,
    as loky's do, they start without it.
    """
    data = _stdlib_preparation_data(name)
    if name.startswith(_WORKER_NAME):
        data.pop("init_main_from_name", None)
        data.pop("init_main_from_path", None)
    return data


def local_executor(workers: int = DEFAULT_WORKERS) -> cf.ProcessPoolExecutor:
    """Local worker processes (started fresh, ``spawn``: safe beside threads, the same on every platform).

    Workers import :mod:`workbench`, never the caller's main module: a plain
    script (no ``if __name__ == "__main__":`` guard), a notebook or a Voila
    page may use them alike, and their tasks are workbench's own functions (a
    function defined in a script cannot be sent to them). Each worker starts by
    importing pandas and the workbench (a few seconds on a busy laptop): keep
    one open across calls to pay that once; close it with ``shutdown()`` or a
    ``with`` block.
    """
    if workers < 1:
        raise WorkbenchError(f"Workers must be at least 1, not {workers}.")
    multiprocessing.spawn.get_preparation_data = _preparation_data  # what each start method asks; others' unchanged
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=_WorkerContext())


def _run_tasks(executor: cf.Executor, tasks: list[tuple], window: int, cancel, on_done) -> bool:
    """Submit ``(fn, args)`` tasks at most ``window`` at a time; ``on_done(i, future)``; True when cancelled."""
    pending: dict[cf.Future, int] = {}
    next_task = 0
    try:
        while next_task < len(tasks) or pending:
            if _cancelled(cancel):
                for future in pending:
                    future.cancel()
                return True
            while next_task < len(tasks) and len(pending) < window:
                fn, args = tasks[next_task]
                pending[executor.submit(fn, *args)] = next_task
                next_task += 1
            done, _ = cf.wait(list(pending), timeout=0.2, return_when=cf.FIRST_COMPLETED)
            for future in sorted(done, key=pending.get):
                on_done(pending.pop(future), future)
    except BaseException:
        for future in pending:
            future.cancel()
        raise
    return False


def task_pool(executor: cf.Executor | bool | None, workers: int, tasks: int,
              max_pending: int | None = None) -> tuple[cf.Executor, cf.Executor | None, int]:
    """Where tasks run: ``(executor, the one started here or None, tasks to keep submitted ahead)``.

    ``executor``: ``None`` for ``workers`` local processes (this process when
    ``tasks <= 1``), ``False`` for this process, or an executor of the
    caller's. The caller shuts down the one started here (the second item).
    """
    own = None
    if executor is False or (executor is None and tasks <= 1):
        pool: cf.Executor = _Serial()
    elif executor is None or executor is True:
        pool = own = local_executor(workers)
    else:
        pool = executor
    if isinstance(pool, _Serial):
        return pool, own, 1
    return pool, own, max_pending or max(2, PENDING_PER_WORKER * (getattr(pool, "_max_workers", None) or workers))


def run_scenarios(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, scenarios: Sequence[Scenario], *,
                  runs: int = 1000, seed: int = 0, horizon_months: int | None = None,
                  executor: cf.Executor | bool | None = None, workers: int = DEFAULT_WORKERS,
                  progress: Progress | None = None, cancel: threading.Event | Callable[[], bool] | None = None,
                  errors: str = "raise", cohorts: dict | None = None,
                  max_pending: int | None = None) -> ScenarioRuns:
    """Run ``scenarios`` (see the module docstring); results in the order given.

    ``executor``: ``None`` for ``workers`` local processes (started for this
    call; a single task runs here instead), ``False`` to run here, or an
    executor (not shut down). ``errors``: ``"raise"`` stops at the first
    scenario that cannot run (a :class:`WorkbenchError` naming it);
    ``"record"`` keeps going and lists it in ``errors``. ``cohorts``: a dict
    caching cohorts by :func:`matching_key` across calls. ``max_pending``:
    tasks submitted ahead (default two per local worker; raise it for a
    large cluster).
    """
    if runs < 2:
        raise WorkbenchError("A simulation needs at least 2 runs.")
    if errors not in ("raise", "record"):
        raise ValueError("errors must be 'raise' or 'record'")
    scenarios = list(scenarios)
    names = [s.name for s in scenarios]
    repeated = sorted(n for n, k in Counter(names).items() if k > 1)
    if repeated:
        shown = ", ".join(repeated[:3]) + (f" and {len(repeated) - 3} more" if len(repeated) > 3 else "")
        raise WorkbenchError(f"Scenario names must differ; repeated: {shown}.")
    cohorts = {} if cohorts is None else cohorts
    designs, keys, failed = [], [], {}
    for scenario in scenarios:
        try:
            designs.append(apply_scenario(design, scenario))
        except WorkbenchError as exc:
            if errors == "raise":
                raise
            designs.append(None)
            failed[scenario.name] = str(exc)
        keys.append(matching_key(designs[-1]) if designs[-1] is not None else None)
    to_match = {key: d for key, d in zip(keys, designs) if key is not None and key not in cohorts}
    total = len(to_match) + len(scenarios) - len(failed)
    done_count = 0

    def report(message: str) -> None:
        nonlocal done_count
        done_count += 1
        if progress is not None:
            progress(done_count, total, message)

    pool, own, window = task_pool(executor, workers, total, max_pending)
    results: list[SimulationResult | None] = [None] * len(scenarios)
    cancelled = finished = False
    try:
        match_keys = list(to_match)

        def matched(i: int, future: cf.Future) -> None:
            key = match_keys[i]
            try:
                cohorts[key] = future.result()
            except WorkbenchError as exc:
                cohorts[key] = exc
            report(f"matched cohort {i + 1} of {len(match_keys)}")

        cancelled = _run_tasks(pool, [(_cohort_task, (tables, to_match[k])) for k in match_keys], window, cancel,
                               matched)
        todo = []
        for i, (scenario, key) in enumerate(zip(scenarios, keys)):
            if key is None:
                continue
            cohort = cohorts.get(key)
            if isinstance(cohort, WorkbenchError):
                failed[scenario.name] = f"Scenario {scenario.name!r}: {cohort}"
                if errors == "raise":
                    raise WorkbenchError(failed[scenario.name])
                continue
            if cohort is not None:
                todo.append((i, (cohort, design, scenario, runs, seed, horizon_months)))
        if not cancelled:
            def simulated(j: int, future: cf.Future) -> None:
                i = todo[j][0]
                name = scenarios[i].name
                try:
                    results[i] = future.result()
                except WorkbenchError as exc:
                    failed[name] = f"Scenario {name!r}: {exc}"
                    if errors == "raise":
                        raise WorkbenchError(failed[name]) from None
                report(f"simulated {name}")

            cancelled = _run_tasks(pool, [(_simulate_task, args) for _, args in todo], window, cancel, simulated)
        finished = not cancelled
    finally:
        if own is not None:  # after a cancel or an error, return without waiting for running tasks
            own.shutdown(wait=finished, cancel_futures=True)
    for key in [k for k, v in cohorts.items() if isinstance(v, WorkbenchError)]:
        del cohorts[key]  # a failed matching is tried again next time
    return ScenarioRuns(scenarios=tuple(scenarios), results=tuple(results), cancelled=cancelled, errors=failed)


def budget_check(result: SimulationResult) -> dict | None:
    """Whether the program's cost stays within ``align.constraints.budget``: limit, expected cost, P(cost <= budget).

    ``None`` when the design sets no budget.
    """
    budget = result.settings.get("budget")
    if budget is None:
        return None
    cost = result.runs_kpis["cost"][0]
    return {"budget": float(budget), "currency": result.settings.get("currency", ""),
            "expected_cost": float(cost.mean()), "p_within": float((cost <= budget).mean())}

