"""The French catalog is complete, matches the sources, and the committed .mo matches the .po.

These tests use the gettext tools (msgattrib, msgfmt), as `manage.py makemessages` does.
After adding or changing a source string: `make messages`, translate the new entries of
locale/fr/LC_MESSAGES/django.po (and clear any "fuzzy" flag), then `make messages` again to
recompile the .mo, and commit both files.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

PO_RELATIVE = Path("locale/fr/LC_MESSAGES/django.po")
PO = Path(settings.BASE_DIR) / PO_RELATIVE
MO = PO.with_suffix(".mo")

# Not sources: skipped when the repository is copied for makemessages.
_NOT_SOURCES = frozenset(
    {"var", "node_modules", "test-artifacts", "build", "__pycache__", "staticfiles", "media"}
)


def _problems(po: Path, flag: str) -> str:
    """The entries of `po` that msgattrib selects with `flag` (empty text when there are none)."""
    result = subprocess.run(
        ["msgattrib", flag, "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def _assert_complete(po: Path) -> None:
    untranslated = _problems(po, "--untranslated")
    assert not untranslated, f"untranslated entries in {po.name}:\n{untranslated}"
    fuzzy = _problems(po, "--only-fuzzy")
    assert not fuzzy, f"fuzzy entries in {po.name} (review them, then drop the flag):\n{fuzzy}"


def _catalog(mo: Path) -> dict[object, str]:
    with mo.open("rb") as fp:
        return dict(gettext.GNUTranslations(fp)._catalog)


def _ignore(directory: str, names: list[str]) -> set[str]:
    return {
        name
        for name in names
        if name.startswith(".")
        or name in _NOT_SOURCES
        or name.endswith((".egg-info", ".mo", ".pyc", ".sqlite3"))
    }


def test_committed_catalog_is_complete() -> None:
    _assert_complete(PO)
    text = PO.read_text(encoding="utf-8")
    assert '"Language: fr\\n"' in text
    assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in text
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text


def test_every_source_string_is_translated(tmp_path: Path) -> None:
    """makemessages on a copy of the sources: a new, untranslated string fails here."""
    copy = tmp_path / "repo"
    shutil.copytree(settings.BASE_DIR, copy, ignore=_ignore)
    env = {**os.environ, "DEBUG": "true", "HDSREADY_VAR_DIR": str(tmp_path / "var")}
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fr",
            "--no-obsolete",
            "--no-location",
            "-v0",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    _assert_complete(copy / PO_RELATIVE)


def test_committed_mo_matches_po(tmp_path: Path) -> None:
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True)
    assert _catalog(MO) == _catalog(fresh), (
        "locale/fr/LC_MESSAGES/django.mo is stale: run `make messages` and commit it"
    )


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("fr", ["Se connecter", "Adresse e-mail", "Continuer"], "Log in"),
        ("en", ["Log in", "E-mail address", "Continue"], "Se connecter"),
    ],
)
def test_login_page_speaks_the_chosen_language(
    db: None, language: str, expected: list[str], absent: str
) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("hdsready:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for text in expected:
        assert text in html
    assert absent not in html


def test_login_page_defaults_to_french_and_follows_accept_language(db: None) -> None:
    assert "Se connecter" in Client().get(reverse("hdsready:login")).content.decode()
    english = Client(headers={"accept-language": "en-GB,en;q=0.9"})
    assert "Log in" in english.get(reverse("hdsready:login")).content.decode()
