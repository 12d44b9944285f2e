"""The workspace's data on the start page: its health, and bringing in an HR export.

In the published app there is nothing to bring in or undo (those controls
are not there at all), and validation problems are counted per file and
column rather than listed, since a listed problem shows a person's value.
"""

from __future__ import annotations

import functools
import html
import re
import tempfile
from dataclasses import replace
from pathlib import Path

import ipywidgets as w
import pandas as pd

from workbench.charts import headcount_chart
from workbench.data.tables import TABLES, ColumnSpec
from workbench.data.health import data_health
from workbench.data.importing import (checked_tables, import_table, read_workspace_tables, saved_mapping,
                                      workspace_warnings)
from workbench.data.reading import DATE_ORDERS, DataFileError, Mapping, RawTable, read_table_file, workbook_sheets
from workbench.data.suggest import ColumnChoice, Suggestion, mapping_with, mapping_yaml, suggest_mapping
from workbench.data.templates import template_csv, template_xlsx
from workbench.privacy import published_mode
from workbench.errors import WorkbenchError, WorkspaceError
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, guarded
from workbench.views.shell import PageContext
from workbench.views.tables import csv_download_link, download_link, html_table, problems_html
from workbench.workspace import MAPPINGS_DIR, history, undo

TABLE_HELP = {
    "people": "everyone in the organisation, with department, level, manager and dates",
    "skills": "the skills the organisation tracks",
    "proficiency": "assessed skill levels per person",
    "goals": "organisational goals with their KPI, baseline and target",
    "requirements": "skill levels the goals require, and for whom",
    "enrolment": "who signed up as mentee or mentor, with capacities",
    "preferences": "mentees' ranked choices of mentors",
    "survey": "survey responses by wave",
    "meetings": "logged mentoring meetings",
}


