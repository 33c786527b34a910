"""Load a built-in catalog into the database, idempotently.

Takes the model classes as arguments so that a data migration can pass its historical models
and the `catalog_sync` command the current ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scopes.catalog import FrameworkData, NodeData, hds_v2, iso27001_2022


def node_urn(framework: FrameworkData, ref_id: str) -> str:
    return f"{framework.urn}:{ref_id.lower().replace(' ', '-')}"


def load_catalog(
    *,
    framework_model: Any,
    requirement_model: Any,
    framework: FrameworkData,
    nodes: Sequence[NodeData],
) -> Any:
    """Create or update the framework and its nodes; running it twice changes nothing."""
    row, _ = framework_model.objects.update_or_create(
        organisation=None,
        urn=framework.urn,
        version=framework.version,
        defaults={
            "code": framework.code,
            "name_fr": framework.name_fr,
            "name_en": framework.name_en,
            "description_fr": framework.description_fr,
            "description_en": framework.description_en,
            "provider": framework.provider,
            "published": framework.published,
            "source": "builtin",
        },
    )
    by_ref: dict[str, Any] = {}
    depth_of: dict[str, int] = {}
    for order, node in enumerate(nodes):
        parent = by_ref.get(node.parent_ref) if node.parent_ref else None
        if node.parent_ref and parent is None:
            raise ValueError(f"{node.ref_id}: parent {node.parent_ref} must come before it")
        depth = depth_of[node.parent_ref] + 1 if node.parent_ref else 1
        depth_of[node.ref_id] = depth
        by_ref[node.ref_id], _ = requirement_model.objects.update_or_create(
            framework=row,
            urn=node_urn(framework, node.ref_id),
            defaults={
                "ref_id": node.ref_id,
                "parent": parent,
                "depth": depth,
                "order": order,
                "assessable": node.assessable,
                "group": node.group,
                "name_fr": node.name_fr,
                "name_en": node.name_en,
                "description_fr": node.summary_fr,
                "description_en": node.summary_en,
                "applies_when": node.applies_when.value,
            },
        )
    return row


def load_builtin_catalogs(apps: Any, schema_editor: Any) -> None:
    """The data migrations' step (0002 loads, later ones refresh wording): the built-in
    catalogs as this code holds them, through the migration's historical models."""
    for module in (hds_v2, iso27001_2022):
        load_catalog(
            framework_model=apps.get_model("scopes", "Framework"),
            requirement_model=apps.get_model("scopes", "Requirement"),
            framework=module.FRAMEWORK,
            nodes=module.NODES,
        )
