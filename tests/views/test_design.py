from pathlib import Path

import pytest
from ipywidgets import HTML, Label, ValueWidget

from workbench.design import load_design
from workbench.design.catalogue import DECISIONS
from workbench.views.design import (
    CriteriaEditor,
    DecisionCard,
    DesignPage,
    ObjectivesEditor,
    parse_number,
)
from workbench.views.shell import open_page
from workbench.workspace import find_workspace, save_files


def page_for(steps: tuple[str, ...], notebook: str = "01_align") -> DesignPage:
    context, _ = open_page(notebook)
    return DesignPage(context, steps)


def card(page: DesignPage, decision_id: str) -> DecisionCard:
    return next(c for c in page.cards if c.decision.id == decision_id)


def test_every_decision_has_a_card_with_an_editor(home: Path) -> None:
    pages = [page_for(("align",)), page_for(("experience",)), page_for(("launch", "evaluate", "support"))]
    shown = {c.decision.id for p in pages for c in p.cards}
    assert shown == {d.id for d in DECISIONS}


def test_editing_a_decision_changes_the_design_and_reruns_the_findings(home: Path) -> None:
    page = page_for(("experience",), "02_experience")
    page.session.set(("align", "business_problem"), "leadership_pipeline")
    assert not any(f.check == "duration_short" for f in page.session.findings)
    duration = card(page, "experience.duration_months").editor.widget
    duration.value = 3
    assert page.session.design.experience.duration_months == 3
    assert page.session.dirty and "Unsaved changes" in page.status.value
    assert "duration_short" in page.findings.cards.value


def test_a_refused_value_is_explained_next_to_the_field(home: Path) -> None:
    page = page_for(("experience",), "02_experience")
    card(page, "experience.meeting_minutes").editor.widget.value = 5
    assert "Meeting minutes: must be at least 10" in card(page, "experience.meeting_minutes").error.value
    assert page.session.design.experience.meeting_minutes == 45


def test_filters_and_quotas_are_edited_in_their_short_form(home: Path) -> None:
    page = page_for(("align", "launch"))
    filters = card(page, "align.mentee_eligibility").editor.editors["filters"].widget
    filters.value = "location=London|Berlin; level:>=2"
    rule = page.session.design.align.mentee_eligibility
    assert [f.text() for f in rule.filters] == ["location=London|Berlin", "level:>=2"]
    selection = card(page, "launch.selection")
    assert ("Lottery", "lottery") in selection.editor.editors["method"].widget.options
    selection.editor.editors["quotas"].widget.value = "department:<=30%; department=Sales:>=5"
    assert [q.text() for q in page.session.design.launch.selection.quotas] == ["department:<=30%",
                                                                              "department=Sales:>=5"]
    selection.editor.editors["quotas"].widget.value = "department:=3"
    assert "the bound '=3' is not" in selection.error.value.replace("&#x27;", "'")
    assert len(page.session.design.launch.selection.quotas) == 2
    selection.refresh()
    assert selection.editor.editors["quotas"].widget.value == "department:<=30%; department=Sales:>=5"


def test_decisions_that_do_not_apply_are_hidden(home: Path) -> None:
    page = page_for(("experience",), "02_experience")
    group_size = card(page, "experience.group_size")
    assert group_size.layout.display == "none"
    card(page, "experience.structure").editor.widget.value = "group"
    assert group_size.layout.display is None


def test_pilot_fields_show_only_for_the_design_chosen(home: Path) -> None:
    page = page_for(("launch",), "06_launch_and_support")
    pilot = card(page, "launch.pilot").editor

    def visible() -> list[str]:
        return [name for name, row in pilot.rows.items() if row.layout.display != "none"]

    assert visible() == ["design"]  # open enrolment draws nothing
    pilot.editors["design"].widget.value = "waitlist"
    assert visible() == ["design", "places", "seed"]
    assert page.session.design.launch.pilot.design == "waitlist"
    pilot.editors["design"].widget.value = "stepped_wedge"
    assert visible() == ["design", "cluster_column", "steps", "months_per_step", "seed"]
    assert "blank = the pilot size" in pilot.rows["places"].children[0].value
    card(page, "launch.pilot").refresh()  # shown again from the design, as after a reload
    assert visible() == ["design", "cluster_column", "steps", "months_per_step", "seed"]


