"""Give the demo organisation a small certification cycle: an initial audit in its correction
window, a few evidence files (real, stored, hashed), stage 1 pinned versions, reviews and
findings by the demo auditor, invited to the audit with an access window that covers today.
Idempotent (a second run finds the cycle and only reopens the auditor's access if it ended); for
development only.

Every step goes through the services, as a user would: the trail records it all, and the
auditor's actions reach the officer's notifications. Timestamps are those of the run; only the
cycle's opening and the stage dates are in the past, the cycle opened before its audits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from audits.models import Audit, AuditKind, AuditorAccess, FindingKind, ReviewDecision
from audits.services.auditors import auditor_accept_existing_user, auditor_invite
from audits.services.cycle import (
    audit_complete_stage1,
    audit_complete_stage2,
    audit_plan,
    audit_schedule_stage1,
    audit_schedule_stage2,
    audit_submit_stage1_documents,
    cycle_create,
)
from audits.services.findings import (
    finding_plan_actions,
    finding_raise,
    finding_submit_correction,
)
from audits.services.reviews import evidence_review_record
from audits.workflow import Actor
from evidence.models import EvidenceItem, EvidenceVersion
from evidence.services import ItemData, evidence_item_create, evidence_version_add
from evidence.uploads import HashingUploadHandler
from hdsready.mail import QUIET_MAILERS
from hdsready.models import Membership, Organisation, Role, User
from scopes.models import Requirement
from scopes.selectors import HDS_CODE, builtin_framework

DEMO_SLUG = "demo"
CERTIFICATION_BODY = "Organisme certificateur (démo)"
AUDITOR_EMAIL = "auditor@demo.hdsready.test"  # seed_demo's auditor persona
CYCLE_OPENED_DAYS_AGO = 90
STAGE1_DAYS_AGO = 75
# The auditor's access: from before the documentary audit to a month from the run.
ACCESS_FROM_DAYS_AGO = 80
ACCESS_FOR_DAYS = 30
# The awareness observation's action plan: six months after the on-site audit.
OBSERVATION_PLAN_DAYS = 183
# (title, file name, HDS requirements it supports)
EVIDENCE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Politique de sécurité des systèmes d’information", "PSSI_v3.pdf", ("EXI 02", "EXI 09")),
    ("Contrat avec DataCenter Paris Nord", "Contrat_datacenter.pdf", ("EXI 06", "EXI 22")),
    ("Analyse de risques du périmètre HDS", "Analyse_de_risques.pdf", ("EXI 05",)),
    ("Rapport d’audit interne HDS 2025", "Audit_interne_HDS.pdf", ("EXI 16",)),
    ("Cartographie de la localisation des données", "Localisation.pdf", ("EXI 28", "EXI 31")),
)


def pdf_bytes(title: str) -> bytes:
    """A small, valid one-page PDF showing `title` (Helvetica covers the Latin-1 accents)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 16 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def add_pdf(*, item: EvidenceItem, name: str, content: bytes, actor: User) -> EvidenceVersion:
    """Upload `content` through the real upload handler and service: stored and hashed."""
    handler = HashingUploadHandler()
    handler.new_file("file", name, "application/pdf", len(content))
    handler.receive_data_chunk(content, 0)
    upload = handler.file_complete(len(content))
    try:
        return evidence_version_add(item=item, upload=upload, actor=actor)
    finally:
        upload.close()  # removes the temporary file


