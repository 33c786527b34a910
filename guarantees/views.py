"""The guarantees page (HDS v2 EXI 31 and chapter 8): in the app, its preview, its publication by
an officer and the list of published versions; at a public address, each published version as a
page and as a PDF, for anyone, without logging in."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.csp import CSP
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_POST
from django_otp.decorators import otp_required

from guarantees.display import guarantees_view
from guarantees.models import Publication
from guarantees.pdf import publication_pdf
from guarantees.selectors import (
    latest_publication_of,
    live_snapshot,
    public_publication,
    publication_is_current,
    publications_of,
)
from guarantees.services import GuaranteesError, guarantees_publish
from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.paging import numbered_page
from hdsready.selectors import organisation_get_for_user, user_can

PAGE_SIZE = 50

verified = otp_required(login_url="hdsready:login")

# The public page loads its stylesheet from here and nothing else: no script, no form, no frame.
PUBLIC_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
# A published version never changes: it may be kept a day. The latest address changes when an
# officer publishes again: revalidated on each visit (its ETag makes that a 304).
VERSION_MAX_AGE = 24 * 3600
LANGUAGES = ("fr", "en")


# In the app ------------------------------------------------------------------------------------


@require_GET
@verified
def guarantees_page(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """What would be published now, and the versions published so far. Members read it; only an
    officer is offered the publish button."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    live = live_snapshot(organisation=organisation, on=timezone.localdate())
    preview = guarantees_view(live)
    latest = latest_publication_of(organisation=organisation)
    publications = numbered_page(
        publications_of(organisation=organisation), request=request, size=PAGE_SIZE
    )
    return render(
        request,
        "guarantees/guarantees_page.html",
        {
            "organisation": organisation,
            "preview": preview,
            "latest": latest,
            "latest_is_current": latest is not None
            and publication_is_current(publication=latest, live=live),
            "publications": publications,
            "page": publications.page,
            "query": publications.query,
            # The address to give the certification body (EXI 31), in full.
            "public_address": request.build_absolute_uri(
                reverse("guarantees:public-latest", args=[organisation.slug])
            ),
            "can_publish": user_can(
                user=request.user, organisation=organisation, perm=roles.MANAGE
            ),
        },
    )


@require_POST
@verified
def guarantees_publish_view(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    try:
        publication = guarantees_publish(organisation=organisation, actor=request.user)
    except GuaranteesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Version %(number)s of the guarantees page is published.")
            % {"number": publication.number},
        )
    return redirect("guarantees:guarantees-page", slug=slug)


# Public ----------------------------------------------------------------------------------------


def _language(request: HttpRequest) -> str:
    """French unless the address asks for English: the language is in the address, not in the
    browser's headers, so a cached copy is the same for everyone."""
    return "en" if request.GET.get("lang") == "en" else "fr"


def _public(request: HttpRequest, publication: Publication, *, cache_control: str) -> HttpResponse:
    language = _language(request)
    organisation = publication.organisation
    versions = numbered_page(
        publications_of(organisation=organisation), request=request, size=PAGE_SIZE
    )
    with translation.override(language):
        # Rendered without the request: no context processor runs, so nothing of a logged-in
        # visitor (menus, e-mail, notifications) can reach a public page.
        html = render_to_string(
            "guarantees/public.html",
            {
                "language": language,
                "languages": LANGUAGES,
                "here": request.path,
                "organisation": organisation,
                "publication": publication,
                "view": guarantees_view(publication.snapshot),
                "versions": versions,
                "page": versions.page,
                "query": versions.query,
            },
        )
    response = HttpResponse(html)
    response["Content-Language"] = language
    response["Cache-Control"] = cache_control
    # A revalidation costs a 304 when nothing was published since.
    response["ETag"] = f'"{hashlib.sha256(html.encode()).hexdigest()[:32]}"'
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


@require_GET
@csp_override(PUBLIC_CSP)
def public_latest(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's latest published version: the address given to the certification
    body (EXI 31)."""
    # Revalidated on every visit: a new publication shows at once, in every cache (a copy kept
    # for minutes showed the version before to whoever had just read it).
    return _public(request, public_publication(slug=slug), cache_control="public, no-cache")


@require_GET
@csp_override(PUBLIC_CSP)
def public_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _public(
        request,
        public_publication(slug=slug, number=number),
        cache_control=f"public, max-age={VERSION_MAX_AGE}",
    )


@require_GET
def public_pdf(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    publication = public_publication(slug=slug, number=number)
    language = _language(request)
    response = HttpResponse(
        publication_pdf(publication=publication, language=language),
        content_type="application/pdf",
    )
    filename = f"garanties-{publication.organisation.slug}-v{publication.number}-{language}.pdf"
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=filename) or "inline"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Language"] = language
    response["Cache-Control"] = f"public, max-age={VERSION_MAX_AGE}"
    return response
