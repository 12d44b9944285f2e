"""The ``workbench`` command: the same functions as the app, from a terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.matching.names import METHODS, SELECTION_METHODS, STRUCTURES


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``workbench`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Design, test and evaluate workplace mentoring programs (AXLES: Align, eXperience, "
                    "Launch, Evaluate, Support).",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    app = commands.add_parser(
        "app", help="serve the app in a browser (Voila) on 127.0.0.1, or published read-only behind a login",
        description="Serve the workbench app with Voila until Ctrl-C: on 127.0.0.1 for a workshop, or with "
                    "--publish read-only for stakeholders, behind the password set with --set-password, people "
                    "under pseudonyms.")
    app.add_argument("--port", type=int, default=8866, help="port to serve on (default 8866)")
    app.add_argument("--home", type=Path, default=None,
                     help="folder of workspaces (default $WORKBENCH_HOME or ./workspaces in the checkout)")
    app.add_argument("--workspace", default=None, help="workspace the pages open by default (default: demo)")
    app.add_argument("--publish", action="store_true",
                     help="serve read-only for stakeholders: login required, nothing can be saved, pseudonyms")
    app.add_argument("--ip", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1; any other needs --publish)")
    app.add_argument("--host-name", action="append", default=[], metavar="NAME",
                     help="a name stakeholders use to reach the app (repeatable); other names get 403")
    app.add_argument("--set-password", action="store_true",
                     help="read the published app's password from standard input, store it hashed, and exit")

    sample = commands.add_parser(
        "sample", help="generate a demo organisation as a new workspace",
        description="Generate a fictitious organisation (people, skills from real O*NET profiles, goals, "
                    "enrolment, a past cohort with surveys and meetings) as a new workspace folder, with a "
                    "design, a saved matching of the current cohort and a saved what-if comparison. "
                    "The same seed gives byte-identical files.")
    sample.add_argument("out", type=Path, help="folder to create (must not exist or be empty)")
    sample.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sample.add_argument("--people", type=int, default=800,
                        help="people in the three-year history, leavers included (default 800)")
    sample.add_argument("--name", default="Demo organisation", help="workspace name (default 'Demo organisation')")
    sample.add_argument("--no-story", dest="story", action="store_false",
                        help="tables only: no design, saved matching or what-if comparison")

    validate = commands.add_parser(
        "validate", help="check a workspace's tables against the data contracts",
        description="Check every table of a workspace against its contract and against the other tables. "
                    "Exit 0 when valid, 2 with a table of problems (file, row, column, value, problem) when not.")
    validate.add_argument("workspace", type=Path, help="workspace folder")
    validate.add_argument("--problems", type=Path, default=None, metavar="CSV",
                          help="also write every problem to this CSV file (safe to open in a spreadsheet)")

    importer = commands.add_parser(
        "import", help="import a CSV, TSV or Excel export into a workspace table",
        description="Read an export (CSV/TSV/XLSX; encoding and delimiter detected), rename and translate its "
                    "columns with a YAML mapping file, validate it, and save it as a workspace table. Nothing is "
                    "written unless the whole import is valid. The mapping is saved with the workspace and used "
                    "again, without --mapping, for a file that has all its columns. --suggest-mapping writes a "
                    "proposed mapping instead of importing.")
    importer.add_argument("source", type=Path, help="the file to import")
    importer.add_argument("--table", required=True, help="workspace table to replace (people, skills, ...)")
    importer.add_argument("--mapping", type=Path, default=None, help="YAML mapping file (see datasets/README.md)")
    importer.add_argument("--into", type=Path, required=True, metavar="WORKSPACE", help="workspace folder")
    importer.add_argument("--sheet", default=None, help="Excel sheet name (default: the first holding a value)")
    importer.add_argument("--suggest-mapping", type=Path, default=None, metavar="OUT.yaml",
                          help="write a proposed mapping for the file (from its headers and values, starting from "
                               "--mapping or the mapping saved with the workspace) to OUT.yaml, to check and pass "
                               "as --mapping; nothing is imported")
    importer.add_argument("--problems", type=Path, default=None, metavar="CSV",
                          help="also write every problem to this CSV file (safe to open in a spreadsheet)")

    brief = commands.add_parser(
        "brief", help="export the program design as a brief (HTML or Markdown)",
        description="Write the workspace's program design as a brief: every AXLES decision with the reason "
                    "given, its guidance and evidence, the objectives, the open findings of the checks and the "
                    "organisation. The HTML opens offline and prints to PDF, one AXLES step per page.")
    brief.add_argument("workspace", type=Path, help="workspace folder")
    brief.add_argument("--out", type=Path, required=True, metavar="FILE", help="file to write (.html or .md)")
    brief.add_argument("--format", choices=("html", "md"), default=None,
                       help="html or md (default: from the suffix of --out)")

    design = commands.add_parser("design", help="work with a workspace's program design (design.yaml)",
                                 description="Work with the program design saved as design.yaml in a workspace.")
    design.set_defaults(print_design_help=design.print_help)
    design_commands = design.add_subparsers(dest="design_command", metavar="SUBCOMMAND")
    check = design_commands.add_parser(
        "check", help="check the design for inconsistencies and risks",
        description="Check the workspace's design against itself and the workspace's data, and print each "
                    "finding (severity, title, explanation, fix), including objectives whose planned cohort cannot "
                    "detect the effect expected of them (minimum detectable effect). Exit 0 when no finding is an error, 2 when "
                    "one is or when design.yaml cannot be read.")
    check.add_argument("workspace", type=Path, help="workspace folder")

    gaps = commands.add_parser(
        "gaps", help="write skill gaps per person and skill, or per group, to a CSV file",
        description="Resolve requirements.csv for every employed person (department, job title and level scopes, "
                    "goal priorities), compare with proficiency.csv and write one row per person and required "
                    "skill: person_id, skill_id, current, target, gap (levels) and weighted_gap (gap x importance "
                    "x goal priority), blank where the level is unknown. With --by, write the aggregates per group "
                    "instead. The CSV is safe to open in a spreadsheet.")
    gaps.add_argument("workspace", type=Path, help="workspace folder")
    gaps.add_argument("--out", type=Path, required=True, metavar="CSV", help="file to write")
    gaps.add_argument("--by", choices=GAP_GROUPINGS, default=None, metavar="COLUMN",
                      help=f"aggregate per group: one of {', '.join(GAP_GROUPINGS)}")

    matcher = commands.add_parser(
        "match", help="match a cohort's mentees and mentors and write the pairs to a CSV file",
        description="Match the current cohort (or --cohort) of a workspace under its design.yaml: compatibility "
                    "scores from the design's criteria and weights, its hard rules and mentor capacities. Writes "
                    "one row per pair (mentee_id, mentor_id, group, round, score, one column per criterion in "
                    "0-1, reason) and one row per unmatched person (empty partner, reason), safe to open in a "
                    "spreadsheet, and prints the summary. The same seed gives the same file.")
    matcher.add_argument("workspace", type=Path, help="workspace folder")
    matcher.add_argument("--out", type=Path, required=True, metavar="CSV", help="file to write")
    matcher.add_argument("--method", choices=METHODS, default=None,
                         help="matching method (default: the design's matching objective)")
    matcher.add_argument("--structure", choices=STRUCTURES, default=None,
                         help="program structure (default: the design's)")
    matcher.add_argument("--seed", type=int, default=0, help="seed of the random methods (default 0)")
    matcher.add_argument("--cohort", default=None, help="cohort to match (default: the latest in enrolment.csv)")
    matcher.add_argument("--save", action="store_true",
                         help="also save the matching into the workspace (results/matching.csv, undoable)")
    matcher.add_argument("--program", default=None, metavar="ID",
                         help="match this program of the workspace (see `workbench programs`; default: the first)")
    matcher.add_argument("--all", action="store_true",
                         help="match every program of the workspace on the shared mentors, jointly (one exact solve)")
    matcher.add_argument("--priority", default=None, metavar="A,B,...", const="", nargs="?",
                         help="with --all: match the programs one after another in this order (default: as listed) "
                              "instead of jointly")
    programs = commands.add_parser(
        "programs", help="list, add or remove the programs of a workspace",
        description="A workspace holds one or more programs on the same people (peer, senior and reverse tiers, "
                    "say): the first is its design.yaml, each further one lives in programs/<id>/. Lists each "
                    "program with its structure and how many people enrolment.csv puts in it (column program; "
                    "blank = every program).")
    programs.add_argument("workspace", type=Path, help="workspace folder")
    programs.add_argument("--add", default=None, metavar="ID", help="add a program (a copy of the first one's design)")
    programs.add_argument("--remove", default=None, metavar="ID", help="remove a program and its saved results")
    undoer = commands.add_parser(
        "undo", help="undo the latest save of a workspace, or of one of its artefacts",
        description="Put files back as they were before a save. Each artefact of a workspace (the design, the "
                    "saved matching, each scenario, the saved what-if comparison, each data table) keeps its own "
                    "history of its last 10 saves, so undoing one leaves the others as they are. Without ARTEFACT "
                    "the workspace's latest save is undone, whatever it changed. Undo again to go further back.")
    undoer.add_argument("workspace", type=Path, help="workspace folder")
    undoer.add_argument("artefact", nargs="?", default=None,
                        help="design, matching, whatif, scenarios/<file name>, or a table (people or people.csv); "
                             "with --program, that program's")
    undoer.add_argument("--program", default=None, metavar="ID", help="the program whose artefact (default: the first)")
    undoer.add_argument("--list", action="store_true", help="list what can be undone, newest first; change nothing")
    selector = commands.add_parser(
        "select", help="choose a class of mentees from the cohort's applicants and write it to a CSV file",
        description="Choose a class from the current cohort's (or --cohort's) eligible mentee applicants under "
                    "the design's launch.selection: the best matchable class under the quotas (exact, OR-Tools "
                    "CBC: most mentees matched at once with the mentors' capacity, then the highest sum of pair "
                    "scores) or a seeded lottery within the quotas. Writes the class (safe to open in a "
                    "spreadsheet), prints how matchable it is, and with --report writes how it compares with the "
                    "applicant pool (groups of fewer than five applicants hidden). Nothing in the workspace changes.")
    selector.add_argument("workspace", type=Path, help="workspace folder")
    selector.add_argument("--out", type=Path, required=True, metavar="CSV", help="file to write the class to")
    selector.add_argument("--size", type=int, default=None, help="class size (default: the design's)")
    selector.add_argument("--method", choices=SELECTION_METHODS, default=None,
                          help="how to choose (default: the design's)")
    selector.add_argument("--quota", action="append", default=None, metavar="COLUMN[=VALUE]:BOUND",
                          help="a quota instead of the design's, repeatable: 'department:<=30%%', 'level:>=2', "
                               "'department=Sales:>=5,<=8'")
    selector.add_argument("--seed", type=int, default=None, help="seed of the lottery (default: the design's)")
    selector.add_argument("--cohort", default=None, help="cohort to choose from (default: the latest)")
    selector.add_argument("--report", type=Path, default=None, metavar="CSV",
                          help="also write the class compared with the pool")
    matcher.add_argument("--balance-by", default=None, metavar="COLUMN",
                         help="method balanced: the people.csv column whose groups' match rates are kept even "
                              "(default: the design's experience.balance.attribute)")
    matcher.add_argument("--gap", type=float, default=None, metavar="SHARE",
                         help="method balanced: largest difference between groups' match rates, 0-1 (0.1 = 10 "
                              "points; default: the design's experience.balance.gap)")
    matcher.add_argument("--skill", default=None, metavar="SKILL_ID",
                         help="structure functional: the skill mentors teach (default: the design's "
                              "experience.functional_skill, else its first focus skill)")
    launcher = commands.add_parser(
        "launch", help="randomise the pilot design's allocation and freeze the evaluation plan",
        description="Under the design's launch.pilot: a randomised waitlist draws (seeded) which of the current "
                    "cohort's (or --cohort's) eligible mentee applicants get the places now and who waits for the "
                    "next cohort; a staggered roll-out draws the order in which the clusters (departments, sites) "
                    "start. Prints the allocation and, with --out, writes it (safe to open in a spreadsheet). With "
                    "--freeze, saves the evaluation plan (pilot design, allocation, objectives, horizon, analysis) "
                    "in the workspace (undo with `workbench undo WORKSPACE plan`); Evaluate then analyses the "
                    "design that was run and reports any deviation from the plan.")
    launcher.add_argument("workspace", type=Path, help="workspace folder")
    launcher.add_argument("--program", default=None, metavar="ID", help="the program (default: the first)")
    launcher.add_argument("--cohort", default=None, help="cohort to allocate (default: the latest)")
    launcher.add_argument("--out", type=Path, default=None, metavar="CSV", help="file to write the allocation to")
    launcher.add_argument("--freeze", action="store_true", help="save the evaluation plan in the workspace")
    rematcher = commands.add_parser(
        "rematch", help="suggest new partners for pairs of the saved matching that went quiet or closed",
        description="Read the workspace's saved matching (results/matching.csv) against meetings.csv: pairs with "
                    "no meeting within the design's support.inactivity_days of the data's day are quiet, pairs "
                    "whose mentee or mentor left are closed. Working pairs stay as they are (their mentors' places "
                    "stay taken); the mentees of quiet and closed pairs get a new mentor, never their previous one. "
                    "Prints the summary and, with --out, writes one row per pair (status, reason, suggestion), "
                    "safe to open in a spreadsheet. Nothing in the workspace changes.")
    rematcher.add_argument("workspace", type=Path, help="workspace folder")
    rematcher.add_argument("--out", type=Path, default=None, metavar="CSV", help="file to write")
    rematcher.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                           help="the day to judge on (default: the data's day)")
    rematcher.add_argument("--method", choices=METHODS, default=None,
                           help="matching method for the suggestions (default: the design's)")
    simulator = commands.add_parser(
        "simulate", help="simulate the design or a saved scenario and write the result as JSON",
        description="Match the workspace's cohort under the design (or a saved scenario of it: --scenario) and "
                    "simulate the program's outcomes RUNS times against a simulated comparison group. Prints each "
                    "KPI (participants, comparison group, difference with its 95% interval) and writes every "
                    "figure, the seed, the runs and every parameter used as JSON (schema in the README's What-if "
                    "section). The same seed gives the same bytes.")
    simulator.add_argument("workspace", type=Path, help="workspace folder")
    simulator.add_argument("--scenario", default="design",
                           help="saved scenario (scenarios/*.yaml) to simulate (default: the design itself)")
    simulator.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs, at least 2 (default 1000)")
    simulator.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    simulator.add_argument("--horizon", type=int, default=None, metavar="MONTHS",
                           help="months to follow outcomes, 1-60 (default: 12 or the program's length if longer)")
    simulator.add_argument("--out", type=Path, required=True, metavar="JSON", help="file to write")
    simulator.add_argument("--program", default=None, metavar="ID",
                           help="simulate this program of the workspace: its design, scenarios and enrolment "
                                "(see `workbench programs`; default: the first)")
    simulator.add_argument("--all", action="store_true",
                           help="simulate every program of the workspace, matched together on the shared mentors "
                                "(jointly), each under its own design, and their total")
    simulator.add_argument("--priority", default=None, metavar="A,B,...", const="", nargs="?",
                           help="with --all: match the programs one after another in this order (default: as "
                                "listed) instead of jointly")

    comparer = commands.add_parser(
        "compare", help="simulate two to six scenarios side by side",
        description="Simulate each named scenario (saved in scenarios/, or 'design' for the design itself) with "
                    "its own random stream and print, per KPI, each scenario's effect with its 95% interval and "
                    "the probability that it does better than the first (the baseline). The same seed gives the "
                    "same figures, whatever the order or the number of workers.")
    comparer.add_argument("workspace", type=Path, help="workspace folder")
    comparer.add_argument("--scenarios", required=True, metavar="A,B[,C...]",
                          help="comma-separated scenario names; the first is the baseline")
    comparer.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs per scenario (default 1000)")
    comparer.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    comparer.add_argument("--horizon", type=int, default=None, metavar="MONTHS", help="months to follow outcomes")
    comparer.add_argument("--workers", type=int, default=1,
                          help="local worker processes (default 1: run here); results do not depend on it")
    comparer.add_argument("--out", type=Path, default=None, metavar="JSON",
                          help="also write every scenario's result and the comparison as JSON")
    comparer.add_argument("--program", default=None, metavar="ID",
                          help="compare scenarios of this program of the workspace (its design, scenarios and "
                               "enrolment; default: the first)")
    optimiser = commands.add_parser(
        "optimise", help="search the whole design for the designs on the frontier of cost against objectives",
        description="Search the design jointly (structure, cohort size, mentor capacity, duration, cadence, "
                    "meeting length, training, re-matching, matching weights, and up to three cohorts in a row on "
                    "the same mentor pool) with NSGA-II (Optuna) for the designs on the efficient frontier of "
                    "expected cost against the probability of reaching each objective of the design at its horizon "
                    "(without objectives: exits avoided), within the budget, the mentors' hours per month and the "
                    "mentor pool. Prints the frontier with what each design changes, and writes every candidate as "
                    "JSON. Exit 2 when no design is feasible, naming the constraint that binds. The same seed gives "
                    "the same designs, whatever the number of workers.")
    optimiser.add_argument("workspace", type=Path, help="workspace folder")
    optimiser.add_argument("--budget", type=float, default=None,
                           help="total budget in the design's currency (default: the design's budget, if any)")
    optimiser.add_argument("--candidates", type=int, default=200, help="designs to evaluate (default 200)")
    optimiser.add_argument("--runs", type=int, default=500, help="Monte Carlo runs per design (default 500)")
    optimiser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    optimiser.add_argument("--workers", type=int, default=2,
                           help="local worker processes (default 2; 1 runs here); results do not depend on it")
    optimiser.add_argument("--out", type=Path, required=True, metavar="JSON",
                           help="file to write every candidate and the frontier to")
    evaluator = commands.add_parser(
        "evaluate", help="evaluate a cohort that ran: surveys, meetings, retention against a comparison group, ROI",
        description="Evaluate a cohort of the program (default: the latest with meetings or survey answers) against "
                    "the workspace's design: survey response rates and paired change, meetings against the cadence, "
                    "retention (and promotion) of participants against eligible non-participants matched on "
                    "department, level and tenure (Kaplan-Meier, log-rank, Cox hazard ratio), ROI with a bootstrap "
                    "interval, the objectives' scorecard, and the outcome model's forecast against what happened. "
                    "Prints the headline figures; --out writes a self-contained HTML report, --json every figure "
                    "(schema in the README's Evaluate section). The same seed gives the same bytes. With several "
                    "programs: --program ID evaluates that one (default: the first); --all evaluates each, totals "
                    "cost, avoided exits and ROI, and pools retention over all of them (each person once).")
    evaluator.add_argument("workspace", type=Path, help="workspace folder")
    evaluator.add_argument("--program", default=None, metavar="ID",
                           help="evaluate this program of the workspace (see `workbench programs`; default: the first)")
    evaluator.add_argument("--all", action="store_true",
                           help="evaluate every program: each on its own, the totals, and retention pooled")
    evaluator.add_argument("--out", type=Path, default=None, metavar="HTML", help="write the report (HTML, offline)")
    evaluator.add_argument("--json", type=Path, default=None, metavar="FILE", help="write every figure as JSON")
    evaluator.add_argument("--cohort", default=None,
                           help="cohort to evaluate (default: the latest with meetings or survey answers)")
    evaluator.add_argument("--start", default=None, metavar="YYYY-MM-DD",
                           help="the cohort's start (default: its first meeting)")
    evaluator.add_argument("--horizon", type=int, default=None, metavar="MONTHS",
                           help="months after the start at which shares are read (default: the whole follow-up)")
    evaluator.add_argument("--participants", choices=EVALUATION_PARTICIPANTS, default="enrolled",
                           help="enrolled: every enrolled mentee, intention to treat (default); met: only mentees "
                                "with a meeting")
    evaluator.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and the forecast (default 0)")
    evaluator.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples (default 2000)")
    evaluator.add_argument("--runs", type=int, default=1000,
                           help="outcome-model runs for the calibration (default 1000; 0 skips it)")

    file_evaluator = commands.add_parser(
        "evaluate-file", help="retention of program participants from a turnover file (tenure, left, participant)",
        description="Compare the retention of program participants with everyone else in a turnover file: one row "
                    "per person with tenure in months, whether they left, whether they took part, and optionally "
                    "department and level. A YAML mapping (the format of 'workbench import') renames and translates "
                    "the columns onto months, left, participant, department and level. Prints Kaplan-Meier, log-rank "
                    "and Cox figures; --out writes an HTML report, --json every figure.")
    file_evaluator.add_argument("source", type=Path, help="the turnover file (CSV, TSV or Excel)")
    file_evaluator.add_argument("--mapping", type=Path, default=None, help="YAML mapping file")
    file_evaluator.add_argument("--sheet", default=None, help="Excel sheet name (default: the first holding a value)")
    file_evaluator.add_argument("--out", type=Path, default=None, metavar="HTML", help="write the report (HTML)")
    file_evaluator.add_argument("--json", type=Path, default=None, metavar="FILE", help="write every figure as JSON")

    publisher = commands.add_parser(
        "publish", help="write the offline stakeholder pack: static HTML pages with interactive charts",
        description="Write a folder of static HTML pages about the workspace's program for stakeholders: an "
                    "overview, the design (as in the brief), skill gaps, the saved matching's figures and fairness, "
                    "the saved what-if comparison and the latest evaluation (seeded, as 'workbench evaluate'). It "
                    "opens from disk or any static web host and loads nothing from outside: charts are drawn in the "
                    "page. Figures about groups only: no names, ids or e-mails; groups of fewer than five people "
                    "are hidden. Parts the workspace cannot supply yet get a page saying how to make them.")
    publisher.add_argument("workspace", type=Path, help="workspace folder")
    publisher.add_argument("--out", type=Path, required=True, metavar="DIR",
                           help="folder to write (new, empty, or an earlier pack, which is replaced)")
    publisher.add_argument("--force", action="store_true",
                           help="replace --out even when it is a non-empty folder that is not a pack")
    publisher.add_argument("--seed", type=int, default=0, help="seed of the evaluation (default 0)")
    return parser


#: How ``workbench evaluate --participants`` reads participants (:data:`workbench.evaluate.PARTICIPANT_RULES`).
EVALUATION_PARTICIPANTS = ("enrolled", "met")
#: What ``workbench gaps --by`` accepts (the groupings of :func:`workbench.gaps.aggregate`).
GAP_GROUPINGS = ("department", "job_title", "level", "goal", "skill_id")
#: Columns of ``workbench gaps`` without ``--by``.
GAP_CSV_COLUMNS = ("person_id", "skill_id", "current", "target", "gap", "weighted_gap")


SHOWN_PROBLEMS = 50


def _report_problems(problems, heading: str, out: Path | None, kind: str = "problem") -> None:
    frame = problems.frame
    print(f"{heading}: {len(frame):,} {kind}{'s' if len(frame) != 1 else ''}", file=sys.stderr)
    print(problems.text(SHOWN_PROBLEMS) + ("" if out or len(frame) <= SHOWN_PROBLEMS
                                           else " (use --problems FILE.csv to get them all)"), file=sys.stderr)
    if out is not None:
        from workbench.exports import safe_csv_text
        from workbench.workspace import atomic_write_text

        atomic_write_text(out, safe_csv_text(frame))
        print(f"All problems written to {out}", file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    from workbench.data.importing import validate_workspace, workspace_warnings
    from workbench.workspace import open_workspace

    workspace = open_workspace(args.workspace)
    problems = validate_workspace(workspace)
    if problems.ok:
        counts = ", ".join(f"{table} {rows:,}" for table, rows in workspace.row_counts().items())
        print(f"{workspace.path}: valid ({counts})")
    else:
        _report_problems(problems, f"{workspace.path} is not valid", args.problems)
    warnings = workspace_warnings(workspace)
    if not warnings.ok:
        _report_problems(warnings, f"{workspace.path}: values to check (they do not make it invalid)", None,
                         kind="warning")
    return 0 if problems.ok else 2


def _import(args: argparse.Namespace) -> int:
    from workbench.data.tables import TABLES
    from workbench.data.importing import import_table, saved_mapping
    from workbench.data.reading import DataFileError, read_table_file
    from workbench.workspace import MAPPINGS_DIR, open_workspace

    workspace = open_workspace(args.into)
    sheet = int(args.sheet) if args.sheet is not None and args.sheet.isdigit() else args.sheet
    if args.suggest_mapping is not None:
        return _suggest_mapping(args, workspace, sheet)
    mapping = args.mapping
    saved = saved_mapping(workspace, args.table) if mapping is None and args.table in TABLES else None
    if saved is not None:
        try:
            headers = read_table_file(args.source, sheet=sheet).columns
        except DataFileError:
            headers = []  # the import says why the file cannot be read
        if headers and all(source in headers for source in saved.columns):
            mapping = saved
            print(f"Using the mapping {args.table}.csv was last imported with ({MAPPINGS_DIR}/{args.table}.yaml): "
                  "the file has all its columns.")
    result = import_table(args.source, args.table, workspace, mapping, sheet=sheet)
    if result.ok:
        print(f"Imported {result.rows:,} rows from {result.source} as {args.table}.csv in {workspace.path} "
              f"(revision {result.workspace.settings.revision}).")
        for note in result.notes:
            print(note)
        if mapping is not None and mapping is not saved:
            print(f"The mapping is saved with the workspace as {MAPPINGS_DIR}/{args.table}.yaml, for the next "
                  "export of the same system.")
        return 0
    _report_problems(result.problems, f"{args.source} was not imported, nothing was changed", args.problems)
    if mapping is None and result.problems.frame["problem"].str.startswith("required column").any():
        print(f"The file's columns are not named as {args.table}.csv's: run the same command with "
              "--suggest-mapping MAPPING.yaml to get a proposed mapping, check it, then import with "
              "--mapping MAPPING.yaml.", file=sys.stderr)
    return 2


def _suggest_mapping(args: argparse.Namespace, workspace, sheet: str | int | None) -> int:
    from workbench.data.tables import TABLES
    from workbench.data.importing import read_workspace_tables, saved_mapping
    from workbench.data.reading import DataFileError, load_mapping, read_table_file
    from workbench.data.suggest import mapping_yaml, suggest_mapping
    from workbench.workspace import atomic_write_text

    if args.table not in TABLES:
        raise WorkbenchError(f"'{args.table}' is not a known table; known tables are {', '.join(TABLES)}.")
    try:
        raw = read_table_file(args.source, sheet=sheet)
        previous = load_mapping(args.mapping) if args.mapping is not None else saved_mapping(workspace, args.table)
    except DataFileError as err:
        raise WorkbenchError(str(err)) from None
    existing, _ = read_workspace_tables(workspace)
    suggestion = suggest_mapping(raw, args.table, previous=previous, existing=existing)
    atomic_write_text(args.suggest_mapping, mapping_yaml(suggestion.mapping))
    print(f"Proposed mapping of {raw.file} onto {args.table}.csv (confidence 0-1):")
    for choice in suggestion.choices:
        where = (f"'{choice.source}'" if choice.source is not None else
                 f"the constant '{choice.default}'" if choice.default is not None else "nothing")
        print(f"  {choice.column} <- {where} ({choice.confidence:.2f}): {choice.reason}")
    if suggestion.unused:
        print(f"Kept as extra columns: {', '.join(repr(h) for h in suggestion.unused)}.")
    if suggestion.missing:
        print(f"No column found for the required column{'s' if len(suggestion.missing) != 1 else ''} "
              f"{', '.join(suggestion.missing)}: name the file's column under 'columns' or give a constant under "
              "'defaults' before importing.")
    print(f"Wrote {args.suggest_mapping}: check it, then import with --mapping {args.suggest_mapping}. "
          "Nothing was imported.")
    return 0


def _sample(args: argparse.Namespace) -> None:
    from workbench.data.sample import MIN_PEOPLE
    from workbench.story import write_organisation

    if args.people < MIN_PEOPLE:
        raise WorkbenchError(f"--people must be at least {MIN_PEOPLE}, not {args.people}.")
    workspace = write_organisation(args.out, n_people=args.people, seed=args.seed, name=args.name, story=args.story)
    counts = ", ".join(f"{table} {rows:,}" for table, rows in workspace.row_counts().items())
    print(f"Wrote {workspace.path}: {counts}")


def _brief(args: argparse.Namespace) -> None:
    from workbench.reports.brief import brief_format, write_brief
    from workbench.design.store import load_design
    from workbench.readiness import checked_with_power
    from workbench.workspace import open_workspace

    format = brief_format(args.out, args.format)
    workspace = open_workspace(args.workspace)
    findings, power = checked_with_power(workspace, load_design(workspace))
    path = write_brief(workspace, args.out, format=format, findings=findings, power=power)
    errors = sum(f.severity == "error" for f in findings)
    print(f"Wrote the design brief to {path}: {len(findings)} open finding{'s' if len(findings) != 1 else ''}"
          + (f" ({errors} error{'s' if errors != 1 else ''})" if errors else "") + ".")


SEVERITY_LABELS = {"error": "ERROR", "warning": "WARNING", "info": "NOTE"}


def _design_check(args: argparse.Namespace) -> int:
    import textwrap

    from workbench.design.store import load_design
    from workbench.readiness import checked_with_power
    from workbench.workspace import open_workspace

    workspace = open_workspace(args.workspace)
    design = load_design(workspace)
    order = {severity: rank for rank, severity in enumerate(SEVERITY_LABELS)}
    findings = sorted(checked_with_power(workspace, design)[0], key=lambda f: order.get(f.severity, len(order)))
    counts = {severity: sum(f.severity == severity for f in findings) for severity in SEVERITY_LABELS}
    summary = ", ".join(f"{n} {SEVERITY_LABELS[s].lower()}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    print(f"{workspace.path}: design {design.name!r}: {summary or 'no findings'}")
    for finding in findings:
        label = SEVERITY_LABELS.get(finding.severity, finding.severity.upper())
        print(f"\n{label:<8} {finding.title}")
        for heading, text in (("", finding.explanation), ("Fix: ", finding.fix),
                              ("Decisions: ", "; ".join(finding.decisions))):
            if text.strip():
                print(textwrap.fill(" ".join(f"{heading}{text}".split()), width=100, initial_indent=" " * 9,
                                    subsequent_indent=" " * 9))
    return 2 if counts["error"] else 0


def _gaps(args: argparse.Namespace) -> None:
    from workbench.data.importing import typed_tables
    from workbench.exports import safe_csv_text
    from workbench.gaps import aggregate, coverage, person_gaps
    from workbench.workspace import atomic_write_text, open_workspace

    workspace = open_workspace(args.workspace)
    missing = [f"{name}.csv" for name in ("people", "requirements") if not workspace.table_path(name).is_file()]
    if missing:
        raise WorkbenchError(f"{workspace.path} has no {' and no '.join(missing)}: skill gaps need the people and "
                             "their requirements. Import them first (workbench import ... --table people).")
    tables = typed_tables(workspace, ("people", "requirements", "proficiency", "goals"))
    gaps = person_gaps(tables)
    if args.by:
        from workbench.gaps import hide_small_cells

        grouped = aggregate(gaps, args.by).round(6)
        # a row serves several goals, so goals add up to no total; skills' rows add up to the requirements printed
        frame = hide_small_cells(grouped, [args.by], complementary=args.by != "goal")
    else:
        frame = gaps.loc[:, list(GAP_CSV_COLUMNS)].assign(gap=gaps["gap"].astype("Int64"),
                                                            weighted_gap=gaps["weighted_gap"].round(6))
    atomic_write_text(args.out, safe_csv_text(frame))
    summary = coverage(gaps)
    share = f"{summary['share']:.1%}" if summary["share"] is not None else "none"
    print(f"Wrote {len(frame):,} row{'s' if len(frame) != 1 else ''} to {args.out}: "
          f"{gaps['person_id'].nunique():,} people, {gaps['skill_id'].nunique():,} required skills, "
          f"{summary['assessed']:,} of {summary['required']:,} person-skill requirements assessed ({share}).")


def _matching_design(design, args: argparse.Namespace):
    """The design with ``--balance-by``, ``--gap`` and ``--skill`` applied (checked as design.yaml is)."""
    from pydantic import ValidationError

    from workbench.design.model import Experience

    exp = design.experience.model_dump()
    exp["balance"] = {**exp["balance"], **{k: v for k, v in (("attribute", args.balance_by), ("gap", args.gap))
                                           if v is not None}}
    if args.skill is not None:
        exp["functional_skill"] = args.skill
    try:
        return design.model_copy(update={"experience": Experience.model_validate(exp)})
    except ValidationError as error:
        raise WorkbenchError("These matching settings are not valid: " + "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in error.errors()) + ".") from None


def _date(text: str):
    import datetime

    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _rematch(args: argparse.Namespace) -> None:
    from workbench.data.importing import typed_tables
    from workbench.design.store import load_design
    from workbench.matching import saved_matching
    from workbench.matching.rematching import rematch_saved
    from workbench.workspace import atomic_write_text, open_workspace

    workspace = open_workspace(args.workspace)
    saved = saved_matching(workspace)
    if saved is None:
        raise WorkbenchError(f"{workspace.path} has no saved matching (results/matching.csv): match and save one "
                             "first (workbench match ... --save, or Save on the Matching page).")
    tables = typed_tables(workspace)
    found = rematch_saved(tables, load_design(workspace), saved, as_of=args.as_of, method=args.method)
    if args.out is not None:
        atomic_write_text(args.out, found.csv())
        print(f"Wrote {len(found.pairs):,} pair{'s' if len(found.pairs) != 1 else ''} to {args.out}.")
    print("\n".join(found.summary_lines()))


def _match(args: argparse.Namespace) -> int:
    from workbench.data.importing import typed_tables
    from workbench.design.store import load_design
    from workbench.matching import match, save_matching
    from workbench.matching.programs import check_mentors
    from workbench.matching.scores import design_criterion_problems
    from workbench.organisation import current_cohort
    from workbench.workspace import atomic_write_text, open_workspace

    workspace = open_workspace(args.workspace)
    tables = typed_tables(workspace)
    if args.all or args.priority is not None:
        return _match_programs(args, workspace, tables)
    cohort = args.cohort
    workspace, tables = _one_program(workspace, tables, args.program)
    design = _matching_design(load_design(workspace), args)
    if args.program is not None:
        cohort = cohort or current_cohort(tables["enrolment"])[0]
        check_mentors(workspace.program_id, design, tables, cohort)
    # the scorer checks the design's own criteria too, but only this knows the workspace's sensitive columns
    problems = design_criterion_problems(design, [t for n, t in tables.items() if n in ("people", "enrolment")],
                                         sensitive=workspace.settings.sensitive)
    if problems:
        raise WorkbenchError("\n".join(problems) + "\nNothing was written.")
    result = match(tables, design, method=args.method, structure=args.structure, seed=args.seed, cohort=cohort)
    atomic_write_text(args.out, result.csv())
    program = f"Program {workspace.program_id} ({design.name}): " if args.program is not None else ""
    print(f"{program}Wrote {len(result.pairs):,} pair{'s' if len(result.pairs) != 1 else ''} and "
          f"{len(result.unmatched):,} unmatched {'person' if len(result.unmatched) == 1 else 'people'} to {args.out}.")
    print("\n".join(result.summary_lines()))
    if result.unstable:
        print("workbench: the stable method left blocking pairs, so nothing was saved; please report it with the "
              "workspace.", file=sys.stderr)
        return 1
    if result.settings["method"] == "balanced" and result.summary()["structure"] != "peer":
        rates = result.by_group(design.experience.balance.attribute)
        print(f"Match rate per {design.experience.balance.attribute} (groups under five people hidden):")
        for row in rates.itertuples(index=False):
            print(f"  {row[0]}: " + ("hidden (a small group, or one that would give a small group away)"
                                     if row.hidden else f"{row.matched} of {row.people} ({row.match_rate:.0%})"))
    if args.save:
        saved = save_matching(workspace, result)
        print(f"Saved the matching into {saved.path} (revision {saved.settings.revision}; undo restores the last).")
    return 0


def _one_program(workspace, tables, program: str | None):
    """The workspace scoped to ``program`` (the first when ``None``) and ``tables`` with that program's enrolment."""
    from workbench.programs import program_ids, scoped_tables
    from workbench.workspace import program_scope

    if program is not None:
        if program not in program_ids(workspace):
            raise WorkbenchError(f"{workspace.path} has no program {program!r}; its programs are: "
                                 f"{', '.join(program_ids(workspace))}.")
        workspace = program_scope(workspace, program)
    return workspace, scoped_tables(workspace, tables)


