"""The audits app's pages: the officer's side (officer.py), the auditor's (auditors.py,
review.py), reminders and home fragments. The recipe every form view shares lives here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from audits.services import AuditError


def form_error_message(request: HttpRequest, form: Form) -> None:
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(str(error) for error in errors)
        parts.append(f"{form.fields[name].label}: {text}" if name in form.fields else text)
    messages.error(request, _("Check the form: %(details)s") % {"details": "; ".join(parts)})


def apply_change(
    request: HttpRequest,
    form: Form,
    change: Callable[[dict[str, Any]], object],
    success: str,
    back: str,
) -> HttpResponse:
    """Validate the form, call the one service, say what happened (or why not), go back."""
    if not form.is_valid():
        form_error_message(request, form)
    else:
        try:
            change(form.cleaned_data)
        except AuditError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success)
    return redirect(back)
