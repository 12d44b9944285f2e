"""Chart builders: ``DataFrame -> altair.Chart``, one function per chart, no widgets."""

from workbench.charts.overview import headcount_chart

__all__ = ["headcount_chart"]
