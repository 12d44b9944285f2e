"""The Skill gaps page's session: the selection (goal, department, levels), its figures with small groups hidden,
and the program's focus skills.

:class:`GapsSession` holds what the page (:mod:`workbench.views.gaps`) shows, without widgets. The gaps are
computed once as the page opens (:func:`workbench.gaps.person_gaps`); a change of the selection's traits works
out :attr:`GapsSession.figures` again from a selection of their rows.

Small groups under the filters: a selection's figures must not give a group of
fewer than five away, alone or compared with another selection's (all
departments against one, levels 1-7 against 1-6). The page applies two rules:

* Department (levels and goals left whole): every figure is the unfiltered
  page's, hidden as the unfiltered page hides it. The heat map's cells and the
  ranking's skills of a department are its cells in the whole map
  (:data:`workbench.gaps.GAP_CELL_MARGINS`); a department's summary, readiness
  per goal and mentee demand per skill are hidden when the breakdown of all
  departments hides them (:func:`workbench.privacy.hide_small_groups`, so all
  departments minus the ones shown gives nothing away either).
* Level or goal: a figure is shown only when every department x level x goals
  piece it adds up holds none or at least five people
  (:func:`workbench.gaps.hide_split_groups`), since any two ranges or goals
  can be subtracted. Most figures of small departments are then hidden, and
  the page says so.

A selection of fewer than five people shows nothing but the message.

People are named through :class:`workbench.privacy.PersonLabels` (pseudonyms in the published app, where the
focus skills cannot be saved).

Example (the demo workspace)::

    session = GapsSession(open_workspace("demo"))
    session.department = "Engineering"
    session.figures.ranked[["rank", "name"]]  # the department's skills, largest weighted gap first
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import traitlets

from workbench.data.importing import typed_tables
from workbench.design.model import ProgramDesign
from workbench.design.store import load_design, save_design
from workbench.errors import WorkbenchError
from workbench.gaps import (
    GAP_CELL_MARGINS,
    MentorSupply,
    SupplySelection,
    aggregate,
    coverage,
    filter_gaps,
    gap_profile,
    hide_small_cells,
    hide_small_demand,
    hide_split_groups,
    person_gaps,
    prioritised_gaps,
    readiness,
)
from workbench.privacy import MIN_GROUP, PersonLabels, hide_small_groups
from workbench.workspace import Workspace, reread

#: The value of the goal and department choices that selects them all.
ALL = "__all__"
#: The tables the page reads (when present): people, skills and requirements are needed.
PAGE_TABLES = ("people", "skills", "requirements", "proficiency", "goals", "enrolment")


@dataclass(frozen=True)
class GapFigures:
    """The figures of one selection, small groups hidden.

    ``gaps``: the selection's rows of :func:`~workbench.gaps.person_gaps`; ``people``: how many people they
    cover; ``coverage``: :func:`~workbench.gaps.coverage`; ``hidden_because``: why the selection's totals are
    hidden ("" when they are shown); ``cells``: mean gap per department x skill with ``hidden``; ``ranked``:
    :func:`~workbench.gaps.prioritised_gaps`; ``readiness``: readiness per goal as the page shows it (hidden
    figures blank, shares as percentages); ``supply``: supply against demand per skill, and ``supply_hidden``:
    how many needed skills it leaves out; ``shortages``: ``(name, skill_id)`` of the skills short of mentors;
    ``person_ids``: each person's label to their id.
    """

    gaps: pd.DataFrame
    people: int
    coverage: dict
    hidden_because: str
    cells: pd.DataFrame
    ranked: pd.DataFrame
    readiness: pd.DataFrame
    supply: pd.DataFrame
    supply_hidden: int
    shortages: list
    person_ids: dict


class GapsSession(traitlets.HasTraits):
    """The Skill gaps page's state and logic.

    Raises :class:`~workbench.errors.WorkbenchError` when people.csv, skills.csv or requirements.csv is missing.
    """

    workspace = traitlets.Instance(Workspace)
    design = traitlets.Instance(ProgramDesign)
    goal = traitlets.Unicode(ALL)
    department = traitlets.Unicode(ALL)
    levels = traitlets.Tuple(traitlets.Int(), traitlets.Int())  # lowest and highest level, inclusive
    figures = traitlets.Instance(GapFigures)

    def __init__(self, workspace: Workspace) -> None:
        missing = [t for t in ("people", "skills", "requirements") if not workspace.table_path(t).is_file()]
        if missing:
            raise WorkbenchError(f"The skill-gap analysis needs {', '.join(m + '.csv' for m in missing)} in the "
                                 f"workspace {workspace.name!r}: import them on the Start page.")
        self.tables = typed_tables(workspace, PAGE_TABLES)
        self.skills = self.tables["skills"]
        self.people = PersonLabels.for_page(self.tables["people"])
        self.all_gaps = person_gaps(self.tables)
        levels = self.all_gaps.drop_duplicates("person_id")["level"].dropna().astype(int)
        self.whole_levels = (int(levels.min()), int(levels.max())) if len(levels) else (1, 1)
        self._supply: MentorSupply | None = None
        self.selection: SupplySelection | None = None  # the supply and demand of the selection shown
        super().__init__(workspace=workspace, design=load_design(workspace), levels=self.whole_levels)
        self._unfiltered_hiding()
        self.figures = self._figures()
        self.observe(self._on_selection, names=["goal", "department", "levels"])

    # ------------------------------------------------------------------ choices

    @property
    def goal_options(self) -> list[tuple[str, str]]:
        """Every goal, and all of them, as ``(label, value)``."""
        goals = self.tables.get("goals", pd.DataFrame(columns=["goal_id", "name"]))
        return [("All goals", ALL), *[(f"{g.name} ({g.goal_id})", g.goal_id) for g in goals.itertuples()]]

    @property
    def department_options(self) -> list[tuple[str, str]]:
        """Every department with people, and all of them, as ``(label, value)``."""
        departments = sorted(self.all_gaps.drop_duplicates("person_id")["department"].unique())
        return [("All departments", ALL), *[(d, d) for d in departments]]

    @property
    def skill_options(self) -> list[tuple[str, str]]:
        """The skills that can be focus skills, as ``(name, skill_id)``."""
        return [(row.name, row.skill_id) for row in self.skills.itertuples()]

    @property
    def focus_skills(self) -> tuple[str, ...]:
        """The design's focus skills, or the five largest weighted gaps when it has none yet."""
        return tuple(self.design.align.focus_skills) or tuple(
            prioritised_gaps(self.all_gaps, self.skills, top=5)["skill_id"])

    # ------------------------------------------------------------------ the selection

    def selected(self) -> pd.DataFrame:
        """The gaps of the selection."""
        low, high = self.levels
        return filter_gaps(self.all_gaps, goal=None if self.goal == ALL else self.goal,
                           departments=self.departments(), level_min=low, level_max=high)

    def departments(self) -> tuple[str, ...]:
        """The selected department, or none for all of them."""
        return () if self.department == ALL else (self.department,)

    def whole(self, departments: tuple[str, ...] | None = None) -> pd.DataFrame:
        """The rows of ``departments`` (the selected one's by default; every department's when empty) with the
        levels and goals left whole."""
        low, high = self.whole_levels
        return filter_gaps(self.all_gaps, departments=self.departments() if departments is None else departments,
                           level_min=low, level_max=high)

    def split(self) -> bool:
        """Whether a level or goal filter is on (the second rule)."""
        return self.goal != ALL or tuple(self.levels) != self.whole_levels

    def _unfiltered_hiding(self) -> None:
        """What the page hides with no filter on, per department: heat-map cells, the departments' summaries,
        readiness per goal and mentee demand per skill (the first rule)."""
        whole = self.whole(())
        cells = hide_small_cells(aggregate(whole, ["department", "skill_id"]), ["department", "skill_id"],
                                 margins=GAP_CELL_MARGINS)
        self._hidden_cells = set(zip(cells.loc[cells["hidden"], "department"], cells.loc[cells["hidden"], "skill_id"]))
        people = whole.groupby("department")["person_id"].nunique().rename("people").reset_index()
        shown = hide_small_groups(people, ["department"])
        self._hidden_departments = set(shown.loc[shown["hidden"], "department"])
        goals = self.tables.get("goals")
        ready = pd.concat([readiness(part, goals).assign(department=d) for d, part in whole.groupby("department")]
                          or [pd.DataFrame(columns=["department", "goal_id", "people"])], ignore_index=True)
        ready = hide_small_groups(ready[["department", "goal_id", "people"]], ["department", "goal_id"],
                                  within=["goal_id"])
        self._hidden_ready = set(zip(ready.loc[ready["hidden"], "department"], ready.loc[ready["hidden"], "goal_id"]))
        demand = self.supply_selection(whole).demand_rows
        demand = demand.groupby(["department", "skill_id"])["person_id"].nunique().rename("people").reset_index()
        demand = hide_small_groups(demand, ["department", "skill_id"], within=["skill_id"])
        self._hidden_demand = set(zip(demand.loc[demand["hidden"], "department"],
                                      demand.loc[demand["hidden"], "skill_id"]))

    def _hidden_here(self, hidden: set[tuple[str, str]]) -> set[str]:
        """The second members of ``hidden`` pairs in the selected department (none with all departments)."""
        return {item for department, item in hidden if (department,) == self.departments()}

    def supply_selection(self, gaps: pd.DataFrame) -> SupplySelection:
        """Supply and demand of the people of ``gaps`` (:class:`~workbench.gaps.MentorSupply`, once per design)."""
        if self._supply is None or self._supply.design is not self.design:  # the design is replaced when saved
            self._supply = MentorSupply(self.tables, design=self.design)
        return self._supply.selection(gaps)

    def _on_selection(self, _change: dict) -> None:
        self.figures = self._figures()

    # ------------------------------------------------------------------ the figures

    def _figures(self) -> GapFigures:
        gaps = self.selected()
        split = self.split()
        whole = self.whole() if split else None
        people = gaps["person_id"].nunique()
        if 0 < people < MIN_GROUP:
            hidden_because = (f"This selection has fewer than {MIN_GROUP} people: its figures are hidden to protect "
                              "them.")
        elif split and people and hide_split_groups(whole)["hidden"].iloc[0]:
            hidden_because = (f"Some departments and levels in this selection have fewer than {MIN_GROUP} people: "
                              "under a level or goal filter the selection's totals are hidden, since comparing them "
                              "with another selection's would give those people away.")
        elif not split and set(self.departments()) & self._hidden_departments:
            hidden_because = (f"hidden: fewer than {MIN_GROUP} people, or it would reveal a smaller department "
                              "(all departments minus the others shown).")
        else:
            hidden_because = ""
        by_cell = aggregate(gaps, ["department", "skill_id"])
        cells = list(zip(by_cell["department"], by_cell["skill_id"]))
        hidden_cells = [cell in self._hidden_cells for cell in cells]
        hide = self._hidden_here(self._hidden_cells)
        if split:
            pieces = hide_split_groups(whole, ["department", "skill_id"])
            cut = set(zip(pieces.loc[pieces["hidden"], "department"], pieces.loc[pieces["hidden"], "skill_id"]))
            hidden_cells = [h or cell in cut for h, cell in zip(hidden_cells, cells)]
            pieces = hide_split_groups(whole, ["skill_id"])
            hide |= set(pieces.loc[pieces["hidden"], "skill_id"])
        self.selection = self.supply_selection(gaps)
        supply, left_out = hide_small_demand(self.selection.supply_demand(), hide=sorted(self._demand_hidden(whole)))
        shortages = supply[supply["status"] == "shortage"]
        ids = list(gaps.drop_duplicates("person_id")["person_id"])
        return GapFigures(
            gaps=gaps, people=people, coverage=coverage(gaps), hidden_because=hidden_because,
            cells=by_cell.assign(hidden=hidden_cells), ranked=prioritised_gaps(gaps, self.skills, hide=sorted(hide)),
            readiness=self._readiness(gaps, hidden=bool(hidden_because) and split), supply=supply,
            supply_hidden=left_out, shortages=[(row.name, row.skill_id) for row in shortages.itertuples()],
            person_ids=dict(zip(self.people.labels(ids), ids)))

    def _demand_hidden(self, whole: pd.DataFrame | None) -> set[str]:
        """The skills whose mentee demand the selection hides (``whole``: the rows under a level or goal filter)."""
        hide = self._hidden_here(self._hidden_demand)
        if whole is not None:
            pieces = hide_split_groups(self.supply_selection(whole).demand_rows, ["skill_id"])
            hide |= set(pieces.loc[pieces["hidden"], "skill_id"])
        return hide

    def _readiness(self, gaps: pd.DataFrame, *, hidden: bool) -> pd.DataFrame:
        """Readiness per goal as the page shows it; ``hidden``: every goal's figures are (they add up the pieces
        of a hidden summary)."""
        ready = readiness(gaps, self.tables.get("goals")).assign(
            ready_share=lambda f: f["ready_share"].map(lambda v: "" if pd.isna(v) else f"{v:.0%}"))
        ready = hide_small_groups(ready, ["goal_id", "name"])
        # per goal: a department's as the breakdown of all departments hides it
        ready["hidden"] |= ready["goal_id"].isin(self._hidden_here(self._hidden_ready)) | hidden
        for column in ("people", "fully_assessed", "ready", "ready_share", "unknown"):
            ready[column] = ready[column].astype(object).where(~ready["hidden"], None)
        ready["people"] = ready["people"].where(~ready["hidden"], f"hidden: fewer than {MIN_GROUP} people, or "
                                                                  "they would give a smaller group away")
        return ready.drop(columns=["hidden", "hidden_small"]).rename(columns={
            "goal_id": "goal", "people": "people in scope", "fully_assessed": "all skills assessed",
            "ready": "ready", "ready_share": "ready (share)", "unknown": "with unknown skills"})

    def top_mentees(self, n: int = 15) -> pd.DataFrame:
        """The ``n`` mentees of the selection with the largest total weighted gap, named as the page names people."""
        mentees = self.selection.top_mentees(n=n)
        return self.people.table(mentees.assign(total_weighted_gap=mentees["total_weighted_gap"].round(1),
                                                enrolled=mentees["enrolled"].map({True: "yes", False: "no"})))

    def invitations(self, skill_id: str, n: int = 8) -> pd.DataFrame:
        """Up to ``n`` people outside the program proficient enough to mentor ``skill_id``, named as the page
        names people."""
        if self.selection is None or self.selection.design is not self.design:
            self.selection = self.supply_selection(self.selected())
        return self.people.table(self.selection.mentor_invitations(skill_id, n=n))

    def gaps_table(self) -> pd.DataFrame:
        """The selection's gaps for the download, people named as the page names them."""
        return self.people.table(self.figures.gaps[["person_id", "skill_id", "current", "target", "gap",
                                                    "weighted_gap"]])

    # ------------------------------------------------------------------ one person

    def default_person(self) -> str:
        """The person of the selection with the largest weighted gap ("" when the selection is empty)."""
        top = self.figures.gaps.sort_values("weighted_gap", ascending=False)["person_id"].head(1)
        return top.iloc[0] if len(top) else ""

    def profile(self, person_id: str) -> pd.DataFrame:
        """Every gap of ``person_id`` (:func:`~workbench.gaps.gap_profile`, not the selection's), named as the
        page names people; empty for ""."""
        return self.people.table(gap_profile(self.all_gaps, person_id)) if person_id else pd.DataFrame()

    # ------------------------------------------------------------------ saving

    def save_focus(self, skills: tuple[str, ...]) -> None:
        """Save ``skills`` as the program's focus skills onto the design as saved now (edits of other decisions
        elsewhere stay); one undoable save."""
        latest = reread(self.workspace)
        data = load_design(latest).model_dump(mode="python")
        data["align"]["focus_skills"] = tuple(skills)
        updated = ProgramDesign.model_validate(data)
        self.workspace = save_design(latest, updated, message="save the focus skills")
        self.design = updated
