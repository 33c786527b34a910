"""HDS v2 EXI 12: the certificates handed to a client as one ZIP with a manifest; the
certificate's file kept as evidence (upload, hook, served like other evidence)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from contracts.models import Client
from contracts.services import ClientData, client_save
from evidence.models import CertificateFile, EvidenceVersion
from evidence.services import EvidenceError, certificate_file_add
from hdsready.models import TrailEvent
from scopes.certificate_files import certificate_files_of
from scopes.models import Certificate
from scopes.services.certificates import certificate_status_set
from scopes.services.scope import certificate_save, subcontractor_save
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)
from tests.evidence.helpers import ELF, PDF, hashed_upload
from tests.scopes.test_scope_services import hds_data

pytestmark = pytest.mark.django_db


def current(activities, number):
    today = timezone.localdate()
    return hds_data(
        activities,
        issued=today - timedelta(days=100),
        expires=today + timedelta(days=900),
        number=number,
    )


@pytest.fixture
def certificates(organisation, officer) -> dict[str, Certificate]:
    datacenter = subcontractor_save(
        organisation=organisation, name="DataCenter Paris", actor=officer
    )
    own = certificate_save(
        organisation=organisation,
        subcontractor=None,
        data=current([3, 4, 5, 6], "HDS-OWN"),
        actor=officer,
    )
    sub = certificate_save(
        organisation=organisation,
        subcontractor=datacenter,
        data=current([1, 2], "HDS-DC"),
        actor=officer,
    )
    expired = certificate_save(
        organisation=organisation,
        subcontractor=datacenter,
        data=hds_data([1, 2], number="HDS-OLD"),  # 2025-01-01 to 2028-01-01
        actor=officer,
    )
    Certificate.objects.filter(pk=expired.pk).update(
        issued_on=timezone.localdate() - timedelta(days=2000),
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    return {"own": own, "sub": sub, "expired": expired}


@pytest.fixture
def clinic(organisation, officer) -> Client:
    return client_save(
        organisation=organisation, data=ClientData(name="Clinique du Parc"), actor=officer
    )


def bundle_url(organisation, clinic):
    return reverse("contracts:client-certificates", args=[organisation.slug, clinic.pk])


def read_zip(content: bytes) -> tuple[dict[str, bytes], list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = {name: archive.read(name) for name in archive.namelist()}
    manifest = files.pop("manifest.csv").decode("utf-8-sig")
    return files, list(csv.reader(io.StringIO(manifest)))


class TestCertificateFile:
    def test_upload_stores_an_evidence_version_read_through_the_hook(
        self, certificates, officer, organisation
    ):
        own = certificates["own"]
        version = certificate_file_add(
            certificate=own, upload=hashed_upload(PDF, "hds.pdf"), actor=officer
        )
        assert version.sha256 == hashlib.sha256(PDF).hexdigest()
        link = CertificateFile.objects.get(certificate=own)
        assert link.item == version.item
        assert [r.ref_id for r in link.item.requirements.all()] == ["EXI 12"]
        again = certificate_file_add(
            certificate=own, upload=hashed_upload(PDF + b"\n", "hds2.pdf"), actor=officer
        )
        assert (again.item, again.number) == (version.item, 2)
        facts = certificate_files_of(
            organisation=organisation, pks=[own.pk, certificates["sub"].pk]
        )
        assert set(facts) == {own.pk}
        assert facts[own.pk].version == 2
        assert facts[own.pk].download_url == reverse(
            "evidence:version-download", args=[organisation.slug, version.item_id, 2]
        )

    def test_refused_upload_leaves_nothing(self, certificates, officer, store):  # noqa: F811
        with pytest.raises(EvidenceError):
            certificate_file_add(
                certificate=certificates["own"], upload=hashed_upload(ELF, "hds.pdf"), actor=officer
            )
        assert not CertificateFile.objects.exists()
        assert not store.stored_files()

    def test_upload_page(
        self, client_as, certificates, officer, contributor, outsider, organisation
    ):
        own = certificates["own"]
        url = reverse("evidence:certificate-file", args=[organisation.slug, own.pk])
        assert client_as(contributor).post(url, {"file": io.BytesIO(PDF)}).status_code == 404
        assert client_as(outsider).post(url, {"file": io.BytesIO(PDF)}).status_code == 404
        assert client_as(officer).get(url).status_code == 405
        upload = io.BytesIO(PDF)
        upload.name = "certificat.pdf"
        response = client_as(officer).post(url, {"file": upload})
        assert response.status_code == 302
        assert EvidenceVersion.objects.filter(item__certificate_link__certificate=own).count() == 1
        page = client_as(contributor).get(
            reverse("scopes:certificate-detail", args=[organisation.slug, own.pk])
        )
        assert b"certificat.pdf" in page.content
        # Another organisation's certificate id, under one's own organisation: 404.
        other = outsider.memberships.get().organisation
        foreign = reverse("evidence:certificate-file", args=[other.slug, own.pk])
        assert client_as(outsider).post(foreign, {"file": io.BytesIO(PDF)}).status_code == 404


class TestBundle:
    def test_zip_holds_the_files_and_a_manifest_of_every_certificate(
        self, client_as, certificates, officer, contributor, organisation, clinic
    ):
        certificate_file_add(
            certificate=certificates["own"], upload=hashed_upload(PDF, "own.pdf"), actor=officer
        )
        response = client_as(contributor).post(
            bundle_url(organisation, clinic),
            {"certificates": [certificates["own"].pk, certificates["sub"].pk]},
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        files, manifest = read_zip(response.content)
        assert list(files.values()) == [PDF]
        name = next(iter(files))
        assert name.endswith(".pdf")
        rows = {row[2]: row for row in manifest[1:]}
        assert set(rows) == {"HDS-OWN", "HDS-DC"}
        own, sub = rows["HDS-OWN"], rows["HDS-DC"]
        assert own[0] == organisation.name
        assert (own[7], own[8]) == (name, hashlib.sha256(PDF).hexdigest())
        # Without a file: listed as such, not dropped.
        assert sub[0] == "DataCenter Paris"
        assert sub[8] == ""
        with translation.override("fr"):
            assert sub[7] == gettext("file missing")
            assert own[6] == pgettext("certificate status", "Valid")
        event = TrailEvent.objects.get(kind="client.certificates_sent")
        assert event.actor == contributor
        assert event.object_id == str(clinic.pk)
        assert event.data["client"] == "Clinique du Parc"
        assert len(event.data["certificates"]) == 2
        assert event.data["missing_files"] == ["HDS HDS-DC (DataCenter Paris)"]
        # The file was read through the evidence app: the access is logged.
        assert TrailEvent.objects.filter(kind="evidence.downloaded", actor=contributor).count() == 1

    def test_only_valid_certificates_are_offered(
        self, client_as, certificates, officer, organisation, clinic
    ):
        certificate_status_set(
            certificate=certificates["sub"],
            status="suspended",
            status_from=timezone.localdate(),
            reason="Décision de l’organisme",
            actor=officer,
            now=timezone.now(),
        )
        page = client_as(officer).get(bundle_url(organisation, clinic))
        offered = set(page.context["form"].fields["certificates"].queryset)
        assert offered == {certificates["own"]}
        response = client_as(officer).post(
            bundle_url(organisation, clinic), {"certificates": [certificates["expired"].pk]}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["certificates"]
        assert not TrailEvent.objects.filter(kind="client.certificates_sent").exists()

    def test_an_altered_file_refuses_the_bundle(
        self, client_as, certificates, officer, organisation, clinic
    ):
        version = certificate_file_add(
            certificate=certificates["own"], upload=hashed_upload(PDF), actor=officer
        )
        with open(version.file.path, "wb") as stored:
            stored.write(b"tampered")
        response = client_as(officer).post(
            bundle_url(organisation, clinic), {"certificates": [certificates["own"].pk]}
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert TrailEvent.objects.filter(kind="evidence.integrity_failed").count() == 1
        assert not TrailEvent.objects.filter(kind="client.certificates_sent").exists()

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({}, "certificates"),
            ({"certificates": ["abc"]}, "certificates"),
            ({"certificates": ["1\x00"]}, "certificates"),
            ({"certificates": [str(10**30)]}, "certificates"),
        ],
    )
    def test_bad_input(self, client_as, certificates, officer, organisation, clinic, data, field):
        response = client_as(officer).post(bundle_url(organisation, clinic), data)
        assert response.status_code == 200
        assert response.context["form"].errors[field]

    def test_another_organisation_certificate_is_refused(
        self, client_as, certificates, officer, outsider, organisation, clinic
    ):
        other = outsider.memberships.get().organisation
        theirs = certificate_save(
            organisation=other, subcontractor=None, data=current([1], "THEIRS"), actor=outsider
        )
        response = client_as(officer).post(
            bundle_url(organisation, clinic), {"certificates": [theirs.pk]}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["certificates"]

    def test_permissions(
        self, client_as, certificates, officer, contributor, manager, outsider, organisation, clinic
    ):
        url = bundle_url(organisation, clinic)
        assert client_as(officer).get(url).status_code == 200
        assert client_as(contributor).get(url).status_code == 200
        assert client_as(manager).get(url).status_code == 404
        assert client_as(outsider).get(url).status_code == 404
        data = {"certificates": [certificates["own"].pk]}
        assert client_as(manager).post(url, data).status_code == 404
        assert client_as(outsider).post(url, data).status_code == 404
        assert client_as(officer).put(url).status_code == 405
        assert not TrailEvent.objects.filter(kind="client.certificates_sent").exists()

    def test_page_queries_do_not_grow_with_certificates(
        self, client_as, certificates, officer, organisation, clinic
    ):
        certificate_file_add(
            certificate=certificates["own"], upload=hashed_upload(PDF, "own.pdf"), actor=officer
        )
        url = bundle_url(organisation, clinic)
        http = client_as(officer)
        http.get(url)
        with CaptureQueriesContext(connection) as few:
            assert http.get(url).status_code == 200
        datacenter = certificates["sub"].subcontractor
        for n in range(10):
            made = certificate_save(
                organisation=organisation,
                subcontractor=datacenter,
                data=current([1], f"N-{n}"),
                actor=officer,
            )
            certificate_file_add(
                certificate=made, upload=hashed_upload(PDF, f"{n}.pdf"), actor=officer
            )
        with CaptureQueriesContext(connection) as many:
            assert http.get(url).status_code == 200
        assert len(many) == len(few)
