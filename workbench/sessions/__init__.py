"""Page sessions: what a page holds and computes, apart from its widgets.

A session is a :class:`traitlets.HasTraits` model of one page: the workspace and
tables it read, the settings the user chose (as traits), the current results and
what is saved, with the page's logic as methods (run the analysis, what is stale,
which options can be chosen, save). It imports no ipywidgets and no altair, so a
page's logic is tested without a browser; the page's view (``workbench.views``)
links widgets to it and runs its long methods in the background.
"""
