"""Consistency checks: each one triggered by a small hand-built organisation, and left quiet by a sound one."""

from __future__ import annotations

import datetime
import itertools
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.design.catalogue import decision
from workbench.organisation import current_cohort
from workbench.design.model import (
    Align,
    Constraints,
    Eligibility,
    Evaluate,
    Experience,
    Launch,
    Objective,
    PilotDesign,
    ProgramDesign,
    Selection,
    Support,
)
from workbench.errors import WorkbenchError
from workbench.evaluate.trial import allocate
from workbench import readiness
from workbench.readiness import SEVERITIES, Finding, check_design, check_workspace
from workbench.workspace import DEMO_SOURCE, WorkspaceSettings, open_workspace, write_settings

AS_OF = datetime.date(2026, 6, 30)
PEOPLE_COLUMNS = ["person_id", "department", "level", "manager_id", "timezone", "hire_date", "exit_date"]


def people_frame(*rows: tuple) -> pd.DataFrame:
    """Rows of (person_id, department, level, manager_id, timezone[, hire_date, exit_date]) as CSV text."""
    full = [tuple(str(v) for v in row) + ("2020-01-01", "")[len(row) - 5:] for row in rows]
    return pd.DataFrame(full, columns=PEOPLE_COLUMNS, dtype=str)


def enrolment_frame(*rows: tuple) -> pd.DataFrame:
    """Rows of (person_id, role, capacity[, cohort]) as CSV text."""
    full = [(str(r[0]), r[1], "" if r[2] is None else str(r[2]), "", "", r[3] if len(r) > 3 else "2026")
            for r in rows]
    return pd.DataFrame(full, columns=["person_id", "role", "capacity", "wants", "offers", "cohort"], dtype=str)


def run(design: ProgramDesign, tables: dict, **kwargs) -> list[Finding]:
    """check_design, asserting what every result must satisfy."""
    findings = check_design(design, tables, as_of=kwargs.pop("as_of", AS_OF), **kwargs)
    assert [SEVERITIES.index(f.severity) for f in findings] == sorted(SEVERITIES.index(f.severity) for f in findings)
    for f in findings:
        assert f.title and f.explanation and f.fix and f.decisions
        for decision_id in f.decisions:
            decision(decision_id)
    assert findings == check_design(design, tables, as_of=kwargs.get("as_of", AS_OF), **kwargs)
    return findings


def of(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check]


def design(**steps) -> ProgramDesign:
    """A design with objectives and metrics in place, so unrelated checks stay quiet."""
    align = steps.pop("align", Align(objectives=(Objective(id="o1", kpi="k", baseline=1, target=2,
                                                           horizon_months=12),)))
    evaluate = steps.pop("evaluate", Evaluate(metrics={o.id: ("survey",) for o in align.objectives}))
    return ProgramDesign(align=align, evaluate=evaluate, **steps)


# --- an organisation: 10 junior mentees in Engineering under manager M1, mentors in other departments ---

def org(mentors: list[tuple[str, int]], mentees: int = 10, **enrol) -> dict[str, pd.DataFrame]:
    """Mentees E0.. (level 1, Engineering, London) and mentors (id, capacity) at level 3 in Sales, London."""
    rows = [("CEO", "Executive", 7, "", "Europe/London"), ("M1", "Engineering", 4, "CEO", "Europe/London")]
    rows += [(f"E{i}", "Engineering", 1, "M1", "Europe/London") for i in range(mentees)]
    rows += [(pid, "Sales", 3, "CEO", "Europe/London") for pid, _ in mentors]
    enrolled = [(f"E{i}", "mentee", None) for i in range(mentees)] + [(pid, "mentor", cap) for pid, cap in mentors]
    return {"people": people_frame(*rows), "enrolment": enrolment_frame(*enrolled)}


def test_mentor_capacity_error_below_60_percent() -> None:
    found = of(run(design(launch=Launch(rollout="full")), org([("S1", 2), ("S2", 2)])), "mentor_capacity")
    assert [f.severity for f in found] == ["error"]
    assert "10 eligible mentees" in found[0].explanation and "offer 4 (40%" in found[0].explanation
    assert "Invite about 3 more mentors" in found[0].fix


