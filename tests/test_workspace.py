from pathlib import Path

import pytest
import yaml

from workbench.errors import WorkspaceError
from workbench.workspace import (
    DEMO_SOURCE,
    WORKSPACE_FILE,
    atomic_write_text,
    create_workspace,
    ensure_demo_workspace,
    find_workspace,
    list_workspaces,
    open_workspace,
)


def test_demo_is_copied_once_and_never_edited_in_place(home: Path) -> None:
    demo = ensure_demo_workspace(home)
    assert demo == home / "demo"
    assert (demo / WORKSPACE_FILE).read_bytes() == (DEMO_SOURCE / WORKSPACE_FILE).read_bytes()
    (demo / "marker.txt").write_text("kept")
    ensure_demo_workspace(home)
    assert (demo / "marker.txt").read_text() == "kept"


def test_find_defaults_to_the_demo(home: Path) -> None:
    ws = find_workspace(None)
    assert ws.slug == "demo"
    assert ws.settings.scale == (0, 5)
    assert "gender" in ws.settings.sensitive


def test_create_lists_and_opens_a_workspace(home: Path) -> None:
    created = create_workspace("Acme 2027 pilot")
    assert created.slug == "acme-2027-pilot"
    assert created.name == "Acme 2027 pilot"
    assert created.tables() == []
    assert [w.slug for w in list_workspaces()] == ["demo", "acme-2027-pilot"]
    assert find_workspace("acme-2027-pilot").name == "Acme 2027 pilot"


def test_create_from_demo_copies_its_tables_under_the_new_name(home: Path) -> None:
    created = create_workspace("Copy", copy_demo=True)
    assert created.tables() == sorted(p.stem for p in DEMO_SOURCE.glob("*.csv"))
    assert created.name == "Copy"


@pytest.mark.parametrize("name", ["", "   ", "../escape", "a/b", ".hidden", "x" * 65])
def test_bad_names_are_refused_and_nothing_is_written(home: Path, name: str) -> None:
    with pytest.raises(WorkspaceError, match="cannot name a workspace"):
        create_workspace(name)
    assert sorted(p.name for p in home.iterdir()) == []


def test_an_existing_workspace_is_not_overwritten(home: Path) -> None:
    create_workspace("Twice")
    before = (home / "twice" / WORKSPACE_FILE).read_bytes()
    with pytest.raises(WorkspaceError, match="already exists"):
        create_workspace("twice")
    assert (home / "twice" / WORKSPACE_FILE).read_bytes() == before


def test_unknown_workspace_names_the_problem(home: Path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace.yaml"):
        find_workspace("nowhere")
    with pytest.raises(WorkspaceError, match="not a workspace name"):
        find_workspace("../etc")


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("name: ''\n", "name"),
        ("name: X\nscale: {min: 5, max: 1}\n", "scale"),
        ("name: X\nsensitive: gender\n", "sensitive"),
        ("name: X\nrevision: -1\n", "revision"),
        ("name: X\nschema_version: 99\n", "schema version 99"),
        ("- just\n- a list\n", "mapping"),
        ("name: [unclosed\n", "YAML"),
    ],
)
def test_malformed_settings_name_the_file_and_field(tmp_path: Path, content: str, field: str) -> None:
    (tmp_path / WORKSPACE_FILE).write_text(content)
    with pytest.raises(WorkspaceError) as info:
        open_workspace(tmp_path)
    assert str(tmp_path / WORKSPACE_FILE) in str(info.value)
    assert field in str(info.value)


def test_settings_round_trip_keeps_unknown_fields(tmp_path: Path) -> None:
    (tmp_path / WORKSPACE_FILE).write_text("name: X\nclient: Acme\n")
    ws = open_workspace(tmp_path)
    assert ws.settings.extra == {"client": "Acme"}
    assert yaml.safe_load(yaml.safe_dump(ws.settings.to_dict()))["client"] == "Acme"


def test_row_counts_and_read_table(tmp_path: Path) -> None:
    (tmp_path / WORKSPACE_FILE).write_text("name: X\n")
    (tmp_path / "people.csv").write_text("person_id,exit_date\nP1,\nP2,2025-01-01\n")
    ws = open_workspace(tmp_path)
    assert ws.row_counts() == {"people": 2}
    people = ws.read_table("people")
    assert people["exit_date"].tolist() == ["", "2025-01-01"]
    with pytest.raises(WorkspaceError, match="no skills.csv"):
        ws.read_table("skills")


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("old")


    with pytest.raises(TypeError):
        atomic_write_text(target, 123)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
