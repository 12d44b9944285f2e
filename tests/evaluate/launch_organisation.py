"""A small generated organisation for the pilot-design tests: applicants at launch, then a cohort run with a
known effect of the program on the hazard of leaving (seeded)."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd

START = datetime.date(2025, 1, 6)
AS_OF = datetime.date(2026, 2, 2)
DEPARTMENTS = ("Sales", "Engineering", "Finance", "Operations", "People", "Legal")


def _day(day: datetime.date, days) -> np.ndarray:
    return np.array([(day + datetime.timedelta(days=int(d))).isoformat() for d in np.atleast_1d(days)])


def launch_tables(n_applicants: int = 400, n_mentors: int = 150, *, clusters: tuple[str, ...] = DEPARTMENTS,
                  seed: int = 0) -> dict[str, pd.DataFrame]:
    """The tables at launch (text, as a workspace reads them): applicants enrolled as mentees of cohort 2025,
    mentors, nobody has left yet."""
    rng = np.random.default_rng(seed)
    mentees = [f"A{i:04d}" for i in range(n_applicants)]
    mentors = [f"M{i:04d}" for i in range(n_mentors)]
    ids = mentees + mentors
    n = len(ids)
    people = pd.DataFrame({
        "person_id": ids, "name": [f"Person {i}" for i in ids],
        "department": rng.choice(clusters, n), "job_title": "Analyst", "location": "London", "manager_id": "",
        "level": np.r_[rng.integers(1, 4, n_applicants), rng.integers(4, 7, n_mentors)].astype(str),
        "hire_date": _day(START, -rng.integers(400, 3000, n)), "exit_date": [""] * n})
    enrolment = pd.DataFrame({"person_id": ids, "cohort": "2025",
                              "role": ["mentee"] * n_applicants + ["mentor"] * n_mentors,
                              "capacity": [""] * n_applicants + ["3"] * n_mentors, "wants": "", "offers": ""})
    return {"people": people, "enrolment": enrolment}


def run_cohort(tables: dict[str, pd.DataFrame], treated_from: dict[str, float], *, monthly_hazard: float,
               hazard_ratio: float, seed: int = 1) -> dict[str, pd.DataFrame]:
    """The tables after the cohort ran to :data:`AS_OF`: each person leaves at a constant monthly hazard,
    ``monthly_hazard x hazard_ratio`` from month ``treated_from[person]`` after :data:`START` (people not in
    ``treated_from`` are never treated), and treated mentees meet their mentor monthly while both are employed."""
    rng = np.random.default_rng(seed)
    people = tables["people"].copy()
    ids = people["person_id"].to_numpy()
    month = 30.44
    begin = np.array([treated_from.get(p, np.inf) for p in ids])
    first = rng.exponential(1 / monthly_hazard, len(ids))  # months, untreated
    # after treatment starts the remaining time runs at the treated hazard (memoryless)
    left_at = np.where(first <= begin, first, begin + rng.exponential(1 / (monthly_hazard * hazard_ratio), len(ids)))
    days = np.round(left_at * month)
    horizon = (AS_OF - START).days
    people["exit_date"] = np.where(days < horizon, _day(START, np.minimum(days, horizon)), "")
    recent = pd.DataFrame([{**people.iloc[0].to_dict(), "person_id": "N0000", "name": "New hire", "level": "1",
                            "hire_date": AS_OF.isoformat(), "exit_date": ""}])  # the data's day is AS_OF
    people = pd.concat([people, recent], ignore_index=True)
    mentors = tables["enrolment"].query("role == 'mentor'")["person_id"].tolist()
    exit_day = dict(zip(ids, days))
    rows = []
    for i, (person, start) in enumerate(treated_from.items()):
        mentor = mentors[i % len(mentors)]
        stop = min(exit_day[person], exit_day[mentor], horizon)
        for d in np.arange(round(start * month), stop, 30):
            rows.append({"mentee_id": person, "mentor_id": mentor, "date": _day(START, d)[0], "minutes": "45"})
    meetings = pd.DataFrame(rows, columns=["mentee_id", "mentor_id", "date", "minutes"])
    return {**tables, "people": people, "meetings": meetings}


def true_retention_difference(monthly_hazard: float, hazard_ratio: float, months: int) -> float:
    """Treated minus untreated share still employed after ``months`` at constant hazards."""
    return float(np.exp(-monthly_hazard * hazard_ratio * months) - np.exp(-monthly_hazard * months))


def waitlist_workspace(home: Path, *, program: str | None = None, places: int = 100, crossed: int = 6) -> Path:
    """A workspace in ``home`` of the organisation of :func:`launch_tables` (400 applicants of cohort 2025) whose
    cohort ran as a randomised waitlist of ``places`` places, its plan frozen at launch; ``crossed`` waitlisted
    applicants met a mentor anyway. Without ``program`` the workspace's own design is the waitlist; with a program
    id the first 200 applicants are in the first program (open enrolment, all take part) and the other 200 in
    ``program``, the waitlist. Taking part multiplies the hazard of leaving by 0.45 (seeded)."""
    from workbench.design.model import Launch, PilotDesign, ProgramDesign
    from workbench.design.store import load_design, save_design
    from workbench.evaluate.plan import freeze_plan, plan_for
    from workbench.evaluate.trial import OFFERED, WAITLISTED
    from workbench.programs import add_program, scoped_tables
    from workbench.data.importing import save_table
    from workbench.workspace import create_workspace, open_workspace, program_scope

    at_launch = launch_tables(n_applicants=400, n_mentors=150, seed=0)
    enrolment = at_launch["enrolment"]
    if program is not None:
        mentees = enrolment.index[enrolment["role"] == "mentee"]
        enrolment["program"] = ""  # mentors in every program
        enrolment.loc[mentees[:200], "program"] = "main"
        enrolment.loc[mentees[200:], "program"] = program
    workspace = create_workspace("Waitlist", home)
    for name, frame in at_launch.items():
        workspace = save_table(workspace, name, frame)
    waitlist = ProgramDesign(name="Waitlist pilot", launch=Launch(pilot=PilotDesign(design="waitlist", places=places,
                                                                                   seed=3)))
    trial = (save_design(workspace, waitlist) if program is None
             else add_program(workspace, program, waitlist))
    plan = plan_for(scoped_tables(trial, at_launch), load_design(trial), cohort="2025")
    freeze_plan(trial, plan)
    arms = plan.allocation.groupby("allocation")["person_id"].apply(list)
    took_part = arms[OFFERED] + arms[WAITLISTED][:crossed]
    if program is not None:
        took_part += enrolment.loc[enrolment["program"] == "main", "person_id"].tolist()
    ran = run_cohort(at_launch, {p: 0.0 for p in took_part}, monthly_hazard=0.03, hazard_ratio=0.45, seed=1)
    workspace = program_scope(open_workspace(workspace.path), None)
    for name in ("people", "meetings"):
        workspace = save_table(workspace, name, ran[name])
    return workspace.path
