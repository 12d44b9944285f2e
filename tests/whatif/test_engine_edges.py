"""Edge cases of the single-precision engine that what-if sweeps reach: perfect pairs, zero draws, zero hazards."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.design.model import ProgramDesign
from workbench.simulate import Cohort, simulate
from workbench.simulate import engine


class ZeroSome:
    """A generator whose exponential draws are sometimes exactly 0 (float32 ones are, about once in 8 million)."""

    def __init__(self, generator: np.random.Generator) -> None:
        self._generator = generator

    def __getattr__(self, name: str):
        return getattr(self._generator, name)

    def standard_exponential(self, size, dtype=np.float64):
        out = self._generator.standard_exponential(size, dtype=dtype)
        np.ravel(out)[3::7] = 0  # never the only draw of a call
        return out


def test_perfect_pairs_zero_draws_and_zero_hazards_give_finite_results(monkeypatch):
    n = 60
    mentees = pd.DataFrame({"person_id": [f"P{i}" for i in range(n)], "department": "A", "level": "1",
                            "location": "X", "score": 1.0, "coverage": 1.0, "gap_levels": 2.0,
                            "exit_hazard": np.where(np.arange(n) % 2 == 0, 0.0, 0.3)})
    cohort = Cohort(mentees=mentees, mentors=n, group_size=1.0, structure="one_on_one", unmatched=0)
    real = engine._generator
    monkeypatch.setattr(engine, "_generator", lambda sequence: ZeroSome(real(sequence)))
    result = simulate(cohort, ProgramDesign(), runs=400, seed=1,
                      parameters={"quality_base": 0.7, "quality_noise": 0.05})  # quality clipped at 1 mostly
    table = result.kpis()
    assert np.isfinite(table["participants_mean"]).all()
    assert np.isfinite(result.survival[["participants", "comparison"]].to_numpy()).all()
    assert 0 <= table.set_index("kpi").loc["early_closure", "participants_mean"] < 0.2
