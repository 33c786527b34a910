"""The dossier pages: asking for a dossier, following its layout, downloading it, retrying it.

Every view: the happy path (manager; officer for the list), the wrong method, the outsider, the
contributor and another organisation's dossier get a 404. The request runs its whole task chain
eagerly (dispatch -> render batches -> assembly, each enqueued on commit); the download checks
the stored bytes against the recorded SHA-256; query counts are pinned."""

import hashlib

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from audits.models import AuditKind
from audits.services.cycle import audit_plan, cycle_create
from dossiers.models import Dossier, DossierKind, DossierStatus, DossierUnit
from dossiers.services import DossierError
from dossiers.services import layout as dossier_layout
from dossiers.services import request as dossier_services
from hdsready.models import TrailEvent
from scopes.models import ActivityMode
from scopes.services.scope import ActivityChoice, scope_set_activities
from tests.conftest import verified_client_for
from tests.dossiers.helpers import PDF_BYTES, enqueued_tasks, stored_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OTHER_MEMBERS = ("outsider", "contributor")


@pytest.fixture
def client_as():
    """Verified clients that read the pages in English, like the messages compared here."""

    def make(user):
        client = verified_client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def url(name, organisation, *args):
    return reverse(f"dossiers:{name}", args=[organisation.slug, *args])


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


VIEWS = {  # name -> (method, allowed method)
    "dossier-detail": "get",
    "dossier-status": "get",
    "dossier-download": "get",
    "dossier-retry": "post",
}


class TestAccess:
    """The list, and each view on one dossier, for each persona."""

    def test_officer_and_manager_see_the_list(
        self, client_as, officer, manager, organisation, ready
    ):
        for user in (officer, manager):
            response = client_as(user).get(url("dossier-list", organisation))
            assert response.status_code == 200
            assert f'data-dossier="{ready.pk}"' in response.content.decode()
            assert 'id="dossier-request"' in response.content.decode()

    @pytest.mark.parametrize("persona", OTHER_MEMBERS)
    def test_list_is_a_404_without_the_permission(self, request, client_as, organisation, persona):
        client = client_as(request.getfixturevalue(persona))
        assert client.get(url("dossier-list", organisation)).status_code == 404
        data = {"kind": DossierKind.SOA, "target": "", "language": "en"}
        assert client.post(url("dossier-list", organisation), data).status_code == 404
        assert not Dossier.objects.exists()

    def test_list_wrong_method(self, client_as, manager, organisation):
        assert client_as(manager).put(url("dossier-list", organisation)).status_code == 405

    @pytest.mark.parametrize("name", VIEWS)
    def test_wrong_method(self, client_as, manager, organisation, ready, name):
        client = client_as(manager)
        wrong = client.post if VIEWS[name] == "get" else client.get
        assert wrong(url(name, organisation, ready.pk)).status_code == 405

    @pytest.mark.parametrize("persona", OTHER_MEMBERS)
    @pytest.mark.parametrize("name", VIEWS)
    def test_404_without_the_permission(
        self, request, client_as, organisation, ready, name, persona
    ):
        client = client_as(request.getfixturevalue(persona))
        response = getattr(client, VIEWS[name])(url(name, organisation, ready.pk))
        assert response.status_code == 404
        assert not TrailEvent.objects.filter(kind__startswith="dossier.").exists()

    @pytest.mark.parametrize("name", VIEWS)
    def test_another_organisations_dossier_is_a_404(
        self, client_as, manager, organisation, foreign, name
    ):
        response = getattr(client_as(manager), VIEWS[name])(url(name, organisation, foreign.pk))
        assert response.status_code == 404
        foreign.refresh_from_db()
        assert foreign.status == DossierStatus.READY
        assert not TrailEvent.objects.filter(kind__startswith="dossier.").exists()


