"""State changes of the evidence app. Every change and every read of a file writes the trail:
"who saw what, when" (HDS v2 EXI 15 and 16)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from evidence.filetypes import display_name, is_allowed, normalise_type, sniff_path
from evidence.models import (
    EVIDENCE_TRANSITIONS,
    CertificateFile,
    EvidenceItem,
    EvidenceKind,
    EvidenceStatus,
    EvidenceVersion,
)
from evidence.uploads import HashedUploadedFile
from hdsready.encryption import EncryptedFileDamaged, EncryptionKeyError
from hdsready.models import Membership, Organisation, User
from hdsready.trail import trail_first_values, trail_record
from scopes.models import Certificate, Requirement

READ_CHUNK = 1024 * 1024


class EvidenceError(Exception):
    """A change the evidence app refuses; its message is shown to the user as it is."""


class EvidenceIntegrityError(EvidenceError):
    """The stored bytes no longer match the SHA-256 recorded at upload."""


@dataclass(frozen=True)
class ItemData:
    title: str
    description: str = ""
    owner: User | None = None
    requirements: Sequence[Requirement] = ()
    effective_on: date | None = None
    review_due_on: date | None = None
    url: str = ""


def _check_item(organisation: Organisation, data: ItemData) -> None:
    if not data.title.strip():
        raise EvidenceError(_("Evidence needs a title."))
    if (
        data.owner is not None
        and not Membership.objects.filter(organisation=organisation, user=data.owner).exists()
    ):
        raise EvidenceError(_("The owner must be a member of the organisation."))
    for requirement in data.requirements:
        framework = requirement.framework
        if framework.organisation_id not in (None, organisation.pk) or not requirement.assessable:
            raise EvidenceError(_("Unknown requirement."))


def _item_snapshot(item: EvidenceItem) -> dict[str, object]:
    return {
        "title": item.title,
        "owner": str(item.owner or ""),
        "effective_on": item.effective_on,
        "review_due_on": item.review_due_on,
        "url": item.url,
        "requirements": sorted(r.ref_id for r in item.requirements.all()),
    }


def evidence_item_create(
    *, organisation: Organisation, data: ItemData, actor: User, kind: str = EvidenceKind.FILE
) -> EvidenceItem:
    _check_item(organisation, data)
    if kind == EvidenceKind.LINK and not data.url:
        raise EvidenceError(_("A link needs its address."))
    with transaction.atomic():
        item = EvidenceItem.objects.create(
            organisation=organisation,
            title=data.title.strip(),
            description=data.description,
            kind=kind,
            url=data.url if kind == EvidenceKind.LINK else "",
            owner=data.owner,
            effective_on=data.effective_on,
            review_due_on=data.review_due_on,
            created_by=actor,
        )
        item.requirements.set(data.requirements)
        trail_record(
            kind="evidence.created",
            actor=actor,
            organisation=organisation,
            target=item,
            data=_item_snapshot(item),
        )
        return item


def evidence_item_update(*, item: EvidenceItem, data: ItemData, actor: User) -> EvidenceItem:
    _check_item(item.organisation, data)
    if item.kind == EvidenceKind.LINK and not data.url:
        raise EvidenceError(_("A link needs its address."))
    with transaction.atomic():
        item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        before = _item_snapshot(item)
        item.title = data.title.strip()
        item.description = data.description
        item.owner = data.owner
        item.effective_on = data.effective_on
        item.review_due_on = data.review_due_on
        if item.kind == EvidenceKind.LINK:
            item.url = data.url
        item.save()
        item.requirements.set(data.requirements)
        after = _item_snapshot(item)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        if changes:
            trail_record(
                kind="evidence.updated",
                actor=actor,
                organisation=item.organisation,
                target=item,
                data={"changes": changes},
            )
        return item


def evidence_item_set_status(*, item: EvidenceItem, status: str, actor: User) -> EvidenceItem:
    """Retire an item (its versions stay) or bring it back."""
    with transaction.atomic():
        item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        if status not in EVIDENCE_TRANSITIONS[item.status]:
            raise EvidenceError(_("This evidence cannot change to that status."))
        item.status = status
        item.save(update_fields=["status"])
        trail_record(
            kind="evidence.retired" if status == EvidenceStatus.RETIRED else "evidence.reinstated",
            actor=actor,
            organisation=item.organisation,
            target=item,
        )
        return item


def _check_upload(upload: HashedUploadedFile) -> str:
    if not isinstance(upload, HashedUploadedFile):
        raise EvidenceError(_("The file did not arrive through the upload handler."))
    if upload.size == 0:
        raise EvidenceError(
            _("The file %(name)s is empty.") % {"name": display_name(upload.name or "")}
        )
    content_type = normalise_type(sniff_path(upload.temporary_file_path()))
    if not is_allowed(content_type):
        raise EvidenceError(
            _("%(name)s is refused: its content (%(type)s) is not an accepted kind of evidence.")
            % {"name": display_name(upload.name or ""), "type": content_type}
        )
    return content_type


def evidence_version_add(
    *, item: EvidenceItem, upload: HashedUploadedFile, actor: User, comment: str = ""
) -> EvidenceVersion:
    """Store an upload as the item's next immutable version. A refused upload leaves nothing:
    no row, no stored file."""
    if item.kind != EvidenceKind.FILE:
        raise EvidenceError(_("A link has no file versions."))
    if item.status != EvidenceStatus.ACTIVE:
        raise EvidenceError(_("This evidence is retired: reinstate it to add a version."))
    content_type = _check_upload(upload)
    # The storage name is ours, never the user's.
    name = f"evidence/{item.organisation_id}/{uuid.uuid4().hex}"
    stored = default_storage.save(name, File(upload, name=name))
    try:
        with transaction.atomic():
            locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
            if locked.status != EvidenceStatus.ACTIVE:  # retired since `item` was read
                raise EvidenceError(_("This evidence is retired: reinstate it to add a version."))
            last = locked.versions.order_by("-number").values_list("number", flat=True).first()
            version = EvidenceVersion(
                item=locked,
                number=(last or 0) + 1,
                original_name=display_name(upload.name or ""),
                size=upload.size or 0,
                content_type=content_type,
                sha256=upload.sha256,
                comment=comment,
                uploaded_by=actor,
            )
            version.file.name = stored
            version.save()
            trail_record(
                kind="evidence.version_added",
                actor=actor,
                organisation=item.organisation,
                target=version,
                data={
                    "item": item.pk,
                    "version": version.number,
                    "file": version.original_name,
                    "sha256": version.sha256,
                    "size": version.size,
                    "type": content_type,
                },
            )
            return version
    except BaseException:
        default_storage.delete(stored)
        raise


def evidence_files_add(
    *,
    organisation: Organisation,
    uploads: Iterable[HashedUploadedFile],
    requirements: Sequence[Requirement],
    actor: User,
) -> list[EvidenceVersion]:
    """Files dropped on a requirement: one new item per file, linked to the requirement."""
    uploads = list(uploads)
    for upload in uploads:  # refuse the whole drop before storing anything
        _check_upload(upload)
    versions = []
    for upload in uploads:
        with transaction.atomic():
            item = evidence_item_create(
                organisation=organisation,
                data=ItemData(
                    title=display_name(upload.name or ""), owner=actor, requirements=requirements
                ),
                actor=actor,
            )
            versions.append(evidence_version_add(item=item, upload=upload, actor=actor))
    return versions


def _hash_handle(stored: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stored.read(READ_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _hash_stored(name: str) -> str:
    with default_storage.open(name, "rb") as stored:
        return _hash_handle(stored)


def _sha256_on_record(versions: Sequence[EvidenceVersion]) -> dict[str, str | None]:
    """The SHA-256 each version's upload wrote to the keyed audit trail: a file replaced in the
    storage together with the version's sha256 column still differs from it."""
    return trail_first_values(
        kind="evidence.version_added",
        model=EvidenceVersion,
        pks=[version.pk for version in versions],
        field="sha256",
    )


