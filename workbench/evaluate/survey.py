"""Reaction and learning (Kirkpatrick levels 1-2) from ``survey.csv``: response rates and paired change.

Only the columns ``person_id``, ``wave``, ``construct``, ``score`` and ``date`` are
ever read: a survey export may carry free-text comments, and none of it reaches
a result, a report or an export.

* **Response rates**: per wave, participants who answered out of those still
  employed on the wave's middle answer date; the comparison group's invited
  number is not recorded, so only its respondents are counted.
* **Paired change** per construct from ``pre`` to each later wave: the mean
  change with its 95% t interval, a paired t-test (:func:`scipy.stats.ttest_rel`)
  and a Wilcoxon signed-rank test (:func:`scipy.stats.wilcoxon`; exact without
  ties, else the normal approximation with SciPy's tie correction), each corrected
  with Holm's method across the constructs of that wave (family-wise error 5%),
  and Cohen's d_z (mean change / sd of change) with an exact interval from the
  noncentral t distribution.
* **Against the comparison group** (difference in differences): the
  participants' mean change minus the comparison group's, with a Welch interval
  and p-value, when both have at least five pairs. Without it, a pre/post change
  may be what everyone experienced (a new manager, a company event, or simply
  regression to the mean).
* **Distributions**: per construct, wave and group: respondents, mean with its
  interval, quartiles. Groups under five respondents are blanked.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import optimize, stats

from workbench.data.columns import date_column, number_column, text_column
from workbench.privacy import MIN_GROUP, hide_small_groups

WAVES: tuple[str, ...] = ("pre", "mid", "post", "followup")
#: The only survey columns read (never free text).
SURVEY_COLUMNS: tuple[str, ...] = ("person_id", "wave", "construct", "score", "date")
GROUPS = ("participants", "comparison")


def survey_answers(survey: pd.DataFrame | None, groups: dict[str, set[str]], *, first_day: pd.Timestamp,
                   last_day: pd.Timestamp) -> pd.DataFrame:
    """The survey's answers by the people in ``groups`` (name -> person ids) between the two days.

    Returns ``person_id``, ``group``, ``wave``, ``construct``, ``score``, ``date``;
    where a person answered one construct twice in a wave, the first answer counts.
    Only :data:`SURVEY_COLUMNS` are read.
    """
    columns = ["person_id", "group", "wave", "construct", "score", "date"]
    if survey is None or not len(survey):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    frame = pd.DataFrame({"person_id": text_column(survey, "person_id"), "wave": text_column(survey, "wave"),
                          "construct": text_column(survey, "construct"), "score": number_column(survey, "score"),
                          "date": date_column(survey, "date")})
    group_of = {pid: name for name, ids in groups.items() for pid in ids}
    frame["group"] = frame["person_id"].map(group_of)
    keep = frame["group"].notna() & frame["score"].notna() & frame["date"].between(first_day, last_day) \
        & frame["wave"].isin(WAVES)
    frame = frame[keep].sort_values("date", kind="stable")
    frame = frame.drop_duplicates(["person_id", "wave", "construct"], keep="first")
    return frame[columns].reset_index(drop=True)


def response_rates(answers: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """Per wave and group: ``invited`` (participants employed on the wave's middle date; blank for the
    comparison group), ``respondents`` and ``rate`` (0-1).

    ``participants`` has ``person_id`` and ``exit`` (timestamp or NaT).
    """
    rows = []
    for wave in WAVES:
        in_wave = answers[answers["wave"] == wave]
        if in_wave.empty:
            continue
        middle = in_wave["date"].sort_values().iloc[len(in_wave) // 2]
        for group in GROUPS:
            who = in_wave.loc[in_wave["group"] == group, "person_id"].nunique()
            if group == "participants":
                invited = int((participants["exit"].isna() | (participants["exit"] > middle)).sum())
                rate = who / invited if invited else np.nan
            else:
                if who == 0:
                    continue
                invited, rate = None, np.nan
            rows.append({"wave": wave, "group": group, "invited": invited, "respondents": int(who), "rate": rate})
    return pd.DataFrame(rows, columns=["wave", "group", "invited", "respondents", "rate"]).astype(
        {"invited": object})


def holm(p_values: Iterable[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and is not counted).

    The i-th smallest of m p-values becomes ``max over j <= i of min(1, (m - j + 1) x p_(j))``
    (as ``statsmodels.stats.multitest.multipletests(method="holm")``).

    >>> holm([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(list(p_values), dtype=float)
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m:
        order = ok[np.argsort(p[ok], kind="stable")]
        scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
        out[order] = np.maximum.accumulate(scaled)
    return out


def cohen_dz_interval(t_statistic: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The interval of Cohen's d_z = t / sqrt(n) from the noncentral t distribution (n - 1 degrees of freedom).

    Finds the noncentrality parameters at which the observed t is the upper and
    lower ``(1 - confidence) / 2`` quantile, then divides by sqrt(n).
    """
    df = n - 1
    if n < 3 or not np.isfinite(t_statistic):
        return np.nan, np.nan
    alpha = (1 - confidence) / 2

    def solve(target: float) -> float:
        f = lambda ncp: stats.nct.cdf(t_statistic, df, ncp) - target  # noqa: E731 - decreasing in ncp
        width = 10 + abs(t_statistic) * 2
        return optimize.brentq(f, t_statistic - width, t_statistic + width, xtol=1e-10)

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            low, high = solve(1 - alpha), solve(alpha)
        except ValueError:  # no sign change: fall back to the normal approximation
            d = t_statistic / np.sqrt(n)
            se = np.sqrt(1 / n + d * d / (2 * n))
            return d - 1.959963984540054 * se, d + 1.959963984540054 * se
    return low / np.sqrt(n), high / np.sqrt(n)


