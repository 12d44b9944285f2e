from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from tests import with_a_wrong_value
from tests.strategies import billion_laughs
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
    # the data only: the demo's design, scenarios and saved results stay with the demo
    assert (DEMO_SOURCE / "design.yaml").is_file() and (DEMO_SOURCE / "results").is_dir()
    assert sorted(p.name for p in created.path.iterdir() if not p.name.startswith(".")) == sorted(
        [f"{t}.csv" for t in created.tables()] + ["workspace.yaml"])


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
        ("name: X\nscale: {min: false, max: true}\n", "scale"),
        ("name: X\nscale: [0, 5]\n", "scale"),
        ("name: 7\n", "name"),
        ("name: X\nrevision: true\n", "revision"),
        ("name: X\nrevision: '3'\n", "revision"),
        ("name: X\nschema_version: 1.0\n", "schema_version"),
        ("name: X\nsensitive: [1, 2]\n", "sensitive"),
        ("name: X\nsensitive: gender\n", "sensitive"),
        ("name: X\nrevision: -1\n", "revision"),
        ("name: X\nschema_version: 99\n", "field 'schema_version' is 99"),
        ("- just\n- a list\n", "mapping"),
        ("name: [unclosed\n", "YAML"),
        ("name: " + "[" * 5000 + "]" * 5000 + "\n", "not readable as YAML"),  # a RecursionError before
    ],
)
def test_malformed_settings_name_the_file_and_field(tmp_path: Path, content: str, field: str) -> None:
    (tmp_path / WORKSPACE_FILE).write_text(content)
    with pytest.raises(WorkspaceError) as info:
        open_workspace(tmp_path)
    assert str(tmp_path / WORKSPACE_FILE) in str(info.value)
    assert field in str(info.value)


@pytest.mark.parametrize("key", ["name", "scale", "sensitive", "revision", "revisions", "schema_version"])
def test_a_yaml_bomb_in_the_settings_is_named_in_a_short_message(tmp_path: Path, key: str) -> None:
    # 9**6 items once written out: the message quoted them all (1.1 MB; nine levels took minutes and gigabytes)
    text = billion_laughs(6, key=key) + ("" if key == "name" else "name: X\n")
    (tmp_path / WORKSPACE_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(WorkspaceError) as info:
        open_workspace(tmp_path)
    assert f"field '{key}'" in str(info.value) and len(str(info.value)) < 2_000


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
    people = read_workspace_table(ws, "people")
    assert people["exit_date"].tolist() == ["", "2025-01-01"]
    with pytest.raises(WorkspaceError, match="no skills.csv"):
        read_workspace_table(ws, "skills")


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("old")


    with pytest.raises(TypeError):
        atomic_write_text(target, 123)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]
    atomic_write_text(target, "new")
    assert target.read_text() == "new"


# --- saving, history, undo, migration -------------------------------------------------

import pandas as pd  # noqa: E402

from workbench import workspace as workspace_module  # noqa: E402
from workbench.workspace import (  # noqa: E402
    KEEP_VERSIONS,
    StaleWorkspaceError,
    history,
    save_files,
    undo,
)


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def test_save_bumps_the_revision_and_keeps_the_old_file(home: Path) -> None:
    ws = create_workspace("Saves")
    saved = save_table(ws, "skills", pd.DataFrame({"skill_id": ["s1"], "name": ["Coaching"], "category": ["x"]}))
    assert saved.settings.revision == ws.settings.revision + 1
    assert (saved.path / "skills.csv").read_text() == "skill_id,name,category\ns1,Coaching,x\n"
    [version] = history(saved)
    assert version.revision == ws.settings.revision and version.files == {"skills.csv": False}


def test_a_save_from_a_stale_revision_is_refused_and_changes_nothing(home: Path) -> None:
    first_tab = create_workspace("Two tabs")
    second_tab = open_workspace(first_tab.path)
    save_files(first_tab, {"notes.txt": "first"}, message="first tab")
    before = files_of(first_tab.path)
    with pytest.raises(StaleWorkspaceError, match="changed elsewhere"):
        save_files(second_tab, {"notes.txt": "second"}, message="second tab")
    assert files_of(first_tab.path) == before


@pytest.mark.parametrize("in_the_way", ["people.csv", "results"])
def test_a_save_whose_file_or_folder_is_in_the_way_changes_nothing(home: Path, in_the_way: str) -> None:
    ws = create_workspace("In the way")
    if in_the_way == "results":
        (ws.path / "results").write_text("a file where the folder of results goes")
    else:
        (ws.path / in_the_way).mkdir()
    name = "people.csv" if in_the_way == "people.csv" else "results/matching.csv"
    with pytest.raises(WorkspaceError, match=f"Cannot save {name} .*{in_the_way} is a (folder|file)") as info:
        save_files(ws, {name: "person_id\nP1\n"}, message="save")
    assert str(home) not in str(info.value)
    assert history(ws) == [] and open_workspace(ws.path).settings.revision == ws.settings.revision