class DataPanel(w.VBox):
    """Data health of the open workspace, plus import and undo (not in the published app)."""

    def __init__(self, context: PageContext) -> None:
        self.context = context
        self.published = published_mode()
        self.summary = w.HTML()
        self.tables = w.HTML()
        self.chart = None
        self.chart_box = w.VBox()
        self.problems = w.HTML()
        self.notice = Notice()
        self.import_problems = w.HTML()
        context.observe(self._render, names="workspace")

        overview = w.HBox([self.tables, self.chart_box])
        overview.add_class("wb-row")
        children = [w.HTML("<h3>Data health</h3>"), self.summary, overview, self.problems]
        if self.published:
            self.table = self.source = self.mapping = self.import_button = self.undo_button = None
        else:
            children += self._import_controls()
        super().__init__(children)
        self.add_class("wb-data")
        self._render()

    def _import_controls(self) -> list[w.Widget]:
        self.table = w.Dropdown(options=[(f"{name}.csv: {TABLE_HELP[name]}", name) for name in TABLES],
                                description="Table", style={"description_width": "initial"},
                                layout=w.Layout(width="600px"))
        self.templates = w.HTML()
        self.source = w.FileUpload(accept=".csv,.tsv,.txt,.xlsx", multiple=False, description="Data file",
                                   layout=w.Layout(width="auto"))
        self.mapping = w.FileUpload(accept=".yaml,.yml", multiple=False, description="Mapping file (optional)",
                                    layout=w.Layout(width="auto"))
        # in the page (sheet_box) only when the uploaded workbook has several sheets; their names are text in
        # the list, never markup
        self.sheet = w.Dropdown(options=[], description="Sheet", style={"description_width": "initial"},
                                layout=w.Layout(width="auto"))
        self.sheet_box = w.HBox([])
        self.preview = w.HTML()
        self.columns_box = w.VBox([])
        self.columns_box.add_class("wb-mapping")
        self.missing = w.HTML()
        self.mapping_notice = Notice()
        self.mapping_note = w.HTML()
        self.suggestion_button = w.Button(description="Use a suggestion instead", icon="undo",
                                          layout=w.Layout(width="auto", display="none"))
        self.import_button = w.Button(description="Import", button_style="primary", icon="upload")
        self.undo_button = w.Button(description="Undo last table change", icon="undo", layout=w.Layout(width="auto"),
                                    tooltip="Puts back the table the latest import or table edit replaced; other "
                                            "pages' saves stay")
        self.import_notes = w.HTML()
        self.raw: RawTable | None = None
        self.suggestion: Suggestion | None = None
        self.rows: dict[str, ColumnRow] = {}
        self.by_hand: set[str] = set()  # contract columns whose source was chosen on the page
        self._quiet = False  # set while the page itself changes the widgets below, so their callbacks keep still
        self.table.observe(self._on_table, names="value")
        self.source.observe(self._on_source, names="value")
        self.sheet.observe(self._on_sheet, names="value")
        self.mapping.observe(self._show_mapping_state, names="value")
        self.suggestion_button.on_click(self._on_use_suggestion)
        self.import_button.on_click(self._on_import)
        self.undo_button.on_click(self._on_undo)
        self._show_templates()
        self.context.observe(self._show_templates, names="workspace")  # the About sheets name its scale
        return [
            w.HTML("<h3>Bring in data</h3><p>Import an export from your HR system, or a filled-in template, as one "
                   "of the workspace's tables. CSV, TSV and Excel files work; the encoding and delimiter are "
                   "detected. Pick the table, then the file: its first rows appear with a suggested match for "
                   "every column, which you can change. A mapping file (YAML) for the export, such as one "
                   "downloaded here last time, replaces the suggestion. Nothing is saved unless the whole file is "
                   "valid, and every save can be undone.</p>"),
            self.table,
            self.templates,
            w.HBox([self.source, self.sheet_box, self.mapping, self.suggestion_button]),
            self.mapping_note,
            self.preview,
            self.columns_box,
            self.missing,
            self.mapping_notice,
            w.HBox([self.import_button, self.undo_button]),
            self.notice,
            self.import_notes,
            self.import_problems,
            _mapping_help(),
        ]

    def _show_templates(self, _change: object = None) -> None:
        self.templates.value = template_links(tuple(self.context.workspace.settings.scale))

    def _on_table(self, _change: object = None) -> None:
        """Another table: the file is read again for it (the sheet and header naming its columns) and the
        mapping suggested afresh."""
        if self.source.value:
            self._on_source()

    def _on_source(self, _change: object = None) -> None:
        """A new file: list its sheets when it is a workbook of several, then show its first rows and the
        suggested mapping."""
        self._quiet = True
        try:
            self.sheet.options, self.sheet_box.children = [], []
        finally:
            self._quiet = False
        self._forget_file()
        upload = self.source.value[0] if self.source.value else None
        if upload is None:
            return
        if str(upload.get("name") or "").lower().endswith((".xlsx", ".xlsm")):
            self._quiet = True
            try:
                if not self._list_sheets(upload):
                    return  # the notice says why the workbook cannot be read
            finally:
                self._quiet = False
        self._read_upload()

    def _forget_file(self) -> None:
        self.raw, self.suggestion, self.rows, self.by_hand = None, None, {}, set()
        self.preview.value, self.missing.value = "", ""
        self.columns_box.children = []

    def _on_sheet(self, _change: object = None) -> None:
        if not self._quiet and self.source.value:
            self._read_upload()

    @guarded("read the workbook's sheets")
    def _list_sheets(self, upload: dict) -> bool:
        """Offer the sheets of a workbook of several; ``False`` when it cannot be read (the notice says why)."""
        with tempfile.TemporaryDirectory(prefix="workbench-upload-") as folder:
            try:
                names, first = workbook_sheets(_save_upload(upload, Path(folder)), table=self.table.value)
            except DataFileError as err:
                self.notice.show(str(err), "error")
                return False
        if len(names) > 1:
            self.sheet.options = [(name, name) for name in names]
            self.sheet.value = first or names[0]
            self.sheet_box.children = [self.sheet]
        return True

    def _chosen_sheet(self) -> str | None:
        return self.sheet.value if self.sheet.options else None

    @guarded("read the file")
    def _read_upload(self) -> None:
        self.import_problems.value = self.import_notes.value = ""
        self._forget_file()
        with tempfile.TemporaryDirectory(prefix="workbench-upload-") as folder:
            try:
                self.raw = read_table_file(_save_upload(self.source.value[0], Path(folder)),
                                           sheet=self._chosen_sheet(), table=self.table.value)
            except DataFileError as err:
                self.notice.show(str(err), "error")
                return
        rows, columns = len(self.raw.frame), len(self.raw.columns)
        where = f", sheet {self.raw.sheet}" if self.raw.sheet else ""
        self.preview.value = (
            f"<h4>{html.escape(self.raw.file + where)}: {rows:,} row{'s' if rows != 1 else ''}, {columns:,} "
            f"column{'s' if columns != 1 else ''}</h4><div class='wb-preview'>"
            + html_table(self.raw.frame.reset_index(), limit=PREVIEW_ROWS) + "</div>"
            + _notes_html(self.raw.notes, "How the file was read"))
        self._suggest()

    def _suggest(self) -> None:
        """Propose a mapping of the file read onto the chosen table and lay out one row per contract column."""
        workspace, table = self.context.workspace, self.table.value
        self.mapping_notice.clear()
        try:
            previous = saved_mapping(workspace, table)
        except WorkspaceError as err:  # a saved mapping edited by hand: suggested afresh, and said so
            previous = None
            self.mapping_notice.show(f"{err} The suggestion below starts afresh.", "warning")
        existing, _ = read_workspace_tables(workspace)
        self.suggestion = suggest_mapping(self.raw, table, previous=previous, existing=existing)
        self.by_hand = set()
        headers = self.raw.columns
        self.rows = {}
        for spec in TABLES[self.table.value].columns:
            row = ColumnRow(spec, headers)
            row.source.observe(functools.partial(self._on_column, spec.name), names="value")
            row.constant.observe(functools.partial(self._on_constant, spec.name), names="value")
            if row.dates is not None:
                row.dates.observe(self._on_date_style, names="value")
            self.rows[spec.name] = row
        self.columns_box.children = [
            w.HTML(f"<h4>How the file's columns become {html.escape(TABLES[self.table.value].file)}</h4>"
                   "<p class='wb-muted'>One line per column of the table. Pick the file's column that holds it, "
                   "a constant for every row, or leave it out when the file does not have it.</p>"),
            *(row.box for row in self.rows.values())]
        self._show_mapping_state()

    def _on_column(self, column: str, _change: object = None) -> None:
        if not self._quiet and self.suggestion is not None:  # not the page showing a suggestion
            self._change_column(column)

    @guarded("change the mapping", notice="mapping_notice")  # the import's message stays while the mapping is fixed
    def _change_column(self, column: str) -> None:
        row = self.rows[column]
        chosen = row.source.value
        self.by_hand.add(column)
        if chosen == CONSTANT:
            self.suggestion = mapping_with(self.suggestion, column, default=row.constant.value)
        elif chosen == ABSENT:
            self.suggestion = mapping_with(self.suggestion, column)
        else:
            self.suggestion = mapping_with(self.suggestion, column, source=chosen[1])
        self._show_mapping_state()

    def _on_constant(self, column: str, _change: object = None) -> None:
        if self.rows[column].source.value == CONSTANT:
            self._on_column(column)

    def _on_date_style(self, _change: object = None) -> None:
        if not self._quiet:
            self._show_mapping_state()

    def shown_mapping(self) -> Mapping | None:
        """The mapping as the page shows it (the suggestion, changed by hand, with the date styles chosen), or
        ``None`` before a file is read."""
        if self.suggestion is None:
            return None
        mapping = self.suggestion.mapping
        sourced = set(mapping.columns.values())
        dates = {c: f for c, f in mapping.dates.items() if c in sourced and c not in self.rows}
        dates |= {c: row.dates.value for c, row in self.rows.items()
                  if row.dates is not None and row.dates.value and c in sourced}
        return replace(mapping, dates=dates)

    def _show_mapping_state(self, _change: object = None) -> None:
        """Bring the column rows, the 'still missing' line and the mapping download in line with the suggestion,
        or, when a mapping file is given, say that it is used instead."""
        by_file = bool(self.mapping.value)
        self.suggestion_button.layout.display = None if by_file else "none"
        self.mapping_note.value = (
            f"<p class='wb-muted'>The mapping file {html.escape(str(self.mapping.value[0].get('name') or ''))} is "
            "used for the import instead of a suggestion.</p>" if by_file else "")
        self.columns_box.layout.display = "none" if by_file else None
        if self.suggestion is None or by_file:
            self.missing.value = ""
            return
        self._quiet = True
        try:
            for choice in self.suggestion.choices:
                self.rows[choice.column].show(choice, self.suggestion.mapping.values.get(choice.column, {}),
                                              self.suggestion.mapping.dates.get(choice.column, ""),
                                              by_hand=choice.column in self.by_hand)
        finally:
            self._quiet = False
        missing = self.suggestion.missing
        unused = self.suggestion.unused
        table = self.suggestion.table
        spec = TABLES[table]
        blank = [f"{c} (blank = {spec.column(c).blank})" for c in missing if spec.column(c).blank_ok]
        lines = [f"<b class='wb-warning-text'>Still missing: {html.escape(', '.join(missing))}</b>: choose the "
                 "file's column or a constant for each, or the import is refused."
                 + (f" A constant left empty will do for {html.escape(', '.join(blank))}." if blank else "")
                 if missing else "Every required column has a source."]
        if unused:
            lines.append(f"Kept as extra columns: {html.escape(', '.join(unused))}.")
        link = download_link(mapping_yaml(self.shown_mapping()), f"{table}-mapping.yaml", "application/yaml",
                             "Download this mapping (YAML)")
        self.missing.value = ("<div class='wb-mapping-state'>" + " ".join(f"<p>{line}</p>" for line in lines)
                              + f"<p>{link}: the import also saves it with the workspace, to be suggested again "
                                "for the next export from the same system.</p></div>")

    def _on_use_suggestion(self, _button: w.Button) -> None:
        self.mapping.value = ()

    def _render(self, _change: object = None) -> None:
        workspace = self.context.workspace
        health = data_health(workspace)
        facts = []
        if health.missing:
            facts.append(f"Missing required tables: {', '.join(health.missing)}.")
        if health.employed:
            facts.append(f"{health.employed:,} people currently employed; {health.unassessed:,} of them have no "
                         f"skill assessment.")
        if health.expected:
            facts.append(f"{health.gaps:,} of {health.expected:,} expected skill assessments are missing "
                         f"({health.gaps / health.expected:.0%}; expected = skills assessed for others with the "
                         "same job title). Missing means unknown, not zero.")
        facts.append("No validation problems." if health.problems.ok
                     else f"{len(health.problems):,} validation problem{'s' if len(health.problems) != 1 else ''} "
                          "(listed below).")
        self.summary.value = "<ul class='wb-facts'>" + "".join(f"<li>{html.escape(f)}</li>" for f in facts) + "</ul>"
        rows = pd.DataFrame([{"table": f"{name}.csv", "rows": health.rows.get(name, 0),
                              "status": ("present" if name in health.rows
                                         else "optional, absent" if TABLES[name].optional_table else "missing")}
                             for name in TABLES])
        self.tables.value = html_table(rows)
        self.problems.value = "" if health.problems.ok else problems_html(health.problems.frame,
                                                                            published=self.published)
        self.context.warnings = workspace_warnings(workspace)  # every table's, shown in the page's header
        people_ok = "people" in health.rows and not health.problems.frame["file"].eq(TABLES["people"].file).any()
        if people_ok:  # a people.csv with problems is listed above, not drawn
            chart = headcount_chart(checked_tables(workspace, ["people"])["people"])  # read by data_health already
            if self.chart is None:
                self.chart = chart_widget(chart)
            else:
                self.chart.chart = chart
            self.chart_box.children = [self.chart]
        else:
            self.chart_box.children = []

    @guarded("import the file", button="import_button")
    def _on_import(self, _button: w.Button) -> None:
        self.import_problems.value = self.import_notes.value = ""
        if not self.source.value:
            self.notice.show("Choose a data file to import first.", "warning")
            return
        by_file = bool(self.mapping.value)
        shown = None if by_file else self.shown_mapping()
        if shown is not None and self.suggestion.missing:
            self.notice.show(f"Nothing was imported: {', '.join(self.suggestion.missing)} still "
                             f"need{'s' if len(self.suggestion.missing) == 1 else ''} a column of the file or a "
                             "constant (see 'Still missing').", "warning")
            return
        sheet = self._chosen_sheet()
        with tempfile.TemporaryDirectory(prefix="workbench-upload-") as folder:
            source = _save_upload(self.source.value[0], Path(folder))
            mapping = (_save_upload(self.mapping.value[0], Path(folder) / "mapping") if by_file
                       # named as the page's download is, so a message about it reads the same
                       else None if shown is None else replace(shown, file=f"{self.table.value}-mapping.yaml"))
            result = import_table(source, self.table.value, self.context.workspace, mapping, sheet=sheet)
            hint = "" if shown is not None else _column_hint(source, result, sheet)
        source_name = result.source + (f" (sheet {sheet})" if sheet is not None else "")
        if result.ok:
            self.context.workspace = result.workspace
            kept = (f" Its mapping is saved with the workspace ({MAPPINGS_DIR}/{result.table}.yaml) and suggested "
                    "again for the next export from the same system." if mapping is not None else "")
            self.notice.show(f"Imported {result.rows:,} rows from {source_name} as {result.table}.csv.{kept}",
                             "success")
            self.import_notes.value = _notes_html(result.notes)
            self.source.value = ()
            self.mapping.value = ()
        else:  # the file and the mapping stay, to be corrected and imported again
            self.notice.show(f"{source_name} was not imported and nothing was changed: "
                             f"{len(result.problems):,} problem{'s' if len(result.problems) != 1 else ''}, listed "
                             f"below.{hint}", "error")
            self.import_problems.value = (html_table(result.problems.frame, limit=100)
                                          + csv_download_link(result.problems.frame, "import-problems.csv",
                                                              "Download all problems (CSV)"))

    @guarded("undo the last table change", button="undo_button")
    def _on_undo(self, _button: w.Button) -> None:
        tables = [v for v in history(self.context.workspace) if v.artefact.endswith(".csv")]
        if not tables:
            raise WorkbenchError("There is no import or table edit to undo in this workspace (undo keeps each table's "
                                 "last ten saves).")
        self.context.workspace = undo(self.context.workspace, tables[0].artefact)
        self.notice.show(f"Undone: {tables[0].message} ({tables[0].saved_at.replace('T', ' ')[:16]} UTC); "
                         f"{tables[0].label} is back as it was before.", "success")


