"""Reading a pool written by ``benchmarks/bench_compare.py`` (standard library only).

Shared by the adapter scripts, which run in the external packages' own virtual
environments and so cannot import the workbench or NumPy. A pool is a JSON
header (``n_mentees``, ``n_mentors``, ``capacity``, and file names next to it)
and raw little-endian arrays:

* ``scores`` (score pools): float32, row-major ``[mentee, mentor]``; ``-inf``
  marks a forbidden pair;
* ``mentee_lists`` and ``mentor_lists`` (stated pools): int32, row-major
  ``[mentee, n_mentors]`` and ``[mentor, n_mentees]``, each person's whole
  list of partners in order, most preferred first, padded with -1.
"""

from __future__ import annotations

import json
import math
import sys
from array import array
from pathlib import Path


def _read(path: Path, typecode: str, count: int) -> array:
    flat = array(typecode)
    with open(path, "rb") as f:
        flat.fromfile(f, count)
    if sys.byteorder != "little":
        flat.byteswap()
    return flat


def read_pool(path: str | Path) -> tuple[int, int, list[int], list[array]]:
    """(n_mentees, n_mentors, capacity, rows): ``rows[i][j]`` is the score of mentee i with mentor j
    (no rows when the pool has no scores)."""
    path = Path(path)
    header = json.loads(path.read_text())
    n, m = int(header["n_mentees"]), int(header["n_mentors"])
    rows = []
    if "scores" in header:
        flat = _read(path.parent / header["scores"], "f", n * m)
        rows = [flat[i * m:(i + 1) * m] for i in range(n)]
    return n, m, [int(c) for c in header["capacity"]], rows


def read_lists(path: str | Path) -> tuple[list[list[int]], list[list[int]]] | None:
    """(mentee lists, mentor lists), padding dropped, or None when the pool states no lists."""
    path = Path(path)
    header = json.loads(path.read_text())
    if "mentee_lists" not in header:
        return None
    n, m = int(header["n_mentees"]), int(header["n_mentors"])
    out = []
    for name, rows, width in (("mentee_lists", n, m), ("mentor_lists", m, n)):
        flat = _read(path.parent / header[name], "i", rows * width)
        lists = []
        for r in range(rows):
            row = flat[r * width:(r + 1) * width].tolist()
            end = row.index(-1) if -1 in row else width
            lists.append(row[:end])
        out.append(lists)
    return out[0], out[1]


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
