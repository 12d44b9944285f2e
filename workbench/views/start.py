"""The start page: what the workbench does, the AXLES steps, and the workspace to work in."""

from __future__ import annotations

import html

import ipywidgets as w

from workbench.privacy import published_mode
from workbench.views.data import DataPanel
from workbench.views.editor import TableEditor
from workbench.views.feedback import Notice, guarded
from workbench.views.shell import PAGES, STEPS, PageContext, page_link
from workbench.workspace import create_workspace, find_workspace, list_workspaces


class StartView(w.VBox):
    """Pick or create a workspace, see the AXLES steps and the health of the workspace's data.

    In the published app the workspace it was started with is the only one
    shown, and the create row and the table editor are not there at all.
    """

    def __init__(self, context: PageContext) -> None:
        self.context = context
        published = published_mode()
        self.steps = w.HTML()
        self.choice = w.Dropdown(description="Workspace", style={"description_width": "initial"})
        self.new_name = w.Text(placeholder="e.g. Acme 2027 pilot", description="New workspace",
                               style={"description_width": "initial"})
        self.copy_demo = w.Checkbox(value=False, description="Start from the demo organisation's data", indent=False)
        self.create_button = (None if published else
                              w.Button(description="Create workspace", button_style="primary", icon="plus"))
        self.notice = Notice()
        self.data = DataPanel(context)
        self.editor = None if published else TableEditor(context)

        self._fill_choices()
        self.choice.observe(self._on_choice, names="value")
        if self.create_button is not None:
            self.create_button.on_click(self._on_create)
        context.observe(self._render, names="workspace")

        super().__init__([
            w.HTML("<h3>The AXLES steps</h3>"),
            self.steps,
            w.HTML("<h3>Workspace</h3><p>A workspace holds one organisation's data and program design. "
                   + ("This published app shows one workspace.</p>" if published else
                      "The demo organisation is ready to explore; create a new workspace for a client.</p>")),
            self.choice,
            *([] if published else [w.HBox([self.new_name, self.copy_demo, self.create_button])]),
            self.notice,
            self.data,
            *([] if self.editor is None else [self.editor]),
        ])
        self.add_class("wb-start")
        self._render()

    def _fill_choices(self) -> None:
        # The published app serves the one workspace it was started with.
        workspaces = [self.context.workspace] if published_mode() else list_workspaces()
        # new options first select the first one: that is no choice of the user's (it would open that workspace)
        self._filling = True
        try:
            self.choice.options = [(ws.name, ws.slug) for ws in workspaces]
            self.choice.value = self.context.workspace.slug
        finally:
            self._filling = False
        self.choice.disabled = published_mode()

    @guarded("open the workspace")
    def _on_choice(self, change: dict) -> None:
        if not self._filling and change["new"] and change["new"] != self.context.workspace.slug:
            self.context.workspace = find_workspace(change["new"])

    @guarded("create the workspace", button="create_button")
    def _on_create(self, _button: w.Button) -> None:
        created = create_workspace(self.new_name.value, copy_demo=self.copy_demo.value)
        self.new_name.value = ""
        self.context.workspace = created
        self._fill_choices()
        self.notice.show(f"Created the workspace {created.name!r} (folder {created.slug!r} among the workspaces).",
                         "success")

    def _render(self, _change: object = None) -> None:
        self.steps.value = _steps_html(self.context.workspace.slug)


def _steps_html(workspace_slug: str) -> str:
    cards = []
    for step in STEPS:
        links = [f'<li><a href="{html.escape(page_link(p.notebook, workspace_slug))}">{html.escape(p.title)}</a></li>'
                 for p in PAGES if step.key in p.steps]
        cards.append(
            f'<div class="wb-step" data-step="{step.key}"><h4><span class="wb-letter">{step.letter}</span>'
            f"{html.escape(step.title)}</h4><p>{html.escape(step.summary)}</p>"
            + (f"<ul>{''.join(links)}</ul>" if links else "")
            + "</div>"
        )
    return f'<div class="wb-steps">{"".join(cards)}</div>'
