"""Every evidence test stores files in its own MEDIA_ROOT and upload temp dir, so a test can
assert that nothing was left behind."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.test import Client

from evidence.models import EvidenceItem
from hdsready.encryption import MAGIC
from hdsready.models import Organisation, User
from tests.evidence.helpers import make_item


@dataclass(frozen=True)
class Store:
    media: Path
    temp: Path

    def stored_files(self) -> list[Path]:
        return sorted(p for p in self.media.rglob("*") if p.is_file())

    def temp_files(self) -> list[Path]:
        return sorted(p for p in self.temp.rglob("*") if p.is_file())

    def plaintext(self, name: str) -> bytes:
        """The stored file's plaintext, after checking it is stored encrypted."""
        assert (self.media / name).read_bytes().startswith(MAGIC)
        with default_storage.open(name) as stored:
            return bytes(stored.read())


@pytest.fixture(autouse=True)
def store(settings, tmp_path: Path) -> Store:
    media = tmp_path / "media"
    temp = tmp_path / "upload-tmp"
    media.mkdir()
    temp.mkdir()
    settings.MEDIA_ROOT = media
    # The default storage's location was fixed when settings loaded: a new STORAGES (not an
    # in-place edit) sends setting_changed, and Django drops the cached default storage.
    storages: dict[str, dict[str, Any]] = copy.deepcopy(django_settings.STORAGES)
    storages["default"]["OPTIONS"]["location"] = str(media)
    settings.STORAGES = storages
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    return Store(media=media, temp=temp)


@pytest.fixture
def item(organisation: Organisation, officer: User) -> EvidenceItem:
    return make_item(organisation, officer)


@pytest.fixture
def client_en(client_as) -> Callable[[User], Client]:
    """A verified client whose messages come in English, as the `english` fixture does."""

    def make(user: User) -> Client:
        client = client_as(user)
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
