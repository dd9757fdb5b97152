from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from waypoint.privacy.crypto import reset_key_caches
from waypoint.privacy.tests.testmodels import TEST_MODELS


@pytest.fixture(scope="session")
def sealed_tables(django_db_setup, django_db_blocker) -> None:
    """Tables for the test-only models, created once per test database."""
    with django_db_blocker.unblock():
        existing = set(connection.introspection.table_names())
        with connection.schema_editor() as editor:
            for model in TEST_MODELS:
                if model._meta.db_table not in existing:
                    editor.create_model(model)


@pytest.fixture
def keyset_copies(tmp_path: Path, settings) -> Iterator[dict[str, Path]]:
    """Point WAYPOINT_KEYSETS at copies, so rotation tests never touch var/keys."""
    copies: dict[str, Path] = {}
    for kind, path in settings.WAYPOINT_KEYSETS.items():
        copy = tmp_path / f"{kind}.json"
        shutil.copyfile(path, copy)
        copies[kind] = copy
    settings.WAYPOINT_KEYSETS = copies
    yield copies
    reset_key_caches()