def test_mentor_capacity_warning_below_100_percent_and_capped_by_the_design() -> None:
    tables = org([("S1", 4), ("S2", 4)])
    found = of(run(design(launch=Launch(rollout="full"), experience=Experience(mentor_capacity=4)), tables),
               "mentor_capacity")
    assert [f.severity for f in found] == ["warning"]
    assert "offer 8 (80%" in found[0].explanation
    capped = of(run(design(launch=Launch(rollout="full")), tables), "mentor_capacity")
    assert capped[0].severity == "error" and "at most 2" in capped[0].explanation


def test_mentor_capacity_enough() -> None:
    tables = org([("S1", 2), ("S2", 2), ("S3", 2), ("S4", 2), ("S5", 2)])
    assert of(run(design(launch=Launch(rollout="full")), tables), "mentor_capacity") == []


def test_mentor_capacity_depends_on_structure_and_pilot() -> None:
    tables = org([("S1", 2), ("S2", 2)])
    group = design(launch=Launch(rollout="full"), experience=Experience(structure="group", group_size=5))
    assert of(run(group, tables), "mentor_capacity") == []
    assert of(run(design(launch=Launch(rollout="full"), experience=Experience(structure="peer")), tables),
              "mentor_capacity") == []
    assert of(run(design(launch=Launch(pilot_size=4)), tables), "mentor_capacity") == []
    mosaic = of(run(design(launch=Launch(pilot_size=3), experience=Experience(structure="mosaic")), tables),
                "mentor_capacity")
    assert mosaic[0].severity == "warning" and "6 mentor places are needed" in mosaic[0].explanation
    assert "experience.mentors_per_mentee" in mosaic[0].decisions


def test_mentor_capacity_uses_the_current_cohort_and_roles() -> None:
    tables = org([("S1", 2), ("S2", 2), ("S3", 2), ("S4", 2), ("S5", 2)], mentees=4)
    old = enrolment_frame(*[(f"E{i}", "mentee", None, "2025") for i in range(4, 10)])
    tables["people"] = org([], mentees=10)["people"].pipe(
        lambda p: pd.concat([p, tables["people"].iloc[6:]], ignore_index=True))
    tables["enrolment"] = pd.concat([old, tables["enrolment"]], ignore_index=True)
    assert current_cohort(tables["enrolment"])[0] == "2026"
    assert of(run(design(launch=Launch(rollout="full")), tables), "mentor_capacity") == []
    both = org([("S1", 1)], mentees=1)
    both["enrolment"].loc[len(both["enrolment"])] = ["E0", "both", "2", "", "", "2026"]
    both["enrolment"] = both["enrolment"].iloc[1:]
    assert of(run(design(experience=Experience(allow_both_roles=False)), both), "mentor_capacity") == []


def test_current_cohort_orders_numbers_as_numbers() -> None:
    frame = enrolment_frame(("A", "mentee", None, "9"), ("B", "mentee", None, "10"), ("C", "mentee", None, ""))
    assert current_cohort(frame)[0] == "10"
    assert current_cohort(frame.drop(columns="cohort"))[1].shape[0] == 3


def test_mentor_capacity_from_expected_mentors_or_unknown() -> None:
    people = org([], mentees=10)["people"]
    short = design(launch=Launch(rollout="full"),
                   align=Align(mentee_eligibility=Eligibility(level_max=1), constraints=Constraints(expected_mentors=4),
                               objectives=(Objective(id="o1", kpi="k", baseline=1, target=2, horizon_months=12),)))
    found = of(run(short, {"people": people}), "mentor_capacity")
    assert found[0].severity == "warning" and "10 employees eligible" in found[0].explanation
    assert "the 4 expected mentors" in found[0].explanation and "align.constraints" in found[0].decisions
    unknown = of(run(design(), {"people": people}), "mentor_capacity")
    assert [(f.severity, f.title) for f in unknown] == [("info", "Mentor supply unknown")]


