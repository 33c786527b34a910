"""A certificate's status (the certification body's suspension or withdrawal) and the EXI 14
procedure it opens: an alert to the compliance officers and a task list.

HDS v2 EXI 14: the host has a procedure for when a certified subcontractor loses its
certificate. A suspended or withdrawn certificate covers no day from its status date
(scopes/chain.py); one about to expire (EXPIRY_WARNING_DAYS) calls for the same preparation. A
certificate has at most one open procedure, opened by the first of these triggers: by the status
service in its own transaction, or by the daily scan (audits/services/reminders.py) for expiry.
It closes when the certificate no longer calls for it (scopes.chain.calls_for_procedure): a
renewal recorded on it, or a suspension lifted.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from hdsready.dates import date_format
from hdsready.models import User
from hdsready.services.notifications import notify, officers_of
from hdsready.trail import trail_record
from scopes.chain import EXPIRY_WARNING_DAYS, calls_for_procedure
from scopes.models import (
    CERTIFICATE_STATUS_TRANSITIONS,
    LAPSED_STATUSES,
    PROCEDURE_TASKS,
    Certificate,
    CertificateProcedure,
    CertificateProcedureTask,
    CertificateStatus,
    ProcedureClosing,
    ProcedureTrigger,
)
from scopes.services import ScopeError

# The daily scan still opens the procedure of a certificate that expired this many days ago
# (a scan missed for an outage); older expiries are history, not news.
EXPIRY_CATCH_UP_DAYS = 7
REASON_MAX_LENGTH = 2000


def certificate_holder(certificate: Certificate) -> str:
    return str(certificate.subcontractor or certificate.organisation)


def _alert_text(*, certificate: Certificate, trigger: str, gap_from: date) -> str:
    values = {
        "certificate": str(certificate),
        "holder": certificate_holder(certificate),
        "day": date_format(gap_from, "DATE_FORMAT"),
    }
    if trigger == ProcedureTrigger.SUSPENDED:
        text = gettext(
            "EXI 14: the certificate %(certificate)s of %(holder)s is suspended from %(day)s. "
            "Inform the clients concerned and plan its replacement."
        )
    elif trigger == ProcedureTrigger.WITHDRAWN:
        text = gettext(
            "EXI 14: the certificate %(certificate)s of %(holder)s is withdrawn from %(day)s. "
            "Inform the clients concerned and plan its replacement."
        )
    else:
        text = gettext(
            "EXI 14: the certificate %(certificate)s of %(holder)s no longer covers from "
            "%(day)s. Inform the clients concerned and plan its renewal or replacement."
        )
    return text % values


def certificate_url(certificate: Certificate) -> str:
    return reverse(
        "scopes:certificate-detail", args=[certificate.organisation.slug, certificate.pk]
    )


def _alert(*, certificate: Certificate, trigger: str, gap_from: date, now: datetime) -> None:
    notify(
        users=officers_of(certificate.organisation),
        organisation=certificate.organisation,
        message=partial(_alert_text, certificate=certificate, trigger=trigger, gap_from=gap_from),
        link=certificate_url(certificate),
        now=now,
    )


def _procedure_open(
    *,
    certificate: Certificate,
    trigger: str,
    gap_from: date,
    actor: User | None,
    now: datetime,
) -> CertificateProcedure | None:
    """Insert the certificate's procedure and its tasks; None if it already had one. The
    unique certificate column decides between two concurrent openers."""
    try:
        with transaction.atomic():
            procedure = CertificateProcedure.objects.create(
                certificate=certificate,
                organisation=certificate.organisation,
                trigger=trigger,
                gap_from=gap_from,
                opened_at=now,
            )
    except IntegrityError:
        return None
    CertificateProcedureTask.objects.bulk_create(
        CertificateProcedureTask(procedure=procedure, kind=kind) for kind in PROCEDURE_TASKS
    )
    trail_record(
        kind="certificate.procedure_opened",
        actor=actor,
        organisation=certificate.organisation,
        target=certificate,
        data={
            "holder": certificate_holder(certificate),
            "trigger": trigger,
            "gap_from": gap_from,
        },
    )
    return procedure


def _check_status(
    *, certificate: Certificate, status: str, status_from: date | None, reason: str
) -> None:
    if status not in CERTIFICATE_STATUS_TRANSITIONS.get(certificate.status, frozenset()):
        raise ScopeError(_("This certificate cannot change to that status."))
    if "\x00" in reason or len(reason) > REASON_MAX_LENGTH:
        raise ScopeError(_("The reason is not valid text."))
    if not reason.strip():
        raise ScopeError(_("Give the reason (the certification body's decision)."))
    if status_from is None:
        raise ScopeError(_("Give the date from which the status applies."))
    if status_from < certificate.issued_on:
        raise ScopeError(_("The status cannot apply before the certificate was issued."))
    if status_from > certificate.expires_on:
        raise ScopeError(_("The certificate has expired by then: its expiry already ends it."))


def certificate_status_set(
    *,
    certificate: Certificate,
    status: str,
    status_from: date | None,
    reason: str,
    actor: User,
    now: datetime,
) -> Certificate:
    """Record the certification body's decision on a certificate: suspended or withdrawn from a
    date, or a suspension lifted (valid again from that date). A suspension or withdrawal
    opens the EXI 14 procedure (once per certificate) and alerts the compliance officers, in
    this transaction."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("organisation", "subcontractor")
            .get(pk=certificate.pk)
        )
        _check_status(
            certificate=certificate, status=status, status_from=status_from, reason=reason
        )
        assert status_from is not None  # noqa: S101  (checked above; narrows the type)
        before = certificate.status
        certificate.status = status
        certificate.status_from = status_from if status in LAPSED_STATUSES else None
        certificate.status_reason = reason.strip()
        certificate.save(update_fields=["status", "status_from", "status_reason"])
        trail_record(
            kind="certificate.status_set",
            actor=actor,
            organisation=certificate.organisation,
            target=certificate,
            data={
                "holder": certificate_holder(certificate),
                "from_status": before,
                "status": status,
                "status_from": status_from,
                "reason": certificate.status_reason,
            },
        )
        if status in LAPSED_STATUSES:
            procedure = _procedure_open(
                certificate=certificate,
                trigger=status,
                gap_from=status_from,
                actor=actor,
                now=now,
            )
            if procedure is None:
                # Opened before (about to expire, or suspended then withdrawn): the gap now
                # starts at the status date if that is earlier.
                CertificateProcedure.objects.filter(
                    certificate=certificate, closed_at__isnull=True, gap_from__gt=status_from
                ).update(gap_from=status_from, trigger=status)
            _alert(certificate=certificate, trigger=status, gap_from=status_from, now=now)
        else:
            certificate_procedure_close_if_covered(
                certificate=certificate,
                because=ProcedureClosing.LIFTED,
                actor=actor,
                now=now,
            )
        return certificate


