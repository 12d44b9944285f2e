"""Reading a pool written by ``benchmarks/bench_compare.py`` (standard library only).

Shared by the adapter scripts, which run in the external packages' own virtual
environments and so cannot import the workbench or NumPy. A pool is a JSON
header (``n_mentees``, ``n_mentors``, ``capacity``, ``scores``: a file name next
to it) and the score matrix as raw little-endian float32, row-major
``[mentee, mentor]``; ``-inf`` marks a forbidden pair.
"""

from __future__ import annotations

import json
import math
import sys
from array import array
from pathlib import Path


def read_pool(path: str | Path) -> tuple[int, int, list[int], list[array]]:
    """(n_mentees, n_mentors, capacity, rows): ``rows[i][j]`` is the score of mentee i with mentor j."""
    path = Path(path)
    header = json.loads(path.read_text())
    n, m = int(header["n_mentees"]), int(header["n_mentors"])
    flat = array("f")
    with open(path.parent / header["scores"], "rb") as f:
        flat.fromfile(f, n * m)
    if sys.byteorder != "little":
        flat.byteswap()
    rows = [flat[i * m:(i + 1) * m] for i in range(n)]
    return n, m, [int(c) for c in header["capacity"]], rows


def allowed(score: float) -> bool:
    return not math.isinf(score)


def write_result(path: str | Path, **fields) -> None:
    """The adapter's result as JSON, with this process's peak resident memory (MB, on Linux)."""
    try:  # VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec
        status = Path("/proc/self/status").read_text()
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        fields["peak_rss_mb"] = kib / 1024
    except (OSError, StopIteration, ValueError):
        pass
    Path(path).write_text(json.dumps(fields))
