"""The complaints API for reporters: file a report (named with a session or token, anonymous
otherwise, with a receipt code) and follow an anonymous one with reference and code. The same
services and limits as the pages; refusals in the project's one error format."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import ratelimit, selectors, services
from ..ratelimit import ANONYMOUS_PER_HOUR, FOLLOW_ATTEMPTS, FOLLOW_LOCKOUT_SECONDS
from . import serializers as s

TAG = "complaints"


class TooMany(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"


class ComplaintSubmitView(APIView):
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(tags=[TAG], request={
        "multipart/form-data": s.SubmitIn, "application/json": s.SubmitJsonIn,
        "application/x-www-form-urlencoded": s.SubmitJsonIn}, responses={
        201: s.SubmitOut,
        429: OpenApiResponse(description="Too many anonymous reports from this connection.")})
    def post(self, request):
        data = s.SubmitIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        named = request.user.is_authenticated and not d["anonymous"]
        if not named and ratelimit.is_limited("submit", request, limit=ANONYMOUS_PER_HOUR):
            raise TooMany(_("Too many anonymous reports were sent from this connection. Please "
                            "try again in an hour."))
        try:
            complaint, code = services.complaint_submit(
                user=request.user if named else None, accused_unit=d["accused_unit"],
                misconduct=d["misconduct"], title=d["title"], facts=d["facts"],
                occurred_on=d.get("occurred_on"), place=d["place"],
                official_name=d["official_name"], files=d["files"])
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict")
                                             else exc.messages) from exc
        if not named:
            ratelimit.count("submit", request, window=3600)
        out = {"reference": complaint.reference, "submitted_at": complaint.case.submitted_at,
               "named": named, "receipt_code": code}
        return Response(s.SubmitOut(out).data, status=status.HTTP_201_CREATED,
                        headers={"Cache-Control": "no-store"})


class ComplaintFollowView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # the receipt code is the credential

    @extend_schema(tags=[TAG], request=s.FollowIn, responses={
        200: s.FollowOut,
        404: OpenApiResponse(description="No report with this reference and code."),
        429: OpenApiResponse(description="Too many wrong attempts; locked for 15 minutes.")})
    def post(self, request):
        if ratelimit.is_limited("follow", request, limit=FOLLOW_ATTEMPTS):
            raise TooMany(_("Too many attempts. Please wait 15 minutes and try again."))
        data = s.FollowIn(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.complaint_follow(reference=data.validated_data["reference"],
                                              code=data.validated_data["code"])
        if complaint is None:
            ratelimit.count("follow", request, window=FOLLOW_LOCKOUT_SECONDS)
            raise exceptions.NotFound(_("Not found."))
        ratelimit.reset("follow", request)
        complaint.notices_list = list(selectors.reporter_notices(complaint=complaint))
        out = s.FollowOut({
            "reference": complaint.reference, "case": complaint.case,
            "get_misconduct_display": complaint.get_misconduct_display(),
            "finding": complaint.finding, "finding_reasoning": complaint.finding_reasoning,
            "notices": complaint.notices_list})
        return Response(out.data, headers={"Cache-Control": "no-store"})
