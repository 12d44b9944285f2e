"""Which cohort is evaluated, who its participants are, and the comparison group they are held against.

**The cohort.** By default, the latest cohort of ``enrolment.csv`` with program data: a meeting in
``meetings.csv`` by one of its mentees who is enrolled in no other cohort (a mentee enrolled twice
cannot tell the cohorts apart), or, when there are no meetings, survey answers from at least half of
those mentees (:func:`cohorts_with_data`). In the demo this is the past cohort.

**Time zero** is the cohort's start: given, else its first meeting (among mentees new to the program),
else the day after the last answer to the ``pre`` survey wave (when at least half its mentees
answered). Everyone is followed from that day to the day the data describes
(:func:`~workbench.design.eligibility.data_as_of`), in months of 30.44 days.

**Participants** (intention to treat): the cohort's enrolled mentees (role ``mentee`` or ``both``)
who were employed on the start day. With a saved matching of this cohort, only the mentees it
matched; with ``participants="met"``, only mentees with at least one meeting (a stricter reading,
and a biased one: a mentee must stay long enough to meet).

**The comparison group** is built to be fair, by coarsened exact matching (Iacus, King & Porro 2012):
the pool is everyone employed on the start day who passes the design's mentee eligibility, is not
enrolled in this cohort in any role nor met its mentees as a mentor (mentors are participants too)
and took part in no earlier cohort. Participants and the pool are grouped into strata of department
x level x tenure band (:data:`TENURE_BANDS`); strata without both kinds of people are set aside, and
each comparison person gets the weight ``(participants in stratum / comparison in stratum) x
(comparison matched / participants matched)``, so the weighted comparison group has the
participants' mix. People enrolled in a *later* cohort stay in the pool: leaving them out would keep
only people known to have stayed. Matching uses what the data records; it cannot remove
self-selection (who volunteers may differ in motivation, performance or intent to stay), and
``level`` is the current one, not the one at the start.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from workbench.data.columns import date_column, number_column, text_column
from workbench.design.eligibility import DAYS_PER_MONTH, data_as_of, eligible
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError
from workbench.privacy import MIN_GROUP

#: Upper edges of the tenure bands at the start, in months (the last band is open).
TENURE_BANDS: tuple[int, ...] = (12, 36)
TENURE_LABELS: tuple[str, ...] = ("under 1 year", "1-3 years", "3 years or more")
#: How participants are defined (see the module docstring).
ParticipantRule = Literal["enrolled", "met"]
PARTICIPANT_RULES: tuple[str, ...] = ("enrolled", "met")
MENTEE_ROLES = ("mentee", "both")
MENTOR_ROLES = ("mentor", "both")
#: Survey answers this many days before the start still belong to the cohort (the pre wave).
PRE_SURVEY_DAYS = 120

SELF_SELECTION = ("Participants chose (or were chosen) to take part: matching on department, level and tenure "
                  "cannot remove differences in motivation, performance or intent to stay, so the comparison "
                  "shows an association, not proof that the program caused it.")


def people_count(count: int, noun: str) -> str:
    """``count`` people (``noun`` in the plural) as a note may name them: "12 participants", but "Fewer than 5
    participants" for 1-4 (a group under five is never counted)."""
    return f"Fewer than {MIN_GROUP} {noun}" if 0 < count < MIN_GROUP else f"{count} {noun}"


def cohort_order(enrolment: pd.DataFrame) -> list[str]:
    """The enrolment's cohort names, oldest first (as numbers when all are numbers, else as text)."""
    names = sorted(set(text_column(enrolment, "cohort")))
    numbers = pd.to_numeric(pd.Series(names, dtype=object), errors="coerce")
    if len(names) and numbers.notna().all():
        return [n for _, n in sorted(zip(numbers, names))]
    return names


def _roles(enrolment: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"person_id": text_column(enrolment, "person_id"), "role": text_column(enrolment, "role"),
                         "cohort": text_column(enrolment, "cohort")})


