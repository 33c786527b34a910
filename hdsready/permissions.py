"""Writes of object permissions: with hdsready.selectors, the only place that calls
django-guardian, so the permission backend can be swapped or optimised in one place."""

from __future__ import annotations

from django.db.models import Model
from guardian.shortcuts import assign_perm, remove_perm

from hdsready.models import User


def object_perm_grant(*, user: User, obj: Model, perm: str) -> None:
    """Give `user` the object permission `perm` ("app_label.codename") on `obj`."""
    assign_perm(perm, user, obj)


def object_perm_revoke(*, user: User, obj: Model, perm: str) -> None:
    """Remove it; removing a permission the user does not hold is a no-op."""
    remove_perm(perm, user, obj)
