"""The ANS list of certified hosts: a file uploaded, its columns mapped, then imported whole."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hdsready.models import Organisation, User
from hdsready.trail import trail_record
from scopes.certified_hosts_file import ListFileError, Table, read_table
from scopes.certified_hosts_rows import CellError, Field, convert_rows
from scopes.models import (
    CertifiedHost,
    CertifiedHostList,
    CertifiedHostsMapping,
    CertifiedHostsUpload,
)
from scopes.services import ScopeError

MAX_FILENAME = 255


class HostListError(ScopeError):
    """The list was refused and nothing was imported; `errors` says which cells and why."""

    def __init__(self, message: str, errors: Sequence[CellError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


def host_list_upload(
    *, organisation: Organisation, filename: str, content: bytes, actor: User
) -> tuple[CertifiedHostsUpload, Table]:
    """Keep an uploaded list file until its columns are mapped (it replaces this officer's
    previous upload). A file that cannot be read as a table is refused here, before any step."""
    try:
        table = read_table(content, filename=filename)
    except ListFileError as exc:
        raise HostListError(str(exc)) from exc
    name = filename.replace("\x00", "")[-MAX_FILENAME:] or "list"
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        CertifiedHostsUpload.objects.filter(organisation=organisation, uploaded_by=actor).delete()
        upload = CertifiedHostsUpload.objects.create(
            organisation=organisation,
            uploaded_by=actor,
            filename=name,
            content=content,
            sha256=digest,
        )
        trail_record(
            kind="certified_hosts.uploaded",
            actor=actor,
            organisation=organisation,
            data={"filename": name, "sha256": digest, "rows": len(table.rows)},
        )
    return upload, table


def host_list_import(
    *,
    organisation: Organisation,
    upload: CertifiedHostsUpload,
    mapping: Mapping[Field, int | None],
    actor: User,
) -> CertifiedHostList:
    """Import the whole list or nothing (HDS v2 EXI 12: the subcontractors' certification is
    checked against the ANS list). It becomes the current list; the mapping is remembered for
    the next file with the same headers; the upload is consumed."""
    try:
        table = read_table(bytes(upload.content), filename=upload.filename)
    except ListFileError as exc:
        raise HostListError(str(exc)) from exc
    hosts, errors = convert_rows(table, mapping)
    if errors:
        raise HostListError(_("The list was refused and nothing was imported."), errors)
    # Every field, "" for one left out: the next file with these headers is mapped the same.
    columns: dict[str, str] = {}
    for field in Field:
        position = mapping.get(field)
        columns[field.value] = "" if position is None else table.headers[position]
    with transaction.atomic():
        host_list = CertifiedHostList.objects.create(
            organisation=organisation,
            imported_by=actor,
            filename=upload.filename,
            row_count=len(hosts),
            sha256=upload.sha256,
        )
        CertifiedHost.objects.bulk_create(
            (
                CertifiedHost(
                    host_list=host_list,
                    line=host.line,
                    name=host.name,
                    name_key=host.name_key[:300],
                    siren=host.siren,
                    certificate_number=host.certificate_number,
                    activities=sorted(host.activities),
                    valid_from=host.valid_from,
                    valid_until=host.valid_until,
                    certification_body=host.certification_body,
                )
                for host in hosts
            ),
            batch_size=1000,
        )
        # Only the current list's rows are kept: earlier imports keep their facts and hash.
        CertifiedHost.objects.filter(host_list__organisation=organisation).exclude(
            host_list=host_list
        ).delete()
        CertifiedHostsMapping.objects.update_or_create(
            organisation=organisation,
            headers_key=table.key,
            defaults={
                "headers": list(table.headers),
                "columns": columns,
                "updated_at": timezone.now(),
            },
        )
        upload.delete()
        trail_record(
            kind="certified_hosts.imported",
            actor=actor,
            organisation=organisation,
            target=host_list,
            data={
                "filename": host_list.filename,
                "rows": host_list.row_count,
                "sha256": host_list.sha256,
                "columns": columns,
            },
        )
    return host_list
