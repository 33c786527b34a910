"""French long dates write the first of the month « 1er », everywhere a long date is written:
the `date` filter of every template, and the Python code that writes dates into messages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from hdsready.dates import date_format, ordinal_format

PARIS = ZoneInfo("Europe/Paris")
THIS = Path(__file__).name


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (date(2027, 2, 1), "fr", "1er février 2027"),
        (date(2027, 2, 2), "fr", "2 février 2027"),
        (date(2027, 2, 11), "fr", "11 février 2027"),
        (date(2027, 2, 21), "fr", "21 février 2027"),
        (date(2027, 2, 1), "en", "Feb. 1, 2027"),
    ],
)
def test_the_first_of_the_month_in_french(day, language, expected) -> None:
    with translation.override(language):
        assert date_format(day) == expected
        assert date_format(day, "DATE_FORMAT") == expected
        assert Template("{{ day|date }}").render(Context({"day": day})) == expected
        assert Template('{{ day|date:"DATE_FORMAT" }}').render(Context({"day": day})) == expected


def test_date_times_and_short_dates() -> None:
    moment = datetime(2027, 3, 1, 9, 5, tzinfo=PARIS)
    with translation.override("fr"):
        assert date_format(moment, "DATETIME_FORMAT") == "1er mars 2027 09:05"
        assert date_format(moment, "SHORT_DATE_FORMAT") == "01/03/2027"
        assert date_format(moment, "MONTH_DAY_FORMAT") == "1er mars"
        # A format string of its own, as templates give one; an escaped j stays a letter.
        assert date_format(moment, r"j \j F") == "1er j mars"
        rendered = Template('{{ moment|date:"DATETIME_FORMAT" }}').render(
            Context({"moment": moment})
        )
        assert rendered == "1er mars 2027 09:05"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_only_the_first_changes_and_only_in_french(day: date) -> None:
    with translation.override("fr"):
        french = date_format(day)
    with translation.override("en"):
        english = date_format(day)
    assert french.startswith("1er " if day.day == 1 else f"{day.day} ")
    assert "er" not in french.split(" ")[0] or day.day == 1
    assert "1er" not in english
    assert ordinal_format("d/m/Y", day=day.day, language="fr") == "d/m/Y"


def test_empty_and_odd_values_give_nothing_not_an_error() -> None:
    template = Template('[{{ none|date }}][{{ empty|date:"DATE_FORMAT" }}][{{ word|date }}]')
    assert template.render(Context({"none": None, "empty": "", "word": "x"})) == "[][][]"
    assert Template("{{ t|date }}").render(Context({"t": timedelta(days=1)})) == ""


def test_no_module_formats_dates_past_the_one_helper() -> None:
    """Every date written in Python goes through hdsready.dates (the filter does by itself)."""
    offenders = []
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        parts = path.relative_to(settings.BASE_DIR).parts
        if parts[0] in {".venv", "node_modules", "var"} or path.name in ("dates.py", THIS):
            continue
        text = path.read_text(encoding="utf-8")
        if "formats.date_format" in text or "from django.utils.formats import date_format" in text:
            offenders.append(str(path))
    assert offenders == []
