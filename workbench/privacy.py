"""Privacy rules shared by every page, breakdown and export of the workbench.

Small groups: a figure about a group of fewer than :data:`MIN_GROUP` people
says too much about each of them, so breakdowns blank such groups rather than
show them (:func:`hide_small_groups`).

Published mode: ``workbench app --publish`` serves the pages read-only to a
client's stakeholders. The server tells the page kernels through the
environment: ``WORKBENCH_PUBLISHED=1``, and ``WORKBENCH_PSEUDONYM_KEY`` (a hex
secret kept outside the repository and the workspaces). :func:`published_mode`
is the one place that says whether this process is published;
:func:`refuse_when_published` is what every write path of a workspace calls
first. In published mode people are shown under pseudonyms
(:func:`pseudonyms`: "Person 7K3Q", from an HMAC-SHA256 of the person id),
and :class:`PersonLabels` is how pages name people in either mode.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.errors import WorkbenchError

MIN_GROUP = 5

#: The environment variable that puts the process in published mode ("1").
PUBLISHED_VARIABLE = "WORKBENCH_PUBLISHED"
#: The environment variable with the pseudonym key (hex).
KEY_VARIABLE = "WORKBENCH_PSEUDONYM_KEY"
#: Values of :data:`PUBLISHED_VARIABLE` that mean *not* published; anything else is published (fail closed).
_NOT_PUBLISHED = ("", "0", "false", "no", "off")
#: The shortest pseudonym key accepted, in bytes: a short key could be found by trying every key.
MIN_KEY_BYTES = 16
#: What a write refused in published mode says.
READ_ONLY_MESSAGE = "This app is published read-only: nothing can be saved."

#: Columns that hold a person id, in the workspace's tables and in results.
PERSON_ID_COLUMNS = ("person_id", "manager_id", "mentee_id", "mentor_id", "ranks_person_id", "partner_id",
                     "peer_id")
#: Columns that name or reach a person directly; pages leave them out in published mode.
IDENTIFYING_COLUMNS = ("name", "email", "first_name", "last_name", "full_name", "display_name", "phone",
                       "employee_number")

#: Pseudonym letters: Crockford's base 32 (no I, L, O or U, so nothing reads as a word or a digit).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Characters of a pseudonym's code to begin with; lengthened for the ids that would share one.
CODE_LENGTH = 4
PSEUDONYM_PREFIX = "Person "


class ReadOnlyError(WorkbenchError):
    """A write was attempted while the app is published read-only."""


@dataclass(frozen=True)
class Publication:
    """Whether this process serves a published (read-only, pseudonymised) app, as its environment says.

    ``published`` is true unless ``WORKBENCH_PUBLISHED`` is unset, empty,
    ``0``, ``false``, ``no`` or ``off``; ``key_text`` is the pseudonym key as
    given (hex), hidden from ``repr``.
    """

    published: bool = False
    key_text: str = field(default="", repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "Publication":
        """Read :data:`PUBLISHED_VARIABLE` and :data:`KEY_VARIABLE` from ``environ`` (default ``os.environ``)."""
        environ = os.environ if environ is None else environ
        flag = environ.get(PUBLISHED_VARIABLE, "").strip().lower()
        return cls(published=flag not in _NOT_PUBLISHED, key_text=environ.get(KEY_VARIABLE, "").strip())

    def key(self) -> bytes:
        """The pseudonym key; a :class:`WorkbenchError` when it is missing, not hex, or too short."""
        try:
            key = bytes.fromhex(self.key_text)
        except ValueError:
            key = b""
        if len(key) < MIN_KEY_BYTES:
            raise WorkbenchError(
                f"This published app has no usable pseudonym key ({KEY_VARIABLE}: at least {MIN_KEY_BYTES} bytes "
                "in hex), so it cannot show people under pseudonyms and shows nobody. Restart it with "
                "workbench app --publish.")
        return key


def publication() -> Publication:
    """This process's :class:`Publication`, read from the environment each time it is asked."""
    return Publication.from_environment()


def published_mode() -> bool:
    """True when this process serves the published, read-only app (``WORKBENCH_PUBLISHED=1``)."""
    return publication().published


def refuse_when_published() -> None:
    """Raise :class:`ReadOnlyError` when the app is published: called first by every write path."""
    if published_mode():
        raise ReadOnlyError(READ_ONLY_MESSAGE)


# ---------------------------------------------------------------------------
# Small groups


def shown_rows(rows: Iterable[Mapping]) -> tuple[list[Mapping], int]:
    """The rows a page or report may show (those not marked ``hidden`` by :func:`hide_small_groups` or the
    domain), and how many were left out, for the sentence that says so.

    >>> shown_rows([{"value": "Sales", "hidden": False}, {"value": "Legal", "hidden": True}])
    ([{'value': 'Sales', 'hidden': False}], 1)
    """
    rows = list(rows)
    shown = [r for r in rows if not r["hidden"]]
    return shown, len(rows) - len(shown)


