"""Is the design ready to launch? Consistency checks of a program design against itself and the data, and power.

The checks use the matching's own hard rules and criteria and the evaluation's pilot allocation
and power, so this module sits above matching and evaluate: the design layer stays free of them.

:func:`check_design` runs every check over a design and the workspace tables
(text DataFrames as read from CSV) and returns :class:`Finding` objects, errors
first, then warnings, then information, each with the numbers behind it, a
suggested fix and the catalogue decisions involved (so a page can point at the
widgets to change). The checks and their stable ids:

``people_missing``
    no ``people.csv``: the data checks cannot run.
``eligibility``
    an eligibility rule that matches nobody, names unknown departments or a
    performance column the data lacks.
``mentor_capacity``
    mentor places (enrolment, else expected mentors) against mentee demand.
``rules_leave_unmatched``
    hard rules and the seniority window leave enrolled mentees with no possible mentor.
``objective_kpi``
    objectives without KPI, baseline, target or horizon, or tied to an unknown goal.
``unknown_reference``
    goals or skills the design names that the data does not have.
``retention_data``
    a retention purpose without exit history or without a comparison group.
``duration_short``
    relationship goals with fewer than 6 months (Kram 1983).
``flash_deep_skills``
    flash or very short mentoring for skill goals.
``sensitive_without_opt_in``
    sensitive attributes used without opt-in, or not marked sensitive.
``custom_criteria``
    a criterion the design declares over a column the people and enrolment
    tables lack, over text where it needs numbers, or over a sensitive column
    without opt-in (the matching refuses the same).
``evaluation_missing``
    objectives without metrics, or no evaluation levels.
``pilot``
    a pilot without a size.
``pilot_design``
    a randomised waitlist or staggered roll-out the current cohort's eligible applicants cannot be
    allocated to (the refusal ``workbench launch`` gives: no more applicants than places, a cluster
    column people.csv lacks, fewer than two clusters or fewer clusters than steps), and, for open
    enrolment with objectives, that the evaluation can show an association only.
``inactivity_rule``
    pairs closed for inactivity sooner than the meeting rhythm allows.
``objective_power``
    an objective whose planned cohort cannot detect the effect expected of it
    (:func:`checked_with_power`, :func:`with_power_findings`).

Enrolment is read for the *current cohort*: the latest ``cohort`` value
(numerically when every cohort is a number), or every row when the table has
no cohort column or no cohort values.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from workbench.data.columns import number_column, text_column
from workbench.data.importing import checked_tables
from workbench.design import catalogue
from workbench.design.eligibility import data_as_of, eligible, employed, filter_columns
from workbench.design.model import SURVEY_KINDS, Eligibility, ProgramDesign
from workbench.errors import WorkbenchError
from workbench.evaluate.power import ObjectivePower, workspace_power
from workbench.evaluate.trial import allocation_of, applicants
from workbench.matching.pool import Pool
from workbench.matching.rules import rules as hard_rules
from workbench.matching.scores import design_criterion_problems
from workbench.organisation import current_cohort
from workbench.workspace import DEFAULT_SENSITIVE, Workspace

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
#: Capacity below this share of demand is an error; below 100% a warning.
CAPACITY_ERROR_SHARE = 0.6
#: Relationship goals need at least this many months (Kram 1983: initiation takes 6-12 months).
MIN_RELATIONSHIP_MONTHS = 6
#: Programs this short (months) count as flash for skill goals.
FLASH_MONTHS = 2
#: Days between meetings for each cadence.
CADENCE_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 30}
#: Tables :func:`check_workspace` reads.
CHECKED_TABLES: tuple[str, ...] = ("people", "enrolment", "goals", "skills")

_RELATIONSHIP_PROBLEMS = {"leadership_pipeline", "knowledge_transfer", "representation", "attrition"}
_RELATIONSHIP_KINDS = {"promotion", "skill", "retention"}
_COMPARED = {"comparison_group", "pre_post_with_comparison"}
_CHUNK = 2048
_TABLE_FILES = {"goal_id": "goals.csv", "skill_id": "skills.csv"}


@dataclass(frozen=True)
class Finding:
    """One result of a check: what is wrong (or worth knowing), why, and what to do about it."""

    check: str
    severity: str
    title: str
    explanation: str
    fix: str
    decisions: tuple[str, ...]


def check_design(design: ProgramDesign, tables: Mapping[str, pd.DataFrame], *,
                 as_of: datetime.date | None = None,
                 sensitive: Sequence[str] = DEFAULT_SENSITIVE) -> list[Finding]:
    """Every finding for ``design`` against ``tables``: errors, then warnings, then information.

    ``tables`` maps table names (``"people"``, ``"enrolment"``, ``"goals"``,
    ``"skills"``; others are ignored) to text DataFrames as read from CSV;
    missing tables skip the checks that need them. ``as_of`` is the day
    eligibility and employment are judged on (default: :func:`data_as_of` of
    the people table, else today). ``sensitive`` names the workspace's
    sensitive columns. Pure and deterministic: the same inputs give the same
    findings in the same order.
    """
    people = tables.get("people")
    if as_of is None:
        as_of = data_as_of(people) if people is not None else datetime.date.today()
    context = _Context(design, tables, as_of, tuple(sensitive))
    findings = [finding for check in _CHECKS for finding in check(context)]
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))


def check_workspace(workspace: Workspace, design: ProgramDesign) -> list[Finding]:
    """:func:`check_design` over the tables the workspace has, with its sensitive columns.

    Raises :class:`~workbench.errors.InvalidDataError` when one of them fails its contract."""
    tables = checked_tables(workspace, CHECKED_TABLES)
    return check_design(design, tables, sensitive=workspace.settings.sensitive)


# --------------------------------------------------------------------------
# Shared facts about the data, computed once per call
# --------------------------------------------------------------------------


class _Context:
    def __init__(self, design: ProgramDesign, tables: Mapping[str, pd.DataFrame], as_of: datetime.date,
                 sensitive: tuple[str, ...]) -> None:
        self.design = design
        self.as_of = as_of
        self.sensitive = sensitive
        people = tables.get("people")
        self.people = people.reset_index(drop=True) if people is not None else None
        self.enrolment = tables.get("enrolment")
        self.goals = tables.get("goals")
        self.skills = tables.get("skills")

    @cached_property
    def mentee_ok(self) -> np.ndarray:
        return eligible(self.people, self.design.align.mentee_eligibility, as_of=self.as_of).to_numpy()

    @cached_property
    def mentor_ok(self) -> np.ndarray:
        return eligible(self.people, self.design.align.mentor_eligibility, as_of=self.as_of).to_numpy()

    @cached_property
    def cohort(self) -> tuple[str, pd.DataFrame] | None:
        """The current cohort's name and rows with ``pos`` (people row), ``role`` and ``capacity``."""
        if self.enrolment is None or self.people is None:
            return None
        name, rows = current_cohort(self.enrolment)
        position = pd.Series(np.arange(len(self.people)), index=text_column(self.people, "person_id"))
        position = position[~position.index.duplicated()]
        ids = text_column(rows, "person_id")
        known = ids.isin(position.index)
        return name, pd.DataFrame({
            "pos": position.reindex(ids[known]).to_numpy(),
            "role": text_column(rows, "role")[known].to_numpy(),
            "capacity": number_column(rows, "capacity")[known].fillna(0).to_numpy(),
        })

    @cached_property
    def mentees(self) -> np.ndarray:
        """People rows of the current cohort's eligible mentees."""
        _, rows = self.cohort
        pos = rows["pos"].to_numpy()
        return pos[rows["role"].isin(["mentee", "both"]).to_numpy() & self.mentee_ok[pos]]

    @cached_property
    def mentors(self) -> tuple[np.ndarray, np.ndarray]:
        """People rows and offered capacities of the current cohort's eligible mentors."""
        _, rows = self.cohort
        roles = ["mentor", "both"] if self.design.experience.allow_both_roles else ["mentor"]
        pos = rows["pos"].to_numpy()
        keep = rows["role"].isin(roles).to_numpy() & self.mentor_ok[pos]
        return pos[keep], rows["capacity"].to_numpy()[keep]

    def cohort_text(self) -> str:
        name = self.cohort[0]
        return f"cohort {name}" if name else "the enrolment"