def test_undo_walks_back_through_saves_and_removes_created_files(home: Path) -> None:
    ws = create_workspace("Undo")
    original = files_of(ws.path)
    ws = save_files(ws, {"a.csv": "x\n1\n"}, message="one")
    ws = save_files(ws, {"a.csv": "x\n2\n"}, message="two")
    assert [v.message for v in history(ws)] == ["two", "one"]
    ws = undo(ws)
    assert (ws.path / "a.csv").read_text() == "x\n1\n"
    ws = undo(ws)
    assert not (ws.path / "a.csv").exists()
    assert {k: v for k, v in files_of(ws.path).items() if k != "workspace.yaml"} == \
        {k: v for k, v in original.items() if k != "workspace.yaml"}
    assert ws.settings.revision == 4  # undo is a save too: revisions never go back
    with pytest.raises(WorkspaceError, match="nothing to undo"):
        undo(ws)


def test_only_the_last_versions_are_kept(home: Path) -> None:
    ws = create_workspace("Many")
    for i in range(KEEP_VERSIONS + 3):
        ws = save_files(ws, {"a.txt": str(i)}, message=f"save {i}")
    kept = history(ws)
    assert len(kept) == KEEP_VERSIONS
    assert kept[0].message == f"save {KEEP_VERSIONS + 2}"


@pytest.mark.parametrize("name", ["../x.csv", "workspace.yaml", ".hidden", "a/b.csv"])
def test_files_outside_the_workspace_cannot_be_saved(home: Path, name: str) -> None:
    ws = create_workspace("Guarded")
    with pytest.raises(WorkspaceError, match="plain file name"):
        save_files(ws, {name: "x"}, message="bad")
    assert open_workspace(ws.path).settings.revision == ws.settings.revision


def test_older_schema_is_migrated_forward_after_a_backup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / WORKSPACE_FILE).write_text("name: Old\nschema_version: 1\nrevision: 3\nscale: {min: 1, max: 4}\n")
    (tmp_path / "people.csv").write_text("person_id\nP1\n")

    def rename_scale(folder: Path, settings: dict) -> dict:
        (folder / "people.csv").write_text("person_id\nP1\nP2\n")
        settings["proficiency_scale"] = settings.pop("scale")
        return settings

    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(workspace_module, "MIGRATIONS", {1: rename_scale})
    ws = open_workspace(tmp_path)
    assert ws.settings.schema_version == 2 and ws.settings.revision == 4
    assert ws.settings.extra == {"proficiency_scale": {"min": 1, "max": 4}}
    backup = tmp_path / ".history" / "before-schema-2"
    assert (backup / "people.csv").read_text() == "person_id\nP1\n"
    assert "schema_version: 1" in (backup / WORKSPACE_FILE).read_text()
    assert open_workspace(tmp_path).settings.revision == 4  # migrated once


def test_a_missing_migration_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / WORKSPACE_FILE).write_text("name: Old\nschema_version: 1\n")
    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(workspace_module, "MIGRATIONS", {})
    with pytest.raises(WorkspaceError, match="no migration from schema version 1 to 2"):
        open_workspace(tmp_path)


def test_default_sensitive_columns_are_the_people_contracts() -> None:
    from workbench.data.tables import TABLES
    from workbench.workspace import DEFAULT_SENSITIVE

    assert DEFAULT_SENSITIVE == TABLES["people"].sensitive_columns


def test_a_hand_edited_table_is_read_like_validation_reads_it(tmp_path: Path) -> None:
    (tmp_path / WORKSPACE_FILE).write_text("name: X\n")
    (tmp_path / "skills.csv").write_bytes("skill_id;name;category\ncafe;Café skills;Basic\n".encode("cp1252"))
    (tmp_path / "preferences.csv").write_text("person_id,ranks_person_id,rank\n")
    (tmp_path / "goals.csv").write_bytes(b"\x00\x01binary")
    ws = open_workspace(tmp_path)
    assert read_workspace_table(ws, "skills").to_dict("records") == [{"skill_id": "cafe", "name": "Café skills",
                                                           "category": "Basic"}]
    assert read_workspace_table(ws, "preferences").columns.tolist() == ["person_id", "ranks_person_id", "rank"]
    with pytest.raises(WorkspaceError, match="goals.csv"):
        read_workspace_table(ws, "goals")


def test_saves_into_result_folders_only(home):
    from workbench.workspace import RESULT_FOLDERS, WorkspaceError, find_workspace, save_files, undo

    workspace = find_workspace("demo", home)
    saved = save_files(workspace, {f"{RESULT_FOLDERS[0]}/x.csv": "a\n1\n"}, message="result")
    assert (saved.path / RESULT_FOLDERS[0] / "x.csv").read_text() == "a\n1\n"
    assert not (undo(saved).path / RESULT_FOLDERS[0] / "x.csv").exists()
    for name in ("elsewhere/x.csv", "../x.csv", "results/../x.csv", "results/.x", "results/"):
        with pytest.raises(WorkspaceError, match="cannot be saved"):
            save_files(find_workspace("demo", home), {name: "a"}, message="bad")


# ---------------------------------------------------------------------------
# The published app writes nothing

from collections.abc import Callable  # noqa: E402

