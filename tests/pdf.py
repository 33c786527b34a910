"""Reading a PDF back as a person would, with poppler's pdftotext.

Table cells wrap where the column is narrow, and how narrow depends on the other cells (a longer
name elsewhere in the row moves every column). A test that looks for a phrase in a cell must not
depend on where it wraps: `flowing` reads the text in the order it was drawn (`-raw`, a wrapped
cell's lines stay together) and joins every run of whitespace, so "Audit documentaire terminé"
is found whether the cell holds it on one line or three. The typography is undone too: the PDF
sets typographic apostrophes and French no-break spaces where the database holds plain ones."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u00a0": " ", "\u202f": " "})


def pdf_text(source: bytes | Path, *, layout: bool = False) -> str:
    """The PDF's text: in drawing order (`-raw`), or laid out as on the page (`-layout`, for a
    test about where things sit)."""
    if isinstance(source, bytes):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "read.pdf"
            path.write_bytes(source)
            return pdf_text(path, layout=layout)
    return subprocess.run(
        ["pdftotext", "-layout" if layout else "-raw", str(source), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def flowing(source: bytes | Path | str) -> str:
    """The text as one line: typography undone, whitespace runs (line ends of wrapped cells,
    page breaks) made one space."""
    text = source if isinstance(source, str) else pdf_text(source)
    return " ".join(text.translate(TYPOGRAPHY).split())
