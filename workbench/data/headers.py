"""The names HR exports give the contract columns: a leaf module both reading and suggesting use."""

from __future__ import annotations

import re

__all__ = ["QUESTION_WORDS", "SYNONYMS", "header_key", "question_word"]

#: Headers HR systems (Workday, SAP SuccessFactors, BambooHR, HiBob, Personio, ...) and sign-up forms
#: use for each contract column, compared after :func:`header_key`. A table's own column name always
#: counts too.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "person_id": ("employee id", "employee number", "employee no", "emp id", "emp no", "worker id", "staff id",
                  "staff number", "personnel number", "person id", "user id", "id", "badge id"),
    "department": ("dept", "department name", "division", "business unit", "org unit", "organisation unit",
                   "organization unit", "function", "team"),
    "job_title": ("job title", "title", "position", "position title", "job", "job name", "role title",
                  "job profile", "designation"),
    "level": ("grade", "job grade", "pay grade", "band", "job level", "career level", "management level",
              "seniority level"),
    "location": ("site", "office", "work location", "location name", "city", "base location", "workplace"),
    "manager_id": ("manager", "manager id", "manager employee id", "supervisor id", "line manager id",
                   "reports to", "reports to id", "manager number"),
    "hire_date": ("hire date", "start date", "date of joining", "doj", "joining date", "original hire date",
                  "employment start date", "date hired", "seniority date"),
    "exit_date": ("termination date", "leaving date", "leave date", "date of leaving", "end date",
                  "employment end date", "exit date", "last day"),
    "name": ("full name", "employee name", "display name", "preferred name", "name"),
    "email": ("email", "e mail", "work email", "email address", "business email", "mail"),
    "timezone": ("time zone", "tz"),
    "languages": ("language", "languages spoken", "spoken languages"),
    "gender": ("sex", "gender identity"),
    "ethnicity": ("ethnic group", "race", "race ethnicity"),
    "age_band": ("age group", "age range", "age bracket"),
    "skill_id": ("skill", "skill code", "competency", "competency id", "skill name"),
    "category": ("skill category", "group", "skill group", "competency group", "type"),
    "goal_id": ("goal", "goal code", "objective", "objective id"),
    "kpi": ("measure", "metric", "indicator", "key performance indicator"),
    "baseline": ("current", "current value", "baseline value", "starting value"),
    "target": ("target value", "goal value"),
    "horizon_months": ("horizon", "months", "time frame months", "timeframe"),
    "priority": ("weight", "importance"),
    "target_level": ("required level", "target proficiency", "expected level"),
    "importance": ("weight", "priority"),
    "level_min": ("from level", "minimum level", "lowest level"),
    "level_max": ("to level", "maximum level", "highest level"),
    "role": ("i want to", "participate as", "join as", "mentor or mentee", "programme role", "program role"),
    "capacity": ("mentees", "how many mentees", "max mentees", "number of mentees"),
    "wants": ("want to develop", "wants to learn", "areas to develop", "development areas", "interests",
              "skills wanted", "learning goals"),
    "offers": ("can offer", "can help with", "areas of expertise", "expertise", "skills offered", "strengths"),
    "cohort": ("intake", "programme cohort", "program cohort", "wave"),
    "program": ("programme", "programmes", "programs"),
    "ranks_person_id": ("preferred mentor", "choice", "ranked person"),
    "rank": ("preference", "order", "choice number"),
    "wave": ("survey wave", "round", "timepoint"),
    "construct": ("question", "scale", "measure"),
    "score": ("value", "answer", "rating"),
    "date": ("meeting date", "survey date", "response date", "submitted", "timestamp"),
    "mentee_id": ("mentee", "mentee employee id"),
    "mentor_id": ("mentor", "mentor employee id"),
    "minutes": ("duration", "duration minutes", "length", "mins"),
}

#: Words that, inside a sign-up form's question used as a header ("Which skills would you like to develop?"),
#: say which contract column the answers hold; matched at the start of a word of :func:`header_key`.
QUESTION_WORDS: dict[str, tuple[str, ...]] = {
    "wants": ("develop", "learn", "improve", "grow", "interested in", "interests", "get better at", "work on",
              "like help with", "want help", "need help"),
    "offers": ("offer", "help others", "could help", "can help", "share", "teach", "expertise", "strengths",
               "experienced in", "good at", "mentor others in"),
    "capacity": ("how many", "capacity", "number of mentees", "mentees could", "mentees can", "max"),
    "role": ("mentor or", "or mentee", "or a mentee", "participate as", "join as", "sign up as", "take part as",
             "your role", "like to be a", "would you like to be"),
    "cohort": ("cohort", "intake"),
}


def question_word(header: str, column: str) -> str | None:
    """The first of :data:`QUESTION_WORDS` for ``column`` found in ``header``, or ``None``."""
    key = f" {header_key(header)}"
    return next((w for w in QUESTION_WORDS.get(column, ()) if f" {w}" in key), None)


def header_key(header: str) -> str:
    """A header reduced for comparison: lower case, words only (``"Employee-ID "`` -> ``"employee id"``)."""
    words = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(header))
    return " ".join(re.findall(r"[a-z0-9]+", words.lower().replace("_", " ")))
