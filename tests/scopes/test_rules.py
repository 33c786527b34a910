"""The pure rules of the scopes app: hosting chain, ISO prerequisite, applicability, scores."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from scopes.catalog import AppliesWhen
from scopes.chain import CertificateFacts, Cover, Performer, chain_is_complete, hosting_chain
from scopes.iso_standards import STANDARDS, IsoStandard, standard_accepted, standard_label
from scopes.prerequisite import IsoFacts, IsoFlag, iso_prerequisite_check
from scopes.readiness import Situation, readiness_score, requirement_applies

TODAY = date(2026, 11, 23)
IN_HOUSE = Performer(subcontractor=None)
DATACENTER = Performer(subcontractor="DataCenter Paris")


def cert(activities, issued=date(2025, 1, 1), expires=date(2028, 1, 1), holder="X", number="C1"):
    return CertificateFacts(holder, number, frozenset(activities), issued, expires)


def covers(lines):
    return {line.activity.number: line.cover for line in lines}


class TestHostingChain:
    def test_nothing_declared(self):
        lines = hosting_chain(
            scope={}, own_certificates=[], subcontractor_certificates={}, on=TODAY
        )
        assert [line.activity.number for line in lines] == [1, 2, 3, 4, 5, 6]
        assert set(covers(lines).values()) == {Cover.NOT_IN_SCOPE}
        assert not chain_is_complete(lines)

    def test_in_house_before_first_certificate_counts_as_in_preparation(self):
        scope = dict.fromkeys((3, 4, 5, 6), IN_HOUSE)
        lines = hosting_chain(
            scope=scope, own_certificates=[], subcontractor_certificates={}, on=TODAY
        )
        assert covers(lines)[3] == Cover.IN_HOUSE_PENDING
        assert covers(lines)[1] == Cover.NOT_IN_SCOPE
        assert chain_is_complete(lines)

    def test_subcontractor_certificate_expiring_in_60_days_warns_then_gaps(self):
        scope = {1: DATACENTER, 2: DATACENTER, **dict.fromkeys((3, 4, 5, 6), IN_HOUSE)}
        datacenter = [cert({1, 2}, expires=date(2027, 1, 22), holder="DataCenter Paris")]
        lines = hosting_chain(
            scope=scope,
            own_certificates=[],
            subcontractor_certificates={"DataCenter Paris": datacenter},
            on=TODAY,
        )
        assert covers(lines)[1] == Cover.EXPIRING
        assert lines[0].days_left == 60
        assert chain_is_complete(lines)
        later = hosting_chain(
            scope=scope,
            own_certificates=[],
            subcontractor_certificates={"DataCenter Paris": datacenter},
            on=date(2027, 1, 23),  # the day after the last day of validity
        )
        assert covers(later)[1] == Cover.GAP
        assert not chain_is_complete(later)
        last_day = hosting_chain(
            scope=scope,
            own_certificates=[],
            subcontractor_certificates={"DataCenter Paris": datacenter},
            on=date(2027, 1, 22),
        )
        assert covers(last_day)[1] == Cover.EXPIRING
        assert last_day[0].days_left == 0

    def test_warning_window_is_90_days(self):
        scope = {1: DATACENTER}
        for expires, expected in [
            (date(2027, 2, 21), Cover.EXPIRING),
            (date(2027, 2, 22), Cover.COVERED),
        ]:
            lines = hosting_chain(
                scope=scope,
                own_certificates=[],
                subcontractor_certificates={"DataCenter Paris": [cert({1}, expires=expires)]},
                on=TODAY,
            )
            assert covers(lines)[1] == expected, expires

    def test_certificate_must_name_the_activity(self):
        lines = hosting_chain(
            scope={1: DATACENTER, 2: DATACENTER},
            own_certificates=[],
            subcontractor_certificates={"DataCenter Paris": [cert({1})]},
            on=TODAY,
        )
        assert covers(lines)[1] == Cover.COVERED
        assert covers(lines)[2] == Cover.GAP

    def test_not_yet_valid_certificate_does_not_cover(self):
        lines = hosting_chain(
            scope={1: DATACENTER},
            own_certificates=[],
            subcontractor_certificates={"DataCenter Paris": [cert({1}, issued=date(2027, 1, 1))]},
            on=TODAY,
        )
        assert covers(lines)[1] == Cover.GAP

    def test_best_of_several_certificates_is_shown(self):
        old = cert({1}, expires=date(2026, 12, 1), number="OLD")
        new = cert({1}, expires=date(2029, 12, 1), number="NEW")
        lines = hosting_chain(
            scope={1: DATACENTER},
            own_certificates=[],
            subcontractor_certificates={"DataCenter Paris": [old, new]},
            on=TODAY,
        )
        assert lines[0].certificate is not None
        assert lines[0].certificate.number == "NEW"

    def test_once_certified_in_house_activities_need_the_own_certificate(self):
        own = [cert({3, 4}, holder="Us")]
        lines = hosting_chain(
            scope=dict.fromkeys((3, 4, 5), IN_HOUSE),
            own_certificates=own,
            subcontractor_certificates={},
            on=TODAY,
        )
        assert covers(lines)[3] == Cover.COVERED
        assert covers(lines)[5] == Cover.GAP


def in_house(*numbers):
    return dict.fromkeys(numbers, IN_HOUSE)


class TestIsoPrerequisite:
    iso = IsoFacts(
        IsoStandard.ISO_27001_2022, frozenset({3, 4, 5, 6}), date(2025, 3, 1), date(2028, 3, 1)
    )

    def test_missing(self):
        check = iso_prerequisite_check(iso=None, scope=in_house(3), today=TODAY)
        assert check.flags == [IsoFlag.MISSING]

    def test_all_good(self):
        check = iso_prerequisite_check(iso=self.iso, scope=in_house(3, 4, 5, 6), today=TODAY)
        assert check.ok

    def test_hds_activity_outside_the_iso_scope(self):
        check = iso_prerequisite_check(iso=self.iso, scope=in_house(1, 3, 6, 2), today=TODAY)
        assert check.flags == [IsoFlag.ACTIVITIES_OUTSIDE_SCOPE]
        assert check.activities_outside == [1, 2]

    def test_iso_scope_covers_only_the_activities_performed_in_house(self):
        """The demo: activities 1-2 at a certified datacenter, 3-6 in-house, the ISO scope
        missing 6. The datacenter's HDS certificate covers 1-2 (the hosting chain): only 6 is
        outside the host's ISO scope."""
        iso = replace(self.iso, activities=frozenset({3, 4, 5}))
        scope = {1: DATACENTER, 2: DATACENTER, **in_house(3, 4, 5, 6)}
        check = iso_prerequisite_check(iso=iso, scope=scope, today=TODAY)
        assert check.flags == [IsoFlag.ACTIVITIES_OUTSIDE_SCOPE]
        assert check.activities_outside == [6]
        all_subcontracted = iso_prerequisite_check(
            iso=iso, scope=dict.fromkeys((1, 2, 6), DATACENTER), today=TODAY
        )
        assert all_subcontracted.ok

    def test_ends_before_hds_certificate_and_before_the_audit(self):
        check = iso_prerequisite_check(
            iso=self.iso,
            scope=in_house(3),
            today=TODAY,
            hds_certificate_expires_on=date(2029, 1, 1),
            next_audit_on=date(2028, 3, 2),
        )
        assert check.flags == [IsoFlag.ENDS_BEFORE_HDS_CERTIFICATE, IsoFlag.ENDS_BEFORE_AUDIT]
        on_its_last_day = iso_prerequisite_check(
            iso=self.iso, scope=in_house(3), today=date(2028, 3, 1), next_audit_on=date(2028, 3, 1)
        )
        assert on_its_last_day.ok

    @pytest.mark.parametrize("status", ["suspended", "withdrawn"])
    def test_suspended_or_withdrawn_from_a_day(self, status):
        """HDS v2 EXI 14: a certificate suspended or withdrawn covers no day from its date,
        whatever its printed expiry; before that day it still counts, but ends there."""
        lapsed = replace(self.iso, status=status, status_from=TODAY)
        on_the_day = iso_prerequisite_check(iso=lapsed, scope=in_house(3), today=TODAY)
        assert on_the_day.flags == [IsoFlag.LAPSED]
        before = iso_prerequisite_check(
            iso=replace(lapsed, status_from=TODAY + timedelta(days=30)),
            scope=in_house(3),
            today=TODAY,
            next_audit_on=TODAY + timedelta(days=60),
        )
        assert before.flags == [IsoFlag.ENDS_BEFORE_AUDIT]
        lifted = iso_prerequisite_check(
            iso=replace(self.iso, status="valid", status_from=None), scope=in_house(3), today=TODAY
        )
        assert lifted.ok

    def test_expired_and_old_edition(self):
        old = IsoFacts(
            IsoStandard.ISO_27001_2013, frozenset({3}), date(2020, 1, 1), date(2023, 1, 1)
        )
        check = iso_prerequisite_check(iso=old, scope=in_house(3), today=TODAY)
        assert check.flags == [IsoFlag.EXPIRED, IsoFlag.OLD_EDITION]

    @pytest.mark.parametrize(
        ("standard", "accepted"),
        [
            (IsoStandard.ISO_27001_2022, True),
            (IsoStandard.NF_EN_27001_2023, True),  # the French adoption of the 2022 edition
            (IsoStandard.EQUIVALENT, True),  # "ISO 27001 ou un équivalent"
            (IsoStandard.ISO_27001_2013, False),
            (IsoStandard.NF_EN_27001_2017, False),  # the French adoption of the 2013 edition
            ("", False),  # recorded before the standard was asked for
            ("ISO/IEC 27001:2022", False),  # free text is no longer read
        ],
    )
    def test_accepted_standards(self, standard, accepted):
        check = iso_prerequisite_check(
            iso=replace(self.iso, standard=standard), scope=in_house(3), today=TODAY
        )
        assert (IsoFlag.OLD_EDITION not in check.flags) is accepted
        assert standard_accepted(standard) is accepted

    def test_every_standard_is_named_except_the_equivalent(self):
        for code, facts in STANDARDS.items():
            assert bool(facts.label) is (code != IsoStandard.EQUIVALENT)
        assert standard_label(IsoStandard.EQUIVALENT, equivalent_name=" SecNumCloud ") == (
            "SecNumCloud"
        )
        assert standard_label(IsoStandard.NF_EN_27001_2023) == "NF EN ISO/IEC 27001:2023"