class TestRequest:
    def test_full_dossier_runs_the_whole_chain(
        self, client_as, manager, organisation, cycle, django_capture_on_commit_callbacks
    ):
        assert settings.CELERY_TASK_ALWAYS_EAGER, "run with CELERY_TASK_ALWAYS_EAGER=true"
        client = client_as(manager)
        data = {"kind": DossierKind.FULL, "target": f"cycle:{cycle.pk}", "language": "fr"}
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(url("dossier-list", organisation), data)

        dossier = Dossier.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("dossier-detail", organisation, dossier.pk)
        batches = settings.DOSSIER_RENDER_BATCHES
        assert [task for task, _args in enqueued_tasks(callbacks)] == [
            "dossiers.tasks.dossier_dispatch_task",
            *["dossiers.tasks.dossier_units_render_task"] * batches,
            "dossiers.tasks.dossier_assemble_task",
        ]
        assert DossierUnit.objects.filter(dossier=dossier).count() > batches
        assert (dossier.kind, dossier.cycle, dossier.requested_by) == (
            DossierKind.FULL,
            cycle,
            manager,
        )
        assert dossier.status == DossierStatus.READY
        assert dossier.page_count > 2
        with default_storage.open(dossier.file.name, "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == dossier.sha256
        assert list(
            TrailEvent.objects.filter(object_id=str(dossier.pk), kind__startswith="dossier.")
            .order_by("seq")
            .values_list("kind", flat=True)
        ) == ["dossier.requested", "dossier.ready"]

        page = client.get(response["Location"]).content.decode()
        assert url("dossier-download", organisation, dossier.pk) in page
        assert f'<code class="sha" id="dossier-sha256">{dossier.sha256}</code>' in page
        assert f"Download the PDF ({dossier.page_count} pages)" in page

        download = client.get(url("dossier-download", organisation, dossier.pk))
        assert download.status_code == 200
        assert download.content.startswith(b"%PDF-")
        assert hashlib.sha256(download.content).hexdigest() == dossier.sha256

    def test_the_officer_can_ask_for_the_soa(
        self, client_as, officer, organisation, django_capture_on_commit_callbacks
    ):
        data = {"kind": DossierKind.SOA, "target": "", "language": "en"}
        with django_capture_on_commit_callbacks(execute=True):
            response = client_as(officer).post(url("dossier-list", organisation), data)
        dossier = Dossier.objects.get()
        assert response["Location"] == url("dossier-detail", organisation, dossier.pk)
        assert (dossier.kind, dossier.language, dossier.status) == (
            DossierKind.SOA,
            "en",
            DossierStatus.READY,
        )

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (
                {"kind": "brochure", "target": "", "language": "fr"},
                "Select a valid choice. brochure is not one of the available choices.",
            ),
            (
                {"kind": DossierKind.STAGE1, "target": "", "language": "fr"},
                "Choose the audit this dossier is for.",
            ),
            (
                {"kind": DossierKind.FULL, "target": "", "language": "fr"},
                "Choose the certification cycle this dossier is for.",
            ),
            (
                {"kind": DossierKind.STAGE2, "target": "audit:{other}", "language": "fr"},
                "is not one of the available choices.",
            ),
            (
                {"kind": DossierKind.FULL, "target": "cycle:{other_cycle}", "language": "fr"},
                "is not one of the available choices.",
            ),
            (
                {"kind": DossierKind.SOA, "target": "", "language": "tlh"},
                "tlh is not one of the available choices.",
            ),
        ],
    )
    def test_bad_input_shows_a_message_and_creates_nothing(
        self,
        client_as,
        manager,
        organisation,
        cycle,
        other_organisation,
        other_officer,
        data,
        message,
        django_capture_on_commit_callbacks,
    ):
        scope_set_activities(
            organisation=other_organisation,
            choices={3: ActivityChoice(ActivityMode.IN_HOUSE)},
            actor=other_officer,
        )
        other_cycle = cycle_create(
            organisation=other_organisation,
            certification_body="Organisme Y",
            accreditation="5-0002",
            actor=other_officer,
        )
        other = audit_plan(cycle=other_cycle, kind=AuditKind.INITIAL, actor=other_officer)
        data = {
            **data,
            "target": data["target"].format(other=other.pk, other_cycle=other_cycle.pk),
        }
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_as(manager).post(url("dossier-list", organisation), data, follow=True)

        # The page again with the form as typed and the error beside its field.
        assert (response.status_code, response.redirect_chain) == (200, [])
        assert message in response.context["form"].errors.as_text()
        assert message in response.content.decode()
        assert not Dossier.objects.exists()
        assert not enqueued_tasks(callbacks)
        assert not TrailEvent.objects.filter(kind__startswith="dossier.").exists()

    def test_an_audit_of_another_organisation_is_refused_by_the_service_too(
        self, client_as, manager, organisation, cycle, other_organisation, other_officer
    ):
        """The form offers only this organisation's targets; the service checks it again."""
        scope_set_activities(
            organisation=other_organisation,
            choices={3: ActivityChoice(ActivityMode.IN_HOUSE)},
            actor=other_officer,
        )
        other_cycle = cycle_create(
            organisation=other_organisation,
            certification_body="Organisme Y",
            accreditation="5-0002",
            actor=other_officer,
        )
        other = audit_plan(cycle=other_cycle, kind=AuditKind.INITIAL, actor=other_officer)
        with pytest.raises(DossierError, match="Choose the audit"):
            dossier_services.dossier_request(
                organisation=organisation,
                target=dossier_services.DossierTarget(kind=DossierKind.STAGE1, audit=other),
                language="fr",
                actor=manager,
            )
        assert not Dossier.objects.exists()


