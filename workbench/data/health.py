"""Data health: is a workspace's data complete and valid enough to analyse?"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.data.importing import workspace_problems, workspace_version
from workbench.data.problems import Problems
from workbench.data.tables import TABLES
from workbench.workspace import Workspace


@dataclass(frozen=True)
class DataHealth:
    """A workspace's data at a glance.

    ``rows``: data rows per table present; ``missing``: required tables that are
    absent; ``employed``: people with no exit date; ``assessed``: employed people
    with at least one skill assessment (proficiency row); ``gaps``: skill
    assessments missing for employed people, counting as expected the skills
    assessed for anyone with the same job title, out of ``expected``;
    ``problems``: every validation problem (file, row, column, value, problem).
    """

    rows: dict[str, int]
    missing: tuple[str, ...]
    employed: int
    assessed: int
    expected: int
    gaps: int
    problems: Problems

    @property
    def unassessed(self) -> int:
        """Employed people with no skill assessment at all (unknown, not zero, proficiency)."""
        return self.employed - self.assessed

    @property
    def assessed_share(self) -> float | None:
        """Share (0-1) of employed people with at least one assessment; ``None`` with nobody employed."""
        return self.assessed / self.employed if self.employed else None


#: The latest health worked out per workspace version in this process (see ``workspace_version``).
_latest: dict[str, tuple[tuple, DataHealth]] = {}


def data_health(workspace: Workspace) -> DataHealth:
    """Row counts, missing tables, assessment coverage and validation problems of ``workspace``.

    Worked out once per version of the workspace's tables in this process.
    """
    version = workspace_version(workspace)
    key = str(workspace.path.resolve())
    found = _latest.get(key)
    if version is not None and found is not None and found[0] == version:
        return found[1]
    health = _data_health(workspace)
    if version is not None and workspace_version(workspace) == version:
        _latest[key] = (version, health)
    return health


def _data_health(workspace: Workspace) -> DataHealth:
    tables, problems = workspace_problems(workspace, require_all=False)
    missing = tuple(spec.file for spec in TABLES.values()
                    if not spec.optional_table and not workspace.table_path(spec.name).is_file())
    people = tables.get("people", pd.DataFrame(columns=["person_id", "exit_date"]))
    employed_ids = set(people.loc[people.get("exit_date", pd.Series("", index=people.index)).eq(""),
                                  "person_id"]) if "person_id" in people else set()
    proficiency = tables.get("proficiency", pd.DataFrame(columns=["person_id", "skill_id"]))
    assessed_ids = set(proficiency["person_id"]) if "person_id" in proficiency else set()
    expected = gaps = 0
    if {"person_id", "job_title"} <= set(people.columns) and {"person_id", "skill_id"} <= set(proficiency.columns):
        staff = people.loc[people["person_id"].isin(employed_ids), ["person_id", "job_title"]].drop_duplicates("person_id")
        done = proficiency[["person_id", "skill_id"]].drop_duplicates().merge(staff, on="person_id")
        per_title = done[["job_title", "skill_id"]].drop_duplicates()
        wanted = staff.merge(per_title, on="job_title")
        expected = len(wanted)
        gaps = expected - len(wanted.merge(done[["person_id", "skill_id"]], on=["person_id", "skill_id"]))
    return DataHealth(rows={name: len(frame) for name, frame in tables.items()}, missing=missing,
                      employed=len(employed_ids), assessed=len(employed_ids & assessed_ids),
                      expected=expected, gaps=gaps, problems=problems)
