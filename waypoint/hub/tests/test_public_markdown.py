"""Markdown for managed content: CommonMark, no raw HTML, safe links, headings from h2."""

from __future__ import annotations

import pytest
from django.utils.safestring import SafeString

from waypoint.hub.markdown import render_markdown


def test_it_renders_commonmark_to_safe_html():
    html = render_markdown("Some **bold** words.\n\n- one\n- two")
    assert isinstance(html, SafeString)
    assert "<strong>bold</strong>" in html
    assert "<ul>\n<li>one</li>" in html


def test_it_shows_raw_html_as_text():
    html = render_markdown('<script>alert("x")</script>\n\nHi <b onclick="x()">there</b>')
    assert "<script" not in html
    assert "<b " not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b onclick=&quot;x()&quot;&gt;" in html


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "file:///etc/passwd",
    ],
)
def test_it_refuses_unsafe_links(href):
    html = render_markdown(f"[click me]({href})")
    assert "<a" not in html
    assert "click me" in html


def test_it_refuses_unsafe_autolinks():
    html = render_markdown("<javascript:alert(1)>")
    assert "<a" not in html


def test_it_marks_links_to_other_sites_noreferrer():
    html = render_markdown("[Trust](https://www.suzylamplugh.org) and [x](//example.org/a)")
    assert '<a href="https://www.suzylamplugh.org" rel="noreferrer">Trust</a>' in html
    assert '<a href="//example.org/a" rel="noreferrer">x</a>' in html


def test_it_leaves_our_own_links_and_phone_links_alone():
    html = render_markdown("[support](/support/) [call](tel:999) [write](mailto:a@b.example)")
    assert '<a href="/support/">support</a>' in html
    assert '<a href="tel:999">call</a>' in html
    assert '<a href="mailto:a@b.example">write</a>' in html


def test_it_starts_headings_at_h2_and_keeps_their_order():
    html = render_markdown("# Top\n\n## Below\n\n### Further")
    assert "<h2>Top</h2>" in html
    assert "<h3>Below</h3>" in html
    assert "<h4>Further</h4>" in html
    assert "<h1" not in html


def test_it_lifts_a_body_that_starts_lower_to_h2():
    html = render_markdown("### Only heading\n\n#### Under it")
    assert "<h2>Only heading</h2>" in html
    assert "<h3>Under it</h3>" in html


def test_it_never_goes_below_h6():
    html = render_markdown("# One\n\n###### Six")
    assert "<h6>Six</h6>" in html


def test_it_shows_images_from_our_own_site():
    html = render_markdown("![A poster](/static/img/poster.png)")
    assert '<img src="/static/img/poster.png" alt="A poster" />' in html


def test_it_turns_images_from_other_sites_into_links():
    html = render_markdown("![A <b>poster</b>](https://tracker.example/p.png)")
    assert "<img" not in html
    assert 'href="https://tracker.example/p.png" rel="noreferrer"' in html
    assert "A &lt;b&gt;poster&lt;/b&gt; (picture on another website)" in html


def test_it_escapes_text_and_link_titles():
    html = render_markdown('[a](/x "say \\"hi\\" <now>") & <>')
    assert 'title="say &quot;hi&quot; &lt;now&gt;"' in html
    assert "&amp; &lt;&gt;" in html


def test_it_renders_nothing_for_an_empty_body():
    assert render_markdown("") == ""