# --- hard rules ---

def rules_org() -> dict[str, pd.DataFrame]:
    rows = [
        ("CEO", "Executive", 7, "", "Europe/London"),
        ("H", "Engineering", 5, "CEO", "Europe/London"),       # head of engineering
        ("L", "Engineering", 3, "H", "Europe/London"),         # lead, manager of E
        ("E", "Engineering", 1, "L", "Europe/London"),         # the mentee
        ("S", "Sales", 3, "CEO", "Asia/Singapore"),            # another department, far away
        ("B", "Engineering", 2, "H", "Europe/Berlin"),         # peer-ish, near
    ]
    return {"people": people_frame(*rows),
            "enrolment": enrolment_frame(("E", "mentee", None), ("L", "mentor", 1), ("H", "mentor", 1),
                                         ("S", "mentor", 1), ("B", "mentor", 1))}


@pytest.mark.parametrize(("experience", "stranded"), [
    (Experience(hard_rules=()), False),
    (Experience(hard_rules=("different_department", "same_timezone_band")), True),
    (Experience(hard_rules=("different_department",)), False),
    (Experience(hard_rules=("same_department", "not_in_management_chain"), exclude_line_manager=True,
                seniority_gap_min=2, seniority_gap_max=3), True),
    (Experience(hard_rules=("same_department",), exclude_line_manager=False, seniority_gap_min=2,
                seniority_gap_max=3), False),
    (Experience(hard_rules=("same_department", "same_timezone_band"), seniority_gap_min=1, seniority_gap_max=1),
     False),
    (Experience(hard_rules=(), seniority_gap_min=5, seniority_gap_max=6), True),
])
def test_rules_leave_unmatched(experience: Experience, stranded: bool) -> None:
    found = of(run(design(experience=experience), rules_org()), "rules_leave_unmatched")
    assert len(found) == 1
    assert found[0].severity == ("error" if stranded else "info")


def test_rules_leave_unmatched_names_the_rule_to_relax() -> None:
    tables = rules_org()
    tables["enrolment"] = tables["enrolment"][tables["enrolment"]["person_id"].isin(["E", "S", "L"])]
    found = of(run(design(experience=Experience(hard_rules=("not_in_management_chain", "same_timezone_band"))),
                   tables), "rules_leave_unmatched")
    assert found[0].severity == "error"
    assert "1 mentee of 1" in found[0].explanation
    assert "Dropping 'Same time-zone band' alone would give 1 of them a partner" in found[0].explanation
    assert "Relax 'Same time-zone band'" in found[0].fix


def test_unknown_time_zones_and_reverse_mentoring() -> None:
    tables = rules_org()
    tables["people"].loc[tables["people"]["person_id"] == "S", "timezone"] = "Mars/Olympus"
    far = Experience(hard_rules=("different_department", "same_timezone_band"))
    assert of(run(design(experience=far), tables), "rules_leave_unmatched")[0].severity == "info"
    reverse = rules_org()
    reverse["enrolment"] = enrolment_frame(("H", "mentee", None), ("E", "mentor", 1))
    found = of(run(design(experience=Experience(structure="reverse", seniority_gap_min=1, seniority_gap_max=4,
                                                hard_rules=())), reverse), "rules_leave_unmatched")
    assert found[0].severity == "info"
    found = of(run(design(experience=Experience(structure="reverse", seniority_gap_min=1, seniority_gap_max=4,
                                                hard_rules=("mentor_more_senior",))), reverse),
               "rules_leave_unmatched")
    assert found[0].severity == "error"


def test_nobody_mentors_themselves() -> None:
    tables = rules_org()
    tables["enrolment"] = enrolment_frame(("E", "both", 1))
    assert "1 mentee of 1" in of(run(design(), tables), "rules_leave_unmatched")[0].explanation
    tables["enrolment"] = enrolment_frame(("E", "both", 1), ("B", "both", 1))
    found = of(run(design(experience=Experience(hard_rules=())), tables), "rules_leave_unmatched")
    assert found[0].severity == "error" and "1 mentee of 2" in found[0].explanation


