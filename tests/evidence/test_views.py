"""Evidence pages: happy path, wrong method, outsider 404, served-file headers, the access trail,
and query counts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from evidence.models import EvidenceItem, EvidenceKind, EvidenceStatus, EvidenceVersion
from evidence.serving import FILE_CSP, SANDBOXED_CSP
from hdsready.models import TrailEvent
from scopes.models import Framework, FrameworkSource, Requirement
from tests.evidence.helpers import ELF, HTML, PDF, TEXT, make_item, png, zip_archive
from tests.scopes.test_scope_services import requirement

pytestmark = pytest.mark.django_db

JSON = {"Accept": "application/json"}
CLIENT_IP = "192.0.2.44"


def url(name, slug_or_organisation, *args):
    slug = getattr(slug_or_organisation, "slug", slug_or_organisation)
    return reverse(f"evidence:{name}", args=[slug, *args])


def own_slug(user):
    """The outsider's own organisation: a slug they may use, with our ids."""
    return user.memberships.get().organisation.slug


def upload(client, item, content=PDF, name="policy.pdf", **data):
    """A real multipart POST: the global upload handler streams, hashes and checks it."""
    response = client.post(
        url("version-upload", item.organisation, item.pk),
        {"file": SimpleUploadedFile(name, content), **data},
        headers=JSON,
    )
    assert response.status_code == 200, response.content
    return EvidenceVersion.objects.get(item=item, number=json.loads(response.content)["version"])


def body(response):
    return b"".join(response.streaming_content)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def version(client_as, officer, item):
    return upload(client_as(officer), item)


class TestItemList:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read(self, request, client_as, organisation, item, persona):
        response = client_as(request.getfixturevalue(persona)).get(url("item-list", organisation))
        assert response.status_code == 200
        assert list(response.context["items"]) == [item]

    def test_contributor_creates_a_file_item(self, client_as, contributor, organisation):
        exi02 = requirement("EXI 02")
        response = client_as(contributor).post(
            url("item-list", organisation),
            {"title": "Backup policy", "owner": contributor.pk, "requirements": [exi02.pk]},
        )
        item = EvidenceItem.objects.get()
        assert response["Location"] == url("item-detail", organisation, item.pk)
        assert (item.kind, item.owner, list(item.requirements.all())) == (
            EvidenceKind.FILE,
            contributor,
            [exi02],
        )
        assert TrailEvent.objects.filter(kind="evidence.created", actor=contributor).exists()

    def test_an_address_makes_a_link(self, client_as, officer, organisation):
        client_as(officer).post(
            url("item-list", organisation),
            {"title": "Status page", "url": "https://status.example.org"},
        )
        assert EvidenceItem.objects.get().kind == EvidenceKind.LINK

    def test_filters(self, client_as, officer, organisation, item):
        retired = make_item(organisation, officer, title="Old firewall export")
        retired.status = EvidenceStatus.RETIRED
        retired.save()
        client = client_as(officer)
        page = url("item-list", organisation)
        assert list(client.get(page).context["items"]) == [item]
        assert list(client.get(page, {"status": "retired"}).context["items"]) == [retired]
        assert len(client.get(page, {"status": ""}).context["items"]) == 2
        assert list(client.get(page, {"status": "", "q": "firewall"}).context["items"]) == [retired]

    def test_manager_cannot_create(self, client_as, manager, organisation):
        response = client_as(manager).post(url("item-list", organisation), {"title": "X"})
        assert response.status_code == 404
        assert not EvidenceItem.objects.exists()

    def test_outsider_gets_404(self, client_as, outsider, organisation):
        client = client_as(outsider)
        assert client.get(url("item-list", organisation)).status_code == 404
        assert client.post(url("item-list", organisation), {"title": "X"}).status_code == 404
        assert not EvidenceItem.objects.exists()

    def test_wrong_method(self, client_as, officer, organisation):
        assert client_as(officer).put(url("item-list", organisation)).status_code == 405

    def test_query_count_does_not_grow_with_items(
        self, client_as, officer, organisation, django_assert_num_queries
    ):
        client = client_as(officer)
        page = url("item-list", organisation)
        exi02 = requirement("EXI 02")

        def add(count):
            for n in range(count):
                item = make_item(organisation, officer, title=f"Evidence {count}-{n}")
                item.requirements.set([exi02])
                upload(client, item)

        add(1)
        client.get(page)  # the first request of a process fills Django's content-type cache
        with django_assert_num_queries(13):
            assert len(client.get(page).context["items"]) == 1
        add(9)
        with django_assert_num_queries(13):
            assert len(client.get(page).context["items"]) == 10

    def test_a_page_is_one_screen_whatever_the_number_of_items(
        self, client_as, officer, organisation, django_assert_num_queries
    ):
        client = client_as(officer)
        page = url("item-list", organisation)

        def add(first, last):
            for n in range(first, last):
                make_item(organisation, officer, title=f"Evidence {n:04d}")

        add(0, 51)
        client.get(page)
        small = client.get(page, {"q": "Evidence"})
        add(51, 151)
        with django_assert_num_queries(13):
            large = client.get(page, {"q": "Evidence"})
        assert len(small.context["items"]) == len(large.context["items"]) == 50
        # Same rows shown, same size but for the pager's figures.
        assert abs(len(large.content) - len(small.content)) < 20
        last = client.get(page, {"q": "Evidence", "page": 4})
        assert [i.title for i in last.context["items"]] == ["Evidence 0150"]
        assert "q=Evidence&amp;page=3" in last.content.decode()
        assert client.get(page, {"page": "²"}).status_code == 200


