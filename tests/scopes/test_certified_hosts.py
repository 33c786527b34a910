"""The check of subcontractors against the ANS list (scopes/certified_hosts.py, pure)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scopes.certified_hosts import (
    LEGAL_FORMS,
    HostIndex,
    ListedHost,
    SubcontractorFacts,
    Verdict,
    check_subcontractor,
    explanation,
    names_agree,
    normalise_name,
    normalise_siren,
)

# Messages are compared in English.
pytestmark = pytest.mark.usefixtures("english")

TODAY = date(2026, 12, 3)


def listed(name="OVH SAS", siren="424761419", activities=(1, 2), start=None, end=None, line=2):
    return ListedHost(
        line=line,
        name=name,
        siren=siren,
        certificate_number="HDS-1",
        activities=frozenset(activities),
        valid_from=start or date(2024, 1, 1),
        valid_until=end or date(2027, 1, 1),
    )


def sub(name="OVH", siren="424 761 419", activities=(1,)):
    return SubcontractorFacts(name=name, siren=siren, activities=frozenset(activities))


class TestNormalise:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("OVH SAS", "ovh"),
            ("O.V.H. S.A.S.", "ovh"),
            ("Société Générale d’Hébergement (SARL)", "societe generale d hebergement"),
            ("  CLOUD-TEMPLE, S.A.  ", "cloud temple"),
            ("Orange Business & Services", "orange business et services"),
        ],
    )
    def test_examples(self, raw, expected):
        assert normalise_name(raw) == expected

    @given(st.text(max_size=60))
    def test_idempotent(self, text):
        assert normalise_name(normalise_name(text)) == normalise_name(text)

    @given(st.text(max_size=60), st.sampled_from(sorted(LEGAL_FORMS)))
    def test_a_legal_form_does_not_count(self, text, form):
        assert normalise_name(f"{text} {form.upper()}") == normalise_name(text)
        assert normalise_name(f"{form} {text}") == normalise_name(text)
        dotted = ".".join(form.upper()) + "."
        assert normalise_name(f"{text} ({dotted})") == normalise_name(text)

    @given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=40))
    def test_accents_and_case_do_not_count(self, text):
        accented = text.replace("e", "é").replace("a", "À").upper()
        assert normalise_name(accented) == normalise_name(text)

    @given(st.text(max_size=60))
    def test_the_result_has_no_punctuation_nor_capitals(self, text):
        result = normalise_name(text)
        assert result == result.casefold()
        assert all(word for word in result.split(" ")) or result == ""
        assert not set(result) & set(".,;:!?()'’-/\"")

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [("424 761 419", "424761419"), ("42476141900045", "424761419"), ("12", ""), ("", "")],
    )
    def test_siren(self, raw, expected):
        assert normalise_siren(raw) == expected

    def test_names_agree_on_a_word_more(self):
        assert names_agree("ovh", "ovh groupe")
        assert not names_agree("ovh", "scaleway")
        assert not names_agree("", "")


class TestCheck:
    def test_listed_and_consistent_by_siren(self):
        check = check_subcontractor(sub(), HostIndex.of([listed()]), on=TODAY)
        assert check.verdict == Verdict.CONSISTENT
        assert check.matched_by == "siren"

    def test_found_by_name_when_no_siren_is_recorded(self):
        check = check_subcontractor(sub(siren=""), HostIndex.of([listed()]), on=TODAY)
        assert (check.verdict, check.matched_by) == (Verdict.CONSISTENT, "name")

    def test_not_listed(self):
        check = check_subcontractor(sub("Scaleway", ""), HostIndex.of([listed()]), on=TODAY)
        assert check.verdict == Verdict.NOT_LISTED
        assert "Not in the list" in explanation(check, sub("Scaleway", ""), on=TODAY)

    def test_activities_not_covered(self):
        check = check_subcontractor(sub(activities=(1, 5)), HostIndex.of([listed()]), on=TODAY)
        assert check.verdict == Verdict.ACTIVITIES_NOT_COVERED
        assert check.missing == {5}
        assert "5" in explanation(check, sub(), on=TODAY)

    def test_two_rows_cover_together(self):
        rows = [listed(activities=(1, 2)), listed(activities=(5,), line=3)]
        check = check_subcontractor(sub(activities=(1, 5)), HostIndex.of(rows), on=TODAY)
        assert check.verdict == Verdict.CONSISTENT

    def test_an_expired_row_covers_nothing(self):
        rows = [listed(end=date(2026, 12, 2))]
        check = check_subcontractor(sub(), HostIndex.of(rows), on=TODAY)
        assert check.verdict == Verdict.NOT_VALID
        assert check.last_valid_until == date(2026, 12, 2)
        # The last day of validity is still valid.
        assert check_subcontractor(sub(), HostIndex.of(rows), on=date(2026, 12, 2)).ok

    def test_not_yet_valid(self):
        rows = [listed(start=date(2027, 1, 1), end=date(2030, 1, 1))]
        assert check_subcontractor(sub(), HostIndex.of(rows), on=TODAY).verdict == Verdict.NOT_VALID

    def test_siren_given_to_another_name(self):
        check = check_subcontractor(sub(name="Scaleway"), HostIndex.of([listed()]), on=TODAY)
        assert check.verdict == Verdict.SIREN_MISMATCH
        assert "OVH SAS" in explanation(check, sub(name="Scaleway"), on=TODAY)

    def test_name_listed_with_another_siren(self):
        check = check_subcontractor(sub(siren="552 100 554"), HostIndex.of([listed()]), on=TODAY)
        assert check.verdict == Verdict.SIREN_MISMATCH
        assert check.matched_by == "name"
        assert "424761419" in explanation(check, sub(siren="552 100 554"), on=TODAY)

    def test_the_siren_wins_over_the_name(self):
        rows = [listed(name="OVH", siren="111111111"), listed(name="OVH Cloud", siren="424761419")]
        check = check_subcontractor(sub(name="OVHcloud SAS"), HostIndex.of(rows), on=TODAY)
        # "ovhcloud" and "ovh cloud" differ: the SIREN names another company.
        assert check.verdict == Verdict.SIREN_MISMATCH
        check = check_subcontractor(sub(name="OVH Cloud"), HostIndex.of(rows), on=TODAY)
        assert check.verdict == Verdict.CONSISTENT
        assert check.entries[0].siren == "424761419"