def test_objectives_can_be_added_and_edited(home: Path) -> None:
    page = page_for(("align",))
    editor = card(page, "align.objectives").editor
    assert isinstance(editor, ObjectivesEditor)
    editor.add_button.click()
    row = editor.rows.children[0]
    statement = row.children[0].children[1]
    kpi, kind, goal = row.children[1].children
    statement.value = "Cut junior regretted exits"
    kpi.value = "annual exit rate of level 1-2 (%)"
    kind.value = "retention"
    goal.value = "retain_junior_engineers"
    baseline, target, horizon = row.children[2].children
    baseline.value, target.value, horizon.value = "18", "14", "12"
    [objective] = page.session.design.align.objectives
    assert (objective.id, objective.kind, objective.baseline, objective.target, objective.horizon_months) == (
        "O1", "retention", 18.0, 14.0, 12)
    scope, group = row.children[3].children
    scope.value = "department=Engineering; level:>=1,<=2"
    group.value = "gender=woman"
    [objective] = page.session.design.align.objectives
    assert [f.text() for f in objective.scope.filters] == ["department=Engineering", "level:>=1,<=2"]
    assert objective.group.text() == "gender=woman" and objective.scope.departments == ()
    editor.add_button.click()  # the rows are drawn again from the design's values
    assert editor.rows.children[0].children[3].children[0].value == "department=Engineering; level:>=1,<=2"
    assert "Measured on: department Engineering; level 1-2" in editor.rows.children[0].children[4].value


def test_saving_writes_design_yaml_and_another_page_reads_it(home: Path) -> None:
    page = page_for(("align",))
    card(page, "align.business_problem").editor.widget.value = "attrition"
    card(page, "align.business_problem").rationale.value = "Junior attrition costs the most."
    page.save_button.click()
    assert "Design saved" in page.notice.value
    assert load_design(find_workspace("demo")).align.business_problem == "attrition"
    other = page_for(("launch", "evaluate", "support"), "06_launch_and_support")
    assert other.session.design.rationale["align.business_problem"] == "Junior attrition costs the most."
    assert "Saved (design revision 1)" in other.status.value


def test_a_save_from_a_stale_page_is_refused_with_its_edits_kept_and_re_applied(home: Path) -> None:
    first, second = page_for(("align",)), page_for(("align",))
    card(first, "align.sponsor").editor.widget.value = "CFO"
    first.save_button.click()
    card(second, "align.sponsor").editor.widget.value = "CEO"
    card(second, "align.business_problem").editor.widget.value = "leadership_pipeline"
    second.save_button.click()
    assert "changed elsewhere" in second.notice.value and "Your changes are still on this page" in second.notice.value
    assert load_design(find_workspace("demo")).align.sponsor == "CFO"
    assert second.session.dirty and second.session.design.align.sponsor == "CEO"  # the edits are kept
    assert second.reapply_button.layout.display is None
    # another page saves the design again meanwhile: a decision this page did not touch
    card(first, "align.owner").editor.widget.value = "HR business partner"
    first.save_button.click()
    second.reapply_button.click()
    design = second.session.design
    assert (design.align.sponsor, design.align.business_problem) == ("CEO", "leadership_pipeline")
    assert design.align.owner == "HR business partner"  # the other save's change is kept
    assert "Changed elsewhere too, now with your value: Sponsor." in second.notice.value
    assert card(second, "align.sponsor").editor.widget.value == "CEO"
    second.save_button.click()
    assert "Design saved" in second.notice.value
    saved = load_design(find_workspace("demo"))
    assert (saved.align.sponsor, saved.align.owner) == ("CEO", "HR business partner")


def test_undo_takes_back_this_pages_design_not_another_pages_save(home: Path) -> None:
    page = page_for(("align",))
    card(page, "align.sponsor").editor.widget.value = "CFO"
    page.save_button.click()
    workspace = find_workspace("demo")
    save_files(workspace, {"results/matching.csv": "mentee_id,mentor_id\n", "results/matching.yaml": "x: 1\n"},
               message="save the matching")  # the Matching page, in another tab, saves after
    page.undo_button.click()
    assert "Undone: save the design" in page.notice.value
    assert page.session.design.align.sponsor == "" and card(page, "align.sponsor").editor.widget.value == ""
    assert (workspace.path / "results" / "matching.csv").is_file()


@pytest.mark.parametrize(("text", "kind", "expected"), [
    ("", int, None), (" 12 ", int, 12), ("2.5", int, "2.5"), ("1,500", float, 1500.0), ("abc", float, "abc"),
    ("3", float, 3.0)])
def test_parse_number(text: str, kind: type, expected: object) -> None:
    assert parse_number(text, kind) == expected


def test_the_brief_is_prepared_as_download_links(home: Path) -> None:
    import base64
    import re as regex

    page = page_for(("align",))
    card(page, "align.sponsor").editor.widget.value = "Chief People Officer"
    page.brief.button.click()
    links = regex.findall(r'href="data:text/html;charset=utf-8;base64,([^"]+)"', page.brief.links.value)
    document = base64.b64decode(links[0]).decode("utf-8")
    assert "Chief People Officer" in document and "<svg" in document
    assert "not saved yet" in page.brief.notice.value
    assert 'download="demo-organisation-mentoring-program-brief.md"' in page.brief.links.value


