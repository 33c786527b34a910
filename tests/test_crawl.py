"""Each persona of the demo, in French, follows every link from their home (GET only, same host,
a few pages per route): no server error, every date input in ISO form, and no developer code
(choice value or audit-trail kind) in the visible text."""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from audits.management.commands.seed_demo_cycle import AUDITOR_EMAIL
from audits.models import Audit, AuditKind
from hdsready.models import Membership, Role, TrailEvent, User
from hdsready.trail_events import trail_event_kinds
from scopes.models import Requirement
from scopes.services.assessment import SoAData, soa_update
from tests.audits.conftest import auditor, cast, scoped  # noqa: F401  (the audit's people)
from tests.audits.test_delta import make_history, subcontractor_with_certificate
from tests.audits.workflow_helpers import audit_in, invite
from tests.conftest import verified_client_for
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)

PAGES_PER_ROUTE = 3
MAX_PAGES = 250
# Pages that change something on GET or leave the session: not followed.
NOT_FOLLOWED = frozenset({"hdsready:logout", "hdsready:language-set"})
# Choice values that are also ordinary words of a French page (or a proper name, a standard's
# name): finding them says nothing.
ORDINARY = frozenset(
    {
        "fr",
        "en",
        "hds",
        "iso27001",
        "partial",
        "compliant",
        "file",
        "link",
        "minor",
        "major",
        "documentary",
        "onsite",
        "initial",
        "surveillance",
        "renewal",
        "observation",  # French too: « Planifier des actions pour l’observation »
        "manager",
        "contributor",
        "officer",
        "accepted",
        "revoked",
        "expired",
        "pending",
        "draft",
        "closed",
        "cancelled",
        "decided",
        "refused",
        "open",
        "noted",
        "ready",
        "failed",
        "active",
        "retired",
        "builtin",
        "imported",
        "yaml",
        "planned",
        "implemented",
        "excluded",
        "corrections",
    }
)


def _choice_values() -> set[str]:
    values: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {
            "hdsready",
            "scopes",
            "evidence",
            "contracts",
            "audits",
            "dossiers",
        }:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.choices:
                values |= {str(value) for value, _label in field.flatchoices}
    return values