class TestItemDetail:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read(self, request, client_as, organisation, item, version, persona):
        response = client_as(request.getfixturevalue(persona)).get(
            url("item-detail", organisation, item.pk)
        )
        assert response.status_code == 200
        assert response.context["current"] == version
        assert response.context["preview"]

    def test_contributor_edits(self, client_as, contributor, organisation, item):
        response = client_as(contributor).post(
            url("item-detail", organisation, item.pk),
            {"title": "Backup policy 2025", "review_due_on": "2026-01-31"},
        )
        assert response["Location"] == url("item-detail", organisation, item.pk)
        item.refresh_from_db()
        assert (item.title, str(item.review_due_on)) == ("Backup policy 2025", "2026-01-31")
        assert TrailEvent.objects.filter(kind="evidence.updated", actor=contributor).exists()

    def test_only_officers_see_the_access_history(
        self, client_as, officer, contributor, organisation, item, version
    ):
        client_as(contributor).get(
            url("version-view", organisation, item.pk, 1), REMOTE_ADDR=CLIENT_IP
        )
        page = url("item-detail", organisation, item.pk)
        history = client_as(officer).get(page).context["history"]
        viewed = [e for e in history if e.kind == "evidence.viewed"]
        assert [(e.actor, e.ip, e.data["version"]) for e in viewed] == [(contributor, CLIENT_IP, 1)]
        assert client_as(contributor).get(page).context["history"] is None

    def test_manager_cannot_edit(self, client_as, manager, organisation, item):
        response = client_as(manager).post(
            url("item-detail", organisation, item.pk), {"title": "Changed"}
        )
        assert response.status_code == 404
        item.refresh_from_db()
        assert item.title == "Backup policy"

    def test_outsider_gets_404(self, client_as, outsider, organisation, item):
        client = client_as(outsider)
        for slug in (organisation.slug, own_slug(outsider)):
            page = url("item-detail", slug, item.pk)
            assert client.get(page).status_code == 404
            assert client.post(page, {"title": "Changed"}).status_code == 404
        item.refresh_from_db()
        assert item.title == "Backup policy"

    def test_wrong_method(self, client_as, officer, organisation, item):
        assert client_as(officer).put(url("item-detail", organisation, item.pk)).status_code == 405

    def test_query_count_does_not_grow_with_versions(
        self, client_as, officer, organisation, item, django_assert_num_queries
    ):
        client = client_as(officer)
        page = url("item-detail", organisation, item.pk)
        upload(client, item)
        client.get(url("version-view", organisation, item.pk, 1))
        client.get(page)  # the first request of a process fills Django's content-type cache
        with django_assert_num_queries(18):
            assert len(client.get(page).context["versions"]) == 1
        for _ in range(9):
            upload(client, item, TEXT, name="notes.txt")
        for number in range(2, 11):
            client.get(url("version-view", organisation, item.pk, number))
        with django_assert_num_queries(18):
            response = client.get(page)
        assert len(response.context["versions"]) == 10
        assert len(response.context["history"]) > 20