def evidence_version_open(*, version: EvidenceVersion, actor: User, purpose: str) -> IO[bytes]:
    """Check the stored bytes against the SHA-256 recorded at upload, log the access, open the
    file (HDS v2 EXI 15-16: integrity and traceability of what is shown to an auditor).

    A mismatch with the upload's trail event, of the file or of the version's own hash column
    (or a missing file), refuses the read and is recorded in the trail.
    """
    expected = _sha256_on_record([version]).get(str(version.pk)) or "none on record"
    # One handle: the bytes served are the bytes just checked (a file replaced in the storage
    # after the check is not what this handle reads).
    handle: IO[bytes] | None = None
    # A missing or wrong key (EncryptionKeyError) is the configuration's fault, not the file's:
    # it goes up as it is (a clear "unavailable" page), neither served nor recorded as altered.
    try:
        handle = default_storage.open(version.storage_name, "rb")
        actual = _hash_handle(handle)
    except FileNotFoundError:
        actual = "missing"
    except EncryptedFileDamaged:
        actual = "damaged"
    if actual != expected or version.sha256 != expected:
        if handle is not None:
            handle.close()
        trail_record(
            kind="evidence.integrity_failed",
            actor=actor,
            organisation=version.item.organisation,
            target=version,
            data={
                "expected": expected,
                "found": actual,
                "purpose": purpose,
                **({"column": version.sha256} if version.sha256 != expected else {}),
            },
        )
        raise EvidenceIntegrityError(
            _(
                "The stored file of %(item)s version %(number)s does not match its fingerprint: "
                "it was altered or lost. The download is refused and the incident is recorded."
            )
            % {"item": version.item.title, "number": version.number}
        )
    trail_record(
        kind=f"evidence.{purpose}",
        actor=actor,
        organisation=version.item.organisation,
        target=version,
        data={"item": version.item_id, "version": version.number, "file": version.original_name},
    )
    assert handle is not None  # noqa: S101  (a missing file never matches the recorded hash)
    handle.seek(0)
    return handle


