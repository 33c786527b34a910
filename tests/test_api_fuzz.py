"""Schemathesis against the live server: every operation of the OpenAPI schema (the token routes
aside, so the run cannot revoke its own token), with valid and with invalid data, on the demo of
`make run`, with the bearer tokens of its officer and of its invited auditor. A server error, a
status code or a content type the schema does not document, a response body or header it does
not describe: any of them fails the test, each failing operation reported with a curl line.

Bounded and repeatable: a fixed number of examples per operation and mode, derandomized (the
same requests on every run), no shrinking. The path's ids are drawn half the time from objects
that exist, so real objects are served and their bodies checked, not only 404s.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from django.db.models import QuerySet
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pytest_django.live_server_helper import LiveServer
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from audits.management.commands.seed_demo_cycle import AUDITOR_EMAIL
from audits.models import Audit, AuditorAccess, Cycle, Finding
from audits.workflow import ACTIONS_BY_NAME
from contracts.clauses import CLAUSES
from contracts.models import Client as HostClient
from contracts.models import Contract
from dossiers.models import Dossier
from evidence.models import EvidenceItem, EvidenceVersion
from hdsready.models import Organisation, Role, User
from hdsready.services.tokens import api_token_create
from scopes.models import (
    Certificate,
    CertificateProcedureTask,
    Framework,
    Requirement,
    Subcontractor,
)
from scopes.selectors import HDS_CODE, annex_a_controls
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from tests.evidence.conftest import store  # noqa: F401  (isolated MEDIA_ROOT)
from tests.test_crawl import demo  # noqa: F401  (the demo of `make run`, one persona per role)

# Examples per operation and generation mode: every operation reaches its real objects and its
# documented errors, and the whole run stays within a few minutes on two cores.
MAX_EXAMPLES = 20
SLUG = "demo"
# Revoking its own token would turn every later request into a 401.
EXCLUDED_PATHS = r"^/api/tokens/"

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


def api_schema() -> schemathesis.BaseSchema:
    """The schema drf-spectacular serves at /api/schema/, generated in-process."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    document = json.loads(OpenApiJsonRenderer().render(generated))
    return schemathesis.openapi.from_dict(document).exclude(path_regex=EXCLUDED_PATHS)


def _ids(queryset: QuerySet[Any]) -> list[int]:
    # The seed's first few and the newest few, which the run itself may have created.
    oldest = queryset.order_by("pk").values_list("pk", flat=True)[:3]
    newest = queryset.order_by("-pk").values_list("pk", flat=True)[:3]
    return sorted({*oldest, *newest})


def existing_values(organisation: Organisation) -> dict[str, list[Any]]:
    """Values of the path parameters that name real objects: `id` by the path's first segment
    after the organisation (or after auditor/), the inner parameters by their name."""
    findings = Finding.objects.filter(audit__cycle__organisation=organisation)
    return {
        "cycles": _ids(Cycle.objects.filter(organisation=organisation)),
        "audits": _ids(Audit.objects.filter(cycle__organisation=organisation)),
        "evidence": _ids(EvidenceItem.objects.filter(organisation=organisation)),
        "versioned": _ids(
            EvidenceItem.objects.filter(
                organisation=organisation, versions__isnull=False
            ).distinct()
        ),
        "findings": _ids(findings),
        "subcontractors": _ids(Subcontractor.objects.filter(organisation=organisation)),
        "certificates": _ids(Certificate.objects.filter(organisation=organisation)),
        "certificate-tasks": _ids(
            CertificateProcedureTask.objects.filter(procedure__organisation=organisation)
        ),
        "dossiers": _ids(Dossier.objects.filter(organisation=organisation)),
        "frameworks": _ids(Framework.objects.all()),
        "soa": _ids(annex_a_controls()),
        "readiness": _ids(Requirement.objects.filter(framework__code=HDS_CODE, assessable=True)),
        "number": sorted(
            set(
                EvidenceVersion.objects.filter(item__organisation=organisation).values_list(
                    "number", flat=True
                )
            )
        ),
        "access_pk": _ids(AuditorAccess.objects.filter(audit__cycle__organisation=organisation)),
        "finding_pk": _ids(findings),
        "action": sorted(ACTIONS_BY_NAME),
        "contracts": _ids(Contract.objects.filter(organisation=organisation)),
        "clients": _ids(HostClient.objects.filter(organisation=organisation)),
        "clause": [clause.code for clause in CLAUSES],
        "sovereignty/storage": _ids(StorageLocation.objects.filter(organisation=organisation)),
        "sovereignty/access": _ids(RemoteAccess.objects.filter(organisation=organisation)),
        "sovereignty/laws": _ids(LawExposure.objects.filter(organisation=organisation)),
        # Requirements of the audit programme: EXI 01 to 05 apply to every host.
        "rpk": _ids(
            Requirement.objects.filter(
                framework__code=HDS_CODE, assessable=True, ref_id__lte="EXI 05"
            )
        ),
    }


