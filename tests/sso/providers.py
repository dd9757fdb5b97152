"""Real identity providers for the SSO tests, started on 127.0.0.1 by the test.

- OpenID Connect: the `oidc-provider` package from npm (tests/sso/oidc_provider.mjs),
  run with the machine's Node. `make install` puts it in tests/sso/node_modules
  (`npm ci`, package-lock.json is committed).

Locally a missing tool skips these tests with the reason printed. With
WAYPOINT_REQUIRE_SSO_PROVIDERS set (.ci/run sets it) they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SSO_DIR = Path(__file__).resolve().parent
OIDC_SCRIPT = SSO_DIR / "oidc_provider.mjs"
OIDC_PACKAGE = SSO_DIR / "node_modules" / "oidc-provider" / "package.json"
START_TIMEOUT_SECONDS = 20
# tests/sso/config.py's oidc_app() gives Waypoint the same.
CLIENT_ID = "waypoint"
CLIENT_SECRET = "waypoint-test-client-secret"


def providers_required() -> bool:
    return bool(os.environ.get("WAYPOINT_REQUIRE_SSO_PROVIDERS"))


def oidc_missing() -> str | None:
    """Why the OpenID Connect provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "no `node` on PATH (apt-get install nodejs)"
    if not OIDC_PACKAGE.is_file():
        return "oidc-provider is not installed (make sso-providers: npm ci in tests/sso)"
    return None


def require_oidc() -> None:
    """Skip (locally) or fail (CI) when the OpenID Connect provider cannot run."""
    reason = oidc_missing()
    if reason is None:
        return
    message = f"OpenID Connect provider unavailable: {reason}."
    if providers_required():
        pytest.fail(message + " WAYPOINT_REQUIRE_SSO_PROVIDERS is set.", pytrace=False)
    pytest.skip(message + " Set WAYPOINT_REQUIRE_SSO_PROVIDERS=1 to fail instead.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Account:
    """A person at the identity provider. `claims` are released as given: leave
    `email_verified` out to act like Entra ID; `amr`/`acr` are what the provider says
    about how they signed in."""

    login: str
    password: str
    claims: Mapping[str, Any]
    amr: tuple[str, ...] = ("pwd",)
    acr: str = ""

    def as_config(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "password": self.password,
            "claims": dict(self.claims),
            "amr": list(self.amr),
        }
        if self.acr:
            found["acr"] = self.acr
        return found


@dataclass(frozen=True)
class RunningOIDCProvider:
    issuer: str
    client_id: str
    client_secret: str


@contextmanager
def oidc_provider(
    *, workdir: Path, waypoint_url: str, provider_id: str, accounts: list[Account]
) -> Iterator[RunningOIDCProvider]:
    """Start oidc-provider with one client for Waypoint; stop it afterwards."""
    require_oidc()
    port = free_port()
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{waypoint_url}/accounts/oidc/{provider_id}/login/callback/"],
        "post_logout_redirect_uris": [f"{waypoint_url}/accounts/login/"],
    }
    config_file = workdir / "oidc-provider.json"
    config_file.write_text(
        json.dumps(
            {
                "port": port,
                "client": client,
                "accounts": {a.login: a.as_config() for a in accounts},
            }
        )
    )
    log_file = workdir / "oidc-provider.log"
    with log_file.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 (our script, our arguments)
            ["node", str(OIDC_SCRIPT), str(config_file)],  # noqa: S607 (node from PATH)
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=SSO_DIR,
        )
        try:
            issuer = f"http://127.0.0.1:{port}"
            _wait_for(lambda: f"listening {issuer}" in log_file.read_text(), process, log_file)
            yield RunningOIDCProvider(
                issuer=issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
            )
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(ready: Any, process: subprocess.Popen[bytes], log_file: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if ready():
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"The identity provider did not start:\n{log_file.read_text()}")
