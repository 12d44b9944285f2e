import subprocess
import sys
from pathlib import Path

import workbench

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