def cohorts_with_data(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Cohorts (oldest first) with program data from mentees enrolled in no other cohort.

    A cohort has data when one of those mentees appears in ``meetings.csv``. When no
    cohort has meetings, a cohort has data when at least half of those mentees answered
    ``survey.csv`` (fewer may just be a survey's comparison group, who enrol later).
    """
    enrolment = tables.get("enrolment")
    if enrolment is None or not len(enrolment):
        return []
    roles = _roles(enrolment)
    mentees = roles[roles["role"].isin(MENTEE_ROLES)]
    cohorts_of = mentees.groupby("person_id")["cohort"].nunique()
    only_here = mentees[mentees["person_id"].map(cohorts_of).eq(1)]
    meetings, survey = tables.get("meetings"), tables.get("survey")
    met = set(text_column(meetings, "mentee_id")) if meetings is not None and len(meetings) else set()
    found = set(only_here.loc[only_here["person_id"].isin(met), "cohort"])
    if not found and survey is not None and len(survey):
        answered = only_here["person_id"].isin(set(text_column(survey, "person_id")))
        share = answered.groupby(only_here["cohort"]).mean()
        found = set(share.index[share >= 0.5])
    return [c for c in cohort_order(enrolment) if c in found]


def program_cohorts(tables: Mapping[str, pd.DataFrame], scoped: Mapping[str, pd.DataFrame]) -> list[str]:
    """The cohorts with data (:func:`cohorts_with_data`, oldest first) that a program's enrolment holds.

    ``tables`` hold every program's enrolment, ``scoped`` the program's
    (:func:`workbench.programs.program_tables`): whether a mentee is enrolled in
    another cohort is read from every program, so a mentee of another program's
    earlier cohort does not make a later cohort look as if it had run.
    """
    enrolment = scoped.get("enrolment")
    held = set(text_column(enrolment, "cohort")) if enrolment is not None and len(enrolment) else set()
    return [c for c in cohorts_with_data(tables) if c in held]


def default_cohort(tables: Mapping[str, pd.DataFrame], cohorts: list[str] | None = None) -> str:
    """The cohort :func:`evaluation_cohort` evaluates when none is named (see the module docstring): the last of
    ``cohorts`` (default :func:`cohorts_with_data` of ``tables``)."""
    found = cohorts_with_data(tables) if cohorts is None else cohorts
    if not found:
        raise WorkbenchError("No cohort has program data yet: evaluation needs meetings.csv or survey.csv answers "
                             "from the mentees of a cohort in enrolment.csv.")
    return found[-1]


def _months(days) -> np.ndarray:
    return np.asarray(days, dtype=float) / DAYS_PER_MONTH


def tenure_band(months: pd.Series) -> pd.Series:
    """Each tenure in months as one of :data:`TENURE_LABELS` (blank when unknown)."""
    edges = [-np.inf, *TENURE_BANDS, np.inf]
    bands = pd.cut(pd.to_numeric(months, errors="coerce"), edges, right=False, labels=list(TENURE_LABELS))
    return bands.astype(object).where(bands.notna(), "").astype(str)


def add_months(day: datetime.date, months: float) -> datetime.date:
    """``day`` plus ``months`` months of 30.44 days."""
    return day + datetime.timedelta(days=int(round(months * DAYS_PER_MONTH)))


@dataclass(frozen=True, eq=False)
class EvaluationCohort:
    """The evaluated cohort: who is compared with whom, from when to when.

    ``people`` has one row per person in the analysis: ``person_id``, ``group``
    (``participants`` or ``comparison``), ``department``, ``level``, ``tenure_months``
    (at the start), ``tenure_band``, ``stratum``, ``matched`` (in a stratum with
    both groups), ``weight`` (1 for participants; the matching weight for the
    comparison group, 0 when unmatched), ``months`` (from the start to the exit or
    the end of the data), ``left`` (left by then), ``hazard_months`` and, when
    ``people.csv`` has a ``promotion_date`` column, ``promoted`` and
    ``promotion_months``; ``exit`` is the exit date (NaT while employed). ``meetings``
    holds the cohort's meetings (``mentee_id``,
    ``mentor_id``, ``date`` as timestamps, ``minutes``). Person ids stay inside
    this object: no report or export shows them.
    """

    name: str
    start: datetime.date
    start_source: str
    as_of: datetime.date
    program_end: datetime.date
    duration_months: int
    people: pd.DataFrame = field(repr=False)
    meetings: pd.DataFrame = field(repr=False)
    mentors: int
    participant_rule: str
    comparison_rule: str
    excluded: dict = field(default_factory=dict)
    promotions_measured: bool = False
    notes: tuple[str, ...] = ()
    mentor_ids: frozenset = field(default_factory=frozenset, repr=False)

    @property
    def follow_up_months(self) -> float:
        """Months from the start to the end of the data."""
        return float(_months((self.as_of - self.start).days))

    @property
    def participants(self) -> pd.DataFrame:
        """The participants' rows of :attr:`people`."""
        return self.people[self.people["group"] == "participants"]

    @property
    def comparison(self) -> pd.DataFrame:
        """The comparison pool's rows of :attr:`people` (matched or not)."""
        return self.people[self.people["group"] == "comparison"]

    @property
    def matched(self) -> pd.DataFrame:
        """Participants and comparison people in strata that hold both (the matched sample)."""
        return self.people[self.people["matched"]]

    def summary(self) -> dict:
        """Counts and dates of the cohort, no person ids."""
        p, c = self.participants, self.comparison
        return {
            "name": self.name, "start": self.start.isoformat(), "start_source": self.start_source,
            "as_of": self.as_of.isoformat(), "program_end": self.program_end.isoformat(),
            "duration_months": self.duration_months, "follow_up_months": round(self.follow_up_months, 4),
            "participants": int(len(p)), "matched_participants": _shown(int(p["matched"].sum())),
            "comparison_pool": int(len(c)), "comparison_matched": _shown(int(c["matched"].sum())),
            "mentors": int(self.mentors), "pairs": int(self.meetings[["mentee_id", "mentor_id"]].drop_duplicates()
                                                      .shape[0]) if len(self.meetings) else 0,
            "meetings": int(len(self.meetings)),
            "participant_rule": self.participant_rule, "comparison_rule": self.comparison_rule,
            "excluded": {k: None if k.startswith("participants_") and 0 < v < MIN_GROUP else int(v)
                         for k, v in self.excluded.items()},  # 1-4 participants: a group under five
        }


def _shown(count: int) -> int | None:
    """A matched group's head count as a summary shows it: ``None`` under :data:`MIN_GROUP` (the figures of so few
    are hidden too, :func:`workbench.evaluate.outcomes.outcome_comparison`)."""
    return count if count >= MIN_GROUP else None


def _cohort_meetings(meetings: pd.DataFrame | None, mentees: set[str]) -> pd.DataFrame:
    columns = ["mentee_id", "mentor_id", "date", "minutes"]
    if meetings is None or not len(meetings):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns}).assign(
            date=pd.Series([], dtype="datetime64[ns]"), minutes=pd.Series([], dtype=float))
    frame = pd.DataFrame({"mentee_id": text_column(meetings, "mentee_id"),
                          "mentor_id": text_column(meetings, "mentor_id"),
                          "date": date_column(meetings, "date"),
                          "minutes": number_column(meetings, "minutes").fillna(0.0)})
    frame = frame[frame["mentee_id"].isin(mentees) & frame["date"].notna()]
    return frame.sort_values(["mentee_id", "date"], kind="stable").reset_index(drop=True)


