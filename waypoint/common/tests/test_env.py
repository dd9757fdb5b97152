import ast
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from waypoint.common import env

ROOT = Path(__file__).resolve().parents[3]
HELPERS = {
    "env_str",
    "env_required",
    "env_bool",
    "env_int",
    "env_list",
    "env_choice",
    "env_path",
    "env_secret",
}


def _variables_read_in_code() -> set[str]:
    names: set[str] = set()
    for path in [ROOT / "config" / "settings.py", *(ROOT / "waypoint").rglob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in HELPERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


def _variables_in_env_example() -> set[str]:
    names = set()
    for raw in (ROOT / ".env.example").read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            names.add(line.split("=", 1)[0])
    return names


def test_it_lists_every_variable_the_code_reads_in_env_example():
    missing = _variables_read_in_code() - _variables_in_env_example()
    assert not missing, f".env.example lacks: {sorted(missing)}"


def test_it_lists_nothing_in_env_example_that_the_code_does_not_read():
    stale = _variables_in_env_example() - _variables_read_in_code()
    assert not stale, f".env.example lists unused variables: {sorted(stale)}"


def test_it_found_the_settings_variables_at_runtime_too():
    # Everything read while loading settings was found by the static scan.
    assert env.READ - {f"{name}_FILE" for name in env.READ} <= _variables_read_in_code()


def test_it_rejects_a_malformed_boolean(monkeypatch):
    monkeypatch.setenv("WAYPOINT_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="WAYPOINT_TEST_FLAG must be true or false"):
        env.env_bool("WAYPOINT_TEST_FLAG", default=False)


def test_it_rejects_a_malformed_number(monkeypatch):
    monkeypatch.setenv("WAYPOINT_TEST_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="must be a whole number"):
        env.env_int("WAYPOINT_TEST_NUMBER", 1)


def test_it_rejects_a_number_below_the_minimum(monkeypatch):
    monkeypatch.setenv("WAYPOINT_TEST_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.env_int("WAYPOINT_TEST_NUMBER", 5, minimum=1)


def test_it_rejects_an_unknown_choice(monkeypatch):
    monkeypatch.setenv("WAYPOINT_TEST_MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="must be one of development, production"):
        env.env_choice("WAYPOINT_TEST_MODE", ("development", "production"), "development")


def test_it_reads_a_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("WAYPOINT_TEST_SECRET_FILE", str(secret))
    assert env.env_secret("WAYPOINT_TEST_SECRET") == "s3cret"


def test_it_refuses_a_secret_file_that_does_not_exist(monkeypatch, tmp_path):
    monkeypatch.setenv("WAYPOINT_TEST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="does not exist"):
        env.env_secret("WAYPOINT_TEST_SECRET")


def test_it_refuses_a_secret_given_twice(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("a")
    monkeypatch.setenv("WAYPOINT_TEST_SECRET", "b")
    monkeypatch.setenv("WAYPOINT_TEST_SECRET_FILE", str(secret))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env.env_secret("WAYPOINT_TEST_SECRET")


def test_it_splits_a_list_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("WAYPOINT_TEST_LIST", "a.example, b.example,,")
    assert env.env_list("WAYPOINT_TEST_LIST") == ["a.example", "b.example"]
