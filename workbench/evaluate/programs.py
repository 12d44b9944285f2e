"""Evaluating every program of a workspace: each on its own, the totals that add up, and retention pooled.

:func:`evaluate_programs` runs :func:`~workbench.evaluate.evaluate` once per
program: its design, its enrolment rows (:func:`workbench.programs.program_tables`),
its saved matching when that is of the evaluated cohort and its evaluation plan
when that was frozen for it (a randomised waitlist or a staggered roll-out is
analysed as the design that was run, :func:`pilot_caveats`), all with the same
seed, so each program's figures are exactly those of evaluating it alone. A
program that cannot be evaluated (no cohort with data, fewer than five
participants, ...) is listed with the reason instead.

**Totals** are given only for what adds up. Cost is the sum of the programs'
costs. Avoided exits, benefit, net benefit (benefit - cost) and the ROI of the
total ((total benefit - total cost) / total cost) come from the programs'
bootstrap draws added draw by draw; each program's draws are first shuffled
with a seeded permutation, because every program's bootstrap starts from the
same seed and its draws would otherwise move together. Money totals need every
program in the same currency. Meetings against the cadence are not totalled:
the designs' cadences differ, so a pooled share of a cadence means nothing.

**Retention pooled** over all programs (:func:`pooled_retention`): everyone who
took part in any program counted once (a person in two programs once, in the
first program's time frame), against the eligible non-participants of every
program's comparison pool who took part in no program, matched again on
department, level and tenure band (:func:`~workbench.evaluate.cohort.coarsened_match`)
and compared with the same Kaplan-Meier, log-rank, Cox and bootstrap machinery
as one program (:func:`~workbench.evaluate.outcomes.outcome_comparison`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Self

import numpy as np
import pandas as pd

from workbench.data.columns import text_column
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate.cohort import SELF_SELECTION, coarsened_match, default_cohort
from workbench.evaluate.evaluation import (RESAMPLES, evaluate, matching_for, plan_of,
                                           workspace_tables)
from workbench.evaluate.outcomes import OutcomeComparison, outcome_comparison
from workbench.evaluate.plan import PILOT_NAMES, FrozenPlan, load_plan
from workbench.evaluate.result import (JSON_SCHEMA, JSON_SCHEMA_VERSION, EvaluationResult, _int, _interval, _num,
                                       _obj, _rows, _str, _texts, group_of, outcome_headline, outcome_json,
                                       saved_groups)
from workbench.evaluate.trial import design_caveats
from workbench.matching.storage import SavedMatching, saved_matching
from workbench.privacy import MIN_GROUP
from workbench.programs import load_programs, program_tables
from workbench.result import Interval, conforming, json_text, plain, records
from workbench.workspace import Workspace

#: What the pooled retention is when some program ran a randomised waitlist or a staggered roll-out.
POOLED_ASSOCIATION = ("The pooled retention compares people who took part in any program with colleagues who took "
                      "part in none: an association, not proof of cause, whatever each program's pilot design.")
#: The label of the all-programs row of :meth:`ProgramsEvaluation.table`.
ALL_PROGRAMS = "all programs"

POOLING = (
    "Retention pooled over all programs: everyone who took part in any program, counted once (a person in two "
    "programs once), against colleagues eligible for at least one program who took part in none, matched again on "
    "department, level and tenure band. Each person is followed from their program's start (the first program's, "
    "for a person in several).",
    "The programs' designs, cadences and objectives differ: the pooled figures describe taking part in any of "
    "them, not one program, and meetings against the cadence are not pooled.",
)


#: The columns of :meth:`ProgramsEvaluation.table`, with what each holds.
TABLE_COLUMNS = {
    "program": "program id, or 'all programs' in the last row", "design": "the program's design name",
    "cohort": "the cohort evaluated", "participants": "participants (the last row: people, each once)",
    "pairs": "pairs that met", "meetings": "meetings held",
    "share_of_cadence": "meetings held / expected, 0-1 (blank in the last row)",
    "hazard_ratio": "hazard ratio of leaving (the last row: pooled)", "hazard_low": "lower end of its 95% interval",
    "hazard_high": "upper end", "cost": "program cost in the currency of the totals",
    "avoided_exits": "exits avoided by the horizon", "avoided_low": "2.5th percentile",
    "avoided_high": "97.5th percentile", "roi": "(benefit - cost) / cost", "roi_low": "2.5th percentile",
    "roi_high": "97.5th percentile", "reason": "why a program (or the pooled retention) has no figures",
    "pilot": "the pilot design its evaluation analysed: open, waitlist or stepped_wedge (blank in the last row)"}

_TOTAL = _interval("95% percentile interval of the programs' draws added draw by draw", "estimate")
_TOTALS = _obj("what adds up over the programs evaluated", {
    "programs": _int("programs evaluated"), "pairs": _int("pairs that met, summed"),
    "meetings": _int("meetings held, summed"),
    "currency": _str("currency of the money totals; null when not totalled", null=True),
    "cost": _num("the programs' costs summed", null=True),
    "avoided_exits": _TOTAL, "benefit": _TOTAL, "net_benefit": _TOTAL,
    "roi": _obj("(total benefit - total cost) / total cost", {
        **_TOTAL["properties"], "p_positive": _num("share of resamples with ROI above 0", null=True)}),
    "reason": _str("why money is not totalled, else empty")})

#: The JSON Schema of :meth:`ProgramsEvaluation.to_json` (``workbench evaluate --all --json``).
PROGRAMS_JSON_SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Workbench evaluation of every program of a workspace",
    "description": "Each program's evaluation, the totals that add up and retention pooled over the programs. "
                   "Shares are 0-1, money in the totals' currency; null marks a hidden or incomputable figure. "
                   "No ids of people, names or free text.",
    "type": "object", "additionalProperties": False,
    "required": ["schema_version", "kind", "settings", "programs", "table", "totals", "pooled", "caveats"],
    "properties": {
        "schema_version": {"const": JSON_SCHEMA_VERSION, "description": "version of this schema"},
        "kind": {"const": "programs_evaluation", "description": "what the document holds"},
        "settings": _obj("how the figures were computed", {"seed": _int("seed of every bootstrap"),
                                                           "resamples": _int("bootstrap resamples")}),
        "programs": {"type": "object", "description": "program id -> its evaluation, in priority order",
                     "additionalProperties": {"oneOf": [
                         _obj("evaluated", {"evaluated": {"const": True},
                                            "evaluation": {k: v for k, v in JSON_SCHEMA.items() if k != "$schema"}}),
                         _obj("not evaluated", {"evaluated": {"const": False},
                                                "reason": _str("why it was not evaluated")})]}},
        "table": _rows("one row per program and a last row 'all programs'",
                       {k: {"type": ["number", "string", "null"], "description": v} for k, v in TABLE_COLUMNS.items()}),
        "totals": {"description": "what adds up; empty when no program was evaluated",
                   "oneOf": [_TOTALS, {"type": "object", "maxProperties": 0}]},
        "pooled": _obj("retention pooled over the programs", {
            "counts": {"type": "object", "additionalProperties": {"type": ["integer", "null"]},
                       "description": "participants (people, each once; null when 1-4 are in several programs), "
                                      "comparison (pool), matched_participants, matched_comparison, in_several, "
                                      "horizon_months"},
            "retention": JSON_SCHEMA["properties"]["retention"]}),
        "caveats": _texts("caveats of the programs together"),
        "warnings": JSON_SCHEMA["properties"]["warnings"],
    },
}


@dataclass(frozen=True, eq=False)
class ProgramsEvaluation:
    """Every program's evaluation, the totals that add up and retention pooled (see the module docstring).

    ``results``: program id -> :class:`~workbench.evaluate.EvaluationResult`;
    ``missing``: program id -> why it could not be evaluated; ``names``: program
    id -> design name, every program in priority order. ``totals``: money in
    ``totals["currency"]`` (``None`` figures when the currencies differ, with
    ``totals["reason"]``), avoided exits in people. ``pooled`` is ``None`` with
    ``pooled_reason`` when no program could be evaluated.

    On the result protocol (:class:`workbench.result.Result`): :meth:`summary`, :meth:`by_group` (pooled
    retention per department or level), :meth:`to_json` under :data:`PROGRAMS_JSON_SCHEMA` and :meth:`from_json`,
    which reads back what :meth:`to_json` wrote (``workbench evaluate --all --json``): its :meth:`summary`,
    :meth:`by_group`, :meth:`table` and :meth:`to_json` give the saved figures, each program's result is read back
    by :meth:`EvaluationResult.from_json`, and ``pooled`` (built from people's rows) is ``None``.
    """

    JSON_SCHEMA: ClassVar[dict] = PROGRAMS_JSON_SCHEMA

    names: dict[str, str]
    results: dict[str, EvaluationResult] = field(repr=False)
    missing: dict[str, str]
    totals: dict
    pooled: OutcomeComparison | None = field(repr=False)
    pooled_reason: str
    pooled_counts: dict
    seed: int
    resamples: int
    caveats: tuple[str, ...] = ()
    document: dict | None = field(default=None, repr=False)  # what from_json read; None for a computed result

    def table(self) -> pd.DataFrame:
        """One row per program and a last row :data:`ALL_PROGRAMS`, figures about programs only.

        ``program``, ``design``, ``cohort``, ``participants``, ``pairs`` (that met),
        ``meetings``, ``share_of_cadence`` (0-1; blank in the total row),
        ``hazard_ratio``, ``hazard_low``, ``hazard_high`` (of leaving, 95%; the
        total row's is the pooled one), ``cost``, ``avoided_exits``,
        ``avoided_low``, ``avoided_high``, ``roi``, ``roi_low``, ``roi_high``,
        ``reason`` (why a program has no figures), ``pilot`` (the pilot design its
        evaluation analysed, :func:`pilot_of`; blank in the total row and for a
        program without figures). The total row's participants count each person once.
        """
        if self.document is not None:
            return pd.DataFrame(self.document["table"]).reindex(columns=list(TABLE_COLUMNS))
        rows = []
        for program, name in self.names.items():
            row = {"program": program, "design": name, "reason": self.missing.get(program, "")}
            result = self.results.get(program)
            if result is not None:
                row["pilot"] = pilot_of(result)
                b, hr = result.behaviour.summary, result.retention.survival.hazard_ratio
                roi = result.roi
                row.update(cohort=result.cohort.name, participants=len(result.cohort.participants),
                           pairs=b["pairs"], meetings=b["meetings"], share_of_cadence=b["share_of_cadence"],
                           **_hazard(hr))
                if roi is not None:  # None: fewer than five matched (HIDDEN_SHARES)
                    row.update(cost=roi.cost, avoided_exits=roi.avoided_exits.estimate,
                               avoided_low=roi.avoided_exits.low, avoided_high=roi.avoided_exits.high,
                               roi=roi.roi.estimate, roi_low=roi.roi.low, roi_high=roi.roi.high)
            rows.append(row)
        if self.results:
            t = self.totals
            rows.append({"program": ALL_PROGRAMS, "design": "", "reason": self.pooled_reason,
                         "cohort": ", ".join(sorted({r.cohort.name for r in self.results.values()})),
                         "participants": self.pooled_counts["participants"], "pairs": t["pairs"],
                         "meetings": t["meetings"],
                         **_hazard(None if self.pooled is None else self.pooled.survival.hazard_ratio),
                         "cost": t["cost"], "avoided_exits": t["avoided_exits"]["estimate"],
                         "avoided_low": t["avoided_exits"]["low"], "avoided_high": t["avoided_exits"]["high"],
                         "roi": t["roi"]["estimate"], "roi_low": t["roi"]["low"], "roi_high": t["roi"]["high"]})
        return pd.DataFrame(rows).reindex(columns=list(TABLE_COLUMNS))

    def to_json(self) -> dict:
        """Every program's :meth:`EvaluationResult.to_json` (or why it is missing), the table, the totals and
        the pooled retention, as plain JSON data under :data:`PROGRAMS_JSON_SCHEMA`; no ids."""
        if self.document is not None:
            return copy.deepcopy(self.document)
        return plain({
            "schema_version": JSON_SCHEMA_VERSION, "kind": "programs_evaluation",
            "settings": {"seed": self.seed, "resamples": self.resamples},
            "programs": {p: ({"evaluated": True, "evaluation": self.results[p].to_json()} if p in self.results
                             else {"evaluated": False, "reason": self.missing[p]}) for p in self.names},
            "table": records(self.table()), "totals": self.totals,
            "pooled": {"counts": self.pooled_counts,
                       "retention": outcome_json(self.pooled) if self.pooled is not None
                       else {"measured": False, "reason": self.pooled_reason}},
            "caveats": list(self.caveats),
        })

    def json_text(self) -> str:
        """:meth:`to_json` as text with sorted keys: the same evaluation gives the same bytes."""
        return json_text(self)

    def summary(self) -> dict:
        """The headline figures of the programs together, as plain data: ``programs`` (ids in priority order),
        ``evaluated`` (ids with figures), ``participants`` (people, each once; ``None`` when 1-4 are in several
        programs), ``pairs``, ``meetings`` (summed), ``currency``, ``cost`` (summed; ``None`` when not totalled),
        ``avoided_exits``, ``benefit``, ``net_benefit`` and ``roi`` (:class:`~workbench.result.Interval`
        dictionaries at 95%, ``None`` when not totalled), and the pooled ``retention`` and ``hazard_ratio``
        (as :meth:`EvaluationResult.summary`). Read from :meth:`to_json`'s figures, so a result read back by
        :meth:`from_json` gives the same."""
        doc = self.to_json()
        totals, pooled = doc["totals"], doc["pooled"]

        def total(key: str) -> Interval | None:
            found = totals.get(key)
            return None if found is None or found["estimate"] is None else Interval.from_dict(found)

        return plain({
            "programs": list(doc["programs"]),
            "evaluated": [p for p, entry in doc["programs"].items() if entry["evaluated"]],
            "participants": pooled["counts"].get("participants"), "pairs": totals.get("pairs", 0),
            "meetings": totals.get("meetings", 0), "currency": totals.get("currency"), "cost": totals.get("cost"),
            **{key: total(key) for key in ("avoided_exits", "benefit", "net_benefit", "roi")},
            **outcome_headline(pooled["retention"])})

    def by_group(self, attribute: str) -> pd.DataFrame:
        """The pooled retention at the horizon per group of ``attribute`` (``department`` or ``level``), as
        :meth:`EvaluationResult.by_group`: groups under five people in either group hidden."""
        if self.document is not None:
            groups = saved_groups(self.document["pooled"]["retention"])
        else:
            groups = {} if self.pooled is None else self.pooled.by_group
        return group_of(groups, attribute)

    @classmethod
    def from_json(cls, document: dict) -> Self:
        """The evaluation of every program :meth:`to_json` wrote (checked against :data:`PROGRAMS_JSON_SCHEMA`; a
        :class:`~workbench.errors.WorkbenchError` names the first problem when it is not one)."""
        conforming(document, PROGRAMS_JSON_SCHEMA, "an evaluation of every program")
        programs, names = document["programs"], {}
        for row in document["table"]:
            if row["program"] in programs:
                names[row["program"]] = row["design"]
        retention = document["pooled"]["retention"]
        return cls(names=names,
                   results={p: EvaluationResult.from_json(e["evaluation"]) for p, e in programs.items()
                            if e["evaluated"]},
                   missing={p: e["reason"] for p, e in programs.items() if not e["evaluated"]},
                   totals=copy.deepcopy(document["totals"]), pooled=None,
                   pooled_reason="" if retention["measured"] else retention["reason"],
                   pooled_counts=dict(document["pooled"]["counts"]), seed=document["settings"]["seed"],
                   resamples=document["settings"]["resamples"], caveats=tuple(document["caveats"]),
                   document=copy.deepcopy(document))

    def summary_lines(self) -> list[str]:
        """The per-program figures and the totals in plain lines (for a terminal); no ids."""
        lines = []
        for row in self.table().itertuples():
            if row.program != ALL_PROGRAMS and row.program in self.missing:
                lines.append(f"{row.program} ({row.design}): not evaluated. {row.reason}")
                continue
            label = f"{row.program} ({row.design}), cohort {row.cohort}" if row.program != ALL_PROGRAMS \
                else f"All programs (cohort {row.cohort})"
            cadence = "" if pd.isna(row.share_of_cadence) else f", {row.share_of_cadence:.0%} of its cadence"
            hazard = "no hazard ratio" if pd.isna(row.hazard_ratio) else \
                f"hazard ratio of leaving {row.hazard_ratio:.2f} [95% {row.hazard_low:.2f}, {row.hazard_high:.2f}]"
            money = "" if pd.isna(row.cost) else \
                (f"; cost {row.cost:,.0f} {self.totals['currency'] or ''}".rstrip()
                 + f", avoided exits {row.avoided_exits:+.1f} [95% {row.avoided_low:+.1f}, {row.avoided_high:+.1f}]"
                 + f", ROI {row.roi:+.2f} [95% {row.roi_low:+.2f}, {row.roi_high:+.2f}]")
            people = "people (each once)" if row.program == ALL_PROGRAMS else "participants"
            counted = f"hidden: {FEW_IN_SEVERAL}" if pd.isna(row.participants) else \
                f"{int(row.participants)} {people}"
            lines.append(f"{label}: {counted}, {row.pairs} pairs met, {row.meetings} meetings"
                         f"{cadence}; {hazard}{money}.")
        if self.results and self.totals["reason"]:
            lines.append(self.totals["reason"])
        pilots = {p: pilot_of(r) for p, r in self.results.items()}
        chose = "Participants chose to take part: the comparisons show an association, not proof of cause."
        if set(pilots.values()) <= {"open"}:
            lines.append(chose)
        else:
            opened = [p for p, kind in pilots.items() if kind == "open"]
            if opened:
                lines.append(f"{_programs_named(opened)}: {chose[0].lower()}{chose[1:]}")
            lines.append(POOLED_ASSOCIATION)
        for program, result in self.results.items():
            if result.trial is not None:
                lines += [f"{program}: {line}" for line in result.trial.lines()]
                lines += [f"{program}: deviation from the frozen plan: {d}" for d in result.trial.deviations]
        return lines


def pilot_of(result: EvaluationResult) -> str:
    """The pilot design ``result`` analysed (``"open"``, ``"waitlist"`` or ``"stepped_wedge"``): its frozen
    plan's, else open enrolment."""
    return result.trial.design if result.trial is not None else "open"


def _programs_named(programs: Sequence[str]) -> str:
    names = [repr(p) for p in programs]
    return ("Program " if len(names) == 1 else "Programs ") + (
        names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])


def pilot_caveats(results: Mapping[str, EvaluationResult]) -> tuple[str, ...]:
    """Who took part, by the pilot design each program's evaluation analysed (:func:`pilot_of`), and each
    program's deviations from its frozen plan, as caveats of the programs together. When every program ran
    open enrolment: the self-selection caveat alone. Otherwise the open programs share it, each program that
    followed a randomised waitlist or a staggered roll-out has its design's caveats
    (:func:`~workbench.evaluate.trial.design_caveats`), and the pooled retention, which compares people who
    took part in any program with colleagues who took part in none, is said to be an association."""
    pilots = {p: pilot_of(r) for p, r in results.items()}
    found: list[str] = []
    if set(pilots.values()) <= {"open"}:
        found.append(SELF_SELECTION)
    else:
        opened = [p for p, kind in pilots.items() if kind == "open"]
        if opened:
            found.append(f"{_programs_named(opened)} (open enrolment): {SELF_SELECTION}")
        for program, kind in pilots.items():
            if kind != "open":
                found.append(f"Program {program!r} followed its evaluation plan frozen at launch "
                             f"({PILOT_NAMES[kind].lower()}): " + " ".join(design_caveats(kind)))
        found.append(POOLED_ASSOCIATION)
        if "waitlist" in pilots.values():
            found.append("In the pooled retention a randomised waitlist's participants are its applicants offered a "
                         "place, whether they took part or not.")
    for program, result in results.items():
        if result.trial is not None:
            found += [f"Program {program!r}, deviation from its frozen plan: {d}" for d in result.trial.deviations]
    return tuple(found)


def _hazard(ratio) -> dict:
    if ratio is None:
        return {"hazard_ratio": np.nan, "hazard_low": np.nan, "hazard_high": np.nan}
    return {"hazard_ratio": ratio.estimate, "hazard_low": ratio.low, "hazard_high": ratio.high}


def combined_totals(results: Mapping[str, EvaluationResult], *, seed: int) -> dict:
    """The totals of several programs' evaluations (see the module docstring): ``cost`` (sum), ``avoided_exits``,
    ``benefit``, ``net_benefit`` and ``roi`` (``{"estimate", "low", "high"}``, 95% percentile intervals of the
    draws added draw by draw, ROI also ``p_positive``), ``pairs`` and ``meetings`` (sums), ``currency``,
    ``reason`` (why money is not totalled, else ``""``). Money in the programs' currency; exits in people.
    """
    parts = list(results.values())
    pairs = int(sum(r.behaviour.summary["pairs"] for r in parts))
    meetings = int(sum(r.behaviour.summary["meetings"] for r in parts))
    blank = {"estimate": None, "low": None, "high": None}
    hidden = [p for p, r in results.items() if r.roi is None]
    if hidden:  # its avoided exits would be the total minus the others'
        return {"pairs": pairs, "meetings": meetings, "currency": None, "cost": None, "avoided_exits": blank,
                "benefit": blank, "net_benefit": blank, "roi": blank | {"p_positive": None}, "programs": len(parts),
                "reason": f"No money totals: {', '.join(hidden)} show{'s' if len(hidden) == 1 else ''} no return on "
                          f"investment (fewer than {MIN_GROUP} participants, or comparison people, matched)."}
    currencies = sorted({r.roi.currency for r in parts})
    if len(currencies) != 1:
        return {"pairs": pairs, "meetings": meetings, "currency": None, "cost": None, "avoided_exits": blank,
                "benefit": blank, "net_benefit": blank, "roi": blank | {"p_positive": None}, "programs": len(parts),
                "reason": "No money totals: the programs' designs use different currencies "
                          f"({', '.join(currencies)})."}
    sizes = {len(r.retention.draws[0]) for r in parts}
    if len(sizes) != 1:
        raise WorkbenchError("The programs were evaluated with different numbers of bootstrap resamples: evaluate "
                             "them together to total them.")
    permute = np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])
    cost = float(sum(r.roi.cost for r in parts))
    avoided_point = benefit_point = 0.0
    avoided = benefit = np.zeros(sizes.pop())
    for index, r in enumerate(parts):
        keep_p, keep_c = r.retention.draws  # shares still employed
        draws = r.roi.participants * (keep_p - keep_c)  # = participants x (comparison's exits - participants')
        if index:  # the first program's draws as they are; every other's reordered (same seed, same order)
            draws = draws[permute.permutation(len(draws))]
        avoided = avoided + draws
        benefit = benefit + draws * r.roi.replacement_cost
        avoided_point += r.roi.avoided_exits.estimate
        benefit_point += r.roi.benefit.estimate
    safe = max(cost, 1e-9)
    roi = (benefit - cost) / safe
    def interval(point: float, draws: np.ndarray) -> dict:  # as the JSON holds it (95%), unrounded
        found = Interval.of_draws(point, draws)
        return {"estimate": found.estimate, "low": found.low, "high": found.high}

    return {"pairs": pairs, "meetings": meetings, "currency": currencies[0], "cost": cost,
            "avoided_exits": interval(avoided_point, avoided), "benefit": interval(benefit_point, benefit),
            "net_benefit": interval(benefit_point - cost, benefit - cost),
            "roi": interval((benefit_point - cost) / safe, roi) | {"p_positive": float((roi > 0).mean())},
            "programs": len(parts), "reason": ""}


