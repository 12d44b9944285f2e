"""The workspace's data on the start page: its health, and bringing in an HR export.

In the published app there is nothing to bring in or undo (those controls
are not there at all), and validation problems are counted per file and
column rather than listed, since a listed problem shows a person's value.
"""

from __future__ import annotations

import html
import re
import tempfile
from pathlib import Path

import ipywidgets as w
import pandas as pd

from workbench.charts import headcount_chart
from workbench.data.contracts import TABLES
from workbench.data.health import data_health
from workbench.data.importing import checked_tables, import_table, workspace_warnings
from workbench.data.reading import DataFileError, read_table_file, workbook_sheets
from workbench.privacy import published_mode
from workbench.errors import WorkbenchError
from workbench.views.charts import chart_widget
from workbench.views.feedback import Notice, guarded
from workbench.views.shell import PageContext
from workbench.views.tables import csv_download_link, html_table, problems_html
from workbench.workspace import history, undo

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
                                layout=w.Layout(width="560px"))
        self.source = w.FileUpload(accept=".csv,.tsv,.txt,.xlsx", multiple=False, description="Data file",
                                   layout=w.Layout(width="auto"))
        self.mapping = w.FileUpload(accept=".yaml,.yml", multiple=False, description="Mapping file (optional)",
                                    layout=w.Layout(width="auto"))
        # in the page (sheet_box) only when the uploaded workbook has several sheets; their names are text in
        # the list, never markup
        self.sheet = w.Dropdown(options=[], description="Sheet", style={"description_width": "initial"},
                                layout=w.Layout(width="auto"))
        self.sheet_box = w.HBox([])
        self.source.observe(self._on_source, names="value")
        self.import_button = w.Button(description="Import", button_style="primary", icon="upload")
        self.undo_button = w.Button(description="Undo last import", icon="undo", layout=w.Layout(width="auto"),
                                    tooltip="Puts back the table the latest import replaced; other pages' saves stay")
        self.import_button.on_click(self._on_import)
        self.undo_button.on_click(self._on_undo)
        return [
            w.HTML("<h3>Bring in data</h3><p>Import an export from your HR system as one of the workspace's "
                   "tables. CSV, TSV and Excel files work; the encoding and delimiter are detected. A mapping "
                   "file (YAML) renames columns and translates values such as <i>Yes</i>/<i>No</i> or grade "
                   "names. Nothing is saved unless the whole file is valid, and every save can be undone.</p>"),
            _mapping_help(),
            self.table,
            w.HBox([self.source, self.sheet_box, self.mapping, self.import_button, self.undo_button]),
            self.notice,
            self.import_problems,
        ]

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

    def _on_source(self, _change: object = None) -> None:
        """A workbook of several sheets: list them to pick from, the first holding a value chosen."""
        self.sheet.options, self.sheet_box.children = [], []
        upload = self.source.value[0] if self.source.value else None
        if upload is not None and str(upload.get("name") or "").lower().endswith((".xlsx", ".xlsm")):
            self._list_sheets(upload)

    @guarded("read the workbook's sheets")
    def _list_sheets(self, upload: dict) -> None:
        with tempfile.TemporaryDirectory(prefix="workbench-upload-") as folder:
            try:
                names, first = workbook_sheets(_save_upload(upload, Path(folder)))
            except DataFileError as err:
                self.notice.show(str(err), "error")
                return
        if len(names) > 1:
            self.sheet.options = [(name, name) for name in names]
            self.sheet.value = first or names[0]
            self.sheet_box.children = [self.sheet]

    @guarded("import the file", button="import_button")
    def _on_import(self, _button: w.Button) -> None:
        self.import_problems.value = ""
        if not self.source.value:
            self.notice.show("Choose a data file to import first.", "warning")
            return
        sheet = self.sheet.value if self.sheet.options else None
        with tempfile.TemporaryDirectory(prefix="workbench-upload-") as folder:
            source = _save_upload(self.source.value[0], Path(folder))
            mapping = _save_upload(self.mapping.value[0], Path(folder) / "mapping") if self.mapping.value else None
            result = import_table(source, self.table.value, self.context.workspace, mapping, sheet=sheet)
            hint = _column_hint(source, result, sheet)
        source_name = result.source + (f" (sheet {sheet})" if sheet is not None else "")
        if result.ok:
            self.context.workspace = result.workspace
            self.notice.show(f"Imported {result.rows:,} rows from {source_name} as {result.table}.csv.", "success")
        else:
            self.notice.show(f"{source_name} was not imported and nothing was changed: "
                             f"{len(result.problems):,} problem{'s' if len(result.problems) != 1 else ''}, listed "
                             f"below.{hint}", "error")
            self.import_problems.value = (html_table(result.problems.frame, limit=100)
                                          + csv_download_link(result.problems.frame, "import-problems.csv",
                                                              "Download all problems (CSV)"))
        self.source.value = ()
        self.mapping.value = ()

    @guarded("undo the last import", button="undo_button")
    def _on_undo(self, _button: w.Button) -> None:
        tables = [v for v in history(self.context.workspace) if v.artefact.endswith(".csv")]
        if not tables:
            raise WorkbenchError("There is no import to undo in this workspace (undo keeps each table's last ten "
                                 "saves).")
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
