from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sovereignty.countries import ADEQUACY, COUNTRIES, COUNTRIES_BY_CODE, EEA_MEMBERS
from sovereignty.rules import LegalBasis, Problem, access_problems, access_verdict, storage_verdict

codes = st.sampled_from([c.code for c in COUNTRIES])
bases = st.sampled_from([b.value for b in LegalBasis])
references = st.sampled_from(["", "  ", "SCC 2021/914 module 3", "DPF entry 12345"])


def test_storage_in_the_eea_conforms_outside_it_is_flagged() -> None:
    assert not storage_verdict("FR").flagged
    assert not storage_verdict("RE").flagged
    verdict = storage_verdict("US")
    assert verdict.flagged
    assert verdict.requirement == "EXI 28"
    with pytest.raises(ValueError, match="Unknown country"):
        storage_verdict("XX")


@given(codes)
def test_storage_flag_is_exactly_outside_the_eea(code: str) -> None:
    assert storage_verdict(code).flagged == (not COUNTRIES_BY_CODE[code].in_eea)


def test_remote_access_examples() -> None:
    assert access_problems("MA", LegalBasis.ADEQUACY, "") == [Problem.NO_ADEQUACY]
    assert access_problems("MA", LegalBasis.SAFEGUARDS, "  ") == [Problem.SAFEGUARD_MISSING]
    assert access_problems("MA", LegalBasis.SAFEGUARDS, "SCC 2021/914") == []
    assert access_problems("CH", LegalBasis.ADEQUACY, "") == []
    assert access_problems("US", LegalBasis.ADEQUACY, "") == [Problem.SCOPE_MISSING]
    assert access_problems("XX", LegalBasis.NONE, "") == [Problem.UNKNOWN_COUNTRY]
    # No basis is accepted at entry but flagged.
    assert access_problems("MA", LegalBasis.NONE, "") == []
    assert access_verdict("MA", LegalBasis.NONE, "").flagged
    assert not access_verdict("CH", LegalBasis.ADEQUACY, "").flagged
    # Inside the EEA no basis is needed.
    assert not access_verdict("DE", LegalBasis.NONE, "").flagged


@given(codes, bases, references)
def test_access_flag_matches_the_rules(code: str, basis: str, reference: str) -> None:
    verdict = access_verdict(code, basis, reference)
    in_eea = code in EEA_MEMBERS or COUNTRIES_BY_CODE[code].in_eea
    if in_eea:
        assert not verdict.flagged
        assert access_problems(code, basis, reference) == []
        return
    if basis == LegalBasis.NONE:
        assert verdict.flagged
    elif basis == LegalBasis.ADEQUACY:
        covered = code in ADEQUACY and (not ADEQUACY[code].partial or reference.strip())
        assert verdict.flagged == (not covered)
    else:
        assert verdict.flagged == (not reference.strip())
    # Whatever is refused at entry would be flagged if it were stored.
    if access_problems(code, basis, reference):
        assert verdict.flagged
