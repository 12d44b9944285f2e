"""Survey analysis: paired tests agree with SciPy on the same numbers, Holm with statsmodels, privacy holds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from workbench.evaluate import cohen_dz_interval, holm, paired_change, response_rates, score_distribution
from workbench.evaluate.survey import change_against_comparison, survey_answers, wilcoxon_method


def answers(n: int = 30, shift: dict | None = None, group: str = "participants", seed: int = 0) -> pd.DataFrame:
    """Scores on a 1-7 scale in quarter steps, as the demo's surveys; ``shift`` per construct at post."""
    rng = np.random.default_rng(seed)
    shift = shift or {"career_clarity": 0.6, "belonging": 0.0, "confidence": 0.3}
    rows = []
    for i in range(n):
        for construct, delta in shift.items():
            base = rng.normal(4, 0.8)
            for wave, move in (("pre", 0.0), ("post", delta)):
                score = float(np.clip(np.round((base + move + rng.normal(0, 0.5)) * 4) / 4, 1, 7))
                rows.append({"person_id": f"{group[0]}{i}", "group": group, "wave": wave, "construct": construct,
                             "score": score, "date": pd.Timestamp("2025-06-20") if wave == "pre"
                             else pd.Timestamp("2026-04-01")})
    return pd.DataFrame(rows)


def test_paired_tests_agree_with_scipy_on_the_same_numbers() -> None:
    data = answers()
    table = paired_change(data).set_index(["construct", "wave", "group"])
    for construct in ("career_clarity", "belonging", "confidence"):
        part = data[data["construct"] == construct].pivot(index="person_id", columns="wave", values="score")
        before, after = part["pre"].to_numpy(), part["post"].to_numpy()
        row = table.loc[(construct, "post", "participants")]
        t = stats.ttest_rel(after, before)
        w = stats.wilcoxon(after, before, method=wilcoxon_method(after - before))
        assert row["t_statistic"] == pytest.approx(t.statistic, rel=1e-12)
        assert row["t_p_value"] == pytest.approx(t.pvalue, rel=1e-12)
        assert row["wilcoxon_statistic"] == pytest.approx(w.statistic)
        assert row["wilcoxon_p_value"] == pytest.approx(w.pvalue, rel=1e-12)
        diff = after - before
        assert row["change"] == pytest.approx(diff.mean())
        assert row["d_z"] == pytest.approx(diff.mean() / diff.std(ddof=1))
        low, high = stats.t.interval(0.95, len(diff) - 1, loc=diff.mean(), scale=stats.sem(diff))
        assert (row["low"], row["high"]) == pytest.approx((low, high))
        assert row["pairs"] == 30 and not row["hidden"]
    holm_t = multipletests(table.xs(("post", "participants"), level=("wave", "group"))["t_p_value"], method="holm")[1]
    assert table.xs(("post", "participants"), level=("wave", "group"))["t_p_holm"].to_numpy() == \
        pytest.approx(holm_t)
    assert table.loc[("career_clarity", "post", "participants"), "t_p_holm"] < 0.05


def test_wilcoxon_is_exact_without_ties_and_approximate_with_them() -> None:
    assert wilcoxon_method(np.array([0.5, -1.0, 2.0])) == "exact"
    assert wilcoxon_method(np.array([0.5, -0.5, 2.0])) == "approx"
    assert wilcoxon_method(np.array([0.0, 1.0])) == "approx"
    assert wilcoxon_method(np.arange(1, 60, dtype=float)) == "approx"


def test_holm_agrees_with_statsmodels() -> None:
    rng = np.random.default_rng(5)
    for size in (1, 2, 5, 12):
        p = rng.uniform(0, 0.3, size)
        assert holm(p) == pytest.approx(multipletests(p, method="holm")[1])
    assert np.isnan(holm([0.01, np.nan])[1]) and holm([0.01, np.nan])[0] == pytest.approx(0.01)


