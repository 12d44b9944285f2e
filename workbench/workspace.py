"""Workspaces: one folder per organisation or client engagement.

A workspace folder holds ``workspace.yaml`` (name, proficiency scale, which
columns are sensitive, schema version, revision) and the organisation's data
tables as CSV files (``people.csv``, ``skills.csv`` ...). Pages of the app share
state only through this folder, so everything a page needs is read from it.

Workspaces live under a *home* folder: ``$WORKBENCH_HOME`` when set, else
``workspaces/`` at the root of the checkout. The committed demo organisation in
``datasets/demo`` is copied into the home as ``demo`` the first time it is
needed, so the committed copy is never edited by the app.

Saving is per artefact (:func:`artefact_of`: the design, a saved matching, a
scenario, the what-if comparison, a data table) and safe for people working at
once (two browser tabs, a notebook and the app): each artefact has its own
revision, and a save is refused only when the artefact it changes was saved
elsewhere since the copy it started from was read. A save writes its files, the
previous versions (kept in ``.history/``, the last :data:`KEEP_VERSIONS` per
artefact, for undo) and the revisions as one step that a crash leaves wholly
undone or wholly done (:func:`_commit`). A workspace written by an older
workbench is migrated forward when opened, after a backup.

A workspace may hold several programs on one pool of people (peer, senior and
reverse tiers, say). The first is the workspace's own ``design.yaml`` with its
``results/`` and ``scenarios/``; each further program ``<id>`` keeps the same
files under ``programs/<id>/``. :func:`program_scope` gives a workspace whose
program files (:attr:`Workspace.files`) are that program's, so every page and
save works per program unchanged; data tables, revision and undo stay the
workspace's (:mod:`workbench.programs` lists and adds programs).

In the published app (:func:`workbench.privacy.published_mode`) nothing is
written: every function here that would change a file refuses first with
:class:`workbench.privacy.ReadOnlyError`, before it touches the disk.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from workbench.errors import WorkbenchError, WorkspaceError, shown
from workbench.privacy import published_mode, refuse_when_published


class StaleWorkspaceError(WorkspaceError):
    """A save started from a copy of an artefact that is no longer the latest; ``artefacts`` names them."""

    def __init__(self, message: str, *, artefacts: tuple[str, ...]) -> None:
        super().__init__(message)
        self.artefacts = artefacts


SCHEMA_VERSION = 2
WORKSPACE_FILE = "workspace.yaml"
HISTORY_DIR = ".history"
#: Folder of the mappings last used to import each table (``mappings/<table>.yaml``), reused for its next export.
MAPPINGS_DIR = "mappings"
#: Sub-folders a save may write into (matchings, scenarios and other results; the import mappings).
RESULT_FOLDERS = ("results", "scenarios", MAPPINGS_DIR)
#: Folder of the further programs (``programs/<id>/``); the first program's files are at the top.
PROGRAMS_DIR = "programs"
#: The file of a program's design, at the top for the first program and in ``programs/<id>/`` for the others.
DESIGN_FILE = "design.yaml"
#: The id of the first program (the workspace's own ``design.yaml``).
FIRST_PROGRAM = "main"
_PROGRAM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LOCK_FILE = ".lock"
KEEP_VERSIONS = 10
DEMO_NAME = "demo"
DEFAULT_SENSITIVE = ("gender", "ethnicity", "age_band")

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS = REPO_ROOT / "datasets"
DEMO_SOURCE = DATASETS / "demo"

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$")


@dataclass(frozen=True)
class WorkspaceSettings:
    """The contents of ``workspace.yaml``.

    ``scale`` is the proficiency scale as ``(lowest, highest)`` whole levels
    (default 0-5); ``sensitive`` names the columns of ``people.csv`` that hold
    sensitive attributes and are only used where a design opts in; ``revision``
    counts every save of the workspace; ``revisions`` counts the saves of each
    artefact (:func:`artefact_of`: the design, a saved matching, a scenario, a
    table ...), and a save is refused when the artefact it changes has moved on
    since the copy it started from.
    """

    name: str
    scale: tuple[int, int] = (0, 5)
    sensitive: tuple[str, ...] = DEFAULT_SENSITIVE
    schema_version: int = SCHEMA_VERSION
    revision: int = 0
    revisions: Mapping[str, int] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain-data form written to ``workspace.yaml``."""
        data = {
            "name": self.name,
            "scale": {"min": self.scale[0], "max": self.scale[1]},
            "sensitive": list(self.sensitive),
            "schema_version": self.schema_version,
            "revision": self.revision,
            "revisions": dict(sorted(self.revisions.items())),
        }
        data.update(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: object, *, source: Path) -> "WorkspaceSettings":
        """Read settings from parsed YAML, naming the file and field when one is wrong."""
        if not isinstance(data, dict):
            raise WorkspaceError(f"{source}: expected a mapping of settings, found {type(data).__name__}.")
        data = dict(data)
        name = data.pop("name", None)
        if not isinstance(name, str) or not name.strip():
            raise WorkspaceError(f"{source}: field 'name' must be a non-empty text, found {shown(name)}.")
        scale = data.pop("scale", {"min": 0, "max": 5})
        if not (isinstance(scale, dict) and _whole(scale.get("min")) and _whole(scale.get("max"))
                and scale["min"] < scale["max"]):
            raise WorkspaceError(f"{source}: field 'scale' must have whole numbers min < max, found {shown(scale)}.")
        sensitive = data.pop("sensitive", list(DEFAULT_SENSITIVE))
        if not (isinstance(sensitive, list) and all(isinstance(s, str) for s in sensitive)):
            raise WorkspaceError(f"{source}: field 'sensitive' must be a list of column names, "
                                 f"found {shown(sensitive)}.")
        version = data.pop("schema_version", SCHEMA_VERSION)
        if not _whole(version) or version < 1:
            raise WorkspaceError(f"{source}: field 'schema_version' must be a whole number >= 1, "
                                 f"found {shown(version)}.")
        if version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"{source}: field 'schema_version' is {version}, newer than this workbench understands "
                f"({SCHEMA_VERSION}); update the workbench to open it."
            )
        revision = data.pop("revision", 0)
        if not _whole(revision) or revision < 0:
            raise WorkspaceError(f"{source}: field 'revision' must be a whole number >= 0, found {shown(revision)}.")
        revisions = data.pop("revisions", {})
        if not (isinstance(revisions, dict) and all(isinstance(k, str) and _whole(v) and v >= 0
                                                    for k, v in revisions.items())):
            raise WorkspaceError(f"{source}: field 'revisions' must map artefact names to whole numbers >= 0, "
                                 f"found {shown(revisions)}.")
        return cls(name=name.strip(), scale=(scale["min"], scale["max"]), sensitive=tuple(sensitive),
                   schema_version=version, revision=revision, revisions=revisions, extra=data)


