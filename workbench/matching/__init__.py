"""Matching mentees to mentors: who takes part (:mod:`.pool`), which pairs the hard rules allow
(:mod:`.rules`), how well each allowed pair fits (:mod:`.scores`), the solvers (:mod:`.solvers`), the
program structures (:mod:`.structures`) and explained results (:mod:`.results`)."""

from workbench.matching.results import (
    METHODS,
    STRUCTURES,
    MatchResult,
    candidates,
    compare_methods,
    comparison_table,
    default_method,
    fairness_attributes,
    match,
    save_matching,
    saved_matching,
    sensitivity,
)
from workbench.matching.scores import Overrides, PairScorer, register_criterion

__all__ = ["METHODS", "STRUCTURES", "MatchResult", "Overrides", "PairScorer", "candidates", "compare_methods", "comparison_table",
           "default_method", "fairness_attributes", "match", "register_criterion", "save_matching", "saved_matching",
           "sensitivity"]
