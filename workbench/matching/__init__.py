"""Matching mentees to mentors: who takes part (:mod:`.pool`), which pairs the hard rules allow
(:mod:`.rules`) and how well each allowed pair fits (:mod:`.scores`)."""
