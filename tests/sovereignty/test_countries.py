from __future__ import annotations

from django.utils import translation

from sovereignty.countries import (
    ADEQUACY,
    COUNTRIES,
    COUNTRIES_BY_CODE,
    EEA_MEMBERS,
    country_choices,
    country_name,
    country_of,
)

# The EEA pinned: 27 EU member states and the three EFTA states of the EEA Agreement.
EEA_2026 = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
}  # fmt: skip


def test_the_eea_is_the_thirty_states_of_the_agreement() -> None:
    assert len(EEA_MEMBERS) == 30
    assert EEA_MEMBERS == EEA_2026


def test_iso_codes_are_the_249_assigned_ones_and_unique() -> None:
    assert len(COUNTRIES) == 249
    assert len(COUNTRIES_BY_CODE) == 249
    assert all(len(c.code) == 2 and c.code.isupper() for c in COUNTRIES)
    assert EEA_MEMBERS.issubset(COUNTRIES_BY_CODE)
    assert set(ADEQUACY) <= set(COUNTRIES_BY_CODE)


def test_adequacy_facts() -> None:
    # Whole-country decisions, partial ones, and countries without one.
    for code in ("CH", "GB", "JP", "KR", "AD", "AR", "IL", "NZ", "UY"):
        assert not ADEQUACY[code].partial, code
    assert ADEQUACY["US"].partial
    assert ADEQUACY["CA"].partial
    assert len(ADEQUACY) == 15
    for code in ("CN", "IN", "RU", "MA", "TN", "AU", "BR"):
        assert COUNTRIES_BY_CODE[code].adequacy is None, code
    # EEA states need no adequacy decision and have none.
    assert not (set(ADEQUACY) & EEA_MEMBERS)


def test_outermost_regions_are_in_the_eea_overseas_territories_are_not() -> None:
    assert COUNTRIES_BY_CODE["RE"].in_eea
    assert COUNTRIES_BY_CODE["GF"].in_eea
    assert COUNTRIES_BY_CODE["AX"].in_eea
    assert not COUNTRIES_BY_CODE["NC"].in_eea
    assert not COUNTRIES_BY_CODE["PF"].in_eea
    assert not COUNTRIES_BY_CODE["CH"].in_eea
    assert not COUNTRIES_BY_CODE["GB"].in_eea


def test_codes_are_read_loosely_and_unknown_ones_are_none() -> None:
    assert country_of(" fr ") == COUNTRIES_BY_CODE["FR"]
    assert country_of("XX") is None
    assert country_of("FRA") is None
    assert country_of("") is None
    assert country_name("ZZ") == "ZZ"


def test_names_follow_the_active_language() -> None:
    with translation.override("fr"):
        assert country_name("DE") == "Allemagne"
        names = [name for _code, name in country_choices()]
        assert names.index("Émirats arabes unis") < names.index("Espagne")
    with translation.override("en"):
        assert country_name("DE") == "Germany"
