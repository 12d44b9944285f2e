"""The Matching page's session: the settings chosen, the pins and forbids, the matching shown, and its checks.

The settings start from the design (structure, method, criteria weights 0-10,
hard rules) and change the matching of this page only. :meth:`MatchingSession.solve`
matches with them (a pure step, safe in a worker thread) and
:meth:`MatchingSession.accept` makes its outcome the page's; the method comparison
and the robustness check work the same way. The mentee explorer's options and
candidates, the pins and forbids, what is saved in the workspace and the save
itself are here too. People are named through :class:`~workbench.privacy.PersonLabels`
(pseudonyms in the published app, where nothing is saved).
"""

from __future__ import annotations

import contextlib
import typing
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import traitlets
from traitlets import TraitError

from workbench.design.catalogue import decision
from workbench.design.model import Criterion, Experience, HardRule
from workbench.design.store import load_design
from workbench.errors import WorkbenchError
from workbench.matching import (
    METHODS,
    STRUCTURES,
    MatchResult,
    Overrides,
    candidates,
    compare_methods,
    default_method,
    fairness_attributes,
    match,
    save_matching,
    saved_matching,
    sensitivity,
)
from workbench.design.catalogue import structure_label
from workbench.matching.names import method_label
from workbench.matching.pool import Pool, build_pool
from workbench.matching.rematching import rematch_saved
from workbench.organisation import current_cohort
from workbench.privacy import PersonLabels
from workbench.workspace import Workspace

__all__ = ["METHOD_HELP", "NO_CHOICE", "RUNS", "SEEDED", "Matched", "MatchingSession", "Robustness"]

#: What each method does, in a line for the page.
METHOD_HELP = {
    "optimal": "Matches everyone it can, with the highest total score; the solver proves no better matching exists.",
    "max_coverage": "Matches as many mentees as possible first, then makes the pairs as good as it can.",
    "fair": "Lifts the weakest pair as high as possible (among matchings of the most people), then the total. It "
            "does not balance match rates between groups: check those under Is it fair?",
    "balanced": "The best total fit while every group's match rate stays within the gap of the others (groups of "
                "the attribute chosen; groups under five people count together); says what that costs.",
    "stable": "No mentee and mentor would both rather be together than with their partners; uses stated "
              "preferences.",
    "mentee_choice": "Mentees pick from a short list of their best mentors, first come first served: how "
                     "self-service sign-up would turn out.",
    "greedy": "Takes the best-scoring pairs first: easy to explain, not always the best overall.",
    "random": "Random allowed mentors: a baseline that shows what matching on the criteria adds.",
}
#: Methods whose outcome depends on the seed.
SEEDED = ("random", "mentee_choice")
#: The value of a picker with nothing to choose.
NO_CHOICE = "__none__"
#: Matchings with moved weights in a robustness check.
RUNS = 10
#: The settings a user chooses (traits of the session); a change marks the matching shown as stale.
SETTINGS = ("structure", "method", "seed", "group_size", "mentors_per_mentee", "rounds", "circle_size", "balance_by",
            "balance_gap", "functional_skill", "weights", "hard_rules")


def _labels(decision_id: str) -> dict[str, str]:
    return {o.value: o.label for o in decision(decision_id).options}


def _pairs(table: pd.DataFrame) -> set[tuple[str, str]]:
    """The (mentee, mentor) links of a matching table, its unmatched rows left out."""
    if table.empty:
        return set()
    linked = table[table.get("unmatched_role", pd.Series("", index=table.index)).fillna("").astype(str) == ""]
    return set(zip(linked["mentee_id"].astype(str), linked["mentor_id"].astype(str)))


@dataclass(frozen=True)
class Matched:
    """A matching made by :meth:`MatchingSession.solve`: the result, the settings it used (``design`` and the
    keyword arguments of :func:`~workbench.matching.match`), and the pins and forbids (person-id pairs)."""

    result: MatchResult
    applied: dict
    pins: frozenset
    forbids: frozenset