def hide_small_groups(frame: pd.DataFrame, keys: Sequence[str], *, count: str = "people",
                      min_group: int = MIN_GROUP, within: Sequence[str] = (),
                      margins: Sequence[Sequence[str]] | None = None,
                      complementary: bool = True) -> pd.DataFrame:
    """A copy of ``frame`` with every figure of groups under ``min_group`` people blanked, and of enough others
    that a blanked group cannot be worked out from the totals shown beside them.

    ``keys`` are the columns naming the group (kept); ``count`` is the column
    with the group's head count. A *margin* is a list of columns: the rows
    sharing its values add up to a total that is shown elsewhere (``[]`` is
    the grand total; ``["department"]`` each department's total). ``within``
    is the one-margin shorthand (``margins=[within]``, the default); a
    two-way table whose row and column totals are both shown, say department
    x level with the departments' and the levels' head counts, passes both
    (``margins=[["department"], ["level"], []]``). Once a group is blanked,
    a total minus the groups shown would give it away, so further groups,
    smallest first, are blanked too until, in every margin's part that has a
    blanked group, the blanked ones are at least two and together count at
    least ``min_group`` people (complementary suppression, as statistical
    offices do). With several margins, a group under ``min_group`` could
    still be the one unknown of some sum of totals (a row total minus a
    column total, and so on): such a group is found by linear algebra (its
    size is fixed by the totals and the groups shown) and one more group
    beside it is blanked, until none is fixed. A margin's totals are a
    breakdown themselves, shown (where a page shows them) under this same
    rule against the grand total: the totals it hides are not counted as
    known. Bounds are not audited: a blanked group is known to lie between 0
    and its part's blanked total.

    ``complementary=False`` leaves all that out, for figures that add up to
    no total shown (means, medians). ``hidden`` (bool) says which rows were
    blanked and, with complementary suppression, ``hidden_small`` which of
    them for being under ``min_group`` themselves.
    """
    people = pd.to_numeric(frame[count], errors="coerce").fillna(0).to_numpy(dtype=float)
    small = people < min_group
    hidden = small.copy()
    if complementary and hidden.any():
        margins = [list(within)] if margins is None else [list(m) for m in margins]
        parts, known = [], []
        for margin in margins:
            rows = [np.asarray(r) for r in frame.groupby(margin, sort=False).indices.values()] if margin else [
                np.arange(len(frame))]
            parts += rows
            if len(margins) > 1:
                totals = pd.DataFrame({"people": [people[r].sum() for r in rows]})
                known += [r for r, h in zip(rows, hide_small_groups(totals, [], min_group=min_group)["hidden"])
                          if not h]
        while _complete_parts(hidden, people, parts, min_group) or (len(margins) > 1
                                                                    and _unfix(hidden, people, known, min_group)):
            pass
    shown = frame.copy()
    figures = [c for c in shown.columns if c not in set(keys)]
    for column in figures:
        shown[column] = shown[column].astype(object).where(~hidden, None)
    shown["hidden"] = hidden
    if complementary:
        shown["hidden_small"] = small
    return shown


def _complete_parts(hidden: np.ndarray, people: np.ndarray, parts: list[np.ndarray], min_group: int) -> bool:
    """Blank groups (in place), smallest first, until every part with a blanked group has two or more that
    together count ``min_group`` people or more (or has all blanked); True when any was blanked."""
    changed = False
    for rows in parts:
        while hidden[rows].any() and not hidden[rows].all() and not (
                hidden[rows].sum() >= 2 and people[rows][hidden[rows]].sum() >= min_group):
            open_rows = rows[~hidden[rows]]
            hidden[open_rows[np.argsort(people[open_rows], kind="stable")[0]]] = True
            changed = True
    return changed


def _unfix(hidden: np.ndarray, people: np.ndarray, known: list[np.ndarray], min_group: int) -> bool:
    """Blank (in place) the smallest shown group sharing a part with a blanked group under ``min_group`` whose
    size the ``known`` parts' totals fix; True when one was blanked."""
    blanked = np.flatnonzero(hidden)
    # One equation per part whose total is shown: the sum of its blanked groups (its total minus the groups
    # shown) is known.
    equations = np.zeros((max(len(known), 1), len(blanked)))
    column = {row: k for k, row in enumerate(blanked)}
    for p, rows in enumerate(known):
        for row in rows[hidden[rows]]:
            equations[p, column[row]] = 1.0
    # A blanked group is fixed when the sums pin it down: its unit vector lies in the equations' row space.
    _, singular, vt = np.linalg.svd(equations, full_matrices=False)
    basis = vt[singular > 1e-9 * max(singular.max(initial=0.0), 1.0)]
    fixed = (basis ** 2).sum(axis=0) > 1 - 1e-9
    for row in blanked[fixed & (people[blanked] < min_group)]:
        beside = np.unique(np.concatenate([rows for rows in known if row in rows]))
        beside = beside[~hidden[beside]]
        if len(beside):
            hidden[beside[np.argsort(people[beside], kind="stable")[0]]] = True
            return True
    return False


