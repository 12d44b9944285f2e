"""The baseline exit rates recover the rates a generated history was made with."""

from __future__ import annotations

import numpy as np

from workbench.data.sample import generate_organisation, generation_parameters
from workbench.simulate.baseline import attrition_baseline, hazard_of, program_starts


def test_recovers_the_generated_exit_hazards():
    tables = generate_organisation(n_people=20000, seed=3)
    truth = generation_parameters()["attrition"]
    table = attrition_baseline(tables["people"], censor=program_starts(tables), window_years=3)
    cells = table.dropna(subset=["level"])
    cells = cells[cells["person_years"] > 300]
    true = np.array([truth["annual_exit_hazard_by_level"][int(lv)] * truth["department_multiplier"][d]
                     for lv, d in zip(cells["level"], cells["department"])])
    z = (cells["raw"].to_numpy() - true) / (np.sqrt(cells["exits"].to_numpy()) / cells["person_years"].to_numpy())
    assert len(cells) >= 20 and np.abs(z).max() < 4 and abs(z.mean()) < 1
    expected = (true * cells["person_years"]).sum()
    assert abs(cells["exits"].sum() / expected - 1) < 0.05  # all cells together: within 5%


def test_small_cells_borrow_from_their_level_and_unknowns_get_the_organisation():
    tables = generate_organisation(n_people=800, seed=0)
    table = attrition_baseline(tables["people"])
    whole = table[table["level"].isna()].iloc[0]
    cells = table.dropna(subset=["level"])
    assert ((cells["hazard"] > 0) & np.isfinite(cells["hazard"])).all()
    tiny = cells[cells["person_years"] < 3]
    assert (tiny["hazard"] != tiny["raw"]).all()
    import pandas as pd

    got = hazard_of(table, pd.Series(["99", ""]), pd.Series(["Nowhere", "Sales"]))
    assert np.allclose(got, whole["hazard"])
