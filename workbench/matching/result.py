"""An explained matching: :class:`MatchResult`, one mentee's :func:`candidates`, match rates per group.

A :class:`MatchResult` (made by :func:`workbench.matching.match`) holds:

* ``pairs``: one row per link, ``mentee_id``, ``mentor_id`` (for peers: the
  two peers), ``group`` (the mentor's id in group mentoring, the circle number
  for peers, blank otherwise), ``round`` (1-based; mosaic and flash make
  several), ``score`` in [0, 1], one column per criterion in use (each in
  [0, 1]) and ``reason``, one line in plain words.
* ``unmatched``: every mentee and mentor left without a partner, with
  ``role`` and ``reason`` (no allowed partner and which rules remove how
  many; allowed partners all taken; offered no capacity; not needed).
* ``summary``: head counts, ``match_rate`` (share of mentees with a partner,
  0-1), score mean, median, 10th percentile and ``worst_score``,
  ``skills_covered`` (share of the mentees' needed skills, wanted or gap,
  that a partner covers, 0-1), ``capacity_use`` (0-1), ``blocking_pairs``
  (pairs who would both rather be together, one-round bipartite structures;
  preferences as the stable method uses them; for other methods pools up to
  :data:`~workbench.matching.api.BLOCKING_PAIRS` pairs) and the solver's proof.
* :meth:`MatchResult.fairness` per group of any attribute (groups under five
  people hidden); :meth:`MatchResult.table` the export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import get_args

import numpy as np
import pandas as pd

from workbench.data.contracts import TABLES
from workbench.design.eligibility import text_column
from workbench.design.model import Criterion, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.exports import safe_csv_text
from workbench.matching import functional
from workbench.matching.names import method_label, structure_label
from workbench.matching.pool import Pool
from workbench.matching.rules import rules
from workbench.matching.scores import Overrides, PairScorer
from workbench.privacy import MIN_GROUP, hide_small_groups

__all__ = ["MatchResult", "candidates", "fairness_attributes", "match_rates"]

#: Words for the rule ids of :mod:`.rules` in reasons.
RULE_WORDS = {
    "self": "cannot mentor themself", "seniority_window": "seniority window", "line_manager": "line manager",
    "not_in_management_chain": "management chain", "different_department": "must be a different department",
    "same_department": "must be the same department", "mentor_more_senior": "mentor must be more senior",
    "same_timezone_band": "time-zone band", "teaches_functional_skill": "cannot teach the functional skill",
}
#: Attributes never offered for fairness breakdowns (identifiers, contact details, dates, free text).
_NOT_GROUPS = {"person_id", "manager_id", "name", "email", "hire_date", "exit_date", "wants", "offers", "capacity",
               "languages", "timezone", "onet_soc_code", functional.TARGET, functional.LEVEL}
_SENSITIVE = set(TABLES["people"].sensitive_columns)


def match_rates(people: pd.DataFrame, values: pd.Series, attribute: str) -> pd.DataFrame:
    """Match rates per group: ``people`` has one row per person on the mentee side (``matched`` bool,
    ``score`` 0-1 or NaN), ``values`` each one's group (text, aligned; blank is the group ``(blank)``).

    Columns ``attribute`` (the group), ``people``, ``matched``, ``match_rate`` (0-1), ``mean_score``, and
    ``hidden`` / ``hidden_small``: groups under five blanked, and enough others that none is everyone's total
    minus the groups shown (:func:`workbench.privacy.hide_small_groups`). The Matching page, ``workbench match``
    and the stakeholder pack all break match rates down here.
    """
    frame = people.assign(group=values.fillna("").astype(str).str.strip().replace("", "(blank)"))
    table = frame.groupby("group", sort=True).agg(people=("matched", "size"), matched=("matched", "sum"),
                                                  mean_score=("score", "mean")).reset_index()
    table["match_rate"] = table["matched"] / table["people"]
    table = table.rename(columns={"group": attribute})[[attribute, "people", "matched", "match_rate", "mean_score"]]
    return hide_small_groups(table, [attribute], min_group=MIN_GROUP)


def without_score(reason: str) -> str:
    """A pair's reason (:meth:`PairScorer.explain`) without its closing ``; score 0.78``."""
    return reason.rsplit("; score", 1)[0]


