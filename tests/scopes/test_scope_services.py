from datetime import date

import pytest

from hdsready.models import TrailEvent
from scopes.models import (
    ActivityMode,
    Certificate,
    ReadinessEntry,
    ReadinessStatus,
    Requirement,
    ScopeActivity,
)
from scopes.selectors import builtin_framework, readiness_rows
from scopes.services import ScopeError
from scopes.services.assessment import (
    ReadinessData,
    SoAData,
    readiness_bulk_update,
    readiness_update,
    soa_update,
)
from scopes.services.scope import (
    ActivityChoice,
    CertificateData,
    certificate_save,
    host_profile_update,
    scope_set_activities,
    subcontractor_save,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def hds_data(activities, issued=date(2025, 1, 1), expires=date(2028, 1, 1), number="HDS-1"):
    return CertificateData(
        kind="hds",
        number=number,
        certification_body="Organisme X",
        accreditation="COFRAC 5-0000",
        standard_version="HDS v2",
        activities=list(activities),
        scope_statement="",
        issued_on=issued,
        expires_on=expires,
    )


def requirement(ref):
    return Requirement.objects.get(framework__organisation__isnull=True, ref_id=ref)


class TestScope:
    def test_declare_activities_with_a_subcontractor(self, organisation, officer):
        dc = subcontractor_save(organisation=organisation, name="DataCenter Paris", actor=officer)
        scope_set_activities(
            organisation=organisation,
            choices={
                1: ActivityChoice(ActivityMode.SUBCONTRACTED, dc),
                3: ActivityChoice(ActivityMode.IN_HOUSE),
            },
            actor=officer,
        )
        assert sorted(ScopeActivity.objects.values_list("activity", "mode")) == [
            (1, "subcontracted"),
            (3, "in_house"),
        ]
        assert TrailEvent.objects.filter(kind="scope.activities_set").count() == 1
        # Saving the same scope again records nothing new.
        scope_set_activities(
            organisation=organisation,
            choices={
                1: ActivityChoice(ActivityMode.SUBCONTRACTED, dc),
                3: ActivityChoice(ActivityMode.IN_HOUSE),
            },
            actor=officer,
        )
        assert TrailEvent.objects.filter(kind="scope.activities_set").count() == 1

    @pytest.mark.parametrize(
        ("choices", "message"),
        [
            ({7: ActivityChoice(ActivityMode.IN_HOUSE)}, "Unknown activity"),
            ({1: ActivityChoice(ActivityMode.SUBCONTRACTED)}, "only when it is subcontracted"),
            ({1: ActivityChoice("magic")}, "Unknown mode"),
        ],
    )
    def test_bad_declarations_change_nothing(self, organisation, officer, choices, message):
        scope_set_activities(
            organisation=organisation,
            choices={3: ActivityChoice(ActivityMode.IN_HOUSE)},
            actor=officer,
        )
        with pytest.raises(ScopeError, match=message):
            scope_set_activities(organisation=organisation, choices=choices, actor=officer)
        assert list(ScopeActivity.objects.values_list("activity", flat=True)) == [3]

    def test_subcontractor_of_another_organisation_is_refused(
        self, organisation, officer, outsider
    ):
        other = outsider.memberships.get().organisation
        theirs = subcontractor_save(organisation=other, name="Theirs", actor=outsider)
        with pytest.raises(ScopeError, match="Unknown subcontractor"):
            scope_set_activities(
                organisation=organisation,
                choices={1: ActivityChoice(ActivityMode.SUBCONTRACTED, theirs)},
                actor=officer,
            )

    def test_duplicate_subcontractor_name(self, organisation, officer):
        subcontractor_save(organisation=organisation, name="DataCenter Paris", actor=officer)
        with pytest.raises(ScopeError, match="already exists"):
            subcontractor_save(organisation=organisation, name="datacenter paris", actor=officer)

    def test_profile_update_trails_only_changes(self, organisation, officer):
        host_profile_update(
            organisation=organisation,
            stores_health_data=True,
            non_eea_access=True,
            non_eu_law_exposure=False,
            next_audit_on=None,
            actor=officer,
        )
        event = TrailEvent.objects.filter(kind="scope.profile_updated").get()
        assert event.data == {"non_eea_access": True}


class TestCertificates:
    def test_record_and_validate(self, organisation, officer):
        dc = subcontractor_save(organisation=organisation, name="DC", actor=officer)
        certificate = certificate_save(
            organisation=organisation, subcontractor=dc, data=hds_data([2, 1, 1]), actor=officer
        )
        assert certificate.activities == [1, 2]
        assert TrailEvent.objects.filter(kind="certificate.created").exists()

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (hds_data([1], expires=date(2024, 1, 1)), "expire after"),
            (hds_data([]), "names the activities"),
            (hds_data([9]), "numbered 1 to 6"),
            (hds_data([1], number=" "), "number and its certification body"),
        ],
    )
    def test_bad_certificates_are_refused(self, organisation, officer, data, message):
        with pytest.raises(ScopeError, match=message):
            certificate_save(
                organisation=organisation, subcontractor=None, data=data, actor=officer
            )
        assert not Certificate.objects.exists()


