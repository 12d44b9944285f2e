"""A small hand-built organisation for the matching tests.

People (time zones in January: London +0, New York -5, Singapore +8, Kolkata +5.5)::

    P1 Exec  level 7 London     (top)           mentor
    P2 Eng   level 5 London     reports to P1   not enrolled
    P3 Eng   level 4 Singapore  reports to P2   mentor
    P4 Eng   level 2 London     reports to P3   mentee
    P5 Sales level 1 New York   reports to P1   mentee
    P6 Sales level 3 London     reports to P1   mentor (offers b)
    P7 Eng   level 2 Kolkata    reports to P1   mentor
"""

from __future__ import annotations

import datetime

import pandas as pd

from workbench.matching.pool import Pool

AS_OF = datetime.date(2026, 1, 15)

PEOPLE = pd.DataFrame({
    "person_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7"],
    "department": ["Exec", "Eng", "Eng", "Eng", "Sales", "Sales", "Eng"],
    "job_title": ["CEO", "Lead", "Engineer", "Engineer", "Rep", "Rep", "Engineer"],
    "level": ["7", "5", "4", "2", "1", "3", "2"],
    "location": ["London", "London", "Singapore", "London", "New York", "London", "Kolkata"],
    "timezone": ["Europe/London", "Europe/London", "Asia/Singapore", "Europe/London", "America/New_York",
                 "Europe/London", "Asia/Kolkata"],
    "languages": ["English", "English;French", "English;Mandarin", "English;Spanish", "Spanish", "Spanish", "Hindi"],
    "manager_id": ["", "P1", "P2", "P3", "P1", "P1", "P1"],
    "hire_date": ["2010-01-01"] * 7,
    "exit_date": [""] * 7,
    "gender": ["man", "man", "woman", "woman", "man", "woman", "man"],
    "age_band": ["55-64", "45-54", "25-34", "25-34", "18-24", "", "25-34"],
})

WANTS = {"P4": "a;b", "P5": "a"}
OFFERS = {"P1": "", "P3": "", "P6": "b", "P7": "", "P4": ""}

TABLES = {
    "people": PEOPLE,
    "proficiency": pd.DataFrame(
        [("P1", "a", "5"), ("P1", "b", "2"), ("P1", "c", "3"), ("P1", "d", "4"), ("P3", "a", "3"), ("P3", "c", "2"),
         ("P6", "a", "5"), ("P7", "a", "3"), ("P7", "b", "3"), ("P7", "c", "2"), ("P4", "c", "1"), ("P4", "d", "3"),
         ("P5", "a", "3")], columns=["person_id", "skill_id", "level"]),
    "requirements": pd.DataFrame({
        "skill_id": ["c", "d"], "target_level": ["3", "4"], "importance": ["2", "1"], "goal_id": ["", ""],
        "department": ["Eng", "Eng"], "job_title": ["", ""], "level_min": ["", ""], "level_max": ["", ""]}),
    "preferences": pd.DataFrame(
        [("P4", "P7", "1"), ("P4", "P2", "2"), ("P4", "P3", "3"), ("P6", "P5", "1"), ("P1", "P5", "1"),
         ("P1", "P4", "2")], columns=["person_id", "ranks_person_id", "rank"]),
    "skills": pd.DataFrame({"skill_id": ["a", "b", "c", "d"], "name": ["Alpha", "Beta", "Gamma", "Delta"],
                            "category": ["x"] * 4}),
}


def make_pool(mentees=("P4", "P5"), mentors=("P1", "P3", "P6", "P7"), people: pd.DataFrame = PEOPLE) -> Pool:
    """A pool of the given people, with the whole organisation for management chains."""
    by_id = people.set_index("person_id", drop=False)
    mentee_rows = by_id.loc[list(mentees)].reset_index(drop=True).assign(wants=[WANTS.get(p, "") for p in mentees])
    mentor_rows = by_id.loc[list(mentors)].reset_index(drop=True).assign(
        capacity=2, offers=[OFFERS.get(p, "") for p in mentors])
    return Pool(mentee_rows, mentor_rows, people=people, as_of=AS_OF)
