"""A matching from workspace tables to explained results: :func:`match`, :func:`compare_methods`, :func:`sensitivity`.

:func:`match` builds the pool of the cohort (:mod:`.pool`), scores every pair
(:mod:`.scores`, hard rules from :mod:`.rules`), forms the design's structure
with one method (:mod:`.structures`) and returns a :class:`MatchResult`:

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
  :data:`BLOCKING_PAIRS` pairs) and the solver's proof.
* :meth:`MatchResult.fairness` per group of any attribute (groups under five
  people hidden); :meth:`MatchResult.table` the export.

When matching cannot be done as asked (no mentors, all pairs forbidden,
capacities of zero) the result says who could not be matched and why;
preferences naming people outside the organisation are listed in
``messages`` and ignored.
"""

from __future__ import annotations

import datetime
from typing import get_args
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from workbench.data.columns import number_column, text_column
from workbench.data.tables import TABLES
from workbench.design.model import Criterion, Experience, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.gaps.analysis import skill_names
from workbench.exports import safe_csv_text
from workbench.matching import functional, structures
from workbench.matching.pool import Pool, build_pool, peer_pool, reverse_pool
from workbench.matching.rules import rules
from workbench.matching.scores import (BLOCK_ROWS, Overrides, PairScorer, ScoringContext, _skill_arrays,
                                      stated_positions, stated_unknown)
from workbench.matching.solvers import Assignment, Stated, blocking_pairs
from workbench.matching.names import method_label, structure_label
from workbench.matching.structures import METHODS, STRUCTURES
from workbench.organisation import current_cohort
from workbench.privacy import MIN_GROUP, hide_small_groups, refuse_when_published
from workbench.workspace import Workspace, csv_text, reading, save_files

__all__ = ["METHODS", "STRUCTURES", "MatchResult", "candidates", "compare_methods", "comparison_table",
           "default_method", "fairness_attributes", "match", "save_matching", "saved_matching", "sensitivity"]

#: Design objective -> method.
OBJECTIVE_METHOD = {"best_average": "optimal", "most_matched": "max_coverage", "fairest": "fair",
                    "balanced_groups": "balanced", "rounds": "optimal"}
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
#: Largest pool (mentees x mentors) whose blocking pairs are counted for methods other than stable (the count is
#: one more pass over every pair's score).
BLOCKING_PAIRS = 25_000_000


def default_method(design: ProgramDesign) -> str:
    """The method the design implies: mentee choice when mentees pick, else the matching objective's."""
    if design.experience.matching_method == "mentee_choice":
        return "mentee_choice"
    return OBJECTIVE_METHOD[design.experience.matching_objective]


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


# --------------------------------------------------------------------------
# Preparing a pool
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Prepared:
    tables: Mapping[str, pd.DataFrame]
    design: ProgramDesign  # with the structure, weights and rules asked for
    pool: Pool
    scorer: PairScorer
    structure: str
    extra_weights: dict
    overrides: Overrides
    messages: tuple[str, ...]
    cohort: str
    cache: dict = field(default_factory=dict)


def _experience(design: ProgramDesign, structure: str | None, weights: Mapping[str, float] | None,
                hard_rules: Sequence[str] | None) -> tuple[ProgramDesign, dict]:
    update: dict = {}
    extra: dict = {}
    if structure is not None:
        if structure not in STRUCTURES:
            raise WorkbenchError(f"Unknown structure {structure!r}; choose one of: {', '.join(STRUCTURES)}.")
        update["structure"] = structure
    if weights is not None:
        built_in = {k: v for k, v in weights.items() if k in get_args(Criterion)}
        extra = {k: v for k, v in weights.items() if k not in built_in}
        update["criteria"] = built_in
    if hard_rules is not None:
        update["hard_rules"] = tuple(hard_rules)
    if not update:
        return design, extra
    try:
        experience = Experience.model_validate({**design.experience.model_dump(), **update})
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'experience'}: {e['msg']}"
                             for e in error.errors())
        raise WorkbenchError(f"These matching settings are not valid: {problems}.") from None
    return design.model_copy(update={"experience": experience}), extra


