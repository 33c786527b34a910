"""The six HDS hosting activities (art. R.1111-9 CSP) and the certificate types they lead to."""

from __future__ import annotations

import pytest

from scopes.activities import (
    ACTIVITIES,
    ACTIVITIES_BY_NUMBER,
    CertificateType,
    certificate_type_of,
    certificate_types_for,
)

PHYSICAL = CertificateType.PHYSICAL
MANAGED = CertificateType.MANAGED


def test_six_activities_numbered_one_to_six() -> None:
    assert [activity.number for activity in ACTIVITIES] == [1, 2, 3, 4, 5, 6]
    assert set(ACTIVITIES_BY_NUMBER) == {1, 2, 3, 4, 5, 6}


@pytest.mark.parametrize(
    ("number", "fragment", "certificate_type"),
    [
        (1, "sites physiques", PHYSICAL),
        (2, "infrastructure matérielle", PHYSICAL),
        (3, "infrastructure virtuelle", MANAGED),
        (4, "plateforme d\u2019hébergement d\u2019applications", MANAGED),
        (5, "administration et exploitation", MANAGED),
        (6, "sauvegarde", MANAGED),
    ],
)
def test_activity_wording_and_certificate_type(
    number: int, fragment: str, certificate_type: CertificateType
) -> None:
    activity = ACTIVITIES_BY_NUMBER[number]
    assert fragment in activity.wording_fr.casefold()
    assert activity.name_en
    assert activity.certificate_type is certificate_type
    assert certificate_type_of(number) is certificate_type


@pytest.mark.parametrize("number", [1, 2, 3])
def test_activities_one_to_three_name_the_system_used_to_process_health_data(number: int) -> None:
    activity = ACTIVITIES_BY_NUMBER[number]
    assert activity.wording_fr.endswith(
        "du système d\u2019information utilisé pour le traitement des données de santé"
    )
    assert activity.name_en.endswith("information system used to process health data")


def test_activity_six_is_outsourced_backup() -> None:
    assert ACTIVITIES_BY_NUMBER[6].wording_fr == "Sauvegarde externalisée des données de santé"
    assert ACTIVITIES_BY_NUMBER[6].name_en == "Outsourced backup of health data"


def test_activity_two_is_hardware_not_physical_sites() -> None:
    assert "sites physiques" not in ACTIVITIES_BY_NUMBER[2].wording_fr


def test_certificate_type_values_and_labels() -> None:
    assert [member.value for member in CertificateType] == ["physical", "managed"]
    assert PHYSICAL.label_fr == "hébergeur d\u2019infrastructure physique"
    assert MANAGED.label_fr == "hébergeur infogéreur"
    assert PHYSICAL.label_en
    assert MANAGED.label_en


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ({3, 4, 5, 6}, [MANAGED]),
        ({1, 2, 3}, [PHYSICAL, MANAGED]),
        ({6, 1}, [PHYSICAL, MANAGED]),
        ({1, 2}, [PHYSICAL]),
        ([5, 5, 5], [MANAGED]),
        (set(), []),
    ],
)
def test_certificate_types_for(numbers: set[int], expected: list[CertificateType]) -> None:
    assert certificate_types_for(numbers) == expected


@pytest.mark.parametrize("number", [0, 7, -1, 42])
def test_unknown_activity_number_is_rejected(number: int) -> None:
    with pytest.raises(ValueError, match="activity"):
        certificate_type_of(number)
    with pytest.raises(ValueError, match="activity"):
        certificate_types_for({1, number})
