"""Organisation pages: home, members and invitations, the audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.forms import InviteForm, PasskeyPolicyForm, RoleForm, TrailFilterForm
from hdsready.homes import home_elsewhere
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation
from hdsready.paging import keyset_page
from hdsready.selectors import (
    invitation_get_in_organisation,
    membership_get_in_organisation,
    memberships_for_user,
    memberships_of_organisation,
    organisation_get_for_user,
    pending_invitations_of_organisation,
    trail_events_of_organisation,
    user_can,
)
from hdsready.services import CoreError
from hdsready.services.invitations import invitation_revoke, invitation_send
from hdsready.services.mfa import mfa_reset
from hdsready.services.organisations import membership_change_role, membership_remove
from hdsready.trail_events import trail_event_kinds_by_label

verified = otp_required(login_url="hdsready:login")
TRAIL_PAGE_SIZE = 50


@require_GET
@verified
def home(request: AuthedHttpRequest) -> HttpResponse:
    memberships = list(memberships_for_user(user=request.user))
    last = request.session.get("organisation")
    slugs = [m.organisation.slug for m in memberships]
    if last in slugs:
        return redirect("hdsready:organisation-home", slug=last)
    if len(memberships) == 1:
        return redirect("hdsready:organisation-home", slug=slugs[0])
    if not memberships and (elsewhere := home_elsewhere(user=request.user, now=timezone.now())):
        return redirect(elsewhere)
    return render(request, "hdsready/home.html", {"memberships": memberships})


def _home_kind(*, can_manage: bool, can_edit: bool, can_print: bool) -> str:
    """Which work the home starts with: the officer's whole picture, the contributor's own
    tasks, or the manager's progress report."""
    if can_manage:
        return "officer"
    if can_edit:
        return "contributor"
    if can_print:
        return "manager"
    return "member"


@require_GET
@verified
def organisation_home(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    request.session["organisation"] = organisation.slug
    can_manage = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    can_print = user_can(user=request.user, organisation=organisation, perm=roles.PRINT_DOSSIER)
    can_edit = user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)
    return render(
        request,
        "hdsready/organisation_home.html",
        {
            "organisation": organisation,
            "can_manage": can_manage,
            "can_print": can_print,
            "home_kind": _home_kind(can_manage=can_manage, can_edit=can_edit, can_print=can_print),
            "member_count": memberships_of_organisation(organisation=organisation).count(),
        },
    )


def _members_page(
    request: AuthedHttpRequest, *, organisation: Organisation, invite_form: InviteForm | None = None
) -> HttpResponse:
    """The members page; an invitation sent back with errors shows with its input and errors."""
    return render(
        request,
        "hdsready/member_list.html",
        {
            "organisation": organisation,
            "memberships": memberships_of_organisation(organisation=organisation),
            "invitations": pending_invitations_of_organisation(organisation=organisation),
            "invite_form": invite_form or InviteForm(),
            "role_form": RoleForm(),
            "passkey_policy_form": PasskeyPolicyForm(
                initial={"require_passkeys": organisation.require_passkeys}
            ),
        },
    )


@require_GET
@verified
def member_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    return _members_page(request, organisation=organisation)


@require_POST
@verified
def member_invite(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation_send(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
        except CoreError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("hdsready:member-list", slug=slug)
    return _members_page(request, organisation=organisation, invite_form=form)


@require_POST
@verified
def invitation_revoke_view(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    invitation = invitation_get_in_organisation(organisation=organisation, pk=pk)
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
    except CoreError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("hdsready:member-list", slug=slug)


@require_POST
@verified
def member_role(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    membership = membership_get_in_organisation(organisation=organisation, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown role."))
        return redirect("hdsready:member-list", slug=slug)
    try:
        membership_change_role(
            membership=membership,
            role=form.cleaned_data["role"],
            actor=request.user,
        )
    except CoreError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Role changed."))
    return redirect("hdsready:member-list", slug=slug)


@require_POST
@verified
def member_remove(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    membership = membership_get_in_organisation(organisation=organisation, pk=pk)
    try:
        membership_remove(membership=membership, actor=request.user)
    except CoreError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Member removed."))
    return redirect("hdsready:member-list", slug=slug)


@require_POST
@verified
def member_mfa_reset(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    membership = membership_get_in_organisation(organisation=organisation, pk=pk)
    mfa_reset(membership=membership, actor=request.user)
    messages.success(
        request,
        _("Second factor reset for %(email)s: they will enrol again at their next login.")
        % {"email": membership.user.email},
    )
    return redirect("hdsready:member-list", slug=slug)


@require_GET
@verified
def trail_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW_TRAIL)
    form = TrailFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = trail_events_of_organisation(
        organisation=organisation,
        kind=filters.get("kind") or "",
        actor=filters.get("actor") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = keyset_page(
        events,
        key="seq",
        before=request.GET.get("before"),
        after=request.GET.get("after"),
        size=TRAIL_PAGE_SIZE,
    )
    query = request.GET.copy()
    for cursor in ("before", "after", "page"):
        query.pop(cursor, None)
    return render(
        request,
        "hdsready/trail_list.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "kinds": trail_event_kinds_by_label(),
            "query": query.urlencode(),
        },
    )
