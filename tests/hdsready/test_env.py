from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from hdsready import env


def test_bool_reads_common_spellings(monkeypatch):
    for raw, expected in [("true", True), ("1", True), ("YES", True), ("off", False), ("0", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env.env_bool("X_FLAG", not expected) is expected


def test_bool_refuses_garbage(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        env.env_bool("X_FLAG", False)


def test_int_default_and_error(monkeypatch):
    monkeypatch.delenv("X_NUM", raising=False)
    assert env.env_int("X_NUM", 7) == 7
    monkeypatch.setenv("X_NUM", "12")
    assert env.env_int("X_NUM", 7) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env.env_int("X_NUM", 7)


def test_list_and_timedelta(monkeypatch):
    monkeypatch.setenv("X_LIST", " a.example , b.example,, ")
    assert env.env_list("X_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("X_HOURS", "3")
    assert env.env_timedelta_hours("X_HOURS", 1) == timedelta(hours=3)


def test_file_variant_wins_and_fails_loudly(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET", "from-env")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env.env_str("X_SECRET") == "from-a-file"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        env.env_str("X_SECRET")


def test_required(monkeypatch):
    monkeypatch.delenv("X_REQ", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_REQ must be set: because"):
        env.env_required("X_REQ", why="because")


def test_database_url():
    db = env.database_from_url("postgres://u%40x:p%2Fw@db.example:6543/hds")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "hds",
        "u@x",
        "p/w",
        "db.example",
        "6543",
    )
    with pytest.raises(ImproperlyConfigured, match="scheme 'mysql'"):
        env.database_from_url("mysql://h/db")
    with pytest.raises(ImproperlyConfigured, match="must name a database"):
        env.database_from_url("postgres://h")
