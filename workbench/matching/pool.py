"""Who is matched: the current cohort's mentees and mentors, one row each.

:func:`build_pool` reads the enrolment of one cohort (the current one by
default, :func:`workbench.organisation.current_cohort`), keeps people who are
enrolled, known in ``people.csv`` and eligible on the day the people data
describes (employed, and passing the design's mentee or mentor eligibility
rule, as the consistency checks count them), and joins their people columns.

A ``both`` enrolment is a mentee and, when the design allows both roles, also
a mentor; otherwise only a mentee. A mentor's capacity is the capacity they
offered (blank or unreadable = 0), capped at ``experience.mentor_capacity``.
Enrolment columns that the design's own criteria
(``experience.custom_criteria``) read and ``people.csv`` lacks (survey
answers given when signing up) are joined too.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.data.columns import number_column, text_column
from workbench.organisation import current_cohort
from workbench.data.tables import TABLES
from workbench.design.eligibility import data_as_of, eligible, filter_columns, refuse_sensitive
from workbench.design.model import ProgramDesign
from workbench.errors import WorkbenchError


@dataclass(frozen=True, eq=False)
class Pool:
    """The people to match.

    ``mentees``: one row per mentee, ``person_id``, the people columns (text, as
    read from CSV) and ``wants``. ``mentors``: one row per mentor, ``person_id``,
    the people columns, ``capacity`` (int) and ``offers``. Both have a fresh
    ``RangeIndex``: row ``i`` is mentee (or mentor) index ``i``.

    ``people`` is the whole organisation (for management chains that pass
    through people outside the pool); ``None`` means the pool's own people.
    ``as_of`` is the day time-zone offsets are taken on; ``None`` means the
    day the people data describes.
    """

    mentees: pd.DataFrame
    mentors: pd.DataFrame
    people: pd.DataFrame | None = None
    as_of: datetime.date | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_mentees(self) -> int:
        return len(self.mentees)

    @property
    def n_mentors(self) -> int:
        return len(self.mentors)

    def organisation(self) -> pd.DataFrame:
        """The people table management chains are followed in."""
        if self.people is not None:
            return self.people.reset_index(drop=True)
        both = pd.concat([self.mentees, self.mentors], ignore_index=True)
        return both.drop_duplicates("person_id").reset_index(drop=True)

    def day(self) -> datetime.date:
        """The day the pool is judged on (``as_of``, else the people data's own day)."""
        return self.as_of or data_as_of(self.organisation())


def build_pool(tables: Mapping[str, pd.DataFrame], design: ProgramDesign, *, cohort: str | None = None) -> Pool:
    """The mentees and mentors of ``cohort`` (default: the current one) under ``design``.

    ``tables`` needs ``people`` and ``enrolment`` (text DataFrames as read
    from CSV). A named cohort that has no enrolment rows is an error, and so
    is an eligibility filter on a sensitive column the design has not opted in to.
    """
    refuse_sensitive(design, filter_columns(design), sensitive=TABLES["people"].sensitive_columns,
                     use="eligibility filters")
    people, enrolment = tables.get("people"), tables.get("enrolment")
    if people is None or enrolment is None:
        missing = " and ".join(n for n, t in (("people", people), ("enrolment", enrolment)) if t is None)
        raise WorkbenchError(f"Matching needs the {missing} table{'s' if ' and ' in missing else ''}.")
    people = people.reset_index(drop=True)
    if cohort is None:
        _, rows = current_cohort(enrolment)
    else:
        rows = enrolment[text_column(enrolment, "cohort") == str(cohort).strip()]
        if rows.empty:
            raise WorkbenchError(f"The enrolment has no rows for cohort {cohort!r}.")
    as_of = data_as_of(people)
    exp = design.experience
    ids = text_column(people, "person_id")
    answers = _answer_columns(design, rows, people)
    enrolled = pd.DataFrame({
        "person_id": text_column(rows, "person_id").to_numpy(),
        "role": text_column(rows, "role").to_numpy(),
        "capacity": number_column(rows, "capacity").to_numpy(),
        "wants": text_column(rows, "wants").to_numpy(),
        "offers": text_column(rows, "offers").to_numpy(),
        # columns the design's own criteria read from the enrolment (survey answers given when signing up)
        **{c: text_column(rows, c).to_numpy() for c in answers},
    }).drop_duplicates("person_id")
    people = people.assign(person_id=ids)
    people = people[~ids.duplicated().to_numpy()]
    mentee_ok = eligible(people, design.align.mentee_eligibility, as_of=as_of)
    mentor_ok = eligible(people, design.align.mentor_eligibility, as_of=as_of)
    drop = [c for c in ("role", "capacity", "wants", "offers") if c in people.columns]
    base = people.drop(columns=drop)

    mentee_roles = ["mentee", "both"]
    mentor_roles = ["mentor", "both"] if exp.allow_both_roles else ["mentor"]
    mentees = enrolled[enrolled["role"].isin(mentee_roles)]
    mentees = mentees[mentees["person_id"].isin(set(people["person_id"][mentee_ok]))]
    mentees = mentees[["person_id", "wants", *answers]].merge(base, on="person_id", how="left")
    mentors = enrolled[enrolled["role"].isin(mentor_roles)]
    mentors = mentors[mentors["person_id"].isin(set(people["person_id"][mentor_ok]))]
    capacity = np.minimum(np.nan_to_num(mentors["capacity"].to_numpy(), nan=0.0), exp.mentor_capacity)
    mentors = mentors[["person_id", "offers", *answers]].assign(capacity=np.maximum(capacity, 0).astype(int))
    mentors = mentors.merge(base, on="person_id", how="left")
    order = ["person_id", *base.columns.drop("person_id"), *answers]
    return Pool(mentees=mentees[[*order, "wants"]].reset_index(drop=True),
                mentors=mentors[[*order, "capacity", "offers"]].reset_index(drop=True),
                people=people.reset_index(drop=True), as_of=as_of)


def _answer_columns(design: ProgramDesign, enrolment: pd.DataFrame, people: pd.DataFrame) -> list[str]:
    """Enrolment columns the design's own criteria read that people.csv does not have."""
    own = {"person_id", "role", "capacity", "wants", "offers", "cohort"}
    named = dict.fromkeys(c for spec in design.experience.custom_criteria for c in spec.columns)
    return [c for c in named if c in enrolment.columns and c not in own and c not in people.columns]


def peer_pool(pool: Pool) -> Pool:
    """Everyone in ``pool`` (mentees and mentors, once each) on both sides, for peer structures.

    Row ``i`` of ``mentees`` and of ``mentors`` is the same person; wants and
    offers are kept, capacity is 1.
    """
    people = pd.concat([pool.mentees.assign(offers=""), pool.mentors.drop(columns="capacity").assign(wants="")],
                       ignore_index=True)
    first = ~people["person_id"].duplicated()
    wants = people.groupby("person_id", sort=False)["wants"].agg(lambda w: ";".join(x for x in w if x))
    offers = people.groupby("person_id", sort=False)["offers"].agg(lambda o: ";".join(x for x in o if x))
    people = people[first.to_numpy()].reset_index(drop=True)
    people["wants"] = people["person_id"].map(wants).to_numpy()
    people["offers"] = people["person_id"].map(offers).to_numpy()
    base = [c for c in people.columns if c not in ("wants", "offers")]
    return Pool(mentees=people[[*base, "wants"]], mentors=people[[*base, "offers"]].assign(capacity=1),
                people=pool.people, as_of=pool.as_of)


def reverse_pool(pool: Pool, skills: tuple[str, ...] = ()) -> Pool:
    """The cohort's roles swapped for reverse mentoring: its mentors learn, its mentees teach.

    Learners want the named ``skills`` (the design's focus skills) when given,
    else keep no stated wants (their skill gaps still count). Each teacher
    takes one learner.
    """
    learners = pool.mentors.drop(columns=["capacity", "offers"]).assign(wants=";".join(skills))
    teachers = pool.mentees.drop(columns="wants").assign(capacity=1, offers="")
    base = [c for c in learners.columns if c != "wants"]
    return Pool(mentees=learners.reset_index(drop=True),
                mentors=teachers[[*base, "capacity", "offers"]].reset_index(drop=True),
                people=pool.people, as_of=pool.as_of)
