"""Editing a small table in the page: skills, goals, requirements and enrolment, checked as an import is.

The table is read from the workspace into a grid (:class:`~workbench.views.grid.DataGrid`); "Check" lists
every problem with its row, column and value and marks the cells; "Save" saves only a table without
problems (:func:`workbench.data.importing.save_edited_table`), as one undoable save. Rows are numbered as
in a spreadsheet of the saved file (the header is row 1), as imports number them. A save refused because
the table was saved elsewhere meanwhile keeps the edits in the grid. Not in the published app.
"""

from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from workbench.data.importing import EDITABLE_TABLES, edited_table_problems, read_workspace_tables, save_edited_table
from workbench.data.problems import Problems
from workbench.data.tables import REFERENCES, ROW_INDEX_NAME, TABLES, ColumnSpec
from workbench.errors import WorkbenchError
from workbench.privacy import refuse_when_published
from workbench.views.data import TABLE_HELP
from workbench.views.feedback import Notice, SaveOver, guarded
from workbench.views.grid import DataGrid
from workbench.views.shell import PageContext
from workbench.views.tables import csv_download_link, html_table
from workbench.workspace import StaleWorkspaceError, Workspace, program_ids, reread

#: A table longer than this is not edited in the page (every row travels to the browser): import it instead.
MAX_ROWS = 2_000
#: Values offered while typing in one column, at most.
MAX_OPTIONS = 2_000
#: The widest a column is drawn, in characters (a longer value scrolls within its cell).
MAX_WIDTH = 20
#: Problems listed in the page (all of them are in the download).
SHOWN_PROBLEMS = 100

#: Text columns whose values are offered from people.csv's column of the same name (a requirement's scope).
_FROM_PEOPLE = ("department", "job_title")
_KINDS = {"id": "an id (no ';')", "text": "text", "int": "a whole number", "number": "a number",
          "date": "a date, YYYY-MM-DD"}


