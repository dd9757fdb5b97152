"""A real SAML 2.0 identity provider (pysaml2's IdP) for the SSO browser tests.

Started by the test on 127.0.0.1 in a thread, with a key and certificate made for the
run and Waypoint as its one service provider. It serves:

- /metadata: its own metadata (Waypoint reads it, as from a university's IdP);
- /sso (HTTP-Redirect binding): a sign-in form; after it, a signed response posted to
  Waypoint's assertion consumer service, with the account's AuthnContextClassRef.

pysaml2 signs with Debian's xmlsec1: without it these tests are skipped locally and fail
in CI (WAYPOINT_REQUIRE_SSO_PROVIDERS).
"""

from __future__ import annotations

import html
import importlib
import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sso.config import self_signed_certificate
from tests.sso.providers import free_port, providers_required

PASSWORD_PROTECTED: str = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
REFEDS_MFA: str = "https://refeds.org/profile/mfa"


def saml_missing() -> str | None:
    if shutil.which("xmlsec1") is None:
        return "no xmlsec1 (apt-get install xmlsec1)"
    try:
        importlib.import_module("saml2")
    except ImportError:
        return "pysaml2 is not installed (make install)"
    return None


def require_saml() -> None:
    reason = saml_missing()
    if reason is None:
        return
    message = f"SAML identity provider unavailable: {reason}."
    if providers_required():
        pytest.fail(message + " WAYPOINT_REQUIRE_SSO_PROVIDERS is set.", pytrace=False)
    pytest.skip(message + " Set WAYPOINT_REQUIRE_SSO_PROVIDERS=1 to fail instead.")


@dataclass(frozen=True)
class SAMLAccount:
    login: str
    password: str
    email: str
    authn_context: str = PASSWORD_PROTECTED


@dataclass
class RunningSAMLIdP:
    base_url: str
    entity_id: str
    metadata_url: str
    pending: dict[str, Any] = field(default_factory=dict)


def _sp_metadata(entity_id: str, acs_url: str) -> str:
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:AssertionConsumerService index="1"
      Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{acs_url}"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"""


def _page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main><h1>{title}</h1>{body}</main></body></html>"
    ).encode()


@contextmanager
def saml_idp(
    *, workdir: Path, sp_entity_id: str, acs_url: str, accounts: list[SAMLAccount]
) -> Iterator[RunningSAMLIdP]:
    require_saml()
    # pysaml2 has no type information; imported here so that the module loads without it.
    saml2: Any = importlib.import_module("saml2")
    saml2_config: Any = importlib.import_module("saml2.config")
    saml2_metadata: Any = importlib.import_module("saml2.metadata")
    saml2_saml: Any = importlib.import_module("saml2.saml")
    saml2_server: Any = importlib.import_module("saml2.server")

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    key_pem, cert_pem = self_signed_certificate("Test university IdP")
    (workdir / "idp.key").write_bytes(key_pem)
    (workdir / "idp.crt").write_bytes(cert_pem)
    (workdir / "sp.xml").write_text(_sp_metadata(sp_entity_id, acs_url))
    config = saml2_config.IdPConfig()
    config.load(
        {
            "entityid": f"{base_url}/metadata",
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(f"{base_url}/sso", saml2.BINDING_HTTP_REDIRECT)]
                    },
                    "name_id_format": [saml2_saml.NAMEID_FORMAT_TRANSIENT],
                    "policy": {
                        "default": {
                            "name_form": saml2_saml.NAME_FORMAT_URI,
                            "lifetime": {"minutes": 5},
                        }
                    },
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": str(workdir / "idp.key"),
            "cert_file": str(workdir / "idp.crt"),
            "metadata": {"local": [str(workdir / "sp.xml")]},
            "xmlsec_binary": shutil.which("xmlsec1"),
        }
    )
    server = saml2_server.Server(config=config)
    running = RunningSAMLIdP(
        base_url=base_url, entity_id=f"{base_url}/metadata", metadata_url=f"{base_url}/metadata"
    )
    by_login = {a.login: a for a in accounts}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/metadata":
                self._send(
                    saml2_metadata.create_metadata_string(None, config=config), "application/xml"
                )
                return
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            request = server.parse_authn_request(query["SAMLRequest"], saml2.BINDING_HTTP_REDIRECT)
            key = secrets.token_urlsafe(16)
            running.pending[key] = (request, query.get("RelayState", ""))
            self._send(_login_form(key))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            request, relay_state = running.pending[form.get("key", "")]
            account = by_login.get(form.get("login", ""))
            if account is None or account.password != form.get("password"):
                self._send(_login_form(form.get("key", ""), "Wrong username or password."))
                return
            message = request.message
            response = server.create_authn_response(
                identity={"uid": [account.login], "mail": [account.email]},
                in_response_to=message.id,
                destination=acs_url,
                sp_entity_id=message.issuer.text,
                name_id_policy=message.name_id_policy,
                userid=account.login,
                authn={"class_ref": account.authn_context, "authn_auth": base_url},
                sign_response=True,
                sign_assertion=True,
                # Waypoint (python3-saml) refuses SHA-1, pysaml2's default.
                sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                digest_alg="http://www.w3.org/2001/04/xmlenc#sha256",
            )
            http_args = server.apply_binding(
                saml2.BINDING_HTTP_POST, str(response), acs_url, relay_state, response=True
            )
            self._send(str(http_args["data"]).encode())

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _login_form(key: str, error: str = "") -> bytes:
    alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    return _page(
        "Test university sign-in (SAML)",
        f"""{alert}<form method="post" action="/sso">
<input type="hidden" name="key" value="{html.escape(key)}">
<label for="login">Username</label> <input id="login" name="login">
<label for="password">Password</label> <input id="password" name="password" type="password">
<button type="submit">Sign in</button></form>""",
    )
