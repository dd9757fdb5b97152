"""The chronology as a signed PDF ("Download my record"), made with WeasyPrint (ADR 0041).

The HTML comes from log/export/chronology.html through an engine of its own: no request,
no context processors, nothing from the database. WeasyPrint gets a URL fetcher that
refuses everything, so a stray URL in the template can never reach the network or the
file system; fonts come from the system through fontconfig.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.template import Context, Engine
from django.urls import NoReverseMatch, reverse

from waypoint.log.chronology import Chronology
from waypoint.log.export import rows as rows_module
from waypoint.log.export.signature import make_code, sign_pdf, summary_of
from waypoint.privacy import signing

logger = logging.getLogger(__name__)

TEMPLATE: Final = "log/export/chronology.html"
_TEMPLATE_DIR: Final = Path(__file__).resolve().parent.parent / "templates"
_engine = Engine(dirs=[str(_TEMPLATE_DIR)], autoescape=True)


class FetchRefusedError(Exception):
    """Raised for every URL WeasyPrint asks for: the export loads nothing."""


def _refusing_fetcher() -> Any:
    import weasyprint.urls  # type: ignore[import-untyped]  # noqa: PLC0415

    class RefuseEveryURL(weasyprint.urls.URLFetcher):  # type: ignore[misc]
        """Never opens anything: no network, no file, no data: URL."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            # WeasyPrint turns this into a warning and renders without the resource.
            logger.warning("The PDF export asked for a URL and was refused.")
            raise FetchRefusedError("The PDF export fetches nothing.")

    return RefuseEveryURL()


@dataclass(frozen=True)
class _EvidenceLine:
    number: int
    name: str
    content_type: str
    size: int
    size_text: str
    sha256: str


@dataclass(frozen=True)
class _ChainLine:
    seq: int
    recorded: str
    digest: str


def verify_url() -> str:
    try:
        path = reverse("verify:verify")
    except NoReverseMatch:  # until the page is mounted; it lives at /verify/
        path = "/verify/"
    return f"{settings.WAYPOINT_SITE_URL.rstrip('/')}{path}" if settings.WAYPOINT_SITE_URL else path


def render_html(chronology: Chronology, *, code: str, key_id: int) -> str:
    happened_first, happened_last = rows_module.happened_range(chronology)
    context = {
        "c": chronology,
        "rows": rows_module.rows(chronology),
        "counts": rows_module.counts(chronology),
        "happened_first": happened_first,
        "happened_last": happened_last,
        "recorded_first": rows_module.format_moment(chronology.first_recorded),
        "recorded_last": rows_module.format_moment(chronology.last_recorded),
        "made_at": rows_module.format_moment(chronology.made_at),
        "evidence": [
            _EvidenceLine(
                number=item.number,
                name=item.name,
                content_type=item.content_type,
                size=item.size,
                size_text=rows_module.human_size(item.size),
                sha256=item.sha256,
            )
            for item in chronology.evidence
        ],
        "chain": [
            _ChainLine(
                seq=entry.seq,
                recorded=rows_module.format_moment(entry.recorded_at),
                digest=entry.digest,
            )
            for entry in chronology.entries
        ],
        "code": code,
        "key_id": key_id,
        "verify_url": verify_url(),
    }
    return _engine.get_template(TEMPLATE).render(Context(context))


def html_to_pdf(html: str, *, compress: bool = True) -> bytes:
    """The unsigned PDF for `html` (tests render uncompressed to find a text byte)."""
    # Imported here: WeasyPrint loads Pango through cffi, which only the export needs.
    import weasyprint  # noqa: PLC0415

    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=_refusing_fetcher())
    pdf: bytes = document.write_pdf(pdf_tags=True, uncompressed_pdf=not compress)
    return pdf


def export_pdf(chronology: Chronology, *, compress: bool = True) -> bytes:
    """The chronology as a PDF, signed by the institution's signing key."""
    summary = summary_of(chronology)
    key = signing.signer()  # one key for the code, the page and the file, even mid-rotation
    html = render_html(chronology, code=make_code(summary, key), key_id=key.key_id)
    return sign_pdf(html_to_pdf(html, compress=compress), summary, key)
