"""Matching a cohort from workspace tables: :func:`match`, :func:`compare_methods`, :func:`sensitivity`.

:func:`match` builds the pool of the cohort (:mod:`.pool`), scores every pair
(:mod:`.scores`, hard rules from :mod:`.rules`), forms the design's structure
with one method (:mod:`.structures`) and returns an explained
:class:`~workbench.matching.result.MatchResult`: its pairs with reasons, who is
left unmatched and why, and its summary figures (:mod:`.result`).

When matching cannot be done as asked (no mentors, all pairs forbidden,
capacities of zero) the result says who could not be matched and why;
preferences naming people outside the organisation are listed in
``messages`` and ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import get_args

import numpy as np
import pandas as pd
from pydantic import ValidationError

from workbench.data.columns import text_column
from workbench.design.model import Criterion, Experience, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.gaps.analysis import skill_names
from workbench.matching import functional, structures
from workbench.matching.pool import Pool, build_pool, peer_pool, reverse_pool
from workbench.matching.result import RULE_WORDS, MatchResult, fairness_attributes, without_score
from workbench.matching.rules import rules
from workbench.matching.scores import (Overrides, PairScorer, ScoringContext, skill_arrays, stated_positions,
                                      stated_unknown)
from workbench.matching.solvers import Assignment, Stated, blocking_pairs
from workbench.matching.structures import METHODS, STRUCTURES
from workbench.organisation import current_cohort
from workbench.privacy import MIN_GROUP

__all__ = ["METHODS", "STRUCTURES", "compare_methods", "comparison_table", "default_method", "match", "sensitivity"]

#: Design objective -> method.
OBJECTIVE_METHOD = {"best_average": "optimal", "most_matched": "max_coverage", "fairest": "fair",
                    "balanced_groups": "balanced", "rounds": "optimal"}
#: Largest pool (mentees x mentors) whose blocking pairs are counted for methods other than stable (the count is
#: one more pass over every pair's score).
BLOCKING_PAIRS = 25_000_000


def default_method(design: ProgramDesign) -> str:
    """The method the design implies: mentee choice when mentees pick, else the matching objective's."""
    if design.experience.matching_method == "mentee_choice":
        return "mentee_choice"
    return OBJECTIVE_METHOD[design.experience.matching_objective]


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


def _marginal(prep: _Prepared):
    """Rescoring for mosaic rounds: the skills criterion over needs no earlier mentor covers."""
    weights = prep.scorer.weights
    if "skills" not in weights:
        return lambda earlier, rows, block: block
    share = np.float32(weights["skills"] / sum(weights.values()))
    a = skill_arrays(prep.scorer.context)

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
    a = skill_arrays(prep.scorer.context)
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


def _result(prep: _Prepared, links: structures.Links, capacity: np.ndarray, method: str, settings: dict) -> MatchResult:
    scorer, pool = prep.scorer, prep.pool
    criteria = scorer.criteria(links.mentee, links.mentor)
    names = tuple(scorer.criterion_names)
    reasons = scorer.explain(links.mentee, links.mentor) if len(links.mentee) else []
    if prep.structure == "peer" and reasons:  # each peer's side, without the one-way scores
        ids = prep.pool.mentees["person_id"].to_numpy()
        back = scorer.explain(links.mentor, links.mentee)
        reasons = [f"For {ids[a]}: {without_score(x)}. For {ids[b]}: {without_score(y)}"
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
    return MatchResult(settings=settings, pairs=pairs, unmatched=unmatched, figures=summary,
                       messages=tuple(messages), criteria=names, proof=links.proof, pool=pool, design=prep.design,
                       people=people, scorer=prep.scorer)


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
                    methods: Sequence[str] = METHODS, seed: int = 0,
                    progress: Callable[[int, int, str], None] | None = None,
                    cancel: Callable[[], bool] | None = None, **settings) -> dict[str, MatchResult]:
    """:func:`match` with each method on the same pool and scores (``settings`` as for :func:`match`).

    ``progress(done, total, method)`` is called after each method; when ``cancel()`` turns true the
    comparison stops before the next method and returns the methods done so far.
    """
    run_kw = {k: settings.pop(k) for k in ("rounds", "circle_size", "top_k") if k in settings}
    prep = _prepare(tables, design, structure=settings.pop("structure", None), weights=settings.pop("weights", None),
                    hard_rules=settings.pop("hard_rules", None), overrides=settings.pop("overrides", None),
                    cohort=settings.pop("cohort", None))
    if settings:
        raise TypeError(f"unknown settings: {', '.join(settings)}")
    if prep.structure == "peer":
        methods = methods[:1]
    results = {}
    for method in methods:
        if cancel is not None and cancel():
            break
        results[method] = _run(prep, method, seed=seed, **run_kw)
        if progress is not None:
            progress(len(results), len(methods), method)
    return results


def comparison_table(results: Mapping[str, MatchResult]) -> pd.DataFrame:
    """One row per method: match rate, mean, median and worst score, skills covered, blocking pairs."""
    keys = ["match_rate", "mean_score", "median_score", "worst_score", "skills_covered", "capacity_use",
            "blocking_pairs", "total_score"]
    return pd.DataFrame([{"method": name, **{k: r.summary().get(k) for k in keys}} for name, r in results.items()])


def sensitivity(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, runs: int = 10, spread: float = 0.2,
                seed: int = 0, method: str | None = None,
                progress: Callable[[int, int, str], None] | None = None,
                cancel: Callable[[], bool] | None = None, **settings) -> pd.DataFrame:
    """Re-solve with every criterion weight scaled by a random factor in ``[1 - spread, 1 + spread]``.

    One row per run: the factors and ``changed``, the share (0-1) of the
    base matching's links that the perturbed matching does not have. The
    weights are drawn from ``numpy.random.default_rng(seed)``. ``progress(done,
    total, step)`` is called after the base matching and each run; when
    ``cancel()`` turns true it stops before the next run and returns the runs done.
    """
    if runs < 1 or not 0 < spread < 1:
        raise WorkbenchError("Sensitivity needs at least one run and a spread between 0 and 1.")
    base = match(tables, design, method=method, seed=seed, **settings)
    method = base.settings["method"]
    weights = dict(base.settings["weights"])
    known = set(base.pairs[["mentee_id", "mentor_id", "round"]].itertuples(index=False, name=None))
    rng = np.random.default_rng(seed)
    rows = []
    if progress is not None:
        progress(1, runs + 1, "the matching itself")
    for run in range(runs):
        if cancel is not None and cancel():
            break
        factor = rng.uniform(1 - spread, 1 + spread, len(weights))
        perturbed = {k: min(10.0, w * f) for (k, w), f in zip(weights.items(), factor)}
        other = match(tables, design, method=method, seed=seed, **{**settings, "weights": perturbed})
        now = set(other.pairs[["mentee_id", "mentor_id", "round"]].itertuples(index=False, name=None))
        changed = 1 - len(known & now) / len(known) if known else 0.0
        rows.append({"run": run + 1, **{f"{k}_weight": v for k, v in perturbed.items()}, "changed": changed})
        if progress is not None:
            progress(run + 2, runs + 1, f"run {run + 1}")
    return pd.DataFrame(rows, columns=None if rows else ["run", "changed"])
