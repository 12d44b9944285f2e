"""Tests for the seeded demo-organisation generator."""

from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.data import onet
from workbench.gaps.analysis import current_proficiency
from workbench.data.sample import (
    GENERATION_PARAMETERS,
    TABLE_COLUMNS,
    generate_organisation,
    generation_parameters,
    write_tables,
)

AS_OF = datetime.date(2026, 6, 30)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def org():
    return generate_organisation(800, seed=0)


@pytest.fixture(scope="module")
def big():
    return generate_organisation(20_000, seed=11)


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s.where(s != ""), format="%Y-%m-%d")


def _current(people: pd.DataFrame, day: datetime.date = AS_OF) -> pd.Series:
    d = pd.Timestamp(day)
    exit_ = _dates(people["exit_date"])
    return (_dates(people["hire_date"]) <= d) & (exit_.isna() | (exit_ > d))


def check_integrity(t: dict[str, pd.DataFrame], as_of: datetime.date = AS_OF) -> None:
    """Assert the referential and range invariants every generated organisation must satisfy."""
    assert set(t) == set(TABLE_COLUMNS)
    for name, cols in TABLE_COLUMNS.items():
        assert list(t[name].columns) == list(cols), name

    people = t["people"]
    ids = set(people["person_id"])
    assert people["person_id"].is_unique
    assert people["person_id"].str.fullmatch(r"P\d{5,}").all()
    assert people["email"].is_unique
    assert people["level"].between(1, 7).all()
    assert people["hire_date"].str.fullmatch(DATE.pattern).all()
    assert people["exit_date"].eq("").sum() > 0
    hire, exit_ = _dates(people["hire_date"]), _dates(people["exit_date"])
    assert (exit_.isna() | (hire <= exit_)).all()
    assert (hire <= pd.Timestamp(as_of)).all() and (exit_.isna() | (exit_ <= pd.Timestamp(as_of))).all()
    current = _current(people, as_of)

    # Management tree: one root, managers known and more senior, no cycles.
    roots = people[people["manager_id"] == ""]
    assert len(roots) == 1 and roots["level"].iloc[0] == people["level"].max()
    assert roots.index[0] in people.index[current]
    by_id = people.set_index("person_id")
    managed = people[people["manager_id"] != ""]
    assert managed["manager_id"].isin(ids).all()
    mgr = by_id.loc[managed["manager_id"]]
    assert (mgr["level"].to_numpy() > managed["level"].to_numpy()).all()
    # current staff report to current staff
    cur_managed = managed[current[managed.index]]
    assert _current(by_id.loc[cur_managed["manager_id"]].reset_index(), as_of).all()
    parent = dict(zip(people["person_id"], people["manager_id"]))
    for pid in people["person_id"]:
        seen = 0
        while parent[pid]:
            pid = parent[pid]
            seen += 1
            assert seen <= 7
    below_root = managed["manager_id"].to_numpy() == roots["person_id"].iloc[0]
    same_dept = mgr["department"].to_numpy() == managed["department"].to_numpy()
    assert same_dept[~below_root].mean() > 0.9

    # Skills, proficiency, goals, requirements.
    skill_ids = set(t["skills"]["skill_id"])
    assert len(skill_ids) == 35
    prof = t["proficiency"]
    assert prof["person_id"].isin(set(people.loc[current, "person_id"])).all()
    assert prof["skill_id"].isin(skill_ids).all()
    assert prof["level"].between(0, 5).all() and prof["level"].dtype.kind == "i"
    assert not prof.duplicated(["person_id", "skill_id", "assessed_on"]).any()
    assert prof["assessed_on"].str.fullmatch(DATE.pattern).all()  # every assessment dated: growth needs it
    goals, req = t["goals"], t["requirements"]
    assert 3 <= len(goals) <= 5 and (goals["priority"] > 0).all() and goals["goal_id"].is_unique
    assert req["skill_id"].isin(skill_ids).all() and req["goal_id"].isin(set(goals["goal_id"])).all()
    assert req["target_level"].between(0, 5).all() and (req["importance"] > 0).all()
    occupations = onet.load_occupations()
    assert req["department"].isin(set(occupations["department"]) | {""}).all()
    assert req["job_title"].isin(set(occupations["title"]) | {""}).all()

    # Enrolment.
    enrol = t["enrolment"]
    assert enrol["person_id"].isin(ids).all()
    assert not enrol.duplicated(["person_id", "cohort"]).any()
    assert enrol["role"].isin(["mentee", "mentor", "both"]).all()
    is_mentor = enrol["role"].isin(["mentor", "both"])
    assert enrol.loc[is_mentor, "capacity"].between(1, 4).all()
    assert enrol.loc[~is_mentor, "capacity"].isna().all()
    for col in ("wants", "offers"):
        listed = enrol[col].str.split(";").explode()
        assert listed[listed != ""].isin(skill_ids).all()
    assert (enrol.loc[enrol["role"] != "mentor", "wants"] != "").all()
    assert (enrol.loc[enrol["role"] == "mentor", "wants"] == "").all()
    now = enrol[enrol["cohort"] == str(as_of.year)]
    assert now["person_id"].isin(set(people.loc[current, "person_id"])).all()

    # Preferences point from current mentees to current mentors.
    pref = t["preferences"]
    mentees_now = set(now.loc[now["role"] != "mentor", "person_id"])
    mentors_now = set(now.loc[now["role"] != "mentee", "person_id"])
    assert pref["person_id"].isin(mentees_now).all() and pref["ranks_person_id"].isin(mentors_now).all()
    assert (pref["person_id"] != pref["ranks_person_id"]).all()
    assert not pref.duplicated(["person_id", "ranks_person_id"]).any()
    for _, g in pref.groupby("person_id"):
        assert sorted(g["rank"]) == list(range(1, len(g) + 1))

    # Past cohort: meetings and survey.
    past = enrol[enrol["cohort"] == str(as_of.year - 1)]
    meet = t["meetings"]
    assert meet["mentee_id"].isin(set(past.loc[past["role"] != "mentor", "person_id"])).all()
    assert meet["mentor_id"].isin(set(past.loc[past["role"] != "mentee", "person_id"])).all()
    assert (meet["minutes"] > 0).all() and (_dates(meet["date"]) < pd.Timestamp(as_of)).all()
    survey = t["survey"]
    assert survey["person_id"].isin(ids).all()
    assert survey["wave"].isin(["pre", "mid", "post", "followup"]).all()
    assert survey["score"].between(1, 7).all()
    assert not survey.duplicated(["person_id", "wave", "construct"]).any()
    assert (_dates(survey["date"]) < pd.Timestamp(as_of)).all()