def _whole(value: object) -> bool:
    """Whether ``value`` is a whole number as YAML gives one (``true`` and ``false`` are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Workspace:
    """An opened workspace: its folder and its settings.

    ``program`` is the program whose files (design, saved results, scenarios)
    this handle reads and saves: ``None`` for the first one (:func:`program_scope`).
    """

    path: Path
    settings: WorkspaceSettings
    program: str | None = None

    @property
    def files(self) -> Path:
        """The folder of this handle's program files: the workspace folder, or ``programs/<id>/``."""
        return self.path if self.program is None else self.path / PROGRAMS_DIR / self.program

    @property
    def program_id(self) -> str:
        """The id of this handle's program (:data:`FIRST_PROGRAM` for the first)."""
        return self.program or FIRST_PROGRAM

    @property
    def name(self) -> str:
        """The workspace's display name."""
        return self.settings.name

    def revision_of(self, artefact: str) -> int:
        """How many saves artefact ``artefact`` (a key from :func:`artefact_of`) had when this copy was read."""
        return self.settings.revisions.get(artefact, 0)

    def artefact(self, name: str) -> str:
        """The key of artefact ``name`` as this handle means it: ``"design"``, ``"matching"``, ``"whatif"`` and
        ``"scenarios/<file stem>"`` are this handle's program's; a table (``"people.csv"``) and the mapping it was
        imported with (``"mappings/people"``) are the workspace's."""
        if self.program is None or name.endswith(".csv") or name.startswith((f"{PROGRAMS_DIR}/", f"{MAPPINGS_DIR}/")):
            return name
        return f"{PROGRAMS_DIR}/{self.program}/{name}"

    @property
    def slug(self) -> str:
        """The folder name, used in page links (``?workspace=<slug>``)."""
        return self.path.name

    def table_path(self, table: str) -> Path:
        """Where table ``table`` (e.g. ``"people"``) is stored."""
        return self.path / f"{table}.csv"

    def tables(self) -> list[str]:
        """Names of the data tables present, sorted."""
        return sorted(p.stem for p in self.path.glob("*.csv"))

    def row_counts(self) -> dict[str, int]:
        """Data rows per table present (header excluded), without parsing the files."""
        counts = {}
        for table in self.tables():
            with open(self.table_path(table), "rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            counts[table] = max(lines - 1, 0)
        return counts


def workspaces_home() -> Path:
    """The folder holding workspaces: ``$WORKBENCH_HOME`` or ``<repo>/workspaces``."""
    return Path(os.environ.get("WORKBENCH_HOME") or REPO_ROOT / "workspaces")


def open_workspace(path: str | os.PathLike) -> Workspace:
    """Open the workspace folder at ``path``; raise :class:`WorkspaceError` if it is not one.

    A save a crash interrupted is finished first when it got as far as its commit
    point, and its leftovers removed when it did not (so the files are wholly as
    before or wholly as after it), with any temporary file a save left. A
    workspace saved under an older schema version is then migrated forward (its
    files are backed up in ``.history/`` before anything changes).
    """
    path = Path(path)
    data = _read_settings(path)
    version = data.get("schema_version", SCHEMA_VERSION) if isinstance(data, dict) else SCHEMA_VERSION
    old = isinstance(version, int) and 1 <= version < SCHEMA_VERSION
    if (old or _leftovers(path)) and not published_mode():
        with _locked(path):
            _recover(path)
            data = _read_settings(path)
            if old and data.get("schema_version", SCHEMA_VERSION) < SCHEMA_VERSION:
                _migrate(path, data)
                data = _read_settings(path)
    elif old:
        raise WorkspaceError(f"{path.name} was saved by an older workbench (schema version {version}) and this "
                             "published app is read-only, so it cannot upgrade it: open it once in the "
                             "workshop app first.")
    return _settled(path, data)


def _settled(path: Path, data: object) -> Workspace:
    return Workspace(path=path, settings=WorkspaceSettings.from_dict(data, source=path / WORKSPACE_FILE))


def _read_settings(path: Path) -> object:
    settings_file = path / WORKSPACE_FILE
    if not settings_file.is_file():
        raise WorkspaceError(f"{path} is not a workspace: it has no {WORKSPACE_FILE}.")
    try:
        return yaml.safe_load(settings_file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested too deeply
        raise WorkspaceError(f"{settings_file}: not readable as YAML ({exc.__class__.__name__}).") from exc


def _migrate(path: Path, data: dict) -> None:
    version = data["schema_version"]
    backup = path / HISTORY_DIR / f"before-schema-{SCHEMA_VERSION}"
    if not backup.exists():
        staging = Path(tempfile.mkdtemp(prefix=".backup-", dir=path))
        for item in path.iterdir():
            if item.is_file() and not item.name.startswith("."):
                shutil.copy2(item, staging / item.name)
        backup.parent.mkdir(exist_ok=True)
        staging.rename(backup)
    for step in range(version, SCHEMA_VERSION):
        if step not in MIGRATIONS:
            raise WorkspaceError(f"{path / WORKSPACE_FILE}: no migration from schema version {step} to {step + 1}.")
        data = MIGRATIONS[step](path, dict(data))
        data["schema_version"] = step + 1
    data["revision"] = int(data.get("revision", 0)) + 1
    atomic_write_text(path / WORKSPACE_FILE, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _history_per_artefact(folder: Path, settings: dict) -> dict:
    """Schema 1 -> 2: one revision for the whole workspace becomes one per artefact.

    Schema 1 kept one history entry per save (``.history/r<revision>``) and one revision; schema 2
    keeps entries per artefact (``.history/v<seq>.<n>``) and counts each artefact's saves. Each old
    entry is split by artefact, oldest first, and each artefact's revision is the number of its
    entries, so every kept version can still be undone.
    """
    counts: dict[str, int] = {}
    for old in sorted((folder / HISTORY_DIR).glob("r[0-9]*")):
        meta = yaml.safe_load((old / "version.yaml").read_text(encoding="utf-8"))
        by_artefact: dict[str, dict[str, bool]] = {}
        for name, existed in meta["files"].items():
            by_artefact.setdefault(artefact_of(name), {})[name] = bool(existed)
        for n, (artefact, files) in enumerate(sorted(by_artefact.items())):
            entry = folder / HISTORY_DIR / f"v{int(meta['revision']):08d}.{n}"
            if not entry.exists():  # a migration cut short earlier made it already
                staging = Path(tempfile.mkdtemp(prefix=".migrate-", dir=folder / HISTORY_DIR))
                for name, existed in files.items():
                    if existed:
                        (staging / name).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(old / name, staging / name)
                record = {"artefact": artefact, "revision": counts.get(artefact, 0), "seq": int(meta["revision"]),
                          "message": meta["message"], "saved_at": str(meta["saved_at"]), "files": files}
                (staging / "version.yaml").write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
                staging.rename(entry)
            counts[artefact] = counts.get(artefact, 0) + 1
        shutil.rmtree(old)
    settings["revisions"] = {**counts, **(settings.get("revisions") or {})}
    return settings


# Forward migrations: MIGRATIONS[v](folder, settings) upgrades a workspace from schema
# version v to v + 1, rewriting files in ``folder`` if needed, and returns the settings.
MIGRATIONS: dict[int, Callable[[Path, dict], dict]] = {1: _history_per_artefact}


def list_workspaces(home: Path | None = None) -> list[Workspace]:
    """Every readable workspace under ``home``, demo first, then by name.

    The demo workspace is copied into ``home`` first if it is not there yet.
    Folders that are not valid workspaces are skipped.
    """
    home = Path(home) if home is not None else workspaces_home()
    if not published_mode():
        ensure_demo_workspace(home)
    found = []
    for folder in sorted(p for p in home.iterdir() if p.is_dir()):
        try:
            found.append(open_workspace(folder))
        except WorkspaceError:
            continue
    return sorted(found, key=lambda w: (w.slug != DEMO_NAME, w.name.lower()))


def find_workspace(slug: str | None, home: Path | None = None) -> Workspace:
    """The workspace in folder ``slug`` under ``home``; the demo when ``slug`` is empty.

    Its messages name the folder by ``slug`` alone: the app shows them to viewers, who never see server paths."""
    home = Path(home) if home is not None else workspaces_home()
    slug = (slug or DEMO_NAME).strip()
    if not _NAME.match(slug) or slug in {".", ".."}:
        raise WorkspaceError(f"{slug!r} is not a workspace name.")
    if slug == DEMO_NAME:
        ensure_demo_workspace(home)
    folder = home / slug
    if not (folder / WORKSPACE_FILE).is_file():
        raise WorkspaceError(f"{slug!r} is not a workspace: it has no {WORKSPACE_FILE}.")
    try:
        return open_workspace(folder)
    except WorkspaceError as exc:  # pages show it: name the workspace's folder, never where the server keeps it
        raise WorkspaceError(str(exc).replace(str(folder), slug)) from None


def create_workspace(name: str, home: Path | None = None, *, copy_demo: bool = False) -> Workspace:
    """Create a new workspace folder called ``name`` under ``home``.

    With ``copy_demo=True`` it starts with the demo organisation's data (its tables,
    not its design, scenarios or saved results); otherwise it starts empty, ready
    for an import. The name may use letters, digits,
    spaces, ``-``, ``_`` and ``.`` (at most 64 characters) and must be new.
    """
    refuse_when_published()
    home = Path(home) if home is not None else workspaces_home()
    name = (name or "").strip()
    if not _NAME.match(name):
        raise WorkspaceError(
            f"{name!r} cannot name a workspace: use 1-64 letters, digits, spaces, '-', '_' or '.', "
            "starting with a letter or digit."
        )
    slug = re.sub(r"\s+", "-", name).lower()
    target = home / slug
    if target.exists():
        raise WorkspaceError(f"A workspace called {slug!r} already exists in {home}.")
    home.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=home))
    try:
        if copy_demo:
            shutil.copytree(DEMO_SOURCE, staging, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(DESIGN_FILE, PROGRAMS_DIR, *RESULT_FOLDERS))
            settings = replace(open_workspace(staging).settings, name=name, revision=0)
        else:
            settings = WorkspaceSettings(name=name)
        write_settings(staging, settings)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return open_workspace(target)


def ensure_demo_workspace(home: Path | None = None) -> Path:
    """Copy the committed demo organisation into ``home/demo`` unless it is there.

    The published app copies nothing: there the demo is shown only when the
    server put it in place before publishing.
    """
    home = Path(home) if home is not None else workspaces_home()
    target = home / DEMO_NAME
    if (target / WORKSPACE_FILE).is_file():
        return target
    if published_mode():
        raise WorkspaceError(f"The demo organisation is not in {home}, and this published app is read-only, so it "
                             "cannot copy it there.")
    if not (DEMO_SOURCE / WORKSPACE_FILE).is_file():
        raise WorkspaceError(f"The demo organisation is missing from {DEMO_SOURCE}.")
    home.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=home))
    try:
        shutil.copytree(DEMO_SOURCE, staging, dirs_exist_ok=True)
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / WORKSPACE_FILE).is_file():  # another process may have won the race
            raise
    return target