class TestDetailAndStatus:
    def test_detail_of_a_ready_dossier(self, client_as, manager, organisation, ready):
        response = client_as(manager).get(url("dossier-detail", organisation, ready.pk))
        page = response.content.decode()
        assert response.status_code == 200
        assert f'href="{url("dossier-download", organisation, ready.pk)}"' in page
        assert ready.sha256 in page
        assert 'id="dossier-retry"' not in page

    def test_detail_of_a_dossier_in_flight(self, client_as, manager, organisation):
        dossier = stored_dossier(organisation, manager, status=DossierStatus.RENDERING)
        page = client_as(manager).get(url("dossier-detail", organisation, dossier.pk))
        content = page.content.decode()
        assert 'id="dossier-bar"' in content
        assert url("dossier-status", organisation, dossier.pk) in content
        assert "js/dossier-progress.js" in content
        assert 'id="dossier-download"' not in content

    def test_status_of_a_ready_dossier(self, client_as, manager, organisation, ready):
        response = client_as(manager).get(url("dossier-status", organisation, ready.pk))
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert response.json() == {
            "status": "ready",
            "label": "Ready",
            "done": 1,
            "total": 1,
            "percent": 100,
            "finished": True,
            "download": url("dossier-download", organisation, ready.pk),
        }

    def test_status_counts_the_units_laid_out(
        self, client_as, manager, organisation, cycle, django_capture_on_commit_callbacks
    ):
        """Requested but not dispatched (callbacks not run): every unit pending, then one
        ready: the assembly is the last step."""
        dossier = dossier_services.dossier_request(
            organisation=organisation,
            target=dossier_services.DossierTarget(kind=DossierKind.FULL, cycle=cycle),
            language="fr",
            actor=manager,
        )
        units = DossierUnit.objects.filter(dossier=dossier).count()
        client = client_as(manager)
        assert client.get(url("dossier-status", organisation, dossier.pk)).json() == {
            "status": "queued",
            "label": "Queued",
            "done": 0,
            "total": units + 1,
            "percent": 0,
            "finished": False,
            "download": None,
        }
        first = DossierUnit.objects.filter(dossier=dossier).order_by("position").first()
        assert first is not None
        dossier_layout.units_render(unit_ids=[first.unit_id], claim="a-task-id")
        data = client.get(url("dossier-status", organisation, dossier.pk)).json()
        assert (data["done"], data["total"], data["finished"]) == (1, units + 1, False)
        assert data["percent"] == round(100 / (units + 1))


