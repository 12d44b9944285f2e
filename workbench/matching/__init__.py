"""Matching mentees to mentors: who takes part (:mod:`.pool`), which pairs the hard rules allow
(:mod:`.rules`), how well each allowed pair fits (:mod:`.scores`), the solvers (:mod:`.solvers`), the
program structures (:mod:`.structures`, functional mentoring in :mod:`.functional`), explained results
(:mod:`.results`) and re-matching a live cohort's quiet pairs (:mod:`.rematching`).

The names below are imported on first use (PEP 562): ``METHODS`` and ``STRUCTURES``
(:mod:`.names`) come without pandas, NumPy, NetworkX or the solvers.
"""

from workbench.lazy import lazy_namespace

#: The module each public name comes from.
_EXPORTS = {
    "METHODS": "workbench.matching.names",
    "STRUCTURES": "workbench.matching.names",
    "MatchResult": "workbench.matching.results",
    "candidates": "workbench.matching.results",
    "compare_methods": "workbench.matching.results",
    "comparison_table": "workbench.matching.results",
    "default_method": "workbench.matching.results",
    "fairness_attributes": "workbench.matching.results",
    "match": "workbench.matching.results",
    "save_matching": "workbench.matching.results",
    "saved_matching": "workbench.matching.results",
    "sensitivity": "workbench.matching.results",
    "Rematch": "workbench.matching.rematching",
    "rematch": "workbench.matching.rematching",
    "Overrides": "workbench.matching.scores",
    "PairScorer": "workbench.matching.scores",
    "register_criterion": "workbench.matching.scores",
}

__all__ = ["METHODS", "STRUCTURES", "MatchResult", "Overrides", "PairScorer", "candidates", "compare_methods", "comparison_table",
           "default_method", "fairness_attributes", "match", "register_criterion", "save_matching", "saved_matching",
           "sensitivity", "Rematch", "rematch"]


__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS, globals())