class TestVersionUpload:
    def test_json_upload_stores_a_version(self, client_as, contributor, item, store):
        response = client_as(contributor).post(
            url("version-upload", item.organisation, item.pk),
            {"file": SimpleUploadedFile("PSSI.pdf", PDF), "comment": "Signed by the CEO"},
            headers=JSON,
            REMOTE_ADDR=CLIENT_IP,
        )
        assert response.status_code == 200
        answer = json.loads(response.content)
        version = EvidenceVersion.objects.get()
        assert answer == {
            "ok": True,
            "item": item.pk,
            "title": "Backup policy",
            "version": 1,
            "file": "PSSI.pdf",
            "size": len(PDF),
            "type": "application/pdf",
            "sha256": version.sha256,
            "url": url("item-detail", item.organisation, item.pk),
        }
        assert (version.comment, version.uploaded_by) == ("Signed by the CEO", contributor)
        assert store.plaintext(version.storage_name) == PDF
        assert store.temp_files() == []
        added = TrailEvent.objects.get(kind="evidence.version_added")
        assert (added.actor, added.ip, added.object_id) == (contributor, CLIENT_IP, str(version.pk))

    def test_form_upload_redirects_with_a_message(self, client_en, officer, item, version):
        response = client_en(officer).post(
            url("version-upload", item.organisation, item.pk),
            {"file": SimpleUploadedFile("notes.txt", TEXT)},
        )
        assert response["Location"] == url("item-detail", item.organisation, item.pk)
        assert messages_of(response) == ["Version 2 uploaded."]

    def test_a_renamed_executable_is_refused(self, client_en, officer, item, store):
        response = client_en(officer).post(
            url("version-upload", item.organisation, item.pk),
            {"file": SimpleUploadedFile("policy.pdf", ELF, "application/pdf")},
            headers=JSON,
        )
        assert response.status_code == 400
        error = json.loads(response.content)["error"]
        assert error.startswith("policy.pdf is refused: its content (application/x-")
        assert error.endswith(") is not an accepted kind of evidence.")
        assert not EvidenceVersion.objects.exists()
        assert store.stored_files() == []
        assert store.temp_files() == []

    def test_a_pdf_named_exe_is_accepted_as_pdf(self, client_as, officer, item):
        version = upload(client_as(officer), item, PDF, name="x.exe")
        assert (version.content_type, version.original_name) == ("application/pdf", "x.exe")

    def test_html_is_stored_as_plain_text(self, client_as, officer, item):
        assert upload(client_as(officer), item, HTML, name="page.html").content_type == (
            "text/plain"
        )

    def test_a_hostile_file_name_is_sanitised(self, client_as, officer, item, store):
        boundary = "hostile-name-boundary"
        raw = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; '
                'filename="C:\\fakepath\\..\\..\\etc/\x1b[2Jaudit\u202e.pdf"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            ).encode()
            + PDF
            + f"\r\n--{boundary}--\r\n".encode()
        )
        response = client_as(officer).post(
            url("version-upload", item.organisation, item.pk),
            raw,
            content_type=f"multipart/form-data; boundary={boundary}",
            headers=JSON,
        )
        assert json.loads(response.content)["file"] == "[2Jaudit.pdf"
        version = EvidenceVersion.objects.get()
        assert version.original_name == "[2Jaudit.pdf"
        assert store.stored_files() == [store.media / version.storage_name]

    def test_no_file(self, client_en, officer, item):
        response = client_en(officer).post(
            url("version-upload", item.organisation, item.pk), {"comment": "x"}, headers=JSON
        )
        assert response.status_code == 400
        assert json.loads(response.content)["error"] == "Choose a file to upload."

    def test_a_retired_item_takes_no_version(self, client_en, officer, item, store):
        client = client_en(officer)
        client.post(url("item-status", item.organisation, item.pk), {"status": "retired"})
        response = client.post(
            url("version-upload", item.organisation, item.pk),
            {"file": SimpleUploadedFile("policy.pdf", PDF)},
            headers=JSON,
        )
        assert response.status_code == 400
        assert "retired" in json.loads(response.content)["error"]
        assert store.stored_files() == []

    def test_manager_and_outsider_get_404(self, client_as, manager, outsider, item, store):
        for user, slugs in (
            (manager, [item.organisation.slug]),
            (outsider, [item.organisation.slug, own_slug(outsider)]),
        ):
            for slug in slugs:
                response = client_as(user).post(
                    url("version-upload", slug, item.pk),
                    {"file": SimpleUploadedFile("policy.pdf", PDF)},
                )
                assert response.status_code == 404, (user, slug)
        assert not EvidenceVersion.objects.exists()
        assert store.stored_files() == []
        assert store.temp_files() == []

    def test_wrong_method(self, client_as, officer, item):
        response = client_as(officer).get(url("version-upload", item.organisation, item.pk))
        assert response.status_code == 405