def _preference_messages(ctx: ScoringContext) -> list[str]:
    people = ctx.tables.get("people")
    if people is None or "preferences" not in ctx.tables:
        return []
    out = []
    for column, (rows, values) in stated_unknown(ctx, text_column(people, "person_id").to_numpy()).items():
        for row, value in zip(rows[:5], values[:5]):
            out.append(f"preferences.csv row {row + 2}, column {column}: {value!r} is not in "
                       "people.csv; that preference is ignored.")
        if len(rows) > 5:
            out.append(f"preferences.csv: {len(rows) - 5} more rows in column {column} name unknown people.")
    return out


def _prepare(tables, design, *, structure, weights, hard_rules, overrides, cohort) -> _Prepared:
    design, extra = _experience(design, structure, weights, hard_rules)
    structure = design.experience.structure
    if tables.get("enrolment") is not None and cohort is None:
        cohort, _ = current_cohort(tables["enrolment"])
    pool = build_pool(tables, design, cohort=cohort)
    score_design = design
    if structure == "peer":
        pool = peer_pool(pool)
        rules_kept = tuple(r for r in design.experience.hard_rules if r != "mentor_more_senior")
        score_design = design.model_copy(update={"experience": design.experience.model_copy(
            update={"seniority_gap_min": -1, "seniority_gap_max": 1, "hard_rules": rules_kept})})
    elif structure == "reverse":
        pool = reverse_pool(pool, design.align.focus_skills)
    elif structure == "functional":
        pool = functional.functional_pool(pool, tables, design, functional.functional_skill(design, tables))
    overrides = overrides or Overrides()
    scorer = PairScorer(pool, tables, score_design, extra_weights=extra, overrides=overrides)
    return _Prepared(tables, score_design, pool, scorer, structure, extra, overrides,
                     tuple(_preference_messages(scorer.context)), cohort or "")


# --------------------------------------------------------------------------
# Solving
# --------------------------------------------------------------------------


def _pins(prep: _Prepared) -> np.ndarray:
    f = prep.scorer.context.facts
    mentee = {p: i for i, p in enumerate(f.mentee_ids)}
    mentor = {p: i for i, p in enumerate(f.mentor_ids)}
    pins = sorted(prep.overrides.pin)
    return np.array([(mentee[a], mentor[b]) for a, b in pins], dtype=np.int64).reshape(-1, 2)


def _skill_need(prep: _Prepared):
    ctx = prep.scorer.context
    return ctx.memo("skills", lambda: _skill_arrays(ctx))


