"""Derive the compact O*NET subset shipped in ``datasets/onet/``.

Reads the unmodified O*NET 23.x Excel release (``Skills.xlsx`` and
``Occupation Data.xlsx``) and writes four files:

``occupations.csv``
    The ~35 occupations of the demo organisation: ``onet_soc_code``, ``title``
    (the O*NET title), ``department`` (demo-organisation department),
    ``level_min``/``level_max`` (career levels 1-7 the title is used at,
    1 = most junior) and ``headcount_weight`` (relative share of headcount).
``skills.csv``
    The 35 O*NET skills: ``skill_id`` (snake_case slug of the element name),
    ``name``, ``category`` (O*NET skill group) and ``element_id``.
``skill_profiles.csv``
    One row per occupation x skill: ``importance`` (O*NET IM scale, 1-5) and
    ``level`` (O*NET LV scale, 0-7), both the published means.
``ATTRIBUTION.md``
    The CC BY 4.0 attribution required by USDOL/ETA.

Usage::

    python scripts/build_onet_subset.py [--source DIR] [--out DIR]

``--source`` defaults to ``../shared/data/onet`` and ``--out`` to
``datasets/onet``, both relative to the repository root (the parent of
``scripts/``). Output is deterministic: same source, same bytes.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

import openpyxl

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "onet"
DEFAULT_OUT = REPO_ROOT / "datasets" / "onet"

#: Demo organisation: (O*NET-SOC 2010 code, department, level_min, level_max,
#: headcount_weight). Levels are career levels, 1 = most junior, 6 = head of a
#: department, 7 = chief executive. Each department has exactly one title whose
#: ``level_max`` is 6 (the department head); the Executive department is led by
#: the chief executive (level 7).
DEMO_ORGANISATION: tuple[tuple[str, str, int, int, float], ...] = (
    ("11-1011.00", "Executive", 7, 7, 0.0),
    ("43-6011.00", "Executive", 1, 4, 0.6),
    ("15-1132.00", "Engineering", 1, 5, 14.0),
    ("15-1133.00", "Engineering", 1, 5, 6.0),
    ("15-1199.01", "Engineering", 1, 4, 4.0),
    ("15-1121.00", "Engineering", 2, 5, 3.0),
    ("15-1141.00", "Engineering", 2, 5, 2.0),
    ("15-1122.00", "Engineering", 2, 5, 2.0),
    ("15-1199.08", "Engineering", 1, 4, 3.0),
    ("15-2041.00", "Engineering", 2, 5, 2.0),
    ("15-1111.00", "Engineering", 3, 5, 1.0),
    ("11-3021.00", "Engineering", 4, 6, 2.5),
    ("41-4011.00", "Sales", 1, 4, 8.0),
    ("41-9031.00", "Sales", 2, 5, 3.0),
    ("11-2022.00", "Sales", 4, 6, 1.2),
    ("13-1161.00", "Marketing", 1, 4, 5.0),
    ("27-3031.00", "Marketing", 1, 4, 1.5),
    ("27-1024.00", "Marketing", 1, 4, 1.5),
    ("11-2021.00", "Marketing", 4, 6, 0.8),
    ("43-3031.00", "Finance", 1, 2, 2.0),
    ("13-2011.01", "Finance", 1, 4, 3.0),
    ("13-2051.00", "Finance", 1, 5, 3.0),
    ("11-3031.02", "Finance", 4, 5, 1.0),
    ("11-3031.01", "Finance", 5, 6, 0.5),
    ("13-1071.00", "People", 1, 4, 3.0),
    ("13-1151.00", "People", 1, 4, 1.5),
    ("11-3121.00", "People", 4, 6, 0.6),
    ("13-1081.00", "Operations", 1, 4, 2.0),
    ("13-1023.00", "Operations", 1, 4, 2.0),
    ("13-1111.00", "Operations", 2, 5, 1.5),
    ("11-3011.00", "Operations", 4, 6, 0.6),
    ("43-4051.00", "Customer Support", 1, 3, 10.0),
    ("15-1151.00", "Customer Support", 1, 4, 5.0),
    ("43-1011.00", "Customer Support", 3, 5, 1.5),
    ("11-1021.00", "Customer Support", 4, 6, 0.5),
)

#: O*NET skill groups by element-id prefix (Content Model 2.A / 2.B).
SKILL_CATEGORIES: dict[str, str] = {
    "2.A.1": "Basic: content",
    "2.A.2": "Basic: process",
    "2.B.1": "Social",
    "2.B.2": "Complex problem solving",
    "2.B.3": "Technical",
    "2.B.4": "Systems",
    "2.B.5": "Resource management",
}

ATTRIBUTION = (
    "This product includes information from the O*NET 23.x Database by the U.S. "
    "Department of Labor, Employment and Training Administration (USDOL/ETA), used "
    "under the CC BY 4.0 license. USDOL/ETA has not approved, endorsed, or tested "
    "these modifications.\n"
    "\n"
    "Derived files: `skills.csv` lists the 35 O*NET skills with a snake_case id and a "
    "category from the element-id prefix; `skill_profiles.csv` keeps only the importance "
    "(IM, 1-5) and level (LV, 0-7) means from `Skills.xlsx` for the 35 occupations in "
    "`occupations.csv`, whose titles come from `Occupation Data.xlsx` and whose "
    "department, level range and headcount weight are invented for a fictional demo "
    "organisation; all other columns were dropped. Regenerate with "
    "`scripts/build_onet_subset.py`.\n"
)


def skill_slug(name: str) -> str:
    """Return the snake_case id of an O*NET element name ('Critical Thinking' -> 'critical_thinking')."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def skill_category(element_id: str) -> str:
    """Return the readable O*NET skill group for an element id such as '2.B.3.e'."""
    prefix = ".".join(element_id.split(".")[:3])
    return SKILL_CATEGORIES[prefix]