class TestItemStatus:
    def test_retire_and_reinstate(self, client_en, officer, item, version):
        client = client_en(officer)
        page = url("item-status", item.organisation, item.pk)
        response = client.post(page, {"status": "retired"})
        assert response["Location"] == url("item-detail", item.organisation, item.pk)
        item.refresh_from_db()
        assert item.status == EvidenceStatus.RETIRED
        assert item.versions.get() == version
        assert messages_of(response) == ["Status changed."]
        response = client.post(page, {"status": "retired"})
        assert messages_of(response)[-1] == "This evidence cannot change to that status."
        client.post(page, {"status": "active"})
        item.refresh_from_db()
        assert item.status == EvidenceStatus.ACTIVE
        kinds = TrailEvent.objects.filter(kind__in=["evidence.retired", "evidence.reinstated"])
        assert [e.kind for e in kinds.order_by("seq")] == [
            "evidence.retired",
            "evidence.reinstated",
        ]

    def test_manager_and_outsider_get_404(self, client_as, manager, outsider, item):
        for user, slug in (
            (manager, item.organisation.slug),
            (outsider, item.organisation.slug),
            (outsider, own_slug(outsider)),
        ):
            response = client_as(user).post(
                url("item-status", slug, item.pk), {"status": "retired"}
            )
            assert response.status_code == 404
        item.refresh_from_db()
        assert item.status == EvidenceStatus.ACTIVE

    def test_wrong_method(self, client_as, officer, item):
        assert (
            client_as(officer).get(url("item-status", item.organisation, item.pk)).status_code
            == 405
        )


SERVED = [
    # content, name, page, disposition, content type, sandboxed, trail event
    (PDF, "policy.pdf", "version-view", "inline", "application/pdf", False, "viewed"),
    (png(), "screen.png", "version-view", "inline", "image/png", True, "viewed"),
    (TEXT, "review.txt", "version-view", "inline", "text/plain; charset=utf-8", True, "viewed"),
    (HTML, "page.html", "version-view", "inline", "text/plain; charset=utf-8", True, "viewed"),
    (
        zip_archive(),
        "backups.zip",
        "version-view",
        "attachment",
        "application/octet-stream",
        True,
        "downloaded",
    ),
    (
        PDF,
        "policy.pdf",
        "version-download",
        "attachment",
        "application/octet-stream",
        False,
        "downloaded",
    ),
    (
        TEXT,
        "review.txt",
        "version-download",
        "attachment",
        "application/octet-stream",
        True,
        "downloaded",
    ),
]


