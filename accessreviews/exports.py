"""A closed access review as a PDF (WeasyPrint) and an XLSX workbook (openpyxl): what an auditor
reads as evidence of ISO 27001 A.5.18 and HDS v2 EXI 16. Both list every line, in the language
active when the campaign is closed."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from weasyprint import HTML

from accessreviews.models import Campaign, CampaignItem, Decision
from hdsready.dates import date_format

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lines(campaign: Campaign) -> Iterator[CampaignItem]:
    return (
        CampaignItem.objects.filter(campaign=campaign)
        .select_related("decided_by")
        .order_by("subject_kind", "label", "pk")
        .iterator(chunk_size=1000)
    )


def _moment(value: object) -> str:
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")  # type: ignore[arg-type]


def campaign_pdf(*, campaign: Campaign) -> bytes:
    lines = list(_lines(campaign))
    html = render_to_string(
        "accessreviews/campaign_pdf.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "lines": lines,
            "confirmed": sum(1 for line in lines if line.decision == Decision.CONFIRM),
            "revoked": sum(1 for line in lines if line.decision == Decision.REVOKE),
        },
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def campaign_xlsx(*, campaign: Campaign) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Access review")[:31])
    header = [
        _("Kind"),
        _("Who"),
        _("Access"),
        _("Flags"),
        _("Last used"),
        _("Decision"),
        _("Reason"),
        _("Decided by"),
        _("Decided at"),
    ]
    bold = Font(bold=True)
    sheet.append([_text(sheet, title, font=bold) for title in header])
    for line in _lines(campaign):
        sheet.append(
            [
                _text(sheet, value)
                for value in (
                    line.get_subject_kind_display(),
                    line.label,
                    line.detail,
                    ", ".join(line.flag_labels),
                    _moment(line.last_used_at) or _("never"),
                    line.get_decision_display(),
                    line.reason,
                    str(line.decided_by or ""),
                    _moment(line.decided_at),
                )
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(sheet: object, value: str, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=str(value))
    # openpyxl stores a string starting with "=" as a formula: a reason must stay text.
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell
