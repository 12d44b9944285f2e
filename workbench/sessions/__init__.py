"""Session models of the pages: what each page holds and computes (traitlets, no widgets), testable alone."""