def test_guidance_names_what_a_decision_depends_on() -> None:
    from workbench.design.catalogue import decision
    from workbench.views.design import _guidance_html

    text = _guidance_html(decision("experience.mentor_capacity"))
    assert "Depends on:" in text and "enrolment data" in text
    assert "(Assumption)" in text or "<b>Evidence</b>" in text


def test_each_card_says_how_the_outcome_model_uses_the_decision_or_that_it_does_not(home: Path) -> None:
    from workbench.simulate.mechanisms import MECHANISMS

    page = page_for(("experience",), "02_experience")
    for c in page.cards:
        mechanism = MECHANISMS[c.decision.id]
        notes = [child.value for child in c.children if isinstance(child, HTML) and "wb-not-modelled" in child.value]
        guidance = c.why.children[0].children[0].value
        if mechanism.modelled:
            assert not notes and "In the outcome model (What-if):" in guidance, c.decision.id
        else:  # shown beside the decision, not folded away
            assert len(notes) == 1 and "Not quantified by the outcome model." in notes[0], c.decision.id
    fmt = card(page, "experience.meeting_format")
    assert any(isinstance(child, HTML) and "simulated alike" in child.value for child in fmt.children)


def test_criteria_of_the_design_are_added_on_the_experience_page(home: Path) -> None:
    page = page_for(("experience",), "02_experience")
    editor = card(page, "experience.custom_criteria").editor
    assert isinstance(editor, CriteriaEditor)
    assert "location" in editor.widget.children[-1].value  # the data's columns, as a hint
    editor.add_button.click()
    # a new row has no column yet: said in the card's words, not as the model's path and type
    assert "Custom criteria, row 1, columns: give at least one" in card(page, "experience.custom_criteria").error.value
    assert "custom_criteria" not in card(page, "experience.custom_criteria").error.value
    (name, label, _), (kind, columns, scale), weight = (c.children if hasattr(c, "children") else c
                                                           for c in editor.rows.children[0].children)
    name.value = "Bad name!"
    kind.value = "distance"
    columns.value = "level"
    assert "name: use lower-case letters, digits and _" in card(page, "experience.custom_criteria").error.value
    name.value = "tenure_close"
    assert "the kind Numeric distance needs a scale" in card(page, "experience.custom_criteria").error.value
    scale.value = "-5"
    assert "scale: must be above 0" in card(page, "experience.custom_criteria").error.value
    assert page.session.design.experience.custom_criteria == ()
    scale.value = "2"
    weight.value = 2.5
    label.value = "Seniority, close"
    [criterion] = page.session.design.experience.custom_criteria
    assert (criterion.name, criterion.kind, criterion.columns, criterion.scale, criterion.weight, criterion.title) == (
        "tenure_close", "distance", ("level",), 2.0, 2.5, "Seniority, close")
    assert card(page, "experience.custom_criteria").error.value == ""
    columns.value = "no_such_column"
    assert "neither the enrolment nor people.csv has" in page.findings.cards.value
    editor.rows.children[0].children[0].children[2].click()  # Remove
    assert page.session.design.experience.custom_criteria == ()


@pytest.mark.parametrize("notebook, decision_id", [("02_experience", "experience.custom_criteria"),
                                                   ("01_align", "align.objectives")])
def test_every_field_of_a_row_editor_has_a_visible_label(home: Path, notebook: str, decision_id: str) -> None:
    page = page_for((decision_id.split(".")[0],), notebook)
    editor = card(page, decision_id).editor
    editor.add_button.click()

    def fields(widget):
        for child in getattr(widget, "children", ()):
            yield from fields(child)
        if isinstance(widget, ValueWidget) and not isinstance(widget, (HTML, Label)):
            yield widget

    found = list(fields(editor.rows))
    assert len(found) >= 6
    # a placeholder disappears as soon as someone types: each field is named by its description (a <label>)
    assert all(f.description.strip() for f in found), [f.placeholder for f in found if not f.description.strip()]


def test_an_edit_the_latest_design_refuses_is_not_lost(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pydantic

    import workbench.sessions.design as module

    class Refuses(pydantic.BaseModel):
        number: int

    def refusing_replace(design, path, value):  # as the model refuses an edit that no longer fits the design
        return Refuses.model_validate({"number": "many"})

    first, second = page_for(("align",)), page_for(("align",))
    card(first, "align.sponsor").editor.widget.value = "CFO"
    first.save_button.click()
    card(second, "align.sponsor").editor.widget.value = "CEO"
    second.save_button.click()  # refused: stale
    monkeypatch.setattr(module, "_replace", refusing_replace)
    second.reapply_button.click()
    assert "cannot be made on the latest design" in second.notice.value
    assert second.session.design.align.sponsor == "CEO" and second.session.dirty  # the edits are still here
