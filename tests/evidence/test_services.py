"""Evidence services: immutable versions, content checks, integrity, and the verify command."""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.deletion import ProtectedError

from evidence.filetypes import display_name
from evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus, EvidenceVersion
from evidence.services import (
    EvidenceError,
    EvidenceIntegrityError,
    ItemData,
    evidence_files_add,
    evidence_item_create,
    evidence_item_set_status,
    evidence_item_update,
    evidence_version_add,
    evidence_version_open,
)
from hdsready.models import TrailEvent
from tests.evidence.helpers import ELF, HTML, PDF, TEXT, hashed_upload, make_item, png
from tests.factories import OrganisationFactory, make_member
from tests.scopes.test_scope_services import requirement

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def events(kind):
    return TrailEvent.objects.filter(kind=kind)


def tamper(store, version):
    """Flip one byte of the stored file, as a disk fault or an intruder would."""
    path = store.media / version.storage_name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def add(item, actor, content=PDF, name="policy.pdf", comment=""):
    return evidence_version_add(
        item=item, upload=hashed_upload(content, name), actor=actor, comment=comment
    )


class TestItems:
    def test_create_and_update_write_the_trail(self, organisation, officer, contributor):
        exi02 = requirement("EXI 02")
        item = evidence_item_create(
            organisation=organisation,
            data=ItemData(title="  Backup policy ", owner=contributor, requirements=[exi02]),
            actor=officer,
        )
        assert item.title == "Backup policy"
        created = events("evidence.created").get()
        assert (created.actor, created.object_id) == (officer, str(item.pk))
        assert created.data["requirements"] == ["EXI 02"]

        evidence_item_update(
            item=item,
            data=ItemData(title="Backup policy v2", owner=contributor, requirements=[exi02]),
            actor=contributor,
        )
        updated = events("evidence.updated").get()
        assert updated.data["changes"] == {"title": ["Backup policy", "Backup policy v2"]}
        # Saving the same data again records nothing.
        evidence_item_update(
            item=item,
            data=ItemData(title="Backup policy v2", owner=contributor, requirements=[exi02]),
            actor=contributor,
        )
        assert events("evidence.updated").count() == 1

    def test_refuses_an_owner_from_elsewhere_and_an_empty_title(
        self, organisation, officer, outsider
    ):
        with pytest.raises(EvidenceError, match="owner must be a member"):
            evidence_item_create(
                organisation=organisation,
                data=ItemData(title="Policy", owner=outsider),
                actor=officer,
            )
        with pytest.raises(EvidenceError, match="needs a title"):
            evidence_item_create(
                organisation=organisation, data=ItemData(title="  "), actor=officer
            )
        assert not EvidenceItem.objects.exists()

    def test_a_link_has_no_versions(self, organisation, officer, store):
        link = evidence_item_create(
            organisation=organisation,
            data=ItemData(title="Status page", url="https://status.example.org"),
            kind=EvidenceKind.LINK,
            actor=officer,
        )
        with pytest.raises(EvidenceError, match="A link has no file versions"):
            add(link, officer)
        assert store.stored_files() == []


class TestVersions:
    def test_numbers_increase_and_each_version_is_in_the_trail(
        self, item, officer, contributor, store
    ):
        first = add(item, officer, PDF, comment="Signed")
        second = add(item, contributor, TEXT, name="notes.txt")
        assert (first.number, second.number) == (1, 2)
        assert first.sha256 == hashlib.sha256(PDF).hexdigest()
        assert (second.size, second.content_type) == (len(TEXT), "text/plain")
        assert store.plaintext(first.storage_name) == PDF
        assert store.plaintext(second.storage_name) == TEXT
        # The storage name is ours, not the user's.
        assert first.storage_name.startswith(f"evidence/{item.organisation_id}/")
        assert "policy" not in first.storage_name
        added = events("evidence.version_added").order_by("seq")
        assert [(e.actor, e.data["version"], e.data["sha256"]) for e in added] == [
            (officer, 1, first.sha256),
            (contributor, 2, second.sha256),
        ]

    def test_versions_are_immutable(self, item, officer, store):
        version = add(item, officer)
        version.comment = "rewritten"
        with pytest.raises(TypeError, match="immutable"):
            version.save()
        with pytest.raises(TypeError, match="never deleted"):
            version.delete()
        with pytest.raises(TypeError, match="immutable"):
            EvidenceVersion.objects.filter(pk=version.pk).update(comment="rewritten")
        with pytest.raises(TypeError, match="never deleted"):
            EvidenceVersion.objects.filter(pk=version.pk).delete()
        with pytest.raises(TypeError, match="never deleted"):
            item.versions.all().delete()
        with pytest.raises(ProtectedError):
            item.delete()
        version.refresh_from_db()
        assert version.comment == ""
        assert len(store.stored_files()) == 1

    def test_retiring_keeps_versions_and_refuses_new_ones(self, item, officer, store):
        add(item, officer)
        retired = evidence_item_set_status(item=item, status=EvidenceStatus.RETIRED, actor=officer)
        assert retired.status == EvidenceStatus.RETIRED
        assert item.versions.count() == 1
        with pytest.raises(EvidenceError, match="retired: reinstate it"):
            add(retired, officer)
        with pytest.raises(EvidenceError, match="cannot change to that status"):
            evidence_item_set_status(item=item, status=EvidenceStatus.RETIRED, actor=officer)
        assert item.versions.count() == 1
        assert len(store.stored_files()) == 1

        reinstated = evidence_item_set_status(
            item=item, status=EvidenceStatus.ACTIVE, actor=officer
        )
        assert add(reinstated, officer).number == 2
        assert events("evidence.retired").count() == 1
        assert events("evidence.reinstated").count() == 1

    def test_a_stale_item_retired_meanwhile_takes_no_version(self, item, officer, store):
        evidence_item_set_status(item=item, status=EvidenceStatus.RETIRED, actor=officer)
        assert item.status == EvidenceStatus.ACTIVE  # the caller's copy, read before
        with pytest.raises(EvidenceError, match="retired: reinstate it"):
            add(item, officer)
        assert not EvidenceVersion.objects.exists()
        assert store.stored_files() == []

    def test_unknown_status_is_refused(self, item, officer):
        with pytest.raises(EvidenceError):
            evidence_item_set_status(item=item, status="deleted", actor=officer)
        item.refresh_from_db()
        assert item.status == EvidenceStatus.ACTIVE