def _programs_mode(args: argparse.Namespace) -> tuple[str, list[str] | None]:
    """``--all [--priority A,B]``: the mode and order of matching every program (refused with ``--program``)."""
    if args.priority is not None and not args.all:
        raise WorkbenchError("--priority orders the programs of --all; add --all.")
    if args.all and args.program is not None:
        raise WorkbenchError("Give either --program ID or --all, not both.")
    order = [p.strip() for p in args.priority.split(",") if p.strip()] if args.priority else None
    return ("joint" if args.priority is None else "priority"), order


def _match_programs(args: argparse.Namespace, workspace, tables) -> int:
    """``match --all [--priority A,B]``: every program of the workspace on the shared mentors."""
    import pandas as pd

    from workbench.exports import safe_csv_text
    from workbench.matching.programs import match_programs, save_programs_matching
    from workbench.programs import load_programs
    from workbench.workspace import atomic_write_text

    programs = load_programs(workspace)
    mode, order = _programs_mode(args)
    if args.method is not None or args.structure is not None:
        raise WorkbenchError("--method and --structure apply to one program: with --all each program uses its own "
                             "design (the joint solve maximises matched mentees + total score).")
    found = match_programs(tables, {p: prog.design for p, prog in programs.items()}, mode=mode, order=order,
                           seed=args.seed, cohort=args.cohort)
    frames = [r.table().assign(program=p) for p, r in found.results.items()]
    table = pd.concat(frames, ignore_index=True)
    numbers = table.select_dtypes("float").columns
    table[numbers] = table[numbers].round(4)
    atomic_write_text(args.out, safe_csv_text(table[["program", *[c for c in table.columns if c != "program"]]]))
    print(f"Wrote {sum(len(r.pairs) for r in found.results.values()):,} pairs of {len(frames)} programs to "
          f"{args.out} (column program).")
    print("\n".join(found.lines()))
    if args.save:
        saved = save_programs_matching(workspace, found)
        print(f"Saved every program's matching (revision {saved.settings.revision}; undo restores the last).")
    return 0


