"""How live the design pages stay: consistency checks and the brief, at 800 and 50,000 people.

Every edit on a design page re-runs :func:`check_design` on tables already in
memory, so its time is the delay a workshop sees after each click. The
baseline, measured in the same run, is one plain pandas pass over the same
people and enrolment tables (a groupby of eligible people per department).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from measure import median_seconds
from workbench.data.sample import generate_organisation, write_tables
from workbench.readiness import check_design
from workbench.design.model import ProgramDesign
from workbench.reports.brief import brief_html, default_charts
from workbench.workspace import WorkspaceSettings, write_new_workspace

DESIGN = ProgramDesign.model_validate({
    "align": {"business_problem": "attrition",
              "objectives": [{"id": "O1", "kpi": "annual exit rate (%)", "kind": "retention", "baseline": 18,
                              "target": 14, "horizon_months": 12}]},
    "experience": {"hard_rules": ["not_in_management_chain", "different_department", "mentor_more_senior"]},
    "launch": {"rollout": "full"},
})




def main() -> int:
    print(f"{'people':>8} {'check_design s':>15} {'pandas baseline s':>18} {'ratio':>7} {'findings':>9} "
          f"{'brief html s':>13}")
    for people, repeat in ((800, 5), (50_000, 3)):
        tables = generate_organisation(people, seed=0)
        text = {name: frame.astype(str).replace({"nan": "", "<NA>": ""}) for name, frame in tables.items()}
        baseline = median_seconds(lambda: text["people"].groupby(["department", "level"]).size()
                         .add(text["enrolment"].groupby("role").size().reindex(["x"]).fillna(0).sum()), repeat)
        checks = median_seconds(lambda: check_design(DESIGN, text), repeat)
        findings = check_design(DESIGN, text)
        with tempfile.TemporaryDirectory() as folder:
            workspace = write_new_workspace(Path(folder) / "ws", WorkspaceSettings(name="Bench"),
                                            lambda out: write_tables(tables, out))
            brief = median_seconds(lambda: brief_html(workspace, DESIGN, findings, charts=default_charts(workspace)), 2)
        print(f"{people:>8,} {checks:>15.3f} {baseline:>18.4f} {checks / baseline:>7.0f} {len(findings):>9} "
              f"{brief:>13.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
