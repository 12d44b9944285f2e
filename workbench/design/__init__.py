"""Program design (AXLES): the design model, its decision catalogue, consistency checks and the brief."""

from workbench.design.model import ProgramDesign
from workbench.design.store import DesignError, design_from_yaml, design_to_yaml, load_design, save_design

__all__ = ["DesignError", "ProgramDesign", "design_from_yaml", "design_to_yaml", "load_design", "save_design"]
