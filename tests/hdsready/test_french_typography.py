"""French typography of the interface, as in the PDFs: a no-break space before ; : ! ? and %,
one apostrophe (U+2019), counts pluralised with ngettext (no "fichier(s)"), and no colon written
after a translated label in a template (the colon belongs to the translation, which spaces it)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from tests.hdsready.test_translations import MO, _catalog

NO_BREAK = "\u00a0\u202f"
# What is not running text: placeholders, template tags, HTML tags, addresses.
_NOT_TEXT = re.compile(
    r"%\([a-z_]+\)[sd]|%[sd]|\{\{[^}]*\}\}|\{%[^%]*%\}|\{[a-z_]+\}|<[^>]*>|https?://\S+"
)
# A mark that ends a word: followed by a space, the end, or closing punctuation.
_MARK = re.compile(r"[;:!?%](?=\s|$|[.,)»\"])")
_APOSTROPHE = re.compile(r"'")
_PLURAL_TRICK = re.compile(r"\w\(s\)|\(e\)s?\b")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def running_text(text: str, *, python_format: bool) -> str:
    masked = _NOT_TEXT.sub("\x00", text)
    return masked.replace("%%", "%") if python_format else masked


def spacing_faults(text: str, *, python_format: bool) -> list[str]:
    text = running_text(text, python_format=python_format)
    return [
        text[max(0, m.start() - 15) : m.end() + 5]
        for m in _MARK.finditer(text)
        if m.start() == 0 or text[m.start() - 1] not in NO_BREAK
    ]


def _entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every French entry, plural forms included."""
    entries = []
    for key, msgstr in _catalog(MO).items():
        if not key or not msgstr:
            continue
        msgid = key[0] if isinstance(key, tuple) else str(key)
        entries.append((msgid.split("\x04")[-1], msgstr))
    return entries


def _is_python_format(msgid: str) -> bool:
    return bool(re.search(r"%\([a-z_]+\)[sd]|%%", msgid))


def test_the_catalog_is_read() -> None:
    assert len(_entries()) > 500


def test_every_mark_has_a_no_break_space_before_it() -> None:
    faults = [
        (msgid, fault)
        for msgid, msgstr in _entries()
        for fault in spacing_faults(msgstr, python_format=_is_python_format(msgid))
    ]
    assert faults == []


def test_one_apostrophe() -> None:
    faults = [
        msgstr
        for _msgid, msgstr in _entries()
        if _APOSTROPHE.search(running_text(msgstr, python_format=False))
    ]
    assert faults == []


def test_counts_are_pluralised_not_parenthesised() -> None:
    assert [msgstr for _msgid, msgstr in _entries() if _PLURAL_TRICK.search(msgstr)] == []
    assert [msgid for msgid, _msgstr in _entries() if _PLURAL_TRICK.search(msgid)] == []


def test_the_checks_see_faults() -> None:
    assert spacing_faults("Statut: ok", python_format=False) == ["Statut: ok"]
    assert (
        spacing_faults("Statut\u00a0: 12\u202f% à 10:00, https://x.test/a", python_format=False)
        == []
    )
    assert spacing_faults("%(p)s %%", python_format=True) == ["\x00 %"]
    assert _PLURAL_TRICK.search("1 fichier(s)")


# `{% translate "Status" %}:` (or `{% trans %}</strong> :`): a colon the translation cannot space.
_BARE_COLON = re.compile(r"\{%\s*trans(?:late)?\s[^%]*%\}(?:</[a-z]+>)*\s*(?:&nbsp;)?:")


def test_no_template_writes_a_colon_after_a_translation() -> None:
    faults = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in _BARE_COLON.finditer(path.read_text())
    ]
    assert faults == []
    assert _BARE_COLON.search('{% translate "Status" %} :')


# `{{ deadline.label }}: ...`: a colon after a value, outside any translation, cannot be spaced
# in French either (inside a blocktranslate the translation places it).
_VALUE_COLON = re.compile(r"\}\}:(?=\s|<)")
_BLOCK = re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S)


def test_no_template_writes_a_colon_after_a_value() -> None:
    faults = [
        f"{path.relative_to(TEMPLATES)}: {text[max(0, m.start() - 30) : m.end() + 5]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for text in [_BLOCK.sub("", path.read_text())]
        for m in _VALUE_COLON.finditer(text)
    ]
    assert faults == []
    assert _VALUE_COLON.search(_BLOCK.sub("", "{{ a }}: <b>"))
    assert not _VALUE_COLON.search(
        _BLOCK.sub("", "{% blocktranslate %}{{ a }}: x{% endblocktranslate %}")
    )