def wilcoxon_method(change: np.ndarray) -> str:
    """SciPy's ``exact`` null distribution for up to 50 pairs without ties or zero changes, else ``approx``.

    (SciPy's own choice for tied scores is a random permutation test, which would
    make the p-value change from run to run.)
    """
    values = np.abs(np.asarray(change, dtype=float))
    untied = len(np.unique(values)) == len(values) and not (values == 0).any()
    return "exact" if untied and len(values) <= 50 else "approx"


def _paired(before: np.ndarray, after: np.ndarray) -> dict:
    change = after - before
    n = len(change)
    mean, sd = float(change.mean()), float(change.std(ddof=1))
    row = {"pairs": n, "mean_before": float(before.mean()), "mean_after": float(after.mean()), "change": mean}
    if sd == 0:
        return row | {"low": mean, "high": mean, "t_statistic": np.nan, "t_p_value": np.nan,
                      "wilcoxon_statistic": np.nan, "wilcoxon_p_value": np.nan, "d_z": np.nan, "d_z_low": np.nan,
                      "d_z_high": np.nan}
    half = stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n)
    t = stats.ttest_rel(after, before)
    w = stats.wilcoxon(after, before, method=wilcoxon_method(change))
    d_low, d_high = cohen_dz_interval(float(t.statistic), n)
    return row | {"low": mean - half, "high": mean + half, "t_statistic": float(t.statistic),
                  "t_p_value": float(t.pvalue), "wilcoxon_statistic": float(w.statistic),
                  "wilcoxon_p_value": float(w.pvalue), "d_z": mean / sd, "d_z_low": d_low, "d_z_high": d_high}


CHANGE_COLUMNS = ["construct", "wave", "group", "pairs", "mean_before", "mean_after", "change", "low", "high",
                  "t_statistic", "t_p_value", "t_p_holm", "wilcoxon_statistic", "wilcoxon_p_value",
                  "wilcoxon_p_holm", "d_z", "d_z_low", "d_z_high", "hidden"]


def _wide(answers: pd.DataFrame) -> pd.DataFrame:
    """Scores with one column per wave, indexed by group, construct and person."""
    if answers.empty:
        return pd.DataFrame(columns=list(WAVES), index=pd.MultiIndex.from_tuples([], names=["group", "construct",
                                                                                            "person_id"]))
    return answers.pivot_table(index=["group", "construct", "person_id"], columns="wave", values="score",
                               aggfunc="first", observed=True)


def _pairs(wide: pd.DataFrame, group: str, construct: str, wave: str) -> pd.DataFrame:
    if "pre" not in wide or wave not in wide or (group, construct) not in wide.index.droplevel(2):
        return pd.DataFrame(columns=["pre", wave])
    return wide.loc[(group, construct), ["pre", wave]].dropna()


