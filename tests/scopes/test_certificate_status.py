"""A certificate's status and the EXI 14 procedure: the status service, the daily scan (opened
once), the alert, the tasks, the trail, the pages and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from audits.deadline_kinds import deadline_rows
from audits.services.reminders import reminders_sweep
from hdsready.models import Notification, TrailEvent
from scopes.models import (
    Certificate,
    CertificateProcedure,
    CertificateProcedureTask,
    CertificateStatus,
    ProcedureTaskKind,
)
from scopes.selectors import hosting_chain_of
from scopes.services import ScopeError
from scopes.services.certificates import (
    certificate_procedure_task_done,
    certificate_procedures_open_expiring,
    certificate_status_set,
)
from scopes.services.scope import (
    ActivityChoice,
    certificate_save,
    scope_set_activities,
    subcontractor_save,
)
from tests.scopes.test_scope_services import hds_data

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def certificate(organisation, officer) -> Certificate:
    datacenter = subcontractor_save(
        organisation=organisation, name="DataCenter Paris", actor=officer
    )
    scope_set_activities(
        organisation=organisation,
        choices={1: ActivityChoice("subcontracted", datacenter)},
        actor=officer,
    )
    return certificate_save(
        organisation=organisation, subcontractor=datacenter, data=hds_data([1, 2]), actor=officer
    )


def suspend(certificate, officer, day=date(2026, 5, 1), status="suspended"):
    return certificate_status_set(
        certificate=certificate,
        status=status,
        status_from=day,
        reason="Lettre de l’organisme du 30/04/2026",
        actor=officer,
        now=NOW,
    )


class TestStatusService:
    def test_suspension_is_stored_recorded_and_opens_the_procedure(
        self, certificate, officer, contributor, manager
    ):
        suspend(certificate, officer)
        certificate.refresh_from_db()
        assert (certificate.status, certificate.status_from) == ("suspended", date(2026, 5, 1))
        assert certificate.status_on(date(2026, 4, 30)) == CertificateStatus.VALID
        assert certificate.status_on(date(2026, 5, 1)) == CertificateStatus.SUSPENDED
        event = TrailEvent.objects.get(kind="certificate.status_set")
        assert event.data["status"] == "suspended"
        assert event.data["status_from"] == "2026-05-01"
        assert event.actor_label == officer.email
        procedure = CertificateProcedure.objects.get(certificate=certificate)
        assert (procedure.trigger, procedure.gap_from) == ("suspended", date(2026, 5, 1))
        assert [t.kind for t in procedure.tasks.order_by("pk")] == [
            ProcedureTaskKind.INFORM_CLIENTS,
            ProcedureTaskKind.PLAN_REPLACEMENT,
        ]
        assert TrailEvent.objects.filter(kind="certificate.procedure_opened").count() == 1
        # The alert goes to the officers only, with a link to the certificate's page.
        alert = Notification.objects.get()
        assert alert.user == officer
        assert "EXI 14" in alert.text
        assert alert.link == reverse(
            "scopes:certificate-detail", args=[certificate.organisation.slug, certificate.pk]
        )

    def test_the_chain_shows_the_gap_from_the_status_date(self, certificate, officer):
        suspend(certificate, officer, day=date(2026, 5, 1))
        organisation = certificate.organisation
        before = hosting_chain_of(organisation=organisation, on=date(2026, 4, 30))
        after = hosting_chain_of(organisation=organisation, on=date(2026, 5, 1))
        assert not before[0].is_gap
        assert after[0].is_gap
        assert after[0].lapsed is not None

    def test_withdrawal_after_suspension_keeps_one_procedure(self, certificate, officer):
        suspend(certificate, officer, day=date(2026, 5, 1))
        suspend(certificate, officer, day=date(2026, 6, 1), status="withdrawn")
        assert CertificateProcedure.objects.count() == 1
        assert CertificateProcedureTask.objects.count() == 2
        assert TrailEvent.objects.filter(kind="certificate.procedure_opened").count() == 1
        # Each decision alerts the officers once.
        assert Notification.objects.count() == 2

    def test_an_earlier_withdrawal_moves_the_gap_of_an_expiry_procedure(self, certificate, officer):
        certificate_procedures_open_expiring(today=date(2027, 11, 1), now=NOW)
        suspend(certificate, officer, day=date(2027, 11, 15), status="withdrawn")
        procedure = CertificateProcedure.objects.get()
        assert (procedure.trigger, procedure.gap_from) == ("withdrawn", date(2027, 11, 15))

    def test_lifting_a_suspension(self, certificate, officer):
        suspend(certificate, officer)
        certificate_status_set(
            certificate=certificate,
            status="valid",
            status_from=date(2026, 6, 1),
            reason="Suspension levée",
            actor=officer,
            now=NOW,
        )
        certificate.refresh_from_db()
        assert (certificate.status, certificate.status_from) == ("valid", None)
        assert certificate.is_valid_on(date(2026, 7, 1))

    @pytest.mark.parametrize(
        ("status", "day", "reason", "message"),
        [
            ("suspended", date(2024, 12, 31), "x", "before the certificate was issued"),
            ("suspended", date(2028, 1, 2), "x", "expired by then"),
            ("suspended", None, "x", "date from which"),
            ("suspended", date(2026, 1, 1), "   ", "reason"),
            ("suspended", date(2026, 1, 1), "a\x00b", "not valid text"),
            ("expired", date(2026, 1, 1), "x", "cannot change"),
            ("valid", date(2026, 1, 1), "x", "cannot change"),
            ("nonsense", date(2026, 1, 1), "x", "cannot change"),
        ],
    )
    def test_bad_input_is_refused_and_changes_nothing(
        self, certificate, officer, status, day, reason, message
    ):
        # The messages are matched in English, whatever the default language (French).
        with translation.override("en"), pytest.raises(ScopeError, match=message):
            certificate_status_set(
                certificate=certificate,
                status=status,
                status_from=day,
                reason=reason,
                actor=officer,
                now=NOW,
            )
        certificate.refresh_from_db()
        assert certificate.status == "valid"
        assert not CertificateProcedure.objects.exists()
        assert not TrailEvent.objects.filter(kind="certificate.status_set").exists()

    def test_a_withdrawal_is_final(self, certificate, officer):
        suspend(certificate, officer, status="withdrawn")
        with pytest.raises(ScopeError):
            suspend(certificate, officer, status="suspended")


class TestDailyScan:
    def test_expiry_opens_the_procedure_once_however_many_runs(self, certificate, officer):
        # 90 days before the expiry of 1 January 2028: in the warning window.
        day = datetime(2027, 10, 4, 5, 0, tzinfo=UTC)
        reminders_sweep(now=day)
        reminders_sweep(now=day + timedelta(hours=10))
        reminders_sweep(now=day + timedelta(days=1))
        procedure = CertificateProcedure.objects.get()
        assert (procedure.trigger, procedure.gap_from) == ("expiring", date(2028, 1, 2))
        assert procedure.tasks.count() == 2
        opened = TrailEvent.objects.filter(kind="certificate.procedure_opened")
        assert opened.count() == 1
        assert opened.get().actor is None  # the scan, not a person
        alerts = Notification.objects.filter(user=officer, text__contains="EXI 14")
        assert alerts.count() == 1

    def test_outside_the_window_nothing_opens(self, certificate):
        assert certificate_procedures_open_expiring(today=date(2027, 10, 2), now=NOW) == 0
        # Long expired: history, not news.
        assert certificate_procedures_open_expiring(today=date(2028, 2, 1), now=NOW) == 0
        assert certificate_procedures_open_expiring(today=date(2027, 10, 3), now=NOW) == 1
        assert certificate_procedures_open_expiring(today=date(2027, 10, 3), now=NOW) == 0

    def test_a_suspended_certificate_is_not_opened_again_by_the_scan(self, certificate, officer):
        suspend(certificate, officer, day=date(2027, 9, 1))
        assert certificate_procedures_open_expiring(today=date(2027, 12, 1), now=NOW) == 0
        assert CertificateProcedure.objects.count() == 1


class TestTasks:
    def test_an_editor_checks_a_task_done_once(self, certificate, officer, contributor):
        suspend(certificate, officer)
        task = CertificateProcedureTask.objects.get(kind=ProcedureTaskKind.INFORM_CLIENTS)
        certificate_procedure_task_done(task=task, actor=contributor, now=NOW)
        task.refresh_from_db()
        assert (task.done_by, task.done_at) == (contributor, NOW)
        event = TrailEvent.objects.get(kind="certificate.procedure_task_done")
        assert event.data["task"] == "inform_clients"
        with pytest.raises(ScopeError):
            certificate_procedure_task_done(task=task, actor=officer, now=NOW + timedelta(1))
        task.refresh_from_db()
        assert task.done_by == contributor
        assert TrailEvent.objects.filter(kind="certificate.procedure_task_done").count() == 1


def page(organisation, name, *args):
    return reverse(f"scopes:{name}", args=[organisation.slug, *args])


class TestPages:
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read_the_certificate_page(self, request, client_as, certificate, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).get(
            page(certificate.organisation, "certificate-detail", certificate.pk)
        )
        assert response.status_code == 200
        assert (b'id="status-form"' in response.content) == (persona == "officer")

    def test_outsider_and_wrong_method(self, client_as, certificate, outsider, officer):
        url = page(certificate.organisation, "certificate-detail", certificate.pk)
        assert client_as(outsider).get(url).status_code == 404
        assert client_as(officer).post(url).status_code == 405
        status_url = page(certificate.organisation, "certificate-status", certificate.pk)
        assert client_as(officer).get(status_url).status_code == 405

    def test_officer_sets_the_status(self, client_as, certificate, officer):
        url = page(certificate.organisation, "certificate-status", certificate.pk)
        response = client_as(officer).post(
            url, {"status": "suspended", "status_from": "2026-05-01", "reason": "Décision"}
        )
        assert response.status_code == 302
        certificate.refresh_from_db()
        assert certificate.status == "suspended"

    @pytest.mark.parametrize("persona", ["contributor", "manager", "outsider"])
    def test_others_cannot_set_the_status(self, request, client_as, certificate, persona):
        user = request.getfixturevalue(persona)
        url = page(certificate.organisation, "certificate-status", certificate.pk)
        response = client_as(user).post(
            url, {"status": "suspended", "status_from": "2026-05-01", "reason": "Décision"}
        )
        assert response.status_code == 404
        certificate.refresh_from_db()
        assert certificate.status == "valid"

    @pytest.mark.parametrize(
        ("data", "field_error"),
        [
            ({"status": "suspended", "status_from": "2026-02-30", "reason": "x"}, "status_from"),
            ({"status": "suspended", "status_from": "2024-06-01", "reason": "x"}, "status_from"),
            ({"status": "suspended", "status_from": "2026-05-01", "reason": "a\x00b"}, "reason"),
            ({"status": "expired", "status_from": "2026-05-01", "reason": "x"}, "status"),
        ],
    )
    def test_bad_input_shows_the_form_again(
        self, client_as, certificate, officer, data, field_error
    ):
        url = page(certificate.organisation, "certificate-status", certificate.pk)
        response = client_as(officer).post(url, data)
        assert response.status_code == 200
        assert response.context["form"].errors[field_error]
        certificate.refresh_from_db()
        assert certificate.status == "valid"

    def test_another_organisation_certificate_is_404(self, client_as, certificate, outsider):
        other = outsider.memberships.get().organisation
        url = page(other, "certificate-status", certificate.pk)
        response = client_as(outsider).post(
            url, {"status": "suspended", "status_from": "2026-05-01", "reason": "x"}
        )
        assert response.status_code == 404
        certificate.refresh_from_db()
        assert certificate.status == "valid"

    def test_task_done_by_contributor_not_by_manager(
        self, client_as, certificate, officer, contributor, manager, outsider
    ):
        suspend(certificate, officer)
        task = CertificateProcedureTask.objects.get(kind=ProcedureTaskKind.PLAN_REPLACEMENT)
        url = page(certificate.organisation, "procedure-task-done", task.pk)
        assert client_as(manager).post(url).status_code == 404
        assert client_as(outsider).post(url).status_code == 404
        assert client_as(contributor).get(url).status_code == 405
        assert client_as(contributor).post(url).status_code == 302
        task.refresh_from_db()
        assert task.done_by == contributor
        # The task left to do shows a button to an editor, none to a reader.
        other = CertificateProcedureTask.objects.get(kind=ProcedureTaskKind.INFORM_CLIENTS)
        other_url = page(certificate.organisation, "procedure-task-done", other.pk).encode()
        detail_url = page(certificate.organisation, "certificate-detail", certificate.pk)
        assert other_url in client_as(contributor).get(detail_url).content
        detail = client_as(manager).get(detail_url)
        assert b'data-task="plan_replacement"' in detail.content
        assert other_url not in detail.content


def test_a_withdrawn_certificate_has_no_expiry_deadline(certificate, officer):
    organisation = certificate.organisation
    window = {"organisations": [organisation], "start": date(2027, 12, 1), "end": date(2028, 1, 31)}
    assert [row.pk for row in deadline_rows(**window)] == [certificate.pk]
    suspend(certificate, officer, day=date(2027, 6, 1), status="withdrawn")
    assert deadline_rows(**window) == []


def test_chain_page_names_the_suspended_certificate(client_as, certificate, officer, manager):
    suspend(certificate, officer, day=date(2026, 5, 1))
    url = page(certificate.organisation, "chain-view")
    before = client_as(manager).get(url, {"on": "2026-04-30"})
    after = client_as(manager).get(url, {"on": "2026-05-01"})
    assert b"data-lapsed" not in before.content
    assert b'data-lapsed="suspended"' in after.content
    assert b'data-activity="1" data-cover="gap"' in after.content
