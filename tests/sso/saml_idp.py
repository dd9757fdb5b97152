"""A real SAML 2.0 identity provider (pysaml2's IdP) for the SSO browser tests.

Started by the test on 127.0.0.1 in a thread, with a key and certificate made for the
run and Waypoint as its one service provider. It serves:

- /metadata: its own metadata (Waypoint reads it, as from a university's IdP);
- /sso (HTTP-Redirect binding): a sign-in form; after it, a signed response posted to
  Waypoint's assertion consumer service, with the account's AuthnContextClassRef. Like a
  real IdP it remembers the browser (a cookie): a second sign-in comes straight back
  without the form while its session lasts.
- /slo (HTTP-Redirect binding, listed in the metadata unless `single_logout` is off):
  takes Waypoint's LogoutRequest, ends its session for that browser and answers
  Waypoint's single logout service with a signed LogoutResponse.

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
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.sso.config import self_signed_certificate
from tests.sso.providers import free_port, providers_required

SESSION_COOKIE = "test_idp_session"
# Waypoint (python3-saml) refuses SHA-1, pysaml2's default.
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
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


@dataclass(frozen=True)
class IdPSession:
    login: str
    name_id: str  # the transient NameID given to Waypoint for this session


@dataclass(frozen=True)
class LogoutRequestSeen:
    name_id: str
    session_indexes: tuple[str, ...]
    ended_session_of: str | None  # the account whose IdP session it ended


@dataclass
class RunningSAMLIdP:
    base_url: str
    entity_id: str
    metadata_url: str
    pending: dict[str, Any] = field(default_factory=dict)
    # Cookie value -> the browser's session at the IdP.
    sessions: dict[str, IdPSession] = field(default_factory=dict)
    logout_requests: list[LogoutRequestSeen] = field(default_factory=list)


def _sp_metadata(entity_id: str, acs_url: str, sls_url: str) -> str:
    sls = (
        f"""<md:SingleLogoutService
      Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{sls_url}"/>"""
        if sls_url
        else ""
    )
    return f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    {sls}
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
    *,
    workdir: Path,
    sp_entity_id: str,
    acs_url: str,
    accounts: list[SAMLAccount],
    sls_url: str = "",
    single_logout: bool = True,
) -> Iterator[RunningSAMLIdP]:
    """The IdP, with Waypoint (`sp_entity_id`) as its one service provider. With
    `single_logout` off its metadata offers no SingleLogoutService, as some IdPs'."""
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
    (workdir / "sp.xml").write_text(_sp_metadata(sp_entity_id, acs_url, sls_url))
    endpoints: dict[str, list[tuple[str, str]]] = {
        "single_sign_on_service": [(f"{base_url}/sso", saml2.BINDING_HTTP_REDIRECT)]
    }
    if single_logout:
        endpoints["single_logout_service"] = [(f"{base_url}/slo", saml2.BINDING_HTTP_REDIRECT)]
    config = saml2_config.IdPConfig()
    config.load(
        {
            "entityid": f"{base_url}/metadata",
            "service": {
                "idp": {
                    "endpoints": endpoints,
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

        def _send(
            self,
            body: bytes,
            content_type: str = "text/html; charset=utf-8",
            cookie: str | None = None,
        ) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if cookie is not None:
                self.send_header("Set-Cookie", cookie)
            self.end_headers()
            self.wfile.write(body)

        def _session_key(self) -> str:
            cookie = SimpleCookie(self.headers.get("Cookie", ""))
            morsel = cookie.get(SESSION_COOKIE)
            return morsel.value if morsel is not None else ""

        def _answer(self, request: Any, relay_state: str, session_key: str) -> None:
            """Post a signed response for the browser's IdP session back to Waypoint."""
            session = running.sessions[session_key]
            account = by_login[session.login]
            message = request.message
            response = server.create_authn_response(
                identity={"uid": [account.login], "mail": [account.email]},
                in_response_to=message.id,
                destination=acs_url,
                sp_entity_id=message.issuer.text,
                name_id=saml2_saml.NameID(
                    format=saml2_saml.NAMEID_FORMAT_TRANSIENT, text=session.name_id
                ),
                userid=account.login,
                authn={"class_ref": account.authn_context, "authn_auth": base_url},
                sign_response=True,
                sign_assertion=True,
                sign_alg=RSA_SHA256,
                digest_alg=SHA256,
            )
            http_args = server.apply_binding(
                saml2.BINDING_HTTP_POST, str(response), acs_url, relay_state, response=True
            )
            self._send(
                str(http_args["data"]).encode(),
                cookie=f"{SESSION_COOKIE}={session_key}; Path=/; HttpOnly; SameSite=Lax",
            )

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/metadata":
                self._send(
                    saml2_metadata.create_metadata_string(None, config=config), "application/xml"
                )
                return
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/slo" and single_logout:
                self._single_logout(query)
                return
            request = server.parse_authn_request(query["SAMLRequest"], saml2.BINDING_HTTP_REDIRECT)
            relay_state = query.get("RelayState", "")
            if self._session_key() in running.sessions:
                # Signed in here already: no form, as at a real IdP.
                self._answer(request, relay_state, self._session_key())
                return
            key = secrets.token_urlsafe(16)
            running.pending[key] = (request, relay_state)
            self._send(_login_form(key))

        def _single_logout(self, query: dict[str, str]) -> None:
            request = server.parse_logout_request(
                query["SAMLRequest"],
                saml2.BINDING_HTTP_REDIRECT,
                relay_state=query.get("RelayState"),
                sigalg=query.get("SigAlg"),
                signature=query.get("Signature"),
            )
            message = request.message
            name_id = str(message.name_id.text)
            session_key = self._session_key()
            session = running.sessions.get(session_key)
            # Only the session the request names ends (the browser's own).
            ended = None
            if session is not None and session.name_id == name_id:
                del running.sessions[session_key]
                ended = session.login
            running.logout_requests.append(
                LogoutRequestSeen(
                    name_id=name_id,
                    session_indexes=tuple(str(i.text) for i in message.session_index),
                    ended_session_of=ended,
                )
            )
            response = server.create_logout_response(
                message, [saml2.BINDING_HTTP_REDIRECT], sign=False
            )
            http_args = server.apply_binding(
                saml2.BINDING_HTTP_REDIRECT,
                str(response),
                sls_url,
                query.get("RelayState", ""),
                response=True,
                sign=True,
                sigalg=RSA_SHA256,
            )
            location = dict(http_args["headers"])["Location"]
            self.send_response(303)
            self.send_header("Location", location)
            self.send_header(
                "Set-Cookie", f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
            )
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            request, relay_state = running.pending[form.get("key", "")]
            account = by_login.get(form.get("login", ""))
            if account is None or account.password != form.get("password"):
                self._send(_login_form(form.get("key", ""), "Wrong username or password."))
                return
            session_key = secrets.token_urlsafe(16)
            running.sessions[session_key] = IdPSession(
                login=account.login, name_id="_" + secrets.token_hex(16)
            )
            self._answer(request, relay_state, session_key)

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
