"""Results (Kirkpatrick level 4): retention and promotion of participants against the matched comparison group.

For each outcome (leaving, or being promoted) on the matched sample of
:mod:`.cohort`:

* Kaplan-Meier curves per group, the log-rank test (both unweighted, on everyone
  in the matched strata: a description of the two groups as they are), and the
  hazard ratio of participants from a Cox model stratified by department and
  adjusted for level and tenure (:mod:`.survival`);
* the share with the outcome by the horizon for participants and for the
  comparison group *weighted to the participants' mix* (the matching weights),
  their difference, and 95% percentile intervals from a bootstrap: each group is
  resampled with replacement, every person keeping their matching weight;
* the same by department and by level, with groups under five people blanked;
* a balance table: each group's mix of department, level and tenure band, with
  the comparison group before and after weighting.

Everyone is followed from the same start to the same end of data, so up to the
horizon no one is censored except by leaving (for promotion, leaving censors).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.evaluate.cohort import SELF_SELECTION
from workbench.evaluate.survival import SurvivalComparison, compare_survival
from workbench.privacy import MIN_GROUP, hide_small_groups
from workbench.result import Interval

BALANCE_KEYS = ("department", "level", "tenure_band")


@dataclass(frozen=True, eq=False)
class OutcomeComparison:
    """One outcome of participants against the matched, weighted comparison group (see the module docstring).

    ``at_horizon``: ``participants``, ``comparison`` and ``difference``, each an
    :class:`~workbench.result.Interval` (shares 0-1, for retention the share still employed; 95% bootstrap
    percentile interval; the saved JSON writes it ``{"share", "low", "high"}``),
    plus ``p_better`` (share of bootstrap resamples in which participants do
    better). ``draws`` holds the bootstrap shares ``(participants, comparison)``. When either group has
    fewer than five matched people, ``at_horizon`` is ``None`` and ``draws`` are empty: the shares would
    describe those few people (the survival's ``groups`` hide their counts too).
    """

    outcome: str
    label: str
    survival: SurvivalComparison
    horizon_months: float
    at_horizon: dict | None
    by_group: dict[str, pd.DataFrame] = field(repr=False)
    balance: pd.DataFrame = field(repr=False)
    comparison: str = ""
    caveats: tuple[str, ...] = ()
    draws: tuple[np.ndarray, np.ndarray] = field(default=(np.zeros(0), np.zeros(0)), repr=False)


def bootstrap_shares(matched: pd.DataFrame, hit: np.ndarray, *, resamples: int,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap shares with the outcome ``hit`` (bool per row of ``matched``): the participants', and the
    comparison group's weighted with each person's matching weight.

    Each group is resampled with replacement to its own size; a resampled person
    keeps their weight. Resampling ``n`` people is drawn as a multinomial over the
    distinct (weight, outcome) combinations, which is the same distribution.
    """
    is_p = (matched["group"] == "participants").to_numpy()
    hit = np.asarray(hit, dtype=bool)
    n_p = int(is_p.sum())
    share_p = rng.binomial(n_p, hit[is_p].mean(), size=resamples) / n_p
    comparison = pd.DataFrame({"weight": matched["weight"].to_numpy(float)[~is_p], "hit": hit[~is_p]})
    kinds = comparison.value_counts(sort=False).reset_index(name="people")
    n_c = int(kinds["people"].sum())
    counts = rng.multinomial(n_c, kinds["people"].to_numpy(float) / n_c, size=resamples)
    w, h = kinds["weight"].to_numpy(float), kinds["hit"].to_numpy(float)
    share_c = (counts @ (w * h)) / np.maximum(counts @ w, 1e-300)
    return share_p, share_c


def weighted_share(frame: pd.DataFrame, hit: np.ndarray) -> float:
    """The weighted share of ``frame`` rows with ``hit`` (weights in ``weight``)."""
    w = frame["weight"].to_numpy(float)
    return float(np.average(np.asarray(hit, dtype=float), weights=w)) if w.sum() > 0 else np.nan


def _hide(rows: list[dict], columns: list[str], min_group: int) -> pd.DataFrame:
    """``rows`` (with ``_count``: the smaller group's head count) with small groups and their complements hidden
    per ``variable`` (:func:`workbench.privacy.hide_small_groups`): the totals shown beside them (participants,
    comparison people, shares adding to 1) then give no hidden group away."""
    frame = pd.DataFrame(rows, columns=[*columns[:-1], "_count"])
    shown = hide_small_groups(frame, ["variable", "value"], count="_count", min_group=min_group, within=["variable"])
    return shown[columns]


#: The columns of an outcome's breakdown by group (:attr:`OutcomeComparison.by_group`).
BY_GROUP_COLUMNS = ("variable", "value", "participants", "comparison", "participants_share", "comparison_share",
                    "difference", "hidden")


def _by_group(matched: pd.DataFrame, hit: np.ndarray, key: str, keep: bool, min_group: int) -> pd.DataFrame:
    rows = []
    frame = matched.assign(_hit=np.asarray(hit, dtype=float))
    for value, part in frame.groupby(key, sort=True):
        p, c = part[part["group"] == "participants"], part[part["group"] == "comparison"]
        share_p = float(p["_hit"].mean()) if len(p) else np.nan
        share_c = weighted_share(c, c["_hit"]) if len(c) else np.nan
        if keep:
            share_p, share_c = 1 - share_p, 1 - share_c
        rows.append({"variable": key, "value": f"{value:g}" if isinstance(value, float) else str(value),
                     "participants": len(p), "comparison": len(c), "participants_share": share_p,
                     "comparison_share": share_c, "difference": share_p - share_c, "_count": min(len(p), len(c))})
    return _hide(rows, list(BY_GROUP_COLUMNS), min_group)


def balance_table(matched: pd.DataFrame, *, keys=BALANCE_KEYS, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """Each group's mix: ``variable``, ``value``, ``participants`` (share), ``comparison`` (unweighted share),
    ``comparison_weighted``, ``hidden`` (a value held by fewer than ``min_group`` people in either group, and
    enough others of its variable that none can be worked out from the shares adding to 1)."""
    rows = []
    p = matched[matched["group"] == "participants"]
    c = matched[matched["group"] == "comparison"]
    for key in keys:
        values = sorted(matched[key].unique(), key=lambda v: (isinstance(v, str), v))
        for value in values:
            in_p, in_c = p[key] == value, c[key] == value
            shown = value if not isinstance(value, float) else f"{value:g}"
            rows.append({"variable": key, "value": str(shown), "participants": float(in_p.mean()),
                         "comparison": float(in_c.mean()), "comparison_weighted": weighted_share(c, in_c.to_numpy()),
                         "_count": min(int(in_p.sum()), int(in_c.sum()))})
    return _hide(rows, ["variable", "value", "participants", "comparison", "comparison_weighted", "hidden"],
                 min_group)


OUTCOMES = {
    "retention": ("Still employed", "months", "left", True),
    "promotion": ("Promoted", "promotion_months", "promoted", False),
}


def outcome_comparison(matched: pd.DataFrame, outcome: str, *, horizon_months: float, resamples: int,
                       rng: np.random.Generator, comparison: str = "",
                       min_group: int = MIN_GROUP) -> OutcomeComparison:
    """Compare participants with the weighted comparison group on ``outcome`` (``retention`` or ``promotion``).

    ``matched`` is :attr:`.cohort.EvaluationCohort.matched`.
    """
    label, time, event, keep = OUTCOMES[outcome]
    survival = compare_survival(matched, time=time, event=event, group="group", first="participants",
                                second="comparison", numeric=("level", "tenure_months"), strata=("department",),
                                min_group=min_group)
    hit = (matched[event].astype(bool) & (matched[time] <= horizon_months)).to_numpy()
    p = matched["group"] == "participants"
    at_horizon, draw_p, draw_c = None, np.zeros(0), np.zeros(0)
    if min(int(p.sum()), int((~p).sum())) >= min_group:  # else the shares describe fewer than five people
        share_p = float(hit[p.to_numpy()].mean())
        share_c = weighted_share(matched[~p], hit[~p.to_numpy()])
        draw_p, draw_c = bootstrap_shares(matched, hit, resamples=resamples, rng=rng)
        if keep:  # retention: the share still employed
            share_p, share_c, draw_p, draw_c = 1 - share_p, 1 - share_c, 1 - draw_p, 1 - draw_c
        diff = draw_p - draw_c
        at_horizon = {"participants": Interval.of_draws(share_p, draw_p),
                      "comparison": Interval.of_draws(share_c, draw_c),
                      "difference": Interval.of_draws(share_p - share_c, diff), "p_better": float((diff > 0).mean()),
                      "participants_people": int(p.sum()), "comparison_people": int((~p).sum())}
    by_group = {key: _by_group(matched, hit, key, keep, min_group) for key in ("department", "level")}
    word = "leaving" if outcome == "retention" else "promotion"
    caveats = (
        SELF_SELECTION,
        f"Curves and the log-rank test compare everyone in the matched strata as they are; the hazard ratio adjusts "
        f"the risk of {word} for department (each its own baseline), level and tenure; the shares at the horizon "
        f"weight the comparison group to the participants' mix.",
        "Levels are today's, not those at the start: a promotion during the program moves a person's level.",
    )
    shares = () if at_horizon is None else ((name, at_horizon[key].estimate) for name, key in (
        ("participants", "participants"), ("the comparison group", "comparison")))
    for name, share in shares:
        if share in (0.0, 1.0):
            caveats += (f"Nobody or everybody in {name} had the outcome by the horizon: a bootstrap cannot show the "
                        "uncertainty of such a count, so the intervals of the shares are too narrow.",)
    if outcome == "promotion":
        caveats += ("Promotions come from people.csv's promotion_date column, the latest promotion of each person: "
                    "an earlier promotion during the follow-up is missed when a person was promoted twice.",)
    return OutcomeComparison(outcome=outcome, label=label, survival=survival, horizon_months=horizon_months,
                             at_horizon=at_horizon, by_group=by_group, balance=balance_table(matched,
                                                                                             min_group=min_group),
                             comparison=comparison, caveats=caveats, draws=(draw_p, draw_c))