#: Why an all-programs evaluation does not count its people once each (:func:`pooled_retention`).
FEW_IN_SEVERAL = f"fewer than {MIN_GROUP} people are in more than one program"


def pooled_retention(results: Mapping[str, EvaluationResult], took_part: set[str], *, resamples: int,
                     seed: int) -> tuple[OutcomeComparison, dict]:
    """Retention of everyone who took part in any program against those who took part in none (see the module
    docstring), and counts: ``participants`` (people, each once), ``comparison`` (pool), ``in_several``
    (participants of more than one program), ``horizon_months``. When 1-4 people are in several programs,
    ``in_several`` and ``participants`` are both ``None``: the programs' participants, shown per program,
    minus the people counted once would give those few away.

    ``took_part``: the ids of everyone enrolled in or mentoring in any evaluated program's cohort, kept out of
    the comparison group. The horizon is the shortest of the programs' horizons.
    """
    frames = [r.cohort.people.assign(_program=p) for p, r in results.items()]
    people = pd.concat(frames, ignore_index=True)
    is_p = people["group"] == "participants"
    participants = people[is_p]
    counts = participants["person_id"].value_counts()
    in_several = int((counts > 1).sum())
    participants = participants.drop_duplicates("person_id")  # programs in priority order: the first one's row
    comparison = people[~is_p & ~people["person_id"].isin(took_part | set(participants["person_id"]))]
    comparison = comparison.drop_duplicates("person_id")
    pool = pd.concat([participants, comparison], ignore_index=True).drop(columns=["stratum", "matched", "weight"])
    matched = coarsened_match(pool, ("department", "level", "tenure_band"))
    horizon = min(r.horizon_months for r in results.values())
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(4)[3])
    comparison_rule = ("eligible colleagues employed at their program's start who took part in no program, "
                       "coarsened exact matching on department, level and tenure band, weighted to the "
                       "participants' mix")
    pooled = outcome_comparison(matched[matched["matched"]].drop(columns="_program"), "retention",
                                horizon_months=horizon, resamples=resamples, rng=rng, comparison=comparison_rule)
    few = 0 < in_several < MIN_GROUP
    return pooled, {"participants": None if few else int(len(participants)), "comparison": int(len(comparison)),
                    "matched_participants": int(matched.loc[matched["group"] == "participants", "matched"].sum()),
                    "matched_comparison": int(matched.loc[matched["group"] == "comparison", "matched"].sum()),
                    "in_several": None if few else in_several,
                    "horizon_months": horizon}