# ---------------------------------------------------------------------------
# Pseudonyms


def _key_bytes(key: bytes | str) -> bytes:
    if isinstance(key, bytes):
        return key
    try:
        return bytes.fromhex(key)
    except ValueError:
        raise ValueError("a pseudonym key is bytes or hex text") from None


_LETTERS = np.frombuffer(_ALPHABET.encode("ascii"), dtype=np.uint8)
_FIVE_BITS = np.array([16, 8, 4, 2, 1], dtype=np.uint8)


def _digests(key: bytes, person_ids: Sequence[str], attempt: int = 0) -> list[str]:
    """The HMAC-SHA256 of each id (and the attempt, after the first) as 51 letters of :data:`_ALPHABET`."""
    messages = [(p if attempt == 0 else f"{p}\x00{attempt}").encode("utf-8") for p in person_ids]
    raw = b"".join(hmac.new(key, m, hashlib.sha256).digest() for m in messages)
    bits = np.unpackbits(np.frombuffer(raw, dtype=np.uint8).reshape(len(messages), 32), axis=1)[:, :255]
    letters = _LETTERS[bits.reshape(len(messages), 51, 5) @ _FIVE_BITS]  # 51 x 5 bits = 255 of the 256
    return [row.tobytes().decode("ascii") for row in letters]


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value))) or str(value).strip() == ""


def _shortest_unique(digests: Mapping[str, str], length: int) -> dict[str, str]:
    """Each id's code: the shortest start of its digest (at least ``length``) no other digest starts with."""
    ordered = sorted(digests.items(), key=lambda item: item[1])
    codes = {}
    for k, (person, digest) in enumerate(ordered):
        shared = 0
        for j in (k - 1, k + 1):
            if 0 <= j < len(ordered):
                other = ordered[j][1]
                common = 0
                while common < len(digest) and digest[common] == other[common]:
                    common += 1
                shared = max(shared, common)
        if shared >= len(digest):
            raise ValueError(f"two person ids have the same pseudonym digest: {person!r}")  # 2**-255: never
        codes[person] = digest[:max(length, shared + 1)]
    return codes


def pseudonyms(person_ids: Iterable[object], key: bytes | str) -> pd.Series:
    """Each person's pseudonym for ``key``: ``"Person 7K3Q"``, aligned with ``person_ids``.

    The code is the start of an HMAC-SHA256 of the id (as text) under ``key``
    (bytes, or hex text), written in Crockford's base 32. So it is *stable*
    (the same id always gets the same pseudonym for a key, on every page and
    in every download), says nothing about the id, name or e-mail without the
    key, and differs between installations. It is *collision-free within the
    given ids*: ids whose codes would coincide get longer codes (a fifth
    letter, and so on), only those. It never contains its own id: an id that
    happened to appear in its code takes the next HMAC (id and a counter).
    Pass every id of the organisation (``people.csv``) at once, so an id's
    pseudonym does not depend on which other ids a page happens to show.

    Missing or blank ids stay missing (``None``). The result is a Series of
    text with the index of ``person_ids`` when that is a Series.
    """
    key = _key_bytes(key)
    index = person_ids.index if isinstance(person_ids, pd.Series) else None
    values = list(person_ids)
    unique = sorted({str(v) for v in values if not _missing(v)})
    attempts = dict.fromkeys(unique, 0)
    digests = dict(zip(unique, _digests(key, unique)))
    while True:
        codes = _shortest_unique(digests, CODE_LENGTH)
        clashes = [p for p in unique if p.casefold() in codes[p].casefold()]
        if not clashes:
            break
        for person in clashes:
            attempts[person] += 1
            digests[person] = _digests(key, [person], attempts[person])[0]
    named = [None if _missing(v) else PSEUDONYM_PREFIX + codes[str(v)] for v in values]
    return pd.Series(named, index=index, dtype=object)


# ---------------------------------------------------------------------------
# How pages name people

#: A word of free text: an id, an e-mail, a part of a name (an apostrophe ends it: "P1's", "O'Brien").
_TOKEN = re.compile(r"[\w@+-]+(?:\.[\w@+-]+)*")


