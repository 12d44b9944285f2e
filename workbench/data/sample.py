"""Seeded generator for a fictional demo organisation running a mentoring program.

The organisation is built on real O*NET skill profiles (``datasets/onet/``, see
:mod:`workbench.data.onet`): every job title is an O*NET occupation and every
person's skill proficiencies are spread around their occupation's O*NET level
profile. Everything else (people, hires and exits, a past mentoring cohort with
meetings and surveys, the current cohort's enrolment) is simulated with known
effects, listed in :data:`GENERATION_PARAMETERS`, so that evaluation code can be
checked against the truth. :func:`workbench.story.write_organisation` writes it
as a new workspace, with the story a first workshop would have saved (a design,
a matching of the current cohort and a what-if comparison), as ``workbench
sample`` does.

Conventions shared by all tables:

* dates are ISO 8601 strings ``YYYY-MM-DD``; a blank (empty string) date means
  "none" (no exit, for example);
* a person is *employed on day d* iff ``hire_date <= d`` and (``exit_date`` is
  blank or ``d < exit_date``), so nobody with an ``exit_date`` is employed on it;
* skill proficiency is an integer on a 0-5 scale (0 = none, 5 = expert);
* career ``level`` is an integer 1-7 (1 = most junior, 6 = department head,
  7 = chief executive).
"""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.data import onet
from workbench.workspace import csv_text

MIN_PEOPLE = 20
DAYS_PER_YEAR = 365.25

LOCATIONS: tuple[str, ...] = ("London", "New York", "Berlin", "Bangalore", "Singapore", "Remote-US")

# Columns of every table, in output order (the contract other modules rely on).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": (
        "person_id", "name", "email", "department", "job_title", "onet_soc_code", "level",
        "location", "timezone", "languages", "manager_id", "hire_date", "exit_date",
        "gender", "ethnicity", "age_band", "promotion_date", "high_potential", "job_change_date",
    ),
    "skills": ("skill_id", "name", "category", "element_id"),
    "proficiency": ("person_id", "skill_id", "level", "assessed_on"),
    "goals": ("goal_id", "name", "priority", "kpi", "baseline", "target", "horizon_months"),
    "requirements": (
        "skill_id", "target_level", "importance", "goal_id", "department", "job_title",
        "level_min", "level_max",
    ),
    "enrolment": ("person_id", "role", "capacity", "wants", "offers", "cohort", "values", "working_style"),
    "preferences": ("person_id", "ranks_person_id", "rank"),
    "survey": ("person_id", "wave", "construct", "score", "date"),
    "meetings": ("mentee_id", "mentor_id", "date", "minutes"),
}

_PARAMETERS: dict[str, Any] = {
    "n_people": "rows in people: everyone employed at any time in the history window, incl. leavers",
    "history_years": 3,
    "founding_years_before_as_of": 22,
    "attrition": {
        "units": "constant exit hazard in exits per person-year; annual exit probability = 1 - exp(-hazard)",
        "annual_exit_hazard_by_level": {1: 0.22, 2: 0.17, 3: 0.13, 4: 0.10, 5: 0.08, 6: 0.07, 7: 0.0},
        "department_multiplier": {
            "Customer Support": 1.35,
            "Engineering": 1.15,
            "Executive": 0.8,
            "Finance": 0.85,
            "Marketing": 1.0,
            "Operations": 0.9,
            "People": 0.9,
            "Sales": 1.25,
        },
        "hazard": "annual_exit_hazard_by_level[level] * department_multiplier[department]"
        " (* past_cohort.exit_hazard_ratio for past-cohort mentees after the cohort start)",
        "chief_executive_exits": False,
        "department_head_vacancy_days": [30, 120],
    },
    "workforce": {
        "share_of_rows_hired_in_window": 0.38,
        "headcount_growth_per_year": 0.05,
        "level_distribution_at_window_start": {1: 0.26, 2: 0.29, 3: 0.24, 4: 0.13, 5: 0.08},
        "level_distribution_of_hires": {1: 0.40, 2: 0.30, 3: 0.17, 4: 0.09, 5: 0.04},
        "level_distribution_note": "truncated to each title's level range; levels 6-7 are the department heads and CEO",
        "mean_tenure_years_at_window_start_by_level": {1: 1.5, 2: 2.5, 3: 3.5, 4: 4.5, 5: 5.5, 6: 6.5},
        "manager_rule": "a current employee of the same department at the lowest available level >= max(level + 1, 4);"
        " department heads (6) report to the CEO (7); leavers' managers were employed on their last day",
    },
    "proficiency": {
        "scale": "integer 0-5",
        "mean": "onet_level * 5 / 7 + seniority_shift[level] + person effect",
        "seniority_shift_by_level": {1: -0.9, 2: -0.45, 3: 0.0, 4: 0.3, 5: 0.55, 6: 0.75, 7: 0.9},
        "person_effect_sd": 0.35,
        "noise_sd": 0.55,
        "relevance_min_importance": 2.75,
        "share_missing": 0.12,
        "rows": "currently employed people x skills with O*NET importance >= relevance_min_importance"
        " for their occupation, minus a random share_missing (missing = unknown, not zero)",
    },
    "current_cohort": {
        "cohort": "year of as_of",
        "mentee_probability_by_level": {1: 0.13, 2: 0.12, 3: 0.09, 4: 0.06},
        "mentees_per_mentor": 2.5,
        "mentor_levels": [3, 4, 5, 6],
        "mentor_selection_log_weight": "0.6 * (level - 3) + 0.8 * standardised mean proficiency",
        "mentor_capacity_probabilities": {1: 0.15, 2: 0.30, 3: 0.35, 4: 0.20},
        "share_of_mentors_also_mentee": 0.15,
        "both_capacity_probabilities": {1: 0.6, 2: 0.4},
        "wants_count_probabilities": {1: 0.3, 2: 0.45, 3: 0.25},
        "offers_blank_share": 0.5,
        "share_of_mentees_with_preferences": 0.25,
        "preference_count_probabilities": {1: 0.3, 2: 0.3, 3: 0.4},
        "preference_weight": "1 + 2 * same department + (mentor level - 3)",
    },
    "sign_up_survey": {
        "values": ["growth", "family", "impact", "recognition", "balance", "learning", "community", "autonomy"],
        "values_per_person": 3,
        "working_style_items": ["plans ahead", "prefers written updates", "wants frequent contact",
                                "likes detail", "decides quickly"],
        "working_style_answer": "1-5: round(3 + 1.1 x a person's standard normal trait), clipped",
        "note": "no effect on any outcome: the answers exist so a design can declare criteria over them",
    },
    "past_cohort": {
        "cohort": "year of as_of minus 1",
        "start_days_before_as_of": 365,
        "duration_days": 273,
        "mentee_levels": [1, 2, 3],
        "min_tenure_days_at_start": 90,
        "mentee_probability_by_level": {1: 0.14, 2: 0.12, 3: 0.08},
        "mentees_per_mentor": 2.5,
        "mentor_levels": [3, 4, 5, 6],
        "mentor_capacity_probabilities": {1: 0.10, 2: 0.25, 3: 0.35, 4: 0.30},
        "share_of_mentors_also_mentee": 0.15,
        "both_capacity_probabilities": {1: 0.6, 2: 0.4},
        "matching": "random, most senior mentees first; mentor level > mentee level; unmatched mentees are"
        " not enrolled; 'both' are level-3 mentees who also mentor",
        "exit_hazard_ratio": 0.7,
        "exit_hazard_ratio_applies_to": "matched mentees (role mentee or both), from the cohort start onwards",
        "meeting_cadence_days_probabilities": {14: 0.4, 21: 0.3, 28: 0.3},
        "meeting_jitter_sd_days": 3.0,
        "meeting_skip_probability": 0.1,
        "fizzle_share": 0.2,
        "fizzle_after_meetings": [1, 2, 3],
        "meeting_minutes_probabilities": {30: 0.4, 45: 0.3, 60: 0.3},
    },
    "careers": {
        "units": "constant hazards in events per person-year",
        "promotion_hazard_by_level": {1: 0.0, 2: 0.2, 3: 0.16, 4: 0.12, 5: 0.08, 6: 0.05, 7: 0.0},
        "promotion_note": "promotion_date is the latest promotion, into the current level (level 1: none), from the"
        " hire date to the exit or as_of",
        "promotion_hazard_ratio": 1.5,
        "job_change_hazard": 0.08,
        "job_change_hazard_ratio": 1.5,
        "hazard_ratios_apply_to": "matched past-cohort mentees, from the cohort start onwards",
        "high_potential_share": 0.15,
        "high_potential_note": "flag 'yes' at random among non-structural staff; no effect on any outcome",
    },
    "assessments": {
        "current": "every proficiency row is dated at the person's latest review: as_of minus 14-120 days",
        "earlier": "people eligible for the past cohort at its start and still employed have every skill assessed"
        " once more at the review before it: cohort start minus 20-80 days",
        "earlier_level": "current level minus a gain of 1 with probability gain_probability, at least 0",
        "gain_probability": {"participant": 0.45, "others": 0.2},
    },
    "survey": {
        "scale": "1-7; each score is the mean of 4 Likert items (multiples of 0.25)",
        "constructs": ["career_clarity", "belonging", "confidence"],
        "baseline_mean": {"career_clarity": 4.1, "belonging": 4.6, "confidence": 4.4},
        "person_general_sd": 0.6,
        "person_construct_sd": 0.6,
        "wave_noise_sd": 0.35,
        "item_sd": 0.8,
        "participant_baseline_shift": -0.2,
        "secular_change_by_wave": {"pre": 0.0, "mid": 0.05, "post": 0.1, "followup": 0.1},
        "program_effect": {"career_clarity": 0.6, "belonging": 0.35, "confidence": 0.45},
        "program_effect_note": "latent-scale effect on participants' change from pre (before item rounding and"
        " clipping to 1-7), scaled by program_effect_fraction_by_wave",
        "program_effect_fraction_by_wave": {"pre": 0.0, "mid": 0.5, "post": 1.0, "followup": 0.8},
        "comparison_group": "random sample of eligible non-participants (same eligibility as past-cohort mentees)",
        "comparison_to_participant_ratio": 1.5,
        "response_rate": {
            "participant": {"pre": 0.9, "mid": 0.65, "post": 0.75, "followup": 0.55},
            "comparison": {"pre": 0.6, "mid": 0.0, "post": 0.45, "followup": 0.35},
        },
        "wave_window_days": {"pre": [-14, -1], "mid": [120, 134], "post": [274, 288], "followup": [345, 359]},
        "wave_window_note": "days from the past-cohort start; nobody responds after leaving",
    },
}


