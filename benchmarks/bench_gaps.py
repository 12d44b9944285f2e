"""How fast skill gaps are analysed: 50,000 employed people x 100 skills.

Synthesises (seed 0) a workspace's tables as text frames, as read from CSV:
50,000 employed people in 10 departments and 60 job titles at levels 1-7, 100
skills, 6 goals, 105 requirement rows with mixed scopes covering all 100 skills (55
for everyone, 20 per department, 10 per job title, 15 per level range, and 5
more overlapping rows already required of everyone; half of them tied to a
goal) and proficiency for 85% of the person-skill pairs
(about 4.25 million rows). It times ``person_gaps`` +
``aggregate(by="department")`` + ``prioritised_gaps`` (target: under 2 s in
total) against a baseline measured in the same run, a plain
``proficiency.groupby("skill_id")["level"].mean()`` over the same proficiency
table with integer levels, and prints seconds (median of 3 runs after one
warm-up), the ratio and peak memory (tracemalloc peaks of the analysis and of
the baseline, and the RSS of this process).
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from measure import median_seconds, traced_peak
from workbench.gaps import aggregate, person_gaps, prioritised_gaps

PEOPLE = 50_000
SKILLS = 100
DEPARTMENTS = 10
JOB_TITLES = 60
GOALS = 6
KNOWN_SHARE = 0.85
REPEAT = 3
SEED = 0
TARGET_SECONDS = 2.0


def text(values: np.ndarray) -> pd.Series:
    """A column as the workbench reads it: text (``str`` dtype)."""
    return pd.Series(np.asarray(values).astype(str).astype(object), dtype="str")


def synthesise() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    ids = np.array([f"P{i:06d}" for i in range(PEOPLE)], dtype=object)
    job = rng.integers(0, JOB_TITLES, PEOPLE)
    department = job % DEPARTMENTS  # every job title belongs to one department
    level = rng.choice(np.arange(1, 8), PEOPLE, p=[0.2, 0.22, 0.2, 0.16, 0.12, 0.07, 0.03])
    hire = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 5000, PEOPLE), unit="D")
    people = pd.DataFrame({
        "person_id": text(ids),
        "department": text(np.array([f"Department {d}" for d in range(DEPARTMENTS)])[department]),
        "job_title": text(np.array([f"Job title {j}" for j in range(JOB_TITLES)])[job]),
        "level": text(level),
        "hire_date": text(hire.strftime("%Y-%m-%d").to_numpy()),
        "exit_date": text(np.full(PEOPLE, "")),
    })
    skill_ids = np.array([f"skill_{s:03d}" for s in range(SKILLS)], dtype=object)
    skills = pd.DataFrame({"skill_id": text(skill_ids), "name": text([f"Skill {s}" for s in range(SKILLS)]),
                           "category": text([f"Category {s % 7}" for s in range(SKILLS)])})
    goal_ids = [f"goal_{g}" for g in range(GOALS)]
    goals = pd.DataFrame({"goal_id": text(goal_ids), "name": text([f"Goal {g}" for g in range(GOALS)]),
                          "priority": text(rng.integers(1, 4, GOALS))})

    rows = []
    # Every skill is required: skills 0-54 of everyone, 55-74 per department, 75-84 per job title, 85-99 per level
    # range; five more rows overlap skills required of everyone, scoped to a department or a level range.
    plan = ([("all", s) for s in range(55)] + [("department", s) for s in range(55, 75)]
            + [("job_title", s) for s in range(75, 85)] + [("level", s) for s in range(85, 100)]
            + [("department", s) for s in (0, 1, 2)] + [("level", s) for s in (3, 4)])
    for kind, s in plan:
        row = {"skill_id": skill_ids[s], "target_level": str(rng.integers(2, 6)),
               "importance": f"{rng.uniform(1, 5):.2f}",
               "goal_id": goal_ids[rng.integers(0, GOALS)] if rng.random() < 0.5 else "",
               "department": "", "job_title": "", "level_min": "", "level_max": ""}
        if kind == "department":
            row["department"] = f"Department {rng.integers(0, DEPARTMENTS)}"
        elif kind == "job_title":
            row["job_title"] = f"Job title {rng.integers(0, JOB_TITLES)}"
        elif kind == "level":
            low = int(rng.integers(1, 6))
            row["level_min"], row["level_max"] = str(low), str(low + int(rng.integers(0, 3)))
        rows.append(row)
    requirements = pd.DataFrame({column: text([r[column] for r in rows]) for column in rows[0]})
    requirements = requirements.drop_duplicates(["skill_id", "goal_id", "department", "job_title", "level_min",
                                                 "level_max"]).reset_index(drop=True)

    known = np.flatnonzero(rng.random(PEOPLE * SKILLS) < KNOWN_SHARE)
    person, skill = known // SKILLS, known % SKILLS
    proficiency = pd.DataFrame({"person_id": text(ids[person]), "skill_id": text(skill_ids[skill]),
                                "level": text(rng.integers(0, 6, len(known)))})
    return {"people": people, "skills": skills, "goals": goals, "requirements": requirements,
            "proficiency": proficiency}


def analyse(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    gaps = person_gaps(tables)
    return gaps, aggregate(gaps, "department"), prioritised_gaps(gaps, tables["skills"])






def main() -> int:
    started = time.perf_counter()
    tables = synthesise()
    numeric = tables["proficiency"].assign(level=tables["proficiency"]["level"].astype(np.int64))
    setup = time.perf_counter() - started

    def baseline() -> object:
        return numeric.groupby("skill_id")["level"].mean()

    gaps, by_department, ranking = analyse(tables)  # warm-up
    baseline()
    steps = {
        "person_gaps": lambda: person_gaps(tables),
        "aggregate(by='department')": lambda: aggregate(gaps, "department"),
        "prioritised_gaps": lambda: prioritised_gaps(gaps, tables["skills"]),
    }
    seconds = {label: median_seconds(work, REPEAT) for label, work in steps.items()}
    total = median_seconds(lambda: analyse(tables), REPEAT)
    base = median_seconds(baseline, REPEAT)
    peak_analysis = traced_peak(lambda: analyse(tables))
    peak_baseline = traced_peak(baseline)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(f"Skill gaps, {PEOPLE:,} people x {SKILLS} skills (seed {SEED}); set-up {setup:.1f} s")
    print(f"  requirement rows {len(tables['requirements']):,}, proficiency rows {len(tables['proficiency']):,}, "
          f"person-skill requirements {len(gaps):,}, departments {len(by_department)}, skills ranked "
          f"{len(ranking)}")
    print(f"  {'seconds, median of ' + str(REPEAT):<44}{'s':>9}{'ratio':>9}")
    print(f"  {'baseline: groupby(skill_id).level.mean()':<44}{base:>9.3f}{1:>9.1f}")
    for label, value in seconds.items():
        print(f"  {label:<44}{value:>9.3f}{value / base:>9.1f}")
    print(f"  {'analysis (the three together)':<44}{total:>9.3f}{total / base:>9.1f}"
          f"   target < {TARGET_SECONDS:.0f} s: {'met' if total < TARGET_SECONDS else 'MISSED'}")
    print(f"  {'MB':<44}{'peak':>9}{'ratio':>9}")
    print(f"  {'traced, baseline':<44}{peak_baseline:>9.0f}{1:>9.1f}")
    print(f"  {'traced, analysis':<44}{peak_analysis:>9.0f}{peak_analysis / peak_baseline:>9.1f}")
    print(f"  {'RSS, this benchmark process (all steps)':<44}{rss:>9.0f}")
    print(f"Total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
