"""The evidence API: items and versions through the services (trail), uploads refused as on the
pages with nothing stored, downloads checked against their SHA-256 and served with the pages'
headers; outsiders get 404, members without EDIT_READINESS 403 on writes."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus, EvidenceVersion
from evidence.services import evidence_version_add
from evidence.serving import FILE_CSP, SANDBOXED_CSP
from hdsready.models import TrailEvent
from scopes.models import Framework, FrameworkSource, Requirement
from tests.evidence.helpers import ELF, PDF, TEXT, hashed_upload, make_item
from tests.scopes.test_api import api_client
from tests.scopes.test_scope_services import requirement

pytestmark = pytest.mark.django_db

JSON = "application/json"
CLIENT_IP = "192.0.2.45"
SERVED_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "X-Content-Type-Options",
    "Content-Security-Policy",
    "Cross-Origin-Resource-Policy",
    "Cache-Control",
)


@pytest.fixture
def api():
    return api_client


def o(organisation_or_slug, rest=""):
    slug = getattr(organisation_or_slug, "slug", organisation_or_slug)
    return f"/api/o/{slug}/evidence/{rest}"


def own_slug(user):
    """The outsider's own organisation: a slug they may use, with our ids."""
    return user.memberships.get().organisation.slug


def evidence_kinds():
    return list(
        TrailEvent.objects.filter(kind__startswith="evidence.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def post_file(client, item, content=PDF, name="policy.pdf", slug=None, **data):
    """A real multipart POST: the global upload handler streams, hashes and checks it."""
    return client.post(
        o(slug or item.organisation, f"{item.pk}/versions/"),
        {"file": SimpleUploadedFile(name, content, "application/pdf"), **data},
        REMOTE_ADDR=CLIENT_IP,
    )


def body(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def version(api, officer, item):
    response = post_file(api(officer), item)
    assert response.status_code == 201, response.content
    return EvidenceVersion.objects.get(item=item, number=1)


@pytest.fixture
def imported(organisation):
    """A framework this organisation imported: nobody else may link its requirements."""
    framework = Framework.objects.create(
        organisation=organisation,
        code="internal",
        version="1",
        urn="urn:clinicloud:internal",
        name_fr="Politique interne",
        source=FrameworkSource.IMPORTED,
    )
    return Requirement.objects.create(
        framework=framework, urn="urn:clinicloud:internal:1", ref_id="INT-1", order=1
    )


class TestAuthentication:
    def test_anonymous_is_401(self, organisation, item):
        response = Client().get(o(organisation))
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'

    def test_a_token_reads(self, api, officer, organisation, item):
        response = api(officer).get(o(organisation))
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [item.pk]

    def test_a_revoked_or_wrong_token_is_401(self, officer, organisation):
        client = Client(headers={"Authorization": "Bearer not-a-token"})
        assert client.get(o(organisation)).status_code == 401

    def test_session_without_mfa_is_refused(self, officer, organisation):
        client = Client()
        client.force_login(officer)
        assert client.get(o(organisation)).status_code == 403


class TestItems:
    def test_contributor_creates_a_file_item(self, api, contributor, organisation):
        exi02 = requirement("EXI 02")
        response = api(contributor).post(
            o(organisation),
            {
                "title": "Backup policy",
                "owner": contributor.email,
                "requirements": [exi02.pk],
                "review_due_on": "2026-01-31",
            },
            content_type=JSON,
        )
        assert response.status_code == 201, response.content
        item = EvidenceItem.objects.get()
        assert response.json() == {
            "id": item.pk,
            "kind": "file",
            "title": "Backup policy",
            "description": "",
            "url": "",
            "owner": contributor.email,
            "requirements": [exi02.pk],
            "effective_on": None,
            "review_due_on": "2026-01-31",
            "status": "active",
            "created_at": response.json()["created_at"],
            "version_count": 0,
        }
        assert (item.kind, item.owner, item.created_by) == (
            EvidenceKind.FILE,
            contributor,
            contributor,
        )
        created = TrailEvent.objects.get(kind="evidence.created")
        assert (created.actor, created.organisation, created.object_id) == (
            contributor,
            organisation,
            str(item.pk),
        )

    def test_an_address_makes_a_link(self, api, officer, organisation):
        response = api(officer).post(
            o(organisation),
            {"title": "Status page", "url": "https://status.example.org"},
            content_type=JSON,
        )
        assert response.status_code == 201
        assert response.json()["kind"] == "link"
        assert EvidenceItem.objects.get().url == "https://status.example.org"

    def test_a_link_needs_its_address(self, api, officer, organisation, english):
        response = api(officer).post(
            o(organisation), {"title": "Status page", "kind": "link"}, content_type=JSON
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "A link needs its address."}
        assert not EvidenceItem.objects.exists()

    def test_a_file_item_has_no_address(self, api, officer, organisation, item):
        client = api(officer)
        response = client.post(
            o(organisation),
            {"title": "X", "kind": "file", "url": "https://example.org"},
            content_type=JSON,
        )
        assert response.status_code == 400
        assert response.json() == {"detail": "Only a link has an address."}
        patched = client.patch(
            o(organisation, f"{item.pk}/"), {"url": "https://example.org"}, content_type=JSON
        )
        assert patched.status_code == 400
        assert EvidenceItem.objects.get() == item

    def test_requirements_are_checked(self, api, officer, outsider, organisation, imported):
        exi02 = requirement("EXI 02")
        heading = exi02.parent
        assert heading is not None
        client = api(officer)
        for pk in (heading.pk, 999_999):
            response = client.post(
                o(organisation), {"title": "X", "requirements": [pk]}, content_type=JSON
            )
            assert response.status_code == 400, pk
            assert response.json() == {"requirements": ["Unknown requirement."]}
        # This organisation's imported framework is ours to link; the outsider's is not.
        response = client.post(
            o(organisation), {"title": "X", "requirements": [imported.pk]}, content_type=JSON
        )
        assert response.status_code == 201
        assert response.json()["requirements"] == [imported.pk]
        theirs = api(outsider).post(
            o(own_slug(outsider)), {"title": "X", "requirements": [imported.pk]}, content_type=JSON
        )
        assert theirs.status_code == 400
        assert EvidenceItem.objects.count() == 1

    def test_list_filters(self, api, officer, organisation, item):
        exi02 = requirement("EXI 02")
        linked = make_item(organisation, officer, title="Access review")
        linked.requirements.set([exi02])
        retired = make_item(organisation, officer, title="Old firewall export")
        retired.status = EvidenceStatus.RETIRED
        retired.save()
        client = api(officer)

        def ids(query):
            response = client.get(o(organisation), query)
            assert response.status_code == 200, response.content
            return [row["id"] for row in response.json()["results"]]

        assert ids({}) == [linked.pk, item.pk]
        assert ids({"status": "retired"}) == [retired.pk]
        assert ids({"status": ""}) == [linked.pk, item.pk, retired.pk]
        assert ids({"requirement": exi02.pk}) == [linked.pk]
        assert client.get(o(organisation), {"status": "deleted"}).status_code == 400
        assert client.get(o(organisation), {"requirement": 999_999}).status_code == 400

    def test_patch_changes_the_fields_given(self, api, contributor, organisation, item):
        exi02 = requirement("EXI 02")
        item.requirements.set([exi02])
        response = api(contributor).patch(
            o(organisation, f"{item.pk}/"), {"title": "Backup policy 2025"}, content_type=JSON
        )
        assert response.status_code == 200
        assert (response.json()["title"], response.json()["requirements"]) == (
            "Backup policy 2025",
            [exi02.pk],
        )
        updated = TrailEvent.objects.get(kind="evidence.updated")
        assert updated.actor == contributor
        assert updated.data == {"changes": {"title": ["Backup policy", "Backup policy 2025"]}}

    def test_put_replaces_every_field(self, api, officer, organisation, item):
        item.requirements.set([requirement("EXI 02")])
        response = api(officer).put(
            o(organisation, f"{item.pk}/"), {"title": "Backup policy"}, content_type=JSON
        )
        assert response.status_code == 200
        assert (response.json()["owner"], response.json()["requirements"]) == (None, [])
        item.refresh_from_db()
        assert (item.owner, list(item.requirements.all())) == (None, [])

    def test_the_kind_cannot_change(self, api, officer, organisation, item):
        response = api(officer).patch(
            o(organisation, f"{item.pk}/"), {"kind": "link"}, content_type=JSON
        )
        assert response.status_code == 400
        assert "detail" in response.json()
        item.refresh_from_db()
        assert item.kind == EvidenceKind.FILE

    def test_owner_must_be_a_member(self, api, officer, outsider, organisation, item):
        response = api(officer).patch(
            o(organisation, f"{item.pk}/"), {"owner": outsider.email}, content_type=JSON
        )
        assert response.status_code == 400
        item.refresh_from_db()
        assert item.owner == officer

    def test_retire_and_reinstate(self, api, contributor, organisation, item, version, english):
        client = api(contributor)
        page = o(organisation, f"{item.pk}/status/")
        response = client.post(page, {"status": "retired"}, content_type=JSON)
        assert response.status_code == 200
        assert response.json()["status"] == "retired"
        assert response.json()["version_count"] == 1
        again = client.post(page, {"status": "retired"}, content_type=JSON)
        assert again.status_code == 400
        assert again.json() == {"detail": "This evidence cannot change to that status."}
        refused = post_file(client, item)
        assert refused.status_code == 400
        assert "retired" in refused.json()["detail"]
        assert client.post(page, {"status": "active"}, content_type=JSON).status_code == 200
        assert client.post(page, {"status": "gone"}, content_type=JSON).status_code == 400
        item.refresh_from_db()
        assert item.status == EvidenceStatus.ACTIVE
        assert item.versions.get() == version
        assert evidence_kinds()[-2:] == ["evidence.retired", "evidence.reinstated"]

    def test_wrong_method(self, api, officer, organisation, item, version):
        client = api(officer)
        assert client.delete(o(organisation, f"{item.pk}/")).status_code == 405
        assert client.put(o(organisation), {}, content_type=JSON).status_code == 405
        assert client.get(o(organisation, f"{item.pk}/status/")).status_code == 405
        assert client.put(o(organisation, f"{item.pk}/versions/")).status_code == 405
        assert client.post(o(organisation, f"{item.pk}/versions/1/download/")).status_code == 405
        assert EvidenceItem.objects.get() == item


class TestVersions:
    def test_create_an_item_and_upload_a_version(self, api, contributor, organisation, store):
        client = api(contributor)
        created = client.post(o(organisation), {"title": "PSSI"}, content_type=JSON)
        item = EvidenceItem.objects.get(pk=created.json()["id"])
        response = post_file(client, item, PDF, name="PSSI.pdf", comment="Signed by the CEO")
        assert response.status_code == 201, response.content
        version = EvidenceVersion.objects.get()
        answer = response.json()
        assert answer["sha256"] == hashlib.sha256(PDF).hexdigest() == version.sha256
        assert answer == {
            "number": 1,
            "original_name": "PSSI.pdf",
            "size": len(PDF),
            "content_type": "application/pdf",
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "uploaded_by": contributor.email,
            "uploaded_at": answer["uploaded_at"],
            "comment": "Signed by the CEO",
            "download_url": "http://testserver"
            + o(organisation, f"{item.pk}/versions/1/download/"),
        }
        assert store.plaintext(version.storage_name) == PDF
        assert store.temp_files() == []
        assert evidence_kinds() == ["evidence.created", "evidence.version_added"]
        added = TrailEvent.objects.get(kind="evidence.version_added")
        assert (added.actor, added.ip, added.object_id) == (contributor, CLIENT_IP, str(version.pk))
        assert added.data["sha256"] == answer["sha256"]

    def test_versions_are_listed_newest_first(self, api, officer, manager, item, version):
        post_file(api(officer), item, TEXT, name="notes.txt")
        response = api(manager).get(o(item.organisation, f"{item.pk}/versions/"))
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [(r["number"], r["original_name"], r["content_type"]) for r in rows] == [
            (2, "notes.txt", "text/plain"),
            (1, "policy.pdf", "application/pdf"),
        ]
        assert rows[1]["uploaded_by"] == "officer@clinicloud.test"
        assert rows[0]["download_url"].endswith(f"/evidence/{item.pk}/versions/2/download/")

    def test_a_renamed_executable_is_refused(self, api, officer, item, store, english):
        response = post_file(api(officer), item, ELF, name="policy.pdf")
        assert response.status_code == 400
        detail = response.json()["detail"]
        assert detail.startswith("policy.pdf is refused: its content (application/x-")
        assert detail.endswith(") is not an accepted kind of evidence.")
        assert not EvidenceVersion.objects.exists()
        assert "evidence.version_added" not in evidence_kinds()
        assert store.stored_files() == []
        assert store.temp_files() == []

    def test_a_file_past_the_limit_is_refused(self, api, officer, item, store, settings):
        settings.UPLOAD_MAX_BYTES = 1024 * 1024
        response = post_file(api(officer), item, TEXT * 20_000, name="big.txt")
        assert response.status_code == 400
        assert response.json() == {
            "detail": "big.txt is larger than the limit of 1 MB: nothing was stored."
        }
        assert not EvidenceVersion.objects.exists()
        assert store.stored_files() == []
        assert store.temp_files() == []

    def test_an_empty_file_is_refused(self, api, officer, item, store):
        response = post_file(api(officer), item, b"", name="empty.pdf")
        assert response.status_code == 400
        assert response.json() == {"detail": "The file empty.pdf is empty."}
        assert store.stored_files() == []

    def test_no_file(self, api, officer, item):
        response = api(officer).post(o(item.organisation, f"{item.pk}/versions/"), {"comment": "x"})
        assert response.status_code == 400
        assert "file" in response.json()

    def test_json_is_not_an_upload(self, api, officer, item):
        response = api(officer).post(
            o(item.organisation, f"{item.pk}/versions/"), {"comment": "x"}, content_type=JSON
        )
        assert response.status_code == 415

    def test_a_link_takes_no_version(self, api, officer, organisation, store):
        client = api(officer)
        link = client.post(
            o(organisation), {"title": "Status", "url": "https://status.example.org"}, JSON
        ).json()
        item = EvidenceItem.objects.get(pk=link["id"])
        response = post_file(client, item)
        assert response.status_code == 400
        assert response.json() == {"detail": "A link has no file versions."}
        assert store.stored_files() == []


class TestDownload:
    def test_download_returns_the_bytes_and_writes_the_trail(self, api, contributor, item, version):
        response = api(contributor).get(
            o(item.organisation, f"{item.pk}/versions/1/download/"), REMOTE_ADDR=CLIENT_IP
        )
        assert response.status_code == 200
        assert body(response) == PDF
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == 'attachment; filename="policy.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == FILE_CSP
        assert response["Cache-Control"] == "private, no-store"
        logged = TrailEvent.objects.get(kind="evidence.downloaded")
        assert (logged.actor, logged.ip, logged.object_id) == (
            contributor,
            CLIENT_IP,
            str(version.pk),
        )
        assert logged.data == {"item": item.pk, "version": 1, "file": "policy.pdf"}

    @pytest.mark.parametrize(("content", "name"), [(PDF, "policy.pdf"), (TEXT, "review.txt")])
    def test_same_headers_as_the_pages(self, api, client_as, officer, item, content, name):
        post_file(api(officer), item, content, name=name)
        from_api = api(officer).get(o(item.organisation, f"{item.pk}/versions/1/download/"))
        from_page = client_as(officer).get(
            reverse("evidence:version-download", args=[item.organisation.slug, item.pk, 1])
        )
        assert body(from_api) == body(from_page) == content
        for header in SERVED_HEADERS:
            assert from_api[header] == from_page[header], header
        sandboxed = name.endswith(".txt")
        assert from_api["Content-Security-Policy"] == (SANDBOXED_CSP if sandboxed else FILE_CSP)

    def test_any_accept_header_gets_the_file(self, api, officer, item, version):
        response = api(officer).get(
            o(item.organisation, f"{item.pk}/versions/1/download/"),
            headers={"Accept": "application/pdf"},
        )
        assert response.status_code == 200
        assert body(response) == PDF

    def test_a_tampered_file_is_409(self, api, officer, item, version, store, english):
        path = store.media / version.storage_name
        data = bytearray(path.read_bytes())
        data[10] ^= 0xFF
        path.write_bytes(bytes(data))
        response = api(officer).get(
            o(item.organisation, f"{item.pk}/versions/1/download/"),
            headers={"Accept": "application/octet-stream"},
            REMOTE_ADDR=CLIENT_IP,
        )
        assert response.status_code == 409
        assert response["Content-Type"] == "application/json"
        assert "does not match its fingerprint" in response.json()["detail"]
        failed = TrailEvent.objects.get(kind="evidence.integrity_failed")
        assert (failed.actor, failed.ip, failed.object_id) == (officer, CLIENT_IP, str(version.pk))
        assert failed.data["expected"] == version.sha256
        assert "evidence.downloaded" not in evidence_kinds()

    def test_an_unknown_version_is_404(self, api, officer, item, version):
        response = api(officer).get(o(item.organisation, f"{item.pk}/versions/2/download/"))
        assert response.status_code == 404


def object_urls(slug, item):
    """Every URL that names one of the item's objects."""
    return [
        o(slug, f"{item.pk}/"),
        o(slug, f"{item.pk}/versions/"),
        o(slug, f"{item.pk}/versions/1/download/"),
    ]


def read_urls(slug, item):
    return [o(slug), o(slug, f"?requirement={requirement('EXI 02').pk}"), *object_urls(slug, item)]


def object_writes(slug, item):
    return [
        ("put", o(slug, f"{item.pk}/"), {"title": "X"}),
        ("patch", o(slug, f"{item.pk}/"), {"title": "X"}),
        ("post", o(slug, f"{item.pk}/status/"), {"status": "retired"}),
    ]


def json_writes(slug, item):
    return [("post", o(slug), {"title": "X"}), *object_writes(slug, item)]


class TestAccess:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read(self, request, api, item, version, persona):
        client = api(request.getfixturevalue(persona))
        for url in read_urls(item.organisation.slug, item):
            assert client.get(url).status_code == 200, url

    def test_manager_gets_403_on_writes(self, api, manager, item, version, store):
        client = api(manager)
        before = (evidence_kinds(), store.stored_files())
        for method, url, data in json_writes(item.organisation.slug, item):
            response = getattr(client, method)(url, data, content_type=JSON)
            assert response.status_code == 403, (method, url)
            assert "detail" in response.json()
        assert post_file(client, item, TEXT, name="notes.txt").status_code == 403
        assert (evidence_kinds(), store.stored_files()) == before
        assert store.temp_files() == []
        item.refresh_from_db()
        assert (item.title, item.status, item.versions.count()) == ("Backup policy", "active", 1)

    def test_outsider_gets_404_on_every_endpoint(self, api, outsider, item, version, store):
        client = api(outsider)
        before = (evidence_kinds(), store.stored_files())
        ours, theirs = item.organisation.slug, own_slug(outsider)
        # This organisation's slug, and the outsider's own slug with this organisation's ids.
        for slug, urls, writes in (
            (ours, read_urls(ours, item), json_writes(ours, item)),
            (theirs, object_urls(theirs, item), object_writes(theirs, item)),
        ):
            for url in urls:
                assert client.get(url).status_code == 404, url
            for method, url, data in writes:
                response = getattr(client, method)(url, data, content_type=JSON)
                assert response.status_code == 404, (method, url)
            assert post_file(client, item, TEXT, name="notes.txt", slug=slug).status_code == 404
        assert client.get(o(theirs)).json()["results"] == []
        assert (evidence_kinds(), store.stored_files()) == before
        assert store.temp_files() == []
        item.refresh_from_db()
        assert (item.title, item.status, item.versions.count()) == ("Backup policy", "active", 1)

    def test_unknown_organisation_is_404(self, api, officer):
        assert api(officer).get(o("nope")).status_code == 404


def test_list_query_count_does_not_grow_with_items(api, officer, organisation):
    client = api(officer)
    exi02 = requirement("EXI 02")

    def add(count):
        for n in range(count):
            item = make_item(organisation, officer, title=f"Evidence {count}-{n}")
            item.requirements.set([exi02])
            evidence_version_add(item=item, upload=hashed_upload(PDF), actor=officer)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(o(organisation))
        assert response.status_code == 200
        return len(captured), len(response.json()["results"])

    add(1)
    client.get(o(organisation))  # the first request of a process fills Django's caches
    one, shown = queries()
    assert shown == 1
    add(9)
    assert queries() == (one, 10), one


def test_schema_documents_the_upload_and_the_download(client_as, officer):
    schema = client_as(officer).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in (
        "/api/o/{slug}/evidence/",
        "/api/o/{slug}/evidence/{id}/",
        "/api/o/{slug}/evidence/{id}/status/",
        "/api/o/{slug}/evidence/{id}/versions/",
        "/api/o/{slug}/evidence/{id}/versions/{number}/download/",
    ):
        assert path in paths, path
    upload = paths["/api/o/{slug}/evidence/{id}/versions/"]["post"]["requestBody"]["content"]
    assert list(upload) == ["multipart/form-data"]
    download = paths["/api/o/{slug}/evidence/{id}/versions/{number}/download/"]["get"]
    assert download["responses"]["200"]["content"] == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
    assert "409" in download["responses"]
