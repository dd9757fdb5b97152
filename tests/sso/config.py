"""SOCIALACCOUNT_PROVIDERS for tests: the shape config/settings.py builds from the
environment, pointed at the given providers."""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def oidc_app(*, server_url: str, provider_id: str = "university") -> dict[str, object]:
    return {
        "provider_id": provider_id,
        "name": "University sign-in",
        "client_id": "waypoint",
        "secret": "waypoint-test-client-secret",
        "settings": {"server_url": server_url},
    }


def saml_app(
    *,
    organization: str = "waypoint",
    entity_id: str = "",
    sso_url: str = "",
    x509cert: str = "",
    metadata_url: str = "",
) -> dict[str, object]:
    idp: dict[str, str] = {"entity_id": entity_id}
    if metadata_url:
        idp["metadata_url"] = metadata_url
    else:
        idp.update({"sso_url": sso_url, "x509cert": x509cert})
    return {
        "provider_id": f"{organization}-saml",
        "name": "University sign-in (SAML)",
        "client_id": organization,
        "settings": {
            "attribute_mapping": {
                "uid": "urn:oid:0.9.2342.19200300.100.1.1",
                "email": "urn:oid:0.9.2342.19200300.100.1.3",
            },
            "idp": idp,
        },
    }


def providers(
    *, oidc: dict[str, object] | None = None, saml: dict[str, object] | None = None
) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    if oidc:
        found["openid_connect"] = {"APPS": [oidc]}
    if saml:
        found["saml"] = {"APPS": [saml]}
    return found


def self_signed_certificate(common_name: str) -> tuple[bytes, bytes]:
    """(private key PEM, certificate PEM), made fresh: test keys are never committed."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


def certificate_body(pem: bytes) -> str:
    """The base64 body of a PEM certificate, as SAML metadata and allauth want it."""
    lines = pem.decode().strip().splitlines()
    return "".join(line for line in lines if not line.startswith("-----"))
