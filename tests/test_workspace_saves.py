"""Saves per artefact: a crash at any write or rename leaves a save wholly undone or wholly done,
saves of different artefacts never refuse each other, history entries are never overwritten."""

from __future__ import annotations

import builtins
import itertools
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from workbench.workspace import (
    HISTORY_DIR,
    PENDING_DIR,
    StaleWorkspaceError,
    Workspace,
    artefact_of,
    create_workspace,
    history,
    open_workspace,
    program_scope,
    save_files,
    undo,
)

KILLED = 77
#: The file-system calls a save changes things with; the child process dies just before the k-th one.
CHANGES = ("write", "fsync", "replace", "rename", "unlink", "rmdir", "mkdir", "link", "symlink", "truncate")


def run_until(k: int, action: Callable[[], object]) -> bool:
    """Run ``action`` in a forked process killed (``os._exit``, no clean-up) just before its ``k``-th change
    to the file system; ``True`` when it finished before getting that far."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        count = itertools.count(1)

        def dies_at_k(call: Callable, changes: Callable[..., bool] = lambda *a, **kw: True) -> Callable:
            def call_or_die(*args, **kwargs):
                if changes(*args, **kwargs) and next(count) == k:
                    os._exit(KILLED)
                return call(*args, **kwargs)
            return call_or_die

        writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
        os.open = dies_at_k(os.open, lambda path, flags, *a, **kw: bool(flags & writing))
        builtins.open = dies_at_k(builtins.open, lambda file, mode="r", *a, **kw: any(c in mode for c in "wax+"))
        for name in CHANGES:
            setattr(os, name, dies_at_k(getattr(os, name)))
        try:
            action()
        except BaseException:
            os._exit(3)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, KILLED), f"the save failed by itself (exit {code}) before change {k}"
    return code == 0


def state(folder: Path) -> dict:
    """Everything a save may change, comparable between copies: files, revisions, history (times left out)."""
    workspace = open_workspace(folder)  # finishes or drops what a crash left
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
             if p.is_file() and p.name != ".lock" and HISTORY_DIR not in p.relative_to(folder).parts}
    entries = {}
    for version in history(workspace):
        stored = {p.relative_to(version.folder).as_posix(): p.read_bytes() for p in sorted(version.folder.rglob("*"))
                  if p.is_file() and p.name != "version.yaml"}
        entries[version.folder.name] = (version.artefact, version.revision, version.seq, version.message,
                                        version.files, stored)
    settings = yaml.safe_load(files.pop("workspace.yaml"))
    return {"files": files, "revision": settings["revision"], "revisions": settings["revisions"], "history": entries}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.name.endswith(".tmp") or p.name.startswith((".snapshot-", ".backup-", "tx-"))
                  or p.name == PENDING_DIR)


def a_workspace(home: Path) -> Workspace:
    ws = create_workspace("Crash")
    ws = save_files(ws, {"people.csv": "person_id\nP1\n"}, message="import people")
    ws = save_files(ws, {"results/matching.csv": "mentee,mentor\nP1,P2\n", "results/matching.yaml": "pairs: 1\n",
                         "design.yaml": "name: first\n"}, message="match and design")
    return program_scope(save_files(program_scope(ws, "senior"), {"design.yaml": "name: senior\n"}, message="add senior"), None)


SAVES = {
    "a table": lambda ws: save_files(ws, {"people.csv": "person_id\nP1\nP2\n" * 1000}, message="import people"),
    "a matching (two files)": lambda ws: save_files(
        ws, {"results/matching.csv": "mentee,mentor\nP9,P8\n", "results/matching.yaml": "pairs: 2\n"},
        message="save the matching"),
    "every program's matching and a removal": lambda ws: save_files(
        ws, {"results/matching.csv": "mentee,mentor\nP3,P4\n", "results/matching.yaml": "pairs: 3\n",
             "programs/senior/results/matching.csv": "mentee,mentor\nP5,P6\n",
             "programs/senior/results/matching.yaml": "pairs: 4\n", "programs/senior/design.yaml": None},
        message="save both"),
    "an undo of one artefact": lambda ws: undo(ws, "matching"),
    "an undo of the latest save": lambda ws: undo(ws),
}


@pytest.mark.parametrize("save", SAVES, ids=list(SAVES))
def test_a_crash_at_any_write_or_rename_leaves_the_save_wholly_undone_or_wholly_done(home: Path, save: str) -> None:
    template = a_workspace(home).path
    before = state(template)
    done = home / "done"
    shutil.copytree(template, done)
    SAVES[save](open_workspace(done))
    after = state(done)
    assert after != before and after["revision"] == before["revision"] + 1
    seen = []
    for k in itertools.count(1):
        trial = home / f"killed-{k}"
        shutil.copytree(template, trial)
        handle = open_workspace(trial)
        finished = run_until(k, lambda: SAVES[save](handle))
        got = state(trial)
        assert got in (before, after), f"killed before change {k}: neither wholly old nor wholly new"
        assert leftovers(trial) == [], f"killed before change {k}: left {leftovers(trial)}"
        seen.append("new" if got == after else "old")
        # whatever the crash left, the copy read before it can save only if nothing changed
        if got == before:
            SAVES[save](open_workspace(trial))
            assert state(trial) == after
        shutil.rmtree(trial)
        if finished:
            break
    assert "old" in seen and "new" in seen and len(seen) > 10, seen


def test_saves_of_different_artefacts_do_not_refuse_each_other(home: Path) -> None:
    tab_design = a_workspace(home)
    tab_matching = open_workspace(tab_design.path)
    tab_matching = save_files(tab_matching, {"results/matching.csv": "mentee,mentor\nP7,P8\n",
                                             "results/matching.yaml": "pairs: 7\n"}, message="save the matching")
    saved = save_files(tab_design, {"design.yaml": "name: edited\n"}, message="save the design")
    assert (saved.path / "design.yaml").read_text() == "name: edited\n"
    assert (saved.path / "results/matching.csv").read_text() == "mentee,mentor\nP7,P8\n"
    # a second design save from the copy read before the first one is refused and changes nothing
    files = state(saved.path)
    with pytest.raises(StaleWorkspaceError, match=r"the design \(now at revision 2, this copy at 1\)") as info:
        save_files(tab_design, {"design.yaml": "name: stale\n"}, message="save the design")
    assert info.value.artefacts == ("design",) and state(saved.path) == files
    # undo takes back this artefact's save, not the other tab's later one
    undone = undo(open_workspace(saved.path), "design")
    assert (undone.path / "design.yaml").read_text() == "name: first\n"
    assert (undone.path / "results/matching.csv").read_text() == "mentee,mentor\nP7,P8\n"


def test_history_entries_are_never_overwritten(home: Path) -> None:
    ws = a_workspace(home)
    ws = save_files(ws, {"people.csv": "person_id\nP2\n"}, message="second import")
    ws = undo(ws, "people.csv")
    entries = {v.folder.name: (v.folder / "version.yaml").read_bytes() for v in history(ws)}
    ws = save_files(ws, {"people.csv": "person_id\nP3\n"}, message="third import")
    ws = save_files(ws, {"people.csv": "person_id\nP4\n"}, message="fourth import")
    kept = {v.folder.name: (v.folder / "version.yaml").read_bytes() for v in history(ws)}
    assert {k: kept[k] for k in entries} == entries  # every earlier entry as it was
    assert [v.message for v in history(ws, "people.csv")] == ["fourth import", "third import", "import people"]
    assert (undo(undo(ws, "people.csv"), "people.csv").path / "people.csv").read_text() == "person_id\nP1\n"


def test_leftovers_of_a_crash_are_removed_when_the_workspace_opens(home: Path) -> None:
    ws = a_workspace(home)
    (ws.path / ".people.csv.x1y2.tmp").write_bytes(b"\0" * 2_000_000)  # an interrupted write of workbench 0.x
    (ws.path / "results" / ".matching.csv.a1.tmp").write_text("half")
    (ws.path / PENDING_DIR / "tx-uncommitted" / "new").mkdir(parents=True)
    (ws.path / PENDING_DIR / "tx-uncommitted" / "new" / "people.csv").write_text("person_id\nP666\n")
    opened = open_workspace(ws.path)
    assert leftovers(ws.path) == [] and (opened.path / "people.csv").read_text() == "person_id\nP1\n"


def test_artefacts_are_named_by_what_is_saved_together() -> None:
    assert artefact_of("results/matching.csv") == artefact_of("results/matching.yaml") == "matching"
    assert artefact_of("programs/senior/results/matching.csv") == "programs/senior/matching"
    assert artefact_of("design.yaml") == "design" and artefact_of("programs/x/design.yaml") == "programs/x/design"
    assert artefact_of("scenarios/weekly.yaml") == "scenarios/weekly" and artefact_of("people.csv") == "people.csv"


def test_a_schema_1_history_is_split_per_artefact_and_can_still_be_undone(tmp_path: Path) -> None:
    (tmp_path / "workspace.yaml").write_text("name: Old\nschema_version: 1\nrevision: 2\n")
    (tmp_path / "people.csv").write_text("person_id\nP2\n")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "matching.csv").write_text("new\n")
    (tmp_path / "design.yaml").write_text("name: new\n")
    for revision, files, message in [(0, {"people.csv": "person_id\nP1\n"}, "import"),
                                     (1, {"results/matching.csv": None, "design.yaml": "name: old\n"}, "both")]:
        entry = tmp_path / ".history" / f"r{revision:08d}"
        for name, text in files.items():
            if text is not None:
                (entry / name).parent.mkdir(parents=True, exist_ok=True)
                (entry / name).write_text(text)
        (entry / "version.yaml").write_text(yaml.safe_dump({
            "revision": revision, "message": message, "saved_at": "2026-01-01T00:00:00+00:00",
            "files": {name: text is not None for name, text in files.items()}}))
    ws = open_workspace(tmp_path)
    assert ws.settings.schema_version == 2 and ws.settings.revisions == {"people.csv": 1, "matching": 1, "design": 1}
    assert [(v.artefact, v.message) for v in history(ws)] == [("matching", "both"), ("design", "both"),
                                                              ("people.csv", "import")]
    ws = undo(ws, "design")
    assert (ws.path / "design.yaml").read_text() == "name: old\n" and (ws.path / "results/matching.csv").exists()
    ws = undo(ws)
    assert not (ws.path / "results/matching.csv").exists()
    assert (undo(ws).path / "people.csv").read_text() == "person_id\nP1\n"


def test_a_revision_set_back_by_hand_does_not_write_over_history(home: Path) -> None:
    ws = a_workspace(home)
    entries = {v.folder.name: (v.folder / "version.yaml").read_bytes() for v in history(ws)}
    text = (ws.path / "workspace.yaml").read_text()
    (ws.path / "workspace.yaml").write_text(text.replace(f"revision: {ws.settings.revision}\n", "revision: 0\n", 1))
    saved = save_files(open_workspace(ws.path), {"people.csv": "person_id\nP5\n"}, message="after the hand edit")
    kept = {v.folder.name: (v.folder / "version.yaml").read_bytes() for v in history(saved)}
    assert {k: kept[k] for k in entries} == entries and len(kept) == len(entries) + 1


def test_a_crash_while_old_versions_are_pruned_leaves_every_kept_version_whole(home: Path) -> None:
    from workbench.workspace import KEEP_VERSIONS

    ws = a_workspace(home)
    for i in range(KEEP_VERSIONS):
        ws = save_files(ws, {"people.csv": f"person_id\nP{i}\n"}, message=f"import {i}")
    template = ws.path
    for k in itertools.count(1):
        trial = home / f"pruned-{k}"
        shutil.copytree(template, trial)
        handle = open_workspace(trial)
        finished = run_until(k, lambda: save_files(handle, {"people.csv": "person_id\nP99\n"}, message="last"))
        opened = open_workspace(trial)
        assert leftovers(trial) == []
        for version in history(opened):  # every version listed can be put back
            assert all((version.folder / name).is_file() for name, existed in version.files.items() if existed)
        shutil.rmtree(trial)
        if finished:
            break