def _start(name: str, given: datetime.date | None, meetings: pd.DataFrame, new_mentees: set[str],
           survey: pd.DataFrame | None, mentees: set[str]) -> tuple[datetime.date, str]:
    if given is not None:
        return given, "given"
    if len(meetings):
        own = meetings[meetings["mentee_id"].isin(new_mentees)]
        first = (own if len(own) else meetings)["date"].min()
        return first.date(), "first meeting"
    if survey is not None and len(survey):
        answers = pd.DataFrame({"who": text_column(survey, "person_id"), "wave": text_column(survey, "wave"),
                                "date": date_column(survey, "date")})
        pre = answers[(answers["wave"] == "pre") & answers["who"].isin(mentees) & answers["date"].notna()]
        if len(pre) and pre["who"].nunique() >= len(mentees) / 2:  # fewer may be another cohort's comparison
            return (pre["date"].max() + pd.Timedelta(days=1)).date(), "day after the pre survey"
    raise WorkbenchError(f"Cannot tell when cohort {name!r} started: it has no meetings and no pre-survey answers. "
                         "Give its start date (workbench evaluate --start YYYY-MM-DD).")


def evaluation_cohort(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, cohort: str | None = None,
                      start: datetime.date | None = None, as_of: datetime.date | None = None,
                      participants: ParticipantRule = "enrolled",
                      matching: pd.DataFrame | None = None) -> EvaluationCohort:
    """The cohort to evaluate, its participants and its matched comparison group (see the module docstring).

    ``tables`` are the workspace tables as read from CSV (text); ``people`` and
    ``enrolment`` are required. ``cohort`` defaults to :func:`default_cohort`;
    ``start`` to the cohort's first meeting; ``as_of`` to the day the people data
    describes. ``matching`` is a saved matching *of this cohort* (the
    ``results/matching.csv`` table: ``mentee_id``, ``mentor_id``, blank partner
    for the unmatched); when given, only its matched mentees are participants.
    Raises :class:`~workbench.errors.WorkbenchError` when the cohort is unknown, its
    start cannot be told, or it has fewer than five participants (too few to
    report without pointing at people).
    """
    people, enrolment = tables.get("people"), tables.get("enrolment")
    if people is None or enrolment is None:
        missing = " and ".join(f"{n}.csv" for n, t in (("people", people), ("enrolment", enrolment)) if t is None)
        raise WorkbenchError(f"Evaluation needs {missing}.")
    if participants not in PARTICIPANT_RULES:
        raise WorkbenchError(f"participants must be one of {', '.join(PARTICIPANT_RULES)}, not {participants!r}.")
    order = cohort_order(enrolment)
    name = default_cohort(tables) if cohort is None else str(cohort).strip()
    if name not in order:
        raise WorkbenchError(f"enrolment.csv has no cohort {name!r}; its cohorts are: "
                             f"{', '.join(repr(c) for c in order) or 'none'}.")
    roles = _roles(enrolment)
    here = roles[roles["cohort"] == name]
    earlier = set(roles.loc[roles["cohort"].isin(order[:order.index(name)]), "person_id"])
    mentees = set(here.loc[here["role"].isin(MENTEE_ROLES), "person_id"])
    enrolled_here = set(here["person_id"])
    new_mentees = mentees - set(roles.loc[roles["cohort"] != name, "person_id"])
    notes: list[str] = []

    all_meetings = _cohort_meetings(tables.get("meetings"), mentees)
    begin, source = _start(name, start, all_meetings, new_mentees, tables.get("survey"), mentees)
    day = as_of or data_as_of(people)
    if day <= begin:
        raise WorkbenchError(f"Cohort {name!r} starts on {begin.isoformat()}, but the data describes "
                             f"{day.isoformat()}: there is no follow-up to evaluate yet.")
    duration = design.experience.duration_months
    end = add_months(begin, duration)
    window = (all_meetings["date"] >= pd.Timestamp(begin)) & (all_meetings["date"] <= pd.Timestamp(min(end, day)))
    dropped = int((~window).sum())
    meetings = all_meetings[window].reset_index(drop=True)
    if dropped:
        notes.append(f"{dropped} meeting{'s' if dropped != 1 else ''} of this cohort's mentees fall outside the "
                     f"program ({begin.isoformat()} to {min(end, day).isoformat()}) and are left out.")

    rule = "enrolled mentees (intention to treat)"
    chosen = set(mentees)
    if matching is not None and len(matching):
        matched = set(text_column(matching, "mentee_id")[text_column(matching, "mentor_id") != ""])
        matched &= mentees
        if matched:
            chosen, rule = matched, "mentees matched in the saved matching"
    if participants == "met":
        chosen &= set(meetings["mentee_id"])
        rule = "mentees with at least one meeting"

    ids = text_column(people, "person_id")
    frame = pd.DataFrame({"person_id": ids, "department": text_column(people, "department"),
                          "level": number_column(people, "level"), "hire": date_column(people, "hire_date"),
                          "exit": date_column(people, "exit_date")})
    frame = frame[~ids.duplicated().to_numpy()].reset_index(drop=True)
    t0, t1 = pd.Timestamp(begin), pd.Timestamp(day)
    at_start = (frame["hire"] <= t0) & (frame["exit"].isna() | (frame["exit"] > t0))
    is_participant = frame["person_id"].isin(chosen)
    gone = int((is_participant & ~at_start).sum())
    if gone:
        notes.append(f"{people_count(gone, 'participants')} were not employed on the "
                     "start day and are left out.")
    rules = design.align.mentee_eligibility
    pool_ok = eligible(people.assign(person_id=ids)[~ids.duplicated().to_numpy()].reset_index(drop=True), rules,
                       as_of=begin).to_numpy()
    took_part = enrolled_here | earlier | set(meetings["mentor_id"])  # mentors who met are participants too
    in_pool = at_start & ~frame["person_id"].isin(took_part) & pool_ok
    frame["group"] = np.where(is_participant & at_start, "participants", np.where(in_pool, "comparison", ""))
    frame = frame[frame["group"] != ""].reset_index(drop=True)
    n_participants = int((frame["group"] == "participants").sum())
    if n_participants < MIN_GROUP:
        raise WorkbenchError(f"Cohort {name!r} has {n_participants} participant{'s' if n_participants != 1 else ''} "
                             f"employed at its start: fewer than {MIN_GROUP} cannot be reported without pointing at "
                             "people.")

    frame["tenure_months"] = _months((t0 - frame["hire"]).dt.days)
    frame["tenure_band"] = tenure_band(frame["tenure_months"])
    stop = frame["exit"].where(frame["exit"].notna() & (frame["exit"] <= t1), t1)
    frame["months"] = _months((stop - t0).dt.days)
    frame["left"] = (frame["exit"].notna() & (frame["exit"] <= t1)).to_numpy()
    frame = coarsened_match(frame, ("department", "level", "tenure_band"))

    promoted = "promotion_date" in people.columns
    if promoted:
        first = ~ids.duplicated().to_numpy()
        by_id = pd.Series(date_column(people, "promotion_date")[first].to_numpy(), index=ids[first].to_numpy())
        when = pd.Series(by_id.reindex(frame["person_id"]).to_numpy(), index=frame.index)
        hit = when.notna() & (when > t0) & (when <= stop)
        frame["promoted"] = hit.to_numpy()
        frame["promotion_months"] = np.where(hit, _months((when - t0).dt.days), frame["months"])

    p = frame[frame["group"] == "participants"]
    unmatched = int((~p["matched"]).sum())
    if unmatched:
        notes.append(f"{people_count(unmatched, 'participants')} have nobody "
                     "comparable (same department, level and tenure band) in the comparison pool and are left out of "
                     "the comparisons.")
    mentors = set(meetings["mentor_id"]) if len(meetings) else set(here.loc[here["role"].isin(MENTOR_ROLES),
                                                                              "person_id"])
    excluded = {"participants_not_employed_at_start": gone, "participants_without_comparison": unmatched,
                "meetings_outside_program": dropped}
    comparison_rule = ("eligible non-participants employed at the start, coarsened exact matching on department, "
                       "level and tenure band, weighted to the participants' mix")
    return EvaluationCohort(name=name, start=begin, start_source=source, as_of=day, program_end=end,
                            duration_months=duration, people=frame.drop(columns=["hire"]), meetings=meetings,
                            mentors=len(mentors), participant_rule=rule, comparison_rule=comparison_rule,
                            excluded=excluded, promotions_measured=promoted, notes=tuple(notes),
                            mentor_ids=frozenset(mentors))


