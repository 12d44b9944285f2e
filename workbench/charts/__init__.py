"""Chart builders: ``DataFrame -> altair.Chart``, one function per chart, no widgets."""

from workbench.charts.gaps import (
    gap_heatmap,
    gap_heatmap_caption,
    gap_profile_caption,
    gap_profile_chart,
    prioritised_gaps_caption,
    prioritised_gaps_chart,
    supply_demand_caption,
    supply_demand_chart,
)
from workbench.charts.matching import (
    candidate_caption,
    candidate_chart,
    coverage_caption,
    coverage_chart,
    fairness_caption,
    fairness_chart,
    score_distribution_caption,
    score_distribution_chart,
)
from workbench.charts.overview import headcount_chart

__all__ = [
    "candidate_caption",
    "candidate_chart",
    "coverage_caption",
    "coverage_chart",
    "fairness_caption",
    "fairness_chart",
    "gap_heatmap",
    "gap_heatmap_caption",
    "gap_profile_caption",
    "gap_profile_chart",
    "headcount_chart",
    "prioritised_gaps_caption",
    "prioritised_gaps_chart",
    "score_distribution_caption",
    "score_distribution_chart",
    "supply_demand_caption",
    "supply_demand_chart",
]