def _took_part(tables: Mapping[str, pd.DataFrame], result: EvaluationResult) -> set[str]:
    """Everyone enrolled in ``result``'s cohort (its program's rows of ``tables``) or mentoring its mentees."""
    enrolment = tables["enrolment"]
    here = text_column(enrolment, "cohort") == result.cohort.name
    return set(text_column(enrolment, "person_id")[here]) | set(result.cohort.meetings["mentor_id"])


def evaluate_programs(tables: Mapping[str, pd.DataFrame], designs: Mapping[str, ProgramDesign], *,
                      matchings: Mapping[str, SavedMatching | None] | None = None,
                      plans: Mapping[str, FrozenPlan | None] | None = None,
                      cohort: str | None = None, seed: int = 0, resamples: int = RESAMPLES,
                      progress: Callable[[int, int, str], None] | None = None,
                      **options) -> ProgramsEvaluation:
    """Evaluate every program of ``designs`` (id -> design, in priority order) on ``tables`` (the workspace's
    tables as read, every program's enrolment) and total them (see the module docstring).

    ``matchings``: program id -> its saved matching (:func:`~workbench.matching.saved_matching`). ``plans``:
    program id -> the evaluation plan frozen in its workspace
    (:func:`~workbench.evaluate.plan.load_plan`); a program whose plan was frozen
    for the evaluated cohort is analysed by the pilot design that was run, as
    when it is evaluated alone (:func:`~workbench.evaluate.evaluate`), and its
    caveats and deviations from the plan are among the programs' caveats
    (:func:`pilot_caveats`). ``cohort``: the
    cohort evaluated in every program (default: the latest with data,
    :func:`~workbench.evaluate.cohort.default_cohort`, over every program's
    enrolment); a program without enough participants in it is listed in
    ``missing`` with the reason.
    ``options`` are :func:`~workbench.evaluate.evaluate`'s other keywords.
    ``progress(done, total, program)`` is called before each program and at
    the end. The same inputs and seed give the same figures.
    """
    programs: Sequence[str] = list(designs)
    program_tables(tables, programs[0], programs)  # an unknown program in the enrolment: an error naming the row
    name = default_cohort(tables) if cohort is None else str(cohort).strip()
    results, missing, took_part = {}, {}, set()
    for index, program in enumerate(programs):
        if progress is not None:
            progress(index, len(programs), program)
        scoped = program_tables(tables, program, programs)
        try:
            result = evaluate(scoped, designs[program], cohort=name, seed=seed, resamples=resamples,
                              matching=matching_for((matchings or {}).get(program), name),
                              plan=plan_of((plans or {}).get(program), name), **options)
        except WorkbenchError as exc:
            missing[program] = str(exc)
            continue
        results[program] = result
        took_part |= _took_part(scoped, result)
    if progress is not None:
        progress(len(programs), len(programs), "done")
    pooled, reason, counts = None, "", {}
    if results:
        pooled, counts = pooled_retention(results, took_part, resamples=resamples, seed=seed)
        totals = combined_totals(results, seed=seed)
    else:
        reason = "No program could be evaluated, so there is nothing to pool."
        totals = {}
    starts = {r.cohort.start for r in results.values()}
    caveats = (*pilot_caveats(results), *POOLING)
    if len(starts) > 1:
        caveats += ("The programs' cohorts started on different days: pooled times are months from each person's "
                    "own program start.",)
    if counts.get("in_several", 0) != 0:
        caveats += ("Some participants are in more than one program, and meetings.csv does not say which program a "
                    "meeting belongs to: their meetings (and cost) are in each of their programs' figures, so the "
                    "summed cost and avoided exits count them more than once; the pooled retention counts each "
                    "person once.",)
    caveats += ("Groups of fewer than five people are never shown.",)
    return ProgramsEvaluation(names={p: designs[p].name for p in programs}, results=results, missing=missing,
                              totals=totals, pooled=pooled, pooled_reason=reason, pooled_counts=counts, seed=seed,
                              resamples=resamples, caveats=caveats)


def evaluate_programs_workspace(workspace: Workspace, *, cohort: str | None = None, **options) -> ProgramsEvaluation:
    """:func:`evaluate_programs` on every program of a workspace: their designs, the workspace's tables,
    each program's saved matching and its frozen evaluation plan. ``options`` as :func:`evaluate_programs`."""
    tables = workspace_tables(workspace)
    programs = load_programs(workspace)
    return evaluate_programs(tables, {p: prog.design for p, prog in programs.items()},
                             matchings={p: saved_matching(prog.workspace) for p, prog in programs.items()},
                             plans={p: load_plan(prog.workspace) for p, prog in programs.items()},
                             cohort=cohort, **options)