def _column_hint(source: Path, result, sheet: str | None = None) -> str:
    """When contract columns are missing, name the file's (or its ``sheet``'s) own columns so a mapping can be
    written."""
    if result.ok or not result.problems.frame["problem"].str.startswith("required column").any():
        return ""
    try:
        columns = read_table_file(source, sheet=sheet).columns
    except DataFileError:
        return ""
    return (f"\nThe columns in {result.source} are: {', '.join(columns)}. A mapping file can rename them "
            "(see 'How to write a mapping file').")


def _save_upload(upload: dict, folder: Path) -> Path:
    """Write an uploaded file to ``folder`` under a safe version of its own name."""
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.\- ]", "_", Path(str(upload.get("name") or "upload")).name).strip() or "upload"
    path = folder / name
    path.write_bytes(bytes(upload["content"]))
    return path


MAPPING_EXAMPLE = """\
columns:                 # column in your file: column in the workbench
  Employee ID: person_id
  Dept: department
  Grade: level
  Start Date: hire_date
values:                  # translate values, per workbench column
  level: {Junior: 1, Mid: 3, Senior: 5}
dates:                   # how dates are written in your file
  hire_date: "%d/%m/%Y"
defaults:                # a value for a column your file does not have
  location: Unknown
"""


def _mapping_help() -> w.Accordion:
    help_text = w.HTML(
        "<p>A mapping file is a small text file in YAML. Columns it does not mention keep their names; extra "
        "columns are kept. Values it does not list are kept as they are.</p>"
        f"<pre class='wb-code'>{html.escape(MAPPING_EXAMPLE)}</pre>")
    accordion = w.Accordion(children=[help_text], titles=("How to write a mapping file",), selected_index=None)
    return accordion