def _label(decision_id: str, value: str) -> str:
    return next((o.label for o in catalogue.decision(decision_id).options if o.value == value), value)


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _listing(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(f"'{i}'" for i in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --------------------------------------------------------------------------
# The checks (each takes the context, returns findings)
# --------------------------------------------------------------------------


def _people_missing(ctx: _Context) -> list[Finding]:
    if ctx.people is not None:
        return []
    return [Finding(
        "people_missing", "warning", "No people data",
        "The workspace has no people.csv, so eligibility, mentor supply, matching rules and retention data "
        "cannot be checked against the organisation.",
        "Import the HR export of people (with leavers and their exit dates) on the data page.",
        ("align.mentee_eligibility", "align.mentor_eligibility"))]


def _eligibility(ctx: _Context) -> list[Finding]:
    if ctx.people is None:
        return []
    findings = []
    staff = employed(ctx.people, as_of=ctx.as_of)
    departments = sorted(set(text_column(ctx.people, "department")[staff]))
    for role, rule, ok in (("mentee", ctx.design.align.mentee_eligibility, ctx.mentee_ok),
                           ("mentor", ctx.design.align.mentor_eligibility, ctx.mentor_ok)):
        decision_id = f"align.{role}_eligibility"
        unknown = [d for d in rule.departments if d not in departments]
        if unknown:
            findings.append(Finding(
                "eligibility", "warning", f"Unknown departments in the {role} rule",
                f"The {role} rule names {_listing(unknown)}, which no current employee belongs to; the departments "
                f"on {ctx.as_of} are {_listing(departments, 10)}.",
                "Pick departments from the list (names must match people.csv exactly).", (decision_id,)))
        column = rule.performance_column
        if column is not None and column not in ctx.people.columns:
            findings.append(Finding(
                "eligibility", "warning", f"Performance column missing for the {role} rule",
                f"The {role} rule asks for {column} of at least {rule.performance_min:g}, but people.csv has no "
                f"'{column}' column, so nobody is excluded by performance.",
                f"Import people with a '{column}' column, or remove the performance filter.", (decision_id,)))
        if staff.sum() and not ok.any():
            findings.append(Finding(
                "eligibility", "error", f"Nobody is eligible as {role}",
                f"Of {_plural(int(staff.sum()), 'employee')} on {ctx.as_of}, none passes the {role} rule: "
                f"{_filter_counts(ctx, rule)}.",
                "Loosen the filter that keeps the fewest people.", (decision_id,)))
    return findings


def _filter_counts(ctx: _Context, rule: Eligibility) -> str:
    """How many employees each filter of ``rule`` keeps on its own, as text."""
    parts = {
        "department": Eligibility(departments=rule.departments),
        "level": Eligibility(level_min=rule.level_min, level_max=rule.level_max),
        "tenure": Eligibility(min_tenure_months=rule.min_tenure_months),
        "performance": Eligibility(performance_column=rule.performance_column,
                                   performance_min=rule.performance_min),
    }
    used = {"department": bool(rule.departments), "level": rule.level_min is not None or rule.level_max is not None,
            "tenure": rule.min_tenure_months is not None, "performance": rule.performance_column is not None}
    counts = [f"the {name} filter alone keeps {int(eligible(ctx.people, part, as_of=ctx.as_of).sum()):,}"
              for name, part in parts.items() if used[name]]
    return "; ".join(counts) if counts else "no filter is set, yet nobody is employed"


def _mentor_capacity(ctx: _Context) -> list[Finding]:
    exp = ctx.design.experience
    if ctx.people is None or exp.structure == "peer":
        return []
    decisions = ["experience.structure", "experience.mentor_capacity", "align.mentor_eligibility"]
    pilot = ctx.design.launch.rollout == "pilot" and ctx.design.launch.pilot_size is not None
    if ctx.cohort is not None:
        mentees = len(ctx.mentees)
        who = f"{_plural(mentees, 'eligible mentee')} enrolled in {ctx.cohort_text()}"
    else:
        mentees = int(ctx.mentee_ok.sum())
        who = f"{_plural(mentees, 'employee')} eligible as mentees (no enrolment yet)"
    demand = min(mentees, ctx.design.launch.pilot_size) if pilot else mentees
    if demand == 0:
        return []
    if pilot and demand < mentees:
        who += f", of whom the pilot takes {demand:,}"
        decisions.append("launch.pilot_size")
    per_mentor_limit = exp.group_size if exp.structure == "group" else exp.mentor_capacity
    if exp.structure == "group":
        decisions.append("experience.group_size")
    capped = ""
    if ctx.cohort is not None:
        _, offered = ctx.mentors
        places = np.full(len(offered), exp.group_size) if exp.structure == "group" else np.minimum(
            offered, exp.mentor_capacity)
        n_mentors, capacity = len(offered), int(places.sum())
        source = f"the {_plural(n_mentors, 'eligible enrolled mentor')}"
        if exp.structure != "group" and (offered > exp.mentor_capacity).any():
            capped = (f" The design lets a mentor take at most {exp.mentor_capacity}, though mentors offered "
                      f"{int(offered.sum()):,} places in all.")
    elif ctx.design.align.constraints.expected_mentors is not None:
        n_mentors = ctx.design.align.constraints.expected_mentors
        capacity = n_mentors * per_mentor_limit
        source = f"the {_plural(n_mentors, 'expected mentor')} (constraints)"
        decisions.append("align.constraints")
    else:
        return [Finding(
            "mentor_capacity", "info", "Mentor supply unknown",
            f"There are {who}, but no enrolment and no expected number of mentors, so whether mentors can take "
            f"them is unknown.",
            "Enter the number of mentors you expect to volunteer under Constraints, or import the enrolment.",
            ("align.constraints", "experience.mentor_capacity"))]
    needed = demand * (exp.mentors_per_mentee if exp.structure == "mosaic" else 1)
    if capacity >= needed:
        return []
    if exp.structure == "mosaic":
        decisions.append("experience.mentors_per_mentee")
    share = capacity / needed
    per = capacity / n_mentors if n_mentors and capacity else per_mentor_limit
    extra = math.ceil((needed - capacity) / per)
    mosaic = f" ({exp.mentors_per_mentee} mentors each, mosaic)" if exp.structure == "mosaic" else ""
    if n_mentors:
        supply = f"{source} offer {capacity:,} ({share:.0%} of what is needed)"
    else:
        supply = f"{ctx.cohort_text()} has no eligible mentors" if ctx.cohort else "the constraints expect no mentors"
    return [Finding(
        "mentor_capacity", "error" if share < CAPACITY_ERROR_SHARE else "warning", "Not enough mentor places",
        f"There are {who}: {needed:,} mentor places are needed{mosaic}, but {supply}, leaving "
        f"{needed - capacity:,} short.{capped} Mentors are usually scarcer than mentees.",
        f"Invite about {extra:,} more mentors (at {per:.1f} places each), let each mentor take more mentees, or "
        f"use group mentoring (one mentor for {exp.group_size}) or peer circles for some mentees.",
        tuple(decisions))]


def _objective_kpi(ctx: _Context) -> list[Finding]:
    objectives = ctx.design.align.objectives
    if not objectives:
        return [Finding(
            "objective_kpi", "warning", "No objectives",
            "The design has no objectives, so nothing says what the program should change or how success will be "
            "measured; Labin anchors a program to a measurable organisational purpose.",
            "Add at least one objective with a KPI, a baseline, a target and a horizon in months (the goals table "
            "has KPIs ready to use).", ("align.objectives", "align.business_problem"))]
    goals = _goals(ctx)
    findings = []
    for objective in objectives:
        goal = goals.get(objective.goal_id) if goals is not None and objective.goal_id else None
        if objective.goal_id and goals is not None and goal is None:
            findings.append(Finding(
                "objective_kpi", "error", f"Objective {objective.id} serves an unknown goal",
                f"Its goal '{objective.goal_id}' is not in goals.csv, which has {_listing(sorted(goals), 10)}.",
                "Choose one of the goals in goals.csv, or add the goal there.", ("align.objectives",)))
        elif objective.goal_id and goals is None:
            findings.append(Finding(
                "objective_kpi", "warning", f"Objective {objective.id}: goal cannot be checked",
                f"It serves goal '{objective.goal_id}', but the workspace has no goals.csv.",
                "Import the goals table.", ("align.objectives",)))
        missing = [name for name, value in (("KPI", objective.kpi.strip()), ("baseline", objective.baseline),
                                            ("target", objective.target), ("horizon", objective.horizon_months))
                   if value in (None, "")]
        same = objective.baseline is not None and objective.baseline == objective.target
        if not missing and not same:
            continue
        problems = [f"no {', no '.join(missing)}"] if missing else []
        if same:
            problems.append(f"a target equal to its baseline ({objective.baseline:g})")
        fix = "Give it a KPI with its unit, today's value as baseline, the value to reach and the months to reach it."
        if goal is not None:
            fix = (f"goals.csv has goal '{objective.goal_id}' with KPI '{goal['kpi']}', baseline {goal['baseline']}, "
                   f"target {goal['target']} over {goal['horizon_months']} months; use those values.")
        findings.append(Finding(
            "objective_kpi", "warning", f"Objective {objective.id} is not measurable yet",
            f"It has {' and '.join(problems)}. Without a KPI, a baseline and a different target over a set horizon, "
            "the program's effect cannot be shown.", fix, ("align.objectives",)))
    return findings


def _goals(ctx: _Context) -> dict[str, dict[str, str]] | None:
    if ctx.goals is None:
        return None
    columns = ("kpi", "baseline", "target", "horizon_months")
    ids = text_column(ctx.goals, "goal_id")
    values = {c: text_column(ctx.goals, c) for c in columns}
    return {goal_id: {c: values[c].iloc[i] or "?" for c in columns} for i, goal_id in enumerate(ids) if goal_id}


def _unknown_reference(ctx: _Context) -> list[Finding]:
    findings = []
    align = ctx.design.align
    for names, table, column, decision_id in ((align.goal_ids, ctx.goals, "goal_id", "align.goal_ids"),
                                              (align.focus_skills, ctx.skills, "skill_id", "align.focus_skills")):
        if table is None or not names:
            continue
        known = set(text_column(table, column))
        unknown = [n for n in names if n not in known]
        if unknown:
            findings.append(Finding(
                "unknown_reference", "error", f"Unknown {column.removesuffix('_id')}s",
                f"The design names {_listing(unknown)}, which {'is' if len(unknown) == 1 else 'are'} not among the "
                f"{len(known):,} {column}s of {_TABLE_FILES[column]}.",
                f"Choose from {_TABLE_FILES[column]} or add {'it' if len(unknown) == 1 else 'them'} there.",
                (decision_id,)))
    return findings


def _retention_data(ctx: _Context) -> list[Finding]:
    align = ctx.design.align
    kinds = {o.kind for o in align.objectives}
    if align.business_problem != "attrition" and "retention" not in kinds:
        return []
    why = "the business problem is attrition" if align.business_problem == "attrition" else \
        "an objective measures retention"
    findings = []
    exits = 0 if ctx.people is None else int(text_column(ctx.people, "exit_date").ne("").sum())
    if ctx.people is not None and exits == 0:
        findings.append(Finding(
            "retention_data", "error", "No exit history for a retention goal",
            f"{why.capitalize()}, but none of the {len(ctx.people):,} people in people.csv has an exit date, so "
            "neither today's exit rate (the baseline) nor the program's effect on it can be measured.",
            "Import people including leavers and their exit dates for the years before the program.",
            ("align.business_problem", "align.objectives", "evaluate.metrics")))
    attribution = ctx.design.evaluate.attribution
    if attribution not in _COMPARED:
        data = f" people.csv records {_plural(exits, 'exit')} to compare against." if ctx.people is not None else ""
        findings.append(Finding(
            "retention_data", "warning", "Retention effect without a comparison group",
            f"{why.capitalize()}, but attribution is '{_label('evaluate.attribution', attribution)}'. ROI claims "
            "without a comparison group are the most common flaw in evaluations: participants choose to join, and "
            "in the observational Sun Microsystems study mentees' 72% retention against 49% for non-participants "
            f"is an upper bound, not the program's effect.{data}",
            "Compare participants with similar non-participants (same levels and departments), before and after.",
            ("evaluate.attribution",)))
    return findings


def _relationship_reasons(design: ProgramDesign, kinds: set[str]) -> list[str]:
    reasons = []
    if design.align.business_problem in _RELATIONSHIP_PROBLEMS:
        reasons.append(f"the business problem ({_label('align.business_problem', design.align.business_problem)})")
    reasons += [f"objective {o.id} ({_label('align.objectives', o.kind)})" for o in design.align.objectives
                if o.kind in kinds]
    return reasons


def _duration_short(ctx: _Context) -> list[Finding]:
    months = ctx.design.experience.duration_months
    reasons = _relationship_reasons(ctx.design, _RELATIONSHIP_KINDS)
    if months >= MIN_RELATIONSHIP_MONTHS or not reasons:
        return []
    return [Finding(
        "duration_short", "warning", "Too short for the goals",
        f"Relationships run {months} month{'s' if months != 1 else ''}, but {_join(reasons)} need a relationship "
        f"that matures, and its initiation phase alone takes 6-12 months (Kram 1983).",
        f"Plan at least {MIN_RELATIONSHIP_MONTHS} months, or narrow the goals to what a short program can reach.",
        ("experience.duration_months", "align.business_problem", "align.objectives"))]


def _flash_deep_skills(ctx: _Context) -> list[Finding]:
    exp = ctx.design.experience
    if exp.structure != "flash" and exp.duration_months > FLASH_MONTHS:
        return []
    skills = ctx.design.align.focus_skills
    skill_objectives = [o.id for o in ctx.design.align.objectives if o.kind == "skill"]
    if not skills and not skill_objectives:
        return []
    what = "Flash mentoring" if exp.structure == "flash" else f"A {exp.duration_months}-month program"
    aims = []
    if skills:
        aims.append(f"{_plural(len(skills), 'focus skill')} ({_listing(list(skills))})")
    if skill_objectives:
        aims.append(f"skill objective{'s' if len(skill_objectives) > 1 else ''} {_listing(skill_objectives)}")
    return [Finding(
        "flash_deep_skills", "warning", "Short mentoring for deep skills",
        f"{what} suits specific questions, but the design aims to grow {' and '.join(aims)}; a few short sessions "
        "leave little time to practise and get feedback.",
        "Use functional or one-on-one mentoring over several months for these skills, or keep flash mentoring for "
        "narrow questions and drop the skill goals.",
        ("experience.structure", "experience.duration_months", "align.focus_skills", "align.objectives"))]


def _rules_leave_unmatched(ctx: _Context) -> list[Finding]:
    if ctx.cohort is None or ctx.design.experience.structure == "peer":
        return []
    mentees, (mentors, _) = ctx.mentees, ctx.mentors
    if len(mentees) == 0 or len(mentors) == 0:
        return []
    result = _rule_matrix_summary(ctx, mentees, mentors)
    rules, partners, rescued, removed = result
    exp = ctx.design.experience
    decisions = ("experience.hard_rules", "experience.seniority_gap_min", "experience.seniority_gap_max",
                 "experience.exclude_line_manager", "launch.unmatched")
    stranded = int((partners == 0).sum())
    m, k = len(mentees), len(mentors)
    if stranded == 0:
        return [Finding(
            "rules_leave_unmatched", "info", "Every mentee has a possible mentor",
            f"All {m:,} eligible mentees of {ctx.cohort_text()} have at least one of the {k:,} mentors who passes "
            f"every hard rule; the fewest any mentee has is {int(partners.min()):,}, the median "
            f"{float(np.median(partners)):g}.",
            "No change needed; capacity is checked separately.", decisions)]
    pairs = m * k
    order = sorted(range(len(rules)), key=lambda i: (-rescued[i], -removed[i]))
    best = order[0]
    label = rules[best][0]
    detail = "; ".join(f"'{rules[i][0]}' rules out {removed[i] / pairs:.0%} of pairs" for i in order[:3])
    if rescued[best]:
        remedy = f"Dropping '{label}' alone would give {rescued[best]:,} of them a partner."
    else:
        remedy = "No single rule is to blame: dropping any one of them alone rescues nobody."
    return [Finding(
        "rules_leave_unmatched", "error", "Hard rules leave mentees without a mentor",
        f"{_plural(stranded, 'mentee')} of {m:,} in {ctx.cohort_text()} {'has' if stranded == 1 else 'have'} no "
        f"possible mentor among the {k:,} eligible mentors under the hard rules and the seniority window of "
        f"{exp.seniority_gap_min}-{exp.seniority_gap_max} levels. {remedy} ({detail}.) Too many hard rules are a "
        "common reason people go unmatched.",
        f"Relax '{label}' (make it a matching weight instead of a rule), widen the seniority window, or recruit "
        "mentors who fit; otherwise plan for them under 'The unmatched'.", decisions)]


def _rule_matrix_summary(ctx: _Context, mentees: np.ndarray, mentors: np.ndarray):
    """Per hard rule: (label, pair test); partners per mentee; mentees each rule strands; pairs it rules out.

    The rules are the matching's own (:func:`workbench.matching.rules.rules`), so a mentee reported
    stranded here has no allowed mentor when the matching runs.
    """
    people = ctx.people
    pool = Pool(mentees=people.iloc[mentees].reset_index(drop=True),
                mentors=people.iloc[mentors].reset_index(drop=True), people=people, as_of=ctx.as_of)
    found = dict(hard_rules(pool, ctx.design))
    not_self_test = found.pop("self")
    window = "reverse seniority window" if ctx.design.experience.structure == "reverse" else "seniority window"
    labels = {"seniority_window": window, "line_manager": "line manager excluded"}
    rules = [(labels.get(name) or _label("experience.hard_rules", name), test) for name, test in found.items()]
    partners = np.zeros(len(mentees), dtype=int)
    rescued = np.zeros(len(rules), dtype=int)
    removed = np.zeros(len(rules), dtype=int)
    for start in range(0, len(mentees), _CHUNK):
        e = np.arange(start, min(start + _CHUNK, len(mentees)))
        not_self = not_self_test(e)
        tests = np.stack([test(e) for _, test in rules])
        passing = tests.all(axis=0) & not_self
        partners[e] = passing.sum(axis=1)
        stranded = ~passing.any(axis=1)
        for i in range(len(rules)):
            others = np.delete(tests, i, axis=0).all(axis=0) & not_self
            rescued[i] += int((others.any(axis=1) & stranded).sum())
            removed[i] += int((~tests[i] & not_self).sum())
    return rules, partners, rescued, removed


def _sensitive_without_opt_in(ctx: _Context) -> list[Finding]:
    exp = ctx.design.experience
    attributes = list(exp.sensitive_attributes)
    affinity = exp.criteria.get("affinity", 0.0)
    findings = []
    if (attributes or affinity > 0) and not exp.sensitive_opt_in:
        uses = []
        if attributes:
            uses.append(f"the sensitive attribute{'s' if len(attributes) > 1 else ''} {_listing(attributes)}")
        if affinity > 0:
            uses.append(f"an affinity weight of {affinity:g}")
        findings.append(Finding(
            "sensitive_without_opt_in", "error", "Sensitive data used without opt-in",
            f"Matching would use {' and '.join(uses)}, but the organisation has not opted in to using sensitive "
            "data for matching.",
            "Record the opt-in once privacy review and participants' consent are in place, or remove the sensitive "
            "attributes and set the affinity weight to 0.",
            ("experience.sensitive_opt_in", "experience.sensitive_attributes", "experience.criteria")))
    allowed = set(attributes) if exp.sensitive_opt_in else set()
    chosen = filter_columns(ctx.design) + [q.column for q in ctx.design.launch.selection.quotas]
    refused = [c for c in dict.fromkeys(chosen) if c in ctx.sensitive and c not in allowed]
    if refused:
        findings.append(Finding(
            "sensitive_without_opt_in", "error", "Sensitive column chosen without opt-in",
            f"Eligibility filters or selection quotas use {_listing(refused)}, which the workspace marks sensitive, "
            "without the design's opt-in for it.",
            "Record the opt-in and name the column in the sensitive attributes once privacy review and consent are "
            "in place, or remove the filter or quota.",
            ("experience.sensitive_opt_in", "experience.sensitive_attributes", "align.mentee_eligibility",
             "launch.selection")))
    unmarked = [a for a in attributes if a not in ctx.sensitive]
    if unmarked:
        marked = _listing(list(ctx.sensitive)) if ctx.sensitive else "none"
        findings.append(Finding(
            "sensitive_without_opt_in", "warning", "Attribute not marked sensitive",
            f"{_listing(unmarked)} {'is' if len(unmarked) == 1 else 'are'} listed as sensitive in the design but "
            f"not in the workspace's sensitive columns ({marked}).",
            "Add the column to 'sensitive' in workspace.yaml if it is sensitive, or use it as an ordinary criterion.",
            ("experience.sensitive_attributes",)))
    if ctx.people is not None:
        absent = [a for a in attributes if a not in ctx.people.columns]
        if absent:
            findings.append(Finding(
                "sensitive_without_opt_in", "warning", "Sensitive attribute not in the data",
                f"people.csv has no column {_listing(absent)}, so matching cannot use "
                f"{'it' if len(absent) == 1 else 'them'}.",
                f"Import people with {'that column' if len(absent) == 1 else 'those columns'}, or remove "
                f"{'it' if len(absent) == 1 else 'them'} from the design.",
                ("experience.sensitive_attributes",)))
    if affinity > 0 and not attributes:
        findings.append(Finding(
            "sensitive_without_opt_in", "warning", "Affinity weight with nothing to match on",
            f"Affinity has weight {affinity:g}, but no sensitive attributes are chosen, so it cannot affect matches.",
            "Choose the attributes affinity should use, or set its weight to 0.",
            ("experience.criteria", "experience.sensitive_attributes")))
    return findings


def _custom_criteria(ctx: _Context) -> list[Finding]:
    if not ctx.design.experience.custom_criteria or ctx.people is None:
        return []
    frames = [t for t in (ctx.people, ctx.enrolment) if t is not None]
    return [Finding("custom_criteria", "error", "A matching criterion cannot be scored", problem,
                    "Import the column, correct the values, choose another column, or remove the criterion.",
                    ("experience.custom_criteria",))
            for problem in design_criterion_problems(ctx.design, frames, sensitive=ctx.sensitive)]


def _evaluation_missing(ctx: _Context) -> list[Finding]:
    evaluate = ctx.design.evaluate
    findings = []
    if not evaluate.levels:
        findings.append(Finding(
            "evaluation_missing", "warning", "No evaluation levels",
            "No Kirkpatrick/Phillips level is chosen, so the program has no evaluation plan.",
            "Choose at least reaction, behaviour and results.", ("evaluate.levels",)))
    ids = [o.id for o in ctx.design.align.objectives]
    # retention, promotion and the scorecard's own KPIs read their data (exits, promotion dates, assessments...)
    # whatever the plan names; a survey objective needs its construct named, the rest are not measured
    named = [o for o in ctx.design.align.objectives if o.kind in SURVEY_KINDS or o.kind == "time_to_productivity"]
    covered = sum(1 for o in named if evaluate.metrics.get(o.id))
    for objective in named:
        if not evaluate.metrics.get(objective.id):
            consequence = ("so it is measured only if its KPI or statement names a survey construct"
                           if objective.kind in SURVEY_KINDS else "so it will not be measured")
            findings.append(Finding(
                "evaluation_missing", "warning", f"No metric for objective {objective.id}",
                f"Objective {objective.id} has no metric in the evaluation plan ({covered} of the {len(named)} "
                f"objectives that need one have one), {consequence}.",
                "Name the data that measures it (a survey construct, meetings).",
                ("evaluate.metrics", "align.objectives")))
    stray = [key for key in evaluate.metrics if key not in ids]
    if stray:
        findings.append(Finding(
            "evaluation_missing", "warning", "Metrics for unknown objectives",
            f"The evaluation plan has metrics for {_listing(stray)}, which {'is' if len(stray) == 1 else 'are'} not "
            f"among the {len(ids)} objectives.",
            "Rename the entry to an objective id, or remove it.", ("evaluate.metrics", "align.objectives")))
    return findings


def _pilot(ctx: _Context) -> list[Finding]:
    launch = ctx.design.launch
    if launch.rollout != "pilot" or launch.pilot_size is not None:
        return []
    return [Finding(
        "pilot", "warning", "Pilot without a size",
        "The roll-out is a pilot, but the number of mentees in it is not set, so mentor needs and costs cannot be "
        "estimated.",
        "Set the pilot size.", ("launch.pilot_size", "launch.rollout"))]


def _pilot_design(ctx: _Context) -> list[Finding]:
    pilot, objectives = ctx.design.launch.pilot, ctx.design.align.objectives
    if pilot.design == "open":
        if not objectives:
            return []
        return [Finding(
            "pilot_design", "info", "The evaluation will show an association, not cause",
            f"The pilot design is open enrolment: people choose to take part, so the evaluation of "
            f"{_plural(len(objectives), 'objective')} compares participants with matched colleagues who did not "
            "join, and a difference may be who joined rather than what the program did.",
            "To let the evaluation show cause, run the cohort as a randomised waitlist (eligible applicants drawn "
            "to this cohort or the next) or a staggered roll-out (departments or sites start in a random order).",
            ("launch.pilot",))]
    if ctx.cohort is None:
        return []
    # The allocation's own validation (what `workbench launch` refuses), not a second copy of it.
    try:
        found = applicants({"people": ctx.people, "enrolment": ctx.enrolment}, ctx.design)
    except WorkbenchError:  # no usable pool: the eligibility and sensitivity checks say why
        return []
    try:
        allocation_of(found, ctx.design)
    except WorkbenchError as exc:
        return [Finding(
            "pilot_design", "error", "The pilot design cannot be allocated",
            f"For {ctx.cohort_text()}, the current cohort: {exc}",
            "Change the pilot design on the Launch step; `workbench launch` refuses it until then.",
            ("launch.pilot",))]
    return []


def _inactivity_rule(ctx: _Context) -> list[Finding]:
    support, cadence = ctx.design.support, ctx.design.experience.cadence
    findings = []
    gap = CADENCE_DAYS[cadence]
    if support.inactivity_days < 2 * gap:
        findings.append(Finding(
            "inactivity_rule", "warning", "Pairs closed too soon",
            f"Pairs meet {_label('experience.cadence', cadence).lower()} (about every {gap} days) but are closed "
            f"after {support.inactivity_days} days without a meeting, so one missed meeting can end a relationship.",
            f"Allow at least {2 * gap} days, or meet more often; one platform uses 90 days.",
            ("support.inactivity_days", "experience.cadence")))
    if support.warning_days >= support.inactivity_days:
        findings.append(Finding(
            "inactivity_rule", "warning", "Warning comes before any inactivity",
            f"Pairs are warned {support.warning_days} days before closing, but are closed after "
            f"{support.inactivity_days} inactive days.",
            "Warn a few days before closing; one platform warns 7 days before closing at 90 days.",
            ("support.warning_days", "support.inactivity_days")))
    return findings


_CHECKS = (_people_missing, _eligibility, _mentor_capacity, _rules_leave_unmatched, _objective_kpi,
           _unknown_reference, _retention_data, _duration_short, _flash_deep_skills, _sensitive_without_opt_in,
           _custom_criteria, _evaluation_missing, _pilot, _inactivity_rule, _pilot_design)


# --------------------------------------------------------------------------
# With the power of each objective
# --------------------------------------------------------------------------


def power_findings(powers: list[ObjectivePower]) -> list[Finding]:
    """A warning for each objective whose planned cohort cannot detect the effect expected of it."""
    findings = []
    for power in powers:
        if power.detects_expected is False:
            source = "the outcome model expects" if power.expected_source.startswith("outcome model") \
                else "its target sets"
            findings.append(Finding(
                "objective_power", "warning", f"Objective {power.objective}: the cohort cannot detect its effect",
                f"{power.sentence()} So the evaluation will most likely call the effect {source} 'not "
                "significant' even if it is real.",
                f"Plan to pool {power.cohorts:,} cohorts before judging the objective, enlarge the cohort, or "
                "lengthen the horizon; a randomised or staggered pilot removes self-selection but not this.",
                ("align.objectives", "launch.rollout", "launch.pilot_size")))
    return findings


def with_power_findings(findings: list[Finding], powers: list[ObjectivePower]) -> list[Finding]:
    """``findings`` and :func:`power_findings` of ``powers``: errors, then warnings, then information."""
    return sorted([*findings, *power_findings(powers)], key=lambda f: SEVERITIES.index(f.severity))


def checked_with_power(workspace: Workspace, design: ProgramDesign) -> tuple[list[Finding], list[ObjectivePower]]:
    """:func:`check_workspace`'s findings with the power findings (:func:`power_findings`), and each objective's
    power (:func:`~workbench.evaluate.power.workspace_power`): what ``workbench design check`` and
    ``workbench brief`` report."""
    findings = check_workspace(workspace, design)
    try:
        powers = workspace_power(workspace, design)
    except WorkbenchError as exc:  # a table the checks do not read (survey.csv, meetings.csv) fails its contract
        return [*findings, Finding(
            "objective_power", "info", "Minimum detectable effect not worked out",
            f"What the cohort can detect for each objective needs every table of the workspace: {exc}",
            "Correct the table named, then check again.", ("align.objectives",))], []
    return with_power_findings(findings, powers), powers