def real_path_values(path: str, existing: dict[str, list[Any]]) -> dict[str, list[Any]]:
    segments = path.removeprefix("/api/").removeprefix("o/{slug}/").split("/")
    first = segments[1] if segments[0] == "auditor" else segments[0]
    if first == "sovereignty":  # one register, three kinds of line
        first = "/".join(segments[:2])
    values = {
        name: existing[name]
        for name in ("number", "access_pk", "finding_pk", "action", "clause", "rpk")
    }
    # A version's path needs an item that has versions.
    values["id"] = existing.get("versioned" if "{number}" in path else first, [])
    return {name: found for name, found in values.items() if found}


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_as_its_schema_says(
    live_server: LiveServer,
    demo: dict[str, User],  # noqa: F811
) -> None:
    officer = demo["officer"]
    auditor = demo["auditor"]
    assert auditor.email == AUDITOR_EMAIL
    organisation = Organisation.objects.get(slug=SLUG)
    assert organisation.memberships.get(user=officer).role == Role.OFFICER
    tokens = {
        "officer": api_token_create(user=officer, name="fuzz", actor=officer)[1],
        "auditor": api_token_create(user=auditor, name="fuzz", actor=auditor)[1],
    }
    statuses: dict[str, list[int]] = defaultdict(list)
    failures: list[str] = []
    operations = []

    read = list(api_schema().get_all_operations())
    # An operation the schema describes in a way schemathesis cannot read fails here.
    assert all(isinstance(result, Ok) for result in read), [
        result.err() for result in read if not isinstance(result, Ok)
    ]
    # Deletions last: every other operation meets the seed's objects still there (a contract
    # deleted first would leave its clauses' reads nothing real to serve).
    in_order = sorted(
        (result.ok() for result in read if isinstance(result, Ok)),
        key=lambda operation: operation.method.lower() == "delete",
    )

    with requests.Session() as session:
        for operation in in_order:
            operations.append(operation.label)
            # The auditor's routes with the auditor's token; the rest as the officer.
            holder = "auditor" if operation.path.startswith("/api/auditor/") else "officer"
            headers = {"Authorization": f"Bearer {tokens[holder]}"}
            real = real_path_values(operation.path, existing_values(organisation))

            def call(case: schemathesis.Case, headers: dict[str, str] = headers) -> None:
                response = case.call(base_url=live_server.url, session=session, headers=headers)
                statuses[case.operation.label].append(response.status_code)
                case.validate_response(response, checks=CHECKS, headers=headers)

            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    fuzz(operation, mode, real, call)
                except (Exception, FailureGroup) as exc:
                    failures.append(f"{operation.label} [{mode.value}]\n{exc}")

    assert len(operations) > 40  # the schema was read
    assert not any(
        label.startswith(("GET /api/tokens", "POST /api/tokens")) for label in operations
    )
    assert not failures, f"{len(failures)} failing operations:\n\n" + "\n\n".join(failures)
    # Every read served a real object at least once: the bodies above were checked, not only
    # the 404s of ids that do not exist.
    never_served = [
        label
        for label in operations
        if label.startswith("GET ") and not any(200 <= s < 300 for s in statuses[label])
    ]
    assert never_served == []


def fuzz(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    real: dict[str, list[Any]],
    call: Callable[[schemathesis.Case], None],
) -> None:
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case: schemathesis.Case, data: st.DataObject) -> None:
        parameters = case.path_parameters
        if parameters is not None:
            if "slug" in parameters:
                parameters["slug"] = SLUG
            for name, values in real.items():
                if name in parameters and data.draw(st.booleans()):
                    parameters[name] = data.draw(st.sampled_from(values))
        call(case)

    run()
