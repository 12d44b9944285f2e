"""design.yaml: any design the model accepts survives save and load; bad files name the field."""

from __future__ import annotations

import datetime
import types
import typing
from pathlib import Path

import annotated_types as at
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from tests import with_a_wrong_value
from tests.strategies import billion_laughs
from workbench.design import DesignError, ProgramDesign, design_from_yaml, design_to_yaml, load_design, save_design
from workbench.workspace import create_workspace, history, open_workspace, undo

def bounds(metadata: list) -> dict:
    found = {}
    for item in metadata:
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
            if getattr(item, name, None) is not None:
                found[name] = getattr(item, name)
        if isinstance(item, at.MaxLen):
            found["max_length"] = item.max_length
    return found


def values_for(annotation: object, metadata: list = ()) -> st.SearchStrategy:
    """Values of a model field's type, within its declared bounds (found from the model, not written again)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        extra = [m for a in args[1:] for m in (a.metadata if isinstance(a, FieldInfo) else [a])]
        return values_for(args[0], [*metadata, *extra])
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(values_for(a, metadata) for a in args))
    if annotation is type(None):
        return st.none()
    if origin is typing.Literal:
        return st.sampled_from(args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return st.fixed_dictionaries({name: values_for(info.annotation, info.metadata)
                                      for name, info in annotation.model_fields.items()})
    limits = bounds(list(metadata))
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(limits.get("ge", limits.get("gt", -10**6 - 1) + 1), limits.get("le", 10**6))
    if annotation is float:
        return st.floats(limits.get("ge", -1e9), limits.get("le", 1e9), allow_nan=False)
    if annotation is str and "pattern" in limits:
        return st.from_regex(limits["pattern"], fullmatch=True).filter(lambda t: len(t) <= limits.get("max_length", 99))
    if annotation is str:
        return st.text(max_size=min(limits.get("max_length", 30), 30)).filter(
            lambda t: limits.get("min_length", 0) <= len(t))
    if annotation is datetime.date:
        return st.dates()
    if origin is tuple:
        return st.lists(values_for(args[0]), max_size=3).map(tuple)
    if origin is dict:
        return st.dictionaries(values_for(args[0]), values_for(args[1]), max_size=3)
    raise TypeError(annotation)


def accepted_designs() -> st.SearchStrategy:
    """Designs the model accepts, with every field drawn from its own type and bounds."""

    def accept(data: dict) -> ProgramDesign | None:
        try:
            return ProgramDesign.model_validate(data)
        except ValidationError:
            return None  # refused by a cross-field rule (level_min above level_max, ...)

    return values_for(ProgramDesign).map(accept).filter(lambda d: d is not None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(accepted_designs())
def test_any_accepted_design_survives_save_and_load(design: ProgramDesign) -> None:
    text = design_to_yaml(design)
    again = design_from_yaml(text)
    assert again == design
    assert design_to_yaml(again) == text


def test_save_and_load_through_the_workspace(home: Path) -> None:
    ws = create_workspace("Design store")
    assert load_design(ws).name == "Design store mentoring program"
    design = ProgramDesign(name="Pilot", rationale={"experience.structure": "Few mentors: start with groups."})
    saved = save_design(ws, design)
    assert load_design(open_workspace(saved.path)) == design
    assert history(saved)[0].message == "save the design"
    undo(saved)
    assert not (ws.path / "design.yaml").exists()


@pytest.mark.parametrize(("text", "fields"), [
    ("experience:\n  duration_months: 0\n", ["experience.duration_months", "greater than or equal to 1"]),
    ("experience:\n  strucure: group\n", ["experience.strucure", "not a field of the design"]),
    ("experience:\n  structure: pyramid\n", ["experience.structure", "'pyramid'"]),
    ("align:\n  objectives:\n  - id: O1\n    horizon_months: forever\n",
     ["align.objectives.0.horizon_months", "'forever'"]),
    ("align:\n  mentee_eligibility:\n    level_min: 5\n    level_max: 2\n", ["align.mentee_eligibility", "level_min"]),
    ("launch:\n  start_date: 2027-02-30\n", ["launch.start_date"]),
    ("schema_version: 7\n", ["schema_version"]),
    ("- a list\n", ["expected a mapping"]),
    ("align: [unclosed\n", ["not valid YAML at line 2"]),
    ("align: " + "[" * 5000 + "]" * 5000 + "\n", ["not valid YAML", "nested too deeply"]),  # a RecursionError before
])
def test_malformed_design_files_name_the_field(text: str, fields: list[str]) -> None:
    with pytest.raises(DesignError) as info:
        design_from_yaml(text)
    message = str(info.value)
    assert message.startswith("design.yaml")
    for part in fields:
        assert part in message


@pytest.mark.parametrize("key", ["name", "rationale", "unknown"])
def test_a_yaml_bomb_is_named_in_a_short_message(key: str) -> None:
    # 9**6 items once written out: the message quoted them all (1.1 MB; nine levels took minutes and gigabytes)
    with pytest.raises(DesignError) as info:
        design_from_yaml(billion_laughs(6, key=key))
    assert str(info.value).startswith("design.yaml") and key in str(info.value) and len(str(info.value)) < 2_000


def test_a_malformed_file_in_a_workspace_is_reported_not_replaced(home: Path) -> None:
    ws = create_workspace("Broken design")
    (ws.path / "design.yaml").write_text("experience:\n  cadence: yearly\n", encoding="utf-8")
    with pytest.raises(DesignError, match="experience.cadence"):
        load_design(ws)
    assert (ws.path / "design.yaml").read_text(encoding="utf-8") == "experience:\n  cadence: yearly\n"


def test_yaml_is_plain_and_readable() -> None:
    data = yaml.safe_load(design_to_yaml(ProgramDesign()))
    assert list(data) == ["schema_version", "name", "align", "experience", "launch", "evaluate", "support",
                          "rationale"]
    assert data["experience"]["structure"] == "one_on_one"


@settings(max_examples=200, deadline=None)
@given(case=with_a_wrong_value(ProgramDesign(name="Pilot").model_dump(mode="json")))
def test_any_wrong_type_in_a_design_file_is_named_with_its_field(case) -> None:
    document, path, value = case
    try:
        design_from_yaml(yaml.safe_dump(document), source="design.yaml")
    except DesignError as exc:
        # the field's place (align.constraints...) and its name: a rule across two fields names both
        assert str(exc).startswith("design.yaml") and ".".join(map(str, path[:-1])) in str(exc)
        named = [str(path[-1])] + (list(value) if isinstance(value, dict) else [])
        assert any(n in str(exc) or repr(n) in str(exc) for n in named), (path, exc)