def paired_change(answers: pd.DataFrame, *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Per construct, later wave and group, the paired change from ``pre`` (see the module docstring).

    Columns :data:`CHANGE_COLUMNS`; ``wave`` is the later wave. Holm's correction
    is across the constructs of one wave and group. Rows under ``min_group``
    pairs are ``hidden`` with every figure blank (and take no part in the correction).
    """
    rows = []
    constructs = sorted(answers["construct"].unique()) if len(answers) else []
    wide = _wide(answers)
    for group in GROUPS:
        for wave in WAVES[1:]:
            batch = []
            for construct in constructs:
                both = _pairs(wide, group, construct, wave)
                if both.empty:
                    continue
                if len(both) < min_group:
                    batch.append({"construct": construct, "wave": wave, "group": group, "pairs": len(both),
                                  "hidden": True})
                    continue
                stats_row = _paired(both["pre"].to_numpy(float), both[wave].to_numpy(float))
                batch.append({"construct": construct, "wave": wave, "group": group, **stats_row, "hidden": False})
            shown = [r for r in batch if not r["hidden"]]
            for key in ("t", "wilcoxon"):
                adjusted = holm([r[f"{key}_p_value"] for r in shown])
                for r, p in zip(shown, adjusted):
                    r[f"{key}_p_holm"] = p
            rows.extend(batch)
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    figures = [c for c in CHANGE_COLUMNS if c not in ("construct", "wave", "group", "hidden")]
    frame[figures] = frame[figures].astype(float)
    frame.loc[frame["hidden"].astype(bool), figures] = np.nan
    frame["hidden"] = frame["hidden"].astype(bool)
    return frame


DIFFERENCE_COLUMNS = ["construct", "wave", "participant_pairs", "comparison_pairs", "participants_change",
                      "comparison_change", "difference", "low", "high", "p_value", "p_holm"]


def change_against_comparison(answers: pd.DataFrame, *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Per construct and later wave: participants' mean change minus the comparison group's (Welch).

    Columns :data:`DIFFERENCE_COLUMNS`; only where both groups have at least
    ``min_group`` pairs; Holm's correction across the constructs of a wave.
    """
    rows = []
    constructs = sorted(answers["construct"].unique()) if len(answers) else []
    wide = _wide(answers)
    for wave in WAVES[1:]:
        batch = []
        for construct in constructs:
            p = _pairs(wide, "participants", construct, wave)
            c = _pairs(wide, "comparison", construct, wave)
            if len(p) < min_group or len(c) < min_group:
                continue
            dp, dc = (p[wave] - p["pre"]).to_numpy(float), (c[wave] - c["pre"]).to_numpy(float)
            va, vb = dp.var(ddof=1) / len(dp), dc.var(ddof=1) / len(dc)
            diff = float(dp.mean() - dc.mean())
            se = float(np.sqrt(va + vb))
            if se == 0:
                continue
            df = (va + vb) ** 2 / (va ** 2 / (len(dp) - 1) + vb ** 2 / (len(dc) - 1))
            half = float(stats.t.ppf(0.975, df)) * se
            test = stats.ttest_ind(dp, dc, equal_var=False)
            batch.append({"construct": construct, "wave": wave, "participant_pairs": len(dp),
                          "comparison_pairs": len(dc), "participants_change": float(dp.mean()),
                          "comparison_change": float(dc.mean()), "difference": diff, "low": diff - half,
                          "high": diff + half, "p_value": float(test.pvalue)})
        for r, adjusted in zip(batch, holm([r["p_value"] for r in batch])):
            r["p_holm"] = adjusted
        rows.extend(batch)
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS)


def score_distribution(answers: pd.DataFrame, *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Per construct, wave and group: ``respondents``, ``mean``, ``low``, ``high`` (95% t interval),
    ``q25``, ``median``, ``q75``, ``hidden`` (groups under ``min_group`` respondents blanked)."""
    rows = []
    for (construct, wave, group), part in answers.groupby(["construct", "wave", "group"], sort=True):
        scores = part["score"].to_numpy(float)
        n = len(scores)
        mean = float(scores.mean())
        half = float(stats.t.ppf(0.975, n - 1) * scores.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
        rows.append({"construct": construct, "wave": wave, "group": group, "respondents": n, "mean": mean,
                     "low": mean - half, "high": mean + half, "q25": float(np.percentile(scores, 25)),
                     "median": float(np.median(scores)), "q75": float(np.percentile(scores, 75))})
    columns = ["construct", "wave", "group", "respondents", "mean", "low", "high", "q25", "median", "q75"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["wave"] = pd.Categorical(frame["wave"], categories=list(WAVES), ordered=True)
    frame = frame.sort_values(["construct", "wave", "group"]).reset_index(drop=True)
    frame["wave"] = frame["wave"].astype(str)
    # means and quartiles do not add up to a total shown elsewhere: no complementary suppression needed
    return hide_small_groups(frame, ["construct", "wave", "group"], count="respondents", min_group=min_group,
                             complementary=False)
