"""Skill-gap analysis: requirements resolved per person, gaps, their aggregates and mentor supply.

Pure functions over the workspace tables (text frames as read from CSV); see
:mod:`workbench.gaps.analysis` for the rules that resolve requirements and
:mod:`workbench.gaps.supply` for mentor supply against mentee demand.
"""

from workbench.gaps.analysis import (
    AGGREGATE_COLUMNS,
    GAP_CELL_MARGINS,
    GAP_COLUMNS,
    GROUPINGS,
    PRIORITY_COLUMNS,
    READINESS_COLUMNS,
    aggregate,
    coverage,
    filter_gaps,
    gap_profile,
    hide_small_cells,
    hide_split_groups,
    person_gaps,
    prioritised_gaps,
    readiness,
    skill_names,
)
from workbench.gaps.supply import (
    DEFAULT_MENTOR_CAPACITY,
    MENTOR_MARGIN,
    STATUSES,
    SUPPLY_COLUMNS,
    MentorSupply,
    SupplySelection,
    hide_small_demand,
    mentor_invitations,
    supply_demand,
    top_mentees,
)

__all__ = [
    "DEFAULT_MENTOR_CAPACITY",
    "MENTOR_MARGIN",
    "STATUSES",
    "SUPPLY_COLUMNS",
    "MentorSupply",
    "SupplySelection",
    "hide_small_demand",
    "mentor_invitations",
    "supply_demand",
    "top_mentees",
    "AGGREGATE_COLUMNS",
    "GAP_CELL_MARGINS",
    "GAP_COLUMNS",
    "GROUPINGS",
    "PRIORITY_COLUMNS",
    "READINESS_COLUMNS",
    "aggregate",
    "coverage",
    "filter_gaps",
    "gap_profile",
    "hide_small_cells",
    "hide_split_groups",
    "person_gaps",
    "prioritised_gaps",
    "readiness",
    "skill_names",
]
