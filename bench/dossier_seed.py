"""A large, realistic organisation for benchmarking dossier rendering (issue 6).

`seed_dossier_organisation()` builds, in one transaction and mostly with bulk_create:
- an officer and a manager (members through the core service, so guardian permissions are real)
  and an auditor of the certification body (no membership);
- the scope: activities 1-2 relied on a datacenter subcontractor holding an HDS certificate,
  3-6 in-house, the host's own ISO/IEC 27001:2022 certificate, and a host profile under which
  every conditional HDS requirement applies;
- an SoA line for each of the 93 Annex A controls (three not applicable, with a justification)
  and a readiness entry for every assessable requirement of the built-in HDS and ISO frameworks;
- `versions` evidence versions, 4 per item (the last item takes the remainder), each item linked
  to 1 to 3 HDS requirements, uploaded over the last 2 years;
- one cycle whose initial audit is in the correction window, with stage 1 and stage 2 pinned
  versions, evidence reviews and `findings` findings (10 % major, 40 % minor, the rest
  observations; a third of the non-conformities verified, a third with a submitted correction).

The evidence files are NOT stored: each version has a plausible storage name and a deterministic
SHA-256 (of a few bytes derived from the slug, item and version), so anything that opens a file
(download, integrity check) finds it missing. Rendering reads only the rows. The cycle, pins,
reviews and findings are written directly, without audit-trail events.

Everything is deterministic for a given slug. The slug must be new (users are
`officer@<slug>.bench.test`, `manager@...`, `auditor@...`). Works on PostgreSQL and SQLite.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from audits.deadlines import PARIS, correction_deadline
from audits.models import (
    Audit,
    AuditKind,
    AuditStatus,
    Cycle,
    EvidenceReview,
    Finding,
    FindingKind,
    FindingStatus,
    PinnedVersion,
    ReviewDecision,
    Stage,
)
from evidence.models import EvidenceItem, EvidenceVersion
from hdsready.models import Organisation, Role, User
from hdsready.services.organisations import membership_create, organisation_create
from scopes.iso_standards import IsoStandard
from scopes.models import (
    ActivityMode,
    ImplementationStatus,
    ReadinessEntry,
    ReadinessStatus,
    Requirement,
    SoAEntry,
)
from scopes.selectors import HDS_CODE, ISO_CODE, annex_a_controls, builtin_framework
from scopes.services.scope import (
    ActivityChoice,
    CertificateData,
    certificate_save,
    host_profile_update,
    scope_next_audit_set,
    scope_set_activities,
    subcontractor_save,
)

VERSIONS_PER_ITEM = 4
UPLOAD_SPAN_DAYS = 730
NOT_APPLICABLE_CONTROLS = {
    "A.7.9": "Aucun équipement de l'hébergeur n'est utilisé hors des locaux maîtrisés.",
    "A.8.30": "Aucun développement n'est externalisé : les outils internes sont développés par "
    "l'équipe plateforme.",
    "A.8.33": "Aucune donnée de production n'est utilisée en test ; les jeux de test sont "
    "synthétiques.",
}

SENTENCES = (
    "La procédure est validée par le comité de sécurité et revue une fois par an.",
    "Les journaux d'accès aux données de santé sont conservés un an puis purgés automatiquement.",
    "La revue des habilitations du dernier trimestre a été menée avec les responsables métier.",
    "Le plan de continuité d'activité a été testé en conditions réelles sur le site secondaire.",
    "Les sauvegardes chiffrées sont restaurées chaque mois sur un environnement isolé.",
    "L'analyse de risques a été mise à jour après l'arrivée du nouveau client hospitalier.",
    "Les contrats avec les sous-traitants reprennent les clauses de l'article R.1111-11 du CSP.",
    "Le registre des incidents est tenu à jour et partagé avec le DPO.",
    "Une sensibilisation à l'hameçonnage a été suivie par l'ensemble des administrateurs.",
    "Les correctifs de sécurité critiques sont appliqués sous sept jours ouvrés.",
    "La matrice des rôles distingue l'administration de l'infrastructure et celle des bases.",
    "Le chiffrement au repos repose sur des clés gérées dans un HSM dédié.",
    "Les accès d'administration passent par un bastion avec authentification forte.",
    "Le processus de gestion des changements impose une validation à deux personnes.",
    "La convention de service précise les indicateurs de disponibilité et les pénalités.",
    "Les comptes techniques font l'objet d'une rotation semestrielle des secrets.",
    "L'audit interne du SMSI a couvert les chapitres 4 à 10 et l'annexe A.",
    "Une preuve complémentaire sera déposée après la prochaine revue de direction.",
    "Le fournisseur de l'hébergement physique a transmis son certificat HDS en vigueur.",
    "Les tests d'intrusion annuels n'ont relevé aucune vulnérabilité critique non corrigée.",
)
DOCUMENTS = (
    ("Politique de sécurité des systèmes d'information", "PSSI"),
    ("Contrat d'hébergement avec le datacenter", "Contrat_hebergement_datacenter"),
    ("Procès-verbal de revue de direction", "PV_revue_de_direction"),
    ("Rapport de test de restauration des sauvegardes", "Rapport_restauration_sauvegardes"),
    ("Analyse de risques du périmètre HDS", "Analyse_de_risques_HDS"),
    ("Plan de continuité et de reprise d'activité", "PCA_PRA"),
    ("Revue des habilitations", "Revue_habilitations"),
    ("Registre des incidents de sécurité", "Registre_incidents"),
    ("Rapport de test d'intrusion", "Rapport_pentest"),
    ("Procédure de gestion des changements", "Procedure_gestion_changements"),
    ("Convention de service client", "Convention_de_service"),
    ("Attestation de formation à la sécurité", "Attestation_formation_securite"),
)
COMMENTS = (
    "Version signée manquante.",
    "Le document ne couvre pas le site secondaire.",
    "La date de revue est dépassée : fournir la version en vigueur.",
    "Le périmètre décrit ne correspond pas aux activités déclarées.",
)


def _text(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.sample(SENTENCES, sentences))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


@dataclass(frozen=True)
class SeededOrganisation:
    organisation: Organisation
    officer: User
    manager: User
    auditor: User
    cycle: Cycle
    audit: Audit


def _members(slug: str) -> tuple[Organisation, User, User, User]:
    officer = User.objects.create_user(
        email=f"officer@{slug}.bench.test", full_name="Claire Martin"
    )
    manager = User.objects.create_user(email=f"manager@{slug}.bench.test", full_name="Sophie Leroy")
    auditor = User.objects.create_user(email=f"auditor@{slug}.bench.test", full_name="Marc Dubois")
    organisation = organisation_create(
        name=f"Hébergeur de banc d'essai ({slug})", slug=slug, actor=officer
    )
    membership_create(organisation=organisation, user=manager, role=Role.MANAGER, actor=officer)
    return organisation, officer, manager, auditor


def _scope(organisation: Organisation, officer: User, today: date) -> None:
    datacenter = subcontractor_save(
        organisation=organisation,
        name="DataCenter Paris Nord",
        siren="552100554",
        contact="securite@datacenter-paris-nord.example",
        actor=officer,
    )
    certificate_save(
        organisation=organisation,
        subcontractor=datacenter,
        data=CertificateData(
            kind="hds",
            number="HDS-DCPN-2023-0142",
            certification_body="Organisme certificateur A",
            accreditation="COFRAC n° 5-0612",
            standard_version="HDS v2",
            activities=[1, 2],
            scope_statement="Hébergement physique : mise à disposition de locaux, énergie, "
            "climatisation et infrastructure matérielle.",
            issued_on=today - timedelta(days=500),
            expires_on=today + timedelta(days=595),
        ),
        actor=officer,
    )
    certificate_save(
        organisation=organisation,
        subcontractor=None,
        data=CertificateData(
            kind="iso27001",
            number="ISO27001-2024-0877",
            certification_body="Organisme certificateur B",
            accreditation="COFRAC n° 4-0099",
            standard_version="",
            iso_standard=IsoStandard.ISO_27001_2022,
            activities=[3, 4, 5, 6],
            scope_statement="Infogérance et exploitation d'applications de santé, sauvegarde.",
            issued_on=today - timedelta(days=300),
            expires_on=today + timedelta(days=795),
        ),
        actor=officer,
    )
    scope_set_activities(
        organisation=organisation,
        choices={
            1: ActivityChoice(ActivityMode.SUBCONTRACTED, datacenter),
            2: ActivityChoice(ActivityMode.SUBCONTRACTED, datacenter),
            **{n: ActivityChoice(ActivityMode.IN_HOUSE) for n in (3, 4, 5, 6)},
        },
        actor=officer,
    )
    host_profile_update(
        organisation=organisation,
        stores_health_data=True,
        non_eea_access=True,
        non_eu_law_exposure=True,
        actor=officer,
    )
    # What the certification cycle would store once its audits are planned.
    scope_next_audit_set(organisation=organisation, next_audit_on=today + timedelta(days=300))


def _soa_and_readiness(
    rng: random.Random, organisation: Organisation, owners: list[User | None], today: date
) -> None:
    implementations = (
        [ImplementationStatus.IMPLEMENTED] * 6
        + [ImplementationStatus.PARTIAL] * 2
        + [ImplementationStatus.PLANNED, ImplementationStatus.NOT_STARTED]
    )
    controls = list(annex_a_controls())
    soa = []
    for index, control in enumerate(controls):
        justification = NOT_APPLICABLE_CONTROLS.get(control.ref_id, "")
        soa.append(
            SoAEntry(
                organisation=organisation,
                control=control,
                applicable=not justification,
                justification=justification,
                implementation=(
                    ImplementationStatus.NOT_STARTED
                    if justification
                    else implementations[index % len(implementations)]
                ),
                owner=owners[index % len(owners)],
                notes=_text(rng, index % 6),
            )
        )
    SoAEntry.objects.bulk_create(soa)

    statuses = (
        [ReadinessStatus.COMPLIANT] * 5
        + [ReadinessStatus.PARTIAL] * 3
        + [ReadinessStatus.NOT_COMPLIANT, ReadinessStatus.NOT_ASSESSED]
    )
    requirements = Requirement.objects.filter(
        framework__in=(builtin_framework(code=HDS_CODE), builtin_framework(code=ISO_CODE)),
        assessable=True,
    ).order_by("framework_id", "order")
    entries = []
    for index, requirement in enumerate(requirements):
        not_applicable = NOT_APPLICABLE_CONTROLS.get(requirement.ref_id, "")
        status = (
            ReadinessStatus.NOT_APPLICABLE if not_applicable else statuses[index % len(statuses)]
        )
        pending = status in (ReadinessStatus.PARTIAL, ReadinessStatus.NOT_COMPLIANT)
        entries.append(
            ReadinessEntry(
                organisation=organisation,
                requirement=requirement,
                status=status,
                justification=not_applicable
                or (_text(rng, 1 + index % 3) if status == ReadinessStatus.COMPLIANT else ""),
                owner=owners[index % len(owners)],
                # Some targets already passed: overdue lines show in the dossier.
                target_date=today + timedelta(days=rng.randint(-30, 180)) if pending else None,
                notes=_text(rng, index % 7),
            )
        )
    ReadinessEntry.objects.bulk_create(entries)


def _evidence(
    rng: random.Random,
    *,
    slug: str,
    organisation: Organisation,
    officer: User,
    owners: list[User | None],
    hds: list[Requirement],
    versions: int,
    now: datetime,
) -> dict[int, list[EvidenceVersion]]:
    """The items and their versions; returns, per item id, its versions oldest first."""
    item_count = -(-versions // VERSIONS_PER_ITEM)
    step = UPLOAD_SPAN_DAYS / VERSIONS_PER_ITEM
    start = now - timedelta(days=UPLOAD_SPAN_DAYS)
    items = []
    offsets = []  # per item, when in each upload period its versions arrive
    for index in range(item_count):
        title, _stem = DOCUMENTS[index % len(DOCUMENTS)]
        offset = rng.uniform(0, step - 1)
        offsets.append(offset)
        items.append(
            EvidenceItem(
                organisation=organisation,
                title=f"{title} n° {index // len(DOCUMENTS) + 1}",
                description=_text(rng, index % 3),
                owner=owners[index % len(owners)],
                effective_on=(now - timedelta(days=rng.randint(0, 365))).date(),
                review_due_on=(now + timedelta(days=rng.randint(-20, 400))).date(),
                created_by=officer,
                created_at=start + timedelta(days=offset),
            )
        )
    EvidenceItem.objects.bulk_create(items)

    links = []
    for index, item in enumerate(items):
        # 1 to 3 requirements, spread so every HDS requirement gets evidence.
        for shift in range(1 + index % 3):
            links.append(
                EvidenceItem.requirements.through(
                    evidenceitem_id=item.pk, requirement_id=hds[(index + 11 * shift) % len(hds)].pk
                )
            )
    EvidenceItem.requirements.through.objects.bulk_create(links)

    rows = []
    for index, item in enumerate(items):
        _title, stem = DOCUMENTS[index % len(DOCUMENTS)]
        for number in range(1, min(VERSIONS_PER_ITEM, versions - index * VERSIONS_PER_ITEM) + 1):
            seed = f"{slug}:{index}:{number}".encode()
            version = EvidenceVersion(
                item=item,
                number=number,
                original_name=f"{stem}_v{number}.pdf",
                size=rng.randint(40_000, 8_000_000),
                content_type="application/pdf",
                sha256=hashlib.sha256(b"%PDF-1.7 bench " + seed).hexdigest(),
                comment=_text(rng, 1) if number > 1 and index % 2 else "",
                uploaded_by=officer,
                uploaded_at=start + timedelta(days=(number - 1) * step + offsets[index]),
            )
            version.file.name = (
                f"evidence/{organisation.pk}/{uuid.uuid5(uuid.NAMESPACE_URL, seed.decode()).hex}"
            )
            rows.append(version)
    EvidenceVersion.objects.bulk_create(rows)
    by_item: dict[int, list[EvidenceVersion]] = {item.pk: [] for item in items}
    for version in rows:
        by_item[version.item_id].append(version)
    return by_item


def _latest_before(versions: list[EvidenceVersion], moment: datetime) -> EvidenceVersion:
    earlier = [v for v in versions if v.uploaded_at <= moment]
    return earlier[-1] if earlier else versions[0]


def seed_dossier_organisation(
    *, slug: str = "bench", versions: int = 1000, findings: int = 100
) -> SeededOrganisation:
    """Create the benchmark organisation described in the module docstring: exactly `versions`
    evidence versions (250 items by default) and `findings` findings."""
    rng = random.Random(slug)  # noqa: S311  (reproducible test data, not security)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        organisation, officer, manager, auditor = _members(slug)
        owners: list[User | None] = [officer, manager, None]
        _scope(organisation, officer, today)
        _soa_and_readiness(rng, organisation, owners, today)
        hds = list(
            Requirement.objects.filter(
                framework=builtin_framework(code=HDS_CODE), assessable=True
            ).order_by("order")
        )
        by_item = _evidence(
            rng,
            slug=slug,
            organisation=organisation,
            officer=officer,
            owners=owners,
            hds=hds,
            versions=versions,
            now=now,
        )

        stage1_start = today - timedelta(days=75)
        stage2_end = today - timedelta(days=38)
        cycle = Cycle.objects.create(
            organisation=organisation,
            certification_body="Organisme certificateur A",
            accreditation="COFRAC n° 5-0612",
            activities=[1, 2, 3, 4, 5, 6],
            created_at=_at(today - timedelta(days=120)),
        )
        audit = Audit.objects.create(
            cycle=cycle,
            kind=AuditKind.INITIAL,
            status=AuditStatus.CORRECTIONS,
            stage1_start=stage1_start,
            stage1_end=stage1_start + timedelta(days=1),
            stage1_submitted_at=_at(stage1_start - timedelta(days=14)),
            stage1_outcome=_text(rng, 4),
            stage2_start=stage2_end - timedelta(days=2),
            stage2_end=stage2_end,
            stage2_sites="Siège, 12 rue de la Santé, 75013 Paris ; "
            "salle d'exploitation, 4 avenue du Datacenter, 93200 Saint-Denis",
            stage2_outcome=_text(rng, 6),
            correction_deadline=correction_deadline(onsite_audit_end=stage2_end),
            created_at=_at(today - timedelta(days=120)),
        )
        assert audit.stage1_submitted_at is not None  # noqa: S101  (set just above)
        assert audit.stage2_start is not None  # noqa: S101

        linked: dict[int, list[int]] = {}  # requirement -> its items, in creation order
        for item_id, requirement_id in EvidenceItem.requirements.through.objects.filter(
            evidenceitem__organisation=organisation
        ).values_list("evidenceitem_id", "requirement_id"):
            linked.setdefault(requirement_id, []).append(item_id)
        pins = []
        for requirement in hds:
            items = sorted(linked.get(requirement.pk, []))
            if not items:
                continue
            pins.append(
                PinnedVersion(
                    audit=audit,
                    stage=Stage.DOCUMENTARY,
                    requirement=requirement,
                    version=_latest_before(by_item[items[0]], audit.stage1_submitted_at),
                    pinned_at=audit.stage1_submitted_at,
                )
            )
            pins.append(
                PinnedVersion(
                    audit=audit,
                    stage=Stage.ONSITE,
                    requirement=requirement,
                    version=_latest_before(by_item[items[-1]], _at(audit.stage2_start)),
                    pinned_at=_at(audit.stage2_start, 11),
                )
            )
        PinnedVersion.objects.bulk_create(pins)

        decisions = (
            ReviewDecision.ACCEPTED,
            ReviewDecision.ACCEPTED,
            ReviewDecision.NEEDS_REVISION,
            ReviewDecision.REJECTED,
        )
        reviews = []
        for index, pin in enumerate(pins[::3]):
            decision = decisions[index % len(decisions)]
            day = stage1_start if pin.stage == Stage.DOCUMENTARY else audit.stage2_start
            reviews.append(
                EvidenceReview(
                    audit=audit,
                    pinned=pin,
                    decision=decision,
                    comment=(
                        COMMENTS[index % len(COMMENTS)] + " " + _text(rng, index % 3)
                        if decision != ReviewDecision.ACCEPTED
                        else _text(rng, index % 2)
                    ).strip(),
                    reviewer=auditor,
                    reviewed_at=_at(day, 14),
                )
            )
        EvidenceReview.objects.bulk_create(reviews)

        pinned_for = {
            pin.requirement_id: pin.version for pin in pins if pin.stage == Stage.DOCUMENTARY
        }
        rows = []
        nonconformities = 0
        for index in range(findings):
            kind = (
                FindingKind.MAJOR
                if index % 10 == 0
                else FindingKind.MINOR
                if index % 10 <= 4
                else FindingKind.OBSERVATION
            )
            requirement = hds[(index * 7) % len(hds)]
            stage = Stage.DOCUMENTARY if index % 5 == 4 else Stage.ONSITE
            raised_on = stage1_start if stage == Stage.DOCUMENTARY else stage2_end
            # Every fourth description is long enough to wrap over many lines of a table cell.
            finding = Finding(
                audit=audit,
                stage=stage,
                kind=kind,
                requirement=requirement,
                evidence=pinned_for.get(requirement.pk) if index % 2 == 0 else None,
                description=_text(rng, 7 + index // 4 % 5 if index % 4 == 0 else 1 + index % 3),
                raised_by=auditor,
                raised_at=_at(raised_on, 9 + index % 8),
                status=FindingStatus.NOTED,
            )
            if kind != FindingKind.OBSERVATION:
                step = nonconformities % 3
                nonconformities += 1
                finding.status = FindingStatus.OPEN
                if step in (0, 1):
                    submitted = stage2_end + timedelta(days=7 + index % 20)
                    evidence_items = sorted(linked.get(requirement.pk, []))
                    finding.status = FindingStatus.CORRECTION_SUBMITTED
                    finding.correction = _text(rng, 1 + index % 3)
                    finding.root_cause = _text(rng, 1 + index % 2)
                    finding.action_plan = _text(rng, 2 + index % 4)
                    finding.owner = owners[index % 2]
                    finding.correction_evidence = (
                        by_item[evidence_items[-1]][-1] if evidence_items else None
                    )
                    finding.submitted_at = _at(submitted)
                if step == 0:
                    finding.status = FindingStatus.VERIFIED
                    finding.verified_by = auditor
                    finding.verified_at = _at(submitted + timedelta(days=5))
                    finding.verification_comment = _text(rng, 1)
            rows.append(finding)
        Finding.objects.bulk_create(rows)
    return SeededOrganisation(
        organisation=organisation,
        officer=officer,
        manager=manager,
        auditor=auditor,
        cycle=cycle,
        audit=audit,
    )