def test_tables_satisfy_contract(org):
    check_integrity(org)
    people = org["people"]
    assert people["onet_soc_code"].isin(set(onet.load_occupations()["onet_soc_code"])).all()
    assert {"London", "Bangalore", "Remote-US"} <= set(people["location"])
    assert people["languages"].str.fullmatch(r"[A-Za-z]+(;[A-Za-z]+)*").all()
    level_share = people["level"].value_counts(normalize=True)
    assert level_share[1] + level_share[2] > level_share[4] + level_share[5]


def test_same_seed_same_bytes_different_seed_differs(tmp_path):
    a = write_tables(generate_organisation(300, seed=7), tmp_path / "a")
    b = write_tables(generate_organisation(300, seed=7), tmp_path / "b")
    c = write_tables(generate_organisation(300, seed=8), tmp_path / "c")
    assert [p.name for p in a] == [f"{name}.csv" for name in TABLE_COLUMNS]
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
    assert a[0].read_bytes() != c[0].read_bytes()
    raw = a[0].read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    raw.decode("utf-8")
    people = pd.read_csv(a[0], dtype=str, keep_default_na=False)
    assert list(people.columns) == list(TABLE_COLUMNS["people"])


def test_written_tables_pass_the_contract(org, tmp_path):
    from workbench.data.validation import validate_tables

    paths = write_tables(org, tmp_path)
    tables = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths}
    problems = validate_tables(tables)
    assert problems.ok, problems


def test_pure_function(org, capsys):
    again = generate_organisation(800, seed=0)
    assert capsys.readouterr().out == ""
    for name in org:
        pd.testing.assert_frame_equal(org[name], again[name])


