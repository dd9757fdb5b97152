"""For the tests that start Waypoint servers of their own (tests/multi_server, tests/crash,
tests/worker_process): a small HTTP client that behaves like a person's browser (a cookie
jar, no automatic redirects, the CSRF token of the last form it saw, an Origin header on
every POST), a free port, a clean environment, manage.py and gunicorn in other processes."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    """Run our manage.py with `env` (another database, other keys); its standard output."""
    done = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.stdout


def server_env(*, drop: tuple[str, ...] = ("DATABASE_URL",)) -> dict[str, str]:
    """This environment without the test run's Django, Waypoint and pytest settings (and
    `drop`): a server started with it is configured only by what the test adds."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "WAYPOINT_", "PYTEST_")) and key not in drop
    }


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty database beside the test run's PostgreSQL one, for servers started in
    other processes; its URL. Dropped afterwards, whoever is still connected."""
    db = settings.DATABASES["default"]
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname="postgres",
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    user = urllib.parse.quote(db["USER"])
    try:
        yield f"postgres://{user}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def start_gunicorn(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """Waypoint under gunicorn as deploy/ runs it (GUNICORN_BIND etc. come from `env`)."""
    return subprocess.Popen(  # noqa: S603 - our own server
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "deploy/gunicorn.conf.py"),
            "config.wsgi",
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


class Browser:
    """A cookie jar and no automatic redirects, like a person's browser seen by the server."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.token = ""  # the CSRF token of the last form seen (kept in the session)

        class _Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _Stay()
        )

    def request(
        self, url: str, data: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {"User-Agent": "two-server-test"}
        if data is not None:
            origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
            headers |= {"Origin": origin, "Content-Type": content_type or ""}
        request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                answer = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            answer = error.code, dict(error.headers), error.read()
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', answer[2])
        if found:
            self.token = found[1].decode()
        return answer

    def get(self, url: str) -> tuple[int, dict[str, str], bytes]:
        return self.request(url)

    def post(self, url: str, fields: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        token = self.csrf_token()
        pairs = [("csrfmiddlewaretoken", token)]
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                pairs.append((name, str(item)))
        body = urllib.parse.urlencode(pairs).encode()
        return self.request(url, body, "application/x-www-form-urlencoded")

    def upload(self, url: str, fields: dict[str, str], name: str, data: bytes) -> int:
        boundary = uuid.uuid4().hex
        parts = [("csrfmiddlewaretoken", self.csrf_token()), *fields.items()]
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in parts
        )
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"'
                "\r\nContent-Type: text/plain\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, _, _ = self.request(url, body, f"multipart/form-data; boundary={boundary}")
        return status

    def csrf_token(self) -> str:
        assert self.token, "no form seen yet: GET a page with a form first"
        return self.token
