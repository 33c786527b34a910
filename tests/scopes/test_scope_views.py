"""Scopes pages: happy path, wrong method, outsider 404, and query counts."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hdsready.models import TrailEvent
from scopes.models import Certificate, ReadinessEntry, ScopeActivity, Subcontractor
from scopes.services.scope import (
    ActivityChoice,
    certificate_save,
    scope_next_audit_set,
    scope_set_activities,
    subcontractor_save,
)
from tests.scopes.test_scope_services import hds_data, requirement

pytestmark = pytest.mark.django_db


def url(name, organisation, *args):
    return reverse(f"scopes:{name}", args=[organisation.slug, *args])


@pytest.fixture
def datacenter(organisation, officer):
    dc = subcontractor_save(organisation=organisation, name="DataCenter Paris", actor=officer)
    certificate_save(
        organisation=organisation, subcontractor=dc, data=hds_data([1, 2]), actor=officer
    )
    return dc


READ_PAGES = [
    ("scope-edit", ()),
    ("subcontractor-list", ()),
    ("chain-view", ()),
    ("iso-view", ()),
    ("readiness-list", ("hds",)),
    ("readiness-list", ("iso27001",)),
]


class TestReadPages:
    @pytest.mark.parametrize(("name", "args"), READ_PAGES)
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read(self, request, client_as, organisation, name, args, persona):
        user = request.getfixturevalue(persona)
        assert client_as(user).get(url(name, organisation, *args)).status_code == 200

    @pytest.mark.parametrize(("name", "args"), READ_PAGES)
    def test_outsider_gets_404(self, client_as, outsider, organisation, name, args):
        assert client_as(outsider).get(url(name, organisation, *args)).status_code == 404

    @pytest.mark.parametrize(
        ("name", "args"),
        [p for p in READ_PAGES if p[0] in {"chain-view", "iso-view", "readiness-list"}],
    )
    def test_wrong_method(self, client_as, officer, organisation, name, args):
        assert client_as(officer).post(url(name, organisation, *args)).status_code == 405

    def test_unknown_framework_is_404(self, client_as, officer, organisation):
        assert (
            client_as(officer).get(url("readiness-list", organisation, "nist")).status_code == 404
        )


class TestScopeEdit:
    def test_officer_declares_activities_and_sees_certificate_types(
        self, client_as, officer, organisation, datacenter
    ):
        client = client_as(officer)
        data = {f"mode_{n}": "in_house" for n in (3, 4, 5, 6)}
        data |= {"mode_1": "subcontracted", "subcontractor_1": str(datacenter.pk)}
        response = client.post(url("scope-edit", organisation), data)
        assert response.status_code == 302
        assert sorted(ScopeActivity.objects.values_list("activity", flat=True)) == [1, 3, 4, 5, 6]
        page = client.get(url("scope-edit", organisation)).content.decode()
        assert "hébergeur infogéreur" in page
        assert "infrastructure physique" in page

    def test_subcontracted_without_subcontractor_changes_nothing(
        self, client_as, officer, organisation
    ):
        response = client_as(officer).post(
            url("scope-edit", organisation), {"mode_1": "subcontracted"}, follow=True
        )
        assert not ScopeActivity.objects.exists()
        # The scope page again, the reason above the activities' table, the choice kept.
        assert response.status_code == 200
        assert len(response.context["form"].non_field_errors()) == 1
        assert 'value="subcontracted" selected' in response.content.decode()

    @pytest.mark.parametrize("persona", ["contributor", "manager", "outsider"])
    def test_only_officers_write(self, request, client_as, organisation, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).post(url("scope-edit", organisation), {"mode_3": "in_house"})
        assert response.status_code == 404
        assert not ScopeActivity.objects.exists()

    def test_wrong_method(self, client_as, officer, organisation):
        assert client_as(officer).put(url("scope-edit", organisation)).status_code == 405


class TestProfile:
    def test_officer_updates_situation(self, client_as, officer, organisation):
        response = client_as(officer).post(
            url("profile-edit", organisation), {"stores_health_data": "on", "non_eea_access": "on"}
        )
        assert response.status_code == 302
        assert organisation.host_profile.non_eea_access

    def test_the_next_audit_cannot_be_typed(self, client_as, officer, organisation):
        scope_next_audit_set(organisation=organisation, next_audit_on=date(2027, 3, 1))
        client = client_as(officer)
        assert (
            "next_audit_on"
            not in client.get(url("scope-edit", organisation)).context["profile_form"].fields
        )
        client.post(
            url("profile-edit", organisation),
            {"stores_health_data": "on", "next_audit_on": "2030-01-01"},
        )
        organisation.host_profile.refresh_from_db()
        assert organisation.host_profile.next_audit_on == date(2027, 3, 1)

    def test_outsider_and_wrong_method(self, client_as, outsider, officer, organisation):
        assert client_as(outsider).post(url("profile-edit", organisation), {}).status_code == 404
        assert client_as(officer).get(url("profile-edit", organisation)).status_code == 405


class TestSubcontractors:
    def test_create_and_edit(self, client_as, officer, organisation):
        client = client_as(officer)
        response = client.post(
            url("subcontractor-list", organisation), {"name": "DataCenter Paris"}
        )
        dc = Subcontractor.objects.get()
        assert response["Location"] == url("subcontractor-detail", organisation, dc.pk)
        client.post(
            url("subcontractor-detail", organisation, dc.pk),
            {"name": "DataCenter Paris 2", "siren": "123"},
        )
        dc.refresh_from_db()
        assert (dc.name, dc.siren) == ("DataCenter Paris 2", "123")

    @pytest.mark.usefixtures("english")
    def test_part_of_the_service(self, client_as, officer, organisation):
        client = client_as(officer)
        client.post(
            url("subcontractor-list", organisation),
            {"name": "Transports X", "part_of_service": "Transport of the backup media"},
        )
        carrier = Subcontractor.objects.get()
        assert carrier.part_of_service == "Transport of the backup media"
        page = client.get(url("subcontractor-detail", organisation, carrier.pk))
        assert page.context["form"].initial["part_of_service"] == carrier.part_of_service
        assert (
            "Transport of the backup media"
            in client.get(url("subcontractor-list", organisation)).content.decode()
        )

    def test_outsider_gets_404_on_the_detail(self, client_as, outsider, organisation, datacenter):
        other = outsider.memberships.get().organisation
        for org in (organisation, other):
            assert (
                client_as(outsider).get(url("subcontractor-detail", org, datacenter.pk)).status_code
                == 404
            )

    def test_manager_reads_but_cannot_write(self, client_as, manager, organisation, datacenter):
        client = client_as(manager)
        assert (
            client.get(url("subcontractor-detail", organisation, datacenter.pk)).status_code == 200
        )
        assert (
            client.post(
                url("subcontractor-detail", organisation, datacenter.pk), {"name": "X"}
            ).status_code
            == 404
        )
        assert (
            client.post(url("subcontractor-list", organisation), {"name": "Y"}).status_code == 404
        )
        assert Subcontractor.objects.count() == 1

    def test_wrong_method(self, client_as, officer, organisation, datacenter):
        assert client_as(officer).put(url("subcontractor-list", organisation)).status_code == 405
        assert (
            client_as(officer)
            .put(url("subcontractor-detail", organisation, datacenter.pk))
            .status_code
            == 405
        )


class TestCertificates:
    def form(self, **overrides):
        data = {
            "kind": "hds",
            "number": "HDS-DC-1",
            "certification_body": "Organisme X",
            "standard_version": "HDS v2",
            "activities": ["1", "2"],
            "issued_on": "2025-01-01",
            "expires_on": "2028-01-01",
        }
        return data | overrides

    def test_record_for_a_subcontractor(self, client_as, officer, organisation, datacenter):
        response = client_as(officer).post(
            url("certificate-create", organisation) + f"?subcontractor={datacenter.pk}",
            self.form(number="N2"),
        )
        assert response["Location"] == url("subcontractor-detail", organisation, datacenter.pk)
        assert Certificate.objects.filter(subcontractor=datacenter, number="N2").exists()

    def test_record_own_iso_certificate(self, client_as, officer, organisation):
        client_as(officer).post(
            url("certificate-create", organisation),
            self.form(
                kind="iso27001", standard_version="", iso_standard="iso27001_2022", activities=["3"]
            ),
        )
        own = Certificate.objects.get(subcontractor=None)
        assert (own.kind, own.iso_standard) == ("iso27001", "iso27001_2022")
        assert own.standard_version == "ISO/IEC 27001:2022"

    def test_bad_dates_change_nothing(self, client_as, officer, organisation):
        response = client_as(officer).post(
            url("certificate-create", organisation), self.form(expires_on="2024-01-01")
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert not Certificate.objects.exists()

    def test_edit_and_delete(self, client_as, officer, organisation, datacenter):
        certificate = Certificate.objects.get()
        client = client_as(officer)
        assert client.get(url("certificate-edit", organisation, certificate.pk)).status_code == 200
        client.post(
            url("certificate-edit", organisation, certificate.pk), self.form(number="RENEWED")
        )
        certificate.refresh_from_db()
        assert certificate.number == "RENEWED"
        client.post(url("certificate-delete", organisation, certificate.pk))
        assert not Certificate.objects.exists()
        assert TrailEvent.objects.filter(kind="certificate.deleted").exists()

    @pytest.mark.parametrize("persona", ["outsider", "manager", "contributor"])
    def test_others_get_404(self, request, client_as, organisation, datacenter, persona):
        user = request.getfixturevalue(persona)
        certificate = Certificate.objects.get()
        client = client_as(user)
        assert client.get(url("certificate-create", organisation)).status_code == 404
        assert client.get(url("certificate-edit", organisation, certificate.pk)).status_code == 404
        assert (
            client.post(url("certificate-delete", organisation, certificate.pk)).status_code == 404
        )
        assert Certificate.objects.count() == 1

    def test_wrong_method(self, client_as, officer, organisation, datacenter):
        certificate = Certificate.objects.get()
        client = client_as(officer)
        assert client.put(url("certificate-create", organisation)).status_code == 405
        assert client.put(url("certificate-edit", organisation, certificate.pk)).status_code == 405
        assert (
            client.get(url("certificate-delete", organisation, certificate.pk)).status_code == 405
        )


class TestChain:
    def test_complete_today_with_a_warning_and_a_gap_after_expiry(
        self, client_as, officer, organisation
    ):
        today = timezone.localdate()
        dc = subcontractor_save(organisation=organisation, name="DataCenter Paris", actor=officer)
        certificate_save(
            organisation=organisation,
            subcontractor=dc,
            data=hds_data(
                [1, 2], issued=today - timedelta(days=300), expires=today + timedelta(days=60)
            ),
            actor=officer,
        )
        scope_set_activities(
            organisation=organisation,
            choices={1: ActivityChoice("subcontracted", dc), 2: ActivityChoice("subcontracted", dc)}
            | {n: ActivityChoice("in_house") for n in (3, 4, 5, 6)},
            actor=officer,
        )
        client = client_as(officer)
        now = client.get(url("chain-view", organisation))
        assert now.context["complete"]
        assert [line.cover for line in now.context["lines"]][:2] == ["expiring", "expiring"]
        later = client.get(
            url("chain-view", organisation), {"on": (today + timedelta(days=61)).isoformat()}
        )
        assert not later.context["complete"]
        assert [line.cover for line in later.context["lines"]][:2] == ["gap", "gap"]

    @pytest.mark.parametrize("typed", ["2025-02-30", "31/02/2025", "demain"])
    def test_an_impossible_day_shows_today_and_says_why(
        self, client_as, officer, organisation, typed
    ):
        response = client_as(officer).get(url("chain-view", organisation), {"on": typed})
        assert response.status_code == 200
        assert response.context["on"] == timezone.localdate()
        assert response.context["form"].errors["on"]
        assert f'value="{typed}"' in response.content.decode()

    def test_a_french_day_is_read(self, client_as, officer, organisation):
        response = client_as(officer).get(url("chain-view", organisation), {"on": "01/06/2027"})
        assert response.context["on"] == date(2027, 6, 1)

    def test_query_count_does_not_grow_with_subcontractors(
        self, client_as, officer, organisation, django_assert_num_queries
    ):
        client = client_as(officer)
        page = url("chain-view", organisation)
        client.get(page)

        def add(n):
            choices = {}
            for i in range(n):
                dc = subcontractor_save(
                    organisation=organisation, name=f"DC {i}-{n}", actor=officer
                )
                certificate_save(
                    organisation=organisation,
                    subcontractor=dc,
                    data=hds_data([i % 6 + 1]),
                    actor=officer,
                )
                choices[i % 6 + 1] = ActivityChoice("subcontracted", dc)
            scope_set_activities(organisation=organisation, choices=choices, actor=officer)

        # 9: the chain's 8 and the current list of certified hosts (none here; with one, its
        # checks take 3 more: tests/scopes/test_certified_hosts_views.py).
        add(1)
        with django_assert_num_queries(9):
            client.get(page)
        add(6)
        with django_assert_num_queries(9):
            client.get(page)


class TestIso:
    def test_flags_show(self, client_as, officer, organisation):
        scope_set_activities(
            organisation=organisation,
            choices={n: ActivityChoice("in_house") for n in (3, 4)},
            actor=officer,
        )
        certificate_save(
            organisation=organisation,
            subcontractor=None,
            data=replace(hds_data([3]), kind="iso27001", iso_standard="iso27001_2022"),
            actor=officer,
        )
        response = client_as(officer).get(url("iso-view", organisation))
        assert response.context["check"].activities_outside == [4]

    @pytest.mark.usefixtures("english")
    def test_iso_scope_covers_only_the_activities_performed_in_house(
        self, client_as, officer, organisation, datacenter, django_assert_num_queries
    ):
        """The demo: 1-2 at a certified datacenter, 3-6 in-house, the ISO scope missing 6."""
        scope_set_activities(
            organisation=organisation,
            choices={n: ActivityChoice("subcontracted", datacenter) for n in (1, 2)}
            | {n: ActivityChoice("in_house") for n in (3, 4, 5, 6)},
            actor=officer,
        )
        certificate_save(
            organisation=organisation,
            subcontractor=None,
            data=replace(hds_data([3, 4, 5]), kind="iso27001", iso_standard="iso27001_2022"),
            actor=officer,
        )
        client = client_as(officer)
        client.get(url("iso-view", organisation))
        with django_assert_num_queries(14):
            response = client.get(url("iso-view", organisation))
        assert response.context["check"].activities_outside == [6]
        assert "HDS activities outside the ISO scope: 6." in response.content.decode()

    @pytest.mark.usefixtures("english")
    def test_the_next_audit_comes_from_the_cycle(self, client_as, officer, organisation):
        client = client_as(officer)
        page = url("iso-view", organisation)
        assert "No audit planned in the certification cycle." in client.get(page).content.decode()
        scope_next_audit_set(organisation=organisation, next_audit_on=date(2027, 3, 1))
        content = client.get(page).content.decode()
        assert "Next planned audit (from the certification cycle): March 1, 2027" in content


class TestCertificateStandard:
    def form(self, **overrides):
        return {
            "kind": "iso27001",
            "number": "ISO-1",
            "certification_body": "Organisme X",
            "activities": ["3"],
            "issued_on": "2025-01-01",
            "expires_on": "2028-01-01",
        } | overrides

    def test_the_iso_form_offers_the_standards(self, client_as, officer, organisation):
        response = client_as(officer).get(
            url("certificate-create", organisation) + "?kind=iso27001"
        )
        form = response.context["form"]
        assert form.initial["iso_standard"] == "iso27001_2022"
        codes = [code for code, _label in form.fields["iso_standard"].choices]
        assert {"iso27001_2022", "nf_en_iso27001_2023", "iso27001_2013", "equivalent"} <= set(codes)

    def test_nf_en_2023_is_recorded_and_accepted(self, client_as, officer, organisation):
        client = client_as(officer)
        response = client.post(
            url("certificate-create", organisation), self.form(iso_standard="nf_en_iso27001_2023")
        )
        assert response.status_code == 302
        certificate = Certificate.objects.get()
        assert certificate.standard_version == "NF EN ISO/IEC 27001:2023"
        check = client.get(url("iso-view", organisation)).context["check"]
        assert "old_edition" not in check.flags

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"iso_standard": ""}, "iso_standard"),
            ({"iso_standard": "iso27001_2099"}, "iso_standard"),
            ({"iso_standard": "equivalent", "iso_equivalent_name": " "}, "iso_equivalent_name"),
            ({"kind": "hds", "standard_version": ""}, "standard_version"),
        ],
    )
    def test_a_missing_standard_changes_nothing(
        self, client_as, officer, organisation, data, field
    ):
        response = client_as(officer).post(
            url("certificate-create", organisation), self.form(**data)
        )
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert not Certificate.objects.exists()

    def test_editing_an_iso_certificate_keeps_its_standard(self, client_as, officer, organisation):
        certificate = certificate_save(
            organisation=organisation,
            subcontractor=None,
            data=replace(
                hds_data([3]),
                kind="iso27001",
                iso_standard="equivalent",
                iso_equivalent_name="Norme X",
            ),
            actor=officer,
        )
        client = client_as(officer)
        form = client.get(url("certificate-edit", organisation, certificate.pk)).context["form"]
        assert (form.initial["iso_standard"], form.initial["iso_equivalent_name"]) == (
            "equivalent",
            "Norme X",
        )
        client.post(
            url("certificate-edit", organisation, certificate.pk),
            self.form(number="ISO-2", iso_standard="equivalent", iso_equivalent_name="Norme Y"),
        )
        certificate.refresh_from_db()
        assert (certificate.number, certificate.standard_version) == ("ISO-2", "Norme Y")


class TestReadiness:
    def test_bulk_edit_changes_the_score(self, client_as, contributor, organisation):
        client = client_as(contributor)
        page = url("readiness-list", organisation, "hds")
        before = client.get(page).context["overall"].percent
        ids = [requirement("EXI 02").pk, requirement("EXI 03").pk]
        response = client.post(
            url("readiness-bulk", organisation, "hds"), {"requirements": ids, "status": "compliant"}
        )
        assert response.status_code == 302
        after = client.get(page).context["overall"]
        assert before == 0
        assert after.counts["compliant"] == 2
        assert after.percent == round(200 / after.counted)

    def test_filters(self, client_as, contributor, organisation):
        client = client_as(contributor)
        client.post(
            url("readiness-bulk", organisation, "hds"),
            {"requirements": [requirement("EXI 02").pk], "status": "partial"},
        )
        page = url("readiness-list", organisation, "hds")
        assert [r[0].ref_id for r in client.get(page, {"status": "partial"}).context["rows"]] == [
            "EXI 02"
        ]
        chapter = requirement("EXI 17").parent_id
        rows = client.get(page, {"chapter": chapter}).context["rows"]
        assert {r[0].ref_id for r in rows} == {f"EXI {n}" for n in range(17, 28)}
        assert client.get(page, {"overdue": "on"}).context["rows"] == []

    def test_overdue_filter(self, client_as, contributor, organisation):
        client = client_as(contributor)
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        client.post(
            url("readiness-bulk", organisation, "hds"),
            {
                "requirements": [requirement("EXI 05").pk],
                "status": "partial",
                "target_date": yesterday,
            },
        )
        rows = client.get(url("readiness-list", organisation, "hds"), {"overdue": "on"}).context[
            "rows"
        ]
        assert [r[0].ref_id for r in rows] == ["EXI 05"]

    def test_manager_cannot_bulk_edit(self, client_as, manager, organisation):
        response = client_as(manager).post(
            url("readiness-bulk", organisation, "hds"),
            {"requirements": [requirement("EXI 02").pk], "status": "compliant"},
        )
        assert response.status_code == 404
        assert not ReadinessEntry.objects.exists()

    def test_bulk_wrong_method_and_outsider(self, client_as, officer, outsider, organisation):
        assert client_as(officer).get(url("readiness-bulk", organisation, "hds")).status_code == 405
        assert (
            client_as(outsider).post(url("readiness-bulk", organisation, "hds"), {}).status_code
            == 404
        )

    def test_edit_page_with_history(self, client_as, contributor, organisation):
        exi02 = requirement("EXI 02")
        client = client_as(contributor)
        edit = url("readiness-edit", organisation, exi02.pk)
        assert client.get(edit).status_code == 200
        client.post(edit, {"status": "partial", "notes": "Policy drafted"})
        client.post(edit, {"status": "compliant", "notes": "Policy signed"})
        history = client.get(edit).context["history"]
        assert [e.data["changes"]["status"][1] for e in history] == ["compliant", "partial"]

    def test_edit_refuses_not_applicable_without_reason(self, client_as, contributor, organisation):
        response = client_as(contributor).post(
            url("readiness-edit", organisation, requirement("EXI 02").pk),
            {"status": "not_applicable"},
        )
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert not ReadinessEntry.objects.exists()

    def test_edit_outsider_manager_and_wrong_method(
        self, client_as, outsider, manager, officer, organisation
    ):
        exi02 = requirement("EXI 02")
        assert (
            client_as(outsider).get(url("readiness-edit", organisation, exi02.pk)).status_code
            == 404
        )
        assert (
            client_as(manager).get(url("readiness-edit", organisation, exi02.pk)).status_code == 200
        )
        assert (
            client_as(manager)
            .post(url("readiness-edit", organisation, exi02.pk), {"status": "compliant"})
            .status_code
            == 404
        )
        assert (
            client_as(officer).put(url("readiness-edit", organisation, exi02.pk)).status_code == 405
        )
        group = exi02.parent_id
        assert client_as(officer).get(url("readiness-edit", organisation, group)).status_code == 404

    def test_query_count_does_not_grow_with_requirements(
        self, client_as, officer, organisation, django_assert_num_queries
    ):
        client = client_as(officer)
        client.get(url("readiness-list", organisation, "hds"))
        # 31 HDS requirements, then 123 ISO items with SoA and entries: the same count, but for
        # the two queries of the client contracts' figures (EXI 11, 17-27), the one of the
        # sovereignty register's (EXI 28-30) and the guarantees page's (EXI 31: nothing
        # published yet) on the HDS list.
        with django_assert_num_queries(20):
            client.get(url("readiness-list", organisation, "hds"))
        client.post(
            url("readiness-bulk", organisation, "iso27001"),
            {
                "requirements": [requirement(r).pk for r in ("4.1", "A.5.1", "A.8.1")],
                "status": "partial",
            },
        )
        with django_assert_num_queries(16):
            client.get(url("readiness-list", organisation, "iso27001"))
