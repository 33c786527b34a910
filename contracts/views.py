"""The register of client contracts: contracts and templates with their eleven clauses, clients
with their contacts, and the contacts' export for the authority."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.decorators import otp_required

from contracts.contacts_xlsx import XLSX_CONTENT_TYPE, ContactRow, build_contacts_workbook
from contracts.forms import (
    CertificateBundleForm,
    ClausesForm,
    ClientFilterForm,
    ClientForm,
    ContactForm,
    ContractFilterForm,
    ContractForm,
)
from contracts.models import Client, Contract
from contracts.selectors import (
    bundle_certificates_of,
    clause_lines_of,
    client_get,
    clients_of,
    contact_get,
    contacts_of,
    contacts_of_client,
    contract_get,
    contracts_of,
)
from contracts.services import (
    ContractError,
    client_certificates_bundle,
    client_contact_delete,
    client_contact_save,
    client_contacts_exported,
    client_delete,
    client_save,
    contact_facts,
    contract_clauses_set,
    contract_delete,
    contract_save,
)
from evidence.selectors import certificate_latest_versions
from hdsready import roles
from hdsready.http import AuthedHttpRequest, query_pk
from hdsready.models import Organisation
from hdsready.selectors import organisation_get_for_user, trail_events_for_object, user_can

# A page of the contracts' and clients' lists: one screen, whatever the register's size.
PAGE_SIZE = 50

verified = otp_required(login_url="hdsready:login")


def _can_edit(request: AuthedHttpRequest, organisation: Organisation) -> bool:
    # Contributors and officers edit the register; managers read it.
    return user_can(user=request.user, organisation=organisation, perm=roles.EDIT_READINESS)


def _page_query(request: AuthedHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Contracts -----------------------------------------------------------------------------------


@require_GET
@verified
def contract_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    filters = ContractFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    today = timezone.localdate()
    contracts = contracts_of(
        organisation=organisation,
        status=chosen.get("status", ""),
        gap=chosen.get("gap", ""),
        today=today,
    )
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/contract_list.html",
        {
            "organisation": organisation,
            "rows": [(contract, contract.status_on(today)) for contract in page.object_list],
            "page": page,
            "query": _page_query(request),
            "filters": filters,
            "can_edit": _can_edit(request, organisation),
        },
    )


@require_http_methods(["GET", "POST"])
@verified
def contract_create(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """A new contract (?template=pk starts from that template), or a template (?kind=template)."""
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    is_template = request.GET.get("kind") == "template"
    initial = {}
    template_pk = query_pk(request.GET.get("template"))
    if template_pk is not None and not is_template:
        template = contract_get(organisation=organisation, pk=template_pk)
        if template.is_template:
            initial = {
                "template": template.pk,
                "title": template.title,
                "services": template.services,
                "activities": template.activities,
            }
    form = ContractForm(
        request.POST or None, initial=initial, organisation=organisation, is_template=is_template
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = contract_save(
                organisation=organisation,
                data=form.to_data(),
                is_template=is_template,
                actor=request.user,
            )
        except ContractError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Template saved.") if is_template else _("Contract saved."))
            return redirect("contracts:contract-detail", slug=slug, pk=contract.pk)
    return render(
        request,
        "contracts/contract_form.html",
        {"organisation": organisation, "form": form, "is_template": is_template},
    )


@require_http_methods(["GET", "POST"])
@verified
def contract_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The contract and its eleven mandatory clauses (HDS v2 EXI 17-27) as one form."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    contract = contract_get(organisation=organisation, pk=pk)
    can_edit = _can_edit(request, organisation)
    if request.method == "POST" and not can_edit:
        raise Http404
    lines = clause_lines_of(contract=contract)
    form = ClausesForm(request.POST or None, lines=lines, derived=bool(contract.template_id))
    if request.method == "POST" and form.is_valid():
        try:
            contract_clauses_set(contract=contract, answers=form.answers(), actor=request.user)
        except ContractError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Clauses saved."))
            return redirect("contracts:contract-detail", slug=slug, pk=pk)
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "organisation": organisation,
            "contract": contract,
            "status": contract.status_on(timezone.localdate()),
            "form": form,
            "can_edit": can_edit,
            "history": trail_events_for_object(organisation=organisation, target=contract)[:20],
        },
    )


@require_http_methods(["GET", "POST"])
@verified
def contract_edit(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    contract = contract_get(organisation=organisation, pk=pk)
    initial = {
        "title": contract.title,
        "client": contract.client_id,
        "template": contract.template_id,
        "services": contract.services,
        "activities": contract.activities,
        "start_on": contract.start_on,
        "end_on": contract.end_on,
        "signed_copy": contract.signed_copy_id,
    }
    form = ContractForm(
        request.POST or None,
        initial=initial,
        organisation=organisation,
        is_template=contract.is_template,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract_save(
                organisation=organisation,
                data=form.to_data(),
                contract=contract,
                actor=request.user,
            )
        except ContractError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Contract saved."))
            return redirect("contracts:contract-detail", slug=slug, pk=pk)
    return render(
        request,
        "contracts/contract_form.html",
        {
            "organisation": organisation,
            "form": form,
            "contract": contract,
            "is_template": contract.is_template,
        },
    )


@require_POST
@verified
def contract_remove(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    contract = contract_get(organisation=organisation, pk=pk)
    try:
        contract_delete(contract=contract, actor=request.user)
    except ContractError as exc:
        messages.error(request, str(exc))
        return redirect("contracts:contract-detail", slug=slug, pk=pk)
    messages.success(request, _("Contract deleted."))
    return redirect("contracts:contract-list", slug=slug)


# Clients and contacts ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@verified
def client_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    can_edit = _can_edit(request, organisation)
    form = ClientForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                client = client_save(
                    organisation=organisation, data=form.to_data(), actor=request.user
                )
            except ContractError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Client added."))
                return redirect("contracts:client-detail", slug=slug, pk=client.pk)
    filters = ClientFilterForm(request.GET or None)
    gap = filters.cleaned_data.get("gap", "") if filters.is_valid() else ""
    page = Paginator(clients_of(organisation=organisation, gap=gap), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "contracts/client_list.html",
        {
            "organisation": organisation,
            "clients": page.object_list,
            "page": page,
            "query": _page_query(request),
            "filters": filters,
            "form": form,
            "can_edit": can_edit,
        },
    )


def _client_page(
    request: AuthedHttpRequest,
    *,
    organisation: Organisation,
    client: Client,
    form: ClientForm | None = None,
    contact_form: ContactForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    contracts = Contract.objects.none() if client.pk is None else client.contracts.order_by("title")
    return render(
        request,
        "contracts/client_detail.html",
        {
            "organisation": organisation,
            "client": client,
            "contacts": contacts_of_client(client=client),
            "contracts": [(c, c.status_on(today)) for c in contracts],
            "form": form
            or ClientForm(
                initial={"name": client.name, "siren": client.siren, "notes": client.notes}
            ),
            "contact_form": contact_form or ContactForm(prefix="contact"),
            "can_edit": _can_edit(request, organisation),
        },
    )


@require_http_methods(["GET", "POST"])
@verified
def client_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    client = client_get(organisation=organisation, pk=pk)
    if request.method == "GET":
        return _client_page(request, organisation=organisation, client=client)
    if not _can_edit(request, organisation):
        raise Http404
    form = ClientForm(request.POST)
    if form.is_valid():
        try:
            client_save(
                organisation=organisation, client=client, data=form.to_data(), actor=request.user
            )
        except ContractError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Client saved."))
            return redirect("contracts:client-detail", slug=slug, pk=pk)
    client.refresh_from_db()  # the page shows the client as stored, the form as typed
    return _client_page(request, organisation=organisation, client=client, form=form)


@require_POST
@verified
def client_remove(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    client = client_get(organisation=organisation, pk=pk)
    try:
        client_delete(client=client, actor=request.user)
    except ContractError as exc:
        messages.error(request, str(exc))
        return redirect("contracts:client-detail", slug=slug, pk=pk)
    messages.success(request, _("Client deleted."))
    return redirect("contracts:client-list", slug=slug)


@require_POST
@verified
def contact_create(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    client = client_get(organisation=organisation, pk=pk)
    form = ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        try:
            client_contact_save(client=client, data=form.to_data(), actor=request.user)
        except ContractError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Contact added."))
            return redirect("contracts:client-detail", slug=slug, pk=pk)
    return _client_page(request, organisation=organisation, client=client, contact_form=form)


@require_http_methods(["GET", "POST"])
@verified
def contact_edit(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    contact = contact_get(organisation=organisation, pk=pk)
    form = ContactForm(
        request.POST or None,
        initial=contact_facts(contact),
    )
    if request.method == "POST" and form.is_valid():
        try:
            client_contact_save(
                client=contact.client, contact=contact, data=form.to_data(), actor=request.user
            )
        except ContractError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Contact saved."))
            return redirect("contracts:client-detail", slug=slug, pk=contact.client_id)
    return render(
        request,
        "contracts/contact_form.html",
        {"organisation": organisation, "contact": contact, "form": form},
    )


@require_POST
@verified
def contact_remove(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    contact = contact_get(organisation=organisation, pk=pk)
    client_pk = contact.client_id
    client_contact_delete(contact=contact, actor=request.user)
    messages.success(request, _("Contact deleted."))
    return redirect("contracts:client-detail", slug=slug, pk=client_pk)


@require_GET
@verified
def contact_export(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """Every client's contacts as XLSX, for the authority on demand (HDS v2 EXI 11); recorded."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    rows = [
        ContactRow(
            client=contact.client.name,
            siren=contact.client.siren,
            name=contact.name,
            function=contact.function,
            email=contact.email,
            phone=contact.phone,
            health_professional=contact.health_professional,
            incident_referent=contact.incident_referent,
        )
        for contact in contacts_of(organisation=organisation)
    ]
    content = build_contacts_workbook(rows)
    client_contacts_exported(organisation=organisation, rows=len(rows), actor=request.user)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"contacts-clients-{organisation.slug}-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Certificates handed to a client (EXI 12) ----------------------------------------------------


