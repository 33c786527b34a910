"""French typography of the dossiers (pure rules) and the two filters of the PDF templates."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe

from dossiers.templatetags.dossier import css_string, typo
from dossiers.typography import NBSP, NNBSP, french, french_html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Note : voir", f"Note{NBSP}: voir"),
        ("Note: voir", f"Note{NBSP}: voir"),
        (f"Note{NNBSP}: voir", f"Note{NBSP}: voir"),
        ("Fin de ligne :", f"Fin de ligne{NBSP}:"),
        ("(voir A.5.1) : ok", f"(voir A.5.1){NBSP}: ok"),
        ("Vraiment ?", f"Vraiment{NNBSP}?"),
        ("Quoi?", f"Quoi{NNBSP}?"),
        ("Stop !", f"Stop{NNBSP}!"),
        ("a ; b", f"a{NNBSP}; b"),
        ("« texte »", f"«{NNBSP}texte{NNBSP}»"),
        ("«texte»", f"«{NNBSP}texte{NNBSP}»"),
        ("l'hébergeur", "l\u2019hébergeur"),
        (
            "aujourd'hui : « oui » !",
            f"aujourd\u2019hui{NBSP}: «{NNBSP}oui{NNBSP}»{NNBSP}!",
        ),
    ],
)
def test_french_spaces_punctuation_and_apostrophes(text: str, expected: str) -> None:
    assert french(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "10:30",
        "https://x.fr",
        "https://x.fr/a?b=1&c=2",
        "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "x?y",
        "ISO/IEC 27001:2022",
        "Fin.",
        "'entre guillemets simples'",
        "",
    ],
)
def test_french_leaves_times_addresses_and_hashes_alone(text: str) -> None:
    assert french(text) == text


def test_french_is_idempotent() -> None:
    once = french("Constat : l'accès « admin » n'est pas tracé ; pourquoi ?")
    assert french(once) == once


def test_typo_escapes_then_applies_the_french_rules() -> None:
    with translation.override("fr"):
        printed = typo("<b>R&D</b> équipe : l'accès")

    assert isinstance(printed, SafeData)
    assert printed == f"&lt;b&gt;R&amp;D&lt;/b&gt; équipe{NBSP}: l\u2019accès"


def test_typo_leaves_text_alone_in_english() -> None:
    with translation.override("en"):
        printed = typo("Note : it's <fine>?")

    assert printed == "Note : it&#x27;s &lt;fine&gt;?"


def test_typo_keeps_markup_and_prints_none_as_nothing() -> None:
    with translation.override("fr"):
        assert typo(mark_safe("<br>Note : x")) == "<br>Note : x"
        assert typo(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Clinicloud", '"Clinicloud"'),
        ('a"b', r'"a\22 b"'),
        ("a\\b", r'"a\5c b"'),
        ("</style><script>", r'"\3c /style\3e \3c script\3e "'),
        ("a\nb\rc", r'"a\a b\d c"'),
        ("R&D", r'"R\26 D"'),
        ("tab\there", r'"tab\9 here"'),
        (None, '""'),
    ],
)
def test_css_string_is_one_closed_string(value: str | None, expected: str) -> None:
    printed = css_string(value)

    assert printed == expected
    inner = printed[1:-1]
    for forbidden in ('"', "<", ">", "\n", "\r"):
        assert forbidden not in inner
    # Every backslash starts an escape: none can escape the closing quote.
    assert not inner.endswith("\\")


class TestFrenchHtml:
    def test_text_nodes_get_the_rules_and_markup_is_left_alone(self) -> None:
        html = '<h1 class="a:b">Déclaration d&#x27;applicabilité</h1><p>Note : a &amp; b ; c</p>'
        assert french_html(html) == (
            '<h1 class="a:b">Déclaration d\u2019applicabilité</h1>'
            "<p>Note\u00a0: a &amp; b\u202f; c</p>"
        )

    def test_entities_stay_entities(self) -> None:
        # "&amp;" followed by a space would look like "p ;" to a rule run on the raw markup.
        assert french_html("<td>R&amp;D &lt;infra&gt;</td>") == "<td>R&amp;D &lt;infra&gt;</td>"

    def test_running_it_twice_changes_nothing_more(self) -> None:
        html = "<p>« Citation » : l'hébergeur ! Pourquoi ?</p>"
        assert french_html(french_html(html)) == french_html(html)
