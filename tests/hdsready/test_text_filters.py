"""The wrap_points filter: break opportunities after a file name's separators, text escaped."""

from __future__ import annotations

from django.template import Context, Template


def _render(value: str) -> str:
    return Template("{% load text %}{{ value|wrap_points }}").render(Context({"value": value}))


def test_break_opportunities_follow_the_separators() -> None:
    assert _render("Rapport_audit-v2.pdf") == "Rapport_<wbr>audit-<wbr>v2.<wbr>pdf"
    assert _render("a@b.fr") == "a@<wbr>b.<wbr>fr"
    assert _render("plain") == "plain"


def test_the_text_is_escaped() -> None:
    rendered = _render("<script>alert('x')</script>_a.pdf")
    assert "<script>" not in rendered
    assert rendered.startswith("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/<wbr>script&gt;_<wbr>a.")