def certificate_procedure_close_if_covered(
    *, certificate: Certificate, because: str, actor: User, now: datetime
) -> bool:
    """Close the certificate's open EXI 14 procedure once the certificate no longer calls for it
    (renewed past the warning window, or its suspension lifted), with one trail row; its tasks
    stay as they were, and a later expiry opens a new procedure. Run inside the transaction of
    the change that covers the certificate again; True when a procedure was closed."""
    if calls_for_procedure(
        expires_on=certificate.expires_on,
        status=certificate.status,
        today=timezone.localdate(now),
    ):
        return False
    closed = CertificateProcedure.objects.filter(
        certificate=certificate, closed_at__isnull=True
    ).update(closed_at=now, closed_because=because)
    if closed:
        trail_record(
            kind="certificate.procedure_closed",
            actor=actor,
            organisation=certificate.organisation,
            target=certificate,
            data={"holder": certificate_holder(certificate), "because": because},
        )
    return bool(closed)


def certificate_procedures_open_expiring(*, today: date, now: datetime) -> int:
    """The daily scan's part of EXI 14: open the procedure of every certificate whose expiry is
    within EXPIRY_WARNING_DAYS (or passed in the last EXPIRY_CATCH_UP_DAYS) and which has none,
    and alert the officers. Returns how many it opened; a second run opens none."""
    candidates = (
        Certificate.objects.filter(
            expires_on__range=(
                today - timedelta(days=EXPIRY_CATCH_UP_DAYS),
                today + timedelta(days=EXPIRY_WARNING_DAYS),
            ),
            # A suspension or withdrawal opened its own procedure; one lifted is valid again.
            status=CertificateStatus.VALID,
        )
        .exclude(
            Exists(
                CertificateProcedure.objects.filter(
                    certificate=OuterRef("pk"), closed_at__isnull=True
                )
            )
        )
        .select_related("organisation", "subcontractor")
        .order_by("pk")
    )
    opened = 0
    for certificate in candidates:
        gap_from = certificate.expires_on + timedelta(days=1)
        with transaction.atomic():
            procedure = _procedure_open(
                certificate=certificate,
                trigger=ProcedureTrigger.EXPIRING,
                gap_from=gap_from,
                actor=None,
                now=now,
            )
            if procedure is None:
                continue  # another scan opened it
            _alert(
                certificate=certificate,
                trigger=ProcedureTrigger.EXPIRING,
                gap_from=gap_from,
                now=now,
            )
        opened += 1
    return opened


def certificate_procedure_task_done(
    *, task: CertificateProcedureTask, actor: User, now: datetime
) -> CertificateProcedureTask:
    """Check one EXI 14 task done (who, when). A task already done stays as it was, and so do
    the tasks of a closed procedure."""
    with transaction.atomic():
        updated = CertificateProcedureTask.objects.filter(
            pk=task.pk, done_at__isnull=True, procedure__closed_at__isnull=True
        ).update(done_at=now, done_by=actor)
        task = CertificateProcedureTask.objects.select_related(
            "procedure__certificate__organisation", "procedure__certificate__subcontractor"
        ).get(pk=task.pk)
        if not updated:
            if task.procedure.closed_at is not None:
                raise ScopeError(_("This procedure is closed: the certificate covers again."))
            raise ScopeError(_("This task is already done."))
        certificate = task.procedure.certificate
        trail_record(
            kind="certificate.procedure_task_done",
            actor=actor,
            organisation=certificate.organisation,
            target=certificate,
            data={"holder": certificate_holder(certificate), "task": task.kind},
        )
        return task
