"""The evaluation report: one self-contained HTML page of an :class:`~workbench.evaluate.EvaluationResult`.

Like the design brief (:mod:`.brief`, whose styles and helpers it shares), the
page loads nothing: inline CSS, system fonts, charts inlined as SVG without
links, so it opens offline and prints to PDF. It follows Kirkpatrick's levels:
a summary with the caveats first, then reaction and learning (surveys),
behaviour (meetings), results (retention, promotion), ROI, the objectives'
scorecard, the outcome model's calibration, and how the figures were made.
Every figure says what it is compared with; no id, name or free-text answer
appears, and groups under five people are never shown.
:func:`turnover_html` is the shorter page of a turnover file.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.charts.evaluate import (
    SELF_SELECTION_NOTE,
    calibration_caption,
    calibration_chart,
    design_note,
    km_caption,
    km_chart,
    meetings_caption,
    meetings_chart,
    pairs_count,
    programs_caption,
    programs_chart,
    roi_caption,
    roi_chart,
    scorecard_caption,
    scorecard_chart,
    shown_count,
    survey_change_caption,
    survey_change_chart,
)
from workbench.charts.trajectories import trajectories_caption, trajectories_chart
from workbench.charts.whatif import format_effect
from workbench.privacy import MIN_GROUP, shown_rows
from workbench.errors import WorkbenchError
from workbench.evaluate.plan import PILOT_NAMES
from workbench.evaluate.programs import ALL_PROGRAMS, FEW_IN_SEVERAL, ProgramsEvaluation
from workbench.evaluate.result import EvaluationResult
from workbench.evaluate.scorecard import STATUSES, trajectory_table
from workbench.evaluate.turnover import TurnoverEvaluation
from workbench.reports.markup import CSS, chart_svg, escape, html_facts, html_table
from workbench.workspace import atomic_write_text, check_output_path

_EXTRA_CSS = """
.caveats { background: var(--warning-bg); border-left: 4px solid var(--warning); border-radius: 8px;
           padding: 10px 14px; margin: 0 0 16px; font-size: 14px; }
