"""The names of the matching methods and program structures, importable without the solvers.

The command line offers them as choices (``workbench match --method/--structure``,
``workbench select --method``)
before anything is matched; :mod:`workbench.matching.structures` and
:mod:`workbench.matching.api` use the same tuples; the method picker of the Matching
page, the summaries, the charts and the What-if page use the same words (:data:`METHOD_LABELS`,
:data:`CRITERION_LABELS`). This module imports nothing at load time.
"""

#: Methods that run on every bipartite structure (``solvers.solve_<method>``).
METHODS = ("optimal", "max_coverage", "fair", "balanced", "stable", "mentee_choice", "greedy", "random")
#: Structures :func:`workbench.matching.match` knows.
STRUCTURES = ("one_on_one", "group", "peer", "reverse", "mosaic", "flash", "functional")
#: How a class is chosen from the applicants (:mod:`workbench.matching.selection`; ``launch.selection.method``).
SELECTION_METHODS = ("everyone", "matchability", "lottery")
#: Plain names of the methods, as the Matching page's method picker shows them (``peer``: how peer circles are
#: formed, they have no method to choose).
METHOD_LABELS = {
    "optimal": "Best total fit",
    "max_coverage": "Most people matched",
    "fair": "Best weakest pair",
    "balanced": "Even match rates across groups",
    "stable": "Stable (no pair would swap)",
    "mentee_choice": "Mentees choose in turn",
    "greedy": "Best pairs first (greedy)",
    "random": "Random (baseline)",
    "peer": "Peer matching",
}


def method_label(method: str) -> str:
    """The plain name of ``method`` (its id with spaces when unknown): ``"max_coverage"`` -> "Most people matched"."""
    return METHOD_LABELS.get(method, str(method).replace("_", " "))

#: Plain names of the criteria (``design.experience.criteria``).
CRITERION_LABELS = {
    "skills": "Skills", "seniority": "Seniority", "department": "Department", "location": "Location",
    "timezone": "Time zone", "languages": "Languages", "preferences": "Preferences", "affinity": "Affinity",
}


def criterion_label(name: str) -> str:
    """The plain name of criterion ``name`` (a design's own criterion: its id in words, "Shared values")."""
    return CRITERION_LABELS.get(name, str(name).replace("_", " ").capitalize())


def mentee_word(structure: str) -> str:
    """What the people on the mentee side are called in ``structure``'s figures: "people" in peer circles,
    else "mentees"."""
    return "people" if structure == "peer" else "mentees"
