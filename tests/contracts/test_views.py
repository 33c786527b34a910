"""The register's pages: members read, contributors edit, managers only read, outsiders get
404; the clauses form keeps input and shows errors beside the fields; the contacts export reads
back; hostile input is refused with nothing saved; list pages cost the same as they grow."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contracts.clauses import CLAUSES
from contracts.models import Client, ClientContact, Contract, ContractClause
from contracts.services import ClientData, ContactData, client_contact_save, client_save
from hdsready.models import TrailEvent
from scopes.activities import ACTIVITIES_BY_NUMBER
from tests.contracts.conftest import make_contract
from tests.factories import OrganisationFactory, make_member

pytestmark = pytest.mark.django_db


def url(name, organisation, *args):
    return reverse(f"contracts:{name}", args=[organisation.slug, *args])


def clause_post(contract, **changes):
    """The clauses form as shown (every field), with `changes` ({"exi17-state": ...})."""
    data = {}
    own = {row.clause: row for row in ContractClause.objects.filter(contract=contract)}
    for clause in CLAUSES:
        row = own.get(clause.code)
        data[f"{clause.code}-state"] = row.state if row else ""
        data[f"{clause.code}-reference"] = row.reference if row else ""
        data[f"{clause.code}-note"] = row.note if row else ""
    data.update(changes)
    return data


def snapshot():
    return (
        list(Client.objects.values_list()),
        list(ClientContact.objects.values_list()),
        list(Contract.objects.values_list()),
        sorted(ContractClause.objects.values_list("contract", "clause", "state", "reference")),
        TrailEvent.objects.count(),
    )


READ_PAGES = [
    ("contract-list", lambda r: ()),
    ("contract-detail", lambda r: (r.contract.pk,)),
    ("contract-detail", lambda r: (r.template.pk,)),
    ("client-list", lambda r: ()),
    ("client-detail", lambda r: (r.client.pk,)),
]


class TestPermissions:
    @pytest.mark.parametrize(("name", "args"), READ_PAGES)
    @pytest.mark.parametrize("persona", ["officer", "contributor", "manager"])
    def test_members_read(self, request, client_as, organisation, register, name, args, persona):
        user = request.getfixturevalue(persona)
        response = client_as(user).get(url(name, organisation, *args(register)))
        assert response.status_code == 200

    @pytest.mark.parametrize(("name", "args"), READ_PAGES)
    def test_outsider_gets_404(self, client_as, outsider, organisation, register, name, args):
        response = client_as(outsider).get(url(name, organisation, *args(register)))
        assert response.status_code == 404

    def test_an_id_of_another_organisation_is_404(self, client_as, officer, organisation, register):
        other = OrganisationFactory(slug="tiers")
        stranger = make_member(other, "officer", email="o@tiers.test")
        client = client_save(organisation=other, data=ClientData(name="X"), actor=stranger)
        contract = make_contract(other, stranger, client)
        browser = client_as(officer)
        assert browser.get(url("client-detail", organisation, client.pk)).status_code == 404
        assert browser.get(url("contract-detail", organisation, contract.pk)).status_code == 404

    def test_manager_cannot_edit(self, client_as, manager, organisation, register):
        browser = client_as(manager)
        before = snapshot()
        page = browser.get(url("contract-detail", organisation, register.contract.pk))
        assert 'id="clauses-form"' not in page.content.decode()
        for name, args, data in (
            ("contract-detail", (register.contract.pk,), clause_post(register.contract)),
            ("contract-edit", (register.contract.pk,), {"title": "X"}),
            ("contract-delete", (register.contract.pk,), {}),
            ("contract-create", (), {"title": "X"}),
            ("client-list", (), {"name": "Nouveau"}),
            ("client-detail", (register.client.pk,), {"name": "Y"}),
            ("client-delete", (register.client.pk,), {}),
            ("contact-create", (register.client.pk,), {"contact-name": "Z"}),
        ):
            assert browser.post(url(name, organisation, *args), data).status_code == 404, name
        assert snapshot() == before

    def test_wrong_method(self, client_as, officer, organisation, register):
        browser = client_as(officer)
        assert (
            browser.get(url("contract-delete", organisation, register.contract.pk)).status_code
            == 405
        )
        assert browser.post(url("contract-list", organisation)).status_code == 405
        assert browser.post(url("contact-export", organisation)).status_code == 405


class TestContractPages:
    def test_contributor_creates_a_contract_from_the_template(
        self, client_as, contributor, organisation, register, english
    ):
        browser = client_as(contributor)
        form = browser.get(
            url("contract-create", organisation) + f"?template={register.template.pk}"
        )
        assert f'<option value="{register.template.pk}" selected>' in form.content.decode()
        response = browser.post(
            url("contract-create", organisation) + f"?template={register.template.pk}",
            {
                "title": "Hébergement HDS",
                "client": register.client.pk,
                "template": register.template.pk,
                "activities": ["3", "6"],
                "start_on": "01/02/2025",
                "end_on": "",
            },
        )
        contract = Contract.objects.get(title="Hébergement HDS")
        assert response.status_code == 302
        assert (contract.template, contract.activities, contract.start_on) == (
            register.template,
            [3, 6],
            date(2025, 2, 1),
        )
        page = browser.get(url("contract-detail", organisation, contract.pk)).content.decode()
        assert "Inherited: Present" in page
        assert TrailEvent.objects.filter(kind="contract.created", actor=contributor).exists()

    def test_clauses_form_marks_a_clause_missing(
        self, client_as, contributor, organisation, register
    ):
        browser = client_as(contributor)
        response = browser.post(
            url("contract-detail", organisation, register.contract.pk),
            clause_post(register.contract, **{"exi17-state": "missing", "exi17-note": "Absente"}),
        )
        assert response.status_code == 302
        row = ContractClause.objects.get(contract=register.contract, clause="exi17")
        assert (row.state, row.note) == ("missing", "Absente")

    def test_present_without_reference_shows_the_error_beside_the_field_and_keeps_input(
        self, client_as, contributor, organisation, register, english
    ):
        before = snapshot()
        response = client_as(contributor).post(
            url("contract-detail", organisation, register.contract.pk),
            clause_post(
                register.contract,
                **{
                    "exi19-state": "present",
                    "exi19-note": "Voir l’annexe",
                    "exi20-state": "missing",
                },
            ),
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert snapshot() == before
        row = html.split('data-clause="EXI 19"')[1].split("</tr>")[0]
        assert "Give the article or page where the clause is." in row
        assert "Voir l’annexe" in row
        assert '<option value="missing" selected>' in html.split('data-clause="EXI 20"')[1]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("exi17-reference", "art.\x00 2"),
            ("exi17-reference", "é" * 10_000),
            ("exi17-state", "maybe"),
        ],
    )
    def test_hostile_clause_input_is_refused(
        self, client_as, contributor, organisation, register, field, value
    ):
        before = snapshot()
        data = clause_post(register.contract, **{"exi17-state": "present", field: value})
        response = client_as(contributor).post(
            url("contract-detail", organisation, register.contract.pk), data
        )
        assert response.status_code == 200
        assert snapshot() == before

    @pytest.mark.parametrize(
        "changes",
        [
            {"title": "a\x00b"},
            {"title": "é" * 10_000},
            {"start_on": "2025-02-30"},
            {"start_on": "31/02/2025"},
            {"end_on": "2020-01-01"},
        ],
    )
    def test_hostile_contract_input_is_refused(
        self, client_as, contributor, organisation, register, changes
    ):
        data = {
            "title": "X",
            "client": register.client.pk,
            "start_on": timezone.localdate().isoformat(),
            **changes,
        }
        before = snapshot()
        response = client_as(contributor).post(url("contract-create", organisation), data)
        assert response.status_code == 200
        assert snapshot() == before

    def test_another_organisations_client_is_a_clear_error(
        self, client_as, contributor, organisation, register, english
    ):
        other = OrganisationFactory(slug="tiers")
        stranger = make_member(other, "officer", email="o@tiers.test")
        foreign = client_save(organisation=other, data=ClientData(name="X"), actor=stranger)
        before = snapshot()
        response = client_as(contributor).post(
            url("contract-create", organisation),
            {"title": "X", "client": foreign.pk, "start_on": "2025-01-01"},
        )
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
        assert snapshot() == before

    def test_filters_and_gap_list(self, client_as, manager, organisation, officer, register):
        today = timezone.localdate()
        make_contract(
            organisation,
            officer,
            register.client,
            title="Terminé",
            start_on=today - timedelta(days=50),
            end_on=today - timedelta(days=5),
        )
        browser = client_as(manager)

        def titles(query):
            html = browser.get(url("contract-list", organisation) + query).content.decode()
            return {c.title for c in Contract.objects.all() if f">{c.title}</a>" in html}

        assert titles("?status=active") == {"Hébergement"}
        assert titles("?status=ended") == {"Terminé"}
        assert titles("?status=template") == {"Modèle 2025"}
        # EXI 17: present through the template; EXI 18: missing through it.
        assert titles("?status=active&gap=exi17") == set()
        assert titles("?status=active&gap=exi18") == {"Hébergement"}
        assert browser.get(url("contract-list", organisation) + "?status=nope").status_code == 200

    def test_list_queries_stay_the_same_as_it_grows(
        self, client_as, officer, organisation, register
    ):
        browser = client_as(officer)
        list_url = url("contract-list", organisation)
        browser.get(list_url)
        with CaptureQueriesContext(connection) as first:
            browser.get(list_url)
        for n in range(15):
            client = client_save(
                organisation=organisation, data=ClientData(name=f"C{n}"), actor=officer
            )
            make_contract(organisation, officer, client, template=register.template)
        with CaptureQueriesContext(connection) as more:
            response = browser.get(list_url)
        assert response.content.decode().count('href="/o/clinicloud/contracts/') > 15
        assert len(more) == len(first)


class TestClientPages:
    def test_contributor_adds_client_and_contacts(self, client_as, contributor, organisation):
        browser = client_as(contributor)
        response = browser.post(url("client-list", organisation), {"name": "CH Nord", "siren": ""})
        client = Client.objects.get(name="CH Nord")
        assert response.status_code == 302
        response = browser.post(
            url("contact-create", organisation, client.pk),
            {
                "contact-name": "Dr Roux",
                "contact-function": "Médecin",
                "contact-email": "roux@ch.test",
                "contact-health_professional": "on",
            },
        )
        assert response.status_code == 302
        contact = ClientContact.objects.get()
        assert contact.health_professional
        assert not contact.incident_referent
        page = browser.get(url("client-detail", organisation, client.pk)).content.decode()
        assert "Dr Roux" in page

    def test_a_bad_contact_keeps_the_input(self, client_as, contributor, organisation, english):
        client = client_save(
            organisation=organisation, data=ClientData(name="CH"), actor=contributor
        )
        response = client_as(contributor).post(
            url("contact-create", organisation, client.pk),
            {"contact-name": "Dr Roux", "contact-email": "pas une adresse"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="Dr Roux"' in html
        assert "Enter a valid email address." in html
        assert not ClientContact.objects.exists()

    def test_client_list_queries_stay_the_same(self, client_as, officer, organisation):
        browser = client_as(officer)
        list_url = url("client-list", organisation)

        def add(n):
            client = client_save(
                organisation=organisation, data=ClientData(name=f"C{n}"), actor=officer
            )
            client_contact_save(client=client, data=ContactData(name="X"), actor=officer)

        add(0)
        browser.get(list_url)
        with CaptureQueriesContext(connection) as first:
            browser.get(list_url)
        for n in range(1, 15):
            add(n)
        with CaptureQueriesContext(connection) as more:
            browser.get(list_url)
        assert len(more) == len(first)

    def test_gap_filter(self, client_as, manager, organisation, officer, register):
        other = client_save(organisation=organisation, data=ClientData(name="Autre"), actor=officer)
        client_contact_save(
            client=other, data=ContactData(name="Dr X", health_professional=True), actor=officer
        )
        html = (
            client_as(manager)
            .get(url("client-list", organisation) + "?gap=health_professional")
            .content.decode()
        )
        assert ">Clinique des Lilas</a>" in html
        assert ">Autre</a>" not in html


class TestContactsExport:
    def test_the_workbook_reads_back_and_the_export_is_recorded(
        self, client_as, manager, organisation, officer, register
    ):
        client_contact_save(
            client=register.client,
            data=ContactData(
                name='=HYPERLINK("http://x")',
                function="Médecin DIM",
                email="dim@lilas.test",
                phone="01 02",
                health_professional=True,
            ),
            actor=officer,
        )
        client_contact_save(
            client=register.client,
            data=ContactData(name="Paul", incident_referent=True),
            actor=officer,
        )
        response = client_as(manager).get(
            url("contact-export", organisation), HTTP_ACCEPT_LANGUAGE="fr"
        )
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert len(rows) == 3
        assert rows[1][:6] == [
            "Clinique des Lilas",
            None,
            '=HYPERLINK("http://x")',
            "Médecin DIM",
            "dim@lilas.test",
            "01 02",
        ]
        assert sheet.cell(row=2, column=3).data_type == "s"  # text, not a formula
        assert rows[2][2] == "Paul"
        assert rows[1][6] != rows[2][6]
        assert rows[1][7] != rows[2][7]
        event = TrailEvent.objects.get(kind="client_contacts.exported")
        assert (event.actor, event.data) == (manager, {"rows": 2})

    def test_outsider_gets_404_and_nothing_recorded(self, client_as, outsider, organisation):
        before = TrailEvent.objects.count()
        assert client_as(outsider).get(url("contact-export", organisation)).status_code == 404
        assert TrailEvent.objects.count() == before


@pytest.mark.parametrize("language", ["fr", "en"])
def test_forms_sent_back_unchanged_change_nothing(
    client_as, contributor, organisation, register, language
):
    """The contract, clauses, client and contact forms, rendered in each language and sent back
    as shown, change nothing (dates stay ISO, inherited clauses stay inherited)."""
    import lxml.html

    contact = client_contact_save(
        client=register.client,
        data=ContactData(name="Dr A", function="DIM", email="a@b.test", health_professional=True),
        actor=contributor,
    )
    contract = register.contract
    contract.end_on = timezone.localdate() + timedelta(days=300)
    contract.services = "Hébergement"
    contract.save()
    contributor.language = language
    contributor.save(update_fields=["language"])
    browser = client_as(contributor)
    pages = [
        url("contract-detail", organisation, contract.pk),
        url("contract-edit", organisation, contract.pk),
        url("contract-edit", organisation, register.template.pk),
        url("client-detail", organisation, register.client.pk),
        url("contact-edit", organisation, contact.pk),
    ]
    for page in pages:
        shown = browser.get(page, HTTP_ACCEPT_LANGUAGE=language)
        assert shown.status_code == 200, (page, shown.status_code, shown.get("Location"))
        html = shown.content.decode()
        for form in lxml.html.fromstring(html).forms:
            action = form.action or page
            if form.method.lower() != "post" or "/contracts/" not in action:
                continue  # the header's forms: language, log out
            if "delete" in action:
                continue
            if action.endswith("/contacts/"):
                continue  # the empty "add a contact" form
            values: dict[str, list[str]] = {}
            for name, value in form.form_values():
                values.setdefault(name, []).append(value)
            before = snapshot()[:4]
            response = browser.post(action, values, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 302, (page, response.content.decode()[:3000])
            assert snapshot()[:4] == before, page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_activity_labels_read_in_the_reader_language(
    client_as, contributor, organisation, register, language
):
    """The activities are named in the reader's language on the contract's page and in its
    form: they were read once, in French, when the forms module was imported."""
    contributor.language = language
    contributor.save(update_fields=["language"])
    browser = client_as(contributor)
    detail = browser.get(
        url("contract-detail", organisation, register.contract.pk), HTTP_ACCEPT_LANGUAGE=language
    )
    form = browser.get(
        url("contract-edit", organisation, register.contract.pk), HTTP_ACCEPT_LANGUAGE=language
    )
    wording = {
        number: (activity.name_en if language == "en" else activity.wording_fr)
        for number, activity in ACTIVITIES_BY_NUMBER.items()
    }
    other = {
        number: (activity.wording_fr if language == "en" else activity.name_en)
        for number, activity in ACTIVITIES_BY_NUMBER.items()
    }
    page = detail.content.decode()
    for number in register.contract.activities:  # 3 and 4
        assert f"{number}. {wording[number]}" in page.replace("&#x27;", "'")
        assert other[number] not in page.replace("&#x27;", "'")
    assert wording[1] not in page.replace("&#x27;", "'")  # not performed for this client
    shown = form.content.decode().replace("&#x27;", "'")
    for number, text in wording.items():
        assert f"{number}. {text}" in shown
        assert other[number] not in shown


def test_a_reader_sees_an_inherited_answer_once(client_as, manager, organisation, register):
    """Read only, the state and reference of an inherited clause are in their columns; the tag
    says where they come from (it repeated them: "Hérité : Présente art. 2 | Présente | art. 2")."""
    page = client_as(manager).get(
        url("contract-detail", organisation, register.contract.pk), HTTP_ACCEPT_LANGUAGE="fr"
    )
    row = re.search(r'<tr data-clause="EXI 17".*?</tr>', page.content.decode(), re.S)
    assert row is not None
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))
    assert "Hérité du modèle" in text
    assert text.count("Présente") == 1
    assert text.count("art. 2") == 1
