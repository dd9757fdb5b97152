"""Typed readers for configuration from the environment.

Every setting Waypoint reads from the environment goes through these helpers, so that
a malformed value stops start-up with a clear message instead of being guessed at, and
so that tests can list every variable the settings read (see `READ`).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Names of every variable read so far; tests compare this with .env.example.
READ: set[str] = set()

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _raw(name: str) -> str | None:
    READ.add(name)
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_required(name: str) -> str:
    value = _raw(name)
    if value is None:
        raise ImproperlyConfigured(f"The environment variable {name} must be set.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_path(name: str, default: Path | None = None) -> Path | None:
    value = _raw(name)
    if value is None:
        return default
    return Path(value).expanduser()


def env_secret(name: str) -> str | None:
    """A secret given directly as NAME, or as a file path in NAME_FILE (container secrets).

    A NAME_FILE that points at a missing file is an error, never a silent fallback.
    """
    direct = _raw(name)
    file_path = _raw(f"{name}_FILE")
    if direct is not None and file_path is not None:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if file_path is not None:
        path = Path(file_path)
        if not path.is_file():
            raise ImproperlyConfigured(f"{name}_FILE points at {path}, which does not exist.")
        return path.read_text().strip() or None
    return direct
