"""Page sessions: what each analysis page holds and computes, without widgets (testable without a browser)."""
