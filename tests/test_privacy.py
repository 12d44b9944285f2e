import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.suppression import assert_no_hidden_group_fixed, assert_suppressed
from workbench.privacy import MIN_GROUP, hide_small_groups


def test_small_groups_lose_every_figure_but_keep_their_name() -> None:
    frame = pd.DataFrame({"department": ["Sales", "HR", "Legal"], "people": [12, 8, 3], "mean_gap": [0.5, 1.0, 2.25]})
    shown = hide_small_groups(frame, ["department"])
    assert shown.loc[0, "mean_gap"] == 0.5 and not shown.loc[0, "hidden"]
    assert shown.loc[2].tolist() == ["Legal", None, None, True, True]
    # Legal could be worked out from the total (23) minus the groups shown: HR, the next smallest, goes too
    assert shown.loc[1].tolist() == ["HR", None, None, True, False]
    assert frame.loc[2, "mean_gap"] == 2.25  # the input is untouched
    means = hide_small_groups(frame, ["department"], complementary=False)  # means add up to no total
    assert means["hidden"].tolist() == [False, False, True] and "hidden_small" not in means


@given(st.lists(st.integers(0, 20), min_size=1, max_size=10))
def test_no_figure_of_a_small_group_survives_or_can_be_worked_out(counts: list[int]) -> None:
    frame = pd.DataFrame({"group": [f"g{i}" for i in range(len(counts))], "people": counts,
                          "value": [c * 1.5 for c in counts]})
    shown = hide_small_groups(frame, ["group"])
    hidden = shown["hidden"].to_numpy(bool)
    for count, value, hide, small in zip(counts, shown["value"], hidden, shown["hidden_small"]):
        assert small == (count < MIN_GROUP) and (not small or hide)
        assert (value is None) == hide
    if hidden.any() and not hidden.all():
        # total minus the groups shown gives only the hidden groups together: at least two, at least five people
        assert hidden.sum() >= 2 and sum(c for c, h in zip(counts, hidden) if h) >= MIN_GROUP
        # and no more than needed: dropping the largest group hidden for the others' sake would break that
        extra = [(c, i) for i, (c, h) in enumerate(zip(counts, hidden)) if h and c >= MIN_GROUP]
        if extra:
            rest = [c for i, (c, h) in enumerate(zip(counts, hidden)) if h and i != max(extra)[1]]
            assert len(rest) < 2 or sum(rest) < MIN_GROUP


def test_complementary_suppression_works_within_each_breakdown() -> None:
    frame = pd.DataFrame({"wave": ["a", "a", "a", "b", "b"], "group": ["x", "y", "z", "x", "y"],
                          "people": [2, 9, 30, 20, 30]})
    shown = hide_small_groups(frame, ["wave", "group"], within=["wave"])
    assert shown["hidden"].tolist() == [True, True, False, False, False]



@settings(max_examples=150, deadline=None)
@given(st.integers(2, 5).flatmap(lambda n: st.lists(st.lists(st.integers(1, 14), min_size=n, max_size=n),
                                                    min_size=2, max_size=6)),
       st.sampled_from([[["department"], ["level"], []], [["department"], []]]))
def test_a_two_way_table_with_its_margins_shown_gives_no_hidden_group_away(rows: list[list[int]],
                                                                         margins: list[list[str]]) -> None:
    # Every department and level has two groups or more: a margin of one group would show that group itself.
    frame = pd.DataFrame([{"department": f"d{i}", "level": j, "people": n} for i, row in enumerate(rows)
                          for j, n in enumerate(row)])
    shown = hide_small_groups(frame, ["department", "level"], margins=margins)
    assert_no_hidden_group_fixed(frame, frame["people"], shown["hidden"], margins, what="department x level")
    for margin in margins[:-1]:
        for _, part in shown.assign(true=frame["people"]).groupby(margin):
            assert_suppressed(dict(zip(part.index, part["people"])), dict(zip(part.index, part["true"])))


