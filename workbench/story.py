"""The demo organisation's whole story: a design, a matching of its current cohort and a what-if comparison.

A generated organisation (:func:`workbench.data.sample.generate_organisation`)
has tables only; :func:`write_organisation` writes it as a new workspace with its
story, as ``workbench sample`` does (``datasets/demo`` is seed 0). :func:`story_files`
adds what a consultant would have saved after a first workshop, so every page shows
something on first open:

* ``design.yaml``: every AXLES decision taken, each with the reason a
  consultant would give (:func:`demo_design`). Its objectives carry the KPIs,
  baselines and targets of ``goals.csv``; its experience, duration and survey
  plan are those the past cohort ran under, so the Evaluate page judges that
  cohort against the design it had.
* ``results/matching.csv`` and ``.yaml``: the current cohort matched with the
  design's own method, as the Matching page saves it.
* ``scenarios/*.yaml`` and ``results/whatif.json``: three alternatives
  (:data:`DEMO_SCENARIOS`) compared with the design, as the What-if page saves
  them for the brief.

The files are made by the functions the pages call (:func:`match`,
:func:`run_scenarios`, :class:`SavedComparison`) and written as their saves
write them; only the history and revision counters of a save are left out, so
the same seed gives byte-identical files. The matching and the comparison are
dated on the day the data describes, not today, for the same reason.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from workbench.data.columns import number_column, text_column
from workbench.data.importing import typed_tables
from workbench.data.sample import generate_organisation, write_tables
from workbench.design.eligibility import data_as_of
from workbench.design.model import ProgramDesign
from workbench.design.store import design_to_yaml
from workbench.errors import WorkbenchError
from workbench.gaps.analysis import person_gaps, prioritised_gaps
from workbench.matching import match
from workbench.matching.storage import matching_files
from workbench.organisation import current_cohort
from workbench.programs import scoped_tables
from workbench.whatif import BASELINE, SavedComparison, Scenario, run_scenarios, tornado
from workbench.whatif.saved import comparison_files
from workbench.whatif.scenarios import SCENARIO_FOLDER, scenario_to_yaml
from workbench.workspace import (DESIGN_FILE, Workspace, WorkspaceSettings, open_workspace, write_new_workspace,
                                 write_settings)

#: Runs per scenario of the saved comparison and its sensitivity analysis (the What-if page's default).
STORY_RUNS = 1000
#: Seed of the saved matching and comparison.
STORY_SEED = 0

#: The alternatives the demo compares with its design (names, descriptions, settings changed).
DEMO_SCENARIOS: tuple[dict, ...] = (
    {"name": "Group mentoring", "overrides": {"structure": "group", "group_size": 4},
     "description": "One mentor with four mentees instead of pairs: more mentees for the same mentors, less "
                    "individual attention."},
    {"name": "More training", "overrides": {"mentor_training_hours": 6.0, "mentee_training_hours": 3.0},
     "description": "A half-day workshop for mentors and a short course for mentees instead of the two-hour "
                    "briefing."},
    {"name": "Twelve months", "overrides": {"duration_months": 12},
     "description": "Pairs run for a year instead of nine months, long enough for a relationship to mature."},
)


def _goal(goals: pd.DataFrame | None, goal_id: str) -> dict:
    if goals is None:
        return {}
    rows = goals[text_column(goals, "goal_id") == goal_id]
    if rows.empty:
        return {}
    row = rows.iloc[0]
    numbers = {k: pd.to_numeric(row.get(k, ""), errors="coerce") for k in ("baseline", "target", "horizon_months")}
    return {"name": str(row.get("name", "")), "kpi": str(row.get("kpi", "")),
            **{k: None if pd.isna(v) else float(v) for k, v in numbers.items()}}


def _percent(value: float | None) -> str:
    return "an unknown share" if value is None else f"{value:g}%"


def _start_after(day: datetime.date) -> datetime.date:
    """The first Monday of September after ``day``: after the summer, with the new budget year."""
    def first_monday(year: int) -> datetime.date:
        september = datetime.date(year, 9, 1)
        return september + datetime.timedelta(days=(7 - september.weekday()) % 7)

    return first_monday(day.year) if first_monday(day.year) > day else first_monday(day.year + 1)


def _survey_mean(survey: pd.DataFrame | None, construct: str, wave: str) -> float | None:
    if survey is None or survey.empty:
        return None
    rows = survey[(text_column(survey, "construct") == construct) & (text_column(survey, "wave") == wave)]
    scores = number_column(rows, "score").dropna()
    return round(float(scores.mean()), 1) if len(scores) else None


def _focus_skills(tables: Mapping[str, pd.DataFrame], goals: tuple[str, ...], top: int = 5) -> pd.DataFrame:
    """The ``top`` skill gaps that matter most (the Skill gaps page's ranking) among those of ``goals``."""
    gaps = person_gaps(tables)
    served = gaps["goals"].map(lambda text: bool(set(text.split(";")) & set(goals)))
    ranked = prioritised_gaps(gaps[served.to_numpy(dtype=bool)], tables.get("skills"))
    return ranked[ranked["score"].notna()].head(top)


def demo_design(tables: Mapping[str, pd.DataFrame], *, name: str = "Demo organisation mentoring program"
                ) -> ProgramDesign:
    """The demo organisation's program design called ``name``, every decision taken with its reason.

    ``tables`` are the workspace's text tables (as read from CSV). Figures that
    depend on the data (the goals' baselines, the cohorts' sizes, the survey's
    baseline, the start date after the day the data describes) are read from
    them, so the design fits any seed of the generator.
    """
    people, enrolment = tables["people"], tables["enrolment"]
    goals, survey = tables.get("goals"), tables.get("survey")
    as_of = data_as_of(people)
    cohort, rows = current_cohort(enrolment)
    roles = text_column(rows, "role")
    mentees = int(roles.isin(["mentee", "both"]).sum())
    mentors = int(roles.isin(["mentor", "both"]).sum())
    earlier = text_column(enrolment, "cohort")[text_column(enrolment, "cohort") != cohort]
    past_name = max(earlier, default="")  # the pilot: the latest cohort before the current one
    past = enrolment[text_column(enrolment, "cohort") == past_name]
    pilot = int(text_column(past, "role").isin(["mentee", "both"]).sum()) if past_name else mentees
    attrition, data_skills = _goal(goals, "retain_junior_engineers"), _goal(goals, "ai_data_skills")
    clarity = _survey_mean(survey, "career_clarity", "pre") or 4.2
    clarity_target = round(clarity + 0.5, 1)
    start = _start_after(as_of)
    exit_kpi = attrition.get("kpi") or "annual exit rate of Engineering staff at levels 1-2 (%)"
    skill_kpi = data_skills.get("kpi") or "share of staff at or above target proficiency in data skills (%)"
    served = ("retain_junior_engineers", "leadership_pipeline", "ai_data_skills")
    focus = _focus_skills(tables, served)
    focus_names = ", ".join(label or skill for skill, label in zip(focus["skill_id"], focus["name"]))
    cohort_words = f"the {cohort} cohort" if cohort else "the current cohort"
    past_words = f"the {past_name} pilot" if past_name else "the pilot"

    design = {
        "name": name,
        "align": {
            "business_problem": "attrition",
            "problem_statement": (
                f"Junior engineers leave too soon: {_percent(attrition.get('baseline'))} of Engineering staff at "
                "levels 1-2 leave each year, most within their first two years, and every exit costs about a "
                "year's salary to replace. Juniors in other departments report low career clarity, and the "
                "company needs more people with data skills than it can hire."),
            "sponsor": "Chief Technology Officer",
            "owner": "Head of Talent Development",
            "mentee_eligibility": {"level_min": 1, "level_max": 4, "min_tenure_months": 3},
            "mentor_eligibility": {"level_min": 3, "level_max": 6, "min_tenure_months": 12},
            "objectives": [
                {"id": "retention", "kind": "retention", "goal_id": "retain_junior_engineers", "kpi": exit_kpi,
                 "statement": "Fewer juniors leave: mentees' annual exit rate falls to the company's target.",
                 "baseline": attrition.get("baseline"), "target": attrition.get("target", 14.0),
                 "horizon_months": int(attrition.get("horizon_months") or 18),
                 "scope": {"departments": ["Engineering"], "level_min": 1, "level_max": 2}},
                {"id": "career_clarity", "kind": "engagement", "goal_id": "leadership_pipeline",
                 "kpi": "mean career clarity score of mentees (career_clarity survey, 1-7)",
                 "statement": "Mentees know where their career can go here and what it takes to get there.",
                 "baseline": clarity, "target": clarity_target, "horizon_months": 12},
                {"id": "data_skills", "kind": "skill", "goal_id": "ai_data_skills", "kpi": skill_kpi,
                 "statement": "More people reach the target level in the data skills the company needs.",
                 "baseline": data_skills.get("baseline"), "target": data_skills.get("target"),
                 "horizon_months": int(data_skills.get("horizon_months") or 12)},
                {"id": "skill_growth", "kind": "competency_growth", "goal_id": "ai_data_skills",
                 "kpi": "mean change in assessed skill level from the review before the cohort to the next "
                        "(levels, 0-5 scale)",
                 "statement": "Mentees' assessed skills grow faster than their colleagues'.",
                 "baseline": 0.2, "target": 0.4, "horizon_months": 12},
                {"id": "promotion_speed", "kind": "time_to_promotion", "goal_id": "leadership_pipeline",
                 "kpi": "median months from the cohort start to promotion",
                 "statement": "Mentees at levels 2-3 are promoted sooner.", "baseline": 48.0, "target": 36.0,
                 "horizon_months": 24, "scope": {"level_min": 2, "level_max": 3}},
                {"id": "high_potential", "kind": "high_potential_retention", "goal_id": "leadership_pipeline",
                 "kpi": "annual exit rate of high-potential staff (%)",
                 "statement": "The high potentials of the talent review stay.", "baseline": 12.0, "target": 8.0,
                 "horizon_months": 24},
                {"id": "mobility", "kind": "internal_mobility", "goal_id": "leadership_pipeline",
                 "kpi": "annual rate of moves to another job inside the company (%)",
                 "statement": "Mentees find their next role inside the company.", "baseline": 8.0, "target": 12.0,
                 "horizon_months": 24},
                {"id": "women_mentees", "kind": "representation", "goal_id": "leadership_pipeline",
                 "kpi": "share of women among mentees (%)", "group": "gender=woman",
                 "statement": "Women are at least half of the mentees.", "baseline": 35.0, "target": 50.0,
                 "horizon_months": 12},
                {"id": "mentors_stay", "kind": "mentor_outcomes", "goal_id": "leadership_pipeline",
                 "kpi": "annual exit rate of mentors (%)",
                 "statement": "Mentors learn too, and stay.", "baseline": 10.0, "target": 8.0, "horizon_months": 24},
            ],
            "constraints": {"budget": 45000.0, "currency": "GBP", "coordinator_hours_per_month": 24.0,
                            "expected_mentors": mentors},
            "goal_ids": list(served),
            "focus_skills": list(focus["skill_id"]),
        },
        "experience": {
            "structure": "one_on_one", "group_size": 4, "mentors_per_mentee": 2, "duration_months": 9,
            "cadence": "fortnightly", "meeting_minutes": 45, "enrolment": "application", "voluntary": True,
            "mentor_capacity": 3, "allow_both_roles": True, "exclude_line_manager": True,
            "matching_method": "blended", "approval": "one_sided",
            "criteria": {"skills": 4.0, "seniority": 1.0, "department": 1.0, "location": 0.0, "timezone": 2.0,
                         "languages": 1.0, "preferences": 2.0},
            "custom_criteria": [
                {"name": "shared_values", "label": "Shared values", "kind": "shared_items", "columns": ["values"],
                 "weight": 1.0},
                {"name": "working_style", "label": "Similar working style", "kind": "similarity",
                 "columns": ["working_style"], "scale": 4.0, "weight": 1.0},
            ],
            "department_preference": "cross", "seniority_gap_min": 1, "seniority_gap_max": 3,
            "hard_rules": ["not_in_management_chain", "mentor_more_senior"],
            "matching_objective": "best_average", "balance": {"attribute": "department", "gap": 0.15},
            "functional_skill": focus["skill_id"].iloc[0] if len(focus) else None, "goal_setting": True, "agreement": True,
            "meeting_format": "hybrid", "session_guides": True,
            "mentor_training_hours": 2.0, "mentee_training_hours": 1.0,
            "sensitive_opt_in": False, "sensitive_attributes": [],
        },
        "launch": {
            "rollout": "full", "pilot_size": pilot, "start_date": start.isoformat(),
            "recruit_mentors_first": True, "mentor_join_threshold": 0.75,
            "communications": ["sponsor_message", "testimonials", "manager_briefing", "intranet"],
            "orientation": True, "match_release": "all_at_once", "draft_review": True, "unmatched": "clearing_round",
            "selection": {"method": "everyone"},
        },
        "evaluate": {
            "levels": ["reaction", "learning", "behaviour", "results", "roi"],
            "metrics": {
                "retention": ["exit_date in people.csv: mentees' annual exit rate against a comparison group "
                              "matched on department, level and tenure"],
                "career_clarity": ["career_clarity in the pre, mid, post and follow-up survey, against the "
                                   "comparison group's change"],
                "data_skills": ["proficiency.csv re-assessed after the program: share of mentees at or above "
                                "the target level of the data skills"],
            },
            "attribution": "pre_post_with_comparison",
            "survey_timing": ["baseline", "midpoint", "end", "followup"], "followup_months": 3,
            "average_salary": 52000.0, "replacement_cost_multiple": 1.0,
        },
        "support": {
            "check_in": "monthly", "inactivity_days": 60, "warning_days": 14, "rematching": "no_fault",
            "mentor_recognition": ["certificate", "leadership_visibility", "performance_review"],
            "mentor_hours_per_month": 5.0, "feed_next_cohort": True,
        },
        "rationale": {
            "align.business_problem": (
                "Regretted attrition of junior engineers is the company's highest-priority goal and is already "
                "measured every quarter, so the program's effect on it can be shown."),
            "align.problem_statement": "Agreed with the sponsor in the kick-off workshop, using HR's exit figures.",
            "align.sponsor": ("The CTO owns the attrition problem in Engineering and opens the program at the "
                              "launch event."),
            "align.owner": ("Talent Development runs the program: recruiting, matching, check-ins and the "
                            "evaluation, with 24 coordinator hours a month."),
            "align.goal_ids": ("Attrition is the anchor; career clarity feeds the leadership pipeline and mentors "
                               "who offer data skills feed the data-skills goal. Customer excellence is left to "
                               "the Support team's own coaching."),
            "align.objectives": (
                "One objective per goal served, each on a KPI the company already tracks, with the baseline from "
                "the data and the target from the goals table. Mentoring moves satisfaction and commitment more "
                "than hard outcomes, so the attrition target is ambitious and is reviewed after the cohort. The exit "
                "rate is about Engineering at levels 1-2, so it is measured on them only. Skill growth, promotion, "
                "high-potential retention, internal moves, mentees' representation and mentors' own outcomes are "
                "tracked too, over 12 and 24 months from the cohort start; representation is measured only once "
                "the works council agrees to the use of gender."),
            "align.mentee_eligibility": (
                "Levels 1-4 after probation (three months): the juniors the attrition goal is about, and "
                "level-4 staff on their way to leadership."),
            "align.mentor_eligibility": (
                "Levels 3-6 with at least a year in the company, so mentors know how things work here; the "
                "CEO is left out."),
            "align.focus_skills": (
                f"The gaps that matter most for the goals served, as the Skill gaps page ranks them: {focus_names}."),
            "align.constraints": (
                f"Budget agreed with Finance for {cohort_words}; {mentors} mentors have volunteered so far."),
            "experience.structure": (
                "One-on-one: the attrition goal needs a trusted relationship with one senior person, as in the "
                "pilot. Group mentoring, which needs fewer mentors, is compared on the What-if page."),
            "experience.group_size": "Only for group mentoring, which the What-if page compares: four mentees.",
            "experience.mentors_per_mentee": "Not used with one-on-one mentoring; two if mosaic is ever tried.",
            "experience.duration_months": (
                f"Nine months, as in {past_words}: long enough for the relationship to mature and short enough "
                "to keep mentors committed. Twelve months is compared on the What-if page."),
            "experience.cadence": ("Every two weeks keeps momentum in the first months. The pilot asked for the same; "
                                   "the Evaluate page shows how far its pairs kept to it."),
            "experience.meeting_minutes": "45 minutes fits between meetings, the middle of the pilot's 30-60.",
            "experience.enrolment": (
                "A short application (what you want to learn or offer) gives matching what it needs and shows "
                "commitment."),
            "experience.voluntary": "Voluntary: mentoring people did not choose rarely works.",
            "experience.mentor_capacity": ("At most three mentees each, within the five hours a month mentors "
                                           "are given."),
            "experience.allow_both_roles": ("Level-3 staff may mentor juniors while being mentored themselves, "
                                            "as a few did in the pilot."),
            "experience.exclude_line_manager": "A mentor outside the line gives a safe space to talk about careers.",
            "experience.matching_method": (
                "Blended: the algorithm proposes, mentees' ranked choices count, and the owner reviews the draft. "
                "The pilot was matched by hand, on seniority alone."),
            "experience.approval": "The mentor accepts the proposed match before it is published.",
            "experience.criteria": (
                "Skills matter most (what the mentee wants against what the mentor offers); time zone next, as "
                "the company spans London to Singapore; mentees' own choices and seniority after."),
            "experience.custom_criteria": (
                "The sign-up form asked for three work values and five working-style questions; shared values "
                "and a similar style go with better-rated relationships."),
            "experience.department_preference": ("Mentors from another department widen juniors' networks, a "
                                                  "reason to stay."),
            "experience.seniority_gap_min": "The mentor is at least one level above the mentee.",
            "experience.seniority_gap_max": "At most three levels, so the mentor still remembers the mentee's stage.",
            "experience.hard_rules": (
                "Never someone in the mentee's management chain, and always someone more senior; everything else "
                "is a preference, so nobody is left unmatched by rules."),
            "experience.matching_objective": ("Best average match quality: mentors are scarcer than mentees, so "
                                              "every pair should be a good one."),
            "experience.balance": ("Not the objective, but match rates across departments are checked to stay "
                                   "within 15 points."),
            "experience.functional_skill": ("The gap that matters most, should functional mentoring on one skill "
                                            "be tried."),
            "experience.goal_setting": "Pairs set two or three development goals in their first meeting.",
            "experience.agreement": "A one-page agreement on meetings, confidentiality and how to end well.",
            "experience.meeting_format": "Hybrid: the company has six sites and remote staff.",
            "experience.session_guides": "Guides for the first three meetings help new mentors start well.",
            "experience.mentor_training_hours": ("A two-hour briefing, as in the pilot; more training is compared "
                                                 "on the What-if page."),
            "experience.mentee_training_hours": "A one-hour session on getting the most out of mentoring.",
            "experience.sensitive_opt_in": ("No: the works council has not agreed, and matching does not need "
                                            "demographics."),
            "experience.sensitive_attributes": "None, as there is no opt-in.",
            "launch.rollout": (f"{past_words.capitalize()} ran with {pilot} mentees and went well; "
                               f"{cohort_words} opens to everyone eligible."),
            "launch.pilot_size": f"The pilot's size, for the record: {pilot} mentees.",
            "launch.selection": (f"Everyone eligible who applies takes part: {mentees} mentees applied for "
                                 f"{cohort_words}."),
            "launch.start_date": "After the summer holidays, when people are back and the new budget year starts.",
            "launch.recruit_mentors_first": "Mentors are scarcer than mentees, so they are recruited first.",
            "launch.mentor_join_threshold": "Mentee applications open when three quarters of invited mentors joined.",
            "launch.communications": ("The CTO announces it, pilot pairs tell their stories, managers are briefed "
                                      "and the intranet explains how to apply."),
            "launch.orientation": "A one-hour kick-off for everyone, with the session guides.",
            "launch.match_release": "All at once, so nobody waits while others already have a mentor.",
            "launch.draft_review": "The owner reviews the draft matches before they are published.",
            "launch.unmatched": ("A clearing round with mentors who can take one more, so nobody waits a "
                                 "whole year."),
            "launch.pilot": ("Open enrolment: everyone eligible who applies takes part, so the evaluation compares "
                             "them with similar colleagues and shows an association, not proof."),
            "evaluate.levels": "All five levels: the sponsor wants to know whether it pays off.",
            "evaluate.metrics": "Each objective on the KPI the company already tracks.",
            "evaluate.attribution": (
                "Participants chose to join, so outcomes are compared with similar colleagues who did not, before "
                "and after; the pilot's survey included such a group."),
            "evaluate.survey_timing": "Baseline, midpoint, end and a follow-up, as in the pilot.",
            "evaluate.followup_months": "Three months after the end, before the next cohort is designed.",
            "evaluate.average_salary": "HR's average salary of staff at levels 1-4.",
            "evaluate.replacement_cost_multiple": "HR's estimate: one annual salary per leaver.",
            "support.check_in": "The owner checks in with every pair monthly, more often in the first months.",
            "support.inactivity_days": ("Two months without a meeting means four missed meetings: time to close "
                                        "or re-match."),
            "support.warning_days": "Pairs are warned two weeks before closing.",
            "support.rematching": "Either person may ask for a new match, no questions asked.",
            "support.mentor_recognition": ("A certificate, a lunch with the leadership team, and mentoring counts "
                                           "in the annual review."),
            "support.mentor_hours_per_month": "Five hours a month: three mentees every two weeks, plus preparation.",
            "support.feed_next_cohort": "The evaluation of each cohort shapes the next one's design.",
        },
    }
    return ProgramDesign.model_validate(design)


def story_files(workspace: Workspace, *, runs: int = STORY_RUNS, seed: int = STORY_SEED) -> dict[str, str]:
    """The files of the demo's story for ``workspace`` (a path in its folder -> text), as the pages save them.

    The design (:func:`demo_design`); the current cohort matched with the
    design's method (:func:`workbench.matching.match`, seed ``seed``); the
    scenarios of :data:`DEMO_SCENARIOS`; and their comparison with the design,
    ``runs`` simulated cohorts each (:func:`workbench.whatif.run_scenarios`,
    seed ``seed``), with the sensitivity of its retention effect. The matching
    and the comparison are dated on the day the data describes. A cohort the
    design cannot match (in a very small organisation) has no matching, and
    one with nobody matched no comparison: the pages would refuse them too.
    Raises :class:`~workbench.errors.WorkbenchError` when the tables fail their
    contracts.
    """
    tables = scoped_tables(workspace, typed_tables(workspace))
    design = demo_design(tables, name=f"{workspace.name} mentoring program")  # as a new design is called
    files = {DESIGN_FILE: design_to_yaml(design)}
    day = data_as_of(tables["people"])
    scenarios = [Scenario(**fields) for fields in DEMO_SCENARIOS]
    files.update({f"{SCENARIO_FOLDER}/{s.slug}.yaml": scenario_to_yaml(s) for s in scenarios})
    try:
        matching = match(tables, design, seed=seed)
    except WorkbenchError:  # nobody to match
        return files
    matching = dataclasses.replace(matching, settings={**matching.settings, "matched_at": day.isoformat()})
    files.update(matching_files(matching))
    compared, cohorts = [BASELINE, *scenarios], {}
    try:
        batch = run_scenarios(tables, design, compared, runs=runs, seed=seed, executor=False, cohorts=cohorts)
    except WorkbenchError:  # nobody matched, so nobody to simulate
        return files
    swings = tornado(tables, design, "retention", scenario=BASELINE, runs=runs, seed=seed, executor=False,
                     cohorts=cohorts)
    swings.attrs["scenario"] = BASELINE.name
    files.update(comparison_files(SavedComparison.of(batch.finished(), scenarios=compared, tornado=swings,
                                                     saved_on=day)))
    return files


def write_story(workspace: Workspace, **options) -> list[str]:
    """Write :func:`story_files` into a workspace that has none of them yet (a freshly generated one).

    Not a save: no history and no revision counts, so a generated workspace
    is the same bytes every time. ``options`` as for :func:`story_files`.
    Returns the files written, in order.
    """
    files = story_files(workspace, **options)
    present = [name for name in files if (workspace.files / name).exists()]
    if present:
        raise FileExistsError(f"The workspace already has {', '.join(present)}: the story goes into a new one.")
    for name, text in files.items():
        path = workspace.files / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return list(files)


def write_organisation(out: Path, *, n_people: int = 800, seed: int = 0, name: str = "Demo organisation",
                       story: bool = True) -> Workspace:
    """Generate the organisation (:func:`~workbench.data.sample.generate_organisation`) and write it as the new
    workspace folder ``out`` (which must not exist or be empty).

    With ``story`` (the default; about 5 s more for 800 people) the workspace
    also holds a design, a saved matching of the current cohort and a saved
    what-if comparison (:func:`write_story`), so every page has
    something to show. The same arguments give byte-identical files:
    ``datasets/demo`` is ``write_organisation(out, seed=0)``. The folder
    appears whole or not at all.
    """
    tables = generate_organisation(n_people, seed=seed)
    settings = WorkspaceSettings(name=name, extra={"generated": {"seed": seed, "people": int(n_people)}})

    def fill(folder: Path) -> None:
        write_tables(tables, folder)
        if story:
            write_settings(folder, settings)  # the story reads the folder as a workspace
            write_story(open_workspace(folder))

    return write_new_workspace(Path(out), settings, fill)