class TestServe:
    @pytest.mark.parametrize(
        ("content", "name", "page", "disposition", "content_type", "sandboxed", "event"), SERVED
    )
    def test_headers_and_trail(
        self,
        client_as,
        contributor,
        officer,
        item,
        content,
        name,
        page,
        disposition,
        content_type,
        sandboxed,
        event,
    ):
        version = upload(client_as(officer), item, content, name=name)
        response = client_as(contributor).get(
            url(page, item.organisation, item.pk, version.number), REMOTE_ADDR=CLIENT_IP
        )
        assert response.status_code == 200
        assert body(response) == content
        assert response["Content-Disposition"] == f'{disposition}; filename="{name}"'
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("default-src 'none'")
        assert response["Content-Security-Policy"] == (SANDBOXED_CSP if sandboxed else FILE_CSP)
        assert response["Cache-Control"] == "private, no-store"
        logged = TrailEvent.objects.get(kind=f"evidence.{event}")
        assert (logged.actor, logged.ip, logged.object_id) == (
            contributor,
            CLIENT_IP,
            str(version.pk),
        )
        assert logged.data == {"item": item.pk, "version": version.number, "file": name}

    def test_a_preview_may_be_framed_by_our_pages_only(self, client_as, officer, item, version):
        client = client_as(officer)
        view = client.get(url("version-view", item.organisation, item.pk, 1))
        download = client.get(url("version-download", item.organisation, item.pk, 1))
        assert (view["X-Frame-Options"], download["X-Frame-Options"]) == ("SAMEORIGIN", "DENY")

    def test_each_version_is_served(self, client_as, officer, manager, item, version):
        upload(client_as(officer), item, TEXT, name="notes.txt")
        client = client_as(manager)
        assert body(client.get(url("version-download", item.organisation, item.pk, 1))) == PDF
        assert body(client.get(url("version-download", item.organisation, item.pk, 2))) == TEXT
        missing = client.get(url("version-download", item.organisation, item.pk, 3))
        assert missing.status_code == 404

    @pytest.mark.parametrize("page", ["version-view", "version-download"])
    def test_a_tampered_file_is_refused(self, client_en, officer, item, version, store, page):
        path = store.media / version.storage_name
        data = bytearray(path.read_bytes())
        data[10] ^= 0xFF
        path.write_bytes(bytes(data))
        response = client_en(officer).get(
            url(page, item.organisation, item.pk, 1), REMOTE_ADDR=CLIENT_IP
        )
        assert response.status_code == 409
        assert "evidence/integrity_error.html" in [t.name for t in response.templates]
        assert "does not match its fingerprint" in response.content.decode()
        failed = TrailEvent.objects.get(kind="evidence.integrity_failed")
        assert (failed.actor, failed.ip, failed.object_id) == (
            officer,
            CLIENT_IP,
            str(version.pk),
        )
        assert failed.data["expected"] == version.sha256
        assert not TrailEvent.objects.filter(
            kind__in=["evidence.viewed", "evidence.downloaded"]
        ).exists()

    @pytest.mark.parametrize("page", ["version-view", "version-download"])
    def test_outsider_gets_404(self, client_as, outsider, item, version, page):
        client = client_as(outsider)
        for slug in (item.organisation.slug, own_slug(outsider)):
            assert client.get(url(page, slug, item.pk, 1)).status_code == 404
        assert not TrailEvent.objects.filter(
            kind__in=["evidence.viewed", "evidence.downloaded"]
        ).exists()

    @pytest.mark.parametrize("page", ["version-view", "version-download"])
    def test_wrong_method(self, client_as, officer, item, version, page):
        assert client_as(officer).post(url(page, item.organisation, item.pk, 1)).status_code == 405


