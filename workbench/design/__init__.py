"""Program design (AXLES): the design model, its decision catalogue and how a design is stored."""

from workbench.design.model import DesignCriterion, ProgramDesign
from workbench.design.store import DesignError, design_from_yaml, design_to_yaml, load_design, save_design

__all__ = ["DesignCriterion", "DesignError", "ProgramDesign", "design_from_yaml", "design_to_yaml", "load_design", "save_design"]
