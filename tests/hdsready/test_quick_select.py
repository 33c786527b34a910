"""The quick selects render what Django's select widgets render (whitespace between tags
aside), selected options, groups, attributes and escaping included."""

from __future__ import annotations

import re

from django import forms

from hdsready.widgets import QuickSelect, QuickSelectMultiple

CHOICES = [
    ("", "---------"),
    ("Chapitre 1", [("1", "EXI 01 <Contrat> & « clauses »"), ("2", "EXI 02 l’hébergeur")]),
    ("3", 'A.5.1 "Politiques"'),
]


def _tags(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


def test_a_quick_select_renders_as_django_does() -> None:
    for value in ("", "2", "3", None, "<script>"):
        attrs = {"id": "id_owner", "required": True, "data-x": 'a"b', "disabled": False}
        django = forms.Select(choices=CHOICES).render("owner", value, attrs=attrs)
        quick = QuickSelect(choices=CHOICES).render("owner", value, attrs=attrs)
        assert _tags(quick) == _tags(django)
        assert "<script>" not in quick


def test_a_quick_multiple_select_renders_as_django_does() -> None:
    for value in ([], ["1", "3"], ["2"]):
        attrs = {"id": "id_requirements", "size": 8}
        django = forms.SelectMultiple(choices=CHOICES).render("requirements", value, attrs=attrs)
        quick = QuickSelectMultiple(choices=CHOICES).render("requirements", value, attrs=attrs)
        assert _tags(quick) == _tags(django)
        assert quick.count(" selected") == len(value)
