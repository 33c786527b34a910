import importlib
from dataclasses import replace
from datetime import date

import pytest
from django.apps import apps as django_apps

from hdsready.models import TrailEvent
from scopes.iso_standards import IsoStandard
from scopes.models import (
    ActivityMode,
    Certificate,
    HostProfile,
    ReadinessEntry,
    ReadinessStatus,
    Requirement,
    ScopeActivity,
)
from scopes.prerequisite import IsoFlag
from scopes.selectors import builtin_framework, iso_check_of, readiness_rows, situation_of
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
    scope_next_audit_set,
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


def iso_data(standard, equivalent="", activities=(3, 4, 5)):
    return replace(
        hds_data(activities, number="ISO-1"),
        kind="iso27001",
        standard_version="",
        iso_standard=standard,
        iso_equivalent_name=equivalent,
    )


class TestIsoStandard:
    """HDS v2 EXI 01: « ISO 27001 ou un équivalent », recorded as data, not read from free text."""

    @pytest.mark.parametrize(
        ("data", "label", "flagged"),
        [
            (iso_data(IsoStandard.ISO_27001_2022), "ISO/IEC 27001:2022", False),
            (iso_data(IsoStandard.NF_EN_27001_2023), "NF EN ISO/IEC 27001:2023", False),
            (iso_data(IsoStandard.EQUIVALENT, " Norme X 2024 "), "Norme X 2024", False),
            (iso_data(IsoStandard.ISO_27001_2013), "ISO/IEC 27001:2013", True),
        ],
    )
    def test_nf_en_2023_and_equivalents_are_accepted_the_2013_edition_is_flagged(
        self, organisation, officer, data, label, flagged
    ):
        certificate = certificate_save(
            organisation=organisation, subcontractor=None, data=data, actor=officer
        )
        assert certificate.standard_version == label
        assert certificate.iso_equivalent_name == data.iso_equivalent_name.strip()
        _iso, check = iso_check_of(organisation=organisation, today=date(2026, 1, 1))
        assert (IsoFlag.OLD_EDITION in check.flags) is flagged
        event = TrailEvent.objects.get(kind="certificate.created")
        assert event.data["standard"] == label

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (iso_data(""), "Choose the standard"),
            (iso_data("iso27001"), "Choose the standard"),
            (iso_data(IsoStandard.EQUIVALENT, "  "), "Name the standard"),
            (replace(hds_data([1]), iso_standard=IsoStandard.ISO_27001_2022), "Only an ISO"),
            (replace(hds_data([1]), iso_equivalent_name="X"), "Only an ISO"),
        ],
    )
    def test_bad_standard_is_refused(self, organisation, officer, data, message):
        with pytest.raises(ScopeError, match=message):
            certificate_save(
                organisation=organisation, subcontractor=None, data=data, actor=officer
            )
        assert not Certificate.objects.exists()

    def test_legacy_free_text_is_read_once_by_the_migration(self, organisation, officer):
        migration = importlib.import_module(
            "scopes.migrations.0004_certificate_iso_standard_subcontractor_part"
        )
        texts = {
            "ISO/IEC 27001:2022": ("iso27001_2022", "ISO/IEC 27001:2022"),
            "NF EN ISO/IEC 27001:2023": ("nf_en_iso27001_2023", "NF EN ISO/IEC 27001:2023"),
            "NF EN ISO/IEC 27001:2017": ("nf_en_iso27001_2017", "NF EN ISO/IEC 27001:2017"),
            "iso 27001 (2013)": ("iso27001_2013", "ISO/IEC 27001:2013"),
            "ISO 27001": ("", "ISO 27001"),
        }
        for number, text in enumerate(texts):
            certificate = certificate_save(
                organisation=organisation,
                subcontractor=None,
                data=replace(iso_data(IsoStandard.ISO_27001_2022), number=f"ISO-{number}"),
                actor=officer,
            )
            Certificate.objects.filter(pk=certificate.pk).update(
                iso_standard="", standard_version=text
            )
        hds = certificate_save(
            organisation=organisation, subcontractor=None, data=hds_data([1]), actor=officer
        )
        migration.standards_from_text(django_apps, None)
        found = {
            c.number: (c.iso_standard, c.standard_version)
            for c in Certificate.objects.filter(kind="iso27001")
        }
        assert found == {f"ISO-{n}": expected for n, expected in enumerate(texts.values())}
        hds.refresh_from_db()
        assert (hds.iso_standard, hds.standard_version) == ("", "HDS v2")