@functools.lru_cache(maxsize=4)
def template_links(scale: tuple[int, int]) -> str:
    """Download links for every table's template, as CSV and as Excel (whose About sheet gives the allowed
    levels on the proficiency ``scale``)."""
    links = [f"{html.escape(TABLES[table].file)} ("
             + download_link(template_csv(table), f"{table}-template.csv", "text/csv", "CSV") + " | "
             + download_link(template_xlsx(table, scale), f"{table}-template.xlsx", XLSX_TYPE, "Excel") + ")"
             for table in TABLES]
    return ("<p class='wb-templates'>Templates to fill in, with example rows (the Excel ones have a sheet about "
            "each column): " + " · ".join(links) + "</p>")


def _notes_html(notes: tuple[str, ...], title: str = "Notes on the import") -> str:
    """What was noted while reading a file (title rows skipped, date styles, total rows left out) as a list
    under ``title``; empty when there are none."""
    return (f"<h4>{html.escape(title)}</h4><ul class='wb-facts'>"
            + "".join(f"<li>{html.escape(note)}</li>" for note in notes) + "</ul>") if notes else ""


#: The options of a column's source, beside the file's own columns (whose values are ``("column", header)``).
CONSTANT, ABSENT = ("constant",), ("absent",)
#: How the dates of a date column are written, as the date style dropdown offers it (a mapping's ``dates``:
#: nothing for automatic, else one of :data:`~workbench.data.reading.DATE_ORDERS`).
DATE_STYLES = (("dates: automatic", ""), *zip(("day first (31/01/2027)", "month first (01/31/2027)",
                                              "year first (2027-01-31)"), DATE_ORDERS))
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Rows of an uploaded file shown before it is imported.
PREVIEW_ROWS = 8