class TableEditor(w.VBox):
    """Edit one of the workspace's small tables (:data:`~workbench.data.importing.EDITABLE_TABLES`) in a grid.

    ``grid.rows`` is the table as the page shows it; :meth:`check` and :meth:`save` are the buttons' work.
    Refused in the published app (:class:`~workbench.privacy.ReadOnlyError`): there, nothing is edited.
    """

    def __init__(self, context: PageContext) -> None:
        refuse_when_published()
        self.context = context
        self.table = w.Dropdown(options=[(f"{TABLES[name].file}: {TABLE_HELP[name]}", name) for name in EDITABLE_TABLES],
                                description="Table", style={"description_width": "initial"},
                                layout=w.Layout(width="560px"))
        self.grid = DataGrid()
        self.help = w.HTML()
        self.check_button = w.Button(description="Check", icon="check", tooltip="List every problem; saves nothing")
        self.save_button = w.Button(description="Save table", button_style="primary", icon="save",
                                    tooltip="Saves the table when it has no problems; the save can be undone")
        self.reload_button = w.Button(description="Discard edits", icon="refresh", layout=w.Layout(width="auto"),
                                      tooltip="Show the table as saved in the workspace again")
        self.notice = Notice()
        self.save_over = SaveOver(self.notice)
        self.problems = w.HTML()
        #: The workspace as the grid's table was read from it, and the rows read (to tell unsaved edits).
        self.loaded: Workspace | None = None
        self.loaded_rows: list[dict] = []
        #: Why the grid's table is not saved (a table too long for the page is not shown: saving would empty it).
        self.refusal: str | None = None

        self.table.observe(self._on_table, names="value")
        self.check_button.on_click(self._on_check)
        self.save_button.on_click(self._on_save)
        self.reload_button.on_click(self._on_reload)
        context.observe(self._on_workspace, names="workspace")
        super().__init__([
            w.HTML("<h3>Edit a table in the page</h3><p>Skills, goals, skill requirements and enrolment are short "
                   "tables you may rather type than import. Edit the cells, add or delete rows, then press "
                   "<i>Check</i> to list every problem or <i>Save table</i>: a table with problems is not saved, "
                   "and a save can be undone like an import.</p>"),
            self.table,
            self.grid,
            self.help,
            w.HBox([self.check_button, self.save_button, self.reload_button, self.save_over]),
            self.notice,
            self.problems,
        ])
        self.add_class("wb-editor")
        self._load()

    @property
    def unsaved(self) -> bool:
        """True when the grid holds edits that are not saved."""
        return self.grid.rows != self.loaded_rows

    def frame(self) -> pd.DataFrame:
        """The grid's table as text, its index the rows' numbers as the grid shows them (header = row 1)."""
        names = [column["name"] for column in self.grid.columns]
        cells = [{name: "" if row.get(name) is None else str(row.get(name)) for name in names} for row in self.grid.rows]
        return pd.DataFrame(cells, columns=names, dtype=object).set_axis(
            pd.RangeIndex(2, len(cells) + 2, name=ROW_INDEX_NAME))

    def check(self) -> Problems:
        """List and mark every problem of the grid's table; save nothing."""
        problems = edited_table_problems(self.context.workspace, self.table.value, self.frame())
        self._show(problems)
        if problems.ok:
            self.notice.show(f"No problems: press 'Save table' to save {TABLES[self.table.value].file}.", "success")
        return problems

    def save(self, workspace: Workspace | None = None) -> None:
        """Save the grid's table when it has no problems, from ``workspace`` (default: the copy it was read
        from, so a table saved elsewhere meanwhile is not overwritten unseen)."""
        table = self.table.value
        if self.refusal is not None:
            raise WorkbenchError(self.refusal)
        try:
            result = save_edited_table(workspace or self.loaded or self.context.workspace, table, self.frame())
        except StaleWorkspaceError as refused:
            raise self.save_over.offer(refused, lambda: self.save(reread(self.context.workspace))) from None
        self._show(result.problems)
        if not result.ok:
            return
        self.save_over.withdraw()
        self._load(result.workspace)
        self.context.workspace = result.workspace
        self.notice.show(f"Saved {result.rows:,} row{'s' if result.rows != 1 else ''} as {result.source}. "
                         "The undo button above puts back the table as it was before.", "success")

    @guarded("check the table", button="check_button")
    def _on_check(self, _button: w.Button) -> None:
        self.check()

    @guarded("save the table", button="save_button")
    def _on_save(self, _button: w.Button) -> None:
        self.save()

    @guarded("show the table as saved", button="reload_button")
    def _on_reload(self, _button: w.Button) -> None:
        self._load()

    @guarded("show the table")
    def _on_table(self, change: dict) -> None:
        if self.unsaved:
            self.notice.show(f"Your unsaved edits to {TABLES[change['old']].file} were discarded.", "warning")
        self._load()

    @guarded("show the table")
    def _on_workspace(self, change: dict) -> None:
        new, file = change["new"], TABLES[self.table.value].file
        if self.loaded is None or new.path != self.loaded.path:
            self._load()
        elif new.revision_of(file) != self.loaded.revision_of(file):
            if self.unsaved:
                self.notice.show(f"{file} was replaced on this page (an import or an undo) while you edited it. "
                                 "Your edits are still here; 'Save table' will ask before saving over it, "
                                 "'Discard edits' shows the new table.", "warning")
            else:
                self._load()

    def _load(self, workspace: Workspace | None = None) -> None:
        """Show the workspace's current table in the grid, with nothing marked."""
        workspace = workspace or self.context.workspace
        table, file = self.table.value, TABLES[self.table.value].file
        self.problems.value = ""
        self.save_over.withdraw()
        self.loaded, self.loaded_rows, self.refusal = workspace, [], None
        tables, unreadable = read_workspace_tables(workspace)
        stored = tables.get(table)
        if stored is None and workspace.table_path(table).is_file():  # what is typed in replaces it
            self.problems.value = html_table(unreadable.frame)
            failure = WorkbenchError(f"{file} could not be read (below): import it again, or type the table here "
                                     "and save it in its place.")
        elif stored is not None and len(stored) > MAX_ROWS:
            self.refusal = (f"{file} has {len(stored):,} rows, more than the page edits ({MAX_ROWS:,}): "
                            "change it in a spreadsheet and import it again.")
            stored, failure = None, WorkbenchError(self.refusal)
        else:
            failure = None
        columns = _columns(table, stored, tables, workspace.settings.scale)
        names = [column["name"] for column in columns]
        rows = [] if stored is None else stored.reindex(columns=names, fill_value="").to_dict("records")
        self.grid.show(columns, rows)
        self.loaded_rows = [dict(row) for row in rows]
        self.help.value = _help_html(table, tables, program_ids(workspace))
        if failure is not None:
            raise failure

    def _show(self, problems: Problems) -> None:
        """List ``problems`` below the grid and mark the grid's cells they name."""
        file = TABLES[self.table.value].file
        frame = problems.frame
        here = frame[(frame["file"] == file) & frame["row"].notna()]
        self.grid.marks = [{"row": int(row) - 2, "column": str(column), "problem": str(problem)}
                           for row, column, problem in zip(here["row"], here["column"], here["problem"])]
        if problems.ok:
            self.problems.value = ""
            return
        elsewhere = sorted(set(frame["file"]) - {file})
        self.notice.show(
            f"{len(problems):,} problem{'s' if len(problems) != 1 else ''}, listed below; nothing was saved. "
            f"Rows are numbered as in the grid (the header is row 1)."
            + (f" Problems in {', '.join(elsewhere)} are what this change would break there." if elsewhere else ""),
            "error")
        self.problems.value = (html_table(frame, limit=SHOWN_PROBLEMS)
                               + csv_download_link(frame, f"{self.table.value}-problems.csv",
                                                   "Download all problems (CSV)"))