.caveats ul { margin: 4px 0 0; padding-left: 18px; }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 10px; margin: 0 0 18px; }
.headline div { background: var(--soft); border-radius: 8px; padding: 10px 12px; }
.headline strong { display: block; font-size: 20px; color: var(--accent); }
.headline span { font-size: 12.5px; color: var(--muted); }
figcaption { font-size: 13.5px; color: var(--muted); margin-top: 6px; }
"""

WAVE_NAMES = {"pre": "pre", "mid": "midpoint", "post": "end", "followup": "follow-up"}


def _num(value, digits: int = 2, *, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA:
        return "-"
    return f"{float(value):{'+' if signed else ''}.{digits}f}"


def _pct(value, digits: int = 1, *, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return f"{float(value) * 100:{'+' if signed else ''}.{digits}f}%"


def _points(value, kpi: str = "retention") -> str:
    """A difference of two shares, in percentage points (``+3.6 points``), as the what-if pages write effects."""
    return format_effect(kpi, value, sign=True)


def objectives_text(card: Sequence[Mapping]) -> tuple[str, str]:
    """The objectives' tile ``(value, words)`` in the scorecard's words, for the report, the pack and the app.

    ``("1", "objective not measured")`` when nothing could be measured, else
    ``("0 of 2", "objectives met (1 not met, 1 unclear)")``; ``card`` is the
    scorecard's rows (each with a ``status`` of
    :data:`~workbench.evaluate.scorecard.STATUSES`).
    """
    counts = {s: sum(r["status"] == s for r in card) for s in STATUSES}
    if counts["not measured"] == len(card):
        return f"{len(card)}", f"objective{'s' if len(card) != 1 else ''} not measured"
    others = ", ".join(f"{n} {s}" for s, n in counts.items() if n and s != "met")
    return f"{counts['met']} of {len(card)}", "objectives met" + (f" ({others})" if others else "")


def _p(value) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _chart_figure(chart, prefix: str, caption: str) -> str:
    return f'<figure class="chart">{chart_svg(chart, prefix=prefix)}<figcaption>{escape(caption)}</figcaption></figure>'


def _list(items: Sequence[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def _page(title: str, kicker: str, meta: Sequence[str], sections: Sequence[tuple[str, str, str]],
          footer: str) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">', f"<title>{escape(title)}</title>",
           f"<style>{CSS}{_EXTRA_CSS}</style>", "</head>", "<body>", "<main>",
           f'<header class="cover"><p class="kicker">{escape(kicker)}</p><h1>{escape(title)}</h1><p class="meta">'
           + "".join(f"<span>{escape(m)}</span>" for m in meta) + "</p></header>",
           '<nav class="contents" aria-label="Contents"><strong>Contents</strong><ol>'
           + "".join(f'<li><a href="#{anchor}">{escape(name)}</a></li>' for anchor, name, _ in sections)
           + "</ol></nav>"]
    for anchor, name, body in sections:
        out.append(f'<section id="{anchor}"><h2>{escape(name)}</h2>{body}</section>')
    out.append(f"<footer>{escape(footer)}</footer>")
    out.extend(["</main>", "</body>", "</html>", ""])
    return "\n".join(out)


def _outcome_tables(block: dict) -> str:
    """An outcome's shares at the horizon and by group (differences in percentage points), then how alike the
    groups are (the report's and the pack's)."""
    at = block.get("at_horizon")
    kpi = block.get("outcome", "retention")  # retention or promotion: both shares
    parts = []
    if at:
        rows = [(name, _pct(at[key]["share"]), f"{_pct(at[key]['low'])} to {_pct(at[key]['high'])}")
                for key, name in (("participants", f"Participants ({at['participants_people']})"),
                                  ("comparison", f"Comparison group, weighted ({at['comparison_people']})"))]
        d = at["difference"]
        rows.append(("Difference", _points(d["share"], kpi), f"{_points(d['low'], kpi)} to {_points(d['high'], kpi)}"))
        parts.append(f"<h3>{escape(block['label'])} after {block['horizon_months']:g} months</h3>"
                     + html_table(("Group", "Share", "95% interval"), rows, numeric=(1,), nowrap=(2,),
                                  css_class="compact")
                     + f'<p class="small">Participants did better in {_pct(at["p_better"], 0)} of bootstrap '
                       "resamples.</p>")
    elif "horizon_months" in block:  # an evaluation's block: its shares describe fewer than five people
        parts.append(f'<p class="small">{escape(block["label"])} after {block["horizon_months"]:g} months is not '
                     "shown: fewer than five people in one of the groups compared.</p>")
    by_group, hidden = shown_rows(block.get("by_group", []))
    if by_group:
        parts.append("<h3>By department and level</h3>" + html_table(
            ("Group", "Participants", "Comparison", "Participants' share", "Comparison's share", "Difference"),
            [(f"{r['variable']}: {r['value']}", str(r["participants"]), str(r["comparison"]),
              _pct(r["participants_share"]), _pct(r["comparison_share"]), _points(r["difference"], kpi))
             for r in by_group], numeric=(1, 2, 3, 4, 5))
            + (f'<p class="small">{hidden} group{"s are" if hidden != 1 else " is"} not shown: groups with fewer '
               "than five people in either group, and enough others that none can be worked out from the "
               "totals.</p>" if hidden else ""))
    balance = block.get("balance", [])
    if balance:
        shown, _ = shown_rows(balance)
        parts.append("<h3>How alike are the groups?</h3><p class=\"small\">Share of each group by department, level "
                     "and tenure band; the weights give the comparison group the participants' mix.</p>"
                     + html_table(("Characteristic", "Participants", "Comparison", "Comparison, weighted"),
                                  [(f"{r['variable'].replace('_', ' ')}: {r['value']}", _pct(r["participants"]),
                                     _pct(r["comparison"]), _pct(r["comparison_weighted"])) for r in shown],
                                   numeric=(1, 2, 3)))
    return "".join(parts)


def _adjustments(hr: dict) -> str:
    names = [f"{s} (each its own baseline)" for s in hr["strata"]]
    names += [c.replace("tenure_months", "tenure (months)") for c in hr["adjusted_for"]]
    return "adjusted for " + ", ".join(names) if names else "not adjusted"


def _outcome_section(block: dict, prefix: str, *, time_title: str = "Months since the cohort started",
                     comparison: str | None = None, note: str = SELF_SELECTION_NOTE) -> str:
    if not block.get("measured"):
        return f'<p class="none">{escape(block.get("reason", "Not measured."))}</p>'
    km = pd.DataFrame(block["km"])
    outcome = block["outcome"]
    horizon = block.get("horizon_months")
    caption = km_caption(km, outcome=outcome, horizon_months=horizon, logrank=block["logrank"],
                         hazard_ratio=block["hazard_ratio"], note=note)
    parts = [f"<p>{escape('Compared with: ' + block['comparison'] + '.')}</p>",
             _chart_figure(km_chart(km, outcome=outcome, horizon_months=horizon, time_title=time_title,
                              **({"comparison": comparison} if comparison else {})), prefix, caption)]
    rows = []
    if block["logrank"]:
        rows.append(("Log-rank test", f"chi-square {_num(block['logrank']['statistic'])}, "
                                      f"p = {_p(block['logrank']['p_value'])}"))
    hr = block["hazard_ratio"]
    if hr:
        rows.append(("Hazard ratio (Cox)", f"{_num(hr['estimate'])} (95% interval {_num(hr['low'])} to "
                                           f"{_num(hr['high'])}), p = {_p(hr['p_value'])}; {_adjustments(hr)}"))
    rows += [(f"People and events: {g['group']}", f"{g['people']} people, {g['events']} events"
              if g["people"] is not None else "not shown: fewer than five people") for g in block["groups"]]
    parts.append(html_facts(rows))
    parts.append(_outcome_tables(block))
    if block["notes"]:
        parts.append("<h4>Notes</h4>" + _list(block["notes"]))
    parts.append('<div class="caveats"><strong>Read with care</strong>' + _list(block["caveats"]) + "</div>")
    return "".join(parts)


def _headline(document: dict) -> str:
    """The key figures as tiles (the report's and the pack's): retention in points, the objectives as the
    scorecard says them."""
    cells = []
    at = document["retention"].get("at_horizon")
    if at:
        d = at["difference"]
        cells.append((_points(d["share"]), f"retention after {document['cohort']['horizon_months']} months, "
                                           f"participants minus comparison ({_points(d['low'])} to "
                                           f"{_points(d['high'])})"))
    hr = document["retention"]["hazard_ratio"]
    if hr:
        cells.append((_num(hr["estimate"]), f"hazard ratio of leaving ({_num(hr['low'])} to {_num(hr['high'])})"))
    if document["roi"]:
        r = document["roi"]["roi"]
        cells.append((_num(r["estimate"], signed=True), f"ROI ({_num(r['low'], signed=True)} to "
                                                        f"{_num(r['high'], signed=True)})"))
    if document["scorecard"]:
        cells.append(objectives_text(document["scorecard"]))
    b = document["behaviour"]
    if b["pairs"]:
        cells.append((_pct(b["share_of_cadence"], 0), "of the meetings the cadence plans were held"))
    return '<div class="headline">' + "".join(f"<div><strong>{escape(v)}</strong><span>{escape(t)}</span></div>"
                                              for v, t in cells) + "</div>"


def trial_html(trial: Mapping) -> str:
    """The pilot design's analysis against its frozen plan (``trial`` of the evaluation's JSON) as HTML: the plan,
    the design's estimate, the deviations and the design's caveats (the report's and the Evaluate page's)."""
    plan = trial["plan"]
    facts = [("Pilot design", f"{PILOT_NAMES.get(trial['design'], trial['design'])}, seed {plan['seed']}; plan "
                              f"frozen on {plan['frozen_on']} for cohort {plan['cohort']}"),
             ("Analysis", plan["analysis"]),
             ("Outcomes", f"the objectives {', '.join(plan['objectives']) or '(none set)'}, read after "
                          f"{plan['horizon_months']} months")]
    if plan["offered"] is not None:
        facts.append(("Allocation", f"{plan['offered']} applicants offered a place, {plan['waitlisted']} waitlisted"))
    parts = [html_facts(facts)]
    if trial["itt"]:
        def shown(row: Mapping, value: float, signed: bool = False) -> str:
            share = "share" in row["outcome"]
            return _points(value) if share and signed else _pct(value) if share else _num(value, signed=signed)

        parts.append("<h3>Offered minus waitlisted (intention to treat)</h3>" + html_table(
            ("Outcome", "Offered", "Waitlisted", "Difference (95% interval)", "p"),
            [(r["outcome"], shown(r, r["offered"]), shown(r, r["waitlisted"]),
              f"{shown(r, r['difference'], True)} ({shown(r, r['low'], True)} to {shown(r, r['high'], True)})",
              _p(r["p_value"])) for r in trial["itt"]], numeric=(1, 2, 4), nowrap=(3,)))
        parts.append(f'<p class="small">Randomisation-based intervals: the effects a test over '
                     f'{trial["itt"][0]["permutations"]:,} random re-draws of the arms does not reject at 5%.</p>')
    if trial["wedge"] is not None:
        wedge = trial["wedge"]
        estimate = (f"{_num(wedge['odds_ratio'])} ({_num(wedge['low'])} to {_num(wedge['high'])}), p "
                    f"{_p(wedge['p_value'])}" if wedge["odds_ratio"] is not None
                    else f"not estimated: {wedge['reason']}")
        parts.append("<h3>Stepped wedge</h3>" + html_facts([
            ("Odds of leaving in a period, started against waiting clusters", estimate),
            ("Data", f"{wedge['person_periods']:,} person-periods, {wedge['exits']} exits, {wedge['clusters']} "
                     f"clusters, {wedge['periods']} periods")]))
        parts.append(html_table(("Cluster", "Step", "Starts (months after the cohort start)"),
                                [(r["cluster"], str(r["step"]), str(r["starts_month"])) for r in trial["order"]],
                                numeric=(1, 2), css_class="compact"))
    parts.append("<h3>Deviations from the frozen plan</h3>"
                 + (_list(trial["deviations"]) if trial["deviations"] else '<p class="none">None found.</p>'))
    return "".join(parts)


def cohort_facts(doc: Mapping) -> list[tuple[str, str]]:
    """The evaluated cohort, its participants, its comparison group and the program of an evaluation's JSON
    ``doc`` as ``(label, text)`` rows (the report's and the pack's). A randomised waitlist compares everyone as
    drawn, so its participants are not said to be matched with non-participants."""
    c = doc["cohort"]
    matched = "" if (doc.get("trial") or {}).get("design") == "waitlist" else \
        f"; {shown_count(c['matched_participants'])} with comparable non-participants"
    return [
        ("Cohort", f"{c['name']}, started {c['start']} ({c['start_source']}); data to {c['as_of']} "
                   f"({c['follow_up_months']:.1f} months of follow-up)"),
        ("Participants", f"{c['participants']}, {c['participant_rule']}{matched}"),
        ("Comparison group", f"{shown_count(c['comparison_matched'])} of {c['comparison_pool']} "
                             f"{c['comparison_rule']}"),
        ("Program", f"{doc['design']['structure'].replace('_', '-')}, {doc['design']['cadence']}, "
                    f"{doc['design']['duration_months']} months; {c['mentors']} mentors, {c['pairs']} pairs, "
                    f"{c['meetings']} meetings"),
    ]


def trajectories_table_html(frame: pd.DataFrame) -> str:
    """The trajectories (``result.trajectories``) side by side as an HTML table (:func:`trajectory_table`): one
    row per objective, scope and cohort, one column per horizon; text escaped. Figures are the scorecard's, so
    a scope of fewer than five participants has its reason, never a figure."""
    paths = trajectory_table(frame)
    return html_table(tuple(paths.columns), paths.astype(str).to_numpy().tolist())


def evaluation_sections(result: EvaluationResult, *, key: str = "") -> tuple[str, list[tuple[str, str, str]]]:
    """The evaluation report's title and its sections ``(anchor, heading, HTML)``; ``key`` starts every anchor and
    chart id, so several evaluations can share one page."""
    doc = result.to_json()
    c = doc["cohort"]
    title = f"{doc['design']['name']}: cohort {c['name']}"
    note = design_note(doc)

    def _figure(chart, prefix: str, caption: str) -> str:  # chart ids start with the key
        return _chart_figure(chart, key + prefix, caption)

    summary = [_headline(doc), html_facts(cohort_facts(doc)),
               '<div class="caveats after-facts"><strong>Read with care</strong>' + _list(doc["caveats"]) + "</div>"]
    if doc["notes"]:
        summary.append("<h4>Left out</h4>" + _list(doc["notes"]))

    rates = doc["reaction"]["response_rates"]
    learning = ["<p class=\"lead\">Kirkpatrick levels 1-2: who answered the surveys, and how their answers "
                "changed from the pre survey.</p>"]
    if rates:
        learning.append("<h3>Response rates</h3>" + html_table(
            ("Wave", "Group", "Invited", "Answered", "Rate"),
            [(WAVE_NAMES.get(r["wave"], r["wave"]), r["group"], "-" if r["invited"] is None else str(r["invited"]),
              str(r["respondents"]), _pct(r["rate"], 0)) for r in rates], numeric=(2, 3, 4), css_class="compact"))
        waves = [w for w in ("post", "followup", "mid") if any(r["wave"] == w for r in doc["learning"]["change"])]
        for wave in waves[:2]:
            learning.append(_figure(survey_change_chart(result.change, wave=wave), f"survey-{wave}",
                                    survey_change_caption(result.change, wave=wave,
                                                          against=result.against_comparison, note=note)))
        shown = [r for r in doc["learning"]["change"] if not r["hidden"]]
        if shown:
            learning.append("<h3>Paired change from the pre survey</h3>" + html_table(
                ("Construct", "Wave", "Group", "Pairs", "Change (95% interval)", "p, Holm: t / Wilcoxon",
                 "d_z (95% interval)"),
                [(r["construct"].replace("_", " "), WAVE_NAMES.get(r["wave"], r["wave"]), r["group"],
                  f"{r['pairs']:.0f}", f"{_num(r['change'], signed=True)} ({_num(r['low'], signed=True)} to "
                                       f"{_num(r['high'], signed=True)})",
                  f"{_p(r['t_p_holm'])} / {_p(r['wilcoxon_p_holm'])}",
                  f"{_num(r['d_z'])} ({_num(r['d_z_low'])} to {_num(r['d_z_high'])})")
                 for r in shown], numeric=(3,), nowrap=(4, 5, 6)))
        against = doc["learning"]["against_comparison"]
        if against:
            learning.append("<h3>Against the comparison group's change</h3>" + html_table(
                ("Construct", "Wave", "Participants' change", "Comparison's change", "Difference", "95% interval",
                 "p (Holm)"),
                [(r["construct"].replace("_", " "), WAVE_NAMES.get(r["wave"], r["wave"]),
                  _num(r["participants_change"], signed=True), _num(r["comparison_change"], signed=True),
                  _num(r["difference"], signed=True),
                  f"{_num(r['low'], signed=True)} to {_num(r['high'], signed=True)}",
                  _p(r["p_holm"])) for r in against], numeric=(2, 3, 4, 6), nowrap=(5,)))
        learning.append('<div class="caveats"><strong>Read with care</strong>'
                        + _list(doc["learning"]["caveats"]) + "</div>")
    else:
        learning.append('<p class="none">No survey answers for this cohort.</p>')

    b = doc["behaviour"]
    behaviour = ["<p class=\"lead\">Kirkpatrick level 3: did pairs meet as the design planned?</p>"]
    if b["pairs"]:
        behaviour.append(_figure(meetings_chart(result.behaviour.distribution(),
                                                expected_per_pair=b["expected_per_pair"]), "meetings",
                                 meetings_caption(result.behaviour.summary)))
        behaviour.append(html_facts([
            ("Meetings", f"{b['meetings']} in {b['pairs']} pairs; median {_num(b['median_meetings_per_pair'], 1)} "
                         f"per pair; {_num(b['mean_minutes'], 0)} minutes on average"),
            ("Against the cadence", f"{_pct(b['share_of_cadence'], 0)} of the meetings a {b['cadence']} cadence "
                                    "expects over each pair's time together"),
            ("Health rule", f"no meeting for {b['inactivity_days']} days: {pairs_count(b['gone_quiet'])} pairs "
                            f"went quiet at some point, {pairs_count(b['closed_early'])} closed early, "
                            f"{pairs_count(b['ended_by_exit'])} ended by an exit"),
            ("Participants who never met", shown_count(b["participants_without_meetings"],
                                                       f"not shown (1 to {MIN_GROUP - 1}, or all but that few)")),
        ]))
        behaviour.append('<div class="caveats after-facts"><strong>Read with care</strong>'
                         + _list(b["caveats"]) + "</div>")
    else:
        behaviour.append('<p class="none">No meetings were logged for this cohort.</p>')

    results = ['<p class="lead">Kirkpatrick level 4: did participants stay (and move up) more than comparable '
               "colleagues who did not take part?</p>", "<h3>Retention</h3>",
               _outcome_section(doc["retention"], key + "km-retention", note=note), "<h3>Promotion</h3>",
               _outcome_section(doc["promotion"], key + "km-promotion", note=note)]

    roi = doc["roi"]
    roi_parts = []
    if roi:
        roi_parts.append(_figure(roi_chart(result.roi.distribution(), estimate=roi["roi"]["estimate"]), "roi",
                                 roi_caption(roi, note=note)))
        parts = roi["cost_breakdown"]
        roi_parts.append(html_table(("Item", f"Amount ({roi['currency']})"), [
            ("Meetings", f"{parts['meetings']:,.0f}"), ("Training", f"{parts['training']:,.0f}"),
            ("Coordination", f"{parts['coordination']:,.0f}"), ("Tools", f"{parts['tools']:,.0f}"),
            ("Program cost", f"{roi['cost']:,.0f}"),
            ("Replacement cost of one leaver", f"{roi['replacement_cost']:,.0f}"),
            ("Benefit: avoided exits x replacement cost",
             f"{roi['benefit']['estimate']:,.0f} ({roi['benefit']['low']:,.0f} to {roi['benefit']['high']:,.0f})"),
        ], numeric=(1,), css_class="compact"))
        roi_parts.append(f'<p class="small">Salary: {escape(roi["salary_source"])}; an hour of staff time costs '
                         f"{parts['hourly_cost']:,.2f} {escape(roi['currency'])}. {roi['resamples']:,} bootstrap "
                         "resamples.</p>")
        roi_parts.append('<div class="caveats"><strong>Read with care</strong>' + _list(roi["caveats"]) + "</div>")

    card = doc["scorecard"]
    scorecard = [_figure(scorecard_chart(result.scorecard), "scorecard",
                         scorecard_caption(result.scorecard, note=note))]
    if card:
        scorecard.append(html_table(
            ("Objective", "Measured on", "Measured as", "Baseline, target", "Observed (95% interval)", "Verdict",
             "Note"),
            [(r["objective"], r["scope"], f"{r['measure']} ({r['unit']})" if r["measure"] else "-",
              f"{_num(r['baseline'])}, {_num(r['target'])}",
              (f"{_num(r['observed'])} ({_num(r['low'])} to {_num(r['high'])})"
               + (f"; comparison {_num(r['comparison'])}" if r["comparison"] is not None else ""))
              if r["observed"] is not None else "-",
              r["status"] + (f" (P {r['p_met']:.0%})" if r["p_met"] is not None else ""), r["note"])
             for r in card]))
    if doc["trajectories"]:
        scorecard.append("<h3>Over time, cohort by cohort</h3>" + _figure(
            trajectories_chart(result.trajectories), "trajectories", trajectories_caption(result.trajectories)))
        scorecard.append(trajectories_table_html(result.trajectories))

    calibration = []
    if doc["calibration"]:
        cal = doc["calibration"]
        calibration.append(_figure(calibration_chart(result.calibration.forecast), "calibration",
                                   calibration_caption(result.calibration.forecast, result.calibration.fitted)))
        calibration.append("<h3>Starting values for the next cohort's scenarios</h3>" + html_table(
            ("Parameter", "Used in the forecast", "Fitted", "Interval", "How"),
            [(r["parameter"].replace("_", " "), _num(r["used"]), _num(r["fitted"]),
              _num(None) if r["low"] is None or r["high"] is None else f"{_num(r['low'])} to {_num(r['high'])}",
              r["note"]) for r in cal["fitted"]], numeric=(1, 2),
            nowrap=(3,)))
        base = cal["baseline"]
        calibration.append(f'<p class="small">Baseline attrition: the comparison group left at '
                           f"{_num(base['observed_comparison_hazard'], 3)} exits per person-year against the "
                           f"forecast's {_num(base['forecast_hazard'], 3)} for the same mix (ratio "
                           f"{_num(base['ratio'])}). {cal['runs']:,} runs, seed {cal['seed']}. "
                           + " ".join(escape(n) for n in cal["notes"]) + "</p>")
    else:
        calibration.append('<p class="none">The forecast was not run.</p>')

    method = html_facts([
        ("Participants", c["participant_rule"]),
        ("Comparison group", c["comparison_rule"] + "; people enrolled in a later cohort stay in the pool"),
        ("Survival", "Kaplan-Meier (SciPy ecdf, log-log intervals), log-rank test (SciPy), Cox model "
                     "(statsmodels PHReg, Efron ties) stratified by department, adjusted for level and tenure"),
        ("Shares and ROI", f"bootstrap with {doc['settings']['resamples']:,} resamples, each person keeping their "
                           f"matching weight; seed {doc['settings']['seed']}"),
        ("Surveys", "paired t-test and Wilcoxon signed-rank (SciPy), Holm-corrected across constructs; Cohen's "
                    "d_z with a noncentral-t interval; free text never read"),
        ("Privacy", "groups under five people are hidden; no ids or names appear"),
    ])
    sections = [("summary", "Summary", "".join(summary)),
                *([("design", "Pilot design", trial_html(doc["trial"]))] if doc.get("trial") else []),
                ("learning", "Reaction and learning", "".join(learning)),
                ("behaviour", "Behaviour", "".join(behaviour)), ("results", "Results", "".join(results)),
                ("roi", "Return on investment", "".join(roi_parts) or '<p class="none">Not computed.</p>'),
                ("scorecard", "Objectives", "".join(scorecard)), ("calibration", "Calibration", "".join(calibration)),
                ("method", "How the figures were made", method)]
    return title, [(key + anchor, name, html) for anchor, name, html in sections]


def evaluation_html(result: EvaluationResult, *, workspace_name: str = "", generated: datetime.date | None = None
                    ) -> str:
    """The evaluation as one self-contained HTML page (see the module docstring).

    ``generated`` is the date printed (default today); the same result and date
    give the same bytes.
    """
    day = generated or datetime.date.today()
    title, sections = evaluation_sections(result)
    meta = [f"Workspace: {workspace_name}" if workspace_name else "", f"Generated {day.isoformat()}",
            "Kirkpatrick levels 1-4 and ROI"]
    return _page(title, "Mentoring program evaluation", [m for m in meta if m], sections,
                 f"Generated by the mentoring program workbench on {day.isoformat()}. Levels after Kirkpatrick; "
                 "ROI after Phillips.")


def programs_table_rows(table: pd.DataFrame, currency: str | None) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """:meth:`ProgramsEvaluation.table` as the report and the Evaluate page show it: headers and text rows
    (figures about programs only; a program without figures says why)."""
    money = f" ({currency})" if currency else ""
    headers = ("Program", "Cohort", "Participants", "Pairs met", "Meetings vs cadence",
               "Hazard ratio of leaving (95%)", f"Cost{money}", "Avoided exits (95%)", "ROI (95%)")
    rows = []
    for r in table.to_dict("records"):
        total = r["program"] == ALL_PROGRAMS  # participants each counted once; pairs, meetings and money summed
        name = "All programs" if total else f"{r['program']}: {r['design']}"
        if not total and r["reason"]:
            rows.append((name, f"not evaluated: {r['reason']}", *[""] * 7))
            continue
        rows.append((
            name, str(r["cohort"]), (f"{r['participants']:.0f}" + (" (each person once)" if total else "")
                                     if pd.notna(r["participants"]) else f"hidden: {FEW_IN_SEVERAL}"),
            f"{r['pairs']:.0f}" + (" (summed)" if total else ""),
            _pct(r["share_of_cadence"], 0) if pd.notna(r["share_of_cadence"]) else "not pooled",
            f"{_num(r['hazard_ratio'])} ({_num(r['hazard_low'])} to {_num(r['hazard_high'])})"
            if pd.notna(r["hazard_ratio"]) else "-",
            f"{r['cost']:,.0f}" if pd.notna(r["cost"]) else "-",
            f"{_num(r['avoided_exits'], 1, signed=True)} ({_num(r['avoided_low'], 1, signed=True)} to "
            f"{_num(r['avoided_high'], 1, signed=True)})" if pd.notna(r["avoided_exits"]) else "-",
            f"{_num(r['roi'], signed=True)} ({_num(r['roi_low'], signed=True)} to {_num(r['roi_high'], signed=True)})"
            if pd.notna(r["roi"]) else "-"))
    return headers, rows


def totals_facts(document: dict) -> list[tuple[str, str]]:
    """Who took part and the money totals of an all-programs evaluation (``ProgramsEvaluation.to_json()``) as
    ``(label, text)`` rows, for the report and the Evaluate page (counts of 1-4 people are not shown)."""
    counts, t = document["pooled"]["counts"], document["totals"]
    several = counts["in_several"]
    took_part = (f"{FEW_IN_SEVERAL}, so how many people took part in any is not shown (each program's "
                 "participants minus it would give them away)" if several is None else
                 f"{counts['participants']} took part in a program (each counted once; {several} in more than one)")
    people = [("People", f"{took_part}; {counts['comparison']} colleagues eligible for a program took part in none")]
    if t["cost"] is None:
        return people + [("Money", t["reason"])]
    cur = t["currency"]
    return people + [
        ("Cost of all programs", f"{t['cost']:,.0f} {cur}, the sum of the programs' costs"),
        ("Avoided exits", f"{_num(t['avoided_exits']['estimate'], 1, signed=True)} (95% interval "
                          f"{_num(t['avoided_exits']['low'], 1, signed=True)} to "
                          f"{_num(t['avoided_exits']['high'], 1, signed=True)}), the programs' bootstrap draws added"),
        ("Net benefit", f"{t['net_benefit']['estimate']:,.0f} {cur} ({t['net_benefit']['low']:,.0f} to "
                        f"{t['net_benefit']['high']:,.0f})"),
        ("ROI of all programs", f"{_num(t['roi']['estimate'], signed=True)} (95% interval "
                                f"{_num(t['roi']['low'], signed=True)} to {_num(t['roi']['high'], signed=True)}), "
                                f"above zero in {_pct(t['roi']['p_positive'], 0)} of resamples"),
    ]


def programs_section(found: ProgramsEvaluation) -> str:
    """The all-programs section: the per-program table with the total row, the totals, the hazard ratios per
    program and pooled, and the pooled retention comparison."""
    doc = found.to_json()
    table = found.table()
    totals = doc["totals"]
    headers, rows = programs_table_rows(table, totals.get("currency"))
    parts = [f'<p class="lead">{len(found.names)} programs of this workspace, each evaluated on its own (the same '
             "figures as its own report below), then together.</p>",
             html_table(headers, rows, numeric=(2, 3, 4, 6), nowrap=(5, 7, 8))]
    if found.results:
        parts.append(html_facts(totals_facts(doc)))
        parts.append(_chart_figure(programs_chart(table), "all-programs-hazard", programs_caption(table)))
        parts.append("<h3>Retention pooled over all programs</h3>"
                     + _outcome_section(doc["pooled"]["retention"], "all-programs-km"))
    parts.append('<div class="caveats"><strong>Read with care</strong>' + _list(doc["caveats"]) + "</div>")
    return "".join(parts)


def programs_evaluation_html(found: ProgramsEvaluation, *, workspace_name: str = "",
                             generated: datetime.date | None = None) -> str:
    """Every program's evaluation as one self-contained HTML page: the all-programs section first, then each
    evaluated program's report sections (:func:`evaluation_sections`), headed by its id."""
    day = generated or datetime.date.today()
    sections = [("all-programs", "All programs", programs_section(found))]
    for program, result in found.results.items():
        _, parts = evaluation_sections(result, key=f"{program}-")
        sections += [(anchor, f"{program}: {name}", html) for anchor, name, html in parts]
    meta = [f"Workspace: {workspace_name}" if workspace_name else "", f"Generated {day.isoformat()}",
            f"{len(found.names)} programs", "Kirkpatrick levels 1-4 and ROI"]
    return _page("Every program's evaluation", "Mentoring program evaluation", [m for m in meta if m], sections,
                 f"Generated by the mentoring program workbench on {day.isoformat()}. Levels after Kirkpatrick; "
                 "ROI after Phillips.")


