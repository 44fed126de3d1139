"""The cases API: the same operations as the pages and the admin, through the same selectors
(what a user may see) and services (what a user may do, and when).

A case the user may not see is 404 whatever they try; a step their role may not take is 403;
bad input or a step not allowed in the case's current status is 400. Every refusal comes in
the project's one error format, {"error": {"code", "message", "fields"?}}, with the service's
translated message.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.cases import permissions, selectors, services
from portal.cases.attachments import EXTENSIONS as ATTACHMENT_TYPES
from portal.cases.models import Case
from portal.core.api.pagination import PagedByCursor

from ..services import appeal_submit
from . import serializers as s

TAG = "cases"
PARSERS = [JSONParser, MultiPartParser, FormParser]
ERRORS = {
    400: OpenApiResponse(description="Bad input, or a step not allowed in the case's current "
                                     "status: {\"error\": {\"code\", \"message\", \"fields\"}}."),
    403: OpenApiResponse(description="Your role may not take this step."),
    404: OpenApiResponse(description="No such case, or not one you may see."),
}


class Refused(exceptions.APIException):
    """A service refused for a reason that is not about one field (e.g. the case's status)."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, exc: ValidationError):
        super().__init__(detail=" ".join(exc.messages))
        # The project's exception handler reports `default_code` as the error code.
        self.default_code = exc.code or "refused"


def call_service(fn):
    """Call a service, turning its refusals into API errors with its own messages."""
    try:
        return fn()
    except PermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise exceptions.ValidationError(exc.message_dict) from exc
        raise Refused(exc) from exc


def visible_case(request, pk: int) -> Case:
    case = selectors.case_list_visible_to(user=request.user).filter(pk=pk).first()
    if case is None:
        raise exceptions.NotFound(_("There is no case with this id that you may see."))
    return case


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def detail_data(request, case: Case) -> dict:
    internal = permissions.sees_internal(request.user, case)
    timeline = list(selectors.case_timeline_for(case=case, user=request.user))
    return s.CaseDetailOutputSerializer(case, context={
        "request": request, "case": case, "internal": internal, "timeline": timeline}).data


class CasePagination(PagedByCursor):
    ordering = ("-submitted_at", "-id")


# What CaseListOutputSerializer prints of other tables.
LIST_RELATED = ("category", "responsible_unit", "subject_unit")


class CaseListView(ListAPIView):
    """The cases you may see, newest first; submit an appeal."""

    serializer_class = s.CaseListOutputSerializer
    pagination_class = CasePagination
    filter_backends: list = []  # filtering is the input serializer's job
    parser_classes = PARSERS

    def get_queryset(self):
        data = validated(s.CaseListFilterSerializer, self.request.query_params)
        qs = selectors.case_queue(user=self.request.user, status=data.get("status"),
                                  overdue=data["overdue"], category=data.get("category"),
                                  search=data["q"])
        if data.get("type"):
            qs = qs.filter(subtype=data["type"])
        return selectors.case_list_rows(qs, related=LIST_RELATED)

    @extend_schema(tags=[TAG], summary="List the cases you may see",
                   parameters=[s.CaseListFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=[TAG], summary="Submit an appeal (诉求) for your enterprise",
                   request={"multipart/form-data": s.CaseSubmitInputSerializer,
                            "application/json": s.without_files(s.CaseSubmitInputSerializer)},
                   responses={201: s.CaseDetailOutputSerializer, **ERRORS})
    def post(self, request):
        data = validated(s.CaseSubmitInputSerializer, request.data)
        case = call_service(lambda: appeal_submit(
            submitter=request.user, title=data["title"], description=data["description"],
            category=data["category"], subtype=data["appeal_type"],
            subject_unit=data["subject_unit"], files=data["files"]))
        return Response(detail_data(request, case), status=status.HTTP_201_CREATED)


class CaseDetailView(APIView):
    """One case with the timeline you may see: public steps for the enterprise, every step
    for the responsible unit and the department."""

    @extend_schema(tags=[TAG], summary="A case and its timeline",
                   responses={200: s.CaseDetailOutputSerializer, 404: ERRORS[404]},
                   # the submission's files, the first step's attachments
                   extensions={"x-portal-links": {"200": {"v1_cases_files_retrieve": {
                       "path.id": "$request.path.id",
                       "path.attachment_id": "$response.body#/timeline/0/attachments/0/id"}}}})
    def get(self, request, pk: int):
        return Response(detail_data(request, visible_case(request, pk)))


class AttachmentDownloadView(APIView):
    """Download a file of a case, if you may see the step it came with."""

    @extend_schema(tags=[TAG], summary="Download an attachment",
                   responses={**{(200, media_type): OpenApiTypes.BINARY
                                 for media_type in ATTACHMENT_TYPES},
                              404: ERRORS[404]})
    def get(self, request, pk: int, attachment_id: int):
        case = visible_case(request, pk)
        attachment = selectors.case_attachments_for(case=case, user=request.user).filter(
            pk=attachment_id).first()
        if attachment is None:
            raise exceptions.NotFound(_("There is no such file on this case."))
        try:
            handle = attachment.file.open("rb")
        except OSError as exc:
            raise exceptions.NotFound(_("The file is no longer available.")) from exc
        return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)


# --- one endpoint per step of the engine -----------------------------------------------------

class CaseStepView(APIView):
    """POST one step: parse the input, call exactly one service, return the case."""

    parser_classes = PARSERS
    input_serializer = None

    def step(self, *, case: Case, actor, data: dict):
        raise NotImplementedError

    def post(self, request, pk: int):
        case = visible_case(request, pk)
        data = validated(self.input_serializer, request.data) if self.input_serializer else {}
        result = call_service(lambda: self.step(case=case, actor=request.user, data=data))
        return self.respond(result)

    def respond(self, case):
        return Response(s.CaseListOutputSerializer(case).data)


def step_schema(summary: str, request=None, responses=s.CaseListOutputSerializer):
    body = request
    if request is not None and "files" in request().fields:
        body = {"multipart/form-data": request, "application/json": s.without_files(request)}
    return extend_schema(tags=[TAG], summary=summary, request=body,
                         responses={200: responses, **ERRORS})


@step_schema("Accept a submitted case (受理) — department", s.NoteInputSerializer)
class AcceptView(CaseStepView):
    input_serializer = s.NoteInputSerializer

    def step(self, *, case, actor, data):
        return services.case_accept(case=case, actor=actor, note=data["note"])


@step_schema("Decline a submitted case, with a reason for the enterprise — department",
             s.ReasonInputSerializer)
class RejectView(CaseStepView):
    input_serializer = s.ReasonInputSerializer

    def step(self, *, case, actor, data):
        return services.case_reject(case=case, actor=actor, reason=data["reason"])


@step_schema("Assign a case to a unit (派单) — department", s.UnitNoteInputSerializer)
class AssignView(CaseStepView):
    input_serializer = s.UnitNoteInputSerializer

    def step(self, *, case, actor, data):
        return services.case_assign(case=case, actor=actor, unit=data["unit"], note=data["note"])


@step_schema("Sign for an assigned case (签收): the unit's clock starts — responsible unit")
class SignForView(CaseStepView):
    def step(self, *, case, actor, data):
        return services.case_sign_for(case=case, actor=actor)


@step_schema("Start work on a case — responsible unit", s.NoteInputSerializer)
class StartView(CaseStepView):
    input_serializer = s.NoteInputSerializer

    def step(self, *, case, actor, data):
        return services.case_start(case=case, actor=actor, note=data["note"])


@step_schema("Answer the enterprise — responsible unit", s.AnswerInputSerializer)
class AnswerView(CaseStepView):
    input_serializer = s.AnswerInputSerializer

    def step(self, *, case, actor, data):
        return services.case_answer(case=case, actor=actor, answer=data["answer"],
                                    files=data["files"])


@step_schema("Return a case to the department (退单), with a reason code — responsible unit",
             s.ReturnInputSerializer)
class ReturnView(CaseStepView):
    input_serializer = s.ReturnInputSerializer

    def step(self, *, case, actor, data):
        return services.case_return(case=case, actor=actor, reason=data["reason"],
                                    note=data["note"])


@step_schema("Transfer a case to another unit (转办) — responsible unit or department",
             s.UnitNoteInputSerializer)
class TransferView(CaseStepView):
    input_serializer = s.UnitNoteInputSerializer

    def step(self, *, case, actor, data):
        return services.case_transfer(case=case, actor=actor, unit=data["unit"],
                                      note=data["note"])


@step_schema("Ask the department for more time — responsible unit",
             s.ExtensionRequestInputSerializer)
class RequestExtensionView(CaseStepView):
    input_serializer = s.ExtensionRequestInputSerializer

    def step(self, *, case, actor, data):
        return services.case_request_extension(case=case, actor=actor, until=data["until"],
                                               reason=data["reason"])


@step_schema("Approve or refuse an extension request — department",
             s.ExtensionDecisionInputSerializer)
class DecideExtensionView(CaseStepView):
    input_serializer = s.ExtensionDecisionInputSerializer

    def step(self, *, case, actor, data):
        return services.case_decide_extension(case=case, actor=actor, approve=data["approve"],
                                              note=data["note"], until=data["until"])


@step_schema("Ask the enterprise a question; the unit's clock pauses — responsible unit",
             s.QuestionInputSerializer)
class RequestInfoView(CaseStepView):
    input_serializer = s.QuestionInputSerializer

    def step(self, *, case, actor, data):
        return services.case_request_info(case=case, actor=actor, question=data["question"])


@step_schema("Answer the unit's question — enterprise", s.InformationInputSerializer)
class ProvideInfoView(CaseStepView):
    input_serializer = s.InformationInputSerializer

    def step(self, *, case, actor, data):
        return services.case_provide_info(case=case, actor=actor,
                                          information=data["information"], files=data["files"])


@step_schema("Rate the answer 1–5; 1 or 2 sends the case back for redo (重办) — enterprise",
             s.RateInputSerializer)
class RateView(CaseStepView):
    input_serializer = s.RateInputSerializer

    def step(self, *, case, actor, data):
        return services.case_rate(case=case, actor=actor, score=data["score"],
                                  comment=data["comment"])


@step_schema("Close an answered case without waiting for the rating — department",
             s.NoteInputSerializer)
class CloseView(CaseStepView):
    input_serializer = s.NoteInputSerializer

    def step(self, *, case, actor, data):
        return services.case_close(case=case, actor=actor, note=data["note"])


@extend_schema(tags=[TAG], summary="Add an internal note, never shown to the enterprise — "
                                   "responsible unit or department",
               request={"multipart/form-data": s.InternalNoteInputSerializer,
                        "application/json": s.without_files(s.InternalNoteInputSerializer)},
               responses={201: s.NoteOutputSerializer, **ERRORS})
class InternalNoteView(CaseStepView):
    input_serializer = s.InternalNoteInputSerializer

    def step(self, *, case, actor, data):
        return services.case_add_internal_note(case=case, actor=actor, note=data["note"],
                                               files=data["files"])

    def respond(self, event):
        return Response(s.NoteOutputSerializer(event).data, status=status.HTTP_201_CREATED)
