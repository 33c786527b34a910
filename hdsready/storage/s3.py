"""The encrypted storage over an S3-compatible bucket (STORAGE_BACKEND=s3, django-storages)."""

from __future__ import annotations

from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from hdsready.storage import EncryptedStorageMixin


class EncryptedS3Storage(EncryptedStorageMixin, S3Storage):
    def replace_stored(self, *, source: str, target: str) -> None:
        # A server-side copy writes the target object in one step (S3 never shows a partial
        # object); the source goes after, and a rotation rerun deletes it if this was cut.
        source_key = self._normalize_name(clean_name(source))
        self.bucket.Object(self._normalize_name(clean_name(target))).copy(
            {"Bucket": self.bucket.name, "Key": source_key}
        )
        self.delete(source)
