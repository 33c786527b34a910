"""The catalog: the built-in frameworks and the ones an organisation imported, their trees, and
the officer's upload of a framework library file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp.decorators import otp_required

from hdsready import roles
from hdsready.http import AuthedHttpRequest
from hdsready.models import Organisation
from hdsready.selectors import organisation_get_for_user, user_can
from scopes.forms import FrameworkImportForm
from scopes.importer import MAX_LIBRARY_BYTES
from scopes.models import Requirement
from scopes.selectors import catalog_of, framework_get, framework_nodes
from scopes.services import ScopeError
from scopes.services.catalog import framework_import

verified = otp_required(login_url="hdsready:login")


@dataclass(frozen=True)
class TreeNode:
    requirement: Requirement
    children: list[TreeNode] = field(default_factory=list)


def node_tree(requirements: Iterable[Requirement]) -> list[TreeNode]:
    """The roots of the tree; `requirements` in order, so a parent comes before its children."""
    roots: list[TreeNode] = []
    by_pk: dict[int, TreeNode] = {}
    for requirement in requirements:
        node = TreeNode(requirement)
        by_pk[requirement.pk] = node
        parent = by_pk.get(requirement.parent_id) if requirement.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


@require_GET
@verified
def catalog_list(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    return _catalog_page(request, organisation=organisation)


def _catalog_page(
    request: AuthedHttpRequest,
    *,
    organisation: Organisation,
    form: FrameworkImportForm | None = None,
) -> HttpResponse:
    """The catalog; an import refused shows its form again with the error beside the file."""
    can_manage = user_can(user=request.user, organisation=organisation, perm=roles.MANAGE)
    return render(
        request,
        "scopes/catalog_list.html",
        {
            "organisation": organisation,
            "frameworks": catalog_of(organisation=organisation),
            "can_manage": can_manage,
            "form": (form or FrameworkImportForm()) if can_manage else None,
            "max_mb": MAX_LIBRARY_BYTES // (1024 * 1024),
        },
    )


@require_POST
@verified
def catalog_import(request: AuthedHttpRequest, slug: str) -> HttpResponse:
    """All or nothing: a refused file leaves the catalog as it was and says why."""
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.MANAGE)
    form = FrameworkImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _catalog_page(request, organisation=organisation, form=form)
    # Never more than the limit and one byte: enough for the importer to refuse a larger file.
    raw = form.cleaned_data["file"].read(MAX_LIBRARY_BYTES + 1)
    try:
        result = framework_import(organisation=organisation, raw=raw, actor=request.user)
    except ScopeError as exc:
        form.add_error("file", str(exc))
        return _catalog_page(request, organisation=organisation, form=form)
    values = {
        "name": result.framework.name,
        "version": result.framework.version,
        "nodes": result.nodes,
        "assessable": result.assessable,
    }
    if result.created:
        messages.success(
            request,
            _(
                "%(name)s version %(version)s imported: %(nodes)s nodes, "
                "%(assessable)s assessable requirements."
            )
            % values,
        )
    else:
        messages.info(
            request,
            _("%(name)s version %(version)s was already imported from this file: nothing changed.")
            % values,
        )
    return redirect("scopes:catalog-detail", slug=slug, pk=result.framework.pk)


@require_GET
@verified
def catalog_detail(request: AuthedHttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = organisation_get_for_user(user=request.user, slug=slug, perm=roles.VIEW)
    framework = framework_get(organisation=organisation, pk=pk)
    requirements = framework_nodes(framework=framework)
    return render(
        request,
        "scopes/catalog_detail.html",
        {
            "organisation": organisation,
            "framework": framework,
            "tree": node_tree(requirements),
            "node_count": len(requirements),
            "assessable_count": sum(1 for r in requirements if r.assessable),
        },
    )