class TestReadiness:
    def test_update_records_history_in_the_trail(self, organisation, officer, contributor):
        exi02 = requirement("EXI 02")
        readiness_update(
            organisation=organisation,
            requirement=exi02,
            data=ReadinessData(status=ReadinessStatus.PARTIAL, owner=contributor),
            actor=contributor,
        )
        readiness_update(
            organisation=organisation,
            requirement=exi02,
            data=ReadinessData(status=ReadinessStatus.COMPLIANT, owner=contributor),
            actor=contributor,
        )
        events = TrailEvent.objects.filter(kind="readiness.updated").order_by("seq")
        assert [e.data["changes"]["status"] for e in events] == [
            ["not_assessed", "partial"],
            ["partial", "compliant"],
        ]

    def test_not_applicable_needs_a_justification(self, organisation, officer):
        with pytest.raises(ScopeError, match="does not apply"):
            readiness_update(
                organisation=organisation,
                requirement=requirement("EXI 29"),
                data=ReadinessData(status=ReadinessStatus.NOT_APPLICABLE),
                actor=officer,
            )
        assert not ReadinessEntry.objects.exists()

    def test_owner_must_be_a_member(self, organisation, officer, outsider):
        with pytest.raises(ScopeError, match="member"):
            readiness_update(
                organisation=organisation,
                requirement=requirement("EXI 02"),
                data=ReadinessData(status=ReadinessStatus.PARTIAL, owner=outsider),
                actor=officer,
            )

    def test_bulk_keeps_what_was_left_empty(self, organisation, officer, contributor):
        exi02, exi03 = requirement("EXI 02"), requirement("EXI 03")
        readiness_update(
            organisation=organisation,
            requirement=exi02,
            data=ReadinessData(status=ReadinessStatus.PARTIAL, owner=contributor, notes="keep me"),
            actor=officer,
        )
        readiness_bulk_update(
            organisation=organisation,
            requirements=[exi02, exi03],
            data=ReadinessData(status=ReadinessStatus.COMPLIANT),
            keep=frozenset({"notes", "owner", "target_date", "justification"}),
            actor=officer,
        )
        entry = ReadinessEntry.objects.get(requirement=exi02)
        assert (entry.status, entry.owner, entry.notes) == ("compliant", contributor, "keep me")
        assert ReadinessEntry.objects.get(requirement=exi03).status == "compliant"

    def test_bulk_is_all_or_nothing(self, organisation, officer):
        exi02, exi03 = requirement("EXI 02"), requirement("EXI 03")
        readiness_update(
            organisation=organisation,
            requirement=exi03,
            data=ReadinessData(
                status=ReadinessStatus.PARTIAL, justification="Handled by the client"
            ),
            actor=officer,
        )
        # EXI 03 (first, has a justification) would change; EXI 02 (none) is refused: neither.
        with pytest.raises(ScopeError, match="EXI 02"):
            readiness_bulk_update(
                organisation=organisation,
                requirements=[exi03, exi02],
                data=ReadinessData(status=ReadinessStatus.NOT_APPLICABLE),
                keep=frozenset({"notes", "owner", "target_date", "justification"}),
                actor=officer,
            )
        assert ReadinessEntry.objects.get(requirement=exi03).status == "partial"
        assert not ReadinessEntry.objects.filter(requirement=exi02).exists()

    def test_conditional_requirements_follow_the_situation(self, organisation, officer):
        hds = builtin_framework(code="hds")

        def applying():
            return {
                r.ref_id
                for r, _e, applies in readiness_rows(organisation=organisation, framework=hds)
                if applies
            }

        default = applying()
        assert "EXI 28" in default  # storage is assumed until the officer says otherwise
        assert {"EXI 06", "EXI 14", "EXI 29", "EXI 30"}.isdisjoint(default)
        dc = subcontractor_save(organisation=organisation, name="DC", actor=officer)
        scope_set_activities(
            organisation=organisation,
            choices={1: ActivityChoice(ActivityMode.SUBCONTRACTED, dc)},
            actor=officer,
        )
        assert {"EXI 06", "EXI 14"} <= applying()

    def test_not_applicable_soa_control_leaves_iso_readiness(self, organisation, officer):
        iso = builtin_framework(code="iso27001")
        control = requirement("A.7.1")
        soa_update(
            organisation=organisation,
            control=control,
            data=SoAData(applicable=False, justification="No premises of our own"),
            actor=officer,
        )
        rows = {
            r.ref_id: applies
            for r, _e, applies in readiness_rows(organisation=organisation, framework=iso)
        }
        assert rows["A.7.1"] is False
        assert rows["A.7.2"] is True
        assert rows["4.1"] is True

    def test_soa_rejects_a_clause(self, organisation, officer):
        with pytest.raises(ScopeError, match="Annex A"):
            soa_update(
                organisation=organisation,
                control=requirement("4.1"),
                data=SoAData(applicable=True),
                actor=officer,
            )
