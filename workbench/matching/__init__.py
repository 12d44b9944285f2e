"""Matching mentees to mentors: who takes part (:mod:`.pool`), which pairs the hard rules allow
(:mod:`.rules`), how well each allowed pair fits (:mod:`.scores`), the solvers (:mod:`.solvers`), the
program structures (:mod:`.structures`, functional mentoring in :mod:`.functional`), matching a cohort
(:mod:`.api`), explained results (:mod:`.result`), saved matchings (:mod:`.storage`), several programs
sharing one pool of mentors (:mod:`.programs`), choosing a class from the applicants (:mod:`.selection`) and
re-matching a live cohort's quiet pairs (:mod:`.rematching`).

The names below are imported on first use (PEP 562): ``METHODS`` and ``STRUCTURES``
(:mod:`.names`) come without pandas, NumPy, NetworkX or the solvers.
"""

from workbench.lazy import lazy_namespace

#: The module each public name comes from.
_EXPORTS = {
    "METHODS": "workbench.matching.names",
    "STRUCTURES": "workbench.matching.names",
    "MatchResult": "workbench.matching.result",
    "candidates": "workbench.matching.result",
    "compare_methods": "workbench.matching.api",
    "comparison_table": "workbench.matching.api",
    "default_method": "workbench.matching.api",
    "fairness_attributes": "workbench.matching.result",
    "match": "workbench.matching.api",
    "match_rates": "workbench.matching.result",
    "ProgramsMatch": "workbench.matching.programs",
    "match_programs": "workbench.matching.programs",
    "save_programs_matching": "workbench.matching.programs",
    "save_matching": "workbench.matching.storage",
    "saved_matching": "workbench.matching.storage",
    "SavedMatching": "workbench.matching.storage",
    "sensitivity": "workbench.matching.api",
    "Rematch": "workbench.matching.rematching",
    "rematch": "workbench.matching.rematching",
    "Overrides": "workbench.matching.scores",
    "PairScorer": "workbench.matching.scores",
    "register_criterion": "workbench.matching.scores",
    "CohortSelection": "workbench.matching.selection",
    "select_cohort": "workbench.matching.selection",
}

__all__ = ["METHODS", "STRUCTURES", "CohortSelection", "MatchResult", "Overrides", "PairScorer", "ProgramsMatch",
           "Rematch", "SavedMatching", "candidates", "compare_methods", "comparison_table", "default_method", "fairness_attributes",
           "match", "match_programs", "match_rates", "register_criterion", "rematch", "save_matching",
           "save_programs_matching", "saved_matching", "select_cohort", "sensitivity"]


__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS, globals())