def naive_stranded(people: pd.DataFrame, mentees: list[str], mentors: list[str], exp: Experience) -> int:
    """The rules written out pair by pair, to cross-check the vectorised version."""
    row = people.set_index("person_id")

    def chain(pid: str) -> set[str]:
        above, current = set(), row.loc[pid, "manager_id"]
        while current:
            above.add(current)
            current = row.loc[current, "manager_id"]
        return above

    def offset(pid: str) -> float:
        from zoneinfo import ZoneInfo
        noon = datetime.datetime.combine(AS_OF, datetime.time(12))
        return ZoneInfo(row.loc[pid, "timezone"]).utcoffset(noon).total_seconds() / 3600

    stranded = 0
    for e in mentees:
        ok = False
        for m in mentors:
            gap = int(row.loc[m, "level"]) - int(row.loc[e, "level"])
            tests = [m != e, exp.seniority_gap_min <= gap <= exp.seniority_gap_max]
            if exp.exclude_line_manager:
                tests.append(row.loc[e, "manager_id"] != m)
            same_dept = row.loc[e, "department"] == row.loc[m, "department"]
            rules = {"different_department": not same_dept, "same_department": same_dept,
                     "mentor_more_senior": gap >= max(1, exp.seniority_gap_min),
                     "not_in_management_chain": m not in chain(e),
                     "same_timezone_band": abs(offset(e) - offset(m)) <= 3}
            tests += [rules[r] for r in exp.hard_rules]
            ok = ok or all(tests)
        stranded += not ok
    return stranded