def _read_sheet(path: Path) -> list[dict[str, object]]:
    """Read the first worksheet of an .xlsx file into a list of row dicts keyed by header."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(h) for h in next(rows)]
        return [dict(zip(header, row)) for row in rows]
    finally:
        workbook.close()


def _csv_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    """Serialise rows as UTF-8 CSV with '\\n' line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def build_subset(source: Path, out_dir: Path) -> list[Path]:
    """Derive the demo subset from the O*NET release in ``source`` into ``out_dir``.

    Raises ``ValueError`` if a demo occupation code is missing from either source
    file or lacks a rating for any of the 35 skills. Returns the written paths.
    """
    source = Path(source)
    out_dir = Path(out_dir)
    codes = [row[0] for row in DEMO_ORGANISATION]
    wanted = set(codes)

    titles: dict[str, str] = {}
    for row in _read_sheet(source / "Occupation Data.xlsx"):
        code = str(row["O*NET-SOC Code"])
        if code in wanted:
            titles[code] = str(row["Title"]).strip()
    missing = sorted(wanted - set(titles))
    if missing:
        raise ValueError(f"occupation codes not in Occupation Data.xlsx: {missing}")

    skill_names: dict[str, str] = {}
    ratings: dict[tuple[str, str, str], float] = {}
    for row in _read_sheet(source / "Skills.xlsx"):
        element_id = str(row["Element ID"])
        skill_names[element_id] = str(row["Element Name"]).strip()
        code = str(row["O*NET-SOC Code"])
        if code in wanted:
            ratings[(code, element_id, str(row["Scale ID"]))] = float(row["Data Value"])

    element_ids = sorted(skill_names)
    slugs = {e: skill_slug(skill_names[e]) for e in element_ids}
    if len(set(slugs.values())) != len(slugs):
        raise ValueError("skill slugs are not unique")

    profile_rows: list[list[object]] = []
    for code in sorted(codes):
        for e in element_ids:
            try:
                importance = ratings[(code, e, "IM")]
                level = ratings[(code, e, "LV")]
            except KeyError as exc:
                raise ValueError(f"no {exc.args[0][2]} rating for {code} / {e}") from exc
            profile_rows.append(
                [code, slugs[e], e, skill_names[e], skill_category(e), f"{importance:.2f}", f"{level:.2f}"]
            )

    files = {
        "occupations.csv": _csv_bytes(
            ["onet_soc_code", "title", "department", "level_min", "level_max", "headcount_weight"],
            [
                [code, titles[code], dept, lo, hi, f"{weight:g}"]
                for code, dept, lo, hi, weight in sorted(DEMO_ORGANISATION)
            ],
        ),
        "skills.csv": _csv_bytes(
            ["skill_id", "name", "category", "element_id"],
            [[slugs[e], skill_names[e], skill_category(e), e] for e in element_ids],
        ),
        "skill_profiles.csv": _csv_bytes(
            ["onet_soc_code", "skill_id", "element_id", "skill_name", "category", "importance", "level"],
            profile_rows,
        ),
        "ATTRIBUTION.md": ATTRIBUTION.encode("utf-8"),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = out_dir / name
        path.write_bytes(content)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="folder with the O*NET .xlsx files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    for path in build_subset(args.source, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