class TestRequirementEvidence:
    @pytest.fixture
    def exi02(self):
        return requirement("EXI 02")

    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read(self, request, client_as, organisation, officer, exi02, persona):
        linked = make_item(organisation, officer)
        linked.requirements.set([exi02])
        make_item(organisation, officer, title="Unrelated")
        client = client_as(request.getfixturevalue(persona))
        page = url("requirement-evidence", organisation, exi02.pk)
        assert list(client.get(page).context["items"]) == [linked]
        fragment = client.get(page, {"fragment": "1"})
        assert fragment.status_code == 200
        assert b"<html" not in fragment.content
        assert f'data-item="{linked.pk}"'.encode() in fragment.content

    def test_dropped_files_become_items(self, client_as, contributor, organisation, exi02, store):
        response = client_as(contributor).post(
            url("requirement-evidence", organisation, exi02.pk),
            {"file": [SimpleUploadedFile("PSSI.pdf", PDF), SimpleUploadedFile("log.txt", TEXT)]},
            headers=JSON,
        )
        assert response.status_code == 200
        answer = json.loads(response.content)
        assert [(v["title"], v["version"]) for v in answer["versions"]] == [
            ("PSSI.pdf", 1),
            ("log.txt", 1),
        ]
        for item in EvidenceItem.objects.all():
            assert list(item.requirements.all()) == [exi02]
            assert item.owner == contributor
        assert len(store.stored_files()) == 2
        assert store.temp_files() == []

    def test_form_drop_redirects_with_a_message(self, client_en, officer, organisation, exi02):
        page = url("requirement-evidence", organisation, exi02.pk)
        response = client_en(officer).post(page, {"file": [SimpleUploadedFile("a.pdf", PDF)]})
        assert response["Location"] == page
        assert messages_of(response) == ["1 file added."]

    def test_a_drop_with_an_executable_stores_nothing(
        self, client_en, officer, organisation, exi02, store
    ):
        response = client_en(officer).post(
            url("requirement-evidence", organisation, exi02.pk),
            {"file": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", ELF)]},
            headers=JSON,
        )
        assert response.status_code == 400
        assert json.loads(response.content)["error"].startswith("b.pdf is refused")
        assert not EvidenceItem.objects.exists()
        assert store.stored_files() == []
        assert store.temp_files() == []

    def test_a_heading_is_404(self, client_as, officer, organisation, exi02):
        heading = exi02.parent
        assert heading is not None
        assert not heading.assessable
        page = url("requirement-evidence", organisation, heading.pk)
        assert client_as(officer).get(page).status_code == 404

    def test_manager_cannot_drop(self, client_as, manager, organisation, exi02, store):
        response = client_as(manager).post(
            url("requirement-evidence", organisation, exi02.pk),
            {"file": [SimpleUploadedFile("a.pdf", PDF)]},
        )
        assert response.status_code == 404
        assert not EvidenceItem.objects.exists()
        assert store.stored_files() == []

    def test_outsider_gets_404(self, client_as, outsider, officer, organisation, exi02):
        client = client_as(outsider)
        page = url("requirement-evidence", organisation, exi02.pk)
        assert client.get(page).status_code == 404
        assert client.post(page, {"file": [SimpleUploadedFile("a.pdf", PDF)]}).status_code == 404
        # A requirement of this organisation's own framework, asked with the outsider's slug.
        framework = Framework.objects.create(
            organisation=organisation,
            code="internal",
            version="1",
            urn="urn:test:internal",
            name_fr="Politique interne",
            source=FrameworkSource.IMPORTED,
        )
        own = Requirement.objects.create(
            framework=framework, urn="urn:test:internal:1", ref_id="I-1"
        )
        mine = url("requirement-evidence", own_slug(outsider), own.pk)
        assert (
            client_as(officer).get(url("requirement-evidence", organisation, own.pk)).status_code
            == 200
        )
        assert client.get(mine).status_code == 404
        assert client.post(mine, {"file": [SimpleUploadedFile("a.pdf", PDF)]}).status_code == 404
        assert not EvidenceItem.objects.exists()

    def test_wrong_method(self, client_as, officer, organisation, exi02):
        page = url("requirement-evidence", organisation, exi02.pk)
        assert client_as(officer).put(page).status_code == 405


class TestReviewDue:
    def test_lists_items_due_soon(self, client_as, manager, officer, organisation):
        today = timezone.localdate()
        due = make_item(organisation, officer, title="Pentest report")
        due.review_due_on = today + timedelta(days=5)
        due.save()
        later = make_item(organisation, officer, title="Contract")
        later.review_due_on = today + timedelta(days=90)
        later.save()
        response = client_as(manager).get(url("review-due", organisation))
        assert response.status_code == 200
        assert list(response.context["items"]) == [due]

    def test_outsider_and_wrong_method(self, client_as, outsider, officer, organisation):
        assert client_as(outsider).get(url("review-due", organisation)).status_code == 404
        assert client_as(officer).post(url("review-due", organisation)).status_code == 405
