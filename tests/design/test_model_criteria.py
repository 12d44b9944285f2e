"""Criteria a design declares (experience.custom_criteria): saved and loaded as written, refused when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workbench.design import DesignError, ProgramDesign, design_from_yaml, design_to_yaml, load_design, save_design
from workbench.design.model import DesignCriterion
from workbench.workspace import create_workspace

CRITERIA = [
    {"name": "same_site", "kind": "same", "columns": ["site"], "weight": 1.5},
    {"name": "other_unit", "label": "Another business unit", "kind": "different", "columns": ["business_unit"]},
    {"name": "shared_values", "kind": "shared_items", "columns": ["values"], "weight": 3},
    {"name": "experience_close", "kind": "distance", "columns": ["years"], "scale": 10, "weight": 0.5},
    {"name": "working_style", "kind": "similarity", "columns": ["ws1", "ws2", "ws3"], "scale": 4, "weight": 2},
]


def yaml_with(criteria: list[dict], **experience) -> str:
    return yaml.safe_dump({"name": "Graduate program",
                           "experience": {"custom_criteria": criteria, **experience}})


def test_every_kind_survives_save_and_load(tmp_path: Path) -> None:
    design = design_from_yaml(yaml_with(CRITERIA))
    assert [c.kind for c in design.experience.custom_criteria] == ["same", "different", "shared_items", "distance",
                                                                   "similarity"]
    assert design.experience.custom_criteria[1].title == "Another business unit"
    assert design.experience.custom_criteria[2].title == "shared values"
    workspace = save_design(create_workspace("Client", tmp_path), design)
    assert load_design(workspace) == design
    assert design_from_yaml(design_to_yaml(design)) == design
    assert ProgramDesign().experience.custom_criteria == ()  # older design.yaml files load unchanged


@pytest.mark.parametrize(("criterion", "message"), [
    ({"name": "mine", "kind": "distance", "columns": ["years"]}, "the kind Numeric distance needs a scale"),
    ({"name": "mine", "kind": "same", "columns": ["site"], "scale": 2}, "the kind Same value takes no scale"),
    ({"name": "mine", "kind": "same", "columns": ["a", "b"]}, "the kind Same value reads one column, not 2"),
    ({"name": "mine", "kind": "similarity", "columns": ["a", "a"], "scale": 4}, "names a column twice"),
    ({"name": "mine", "kind": "similarity", "columns": [], "scale": 4}, "at least 1 item"),
    ({"name": "skills", "kind": "same", "columns": ["site"]}, "criterion name 'skills' is taken"),
    ({"name": "Shared Values", "kind": "same", "columns": ["site"]}, "should match pattern"),
    ({"name": "mine", "kind": "nearby", "columns": ["site"]}, "input should be 'same', 'different'"),
    ({"name": "mine", "kind": "same", "columns": ["site"], "weight": 11}, "less than or equal to 10"),
])
def test_a_wrong_criterion_is_refused_naming_the_field(criterion: dict, message: str) -> None:
    with pytest.raises(DesignError, match="experience.custom_criteria.0") as error:
        design_from_yaml(yaml_with([criterion]))
    assert message in str(error.value)


def test_a_name_used_twice_is_refused() -> None:
    with pytest.raises(DesignError, match="criterion name 'same_site' is used twice"):
        design_from_yaml(yaml_with([CRITERIA[0], {**CRITERIA[1], "name": "same_site"}]))


def test_a_sensitive_attribute_needs_the_opt_in() -> None:
    gender = {"name": "same_gender", "kind": "same", "columns": ["gender"]}
    with pytest.raises(DesignError, match="'same_gender' reads the sensitive column 'gender', which needs the "
                                          "organisation's opt-in"):
        design_from_yaml(yaml_with([gender], sensitive_attributes=["gender"]))
    design = design_from_yaml(yaml_with([gender], sensitive_attributes=["gender"], sensitive_opt_in=True))
    assert design.experience.custom_criteria == (DesignCriterion(name="same_gender", kind="same",
                                                                 columns=("gender",)),)


def test_the_brief_describes_each_criterion() -> None:
    from workbench.design.catalogue import describe_value

    design = design_from_yaml(yaml_with(CRITERIA[2:]))
    assert describe_value(design, "experience.custom_criteria") == (
        "shared values (shared items of a list of values, weight 3); experience close (numeric distance of years, "
        "scale 10, weight 0.5); working style (similar survey answers of ws1, ws2, ws3, scale 4, weight 2)")
