"""The six HDS hosting activities and the two certificate types they lead to. Pure data, no ORM.

Source: art. R.1111-9 of the Code de la santé publique, as summarized in /work/shared/DOMAIN.md.
The numbering is the one printed on real HDS certificates (DOMAIN.md): some secondary sources swap
activities 3 (virtual infrastructure) and 4 (application hosting platform); we do not.
Activities 1-2 lead to the "hébergeur d'infrastructure physique" certificate, activities 3-6 to the
"hébergeur infogéreur" certificate; a scope with both sets needs both certificates.
"""

# French text takes the typographic apostrophe (U+2019), which ruff would flag everywhere.

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import get_language


def _in_english() -> bool:
    """Whether the active language is English; French (the default) otherwise. The French
    wording is the certificates' own, so every other language reads it."""
    return (get_language() or "fr").startswith("en")


class CertificateType(StrEnum):
    """The two HDS certificate types (DOMAIN.md)."""

    PHYSICAL = "physical"
    MANAGED = "managed"

    @property
    def label_fr(self) -> str:
        return CERTIFICATE_TYPE_LABELS_FR[self]

    @property
    def label_en(self) -> str:
        return CERTIFICATE_TYPE_LABELS_EN[self]

    @property
    def label(self) -> str:
        """The label in the active language."""
        return self.label_en if _in_english() else self.label_fr


CERTIFICATE_TYPE_LABELS_FR: dict[CertificateType, str] = {
    CertificateType.PHYSICAL: "hébergeur d’infrastructure physique",
    CertificateType.MANAGED: "hébergeur infogéreur",
}

CERTIFICATE_TYPE_LABELS_EN: dict[CertificateType, str] = {
    CertificateType.PHYSICAL: "physical infrastructure host",
    CertificateType.MANAGED: "managed-services host",
}

# Activities 1 and 2 are physical hosting; 3 to 6 are managed services (DOMAIN.md).
_PHYSICAL_ACTIVITIES = frozenset({1, 2})
_MANAGED_ACTIVITIES = frozenset({3, 4, 5, 6})


def certificate_type_of(number: int) -> CertificateType:
    """The certificate type that covers hosting activity `number` (1-6)."""
    if number in _PHYSICAL_ACTIVITIES:
        return CertificateType.PHYSICAL
    if number in _MANAGED_ACTIVITIES:
        return CertificateType.MANAGED
    raise ValueError(f"Unknown HDS hosting activity: {number!r} (expected 1 to 6).")


def certificate_types_for(numbers: Iterable[int]) -> list[CertificateType]:
    """The certificate types a scope of activities needs: sorted (physical first), no duplicates."""
    needed = {certificate_type_of(number) for number in numbers}
    return [certificate_type for certificate_type in CertificateType if certificate_type in needed]


@dataclass(frozen=True)
class Activity:
    number: int
    wording_fr: str  # the wording used on certificates ("MCO" spelled out)
    name_en: str

    @property
    def certificate_type(self) -> CertificateType:
        return certificate_type_of(self.number)

    @property
    def label(self) -> str:
        """The wording in the active language (read when shown, never at import)."""
        return self.name_en if _in_english() else self.wording_fr


# Art. R.1111-9 Code de la santé publique; wording and numbering as on certificates (DOMAIN.md).
ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        number=1,
        wording_fr=(
            "Mise à disposition et maintien en condition opérationnelle des sites physiques "
            "permettant d’héberger l’infrastructure matérielle du système d’information utilisé "
            "pour le traitement des données de santé"
        ),
        name_en=(
            "Provision and operational maintenance of the physical sites housing the hardware "
            "infrastructure of the information system used to process health data"
        ),
    ),
    Activity(
        number=2,
        wording_fr=(
            "Mise à disposition et maintien en condition opérationnelle de l’infrastructure "
            "matérielle du système d’information utilisé pour le traitement des données de santé"
        ),
        name_en=(
            "Provision and operational maintenance of the hardware infrastructure of the "
            "information system used to process health data"
        ),
    ),
    Activity(
        number=3,
        wording_fr=(
            "Mise à disposition et maintien en condition opérationnelle de l’infrastructure "
            "virtuelle du système d’information utilisé pour le traitement des données de santé"
        ),
        name_en=(
            "Provision and operational maintenance of the virtual infrastructure of the "
            "information system used to process health data"
        ),
    ),
    Activity(
        number=4,
        wording_fr=(
            "Mise à disposition et maintien en condition opérationnelle de la plateforme "
            "d’hébergement d’applications du système d’information"
        ),
        name_en=(
            "Provision and operational maintenance of the information system's application "
            "hosting platform"
        ),
    ),
    Activity(
        number=5,
        wording_fr=(
            "Administration et exploitation du système d’information contenant les données de santé"
        ),
        name_en="Administration and operation of the information system containing the health data",
    ),
    Activity(
        number=6,
        wording_fr="Sauvegarde externalisée des données de santé",
        name_en="Outsourced backup of health data",
    ),
)

ACTIVITIES_BY_NUMBER: dict[int, Activity] = {activity.number: activity for activity in ACTIVITIES}


def activity_choices() -> list[tuple[int, str]]:
    """The activities as form choices ("3. ..."), in the language active when the form is
    shown: pass the function itself as `choices`, so it is read at each rendering."""
    return [(activity.number, f"{activity.number}. {activity.label}") for activity in ACTIVITIES]


def activity_labels(numbers: Iterable[int]) -> list[str]:
    """The numbered labels of `numbers` (a contract's, a certificate's), in the active language;
    an unknown number is shown as it is."""
    return [
        f"{number}. {ACTIVITIES_BY_NUMBER[number].label}"
        if number in ACTIVITIES_BY_NUMBER
        else str(number)
        for number in numbers
    ]