def _programs(args: argparse.Namespace) -> None:
    from workbench.data.columns import text_column
    from workbench.data.importing import checked_tables
    from workbench.programs import add_program, enrolled_in, load_programs, program_ids, remove_program
    from workbench.workspace import open_workspace

    workspace = open_workspace(args.workspace)
    if args.add:
        add_program(workspace, args.add)
        print(f"Added the program {args.add!r} (a copy of the first program's design) in "
              f"{workspace.path / 'programs' / args.add}.")
    if args.remove:
        remove_program(workspace, args.remove)
        print(f"Removed the program {args.remove!r} (undo restores it).")
    workspace = open_workspace(args.workspace)
    programs = load_programs(workspace)
    enrolment = checked_tables(workspace, ["enrolment"]).get("enrolment")
    counts = enrolled_in(enrolment, program_ids(workspace)) if enrolment is not None else {}
    roles = text_column(enrolment, "role") if enrolment is not None else None
    print(f"{len(programs)} program{'s' if len(programs) != 1 else ''} in {workspace.path} (default priority order):")
    for p, program in programs.items():
        exp = program.design.experience
        enrolled = ""
        if p in counts:
            rows = counts[p]
            enrolled = (f"; enrolled rows: {int((rows & roles.isin(['mentee', 'both'])).sum()):,} mentee, "
                        f"{int((rows & roles.isin(['mentor', 'both'])).sum()):,} mentor (all cohorts)")
        print(f"  {p}: {program.design.name} ({exp.structure.replace('_', '-')}, at most {exp.mentor_capacity} "
              f"mentees per mentor){enrolled}")


