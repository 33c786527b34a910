"""Every form of the app, found by walking the pages of the demo from each persona's home (so a
new form is covered without a new test), checked against the URL configuration (a route neither
reached nor listed below fails the test):

- round trip: each edit form, rendered for fully populated objects in French and in English and
  sent back unchanged, changes nothing (issue 12, item 1: French dates were lost on save);
- hostile input: a NUL byte or 10,000 characters in each text field, an impossible date in each
  date field: never a server error, and a refused submission changes nothing and shows the page
  again with the form (item 6), not a redirect that loses the input;
- no form offers a decision already made (item 8), and a form's defaults sent as they are make a
  valid request (item 7);
- every date field of every form is the shared ISO one (hdsready.widgets)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
import pytest
from django import forms
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from contracts.models import Client as HostClient
from contracts.models import ClientContact, Contract
from evidence.models import EvidenceItem
from hdsready.models import User
from hdsready.widgets import IsoDateField, IsoDateTimeField
from scopes.models import (
    Certificate,
    CertificateKind,
    ReadinessEntry,
    Requirement,
    SoAEntry,
    Subcontractor,
)
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from tests.conftest import verified_client_for
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)
from tests.test_crawl import NOT_FOLLOWED, demo  # noqa: F401  (the demo, four personas)

PERSONAS = ("officer", "contributor", "manager", "auditor")
PAGES_PER_ROUTE = 2
MAX_PAGES = 450

# Forms that are not edits of an object: sending them takes an action of the audit workflow
# (each state x action x role is tried by tests/audits/test_workflow.py), or asks for a new
# thing with valid defaults (a dossier: its defaults are checked valid below).
NOT_EDITS = frozenset(
    {
        "audits:audit-action",
        "audits:finding-action",
        "audits:auditor-action",
        "audits:auditor-finding-action",
        "dossiers:dossier-list",
    }
)
# Routes no persona reaches from their home by links, each with why.
UNREACHED = {
    "hdsready:login": "before login",
    "hdsready:sso-start": "before login (tests/hdsready/test_sso.py, tests/browser/test_sso.py)",
    "hdsready:sso-callback": "the identity provider's redirect (tests/hdsready/test_sso.py)",
    "hdsready:logout": "leaves the session",
    "hdsready:language-set": "changes the session's language",
    "hdsready:mfa-enrol": "before the second factor",
    "hdsready:mfa-verify": "before the second factor",
    "hdsready:mfa-backup-codes": "shown once after enrolment",
    "hdsready:mfa-passkey-verify": "before the second factor (tests/hdsready/test_passkeys.py)",
    "hdsready:passkey-rename": "a form per passkey; the demo's people have none "
    "(tests/hdsready/test_passkeys.py, tests/test_hostile_input.py)",
    "hdsready:passkey-remove": "a button per passkey; the demo's people have none",
    "hdsready:invitation-accept": "reached from an e-mail, tested in tests/hdsready",
    "audits:auditor-accept": "reached from an e-mail, tested in tests/audits/test_auditors.py",
    "audits:calendar-feed": "fetched by calendar applications with a secret token",
    "evidence:version-view": "a file, not a page",
    "evidence:version-download": "a file, not a page",
    "audits:auditor-version-view": "a file, not a page",
    "dossiers:dossier-download": "a file, not a page",
    "dossiers:dossier-status": "JSON polled by the progress bar",
    "dossiers:dossier-retry": "only for a failed dossier, tested in tests/dossiers",
    "scopes:soa-export": "a file, not a page",
    "scopes:host-list-import": "the column mapping exists only after a list file is uploaded "
    "(tests/scopes/test_certified_hosts_views.py)",
    "contracts:contact-export": "a file, not a page (tests/contracts/test_views.py)",
    "evidence:review-due": "a fragment of the home page",
    "audits:home-certification": "a fragment of the home page",
    "audits:home-progress": "a fragment of the home page",
    "audits:home-my-work": "a fragment of the home page",
    "audits:item-reviews": "a fragment of the evidence item page, without a form",
    "hdsready:organisation-open": "staff only; tests/hdsready/test_organisation_open.py",
    "dossiers:dossier-detail": "the demo has printed no dossier (reached after a print below)",
    "guarantees:public-latest": "public, the demo publishes no version (tests/guarantees)",
    "guarantees:public-version": "public, the demo publishes no version (tests/guarantees)",
    "guarantees:public-pdf": "a file, not a page (tests/guarantees/test_public.py)",
    "hdsready:invitation-revoke": "a button; the demo has no pending invitation",
    "hdsready:token-revoke": "a button; the demo has no API token",
    "audits:calendar-revoke": "a button; the demo has no calendar address",
    "hdsready:notification-read": "a button; the demo has no notification",
    "audits:carryover-check": "the demo's audit is the initial one, nothing carries over to it "
    "(tests/audits/test_carryover.py, tests/browser/test_carryover_journey.py; its form below)",
    "audits:auditor-carryover-check": "as audits:carryover-check",
    "audits:audit-delta": "the demo's audit is the initial one, which has no delta "
    "(tests/audits/test_delta.py, tests/test_crawl.py, tests/browser/test_next_audit_journey.py)",
    "audits:auditor-delta": "as audits:audit-delta",
    "audits:audit-evidence-search": "the evidence picker's search (GET, a new tab or JSON); "
    "tests/audits/test_evidence_picker.py",
    "audits:auditor-evidence-search": "the evidence picker's search (GET, a new tab or JSON); "
    "tests/audits/test_evidence_picker.py",
    "audits:programme-propose": "the demo has no surveillance audit to plan a programme for "
    "(no decision yet); tests/audits/test_programme.py",
    "audits:programme-requirement": "offered for a surveillance audit not started, which the "
    "demo has not; tests/audits/test_programme.py",
    "audits:programme-body-plan": "offered once a surveillance audit has a programme, which the "
    "demo has not; tests/audits/test_programme.py (hostile input included)",
    "accessreviews:campaign-open": "the demo's access review is open: the link to open one shows "
    "once it is closed; tests/accessreviews/test_views.py (a past due date included)",
    "accessreviews:campaign-close": "offered once every line is decided, which the demo's review "
    "is not; tests/accessreviews/test_views.py",
}


@dataclass
class FoundForm:
    page: str  # the page showing it
    persona: str
    action: str  # where it is sent
    route: str  # the view name of `action`
    values: list[tuple[str, str]]  # what the browser sends as the form is shown
    text_fields: list[str] = field(default_factory=list)
    date_fields: list[str] = field(default_factory=list)
    visible: int = 0
    prefilled: int = 0
    has_file: bool = False

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        names = sorted({re.sub(r"\d+", "N", name) for name, _value in self.values})
        return self.route, tuple(names)


TEXT_TYPES = {"text", "email", "url", "search", "tel", None}
SKIPPED_TYPES = {"submit", "button", "reset", "image", "file", "password"}


def forms_of(html: str, page: str, persona: str) -> list[FoundForm]:
    """The POST forms of a page, with the values a browser would send unchanged."""
    found: list[FoundForm] = []
    for form in lxml.html.fromstring(html).forms:
        if (form.method or "get").lower() != "post":
            continue
        action = urljoin(page, form.get("action") or page)
        try:
            route = resolve(urlsplit(action).path).view_name
        except Resolver404:
            continue
        one = FoundForm(page=page, persona=persona, action=action, route=route, values=[])
        for element in form.inputs:
            name = element.get("name")
            tag = element.tag
            kind = (element.get("type") or "").lower() or None
            if kind == "file":
                one.has_file = True
            if not name or kind in SKIPPED_TYPES:
                continue
            if tag == "select":
                options = element.xpath(".//option")
                chosen = [o for o in options if o.get("selected") is not None]
                if not chosen and options and element.get("multiple") is None:
                    chosen = options[:1]  # what a browser sends for a single select
                one.values += [(name, o.get("value", o.text_content())) for o in chosen]
                one.visible += 1
                one.prefilled += any(o.get("value") for o in chosen)
                continue
            if tag == "textarea":
                text = element.text or ""
                one.values.append((name, text.removeprefix("\n")))
                one.text_fields.append(name)
                one.visible += 1
                one.prefilled += bool(text.strip())
                continue
            value = element.get("value") or ""
            if kind in {"checkbox", "radio"}:
                one.visible += 1
                if element.get("checked") is not None:
                    one.values.append((name, element.get("value") or "on"))
                    one.prefilled += 1
                continue
            one.values.append((name, value))
            if kind == "hidden":
                continue
            one.visible += 1
            one.prefilled += bool(value)
            if kind in {"date", "datetime-local"}:
                one.date_fields.append(name)
            elif kind in TEXT_TYPES:
                one.text_fields.append(name)
        found.append(one)
    return found


def walk(client: Client, persona: str) -> tuple[set[str], list[FoundForm]]:
    """Every page a persona reaches by links from their home (a few per route), in French:
    the routes seen and the forms found."""
    seen: set[str] = set()
    per_route: dict[str, int] = {}
    routes: set[str] = set()
    found: list[FoundForm] = []
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        if match.view_name in NOT_FOLLOWED or match.view_name.startswith("api:"):
            continue
        per_route[match.route] = per_route.get(match.route, 0) + 1
        if per_route[match.route] > PAGES_PER_ROUTE:
            continue
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        routes.add(match.view_name)
        assert response.status_code < 500, url
        if response.status_code in {301, 302}:
            queue.append(response["Location"])
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        if not html.strip():
            continue
        found += forms_of(html, url, persona)
        for href in lxml.html.fromstring(html).xpath("//a/@href"):
            target, _fragment = urldefrag(urljoin(url, str(href)))
            parts = urlsplit(target)
            if parts.scheme in {"", "http"} and parts.netloc in {"", "testserver"}:
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if local not in seen:
                    queue.append(local)
    return routes, found


APPS = frozenset(
    {
        "hdsready",
        "scopes",
        "evidence",
        "contracts",
        "sovereignty",
        "audits",
        "dossiers",
        "accessreviews",
    }
)
# What a form may change without changing what the user typed: clocks and counters.
NOT_COMPARED = {"updated_at", "last_login", "last_used_at", "last_seen_at"}
# The audit trail and notifications record that something was sent, not what the object is;
# the catalog is read-only for forms but its import (row counts checked in its own tests).
NOT_SNAPSHOT = {"hdsready.TrailEvent", "hdsready.TrailHead", "hdsready.Notification"}
NOT_SNAPSHOT |= {"scopes.Framework", "scopes.Requirement"}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the app's models, with many-to-many links, clocks left out."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in APPS:
            continue
        if label in NOT_SNAPSHOT:
            continue
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.name not in NOT_COMPARED and not getattr(f, "auto_now", False)
        ]
        state[label] = sorted(
            (tuple(map(repr, row)) for row in model.objects.values_list(*names)),
        )
        for m2m in model._meta.many_to_many:
            through: Any = m2m.remote_field.through
            state[f"{label}.{m2m.name}"] = sorted(
                through.objects.values_list(
                    m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
                )
            )
    return state


def changes(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        label: (sorted(set(before[label]) - set(rows)), sorted(set(rows) - set(before[label])))
        for label, rows in after.items()
        if rows != before.get(label)
    }


@contextmanager
def undone() -> Iterator[None]:
    """Run a request, then undo what it wrote: each submission starts from the same data."""
    savepoint = transaction.savepoint_create()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def fill_every_optional_field(people: dict[str, User]) -> None:
    """The demo's objects with every optional field filled and dates set: what a form could lose
    on save has a value to lose."""
    officer = people["officer"]
    day = date(2027, 6, 1)
    requirements = list(Requirement.objects.filter(assessable=True).order_by("pk")[:2])
    for item in EvidenceItem.objects.filter(organisation__slug="demo"):
        item.description = item.description or "Procédure « sauvegarde », version signée."
        item.owner = item.owner or officer
        item.effective_on = item.effective_on or day
        item.review_due_on = item.review_due_on or day + timedelta(days=365)
        item.save()
        if not item.requirements.exists():
            item.requirements.set(requirements)
    ReadinessEntry.objects.filter(organisation__slug="demo").update(
        owner=officer,
        target_date=date(2027, 1, 10),
        justification="Justification de l\u2019applicabilité",
        notes="Notes : à revoir",
    )
    SoAEntry.objects.filter(organisation__slug="demo").update(owner=officer, notes="Notes SoA")
    Subcontractor.objects.filter(organisation__slug="demo").update(
        siren="123456789", contact="contact@sous-traitant.test", notes="Contrat cadre"
    )
    ClientContact.objects.filter(client__organisation__slug="demo").update(
        function="Fonction « test »", email="contact@client.test", phone="01 02 03 04 05"
    )
    HostClient.objects.filter(organisation__slug="demo").update(siren="123456789", notes="Notes")
    Contract.objects.filter(organisation__slug="demo").update(services="Hébergement")
    Contract.objects.filter(organisation__slug="demo", is_template=False).update(
        end_on=date(2030, 1, 31)
    )
    subcontractor = Subcontractor.objects.filter(organisation__slug="demo").first()
    StorageLocation.objects.filter(organisation__slug="demo").update(
        secnumcloud=True, secnumcloud_reference="SNC-2025-01", secnumcloud_on=date(2025, 3, 1)
    )
    RemoteAccess.objects.filter(organisation__slug="demo").update(subcontractor=subcontractor)
    LawExposure.objects.filter(organisation__slug="demo").update(subcontractor=subcontractor)
    for certificate in Certificate.objects.filter(organisation__slug="demo"):
        certificate.accreditation = certificate.accreditation or "5-0001"
        certificate.scope_statement = certificate.scope_statement or "Hébergement de données"
        if certificate.kind == CertificateKind.HDS and not certificate.activities:
            certificate.activities = [3, 4]
        certificate.save()


@pytest.fixture
def found(demo: dict[str, User]) -> tuple[dict[str, Client], set[str], list[FoundForm]]:  # noqa: F811
    fill_every_optional_field(demo)
    clients = {persona: verified_client_for(demo[persona]) for persona in PERSONAS}
    routes: set[str] = set()
    every: list[FoundForm] = []
    for persona, client in clients.items():
        reached, forms_found = walk(client, persona)
        routes |= reached
        every += forms_found
    return clients, routes, every


def _all_route_names() -> set[str]:
    names: set[str] = set()

    def visit(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                visit(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    visit(get_resolver().url_patterns, "")
    return {name for name in names if not name.startswith(("api:", "admin:"))}


def unique(found_forms: list[FoundForm]) -> list[FoundForm]:
    kept: dict[tuple[str, tuple[str, ...]], FoundForm] = {}
    for one in found_forms:
        kept.setdefault(one.key, one)
    return list(kept.values())


def test_every_route_is_reached_or_listed(found) -> None:
    """A page, or a form's target, that no persona reaches must be listed with a reason:
    otherwise a new form could escape the tests below."""
    _clients, routes, forms_found = found
    reached = routes | {one.route for one in forms_found}
    missing = _all_route_names() - reached - set(UNREACHED)
    assert not missing, f"routes neither reached from a home nor listed: {sorted(missing)}"
    assert not set(UNREACHED) - _all_route_names(), "listed routes that no longer exist"


def _edit_forms(forms_found: list[FoundForm]) -> list[FoundForm]:
    # A form with no visible field is a button (remove, revoke, reset): it edits nothing.
    return [
        one
        for one in unique(forms_found)
        if one.route not in NOT_EDITS and one.visible and one.prefilled
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_edit_form_sent_back_unchanged_changes_nothing(found, demo, language) -> None:  # noqa: F811
    clients, _routes, forms_found = found
    edits = _edit_forms(forms_found)
    # The edit pages of the issue are among them, so the walk did reach them.
    edited = {one.route for one in edits}
    assert {
        "evidence:item-detail",
        "scopes:readiness-edit",
        "scopes:certificate-edit",
        "scopes:soa-edit",
        "scopes:subcontractor-detail",
        "scopes:scope-edit",
    } <= edited, sorted(edited)
    problems = []
    for one in edits:
        user = demo[one.persona]
        user.language = language
        user.save(update_fields=["language"])
        client = clients[one.persona]
        page = client.get(one.page, HTTP_ACCEPT_LANGUAGE=language)
        again = [f for f in forms_of(page.content.decode(), one.page, one.persona)]
        twin = next((f for f in again if f.key == one.key), None)
        assert twin is not None, (one.page, one.route)
        # A date input shows ISO or nothing, in every language.
        for name, value in twin.values:
            if name in twin.date_fields and value:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?", value), (one.page, name)
        before = snapshot()
        with undone():
            response = client.post(
                twin.action, _as_post(twin.values), HTTP_ACCEPT_LANGUAGE=language
            )
            after = snapshot()
        if response.status_code >= 500:
            problems.append(f"{one.route} from {one.page}: status {response.status_code}")
        if after != before:
            problems.append(f"{one.route} from {one.page} changed {changes(before, after)}")
    assert not problems, "\n".join(problems)


def _as_post(values: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in values:
        data.setdefault(name, []).append(value)
    return data


HOSTILE_TEXT = {"NUL byte": "avant\x00après", "10,000 characters": "é" * 10_000}
IMPOSSIBLE_DATES = ("2025-02-30", "31/02/2025")


def _hostile_cases(one: FoundForm) -> Iterator[tuple[str, str, str, bool]]:
    """(field, label, value, must be refused)"""
    for name in one.text_fields:
        yield name, "NUL byte", HOSTILE_TEXT["NUL byte"], True
        yield name, "10,000 characters", HOSTILE_TEXT["10,000 characters"], False
    for name in one.date_fields:
        for value in IMPOSSIBLE_DATES:
            yield name, value, value, True


def test_hostile_input_is_refused_cleanly_on_every_form(found) -> None:
    clients, _routes, forms_found = found
    problems = []
    tried = 0
    for one in unique(forms_found):
        client = clients[one.persona]
        for name, label, value, refused in _hostile_cases(one):
            data = _as_post([(n, value if n == name else v) for n, v in one.values])
            before = snapshot()
            with undone():
                response = client.post(one.action, data, HTTP_ACCEPT_LANGUAGE="fr")
                after = snapshot()
            tried += 1
            where = f"{one.route} ({one.page}) {name} = {label}"
            if response.status_code >= 500:
                problems.append(f"{where}: status {response.status_code}")
                continue
            if after == before:
                # Refused: the page again with the form, not a redirect losing the input.
                if response.status_code in {301, 302} and not one.has_file:
                    problems.append(f"{where}: refused by a redirect")
            elif refused:
                problems.append(f"{where}: accepted, changed {list(changes(before, after))}")
    assert tried > 50, tried
    assert not problems, "\n".join(problems)


def _app_forms() -> list[type[forms.BaseForm]]:
    import accessreviews.forms
    import audits.forms
    import contracts.forms
    import dossiers.forms
    import evidence.forms
    import hdsready.forms
    import scopes.forms

    modules = (
        accessreviews.forms,
        audits.forms,
        contracts.forms,
        dossiers.forms,
        evidence.forms,
        hdsready.forms,
        scopes.forms,
    )
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, forms.BaseForm)
        and value.__module__ == module.__name__
    ]


def test_every_date_field_is_the_shared_iso_one() -> None:
    found = []
    for form_class in _app_forms():
        for name, one in form_class.base_fields.items():
            shared = IsoDateTimeField if isinstance(one, forms.DateTimeField) else IsoDateField
            if isinstance(one, forms.DateField | forms.DateTimeField) and not isinstance(
                one, shared
            ):
                found.append(f"{form_class.__name__}.{name}")
    assert _app_forms()
    assert not found, found


def test_a_french_date_typed_by_hand_is_taken_whatever_the_language(settings) -> None:
    for language in ("fr", "en"):
        settings.LANGUAGE_CODE = language
        assert IsoDateField().clean("01/06/2027") == date(2027, 6, 1)
        assert IsoDateField().clean("2027-06-01") == date(2027, 6, 1)
        assert IsoDateTimeField().clean("01/06/2027 14:30").strftime("%d %H:%M") == "01 14:30"
    with pytest.raises(forms.ValidationError):
        IsoDateField().clean("31/02/2025")


# Required choices shown with a value, each with why that is no decision made for the person.
DEFAULT_CHOICES_ALLOWED = {
    "CertificateForm.kind": "the kind of the link that opened the form, shown as its title",
    "ReadinessForm.status": "an edit form: the requirement's status, 'not assessed' at first",
    "SoAForm.applicable": "an edit form: the SoA line as it stands",
    "SoAForm.implementation": "an edit form: the SoA line as it stands",
    "RoleForm.role": "each member's select shows their current role",
    "ReviewPolicyForm.interval_months": "an edit form: the access review interval as it stands",
    "BulkReadinessForm.status": "given an empty first choice when built (checked below)",
    "DossierRequestForm.kind": "asks for a print, changes nothing: defaults to a valid request",
    "DossierRequestForm.language": "asks for a print, changes nothing: defaults to French",
}


def test_no_decision_is_chosen_in_advance() -> None:
    """A required choice (a review's decision, an outcome, a role, a status for many
    requirements, an audit's kind) shows no choice made: the person picks (issue 12, item 8)."""
    preset = []
    for form_class in _app_forms():
        for name, one in form_class.base_fields.items():
            multiple = forms.MultipleChoiceField | forms.ModelMultipleChoiceField
            if not isinstance(one, forms.ChoiceField) or isinstance(one, multiple):
                continue
            if not one.required:
                continue
            choices = list(one.choices)
            first_is_empty = bool(choices) and choices[0][0] in ("", None)
            label = f"{form_class.__name__}.{name}"
            if (one.initial not in (None, "") or not first_is_empty) and (
                label not in DEFAULT_CHOICES_ALLOWED
            ):
                preset.append(label)
    assert not preset, preset
    assert set(DEFAULT_CHOICES_ALLOWED) <= {
        f"{c.__name__}.{n}" for c in _app_forms() for n in c.base_fields
    }


def test_the_review_form_shows_no_decision(found) -> None:
    """The auditor's review form and the bulk readiness change, as rendered: nothing chosen."""
    from audits.forms import EvidenceReviewForm
    from audits.models import Audit
    from scopes.forms import BulkReadinessForm

    audit = Audit.objects.filter(cycle__organisation__slug="demo").first()
    assert audit is not None
    review = EvidenceReviewForm(audit=audit, prefix="evidence-review")
    chosen = re.compile(r'<option value="[^"]+"[^>]* selected')
    assert not chosen.search(str(review["decision"]))
    organisation = audit.cycle.organisation
    framework = Requirement.objects.filter(assessable=True).select_related("framework")[0].framework
    bulk = BulkReadinessForm(organisation=organisation, framework=framework)
    assert not chosen.search(str(bulk["status"]))
    # The pages the walk found show the bulk change the same way.
    _clients, _routes, forms_found = found
    bulks = [
        one
        for one in forms_found
        if one.route == "scopes:readiness-bulk" and "status" in dict(one.values)
    ]
    assert bulks
    assert all(dict(one.values)["status"] == "" for one in bulks)


def test_the_dossier_form_as_shown_prints(found, demo) -> None:  # noqa: F811
    """Issue 12, item 7: the first "Print", with the form's defaults, asks for a dossier."""
    clients, _routes, forms_found = found
    from dossiers.models import Dossier

    (one,) = [f for f in unique(forms_found) if f.route == "dossiers:dossier-list"]
    before = Dossier.objects.count()
    response = clients[one.persona].post(one.action, _as_post(one.values))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert resolve(response["Location"]).view_name == "dossiers:dossier-detail"
    assert Dossier.objects.count() == before + 1


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_carried_over_check_form_round_trips(language, settings) -> None:
    """The check of a carried-over finding (no demo page shows one, see UNREACHED): rendered in
    each language, its choices and labels translated, and what it shows sent back is taken."""
    from django.utils import translation

    from audits.forms import CarryOverCheckForm
    from audits.models import Audit, CarryOverOutcome
    from audits.workflow import Actor

    with translation.override(language):
        form = CarryOverCheckForm(audit=Audit(), role=Actor.AUDITOR, prefix="carryover-1")
        html = lxml.html.fromstring(form.as_div())
        options = html.xpath("//select/option/@value")
        assert options == ["", *CarryOverOutcome.values]
        shown = " ".join(html.xpath("//label/text()"))
        expected = "Résultat de la vérification" if language == "fr" else "Outcome of the check"
        assert expected in shown
        for outcome in CarryOverOutcome.values:
            data = {"carryover-1-outcome": outcome, "carryover-1-comment": "Vu, « efficace »"}
            bound = CarryOverCheckForm(
                data, audit=Audit(), role=Actor.AUDITOR, prefix="carryover-1"
            )
            assert bound.is_valid(), bound.errors
            assert bound.cleaned_data == {"outcome": outcome, "comment": "Vu, « efficace »"}
        body = CarryOverCheckForm(audit=Audit(), role=Actor.BODY, prefix="carryover-1")
        assert "letter" in body.fields
