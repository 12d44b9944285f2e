"""The decision catalogue covers the design model, option for option, with cited evidence."""

from __future__ import annotations

import datetime
import typing

import pytest
from pydantic import BaseModel

from workbench.design import catalogue
from workbench.design.catalogue import (
    DECISIONS,
    STEPS,
    Decision,
    decision,
    decisions_for,
    describe_value,
    value_of,
)
from workbench.design.model import (
    Align,
    Constraints,
    Eligibility,
    Evaluate,
    Experience,
    Launch,
    Objective,
    ProgramDesign,
)

# Every source the catalogue may cite (EVIDENCE.md); anything else would be an invented study.
KNOWN_SOURCES = (
    "Labin 2017", "Ragins, Cotton & Miller 2000", "Ragins & Cotton 1999", "Eby et al. 2013", "Eby et al. 2008",
    "Allen et al. 2004", "Allen, Eby & Lentz 2006", "Kram 1983", "One mentoring vendor's youth/college data",
    "Sun Microsystems study 2006", "Practitioner rule of thumb", "Ghosh & Reio 2013", "Kirkpatrick levels",
    "Mentoring evaluation practice", "Zachary", "Mentoring platform practice", "Public-sector mentoring network",
    "Users of mentoring platforms", "Mentoring practice", "Assumption",
)


