"""The names of the matching methods and program structures, importable without the solvers.

The command line offers them as choices (``workbench match --method/--structure``,
``workbench select --method``)
before anything is matched; :mod:`workbench.matching.structures` and
:mod:`workbench.matching.results` use the same tuples. This module imports nothing.
"""

#: Methods that run on every bipartite structure (``solvers.solve_<method>``).
METHODS = ("optimal", "max_coverage", "fair", "balanced", "stable", "mentee_choice", "greedy", "random")
#: Structures :func:`workbench.matching.match` knows.
STRUCTURES = ("one_on_one", "group", "peer", "reverse", "mosaic", "flash", "functional")
#: How a class is chosen from the applicants (:mod:`workbench.matching.selection`; ``launch.selection.method``).
SELECTION_METHODS = ("everyone", "matchability", "lottery")