def test_parameters_are_a_copy():
    params = generation_parameters()
    params["attrition"]["annual_exit_hazard_by_level"][1] = 99.0
    assert GENERATION_PARAMETERS["attrition"]["annual_exit_hazard_by_level"][1] != 99.0
    assert generation_parameters()["past_cohort"]["exit_hazard_ratio"] == pytest.approx(0.7)
    with pytest.raises(ValueError):
        generate_organisation(5)


def test_current_cohort_ratio_and_capacity(org, big):
    for t in (org, big):
        enrol = t["enrolment"]
        now = enrol[enrol["cohort"] == "2026"]
        mentors = now[now["role"] != "mentee"]
        mentees = now[now["role"] != "mentor"]
        assert 2 <= len(mentees) / len(mentors) <= 3
        assert (now["role"] == "both").any()
        assert mentors["capacity"].between(1, 4).all()
        level = t["people"].set_index("person_id")["level"]
        assert level[mentors["person_id"]].mean() > level[mentees["person_id"]].mean() + 1
        prof = t["proficiency"].groupby("person_id")["level"].mean()
        assert prof.reindex(mentors["person_id"]).mean() > prof.reindex(mentees["person_id"]).mean()
        assert 0.1 < t["preferences"]["person_id"].nunique() / len(mentees) < 0.4


def test_proficiency_follows_onet_and_has_missing(big):
    people = big["people"]
    current = people[_current(people)]
    imp = onet.profile_matrix("importance")
    relevant = imp >= GENERATION_PARAMETERS["proficiency"]["relevance_min_importance"]
    expected_rows = relevant.sum(axis=1).reindex(current["onet_soc_code"]).sum()
    latest = current_proficiency(big["proficiency"])
    share = len(latest) / expected_rows
    assert 0.85 < share < 0.91
    assert len(latest) < 0.75 * 35 * len(current)
    # programming: developers far above customer service representatives
    prof = latest.merge(people[["person_id", "onet_soc_code", "level"]], on="person_id", suffixes=("", "_career"))
    prog = prof[prof["skill_id"] == "programming"].groupby("onet_soc_code")["level"].mean()
    assert prog["15-1132.00"] > 3.0
    assert "43-4051.00" not in prog.index or prog["43-4051.00"] < 2
    by_level = prof[prof["onet_soc_code"] == "15-1132.00"].groupby("level_career")["level"].mean()
    assert by_level.is_monotonic_increasing


def test_attrition_matches_parameters(big):
    params = GENERATION_PARAMETERS["attrition"]
    past_params = GENERATION_PARAMETERS["past_cohort"]
    people = big["people"]
    enrol = big["enrolment"]
    past = enrol[(enrol["cohort"] == "2025") & (enrol["role"] != "mentor")]
    as_of = pd.Timestamp(AS_OF)
    start = as_of - pd.Timedelta(days=round(GENERATION_PARAMETERS["history_years"] * 365.25))
    cohort_start = as_of - pd.Timedelta(days=past_params["start_days_before_as_of"])
    hire, exit_ = _dates(people["hire_date"]), _dates(people["exit_date"])
    end = exit_.fillna(as_of)
    exposure = ((end - hire.clip(lower=start)).dt.days.clip(lower=0)) / 365.25
    # participants' hazard is multiplied by the hazard ratio after the cohort start
    after = ((end - cohort_start).dt.days.clip(lower=0)) / 365.25 * people["person_id"].isin(past["person_id"])
    hazard = people["level"].map(params["annual_exit_hazard_by_level"]) * people["department"].map(
        params["department_multiplier"]
    )
    cumulative = hazard * (exposure - (1 - past_params["exit_hazard_ratio"]) * after)
    exits = exit_.notna()
    rates = {}
    for level in range(1, 6):
        m = people["level"] == level
        expected = cumulative[m].sum()
        observed = exits[m].sum()
        assert abs(observed - expected) < 4 * np.sqrt(expected) + 2, (level, observed, expected)
        rates[level] = observed / exposure[m].sum()
    assert rates[1] > rates[2] > rates[3] > rates[5]
    assert rates[1] > 1.8 * rates[5]