def turnover_html(result: TurnoverEvaluation, *, generated: datetime.date | None = None) -> str:
    """The retention comparison of a turnover file as one self-contained HTML page."""
    day = generated or datetime.date.today()
    doc = result.to_json()
    source = doc["source"]
    facts = html_facts([
        ("File", f"{source['file'] or 'a turnover table'}: {source['rows']:,} rows used"
                 + (f", {source['left_out']} left out for blank cells" if source["left_out"] else "")),
        ("Groups", f"{source['participants']:,} participants against {source['comparison']:,} others"),
        ("Hazard ratio adjusts for", ", ".join(source["covariates"]) or "nothing (no department or level column)"),
    ])
    body = facts + _outcome_section(doc["retention"], "km-turnover", time_title="Months of tenure",
                                    comparison="The comparison group: everyone in the file not marked as a "
                                               "participant.")
    return _page("Retention of program participants", "Turnover file evaluation",
                 [f"Generated {day.isoformat()}", "time in months of tenure"], [("retention", "Retention", body)],
                 f"Generated by the mentoring program workbench on {day.isoformat()}.")


def write_report(text: str, out: Path) -> Path:
    """Write a report's HTML to ``out`` atomically; refuse a missing folder or a folder as the target."""
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise WorkbenchError(f"The report is HTML: name the file .html, not {out.name!r}.")
    check_output_path(out)
    atomic_write_text(out, text)
    return out
