"""A data grid for small tables: every cell a real input, drawn offline by the browser.

:class:`DataGrid` shows ``rows`` (a list of dicts of text, one per table row) as an HTML
table of ``<input>`` cells (a ``<select>`` for a column with ``choices``), with buttons to
add and delete rows; an edited cell is sent to the kernel when it is left (its ``change``
event), so ``grid.rows`` is always the table as the page shows it. ``marks`` colour cells
(a problem's text as their tooltip). Long tables are shown a page of ``page_size`` rows at a
time. Rows are numbered as in a spreadsheet of the saved file: the header is row 1, the
first data row row 2, as every problem the workbench reports numbers them.

People's text never becomes markup: the script builds every node with ``textContent`` and
``value``. As for charts (:mod:`workbench.views.charts`), the state lives on a plain
ipywidgets model (:class:`GridData`) that the anywidget's view follows, so the kernel's
updates reach the page even when anywidget gave up on its own model's two-second deadline.
"""

from __future__ import annotations

import anywidget
import ipywidgets
import traitlets

#: Rows drawn at a time; the pager moves through the rest (a few hundred inputs draw in a few milliseconds).
PAGE_SIZE = 100

_ESM = r"""
async function gridData(model) {
  const ref = String(model.get("_data") || "");
  return model.widget_manager.get_model(ref.replace(/^IPY_MODEL_/, ""));
}

function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const copy = (value) => JSON.parse(JSON.stringify(value || []));
let grids = 0;

async function render({ model, el }) {
  const data = await gridData(model);
  const uid = "wb-grid-" + (++grids) + "-" + Math.random().toString(36).slice(2, 8);
  el.classList.add("wb-grid");
  let rows = copy(data.get("rows"));
  let marks = copy(data.get("marks"));
  let page = 0;

  const lists = make("div");
  const scroll = make("div", "wb-grid-scroll");
  const table = make("table");
  const head = make("thead");
  const body = make("tbody");
  table.append(head, body);
  scroll.append(table);
  const bar = make("div", "wb-grid-bar");
  const add = make("button", "wb-grid-add", "+ Add row");
  add.type = "button";
  const prev = make("button", "wb-grid-prev", "‹ Previous");
  const next = make("button", "wb-grid-next", "Next ›");
  prev.type = next.type = "button";
  const where = make("span", "wb-grid-where");
  const elsewhere = make("span", "wb-grid-elsewhere");
  bar.append(add, prev, where, next, elsewhere);
  el.replaceChildren(lists, scroll, bar);

  const columns = () => data.get("columns") || [];
  const size = () => Math.max(1, data.get("page_size") || 100);
  const pages = () => Math.max(1, Math.ceil(rows.length / size()));
  const listId = (i) => uid + "-list-" + i;

  function commit() {
    // A custom message, not a state sync: a sync waits while the kernel is busy and would reach it after a
    // click on Save made just after typing; messages reach it in the order they are sent.
    data.send({ event: "edit", rows: copy(rows), marks: copy(marks) });
  }

  function drawLists() {
    lists.replaceChildren();
    columns().forEach((column, i) => {
      if (!column.options || !column.options.length || column.choices.length) return;
      const list = make("datalist");
      list.id = listId(i);
      for (const [value, label] of column.options) {
        const option = make("option");
        option.value = value;
        if (label) option.label = label;
        list.append(option);
      }
      lists.append(list);
    });
  }

  function drawHead() {
    const row = make("tr");
    const corner = make("th", "wb-rownum", "1");
    corner.title = "Row 1 is the header, as in a spreadsheet of the saved file";
    row.append(corner, make("th", "wb-grid-actions"));
    for (const column of columns()) {
      const cell = make("th", column.required ? "wb-required" : "", column.title + (column.required ? " *" : ""));
      cell.title = column.hint || "";
      cell.dataset.column = column.name;
      row.append(cell);
    }
    head.replaceChildren(row);
  }

  function cell(index, column, i) {
    const td = make("td");
    let input;
    const value = rows[index][column.name] ?? "";
    if (column.choices.length) {
      input = make("select");
      const choices = ["", ...column.choices];
      if (!choices.includes(value)) choices.push(value);  // shown as it is, so Check can name it
      for (const choice of choices) {
        const option = make("option", "", choice);
        option.value = choice;
        input.append(option);
      }
    } else {
      input = make("input");
      input.type = "text";
      input.size = 1;  // as wide as its column, which the table sizes (not 20 characters)
      input.spellcheck = false;
      if (column.options && column.options.length) input.setAttribute("list", listId(i));
    }
    input.value = value;
    input.dataset.column = column.name;
    input.setAttribute("aria-label", column.title + ", row " + (index + 2));
    td.style.minWidth = (column.width || 8) + "ch";
    input.addEventListener("change", () => {
      rows[index][column.name] = input.value;
      marks = marks.filter((m) => !(m.row === index && m.column === column.name));
      td.classList.remove("wb-bad");
      input.removeAttribute("title");
      input.removeAttribute("aria-invalid");
      commit();
    });
    td.append(input);
    return td;
  }

  function drawBody() {
    page = Math.min(page, pages() - 1);
    const start = page * size();
    const end = Math.min(rows.length, start + size());
    const shown = document.createDocumentFragment();
    const cols = columns();
    for (let index = start; index < end; index++) {
      const tr = make("tr");
      tr.dataset.index = String(index);
      tr.append(make("td", "wb-rownum", String(index + 2)));
      const remove = make("button", "wb-grid-delete", "✕");
      remove.type = "button";
      remove.title = "Delete row " + (index + 2);
      remove.setAttribute("aria-label", "Delete row " + (index + 2));
      remove.addEventListener("click", () => {
        rows.splice(index, 1);
        marks = marks.filter((m) => m.row !== index).map((m) => (m.row > index ? { ...m, row: m.row - 1 } : m));
        drawBody();
        commit();
      });
      const actions = make("td", "wb-grid-actions");
      actions.append(remove);
      tr.append(actions);  // beside the row's number, in view however wide the table
      cols.forEach((column, i) => tr.append(cell(index, column, i)));
      shown.append(tr);
    }
    if (!rows.length) {
      const empty = make("td", "wb-grid-empty", "No rows yet: press “Add row”.");
      empty.colSpan = cols.length + 2;
      const tr = make("tr");
      tr.append(empty);
      shown.append(tr);
    }
    body.replaceChildren(shown);
    where.textContent = rows.length
      ? (pages() > 1 ? "Rows " + (start + 2) + "–" + (end + 1) + " (page " + (page + 1) + " of " + pages() + "), "
                     : "") + rows.length + " row" + (rows.length === 1 ? "" : "s")
      : "";
    prev.hidden = next.hidden = pages() < 2;
    prev.disabled = page === 0;
    next.disabled = page >= pages() - 1;
    drawMarks();
  }

  function drawMarks() {
    for (const bad of body.querySelectorAll(".wb-bad")) {
      bad.classList.remove("wb-bad");
      bad.removeAttribute("title");
      for (const input of bad.querySelectorAll("input, select")) {
        input.removeAttribute("title");
        input.removeAttribute("aria-invalid");
      }
    }
    let away = 0;
    for (const mark of marks) {
      const tr = body.querySelector('tr[data-index="' + mark.row + '"]');
      if (!tr) { away += 1; continue; }
      const input = Array.from(tr.querySelectorAll("input, select")).find((node) => node.dataset.column === mark.column);
      const td = input ? input.parentElement : tr.firstElementChild;
      td.classList.add("wb-bad");
      const target = input || td;
      target.title = (target.title ? target.title + "\n" : "") + mark.problem;
      if (input) input.setAttribute("aria-invalid", "true");
    }
    elsewhere.textContent = away ? away + " problem" + (away === 1 ? "" : "s") + " on other pages" : "";
  }

  add.addEventListener("click", () => {
    rows.push(Object.fromEntries(columns().map((column) => [column.name, ""])));
    page = pages() - 1;
    drawBody();
    commit();
    const first = body.querySelector('tr[data-index="' + (rows.length - 1) + '"] input, tr[data-index="'
                                    + (rows.length - 1) + '"] select');
    if (first) first.focus();
  });
  prev.addEventListener("click", () => { page -= 1; drawBody(); });
  next.addEventListener("click", () => { page += 1; drawBody(); });

  function onChange() {
    const changed = data.changed || {};
    if ("columns" in changed || "page_size" in changed) {
      rows = copy(data.get("rows"));
      marks = copy(data.get("marks"));
      page = 0;
      drawLists();
      drawHead();
      drawBody();
      return;
    }
    if ("rows" in changed && JSON.stringify(data.get("rows") || []) !== JSON.stringify(rows)) {
      rows = copy(data.get("rows"));
      marks = copy(data.get("marks"));
      drawBody();
      return;
    }
    if ("marks" in changed) {
      marks = copy(data.get("marks"));
      drawMarks();
    }
  }
  data.on("change", onChange);
  drawLists();
  drawHead();
  drawBody();
  return () => data.off("change", onChange);
}

export default { render };
"""