def write_settings(folder: Path, settings: WorkspaceSettings) -> None:
    """Write ``workspace.yaml`` atomically (temporary file, then rename)."""
    refuse_when_published()
    atomic_write_text(folder / WORKSPACE_FILE, _settings_text(settings))


def _settings_text(settings: WorkspaceSettings) -> str:
    return yaml.safe_dump(settings.to_dict(), sort_keys=False, allow_unicode=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new file, never half of one.

    Refused in the published app, like every write (the last line of defence:
    callers refuse before they start).
    """
    refuse_when_published()
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_output_path(path: str | os.PathLike) -> Path:
    """``path`` when :func:`atomic_write_text` can write a file there; else a :class:`WorkbenchError`.

    Called before any work starts, so a long analysis never ends in a failed
    write. The message names the path and what is wrong with it: a folder, not
    a regular file (a device, a pipe), a missing folder, or a folder the system
    does not let files be created in (tried with a temporary file, removed at once).
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise WorkbenchError(f"Cannot write {path}: it is a folder; name a file (in it or elsewhere).")
        if path.exists() and not path.is_file():
            raise WorkbenchError(f"Cannot write {path}: it is not a regular file.")
    except OSError as exc:  # a name too long, a folder on the way that cannot be read, ...
        raise WorkbenchError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    check_writable_folder(path.parent, f"Cannot write {path}")
    return path


def check_writable_folder(folder: str | os.PathLike, what: str, *, create: bool = False) -> Path:
    """``folder`` when files can be created in it (made first with ``create``); else a :class:`WorkbenchError`
    starting with ``what`` and naming the folder and what is wrong with it."""
    folder = Path(folder)
    try:
        if folder.exists() and not folder.is_dir():
            raise WorkbenchError(f"{what}: {folder} is a file, not a folder.")
        if not folder.is_dir():
            if not create:
                raise WorkbenchError(f"{what}: the folder {folder} does not exist.")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WorkbenchError(f"{what}: the folder {folder} cannot be created ({exc.strerror or exc}).") \
                    from None
        fd, probe = tempfile.mkstemp(prefix=".write-check-", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise WorkbenchError(f"{what}: the system does not let files be created in {folder} "
                             f"({exc.strerror or exc}).") from None
    return folder


def write_new_workspace(target: Path, settings: WorkspaceSettings, write_tables) -> Workspace:
    """Create the workspace folder ``target`` in one step, or not at all.

    ``write_tables(folder)`` writes the data files into a staging folder next to
    ``target``; the folder is renamed into place only when everything is written,
    so a failure leaves nothing behind. ``target`` must not exist or be empty.
    """
    refuse_when_published()
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise WorkspaceError(f"{target} already exists and is not empty: choose a new folder.")
    check_writable_folder(target.parent, f"Cannot create {target}", create=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        write_tables(staging)
        write_settings(staging, settings)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return open_workspace(target)


# ---------------------------------------------------------------------------
# Saving, history and undo


@dataclass(frozen=True)
class Version:
    """An earlier version of one artefact kept in ``.history/``: its files as they were before a save.

    ``artefact`` is the artefact's key (:func:`artefact_of`) and ``label`` its name for people;
    ``revision`` is the artefact's revision those files belong to and ``seq`` the
    workspace revision the save started from (the saves of several artefacts at once share it);
    ``files`` maps each file the save changed to whether it existed before
    (``False``: the save created it, so undoing removes it).
    """

    artefact: str
    revision: int
    seq: int
    saved_at: str
    message: str
    files: dict[str, bool]
    folder: Path

    @property
    def label(self) -> str:
        """The artefact as a sentence names it: "the design", "people.csv", "the saved matching of the program 'x'"."""
        return artefact_label(self.artefact)


def csv_text(frame: pd.DataFrame) -> str:
    """A table as the CSV text stored in a workspace: UTF-8, ``\\n`` line ends, blanks empty, cells as they are
    (never escaped for spreadsheets: that is :func:`workbench.exports.safe_csv_text`, for downloads)."""
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.10g", na_rep="")


def save_files(workspace: Workspace, contents: Mapping[str, str | None], *, message: str) -> Workspace:
    """Replace files of the workspace in one save, keeping the old ones for undo.

    ``contents`` maps file names in the workspace folder (in the program's folder for a handle
    scoped to a program) to their new text (``None`` removes the file). The files belong to one
    artefact or several (:func:`artefact_of`); the save is refused with
    :class:`StaleWorkspaceError` when one of them was saved elsewhere since ``workspace`` was
    read, so a page or notebook never overwrites a change it has not seen, while saves of
    other artefacts (a matching saved in another tab while this one edits the design) do not
    stand in its way. The files, their history entries and the revisions are written as one
    step (:func:`_commit`): a crash at any instant leaves them wholly old or wholly new.
    Refused in the published app.
    """
    refuse_when_published()
    for name in contents:
        _check_file_name(name)
    if workspace.program is not None:
        contents = {f"{PROGRAMS_DIR}/{workspace.program}/{name}": text for name, text in contents.items()}
    artefacts = sorted({artefact_of(name) for name in contents})
    with _locked(workspace.path):
        current = _open_locked(workspace.path)
        _refuse_stale(current, workspace, artefacts, "Nothing was saved")
        _check_targets(current, contents)
        # an entry is never written over: after the latest one even if workspace.yaml's revision was set back by hand
        seq = max(current.settings.revision, max((v.seq + 1 for v in _versions(current.path)), default=0))
        entries = {}
        for i, artefact in enumerate(artefacts):
            names = [name for name in contents if artefact_of(name) == artefact]
            entries[f"v{seq:08d}.{i}"] = {
                "artefact": artefact, "revision": current.revision_of(artefact), "seq": seq, "message": message,
                "saved_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "files": {name: (current.path / name).is_file() for name in names}}
        _commit(current, {name: None if text is None else text.encode("utf-8") for name, text in contents.items()},
                artefacts, entries=entries)
    return reread(workspace)


def history(workspace: Workspace, artefact: str | None = None) -> list[Version]:
    """The versions that can be restored, newest first: every artefact's, or artefact ``artefact``'s
    (a key or a name :meth:`Workspace.artefact` resolves); at most :data:`KEEP_VERSIONS` per artefact."""
    versions = _versions(workspace.path)
    if artefact is None:
        return versions
    key = workspace.artefact(artefact)
    return [v for v in versions if v.artefact == key]


def _versions(root: Path) -> list[Version]:
    versions = []
    for folder in sorted((root / HISTORY_DIR).glob("v*.*"), key=_entry_order, reverse=True):
        try:
            meta = yaml.safe_load((folder / "version.yaml").read_text(encoding="utf-8"))
            versions.append(Version(artefact=str(meta["artefact"]), revision=int(meta["revision"]),
                                    seq=int(meta["seq"]), saved_at=str(meta["saved_at"]),
                                    message=str(meta["message"]),
                                    files={str(k): bool(v) for k, v in meta["files"].items()}, folder=folder))
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError):
            continue
    return versions


def undo(workspace: Workspace, artefact: str | None = None) -> Workspace:
    """Put back artefact ``artefact`` as it was before its latest save; undo again to go further back.

    ``artefact`` is a key or a name :meth:`Workspace.artefact` resolves (``"design"`` is the handle's
    program's design); ``None`` undoes the workspace's latest save, whichever artefacts it changed.
    The undo is itself a save (the revisions go up, in one step like every save), so it is refused
    like a save when what it would undo changed since ``workspace`` was read, and in the published app.
    :func:`history` beforehand says what the undo will put back.
    """
    refuse_when_published()
    with _locked(workspace.path):
        current = _open_locked(workspace.path)
        versions = history(current)
        if artefact is None:
            if current.settings.revision != workspace.settings.revision:
                raise StaleWorkspaceError(
                    f"The workspace {current.name!r} was changed elsewhere since it was read; nothing was undone. "
                    "Reload to see the latest version.", artefacts=())
            chosen = [v for v in versions if v.seq == versions[0].seq] if versions else []
            where = f"the workspace {current.name!r}"
        else:
            key = workspace.artefact(artefact)
            _refuse_stale(current, workspace, [key], "Nothing was undone")
            chosen = [v for v in versions if v.artefact == key][:1]
            chosen += imported_with(versions, chosen)
            where = f"{artefact_label(key)} of the workspace {current.name!r}"
        if not chosen:
            raise WorkspaceError(f"There is nothing to undo in {where}.")
        contents = {}
        for version in chosen:
            contents.update({name: (version.folder / name).read_bytes() if existed else None
                             for name, existed in version.files.items()})
        _commit(current, contents, sorted({v.artefact for v in chosen}), consume=[v.folder.name for v in chosen])
    return reread(workspace)


def imported_with(versions: list[Version], chosen: list[Version]) -> list[Version]:
    """The mapping saved by the same import as the table of ``chosen`` (undone with it), when that save is still
    the mapping's latest."""
    if len(chosen) != 1 or not chosen[0].artefact.endswith(".csv"):
        return []
    key = f"{MAPPINGS_DIR}/{chosen[0].artefact[:-len('.csv')]}"
    latest = next((v for v in versions if v.artefact == key), None)
    return [latest] if latest is not None and latest.seq == chosen[0].seq else []


def artefact_of(name: str) -> str:
    """The artefact file ``name`` (a path in the workspace folder, ``/``-separated) belongs to.

    Files saved together and read together form one artefact, with one revision and one history:
    ``design.yaml`` is ``"design"``; ``results/matching.csv`` and ``results/matching.yaml`` are
    ``"matching"`` (``results/<stem>.*`` is ``"<stem>"``); ``scenarios/<stem>.yaml`` is
    ``"scenarios/<stem>"``; ``mappings/<table>.yaml`` is ``"mappings/<table>"``; a data table is its file name
    (``"people.csv"``). A further
    program's files are ``"programs/<id>/"`` followed by the same.
    """
    parts = name.split("/")
    if len(parts) > 2 and parts[0] == PROGRAMS_DIR:
        return f"{PROGRAMS_DIR}/{parts[1]}/{artefact_of('/'.join(parts[2:]))}"
    folder, _, plain = name.rpartition("/")
    stem = plain.split(".", 1)[0]
    if folder == "results":
        return stem
    if folder in ("scenarios", MAPPINGS_DIR):
        return f"{folder}/{stem}"
    return "design" if plain == DESIGN_FILE else plain


_LABELS = {"design": "the design", "matching": "the saved matching", "whatif": "the saved what-if comparison",
           "plan": "the frozen evaluation plan"}


def artefact_label(artefact: str) -> str:
    """Artefact key ``artefact`` as a sentence names it ("the design", "people.csv", "the scenario file 'x'")."""
    parts = artefact.split("/")
    if len(parts) > 2 and parts[0] == PROGRAMS_DIR:
        return f"{artefact_label('/'.join(parts[2:]))} of the program {parts[1]!r}"
    if parts[0] == "scenarios" and len(parts) == 2:
        return f"the scenario file {parts[1]!r}"
    if parts[0] == MAPPINGS_DIR and len(parts) == 2:
        return f"the mapping {parts[1]}.csv was imported with"
    return _LABELS.get(artefact, artefact)


def _refuse_stale(current: Workspace, copy: Workspace, artefacts: list[str], outcome: str) -> None:
    stale = [a for a in artefacts if current.revision_of(a) != copy.revision_of(a)]
    if stale:
        what = ", ".join(f"{artefact_label(a)} (now at revision {current.revision_of(a)}, this copy at "
                         f"{copy.revision_of(a)})" for a in stale)
        raise StaleWorkspaceError(f"In the workspace {current.name!r}, {what} was changed elsewhere since this copy "
                                  f"was read, for example in another browser tab. {outcome}: reload to see the "
                                  "latest version.", artefacts=tuple(stale))


def reread(workspace: Workspace) -> Workspace:
    """``workspace`` read again from its folder, scoped to the same program: a copy that has seen every save."""
    return replace(open_workspace(workspace.path), program=workspace.program)


def program_scope(workspace: Workspace, program: str | None) -> Workspace:
    """``workspace`` reading and saving the files of ``program`` (an id; ``None`` or
    :data:`FIRST_PROGRAM`: the first program, the workspace's own files)."""
    if program is None or program == FIRST_PROGRAM:
        return replace(workspace, program=None)
    check_program_id(program)
    return replace(workspace, program=program)


def check_program_id(program: str) -> str:
    """``program`` when it can name a program folder; :class:`WorkspaceError` saying why not."""
    if not isinstance(program, str) or not _PROGRAM_ID.match(program):
        raise WorkspaceError(f"{program!r} cannot name a program: use 1-40 lower-case letters, digits, '-' or '_', "
                             "starting with a letter or digit.")
    return program


def _check_file_name(name: str) -> None:
    parts = name.split("/")
    if len(parts) > 2 and parts[0] == PROGRAMS_DIR and _PROGRAM_ID.match(parts[1]) and parts[1] != FIRST_PROGRAM:
        name = "/".join(parts[2:])  # a further program's file: the same rules inside its folder
    folder, _, plain = name.rpartition("/")
    if (folder and folder not in RESULT_FOLDERS) or plain != Path(plain).name or plain.startswith(".") \
            or name == WORKSPACE_FILE or not plain:
        raise WorkspaceError(f"{name!r} cannot be saved in a workspace: give a plain file name, optionally in "
                             f"one of the folders {', '.join(RESULT_FOLDERS)}.")


def _check_targets(workspace: Workspace, contents: Mapping[str, str | None]) -> None:
    """Refuse a save, before anything is written, when one of its files is a folder there or its folder a file.

    The message names the file by its name in the workspace (pages show it: never the server's path)."""
    for name in contents:
        target = workspace.path / name
        folders = [f for f in Path(name).parents if f != Path(".")]
        wrong = next((f"{f.as_posix()} is a file, not a folder" for f in reversed(folders)
                      if (workspace.path / f).exists() and not (workspace.path / f).is_dir()), None)
        if wrong is None and (target.exists() or target.is_symlink()) and not target.is_file():
            wrong = f"{name} is a folder (or another thing that is not a file)"
        if wrong:
            raise WorkspaceError(f"Cannot save {name} in the workspace {workspace.name!r}: {wrong} there; move it "
                                 "away and save again. Nothing was saved.")


# A save in steps (:func:`_commit`): everything new is first written into a transaction folder
# ``.pending/tx-*``; the plan written last into it (renamed into place) is the commit point; applying
# the plan moves the files into place. :func:`_recover` finishes a committed transaction a crash
# interrupted and removes one that did not commit, so a crash leaves a save wholly undone or wholly done.
PENDING_DIR = ".pending"
_PLAN = "plan.yaml"


def _commit(current: Workspace, contents: Mapping[str, bytes | None], artefacts: list[str], *,
            entries: Mapping[str, dict] | None = None, consume: list[str] = ()) -> None:
    """Write ``contents`` (name -> bytes, ``None`` removes), the history ``entries`` (folder name -> record of the
    files as they are now) and the settings with the revisions of ``artefacts`` and of the workspace one up, as
    one step; remove the history entries ``consume`` (an undo uses them up). Called with the lock held."""
    root = current.path
    (root / PENDING_DIR).mkdir(exist_ok=True)
    tx = Path(tempfile.mkdtemp(prefix="tx-", dir=root / PENDING_DIR))
    for name, data in contents.items():
        if data is not None:
            _write_bytes(tx / "new" / name, data)
    for entry, meta in (entries or {}).items():
        for name, existed in meta["files"].items():
            if existed:
                _write_bytes(tx / "history" / entry / name, (root / name).read_bytes())
        _write_bytes(tx / "history" / entry / "version.yaml", yaml.safe_dump(meta, sort_keys=False).encode("utf-8"))
    revisions = {**current.settings.revisions, **{a: current.revision_of(a) + 1 for a in artefacts}}
    settings = replace(current.settings, revision=current.settings.revision + 1, revisions=revisions)
    _write_bytes(tx / "new" / WORKSPACE_FILE, _settings_text(settings).encode("utf-8"))
    plan = {"write": [n for n, d in contents.items() if d is not None] + [WORKSPACE_FILE],
            "remove": [n for n, d in contents.items() if d is None],
            "history": list(entries or {}), "consume": list(consume)}
    _write_bytes(tx / f".{_PLAN}.tmp", yaml.safe_dump(plan, sort_keys=False).encode("utf-8"))
    os.replace(tx / f".{_PLAN}.tmp", tx / _PLAN)  # the commit point
    _fsync_folder(tx)
    _apply(root, tx)
    _prune_history(root)


def _apply(root: Path, tx: Path) -> None:
    """Carry out the committed plan in ``tx``; every step can be repeated, so a crash mid-way is finished by
    running it again. ``workspace.yaml`` (the revisions) goes last among the files."""
    plan = yaml.safe_load((tx / _PLAN).read_text(encoding="utf-8"))
    for entry in plan["history"]:
        if (tx / "history" / entry).is_dir():
            (root / HISTORY_DIR).mkdir(exist_ok=True)
            os.rename(tx / "history" / entry, root / HISTORY_DIR / entry)  # a new name: never over an entry
    for name in plan["write"]:
        if (tx / "new" / name).exists():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tx / "new" / name, root / name)
    for name in plan["remove"]:
        (root / name).unlink(missing_ok=True)
    for entry in plan["consume"]:
        shutil.rmtree(root / HISTORY_DIR / entry, ignore_errors=True)
    _fsync_folder(root)
    shutil.rmtree(tx)
    with contextlib.suppress(OSError):
        (root / PENDING_DIR).rmdir()  # unless another transaction is in it


def _recover(root: Path) -> None:
    """Finish or drop the transactions a crash left, and remove temporary files saves left (lock held)."""
    for tx in sorted((root / PENDING_DIR).glob("tx-*")):
        if (tx / _PLAN).is_file():
            _apply(root, tx)
        else:
            shutil.rmtree(tx, ignore_errors=True)
    for leftover in _leftover_paths(root):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        (root / PENDING_DIR).rmdir()  # when empty


def _leftovers(root: Path) -> bool:
    """Whether a crash left something for :func:`_recover` (checked on every open, so cheaply)."""
    return next(iter(_leftover_paths(root)), None) is not None or (root / PENDING_DIR).exists()


def _leftover_paths(root: Path) -> Iterator[Path]:
    folders = [root, *(root / f for f in RESULT_FOLDERS)]
    if (root / PROGRAMS_DIR).is_dir():
        for program in (root / PROGRAMS_DIR).iterdir():
            folders += [program, *(program / f for f in RESULT_FOLDERS)]
    for folder in folders:
        yield from folder.glob(".*.tmp")  # atomic_write_text's, from a write a crash cut short
    yield from (root / HISTORY_DIR).glob(".snapshot-*")  # staging of the saves of workbench 0.x
    yield from (root / HISTORY_DIR).glob(".prune-*")  # an old version a crash cut short while deleting it
    yield from root.glob(".backup-*")  # staging of a migration's backup


def _write_bytes(path: Path, data: bytes) -> None:
    """A new file ``path`` holding ``data``, on disk when this returns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (where the system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _entry_order(folder: Path) -> tuple[int, int]:
    seq, _, n = folder.name[1:].partition(".")
    return (int(seq), int(n)) if seq.isdigit() and n.isdigit() else (-1, -1)


def _prune_history(root: Path) -> None:
    """Keep the newest :data:`KEEP_VERSIONS` entries of each artefact."""
    seen: dict[str, int] = {}
    for version in _versions(root):
        seen[version.artefact] = seen.get(version.artefact, 0) + 1
        if seen[version.artefact] > KEEP_VERSIONS:  # out of the history in one rename, then deleted
            doomed = version.folder.with_name(f".prune-{version.folder.name}")
            os.rename(version.folder, doomed)
            shutil.rmtree(doomed, ignore_errors=True)


def _open_locked(path: Path) -> Workspace:
    """The workspace as it is on disk, with a crash's leftovers dealt with first (the lock is held)."""
    _recover(path)
    return _settled(path, _read_settings(path))


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Serialise saves to one workspace across processes (page kernels, notebooks, the CLI)."""
    try:
        import fcntl
    except ImportError:  # Windows: saves are still atomic and revision-checked, just not serialised.
        yield
        return
    with open(folder / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def reading(workspace: Workspace) -> Iterator[None]:
    """Hold off saves while several files of one artefact are read, so they come from the same save
    (a save moves its files into place one by one, in a few milliseconds)."""
    try:
        import fcntl

        handle = open(workspace.path / LOCK_FILE, "rb")
    except (ImportError, OSError):  # no lock file yet (never saved) or no locks on this system
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def program_ids(workspace: Workspace) -> list[str]:
    """The workspace's program ids in default priority order: :data:`FIRST_PROGRAM`, then the others by id
    (each folder of ``programs/`` holding a ``design.yaml``)."""
    folder = workspace.path / PROGRAMS_DIR
    others = sorted(p.name for p in folder.iterdir() if (p / DESIGN_FILE).is_file()) if folder.is_dir() else []
    return [FIRST_PROGRAM, *(p for p in others if p != FIRST_PROGRAM)]