def test_a_group_fixed_by_rows_minus_columns_is_protected_by_one_more() -> None:
    # Every group under five is hidden and every row and column has two or more hidden that count five or more,
    # yet d0's and d1's totals minus l0's and l1's leave exactly the group (d1, l2): one more must go
    small = {("d0", 0): 1, ("d0", 1): 4, ("d1", 0): 4, ("d1", 1): 1, ("d1", 2): 2, ("d2", 2): 1, ("d2", 3): 4,
             ("d3", 2): 4, ("d3", 3): 1}
    frame = pd.DataFrame([{"department": f"d{i}", "level": j, "people": small.get((f"d{i}", j), 20)}
                          for i in range(4) for j in range(4)])
    margins = [["department"], ["level"], []]
    per_line = frame["people"] < MIN_GROUP
    with pytest.raises(AssertionError, match="follows from the totals"):
        assert_no_hidden_group_fixed(frame, frame["people"], per_line, margins)
    shown = hide_small_groups(frame, ["department", "level"], margins=margins)
    assert_no_hidden_group_fixed(frame, frame["people"], shown["hidden"], margins)
    assert shown["hidden"].sum() == per_line.sum() + 1

# ---------------------------------------------------------------------------
# Published mode

import re  # noqa: E402

from workbench.errors import WorkbenchError  # noqa: E402
from workbench.privacy import (  # noqa: E402
    CODE_LENGTH,
    KEY_VARIABLE,
    PSEUDONYM_PREFIX,
    PUBLISHED_VARIABLE,
    READ_ONLY_MESSAGE,
    PersonLabels,
    Publication,
    ReadOnlyError,
    published_mode,
    pseudonyms,
    refuse_when_published,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


@pytest.mark.parametrize("value, published", [(None, False), ("", False), ("0", False), ("false", False),
                                              ("No", False), ("off", False), ("1", True), ("true", True),
                                              ("yes", True), ("anything else", True)])
def test_published_mode_reads_the_environment_and_fails_closed(monkeypatch: pytest.MonkeyPatch, value, published
                                                                ) -> None:
    if value is None:
        monkeypatch.delenv(PUBLISHED_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(PUBLISHED_VARIABLE, value)
    assert published_mode() is published
    assert Publication.from_environment({PUBLISHED_VARIABLE: value or ""}).published is published


def test_writes_are_refused_only_when_published(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PUBLISHED_VARIABLE, raising=False)
    refuse_when_published()
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    with pytest.raises(ReadOnlyError, match=re.escape(READ_ONLY_MESSAGE)) as caught:
        refuse_when_published()
    assert isinstance(caught.value, WorkbenchError)


@pytest.mark.parametrize("text", ["", "not hex", "abcd", "ab" * 15])
def test_a_missing_or_weak_key_is_refused_with_a_message(text: str) -> None:
    state = Publication.from_environment({PUBLISHED_VARIABLE: "1", KEY_VARIABLE: text})
    with pytest.raises(WorkbenchError, match=KEY_VARIABLE):
        state.key()


def test_the_key_is_read_as_hex_and_never_shown() -> None:
    state = Publication.from_environment({PUBLISHED_VARIABLE: "1", KEY_VARIABLE: KEY.hex()})
    assert state.key() == KEY
    assert KEY.hex() not in repr(state)


def test_pages_without_a_usable_key_show_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PUBLISHED_VARIABLE, "1")
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    with pytest.raises(WorkbenchError, match="pseudonym key"):
        PersonLabels.for_page(pd.DataFrame({"person_id": ["P1"]}))


# ---------------------------------------------------------------------------
# Pseudonyms

person_ids = st.one_of(
    st.from_regex(r"\A[A-Z]{0,3}[0-9]{1,7}\Z"),
    st.emails(),
    st.text(min_size=1, max_size=12).filter(str.strip),  # blank ids are missing ones
)


def code(pseudonym: str) -> str:
    assert pseudonym.startswith(PSEUDONYM_PREFIX)
    return pseudonym[len(PSEUDONYM_PREFIX):]


def test_a_pseudonym_looks_like_person_and_four_letters() -> None:
    shown = pseudonyms(["P00001", "P00002"], KEY)
    assert all(re.fullmatch(r"Person [0-9A-HJKMNP-TV-Z]{4}", p) for p in shown)
    assert pseudonyms(["P00001"], KEY.hex()).tolist() == shown[:1].tolist()  # hex text is the same key
    assert pseudonyms(["P00001"], OTHER_KEY)[0] != shown[0]


@given(st.lists(person_ids, min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_pseudonyms_are_stable(ids: list[str], random) -> None:
    first = dict(zip(ids, pseudonyms(ids, KEY)))
    shuffled = list(ids) * 2
    random.shuffle(shuffled)
    assert dict(zip(shuffled, pseudonyms(shuffled, KEY))) == first
    # alone, each id has the start of the code it has among others (codes only lengthen on collision)
    for person in set(ids):
        assert first[person].startswith(pseudonyms([person], KEY)[0])


@given(st.lists(person_ids, min_size=1, max_size=40))
def test_pseudonyms_are_distinct_for_distinct_ids(ids: list[str]) -> None:
    shown = dict(zip(ids, pseudonyms(ids, KEY)))
    assert len(set(shown.values())) == len({str(i) for i in ids})


@given(st.lists(person_ids, min_size=1, max_size=30))
def test_a_pseudonym_never_contains_its_id(ids: list[str]) -> None:
    for person, pseudonym in zip(ids, pseudonyms(ids, KEY)):
        assert person.casefold() not in code(pseudonym).casefold()
        if person.casefold() not in PSEUDONYM_PREFIX.casefold():
            assert person not in pseudonym


def test_ids_that_would_share_a_code_get_longer_codes_only_they() -> None:
    ids = [f"P{i:05d}" for i in range(5_000)]  # about a dozen pairs share four letters
    shown = pseudonyms(ids, KEY)
    lengths = shown.map(lambda p: len(code(p)))
    assert shown.is_unique and lengths.min() == CODE_LENGTH and (lengths > CODE_LENGTH).sum() > 0
    longer = shown[lengths > CODE_LENGTH].map(lambda p: code(p)[:CODE_LENGTH])
    assert longer.duplicated(keep=False).all()  # lengthened only where four letters collide


def test_blank_ids_stay_blank_and_the_index_is_kept() -> None:
    ids = pd.Series(["P1", None, "", "P1"], index=[10, 11, 12, 13])
    shown = pseudonyms(ids, KEY)
    assert shown.index.tolist() == [10, 11, 12, 13]
    assert shown[10] == shown[13] and shown[11] is None and shown[12] is None


# ---------------------------------------------------------------------------
# How pages name people

PEOPLE = pd.DataFrame({"person_id": ["P1", "P2", "P3"], "name": ["Ada Lovelace", "Alan Turing", ""],
                       "email": ["ada@example.com", "alan@example.com", ""], "department": ["R&D"] * 3,
                       "manager_id": ["", "P1", "P1"]})


def test_in_the_workshop_people_are_shown_as_they_are() -> None:
    labels = PersonLabels(PEOPLE)
    assert not labels.published
    assert labels.labels(["P1", "P3", "P9", None]) == ["Ada Lovelace (P1)", "P3", "P9", ""]
    assert labels.table(PEOPLE) is PEOPLE
    assert labels.text("For P1: same team") == "For P1: same team"


def test_published_labels_replace_ids_names_and_emails_everywhere() -> None:
    labels = PersonLabels(PEOPLE, key=KEY)
    alias = dict(zip(PEOPLE["person_id"], pseudonyms(PEOPLE["person_id"], KEY)))
    assert labels("P2") == alias["P2"] and labels.labels(["P1", ""]) == [alias["P1"], ""]
    shown = labels.table(PEOPLE.assign(note=["wrote to ada@example.com", "Alan Turing's mentee", "P3."]))
    assert list(shown.columns) == ["person_id", "department", "manager_id", "note"]
    assert shown["person_id"].tolist() == list(alias.values())
    assert shown["manager_id"].tolist() == ["", alias["P1"], alias["P1"]]
    assert shown["note"].tolist() == [f"wrote to {alias['P1']}", f"{alias['P2']}'s mentee", f"{alias['P3']}."]
    assert labels.text("For P1: skills. For P2: level; P10 and XP1 are others; P3's team") == (
        f"For {alias['P1']}: skills. For {alias['P2']}: level; P10 and XP1 are others; {alias['P3']}'s team")
    assert "P1" not in shown.to_csv(index=False).replace(alias["P1"], "")


def test_published_labels_name_unknown_ids_too_without_clashing() -> None:
    labels = PersonLabels(PEOPLE, key=KEY)
    unknown = labels("X-404")
    assert unknown.startswith(PSEUDONYM_PREFIX) and unknown not in labels.labels(["P1", "P2", "P3"])
    assert labels.text("X-404 left") == f"{unknown} left"
