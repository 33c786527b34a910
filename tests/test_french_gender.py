"""Words whose gender the French interface got wrong once ("un adresse e-mail"): none in the
templates, the Python sources (data, messages) or the French catalog."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Feminine nouns after a masculine article.
WRONG = re.compile(r"\b(un|le|ce) (adresse|date|échéance|preuve|exigence|mesure)\b", re.I)


def _texts() -> list[Path]:
    skipped = {".venv", ".git", "node_modules", "var", "test-artifacts"}
    return [
        path
        for pattern in ("*.py", "*.html", "*.txt", "*.po")
        for path in ROOT.rglob(pattern)
        if not skipped & set(path.relative_to(ROOT).parts) and path.name != Path(__file__).name
    ]


def test_no_feminine_noun_after_a_masculine_article() -> None:
    texts = _texts()
    assert any(path.suffix == ".po" for path in texts)
    faults = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in texts
        for match in WRONG.finditer(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert faults == []


def test_the_check_sees_the_fault() -> None:
    assert WRONG.search("Saisissez un adresse e-mail")
    assert not WRONG.search("Saisissez une adresse e-mail")
