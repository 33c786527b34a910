"""French typography for printed text: pure string rules, no Django.

The Imprimerie nationale rules that matter in a dossier: a no-break space before the colon, a
narrow no-break space before ; ! ? and inside « », and the typographic apostrophe. Only spaces
that the writer typed, or an obvious missing one before a high sign, are changed, so times
("10:30"), addresses ("https://...") and hashes stay as they are."""

from __future__ import annotations

import re
from html import escape, unescape

NBSP = "\u00a0"
NNBSP = "\u202f"

_BEFORE_COLON = re.compile(r"(?<=\w)[ \u00a0\u202f]?:(?=\s|$)")
_BEFORE_HIGH_SIGN = re.compile(r"(?<=[\w)»])[ \u00a0\u202f]?([;!?])(?=\s|$|[)»])")
_SPACE_BEFORE_COLON_AFTER_PUNCT = re.compile(r"(?<=[)»]) :(?=\s|$)")
_OPEN_QUOTE = re.compile(r"«[ \u00a0\u202f]?")
_CLOSE_QUOTE = re.compile(r"[ \u00a0\u202f]?»")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def is_french(language: str | None) -> bool:
    """Whether text printed in `language` (none active: French, the default) gets the rules."""
    return (language or "fr").startswith("fr")


def french(text: str) -> str:
    """`text` with French spacing around punctuation and typographic apostrophes."""
    if not text:
        return text
    text = _APOSTROPHE.sub("\u2019", text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _SPACE_BEFORE_COLON_AFTER_PUNCT.sub(NBSP + ":", text)
    text = _BEFORE_HIGH_SIGN.sub(NNBSP + r"\1", text)
    text = _OPEN_QUOTE.sub("«" + NNBSP, text)
    return _CLOSE_QUOTE.sub(NNBSP + "»", text)


_TEXT_NODE = re.compile(r">([^<]+)<")


def french_html(html: str) -> str:
    """`french` applied to every text node of an HTML document without <style> or <script>:
    entities are decoded first and escaped again, so "&amp;" never meets a rule."""

    def fix(match: re.Match[str]) -> str:
        text = match.group(1)
        if not text.strip():
            return match.group(0)
        return ">" + escape(french(unescape(text)), quote=False) + "<"

    return _TEXT_NODE.sub(fix, html)