def _undo(args: argparse.Namespace) -> None:
    from workbench.data.tables import TABLES
    from workbench.workspace import (artefact_label, history, imported_with, open_workspace, program_ids, program_scope,
                                     undo)

    workspace = open_workspace(args.workspace)
    if args.program is not None and args.program not in program_ids(workspace):
        raise WorkbenchError(f"{args.workspace}: there is no program {args.program!r}; the programs are "
                             f"{', '.join(program_ids(workspace))}.")
    workspace = program_scope(workspace, args.program)
    versions = history(workspace)
    if args.list:
        print(f"{len(versions)} save{'s' if len(versions) != 1 else ''} of {workspace.path} can be undone"
              + (", newest first (artefact: what the save did):" if versions else "."))
        for v in versions:
            print(f"  {v.saved_at}  {v.artefact}: {v.message}")
        return
    key = None
    if args.artefact is not None:
        name = args.artefact.strip()
        key = workspace.artefact(f"{name}.csv" if name in TABLES else name)
        if not any(v.artefact == key for v in versions):
            undoable = sorted({v.artefact for v in versions})
            raise WorkbenchError(f"{args.workspace}: there is nothing to undo for {artefact_label(key)}; "
                                 + (f"what can be undone: {', '.join(undoable)}." if undoable
                                    else "no save of this workspace can be undone."))
        chosen = [v for v in versions if v.artefact == key][:1]
        chosen += imported_with(versions, chosen)
    else:
        chosen = [v for v in versions if v.seq == versions[0].seq] if versions else []
    undone = undo(workspace, key)
    for v in chosen:
        after = (f"{v.label} is back as it was before it" if any(v.files.values())
                 else f"{v.label} is gone again (there was none before it)")
        print(f"Undone: {v.message} (saved {v.saved_at}); {after}.")
    print(f"{undone.path} is at revision {undone.settings.revision}; `workbench undo --list` shows what else can be "
          "undone.")


