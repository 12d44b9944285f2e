"""Shared builders for the evaluation tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.design.store import load_design
from workbench.programs import add_program
from workbench.workspace import open_workspace

#: The demo's past cohort, the one with meetings.
PAST_COHORT = "2025"


def split_programs(folder: Path, *, shared: int = 1, empty: str | None = None) -> Path:
    """The demo workspace copied at ``folder`` made into two programs on its past cohort: its mentees alternately
    in ``main`` and ``peer`` (the first ``shared`` of them in both), mentors and later cohorts in every program
    (blank), and ``peer`` a monthly copy of the first design. ``empty`` adds a third program that enrols nobody of
    the past cohort."""
    enrolment = pd.read_csv(folder / "enrolment.csv", dtype=str, keep_default_na=False)
    mentees = enrolment.index[(enrolment["cohort"] == PAST_COHORT) & enrolment["role"].isin(["mentee", "both"])]
    enrolment["program"] = ""
    enrolment.loc[mentees[::2], "program"] = "main"
    enrolment.loc[mentees[1::2], "program"] = "peer"
    enrolment.loc[mentees[:shared], "program"] = "main;peer"
    enrolment.to_csv(folder / "enrolment.csv", index=False)
    workspace = open_workspace(folder)
    first = load_design(workspace)
    add_program(workspace, "peer", first.model_copy(update={
        "name": "Peer tier", "experience": first.experience.model_copy(update={"cadence": "monthly"})}))
    if empty is not None:
        add_program(open_workspace(folder), empty)  # its mentees: none of the past cohort's
    return folder