class TestDownload:
    def test_download_serves_the_recorded_bytes(self, client_as, manager, organisation, ready):
        response = client_as(manager).get(url("dossier-download", organisation, ready.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content == PDF_BYTES
        assert hashlib.sha256(response.content).hexdigest() == ready.sha256
        assert response["X-Content-SHA256"] == ready.sha256
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="Full certification dossier - ')
        assert f"{organisation.name} - {ready.pk}.pdf" in disposition
        assert TrailEvent.objects.filter(
            kind="dossier.downloaded", actor=manager, object_id=str(ready.pk)
        ).exists()

    def test_a_changed_byte_is_refused_and_trailed(self, client_as, manager, organisation, ready):
        tampered = bytearray(PDF_BYTES)
        tampered[10] ^= 0x01
        path = default_storage.path(ready.file.name)
        with open(path, "wb") as stored:
            stored.write(bytes(tampered))

        response = client_as(manager).get(url("dossier-download", organisation, ready.pk))

        assert response.status_code == 409
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert 'id="integrity-error"' in page
        assert f"SHA-256 {ready.sha256}" in page
        assert bytes(tampered) not in response.content
        event = TrailEvent.objects.get(kind="dossier.integrity_failed")
        assert (event.actor, event.organisation, event.object_id) == (
            manager,
            organisation,
            str(ready.pk),
        )
        assert event.data == {"expected": ready.sha256}
        assert not TrailEvent.objects.filter(kind="dossier.downloaded").exists()

    def test_a_dossier_not_ready_is_not_served(self, client_as, manager, organisation):
        dossier = stored_dossier(organisation, manager, status=DossierStatus.RENDERING)
        response = client_as(manager).get(
            url("dossier-download", organisation, dossier.pk), follow=True
        )
        assert response.redirect_chain == [(url("dossier-detail", organisation, dossier.pk), 302)]
        assert texts(response) == ["This dossier is not ready."]


class TestRetry:
    def test_retry_requeues_a_failed_dossier(
        self, client_as, manager, organisation, cycle, django_capture_on_commit_callbacks
    ):
        dossier = dossier_services.dossier_request(
            organisation=organisation,
            target=dossier_services.DossierTarget(kind=DossierKind.FULL, cycle=cycle),
            language="fr",
            actor=manager,
        )
        Dossier.objects.filter(pk=dossier.pk).update(
            status=DossierStatus.FAILED, error="The layout took too long and was stopped."
        )

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client_as(manager).post(
                url("dossier-retry", organisation, dossier.pk), follow=True
            )

        assert response.redirect_chain == [(url("dossier-detail", organisation, dossier.pk), 302)]
        assert texts(response) == ["The dossier is being laid out again."]
        dossier.refresh_from_db()
        assert (dossier.status, dossier.error, dossier.finished_at) == (
            DossierStatus.QUEUED,
            "",
            None,
        )
        assert enqueued_tasks(callbacks) == [("dossiers.tasks.dossier_dispatch_task", [dossier.pk])]
        assert TrailEvent.objects.filter(
            kind="dossier.retried", actor=manager, object_id=str(dossier.pk)
        ).exists()

    def test_retry_of_a_ready_dossier_is_refused(self, client_as, manager, organisation, ready):
        response = client_as(manager).post(
            url("dossier-retry", organisation, ready.pk), follow=True
        )
        assert response.redirect_chain == [(url("dossier-detail", organisation, ready.pk), 302)]
        assert texts(response) == ["Only a dossier that failed can be retried."]
        ready.refresh_from_db()
        assert ready.status == DossierStatus.READY
        assert not TrailEvent.objects.filter(kind="dossier.retried").exists()


# session, user, TOTP device, organisation (with the permission check), then the page's own
# reads. The list: cycles and their audits (the form's targets), the unread notifications and
# the memberships of the layout, one query for the dossiers with their users.
LIST_QUERIES = 9
DETAIL_QUERIES = 7  # the dossier, the layout's notifications and memberships
STATUS_QUERIES = 6  # the dossier, and its units' progress in one aggregate


class TestQueryCounts:
    def count_list(self, client, organisation, django_assert_num_queries, expected):
        client.get(url("dossier-list", organisation))
        with django_assert_num_queries(expected):
            response = client.get(url("dossier-list", organisation))
        return response

    @pytest.mark.parametrize("dossiers", [1, 10])
    def test_list(
        self, client_as, manager, officer, organisation, cycle, dossiers, django_assert_num_queries
    ):
        for index in range(dossiers):
            stored_dossier(organisation, officer if index % 2 else manager, cycle=cycle)
        response = self.count_list(
            client_as(manager), organisation, django_assert_num_queries, LIST_QUERIES
        )
        assert response.content.decode().count("data-dossier=") == dossiers

    def test_detail(self, client_as, manager, organisation, ready, django_assert_num_queries):
        client = client_as(manager)
        client.get(url("dossier-detail", organisation, ready.pk))
        with django_assert_num_queries(DETAIL_QUERIES):
            client.get(url("dossier-detail", organisation, ready.pk))

    def test_status_in_flight(self, client_as, manager, organisation, django_assert_num_queries):
        dossier = stored_dossier(organisation, manager, status=DossierStatus.RENDERING)
        client = client_as(manager)
        client.get(url("dossier-status", organisation, dossier.pk))
        with django_assert_num_queries(STATUS_QUERIES):
            client.get(url("dossier-status", organisation, dossier.pk))


class TestOrganisationHome:
    def test_a_manager_sees_the_dossiers_card(self, client_as, manager, organisation):
        page = client_as(manager).get(
            reverse("hdsready:organisation-home", args=[organisation.slug])
        )
        content = page.content.decode()
        assert 'id="home-dossiers"' in content
        assert f'href="{url("dossier-list", organisation)}"' in content

    def test_a_contributor_does_not(self, client_as, contributor, organisation):
        page = client_as(contributor).get(
            reverse("hdsready:organisation-home", args=[organisation.slug])
        )
        assert page.status_code == 200
        content = page.content.decode()
        assert 'id="home-dossiers"' not in content
        assert url("dossier-list", organisation) not in content