def generation_parameters() -> dict[str, Any]:
    """Return a deep copy of the true parameters and effects used by :func:`generate_organisation`.

    Hazards are exits per person-year; survey effects are on the 1-7 latent scale;
    levels are career levels 1-7; proficiency is 0-5.
    """
    return copy.deepcopy(_PARAMETERS)


#: Copy of the generation parameters (mutating it does not change generation).
GENERATION_PARAMETERS: dict[str, Any] = generation_parameters()

_LOCATION_PROBS: dict[str, tuple[float, ...]] = {
    # London, New York, Berlin, Bangalore, Singapore, Remote-US
    "Executive": (0.6, 0.3, 0.1, 0.0, 0.0, 0.0),
    "Engineering": (0.25, 0.10, 0.20, 0.30, 0.05, 0.10),
    "Sales": (0.25, 0.35, 0.10, 0.05, 0.15, 0.10),
    "Marketing": (0.35, 0.35, 0.10, 0.05, 0.05, 0.10),
    "Finance": (0.45, 0.30, 0.05, 0.15, 0.05, 0.0),
    "People": (0.40, 0.25, 0.10, 0.15, 0.05, 0.05),
    "Operations": (0.30, 0.20, 0.15, 0.20, 0.10, 0.05),
    "Customer Support": (0.15, 0.10, 0.05, 0.40, 0.20, 0.10),
}
_LOCATION_TZ = {
    "London": "Europe/London",
    "New York": "America/New_York",
    "Berlin": "Europe/Berlin",
    "Bangalore": "Asia/Kolkata",
    "Singapore": "Asia/Singapore",
}
_REMOTE_US_TZ = (("America/Los_Angeles", 0.4), ("America/Chicago", 0.3), ("America/Denver", 0.1), ("America/New_York", 0.2))

_ETHNICITIES = ("Asian", "Black", "Hispanic or Latino", "White", "Mixed or multiple", "Other", "prefer not to say")
_ETHNICITY_PROBS: dict[str, tuple[float, ...]] = {
    "London": (0.18, 0.10, 0.03, 0.55, 0.06, 0.03, 0.05),
    "New York": (0.15, 0.14, 0.17, 0.44, 0.04, 0.02, 0.04),
    "Berlin": (0.08, 0.04, 0.03, 0.73, 0.04, 0.04, 0.04),
    "Bangalore": (0.94, 0.0, 0.0, 0.02, 0.01, 0.01, 0.02),
    "Singapore": (0.85, 0.01, 0.0, 0.07, 0.03, 0.02, 0.02),
    "Remote-US": (0.10, 0.12, 0.16, 0.52, 0.04, 0.02, 0.04),
}
_GENDERS = ("woman", "man", "non-binary", "prefer not to say")
_WOMAN_SHARE = {"Engineering": 0.28, "People": 0.65, "Customer Support": 0.55, "Sales": 0.42}
_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")

_NAME_POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # pool: (female first names, male first names, last names)
    "anglo": (
        ("Emma", "Olivia", "Sophie", "Charlotte", "Grace", "Hannah", "Emily", "Lucy", "Sarah", "Laura",
         "Rachel", "Megan", "Jessica", "Katie", "Amy", "Claire", "Rebecca", "Anna", "Molly", "Ellie"),
        ("James", "Oliver", "Jack", "Harry", "Thomas", "William", "Daniel", "Matthew", "Michael", "David",
         "Samuel", "Joseph", "Benjamin", "Ryan", "Luke", "Adam", "Andrew", "Christopher", "Nathan", "Peter"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
         "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
         "Miller", "Davis", "Anderson", "Moore", "Martin", "Clark", "Lewis", "Young", "Allen", "Scott"),
    ),
    "german": (
        ("Anna", "Lena", "Leonie", "Julia", "Laura", "Lea", "Sophie", "Marie", "Katharina", "Sarah",
         "Hannah", "Johanna", "Lisa", "Franziska", "Jana", "Clara", "Paula", "Greta", "Ida", "Nina"),
        ("Lukas", "Jonas", "Leon", "Felix", "Maximilian", "Paul", "Tim", "Jan", "Moritz", "Niklas",
         "Florian", "Tobias", "Sebastian", "Stefan", "Markus", "Philipp", "Fabian", "Julian", "Matthias", "Kai"),
        ("Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
         "Koch", "Richter", "Klein", "Wolf", "Schroeder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krueger",
         "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Koehler", "Kaiser", "Fuchs", "Vogel"),
    ),
    "south_asian": (
        ("Priya", "Ananya", "Divya", "Kavya", "Aishwarya", "Sneha", "Pooja", "Lakshmi", "Meera", "Nisha",
         "Deepa", "Shreya", "Aditi", "Riya", "Swathi", "Harini", "Neha", "Anjali", "Sanjana", "Isha"),
        ("Arjun", "Rahul", "Vikram", "Karthik", "Aditya", "Rohan", "Siddharth", "Arun", "Suresh", "Rajesh",
         "Anil", "Varun", "Nikhil", "Pranav", "Manoj", "Vivek", "Ravi", "Sandeep", "Harish", "Kiran"),
        ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Rao", "Gupta", "Kumar", "Menon", "Krishnan",
         "Singh", "Joshi", "Mehta", "Pillai", "Shetty", "Desai", "Bhat", "Kulkarni", "Agarwal", "Chatterjee",
         "Banerjee", "Srinivasan", "Venkatesh", "Hegde", "Naidu", "Varma", "Kapoor", "Malhotra", "Subramanian", "Das"),
    ),
    "east_asian": (
        ("Mei", "Li", "Xin", "Hui", "Jia", "Yan", "Wen", "Ling", "Yuki", "Min",
         "Hana", "Ying", "Qing", "Jing", "Shu", "Rui", "Ai", "Lan", "Na", "Xia"),
        ("Wei", "Jun", "Hao", "Ming", "Jian", "Tao", "Kai", "Lei", "Yong", "Feng",
         "Bo", "Chen", "Hiro", "Kenji", "Jin", "Long", "Peng", "Qiang", "Yi", "Zhi"),
        ("Tan", "Lim", "Lee", "Ng", "Wong", "Chen", "Wang", "Zhang", "Liu", "Lin",
         "Huang", "Goh", "Chua", "Ong", "Koh", "Teo", "Yang", "Zhao", "Wu", "Zhou",
         "Sun", "Ma", "Xu", "Ho", "Chan", "Tanaka", "Sato", "Kim", "Park", "Choi"),
    ),
    "hispanic": (
        ("Maria", "Sofia", "Isabella", "Camila", "Valentina", "Lucia", "Gabriela", "Daniela", "Ana", "Carmen",
         "Elena", "Paula", "Adriana", "Natalia", "Andrea", "Mariana", "Veronica", "Rosa", "Alejandra", "Julia"),
        ("Jose", "Luis", "Carlos", "Juan", "Miguel", "Javier", "Diego", "Alejandro", "Antonio", "Manuel",
         "Pablo", "Jorge", "Ricardo", "Fernando", "Sergio", "Mateo", "Andres", "Rafael", "Eduardo", "Gabriel"),
        ("Garcia", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres",
         "Flores", "Rivera", "Gomez", "Diaz", "Cruz", "Morales", "Ortiz", "Gutierrez", "Chavez", "Ramos",
         "Castillo", "Jimenez", "Vargas", "Romero", "Herrera", "Medina", "Aguilar", "Vega", "Castro", "Mendoza"),
    ),
    "african": (
        ("Amara", "Chiamaka", "Ngozi", "Adaeze", "Fatima", "Aisha", "Zainab", "Abena", "Akosua", "Nia",
         "Imani", "Kemi", "Folake", "Ife", "Thandiwe", "Zola", "Wanjiru", "Amina", "Halima", "Esi"),
        ("Kwame", "Chidi", "Emeka", "Tunde", "Kofi", "Femi", "Oluwaseun", "Obinna", "Yaw", "Jabari",
         "Tendai", "Sipho", "Kelechi", "Babajide", "Ayodele", "Musa", "Ibrahim", "Kwasi", "Nnamdi", "Chinedu"),
        ("Okafor", "Adeyemi", "Mensah", "Okeke", "Boateng", "Owusu", "Nwosu", "Adebayo", "Asante", "Diallo",
         "Ogunleye", "Eze", "Osei", "Ndlovu", "Mwangi", "Abubakar", "Balogun", "Danso", "Achebe", "Oyelaran",
         "Kamau", "Otieno", "Banda", "Sesay", "Koroma", "Mbeki", "Nkosi", "Oduya", "Agyeman", "Appiah"),
    ),
}
_POOL_ORDER = tuple(_NAME_POOLS)
_LANGUAGES = ("English", "German", "Hindi", "Kannada", "Tamil", "Mandarin", "Malay", "Spanish", "French")