class TestNextAudit:
    def test_next_audit_set_stores_the_cycle_date_without_a_trail(self, organisation, officer):
        host_profile_update(
            organisation=organisation,
            stores_health_data=False,
            non_eea_access=True,
            non_eu_law_exposure=False,
            actor=officer,
        )
        trail_before = TrailEvent.objects.count()
        profile = scope_next_audit_set(organisation=organisation, next_audit_on=date(2027, 5, 3))
        assert profile.next_audit_on == date(2027, 5, 3)
        scope_next_audit_set(organisation=organisation, next_audit_on=date(2027, 5, 3))
        profile = HostProfile.objects.get(organisation=organisation)
        assert profile.next_audit_on == date(2027, 5, 3)
        # The situations the officer chose are untouched.
        assert (profile.stores_health_data, profile.non_eea_access) == (False, True)
        scope_next_audit_set(organisation=organisation, next_audit_on=None)
        assert HostProfile.objects.get(organisation=organisation).next_audit_on is None
        assert TrailEvent.objects.count() == trail_before

    def test_next_audit_set_creates_the_profile(self, organisation):
        scope_next_audit_set(organisation=organisation, next_audit_on=date(2027, 1, 4))
        assert HostProfile.objects.get(organisation=organisation).next_audit_on == date(2027, 1, 4)

    def test_the_iso_check_reads_the_stored_date(self, organisation, officer):
        certificate_save(
            organisation=organisation,
            subcontractor=None,
            data=iso_data(IsoStandard.ISO_27001_2022, activities=[3]),
            actor=officer,
        )
        today = date(2026, 1, 1)
        assert iso_check_of(organisation=organisation, today=today)[1].ok
        scope_next_audit_set(organisation=organisation, next_audit_on=date(2028, 1, 2))
        flags = iso_check_of(organisation=organisation, today=today)[1].flags
        assert flags == [IsoFlag.ENDS_BEFORE_AUDIT]


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

    def test_exi_06_and_14_apply_when_part_of_the_service_is_subcontracted(
        self, organisation, officer
    ):
        """« tout ou partie du service »: every activity in-house, but a carrier moves the backup
        media. Without a part of the service, a recorded company counts for nothing."""
        hds = builtin_framework(code="hds")

        def applying():
            return {
                r.ref_id
                for r, _e, applies in readiness_rows(organisation=organisation, framework=hds)
                if applies
            }

        scope_set_activities(
            organisation=organisation,
            choices={n: ActivityChoice(ActivityMode.IN_HOUSE) for n in range(1, 7)},
            actor=officer,
        )
        carrier = subcontractor_save(organisation=organisation, name="Transports X", actor=officer)
        assert not situation_of(organisation=organisation).subcontracting
        assert {"EXI 06", "EXI 14"}.isdisjoint(applying())
        subcontractor_save(
            organisation=organisation,
            subcontractor=carrier,
            name="Transports X",
            part_of_service=" Transport of the backup media ",
            actor=officer,
        )
        carrier.refresh_from_db()
        assert carrier.part_of_service == "Transport of the backup media"
        assert situation_of(organisation=organisation).subcontracting
        assert {"EXI 06", "EXI 14"} <= applying()
        event = TrailEvent.objects.filter(kind="subcontractor.updated").get()
        assert event.data["part_of_service"] == "Transport of the backup media"

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
