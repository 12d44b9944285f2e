"""Who may reach the app: the host names it answers to, the origins it trusts, the published login.

The app holds a client's HR data, so it answers only to the names it serves
(a page on another site that rebinds its own name to 127.0.0.1 gets 403, not
the data) and, when published, only after a login. The password is stored
hashed, with the key that turns people into stable pseudonyms, in a file
outside the repository and every workspace (``$WORKBENCH_CONFIG_DIR``, or
``~/.config/workbench``), readable by its owner only.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from workbench.errors import WorkbenchError

#: Host names a local app always answers to.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: Shortest password ``--set-password`` accepts.
MIN_PASSWORD_LENGTH = 10


def host_name(host: str) -> str:
    """The name part of a ``Host`` header or URL netloc, lower case, without port or IPv6 brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host[1:]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback(name: str) -> bool:
    """Whether ``name`` is a loopback address or ``localhost``."""
    if name in ("localhost", ""):
        return name == "localhost"
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_allowed(host: str, names: frozenset[str]) -> bool:
    """Whether a request's ``Host`` header names this app (a loopback address, or one of ``names``)."""
    name = host_name(host)
    return is_loopback(name) or name in names


def origin_allowed(origin: str | None, names: frozenset[str]) -> bool:
    """Whether a request's ``Origin`` (absent for non-browser clients) is a page of this app."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False  # "null" (file://, sandboxed frames) and anything stranger
    return host_allowed(parts.netloc, names)


def config_dir() -> Path:
    """Where the app keeps its login settings: ``$WORKBENCH_CONFIG_DIR`` or ``~/.config/workbench``."""
    configured = os.environ.get("WORKBENCH_CONFIG_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "workbench"


@dataclass(frozen=True)
class Login:
    """The published app's login: a hashed password and the pseudonym key."""

    hashed_password: str
    pseudonym_key: str


def settings_file() -> Path:
    return config_dir() / "published-app.json"


def set_password(password: str) -> Path:
    """Hash ``password`` (argon2) and store it, keeping the pseudonym key if there is one; return the file."""
    from jupyter_server.auth.security import passwd

    password = password.rstrip("\r\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WorkbenchError(f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.")
    current = load_login()
    login = Login(hashed_password=passwd(password),
                  pseudonym_key=current.pseudonym_key if current else secrets.token_hex(32))
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"hashed_password": login.hashed_password, "pseudonym_key": login.pseudonym_key}, handle)
    os.replace(temporary, path)
    return path


def load_login() -> Login | None:
    """The stored login, or None when no password was set; a clear error when the file is damaged."""
    path = settings_file()
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Login(hashed_password=str(data["hashed_password"]), pseudonym_key=str(data["pseudonym_key"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise WorkbenchError(f"{path} cannot be read ({exc}): set the password again with "
                             "workbench app --set-password") from None