class TestApplicability:
    nothing = Situation(subcontracting=False, storage=False, non_eea_access=False, non_eu_law=False)
    everything = Situation(subcontracting=True, storage=True, non_eea_access=True, non_eu_law=True)

    @pytest.mark.parametrize("when", list(AppliesWhen))
    def test_conditions(self, when):
        assert requirement_applies(applies_when=when, situation=self.everything)
        assert requirement_applies(applies_when=when, situation=self.nothing) is (
            when == AppliesWhen.ALWAYS
        )

    def test_each_condition_is_its_own(self):
        only_storage = Situation(
            subcontracting=False, storage=True, non_eea_access=False, non_eu_law=False
        )
        assert requirement_applies(applies_when=AppliesWhen.STORAGE, situation=only_storage)
        assert not requirement_applies(
            applies_when=AppliesWhen.NON_EEA_ACCESS, situation=only_storage
        )


class TestScore:
    def test_empty(self):
        assert readiness_score([]).percent == 0

    def test_partial_counts_half_and_not_applicable_is_left_out(self):
        score = readiness_score(
            ["compliant", "partial", "not_compliant", "not_assessed", "not_applicable"]
        )
        assert score.counted == 4
        assert score.percent == 38  # 1.5 / 4
        assert score.counts["not_applicable"] == 1

    def test_all_compliant(self):
        assert readiness_score(["compliant"] * 31).percent == 100


def test_the_chain_lapses_on_the_bodys_two_decisions():
    """The pure chain's statuses that end a cover are the model's suspended and withdrawn."""
    from scopes.chain import LAPSED
    from scopes.models import LAPSED_STATUSES, CertificateStatus

    assert LAPSED_STATUSES is LAPSED
    assert {CertificateStatus.SUSPENDED, CertificateStatus.WITHDRAWN} == LAPSED
