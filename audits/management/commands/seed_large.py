"""A large host's data, to measure pages and sweeps at scale (issue 13): `manage.py seed_large`.

On an empty database (after `migrate`), deterministically for a given --seed:
- `--organisations` organisations, opened as on a real install (organisation_open, the officer
  accepting the invitation and enrolling a TOTP authenticator); each with a declared scope (a
  datacenter subcontractor and its HDS certificate, the host's ISO 27001 certificate), a
  readiness entry for every assessable requirement of the built-in catalogs (HDS v2, ISO/IEC
  27001:2022) and an SoA line for every Annex A control;
- the first one, "large", is the large host: a contributor and a manager besides its officer,
  `--items` evidence items (each linked to 1 to 3 HDS requirements, with one stored PDF version,
  every fourth item with a second one), and a certification cycle as seed_demo_cycle makes it:
  an initial audit in its correction window, stage 1 documents pinned and partly reviewed,
  `--findings` findings by the certification body's auditor, corrections submitted for two
  thirds of the non-conformities and half of those verified; the other organisations have
  OTHER_ITEMS items each;
- then the audit trail is topped up to `--trail-rows` rows with what a busy host's trail holds
  between two audits: evidence viewed and downloaded, logins and second factors. Those rows are
  appended with COPY (bulk_create off PostgreSQL), each hashed by the trail's own chain function
  (hdsready.trail.event_digest under the trail key), so `trail_verify` checks them as any other.

Everything else goes through the services, as a user would: the trail records it, permissions
are granted by the membership and auditor services, files are stored and hashed by the upload
path. Passwords and TOTP secrets of the four personas (officer, contributor, manager of "large",
and the auditor) are new at each run and printed, as seed_demo does. Timings are printed per step.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import time
from base64 import b32encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django_otp.oath import totp

from audits.management.commands.seed_demo_cycle import add_pdf, pdf_bytes
from audits.models import Audit, AuditKind, Finding, FindingKind, PinnedVersion, ReviewDecision
from audits.services.auditors import auditor_accept_new_user, auditor_invite
from audits.services.cycle import (
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    audit_submit_stage1_documents,
    cycle_create,
)
from audits.services.findings import finding_raise, finding_submit_correction, finding_verify
from audits.services.reviews import evidence_review_record
from audits.workflow import Actor
from evidence.models import EvidenceItem, EvidenceVersion
from evidence.services import ItemData, evidence_item_create
from hdsready.mail import QUIET_MAILERS
from hdsready.models import Organisation, Role, TrailEvent, TrailHead, User
from hdsready.services.invitations import invitation_accept_new_user, invitation_send
from hdsready.services.mfa import totp_enrolment_confirm, totp_enrolment_start
from hdsready.services.onboarding import organisation_open
from hdsready.trail import event_digest, trail_key, trail_key_id
from scopes.iso_standards import IsoStandard
from scopes.models import ActivityMode, ImplementationStatus, ReadinessStatus, Requirement
from scopes.selectors import HDS_CODE, ISO_CODE, annex_a_controls, builtin_framework
from scopes.services.assessment import ReadinessData, SoAData, readiness_bulk_update, soa_update
from scopes.services.scope import (
    ActivityChoice,
    CertificateData,
    certificate_save,
    scope_set_activities,
    subcontractor_save,
)

LARGE_SLUG = "large"
DOMAIN = "large.hdsready.test"
AUDITOR_EMAIL = f"auditor@{DOMAIN}"
CERTIFICATION_BODY = "Organisme certificateur (grand jeu)"
OTHER_ITEMS = 5  # evidence items of each organisation but the large one
COPY_COLUMNS = (
    "seq", "created_at", "actor_id", "actor_label", "organisation_id", "kind", "object_type",
    "object_id", "object_repr", "data", "ip", "prev_hash", "hash", "key_id",
)  # fmt: skip
SENTENCES = (
    "La procédure est validée par le comité de sécurité et revue une fois par an.",
    "Les journaux d’accès aux données de santé sont conservés un an puis purgés.",
    "La revue des habilitations du dernier trimestre a été menée avec les métiers.",
    "Le plan de continuité a été testé en conditions réelles sur le site secondaire.",
    "Les sauvegardes chiffrées sont restaurées chaque mois sur un environnement isolé.",
    "Les contrats avec les sous-traitants reprennent les clauses de l’article R.1111-11 du CSP.",
    "Les accès d’administration passent par un bastion avec authentification forte.",
    "Les correctifs de sécurité critiques sont appliqués sous sept jours ouvrés.",
)
DOCUMENTS = (
    ("Politique de sécurité des systèmes d’information", "PSSI"),
    ("Contrat d’hébergement avec le datacenter", "Contrat_datacenter"),
    ("Procès-verbal de revue de direction", "PV_revue_direction"),
    ("Rapport de test de restauration des sauvegardes", "Rapport_restauration"),
    ("Analyse de risques du périmètre HDS", "Analyse_risques"),
    ("Plan de continuité et de reprise d’activité", "PCA_PRA"),
    ("Revue des habilitations", "Revue_habilitations"),
    ("Registre des incidents de sécurité", "Registre_incidents"),
    ("Rapport de test d’intrusion", "Rapport_pentest"),
    ("Procédure de gestion des changements", "Procedure_changements"),
)
T = TypeVar("T")


@dataclass
class Persona:
    role: str
    user: User
    password: str
    secret: str


@dataclass
class Seeded:
    organisations: list[Organisation]
    members: dict[int, list[User]]  # organisation id -> its members
    personas: list[Persona]
    audit: Audit


def _text(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(count))


def _enrol_totp(user: User) -> str:
    """Enrol an authenticator as the enrolment page does (a first code confirms it)."""
    device = totp_enrolment_start(user=user)
    totp_enrolment_confirm(user=user, device=device, token=f"{totp(device.bin_key):06d}")
    return b32encode(device.bin_key).decode()


class Command(BaseCommand):
    help = "Seed a large host (20 organisations, 1,000 evidence items, 1,000,000 trail rows)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organisations", type=int, default=20)
        parser.add_argument("--items", type=int, default=1000)
        parser.add_argument("--findings", type=int, default=100)
        parser.add_argument("--trail-rows", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=13, help="Random seed of the data.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off or organisations or users already in the database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        force = options["force"]
        if not settings.DEBUG and not force:
            raise CommandError("seed_large is for development and benchmarks; --force to insist.")
        if not force and (Organisation.objects.exists() or User.objects.exists()):
            raise CommandError(
                "The database is not empty (organisations or users exist): seed_large is meant "
                "for an empty one; --force to add to it anyway."
            )
        if Organisation.objects.filter(slug__startswith=LARGE_SLUG).exists():
            raise CommandError(f"Organisations '{LARGE_SLUG}*' already exist: use a new database.")
        if options["organisations"] < 1 or options["findings"] > 10 * options["items"]:
            raise CommandError("At least one organisation, and fewer findings than that.")
        rng = random.Random(options["seed"])  # noqa: S311  (reproducible data, not security)
        self.timings: list[tuple[str, float]] = []
        started = time.perf_counter()
        # Eager tasks (no broker) log a line each: thousands, over the personas printed below.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        # The auditor's actions notify the officers by e-mail: not from a seed.
        with override_settings(MAILERS=QUIET_MAILERS):
            seeded = self._step(
                "organisations, members, scope, readiness and SoA",
                lambda: self._organisations(rng, options["organisations"]),
            )
            self._step(
                f"evidence: {options['items']:,} items of '{LARGE_SLUG}' (stored files)",
                lambda: self._evidence(rng, seeded, options["items"]),
            )
            self._step(
                f"cycle, audit, pins, reviews and {options['findings']} findings",
                lambda: self._cycle(rng, seeded, options["findings"]),
            )
        added = self._step(
            f"trail topped up to {options['trail_rows']:,} rows",
            lambda: self._trail_fill(rng, seeded, options["trail_rows"]),
        )
        total = time.perf_counter() - started
        self._report(seeded, added, total)

    def _step(self, label: str, action: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - started
        self.timings.append((label, seconds))
        self.stdout.write(f"  {seconds:7.1f} s  {label}")
        return result

    # --- organisations ---------------------------------------------------------------------

    def _organisations(self, rng: random.Random, count: int) -> Seeded:
        hds = list(
            Requirement.objects.filter(framework=builtin_framework(code=HDS_CODE), assessable=True)
        )
        iso = list(
            Requirement.objects.filter(framework=builtin_framework(code=ISO_CODE), assessable=True)
        )
        controls = list(annex_a_controls())
        organisations, personas = [], []
        members: dict[int, list[User]] = {}
        for index in range(count):
            slug = LARGE_SLUG if index == 0 else f"{LARGE_SLUG}-{index:02d}"
            domain = DOMAIN if index == 0 else f"{slug}.hdsready.test"
            with transaction.atomic():
                organisation, invitation, _token = organisation_open(
                    name=f"Hébergeur {'principal' if index == 0 else index} (grand jeu)",
                    slug=slug,
                    officer_email=f"officer@{domain}",
                    actor=None,
                )
                password = secrets.token_urlsafe(12)
                officer = invitation_accept_new_user(
                    invitation=invitation, full_name=f"Officier {slug}", password=password
                )
                secret = _enrol_totp(officer)
                users = [officer]
                if index == 0:
                    personas.append(Persona(str(Role.OFFICER), officer, password, secret))
                    for role, name in ((Role.CONTRIBUTOR, "Hugo Contributeur"),
                                       (Role.MANAGER, "Sophie Direction")):  # fmt: skip
                        sent, _raw = invitation_send(
                            organisation=organisation,
                            email=f"{role}@{domain}",
                            role=role,
                            actor=officer,
                        )
                        password = secrets.token_urlsafe(12)
                        user = invitation_accept_new_user(
                            invitation=sent, full_name=name, password=password
                        )
                        personas.append(Persona(str(role), user, password, _enrol_totp(user)))
                        users.append(user)
                self._scope(organisation, officer, index)
                self._assessment(rng, organisation, users, hds + iso, controls)
            organisations.append(organisation)
            members[organisation.pk] = users
        return Seeded(organisations, members, personas, audit=Audit())

    def _scope(self, organisation: Organisation, officer: User, index: int) -> None:
        today = timezone.localdate()
        datacenter = subcontractor_save(
            organisation=organisation,
            name=f"Datacenter {index % 4 + 1} (grand jeu)",
            siren=f"{100000000 + index:09d}",
            actor=officer,
        )
        certificate_save(
            organisation=organisation,
            subcontractor=datacenter,
            data=CertificateData(
                kind="hds",
                number=f"HDS-LARGE-{index:04d}",
                certification_body=CERTIFICATION_BODY,
                accreditation="COFRAC n° 5-0000",
                standard_version="HDS v2",
                activities=[1, 2],
                scope_statement="",
                issued_on=today - timedelta(days=900 + index),
                expires_on=today + timedelta(days=30 + 20 * index),
            ),
            actor=officer,
        )
        certificate_save(
            organisation=organisation,
            subcontractor=None,
            data=CertificateData(
                kind="iso27001",
                number=f"ISO-LARGE-{index:04d}",
                certification_body=CERTIFICATION_BODY,
                accreditation="COFRAC n° 4-0000",
                standard_version="",
                iso_standard=IsoStandard.ISO_27001_2022,
                activities=[3, 4, 5],
                scope_statement="Hébergement infogéré d’applications de santé.",
                issued_on=today - timedelta(days=400),
                expires_on=today + timedelta(days=700),
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

    def _assessment(
        self,
        rng: random.Random,
        organisation: Organisation,
        users: list[User],
        requirements: list[Requirement],
        controls: list[Requirement],
    ) -> None:
        """Every requirement assessed (grouped by the same answer, as the bulk form does) and
        every Annex A control on the SoA."""
        today = timezone.localdate()
        statuses = [ReadinessStatus.COMPLIANT] * 5 + [
            ReadinessStatus.PARTIAL,
            ReadinessStatus.PARTIAL,
            ReadinessStatus.NOT_COMPLIANT,
            ReadinessStatus.NOT_APPLICABLE,
        ]
        groups: dict[ReadinessData, list[Requirement]] = {}
        for requirement in sorted(requirements, key=lambda r: r.pk):
            status = rng.choice(statuses)
            pending = status in (ReadinessStatus.PARTIAL, ReadinessStatus.NOT_COMPLIANT)
            data = ReadinessData(
                status=status,
                justification="Hors du périmètre de l’hébergeur."
                if status == ReadinessStatus.NOT_APPLICABLE
                else "",
                owner=rng.choice(users),
                target_date=today + timedelta(days=rng.choice((-20, 15, 45, 120)))
                if pending
                else None,
                notes=_text(rng, rng.randint(0, 2)),
            )
            groups.setdefault(data, []).append(requirement)
        for data, group in groups.items():
            readiness_bulk_update(
                organisation=organisation, requirements=group, data=data, actor=users[0]
            )
        implementations = (
            ImplementationStatus.IMPLEMENTED,
            ImplementationStatus.IMPLEMENTED,
            ImplementationStatus.PARTIAL,
            ImplementationStatus.PLANNED,
        )
        for control in controls:
            applicable = rng.random() > 0.05
            soa_update(
                organisation=organisation,
                control=control,
                data=SoAData(
                    applicable=applicable,
                    justification=_text(rng, 1),
                    implementation=rng.choice(implementations)
                    if applicable
                    else ImplementationStatus.NOT_STARTED,
                    owner=rng.choice(users),
                    notes=_text(rng, rng.randint(0, 1)),
                ),
                actor=users[0],
            )

    # --- evidence --------------------------------------------------------------------------

    def _evidence(self, rng: random.Random, seeded: Seeded, items: int) -> None:
        hds = list(
            Requirement.objects.filter(
                framework=builtin_framework(code=HDS_CODE), assessable=True
            ).order_by("order")
        )
        today = timezone.localdate()
        for organisation in seeded.organisations:
            users = seeded.members[organisation.pk]
            count = items if organisation.slug == LARGE_SLUG else OTHER_ITEMS
            for index in range(count):
                title, stem = DOCUMENTS[index % len(DOCUMENTS)]
                title = f"{title} n° {index // len(DOCUMENTS) + 1}"
                links = [hds[(index + 11 * shift) % len(hds)] for shift in range(1 + index % 3)]
                with transaction.atomic():
                    item = evidence_item_create(
                        organisation=organisation,
                        data=ItemData(
                            title=title,
                            description=_text(rng, index % 3),
                            owner=rng.choice([*users, None]),
                            requirements=links,
                            effective_on=today - timedelta(days=rng.randint(0, 365)),
                            # Some reviews are overdue or due soon: the reminders find them.
                            review_due_on=today + timedelta(days=rng.randint(-30, 400)),
                        ),
                        actor=users[0],
                    )
                    for number in range(1, 3 if index % 4 == 0 else 2):
                        add_pdf(
                            item=item,
                            name=f"{stem}_{index + 1}_v{number}.pdf",
                            content=pdf_bytes(f"{title} v{number} {organisation.slug}"),
                            actor=rng.choice(users),
                        )

    # --- the certification cycle of the large host -----------------------------------------

    def _cycle(self, rng: random.Random, seeded: Seeded, findings: int) -> None:
        organisation = seeded.organisations[0]
        officer, *_others = seeded.members[organisation.pk]
        manager = next(p.user for p in seeded.personas if p.role == Role.MANAGER)
        today = timezone.localdate()
        now = timezone.now()
        with transaction.atomic():
            cycle = cycle_create(
                organisation=organisation,
                certification_body=CERTIFICATION_BODY,
                accreditation="COFRAC n° 5-0000",
                actor=officer,
                now=now - timedelta(days=90),
            )
            audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
            access, _raw = auditor_invite(
                audit=audit,
                email=AUDITOR_EMAIL,
                valid_from=now - timedelta(days=80),
                valid_until=now + timedelta(days=30),
                actor=officer,
            )
            password = secrets.token_urlsafe(12)
            auditor = auditor_accept_new_user(
                access=access, full_name="Marc Auditeur (grand jeu)", password=password
            )
            seeded.personas.append(Persona("auditor", auditor, password, _enrol_totp(auditor)))
            stage1_start = today - timedelta(days=75)
            audit = audit_schedule_stage1(
                audit=audit, start=stage1_start, end=stage1_start + timedelta(days=1), actor=officer
            )
            audit_submit_stage1_documents(audit=audit, actor=officer)
        pins = list(
            PinnedVersion.objects.filter(audit=audit)
            .select_related("requirement", "version")
            .order_by("pk")
        )
        decisions = (
            ReviewDecision.ACCEPTED,
            ReviewDecision.ACCEPTED,
            ReviewDecision.NEEDS_REVISION,
            ReviewDecision.REJECTED,
        )
        for index, pin in enumerate(pins[::10]):
            decision = decisions[index % len(decisions)]
            evidence_review_record(
                audit=audit,
                requirement=pin.requirement,
                version=pin.version,
                decision=decision,
                comment="" if decision == ReviewDecision.ACCEPTED else _text(rng, 1),
                actor=auditor,
                role=Actor.AUDITOR,
            )
        pinned_for = {pin.requirement_id: pin.version for pin in pins}
        hds = sorted({pin.requirement for pin in pins}, key=lambda r: r.order)

        def raise_finding(index: int) -> None:
            kind = (
                FindingKind.MAJOR
                if index % 10 == 0
                else FindingKind.MINOR
                if index % 10 <= 4
                else FindingKind.OBSERVATION
            )
            requirement = hds[(index * 7) % len(hds)]
            finding_raise(
                audit=audit,
                kind=kind,
                requirement=requirement,
                description=_text(rng, 1 + index % 4),
                evidence=pinned_for.get(requirement.pk) if index % 2 == 0 else None,
                actor=auditor,
                role=Actor.AUDITOR,
            )

        documentary = findings // 5
        for index in range(documentary):
            raise_finding(index)
        audit = audit_complete_stage1(
            audit=audit, outcome=_text(rng, 3), actor=auditor, role=Actor.AUDITOR
        )
        stage2_end = today - timedelta(days=38)
        audit = audit_schedule_stage2(
            audit=audit,
            start=stage2_end - timedelta(days=2),
            end=stage2_end,
            sites="Siège, Paris 13e ; salle d’exploitation, Saint-Denis",
            actor=officer,
        )
        for index in range(documentary, findings):
            raise_finding(index)
        audit = audit_complete_stage2(
            audit=audit, outcome=_text(rng, 4), actor=auditor, role=Actor.AUDITOR
        )
        latest_of_item = {
            version.item_id: version
            for version in EvidenceVersion.objects.filter(item__organisation=organisation).order_by(
                "item_id", "number"
            )
        }
        latest_of_requirement = {
            requirement_id: latest_of_item[item_id]
            for item_id, requirement_id in EvidenceItem.requirements.through.objects.filter(
                evidenceitem__organisation=organisation
            )
            .order_by("evidenceitem_id")
            .values_list("evidenceitem_id", "requirement_id")
            if item_id in latest_of_item
        }
        nonconformities = Finding.objects.filter(audit=audit).exclude(kind=FindingKind.OBSERVATION)
        for step, finding in enumerate(
            nonconformities.select_related("requirement").order_by("pk")
        ):
            if step % 3 == 2:
                continue  # a third of them still open
            finding = finding_submit_correction(
                finding=finding,
                correction=_text(rng, 1),
                root_cause=_text(rng, 1),
                action_plan=_text(rng, 2),
                owner=manager,
                evidence=latest_of_requirement.get(finding.requirement_id),
                actor=manager,
            )
            if step % 3 == 0:
                finding_verify(
                    finding=finding,
                    accepted=True,
                    comment=_text(rng, 1),
                    actor=auditor,
                    role=Actor.AUDITOR,
                )
        seeded.audit = audit

    # --- the trail's bulk ------------------------------------------------------------------

    def _trail_fill(self, rng: random.Random, seeded: Seeded, total: int) -> int:
        """Append rows until the trail holds `total`: what the services write when people view
        and download evidence and log in, chained by the trail's own function."""
        key = trail_key()
        key_id = trail_key_id(key)
        large = seeded.organisations[0]
        auditor = next(p.user for p in seeded.personas if p.role == "auditor")
        versions: dict[int, list[tuple[int, int, int, str, str]]] = {}
        for version in EvidenceVersion.objects.select_related("item").order_by("pk"):
            versions.setdefault(version.item.organisation_id, []).append(
                (version.pk, version.item_id, version.number, version.original_name, str(version))
            )
        readers = {org.pk: seeded.members[org.pk] for org in seeded.organisations}
        readers[large.pk] = [*readers[large.pk], auditor]
        everyone = [user for users in readers.values() for user in users]
        addresses = [f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{n}" for n in range(1, 40)]
        organisations = [org.pk for org in seeded.organisations]

        def events(count: int) -> Iterator[tuple[User, int | None, str, str, str, str, dict]]:
            for _ in range(count):
                draw = rng.random()
                if draw < 0.3:  # a login: password, then the second factor
                    user = rng.choice(everyone)
                    kind = "user.logged_in" if draw < 0.15 else "mfa.passed"
                    yield (user, None, kind, "hdsready.user", str(user.pk), str(user)[:200], {})
                    continue
                # Two thirds of the reading happen at the large host.
                org = large.pk if draw < 0.75 else rng.choice(organisations)
                user = rng.choice(readers[org])
                pk, item, number, name, label = rng.choice(versions[org])
                kind = "evidence.viewed" if rng.random() < 0.7 else "evidence.downloaded"
                data = {"item": item, "version": number, "file": name}
                yield (user, org, kind, "evidence.evidenceversion", str(pk), label[:200], data)

        with transaction.atomic():
            head, _ = TrailHead.objects.select_for_update().get_or_create(id=1)
            count = total - head.last_seq
            if count <= 0:
                return 0
            last = TrailEvent.objects.filter(seq=head.last_seq).first()
            start = last.created_at if last is not None else timezone.now()
            # Spread over the time since the last service event: the chain's order is time's.
            span = max(timezone.now() - start, timedelta(seconds=1)) / (count + 1)
            prev_hash, seq = head.last_hash, head.last_seq
            rows = []
            for index, (user, org, kind, otype, oid, orepr, data) in enumerate(events(count)):
                seq += 1
                at = start + span * (index + 1)
                ip = rng.choice(addresses)
                digest = event_digest(
                    prev_hash=prev_hash,
                    seq=seq,
                    created_at=at,
                    actor_id=user.pk,
                    actor_label=user.email,
                    organisation_id=org,
                    kind=kind,
                    object_type=otype,
                    object_id=oid,
                    object_repr=orepr,
                    data=data,
                    ip=ip,
                    key=key,
                )
                rows.append(
                    (
                        seq,
                        at,
                        user.pk,
                        user.email,
                        org,
                        kind,
                        otype,
                        oid,
                        orepr,
                        data,
                        ip,
                        prev_hash,
                        digest,
                        key_id,
                    )
                )
                prev_hash = digest
                if len(rows) == 50_000:
                    self._trail_write(rows)
                    rows = []
            self._trail_write(rows)
            TrailHead.objects.filter(id=1).update(last_seq=seq, last_hash=prev_hash)
        return count

    def _trail_write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if connection.vendor != "postgresql":
            TrailEvent.objects.bulk_create(
                [TrailEvent(**dict(zip(COPY_COLUMNS, row, strict=True))) for row in rows],
                batch_size=2000,
            )
            return
        table = TrailEvent._meta.db_table
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: COPY
            with raw.copy(f"COPY {table} ({', '.join(COPY_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row[:9], json.dumps(row[9]), *row[10:]))

    # --- report ----------------------------------------------------------------------------

    def _report(self, seeded: Seeded, added: int, total: float) -> None:
        large = seeded.organisations[0]
        self.stdout.write(
            self.style.SUCCESS(
                f"Large seed in {total:.1f} s: {len(seeded.organisations)} organisations; "
                f"'{large.slug}': {EvidenceItem.objects.filter(organisation=large).count():,} "
                f"evidence items, "
                f"{EvidenceVersion.objects.filter(item__organisation=large).count():,} versions, "
                f"{Finding.objects.filter(audit=seeded.audit).count()} findings on audit "
                f"{seeded.audit.pk}; trail {TrailEvent.objects.count():,} rows ({added:,} bulk)."
            )
        )
        self.stdout.write("Log in with an e-mail and password, then the TOTP code of the secret")
        self.stdout.write("(add the secret to an authenticator app, or: oathtool --totp -b SECRET)")
        for persona in seeded.personas:
            self.stdout.write(
                f"  {persona.role:<12} {persona.user.email:<32} password: {persona.password}  "
                f"TOTP secret: {persona.secret}"
            )