def _select(args: argparse.Namespace) -> None:
    from workbench.data.importing import typed_tables
    from workbench.design.store import load_design
    from workbench.matching.selection import quota_from_text, select_cohort
    from workbench.workspace import atomic_write_text, open_workspace

    workspace = open_workspace(args.workspace)
    if args.size is not None and args.size < 1:
        raise WorkbenchError(f"--size must be at least 1, not {args.size}.")
    if args.seed is not None and args.seed < 0:
        raise WorkbenchError(f"--seed must be 0 or more, not {args.seed}.")
    quotas = None if args.quota is None else [quota_from_text(q) for q in args.quota]
    tables = typed_tables(workspace)
    result = select_cohort(tables, load_design(workspace), size=args.size, method=args.method, quotas=quotas,
                           seed=args.seed, cohort=args.cohort, sensitive=workspace.settings.sensitive)
    atomic_write_text(args.out, result.csv())
    print(f"Wrote the class of {result.summary['class_size']:,} to {args.out}.")
    if args.report is not None:
        from workbench.exports import safe_csv_text
        atomic_write_text(args.report, safe_csv_text(result.report()))
        print(f"Wrote the class compared with the pool to {args.report}.")
    print("\n".join(result.summary_lines()))


def _launch(args: argparse.Namespace) -> None:
    from workbench.data.importing import typed_tables
    from workbench.design.store import load_design
    from workbench.evaluate.plan import freeze_plan, plan_for
    from workbench.exports import safe_csv_text
    from workbench.programs import scoped_tables
    from workbench.workspace import atomic_write_text, open_workspace, program_ids, program_scope

    workspace = open_workspace(args.workspace)
    if args.program is not None and args.program not in program_ids(workspace):
        raise WorkbenchError(f"{args.workspace}: there is no program {args.program!r}; the programs are "
                             f"{', '.join(program_ids(workspace))}.")
    workspace = program_scope(workspace, args.program)
    plan = plan_for(scoped_tables(workspace, typed_tables(workspace)), load_design(workspace), cohort=args.cohort)
    print("\n".join(plan.lines()))
    if args.out is not None and len(plan.allocation.columns) > 1:
        atomic_write_text(args.out, safe_csv_text(plan.allocation))
        print(f"Wrote the allocation to {args.out}.")
    elif args.out is not None:
        print(f"Open enrolment allocates nobody: nothing was written to {args.out}.")
    if args.freeze:
        saved = freeze_plan(workspace, plan)
        print(f"Froze the evaluation plan in {saved.path} (undo with `workbench undo {args.workspace} plan`).")