def coarsened_match(frame: pd.DataFrame, keys: tuple[str, ...], *, group: str = "group",
                    treated: str = "participants") -> pd.DataFrame:
    """``frame`` with ``stratum``, ``matched`` and ``weight`` columns: coarsened exact matching on ``keys``.

    A stratum is one combination of the ``keys`` values (already coarsened, such
    as tenure bands). Strata holding both groups are matched. Treated rows weigh
    1; comparison rows in matched stratum ``s`` weigh ``(treated_s / comparison_s)
    x (comparison matched / treated matched)``, so the weights of the comparison
    group add up to its matched size and reproduce the treated mix; unmatched rows
    weigh 0.
    """
    out = frame.copy()
    parts = [out[k].astype(str) for k in keys]
    stratum = parts[0]
    for part in parts[1:]:
        stratum = stratum + " | " + part
    out["stratum"] = stratum.to_numpy()
    is_t = (out[group] == treated).to_numpy()
    t_count = pd.Series(is_t, index=out.index).groupby(out["stratum"]).transform("sum").to_numpy()
    c_count = pd.Series(~is_t, index=out.index).groupby(out["stratum"]).transform("sum").to_numpy()
    matched = (t_count > 0) & (c_count > 0)
    n_t, n_c = int((is_t & matched).sum()), int((~is_t & matched).sum())
    scale = n_c / n_t if n_t else 0.0
    weight = np.where(is_t, 1.0, np.where(matched, t_count / np.maximum(c_count, 1) * scale, 0.0))
    out["matched"] = matched
    out["weight"] = np.where(matched | is_t, weight, 0.0).astype(float)
    return out