class TestContent:
    def test_a_renamed_executable_is_refused_and_leaves_nothing(self, item, officer, store):
        upload = hashed_upload(ELF, "policy.pdf")
        with pytest.raises(EvidenceError) as refused:
            evidence_version_add(item=item, upload=upload, actor=officer)
        # libmagic names an ELF x-sharedlib or x-pie-executable depending on its version.
        assert re.fullmatch(
            r"policy\.pdf is refused: its content \(application/x-[\w-]+\) "
            r"is not an accepted kind of evidence\.",
            str(refused.value),
        )
        assert not EvidenceVersion.objects.exists()
        assert not events("evidence.version_added").exists()
        assert store.stored_files() == []
        upload.close()
        assert store.temp_files() == []

    def test_a_real_pdf_named_exe_is_a_pdf(self, item, officer):
        version = add(item, officer, PDF, name="x.exe")
        assert (version.content_type, version.original_name) == ("application/pdf", "x.exe")

    @pytest.mark.parametrize(
        ("content", "expected"),
        [(HTML, "text/plain"), (b"#!/bin/sh\nrm -rf /\n", "text/plain"), (png(), "image/png")],
    )
    def test_type_comes_from_the_bytes(self, item, officer, content, expected):
        assert add(item, officer, content, name="page.pdf").content_type == expected

    def test_an_empty_file_is_refused(self, item, officer, store):
        with pytest.raises(EvidenceError, match="empty"):
            add(item, officer, b"", name="empty.pdf")
        assert store.stored_files() == []

    def test_the_display_name_is_sanitised(self, item, officer, store):
        version = add(item, officer, PDF, name="..\\..\\windows/\x07audit\u202e\x00.pdf")
        assert version.original_name == "audit.pdf"
        assert events("evidence.version_added").get().data["file"] == "audit.pdf"
        assert [p.name for p in store.stored_files()] == [version.storage_name.split("/")[-1]]

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("../../etc/passwd", "passwd"),
            ("C:\\Users\\alice\\Desktop\\PSSI.pdf", "PSSI.pdf"),
            ("bad\x00\x1b[31mname\r\n.pdf", "bad[31mname.pdf"),
            ("gpj.\u202eexe.pdf", "gpj.exe.pdf"),
            ("  ..  ", "file"),
            ("", "file"),
            ("a  \t b.txt", "a b.txt"),
            ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
        ],
    )
    def test_display_name(self, raw, expected):
        assert display_name(raw) == expected

    def test_a_drop_with_one_bad_file_stores_nothing(self, organisation, officer, store):
        exi02 = requirement("EXI 02")
        with pytest.raises(EvidenceError, match=r"tool\.pdf is refused"):
            evidence_files_add(
                organisation=organisation,
                uploads=[hashed_upload(PDF, "good.pdf"), hashed_upload(ELF, "tool.pdf")],
                requirements=[exi02],
                actor=officer,
            )
        assert not EvidenceItem.objects.exists()
        assert store.stored_files() == []

    def test_a_drop_makes_one_item_per_file(self, organisation, officer):
        exi02 = requirement("EXI 02")
        versions = evidence_files_add(
            organisation=organisation,
            uploads=[hashed_upload(PDF, "PSSI.pdf"), hashed_upload(TEXT, "review.txt")],
            requirements=[exi02],
            actor=officer,
        )
        assert sorted(v.item.title for v in versions) == ["PSSI.pdf", "review.txt"]
        for version in versions:
            assert list(version.item.requirements.all()) == [exi02]
            assert version.number == 1