def _marginal(prep: _Prepared):
    """Rescoring for mosaic rounds: the skills criterion over needs no earlier mentor covers."""
    weights = prep.scorer.weights
    if "skills" not in weights:
        return lambda earlier, rows, block: block
    share = np.float32(weights["skills"] / sum(weights.values()))
    a = _skill_need(prep)

    def rescore(earlier: list[np.ndarray], rows: np.ndarray, block: np.ndarray) -> np.ndarray:
        covered = np.zeros((len(rows), len(a["skills"])), dtype=bool)
        for mentor_of in earlier:
            j = mentor_of[rows]
            has = j >= 0
            covered[has] |= a["level"][j[has]] >= np.minimum(a["target"][rows[has]], 255)
        full = np.zeros(block.shape, dtype=np.float32)
        new = np.zeros(block.shape, dtype=np.float32)
        for t, need in a["need"].items():
            full += need[rows] @ a["covered"][t]
            new += np.where(covered, 0, need[rows]) @ a["covered"][t]
        total = a["total"][rows][:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            full = np.where(total > 0, np.minimum(full / total, 1), 0)
            new = np.where(total > 0, np.minimum(new / total, 1), 0)
        rescored = np.clip(block - share * full + share * new, 0, 1).astype(np.float32)
        return np.where(np.isfinite(block) & (new > 0), rescored, -np.inf).astype(np.float32)

    return rescore


def _stated(prep: _Prepared) -> Stated | None:
    """The choices people stated in ``preferences.csv`` about people on the other side of the pool (the stable
    method ranks them first, :class:`solvers.Stated`); ``None`` without any."""
    if "stated" not in prep.cache:
        ctx = prep.scorer.context
        i, j, rank = stated_positions(ctx, "mentee")
        b, a, by_mentor = stated_positions(ctx, "mentor")
        prep.cache["stated"] = Stated((i, j, rank), (a, b, by_mentor)) if len(i) or len(a) else None
    return prep.cache["stated"]


def _balance_groups(prep: _Prepared) -> tuple[np.ndarray, float]:
    """Each mentee's group of ``experience.balance.attribute`` and the gap.

    Groups under five people are held to the gap together, as one group (so a
    matching cannot meet the gap by matching only people of small groups);
    when even together they are under five, they are not held to it (-1).
    In functional mentoring only the mentees who need the skill count: the
    others have no allowed mentor, and holding them in their group's rate
    would keep every group at 0.
    """
    balance = prep.design.experience.balance
    allowed = fairness_attributes(prep.pool, prep.design)
    if balance.attribute not in allowed:
        raise WorkbenchError(f"Even match rates across groups: experience.balance.attribute is {balance.attribute!r}, "
                             f"which is not a grouping column of people.csv this pool can be balanced on; choose one "
                             f"of: {', '.join(allowed) or 'none'}.")
    codes, _ = pd.factorize(text_column(prep.pool.mentees, balance.attribute).replace("", "(blank)"), sort=True)
    if prep.structure == "functional":
        counts, _ = prep.scorer.allowed_counts(np.arange(prep.pool.n_mentees))
        codes = np.where(counts > 0, codes, -1)
    sizes = np.bincount(codes[codes >= 0], minlength=1)
    small = (codes >= 0) & (sizes[np.maximum(codes, 0)] < MIN_GROUP)
    other = len(sizes) if small.sum() >= MIN_GROUP else -1
    return np.where(small, other, codes).astype(np.int64), balance.gap


def _balance_note(prep: _Prepared, proof: dict) -> str:
    """What the balanced method achieved and what it cost against the best total fit, in plain words."""
    balance = prep.design.experience.balance
    rounds = proof["rounds"] if isinstance(proof.get("rounds"), list) else [proof]  # mosaic, flash: one per round
    limit = f"{balance.gap * 100:g}"
    largest = max((r.get("largest_gap", 0.0) for r in rounds), default=0.0) * 100
    word = balance.attribute.replace("_", " ")
    if not all(r.get("gap_met", True) for r in rounds):
        return (f"Match rates across {word} cannot be held within {limit} percentage points: the pinned pairs alone "
                f"put groups further apart. This is the best-total matching instead; its largest gap is "
                f"{largest:.0f} points.")
    lost = sum(r.get("unbalanced_matched", 0) - r.get("balanced_matched", 0) for r in rounds)
    score = sum(r.get("unbalanced_total", 0.0) - r.get("balanced_total", 0.0) for r in rounds)
    groups = max((r.get("groups", 0) for r in rounds), default=0)
    cost = ("it cost nothing against the best total fit" if lost <= 0 and score < 5e-5 else
            f"against the best total fit it matches {lost:,} fewer mentee{'s' if lost != 1 else ''} and loses "
            f"{score:.2f} of total score")
    each = " in every round" if len(rounds) > 1 else ""
    return (f"Match rates across {word} are within {limit} percentage points of each other{each} (largest gap "
            f"{largest:.0f} points over {groups} groups; groups under five people are held to the gap together, as "
            f"one group, and not shown): {cost}.")


def _links(prep: _Prepared, method: str, *, seed: int, rounds: int, circle_size: int, top_k: int):
    scorer, exp = prep.scorer, prep.design.experience
    capacity = prep.pool.mentors["capacity"].to_numpy(dtype=np.int64)
    pinned = _pins(prep)
    kw = dict(seed=seed, pinned=pinned, top_k=top_k)
    if method == "stable":
        kw["stated"] = _stated(prep)
    if method == "balanced":
        kw["balance"] = _balance_groups(prep)
    if prep.structure == "peer":
        if len(pinned):
            raise WorkbenchError("Pinning pairs is not available for peer circles.")
        return structures.peer(scorer, circle_size=circle_size), capacity
    if prep.structure == "group":
        wants = [frozenset(x.strip() for x in w.split(";") if x.strip()) for w in text_column(prep.pool.mentees,
                                                                                              "wants")]
        cap = np.where(capacity > 0, exp.group_size, 0)
        return structures.group(scorer, capacity, method, group_size=exp.group_size, wants=wants, **kw), cap
    if prep.structure == "mosaic":
        return structures.mosaic(scorer, capacity, method, mentors=exp.mentors_per_mentee, marginal=_marginal(prep),
                                 **kw), capacity
    if prep.structure == "flash":
        return structures.flash(scorer, capacity, method, rounds=rounds, **kw), capacity * rounds
    return structures.one_on_one(scorer, capacity, method, **kw), capacity


# --------------------------------------------------------------------------
# Reasons and summary
# --------------------------------------------------------------------------


def _rule_text(prep: _Prepared, rows: np.ndarray) -> list[str]:
    """Why each mentee in ``rows`` has no allowed partner: the rules and how many partners each removes."""
    found = rules(prep.pool, prep.design)
    tests = [(name, ~test(rows)) for name, test in found]
    forbidden = ~prep.scorer.allowed(rows)
    total = prep.pool.n_mentors
    out = []
    for k in range(len(rows)):
        parts = [f"{RULE_WORDS.get(name, name.replace('_', ' '))} rules out {int(fail[k].sum())}"
                 for name, fail in tests if fail[k].any()]
        explained = np.zeros(total, dtype=bool)
        for _, fail in tests:
            explained |= fail[k]
        admin = int((forbidden[k] & ~explained).sum())
        if admin:
            parts.append(f"administrator forbids {admin}")
        out.append(f"of {total}: " + ", ".join(parts) if parts else f"of {total}")
    return out


def _allowed_counts(prep: _Prepared, rows: np.ndarray, capacity: np.ndarray, peer: bool):
    """Per mentee in ``rows``: allowed partners, and allowed mentors with capacity."""
    scorer, n = prep.scorer, prep.pool.n_mentees
    if not peer:
        return scorer.allowed_counts(rows)[0], scorer.allowed_counts(rows, np.asarray(capacity) > 0)[0]
    both_ways = scorer.allowed(np.arange(n))  # peers: square and small
    allowed_n = (both_ways[rows] & both_ways[:, rows].T).sum(axis=1)
    return allowed_n, allowed_n


def _unmatched(prep: _Prepared, links: structures.Links, capacity: np.ndarray, method: str) -> pd.DataFrame:
    pool, scorer = prep.pool, prep.scorer
    peer = prep.structure == "peer"
    partner = "peer" if peer else "mentor"
    linked_e = np.zeros(pool.n_mentees, dtype=bool)
    linked_e[links.mentee] = True
    linked_m = np.zeros(pool.n_mentors, dtype=bool)
    linked_m[links.mentor] = True
    if peer:
        linked_e |= linked_m
    parts = []
    lonely = np.flatnonzero(~linked_e)
    if len(lonely):
        n_allowed, open_allowed = _allowed_counts(prep, lonely, capacity, peer)
        no_rule = np.flatnonzero(n_allowed == 0)
        rule = np.full(len(lonely), f"no allowed {partner} under the rules", dtype=object)
        if len(no_rule) and not peer:
            rule[no_rule] = [f"no allowed {partner} ({text})" for text in _rule_text(prep, lonely[no_rule])]
        counts = n_allowed.astype(str).astype(object)
        if peer:
            other = "left over: their " + counts + " allowed peers were all placed with others"
        elif method == "mentee_choice":
            other = np.full(len(lonely), "the mentors on their shortlist were taken before they signed up",
                            dtype=object)
        else:
            other = "capacity exhausted: all " + counts + " allowed mentors were full"
        if method == "balanced" and not peer:  # the gap may leave a mentee out while an allowed mentor has room
            room = np.asarray(capacity) - np.bincount(links.mentor, minlength=pool.n_mentors) > 0
            with_room = scorer.allowed_counts(lonely, room)[0]
            other = np.where(with_room > 0, "left unmatched to keep every group's match rate within the gap ("
                             + with_room.astype(str).astype(object) + " allowed mentors had room)", other)
        if not peer:
            other = np.where(open_allowed == 0, "all " + counts + " allowed mentors offered no capacity", other)
        reason = np.where(n_allowed == 0, rule, other)
        if pool.n_mentors == 0:
            reason[:] = f"there are no {partner}s in the pool"
        parts.append(pd.DataFrame({"person_id": pool.mentees["person_id"].to_numpy(dtype=object)[lonely],
                                   "role": "peer" if peer else "mentee", "reason": reason}))
    if not peer:
        idle = np.flatnonzero(~linked_m)
        if len(idle):
            reach = scorer.allowed_counts(np.arange(pool.n_mentees))[1][idle]
            reason = np.where(reach == 0, "no mentee is allowed with them under the rules",
                              "not needed: the " + reach.astype(str).astype(object)
                              + " mentees allowed with them were matched elsewhere")
            reason = np.where(np.asarray(capacity)[idle] <= 0, "offered no capacity", reason)
            parts.append(pd.DataFrame({"person_id": pool.mentors["person_id"].to_numpy(dtype=object)[idle],
                                       "role": "mentor", "reason": reason}))
    columns = ["person_id", "role", "reason"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _coverage(prep: _Prepared, links: structures.Links) -> float | None:
    if prep.structure == "peer":
        return None
    a = _skill_need(prep)
    need = a["weight"] > 0
    if not need.any():
        return None
    covered = np.zeros(need.shape, dtype=bool)
    if len(links.mentee):
        np.logical_or.at(covered, links.mentee, a["level"][links.mentor] >= np.minimum(a["target"][links.mentee], 255))
    return float((covered & need).sum() / need.sum())


def _blocking(prep: _Prepared, links: structures.Links, capacity: np.ndarray, method: str) -> int | None:
    """Blocking pairs under the preferences the stable method uses (stated choices first, then by score).

    Counted for one-round structures, by the stable method at any size (one
    more pass over the pairs' scores) and by the others up to
    :data:`BLOCKING_PAIRS` pairs.
    """
    if prep.structure in ("peer", "mosaic", "flash"):
        return None
    if method != "stable" and prep.pool.n_mentees * prep.pool.n_mentors > BLOCKING_PAIRS:
        return None
    mentor_of = np.full(prep.pool.n_mentees, -1, dtype=np.int64)
    mentor_of[links.mentee] = links.mentor
    assignment = Assignment(mentor_of=mentor_of, score=np.zeros(len(mentor_of), np.float32), method="")
    return blocking_pairs(assignment, prep.scorer, capacity, stated=_stated(prep))


def _no_score(reason: str) -> str:
    return reason.rsplit("; score", 1)[0]


def _result(prep: _Prepared, links: structures.Links, capacity: np.ndarray, method: str, settings: dict) -> MatchResult:
    scorer, pool = prep.scorer, prep.pool
    criteria = scorer.criteria(links.mentee, links.mentor)
    names = tuple(scorer.criterion_names)
    reasons = scorer.explain(links.mentee, links.mentor) if len(links.mentee) else []
    if prep.structure == "peer" and reasons:  # each peer's side, without the one-way scores
        ids = prep.pool.mentees["person_id"].to_numpy()
        back = scorer.explain(links.mentor, links.mentee)
        reasons = [f"For {ids[a]}: {_no_score(x)}. For {ids[b]}: {_no_score(y)}"
                   for a, b, x, y in zip(links.mentee, links.mentor, reasons, back)]
    if prep.structure == "group":
        group = criteria["mentor_id"].to_numpy(dtype=object)
    elif prep.structure == "peer":
        group = (links.unit + 1).astype(str).astype(object)
    else:
        group = np.full(len(links.mentee), "", dtype=object)
    pairs = pd.DataFrame({"mentee_id": criteria["mentee_id"].to_numpy(dtype=object),
                          "mentor_id": criteria["mentor_id"].to_numpy(dtype=object),
                          "group": group, "round": links.round + 1,
                          "score": criteria["score"].to_numpy(dtype=np.float64)})
    if prep.structure == "peer":  # both directions' mean, as the peers were matched on
        back = scorer.criteria(links.mentor, links.mentee)
        pairs["score"] = (pairs["score"] + back["score"].to_numpy(dtype=np.float64)) / 2
        for name in names:
            criteria[name] = (criteria[name].to_numpy() + back[name].to_numpy()) / 2
    for name in names:
        pairs[name] = criteria[name].to_numpy(dtype=np.float64)
    pairs["reason"] = reasons
    unmatched = _unmatched(prep, links, capacity, method)

    n_e = pool.n_mentees
    per_person = np.zeros(n_e)
    count = np.zeros(n_e)
    sides = [(links.mentee, pairs["score"].to_numpy())]
    if prep.structure == "peer":
        sides.append((links.mentor, pairs["score"].to_numpy()))
    for idx, s in sides:
        np.add.at(per_person, idx, s)
        np.add.at(count, idx, 1)
    with np.errstate(invalid="ignore"):
        mean_score = np.where(count > 0, per_person / np.maximum(count, 1), np.nan)
    people = pool.mentees.drop(columns=["wants"]).assign(matched=count > 0, score=mean_score)

    scores = pairs["score"].to_numpy()
    cap_total = int(np.asarray(capacity).sum())
    matched = int((count > 0).sum())
    summary = {
        "structure": prep.structure, "method": method if prep.structure != "peer" else "peer",
        "cohort": prep.cohort, "mentees": int(n_e), "mentors": int(pool.n_mentors),
        "mentee_word": "people" if prep.structure == "peer" else "mentees",
        "matched_mentees": matched, "match_rate": matched / n_e if n_e else 0.0,
        "links": int(len(pairs)),
        "mean_score": float(scores.mean()) if len(scores) else None,
        "median_score": float(np.median(scores)) if len(scores) else None,
        "p10_score": float(np.percentile(scores, 10)) if len(scores) else None,
        "worst_score": float(scores.min()) if len(scores) else None,
        "total_score": float(scores.sum()),
        "skills_covered": _coverage(prep, links),
        "capacity": cap_total if prep.structure != "peer" else None,
        "capacity_use": (len(links.mentee) / cap_total if cap_total else 0.0) if prep.structure != "peer" else None,
        "blocking_pairs": _blocking(prep, links, capacity, method),
        "optimal": links.proof.get("optimal"),
        "proof": links.proof,
    }
    messages = list(prep.messages)
    if prep.structure == "functional":
        skill = functional.functional_skill(prep.design, prep.tables)
        name = skill_names(prep.tables).get(skill, skill)
        counts, reasons = functional.functional_summary(pool, skill, name)
        summary.update(counts)
        ids = dict(zip(pool.mentees["person_id"].iloc[list(reasons)], reasons.values()))
        mentees = unmatched["role"] == "mentee"
        unmatched.loc[mentees, "reason"] = [ids.get(p, r) for p, r in zip(unmatched.loc[mentees, "person_id"],
                                                                           unmatched.loc[mentees, "reason"])]
        messages.append(f"Functional mentoring on {name}: {counts['needing_skill']:,} of {n_e:,} mentees need it; "
                        f"{counts['without_teacher']:,} of them have no mentor in the pool able to teach it at their "
                        f"level; {n_e - counts['needing_skill']:,} do not need it and are not matched.")
    if prep.structure == "mosaic" and len(links.mentee):
        wanted = prep.design.experience.mentors_per_mentee
        per_round = np.bincount(links.round, minlength=wanted)
        done = ", ".join(f"round {r + 1} gave {k:,} mentee{'s' if k != 1 else ''} a mentor"
                         for r, k in enumerate(per_round[:wanted]))
        note = f"Mosaic asked for {wanted} mentors per mentee: {done}."
        if (per_round[:wanted] == 0).any():
            note += (" The mentors' capacity was used up before every round could match: raise capacity or enrol "
                     "more mentors for a real mosaic.")
        messages.append(note)
    if method == "balanced" and prep.structure != "peer":
        messages.append(_balance_note(prep, links.proof))
    if method == "stable" and summary["blocking_pairs"]:
        why = ("pinned pairs stop the stable method from removing them" if prep.overrides.pin else
               "this matching is not stable under the preferences shown: please report it with the workspace")
        messages.append(f"{summary['blocking_pairs']:,} blocking pairs remain: {why}.")
    if summary["blocking_pairs"] is None and prep.structure not in ("peer", "mosaic", "flash"):
        messages.append(f"At {n_e:,} x {pool.n_mentors:,} people, blocking pairs are counted for the stable "
                        "method only.")
    if n_e == 0:
        messages.insert(0, "Nobody eligible is enrolled as a mentee in this cohort: there is no one to match.")
    elif pool.n_mentors == 0 and prep.structure != "peer":
        messages.insert(0, "No eligible mentor is enrolled in this cohort: every mentee is unmatched.")
    elif prep.structure != "peer" and cap_total == 0:
        messages.insert(0, "Every mentor's capacity is 0: nobody can be matched.")
    elif matched == 0 and method == "balanced" and prep.scorer.allowed_counts(np.arange(n_e))[0].any():
        messages.insert(0, "No matching keeps every group's match rate within the gap except matching nobody: "
                           "widen the gap or choose another method.")
    elif matched == 0:
        messages.insert(0, "The rules and overrides allow no pair at all: every mentee is unmatched "
                           "(see the reasons).")
    return MatchResult(settings=settings, pool=pool, pairs=pairs, unmatched=unmatched, summary=summary,
                       messages=tuple(messages), criteria=names, design=prep.design, people=people)


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------


def _run(prep: _Prepared, method: str, *, seed: int, rounds: int = 3, circle_size: int = 2,
         top_k: int = 3, solved: tuple[structures.Links, np.ndarray] | None = None) -> MatchResult:
    """The explained result of ``method`` on ``prep``; ``solved`` (links, capacity) when the links were found
    elsewhere (several programs solved together, :mod:`.programs`)."""
    if method not in METHODS:
        raise WorkbenchError(f"Unknown method {method!r}; choose one of: {', '.join(METHODS)}.")
    links, capacity = solved or _links(prep, method, seed=seed, rounds=rounds, circle_size=circle_size, top_k=top_k)
    exp = prep.design.experience
    settings = {"structure": prep.structure, "method": method, "seed": seed, "cohort": prep.cohort,
                "weights": dict(prep.scorer.weights), "hard_rules": list(exp.hard_rules),
                "group_size": exp.group_size, "mentors_per_mentee": exp.mentors_per_mentee, "rounds": rounds,
                "circle_size": circle_size, "top_k": top_k,
                "pinned": sorted(map(list, prep.overrides.pin)), "forbidden": sorted(map(list, prep.overrides.forbid)),
                "matched_at": datetime.date.today().isoformat()}
    prep.pool._cache["scorer"] = prep.scorer  # :func:`candidates` explains pairs with the scores used
    return _result(prep, links, capacity, method, settings)


def match(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, method: str | None = None,
          structure: str | None = None, seed: int = 0, weights: Mapping[str, float] | None = None,
          hard_rules: Sequence[str] | None = None, overrides: Overrides | None = None, cohort: str | None = None,
          rounds: int = 3, circle_size: int = 2, top_k: int = 3) -> MatchResult:
    """Match the cohort (default: the current one) of ``tables`` under ``design``.

    ``method`` (default :func:`default_method`), ``structure`` (default the
    design's), ``weights`` (criterion -> weight 0-10, replacing the design's;
    registered criteria too) and ``hard_rules`` (replacing the design's)
    change the design for this matching only. ``overrides`` pins or forbids
    pairs (person ids). ``rounds``: flash rounds; ``circle_size``: peers per
    circle (2 = pairs); ``top_k``: shortlist length for mentee choice;
    ``seed`` drives the random methods. Same inputs, same result.
    """
    prep = _prepare(tables, design, structure=structure, weights=weights, hard_rules=hard_rules,
                    overrides=overrides, cohort=cohort)
    return _run(prep, method or default_method(design), seed=seed, rounds=rounds, circle_size=circle_size,
                top_k=top_k)


def compare_methods(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *,
                    methods: Sequence[str] = METHODS, seed: int = 0, **settings) -> dict[str, MatchResult]:
    """:func:`match` with each method on the same pool and scores (``settings`` as for :func:`match`)."""
    run_kw = {k: settings.pop(k) for k in ("rounds", "circle_size", "top_k") if k in settings}
    prep = _prepare(tables, design, structure=settings.pop("structure", None), weights=settings.pop("weights", None),
                    hard_rules=settings.pop("hard_rules", None), overrides=settings.pop("overrides", None),
                    cohort=settings.pop("cohort", None))
    if settings:
        raise TypeError(f"unknown settings: {', '.join(settings)}")
    if prep.structure == "peer":
        methods = methods[:1]
    return {m: _run(prep, m, seed=seed, **run_kw) for m in methods}


def comparison_table(results: Mapping[str, MatchResult]) -> pd.DataFrame:
    """One row per method: match rate, mean, median and worst score, skills covered, blocking pairs."""
    keys = ["match_rate", "mean_score", "median_score", "worst_score", "skills_covered", "capacity_use",
            "blocking_pairs", "total_score"]
    return pd.DataFrame([{"method": name, **{k: r.summary.get(k) for k in keys}} for name, r in results.items()])


def sensitivity(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, runs: int = 10, spread: float = 0.2,
                seed: int = 0, method: str | None = None, **settings) -> pd.DataFrame:
    """Re-solve with every criterion weight scaled by a random factor in ``[1 - spread, 1 + spread]``.

    One row per run: the factors and ``changed``, the share (0-1) of the
    base matching's links that the perturbed matching does not have. The
    weights are drawn from ``numpy.random.default_rng(seed)``.
    """
    if runs < 1 or not 0 < spread < 1:
        raise WorkbenchError("Sensitivity needs at least one run and a spread between 0 and 1.")
    base = match(tables, design, method=method, seed=seed, **settings)
    method = base.settings["method"]
    weights = dict(base.settings["weights"])
    known = set(base.pairs[["mentee_id", "mentor_id", "round"]].itertuples(index=False, name=None))
    rng = np.random.default_rng(seed)
    rows = []
    for run in range(runs):
        factor = rng.uniform(1 - spread, 1 + spread, len(weights))
        perturbed = {k: min(10.0, w * f) for (k, w), f in zip(weights.items(), factor)}
        other = match(tables, design, method=method, seed=seed, **{**settings, "weights": perturbed})
        now = set(other.pairs[["mentee_id", "mentor_id", "round"]].itertuples(index=False, name=None))
        changed = 1 - len(known & now) / len(known) if known else 0.0
        rows.append({"run": run + 1, **{f"{k}_weight": v for k, v in perturbed.items()}, "changed": changed})
    return pd.DataFrame(rows)


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
    scorer = pool._cache.get("scorer")
    if scorer is None or scorer.context.tables is not tables:
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
        lines = [_no_score(r) for r in scorer.explain(a, b)]
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


# --------------------------------------------------------------------------
# Saved matchings
# --------------------------------------------------------------------------

#: Where a saved matching lives in a workspace.
SAVED_TABLE = "results/matching.csv"
SAVED_SUMMARY = "results/matching.yaml"


def save_matching(workspace: Workspace, result: MatchResult) -> Workspace:
    """Save ``result`` into the workspace (``results/matching.csv`` and ``.yaml``), in one undoable save.

    Refused with :class:`workbench.workspace.StaleWorkspaceError` when a matching was saved elsewhere
    since ``workspace`` was read, and in the published app (:func:`workbench.privacy.refuse_when_published`).
    """
    refuse_when_published()
    return save_files(workspace, matching_files(result),
                      message=f"save the {result.summary['structure'].replace('_', '-')} matching "
                              f"({result.summary['method'].replace('_', ' ')})")


def matching_files(result: MatchResult) -> dict[str, str]:
    """The files a saved matching is made of (name in the program's folder -> text): the table and a record.

    The table is stored as written (:func:`workbench.workspace.csv_text`): an id such as ``=1+1`` reads
    back as ``=1+1``, where the spreadsheet-safe export would write ``'=1+1``."""
    summary = {k: v for k, v in result.summary.items() if k != "proof"}
    record = {"settings": result.settings, "summary": summary, "messages": list(result.messages)}
    return {SAVED_TABLE: csv_text(result.rounded_table()), SAVED_SUMMARY: yaml.safe_dump(_plain(record), sort_keys=False,
                                                                      allow_unicode=True)}


def saved_matching(workspace: Workspace) -> tuple[pd.DataFrame, dict] | None:
    """The matching saved in the workspace, ``(table, record)``; ``None`` when none is saved."""
    table, summary = workspace.files / SAVED_TABLE, workspace.files / SAVED_SUMMARY
    with reading(workspace):  # both files from the same save
        if not table.is_file() or not summary.is_file():
            return None
        try:
            pairs = pd.read_csv(table, dtype=str, keep_default_na=False)
            record = yaml.safe_load(summary.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError) as exc:
            raise WorkbenchError(f"The saved matching of the workspace {workspace.name!r} cannot be read "
                                 f"({exc.__class__.__name__} in {SAVED_TABLE} or {SAVED_SUMMARY}): match and save "
                                 "again on the Matching page, or undo the last save of the matching.") from None
    if not isinstance(record, dict) or not {"mentee_id", "mentor_id"} <= set(pairs.columns) \
            or not all(isinstance(record.get(key) or {}, dict) for key in ("settings", "summary")):
        raise WorkbenchError(f"The saved matching of the workspace {workspace.name!r} is not one the workbench wrote "
                             f"({SAVED_SUMMARY} must be a mapping whose settings and summary are mappings, and "
                             f"{SAVED_TABLE} have columns mentee_id and mentor_id): match and save again on the "
                             "Matching page.")
    return pairs, record


def _plain(value):
    """``value`` with NumPy scalars and tuples turned into plain YAML types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