def codes() -> set[str]:
    """What must never be read on a page: choice values and trail kinds, but ordinary words."""
    found = {v for v in _choice_values() | trail_event_kinds() if not v.isdigit()}
    return {code for code in found if code.lower() not in ORDINARY}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.date_values: list[str | None] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.links.append(str(attributes["href"]))
        if tag == "input" and attributes.get("type") in {"date", "datetime-local"}:
            self.date_values.append(attributes.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


@dataclass
class Visit:
    url: str
    status: int
    problems: list[str]


# A dict or list printed as Python writes it ({'a': 1}, ['x']), not as words.
PYTHON_REPR = re.compile(r"[{\[]'[^']*'")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$")


def crawl(client: Client, start: str, forbidden: set[str]) -> list[Visit]:
    pattern = re.compile(
        r"(?<![\w.-])("
        + "|".join(re.escape(c) for c in sorted(forbidden, key=len, reverse=True))
        + r")(?![\w-])"
    )
    seen: set[str] = set()
    per_route: Counter[str] = Counter()
    queue = deque([start])
    visits: list[Visit] = []
    while queue and len(visits) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            continue
        if match.view_name in NOT_FOLLOWED or match.view_name.startswith("api:"):
            continue
        per_route[match.route] += 1
        if per_route[match.route] > PAGES_PER_ROUTE:
            continue
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr", follow=True)
        problems = []
        if response.status_code >= 500:
            problems.append(f"status {response.status_code}")
        if not response.get("Content-Type", "").startswith("text/html"):
            visits.append(Visit(url, response.status_code, problems))
            continue
        page = _Page()
        page.feed(response.content.decode())
        problems += [
            f"date input value {value!r}"
            for value in page.date_values
            if value and not ISO_DATE.match(value)
        ]
        text = " ".join(page.text)
        problems += [f"code {found!r} in the text" for found in sorted(set(pattern.findall(text)))]
        problems += [f"Python data {found!r} in the text" for found in PYTHON_REPR.findall(text)]
        visits.append(Visit(url, response.status_code, problems))
        for href in page.links:
            target, _fragment = urldefrag(urljoin(response.request["PATH_INFO"], href))
            parts = urlsplit(target)
            if parts.scheme in {"", "http"} and parts.netloc in {"", "testserver"}:
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if local not in seen:
                    queue.append(local)
    return visits


@pytest.fixture
def demo(db: None) -> dict[str, User]:
    call_command("catalog_sync", stdout=StringIO())
    for command in (
        "seed_demo",
        "seed_demo_scope",
        "seed_demo_cycle",
        "seed_demo_contracts",
        "seed_demo_sovereignty",
        "seed_demo_access_review",
    ):
        call_command(command, force=True, stdout=StringIO())
    people = {
        m.role: m.user
        for m in Membership.objects.select_related("user").filter(organisation__slug="demo")
    }
    # The seed invites its auditor to the demo audit for a window that covers today.
    demo_auditor = User.objects.get(email=AUDITOR_EMAIL)
    for user in [*people.values(), demo_auditor]:
        user.language = "fr"
        user.save(update_fields=["language"])
    return {
        "officer": people[Role.OFFICER],
        "contributor": people[Role.CONTRIBUTOR],
        "manager": people[Role.MANAGER],
        "auditor": demo_auditor,
    }


def test_every_trail_kind_of_the_demo_has_a_label(demo: dict[str, User]) -> None:
    written = set(TrailEvent.objects.values_list("kind", flat=True))
    assert written
    assert sorted(written - trail_event_kinds()) == []


def test_python_data_is_seen() -> None:
    assert PYTHON_REPR.search("Détails : {'mode': 'in_house'}")
    assert not PYTHON_REPR.search("Statut : Non évalué → Conforme")


def test_the_list_of_codes_is_not_empty() -> None:
    found = codes()
    assert {"in_house", "not_assessed", "stage1_planned", "evidence.viewed"} <= found
    assert "compliant" not in found


@pytest.mark.parametrize("persona", ["officer", "contributor", "manager", "auditor"])
def test_crawl_in_french(demo: dict[str, User], persona: str) -> None:
    visits = crawl(verified_client_for(demo[persona]), "/", codes())
    assert len(visits) > 5, [v.url for v in visits]
    problems = [f"{v.url}: {p}" for v in visits for p in v.problems]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", ["officer", "auditor"])
def test_crawl_the_delta_in_french(cast, persona: str) -> None:  # noqa: F811
    """The delta of a surveillance audit with a change in each section (tests/audits/
    test_delta.py), crawled from its page in French: no developer code in any of its sections'
    pages."""
    subcontractor_with_certificate(cast)
    soa_update(
        organisation=cast.organisation,
        control=Requirement.objects.get(framework__code="iso27001", ref_id="A.5.1"),
        data=SoAData(applicable=True),
        actor=cast.officer,
    )
    decided = audit_in("decided", cast)
    make_history(cast, 2)
    surveillance = Audit.objects.filter(cycle=decided.cycle, kind=AuditKind.SURVEILLANCE).first()
    assert surveillance is not None
    invite(surveillance, cast.officer, cast.auditor)
    user = getattr(cast, persona)
    user.language = "fr"
    user.save(update_fields=["language"])
    start = (
        reverse("audits:audit-delta", args=[cast.organisation.slug, surveillance.pk])
        if persona == "officer"
        else reverse("audits:auditor-delta", args=[surveillance.pk])
    )
    visits = crawl(verified_client_for(user), start, codes())
    delta_pages = [v for v in visits if "/delta/" in v.url]
    assert len(delta_pages) == PAGES_PER_ROUTE, [v.url for v in visits]
    problems = [f"{v.url}: {p}" for v in visits for p in v.problems]
    assert not problems, "\n".join(problems)
