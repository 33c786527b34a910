"""E-mail: one recipe renders a templated mail in the recipient's language and sends it; one
Celery task sends the mails that go out after a commit; links in e-mails come from SITE_URL here.

Each kind of mail has a builder, registered by name in its app's AppConfig.ready(): the task gets
the name and primary keys, the builder looks the objects up and says whom to send what, or None
when the mail is no longer due (an invitation revoked before the worker got to it). So the core
sends the mails of every app without importing any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from hdsready.queue import enqueue

MAIL_TASK = "hdsready.tasks.mail_send"
# The demo seeds' past events leave their in-app notifications; their e-mails (on the console in
# development) would bury the personas `make run` has just printed.
QUIET_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}


@dataclass(frozen=True)
class TemplatedMail:
    """A mail to send: `<template_prefix>_subject.txt`, `.txt` and `.html` rendered with
    `context` in `language`."""

    to: str
    template_prefix: str
    context: dict[str, Any]
    language: str


MailBuilder = Callable[..., TemplatedMail | None]
_builders: dict[str, MailBuilder] = {}


def mail_builder_register(name: str, builder: MailBuilder) -> None:
    """Register the builder of one kind of mail (call it from AppConfig.ready())."""
    if _builders.get(name, builder) is not builder:
        raise ValueError(f"Two builders for the mail {name!r}.")
    _builders[name] = builder


def site_link(path: str) -> str:
    """The absolute address of a path of this site, for e-mails and other places outside it."""
    return settings.SITE_URL + path


def send_templated_mail(
    *, to: str, template_prefix: str, context: dict[str, Any], language: str
) -> None:
    """Render the subject, text and HTML bodies in `language` and send them to one address."""
    with translation.override(language):
        subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
        text = render_to_string(f"{template_prefix}.txt", context)
        html = render_to_string(f"{template_prefix}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


def mail_enqueue(name: str, *args: object) -> None:
    """Send the mail `name` after commit, built by its builder from `args` (primary keys and
    plain values) in the worker."""
    if name not in _builders:
        raise KeyError(f"No builder registered for the mail {name!r}.")
    enqueue(MAIL_TASK, name, *args)


def mail_build_and_send(name: str, *args: object) -> bool:
    """Build the mail `name` and send it; False when its builder finds it no longer due."""
    mail = _builders[name](*args)
    if mail is None:
        return False
    send_templated_mail(
        to=mail.to,
        template_prefix=mail.template_prefix,
        context=mail.context,
        language=mail.language,
    )
    return True