def _format_words(fmt: str) -> str:
    """A ``strptime`` format as people write dates (``"%d/%m/%Y"`` -> ``"dd/mm/yyyy"``)."""
    return re.sub(r"%[dmYybBHMS]", lambda code: _FORMAT_WORDS[code.group()], fmt)


_FORMAT_WORDS = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%y": "yy", "%b": "Mon", "%B": "Month", "%H": "hh",
                 "%M": "mm", "%S": "ss"}


class ColumnRow:
    """One contract column on the import screen: what it means, where its values come from (a dropdown of the
    file's columns, a constant, or nothing), the constant, how its dates are written (date columns only),
    and why the suggestion chose as it did, with a confidence cue."""

    def __init__(self, spec: ColumnSpec, headers: list[str]) -> None:
        self.column = spec.name
        kind = "required" if spec.required else "optional"
        mark = "required, blanks allowed" if spec.required and spec.blank_ok else kind
        label = w.HTML(f"<b>{html.escape(spec.name)}</b> <span class='wb-{kind}'>{mark}</span>"
                       f"<br><span class='wb-muted'>{html.escape(spec.description)}</span>",
                       layout=w.Layout(width="300px"))
        self.source = w.Dropdown(options=[*((header, ("column", header)) for header in headers),
                                          ("(a constant for every row)", CONSTANT), ("(not in this file)", ABSENT)],
                                 value=ABSENT, layout=w.Layout(width="230px"))
        self.constant = w.Text(placeholder=f"blank = {spec.blank or 'unknown'}" if spec.blank_ok
                               else "the value for every row", layout=w.Layout(width="170px", display="none"))
        self.dates = (w.Dropdown(options=DATE_STYLES, value="", layout=w.Layout(width="190px"))
                      if spec.kind == "date" else None)
        self._shown_source: object = ABSENT  # the source shown last (ABSENT before the first), to tell a change
        self.reason = w.HTML(layout=w.Layout(flex="1 1 240px"))
        self.box = w.HBox([label, self.source, self.constant, *([self.dates] if self.dates else []), self.reason])
        self.box.add_class("wb-mapping-row")

    def show(self, choice: ColumnChoice, values: dict[str, str], date_style: str = "", *,
             by_hand: bool = False) -> None:
        """Show ``choice`` (and the ``values`` the mapping translates in this column; ``by_hand``: the person
        chose it, so no confidence is shown). A date column whose source changed shows the suggestion's
        ``date_style`` for it (a style or a ``strptime`` format; ``""``: automatic); otherwise the style chosen
        stays."""
        if self.dates is not None and (choice.source != self._shown_source or self._shown_source is ABSENT):
            styles = list(DATE_STYLES)
            if date_style and date_style not in {value for _, value in styles}:
                styles.append((f"as in the file ({_format_words(date_style)})", date_style))
            self.dates.options = styles
            self.dates.value = date_style
        self._shown_source = choice.source
        if choice.source is not None:
            self.source.value = ("column", choice.source)
        elif choice.default is not None:
            self.source.value = CONSTANT
            if self.constant.value != choice.default:
                self.constant.value = choice.default
        else:
            self.source.value = ABSENT
        self.constant.layout.display = None if self.source.value == CONSTANT else "none"
        if self.dates is not None:
            self.dates.layout.display = None if choice.source is not None else "none"
        if choice.required and choice.source is None and choice.default is None:
            cue = "<span class='wb-conf wb-conf-missing'>missing</span>"
        elif choice.source is None:
            cue = ""
        elif by_hand:
            cue = "<span class='wb-conf wb-conf-hand'>your choice</span>"
        elif choice.confidence >= 0.9:
            cue = "<span class='wb-conf wb-conf-high' title='confidence {:.0%}'>sure</span>"
        elif choice.confidence >= 0.6:
            cue = "<span class='wb-conf wb-conf-mid' title='confidence {:.0%}'>likely</span>"
        else:
            cue = "<span class='wb-conf wb-conf-low' title='confidence {:.0%}'>check this</span>"
        translated = ""
        if values:
            pairs = [f"{k} → {v}" for k, v in list(values.items())[:4]]
            translated = ("<br>translates " + html.escape(", ".join(pairs))
                          + (f" and {len(values) - 4} more" if len(values) > 4 else ""))
        self.reason.value = (f"{cue.format(choice.confidence)} <span class='wb-muted'>"
                             f"{html.escape(choice.reason)}</span>{translated}")