@require_http_methods(["GET", "POST"])
@verified
def client_certificates(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Choose the certificates for a client and download them as one ZIP with a manifest."""
    organisation = organisation_get_for_user(
        user=request.user, slug=slug, perm=roles.EDIT_READINESS
    )
    client = client_get(organisation=organisation, pk=pk)
    today = timezone.localdate()
    form = CertificateBundleForm(
        request.POST if request.method == "POST" else None, organisation=organisation, today=today
    )
    if request.method == "POST" and form.is_valid():
        try:
            content = client_certificates_bundle(
                client=client,
                certificates=list(form.cleaned_data["certificates"]),
                actor=request.user,
                today=today,
            )
        except ContractError as exc:
            form.add_error(None, str(exc))
        else:
            response = HttpResponse(content, content_type="application/zip")
            filename = f"certificats-{organisation.slug}-{client.pk}-{today.isoformat()}.zip"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    candidates = list(bundle_certificates_of(organisation=organisation, today=today))
    with_file = certificate_latest_versions(
        organisation=organisation, pks=[c.pk for c in candidates]
    )
    return render(
        request,
        "contracts/client_certificates.html",
        {
            "organisation": organisation,
            "client": client,
            "form": form,
            # One row per certificate: its box (the form's, ticked or not as sent), its file.
            "rows": [
                (box, certificate, with_file.get(certificate.pk))
                for box, certificate in zip(form["certificates"], candidates, strict=False)
            ],
            "today": today,
        },
    )
