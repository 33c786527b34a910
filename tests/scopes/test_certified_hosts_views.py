"""The list of certified hosts: the import flow (officer only), the checks on the chain and
subcontractor pages (query counts bounded), the read API."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hdsready.models import TrailEvent
from scopes.models import CertifiedHost, CertifiedHostList, CertifiedHostsMapping
from scopes.services.scope import ActivityChoice, scope_set_activities, subcontractor_save
from tests.scopes.host_list_samples import ROWS, sample_csv, sample_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def url(name, organisation):
    return reverse(f"scopes:{name}", args=[organisation.slug])


def upload(client, organisation, raw, name="liste-hds.csv"):
    return client.post(
        url("host-list-upload", organisation), {"file": SimpleUploadedFile(name, raw)}
    )


def imported(client, organisation, raw, name="liste-hds.csv"):
    assert upload(client, organisation, raw, name).status_code == 302
    return confirm(client, organisation)


def confirm(client, organisation, **changes):
    """The mapping step sent as proposed (with `changes`), as the browser sends it."""
    page = client.get(url("host-list-import", organisation))
    data = dict(page.context["form"].initial) | {"sha256": page.context["upload"].sha256}
    return client.post(
        url("host-list-import", organisation), data | changes | {"action": "confirm"}
    )


class TestImport:
    @pytest.mark.parametrize(("raw", "name"), [(sample_csv(), "l.csv"), (sample_xlsx(), "l.xlsx")])
    def test_officer_imports_a_list(self, client_as, officer, organisation, raw, name):
        client = client_as(officer)
        assert upload(client, organisation, raw, name).status_code == 302
        page = client.get(url("host-list-import", organisation))
        assert page.status_code == 200
        assert [h.name for h in page.context["preview"]][:1] == ["OVH SAS"]
        response = imported(client, organisation, raw, name)
        assert response.status_code == 302
        current = CertifiedHostList.objects.get()
        assert (current.filename, current.row_count, current.imported_by) == (
            name,
            len(ROWS),
            officer,
        )
        assert len(current.sha256) == 64
        assert CertifiedHost.objects.count() == len(ROWS)
        assert TrailEvent.objects.filter(kind="certified_hosts.imported").count() == 1
        listing = client.get(url("host-list", organisation)).content.decode()
        assert name in listing
        assert current.sha256 in listing

    def test_a_new_import_replaces_the_list_and_the_mapping_is_remembered(
        self, client_as, officer, organisation
    ):
        client = client_as(officer)
        upload(client, organisation, sample_csv())
        # The officer maps the certification body's column as the certificate number.
        confirm(client, organisation, certificate_number="6", certification_body="")
        assert CertifiedHostsMapping.objects.get().columns["certificate_number"] == (
            "Organisme certificateur"
        )
        upload(client, organisation, sample_csv(ROWS[:2]))
        again = client.get(url("host-list-import", organisation)).context["form"]
        assert again.initial["certificate_number"] == "6"
        assert again.initial["certification_body"] == ""  # left out, stays out
        confirm(client, organisation)
        assert CertifiedHostList.objects.count() == 2
        assert CertifiedHost.objects.count() == 2  # only the current list's rows are kept
        assert CertifiedHost.objects.get(line=2).certificate_number == "LNE"

    def test_a_bad_row_imports_nothing_and_says_where(self, client_as, officer, organisation):
        rows = [*ROWS] * 70
        rows[315] = (*rows[315][:5], "31/02/2027", rows[315][6])
        response = imported(client_as(officer), organisation, sample_csv(rows))
        assert response.status_code == 200
        assert not CertifiedHostList.objects.exists()
        assert not CertifiedHost.objects.exists()
        assert len(response.context["preview"]) == 10  # the first rows still shown
        page = response.content.decode()
        assert 'data-line="317"' in page
        assert "Date de fin" in page
        assert "31/02/2027" in page

    @pytest.mark.parametrize(
        ("raw", "name"),
        [
            (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "image.csv"),
            (b"PK\x03\x04 nope", "liste.xlsx"),
            (b"Raison sociale;SIREN\n", "liste.csv"),
            (b"x", "liste.pdf"),
        ],
    )
    def test_a_malformed_file_is_refused_clearly(self, client_as, officer, organisation, raw, name):
        response = upload(client_as(officer), organisation, raw, name)
        assert response.status_code == 200
        assert response.context["form"].errors["file"]
        assert not TrailEvent.objects.filter(kind__startswith="certified_hosts").exists()

    def test_a_mapping_without_the_name_is_refused(self, client_as, officer, organisation):
        client = client_as(officer)
        upload(client, organisation, sample_csv())
        response = confirm(client, organisation, company_name="")
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not CertifiedHostList.objects.exists()

    def test_a_mapping_sent_for_another_file_imports_nothing(
        self, client_as, officer, organisation
    ):
        client = client_as(officer)
        upload(client, organisation, sample_csv())
        page = client.get(url("host-list-import", organisation))
        data = dict(page.context["form"].initial) | {"sha256": page.context["upload"].sha256}
        upload(client, organisation, sample_csv(ROWS[:1]), "autre.csv")
        response = client.post(url("host-list-import", organisation), data | {"action": "confirm"})
        assert response.status_code == 200
        assert not response.context["form"].is_bound
        assert not CertifiedHostList.objects.exists()

    def test_preview_shows_the_rows_under_the_chosen_mapping(
        self, client_as, officer, organisation
    ):
        client = client_as(officer)
        upload(client, organisation, sample_csv())
        page = client.get(url("host-list-import", organisation))
        data = dict(page.context["form"].initial) | {"sha256": page.context["upload"].sha256}
        response = client.post(
            url("host-list-import", organisation),
            data | {"certification_body": "2", "certificate_number": "", "action": "preview"},
        )
        assert response.context["preview"][0].certification_body == "HDS-2024-0012"
        assert not CertifiedHostList.objects.exists()

    def test_a_zip_bomb_upload_is_refused_clearly(self, client_as, officer, organisation):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
            archive.writestr("xl/worksheets/sheet1.xml", b"0" * (100 * 1024 * 1024))
        response = upload(client_as(officer), organisation, buffer.getvalue(), "bomb.xlsx")
        assert response.status_code == 200
        assert "too much" in str(response.context["form"].errors["file"])

    def test_without_an_upload_the_mapping_step_sends_back(self, client_as, officer, organisation):
        response = client_as(officer).get(url("host-list-import", organisation))
        assert response.status_code == 302

    @pytest.mark.parametrize("persona", ["contributor", "manager", "outsider"])
    def test_only_the_officer_imports(self, request, client_as, organisation, persona):
        client = client_as(request.getfixturevalue(persona))
        assert upload(client, organisation, sample_csv()).status_code == 404
        assert client.get(url("host-list-import", organisation)).status_code == 404
        assert not TrailEvent.objects.filter(kind__startswith="certified_hosts").exists()

    @pytest.mark.parametrize("persona", ["contributor", "manager"])
    def test_members_see_the_result_not_the_form(self, request, client_as, organisation, persona):
        response = client_as(request.getfixturevalue(persona)).get(url("host-list", organisation))
        assert response.status_code == 200
        assert response.context["form"] is None
        assert "host-list-upload" not in response.content.decode()

    def test_outsider_and_wrong_methods(self, client_as, outsider, officer, organisation):
        assert client_as(outsider).get(url("host-list", organisation)).status_code == 404
        assert client_as(officer).post(url("host-list", organisation)).status_code == 405
        assert client_as(officer).get(url("host-list-upload", organisation)).status_code == 405


@pytest.fixture
def listed(client_as, officer, organisation):
    """The sample list imported, and subcontractors for each verdict."""
    today = timezone.localdate()
    rows = [
        (
            "OVH SAS",
            "424761419",
            "C1",
            "1, 2",
            "01/01/2024",
            (today + timedelta(days=400)).strftime("%d/%m/%Y"),
            "LNE",
        ),
        (
            "Scaleway",
            "433115904",
            "C2",
            "1, 2, 3",
            "01/01/2020",
            (today - timedelta(days=1)).strftime("%d/%m/%Y"),
            "LNE",
        ),
        (
            "Cloud Temple",
            "",
            "C3",
            "5",
            "01/01/2024",
            (today + timedelta(days=400)).strftime("%d/%m/%Y"),
            "LNE",
        ),
    ]
    assert imported(client_as(officer), organisation, sample_csv(rows)).status_code == 302
    made = {
        "consistent": subcontractor_save(
            organisation=organisation, name="OVH", siren="424 761 419", actor=officer
        ),
        "expired": subcontractor_save(
            organisation=organisation, name="Scaleway SAS", actor=officer
        ),
        "uncovered": subcontractor_save(
            organisation=organisation, name="CLOUD-TEMPLE", actor=officer
        ),
        "mismatch": subcontractor_save(
            organisation=organisation, name="Autre Hébergeur", siren="424761419", actor=officer
        ),
        "absent": subcontractor_save(organisation=organisation, name="Inconnu", actor=officer),
    }
    scope_set_activities(
        organisation=organisation,
        choices={
            1: ActivityChoice("subcontracted", made["consistent"]),
            3: ActivityChoice("subcontracted", made["expired"]),
            4: ActivityChoice("subcontracted", made["uncovered"]),
            5: ActivityChoice("subcontracted", made["uncovered"]),
        },
        actor=officer,
    )
    return made


class TestChecksShown:
    def test_the_chain_page_explains_each_check(self, client_as, contributor, organisation, listed):
        response = client_as(contributor).get(url("chain-view", organisation))
        verdicts = {
            row["subcontractor"].name: row["check"].verdict
            for row in response.context["host_checks"]
        }
        assert verdicts == {
            "OVH": "consistent",
            "Scaleway SAS": "not_valid",
            "CLOUD-TEMPLE": "activities_not_covered",
            "Autre Hébergeur": "siren_mismatch",
            "Inconnu": "not_listed",
        }
        page = response.content.decode()
        assert 'id="host-list-date"' in page
        assert "activity 4" in page  # the activity relied on and not covered

    def test_the_subcontractor_page_shows_its_check(self, client_as, manager, organisation, listed):
        pk = listed["mismatch"].pk
        response = client_as(manager).get(
            reverse("scopes:subcontractor-detail", args=[organisation.slug, pk])
        )
        assert [row["check"].verdict for row in response.context["host_checks"]] == [
            "siren_mismatch"
        ]
        assert "OVH SAS" in response.content.decode()

    def test_query_count_does_not_grow_with_subcontractors_nor_rows(
        self, client_as, officer, organisation, listed, django_assert_max_num_queries
    ):
        client = client_as(officer)
        pages = [url("chain-view", organisation), url("host-list", organisation)]
        counts = []
        for page in pages:
            with django_assert_max_num_queries(100) as before:
                client.get(page)
            counts.append(len(before.captured_queries))
        many = [
            (f"Hébergeur {i}", f"{100000000 + i}", "", "1", "", "31/12/2099", "")
            for i in range(2000)
        ]
        imported(client, organisation, sample_csv(many))
        for i in range(30):
            subcontractor_save(organisation=organisation, name=f"Hébergeur {i}", actor=officer)
        for page, count in zip(pages, counts, strict=True):
            with django_assert_max_num_queries(count):
                response = client.get(page)
            assert len(response.context["host_checks"]) == 35

    def test_subcontractor_page_query_count_does_not_grow_with_the_list(
        self, client_as, officer, organisation, listed, django_assert_max_num_queries
    ):
        client = client_as(officer)
        page = reverse("scopes:subcontractor-detail", args=[organisation.slug, listed["absent"].pk])
        with django_assert_max_num_queries(100) as before:
            client.get(page)
        # Counted now: the connection's query log is a bounded deque the import below shifts.
        count = len(before.captured_queries)
        many = [(f"Inconnu {i}", "", "", "1", "", "31/12/2099", "") for i in range(2000)]
        imported(client, organisation, sample_csv(many))
        with django_assert_max_num_queries(count):
            assert client.get(page).context["host_checks"][0]["check"].verdict == "not_listed"

    def test_api(self, client_as, manager, organisation, listed):
        client = client_as(manager)
        meta = client.get(f"/api/o/{organisation.slug}/certified-hosts/").json()
        assert meta["current"]["row_count"] == 3
        checks = client.get(f"/api/o/{organisation.slug}/certified-hosts/checks/").json()
        by_name = {line["name"]: line for line in checks["results"]}
        assert by_name["CLOUD-TEMPLE"]["missing_activities"] == [4]
        assert by_name["OVH"]["listed"][0]["activities"] == [1, 2]
        assert by_name["Inconnu"]["verdict"] == "not_listed"

    def test_api_without_a_list(self, client_as, manager, organisation):
        client = client_as(manager)
        assert client.get(f"/api/o/{organisation.slug}/certified-hosts/").json() == {
            "current": None
        }
        assert (
            client.get(f"/api/o/{organisation.slug}/certified-hosts/checks/").json()["results"]
            == []
        )
