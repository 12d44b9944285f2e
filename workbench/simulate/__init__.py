"""Monte Carlo outcome model of a program design: parameters with sources (:mod:`.parameters`), how each
design decision enters the model or why it does not (:mod:`.mechanisms`), the organisation's baseline exit
rates (:mod:`.baseline`), the simulated cohort (:mod:`.cohort`), the engine (:mod:`.engine`) and its result
(:mod:`.result`).

The names below are imported on first use (PEP 562): ``PARAMETERS`` and ``MECHANISMS`` come without pandas,
NumPy or matching.
"""

from workbench.lazy import lazy_namespace

#: The module each public name comes from.
_EXPORTS = {
    "attrition_baseline": "workbench.simulate.baseline",
    "Cohort": "workbench.simulate.cohort",
    "build_cohort": "workbench.simulate.cohort",
    "cohort_from_match": "workbench.simulate.cohort",
    "simulate": "workbench.simulate.engine",
    "LEVERS": "workbench.simulate.mechanisms",
    "MECHANISMS": "workbench.simulate.mechanisms",
    "Mechanism": "workbench.simulate.mechanisms",
    "PARAMETERS": "workbench.simulate.parameters",
    "Parameter": "workbench.simulate.parameters",
    "KPIS": "workbench.simulate.result",
    "KPIFigures": "workbench.simulate.result",
    "JSON_SCHEMA": "workbench.simulate.result",
    "SimulationResult": "workbench.simulate.result",
}

__all__ = ["JSON_SCHEMA", "KPIS", "KPIFigures", "LEVERS", "MECHANISMS", "PARAMETERS", "Cohort", "Mechanism", "Parameter", "SimulationResult",
           "attrition_baseline", "build_cohort", "cohort_from_match", "simulate"]

__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS, globals())
