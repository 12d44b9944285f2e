import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from workbench.privacy import MIN_GROUP, hide_small_groups


def test_small_groups_lose_every_figure_but_keep_their_name() -> None:
    frame = pd.DataFrame({"department": ["Sales", "Legal"], "people": [12, 3], "mean_gap": [0.5, 2.25]})
    shown = hide_small_groups(frame, ["department"])
    assert shown.loc[0, "mean_gap"] == 0.5 and not shown.loc[0, "hidden"]
    assert shown.loc[1].tolist() == ["Legal", None, None, True]
    assert frame.loc[1, "mean_gap"] == 2.25  # the input is untouched


@given(st.lists(st.integers(0, 20), min_size=1, max_size=10))
def test_no_figure_of_a_small_group_survives(counts: list[int]) -> None:
    frame = pd.DataFrame({"group": [f"g{i}" for i in range(len(counts))], "people": counts,
                          "value": [c * 1.5 for c in counts]})
    shown = hide_small_groups(frame, ["group"])
    for count, value, hidden in zip(counts, shown["value"], shown["hidden"]):
        assert hidden == (count < MIN_GROUP)
        assert (value is None) == hidden
