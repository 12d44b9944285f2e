"""Monte Carlo outcome model of a program design: parameters with sources (:mod:`.parameters`), the
organisation's baseline exit rates (:mod:`.baseline`), the simulated cohort (:mod:`.cohort`), the
engine (:mod:`.engine`) and its result (:mod:`.result`)."""

from workbench.simulate.baseline import attrition_baseline
from workbench.simulate.cohort import Cohort, build_cohort, cohort_from_match
from workbench.simulate.engine import simulate
from workbench.simulate.parameters import PARAMETERS, Parameter
from workbench.simulate.result import KPIS, SimulationResult

__all__ = ["KPIS", "PARAMETERS", "Cohort", "Parameter", "SimulationResult", "attrition_baseline", "build_cohort",
           "cohort_from_match", "simulate"]
