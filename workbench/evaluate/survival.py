"""Time-to-event comparisons: Kaplan-Meier curves and the log-rank test (SciPy), hazard ratios (statsmodels).

:func:`kaplan_meier` wraps :func:`scipy.stats.ecdf` on right-censored data (with
log-log 95% intervals, which stay inside 0-1); :func:`logrank_test` wraps
:func:`scipy.stats.logrank`; :func:`cox_hazard_ratio` fits a Cox proportional
hazards model with :class:`statsmodels.duration.hazard_regression.PHReg` (Efron's
method for tied times, as R's ``coxph``). :func:`compare_survival` runs all three
on one table with a group column. Times are in whatever unit they are given in
(months throughout the workbench); ``event`` is true for an event (an exit, a
promotion) and false for a censored time.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from workbench.privacy import MIN_GROUP

Z95 = 1.959963984540054


@dataclass(frozen=True)
class LogRank:
    """The log-rank test of two survival curves: ``statistic`` is the chi-square (1 degree of freedom).

    ``z`` is SciPy's signed statistic (``z ** 2 == statistic``): negative when the
    first group has fewer events than expected (survives better).
    """

    statistic: float
    z: float
    p_value: float


@dataclass(frozen=True)
class HazardRatio:
    """A Cox model's hazard ratio of the group of interest, with its 95% interval and p-value.

    ``adjusted_for`` names the covariates; ``strata`` the columns whose every value
    has its own baseline hazard. ``people`` and ``events`` count the rows fitted.
    """

    estimate: float
    low: float
    high: float
    p_value: float
    adjusted_for: tuple[str, ...]
    strata: tuple[str, ...]
    people: int
    events: int


@dataclass(frozen=True, eq=False)
class SurvivalComparison:
    """Kaplan-Meier curves per group, the log-rank test and the Cox hazard ratio of the first group.

    ``km``: ``group``, ``time``, ``survival``, ``low``, ``high``, ``at_risk``,
    ``events`` (one row per distinct time, starting at time 0). ``groups``:
    ``group``, ``people``, ``events`` (``None`` for a group under five people). ``logrank`` or ``hazard_ratio`` are ``None``
    when they cannot be computed (``notes`` say why). Groups under five people
    are left out of ``km``.
    """

    km: pd.DataFrame = field(repr=False)
    groups: pd.DataFrame
    logrank: LogRank | None
    hazard_ratio: HazardRatio | None
    notes: tuple[str, ...] = ()

    def survival_at(self, group: str, time: float) -> float | None:
        """The Kaplan-Meier survival of ``group`` at ``time`` (``None`` when the group is not shown)."""
        rows = self.km[(self.km["group"] == group) & (self.km["time"] <= time)]
        return float(rows["survival"].iloc[-1]) if len(rows) else None


def kaplan_meier(time: Sequence[float], event: Sequence[bool], *, confidence: float = 0.95) -> pd.DataFrame:
    """The Kaplan-Meier survival curve: ``time``, ``survival``, ``low``, ``high``, ``at_risk``, ``events``.

    One row at time 0 (survival 1) and one per distinct observed time. The
    interval is SciPy's log-log interval; where it is undefined (survival 0 or 1)
    it is blank (NaN), except at time 0.

    >>> kaplan_meier([1, 2, 2, 3], [True, True, False, False])["survival"].round(3).tolist()
    [1.0, 0.75, 0.5, 0.5]
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    if len(t) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=float) for c in ("time", "survival", "low", "high")}) \
            .assign(at_risk=pd.Series([], dtype=int), events=pd.Series([], dtype=int))
    result = stats.ecdf(stats.CensoredData.right_censored(t, ~e))
    times = np.asarray(result.sf.quantiles, dtype=float)
    survival = np.asarray(result.sf.probabilities, dtype=float)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The confidence interval is undefined", category=RuntimeWarning)
        interval = result.sf.confidence_interval(confidence, method="log-log")
        low, high = np.asarray(interval.low.probabilities), np.asarray(interval.high.probabilities)
    order = np.sort(t)
    at_risk = len(t) - np.searchsorted(order, times, side="left")
    events = np.bincount(np.searchsorted(times, t[e]), minlength=len(times))[:len(times)] if e.any() \
        else np.zeros(len(times), dtype=int)
    frame = pd.DataFrame({"time": times, "survival": survival, "low": low, "high": high,
                          "at_risk": at_risk.astype(int), "events": events.astype(int)})
    if times[0] <= 0:  # events at time 0 keep SciPy's first step
        return frame
    first = pd.DataFrame({"time": [0.0], "survival": [1.0], "low": [1.0], "high": [1.0],
                          "at_risk": [len(t)], "events": [0]})
    return pd.concat([first, frame], ignore_index=True)


def logrank_test(time_a, event_a, time_b, event_b) -> LogRank | None:
    """SciPy's log-rank test of group a against group b; ``None`` without any event or with an empty group."""
    ta, tb = np.asarray(time_a, float), np.asarray(time_b, float)
    ea, eb = np.asarray(event_a, bool), np.asarray(event_b, bool)
    if len(ta) == 0 or len(tb) == 0 or not (ea.any() or eb.any()):
        return None
    result = stats.logrank(stats.CensoredData.right_censored(ta, ~ea), stats.CensoredData.right_censored(tb, ~eb))
    z = float(result.statistic)
    return LogRank(statistic=z * z, z=z, p_value=float(result.pvalue))