# Goals of the demo organisation. Requirements reference skills chosen by hand;
# their target levels and importance are derived from O*NET (see _requirements).
_GOALS = (
    ("retain_junior_engineers", "Reduce regretted attrition of junior engineers", 3,
     "annual exit rate of Engineering staff at levels 1-2 (%)", None, 14.0, 18),
    ("leadership_pipeline", "Grow the leadership pipeline", 2,
     "share of level 4-5 vacancies filled internally (%)", 35.0, 55.0, 24),
    ("ai_data_skills", "Build AI and data skills across the company", 2,
     "share of staff at or above target proficiency in data skills (%)", 30.0, 50.0, 12),
    ("customer_excellence", "Improve customer outcomes in Customer Support", 1,
     "customer satisfaction score (CSAT, %)", 78.0, 85.0, 12),
)

_ENGINEERING_CORE = ("programming", "critical_thinking", "complex_problem_solving", "systems_analysis", "active_learning")
_LEADERSHIP = (
    "management_of_personnel_resources", "judgment_and_decision_making", "coordination",
    "social_perceptiveness", "time_management",
)
_DATA_LITERACY = ("mathematics", "critical_thinking", "systems_analysis")
_DATA_SPECIALIST_CODES = ("15-2041.00", "15-1199.08", "15-1111.00")
_DATA_UPSKILL_TITLES = ("15-1132.00", "15-1199.08")
_DATA_UPSKILL_SKILLS = ("programming", "mathematics")
_CUSTOMER = ("service_orientation", "active_listening", "speaking", "social_perceptiveness", "critical_thinking")


# --------------------------------------------------------------------------- helpers


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Draw one category index per row of a (n, k) probability matrix (rows need not be normalised)."""
    probs = np.asarray(probs, dtype=float)
    cum = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cum[:, -1]
    return np.minimum((cum <= u[:, None]).sum(axis=1), probs.shape[1] - 1)


def _draw(rng: np.random.Generator, table: dict[Any, float], n: int) -> np.ndarray:
    """Draw ``n`` keys of ``table`` with probabilities given by its values."""
    keys = np.array(list(table))
    p = np.array(list(table.values()), dtype=float)
    return keys[rng.choice(len(keys), size=n, p=p / p.sum())]


def _truncated_exponential(rng: np.random.Generator, mean: Any, upper: float) -> np.ndarray:
    """Exponential draws with the given mean(s), truncated to [0, upper] (inverse-CDF sampling)."""
    mean = np.asarray(mean, dtype=float)
    u = rng.random(mean.shape)
    return -mean * np.log1p(-u * -np.expm1(-upper / mean))


def _lookup(keys: np.ndarray, table: dict[Any, Any], default: Any = None) -> np.ndarray:
    """Vectorised ``table[key]`` over an array of keys (``default`` for unknown keys if given)."""
    uniq, inv = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
    vals = np.empty(len(uniq), dtype=object)
    for i, k in enumerate(uniq):  # one iteration per distinct key
        vals[i] = table[k] if default is None else table.get(k, default)
    return vals[inv]


def _days(d: datetime.date) -> int:
    """Return days since 1970-01-01 for a date."""
    return int(np.datetime64(d, "D").astype(np.int64))


def _iso(days: np.ndarray, blank: np.ndarray | None = None) -> np.ndarray:
    """Format integer day numbers as ISO dates; positions where ``blank`` is True become ''."""
    days = np.asarray(days)
    out = np.asarray(np.where(np.isfinite(days), days, 0).astype(np.int64).astype("datetime64[D]").astype(str), dtype=object)
    if blank is not None:
        out[np.asarray(blank, dtype=bool)] = ""
    return out


def _employed(hire: np.ndarray, exit_day: np.ndarray, day: np.ndarray | int) -> np.ndarray:
    """True where a person is employed on ``day`` (hire <= day < exit; exit may be inf)."""
    return (hire <= day) & (day < exit_day)


def _join_columns(choices: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Join labels[choices] row-wise with ';', skipping entries < 0; returns an object array of strings."""
    n, k = choices.shape
    out = np.full(n, "", dtype=object)
    for j in range(k):
        col = choices[:, j]
        ok = col >= 0
        piece = np.where(ok, labels[np.where(ok, col, 0)], "")
        sep = np.where(ok & (out != ""), ";", "")
        out = out + sep.astype(object) + piece.astype(object)
    return out


