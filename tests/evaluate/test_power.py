"""Power at design time: the formulas give the published answers, and the demo's cohort is too small for retention."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestPower
from statsmodels.stats.proportion import proportion_confint

from workbench.data.importing import read_workspace_tables
from workbench.data.sample import generate_organisation
from workbench.design.model import ColumnFilter, Eligibility, Launch, Objective, PilotDesign, ProgramDesign
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.evaluate.power import (
    detectable_difference,
    detectable_hazard_ratio,
    detectable_paired_change,
    event_hazards,
    events_needed,
    objective_power,
    offered_needed,
    paired_mentees_needed,
    wedge_variance,
)
from workbench.evaluate.trial import allocate
from workbench.readiness import power_findings
from workbench.simulate.baseline import attrition_baseline, program_starts
from workbench.workspace import DEMO_SOURCE, open_workspace

Z = stats.norm.ppf(0.975) + stats.norm.ppf(0.80)


@pytest.fixture(scope="module")
def demo():
    workspace = open_workspace(DEMO_SOURCE)
    tables, _ = read_workspace_tables(workspace)
    return load_design(workspace), tables


def with_objectives(design, *objectives: Objective):
    return design.model_copy(update={"align": design.align.model_copy(update={"objectives": objectives})})


def test_events_needed_is_schoenfelds_published_answer() -> None:
    # Schoenfeld (1983): halving the hazard with equal groups, 5% two-sided and 80% power needs
    # 4 (1.96 + 0.84)^2 / ln(2)^2 = 65.3 events in all.
    assert 2 * events_needed(0.5, 1.0) == pytest.approx(65.3, abs=0.05)
    # with unequal groups, the total is (z + z)^2 / (p (1 - p) ln(HR)^2), p the mentees' share
    p = 1 / (1 + 9.0)
    assert events_needed(0.8, 9.0) / p == pytest.approx(Z ** 2 / (p * (1 - p) * math.log(0.8) ** 2))


@pytest.mark.parametrize(("events", "comparison"), [(10, 100), (6.5, 63), (40, 40), (120, 30)])
def test_statsmodels_gives_the_detectable_hazard_ratio_its_power(events: float, comparison: float) -> None:
    # a z test of the log hazard ratio with variance 1/D_t + 1/D_c is NormalIndPower with nobs1 = D_t, ratio D_c/D_t
    effect = -math.log(detectable_hazard_ratio(events, comparison))
    power = NormalIndPower().power(effect, nobs1=events, alpha=0.05, ratio=comparison / events)
    assert power == pytest.approx(0.80, abs=1e-3)  # statsmodels adds the far tail's tiny share
    assert NormalIndPower().solve_power(effect, nobs1=None, alpha=0.05, power=0.8, ratio=comparison / events) \
        == pytest.approx(events_needed(math.exp(-effect), comparison / events), rel=1e-3)


def test_paired_designs_give_g_powers_answer() -> None:
    # G*Power, matched pairs: d_z = 0.5, 5% two-sided, 80% power needs 34 pairs; an SD of 1 and a pre-post
    # correlation of 0.5 make the SD of the change 1, so a change of 0.5 points is d_z = 0.5.
    assert paired_mentees_needed(0.5, sd=1.0, correlation=0.5) == 34
    assert detectable_paired_change(34, sd=1.0, correlation=0.5) == pytest.approx(0.49, abs=0.01)


@settings(max_examples=40, deadline=None)
@given(events=st.floats(1, 500), ratio=st.floats(0.2, 20), more=st.floats(1.05, 5))
def test_more_exits_detect_smaller_effects_and_the_formulas_invert(events: float, ratio: float, more: float) -> None:
    hr = detectable_hazard_ratio(events, ratio * events)
    assert 0 < hr < detectable_hazard_ratio(events * more, ratio * events * more) < 1
    assert events_needed(hr, ratio) == pytest.approx(events, rel=1e-4)


@settings(max_examples=40, deadline=None)
@given(mentees=st.integers(3, 400), sd=st.floats(0.2, 3), r=st.floats(0, 0.9))
def test_larger_cohorts_and_steadier_scores_detect_smaller_changes(mentees: int, sd: float, r: float) -> None:
    mde = detectable_paired_change(mentees, sd, r)
    assert detectable_paired_change(mentees + 5, sd, r) < mde
    assert detectable_paired_change(mentees, sd, min(r + 0.05, 0.95)) < mde
    assert paired_mentees_needed(mde * 1.001, sd, r) <= mentees


def test_the_demo_cohort_cannot_detect_the_retention_effect_the_model_expects(demo) -> None:
    design, tables = demo
    powers = {p.objective: p for p in objective_power(design, tables, runs=200)}
    retention = powers["retention"]
    assert retention.design == "survival" and retention.horizon_months == 18
    assert 0 < retention.events < retention.mentees and retention.comparison_events > retention.events
    assert retention.expected_hazard_ratio < 1 and retention.hazard_ratio < retention.expected_hazard_ratio
    assert retention.detectable < retention.expected < retention.baseline
    assert retention.detects_expected is False and retention.needed > retention.mentees
    assert retention.cohorts == math.ceil(retention.needed / retention.mentees) > 1
    sentence = retention.sentence()
    size = f"{retention.mentees}" if retention.mentees >= 5 else "this size"  # a group under five is not shown
    assert "minimum detectable effect" in sentence and f"{retention.cohorts:,} cohorts of {size}." in sentence
    assert retention.mentees >= 5 or f"With {retention.mentees} mentees" not in sentence
    findings = power_findings(list(powers.values()))
    undetectable = [p.objective for p in powers.values() if p.detects_expected is False]
    assert "retention" in undetectable and "career_clarity" not in undetectable
    assert [f.title for f in findings] == [f"Objective {o}: the cohort cannot detect its effect" for o in undetectable]
    assert all(f.check == "objective_power" for f in findings)
    clarity = powers["career_clarity"]
    assert clarity.design == "paired" and clarity.expected == pytest.approx(0.5)
    assert 0 < clarity.correlation < 1 and "pre and post" in clarity.correlation_source
    assert powers["data_skills"].design == "" and "not computed" in powers["data_skills"].reason


def test_a_longer_horizon_expects_more_exits_and_detects_less(demo) -> None:
    design, tables = demo
    short, long = (Objective(id=f"h{m}", kind="retention", kpi="exit rate (%)", horizon_months=m) for m in (6, 24))
    first, second = objective_power(with_objectives(design, short, long), tables, runs=50)
    assert first.events < second.events and first.hazard_ratio < second.hazard_ratio


def test_objectives_that_cannot_be_powered_say_why(demo) -> None:
    design, tables = demo
    objectives = (Objective(id="no_horizon", kind="retention", kpi="exit rate (%)"),
                  Objective(id="no_target", kind="engagement", kpi="career clarity", horizon_months=12),
                  Objective(id="productivity", kind="time_to_productivity", kpi="months to productivity",
                            horizon_months=12))
    powers = objective_power(with_objectives(design, *objectives), tables, runs=50)
    assert "no horizon (horizon_months)" in powers[0].reason and not powers[0].quantified
    assert powers[1].quantified and powers[1].needed is None and "no baseline and target" in powers[1].sentence()
    assert "not computed yet" in powers[2].sentence()
    no_exits = dict(tables, people=tables["people"].assign(exit_date=""))
    assert "records no exits" in objective_power(with_objectives(design, objectives[0].model_copy(
        update={"horizon_months": 12})), no_exits)[0].reason
    without_people = {k: v for k, v in tables.items() if k != "people"}
    powered = [p for p in objective_power(design, without_people) if p.kind in ("retention", "engagement")]
    assert powered and all("no people.csv" in p.reason for p in powered)
    assert power_findings(objective_power(design, without_people)) == []


def test_a_pilot_without_enrolment_is_drawn_from_the_eligible(demo) -> None:
    design, tables = demo
    pilot = design.model_copy(update={"launch": design.launch.model_copy(update={"rollout": "pilot",
                                                                                 "pilot_size": 25})})
    no_enrolment = {k: v for k, v in tables.items() if k != "enrolment"}
    everyone = Objective(id="everyone", kind="retention", horizon_months=12)
    retention, scoped = objective_power(with_objectives(pilot, everyone, design.align.objectives[0]), no_enrolment,
                                        runs=50)
    assert retention.mentees == 25 and retention.comparison > 25
    # in a scope, the pilot's places in the scope's share of the eligible employees; the rest of them compare
    assert scoped.scope != "everyone" and 0 < scoped.mentees < 25
    assert scoped.mentees / (scoped.mentees + scoped.comparison) == pytest.approx(25 / (25 + retention.comparison),
                                                                                  abs=0.5 / scoped.comparison)
    full = design.model_copy(update={"launch": design.launch.model_copy(update={"rollout": "full"})})
    assert "cohort's size is unknown" in objective_power(full, no_enrolment)[0].reason


@pytest.mark.parametrize("change", [0.8, 0.3, 0.1, 0.05])
def test_the_pairs_needed_reach_the_power_and_one_fewer_does_not(change: float) -> None:
    needed = paired_mentees_needed(change, sd=1.0, correlation=0.5)
    assert TTestPower().power(change, nobs=needed, alpha=0.05) >= 0.8
    assert TTestPower().power(change, nobs=needed - 1, alpha=0.05) < 0.8


@pytest.fixture(scope="module")
def generated():
    tables = generate_organisation(800, seed=3)
    return {name: frame.astype(str).replace({"nan": "", "<NA>": "", "NaT": ""}) for name, frame in tables.items()}


def test_a_scoped_objective_is_powered_on_the_planned_people_in_its_scope(generated) -> None:
    design = ProgramDesign(launch=Launch(rollout="full"))
    scope = Eligibility(departments=("Engineering",), level_min=1, level_max=2)
    everyone, scoped = objective_power(with_objectives(design, Objective(
        id="all", kind="retention", horizon_months=12), Objective(
        id="eng", kind="retention", horizon_months=12, scope=scope)), generated, runs=20)
    # by hand: the current cohort's enrolled mentees (everyone is eligible under the default rule) and the
    # employees who are not, in Engineering at levels 1-2
    people, enrolment = generated["people"], generated["enrolment"]
    cohort = enrolment[enrolment["cohort"] == enrolment["cohort"].max()]
    mentees = set(cohort.loc[cohort["role"].isin(["mentee", "both"]), "person_id"])
    employed = people["exit_date"].eq("")
    in_scope = people["department"].eq("Engineering") & people["level"].astype(int).between(1, 2) & employed
    assert everyone.mentees == len(mentees) and everyone.comparison == int((employed & ~people["person_id"].isin(
        mentees)).sum())
    assert scoped.mentees == int((in_scope & people["person_id"].isin(mentees)).sum()) < everyone.mentees
    assert scoped.comparison == int((in_scope & ~people["person_id"].isin(mentees)).sum())
    # the mentees' exit rate is the mean of their cells' hazards in the organisation's exit history
    baseline = attrition_baseline(people, censor=program_starts(generated)).dropna(subset=["level"])
    cell = baseline[baseline["department"].eq("Engineering")].set_index("level")["hazard"]
    levels = people.loc[in_scope & people["person_id"].isin(mentees), "level"].astype(int)
    assert scoped.baseline == pytest.approx(100 * (1 - math.exp(-cell.reindex(levels).mean())))
    assert scoped.baseline != pytest.approx(everyone.baseline, abs=0.1)
    assert "in the objective's scope (Engineering; levels 1-2" in scoped.sentence()


def test_a_scope_on_a_sensitive_column_needs_the_opt_in(generated) -> None:
    scope = Eligibility(filters=(ColumnFilter(column="gender", values=("woman",)),))
    objective = Objective(id="women", kind="retention", horizon_months=12, scope=scope)
    design = with_objectives(ProgramDesign(launch=Launch(rollout="full")), objective)
    refused = objective_power(design, generated, runs=20)[0]
    assert not refused.quantified and "sensitive column 'gender'" in refused.reason
    opted = design.model_copy(update={"experience": design.experience.model_copy(update={
        "sensitive_opt_in": True, "sensitive_attributes": ("gender",)})})
    women = objective_power(opted, generated, runs=20)[0]
    people = generated["people"]
    assert women.quantified and women.comparison == int((people["gender"].eq("woman") & people["exit_date"].eq("")
                                                         ).sum()) - women.mentees


def test_two_groups_give_g_powers_answer() -> None:
    # G*Power, two independent means: d = 0.5, equal groups, 5% two-sided and 80% power need 64 in each
    assert offered_needed(0.5, 1.0, sd=1.0) == 64
    assert detectable_difference(64, 1.0, sd=1.0) == pytest.approx(0.5, abs=0.005)
    assert offered_needed(0.5, 2.0, sd=1.0) < 64  # a larger waitlist needs fewer offered places


def hussey_hughes_variance(clusters: int, steps: int, n: float, risk: float, tau2: float) -> float:
    """Hussey & Hughes (2007), eq. 8: the variance of a cross-sectional stepped wedge's effect, clusters dealt
    evenly to the steps, ``n`` people per cluster-period, between-cluster variance ``tau2``."""
    periods = steps + 1
    start = [i % steps + 1 for i in range(clusters)]
    x = [[1.0 if start[i] <= j else 0.0 for j in range(periods)] for i in range(clusters)]
    u = sum(map(sum, x))
    w = sum(sum(x[i][j] for i in range(clusters)) ** 2 for j in range(periods))
    v = sum(sum(row) ** 2 for row in x)
    s2 = risk * (1 - risk) / n
    return clusters * s2 * (s2 + periods * tau2) / ((clusters * u - w) * s2 + (u ** 2 + clusters * periods * u
                                                                              - periods * w - clusters * v) * tau2)


@pytest.mark.parametrize(("clusters", "steps"), [(6, 3), (12, 4), (5, 2)])
def test_the_wedge_variance_is_hussey_and_hughes_with_fixed_cluster_effects(clusters: int, steps: int) -> None:
    sizes = [40.0] * clusters
    start = [i % steps + 1 for i in range(clusters)]
    variance = wedge_variance(sizes, start, [0.05] * clusters)
    # clusters as fixed effects: Hussey & Hughes's variance as the between-cluster variance grows
    assert variance == pytest.approx(hussey_hughes_variance(clusters, steps, 40, 0.05, 1e6), rel=1e-6)
    assert variance > hussey_hughes_variance(clusters, steps, 40, 0.05, 1e-4)  # random effects borrow across


def test_the_wedge_variance_is_the_spread_of_the_estimate_in_simulated_roll_outs() -> None:
    # seeded roll-outs without an effect (the variance a power calculation plans with): 6 clusters in 3 steps,
    # each with its own exit risk (the fixed effects absorb it), 60 people a period; the fitted effect's spread
    # over 2,000 roll-outs is the variance's square root
    rng = np.random.default_rng(5)
    steps, sizes, risks, effect = np.array([1, 2, 3, 1, 2, 3]), np.full(6, 60.0), np.array(
        [0.03, 0.05, 0.08, 0.04, 0.06, 0.10]), 0.0
    periods = 4
    cluster, period = np.repeat(np.arange(6), periods), np.tile(np.arange(periods), 6)
    started = (steps[cluster] <= period).astype(float)
    design = np.column_stack([np.eye(6)[cluster], np.eye(periods)[period][:, 1:], started])
    weight = np.sqrt(sizes / (risks * (1 - risks)))[cluster]
    truth = risks[cluster] + effect * started
    estimates = []
    for _ in range(2000):
        means = rng.binomial(60, truth) / 60
        estimates.append(np.linalg.lstsq(design * weight[:, None], means * weight, rcond=None)[0][-1])
    assert np.mean(estimates) == pytest.approx(effect, abs=0.002)
    assert np.std(estimates) == pytest.approx(math.sqrt(wedge_variance(sizes, steps, risks)), rel=0.05)
    with pytest.raises(WorkbenchError, match="start all at one step"):
        wedge_variance(sizes, np.ones(6), risks)


def with_pilot(design, pilot: PilotDesign):
    return design.model_copy(update={"launch": design.launch.model_copy(update={"pilot": pilot})})


def test_a_randomised_waitlist_compares_the_offered_with_the_waitlisted(demo) -> None:
    design, tables = demo
    waitlist = with_pilot(with_objectives(design, Objective(id="all", kind="retention", horizon_months=12),
                                          design.align.objectives[1]), PilotDesign(design="waitlist", places=20))
    applicants = len(allocate(tables, waitlist))
    retention, clarity = objective_power(waitlist, tables, runs=50)
    assert (retention.mentees, retention.comparison) == (20, applicants - 20)
    assert f"randomised waitlist (20 offered against {applicants - 20} waitlisted)" in retention.sentence()
    open_enrolment = objective_power(with_pilot(waitlist, PilotDesign()), tables, runs=50)
    assert open_enrolment[0].comparison > retention.comparison  # every other eligible employee compares there
    # the survey objective compares the two groups' changes: more uncertain than one group's change
    assert clarity.pilot == "waitlist" and clarity.mde > open_enrolment[1].mde
    assert "comparing the two groups' changes" in clarity.sentence()
    too_few = objective_power(with_pilot(waitlist, PilotDesign(design="waitlist", places=applicants)), tables)
    assert not too_few[0].quantified and "needs more applicants than places" in too_few[0].reason
    no_enrolment = {k: v for k, v in tables.items() if k != "enrolment"}
    assert "no enrolment yet" in objective_power(waitlist, no_enrolment)[0].reason


def test_mentor_outcomes_follow_the_mentors_survey_construct_or_their_exits(demo) -> None:
    design, tables = demo
    survey = Objective(id="learn", kind="mentor_outcomes", kpi="mentors' career clarity (career_clarity, 1-7)",
                       horizon_months=12, baseline=4.0, target=4.5)
    exits = Objective(id="stay", kind="mentor_outcomes", kpi="annual exit rate of mentors (%)", horizon_months=12,
                      baseline=10.0, target=8.0)
    learn, stay = objective_power(with_objectives(design, survey, exits), tables, runs=50)
    assert learn.design == "paired" and stay.design == "survival" and learn.mentees == stay.mentees > 0
    assert f"With {learn.mentees} mentors answering the survey" in learn.sentence()
    assert f"With {stay.mentees} mentors and {stay.comparison:,} colleagues eligible to mentor" in stay.sentence()


def test_a_staggered_roll_out_is_powered_on_its_clusters(demo) -> None:
    design, tables = demo
    wedge = with_pilot(with_objectives(design, Objective(id="all", kind="retention", horizon_months=12),
                                       *design.align.objectives[:2]),
                       PilotDesign(design="stepped_wedge", steps=3, months_per_step=3))
    order = allocate(tables, wedge)
    everyone, scoped, clarity = objective_power(wedge, tables, runs=50)
    assert everyone.pilot == "stepped_wedge" and everyone.clusters == len(order) and everyone.horizon_months == 12
    assert "staggered roll-out by department" in everyone.sentence() and "Hussey & Hughes" in everyone.sentence()
    # within a cluster-period comparison, the clusters' own mentees are all there is: far less than the open
    # enrolment's comparison with every other eligible employee
    open_enrolment = objective_power(with_pilot(wedge, PilotDesign()), tables, runs=50)[0]
    assert everyone.needed > open_enrolment.needed
    # Engineering alone is one cluster: nothing to stagger
    assert not scoped.quantified and "start all at one step (or in one cluster)" in scoped.reason
    assert "loss or gain from the clusters' staggering is not quantified" in clarity.sentence()


def test_the_promotion_rate_is_promotions_per_person_year_of_the_history() -> None:
    # 100 people in one department and level, hired long ago: 20 promoted 1.5 years before the data's day
    # (followed until then), 10 who left a year before it, the rest followed the whole 3 years
    day = datetime.date(2026, 6, 30)
    rows = []
    for i in range(100):
        promoted = (day - datetime.timedelta(days=round(1.5 * 365.25))).isoformat() if i < 20 else ""
        left = (day - datetime.timedelta(days=round(365.25))).isoformat() if 20 <= i < 30 else ""
        rows.append({"person_id": f"P{i:03d}", "department": "Sales", "level": "2", "hire_date": "2010-01-04",
                     "exit_date": left, "promotion_date": promoted})
    rows.append({"person_id": "P999", "department": "Sales", "level": "2", "hire_date": day.isoformat(),
                 "exit_date": "", "promotion_date": ""})  # the data's day
    people = pd.DataFrame(rows)
    years = 20 * 1.5 + 10 * 2 + 70 * 3
    hazards = event_hazards(people, {"people": people}, "promotion")
    assert hazards[:100] == pytest.approx(np.full(100, 20 / years), rel=1e-3)
    with pytest.raises(WorkbenchError, match="no job_change_date column"):
        event_hazards(people, {"people": people}, "move")


def test_the_new_kinds_are_powered_on_the_planned_groups(generated) -> None:
    people, enrolment = generated["people"], generated["enrolment"]
    cohort = enrolment[enrolment["cohort"] == enrolment["cohort"].max()]
    employed = people["exit_date"].eq("")
    mentee = people["person_id"].isin(set(cohort.loc[cohort["role"].isin(["mentee", "both"]), "person_id"]))
    mentor = people["person_id"].isin(set(cohort.loc[cohort["role"].isin(["mentor", "both"]), "person_id"]))
    enrolled = people["person_id"].isin(set(cohort["person_id"]))
    flagged = people["high_potential"].str.lower().isin(["yes", "true", "1", "y"])
    objectives = (Objective(id="hipo", kind="high_potential_retention", horizon_months=24),
                  Objective(id="moves", kind="internal_mobility", horizon_months=24, baseline=8, target=12),
                  Objective(id="mentors", kind="mentor_outcomes", kpi="annual exit rate of mentors (%)",
                            horizon_months=24, baseline=10, target=8),
                  Objective(id="promotion", kind="time_to_promotion", horizon_months=24, baseline=48, target=36))
    design = with_objectives(ProgramDesign(launch=Launch(rollout="full")), *objectives)
    hipo, moves, mentors, promotion = objective_power(design, generated, runs=100)
    assert (hipo.mentees, hipo.comparison) == (int((employed & mentee & flagged).sum()),
                                               int((employed & ~mentee & flagged).sum()))
    assert "high-potential mentees" in hipo.sentence() and hipo.expected_hazard_ratio < 1
    # the target as a rate ratio, a rise for moves and a fall for the mentors' exits
    assert moves.expected_hazard_ratio == pytest.approx(1.5) and moves.detectable > moves.baseline
    assert "a rise in the mentees' annual rate of moves to another job" in moves.sentence()
    assert "taken as a rate ratio of 1.50" in moves.sentence() and moves.needed is not None
    assert (mentors.mentees, mentors.comparison) == (int((employed & mentor).sum()),
                                                     int((employed & ~enrolled).sum()))
    assert mentors.expected_hazard_ratio == pytest.approx(0.8) and "mentors' annual exit rate" in mentors.sentence()
    # promotions: the outcome model raises the promotion hazard; the sentence gives the median months
    assert promotion.expected_hazard_ratio > 1 and promotion.expected > promotion.baseline
    assert "median time to promotion" in promotion.sentence() and promotion.events > 0
    hazards = event_hazards(people, generated, "promotion")
    rows = np.flatnonzero((employed & mentee).to_numpy())
    assert promotion.events == pytest.approx(len(rows) * float(np.mean(1 - np.exp(-hazards[rows] * 2))))
    assert power_findings([moves, mentors, promotion])  # powered kinds join the design check's findings


def test_competency_growth_reads_the_spread_and_correlation_of_people_assessed_twice(demo) -> None:
    design, tables = demo
    # 60 people assessed on two days in two skills: each person's level before, and after with a known spread
    rng = np.random.default_rng(11)
    ids = tables["people"]["person_id"].iloc[:60].to_numpy()
    before = rng.normal(2.5, 0.8, 60)
    after = before + rng.normal(0.3, 0.5, 60)
    rows = [{"person_id": p, "skill_id": s, "level": f"{v + d:.3f}", "assessed_on": day}
            for p, b, a in zip(ids, before, after) for s, d in (("a", 0.1), ("b", -0.1))
            for v, day in ((b, "2025-01-15"), (a, "2026-01-15"))]
    marks = dict(tables, proficiency=pd.DataFrame(rows))
    objective = Objective(id="growth", kind="competency_growth", horizon_months=12, baseline=0.2, target=0.4)
    growth = objective_power(with_objectives(design, objective), marks)[0]
    # (the levels are written with three decimals)
    assert growth.correlation == pytest.approx(np.corrcoef(before, after)[0, 1], rel=1e-4)
    assert growth.mde == pytest.approx(detectable_paired_change(growth.mentees, before.std(ddof=1),
                                                                growth.correlation), rel=1e-3)
    assert growth.needed == paired_mentees_needed(0.2, before.std(ddof=1), growth.correlation)
    assert "assessed before and after" in growth.sentence() and "levels" in growth.sentence()
    undated = dict(tables, proficiency=pd.DataFrame(rows).assign(assessed_on=""))
    assert "assessed_on" in objective_power(with_objectives(design, objective), undated)[0].reason


def test_representation_gives_the_precision_of_the_share(generated) -> None:
    objective = Objective(id="women", kind="representation", horizon_months=12, target=50.0,
                          group=ColumnFilter(column="gender", values=("woman",)))
    design = with_objectives(ProgramDesign(launch=Launch(rollout="full")), objective)
    assert "sensitive column 'gender'" in objective_power(design, generated)[0].reason
    opted = design.model_copy(update={"experience": design.experience.model_copy(update={
        "sensitive_opt_in": True, "sensitive_attributes": ("gender",)})})
    share = objective_power(opted, generated)[0]
    people, enrolment = generated["people"], generated["enrolment"]
    cohort = enrolment[enrolment["cohort"] == enrolment["cohort"].max()]
    mentees = people[people["exit_date"].eq("") & people["person_id"].isin(
        set(cohort.loc[cohort["role"].isin(["mentee", "both"]), "person_id"]))]
    women = int(mentees["gender"].eq("woman").sum())
    low, high = proportion_confint(women, len(mentees), method="beta")
    assert share.design == "precision" and share.mentees == len(mentees)
    assert share.baseline == pytest.approx(100 * women / len(mentees)) and share.mde == pytest.approx(
        100 * (high - low) / 2)
    assert "not an effect to test" in share.sentence() and f"±{share.mde:.0f} points" in share.sentence()
    assert share.detects_expected is None and power_findings([share]) == []