def _design_matrix(frame: pd.DataFrame, treatment: str, numeric: Sequence[str],
                   categorical: Sequence[str]) -> pd.DataFrame:
    columns = {treatment: frame[treatment].astype(float)}
    for name in numeric:
        values = pd.to_numeric(frame[name], errors="coerce").astype(float)
        if values.notna().all() and values.nunique() > 1:
            columns[name] = values
    matrix = pd.DataFrame(columns, index=frame.index)
    for name in categorical:
        dummies = pd.get_dummies(frame[name].astype(str), prefix=name, drop_first=True, dtype=float)
        dummies = dummies.loc[:, dummies.nunique() > 1]
        matrix = pd.concat([matrix, dummies], axis=1)
    return matrix


def cox_hazard_ratio(frame: pd.DataFrame, *, time: str, event: str, treatment: str,
                     numeric: Sequence[str] = (), categorical: Sequence[str] = (),
                     strata: Sequence[str] = ()) -> tuple[HazardRatio | None, list[str]]:
    """The hazard ratio of ``treatment`` (a 0/1 or bool column) from a Cox model, and notes.

    Adjusts for the ``numeric`` columns (linear in the log hazard; constant or
    incomplete ones are dropped), the ``categorical`` ones (one indicator per
    value but the first) and stratifies by ``strata`` (each combination gets its
    own baseline hazard, so a department without exits needs no coefficient).
    Ties by Efron's method. Returns ``None`` with a note when there are no events
    in one of the two groups or the fit fails.
    """
    notes: list[str] = []
    data = frame.reset_index(drop=True)
    treated = data[treatment].astype(bool).to_numpy()
    events = data[event].astype(bool).to_numpy()
    if not events[treated].any() or not events[~treated].any():
        notes.append("No hazard ratio: one of the groups has no events, so its ratio is zero or infinite.")
        return None, notes
    exog = _design_matrix(data, treatment, numeric, categorical)
    adjusted = tuple(c for c in numeric if c in exog.columns) + tuple(categorical)
    strata_values = None
    if strata:
        keys = data[list(strata)].astype(str)
        strata_values = keys.apply(lambda row: " | ".join(row), axis=1).to_numpy() if len(strata) > 1 \
            else keys.iloc[:, 0].to_numpy()
    from statsmodels.duration.hazard_regression import PHReg  # a heavy import, needed only here

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = PHReg(data[time].to_numpy(dtype=float), exog.to_numpy(dtype=float),
                          status=events.astype(float), strata=strata_values, ties="efron")
            fit = model.fit(disp=False)
            beta = float(fit.params[0])
            se = float(fit.bse[0])
            p_value = float(fit.pvalues[0])
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
            notes.append(f"No hazard ratio: the Cox model could not be fitted ({type(exc).__name__}).")
            return None, notes
    problems = sorted({type(w.message).__name__ for w in caught})
    if not (np.isfinite(beta) and np.isfinite(se) and se > 0) or abs(beta) > 20:
        notes.append("No hazard ratio: the Cox model did not converge"
                     + (f" ({', '.join(problems)})" if problems else "") + ".")
        return None, notes
    if problems:
        notes.append(f"The Cox model reported {', '.join(problems)}: treat its interval with care.")
    return HazardRatio(estimate=float(np.exp(beta)), low=float(np.exp(beta - Z95 * se)),
                       high=float(np.exp(beta + Z95 * se)), p_value=p_value, adjusted_for=adjusted,
                       strata=tuple(strata), people=int(len(data)), events=int(events.sum())), notes


def compare_survival(frame: pd.DataFrame, *, time: str, event: str, group: str, first: str, second: str,
                     numeric: Sequence[str] = (), categorical: Sequence[str] = (), strata: Sequence[str] = (),
                     min_group: int = MIN_GROUP) -> SurvivalComparison:
    """Kaplan-Meier curves of groups ``first`` and ``second`` of column ``group``, their log-rank test, and
    the hazard ratio of ``first`` against ``second`` from :func:`cox_hazard_ratio` (covariates as there).

    A group under ``min_group`` people gets no curve and no test, and its ``people`` and ``events`` in
    ``groups`` are ``None`` (privacy: a curve or count of so few people shows each one's exit).
    """
    notes: list[str] = []
    rows, curves = [], []
    parts = {}
    for name in (first, second):
        part = frame[frame[group] == name]
        parts[name] = part
        rows.append({"group": name, "people": int(len(part)), "events": int(part[event].astype(bool).sum())})
        if len(part) >= min_group:
            curves.append(kaplan_meier(part[time], part[event].astype(bool)).assign(group=name))
    small = [r["group"] for r in rows if r["people"] < min_group]
    groups = pd.DataFrame(rows).astype({"people": object, "events": object})
    groups.loc[groups["group"].isin(small), ["people", "events"]] = None
    km = pd.concat(curves, ignore_index=True)[["group", "time", "survival", "low", "high", "at_risk", "events"]] \
        if curves else pd.DataFrame(columns=["group", "time", "survival", "low", "high", "at_risk", "events"])
    if small:
        notes.append(f"Fewer than {min_group} people in {' and '.join(small)}: no curves or tests are shown.")
        return SurvivalComparison(km=km, groups=groups, logrank=None, hazard_ratio=None, notes=tuple(notes))
    a, b = parts[first], parts[second]
    test = logrank_test(a[time], a[event].astype(bool), b[time], b[event].astype(bool))
    if test is None:
        notes.append("No log-rank test: nobody in either group had the event.")
    both = pd.concat([a, b]).assign(_treated=lambda d: (d[group] == first).astype(float))
    ratio, cox_notes = cox_hazard_ratio(both, time=time, event=event, treatment="_treated", numeric=numeric,
                                        categorical=categorical, strata=strata)
    notes.extend(cox_notes)
    return SurvivalComparison(km=km, groups=groups, logrank=test, hazard_ratio=ratio, notes=tuple(notes))
