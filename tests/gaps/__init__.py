"""A small organisation whose skill gaps are worked out by hand in the tests.

Seven people on 2026-01-01 (P6 left in 2025), three skills (code, lead, talk),
three goals (G1 priority 3, G2 priority 2, G3 priority 1 without
requirements) and six requirement rows whose scopes overlap:

====  =====  ======  ==========  ====  ===========  ===========  ======
row   skill  target  importance  goal  department   job_title    levels
====  =====  ======  ==========  ====  ===========  ===========  ======
r1    code   3       2           G1    Engineering               -2
r2    code   2       1                 Engineering
r3    lead   3       1.5         G2                              3-
r4    lead   4       1           G2                 Manager      4-
r5    talk   2       1           G1    Sales
r6    talk   3       2           G2                 Manager
====  =====  ======  ==========  ====  ===========  ===========  ======

Weights (importance x priority): r1 6, r2 1, r3 3, r4 2, r5 3, r6 4.
"""

from __future__ import annotations

import datetime

import pandas as pd

AS_OF = datetime.date(2026, 1, 1)


def frame(header: str, *rows: str) -> pd.DataFrame:
    """A text table as the workbench reads it: every cell text, blanks ``""``."""
    columns = header.split(",")
    cells = [row.split(",") for row in rows]
    return pd.DataFrame({c: pd.Series([r[i] for r in cells], dtype="str") for i, c in enumerate(columns)})


def small_tables() -> dict[str, pd.DataFrame]:
    """The hand-worked organisation of this package's docstring."""
    return {
        "people": frame(
            "person_id,name,department,job_title,level,hire_date,exit_date",
            "P1,Ann,Engineering,Developer,1,2020-01-01,",
            "P2,Ben,Engineering,Developer,3,2018-01-01,",
            "P3,Cat,Engineering,Manager,4,2015-01-01,",
            "P4,Dan,Sales,Rep,2,2021-01-01,",
            "P5,Eve,Sales,Manager,4,2016-01-01,",
            "P6,Fay,Engineering,Developer,2,2019-01-01,2025-06-30",
            "P7,Gus,Engineering,Architect,5,2010-01-01,",
        ),
        "skills": frame("skill_id,name,category", "code,Coding,Technical", "lead,Leadership,Social",
                        "talk,Speaking,Social"),
        "goals": frame("goal_id,name,priority", "G1,Ship faster,3", "G2,Grow leaders,2", "G3,Unused goal,1"),
        "requirements": frame(
            "skill_id,target_level,importance,goal_id,department,job_title,level_min,level_max",
            "code,3,2,G1,Engineering,,,2",
            "code,2,1,,Engineering,,,",
            "lead,3,1.5,G2,,,3,",
            "lead,4,1,G2,,Manager,4,",
            "talk,2,1,G1,Sales,,,",
            "talk,3,2,G2,,Manager,,",
        ),
        "proficiency": frame(
            "person_id,skill_id,level",
            "P1,code,1", "P1,talk,4",
            "P2,code,3", "P2,lead,3", "P2,talk,4",
            "P3,lead,2", "P3,talk,3",
            "P5,lead,4", "P5,talk,1",
            "P6,code,5", "P6,lead,5",
            "P7,code,5", "P7,lead,5", "P7,talk,2",
        ),
        "enrolment": frame(
            "person_id,role,capacity,wants,offers,cohort",
            "P5,mentee,,talk,,2025",
            "P4,mentor,5,,,2025",
            "P1,mentee,,code,,2026",
            "P4,mentee,,talk,,2026",
            "P3,both,1,lead,talk;code,2026",
            "P2,mentor,3,,,2026",
            "P6,mentor,2,,,2026",
        ),
    }
