"""Chart builders: ``DataFrame -> altair.Chart``, one function per chart, no widgets.

The names below are imported on first use (PEP 562): a page that draws a
headcount chart does not load the what-if charts and the simulation behind them.
"""

from workbench.lazy import lazy_namespace

#: The module each public name comes from.
_EXPORTS = {
    "candidate_caption": "workbench.charts.matching",
    "candidate_chart": "workbench.charts.matching",
    "coverage_caption": "workbench.charts.matching",
    "coverage_chart": "workbench.charts.matching",
    "distribution_caption": "workbench.charts.whatif",
    "distribution_chart": "workbench.charts.whatif",
    "effects_caption": "workbench.charts.whatif",
    "effects_chart": "workbench.charts.whatif",
    "fairness_caption": "workbench.charts.matching",
    "fairness_chart": "workbench.charts.matching",
    "frontier_caption": "workbench.charts.whatif",
    "frontier_chart": "workbench.charts.whatif",
    "programs_caption": "workbench.charts.whatif",
    "programs_chart": "workbench.charts.whatif",
    "gap_heatmap": "workbench.charts.gaps",
    "gap_heatmap_caption": "workbench.charts.gaps",
    "gap_profile_caption": "workbench.charts.gaps",
    "gap_profile_chart": "workbench.charts.gaps",
    "headcount_chart": "workbench.charts.overview",
    "prioritised_gaps_caption": "workbench.charts.gaps",
    "prioritised_gaps_chart": "workbench.charts.gaps",
    "score_distribution_caption": "workbench.charts.matching",
    "score_distribution_chart": "workbench.charts.matching",
    "small_demand_note": "workbench.charts.gaps",
    "supply_demand_caption": "workbench.charts.gaps",
    "supply_demand_chart": "workbench.charts.gaps",
    "survival_caption": "workbench.charts.whatif",
    "survival_chart": "workbench.charts.whatif",
    "tornado_caption": "workbench.charts.whatif",
    "tornado_chart": "workbench.charts.whatif",
}

__all__ = [
    "candidate_caption",
    "candidate_chart",
    "coverage_caption",
    "coverage_chart",
    "distribution_caption",
    "distribution_chart",
    "effects_caption",
    "effects_chart",
    "fairness_caption",
    "fairness_chart",
    "frontier_caption",
    "frontier_chart",
    "programs_caption",
    "programs_chart",
    "gap_heatmap",
    "gap_heatmap_caption",
    "gap_profile_caption",
    "gap_profile_chart",
    "headcount_chart",
    "prioritised_gaps_caption",
    "prioritised_gaps_chart",
    "score_distribution_caption",
    "score_distribution_chart",
    "small_demand_note",
    "supply_demand_caption",
    "supply_demand_chart",
    "survival_caption",
    "survival_chart",
    "tornado_caption",
    "tornado_chart",
]

__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS, globals())