@pytest.mark.parametrize(("t", "n"), [(2.5, 19), (-1.2, 9), (0.0, 30), (8.0, 12)])
def test_cohen_dz_interval_inverts_the_noncentral_t(t: float, n: int) -> None:
    low, high = cohen_dz_interval(t, n)
    assert low < t / np.sqrt(n) < high
    assert stats.nct.cdf(t, n - 1, low * np.sqrt(n)) == pytest.approx(0.975, abs=1e-6)
    assert stats.nct.cdf(t, n - 1, high * np.sqrt(n)) == pytest.approx(0.025, abs=1e-6)


def test_groups_under_five_pairs_are_hidden_and_left_out_of_the_correction() -> None:
    data = pd.concat([answers(30), answers(4, group="comparison", seed=1)], ignore_index=True)
    table = paired_change(data)
    small = table[table["group"] == "comparison"]
    assert small["hidden"].all() and small.drop(columns=["construct", "wave", "group", "hidden"]).isna().all().all()
    assert change_against_comparison(data).empty  # needs five pairs in both groups
    dist = score_distribution(data)
    assert dist.loc[dist["group"] == "comparison", "hidden"].all()
    assert dist.loc[dist["group"] == "comparison", ["respondents", "mean", "median"]].isna().all().all()


def test_change_against_comparison_is_welch_on_change_scores() -> None:
    data = pd.concat([answers(30), answers(25, shift={"career_clarity": 0.1, "belonging": 0.0, "confidence": 0.0},
                                        group="comparison", seed=2)], ignore_index=True)
    table = change_against_comparison(data).set_index(["construct", "wave"])
    wide = data.pivot_table(index=["group", "construct", "person_id"], columns="wave", values="score")
    change = (wide["post"] - wide["pre"])
    p, c = change.loc[("participants", "career_clarity")], change.loc[("comparison", "career_clarity")]
    row = table.loc[("career_clarity", "post")]
    assert row["difference"] == pytest.approx(p.mean() - c.mean())
    assert row["p_value"] == pytest.approx(stats.ttest_ind(p, c, equal_var=False).pvalue)
    assert row["low"] < row["difference"] < row["high"]


def test_response_rates_count_the_employed_and_never_invent_the_comparison_base() -> None:
    data = pd.concat([answers(30), answers(10, group="comparison", seed=3)], ignore_index=True)
    data = data[~((data["group"] == "participants") & (data["wave"] == "post") & data["person_id"].isin(
        ["p0", "p1", "p2"]))]
    participants = pd.DataFrame({"person_id": [f"p{i}" for i in range(32)],
                                 "exit": [pd.NaT] * 30 + [pd.Timestamp("2025-12-01")] * 2})
    rates = response_rates(data, participants).set_index(["wave", "group"])
    assert rates.loc[("pre", "participants"), "invited"] == 32  # both leavers were still there at pre
    assert rates.loc[("post", "participants"), "invited"] == 30
    assert rates.loc[("post", "participants"), "rate"] == pytest.approx(27 / 30)
    assert pd.isna(rates.loc[("post", "comparison"), "invited"]) and rates.loc[("post", "comparison"),
                                                                               "respondents"] == 10


def test_free_text_is_never_read() -> None:
    survey = pd.DataFrame({"person_id": ["a", "a"], "wave": ["pre", "post"], "construct": ["x", "x"],
                           "score": ["4", "5"], "date": ["2025-06-20", "2026-01-10"],
                           "comment": ["SECRET remark about my manager", "another SECRET"]})
    found = survey_answers(survey, {"participants": {"a"}}, first_day=pd.Timestamp("2025-01-01"),
                           last_day=pd.Timestamp("2026-12-31"))
    assert "comment" not in found.columns
    assert not found.astype(str).apply(lambda c: c.str.contains("SECRET")).any().any()
    assert found["score"].tolist() == [4.0, 5.0]