def _top_k(scores: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Column indices of the k[i] largest finite scores per row, best first; -1 pads (n, max k)."""
    kmax = int(k.max()) if len(k) else 0
    if kmax == 0:
        return np.full((scores.shape[0], 0), -1, dtype=np.int64)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :kmax]
    best = np.take_along_axis(scores, order, axis=1)
    keep = np.isfinite(best) & (np.arange(kmax)[None, :] < k[:, None])
    return np.where(keep, order, -1)


def _gumbel_top(rng: np.random.Generator, log_w: np.ndarray, n: int) -> np.ndarray:
    """Weighted sampling of ``n`` distinct indices without replacement (Gumbel top-k); -inf weights excluded."""
    keys = log_w + rng.gumbel(size=log_w.shape)
    n = min(n, int(np.isfinite(log_w).sum()))
    return np.sort(np.argsort(-keys, kind="stable")[:n])


# --------------------------------------------------------------------------- simulation steps


def _simulate_workforce(rng: np.random.Generator, occupations: pd.DataFrame, n_people: int, as_of: int) -> dict[str, np.ndarray]:
    """Simulate who was employed over the history window; returns per-person arrays (exit times pre-cohort)."""
    att = _PARAMETERS["attrition"]
    wf = _PARAMETERS["workforce"]
    window_start = as_of - int(round(_PARAMETERS["history_years"] * DAYS_PER_YEAR))
    founding = as_of - int(round(_PARAMETERS["founding_years_before_as_of"] * DAYS_PER_YEAR))
    growth = wf["headcount_growth_per_year"]
    tenure_mean = wf["mean_tenure_years_at_window_start_by_level"]

    def hazard(level: np.ndarray, dept: np.ndarray) -> np.ndarray:
        base = np.array([att["annual_exit_hazard_by_level"][v] for v in range(1, 8)])[level - 1]
        return base * _lookup(dept, att["department_multiplier"]).astype(float)

    occ = occupations.reset_index(drop=True)
    codes = occ["onet_soc_code"].to_numpy()
    depts = occ["department"].to_numpy()

    # Structural roles: one chief executive (never leaves) and a chain of heads per department.
    ceo_occ = int(np.flatnonzero(occ["level_max"].to_numpy() == 7)[0])
    occ_idx = [ceo_occ]
    level = [7]
    hire = [founding]
    exit_t = [np.inf]
    head_rows = np.flatnonzero(occ["level_max"].to_numpy() == 6)
    lo_gap, hi_gap = att["department_head_vacancy_days"]
    for r in head_rows:  # one iteration per department
        lam = hazard(np.array([6]), np.array([depts[r]]))[0]
        h = window_start - 1 - int(_truncated_exponential(rng, tenure_mean[6] * DAYS_PER_YEAR, window_start - 2 - founding))
        start = window_start
        while True:  # successors until someone holds the post on as_of
            t = start + rng.exponential(1.0 / lam) * DAYS_PER_YEAR
            occ_idx.append(int(r))
            level.append(6)
            hire.append(int(h))
            exit_t.append(float(t))
            if t >= as_of:
                break
            h = min(int(np.floor(t)) + int(rng.integers(lo_gap, hi_gap + 1)), as_of - 1)
            start = h
    n_struct = len(occ_idx)
    if n_people < n_struct + 5:
        raise ValueError(f"n_people must be at least {n_struct + 5} for this seed")

    # Everyone else.
    n = n_people - n_struct
    weights = occ["headcount_weight"].to_numpy()
    o = rng.choice(len(occ), size=n, p=weights / weights.sum())
    hired_in_window = rng.random(n) < wf["share_of_rows_hired_in_window"]
    lv_grid = np.arange(1, 6)
    inside = (lv_grid[None, :] >= occ["level_min"].to_numpy()[:, None]) & (lv_grid[None, :] <= occ["level_max"].to_numpy()[:, None])
    p_start = np.array(list(wf["level_distribution_at_window_start"].values()))[None, :] * inside
    p_hire = np.array(list(wf["level_distribution_of_hires"].values()))[None, :] * inside
    probs = np.where(hired_in_window[:, None], p_hire[o], p_start[o])
    lv = _categorical(rng, probs) + 1
    lam = hazard(lv, depts[o])

    window_days = as_of - window_start
    u = rng.random(n)
    t_hire = np.log1p(u * np.expm1(growth * window_days / DAYS_PER_YEAR)) / growth * DAYS_PER_YEAR
    hire_new = window_start + np.minimum(np.floor(t_hire).astype(np.int64), window_days - 1)
    # tenure at the window start: exponential truncated at the founding date
    mean = np.array([tenure_mean[v] for v in range(1, 6)])[lv - 1] * DAYS_PER_YEAR
    tenure = _truncated_exponential(rng, mean, window_start - 2 - founding)
    hire_old = window_start - 1 - np.floor(tenure).astype(np.int64)
    h = np.where(hired_in_window, hire_new, hire_old)
    start = np.maximum(h, window_start).astype(float)
    e = rng.exponential(1.0, size=n)
    with np.errstate(divide="ignore"):
        t = np.where(lam > 0, start + e / np.where(lam > 0, lam, 1.0) * DAYS_PER_YEAR, np.inf)

    return {
        "occ": np.concatenate([np.array(occ_idx), o]),
        "code": codes[np.concatenate([np.array(occ_idx), o])],
        "dept": depts[np.concatenate([np.array(occ_idx), o])],
        "level": np.concatenate([np.array(level), lv]).astype(np.int64),
        "hire": np.concatenate([np.array(hire), h]).astype(np.int64),
        "exit_t": np.concatenate([np.array(exit_t), t]),
        "structural": np.arange(n_people) < n_struct,
        "hazard": np.concatenate([hazard(np.array(level), depts[np.array(occ_idx)]), lam]),
    }


def _proficiency_matrix(rng: np.random.Generator, people: dict[str, np.ndarray], lv_matrix: np.ndarray) -> np.ndarray:
    """True integer proficiency (0-5) of every person on every skill, shape (n_people, n_skills)."""
    prm = _PARAMETERS["proficiency"]
    shift = np.array([prm["seniority_shift_by_level"][v] for v in range(1, 8)])[people["level"] - 1]
    n, k = len(people["level"]), lv_matrix.shape[1]
    person = rng.normal(0.0, prm["person_effect_sd"], size=n)
    noise = rng.normal(0.0, prm["noise_sd"], size=(n, k))
    value = onet.onet_level_to_proficiency(lv_matrix[people["occ"]]) + (shift + person)[:, None] + noise
    return np.clip(np.rint(value), 0, onet.PROFICIENCY_MAX).astype(np.int64)


def _requirements(occupations: pd.DataFrame, profiles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the goals and requirements tables from the O*NET profiles (deterministic, no randomness)."""
    att = _PARAMETERS["attrition"]
    shift = _PARAMETERS["proficiency"]["seniority_shift_by_level"]
    prof = profiles.merge(occupations[["onet_soc_code", "title", "department", "level_min", "level_max", "headcount_weight"]])

    def derive(codes_mask: pd.Series, skills: tuple[str, ...], at_level: int, offset: int = 0) -> list[tuple[str, int, float]]:
        sub = prof[codes_mask & prof["skill_id"].isin(skills)]
        w = sub["headcount_weight"].where(sub["headcount_weight"] > 0, 1.0)
        lvl = (onet.onet_level_to_proficiency(sub["level"]) * w).groupby(sub["skill_id"]).sum() / w.groupby(sub["skill_id"]).sum()
        imp = (sub["importance"] * w).groupby(sub["skill_id"]).sum() / w.groupby(sub["skill_id"]).sum()
        rows = []
        for s in skills:
            target = int(np.clip(np.floor(lvl[s] + shift[at_level] + 0.5) + offset, 1, onet.PROFICIENCY_MAX))
            rows.append((s, target, round(float(imp[s]), 2)))
        return rows

    def covers(lv: int) -> pd.Series:
        return (prof["level_min"] <= lv) & (prof["level_max"] >= lv)

    req: list[dict[str, Any]] = []

    def add(goal: str, rows: list[tuple[str, int, float]], **scope: Any) -> None:
        for s, target, imp in rows:
            req.append({"skill_id": s, "target_level": target, "importance": imp, "goal_id": goal, **scope})

    eng = prof["department"] == "Engineering"
    add("retain_junior_engineers", derive(eng & covers(3), _ENGINEERING_CORE, 3), department="Engineering", level_max=2)
    heads = prof["level_max"] >= 6
    add("leadership_pipeline", derive(heads, _LEADERSHIP, 4), level_min=3, level_max=5)
    data = prof["onet_soc_code"].isin(_DATA_SPECIALIST_CODES)
    add("ai_data_skills", derive(data, _DATA_LITERACY, 3, offset=-1))
    title_of = dict(zip(occupations["onet_soc_code"], occupations["title"]))
    for code in _DATA_UPSKILL_TITLES:
        add("ai_data_skills", derive(data, _DATA_UPSKILL_SKILLS, 4), job_title=title_of[code])
    cs = prof["department"] == "Customer Support"
    add("customer_excellence", derive(cs & covers(3), _CUSTOMER, 3), department="Customer Support")

    requirements = pd.DataFrame(req, columns=list(TABLE_COLUMNS["requirements"]))
    for col in ("department", "job_title"):
        requirements[col] = requirements[col].fillna("").astype(str)
    for col in ("level_min", "level_max"):
        requirements[col] = requirements[col].astype("Int64")
    requirements["target_level"] = requirements["target_level"].astype(np.int64)

    base = att["annual_exit_hazard_by_level"]
    eng_rate = 100 * (1 - np.exp(-np.mean([base[1], base[2]]) * att["department_multiplier"]["Engineering"]))
    goals = pd.DataFrame(list(_GOALS), columns=list(TABLE_COLUMNS["goals"]))
    goals.loc[goals["goal_id"] == "retain_junior_engineers", "baseline"] = round(float(eng_rate), 1)
    goals["baseline"] = goals["baseline"].astype(float)
    goals["target"] = goals["target"].astype(float)
    return goals, requirements


def _applicable(requirements: pd.DataFrame, dept: np.ndarray, title: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Boolean (n_people, n_requirements): does each requirement's scope cover each person?"""
    rd = requirements["department"].to_numpy(dtype=object)
    rt = requirements["job_title"].to_numpy(dtype=object)
    rmin = requirements["level_min"].fillna(0).to_numpy(dtype=np.int64)
    rmax = requirements["level_max"].fillna(99).to_numpy(dtype=np.int64)
    return (
        ((rd == "")[None, :] | (dept[:, None] == rd[None, :]))
        & ((rt == "")[None, :] | (title[:, None] == rt[None, :]))
        & (level[:, None] >= rmin[None, :])
        & (level[:, None] <= rmax[None, :])
    )


def _wants(rng, idx, people, prof, imp_matrix, requirements, skill_ids, skill_pos) -> np.ndarray:
    """';'-joined skill ids each mentee wants: largest gaps to applicable targets, else weak relevant skills."""
    cc = _PARAMETERS["current_cohort"]
    m = len(idx)
    if m == 0:
        return np.array([], dtype=object)
    app = _applicable(requirements, people["dept"][idx], people["title"][idx], people["level"][idx])
    r_skill = requirements["skill_id"].map(skill_pos).to_numpy()
    gap = requirements["target_level"].to_numpy()[None, :] - prof[idx][:, r_skill]
    score_r = np.where(app & (gap > 0), gap * requirements["importance"].to_numpy()[None, :], -np.inf)
    scores = np.full((m, len(skill_ids)), -np.inf)
    for j, s in enumerate(r_skill):  # one pass per requirement row (~25)
        scores[:, s] = np.maximum(scores[:, s], score_r[:, j])
    scores = scores + rng.random(scores.shape) * 0.5
    fallback = ~np.isfinite(scores).any(axis=1)
    imp = imp_matrix[people["occ"][idx]]
    # no gap to any applicable target: grow important skills of the own occupation instead
    alt = imp + rng.random(imp.shape) + np.where(prof[idx] < onet.PROFICIENCY_MAX, 10.0, 0.0)
    scores[fallback] = alt[fallback]
    k = _draw(rng, cc["wants_count_probabilities"], m).astype(np.int64)
    return _join_columns(_top_k(scores, k), skill_ids)


def _offers(rng, idx, people, prof, imp_matrix, skill_ids) -> np.ndarray:
    """';'-joined skill ids a mentor offers (their strongest relevant skills), blank for a random share."""
    cc = _PARAMETERS["current_cohort"]
    m = len(idx)
    if m == 0:
        return np.array([], dtype=object)
    p = prof[idx]
    imp = imp_matrix[people["occ"][idx]]
    relevant = imp >= _PARAMETERS["proficiency"]["relevance_min_importance"]
    strong = relevant & (p >= 4)
    ok = np.where(strong.any(axis=1)[:, None], strong, relevant & (p >= 3))
    scores = np.where(ok, p + imp / 10 + rng.random(p.shape) * 0.2, -np.inf)
    k = rng.integers(2, 5, size=m)
    out = _join_columns(_top_k(scores, k), skill_ids)
    out[rng.random(m) < cc["offers_blank_share"]] = ""
    return out


def _n_mentors(n_mentees: int, per_mentor: float) -> int:
    """Number of mentors for ``n_mentees`` at ``per_mentor`` mentees each, kept within 1:2 and 1:3."""
    if n_mentees < 2:
        return n_mentees
    return int(np.clip(round(n_mentees / per_mentor), -(-n_mentees // 3), n_mentees // 2))


def _past_cohort(rng, people, prof, as_of):
    """Select and match the past cohort; returns mentees, mentors, capacities, pairs and the eligible pool."""
    pc = _PARAMETERS["past_cohort"]
    cs = as_of - pc["start_days_before_as_of"]
    hire, exit_t, level = people["hire"], people["exit_t"], people["level"]
    at_start = _employed(hire, exit_t, cs)
    eligible = at_start & (hire <= cs - pc["min_tenure_days_at_start"]) & np.isin(level, pc["mentee_levels"]) & ~people["structural"]
    p = np.zeros(len(level))
    for lv, prob in pc["mentee_probability_by_level"].items():
        p[level == lv] = prob
    mentee = eligible & (rng.random(len(level)) < p)
    mentee_idx = np.flatnonzero(mentee)
    n_mentors = _n_mentors(len(mentee_idx), pc["mentees_per_mentor"])

    l3 = mentee_idx[level[mentee_idx] == 3]
    n_both = min(int(round(pc["share_of_mentors_also_mentee"] * n_mentors)), len(l3))
    both_idx = np.sort(rng.choice(l3, size=n_both, replace=False)) if n_both else np.array([], dtype=np.int64)
    pool = at_start & np.isin(level, pc["mentor_levels"]) & ~mentee
    log_w = np.where(pool, 0.6 * (level - 3) + 0.8 * _zscore(prof.mean(axis=1)), -np.inf)
    only_idx = _gumbel_top(rng, log_w, n_mentors - n_both)
    mentor_idx = np.concatenate([both_idx, only_idx]).astype(np.int64)
    cap = np.concatenate([
        _draw(rng, pc["both_capacity_probabilities"], n_both),
        _draw(rng, pc["mentor_capacity_probabilities"], len(only_idx)),
    ]).astype(np.int64)

    # Match from the most senior mentees down; a mentor is always more senior than the mentee.
    slots = np.repeat(mentor_idx, cap)
    used = np.zeros(len(slots), dtype=bool)
    pair_mentee: list[np.ndarray] = []
    pair_mentor: list[np.ndarray] = []
    for lv in sorted(pc["mentee_levels"], reverse=True):
        group = mentee_idx[level[mentee_idx] == lv]
        free = np.flatnonzero(~used & (level[slots] > lv))
        free = free[rng.permutation(len(free))][: len(group)]
        group = group[rng.permutation(len(group))][: len(free)]
        used[free] = True
        pair_mentee.append(group)
        pair_mentor.append(slots[free])
    pm = np.concatenate(pair_mentee).astype(np.int64)
    pr = np.concatenate(pair_mentor).astype(np.int64)
    order = np.argsort(pm, kind="stable")
    pm, pr = pm[order], pr[order]
    matched = np.zeros(len(level), dtype=bool)
    matched[pm] = True
    # Unmatched "both" people stay in the cohort as mentors only.
    return {
        "start": cs,
        "end": cs + pc["duration_days"],
        "eligible": eligible,
        "participant": matched,
        "mentor_idx": mentor_idx,
        "capacity": cap,
        "pair_mentee": pm,
        "pair_mentor": pr,
    }


def _latest_event(rng, rate_before: np.ndarray, rate_after: np.ndarray, hire: np.ndarray, change: int,
                  end: np.ndarray) -> np.ndarray:
    """Day of the latest event of a Poisson process (rates per year: ``rate_before`` until day ``change``,
    ``rate_after`` from it) between ``hire`` and ``end`` (exclusive), -1 when none."""
    n = len(hire)
    u = rng.random((n, 4))
    after_from = np.maximum(hire, change)
    spans = (np.maximum(end - after_from, 0).astype(float), np.maximum(np.minimum(end, change) - hire, 0).astype(float))
    found = []
    for (rate, span), (u_has, u_gap) in zip(((rate_after, spans[0]), (rate_before, spans[1])), ((0, 1), (2, 3))):
        lam = np.asarray(rate, float) / DAYS_PER_YEAR
        p = -np.expm1(-lam * span)
        gap = np.where(lam > 0, -np.log1p(-u[:, u_gap] * p) / np.where(lam > 0, lam, 1.0), 0.0)
        found.append((u[:, u_has] < p, gap))
    day = np.where(found[0][0], after_from + spans[0] - found[0][1],
                   np.where(found[1][0], np.minimum(end, change) - found[1][1], -1.0))
    has = (day >= 0) & (end - hire >= 2)
    return np.where(has, np.clip(np.floor(day), hire + 1, end - 1), -1).astype(np.int64)


def _careers(rng, people, past, exit_day, today) -> dict[str, np.ndarray]:
    """Each person's latest promotion day, latest internal move day (-1: none) and high-potential flag."""
    cr = _PARAMETERS["careers"]
    participant = past["participant"]
    end = np.minimum(exit_day, today)
    promote = np.array([cr["promotion_hazard_by_level"][v] for v in range(1, 8)])[people["level"] - 1]
    promoted = _latest_event(rng, promote, promote * np.where(participant, cr["promotion_hazard_ratio"], 1.0),
                             people["hire"], past["start"], end)
    move = np.full(len(end), cr["job_change_hazard"])
    moved = _latest_event(rng, move, move * np.where(participant, cr["job_change_hazard_ratio"], 1.0),
                          people["hire"], past["start"], end)
    flagged = (rng.random(len(end)) < cr["high_potential_share"]) & ~people["structural"]
    return {"promoted": promoted, "moved": moved, "high_potential": np.where(flagged, "yes", "")}


def _assessments(rng, past, current, rel, prof_levels, today) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dates of the current assessments (one per person), and who was assessed before the past cohort, when,
    and at which level (a matrix like ``prof_levels``)."""
    prm = _PARAMETERS["assessments"]
    n = len(current)
    latest = today - rng.integers(14, 121, size=n)
    earlier = past["eligible"] & current
    before = past["start"] - rng.integers(20, 81, size=n)
    p = np.where(past["participant"], prm["gain_probability"]["participant"], prm["gain_probability"]["others"])
    gain = rng.random(rel.shape) < p[:, None]
    return latest, np.where(earlier, before, -1), np.maximum(prof_levels - gain, 0)


def _zscore(x: np.ndarray) -> np.ndarray:
    """Standardise to mean 0 and sd 1 (sd 0 -> zeros)."""
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x, dtype=float)


def _meetings(rng, past, exit_day) -> pd.DataFrame:
    """Meeting log of the past cohort's pairs (cadence, jitter, skips, early fizzling, exits)."""
    pc = _PARAMETERS["past_cohort"]
    pm, pr = past["pair_mentee"], past["pair_mentor"]
    n = len(pm)
    max_meet = int(pc["duration_days"] // 5) + 2
    cadence = _draw(rng, pc["meeting_cadence_days_probabilities"], n).astype(float)
    first = past["start"] + rng.integers(3, 22, size=n)
    gaps = np.maximum(np.rint(cadence[:, None] + rng.normal(0, pc["meeting_jitter_sd_days"], size=(n, max_meet - 1))), 5)
    raw = first[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(gaps, axis=1)], axis=1)
    dow = raw.astype(np.int64) % 7  # 1970-01-01 was a Thursday: 2 = Saturday, 3 = Sunday
    day = raw + np.where(dow == 2, -1, np.where(dow == 3, 1, 0))  # Saturday -> Friday, Sunday -> Monday
    fizzle = rng.random(n) < pc["fizzle_share"]
    limit = np.where(fizzle, rng.choice(pc["fizzle_after_meetings"], size=n), max_meet)
    end = np.minimum(np.minimum(exit_day[pm], exit_day[pr]), past["end"] + 1)
    keep = (day < end[:, None]) & (np.arange(max_meet)[None, :] < limit[:, None])
    keep &= rng.random(keep.shape) >= pc["meeting_skip_probability"]
    keep[:, 0] = day[:, 0] < end  # the first meeting is never skipped if it can happen
    usual = _draw(rng, pc["meeting_minutes_probabilities"], n).astype(np.int64)
    other = _draw(rng, pc["meeting_minutes_probabilities"], n * max_meet).astype(np.int64).reshape(n, max_meet)
    minutes = np.where(rng.random((n, max_meet)) < 0.8, usual[:, None], other)
    minutes[:, 0] = np.maximum(minutes[:, 0], 45)
    rows, cols = np.nonzero(keep)
    return pd.DataFrame(
        {
            "mentee": pm[rows],
            "mentor": pr[rows],
            "day": day[rows, cols].astype(np.int64),
            "minutes": minutes[rows, cols],
        }
    )


def _survey(rng, past, exit_day) -> pd.DataFrame:
    """Pre/mid/post/follow-up survey of past-cohort mentees and a comparison group."""
    sv = _PARAMETERS["survey"]
    participant = np.flatnonzero(past["participant"])
    others = np.flatnonzero(past["eligible"] & ~past["participant"])
    n_comp = min(len(others), int(round(sv["comparison_to_participant_ratio"] * len(participant))))
    comparison = np.sort(rng.choice(others, size=n_comp, replace=False)) if n_comp else np.array([], dtype=np.int64)
    who = np.concatenate([participant, comparison]).astype(np.int64)
    is_p = np.arange(len(who)) < len(participant)
    order = np.argsort(who, kind="stable")
    who, is_p = who[order], is_p[order]
    n = len(who)
    constructs = sv["constructs"]
    general = rng.normal(0, sv["person_general_sd"], size=n)
    latent = (
        np.array([sv["baseline_mean"][c] for c in constructs])[None, :]
        + general[:, None]
        + rng.normal(0, sv["person_construct_sd"], size=(n, len(constructs)))
        + np.where(is_p, sv["participant_baseline_shift"], 0.0)[:, None]
    )
    effect = np.array([sv["program_effect"][c] for c in constructs])
    frames = []
    for wave, (lo, hi) in sv["wave_window_days"].items():  # four waves
        day = past["start"] + rng.integers(lo, hi + 1, size=n)
        rate = np.where(is_p, sv["response_rate"]["participant"][wave], sv["response_rate"]["comparison"][wave])
        respond = (rng.random(n) < rate) & (day < exit_day[who])
        value = (
            latent
            + sv["secular_change_by_wave"][wave]
            + np.where(is_p, sv["program_effect_fraction_by_wave"][wave], 0.0)[:, None] * effect[None, :]
            + rng.normal(0, sv["wave_noise_sd"], size=latent.shape)
        )
        items = np.clip(np.rint(value[:, :, None] + rng.normal(0, sv["item_sd"], size=(*value.shape, 4))), 1, 7)
        score = items.mean(axis=2)
        r = np.flatnonzero(respond)
        frames.append(
            pd.DataFrame(
                {
                    "who": np.repeat(who[r], len(constructs)),
                    "wave": wave,
                    "construct": np.tile(np.array(constructs, dtype=object), len(r)),
                    "score": score[r].reshape(-1),
                    "day": np.repeat(day[r], len(constructs)),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _demographics(rng, people: dict[str, np.ndarray], as_of: int) -> dict[str, np.ndarray]:
    """Location, time zone, gender, ethnicity, age band, name, e-mail stem (first.last) and languages per person."""
    n = len(people["level"])
    dept = people["dept"]
    loc_p = np.stack(_lookup(dept, _LOCATION_PROBS)).astype(float)
    loc_p[0] = np.eye(len(LOCATIONS))[0]  # the chief executive is in London
    loc = np.array(LOCATIONS, dtype=object)[_categorical(rng, loc_p)]
    tz = _lookup(loc, _LOCATION_TZ, "")
    remote = loc == "Remote-US"
    tz_names = np.array([t for t, _ in _REMOTE_US_TZ], dtype=object)
    tz[remote] = tz_names[_categorical(rng, np.tile([p for _, p in _REMOTE_US_TZ], (int(remote.sum()), 1)))]

    woman = _lookup(dept, _WOMAN_SHARE, 0.5).astype(float)
    g = _categorical(rng, np.column_stack([woman * 0.96, (1 - woman) * 0.96, np.full(n, 0.02), np.full(n, 0.02)]))
    gender = np.array(_GENDERS, dtype=object)[g]

    eth_p = np.stack(_lookup(loc, _ETHNICITY_PROBS)).astype(float)
    eth = np.array(_ETHNICITIES, dtype=object)[_categorical(rng, eth_p)]

    tenure_years = (as_of - people["hire"]) / DAYS_PER_YEAR
    experience = rng.exponential(5.0, size=n)  # years worked elsewhere beyond the usual career path
    age = 22 + 3.5 * (people["level"] - 1) + 0.5 * np.minimum(tenure_years, 25) + experience + rng.normal(0, 3, size=n)
    age = np.clip(age, 19, 68)
    age_band = np.array(_AGE_BANDS, dtype=object)[np.searchsorted([25, 35, 45, 55, 65], age, side="right")]

    # Name pool from ethnicity and location.
    pool_probs = np.full((n, len(_POOL_ORDER)), 1.0)
    pos = {p: i for i, p in enumerate(_POOL_ORDER)}

    def set_pool(mask: np.ndarray, weights: dict[str, float]) -> None:
        row = np.zeros(len(_POOL_ORDER))
        for k, v in weights.items():
            row[pos[k]] = v
        pool_probs[mask] = row

    set_pool(eth == "White", {"anglo": 1.0})
    set_pool((eth == "White") & (loc == "Berlin"), {"german": 0.85, "anglo": 0.15})
    set_pool(eth == "Asian", {"south_asian": 0.5, "east_asian": 0.5})
    set_pool((eth == "Asian") & np.isin(loc, ["Bangalore", "London"]), {"south_asian": 0.85, "east_asian": 0.15})
    set_pool((eth == "Asian") & (loc == "Singapore"), {"east_asian": 0.75, "south_asian": 0.25})
    set_pool(eth == "Black", {"african": 0.6, "anglo": 0.4})
    set_pool(eth == "Hispanic or Latino", {"hispanic": 0.9, "anglo": 0.1})
    pool = _categorical(rng, pool_probs)

    first = np.empty(n, dtype=object)
    last = np.empty(n, dtype=object)
    u_first = rng.random(n)
    u_last = rng.random(n)
    for i, name in enumerate(_POOL_ORDER):  # six pools
        fem, mal, sur = _NAME_POOLS[name]
        m = pool == i
        fem_a, mal_a, both_a = np.array(fem, dtype=object), np.array(mal, dtype=object), np.array(fem + mal, dtype=object)
        pick = np.where(gender == "woman", 0, np.where(gender == "man", 1, 2))
        f = np.where(
            pick == 0,
            fem_a[(u_first * len(fem_a)).astype(int)],
            np.where(pick == 1, mal_a[(u_first * len(mal_a)).astype(int)], both_a[(u_first * len(both_a)).astype(int)]),
        )
        first[m] = f[m]
        last[m] = np.array(sur, dtype=object)[(u_last * len(sur)).astype(int)][m]
    name = first + " " + last
    email_stem = pd.Series(first + "." + last, dtype=object).str.lower().to_numpy(dtype=object)

    # Languages: by location, name pool and a few random extras.
    lang = np.zeros((n, len(_LANGUAGES)), dtype=bool)
    L = {x: i for i, x in enumerate(_LANGUAGES)}
    r = rng.random((n, 8))
    lang[:, L["English"]] = (loc != "Berlin") | (r[:, 0] < 0.9)
    lang[:, L["German"]] = (loc == "Berlin") | ((pool == pos["german"]) & (r[:, 1] < 0.8)) | (r[:, 1] < 0.03)
    lang[:, L["Hindi"]] = ((loc == "Bangalore") & (r[:, 2] < 0.7)) | ((pool == pos["south_asian"]) & (r[:, 2] < 0.45))
    lang[:, L["Kannada"]] = (loc == "Bangalore") & (r[:, 3] < 0.4)
    lang[:, L["Tamil"]] = ((loc == "Bangalore") & (r[:, 4] < 0.15)) | ((loc == "Singapore") & (pool == pos["south_asian"]) & (r[:, 4] < 0.5))
    lang[:, L["Mandarin"]] = (pool == pos["east_asian"]) & (r[:, 5] < np.where(loc == "Singapore", 0.7, 0.4))
    lang[:, L["Malay"]] = (loc == "Singapore") & (r[:, 6] < 0.2)
    lang[:, L["Spanish"]] = ((pool == pos["hispanic"]) & (r[:, 7] < 0.75)) | (r[:, 7] > 0.94)
    lang[:, L["French"]] = rng.random(n) < 0.07
    lang[~lang.any(axis=1), L["English"]] = True
    choices = np.where(lang, np.arange(len(_LANGUAGES))[None, :], -1)
    languages = _join_columns(choices, np.array(_LANGUAGES, dtype=object))
    return {
        "location": loc, "timezone": tz, "gender": gender, "ethnicity": eth, "age_band": age_band,
        "name": name, "email_stem": email_stem, "languages": languages,
    }


def _assign_managers(rng, people: dict[str, np.ndarray], exit_day: np.ndarray, as_of: int) -> np.ndarray:
    """Manager index per person (-1 for the chief executive); see GENERATION_PARAMETERS['workforce']."""
    n = len(people["level"])
    level, dept, hire = people["level"], people["dept"], people["hire"]
    ceo = int(np.flatnonzero(level == 7)[0])
    ref = np.where(exit_day <= as_of, exit_day - 1, as_of)  # last day employed, or as_of
    manager = np.full(n, -1, dtype=np.int64)
    for d in np.unique(dept):  # one pass per department
        in_dept = dept == d
        for lv in range(1, 7):
            todo = np.flatnonzero(in_dept & (level == lv))
            for cand_lv in range(max(lv + 1, 4), 8):
                if len(todo) == 0:
                    break
                cand = np.flatnonzero(in_dept & (level == cand_lv)) if cand_lv < 7 else np.array([ceo])
                if len(cand) == 0:
                    continue
                for _ in range(12):  # rejection sampling: candidate must be employed on the reference day
                    if len(todo) == 0:
                        break
                    pick = cand[rng.integers(0, len(cand), size=len(todo))]
                    ok = _employed(hire[pick], exit_day[pick], ref[todo])
                    manager[todo[ok]] = pick[ok]
                    todo = todo[~ok]
                if cand_lv < 7 and len(todo):
                    # exact pass: everyone left whose tier has a valid candidate
                    valid = _employed(hire[cand][None, :], exit_day[cand][None, :], ref[todo][:, None])
                    has = valid.any(axis=1)
                    if has.any():
                        keys = np.where(valid[has], rng.random(valid[has].shape), -1.0)
                        manager[todo[has]] = cand[np.argmax(keys, axis=1)]
                        todo = todo[~has]
    manager[ceo] = -1
    return manager


# --------------------------------------------------------------------------- public API


def generate_organisation(
    n_people: int = 800, seed: int = 0, as_of: datetime.date = datetime.date(2026, 6, 30)
) -> dict[str, pd.DataFrame]:
    """Generate the demo organisation as a dict of tables (see ``TABLE_COLUMNS`` for the columns).

    ``n_people`` is the number of rows in ``people``: everyone employed at any time
    during the three years up to ``as_of``, including leavers (about two thirds
    are still employed on ``as_of``); at least 20. ``seed`` fixes all randomness
    (``numpy.random.SeedSequence`` children); the result is a pure function of the
    arguments. Tables: ``people``, ``skills``, ``proficiency`` (0-5 integers,
    current staff only, unknown = no row), ``goals``, ``requirements``,
    ``enrolment`` (past cohort ``as_of.year - 1`` and current cohort
    ``as_of.year``), ``preferences`` (current cohort), ``survey`` (past cohort,
    1-7 scale) and ``meetings`` (past cohort, minutes). True effects are in
    :data:`GENERATION_PARAMETERS`.
    """
    n_people = int(n_people)
    if n_people < MIN_PEOPLE:
        raise ValueError(f"n_people must be at least {MIN_PEOPLE}")
    occupations = onet.load_occupations()
    skills = onet.load_skills()
    profiles = onet.load_skill_profiles()
    lv_matrix = onet.profile_matrix("level", profiles, skills).loc[occupations["onet_soc_code"]].to_numpy()
    imp_matrix = onet.profile_matrix("importance", profiles, skills).loc[occupations["onet_soc_code"]].to_numpy()
    skill_ids = skills["skill_id"].to_numpy(dtype=object)
    skill_pos = {s: i for i, s in enumerate(skill_ids)}

    # a tenth stream (spawned after the others, so theirs are unchanged) for the sign-up survey
    # streams 11-12 (careers, dated assessments) likewise, spawned after the others
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(12)]
    r_work, r_prof, r_past, r_meet, r_survey, r_cur, r_pref, r_demo, r_mgr, r_sign_up, r_career, r_assess = streams
    today = _days(as_of)

    people = _simulate_workforce(r_work, occupations, n_people, today)
    people["title"] = occupations["title"].to_numpy(dtype=object)[people["occ"]]
    prof = _proficiency_matrix(r_prof, people, lv_matrix)

    # Past cohort, then its effect on retention (memoryless: rescale the remaining time).
    past = _past_cohort(r_past, people, prof, today)
    hr = _PARAMETERS["past_cohort"]["exit_hazard_ratio"]
    p = past["participant"] & (people["exit_t"] > past["start"])
    people["exit_t"] = np.where(p, past["start"] + (people["exit_t"] - past["start"]) / hr, people["exit_t"])
    exit_day = np.maximum(np.floor(np.minimum(people["exit_t"], 1e9)).astype(np.int64), people["hire"] + 1)
    left = exit_day <= today
    exit_day = np.where(left, exit_day, np.iinfo(np.int64).max)
    current = ~left

    manager = _assign_managers(r_mgr, people, exit_day, today)
    careers = _careers(r_career, people, past, exit_day, today)
    demo = _demographics(r_demo, people, today)
    goals, requirements = _requirements(occupations, profiles)

    # Stable person ids: by hire date, then simulation order.
    order = np.lexsort((np.arange(n_people), people["hire"]))
    rank = np.empty(n_people, dtype=np.int64)
    rank[order] = np.arange(n_people)
    width = max(5, len(str(n_people)))
    pid = ("P" + pd.Series(np.arange(1, n_people + 1)).astype(str).str.zfill(width)).to_numpy(dtype=object)[rank]

    people_df = pd.DataFrame(
        {
            "person_id": pid,
            "name": demo["name"],
            "email": demo["email_stem"],
            "department": people["dept"],
            "job_title": people["title"],
            "onet_soc_code": people["code"],
            "level": people["level"],
            "location": demo["location"],
            "timezone": demo["timezone"],
            "languages": demo["languages"],
            "manager_id": np.where(manager >= 0, pid[np.maximum(manager, 0)], ""),
            "hire_date": _iso(people["hire"]),
            "exit_date": _iso(np.where(left, exit_day, 0), blank=~left),
            "gender": demo["gender"],
            "ethnicity": demo["ethnicity"],
            "age_band": demo["age_band"],
            "promotion_date": _iso(np.maximum(careers["promoted"], 0), blank=careers["promoted"] < 0),
            "high_potential": careers["high_potential"],
            "job_change_date": _iso(np.maximum(careers["moved"], 0), blank=careers["moved"] < 0),
        }
    ).iloc[order].reset_index(drop=True)
    # e-mails first.last@example.com, numbered from the second holder of a name on (person_id order)
    dup = people_df.groupby("email").cumcount()
    people_df["email"] = people_df["email"].where(dup == 0, people_df["email"] + (dup + 1).astype(str)) + "@example.com"

    # Proficiency: current staff x relevant skills, minus a random missing share.
    prm = _PARAMETERS["proficiency"]
    relevant = imp_matrix[people["occ"]] >= prm["relevance_min_importance"]
    rel = relevant & current[:, None] & (r_prof.random(relevant.shape) >= prm["share_missing"])
    rows, cols = np.nonzero(rel[order])
    latest, before, earlier_level = _assessments(r_assess, past, current, rel, prof, today)
    again = before[order][rows] >= 0
    proficiency = pd.DataFrame(
        {"person_id": np.concatenate([pid[order][rows][again], pid[order][rows]]),
         "skill_id": np.concatenate([skill_ids[cols][again], skill_ids[cols]]),
         "level": np.concatenate([earlier_level[order][rows, cols][again], prof[order][rows, cols]]),
         "assessed_on": np.concatenate([_iso(before[order][rows][again]), _iso(latest[order][rows])]),
         "_row": np.concatenate([rows[again], rows]), "_col": np.concatenate([cols[again], cols])}
    ).sort_values(["_row", "_col", "assessed_on"], kind="stable").drop(columns=["_row", "_col"])

    # Enrolment: past cohort.
    cohort_past, cohort_now = str(as_of.year - 1), str(as_of.year)
    part_idx = np.flatnonzero(past["participant"])
    mentor_idx = past["mentor_idx"]
    enrol_frames = [
        _enrolment_rows(
            r_past, part_idx, mentor_idx, past["capacity"], people, prof, imp_matrix, requirements, skill_ids,
            skill_pos, cohort_past,
        )
    ]

    # Enrolment: current cohort.
    cc = _PARAMETERS["current_cohort"]
    level = people["level"]
    eligible = current & ~people["structural"] & np.isin(level, list(cc["mentee_probability_by_level"]))
    pm = np.zeros(n_people)
    for lv, prob in cc["mentee_probability_by_level"].items():
        pm[level == lv] = prob
    mentee = eligible & (r_cur.random(n_people) < pm)
    if mentee.sum() < 2 and eligible.sum() >= 2:
        mentee[r_cur.choice(np.flatnonzero(eligible), size=2, replace=False)] = True
    mentee_idx = np.flatnonzero(mentee)
    n_mentors = _n_mentors(len(mentee_idx), cc["mentees_per_mentor"])
    senior_mentees = mentee_idx[level[mentee_idx] >= 3]
    n_both = min(int(round(cc["share_of_mentors_also_mentee"] * n_mentors)), len(senior_mentees))
    both_idx = np.sort(r_cur.choice(senior_mentees, size=n_both, replace=False)) if n_both else np.array([], dtype=np.int64)
    pool = current & np.isin(level, cc["mentor_levels"]) & ~mentee
    log_w = np.where(pool, 0.6 * (level - 3) + 0.8 * _zscore(prof.mean(axis=1)), -np.inf)
    only_idx = _gumbel_top(r_cur, log_w, n_mentors - n_both)
    cur_mentors = np.concatenate([both_idx, only_idx]).astype(np.int64)
    cap = np.concatenate([
        _draw(r_cur, cc["both_capacity_probabilities"], n_both),
        _draw(r_cur, cc["mentor_capacity_probabilities"], len(only_idx)),
    ]).astype(np.int64)
    enrol_frames.append(
        _enrolment_rows(
            r_cur, mentee_idx, cur_mentors, cap, people, prof, imp_matrix, requirements, skill_ids, skill_pos,
            cohort_now,
        )
    )
    enrol = pd.concat(enrol_frames, ignore_index=True)
    values, style = _sign_up_answers(r_sign_up, n_people)
    enrol["values"], enrol["working_style"] = values[enrol["idx"].to_numpy()], style[enrol["idx"].to_numpy()]
    enrol["person_id"] = pid[enrol.pop("idx").to_numpy()]
    enrol = enrol.sort_values(["cohort", "person_id"], kind="stable").reset_index(drop=True)
    enrol["capacity"] = enrol["capacity"].astype("Int64")
    enrolment = enrol[list(TABLE_COLUMNS["enrolment"])]

    preferences = _preferences(r_pref, mentee_idx, cur_mentors, people, pid)

    meet = _meetings(r_meet, past, exit_day)
    meetings = pd.DataFrame(
        {
            "mentee_id": pid[meet["mentee"].to_numpy()],
            "mentor_id": pid[meet["mentor"].to_numpy()],
            "date": _iso(meet["day"].to_numpy()),
            "minutes": meet["minutes"].to_numpy(dtype=np.int64),
        }
    ).sort_values(["mentee_id", "date"], kind="stable").reset_index(drop=True)

    sv = _survey(r_survey, past, exit_day)
    wave_order = {w: i for i, w in enumerate(_PARAMETERS["survey"]["wave_window_days"])}
    survey = pd.DataFrame(
        {
            "person_id": pid[sv["who"].to_numpy()],
            "wave": sv["wave"].to_numpy(dtype=object),
            "construct": sv["construct"].to_numpy(dtype=object),
            "score": sv["score"].to_numpy(dtype=float),
            "date": _iso(sv["day"].to_numpy()),
        }
    )
    survey = (
        survey.assign(_w=survey["wave"].map(wave_order))
        .sort_values(["person_id", "_w"], kind="stable")
        .drop(columns="_w")
        .reset_index(drop=True)
    )

    tables = {
        "people": people_df,
        "skills": skills[list(TABLE_COLUMNS["skills"])].copy(),
        "proficiency": proficiency,
        "goals": goals,
        "requirements": requirements,
        "enrolment": enrolment,
        "preferences": preferences,
        "survey": survey,
        "meetings": meetings,
    }
    return {name: _tidy(df[list(TABLE_COLUMNS[name])]) for name, df in tables.items()}


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Use plain str dtype for text columns so tables compare and serialise consistently."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype(str)
    return out.reset_index(drop=True)


def _enrolment_rows(rng, mentee_idx, mentor_idx, capacity, people, prof, imp_matrix, requirements, skill_ids, skill_pos, cohort):
    """Enrolment rows (idx, role, capacity, wants, offers, cohort) for one cohort."""
    mentee_idx = np.asarray(mentee_idx, dtype=np.int64)
    mentor_idx = np.asarray(mentor_idx, dtype=np.int64)
    wants = _wants(rng, mentee_idx, people, prof, imp_matrix, requirements, skill_ids, skill_pos)
    offers = _offers(rng, mentor_idx, people, prof, imp_matrix, skill_ids)
    mentees = pd.DataFrame({"idx": mentee_idx, "wants": wants})
    mentors = pd.DataFrame({"idx": mentor_idx, "capacity": capacity.astype(float), "offers": offers})
    out = mentees.merge(mentors, on="idx", how="outer", sort=True)
    is_mentee = out["idx"].isin(mentee_idx)
    is_mentor = out["idx"].isin(mentor_idx)
    out["role"] = np.where(is_mentee & is_mentor, "both", np.where(is_mentor, "mentor", "mentee"))
    out["wants"] = out["wants"].fillna("").astype(str)
    out["offers"] = out["offers"].fillna("").astype(str)
    out["cohort"] = cohort
    return out[["idx", "role", "capacity", "wants", "offers", "cohort"]]


def _sign_up_answers(rng, n_people: int) -> tuple[np.ndarray, np.ndarray]:
    """Each person's sign-up survey: ``values`` (3 of 8 work values, ``;``-separated) and ``working_style``
    (5 answers on a 1-5 scale, ``;``-separated), the same for a person in every cohort."""
    survey = _PARAMETERS["sign_up_survey"]
    names = np.array(survey["values"], dtype=object)
    keys = rng.random((n_people, len(names)))
    chosen = np.sort(np.argsort(keys, axis=1)[:, :survey["values_per_person"]], axis=1)
    values = np.array([";".join(names[row]) for row in chosen], dtype=object)
    answers = np.clip(np.rint(3 + 1.1 * rng.standard_normal((n_people, len(survey["working_style_items"])))), 1, 5)
    style = np.array([";".join(str(int(a)) for a in row) for row in answers], dtype=object)
    return values, style


def _preferences(rng, mentee_idx, mentor_idx, people, pid) -> pd.DataFrame:
    """Ranked mentor choices (1 = first) for a minority of current mentees."""
    cc = _PARAMETERS["current_cohort"]
    cols = list(TABLE_COLUMNS["preferences"])
    if len(mentee_idx) == 0 or len(mentor_idx) == 0:
        return pd.DataFrame({c: pd.Series(dtype=("int64" if c == "rank" else "str")) for c in cols})
    rankers = mentee_idx[rng.random(len(mentee_idx)) < cc["share_of_mentees_with_preferences"]]
    k = _draw(rng, cc["preference_count_probabilities"], len(rankers)).astype(np.int64)
    same = people["dept"][rankers][:, None] == people["dept"][mentor_idx][None, :]
    w = 1.0 + 2.0 * same + np.maximum(people["level"][mentor_idx] - 3, 0)[None, :]
    log_w = np.where(rankers[:, None] == mentor_idx[None, :], -np.inf, np.log(w))
    keys = log_w + rng.gumbel(size=log_w.shape)
    choice = _top_k(keys, np.minimum(k, len(mentor_idx)))
    r, c = np.nonzero(choice >= 0)
    return pd.DataFrame(
        {
            "person_id": pid[rankers[r]],
            "ranks_person_id": pid[mentor_idx[choice[r, c]]],
            "rank": (c + 1).astype(np.int64),
        }
    ).sort_values(["person_id", "rank"], kind="stable").reset_index(drop=True)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Write each table to ``out_dir/<name>.csv`` and return the paths in ``tables`` order.

    Output is deterministic: UTF-8, '\\n' line endings, header row, rows and
    columns in the order given, floats with ``%.10g``, missing values as empty
    strings. ``out_dir`` is created if needed.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in tables.items():
        path = out_dir / f"{name}.csv"
        path.write_bytes(csv_text(df).encode("utf-8"))
        paths.append(path)
    return paths