def _columns(table: str, stored: pd.DataFrame | None, tables: dict[str, pd.DataFrame],
             scale: tuple[int, int]) -> list[dict]:
    """The grid's columns for ``table``: the contract's in order, then the stored table's others (kept)."""
    spec = TABLES[table]
    extra = [] if stored is None else [c for c in stored.columns if c not in spec.column_names]
    columns = []
    for name in [*spec.column_names, *extra]:
        col = spec.column(name) if name in spec.column_names else None
        values = stored[name].astype(str) if stored is not None and name in stored.columns else pd.Series([], dtype=str)
        options = _options(table, name, col, values, tables)
        longest = int(values.str.len().max()) if len(values) else 0
        choices = list(col.choices) if col is not None else []
        # characters: the header, the longest value (a select's arrow takes about four), lists at least 16
        width = max(len(name) + 3, longest + 2, max((len(c) + 6 for c in choices), default=0),
                    16 if col is not None and col.kind == "list" else 6)
        columns.append({
            "name": name, "title": name, "required": bool(col is not None and not col.blank_ok),
            "hint": _column_hint(table, col, scale), "choices": choices, "options": options,
            "width": min(width, MAX_WIDTH)})
    return columns


def _options(table: str, name: str, col: ColumnSpec | None, values: pd.Series,
             tables: dict[str, pd.DataFrame]) -> list[list[str]]:
    """``[value, label]`` pairs offered while typing in column ``name``: the ids it refers to (labelled with their
    names), or for text the values the column repeats (and for a scope, people.csv's departments or titles)."""
    reference = next((r for r in REFERENCES if r.table == table and r.column == name and not r.is_list), None)
    if reference is not None:
        target = tables.get(reference.target)
        if target is None or reference.target_column not in target.columns:
            return []
        labels = target["name"] if "name" in target.columns else pd.Series("", index=target.index)
        pairs = pd.DataFrame({"value": target[reference.target_column].astype(str), "label": labels.astype(str)})
        pairs = pairs[pairs["value"].str.strip().ne("")].drop_duplicates("value")
        return pairs.head(MAX_OPTIONS).to_numpy().tolist()
    if col is None or col.kind != "text":
        return []
    # the values a column repeats (a category, a cohort) and, for a requirement's scope, people.csv's
    known = values[values.str.strip().ne("")]
    known = known if known.nunique() < len(known) else known.iloc[:0]
    people = tables.get("people")
    if name in _FROM_PEOPLE and people is not None and name in people.columns:
        known = pd.concat([known, people[name].astype(str)])
    known = known[known.str.strip().ne("")].drop_duplicates().sort_values()
    return [[value, ""] for value in known.head(MAX_OPTIONS)]


def _column_hint(table: str, col: ColumnSpec | None, scale: tuple[int, int]) -> str:
    """What a column holds, in words (the header's tooltip)."""
    if col is None:
        return "Not a column of the contract: kept as it is."
    reference = next((r for r in REFERENCES if r.table == table and r.column == col.name), None)
    if reference is not None:
        noun = reference.target_column.replace("_", " ")
        what = (f"{noun}s of {reference.target}.csv separated by ';'" if reference.is_list
                else f"a {noun} of {reference.target}.csv")
    elif col.kind == "enum":
        what = "one of " + ", ".join(col.choices)
    elif col.kind == "list":
        what = "ids separated by ';'"
    else:
        what = _KINDS[col.kind]
    low, high = col.bounds(scale)
    if low is not None and high is not None:
        what += f" from {low:g} to {high:g}"
    elif low is not None:
        what += f" greater than {low:g}" if col.min_exclusive else f", {low:g} or more"
    parts = [what[0].upper() + what[1:], "required" if not col.blank_ok else "may be blank"]
    return "; ".join(parts + ([col.description] if col.description else [])) + "."


def _help_html(table: str, tables: dict[str, pd.DataFrame], programs: list[str]) -> str:
    """The notes under the grid: what * means, how rows are numbered, and the ids the list columns take."""
    notes = ["<p class='wb-muted'>Columns marked * need a value in every row; hover a column's name for what it "
             "holds. Rows are numbered as in a spreadsheet of the saved file (the header is row 1), as problems name "
             "them; rows left blank are dropped when saving.</p>"]
    lists = [r.column for r in REFERENCES if r.table == table and r.is_list and r.target == "skills"]
    skills = tables.get("skills")
    if lists and skills is not None and "skill_id" in skills.columns:
        ids = [s for s in skills["skill_id"].astype(str) if s.strip()]
        example = ";".join(ids[:2]) or "skill_a;skill_b"
        notes.append(f"<div><b>{'</b>, <b>'.join(lists)}</b>: skill ids from skills.csv separated by ';', e.g. "
                     f"<code>{html.escape(example)}</code>."
                     f"<details><summary>The {len(ids):,} skill ids</summary><p class='wb-muted'>"
                     + html.escape(" · ".join(ids)) + "</p></details></div>")
    if "program" in TABLES[table].column_names:
        notes.append("<div><b>program</b>: the programs the person takes part in, separated by ';' (blank: every "
                     f"program); this workspace's programs: {html.escape(', '.join(programs))}.</div>")
    return "".join(notes)
