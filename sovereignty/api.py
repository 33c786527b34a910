"""The sovereignty register in the REST API, under /api/o/<slug>/sovereignty/: storage locations
(EXI 28), remote accesses (EXI 29) and exposures to non-EU laws (EXI 30), read and written.
Contributors and officers write, managers read; every change is one service call, and a refusal
becomes a 400 with the message under the field's name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from hdsready import roles
from hdsready.api import OrganisationAPIView
from scopes.models import Subcontractor
from sovereignty.countries import country_name
from sovereignty.models import LawExposure, RemoteAccess, StorageLocation
from sovereignty.selectors import (
    access_flagged,
    exposure_flagged,
    law_exposure_get,
    law_exposures_of,
    remote_access_get,
    remote_accesses_of,
    storage_flagged,
    storage_location_get,
    storage_locations_of,
    subcontractors_for_register,
)
from sovereignty.services import (
    TEXT_MAX,
    AccessData,
    ExposureData,
    SovereigntyError,
    StorageData,
    law_exposure_delete,
    law_exposure_save,
    remote_access_delete,
    remote_access_save,
    storage_location_delete,
    storage_location_save,
)


class SovereigntyAPIView(OrganisationAPIView):
    write_perm: ClassVar[str] = roles.EDIT_READINESS

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, SovereigntyError):
            exc = ValidationError({exc.field or "non_field_errors": [str(exc)]})
        return super().handle_exception(exc)


class SubcontractorField(serializers.PrimaryKeyRelatedField):
    """The organisation's subcontractors only: another organisation's id "does not exist"."""

    def get_queryset(self) -> QuerySet[Subcontractor]:
        return subcontractors_for_register(organisation=self.context["organisation"])


def _subcontractor_field(help_text: Any) -> SubcontractorField:
    return SubcontractorField(
        queryset=Subcontractor.objects.none(), allow_null=True, required=False, help_text=help_text
    )


def _country_field(help_text: Any, *, required: bool = True) -> serializers.CharField:
    return serializers.CharField(
        max_length=2, required=required, allow_blank=not required, help_text=help_text
    )


def _text_field(*, required: bool = False) -> serializers.CharField:
    if required:
        return serializers.CharField(max_length=TEXT_MAX)
    return serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class StorageLocationSerializer(serializers.ModelSerializer):
    country = _country_field(_("ISO 3166-1 alpha-2 code, e.g. FR."))
    country_name = serializers.SerializerMethodField()
    provider = _subcontractor_field(_("The subcontractor storing the data; null: the host."))
    activities = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=_("HDS activities of the scope performed there, 1 to 6."),
    )
    data_stored = _text_field()
    flagged = serializers.SerializerMethodField(help_text=_("Outside the EEA (EXI 28)."))

    class Meta:
        model = StorageLocation
        fields = (
            "id",
            "country",
            "country_name",
            "site",
            "provider",
            "activities",
            "data_stored",
            "secnumcloud",
            "secnumcloud_reference",
            "secnumcloud_on",
            "flagged",
        )

    def get_country_name(self, row: StorageLocation) -> str:
        return country_name(row.country)

    def get_flagged(self, row: StorageLocation) -> bool:
        return storage_flagged(row)


class RemoteAccessSerializer(serializers.ModelSerializer):
    country = _country_field(_("ISO 3166-1 alpha-2 code of the country the data is reached from."))
    country_name = serializers.SerializerMethodField()
    subcontractor = _subcontractor_field(_("The subcontractor concerned, if any."))
    actors = _text_field()
    purpose = _text_field()
    flagged = serializers.SerializerMethodField(
        help_text=_("From outside the EEA without a valid GDPR basis (EXI 29).")
    )

    class Meta:
        model = RemoteAccess
        fields = (
            "id",
            "country",
            "country_name",
            "legal_basis",
            "safeguard_reference",
            "actors",
            "subcontractor",
            "purpose",
            "flagged",
        )

    def get_country_name(self, row: RemoteAccess) -> str:
        return country_name(row.country)

    def get_flagged(self, row: RemoteAccess) -> bool:
        return access_flagged(row)


class LawExposureSerializer(serializers.ModelSerializer):
    jurisdiction = _country_field(
        _("ISO 3166-1 alpha-2 code of the law's country, or empty."), required=False
    )
    subcontractor = _subcontractor_field(_("The subcontractor concerned, if any."))
    mitigations = _text_field()
    justification = _text_field(required=True)
    flagged = serializers.SerializerMethodField(help_text=_("No mitigation given (EXI 30)."))

    class Meta:
        model = LawExposure
        fields = (
            "id",
            "law",
            "jurisdiction",
            "actor",
            "subcontractor",
            "mitigations",
            "residual_risk",
            "justification",
            "flagged",
        )

    def get_flagged(self, row: LawExposure) -> bool:
        return exposure_flagged(row)


def _storage_data(values: dict[str, Any]) -> StorageData:
    return StorageData(
        country=values.get("country", ""),
        site=values.get("site", ""),
        provider=values.get("provider"),
        activities=list(values.get("activities") or []),
        data_stored=values.get("data_stored", ""),
        secnumcloud=values.get("secnumcloud", False),
        secnumcloud_reference=values.get("secnumcloud_reference", ""),
        secnumcloud_on=values.get("secnumcloud_on"),
    )


def _access_data(values: dict[str, Any]) -> AccessData:
    return AccessData(
        country=values.get("country", ""),
        legal_basis=values.get("legal_basis", RemoteAccess.Basis.NONE.value),
        safeguard_reference=values.get("safeguard_reference", ""),
        actors=values.get("actors", ""),
        subcontractor=values.get("subcontractor"),
        purpose=values.get("purpose", ""),
    )


def _exposure_data(values: dict[str, Any]) -> ExposureData:
    return ExposureData(
        law=values.get("law", ""),
        jurisdiction=values.get("jurisdiction", ""),
        actor=values.get("actor", ""),
        subcontractor=values.get("subcontractor"),
        mitigations=values.get("mitigations", ""),
        residual_risk=values.get("residual_risk", ""),
        justification=values.get("justification", ""),
    )


class _Lines(SovereigntyAPIView):
    """A section of the register: list (paged) and create."""

    rows: ClassVar[Callable[..., QuerySet[Any]]]
    save: ClassVar[Callable[..., Model]]
    to_data: ClassVar[Callable[..., Any]]

    def get(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(type(self).rows(organisation=self.organisation()))
        serializer = self.get_serializer_class()(
            page, many=True, context=self.get_serializer_context()
        )
        return self.get_paginated_response(serializer.data)

    def post(self, request: Request, slug: str) -> Response:
        values = self.validated()
        row = type(self).save(
            organisation=self.organisation(), data=type(self).to_data(values), actor=request.user
        )
        serializer = self.get_serializer_class()(row, context=self.get_serializer_context())
        return Response(serializer.data, status=201)


class _Line(SovereigntyAPIView):
    """One line of the register: read, replace, change, delete."""

    get_row: ClassVar[Callable[..., Model]]
    save: ClassVar[Callable[..., Model]]
    delete_row: ClassVar[Callable[..., None]]
    to_data: ClassVar[Callable[..., Any]]
    keyword: ClassVar[str]

    def _row(self, pk: int) -> Model:
        return type(self).get_row(organisation=self.organisation(), pk=pk)

    def get(self, request: Request, slug: str, pk: int) -> Response:
        return Response(
            self.get_serializer_class()(self._row(pk), context=self.get_serializer_context()).data
        )

    def put(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=False)

    def patch(self, request: Request, slug: str, pk: int) -> Response:
        return self._save(pk, partial=True)

    def delete(self, request: Request, slug: str, pk: int) -> Response:
        type(self).delete_row(**{self.keyword: self._row(pk)}, actor=request.user)
        return Response(status=204)

    def _save(self, pk: int, *, partial: bool) -> Response:
        row = self._row(pk)
        changes = self.validated(partial=partial)
        fields = [f for f in self.get_serializer_class().Meta.fields if f != "id"]
        base = (
            {name: getattr(row, name) for name in fields if hasattr(row, name)} if partial else {}
        )
        row = type(self).save(
            organisation=self.organisation(),
            data=type(self).to_data({**base, **changes}),
            actor=self.request.user,
            **{self.keyword: row},
        )
        return Response(
            self.get_serializer_class()(row, context=self.get_serializer_context()).data
        )


@extend_schema_view(
    get=extend_schema(responses=StorageLocationSerializer(many=True)),
    post=extend_schema(responses={201: StorageLocationSerializer}),
)
class StorageLocationList(_Lines):
    """Where the health data is stored (HDS v2 EXI 28: in the EEA; a location outside it is
    recorded and flagged)."""

    serializer_class = StorageLocationSerializer
    rows = staticmethod(storage_locations_of)
    save = staticmethod(storage_location_save)
    to_data = staticmethod(_storage_data)


class StorageLocationDetail(_Line):
    serializer_class = StorageLocationSerializer
    get_row = staticmethod(storage_location_get)
    save = staticmethod(storage_location_save)
    delete_row = staticmethod(storage_location_delete)
    to_data = staticmethod(_storage_data)
    keyword = "location"


@extend_schema_view(
    get=extend_schema(responses=RemoteAccessSerializer(many=True)),
    post=extend_schema(responses={201: RemoteAccessSerializer}),
)
class RemoteAccessList(_Lines):
    """The countries the hosted data is reached from, with the GDPR basis (HDS v2 EXI 29: art. 45
    adequacy decision or art. 46 safeguards, named; no basis is recorded and flagged)."""

    serializer_class = RemoteAccessSerializer
    rows = staticmethod(remote_accesses_of)
    save = staticmethod(remote_access_save)
    to_data = staticmethod(_access_data)


class RemoteAccessDetail(_Line):
    serializer_class = RemoteAccessSerializer
    get_row = staticmethod(remote_access_get)
    save = staticmethod(remote_access_save)
    delete_row = staticmethod(remote_access_delete)
    to_data = staticmethod(_access_data)
    keyword = "access"


@extend_schema_view(
    get=extend_schema(responses=LawExposureSerializer(many=True)),
    post=extend_schema(responses={201: LawExposureSerializer}),
)
class LawExposureList(_Lines):
    """The non-EU laws the host or its providers are exposed to, with the mitigations and the
    residual risk (HDS v2 EXI 30)."""

    serializer_class = LawExposureSerializer
    rows = staticmethod(law_exposures_of)
    save = staticmethod(law_exposure_save)
    to_data = staticmethod(_exposure_data)


class LawExposureDetail(_Line):
    serializer_class = LawExposureSerializer
    get_row = staticmethod(law_exposure_get)
    save = staticmethod(law_exposure_save)
    delete_row = staticmethod(law_exposure_delete)
    to_data = staticmethod(_exposure_data)
    keyword = "exposure"


urlpatterns = [
    path(
        "o/<slug:slug>/sovereignty/storage/",
        StorageLocationList.as_view(),
        name="storage-location-list",
    ),
    path(
        "o/<slug:slug>/sovereignty/storage/<int:pk>/",
        StorageLocationDetail.as_view(),
        name="storage-location-detail",
    ),
    path(
        "o/<slug:slug>/sovereignty/access/",
        RemoteAccessList.as_view(),
        name="remote-access-list",
    ),
    path(
        "o/<slug:slug>/sovereignty/access/<int:pk>/",
        RemoteAccessDetail.as_view(),
        name="remote-access-detail",
    ),
    path("o/<slug:slug>/sovereignty/laws/", LawExposureList.as_view(), name="law-exposure-list"),
    path(
        "o/<slug:slug>/sovereignty/laws/<int:pk>/",
        LawExposureDetail.as_view(),
        name="law-exposure-detail",
    ),
]