class TestIntegrity:
    def test_an_intact_file_opens_and_the_read_is_logged(self, item, officer, contributor):
        version = add(item, officer)
        with evidence_version_open(version=version, actor=contributor, purpose="viewed") as f:
            assert f.read() == PDF
        viewed = events("evidence.viewed").get()
        assert (viewed.actor, viewed.object_id) == (contributor, str(version.pk))
        assert viewed.data == {"item": item.pk, "version": 1, "file": "policy.pdf"}

    def test_a_tampered_file_is_refused_and_recorded(self, item, officer, store):
        version = add(item, officer)
        tamper(store, version)
        with pytest.raises(EvidenceIntegrityError, match="does not match its fingerprint"):
            evidence_version_open(version=version, actor=officer, purpose="downloaded")
        failed = events("evidence.integrity_failed").get()
        assert failed.data["expected"] == version.sha256
        # Encrypted segments authenticate themselves: a flipped byte fails before any hash.
        assert failed.data["found"] == "damaged"
        assert not events("evidence.downloaded").exists()

    def test_a_file_replaced_with_its_hash_column_is_refused(self, item, officer, store):
        """Whoever can write to the storage and the database, but not the trail's key."""
        version = add(item, officer)
        # Without the encryption key the intruder can only put plaintext in place (read as a
        # file stored before encryption), with its hash in the column.
        forged_bytes = PDF + b"%forged"
        (store.media / version.storage_name).write_bytes(forged_bytes)
        forged = hashlib.sha256(forged_bytes).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE evidence_evidenceversion SET sha256 = %s WHERE id = %s",
                [forged, version.pk],
            )
        version.refresh_from_db()
        with pytest.raises(EvidenceIntegrityError):
            evidence_version_open(version=version, actor=officer, purpose="downloaded")
        failed = events("evidence.integrity_failed").get()
        assert failed.data["found"] == failed.data["column"] == forged
        assert failed.data["expected"] != forged
        assert not events("evidence.downloaded").exists()
        out = StringIO()
        with pytest.raises(CommandError, match="1 of 1 versions do not match"):
            call_command("evidence_verify", stdout=out)
        assert f"its sha256 column changed to {forged}" in out.getvalue()

    def test_a_lost_file_is_refused_and_recorded(self, item, officer, store):
        version = add(item, officer)
        (store.media / version.storage_name).unlink()
        with pytest.raises(EvidenceIntegrityError):
            evidence_version_open(version=version, actor=officer, purpose="viewed")
        assert events("evidence.integrity_failed").get().data["found"] == "missing"


class TestVerifyCommand:
    def run(self, *args):
        out = StringIO()
        call_command("evidence_verify", *args, stdout=out)
        return out.getvalue()

    def test_an_intact_store_passes(self, item, officer):
        add(item, officer)
        add(item, officer, TEXT, name="notes.txt")
        assert self.run() == "Evidence store intact: 2 versions verified.\n"

    def test_an_empty_store_passes(self, db):
        assert "0 versions verified" in self.run()

    def test_a_tampered_and_a_lost_file_are_reported(self, item, officer, store):
        intact = add(item, officer)
        altered = add(item, officer, TEXT, name="notes.txt")
        lost = add(item, officer, png(), name="screen.png")
        tamper(store, altered)
        (store.media / lost.storage_name).unlink()
        out = StringIO()
        with pytest.raises(CommandError, match="2 of 3 versions do not match"):
            call_command("evidence_verify", stdout=out)
        lines = out.getvalue().splitlines()
        assert len(lines) == 2
        assert lines[0] == (
            f"PROBLEM item #{item.pk} 'Backup policy' version 2 ({altered.storage_name}): "
            f"expected {altered.sha256}, encrypted file damaged (fails authentication)"
        )
        assert lines[1].endswith(
            f"version 3 ({lost.storage_name}): expected {lost.sha256}, file missing"
        )
        assert intact.storage_name not in out.getvalue()
        # Verifying writes nothing: it is a read of the store, not a change.
        assert not events("evidence.integrity_failed").exists()

    def test_one_organisation(self, organisation, item, officer, store):
        other = OrganisationFactory(slug="other-host")
        other_officer = make_member(other, "officer")
        broken = add(make_item(other, other_officer), other_officer)
        tamper(store, broken)
        add(item, officer)
        assert "intact: 1 versions" in self.run("--organisation", organisation.slug)
        with pytest.raises(CommandError, match="1 of 1 versions"):
            self.run("--organisation", "other-host")
        with pytest.raises(CommandError, match="No organisation"):
            self.run("--organisation", "nowhere")
