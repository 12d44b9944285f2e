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
* :meth:`~MatchResult.summary`: head counts, ``match_rate`` (share of mentees with a partner,
  0-1), score mean, median, 10th percentile and ``worst_score``,
  ``skills_covered`` (share of the mentees' needed skills, wanted or gap,
  that a partner covers, 0-1), ``capacity_use`` (0-1), ``blocking_pairs``
  (pairs who would both rather be together, one-round bipartite structures;
  preferences as the stable method uses them; for other methods pools up to
  :data:`~workbench.matching.api.BLOCKING_PAIRS` pairs) and whether the solver
  proved it optimal (its whole report in ``proof``).
* :meth:`~MatchResult.by_group` per group of any attribute (groups under five
  people hidden); :meth:`~MatchResult.table` the export; :meth:`~MatchResult.to_json`
  and :meth:`~MatchResult.from_json` under :attr:`MatchResult.JSON_SCHEMA`
  (the result protocol of :mod:`workbench.result`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Self, get_args

import numpy as np
import pandas as pd

from workbench.data.columns import text_column
from workbench.data.tables import TABLES
from workbench.design.catalogue import structure_label
from workbench.design.model import Criterion, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.exports import safe_csv_text
from workbench.matching import functional
from workbench.matching.names import mentee_word, method_label
from workbench.matching.pool import Pool
from workbench.matching.rules import rules
from workbench.matching.scores import Overrides, PairScorer
from workbench.privacy import MIN_GROUP, hide_small_groups
from workbench.result import plain, records

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


#: The JSON Schema of a matching's settings (:func:`workbench.matching.match`'s keywords as used).
SETTINGS_SCHEMA = {
    "type": "object", "description": "How the matching was made, as match() was asked.",
    "properties": {
        "structure": {"type": "string", "description": "The program structure (one of STRUCTURES)."},
        "method": {"type": "string", "description": "The method asked for (one of METHODS)."},
        "seed": {"type": "integer", "description": "The seed of the random methods."},
        "cohort": {"type": "string", "description": "The cohort matched (blank: the enrolment has none)."},
        "weights": {"type": "object", "additionalProperties": {"type": "number"},
                    "description": "Criterion -> weight, 0-10."},
        "hard_rules": {"type": "array", "items": {"type": "string"}, "description": "The hard rules' ids."},
        "group_size": {"type": "integer", "description": "Mentees per mentor in group mentoring."},
        "mentors_per_mentee": {"type": "integer", "description": "Mentors per mentee in mosaic mentoring."},
        "rounds": {"type": "integer", "description": "Rounds of flash mentoring."},
        "circle_size": {"type": "integer", "description": "Peers per circle."},
        "top_k": {"type": "integer", "description": "Shortlist length when mentees choose."},
        "pinned": {"type": "array", "items": {"type": "array", "items": {"type": "string"}},
                   "description": "Pairs pinned by hand, [mentee id, mentor id]."},
        "forbidden": {"type": "array", "items": {"type": "array", "items": {"type": "string"}},
                      "description": "Pairs forbidden by hand, [mentee id, mentor id]."},
        "matched_at": {"type": "string", "description": "The day of the matching, YYYY-MM-DD."},
    },
    "required": ["structure", "method", "seed", "cohort", "weights", "hard_rules", "group_size",
                 "mentors_per_mentee", "rounds", "circle_size", "top_k", "pinned", "forbidden", "matched_at"],
}
_COUNT = {"type": "integer", "minimum": 0}
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
#: The JSON Schema of a matching's summary figures (:meth:`MatchResult.summary`).
SUMMARY_SCHEMA = {
    "type": "object", "description": "The matching's headline figures.",
    "properties": {
        **{key: SETTINGS_SCHEMA["properties"][key] for key in ("structure", "cohort")},
        "method": {"type": "string", "description": "The method (\"peer\" for peer circles)."},
        "mentees": {**_COUNT, "description": "People on the mentee side (every peer, in peer circles)."},
        "mentors": {**_COUNT, "description": "Mentors in the pool."},
        "matched_mentees": {**_COUNT, "description": "People on the mentee side with a partner."},
        "match_rate": {**_SHARE, "description": "Share of the mentee side with a partner, 0-1."},
        "links": {**_COUNT, "description": "Pairs (links, in peer circles)."},
        "mean_score": {**_SHARE, "description": "Mean fit score of the pairs, 0-1 (null: no pairs)."},
        "median_score": {**_SHARE, "description": "Median fit score, 0-1 (null: no pairs)."},
        "p10_score": {**_SHARE, "description": "10th percentile of the fit scores, 0-1 (null: no pairs)."},
        "worst_score": {**_SHARE, "description": "Lowest fit score, 0-1 (null: no pairs)."},
        "total_score": {"type": "number", "minimum": 0, "description": "Sum of the pairs' fit scores."},
        "skills_covered": {**_SHARE, "description": "Share of the needed skills a partner covers, 0-1 (null: "
                                                    "none needed, or peer circles)."},
        "capacity": {"type": ["integer", "null"], "minimum": 0,
                     "description": "Mentor places offered (null in peer circles)."},
        "capacity_use": {**_SHARE, "description": "Share of the mentor places used, 0-1 (null in peer circles)."},
        "blocking_pairs": {"type": ["integer", "null"], "minimum": 0,
                           "description": "Pairs who would both rather be together (null: not counted)."},
        "optimal": {"type": ["boolean", "null"], "description": "Whether the solver proved the matching optimal "
                                                                "(null: the method has no proof)."},
        "functional_skill": {"type": "string", "description": "Functional mentoring: the skill taught."},
        "needing_skill": {**_COUNT, "description": "Functional mentoring: mentees who need the skill."},
        "without_teacher": {**_COUNT, "description": "Functional mentoring: of those, mentees no mentor of the "
                                                     "pool can teach at their level."},
        "matched_elsewhere": {**_COUNT, "description": "Programs sharing mentors: of the unmatched mentees, "
                                                       "those matched in another program."},
    },
    "required": ["structure", "method", "cohort", "mentees", "mentors", "matched_mentees", "match_rate", "links",
                 "mean_score", "median_score", "p10_score", "worst_score", "total_score", "skills_covered",
                 "capacity", "capacity_use", "blocking_pairs", "optimal"],
    "additionalProperties": False,
}
_TEXT_LIST = {"type": "array", "items": {"type": "string"}}


def without_score(reason: str) -> str:
    """A pair's reason (:meth:`PairScorer.explain`) without its closing ``; score 0.78``."""
    return reason.rsplit("; score", 1)[0]


@dataclass(frozen=True, eq=False)
class MatchResult:
    """One matching of one pool: pairs, unmatched people, summary figures, proof; see the module docstring.

    ``pool``, ``design`` (as the matching used it), ``people`` and ``scorer`` are what the matching was made
    from: :func:`candidates` explains one mentee with them and :meth:`by_group` breaks match rates down
    from ``people``. A result read back from JSON (:meth:`from_json`) has none of them: its breakdowns are
    the ones saved with it (``breakdowns``), and explaining a mentee needs the matching made again.
    """

    settings: dict
    pairs: pd.DataFrame
    unmatched: pd.DataFrame
    figures: dict  # what :meth:`summary` gives
    messages: tuple[str, ...]
    criteria: tuple[str, ...]
    proof: dict = field(default_factory=dict)  # what the solver reports (``optimal``, bounds, rounds)
    pool: Pool | None = field(default=None, repr=False)
    design: ProgramDesign | None = field(default=None, repr=False)
    people: pd.DataFrame | None = field(default=None, repr=False)  # one row per person on the mentee side
    scorer: PairScorer | None = field(default=None, repr=False)  # the pair scores the matching used
    breakdowns: Mapping[str, pd.DataFrame] | None = field(default=None, repr=False)  # read back from JSON

    JSON_SCHEMA: ClassVar[dict] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "MatchResult", "description": "One matching of one pool, explained (MatchResult.to_json()).",
        "type": "object",
        "properties": {
            "settings": SETTINGS_SCHEMA,
            "summary": SUMMARY_SCHEMA,
            "proof": {"type": "object", "description": "What the solver reports: optimal, objective and bound, "
                                                       "rounds of the proof loop, per round for several rounds."},
            "messages": {**_TEXT_LIST, "description": "Notes about the matching, in plain words."},
            "criteria": {**_TEXT_LIST, "description": "The criteria scored, in the order of the pairs' columns."},
            "pairs": {"type": "array", "description": "One row per pair (link, in peer circles).", "items": {
                "type": "object", "required": ["mentee_id", "mentor_id", "group", "round", "score", "reason"],
                "properties": {
                    "mentee_id": {"type": "string", "description": "The mentee (a peer, in peer circles)."},
                    "mentor_id": {"type": "string", "description": "The mentor (the other peer)."},
                    "group": {"type": "string", "description": "The mentor's id in group mentoring, the circle in "
                                                               "peer circles, blank otherwise."},
                    "round": {"type": "integer", "minimum": 1, "description": "The round, 1-based."},
                    "score": {"type": "number", "minimum": 0, "maximum": 1, "description": "The fit score, 0-1."},
                    "reason": {"type": "string", "description": "Why the pair fits, in plain words."}},
                "additionalProperties": {"type": "number", "description": "A criterion's score, 0-1."}}},
            "unmatched": {"type": "array", "description": "One row per person left without a partner.", "items": {
                "type": "object", "required": ["person_id", "role", "reason"], "additionalProperties": False,
                "properties": {
                    "person_id": {"type": "string", "description": "The person."},
                    "role": {"type": "string", "description": "mentee, mentor or peer."},
                    "reason": {"type": "string", "description": "Why they have no partner."}}}},
            "by_group": {"type": "object", "description": "Attribute -> match rates per group (by_group()).",
                         "additionalProperties": {"type": "array", "items": {
                             "type": "object", "required": ["people", "matched", "match_rate", "mean_score",
                                                            "hidden"],
                             "properties": {
                                 "people": {"type": ["integer", "null"], "description": "People in the group "
                                                                                        "(null: hidden)."},
                                 "matched": {"type": ["integer", "null"], "description": "Of them, matched."},
                                 "match_rate": {**_SHARE, "description": "Share matched, 0-1."},
                                 "mean_score": {**_SHARE, "description": "Mean fit score of the matched, 0-1."},
                                 "hidden": {"type": "boolean", "description": "Whether the figures are hidden."},
                                 "hidden_small": {"type": "boolean", "description": "Hidden for being under "
                                                                                    "five people."}},
                             "additionalProperties": {"type": "string", "description": "The group."}}}}},
        "required": ["settings", "summary", "proof", "messages", "criteria", "pairs", "unmatched", "by_group"],
        "additionalProperties": False,
    }

    def summary(self) -> dict:
        """The headline figures as plain data: ``structure``, ``method`` (``"peer"`` for peer circles),
        ``cohort``, head counts (``mentees``, ``mentors``, ``matched_mentees``, ``links``), ``match_rate``
        (0-1), ``mean_score``/``median_score``/``p10_score``/``worst_score``/``total_score`` (scores 0-1,
        ``None`` without pairs), ``skills_covered`` and ``capacity_use`` (0-1), ``capacity`` (places),
        ``blocking_pairs`` (``None`` where not counted), ``optimal`` (whether the solver proved it; ``None``:
        no proof), for functional mentoring ``functional_skill``, ``needing_skill`` and ``without_teacher``, and
        for programs sharing mentors ``matched_elsewhere`` (:func:`~workbench.matching.match_programs`).
        """
        return dict(self.figures)

    @property
    def groupings(self) -> list[str]:
        """The attributes :meth:`by_group` breaks match rates down by (:func:`fairness_attributes`)."""
        if self.pool is None or self.design is None:
            return list(self.breakdowns or {})
        return fairness_attributes(self.pool, self.design)

    def by_group(self, attribute: str) -> pd.DataFrame:
        """Per group of ``attribute``: ``people``, ``matched``, ``match_rate`` (0-1), ``mean_score``; small groups hidden.

        Only attributes of :func:`fairness_attributes` (sensitive ones only
        when the design opts in to them). Blank values form the group ``(blank)``.
        """
        allowed = self.groupings
        if attribute not in allowed:
            raise WorkbenchError(f"Match rates cannot be broken down by {attribute!r}; choose one of: "
                                 f"{', '.join(allowed) or 'none'}.")
        if self.people is None:
            return self.breakdowns[attribute].copy()
        return match_rates(self.people, text_column(self.people, attribute), attribute)

    def to_json(self) -> dict:
        """The result as plain JSON data under :attr:`JSON_SCHEMA`: settings, summary, proof, messages, the
        criteria, pairs and unmatched people, and the match rates of every grouping (small groups hidden,
        never one person's attributes)."""
        return plain({"settings": self.settings, "summary": self.summary(), "proof": self.proof,
                      "messages": list(self.messages), "criteria": list(self.criteria),
                      "pairs": records(self.pairs), "unmatched": records(self.unmatched),
                      "by_group": {a: records(self.by_group(a)) for a in self.groupings}})

    @classmethod
    def from_json(cls, document: dict) -> Self:
        """The result of :meth:`to_json` again: figures, tables and breakdowns (not the pool: see the class)."""
        criteria = tuple(document["criteria"])
        pairs = pd.DataFrame(document["pairs"], columns=["mentee_id", "mentor_id", "group", "round", "score",
                                                         *criteria, "reason"])
        return cls(settings=dict(document["settings"]), pairs=pairs,
                   unmatched=pd.DataFrame(document["unmatched"], columns=["person_id", "role", "reason"]),
                   figures=dict(document["summary"]), messages=tuple(document["messages"]), criteria=criteria,
                   proof=dict(document["proof"]),
                   breakdowns={a: _rates(a, rows) for a, rows in document["by_group"].items()})

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
        return (self.figures["method"] == "stable" and bool(self.figures.get("blocking_pairs"))
                and not self.settings.get("pinned"))

    def summary_lines(self) -> list[str]:
        """The summary in a few plain lines (for a terminal or a caption)."""
        s = self.figures
        how = (structure_label(s["structure"]) if s["structure"] == "peer"  # peer circles have no method
               else f"{structure_label(s['structure'])} matching by {method_label(s['method']).lower()}")
        lines = [f"{how}: {s['matched_mentees']} of {s['mentees']} {mentee_word(s['structure'])} matched "
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


def _rates(attribute: str, rows: list[dict]) -> pd.DataFrame:
    """A :func:`match_rates` table from its JSON rows, with its columns' kinds (hidden figures ``None``)."""
    columns = [attribute, "people", "matched", "match_rate", "mean_score", "hidden", "hidden_small"]
    frame = pd.DataFrame({c: pd.Series([row.get(c) for row in rows], dtype=object) for c in columns})
    return frame.astype({"hidden": bool, "hidden_small": bool})


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
    if pool is None or result.scorer is None:
        raise WorkbenchError("This matching was read back without the pool it was matched on: match again to see "
                             "a mentee's candidates.")
    mentee_ids = text_column(pool.mentees, "person_id").to_numpy()
    mentor_ids = text_column(pool.mentors, "person_id").to_numpy()
    rows = np.flatnonzero(mentee_ids == str(mentee_id))
    if not len(rows):
        raise WorkbenchError(f"{mentee_id!r} is not a {'person' if result.figures['structure'] == 'peer' else 'mentee'} "
                             "in this matching's pool.")
    i = int(rows[0])
    peer = result.figures["structure"] == "peer"
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
    structure = result.figures["structure"]
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