class PersonLabels:
    """How a page names people: ``Name (id)`` in the workshop, a pseudonym in the published app.

    Built from the organisation's ``people.csv`` (``person_id``, and ``name``
    and ``email`` when present) so a pseudonym is the same on every page.
    With ``key=None`` (the workshop) everything is shown as it is: :meth:`table`
    and :meth:`text` return their input. With a key (published) every person
    id becomes its pseudonym, name and e-mail columns are left out, and free
    text has ids, names and e-mails replaced. Ids that are not in ``people.csv``
    get pseudonyms too.
    """

    def __init__(self, people: pd.DataFrame, *, key: bytes | str | None = None) -> None:
        self.published = key is not None
        self._key = None if key is None else _key_bytes(key)
        ids = people["person_id"].astype(str) if "person_id" in people.columns else pd.Series([], dtype=str)
        self._ids = list(dict.fromkeys(ids))
        self._names = dict(zip(ids, people["name"].fillna("").astype(str))) if "name" in people.columns else {}
        self._emails = dict(zip(ids, people["email"].fillna("").astype(str))) if "email" in people.columns else {}
        self._pseudonyms: dict[str, str] = {}
        self._index: dict[str, list[tuple[str, str]]] | None = None
        if self.published:
            self._learn(self._ids)

    @classmethod
    def for_page(cls, people: pd.DataFrame) -> "PersonLabels":
        """The labels this process should show: pseudonyms when :func:`published_mode`, else names and ids.

        Published without a usable key, this raises a :class:`WorkbenchError`:
        a page then shows that message instead of anybody.
        """
        state = publication()
        return cls(people, key=state.key() if state.published else None)

    def _learn(self, ids: Iterable[str]) -> None:
        new = [i for i in dict.fromkeys(ids) if i not in self._pseudonyms]
        if new:
            known = list(self._pseudonyms) + new
            self._pseudonyms = dict(zip(known, pseudonyms(known, self._key)))
            self._index = None

    def __call__(self, person_id: object) -> str:
        """One person as the page should name them (blank for a missing id)."""
        return self.labels([person_id])[0]

    def labels(self, person_ids: Iterable[object]) -> list[str]:
        """Each person as the page should name them, in order."""
        values = ["" if _missing(v) else str(v) for v in person_ids]
        if not self.published:
            return [f"{self._names[v]} ({v})" if self._names.get(v) else v for v in values]
        self._learn(v for v in values if v)
        return [self._pseudonyms[v] if v else "" for v in values]

    def table(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` as the page may show or offer it: unchanged in the workshop; published, a copy with person
        id columns (:data:`PERSON_ID_COLUMNS`) as pseudonyms, name and e-mail columns (:data:`IDENTIFYING_COLUMNS`)
        left out, and every other text column with ids, names and e-mails replaced."""
        if not self.published:
            return frame
        shown = frame.drop(columns=[c for c in frame.columns if str(c).lower() in IDENTIFYING_COLUMNS])
        for column in shown.columns:
            values = shown[column]
            if str(column).lower() in PERSON_ID_COLUMNS:
                shown[column] = self.labels(values)
            elif values.dtype == object or pd.api.types.is_string_dtype(values):
                texts = {v: self.text(v) for v in values.unique() if isinstance(v, str)}
                shown[column] = [texts.get(v, v) if isinstance(v, str) else v for v in values]
        return shown

    def text(self, text: str) -> str:
        """``text`` as the page may show it: unchanged in the workshop; published, every id, name and e-mail of
        a known person (and every id seen so far) replaced by the person's pseudonym."""
        if not self.published or not text:
            return text
        index = self._lookup()
        out, position = [], 0
        for match in _TOKEN.finditer(text):
            start = match.start()
            if start < position:
                continue
            for found, replacement in index.get(match.group(), ()):
                end = start + len(found)
                joined = end < len(text) and (text[end].isalnum() or text[end] in "_@")
                if text.startswith(found, start) and not joined:
                    out += [text[position:start], replacement]
                    position = end
                    break
        out.append(text[position:])
        return "".join(out)

    def _lookup(self) -> dict[str, list[tuple[str, str]]]:
        """Identifiers by their first word, longest first: what :meth:`text` replaces."""
        if self._index is None:
            index: dict[str, list[tuple[str, str]]] = {}
            for person, pseudonym in self._pseudonyms.items():
                for found in (person, self._names.get(person, ""), self._emails.get(person, "")):
                    first = _TOKEN.match(found.strip()) if found.strip() else None
                    if first is not None:
                        index.setdefault(first.group(), []).append((found.strip(), pseudonym))
            for entries in index.values():
                entries.sort(key=lambda entry: -len(entry[0]))
            self._index = index
        return self._index