_CSS = """
.wb-grid { font-size: 13px; max-width: 100%; }
.wb-grid-scroll { max-height: 480px; overflow: auto; border: 1px solid #d0d7de; border-radius: 4px; }
.wb-grid table { border-collapse: separate; border-spacing: 0; width: 100%; }
.wb-grid th { position: sticky; top: 0; z-index: 1; background: #f6f8fa; text-align: left; font-weight: 600;
  padding: 5px 6px; border-bottom: 1px solid #d0d7de; white-space: nowrap; }
.wb-grid th.wb-required { color: #1f2328; }
.wb-grid td { padding: 1px 2px; border-bottom: 1px solid #eef1f4; }
.wb-grid .wb-rownum { color: #57606a; text-align: right; padding: 0 6px; background: #f6f8fa;
  font-variant-numeric: tabular-nums; min-width: 3ch; }
.wb-grid input, .wb-grid select { width: 100%; box-sizing: border-box; border: 1px solid transparent;
  border-radius: 3px; padding: 3px 4px; font: inherit; color: inherit; background: transparent; }
.wb-grid input:hover, .wb-grid select:hover { border-color: #d0d7de; }
.wb-grid input:focus, .wb-grid select:focus { border-color: #0969da; outline: none; background: #fff; }
.wb-grid td.wb-bad input, .wb-grid td.wb-bad select { border-color: #b3261e; background: #fdecea; }
.wb-grid td.wb-rownum.wb-bad { color: #b3261e; font-weight: 600; }
.wb-grid .wb-grid-actions { width: 2em; text-align: center; padding: 0; background: #f6f8fa; }
.wb-grid .wb-grid-delete { border: none; background: none; color: #57606a; cursor: pointer; padding: 2px 6px; }
.wb-grid .wb-grid-delete:hover { color: #b3261e; }
.wb-grid .wb-grid-empty { padding: 10px; color: #57606a; }
.wb-grid-bar { display: flex; gap: 10px; align-items: center; margin-top: 6px; }
.wb-grid-bar button { font: inherit; padding: 3px 10px; cursor: pointer; border: 1px solid #d0d7de;
  border-radius: 4px; background: #f6f8fa; }
.wb-grid-bar button:disabled { cursor: default; opacity: 0.5; }
.wb-grid-where { color: #57606a; }
.wb-grid-elsewhere { color: #b3261e; }
"""