class _ProgressBar:
    """A progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, stream=None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.live or total <= 0:
            return
        filled = int(self.width * min(done, total) / total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {message[:40]:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r" + " " * (self.width + 56) + "\r")
            self.stream.flush()


#: Most runs a command accepts (run-level KPIs are kept in memory: about 200 bytes a run).
MAX_RUNS = 1_000_000


def _simulation_tables(args: argparse.Namespace):
    """The workspace of checked run settings and every table it has (one program's: :func:`_simulation_inputs`)."""
    from workbench.data.importing import typed_tables
    from workbench.workspace import open_workspace

    if not 2 <= args.runs <= MAX_RUNS:
        raise WorkbenchError(f"--runs must be from 2 to {MAX_RUNS:,}, not {args.runs}.")
    if args.seed < 0:
        raise WorkbenchError(f"--seed must be 0 or more, not {args.seed}.")
    if args.horizon is not None and not 1 <= args.horizon <= 60:
        raise WorkbenchError(f"--horizon must be 1 to 60 months, not {args.horizon}.")
    workspace = open_workspace(args.workspace)
    tables = typed_tables(workspace)
    missing = [f"{name}.csv" for name in ("people", "enrolment") if name not in tables]
    if missing:
        raise WorkbenchError(f"{workspace.path} has no {' and no '.join(missing)}: a simulation needs the people "
                             "and the cohort's enrolment. Import them first.")
    return workspace, tables


def _simulation_inputs(args: argparse.Namespace):
    """The workspace scoped to ``--program`` (the first by default), its tables and its design."""
    from workbench.design.store import load_design
    from workbench.matching.programs import check_mentors
    from workbench.organisation import current_cohort

    workspace, tables = _simulation_tables(args)
    program = getattr(args, "program", None)
    workspace, tables = _one_program(workspace, tables, program)
    design = load_design(workspace)
    if program is not None:
        check_mentors(program, design, tables, current_cohort(tables["enrolment"])[0])
    return workspace, tables, design


def _kpi_lines(result) -> list[str]:
    import numpy as np

    def show(value: float, unit: str, signed: bool = False) -> str:
        if unit.startswith("share"):
            return f"{value * 100:+.1f}" if signed else f"{value * 100:.1f}%"
        if unit == "currency" or abs(value) >= 1000:
            return f"{value:+,.0f}" if signed else f"{value:,.0f}"
        return f"{value:+.2f}" if signed else f"{value:.2f}"

    lines = [f"  {'KPI':<46}{'participants':>30}{'comparison':>12}  {'difference [95% interval]':<32}P(better)"]
    for row in result.kpis().itertuples():
        unit = row.unit
        if np.isnan(row.comparison_mean):
            value = f"{show(row.participants_mean, unit)} [{show(row.participants_low, unit)}, " \
                    f"{show(row.participants_high, unit)}]"
            lines.append(f"  {row.label:<46}{value:>30}")
            continue
        points = " pts" if unit.startswith("share") else ""
        effect = result.effect(row.kpi)
        better = float(((effect > 0) if row.higher_is_better else (effect < 0)).mean())
        difference = f"{show(row.difference_mean, unit, True)}{points} [{show(row.difference_low, unit, True)}, " \
                     f"{show(row.difference_high, unit, True)}]"
        lines.append(f"  {row.label:<46}{show(row.participants_mean, unit):>30}{show(row.comparison_mean, unit):>12}"
                     f"  {difference:<32}{better:>8.0%}")
    lines.append("  (intervals: 95% confidence interval of the mean over runs; P(better): share of runs in which "
                 "participants do strictly better than the comparison group)")
    return lines


def _simulate(args: argparse.Namespace) -> None:
    from workbench.whatif import budget_check, load_scenario, run_scenarios
    from workbench.workspace import atomic_write_text

    if args.all or args.priority is not None:
        return _simulate_programs(args)
    workspace, tables, design = _simulation_inputs(args)
    scenario = load_scenario(workspace, args.scenario)
    bar = _ProgressBar()
    try:
        result = run_scenarios(tables, design, [scenario], runs=args.runs, seed=args.seed,
                               horizon_months=args.horizon, executor=False, progress=bar)[scenario.name]
    finally:
        bar.close()
    document = result.to_json()
    budget = budget_check(result)
    if budget is not None:
        document["budget"] = budget
    atomic_write_text(args.out, _json_text(document))
    c = result.cohort
    program = f"Program {workspace.program_id} ({design.name}): " if args.program is not None else ""
    print(f"{program}Scenario {result.name!r} of {workspace.path}: {c['participants']:,} participants, "
          f"{c['mentors']:,} mentors, {c['unmatched_mentees']:,} mentees unmatched; {result.runs:,} runs, "
          f"seed {args.seed}, {result.horizon_months}-month horizon.")
    print("\n".join(_kpi_lines(result)))
    if budget is not None:
        print(f"Budget {budget['budget']:,.0f} {budget['currency']}: expected cost {budget['expected_cost']:,.0f}, "
              f"within budget in {budget['p_within']:.0%} of runs.")
    print(f"Wrote {args.out}.")


def _simulate_programs(args: argparse.Namespace) -> None:
    """``simulate --all [--priority A,B]``: every program matched together, each simulated, and the total."""
    import numpy as np

    from workbench.programs import load_programs
    from workbench.whatif import FORECAST_MEANS, simulate_programs
    from workbench.workspace import atomic_write_text

    mode, order = _programs_mode(args)
    if args.scenario != "design":
        raise WorkbenchError("--scenario applies to one program: with --all each program is simulated under its own "
                             "design (use --program ID --scenario NAME for a scenario of one program).")
    workspace, tables = _simulation_tables(args)
    programs = load_programs(workspace)
    bar = _ProgressBar()
    try:
        found = simulate_programs(tables, {p: prog.design for p, prog in programs.items()}, mode=mode, order=order,
                                  runs=args.runs, seed=args.seed, horizon_months=args.horizon, progress=bar)
    finally:
        bar.close()
    atomic_write_text(args.out, _json_text(found.to_json()))
    how = "jointly" if found.mode == "joint" else f"in priority order {' > '.join(found.order)}"
    print(f"{len(found.order)} programs of {workspace.path} matched together on the shared mentors ({how}); "
          f"{found.runs:,} runs each, seed {found.seed}, {found.horizon_months}-month horizon.")
    table = found.table()
    shown = lambda x, fmt: "–" if np.isnan(x) else format(x, fmt)
    header = f"  {'program':<14}{'participants':>13}  {'exits avoided [95% interval]':<30}{'cost':>12}  " \
             f"{'ROI [95% interval]':<24}{'P(within budget)':>16}"
    print(header)
    for row in table.itertuples(index=False):
        exits = "–" if np.isnan(row.exits_avoided) else \
            f"{row.exits_avoided:.2f} [{row.exits_avoided_low:.2f}, {row.exits_avoided_high:.2f}]"
        roi = "–" if np.isnan(row.roi) else f"{row.roi:+.2f} [{row.roi_low:+.2f}, {row.roi_high:+.2f}]"
        print(f"  {row.program:<14}{row.participants:>13,}  {exits:<30}{shown(row.cost, ',.0f'):>12}  {roi:<24}"
              f"{shown(row.p_within_budget, '.0%'):>16}")
    for row in table.itertuples(index=False):
        if row.note:
            print(f"  {row.program}: {row.note}.")
    print(FORECAST_MEANS)
    print(f"Wrote {args.out}.")


def _compare(args: argparse.Namespace) -> None:
    import json

    from workbench.whatif import (MAX_COMPARED, budget_table, comparison_display, comparison_table, load_scenario,
                                  local_executor, run_scenarios)
    from workbench.workspace import atomic_write_text

    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    if not 2 <= len(names) <= MAX_COMPARED:
        raise WorkbenchError(f"--scenarios takes 2 to {MAX_COMPARED} names separated by commas, not {len(names)}.")
    if len(set(names)) < len(names):
        raise WorkbenchError("--scenarios names a scenario twice.")
    if args.workers < 1:
        raise WorkbenchError(f"--workers must be at least 1, not {args.workers}.")
    workspace, tables, design = _simulation_inputs(args)
    scenarios = [load_scenario(workspace, name) for name in names]
    bar = _ProgressBar()
    executor = local_executor(args.workers) if args.workers > 1 else False
    try:
        batch = run_scenarios(tables, design, scenarios, runs=args.runs, seed=args.seed,
                              horizon_months=args.horizon, executor=executor, progress=bar)
    finally:
        bar.close()
        if executor:
            executor.shutdown()
    results = batch.finished()
    table = comparison_table(results, baseline=0)
    print(f"{len(results)} scenarios of {workspace.path}, {args.runs:,} runs each, seed {args.seed}; effects "
          f"against the simulated comparison group (program-only KPIs: the value), 95% intervals; P(better) "
          f"against {results[0].name!r}.")
    display = comparison_display(table)
    widths = [max(len(str(v)) for v in [column, *display[column]]) for column in display.columns]
    for values in [list(display.columns), *display.itertuples(index=False)]:
        print("  ".join(str(v).ljust(w) for v, w in zip(values, widths)).rstrip())
    for budget in budget_table(results).itertuples():
        print(f"{budget.scenario}: budget {budget.budget:,.0f} {budget.currency}, expected cost "
              f"{budget.expected_cost:,.0f}, within budget in {budget.p_within:.0%} of runs.")
    if args.out is not None:
        document = {"schema_version": 1, "runs": args.runs, "seed": args.seed, "baseline": results[0].name,
                    "scenarios": [r.to_json() for r in results],
                    "comparison": json.loads(table.to_json(orient="records", double_precision=10))}
        atomic_write_text(args.out, _json_text(document))
        print(f"Wrote {args.out}.")


def _optimise(args: argparse.Namespace) -> None:
    from workbench.whatif import local_executor, optimise
    from workbench.whatif.optimise import describe_change
    from workbench.workspace import atomic_write_text

    if args.candidates < 2:
        raise WorkbenchError(f"--candidates must be at least 2, not {args.candidates}.")
    if args.workers < 1:
        raise WorkbenchError(f"--workers must be at least 1, not {args.workers}.")
    args.horizon = None
    workspace, tables, design = _simulation_inputs(args)
    bar = _ProgressBar()
    executor = local_executor(args.workers) if args.workers > 1 else False
    try:
        found = optimise(tables, design, budget=args.budget, candidates=args.candidates, runs=args.runs,
                         seed=args.seed, executor=executor, progress=bar)
    finally:
        bar.close()
        if executor:
            executor.shutdown()
    if found.binding:
        raise WorkbenchError(found.binding + " Nothing was written.")
    currency = design.align.constraints.currency
    goals = [t.describe() + f" by month {t.horizon_months}" for t in found.targets]
    print(f"{len(found.candidates)} designs of {workspace.path} evaluated, {args.runs:,} runs each, seed {args.seed}; "
          f"aiming for {'; '.join(goals) if goals else 'the most exits avoided (the design has no objective the model simulates)'}"
          f", {'within a budget of ' + format(found.budget, ',.0f') + ' ' + currency if found.budget else 'with no budget'}"
          f" and {found.mentor_hours:g} mentor hours a month.")
    print("Designs on the frontier, cheapest first:")
    for row in found.frontier().to_dict("records"):
        goals_text = ", ".join(f"P({t.objective}) {row[f'p_{t.objective}']:.0%}" for t in found.targets) or \
            f"{row['exits_avoided']:.2f} exits avoided"
        changes = "; ".join(describe_change(k, *v) for k, v in found.changes(row).items()) or "the design as it is"
        print(f"  #{int(row['candidate'])}: cost {row['cost']:,.0f} {currency}, {goals_text}, "
              f"{int(row['participants'])} participants. Changes: {changes}.")
    document = {"schema_version": 1, **found.to_dict()}
    atomic_write_text(args.out, _json_text(document))
    print(f"Wrote {args.out}.")


#: Commands that read a workspace's tables: the warnings of the tables they read follow their results.
ANALYSIS_COMMANDS = ("brief", "design", "gaps", "match", "programs", "select", "launch", "rematch", "simulate",
                     "compare", "optimise", "evaluate", "publish")


def _json_text(document: dict) -> str:
    """A command's JSON output: ``document`` with the ``warnings`` of the data it read, counted by file, column and
    problem (:func:`workbench.data.problems.warning_summary`), sorted keys, so the same result gives the same
    bytes."""
    import json

    from workbench.data.problems import warning_summary
    from workbench.data.importing import noted_warnings

    document = {**document, "warnings": warning_summary(noted_warnings()).to_dict("records")}
    return json.dumps(document, indent=2, sort_keys=True, allow_nan=False) + "\n"


def _print_warnings() -> None:
    """The warnings of the tables the command read, one a line on stderr (they do not change the exit code)."""
    from workbench.data.problems import warning_lines
    from workbench.data.importing import noted_warnings

    for line in warning_lines(noted_warnings()):
        print(f"warning: {line}", file=sys.stderr)


#: Options naming a file a command writes, checked by :func:`_output_paths` before the command starts.
OUTPUT_OPTIONS = ("out", "json", "report", "problems", "suggest_mapping")
#: Commands whose ``out`` is a folder (they check it themselves).
FOLDER_OUTPUTS = ("sample", "publish")


def _output_paths(*paths: Path | None) -> None:
    """Refuse an output file that cannot be written (a folder, a missing folder, an unwritable place)."""
    if any(path is not None for path in paths):
        from workbench.workspace import check_output_path

        for path in paths:
            if path is not None:
                check_output_path(path)


def _evaluate(args: argparse.Namespace) -> None:
    import datetime

    from workbench.evaluate import evaluate_programs_workspace, evaluate_workspace
    from workbench.programs import program_ids
    from workbench.reports.evaluation import evaluation_html, programs_evaluation_html, write_report
    from workbench.workspace import atomic_write_text, open_workspace, program_scope

    if args.runs < 0 or args.runs == 1:
        raise WorkbenchError(f"--runs must be 0 (no forecast) or at least 2, not {args.runs}.")
    if args.resamples < 100:
        raise WorkbenchError(f"--resamples must be at least 100, not {args.resamples}.")
    start = None
    if args.start is not None:
        try:
            start = datetime.date.fromisoformat(args.start)
        except ValueError:
            raise WorkbenchError(f"--start must be a date as YYYY-MM-DD, not {args.start!r}.") from None
    if args.all and args.program is not None:
        raise WorkbenchError("Give either --program ID or --all, not both.")
    workspace = open_workspace(args.workspace)
    options = dict(cohort=args.cohort, start=start, horizon_months=args.horizon, participants=args.participants,
                   seed=args.seed, resamples=args.resamples, calibrate_forecast=args.runs > 0, runs=max(args.runs, 2))
    if args.all:
        result = evaluate_programs_workspace(workspace, **options)
        print(f"Evaluation of every program of {workspace.path}, seed {args.seed}:")
        html = programs_evaluation_html(result, workspace_name=workspace.name) if args.out is not None else None
    else:
        if args.program is not None:
            if args.program not in program_ids(workspace):
                raise WorkbenchError(f"{workspace.path} has no program {args.program!r}; its programs are: "
                                     f"{', '.join(program_ids(workspace))}.")
            workspace = program_scope(workspace, args.program)
        result = evaluate_workspace(workspace, **options)
        program = f" (program {workspace.program_id})" if args.program is not None else ""
        print(f"Evaluation of {workspace.path}{program}, seed {args.seed}:")
        html = evaluation_html(result, workspace_name=workspace.name) if args.out is not None else None
    print("\n".join(f"  {line}" for line in result.summary_lines()))
    if args.out is not None:
        write_report(html, args.out)
        print(f"Wrote the report to {args.out}.")
    if args.json is not None:
        atomic_write_text(args.json, _json_text(result.to_json()))
        print(f"Wrote every figure to {args.json}.")


def _evaluate_file(args: argparse.Namespace) -> None:
    from workbench.evaluate import evaluate_turnover, read_turnover
    from workbench.reports.evaluation import turnover_html, write_report
    from workbench.workspace import atomic_write_text

    sheet = int(args.sheet) if args.sheet is not None and args.sheet.isdigit() else args.sheet
    frame = read_turnover(args.source, args.mapping, sheet=sheet)
    result = evaluate_turnover(frame, file=args.source.name)
    print(f"Retention in {args.source.name}, participants against everyone else:")
    print("\n".join(f"  {line}" for line in result.summary_lines()))
    if args.out is not None:
        write_report(turnover_html(result), args.out)
        print(f"Wrote the report to {args.out}.")
    if args.json is not None:
        atomic_write_text(args.json, result.json_text())
        print(f"Wrote every figure to {args.json}.")


def _app(args: argparse.Namespace) -> int:
    if args.set_password:
        from workbench.app.access import set_password

        if sys.stdin.isatty():
            import getpass

            password = getpass.getpass("Password for the published app: ")
            if getpass.getpass("Once more: ") != password:
                raise WorkbenchError("The two passwords differ: nothing was changed.")
        else:
            password = sys.stdin.readline()
        path = set_password(password)
        print(f"Stored the published app's password (hashed) in {path}.")
        return 0
    from workbench.app import serve

    serve(port=args.port, home=args.home, workspace=args.workspace, ip=args.ip, publish=args.publish,
          host_names=tuple(args.host_name))
    return 0


def _publish(args: argparse.Namespace) -> None:
    from workbench.reports.pack import write_pack
    from workbench.workspace import open_workspace

    if args.seed < 0:
        raise WorkbenchError(f"--seed must be 0 or more, not {args.seed}.")
    workspace = open_workspace(args.workspace)
    bar = _ProgressBar()
    steps = iter(range(1, 8))
    try:
        pack = write_pack(workspace, args.out, force=args.force, seed=args.seed,
                          progress=lambda step: bar(next(steps, 7), 7, step))
    finally:
        bar.close()
    kib = pack.bytes / 1024
    print(f"Wrote the stakeholder pack of {workspace.name!r} to {pack.path}: {len(pack.pages)} pages, "
          f"{pack.charts} chart{'s' if pack.charts != 1 else ''}, {len(pack.files)} files, {kib:,.0f} KiB. "
          f"Open {pack.path / 'index.html'} in a browser.")
    if pack.withheld:
        print(f"Withheld {pack.withheld} mention{'s' if pack.withheld != 1 else ''} of people (names, ids or e-mail "
              "addresses) found in the workspace's text.")
    if pack.missing:
        print(f"Missing from the pack ({len(pack.missing)}):")
        for title, (what, how) in pack.missing.items():
            print(f"  {title}: {what} To add it: {how}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code (0 ok, 2 bad input, 1 a result that fails its own check,
    :data:`CLOSED_PIPE` when the reader of the output went away, as in ``workbench ... | head -1``)."""
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught (--help too)
    except BrokenPipeError:  # stop quietly, as Unix tools do
        return _closed_pipe()


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command in ANALYSIS_COMMANDS:
        from workbench.data.importing import noting_warnings

        with noting_warnings():
            code = _run(args)
            _print_warnings()
        return code
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command not in FOLDER_OUTPUTS:
            _output_paths(*(getattr(args, name, None) for name in OUTPUT_OPTIONS))
        if args.command == "app":
            return _app(args)
        elif args.command == "sample":
            _sample(args)
        elif args.command == "validate":
            return _validate(args)
        elif args.command == "import":
            return _import(args)
        elif args.command == "brief":
            _brief(args)
        elif args.command == "design":
            if args.design_command is None:
                args.print_design_help()
                return 0
            return _design_check(args)
        elif args.command == "gaps":
            _gaps(args)
        elif args.command == "match":
            return _match(args)
        elif args.command == "programs":
            _programs(args)
        elif args.command == "undo":
            _undo(args)
        elif args.command == "select":
            _select(args)
        elif args.command == "rematch":
            _rematch(args)
        elif args.command == "launch":
            _launch(args)
        elif args.command == "simulate":
            _simulate(args)
        elif args.command == "compare":
            _compare(args)
        elif args.command == "optimise":
            _optimise(args)
        elif args.command == "evaluate":
            _evaluate(args)
        elif args.command == "evaluate-file":
            _evaluate_file(args)
        elif args.command == "publish":
            _publish(args)
    except WorkbenchError as exc:
        print(f"workbench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nworkbench: stopped.", file=sys.stderr)
    return 0


#: Exit code after the reader of the output went away: 128 + SIGPIPE, what a shell reports for Unix tools.
CLOSED_PIPE = 141


def _closed_pipe() -> int:
    """Point stdout at the null device (Python's flush at exit must not fail again); return :data:`CLOSED_PIPE`."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return CLOSED_PIPE


if __name__ == "__main__":
    sys.exit(main())
