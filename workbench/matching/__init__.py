"""Matching mentees to mentors: who takes part (:mod:`.pool`), which pairs the hard rules allow
(:mod:`.rules`), how well each allowed pair fits (:mod:`.scores`), the solvers (:mod:`.solvers`), the
program structures (:mod:`.structures`) and explained results (:mod:`.results`).

The names below are imported on first use (PEP 562): ``METHODS`` and ``STRUCTURES``
(:mod:`.names`) come without pandas, NumPy, NetworkX or the solvers.
"""

from importlib import import_module as _import_module
from importlib.util import find_spec as _find_spec

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
    "Overrides": "workbench.matching.scores",
    "PairScorer": "workbench.matching.scores",
    "register_criterion": "workbench.matching.scores",
}

__all__ = ["METHODS", "STRUCTURES", "MatchResult", "Overrides", "PairScorer", "candidates", "compare_methods", "comparison_table",
           "default_method", "fairness_attributes", "match", "register_criterion", "save_matching", "saved_matching",
           "sensitivity"]


def __getattr__(name: str):
    """A public name (imported from its module on first use) or a module of the package (``.structures``)."""
    if name in _EXPORTS:
        value = getattr(_import_module(_EXPORTS[name]), name)
    elif name.isidentifier() and not name.startswith("_") and _find_spec(f"{__name__}.{name}") is not None:
        value = _import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
