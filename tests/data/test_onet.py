"""Tests for the shipped O*NET subset and its loader."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from workbench.data import onet

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "build_onet_subset.py"
ATTRIBUTION = (
    "This product includes information from the O*NET 23.x Database by the U.S. Department of Labor, "
    "Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license. USDOL/ETA has "
    "not approved, endorsed, or tested these modifications."
)


def _build_module():
    spec = importlib.util.spec_from_file_location("build_onet_subset", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_skills_are_the_35_onet_skills():
    skills = onet.load_skills()
    assert len(skills) == 35
    assert list(skills.columns) == ["skill_id", "name", "category", "element_id"]
    assert skills["skill_id"].is_unique and skills["element_id"].is_unique
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", s) for s in skills["skill_id"])
    assert {"critical_thinking", "programming", "management_of_personnel_resources"} <= set(skills["skill_id"])
    assert skills.groupby("category").size().to_dict() == {
        "Basic: content": 6,
        "Basic: process": 4,
        "Complex problem solving": 1,
        "Resource management": 4,
        "Social": 6,
        "Systems": 3,
        "Technical": 11,
    }


def test_every_occupation_has_a_full_profile():
    occupations = onet.load_occupations()
    profiles = onet.load_skill_profiles()
    assert 25 <= len(occupations) <= 35
    assert occupations["onet_soc_code"].is_unique
    assert all(re.fullmatch(r"\d{2}-\d{4}\.\d{2}", c) for c in occupations["onet_soc_code"])
    counts = profiles.groupby("onet_soc_code").size()
    assert set(counts.index) == set(occupations["onet_soc_code"])
    assert (counts == 35).all()
    assert profiles["importance"].between(1, 5).all()
    assert profiles["level"].between(0, 7).all()
    assert not profiles.duplicated(["onet_soc_code", "skill_id"]).any()
    skills = onet.load_skills().set_index("skill_id")
    assert (profiles["element_id"].to_numpy() == skills.loc[profiles["skill_id"], "element_id"].to_numpy()).all()


def test_demo_organisation_design():
    occupations = onet.load_occupations()
    assert (occupations["level_min"] <= occupations["level_max"]).all()
    assert occupations["level_min"].ge(1).all() and occupations["level_max"].le(7).all()
    assert (occupations["level_max"] == 7).sum() == 1
    heads = occupations[occupations["level_max"] == 6]
    departments = set(occupations["department"]) - {"Executive"}
    assert 6 <= len(departments) <= 8
    assert sorted(heads["department"]) == sorted(departments)
    assert (occupations["headcount_weight"] >= 0).all()


def test_level_mapping_and_matrix():
    assert onet.onet_level_to_proficiency(0.0) == 0.0
    assert onet.onet_level_to_proficiency(7.0) == pytest.approx(5.0)
    assert np.allclose(onet.onet_level_to_proficiency(np.array([3.5])), [2.5])
    matrix = onet.profile_matrix("importance")
    assert matrix.shape == (len(onet.load_occupations()), 35)
    assert list(matrix.columns) == list(onet.load_skills()["skill_id"])
    with pytest.raises(ValueError):
        onet.profile_matrix("mean")


def test_attribution():
    text = (onet.ONET_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert text.startswith(ATTRIBUTION)
    assert "derived" in text.lower() or "Derived" in text


def test_shipped_subset_matches_build(tmp_path):
    module = _build_module()
    if not (module.DEFAULT_SOURCE / "Skills.xlsx").exists():
        pytest.skip("O*NET source files not available")
    written = module.build_subset(module.DEFAULT_SOURCE, tmp_path)
    assert {p.name for p in written} == {"occupations.csv", "skills.csv", "skill_profiles.csv", "ATTRIBUTION.md"}
    for path in written:
        assert path.read_bytes() == (onet.ONET_DIR / path.name).read_bytes(), path.name


def test_build_helpers():
    module = _build_module()
    assert module.skill_slug("Management of Financial Resources") == "management_of_financial_resources"
    assert module.skill_category("2.B.3.e") == "Technical"
    assert module.skill_category("2.A.1.a") == "Basic: content"
    assert module.DEFAULT_SOURCE == REPO_ROOT.parent / "shared" / "data" / "onet"