def random_org(seed: int, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    zones = ["Europe/London", "Europe/Berlin", "Asia/Kolkata", "America/New_York", "Asia/Singapore"]
    rows = [("P0", "Executive", 7, "", "Europe/London")]
    for i in range(1, n):
        level = int(rng.integers(1, 7))
        managers = [r[0] for r in rows if int(r[2]) > level]
        rows.append((f"P{i}", str(rng.choice(["Eng", "Sales", "Ops"])), level, str(rng.choice(managers)),
                     str(rng.choice(zones))))
    return people_frame(*rows)


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_rules_agree_with_pair_by_pair_rules(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readiness, "_CHUNK", 7)  # several chunks
    people = random_org(seed)
    rng = np.random.default_rng(seed)
    ids = people["person_id"].tolist()[1:]
    chosen = rng.permutation(ids)
    mentees, mentors = list(chosen[:25]), list(chosen[25:40])
    enrolment = enrolment_frame(*[(p, "mentee", None) for p in mentees], *[(p, "mentor", 1) for p in mentors])
    rules = ["different_department", "not_in_management_chain", "mentor_more_senior", "same_timezone_band"]
    for k in range(3):
        for hard in itertools.combinations(rules, k):
            exp = Experience(hard_rules=hard, seniority_gap_min=int(rng.integers(0, 2)), seniority_gap_max=3,
                             exclude_line_manager=bool(rng.integers(0, 2)))
            found = of(run(design(experience=exp), {"people": people, "enrolment": enrolment}),
                       "rules_leave_unmatched")[0]
            expected = naive_stranded(people, mentees, mentors, exp)
            if expected:
                assert found.explanation.startswith(f"{expected} mentee"), (hard, found.explanation)
            else:
                assert found.severity == "info"


# --- objectives, goals and references ---

GOALS = pd.DataFrame([["retain", "Retain juniors", "3", "annual exit rate (%)", "20.1", "14", "18"]],
                     columns=["goal_id", "name", "priority", "kpi", "baseline", "target", "horizon_months"], dtype=str)


def test_objective_kpi() -> None:
    incomplete = Align(objectives=(Objective(id="ret", kind="retention", goal_id="retain"),))
    found = of(run(design(align=incomplete), {"goals": GOALS}), "objective_kpi")
    assert [f.severity for f in found] == ["warning"]
    assert "no KPI, no baseline, no target, no horizon" in found[0].explanation
    assert "baseline 20.1, target 14 over 18 months" in found[0].fix
    unknown = Align(objectives=(Objective(id="x", kpi="k", baseline=1, target=1, horizon_months=6, goal_id="nope"),))
    found = of(run(design(align=unknown), {"goals": GOALS}), "objective_kpi")
    assert [f.severity for f in found] == ["error", "warning"]
    assert "'nope' is not in goals.csv" in found[0].explanation and "equal to its baseline (1)" in found[1].explanation
    assert of(run(design(align=unknown), {}), "objective_kpi")[0].title.endswith("goal cannot be checked")
    assert of(run(ProgramDesign(), {}), "objective_kpi")[0].title == "No objectives"


def test_objective_kpi_quiet_for_a_complete_objective() -> None:
    complete = Align(objectives=(Objective(id="ret", kpi="exit rate (%)", baseline=20.1, target=14,
                                           horizon_months=18, goal_id="retain"),))
    assert of(run(design(align=complete), {"goals": GOALS}), "objective_kpi") == []


def test_unknown_reference() -> None:
    skills = pd.DataFrame({"skill_id": ["writing", "speaking"], "name": ["W", "S"], "category": ["c", "c"]})
    align = Align(goal_ids=("retain", "grow"), focus_skills=("writing", "coding"),
                  objectives=(Objective(id="o1", kpi="k", baseline=1, target=2, horizon_months=12),))
    found = of(run(design(align=align), {"goals": GOALS, "skills": skills}), "unknown_reference")
    assert [(f.severity, f.decisions) for f in found] == [("error", ("align.goal_ids",)),
                                                          ("error", ("align.focus_skills",))]
    assert "'grow'" in found[0].explanation and "'coding'" in found[1].explanation
    fine = Align(goal_ids=("retain",), focus_skills=("writing",),
                 objectives=(Objective(id="o1", kpi="k", baseline=1, target=2, horizon_months=12),))
    assert of(run(design(align=fine), {"goals": GOALS, "skills": skills}), "unknown_reference") == []


# --- retention, duration, flash ---

def test_retention_data() -> None:
    staff = people_frame(("A", "Eng", 1, "", "Europe/London"), ("B", "Eng", 2, "", "Europe/London"))
    attrition = Align(business_problem="attrition",
                      objectives=(Objective(id="o1", kpi="k", baseline=1, target=2, horizon_months=12),))
    found = of(run(design(align=attrition, evaluate=Evaluate(attribution="pre_post", metrics={"o1": ("exits",)})),
                   {"people": staff}), "retention_data")
    assert [f.severity for f in found] == ["error", "warning"]
    assert "none of the 2 people" in found[0].explanation and "most common flaw" in found[1].explanation
    leavers = people_frame(("A", "Eng", 1, "", "Europe/London"),
                           ("B", "Eng", 2, "", "Europe/London", "2020-01-01", "2025-01-01"))
    assert of(run(design(align=attrition), {"people": leavers}), "retention_data") == []
    retention = Align(objectives=(Objective(id="r", kind="retention", kpi="k", baseline=1, target=2,
                                            horizon_months=12),))
    found = of(run(design(align=retention, evaluate=Evaluate(attribution="none", metrics={"r": ("x",)})),
                   {"people": leavers}), "retention_data")
    assert [f.severity for f in found] == ["warning"] and "1 exit" in found[0].explanation
    assert of(run(design(evaluate=Evaluate(attribution="none", metrics={"o1": ("x",)})), {"people": staff}),
              "retention_data") == []


def test_duration_short() -> None:
    pipeline = Align(business_problem="leadership_pipeline",
                     objectives=(Objective(id="o1", kpi="k", baseline=1, target=2, horizon_months=12),))
    found = of(run(design(align=pipeline, experience=Experience(duration_months=4)), {}), "duration_short")
    assert len(found) == 1 and "4 months" in found[0].explanation and "Kram 1983" in found[0].explanation
    assert of(run(design(align=pipeline, experience=Experience(duration_months=6)), {}), "duration_short") == []
    engagement = Align(business_problem="engagement",
                       objectives=(Objective(id="o1", kind="engagement", kpi="k", baseline=1, target=2,
                                             horizon_months=12),))
    assert of(run(design(align=engagement, experience=Experience(duration_months=3)), {}), "duration_short") == []


def test_flash_deep_skills() -> None:
    skills = Align(focus_skills=("programming",),
                   objectives=(Objective(id="o1", kpi="k", baseline=1, target=2, horizon_months=12),))
    found = of(run(design(align=skills, experience=Experience(structure="flash")), {}), "flash_deep_skills")
    assert len(found) == 1 and "'programming'" in found[0].explanation
    skill_objective = Align(objectives=(Objective(id="s1", kind="skill", kpi="k", baseline=1, target=2,
                                                  horizon_months=12),))
    found = of(run(design(align=skill_objective, experience=Experience(duration_months=2)), {}), "flash_deep_skills")
    assert len(found) == 1 and "2-month program" in found[0].explanation
    assert of(run(design(experience=Experience(structure="flash")), {}), "flash_deep_skills") == []
    assert of(run(design(align=skills), {}), "flash_deep_skills") == []


# --- sensitive data, evaluation, eligibility and the rest ---

def test_sensitive_without_opt_in() -> None:
    people = people_frame(("A", "Eng", 1, "", "Europe/London")).assign(gender="woman", religion="x")
    used = design(experience=Experience(sensitive_attributes=("gender",)))
    found = of(run(used, {"people": people}), "sensitive_without_opt_in")
    assert [f.severity for f in found] == ["error"] and "'gender'" in found[0].explanation
    affinity = design(experience=Experience(criteria={"affinity": 2.0}))
    assert [f.severity for f in of(run(affinity, {}), "sensitive_without_opt_in")] == ["error", "warning"]
    opted = design(experience=Experience(sensitive_opt_in=True, sensitive_attributes=("gender",),
                                         criteria={"affinity": 1.0}))
    assert of(run(opted, {"people": people}), "sensitive_without_opt_in") == []
    religion = design(experience=Experience(sensitive_opt_in=True, sensitive_attributes=("religion",)))
    found = of(run(religion, {"people": people}), "sensitive_without_opt_in")
    assert [f.title for f in found] == ["Attribute not marked sensitive"]
    assert of(run(religion, {"people": people}, sensitive=("religion",)), "sensitive_without_opt_in") == []
    assert [f.title for f in of(run(religion, {"people": people.drop(columns="religion")}, sensitive=("religion",)),
                                 "sensitive_without_opt_in")] == ["Sensitive attribute not in the data"]


def test_sensitive_filters_and_quotas_need_the_opt_in() -> None:
    people = people_frame(("A", "Eng", 1, "", "Europe/London")).assign(gender="woman")
    objectives = design().align.objectives
    women = Align(objectives=objectives, mentee_eligibility=Eligibility(filters=("gender=woman",)))
    found = of(run(design(align=women), {"people": people}), "sensitive_without_opt_in")
    assert [f.title for f in found] == ["Sensitive column chosen without opt-in"] and "'gender'" in found[0].explanation
    quota = design(launch=Launch(selection=Selection(method="lottery", class_size=5, quotas=("gender=woman:>=2",))))
    assert [f.severity for f in of(run(quota, {"people": people}), "sensitive_without_opt_in")] == ["error"]
    opted = design(align=women, experience=Experience(sensitive_opt_in=True, sensitive_attributes=("gender",)))
    assert of(run(opted, {"people": people}), "sensitive_without_opt_in") == []
    site = Align(objectives=objectives, mentee_eligibility=Eligibility(filters=("location=London",)))
    assert of(run(design(align=site), {"people": people}), "sensitive_without_opt_in") == []


def test_evaluation_missing() -> None:
    two = Align(objectives=(Objective(id="a", kpi="k", baseline=1, target=2, horizon_months=12),
                            Objective(id="b", kpi="k", baseline=1, target=2, horizon_months=12)))
    found = of(run(design(align=two, evaluate=Evaluate(levels=(), metrics={"a": ("survey",), "c": ("x",)})), {}),
               "evaluation_missing")
    assert [f.title for f in found] == ["No evaluation levels", "No metric for objective b",
                                        "Metrics for unknown objectives"]
    assert "(1 of the 2 objectives that need one have one), so it is measured only if its KPI" in found[1].explanation
    assert of(run(design(align=two), {}), "evaluation_missing") == []
    # kinds that read their own data need no metric; time to productivity is not measured without one
    own = Align(objectives=(Objective(id="stay", kind="retention", kpi="exit rate"),
                            Objective(id="grow", kind="competency_growth", kpi="levels"),
                            Objective(id="ramp", kind="time_to_productivity", kpi="weeks")))
    found = of(run(design(align=own, evaluate=Evaluate(levels=("results",))), {}), "evaluation_missing")
    assert [f.title for f in found] == ["No metric for objective ramp"]
    assert found[0].explanation.endswith("(0 of the 1 objectives that need one have one), so it will not be measured.")


def test_eligibility_findings() -> None:
    people = people_frame(("A", "Eng", 1, "", "Europe/London"), ("B", "Sales", 3, "", "Europe/London"))
    nobody = Align(mentor_eligibility=Eligibility(level_min=5, min_tenure_months=12),
                   mentee_eligibility=Eligibility(departments=("Eng", "Engineering"), performance_column="rating",
                                                  performance_min=3),
                   objectives=(Objective(id="o1", kpi="k", baseline=1, target=2, horizon_months=12),))
    found = of(run(design(align=nobody), {"people": people}), "eligibility")
    assert [(f.severity, f.title) for f in found] == [
        ("error", "Nobody is eligible as mentor"),
        ("warning", "Unknown departments in the mentee rule"),
        ("warning", "Performance column missing for the mentee rule"),
    ]
    assert "Of 2 employees on 2026-06-30" in found[0].explanation
    assert "the level filter alone keeps 0; the tenure filter alone keeps 2" in found[0].explanation
    assert of(run(design(), {"people": people}), "eligibility") == []


def test_people_missing_pilot_and_inactivity() -> None:
    found = run(design(launch=Launch(pilot_size=None),
                       support=Support(inactivity_days=20, warning_days=20)), {})
    assert [f.check for f in found] == ["people_missing", "pilot", "inactivity_rule", "inactivity_rule",
                                        "pilot_design"]  # open enrolment with an objective: association only
    monthly = design(experience=Experience(cadence="monthly"), support=Support(inactivity_days=45))
    assert "about every 30 days" in of(run(monthly, {}), "inactivity_rule")[0].explanation
    assert of(run(design(), {}), "inactivity_rule") == [] and of(run(design(), {}), "pilot") == []


# --- the pilot design: what `workbench launch` would refuse, and what open enrolment can show ---

def pilot(**fields) -> ProgramDesign:
    return design(launch=Launch(pilot=PilotDesign(**fields)))


def launch_refusal(program: ProgramDesign, tables: dict) -> str:
    with pytest.raises(WorkbenchError) as refused:
        allocate(tables, program)
    return str(refused.value)


def spread(departments: list[str]) -> dict[str, pd.DataFrame]:
    """:func:`org` with its ten mentees in ``departments`` in turn."""
    tables = org([("S1", 3), ("S2", 3), ("S3", 3), ("S4", 3)])
    people = tables["people"].copy()
    mentees = people["person_id"].str.fullmatch(r"E\d+")
    people.loc[mentees, "department"] = [departments[i % len(departments)] for i in range(int(mentees.sum()))]
    return {**tables, "people": people}


@pytest.mark.parametrize("program, tables, words", [
    (pilot(design="waitlist", places=10), org([("S1", 5), ("S2", 5)]),
     "a randomised waitlist of 10 places needs more applicants than places; the cohort has 10 eligible"),
    (pilot(design="waitlist", places=14), org([("S1", 5), ("S2", 5)]), "the cohort has 10 eligible"),
    (pilot(design="stepped_wedge", cluster_column="site", steps=2), spread(["Engineering", "Data"]),
     "by the people.csv column 'site', which people.csv does not have"),
    (pilot(design="stepped_wedge", steps=2), spread(["Engineering"]),
     "needs at least two clusters to compare, and the applicants' column 'department' has one cluster "
     "('Engineering')"),
    (pilot(design="stepped_wedge", steps=3), spread(["Engineering", "Data"]),
     "3 steps need at least 3 clusters; the applicants' column 'department' has 2"),
])
def test_a_pilot_design_launch_would_refuse_is_an_error_in_launchs_words(program, tables, words) -> None:
    (found,) = of(run(program, tables), "pilot_design")
    refusal = launch_refusal(program, tables)
    assert words in refusal  # the case is the one meant
    assert found.severity == "error" and found.decisions == ("launch.pilot",)
    assert found.explanation == f"For cohort 2026, the current cohort: {refusal}"


def test_a_pilot_design_that_can_be_allocated_and_open_enrolment_without_objectives_are_quiet() -> None:
    assert of(run(pilot(design="waitlist", places=5), org([("S1", 5), ("S2", 5)])), "pilot_design") == []
    assert of(run(pilot(design="stepped_wedge", steps=2), spread(["Engineering", "Data"])), "pilot_design") == []
    assert of(run(design(align=Align()), org([("S1", 5), ("S2", 5)])), "pilot_design") == []


def test_open_enrolment_with_objectives_says_the_evaluation_shows_an_association_only() -> None:
    (found,) = of(run(design(), org([("S1", 5), ("S2", 5)])), "pilot_design")
    assert (found.severity, found.decisions) == ("info", ("launch.pilot",))
    assert "compares participants with matched colleagues who did not join" in found.explanation
    assert "randomised waitlist" in found.fix and "staggered roll-out" in found.fix


@settings(max_examples=40, deadline=None)
@given(mentees=st.integers(0, 14), places=st.integers(1, 16))
def test_the_check_finds_a_waitlist_error_exactly_when_launch_refuses(mentees: int, places: int) -> None:
    tables = org([("S1", 5), ("S2", 5)], mentees=mentees)
    program = pilot(design="waitlist", places=places)
    errors = [f for f in of(run(program, tables), "pilot_design") if f.severity == "error"]
    try:
        allocate(tables, program)
    except WorkbenchError as refused:
        assert [f.explanation for f in errors] == [f"For cohort 2026, the current cohort: {refused}"]
    else:
        assert errors == []


# --- the demo organisation and workspaces ---

@pytest.fixture(scope="module")
def demo():
    return open_workspace(DEMO_SOURCE)


def test_the_demo_default_design(demo) -> None:
    check_workspace(demo, ProgramDesign())
    start = time.perf_counter()
    found = check_workspace(demo, ProgramDesign())
    assert time.perf_counter() - start < 1.0
    assert [(f.check, f.severity) for f in found] == [("objective_kpi", "warning"), ("rules_leave_unmatched", "info")]
    assert "44 eligible mentees of cohort 2026" in found[1].explanation


def test_the_demo_at_full_roll_out_is_short_of_mentors(demo) -> None:
    found = of(check_workspace(demo, ProgramDesign(launch=Launch(rollout="full"))), "mentor_capacity")
    assert [f.severity for f in found] == ["warning"]
    assert "44 mentor places are needed" in found[0].explanation and "offer 31 (70%" in found[0].explanation


def test_a_workspace_with_only_people(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    folder.mkdir()
    write_settings(folder, WorkspaceSettings(name="Small"))
    people = people_frame(("A", "Eng", 1, "", "Europe/London")).assign(job_title="Engineer", location="London")
    people.to_csv(folder / "people.csv", index=False)  # every column its contract requires
    found = check_workspace(open_workspace(folder), ProgramDesign())
    assert {f.check for f in found} == {"mentor_capacity", "objective_kpi"}
