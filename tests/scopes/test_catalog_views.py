"""Catalog pages: happy path, wrong method, outsider 404, officer-only import, query counts."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hdsready.models import TrailEvent
from scopes.importer import MAX_LIBRARY_BYTES
from scopes.models import Framework, Requirement
from scopes.services.catalog import framework_import
from tests.scopes.test_importer import BILLION_LAUGHS, REFERENCE_DIR, library_bytes, row_counts

pytestmark = pytest.mark.django_db


def url(name, organisation, *args):
    return reverse(f"scopes:{name}", args=[organisation.slug, *args])


def upload(content: bytes, name: str = "library.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/yaml")


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


@pytest.fixture
def hds_raw() -> bytes:
    return (REFERENCE_DIR / "hds-v2.yaml").read_bytes()


@pytest.fixture
def imported(organisation, officer, hds_raw) -> Framework:
    return framework_import(organisation=organisation, raw=hds_raw, actor=officer).framework


class TestCatalogList:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_see_built_in_and_imported_frameworks(
        self, request, client_as, organisation, imported, persona
    ):
        response = client_as(request.getfixturevalue(persona)).get(
            url("catalog-list", organisation)
        )
        assert response.status_code == 200
        frameworks = {f.urn: f for f in response.context["frameworks"]}
        assert frameworks[imported.urn].assessable_count == 71
        assert frameworks[imported.urn].node_count == 82
        assert Framework.objects.filter(organisation__isnull=True).count() == 2
        assert len(frameworks) == 3
        can_upload = b'id="catalog-import"' in response.content
        assert can_upload is (persona == "officer")

    def test_another_organisations_import_is_not_listed(
        self, client_as, officer, outsider, organisation, hds_raw
    ):
        other = outsider.memberships.get().organisation
        framework_import(organisation=other, raw=hds_raw, actor=outsider)
        response = client_as(officer).get(url("catalog-list", organisation))
        assert all(
            f.organisation_id in {None, organisation.pk} for f in response.context["frameworks"]
        )
        assert b"hds-v2023-a" not in response.content

    def test_outsider_gets_404(self, client_as, outsider, organisation):
        assert client_as(outsider).get(url("catalog-list", organisation)).status_code == 404

    def test_wrong_method(self, client_as, officer, organisation):
        assert client_as(officer).post(url("catalog-list", organisation)).status_code == 405

    def test_query_count_does_not_grow_with_frameworks(
        self, client_as, officer, organisation, django_assert_num_queries
    ):
        client = client_as(officer)
        list_url = url("catalog-list", organisation)
        client.get(list_url)  # warm the session and permission caches
        framework_import(organisation=organisation, raw=library_bytes(slug="one"), actor=officer)
        with django_assert_num_queries(9):
            client.get(list_url)
        for slug in ("two", "three", "four"):
            framework_import(organisation=organisation, raw=library_bytes(slug=slug), actor=officer)
        with django_assert_num_queries(9):
            client.get(list_url)


class TestCatalogImport:
    def test_officer_imports_then_reimport_changes_nothing(
        self, client_as, officer, organisation, hds_raw
    ):
        client = in_english(client_as(officer))
        response = client.post(url("catalog-import", organisation), {"file": upload(hds_raw)})
        framework = Framework.objects.get(organisation=organisation)
        assert response.status_code == 302
        assert response["Location"] == url("catalog-detail", organisation, framework.pk)
        page = client.get(response["Location"])
        assert messages_of(page) == [
            (
                constants.SUCCESS,
                "HDS v2.0 version 2 imported: 82 nodes, 71 assessable requirements.",
            )
        ]
        before = row_counts()
        response = client.post(
            url("catalog-import", organisation), {"file": upload(hds_raw)}, follow=True
        )
        assert row_counts() == before
        assert response.redirect_chain[-1][0] == url("catalog-detail", organisation, framework.pk)
        assert "nothing changed" in messages_of(response)[0][1]

    @pytest.mark.parametrize(
        ("content", "says"),
        [
            (b"urn: [unclosed\n", "not valid YAML (line 2)"),
            (BILLION_LAUGHS, "anchors and aliases"),
            (b"!!python/object/apply:os.system ['true']\n", "YAML tags"),
            (b"urn: x\nlocale: en\n", "has no objects.framework"),
            (b"#" * (MAX_LIBRARY_BYTES + 1), "larger than 5 MB"),
        ],
        ids=["bad-yaml", "billion-laughs", "python-tag", "structure", "too-large"],
    )
    def test_refused_file_creates_nothing(self, client_as, officer, organisation, content, says):
        client = in_english(client_as(officer))
        before = row_counts()
        response = client.post(
            url("catalog-import", organisation), {"file": upload(content)}, follow=True
        )
        # The catalog page again, the reason beside the file field.
        assert (response.status_code, response.redirect_chain) == (200, [])
        assert row_counts() == before
        ((text,),) = response.context["form"].errors.values()
        assert says in text
        assert 'class="errorlist' in response.content.decode()

    def test_no_file(self, client_as, officer, organisation):
        response = in_english(client_as(officer)).post(
            url("catalog-import", organisation), {}, follow=True
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {"file": ["This field is required."]}
        assert not Framework.objects.filter(organisation=organisation).exists()

    @pytest.mark.parametrize("persona", ["contributor", "manager", "outsider"])
    def test_non_officers_get_404(self, request, client_as, organisation, hds_raw, persona):
        client = client_as(request.getfixturevalue(persona))
        before = row_counts()
        response = client.post(url("catalog-import", organisation), {"file": upload(hds_raw)})
        assert response.status_code == 404
        assert row_counts() == before

    def test_wrong_method(self, client_as, officer, organisation):
        assert client_as(officer).get(url("catalog-import", organisation)).status_code == 405


class TestCatalogDetail:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_see_the_tree(self, request, client_as, organisation, imported, persona):
        client = in_english(client_as(request.getfixturevalue(persona)))
        response = client.get(url("catalog-detail", organisation, imported.pk))
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count('data-depth="1"') == 31
        assert "<strong>[EXI 01]</strong>" in page
        assert "<strong>[EXI 31]</strong>" in page
        assert page.count(">assessable</span>") == 71
        assert (response.context["node_count"], response.context["assessable_count"]) == (82, 71)

    def test_names_in_the_current_language(self, client_as, officer, organisation):
        framework = framework_import(
            organisation=organisation, raw=library_bytes(nodes=3), actor=officer
        ).framework
        client = client_as(officer)
        detail = url("catalog-detail", organisation, framework.pk)
        assert "Exigence 1" in client.get(detail).content.decode()
        assert "Requirement 1" in in_english(client).get(detail).content.decode()

    def test_built_in_framework(self, client_as, contributor, organisation):
        builtin = Framework.objects.filter(organisation__isnull=True).first()
        assert builtin is not None
        response = client_as(contributor).get(url("catalog-detail", organisation, builtin.pk))
        assert response.status_code == 200
        assert len(response.context["tree"]) > 0

    def test_another_organisations_framework_is_404(
        self, client_as, officer, outsider, organisation, hds_raw
    ):
        other = outsider.memberships.get().organisation
        theirs = framework_import(organisation=other, raw=hds_raw, actor=outsider).framework
        response = client_as(officer).get(url("catalog-detail", organisation, theirs.pk))
        assert response.status_code == 404

    def test_outsider_gets_404(self, client_as, outsider, organisation, imported):
        response = client_as(outsider).get(url("catalog-detail", organisation, imported.pk))
        assert response.status_code == 404

    def test_wrong_method(self, client_as, officer, organisation, imported):
        response = client_as(officer).post(url("catalog-detail", organisation, imported.pk))
        assert response.status_code == 405

    def test_query_count_does_not_grow_with_nodes(
        self, client_as, officer, organisation, django_assert_num_queries
    ):
        client = client_as(officer)
        small, large = (
            framework_import(
                organisation=organisation, raw=library_bytes(nodes=nodes, slug=slug), actor=officer
            ).framework
            for nodes, slug in ((10, "small"), (200, "large"))
        )
        assert Requirement.objects.filter(framework=large).count() == 200
        client.get(url("catalog-detail", organisation, small.pk))  # warm the caches
        with django_assert_num_queries(9):
            client.get(url("catalog-detail", organisation, small.pk))
        with django_assert_num_queries(9):
            client.get(url("catalog-detail", organisation, large.pk))


def test_trail_records_the_import_from_the_page(client_as, officer, organisation):
    client_as(officer).post(url("catalog-import", organisation), {"file": upload(library_bytes())})
    event = TrailEvent.objects.get(kind="framework.imported")
    assert (event.actor, event.organisation) == (officer, organisation)