class Command(BaseCommand):
    help = "Give the demo organisation a certification cycle (run after seed_demo_scope)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Allow when DEBUG is off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo_cycle is for development (DEBUG=true).")
        organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
        if organisation is None:
            raise CommandError("Run seed_demo first.")
        officer = self._member(organisation, Role.OFFICER)
        manager = self._member(organisation, Role.MANAGER)
        if not organisation.scope_activities.exists():
            raise CommandError("Run seed_demo_scope first.")
        auditor = User.objects.filter(email=AUDITOR_EMAIL).first() or User.objects.create_user(
            email=AUDITOR_EMAIL, full_name="Marc Dubois (auditeur)"
        )
        audit = Audit.objects.filter(
            cycle__organisation=organisation,
            cycle__certification_body=CERTIFICATION_BODY,
            kind=AuditKind.INITIAL,
        ).first()
        if audit is not None:
            with override_settings(MAILERS=QUIET_MAILERS), transaction.atomic():
                reopened = self._auditor_access(audit, officer, auditor)
            self.stdout.write(
                "Demo cycle: already there"
                + (f"; {AUDITOR_EMAIL}'s access reopened." if reopened else ", nothing changed.")
            )
            return
        with override_settings(MAILERS=QUIET_MAILERS), transaction.atomic():
            self._seed(organisation, officer, manager, auditor)
        self.stdout.write(
            "Demo cycle: initial audit in its correction window, 5 evidence items pinned for "
            f"stage 1, 3 reviews, 5 findings (one correction submitted) by {AUDITOR_EMAIL}, "
            f"whose access to the audit runs {ACCESS_FOR_DAYS} more days."
        )

    def _auditor_access(self, audit: Audit, officer: User, auditor: User) -> bool:
        """Invite the demo auditor to the audit and accept for them, unless an access of theirs
        is open now; True when an access was opened."""
        now = timezone.now()
        if any(
            access.is_open(now=now)
            for access in AuditorAccess.objects.filter(
                audit=audit, user=auditor, accepted_at__isnull=False
            )
        ):
            return False
        access, _raw = auditor_invite(
            audit=audit,
            email=auditor.email,
            valid_from=now - timedelta(days=ACCESS_FROM_DAYS_AGO),
            valid_until=now + timedelta(days=ACCESS_FOR_DAYS),
            actor=officer,
        )
        auditor_accept_existing_user(access=access, user=auditor)
        return True

    def _member(self, organisation: Organisation, role: str) -> User:
        membership = (
            Membership.objects.filter(organisation=organisation, role=role)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise CommandError(f"The demo organisation has no {role}: run seed_demo first.")
        return membership.user

    def _seed(
        self, organisation: Organisation, officer: User, manager: User, auditor: User
    ) -> None:
        today = timezone.localdate()
        hds = {
            r.ref_id: r
            for r in Requirement.objects.filter(
                framework=builtin_framework(code=HDS_CODE), assessable=True
            ).select_related("framework")
        }

        versions: dict[str, EvidenceVersion] = {}
        items: dict[str, EvidenceItem] = {}
        for title, name, refs in EVIDENCE:
            requirements: Sequence[Requirement] = [hds[ref] for ref in refs]
            item = evidence_item_create(
                organisation=organisation,
                data=ItemData(
                    title=title,
                    owner=officer,
                    requirements=requirements,
                    review_due_on=today + timedelta(days=180),
                ),
                actor=officer,
            )
            items[refs[0]] = item
            versions[refs[0]] = add_pdf(
                item=item, name=name, content=pdf_bytes(title), actor=officer
            )

        cycle = cycle_create(
            organisation=organisation,
            certification_body=CERTIFICATION_BODY,
            accreditation="COFRAC n° 5-0000",
            actor=officer,
            now=timezone.now() - timedelta(days=CYCLE_OPENED_DAYS_AGO),
        )
        audit = audit_plan(cycle=cycle, kind=AuditKind.INITIAL, actor=officer)
        self._auditor_access(audit, officer, auditor)
        stage1_start = today - timedelta(days=STAGE1_DAYS_AGO)
        audit = audit_schedule_stage1(
            audit=audit, start=stage1_start, end=stage1_start + timedelta(days=1), actor=officer
        )
        audit_submit_stage1_documents(audit=audit, actor=officer)
        for ref, decision, comment in (
            ("EXI 02", ReviewDecision.ACCEPTED, ""),
            (
                "EXI 05",
                ReviewDecision.NEEDS_REVISION,
                "Les risques liés au sous-traitant d’hébergement physique ne sont pas appréciés.",
            ),
            (
                "EXI 28",
                ReviewDecision.REJECTED,
                "La cartographie ne précise pas le site de sauvegarde.",
            ),
        ):
            evidence_review_record(
                audit=audit,
                requirement=hds[ref],
                version=versions[ref],
                decision=decision,
                comment=comment,
                actor=auditor,
                role=Actor.AUDITOR,
            )
        audit = audit_complete_stage1(
            audit=audit,
            outcome="Documentation globalement complète ; l’appréciation des risques est à "
            "compléter avant l’audit sur site.",
            actor=auditor,
            role=Actor.AUDITOR,
        )
        finding_raise(
            audit=audit,
            kind=FindingKind.OBSERVATION,
            requirement=hds["EXI 08"],
            description="La déclaration d’applicabilité existe en français mais sa version "
            "n’est pas datée.",
            actor=auditor,
            role=Actor.AUDITOR,
        )
        stage2_end = today - timedelta(days=38)
        audit = audit_schedule_stage2(
            audit=audit,
            start=stage2_end - timedelta(days=2),
            end=stage2_end,
            sites="Siège, Paris 13e ; salle d’exploitation, Saint-Denis",
            actor=officer,
        )
        corrected = finding_raise(
            audit=audit,
            kind=FindingKind.MINOR,
            requirement=hds["EXI 05"],
            description="L’appréciation des risques n’identifie pas les risques liés à la "
            "défaillance du sous-traitant d’hébergement physique.",
            evidence=versions["EXI 05"],
            actor=auditor,
            role=Actor.AUDITOR,
        )
        finding_raise(
            audit=audit,
            kind=FindingKind.MAJOR,
            requirement=hds["EXI 16"],
            description="Aucun audit interne n’a porté sur les traces d’accès aux données de "
            "santé au cours des douze derniers mois.",
            actor=auditor,
            role=Actor.AUDITOR,
        )
        finding_raise(
            audit=audit,
            kind=FindingKind.MINOR,
            requirement=hds["EXI 06"],
            description="Le contrat avec le datacenter ne prévoit pas de droit d’audit de "
            "l’hébergeur sur son sous-traitant.",
            evidence=versions["EXI 06"],
            actor=auditor,
            role=Actor.AUDITOR,
        )
        awareness = finding_raise(
            audit=audit,
            kind=FindingKind.OBSERVATION,
            requirement=hds["EXI 10"],
            description="La sensibilisation des nouveaux arrivants pourrait insister davantage "
            "sur la criticité des données de santé.",
            actor=auditor,
            role=Actor.AUDITOR,
        )
        audit = audit_complete_stage2(
            audit=audit,
            outcome="Trois non-conformités (une majeure, deux mineures) et deux observations.",
            actor=auditor,
            role=Actor.AUDITOR,
        )
        # Its plan runs past the initial audit: once that is decided, the first surveillance
        # audit lists the observation for the auditor to check (carried over).
        finding_plan_actions(
            finding=awareness,
            action_plan="Refondre le module d’accueil sécurité : un chapitre sur les données de "
            "santé, un quiz de validation, un suivi des présences.",
            action_plan_due_on=stage2_end + timedelta(days=OBSERVATION_PLAN_DAYS),
            actor=officer,
            role=Actor.HOST,
        )
        title = "Analyse de risques du périmètre HDS (révisée)"
        revised = add_pdf(
            item=items["EXI 05"],
            name="Analyse_de_risques_v2.pdf",
            content=pdf_bytes(title),
            actor=manager,
        )
        finding_submit_correction(
            finding=corrected,
            correction="Les risques de défaillance du datacenter ont été ajoutés à l’analyse.",
            root_cause="Le périmètre de l’analyse s’arrêtait aux activités réalisées en interne.",
            action_plan="Revoir l’analyse à chaque nouveau sous-traitant ; revue annuelle "
            "par le comité de sécurité.",
            owner=manager,
            evidence=revised,
            actor=manager,
        )