class GridData(ipywidgets.Widget):
    """The grid's state, the only state it syncs (a plain ipywidgets model: no anywidget deadline stops it).

    ``columns``: one dict per column, in order: ``name``, ``title`` (the words shown), ``required``,
    ``hint`` (the header's tooltip), ``choices`` (a select's values; empty: a text input), ``options``
    (``[value, label]`` pairs offered while typing) and ``width`` (the least width, in characters).
    ``rows``: one dict of text per row, by column name. ``marks``: ``{"row": <0-based index in rows>,
    "column": <name>, "problem": <text>}``; a column that is not shown marks the row's number.
    """

    columns = traitlets.List(traitlets.Dict()).tag(sync=True)
    rows = traitlets.List(traitlets.Dict()).tag(sync=True, echo_update=False)
    marks = traitlets.List(traitlets.Dict()).tag(sync=True, echo_update=False)
    page_size = traitlets.Int(PAGE_SIZE, min=1).tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._on_edit)

    def _on_edit(self, _model: object, content: object, _buffers: object) -> None:
        """The page's rows and marks after an edit, sent as a message in the order of the clicks after it."""
        if isinstance(content, dict) and content.get("event") == "edit":
            self.set_state({"rows": content.get("rows") or [], "marks": content.get("marks") or []})

    def send_rows(self) -> None:
        """Send the rows, marks and columns to the page even when they equal what the page last sent (its
        own copy of what the kernel sent before may be older)."""
        self.send_state(["columns", "rows", "marks"])


class DataGrid(anywidget.AnyWidget):
    """An editable table in the page; ``grid.rows`` is the table as shown (see the module's notes).

    Set ``columns`` and ``rows`` together (:meth:`show`) to show another table.
    """

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    _css = traitlets.Unicode(_CSS).tag(sync=True)
    _data = traitlets.Instance(GridData).tag(sync=True, **ipywidgets.widget_serialization)

    def __init__(self, **kwargs) -> None:
        super().__init__(_data=GridData(), **kwargs)

    @property
    def data(self) -> GridData:
        """The model that carries the grid's state to and from the page."""
        return self._data

    @property
    def columns(self) -> list[dict]:
        """The columns shown (see :class:`GridData`)."""
        return self._data.columns

    @property
    def rows(self) -> list[dict]:
        """The rows as the page shows them, edits included: one dict of text per row."""
        return self._data.rows

    @rows.setter
    def rows(self, rows: list[dict]) -> None:
        self._data.rows = [dict(row) for row in rows]
        self._data.send_rows()

    @property
    def marks(self) -> list[dict]:
        """The cells marked as wrong (see :class:`GridData`)."""
        return self._data.marks

    @marks.setter
    def marks(self, marks: list[dict]) -> None:
        self._data.marks = list(marks)
        self._data.send_state(["marks"])  # even when equal to what the page last sent

    def show(self, columns: list[dict], rows: list[dict]) -> None:
        """Show another table: its ``columns`` and ``rows``, no marks, from its first page."""
        with self._data.hold_sync():
            self._data.marks = []
            self._data.rows = [dict(row) for row in rows]
            self._data.columns = list(columns)
        self._data.send_rows()

    def close(self) -> None:
        self._data.close()
        super().close()