def literal_values(annotation: object) -> list[str]:
    """Every Literal value reachable from a field's type (through Optional, tuples, dicts, nested models)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [v for f in annotation.model_fields.values() for v in literal_values(f.annotation)]
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return list(typing.get_args(annotation))
    if origin is typing.Annotated:
        return literal_values(typing.get_args(annotation)[0])
    return [v for arg in typing.get_args(annotation) for v in literal_values(arg)]


def step_fields() -> list[tuple[str, object]]:
    """(dotted path, annotation) of every field of the five step models, nested models included."""
    found = []

    def walk(prefix: str, model: type[BaseModel]) -> None:
        for name, info in model.model_fields.items():
            found.append((f"{prefix}.{name}", info.annotation))
            if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel):
                walk(f"{prefix}.{name}", info.annotation)

    for step in STEPS:
        walk(step, ProgramDesign.model_fields[step].annotation)
    return found


def annotation_of(path: str) -> object:
    model, annotation = ProgramDesign, None
    for part in path.split("."):
        annotation = model.model_fields[part].annotation
        model = annotation
    return annotation


@pytest.mark.parametrize("item", DECISIONS, ids=lambda d: d.id)
def test_literal_values_are_options_in_model_order(item: Decision) -> None:
    values = literal_values(annotation_of(item.id))
    assert [o.value for o in item.options] == values
    for option in item.options:
        assert option.label.strip() and option.guidance.strip()


def test_every_step_field_is_covered_by_a_decision() -> None:
    ids = {d.id for d in DECISIONS}
    uncovered = [path for path, _ in step_fields()
                 if not any(path == i or path.startswith(i + ".") for i in ids)]
    assert uncovered == []


def test_every_decision_resolves_on_a_default_design() -> None:
    design = ProgramDesign()
    for item in DECISIONS:
        value_of(design, item.id)


def test_ids_steps_and_order() -> None:
    ids = [d.id for d in DECISIONS]
    assert len(ids) == len(set(ids))
    assert [STEPS.index(d.step) for d in DECISIONS] == sorted(STEPS.index(d.step) for d in DECISIONS)
    for item in DECISIONS:
        assert item.id.split(".")[0] == item.step
        assert item.title.strip() and item.question.strip().endswith("?") and item.guidance.strip()
    assert sum(len(decisions_for(step)) for step in STEPS) == len(DECISIONS)
    assert decisions_for("experience")[0].id == "experience.structure"


def test_depends_on_names_decisions_or_data() -> None:
    ids = {d.id for d in DECISIONS}
    for item in DECISIONS:
        for dependency in item.depends_on:
            assert dependency in ids or dependency.startswith("data:"), (item.id, dependency)
            assert dependency != item.id


def test_evidence_is_cited_from_known_sources() -> None:
    for item in DECISIONS:
        assert item.evidence, item.id
        for evidence in item.evidence:
            assert evidence.source.startswith(KNOWN_SOURCES), evidence.source
            assert evidence.finding.strip().endswith(".")


def test_the_catalogue_says_it_is_not_labins_own_list() -> None:
    assert "not taken from Labin's list" in " ".join(catalogue.__doc__.split())


def test_unknown_ids_and_steps_raise_clear_key_errors() -> None:
    with pytest.raises(KeyError, match="experience.structure"):
        decision("experience.structur")
    with pytest.raises(KeyError, match="not an AXLES step"):
        decisions_for("sustain")
    with pytest.raises(KeyError, match="no field 'nope'"):
        value_of(ProgramDesign(), "align.nope")
    assert decision("align.business_problem").step == "align"


def test_value_of_follows_nested_paths() -> None:
    design = ProgramDesign(align=Align(constraints=Constraints(budget=5000)))
    assert value_of(design, "align.constraints.budget") == 5000
    assert value_of(design, "experience.structure") == "one_on_one"


def test_describe_value_of_a_default_design() -> None:
    design = ProgramDesign()
    assert describe_value(design, "experience.structure") == "One-on-one"
    assert describe_value(design, "experience.duration_months") == "9 months"
    assert describe_value(design, "experience.cadence") == "Every two weeks"
    assert describe_value(design, "align.business_problem") == "not decided"
    assert describe_value(design, "align.objectives") == "not decided"
    assert describe_value(design, "align.constraints") == "not decided"
    assert describe_value(design, "align.sponsor") == "not decided"
    assert describe_value(design, "launch.start_date") == "not decided"
    assert describe_value(design, "launch.mentor_join_threshold") == "75%"
    assert describe_value(design, "experience.voluntary") == "yes"
    assert describe_value(design, "experience.hard_rules") == "Not in the management chain"
    assert describe_value(design, "experience.criteria").startswith("Skills 3, Seniority 1")
    assert describe_value(design, "align.mentee_eligibility") == "everyone employed (no filter)"
    assert describe_value(design, "evaluate.replacement_cost_multiple") == "1 × annual salary"
    for item in DECISIONS:
        text = describe_value(design, item.id)
        assert text and "None" not in text and "=" not in text and "((" not in text, (item.id, text)


def test_no_sensitive_attributes_without_the_opt_in_is_a_decision_with_it_an_open_one() -> None:
    assert describe_value(ProgramDesign(), "experience.sensitive_attributes") == "none: no opt-in to sensitive data"
    opted_in = ProgramDesign(experience=Experience(sensitive_opt_in=True))
    assert describe_value(opted_in, "experience.sensitive_attributes") == "not decided"
    chosen = ProgramDesign(experience=Experience(sensitive_opt_in=True, sensitive_attributes=("gender",)))
    assert describe_value(chosen, "experience.sensitive_attributes") == "gender"


def test_describe_value_of_a_filled_in_design() -> None:
    design = ProgramDesign(
        align=Align(
            business_problem="attrition", sponsor="COO",
            mentee_eligibility=Eligibility(departments=("Engineering",), level_min=1, level_max=2,
                                           min_tenure_months=12, performance_column="rating", performance_min=3),
            objectives=(Objective(id="ret", kind="retention", kpi="exit rate (%)", baseline=20.1, target=14,
                                  horizon_months=18),),
            constraints=Constraints(budget=25000, currency="GBP", expected_mentors=1)),
        experience=Experience(mentor_capacity=1, criteria={"skills": 2.5, "affinity": 0}),
        launch=Launch(start_date=datetime.date(2026, 9, 1), communications=("sponsor_message", "town_hall")),
        evaluate=Evaluate(average_salary=55000.5, metrics={"ret": ("exits", "survey")}),
    )
    assert describe_value(design, "align.business_problem") == "Reduce attrition"
    assert describe_value(design, "align.sponsor") == "COO"
    assert describe_value(design, "align.mentee_eligibility") == (
        "Engineering; levels 1-2; at least 12 months in the organisation; rating at least 3")
    assert describe_value(design, "align.objectives") == "ret: exit rate (%) from 20.1 to 14 in 18 months"
    assert describe_value(design, "align.constraints") == "budget 25,000 GBP; 1 mentor expected"
    assert describe_value(design, "experience.mentor_capacity") == "1 mentee"
    assert describe_value(design, "experience.criteria") == "Skills 2.5"
    assert describe_value(design, "launch.start_date") == "2026-09-01"
    assert describe_value(design, "launch.communications") == "Sponsor message, Town hall"
    assert describe_value(design, "evaluate.average_salary") == "55,000.5 GBP a year"
    assert describe_value(design, "evaluate.metrics") == "ret: exits, survey"