@dataclass(frozen=True, eq=False)
class MatchResult:
    """One matching of one pool: pairs, unmatched people, summary, proof; see the module docstring."""

    settings: dict
    pool: Pool
    pairs: pd.DataFrame
    unmatched: pd.DataFrame
    summary: dict
    messages: tuple[str, ...]
    criteria: tuple[str, ...]
    design: ProgramDesign
    people: pd.DataFrame = field(repr=False)  # one row per person on the mentee side: matched, score
    scorer: PairScorer = field(repr=False)  # the pair scores the matching used: :func:`candidates` explains with them

    def fairness(self, attribute: str) -> pd.DataFrame:
        """Per group of ``attribute``: ``people``, ``matched``, ``match_rate`` (0-1), ``mean_score``; small groups hidden.

        Only attributes of :func:`fairness_attributes` (sensitive ones only
        when the design opts in to them). Blank values form the group ``(blank)``.
        """
        allowed = fairness_attributes(self.pool, self.design)
        if attribute not in allowed:
            raise WorkbenchError(f"Match rates cannot be broken down by {attribute!r}; choose one of: "
                                 f"{', '.join(allowed) or 'none'}.")
        return match_rates(self.people, text_column(self.people, attribute), attribute)

    def table(self) -> pd.DataFrame:
        """The export: the pairs, then one row per unmatched person (empty partner, a reason)."""
        pairs = self.pairs.assign(unmatched_role="")
        rest = pd.DataFrame({
            "mentee_id": np.where(self.unmatched["role"] != "mentor", self.unmatched["person_id"], ""),
            "mentor_id": np.where(self.unmatched["role"] == "mentor", self.unmatched["person_id"], ""),
            "reason": self.unmatched["reason"], "unmatched_role": self.unmatched["role"]})
        table = pd.concat([pairs, rest], ignore_index=True)[[*pairs.columns]]
        table["round"] = table["round"].astype("Int64")
        return table

    def rounded_table(self) -> pd.DataFrame:
        """:meth:`table` with scores to 4 decimals: what the export and the saved matching hold."""
        table = self.table()
        numbers = ["score", *self.criteria]
        table[numbers] = table[numbers].round(4)
        return table

    def csv(self) -> str:
        """:meth:`rounded_table` as CSV text safe to open in a spreadsheet (formula-like cells quoted with
        ``'``): for downloads and ``--out`` files, never the workspace's own file (:func:`matching_files`)."""
        return safe_csv_text(self.rounded_table())

    @property
    def unstable(self) -> bool:
        """Whether the stable method left blocking pairs (only pinned pairs can make it: otherwise a fault)."""
        return (self.summary["method"] == "stable" and bool(self.summary.get("blocking_pairs"))
                and not self.settings.get("pinned"))

    def summary_lines(self) -> list[str]:
        """The summary in a few plain lines (for a terminal or a caption)."""
        s = self.summary
        how = (structure_label(s["structure"]) if s["structure"] == "peer"  # peer circles have no method
               else f"{structure_label(s['structure'])} matching by {method_label(s['method']).lower()}")
        lines = [f"{how}: {s['matched_mentees']} of {s['mentees']} {s['mentee_word']} matched "
                 f"({s['match_rate']:.0%}), {s['links']} {'links' if s['structure'] == 'peer' else 'pairs'}."]
        if s["links"]:
            lines.append(f"Score: mean {s['mean_score']:.2f}, median {s['median_score']:.2f}, "
                         f"worst {s['worst_score']:.2f} (0 = no fit, 1 = perfect).")
        if s.get("skills_covered") is not None:
            lines.append(f"Needed skills covered: {s['skills_covered']:.0%}.")
        if s.get("capacity_use") is not None:
            used = round(s["capacity_use"] * s["capacity"])  # the words of the page's tile and of all programs
            lines.append(f"Mentor places used: {used:,} of {s['capacity']:,} ({s['capacity_use']:.0%}).")
        if self.unstable:
            lines.append(f"ERROR, not stable: {s['blocking_pairs']:,} blocking pairs (pairs who would both rather "
                         "swap); a stable matching has none.")
        elif s.get("blocking_pairs") is not None:
            lines.append(f"Blocking pairs (would both rather swap): {s['blocking_pairs']}.")
        if s.get("optimal") is True and s["method"] == "balanced":
            lines.append("Proven optimal: no matching within the gap has a higher total.")
        elif s.get("optimal") is True:
            lines.append("Proven optimal: no pair outside the candidate graph could improve it.")
        lines += list(self.messages)
        return lines


