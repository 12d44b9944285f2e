import json
import subprocess
import sys
from pathlib import Path

import workbench
from tests.conftest import WITHOUT_STORY

REPO = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=60)


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"workbench {workbench.__version__}"


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "app" in result.stdout and "AXLES" in result.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "workbench"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_app_with_an_unknown_workspace_says_so_without_a_traceback(tmp_path: Path) -> None:
    result = run("app", "--home", str(tmp_path), "--workspace", "missing", "--port", "0")
    assert result.returncode == 2
    assert "workbench:" in result.stderr and "missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_app_on_a_busy_port_says_so_without_a_traceback(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("app", "--home", str(tmp_path), "--port", str(port))
    assert result.returncode == 2
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


HEAVY = ("pandas", "numpy", "altair", "scipy", "networkx", "ortools", "pandera", "statsmodels")


def test_help_imports_no_heavy_library() -> None:
    # The parser (every subcommand, with its choices) is built from light modules only; each command imports what
    # it uses when it runs. In a fresh process, so that nothing is imported already.
    code = ("import sys, workbench.cli as cli; cli.build_parser().format_help(); "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_help_and_argument_errors_run_without_heavy_libraries() -> None:
    # The same through main(): --help and wrong arguments exit (0 and 2) before any command runs.
    code = ("import contextlib, io, json, sys\n"
            "import workbench.cli as cli\n"
            "codes = []\n"
            "for argv in (['--help'], ['match', '--help'], ['match'],\n"
            "             ['match', 'ws', '--out', 'x.csv', '--method', 'x']):\n"
            "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "        try:\n"
            "            cli.main(argv)\n"
            "        except SystemExit as exc:\n"
            "            codes.append(exc.code)\n"
            f"print(json.dumps([codes, sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [[0, 0, 2, 2], []]


def test_matching_names_come_without_the_solvers() -> None:
    code = ("import sys; from workbench.matching import METHODS, STRUCTURES\n"
            "print(sorted(m for m in sys.modules if m.startswith(('workbench.matching.', 'numpy', 'networkx'))))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['workbench.matching.names']"
    from workbench.matching import api, names, structures

    assert structures.METHODS is api.METHODS is names.METHODS and "optimal" in names.METHODS
    assert structures.STRUCTURES is api.STRUCTURES is names.STRUCTURES and "one_on_one" in names.STRUCTURES


def test_validate_warns_of_implausible_dates_and_stays_valid(tmp_path: Path) -> None:
    import shutil

    from workbench.workspace import DEMO_SOURCE

    shutil.copytree(DEMO_SOURCE, tmp_path / "org", ignore=WITHOUT_STORY)
    people = tmp_path / "org" / "people.csv"
    lines = people.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("hire_date")] = "0001-01-01"
    people.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    result = run("validate", str(tmp_path / "org"))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout and "1 warning" in result.stderr
    assert "people.csv   2 hire_date 0001-01-01 before 1900" in result.stderr