@dataclass(frozen=True)
class Robustness:
    """How many pairs change when every weight moves at random by up to ``spread`` (0-1, e.g. 0.2 = ±20%).

    ``mean``, ``low`` and ``high``: the share (0-1) of pairs that change, on average and at least/most
    over the ``runs`` matchings; ``verdict``: what that means for releasing the matches.
    """

    mean: float
    low: float
    high: float
    runs: int
    spread: float

    @classmethod
    def from_table(cls, table: pd.DataFrame, spread: float) -> Robustness | None:
        """From :func:`~workbench.matching.sensitivity`'s table (``None`` when it has no run: cancelled first)."""
        if table.empty:
            return None
        changed = table["changed"]
        return cls(float(changed.mean()), float(changed.min()), float(changed.max()), len(table), spread)

    @property
    def verdict(self) -> str:
        if self.mean < 0.1:
            return "Robust: the pairs hardly depend on the exact weights."
        if self.mean < 0.3:
            return ("Some pairs hinge on the exact weights: agree the weights with the client before releasing the "
                    "matches.")
        return ("Many pairs depend on the exact weights: settle the weights (or pin the pairs that matter) before "
                "releasing the matches.")


class MatchingSession(traitlets.HasTraits):
    """One Matching page: the settings chosen, the matching shown, its comparison and robustness, and save.

    ``tables`` are the page's tables (people and enrolment at least; see
    :func:`workbench.programs.page_tables`). Raises :class:`WorkbenchError` when nobody is enrolled.
    ``hint`` is what the page says beside Match: ``(kind, text)`` with kind ``saved``, ``unsaved`` or ``""``.
    """

    workspace = traitlets.Instance(Workspace)
    structure = traitlets.Enum(STRUCTURES, default_value="one_on_one")
    method = traitlets.Enum(METHODS, default_value="optimal")
    seed = traitlets.Int(0, min=0, max=2**31 - 1)
    group_size = traitlets.Int(4, min=2, max=12)  # mentees per group
    mentors_per_mentee = traitlets.Int(2, min=2, max=5)
    rounds = traitlets.Int(3, min=1, max=8)  # flash rounds
    circle_size = traitlets.Int(2, min=2, max=6)  # peers per circle
    balance_by = traitlets.Unicode(None, allow_none=True)  # the attribute whose groups' match rates stay even
    balance_gap = traitlets.Int(10, min=0, max=50)  # largest gap between groups' match rates, percentage points
    functional_skill = traitlets.Unicode(NO_CHOICE)
    weights = traitlets.Dict()  # criterion -> weight 0-10
    hard_rules = traitlets.List()
    spread = traitlets.Float(0.2)  # how far a robustness check moves each weight (0.2 = ±20%)
    pins = traitlets.Set()
    forbids = traitlets.Set()
    result = traitlets.Instance(MatchResult, allow_none=True)
    compared = traitlets.Dict(allow_none=True, default_value=None)  # method -> MatchResult
    robustness = traitlets.Instance(Robustness, allow_none=True)
    stale = traitlets.Bool(False)  # the settings changed since the matching shown was made
    hint = traitlets.Tuple(("", ""))

    def __init__(self, workspace: Workspace, tables: dict[str, pd.DataFrame]) -> None:
        if len(tables["enrolment"]) == 0:
            raise WorkbenchError(f"enrolment.csv in the workspace {workspace.name!r} has no rows: nobody has signed "
                                 "up as a mentee or a mentor yet. Import the enrolment on the Start page.")
        super().__init__(workspace=workspace)
        self.tables = tables
        self.design = load_design(workspace)
        self.pool: Pool = build_pool(tables, self.design)
        self.people = PersonLabels.for_page(tables["people"])
        self.applied: dict | None = None  # the settings of the matching shown (see Matched.applied)
        self._quiet = False
        exp = self.design.experience
        self.criteria = [c for c in typing.get_args(Criterion) if c != "affinity" or exp.sensitive_opt_in]
        self.rules = list(typing.get_args(HardRule))
        self.reset()

    # ------------------------------------------------------------------ settings

    def who(self, person_id: str) -> str:
        """A person as this page names them: ``Name (id)``, or a pseudonym in the published app."""
        return self.people(person_id)

    @property
    def peer(self) -> bool:
        """Whether the matching shown forms peer circles (everyone is a mentee and a partner)."""
        return self.result is not None and self.result.summary()["structure"] == "peer"

    def structure_options(self) -> list[tuple[str, str]]:
        names, designed = _labels("experience.structure"), self.design.experience.structure
        return [(names.get(s, s) + (" (design)" if s == designed else ""), s) for s in STRUCTURES]

    def method_options(self) -> list[tuple[str, str]]:
        designed = default_method(self.design)
        return [(method_label(m) + (" (design)" if m == designed else ""), m) for m in METHODS]

    def balance_options(self) -> list[str]:
        """The attributes whose groups' match rates the balanced method can keep even."""
        return list(fairness_attributes(self.pool, self.design))

    def skill_options(self) -> list[tuple[str, str]]:
        """The skills a functional mentor can teach, by name, after "(choose a skill)"."""
        skills = self.tables.get("skills")
        names = (dict(zip(skills["skill_id"].astype(str), skills.get("name", skills["skill_id"]).astype(str)))
                 if skills is not None and "skill_id" in skills.columns else {})
        return [("(choose a skill)", NO_CHOICE)] + [(name, sid) for sid, name in sorted(names.items(),
                                                                                        key=lambda x: x[1])]

    def criterion_labels(self) -> dict[str, str]:
        labels = _labels("experience.criteria")
        return {c: labels.get(c, c) for c in self.criteria}

    def rule_labels(self) -> dict[str, str]:
        labels = _labels("experience.hard_rules")
        return {r: labels.get(r, r) for r in self.rules}

    def pool_facts(self) -> tuple[str, str]:
        """Who can be matched, in a sentence, and a warning when nobody can (``""`` otherwise)."""
        pool = self.pool
        places = int(pool.mentors["capacity"].sum()) if pool.n_mentors else 0
        text = (f"The current cohort has {pool.n_mentees:,} eligible mentee{'s' if pool.n_mentees != 1 else ''} "
                f"and {pool.n_mentors:,} eligible mentor{'s' if pool.n_mentors != 1 else ''} offering "
                f"{places:,} place{'s' if places != 1 else ''}. The settings below start from the design and "
                "change only the matching on this page.")
        if pool.n_mentees == 0:
            return text, " Nobody eligible is enrolled as a mentee: there is no one to match."
        if pool.n_mentors == 0:
            return text, " No eligible mentor is enrolled: only peer circles can be formed."
        return text, ""

    def method_help(self) -> str:
        """What the chosen method does (or that peer circles have no method), in a line."""
        if self.structure == "peer":
            return ("Peer circles: everyone is paired (or put in circles) with the peers who fit best; there is no "
                    "method to choose.")
        return METHOD_HELP.get(self.method, "")

    def reset(self) -> None:
        """The design's matching settings (the matching shown stays until the next Match)."""
        design, exp = self.design, self.design.experience
        skill = exp.functional_skill or next(iter(design.align.focus_skills), None)
        with self._quietly():
            self.structure = exp.structure
            self.method = default_method(design)
            self.seed, self.rounds, self.circle_size = 0, 3, 2
            self.group_size, self.mentors_per_mentee = exp.group_size, exp.mentors_per_mentee
            if exp.balance.attribute in self.balance_options():
                self.balance_by = exp.balance.attribute
            elif self.balance_by is None and self.balance_options():
                self.balance_by = self.balance_options()[0]
            self.balance_gap = round(exp.balance.gap * 100)
            self.functional_skill = skill if skill in [v for _, v in self.skill_options()] else NO_CHOICE
            self.weights = {name: float(exp.criteria.get(name, 0.0)) for name in self.criteria}
            self.hard_rules = [name for name in self.rules if name in exp.hard_rules]
        if self.result is not None:
            self.hint = ("unsaved", "Back to the design's settings: press Match.")

    @contextlib.contextmanager
    def _quietly(self):
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    @traitlets.observe(*SETTINGS)
    def _setting_changed(self, _change: dict) -> None:
        if not self._quiet and self.result is not None:
            self.stale = True
            self.hint = ("unsaved", "Settings changed: press Match to see their effect.")

    def match_settings(self) -> dict:
        """The settings chosen, as keyword arguments of :func:`workbench.matching.match` (``design`` among them)."""
        exp = self.design.experience
        design = self.design
        chosen = {"group_size": self.group_size, "mentors_per_mentee": self.mentors_per_mentee,
                  "balance": {"attribute": self.balance_by or exp.balance.attribute, "gap": self.balance_gap / 100},
                  "functional_skill": None if self.functional_skill == NO_CHOICE else self.functional_skill}
        if any(getattr(exp, k) != v for k, v in chosen.items() if k != "balance") or \
                exp.balance.model_dump() != chosen["balance"]:
            experience = Experience.model_validate({**exp.model_dump(), **chosen})
            design = design.model_copy(update={"experience": experience})
        weights = {name: float(self.weights.get(name, 0.0)) for name in self.criteria}
        if "affinity" in exp.criteria and "affinity" not in weights:
            weights["affinity"] = float(exp.criteria["affinity"])
        return {"design": design, "structure": self.structure, "method": self.method, "seed": int(self.seed),
                "weights": weights, "hard_rules": tuple(r for r in self.rules if r in self.hard_rules),
                "rounds": int(self.rounds), "circle_size": int(self.circle_size)}

    # ------------------------------------------------------------------ matching

    def overrides(self, pins: set | None = None, forbids: set | None = None) -> Overrides:
        """The pins and forbids (the session's when not given) as :class:`~workbench.matching.Overrides`."""
        return Overrides(pin=frozenset(self.pins if pins is None else pins),
                         forbid=frozenset(self.forbids if forbids is None else forbids))

    def solve(self, pins: set | None = None, forbids: set | None = None) -> Matched:
        """Match with the settings chosen and ``pins``/``forbids`` (the session's when not given); changes nothing
        in the session (see :meth:`accept`)."""
        pins = set(self.pins if pins is None else pins)
        forbids = set(self.forbids if forbids is None else forbids)
        settings = self.match_settings()
        design = settings.pop("design")
        if sum(settings["weights"].values()) <= 0:
            raise WorkbenchError("Every criterion weight is 0: give at least one criterion a weight above 0.")
        try:
            result = match(self.tables, design, overrides=self.overrides(pins, forbids), **settings)
        except WorkbenchError as exc:
            if (pins or forbids) and "Override pairs" in str(exc):
                structure = settings["structure"].replace("_", "-")
                raise WorkbenchError(f"The pinned or forbidden pairs name people who are not mentee and mentor in "
                                     f"{structure} matching (its roles differ). Remove them under \"One mentee's "
                                     "options\", or change the structure back.") from None
            raise
        return Matched(result, {"design": design, **settings}, frozenset(pins), frozenset(forbids))

    def accept(self, matched: Matched) -> None:
        """Make ``matched`` the matching shown (its comparison and robustness check are to be made again); it is
        stale at once when the settings changed while it was being made."""
        self.pins, self.forbids = set(matched.pins), set(matched.forbids)
        self.applied = matched.applied
        self.compared = None
        self.robustness = None
        self.stale = self.match_settings() != matched.applied
        self.hint = ("unsaved", "Settings changed: press Match to see their effect.") if self.stale else ("", "")
        self.result = matched.result

    def pinned(self, mentee: str, mentor: str) -> tuple[set, set]:
        """The pins and forbids with ``mentee`` and ``mentor`` pinned together."""
        return self.pins | {(mentee, mentor)}, self.forbids - {(mentee, mentor)}

    def forbidden(self, mentee: str, mentor: str) -> tuple[set, set]:
        """The pins and forbids with ``mentee`` and ``mentor`` kept apart."""
        return self.pins - {(mentee, mentor)}, self.forbids | {(mentee, mentor)}

    def without(self, kind: str, mentee: str, mentor: str) -> tuple[set, set]:
        """The pins and forbids without the ``kind`` (``pin`` or ``forbid``) of ``mentee`` with ``mentor``."""
        pins = self.pins - {(mentee, mentor)} if kind == "pin" else self.pins
        forbids = self.forbids - {(mentee, mentor)} if kind == "forbid" else self.forbids
        return pins, forbids

    def now_matched(self, mentee: str) -> str:
        """Who ``mentee`` is matched with in the matching shown, in a sentence."""
        result = self.result
        pairs = result.pairs
        mine = pairs[(pairs["mentee_id"] == mentee) | ((pairs["mentor_id"] == mentee) & self.peer)]
        if mine.empty:
            return f"{self.who(mentee)} is not matched now."
        partner = [b if a == mentee else a for a, b in zip(mine["mentee_id"], mine["mentor_id"])]
        return (f"{self.who(mentee)} is now matched with "
                + ", ".join(f"{self.who(p)} (score {s:.2f})" for p, s in zip(partner, mine["score"])) + ".")

    def override_items(self) -> list[tuple[str, tuple[str, str, str]]]:
        """The pins and forbids as picker options: ``("Pinned: A with B", ("pin", a, b))``."""
        items = [(f"Pinned: {self.who(a)} with {self.who(b)}", ("pin", a, b)) for a, b in sorted(self.pins)]
        return items + [(f"Forbidden: {self.who(a)} with {self.who(b)}", ("forbid", a, b))
                        for a, b in sorted(self.forbids)]

    # ------------------------------------------------------------------ compare, fairness, robustness

    def _applied(self) -> dict:
        if self.applied is None:
            raise WorkbenchError("Press Match first.")
        return dict(self.applied)

    def compare(self, progress: Callable[[int, int, str], None] | None = None,
                cancel: Callable[[], bool] | None = None) -> dict[str, MatchResult]:
        """Every method on the matching's pool, settings, pins and forbids (the methods done, when cancelled);
        changes nothing in the session (the page sets :attr:`compared`)."""
        settings = self._applied()
        design = settings.pop("design")
        settings.pop("method")
        seed = settings.pop("seed")
        return compare_methods(self.tables, design, seed=seed, overrides=self.overrides(), progress=progress,
                               cancel=cancel, **settings)

    def check_robustness(self, progress: Callable[[int, int, str], None] | None = None,
                         cancel: Callable[[], bool] | None = None) -> Robustness | None:
        """Match again :data:`RUNS` times with every weight moved at random by up to :attr:`spread`; ``None`` when
        cancelled before the first run. Changes nothing in the session (the page sets :attr:`robustness`)."""
        settings = self._applied()
        design = settings.pop("design")
        spread = float(self.spread)
        table = sensitivity(self.tables, design, runs=RUNS, spread=spread, overrides=self.overrides(),
                            progress=progress, cancel=cancel, **settings)
        return Robustness.from_table(table, spread)

    def fairness_choices(self) -> tuple[list[str], str]:
        """The attributes to break the match rate down by (groupings with a group large enough to show) and the
        one to show first (department when offered); :data:`NO_CHOICE` when there is none."""
        result = self.result
        shown = []
        for attribute in fairness_attributes(result.pool, result.design):
            values = result.pool.mentees[attribute].astype(str)
            if values.nunique() >= max(len(values), 2):  # one group per person: names, e-mails
                continue
            if (~result.by_group(attribute)["hidden"].astype(bool)).any():
                shown.append(attribute)
        return shown, "department" if "department" in shown else (shown or [NO_CHOICE])[0]

    # ------------------------------------------------------------------ one mentee

    def mentee_options(self) -> tuple[list[tuple[str, str]], str]:
        """The people to explain (mentees; everyone in peer circles) and the one to show first (the first who is
        not matched)."""
        result = self.result
        matched = set(result.pairs["mentee_id"]) | (set(result.pairs["mentor_id"]) if self.peer else set())
        ids = list(result.pool.mentees["person_id"].astype(str))
        options = [(f"{self.who(p)} · {'matched' if p in matched else 'not matched'}", p) for p in ids]
        first = ([p for p in ids if p not in matched] or ids or [NO_CHOICE])[0]
        return options or [("Nobody to match", NO_CHOICE)], first

    def candidates(self, mentee: str) -> pd.DataFrame:
        """``mentee``'s 15 best candidates in the matching shown, with their status and reasons."""
        return candidates(self.tables, self.result, mentee, top=15)

    # ------------------------------------------------------------------ saved matching

    def saved_status(self) -> tuple[str, str]:
        """What is saved in the workspace, as ``(kind, sentence)``: kind ``saved``, ``unsaved`` (a damaged file:
        matching and saving again replaces it) or ``muted`` (nothing saved)."""
        try:
            saved = saved_matching(self.workspace)
        except WorkbenchError as exc:
            return "unsaved", str(exc)
        if saved is None:
            return "muted", "No matching is saved in this workspace yet."
        summary, settings, table = saved.summary(), saved.settings, saved.table
        structure = structure_label(str(summary.get("structure", ""))).lower()
        method = method_label(str(summary.get("method", "")))
        when = settings.get("matched_at", "")
        pairs = int((table.get("unmatched_role", pd.Series(dtype=str)) == "").sum()) if len(table) else 0
        return "saved", (f"Saved in the workspace: {structure} matching by {method.lower()}, {pairs:,} "
                         f"pair{'s' if pairs != 1 else ''}" + (f", matched on {when}" if when else "") + ".")

    def restore_saved(self) -> str | None:
        """On opening: the saved matching of the current cohort, matched again from its settings and shown.

        The saved record keeps the settings (structure, method, seed, weights, rules, pins and forbids),
        so the same settings on the same tables give the same pairs. When today's tables give other pairs
        (the enrolment or the people changed since), :attr:`hint` says how many saved pairs differ. Returns a
        warning when the saved settings cannot be matched on today's tables (the design's settings are back).
        """
        try:
            saved = saved_matching(self.workspace)
        except WorkbenchError:
            return None  # said by saved_status
        if saved is None:
            return None
        table, settings = saved.table, saved.settings
        if not settings or saved.cohort != current_cohort(self.tables["enrolment"])[0]:
            return None  # no settings, or a past cohort's matching: the page starts from the design
        with self._quietly():
            for key in ("structure", "method", "seed", "group_size", "mentors_per_mentee", "rounds", "circle_size"):
                if key in settings:
                    with contextlib.suppress(TraitError, TypeError, ValueError):  # a value out of range: the design's
                        setattr(self, key, settings[key])
            weights = settings.get("weights") or {}
            with contextlib.suppress(TypeError, ValueError):
                self.weights = {name: float(weights.get(name, 0.0)) for name in self.criteria}
            self.hard_rules = [name for name in self.rules if name in set(settings.get("hard_rules") or ())]
        pins, forbids = (
            {(str(pair[0]), str(pair[1])) for pair in settings.get(key) or ()
             if isinstance(pair, (list, tuple)) and len(pair) == 2} for key in ("pinned", "forbidden"))
        try:
            matched = self.solve(pins, forbids)
        except WorkbenchError as exc:
            self.reset()
            return (f"The saved matching could not be matched again on today's tables ({exc}). The settings are the "
                    "design's: press Match.")
        self.accept(matched)
        saved_pairs, now = _pairs(table), _pairs(matched.result.pairs)
        when = settings.get("matched_at", "")
        on = f" (saved on {when})" if when else ""
        if saved_pairs == now:
            self.hint = ("saved", f"Showing the matching saved in the workspace{on}, matched again from its "
                                  "settings. Change a setting and press Match to try another.")
        else:
            self.hint = ("unsaved", f"The saved matching's settings{on} are in the controls, but today's tables "
                                    f"give other pairs: {len(saved_pairs - now):,} of its {len(saved_pairs):,} pairs "
                                    "differ (the enrolment or the people changed since it was saved). Shown: today's "
                                    "pairs. The saved pairs are in results/matching.csv; save this matching to "
                                    "replace them.")
        return None

    def rematch(self):
        """The saved matching read against meetings.csv: quiet and closed pairs, with a new mentor suggested
        (:func:`~workbench.matching.rematching.rematch_saved`)."""
        saved = saved_matching(self.workspace)
        if saved is None:
            raise WorkbenchError("No matching is saved in this workspace: match, then Save this matching. "
                                 "Re-matching checks the saved pairs against meetings.csv.")
        return rematch_saved(self.tables, self.design, saved)

    def save(self, workspace: Workspace | None = None) -> None:
        """Save the matching shown in ``workspace`` (default: the session's); refused with
        :class:`~workbench.workspace.StaleWorkspaceError` when a matching was saved elsewhere since."""
        if self.result is None:
            raise WorkbenchError("Press Match first: there is no matching to save.")
        self.workspace = save_matching(workspace or self.workspace, self.result)