def test_past_cohort_effects(big):
    people = big["people"]
    enrol = big["enrolment"]
    past = enrol[enrol["cohort"] == "2025"]
    params = GENERATION_PARAMETERS["past_cohort"]
    start = pd.Timestamp(AS_OF) - pd.Timedelta(days=params["start_days_before_as_of"])
    participants = set(past.loc[past["role"] != "mentor", "person_id"])
    hire = _dates(people["hire_date"])
    eligible = (
        _current(people, start.date())
        & (hire <= start - pd.Timedelta(days=params["min_tenure_days_at_start"]))
        & people["level"].isin(params["mentee_levels"])
    )
    is_part = people["person_id"].isin(participants)
    assert (is_part <= eligible).all()
    left = people["exit_date"] != ""
    part_rate, comp_rate = left[is_part].mean(), left[eligible & ~is_part].mean()
    assert part_rate < 0.9 * comp_rate

    # survey: participants improve more than the comparison group (difference in differences)
    survey = big["survey"]
    wide = survey[survey["wave"].isin(["pre", "post"])].pivot_table(
        index=["person_id", "construct"], columns="wave", values="score"
    ).dropna()
    wide["change"] = wide["post"] - wide["pre"]
    wide["participant"] = wide.index.get_level_values("person_id").isin(participants)
    did = wide.groupby(["construct", "participant"])["change"].mean().unstack()
    effect = GENERATION_PARAMETERS["survey"]["program_effect"]
    for construct, true in effect.items():
        est = did.loc[construct, True] - did.loc[construct, False]
        assert abs(est - true) < 0.2, (construct, est, true)
    assert survey.loc[~survey["person_id"].isin(participants), "wave"].isin(["pre", "post", "followup"]).all()

    # meetings: realistic cadence, some pairs fizzle out early
    meet = big["meetings"].assign(date=lambda d: pd.to_datetime(d["date"]))
    per_pair = meet.groupby(["mentee_id", "mentor_id"])
    counts = per_pair.size()
    assert 0.1 < (counts <= 3).mean() < 0.4
    gaps = per_pair["date"].diff().dt.days.dropna()
    assert 12 <= gaps.median() <= 30 and gaps.min() > 0
    assert set(meet["date"].dt.day_of_week) <= {0, 1, 2, 3, 4}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(min_value=30, max_value=160), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_integrity_for_any_seed_and_small_n(n, seed):
    t = generate_organisation(n, seed=seed)
    assert len(t["people"]) == n
    check_integrity(t)
    now = t["enrolment"][t["enrolment"]["cohort"] == "2026"]
    mentors = (now["role"] != "mentee").sum()
    mentees = (now["role"] != "mentor").sum()
    assert mentors >= 1 and 2 <= mentees / mentors <= 3


def test_careers_and_repeated_assessments_follow_parameters(big):
    careers, assess = GENERATION_PARAMETERS["careers"], GENERATION_PARAMETERS["assessments"]
    people, prof, enrol = big["people"], big["proficiency"], big["enrolment"]
    assert abs((people["high_potential"] == "yes").mean() - careers["high_potential_share"]) < 0.02
    hire, promoted, moved = _dates(people["hire_date"]), _dates(people["promotion_date"]), _dates(
        people["job_change_date"])
    end = _dates(people["exit_date"]).fillna(pd.Timestamp(AS_OF))
    for day in (promoted, moved):
        known = day.notna()
        assert ((day[known] > hire[known]) & (day[known] < end[known])).all()
    assert promoted[people["level"] == 1].isna().all()  # a promotion is into the current level
    # the earlier review: a gain of one level with the participants' and the others' probabilities
    when = _dates(prof["assessed_on"])
    start = pd.Timestamp(AS_OF) - pd.Timedelta(days=GENERATION_PARAMETERS["past_cohort"]["start_days_before_as_of"])
    before, after = prof[when < start], prof[when >= start]
    paired = before.merge(after, on=["person_id", "skill_id"], suffixes=("_before", "_after"))
    assert len(paired) == len(before) and (paired["level_after"] >= paired["level_before"]).all()
    gain = (paired["level_after"] - paired["level_before"]).groupby(paired["person_id"]).mean()
    past = set(enrol.loc[(enrol["cohort"] == "2025") & (enrol["role"] != "mentor"), "person_id"])
    mentees, others = gain[gain.index.isin(past)], gain[~gain.index.isin(past)]
    assert mentees.mean() - others.mean() > 0.15  # 0.45 against 0.2, less where a level 0 cannot fall
    assert abs(others.mean() - assess["gain_probability"]["others"]) < 0.05