@dataclass(frozen=True)
class VerifyProblem:
    version: EvidenceVersion
    found: str
    expected: str


def evidence_verify_all(
    *, organisation: Organisation | None = None
) -> Iterator[VerifyProblem | EvidenceVersion]:
    """Re-hash every stored version against the SHA-256 its upload recorded in the trail;
    yields each version checked, or a problem (queries: two per 500 versions)."""
    versions = EvidenceVersion.objects.select_related("item").order_by("pk")
    if organisation is not None:
        versions = versions.filter(item__organisation=organisation)
    batch: list[EvidenceVersion] = []
    for version in versions.iterator(chunk_size=500):
        batch.append(version)
        if len(batch) == 500:
            yield from _verify_batch(batch)
            batch = []
    yield from _verify_batch(batch)


def _verify_batch(
    versions: Sequence[EvidenceVersion],
) -> Iterator[VerifyProblem | EvidenceVersion]:
    recorded = _sha256_on_record(versions)
    for version in versions:
        expected = recorded.get(str(version.pk)) or "none on record"
        try:
            found = _hash_stored(version.storage_name)
        except FileNotFoundError:
            found = "missing"
        except EncryptedFileDamaged:
            found = "damaged"
        except EncryptionKeyError as exc:
            found = f"unreadable ({exc})"
        if found == expected == version.sha256:
            yield version
        else:
            yield VerifyProblem(version, found, expected)


def certificate_file_add(
    *, certificate: Certificate, upload: HashedUploadedFile, actor: User
) -> EvidenceVersion:
    """Store a certificate's file (HDS v2 EXI 12: the host hands its clients the certificates)
    as the next version of the certificate's own evidence item, created with its first file.
    A refused upload leaves nothing."""
    _check_upload(upload)
    with transaction.atomic():
        locked = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("organisation", "subcontractor")
            .get(pk=certificate.pk)
        )
        link = CertificateFile.objects.select_related("item").filter(certificate=locked).first()
        if link is None:
            holder = locked.subcontractor or locked.organisation
            item = evidence_item_create(
                organisation=locked.organisation,
                data=ItemData(
                    title=_("Certificate %(certificate)s (%(holder)s)")
                    % {"certificate": str(locked), "holder": str(holder)},
                    effective_on=locked.issued_on,
                    # Shown as evidence of HDS v2 EXI 12 (the certificates given to clients).
                    requirements=list(
                        Requirement.objects.filter(
                            framework__organisation__isnull=True,
                            framework__code="hds",
                            ref_id="EXI 12",
                            assessable=True,
                        )
                    ),
                ),
                actor=actor,
            )
            link = CertificateFile.objects.create(certificate=locked, item=item)
        elif link.item.status != EvidenceStatus.ACTIVE:
            evidence_item_set_status(item=link.item, status=EvidenceStatus.ACTIVE, actor=actor)
            link.item.refresh_from_db()
        return evidence_version_add(item=link.item, upload=upload, actor=actor)
