"""The commitments API: the commitments a reader may see (a page at a time), one with its
clauses and evidence, the responsible unit recording a fulfilment, the enterprise's confirm and
dispute, and the fulfilment rate per unit. The same selectors, services and permissions as the
pages and the admin; refusals in the project's one error format with the service's translated
message."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api.pagination import PagedByCursor

from .. import permissions, selectors, services
from ..models import Clause
from . import serializers as s

TAG = "commitments"


class CommitmentPagination(PagedByCursor):
    ordering = ("-created_at", "-id")  # the index commitment_newest


class CommitmentListView(ListAPIView):
    """The commitments you may see, newest first, a page at a time."""

    permission_classes = [AllowAny]
    serializer_class = s.CommitmentListOut
    pagination_class = CommitmentPagination
    filter_backends: list = []

    def get_queryset(self):
        return selectors.commitments_visible_to(user=self.request.user)

    @extend_schema(tags=[TAG], summary="List the commitments you may see")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class HandlesCommitments(BasePermission):
    """A unit official (their unit's) or the department (every unit's): permissions.py."""

    def has_permission(self, request, view):
        return permissions.admin_commitments_q(request.user) is not None


class ClausePagination(PagedByCursor):
    ordering = ("due_date", "id")  # soonest due first


class HandledClauseListView(ListAPIView):
    """The clauses of the commitments you are responsible for (an official: your unit's; the
    department: every unit's), soonest due first: where an official finds the clause whose
    fulfilment to record."""

    permission_classes = [IsAuthenticated, HandlesCommitments]
    serializer_class = s.HandledClauseOut
    pagination_class = ClausePagination
    filter_backends: list = []

    def get_queryset(self):
        data = s.HandledClauseFilterIn(data=self.request.query_params)
        data.is_valid(raise_exception=True)
        qs = selectors.clauses_for_admin(user=self.request.user)
        if data.validated_data.get("status"):
            qs = qs.filter(status=data.validated_data["status"])
        return qs

    @extend_schema(
        tags=[TAG],
        summary="List the clauses your unit is responsible for",
        parameters=[s.HandledClauseFilterIn],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CommitmentDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=[TAG], responses={200: s.CommitmentOut})
    def get(self, request, pk: int):
        commitment = selectors.commitment_with_clauses(user=request.user, pk=pk)
        if commitment is None:
            raise exceptions.NotFound(_("Not found."))
        return Response(s.CommitmentOut(commitment).data)


def _clause(request, pk):
    visible = selectors.commitments_visible_to(user=request.user).values("pk")
    return get_object_or_404(Clause.objects.filter(commitment__in=visible), pk=pk)


def _refusal(exc: ValidationError):
    """A field's refusal as the fields' messages; any other (the clause's status, a second
    dispute) as one message with the service's code."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return Refused(exc)


class Refused(exceptions.APIException):
    """A service refused for a reason that is not about one field (the clause's status)."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, exc: ValidationError):
        super().__init__(detail=" ".join(exc.messages))
        self.default_code = exc.code or "refused"  # the error code the handler reports


RECORD_ERRORS = {
    400: OpenApiResponse(
        description="Bad input (no note, a date in the future, a file type "
        "not accepted), or the clause's status does not allow it "
        "(already fulfilled and awaiting the enterprise, or "
        "confirmed)."
    ),
    403: OpenApiResponse(description="Not an official of the commitment's responsible unit."),
    404: OpenApiResponse(description="No such clause, or not one you may see."),
}


@extend_schema(
    tags=[TAG],
    summary="Record a clause's fulfilment with its evidence — responsible unit",
    request={"multipart/form-data": s.FulfilmentIn, "application/json": s.FulfilmentJsonIn},
    responses={201: s.ClauseOut, **RECORD_ERRORS},
)
class ClauseRecordView(APIView):
    """The responsible unit's official records what was done, as in the admin (the same
    service and permission rule); the enterprise party is asked to confirm or dispute it."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def post(self, request, pk: int):
        clause = selectors.clause_for_official(user=request.user, pk=pk)
        if clause is None:
            raise exceptions.NotFound(_("There is no clause with this id that you may see."))
        # Who may, before what they sent: a role that may not is told so, not about its input.
        # (The service asks the same rule again, under the clause's lock.)
        if not permissions.may_record(request.user, clause):
            raise exceptions.PermissionDenied(services.record_refused_message())
        data = s.FulfilmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.fulfilment_record(
                actor=request.user,
                clause=clause,
                note=data.validated_data["note"],
                fulfilled_on=data.validated_data["fulfilled_on"],
                files=data.validated_data["files"],
            )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            raise _refusal(exc) from exc
        clause = selectors.clause_out(pk=clause.pk)
        return Response(s.ClauseOut(clause).data, status=status.HTTP_201_CREATED)


class ClauseConfirmView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], request=None, responses={200: s.ClauseOut})
    def post(self, request, pk: int):
        clause = _clause(request, pk)
        try:
            services.fulfilment_confirm(actor=request.user, clause=clause)
        except ValidationError as exc:
            raise _refusal(exc) from exc
        return Response(s.ClauseOut(selectors.clause_out(pk=clause.pk)).data)


class ClauseDisputeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], request=s.DisputeIn, responses={200: s.ClauseOut})
    def post(self, request, pk: int):
        clause = _clause(request, pk)
        data = s.DisputeIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.fulfilment_dispute(
                actor=request.user, clause=clause, reason=data.validated_data["reason"]
            )
        except ValidationError as exc:
            raise _refusal(exc) from exc
        return Response(s.ClauseOut(selectors.clause_out(pk=clause.pk)).data)


class UnitRatesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=[TAG], responses={200: s.UnitRateOut(many=True)})
    def get(self, request):
        return Response(s.UnitRateOut(selectors.unit_rates(), many=True).data)
