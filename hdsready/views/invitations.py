"""The acceptance page of every kind of invitation: one recipe, one template.

A person opens the link: an invalid, used or expired one gets the same 404 page; a person with
no account sets a name and password and goes on to enrol a second factor; a person with an
account logs in (second factor included) and accepts. What differs between kinds (the words on
the page, where an existing user lands) comes in through InvitationPage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hdsready.forms import AcceptInvitationForm
from hdsready.http import user_is_verified
from hdsready.models import Invitation, User
from hdsready.services import CoreError
from hdsready.services.invitations import MEMBER_INVITATIONS, InvitationFlow


@dataclass(frozen=True)
class InvitationPage[T]:
    """The variable parts of the acceptance page of one kind of invitation."""

    title: str
    # The heading and the lines that say what the invitation gives.
    describe: Callable[[T], tuple[str, list[str]]]
    # After an existing user accepted: the message and the address they go to.
    accepted: Callable[[T], tuple[str, str]]
    # After a new account was created, before the second factor's enrolment.
    welcome: Callable[[T], str]


def invitation_accept_page[T](
    request: HttpRequest, *, token: str, flow: InvitationFlow[T, object], page: InvitationPage[T]
) -> HttpResponse:
    invitation = flow.find_usable(raw_token=token, now=timezone.now())
    if invitation is None:
        return render(request, "hdsready/invitation_invalid.html", status=404)
    heading, lines = page.describe(invitation)
    existing = User.objects.filter(email__iexact=flow.email_of(invitation)).exists()
    context: dict[str, object] = {
        "title": page.title,
        "heading": heading,
        "lines": lines,
        "existing": existing,
    }
    if existing:
        user = request.user
        if request.method == "POST" and isinstance(user, User) and user_is_verified(user):
            try:
                flow.accept_existing_user(invitation=invitation, user=user)
            except CoreError as exc:
                messages.error(request, str(exc))
            else:
                message, url = page.accepted(invitation)
                messages.success(request, message)
                return redirect(url)
        return render(request, "hdsready/invitation_accept.html", context)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = flow.accept_new_user(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except CoreError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, page.welcome(invitation))
            return redirect("hdsready:mfa-enrol")
    context["form"] = form
    return render(request, "hdsready/invitation_accept.html", context)


def _member_describe(invitation: Invitation) -> tuple[str, list[str]]:
    return (
        _("Join %(name)s") % {"name": invitation.organisation.name},
        [
            _("This invitation is for %(email)s, as %(role)s.")
            % {"email": invitation.email, "role": invitation.get_role_display()}
        ],
    )


def _member_accepted(invitation: Invitation) -> tuple[str, str]:
    return (
        _("You joined %(name)s.") % {"name": invitation.organisation},
        reverse("hdsready:organisation-home", args=[invitation.organisation.slug]),
    )


def _member_welcome(invitation: Invitation) -> str:
    return _("Welcome! Now set up your second factor to reach %(name)s.") % {
        "name": invitation.organisation
    }


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    page = InvitationPage(
        title=_("Invitation"),
        describe=_member_describe,
        accepted=_member_accepted,
        welcome=_member_welcome,
    )
    return invitation_accept_page(request, token=token, flow=MEMBER_INVITATIONS, page=page)
