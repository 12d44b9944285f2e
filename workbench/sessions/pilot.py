"""The pilot design (Launch page): the allocation drawn on the current cohort, and the evaluation plan frozen.

:class:`PilotSession` holds what :mod:`workbench.views.pilot` shows, without widgets: the saved design's pilot
allocation drawn by :func:`workbench.evaluate.plan.plan_for` (nothing saved), and its freeze
(:func:`workbench.evaluate.plan.freeze_plan`, one undoable save) that Evaluate then follows.

Example (the demo workspace with a waitlist pilot saved in its design)::

    session = PilotSession(open_workspace("demo"))
    session.draw().allocation  # who is offered a place now, who waits
    session.freeze()
"""

from __future__ import annotations

import traitlets

from workbench.design.catalogue import describe_value
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.evaluate.plan import FrozenPlan, freeze_plan, load_plan, plan_for
from workbench.privacy import PersonLabels
from workbench.programs import page_tables
from workbench.workspace import Workspace

PAGE = "The pilot design"


class PilotSession(traitlets.HasTraits):
    """The allocation drawn last (:attr:`plan`, ``None`` before a draw or after a refused one) and its freeze.

    Raises :class:`~workbench.errors.WorkbenchError` when people.csv or enrolment.csv is missing.
    """

    workspace = traitlets.Instance(Workspace)
    plan = traitlets.Instance(FrozenPlan, allow_none=True)

    def __init__(self, workspace: Workspace) -> None:
        self.people = PersonLabels.for_page(page_tables(workspace, PAGE)["people"])
        self.design_words = ""  # the drawn plan's design with its settings, in words
        super().__init__(workspace=workspace)

    def frozen(self) -> FrozenPlan | None:
        """The evaluation plan frozen in the workspace, if any."""
        return load_plan(self.workspace)

    def draw(self) -> FrozenPlan:
        """Draw the saved design's pilot allocation on the current cohort (nothing saved); a refused draw (a
        :class:`~workbench.errors.WorkbenchError` saying why) leaves no plan."""
        self.plan = None
        design = load_design(self.workspace)
        plan = plan_for(page_tables(self.workspace, PAGE), design)
        self.design_words = describe_value(design, "launch.pilot")
        self.plan = plan
        return plan

    def freeze(self) -> FrozenPlan:
        """Freeze the plan drawn last in the workspace (once per cohort; one undoable save)."""
        if self.plan is None:
            raise WorkbenchError("Draw the allocation first: the plan frozen is the one shown.")
        self.workspace = freeze_plan(self.workspace, self.plan)
        return self.plan
