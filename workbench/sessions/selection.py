"""Choosing the class (Launch page): the settings, the class chosen by one method and the other beside it.

:class:`SelectionSession` holds what :mod:`workbench.views.selection` shows, without widgets. The settings
start from the saved design's ``launch.selection`` (the class size falls back to the pilot size, then to every
applicant); :meth:`SelectionSession.choose` runs :func:`workbench.matching.selection.select_cohort` with the
chosen method and the other one on the same size and quotas. Nothing is saved.

Example (the demo workspace)::

    session = SelectionSession(open_workspace("demo"))
    session.size, session.quotas = 20, "department:<=30%"
    session.choose()
    session.methods_table()  # both methods: class size, matchable at once, mean pair score
"""

from __future__ import annotations

import pandas as pd
import traitlets

from workbench.design.catalogue import decision
from workbench.design.model import Quota
from workbench.design.store import load_design
from workbench.matching.pool import build_pool
from workbench.matching.selection import CohortSelection, quota_from_text, select_cohort
from workbench.privacy import PersonLabels
from workbench.programs import page_tables
from workbench.workspace import Workspace

#: The methods the page offers (``everyone`` needs no choosing).
METHODS = ("matchability", "lottery")


class SelectionSession(traitlets.HasTraits):
    """The class settings (traits), the class chosen and the other method's beside it.

    Raises :class:`~workbench.errors.WorkbenchError` when people.csv or enrolment.csv is missing.
    """

    size = traitlets.Int(1)  # people in the class, 1 to the number of applicants
    method = traitlets.Unicode("matchability")  # one of METHODS
    quotas = traitlets.Unicode("")  # ";"-separated quotas, as :func:`quota_from_text` reads them
    seed = traitlets.Int(0)  # the lottery's seed
    result = traitlets.Instance(CohortSelection, allow_none=True)  # the class of the chosen method
    alternative = traitlets.Instance(CohortSelection, allow_none=True)  # the other method's on the same settings

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.tables = page_tables(workspace, "Choosing the class")
        self.design = load_design(workspace)
        self.people = PersonLabels.for_page(self.tables["people"])
        self.applicants = build_pool(self.tables, self.design).n_mentees
        self.labels = {o.value: o.label for o in decision("launch.selection").options}
        chosen = self.design.launch.selection
        size = chosen.class_size or min(self.design.launch.pilot_size or self.applicants, self.applicants)
        super().__init__(size=max(size, 1), method=chosen.method if chosen.method != "everyone" else "matchability",
                         quotas="; ".join(q.text() for q in chosen.quotas), seed=chosen.seed)

    @property
    def method_options(self) -> list[tuple[str, str]]:
        """The methods offered, as ``(label, value)``."""
        return [(self.labels[m], m) for m in METHODS]

    def parsed_quotas(self) -> tuple[Quota, ...]:
        """The quotas of :attr:`quotas`; raises :class:`~workbench.errors.WorkbenchError` for one it cannot read."""
        return tuple(quota_from_text(part.strip()) for part in self.quotas.split(";") if part.strip())

    def choose(self) -> CohortSelection:
        """Choose the class with :attr:`method`, and with the other method beside it; an earlier class is
        dropped first, so a refused choice (a :class:`~workbench.errors.WorkbenchError` saying why) leaves none."""
        self.result = self.alternative = None
        quotas = self.parsed_quotas()
        other = "lottery" if self.method == "matchability" else "matchability"
        runs = {m: select_cohort(self.tables, self.design, size=self.size, method=m, quotas=quotas, seed=self.seed,
                                 sensitive=self.workspace.settings.sensitive)
                for m in (self.method, other)}
        self.alternative = runs[other]
        self.result = runs[self.method]
        return self.result

    def methods_table(self) -> pd.DataFrame:
        """Both methods on the same settings: class size, mentees matchable at once, mean pair score (0-1)."""
        rows = []
        for run in (self.result, self.alternative):
            s = run.summary
            rows.append({"method": self.labels[s["method"]], "class": s["class_size"],
                         "matchable at once": s["matched"],
                         "mean pair score": "" if s["mean_score"] is None else f"{s['mean_score']:.2f}"})
        return pd.DataFrame(rows)
