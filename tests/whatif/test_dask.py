"""A sweep on a local Dask cluster gives the serial results, byte for byte."""

from __future__ import annotations

import pytest

from workbench.whatif import BASELINE, Scenario, grid_scenarios, run_scenarios, sweep

distributed = pytest.importorskip("distributed", reason="the dask extra (pip install '.[dask]') is not installed")


@pytest.mark.timeout(60)
def test_a_sweep_on_a_dask_cluster_equals_the_serial_run(demo):
    tables, design = demo
    grid = {"duration_months": [3, 9], "mentor_capacity": [1, 2], "turnover_reduction": [0.2, 0.5]}
    scenarios = [BASELINE, Scenario("Weekly", overrides={"cadence": "weekly"}), *grid_scenarios(grid)]
    serial = run_scenarios(tables, design, scenarios, runs=200, seed=7, executor=False)
    serial_table = sweep(tables, design, grid, runs=200, seed=7, executor=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        executor = client.get_executor()
        on_dask = run_scenarios(tables, design, scenarios, runs=200, seed=7, executor=executor)
        dask_table = sweep(tables, design, grid, runs=200, seed=7, executor=executor)
        workers = {info["id"] for info in client.scheduler_info()["workers"].values()}
    assert len(workers) == 2
    assert [r.name for r in on_dask] == [s.name for s in scenarios]
    assert [r.json_text() for r in on_dask] == [r.json_text() for r in serial]
    assert dask_table.equals(serial_table)