from workbench.data.importing import import_table, read_workspace_table, save_table  # noqa: E402
from workbench.design import load_design  # noqa: E402
from workbench.design.store import save_design  # noqa: E402
from workbench.matching import match, save_matching  # noqa: E402
from workbench.privacy import PUBLISHED_VARIABLE, READ_ONLY_MESSAGE, ReadOnlyError  # noqa: E402
from workbench.whatif import Scenario, delete_scenario, save_scenario  # noqa: E402
from workbench.whatif.saved import save_comparison, saved_comparison  # noqa: E402


def disk(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` (hidden ones too) with its bytes and modification time."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _match(ws):
    return match({name: read_workspace_table(ws, name) for name in ws.tables()}, load_design(ws))


def _import(ws, home: Path):
    source = home.parent / "skills.csv"
    source.write_text(ws.table_path("skills").read_text(encoding="utf-8"), encoding="utf-8")
    result = import_table(source, "skills", ws)
    assert result.ok, result.problems
    return result


#: Every way a workspace (or the folder of workspaces) can be written to.
WRITE_PATHS: dict[str, Callable] = {
    "save_table": lambda ws, home: save_table(ws, "skills", read_workspace_table(ws, "skills").head(3)),
    "save_files": lambda ws, home: save_files(ws, {"results/x.csv": "a\n1\n"}, message="x"),
    "save_files removing a file": lambda ws, home: save_files(ws, {"goals.csv": None}, message="x"),
    "undo": lambda ws, home: undo(ws),
    "create_workspace": lambda ws, home: create_workspace("Client C"),
    "create_workspace from the demo": lambda ws, home: create_workspace("Client D", copy_demo=True),
    "write_new_workspace": lambda ws, home: workspace_module.write_new_workspace(
        home / "new", workspace_module.WorkspaceSettings(name="New"), lambda folder: None),
    "write_settings": lambda ws, home: workspace_module.write_settings(ws.path, ws.settings),
    "atomic_write_text": lambda ws, home: atomic_write_text(ws.path / "notes.txt", "x"),
    "save_design": lambda ws, home: save_design(ws, load_design(ws)),
    "save_matching": lambda ws, home: save_matching(ws, _match(ws)),
    "save_scenario": lambda ws, home: save_scenario(ws, Scenario("A year", {"duration_months": 12})),
    "delete_scenario": lambda ws, home: delete_scenario(ws, "Kept"),
    "save_comparison": lambda ws, home: save_comparison(ws, saved_comparison(ws)),
    "import_table": _import,
}


@pytest.mark.parametrize("write", WRITE_PATHS.values(), ids=WRITE_PATHS.keys())
def test_every_write_path_is_refused_when_published_and_nothing_changes(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                                         write: Callable) -> None:
    ws = save_scenario(find_workspace("demo", home), Scenario("Kept", {"duration_months": 9}))  # something to undo
    before = disk(home)
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    with pytest.raises(ReadOnlyError, match=READ_ONLY_MESSAGE):
        write(open_workspace(ws.path), home)
    assert disk(home) == before
    monkeypatch.delenv(PUBLISHED_VARIABLE)
    write(open_workspace(ws.path), home)  # the same call works in the workshop
    assert disk(home) != before


def test_the_published_app_copies_no_demo_and_lists_what_is_there(home: Path, monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    assert list_workspaces(home) == []
    with pytest.raises(WorkspaceError, match="read-only"):
        find_workspace("demo", home)
    assert list(home.iterdir()) == []
    monkeypatch.delenv(PUBLISHED_VARIABLE)
    ensure_demo_workspace(home)  # what the server does before it publishes
    before = disk(home)
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    assert [w.slug for w in list_workspaces(home)] == ["demo"] and find_workspace("demo", home).slug == "demo"
    assert disk(home) == before


def test_the_published_app_does_not_migrate_an_old_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / WORKSPACE_FILE).write_text("name: Old\nschema_version: 1\n")
    monkeypatch.setattr(workspace_module, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(workspace_module, "MIGRATIONS", {1: lambda folder, settings: settings})
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    before = disk(tmp_path)
    with pytest.raises(WorkspaceError, match="published app is read-only"):
        open_workspace(tmp_path)
    assert disk(tmp_path) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=with_a_wrong_value(yaml.safe_load((DEMO_SOURCE / WORKSPACE_FILE).read_text(encoding="utf-8"))))
def test_any_wrong_type_in_the_settings_is_named_or_harmless(tmp_path: Path, case) -> None:
    document, path, value = case
    (tmp_path / WORKSPACE_FILE).write_text(yaml.safe_dump(document), encoding="utf-8")
    try:
        settings_ = open_workspace(tmp_path).settings
    except WorkspaceError as exc:
        assert str(tmp_path / WORKSPACE_FILE) in str(exc) and f"'{path[0]}'" in str(exc)
    else:  # accepted: then as the types say
        assert isinstance(settings_.name, str) and settings_.name
        assert all(type(x) is int for x in settings_.scale) and settings_.scale[0] < settings_.scale[1]
        assert all(isinstance(s, str) for s in settings_.sensitive) and type(settings_.revision) is int
