"""The commitments API: the commitments a reader may see, one with its clauses and evidence,
the enterprise's confirm and dispute, and the fulfilment rate per unit. The same selectors and
services as the pages."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import Clause
from . import serializers as s

TAG = "commitments"


class CommitmentListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=[TAG], responses={200: s.CommitmentListOut(many=True)})
    def get(self, request):
        rows = selectors.commitments_visible_to(user=request.user)[:200]
        return Response(s.CommitmentListOut(rows, many=True).data)


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
    return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict")
                                      else exc.messages)


class ClauseConfirmView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], request=None, responses={200: s.ClauseOut})
    def post(self, request, pk: int):
        clause = _clause(request, pk)
        try:
            services.fulfilment_confirm(actor=request.user, clause=clause)
        except ValidationError as exc:
            raise _refusal(exc) from exc
        clause.refresh_from_db()
        return Response(s.ClauseOut(clause).data)


class ClauseDisputeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[TAG], request=s.DisputeIn, responses={200: s.ClauseOut})
    def post(self, request, pk: int):
        clause = _clause(request, pk)
        data = s.DisputeIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.fulfilment_dispute(actor=request.user, clause=clause,
                                        reason=data.validated_data["reason"])
        except ValidationError as exc:
            raise _refusal(exc) from exc
        clause.refresh_from_db()
        return Response(s.ClauseOut(clause).data)


class UnitRatesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=[TAG], responses={200: s.UnitRateOut(many=True)})
    def get(self, request):
        return Response(s.UnitRateOut(selectors.unit_rates(), many=True).data)