def fairness_attributes(pool: Pool, design: ProgramDesign) -> list[str]:
    """People columns a match-rate breakdown may use: non-sensitive groupings, plus opted-in sensitive ones."""
    exp = design.experience
    opted = set(exp.sensitive_attributes) if exp.sensitive_opt_in else set()
    out = []
    for column in pool.mentees.columns:
        if column in _NOT_GROUPS or (column in _SENSITIVE and column not in opted):
            continue
        values = text_column(pool.mentees, column)
        distinct = values.nunique()
        if 1 <= distinct <= 50 and distinct < max(2, len(values) / 2):  # groups, not one value per person
            out.append(column)
    return out


def candidates(tables: Mapping[str, pd.DataFrame], result: MatchResult, mentee_id: str, *,
               top: int | None = 15) -> pd.DataFrame:
    """One mentee's possible mentors (peers, in peer circles) in ``result``'s pool, best fit first, with reasons.

    ``tables`` are the tables ``result`` was matched from; the pairs are scored
    as the matching scored them (its structure, weights, hard rules, pins and
    forbids). One row per mentor:

    * ``rank``: 1 for the best-scoring allowed mentor, 2 for the next, ...;
      blank for a pair that is not allowed;
    * ``mentor_id`` and ``name`` (when the people table has names);
    * ``status``: ``"matched"`` (``"matched (pinned)"``, ``"matched in round
      2"``) when they are partners in ``result``; ``"not allowed (<rules>)"``
      naming the hard rules that exclude the pair, or "forbidden by an
      administrator"; otherwise how full the mentor is (``"full (2 of 2
      places taken)"``, ``"has room (1 of 2 places taken)"``, ``"offers no
      capacity"``; for peers ``"placed with others"`` or ``"not placed"``);
    * ``allowed``; ``score``, the weighted fit in [0, 1], given for pairs that
      are not allowed too (what they would score); one column per criterion of
      ``result.criteria``; ``reason``, the criteria in plain words.

    Rows are sorted by score, allowed or not (ties by mentor id); the ``top``
    best (``None``: all) are kept, plus the mentee's partners and any pair
    pinned or forbidden for them. The mentee is never their own candidate.
    For peers, criteria and score are the mean of the two directions and a
    pair is allowed when both directions are.
    """
    pool = result.pool
    mentee_ids = text_column(pool.mentees, "person_id").to_numpy()
    mentor_ids = text_column(pool.mentors, "person_id").to_numpy()
    rows = np.flatnonzero(mentee_ids == str(mentee_id))
    if not len(rows):
        raise WorkbenchError(f"{mentee_id!r} is not a {'person' if result.summary['structure'] == 'peer' else 'mentee'} "
                             "in this matching's pool.")
    i = int(rows[0])
    peer = result.summary["structure"] == "peer"
    settings = result.settings
    extra = {k: v for k, v in settings.get("weights", {}).items() if k not in get_args(Criterion)}
    overrides = Overrides(pin=frozenset(map(tuple, settings.get("pinned", ()))),
                          forbid=frozenset(map(tuple, settings.get("forbidden", ()))))
    scorer = result.scorer
    if scorer.context.tables is not tables:  # other tables: scored afresh, as the matching was
        scorer = PairScorer(pool, tables, result.design, extra_weights=extra, overrides=overrides)
    others = np.flatnonzero(mentor_ids != mentee_ids[i])
    e = np.full(len(others), i, dtype=np.int64)
    table = scorer.criteria(e, others)
    names = list(scorer.criterion_names)
    values = {n: table[n].to_numpy(dtype=np.float64) for n in names}
    allowed = table["allowed"].to_numpy(dtype=bool).copy()
    if peer:  # the two directions, as peers are matched
        back = scorer.criteria(others, e)
        values = {n: (values[n] + back[n].to_numpy(dtype=np.float64)) / 2 for n in names}
        allowed &= back["allowed"].to_numpy(dtype=bool)
    total = sum(scorer.weights.values())
    score = (np.clip(sum(scorer.weights[n] * values[n] for n in names) / total, 0, 1) if total and names
             else np.zeros(len(others)))
    frame = pd.DataFrame({"mentor_id": mentor_ids[others], "allowed": allowed, "score": score, **values,
                          "mentor_row": others})
    frame = frame.sort_values(["score", "mentor_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    rank = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    rank[frame["allowed"]] = np.arange(1, int(frame["allowed"].sum()) + 1)
    frame.insert(0, "rank", rank)

    pairs = result.pairs
    me = str(mentee_id)
    mine = pairs[pairs["mentee_id"] == me]
    partner_round = dict(zip(mine["mentor_id"], mine["round"]))
    if peer:
        back_pairs = pairs[pairs["mentor_id"] == me]
        partner_round.update(zip(back_pairs["mentee_id"], back_pairs["round"]))
    pinned = {b for a, b in overrides.pin if a == me}
    forbidden = {b for a, b in overrides.forbid if a == me}
    keep = np.zeros(len(frame), dtype=bool)
    keep[: len(frame) if top is None else max(int(top), 0)] = True
    keep |= frame["mentor_id"].isin(set(partner_round) | pinned | forbidden).to_numpy()
    frame = frame[keep].reset_index(drop=True)

    load = pairs["mentor_id"].value_counts()
    if peer:
        load = pd.concat([pairs["mentor_id"], pairs["mentee_id"]]).value_counts()
    capacity = pool.mentors["capacity"].to_numpy(dtype=np.int64)
    structure = result.summary["structure"]
    rule_tests = rules(pool, result.design)
    several_rounds = pairs["round"].nunique() > 1 if len(pairs) else False
    status = []
    for row in frame.itertuples(index=False):
        j, who = int(row.mentor_row), row.mentor_id
        if who in partner_round:
            text = "matched"
            if who in pinned:
                text += " (pinned)"
            elif several_rounds:
                text += f" in round {int(partner_round[who])}"
        elif not row.allowed:
            if who in forbidden:
                why = ["forbidden by an administrator"]
            else:
                why = [RULE_WORDS.get(name, name.replace("_", " ")) for name, test in rule_tests
                       if not test(np.array([i]))[0, j]]
                if peer:
                    why += [RULE_WORDS.get(name, name.replace("_", " ")) for name, test in rule_tests
                            if not test(np.array([j]))[0, i]]
                why = list(dict.fromkeys(why)) or ["a rule"]
            text = f"not allowed ({', '.join(why)})"
        elif peer:
            text = "placed with others" if load.get(who, 0) else "not placed"
        else:
            places = int(capacity[j])
            if structure == "group":
                places = result.design.experience.group_size if places > 0 else 0
            elif structure == "flash":
                places *= int(settings.get("rounds", 1))
            taken = int(load.get(who, 0))
            word = "place" if places == 1 else "places"
            if places <= 0:
                text = "offers no capacity"
            elif taken >= places:
                text = f"full ({taken} of {places} {word} taken)"
            else:
                text = f"has room ({taken} of {places} {word} taken)"
        status.append(text)
    rows_m = frame["mentor_row"].to_numpy(dtype=np.int64)

    def criteria_words(a: np.ndarray, b: np.ndarray) -> list[str]:
        lines = [without_score(r) for r in scorer.explain(a, b)]
        lines = [r.split("; ", 1)[1] if r.startswith("Not allowed") and "; " in r else r for r in lines]
        return [r[:1].upper() + r[1:] for r in lines]

    me_rows = np.full(len(rows_m), i, dtype=np.int64)
    reasons = criteria_words(me_rows, rows_m)
    if peer:  # each peer's side, as in the matching's reasons
        reasons = [f"For {me}: {x}. For {other}: {y}" for other, x, y
                   in zip(mentor_ids[rows_m], reasons, criteria_words(rows_m, me_rows))]
    out = frame.drop(columns="mentor_row")
    out.insert(2, "status", status)
    if "name" in pool.mentors.columns:
        out.insert(2, "name", text_column(pool.mentors, "name").to_numpy()[rows_m])
    out["reason"] = reasons
    return out
