"""Load the O*NET subset shipped in ``datasets/onet/``.

The subset is produced by ``scripts/build_onet_subset.py`` from the O*NET 23.x
Database (USDOL/ETA, CC BY 4.0; see ``datasets/onet/ATTRIBUTION.md``).

Scales used by O*NET and kept unchanged in the files:

* importance (IM): 1 (not important) to 5 (extremely important);
* level (LV): 0 to 7 (amount of the skill the occupation needs).

The workbench rates people on a 0-5 integer proficiency scale;
:func:`onet_level_to_proficiency` maps an O*NET level onto it linearly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
ONET_DIR = REPO_ROOT / "datasets" / "onet"

ONET_LEVEL_MAX = 7.0
PROFICIENCY_MAX = 5


def _read(name: str, data_dir: Path | None, dtypes: dict[str, str]) -> pd.DataFrame:
    """Read ``name`` from ``data_dir`` (default: the shipped subset) with explicit dtypes."""
    path = Path(data_dir if data_dir is not None else ONET_DIR) / name
    return pd.read_csv(path, dtype=dtypes, keep_default_na=False)


def load_skills(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the 35 O*NET skills: ``skill_id``, ``name``, ``category``, ``element_id``.

    Rows are in O*NET element-id order. ``data_dir`` defaults to ``datasets/onet``.
    """
    return _read("skills.csv", data_dir, {"skill_id": "str", "name": "str", "category": "str", "element_id": "str"})


def load_occupations(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the demo-organisation occupations.

    Columns: ``onet_soc_code``, ``title`` (O*NET title), ``department``,
    ``level_min`` and ``level_max`` (career levels 1-7, 1 = most junior, 6 = head
    of department, 7 = chief executive) and ``headcount_weight`` (relative share
    of headcount, >= 0). Rows are sorted by ``onet_soc_code``.
    """
    return _read(
        "occupations.csv",
        data_dir,
        {
            "onet_soc_code": "str",
            "title": "str",
            "department": "str",
            "level_min": "int64",
            "level_max": "int64",
            "headcount_weight": "float64",
        },
    )


def load_skill_profiles(data_dir: Path | None = None) -> pd.DataFrame:
    """Return one row per occupation x skill with O*NET ratings.

    Columns: ``onet_soc_code``, ``skill_id``, ``element_id``, ``skill_name``,
    ``category``, ``importance`` (O*NET IM mean, 1-5) and ``level`` (O*NET LV
    mean, 0-7). Sorted by occupation code, then element id.
    """
    return _read(
        "skill_profiles.csv",
        data_dir,
        {
            "onet_soc_code": "str",
            "skill_id": "str",
            "element_id": "str",
            "skill_name": "str",
            "category": "str",
            "importance": "float64",
            "level": "float64",
        },
    )


def onet_level_to_proficiency(level: float | np.ndarray | pd.Series) -> float | np.ndarray | pd.Series:
    """Map an O*NET level (0-7, continuous) linearly onto the 0-5 proficiency scale (continuous)."""
    return level * (PROFICIENCY_MAX / ONET_LEVEL_MAX)


def profile_matrix(
    value: str = "level", profiles: pd.DataFrame | None = None, skills: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return an occupation x skill matrix of ``value`` ('level', 0-7, or 'importance', 1-5).

    Index is ``onet_soc_code`` (sorted), columns are ``skill_id`` in element-id order.
    """
    if value not in ("level", "importance"):
        raise ValueError("value must be 'level' or 'importance'")
    profiles = load_skill_profiles() if profiles is None else profiles
    skills = load_skills() if skills is None else skills
    matrix = profiles.pivot(index="onet_soc_code", columns="skill_id", values=value)
    return matrix.loc[sorted(matrix.index), list(skills["skill_id"])]
