"""The ``workbench`` command: the same functions as the app, from a terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench import __version__
from workbench.errors import WorkbenchError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``workbench`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Design, test and evaluate workplace mentoring programs (AXLES: Align, eXperience, "
                    "Launch, Evaluate, Support).",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    app = commands.add_parser("app", help="serve the app in a browser (Voila) on 127.0.0.1",
                              description="Serve the workbench app with Voila on 127.0.0.1 until Ctrl-C.")
    app.add_argument("--port", type=int, default=8866, help="port to serve on (default 8866)")
    app.add_argument("--home", type=Path, default=None,
                     help="folder of workspaces (default $WORKBENCH_HOME or ./workspaces in the checkout)")
    app.add_argument("--workspace", default=None, help="workspace the pages open by default (default: demo)")

    sample = commands.add_parser(
        "sample", help="generate a demo organisation as a new workspace",
        description="Generate a fictitious organisation (people, skills from real O*NET profiles, goals, "
                    "enrolment, a past cohort with surveys and meetings) as a new workspace folder. "
                    "The same seed gives byte-identical files.")
    sample.add_argument("out", type=Path, help="folder to create (must not exist or be empty)")
    sample.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    sample.add_argument("--people", type=int, default=800,
                        help="people in the three-year history, leavers included (default 800)")
    sample.add_argument("--name", default="Demo organisation", help="workspace name (default 'Demo organisation')")
    return parser


def _sample(args: argparse.Namespace) -> None:
    from workbench.data.sample import MIN_PEOPLE, generate_organisation, write_tables
    from workbench.workspace import WorkspaceSettings, write_new_workspace

    if args.people < MIN_PEOPLE:
        raise WorkbenchError(f"--people must be at least {MIN_PEOPLE}, not {args.people}.")
    tables = generate_organisation(n_people=args.people, seed=args.seed)
    settings = WorkspaceSettings(name=args.name, extra={"generated": {"seed": args.seed, "people": args.people}})
    workspace = write_new_workspace(args.out, settings, lambda folder: write_tables(tables, folder))
    counts = ", ".join(f"{table} {rows:,}" for table, rows in workspace.row_counts().items())
    print(f"Wrote {workspace.path}: {counts}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code (0 ok, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if args.command == "app":
            from workbench.app import serve

            serve(port=args.port, home=args.home, workspace=args.workspace)
        elif args.command == "sample":
            _sample(args)
    except WorkbenchError as exc:
        print(f"workbench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nworkbench: stopped.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
