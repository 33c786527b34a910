"""The core's e-mail recipe, its one task and enqueueing tasks by name after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from hdsready.mail import mail_build_and_send, mail_enqueue, send_templated_mail, site_link
from hdsready.models import Organisation, Role, User
from hdsready.queue import enqueue
from hdsready.services.invitations import INVITATION_MAIL, invitation_revoke, invitation_send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_templated_mail_rendered_in_the_given_language(organisation: Organisation, officer: User):
    invitation, _raw = invitation_send(
        organisation=organisation, email="x@example.org", role=Role.CONTRIBUTOR, actor=officer
    )
    mail.outbox.clear()
    context = {"invitation": invitation, "link": site_link("/invitations/t/")}
    for language in ("fr", "en"):
        send_templated_mail(
            to="x@example.org",
            template_prefix="emails/invitation",
            context=context,
            language=language,
        )
    french, english = mail.outbox
    assert french.subject == f"Invitation à rejoindre {organisation.name} sur hdsready"
    assert english.subject == f"Invitation to join {organisation.name} on hdsready"
    assert french.to == english.to == ["x@example.org"]
    html = french.alternatives[0]
    assert html.mimetype == "text/html"
    assert site_link("/invitations/t/") in french.body


def test_site_link_comes_from_site_url(settings):
    settings.SITE_URL = "https://hds.example.org"
    assert site_link("/notifications/") == "https://hds.example.org/notifications/"


def test_the_mail_task_runs_after_commit_only(organisation: Organisation, officer: User):
    with transaction.atomic():
        invitation_send(
            organisation=organisation, email="late@example.org", role=Role.MANAGER, actor=officer
        )
        assert mail.outbox == []  # nothing leaves before the commit
    # pytest-django's transaction is still open here: on_commit callbacks wait for it.
    assert mail.outbox == []


def test_the_mail_goes_once_committed(
    organisation: Organisation, officer: User, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation_send(
            organisation=organisation, email="now@example.org", role=Role.MANAGER, actor=officer
        )
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [["now@example.org"]]


def test_a_mail_no_longer_due_is_not_sent(organisation: Organisation, officer: User):
    invitation, raw = invitation_send(
        organisation=organisation, email="gone@example.org", role=Role.MANAGER, actor=officer
    )
    invitation_revoke(invitation=invitation, actor=officer)
    assert mail_build_and_send(INVITATION_MAIL, invitation.pk, raw, "en") is False
    assert mail.outbox == []


def test_unknown_names_fail_at_once():
    with pytest.raises(KeyError, match="no-such-mail"):
        mail_enqueue("no-such-mail", 1)
    with pytest.raises(KeyError):
        enqueue("hdsready.tasks.no_such_task", 1)
