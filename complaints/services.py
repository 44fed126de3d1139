"""Writes of complaints and reports (投诉举报). Other apps may call: nothing but the reads in
selectors.py (rewards read verified findings there); every step of the handling goes through
these services, which call the case engine's (portal.cases.services).

Each service is keyword-only and atomic, checks who may act (permissions.py), records the
decision on the ledger without any personal data, and refuses bad input with a translated
ValidationError that saves nothing. The reporter stays in the sealed tables (models.Reporter):
the engine's case is opened and moved with no person on the reporter's side.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.cases import services as case_services
from portal.cases.constants import FINAL_STATUSES
from portal.cases.kinds import Side
from portal.cases.models import Case
from portal.ledger.services import ledger_append

from . import permissions
from .constants import (
    KIND,
    RECEIPT_DIGITS,
    REWARDABLE_FINDINGS,
    Finding,
    IdentityRequestStatus,
    Misconduct,
    PublicationKind,
    PublicationStatus,
    Triage,
)
from .models import (
    Complaint,
    IdentityRequest,
    IdentityViewing,
    PublishedCase,
    Reporter,
    ReporterNotice,
)
from .permissions import ReporterActor

# How long an approved identity request shows the identity to its asker.
IDENTITY_VISIBLE_FOR = datetime.timedelta(hours=24)
TEXT_MAX = 5000
# A hash of a code nobody holds, checked when a reference is unknown, so an unknown reference
# takes as long as a wrong code (the answer never says which part was wrong).
_DUMMY_HASH = None


def _text(value, *, field: str, required: bool, message: str, max_length: int = TEXT_MAX):
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: message}, code="required")
    if len(text) > max_length:
        raise ValidationError({field: _("Please keep this under %(max)d characters "
                                        "(it has %(n)d).") % {"max": max_length, "n": len(text)}},
                              code="max_length")
    return text


def receipt_code_new() -> str:
    """Return 16 random digits from the operating system's cryptographic generator."""
    return "".join(secrets.choice("0123456789") for _ in range(RECEIPT_DIGITS))


def receipt_code_normalise(code: str) -> str:
    """Accept the code as people type it: spaces and dashes between groups are ignored."""
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-")


# --- the reporter is told ------------------------------------------------------------------

def reporter_tell(case, subject, body) -> None:
    """The kind's `notify_sealed_submitter`: keep what the reporter is told in the sealed
    notices (in every language), inside the step's transaction. The complaint row may not be
    written yet at submission: the foreign key is checked at commit."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(subject)
    ReporterNotice.objects.create(complaint_id=case.pk, subject=texts, body=str(body or ""))


# --- intake --------------------------------------------------------------------------------

@transaction.atomic
def complaint_submit(*, user, accused_unit, misconduct: str, title: str, facts: str,
                     occurred_on: datetime.date | None = None, place: str = "",
                     official_name: str = "", phone: str = "", files=()
                     ) -> tuple[Complaint, str | None]:
    """File a report about `accused_unit`; return it and, for an anonymous report, its receipt
    code (shown once, never stored: only its slow hash is).

    `user` signed in makes a named report (rewardable); None an anonymous one. Evidence files
    are checked by content through the engine before anything is saved.
    """
    errors = {}
    if accused_unit is None or not accused_unit.is_active:
        errors["accused_unit"] = _("Choose the unit whose conduct you report.")
    if misconduct not in Misconduct.values:
        errors["misconduct"] = _("Choose what kind of misconduct it was.")
    if occurred_on and occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date cannot be in the future.")
    try:
        title = _text(title, field="title", required=True, max_length=200,
                      message=_("Enter one line saying what happened."))
        facts = _text(facts, field="facts", required=True,
                      message=_("Describe what happened: who did what, and what it cost you."))
        place = _text(place, field="place", required=False, max_length=200, message="")
        official_name = _text(official_name, field="official_name", required=False,
                              max_length=100, message="")
        phone = _text(phone, field="phone", required=False, max_length=30, message="")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    named = user is not None and user.is_authenticated
    case = case_services.case_open(
        kind=KIND, actor=None, side=Side.REPORTER, title=title, description=facts,
        subtype=misconduct, subject_unit=accused_unit, files=files)
    complaint = Complaint.objects.create(
        case=case, accused_unit=accused_unit, official_name=official_name,
        occurred_on=occurred_on, place=place, named=named)
    code = None
    if named:
        enterprise = user.enterprise if user.enterprise_id else None
        Reporter.objects.create(
            complaint=complaint, user=user, name=user.full_name, email=user.email,
            phone=phone or user.phone,
            enterprise_name=enterprise.name if enterprise else "",
            credit_code=enterprise.credit_code if enterprise else "")
    else:
        code = receipt_code_new()
        Reporter.objects.create(complaint=complaint, receipt_hash=make_password(code))
    ledger_append(actor=None, action="complaints.submit", obj=complaint, payload={
        "reference": case.reference, "misconduct": misconduct, "accused_unit": accused_unit.pk,
        "named": named, "files": len(list(files or [])),
    })
    return complaint, code


@transaction.atomic
def complaint_report_retaliation(*, complaint: Complaint, title: str, facts: str,
                                 files=()) -> Complaint:
    """The reporter of a closed report reports retaliation for it: a new report against the
    same unit, linked to the first, at the top of the desk's queue, with the same reporter
    (named: the same account; anonymous: the same receipt code follows it)."""
    complaint = Complaint.objects.select_related("case", "accused_unit", "reporter").get(
        pk=complaint.pk)
    if complaint.case.status not in FINAL_STATUSES:
        raise ValidationError(_("Retaliation can be reported once the report is closed; until "
                                "then, add it to the report as new material."),
                              code="not_closed")
    sealed = complaint.reporter
    errors = {}
    for field, value, max_length, message in (
            ("title", title, 200, _("Enter one line saying what happened.")),
            ("facts", facts, TEXT_MAX, _("Describe the retaliation: who did what, and when."))):
        try:
            _text(value, field=field, required=True, max_length=max_length, message=message)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    title, facts = title.strip(), facts.strip()
    case = case_services.case_open(
        kind=KIND, actor=None, side=Side.REPORTER, title=title, description=facts,
        subtype=Misconduct.RETALIATION, subject_unit=complaint.accused_unit, files=files)
    retaliation = Complaint.objects.create(case=case, accused_unit=complaint.accused_unit,
                                           named=complaint.named, retaliation_for=complaint)
    Reporter.objects.create(complaint=retaliation, user=sealed.user, name=sealed.name,
                            phone=sealed.phone, email=sealed.email,
                            enterprise_name=sealed.enterprise_name,
                            credit_code=sealed.credit_code, receipt_hash=sealed.receipt_hash)
    ledger_append(actor=None, action="complaints.retaliation", obj=retaliation, payload={
        "reference": case.reference, "retaliation_for": complaint.reference,
        "accused_unit": complaint.accused_unit_id})
    return retaliation


# --- the desk ------------------------------------------------------------------------------

def _lock(complaint: Complaint | int) -> Complaint:
    pk = complaint.pk if isinstance(complaint, Complaint) else complaint
    return (Complaint.objects.select_for_update(of=("self",))
            .select_related("case", "accused_unit").get(pk=pk))


def earliest_of(complaint: Complaint) -> Complaint:
    """The report a duplicate finally points to (the first report of the matter), read afresh."""
    complaint = Complaint.objects.select_related("case").get(pk=complaint.pk)
    seen = {complaint.pk}
    while complaint.duplicate_of_id and complaint.duplicate_of_id not in seen:
        complaint = Complaint.objects.select_related("case").get(pk=complaint.duplicate_of_id)
        seen.add(complaint.pk)
    return complaint


@transaction.atomic
def complaint_triage(*, complaint: Complaint, actor, decision: str, reason: str = "",
                     duplicate_of: Complaint | None = None) -> Complaint:
    """Accept a report, decline it with a reason, or link it as a duplicate to the earliest
    report of the same matter (which keeps precedence)."""
    permissions.require_triage(actor)
    complaint = _lock(complaint)
    if complaint.triage != Triage.PENDING:
        raise ValidationError(_("Report %(ref)s was already triaged (%(triage)s).")
                              % {"ref": complaint.reference,
                                 "triage": complaint.get_triage_display()}, code="triaged")
    if decision not in (Triage.ACCEPTED, Triage.NOT_ACCEPTED, Triage.DUPLICATE):
        raise ValidationError({"decision": _("Choose a decision.")}, code="required")
    reason = _text(reason, field="reason", required=decision == Triage.NOT_ACCEPTED,
                   message=_("Say why the report is not accepted; the reporter reads it."))
    payload = {"reference": complaint.reference, "decision": decision}
    if decision == Triage.ACCEPTED:
        case_services.case_accept(case=complaint.case, actor=actor, note=reason)
    elif decision == Triage.NOT_ACCEPTED:
        case_services.case_reject(case=complaint.case, actor=actor, reason=reason)
    else:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("Choose the earlier report of the same "
                                                     "matter.")}, code="required")
        first = earliest_of(duplicate_of)
        if first.pk == complaint.pk:
            raise ValidationError({"duplicate_of": _("A report cannot be a duplicate of "
                                                     "itself.")}, code="self")
        if (first.case.submitted_at, first.pk) > (complaint.case.submitted_at, complaint.pk):
            raise ValidationError({"duplicate_of": _(
                "%(other)s was filed after %(ref)s: the earliest report keeps precedence, so "
                "link %(other)s to %(ref)s instead.") % {"other": first.reference,
                                                         "ref": complaint.reference}},
                code="later")
        complaint.duplicate_of = first
        told = _("The same matter was reported earlier and is being handled under that "
                 "report.")
        case_services.case_reject(case=complaint.case, actor=actor,
                                  reason=f"{told}\n{reason}".strip())
        payload["duplicate_of"] = first.reference
    complaint.triage = decision
    complaint.triage_reason = reason
    complaint.triaged_at = timezone.now()
    complaint.save(update_fields=["triage", "triage_reason", "triaged_at", "duplicate_of"])
    ledger_append(actor=actor, action="complaints.triage", obj=complaint, payload=payload)
    return complaint


def units_involved(unit) -> set[int]:
    """The accused unit, its parents up the tree and every one of its sub-units."""
    from portal.orgs.models import Unit

    involved = {unit.pk}
    parent_id = unit.parent_id
    while parent_id and parent_id not in involved:
        involved.add(parent_id)
        parent_id = Unit.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    frontier = [unit.pk]
    while frontier:
        children = list(Unit.objects.filter(parent_id__in=frontier)
                        .exclude(pk__in=involved).values_list("pk", flat=True))
        involved.update(children)
        frontier = children
    return involved


def unit_check_uninvolved(*, complaint: Complaint, unit) -> None:
    """Refuse an investigating unit that is the accused unit, a parent of it or a sub-unit."""
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit that will investigate.")},
                              code="required")
    if unit.pk in units_involved(complaint.accused_unit):
        raise ValidationError({"unit": _(
            "%(unit)s cannot investigate this report: it is the unit complained about, a "
            "unit above it or one of its sub-units. Choose an uninvolved unit."
        ) % {"unit": unit.display_name}}, code="involved")


@transaction.atomic
def complaint_assign(*, complaint: Complaint, actor, unit, note: str = "") -> Complaint:
    """Send a report to an uninvolved unit to investigate (15 working days from sign-for)."""
    permissions.require_triage(actor)
    complaint = _lock(complaint)
    if complaint.triage in (Triage.NOT_ACCEPTED, Triage.DUPLICATE):
        raise ValidationError(_("Report %(ref)s was not accepted; it cannot be assigned.")
                              % {"ref": complaint.reference}, code="not_accepted")
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit that will investigate.")},
                              code="required")
    # The engine asks the kind (kind.py: check_unit) whether `unit` is uninvolved.
    case_services.case_assign(case=complaint.case, actor=actor, unit=unit, note=note)
    if complaint.triage == Triage.PENDING:
        complaint.triage = Triage.ACCEPTED
        complaint.triaged_at = timezone.now()
        complaint.save(update_fields=["triage", "triaged_at"])
    ledger_append(actor=actor, action="complaints.assign", obj=complaint,
                  payload={"reference": complaint.reference, "unit": unit.pk})
    return complaint


# --- the investigating unit ----------------------------------------------------------------

@transaction.atomic
def complaint_record_finding(*, complaint: Complaint, actor, finding: str, reasoning: str,
                             files=()) -> Complaint:
    """Record the investigation's finding with its reasoning; the reporter is told the outcome
    (the engine's answer) and may rate it."""
    if finding not in Finding.values:
        raise ValidationError({"finding": _("Choose the finding: verified, partly verified or "
                                            "unfounded.")}, code="required")
    reasoning = _text(reasoning, field="reasoning", required=True,
                      message=_("Give the reasoning of the finding: what was checked and what "
                                "it showed."))
    complaint = _lock(complaint)
    if complaint.finding:
        raise ValidationError(_("A finding was already recorded for %(ref)s.")
                              % {"ref": complaint.reference}, code="found")
    label = Finding(finding).label
    with translation.override(settings.LANGUAGE_CODE):
        heading = str(label)
    case_services.case_answer(case=complaint.case, actor=actor,
                              answer=f"{heading}\n\n{reasoning}", files=files)
    complaint.finding = finding
    complaint.finding_reasoning = reasoning
    complaint.found_at = timezone.now()
    complaint.save(update_fields=["finding", "finding_reasoning", "found_at"])
    ledger_append(actor=actor, action="complaints.finding", obj=complaint,
                  payload={"reference": complaint.reference, "finding": finding})
    return complaint


# --- the reporter --------------------------------------------------------------------------

def complaint_follow(*, reference: str, code: str) -> Complaint | None:
    """Return the anonymous report `reference` if `code` is its receipt code, else None.

    An unknown reference costs the same slow hash as a wrong code: the caller says only
    "not found", and counts the attempt (rate limit, views.py)."""
    global _DUMMY_HASH
    code = receipt_code_normalise(code)
    reporter = (Reporter.objects.select_related("complaint__case")
                .filter(complaint__case__reference=(reference or "").strip().upper(),
                        complaint__case__kind=KIND).exclude(receipt_hash="").first())
    if reporter is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = make_password(receipt_code_new())
        check_password(code, _DUMMY_HASH)
        return None
    if not code.isdigit() or not check_password(code, reporter.receipt_hash):
        return None
    return reporter.complaint


def reporter_actor(*, complaint: Complaint) -> ReporterActor:
    """The actor the engine's services accept for the reporter of `complaint` (proved by the
    caller: a receipt code checked by complaint_follow, or the signed-in named reporter)."""
    return ReporterActor(complaint.pk)


def complaint_reporter_answer(*, complaint: Complaint, information: str, files=()) -> Case:
    """The reporter answers the investigating unit's question."""
    return case_services.case_provide_info(case=complaint.case,
                                           actor=reporter_actor(complaint=complaint),
                                           information=information, files=files)


def complaint_reporter_supplement(*, complaint: Complaint, note: str, files=()):
    """The reporter adds evidence or a note to the open report."""
    return case_services.case_supplement(case=complaint.case, actor=None, side=Side.REPORTER,
                                         note=note, files=files)


def complaint_reporter_rate(*, complaint: Complaint, score: int, comment: str = "") -> Case:
    """The reporter rates the outcome (1–5; 1 or 2 sends it back to the unit)."""
    return case_services.case_rate(case=complaint.case,
                                   actor=reporter_actor(complaint=complaint),
                                   score=score, comment=comment)


# --- identity requests ---------------------------------------------------------------------

@transaction.atomic
def identity_request_create(*, complaint: Complaint, asker, reason: str) -> IdentityRequest:
    """Ask to know who filed `complaint`, with the reason; a supervisor decides."""
    permissions.require(permissions.can_view_complaint(asker, complaint),
                        _("You are not allowed to see this report."))
    permissions.require(not permissions.sees_identity(asker),
                        _("The complaint desk already sees who reported."))
    reason = _text(reason, field="reason", required=True,
                   message=_("Say why you need to know who reported."))
    request = IdentityRequest.objects.create(complaint=complaint, asker=asker, reason=reason)
    ledger_append(actor=asker, action="complaints.identity_request", obj=request,
                  payload={"reference": complaint.reference, "request": request.pk})
    return request


@transaction.atomic
def identity_request_decide(*, request: IdentityRequest, actor, approve: bool,
                            reason: str) -> IdentityRequest:
    """Approve or refuse an identity request, with a reason; never one's own request."""
    permissions.require(permissions.can_decide_identity(actor),
                        _("Only a supervisor of the department may decide identity requests."))
    request = (IdentityRequest.objects.select_for_update().select_related("complaint__case")
               .get(pk=request.pk))
    if request.asker_id == actor.pk:
        raise PermissionDenied(_("You cannot decide your own identity request: another "
                                 "supervisor must."))
    if request.status != IdentityRequestStatus.PENDING:
        raise ValidationError(_("This request was already decided."), code="decided")
    reason = _text(reason, field="decision_reason", required=True,
                   message=_("Give the reason of the decision."))
    now = timezone.now()
    request.status = (IdentityRequestStatus.APPROVED if approve
                      else IdentityRequestStatus.REFUSED)
    request.decided_by, request.decision_reason, request.decided_at = actor, reason, now
    request.expires_at = now + IDENTITY_VISIBLE_FOR if approve else None
    request.save(update_fields=["status", "decided_by", "decision_reason", "decided_at",
                                "expires_at"])
    ledger_append(actor=actor, action="complaints.identity_decide", obj=request, payload={
        "reference": request.complaint.reference, "request": request.pk,
        "decision": request.status})
    return request


@transaction.atomic
def identity_reveal(*, request: IdentityRequest, user) -> Reporter:
    """Return the reporter to the asker of an approved, unexpired request; kept and ledgered."""
    request = IdentityRequest.objects.select_related("complaint").get(pk=request.pk)
    permissions.require(request.is_open_to(user),
                        _("This identity is not open to you (not approved, or expired)."))
    IdentityViewing.objects.create(request=request)
    ledger_append(actor=user, action="complaints.identity_viewed", obj=request,
                  payload={"reference": request.complaint.reference, "request": request.pk})
    return Reporter.objects.get(complaint=request.complaint)


@transaction.atomic
def complaint_tell_reporter(*, complaint: Complaint, subject, body: str = "") -> None:
    """Tell the reporter of `complaint` something (rewards: a reward paid), in the sealed
    notices they read on their report's page; nothing names them anywhere else."""
    reporter_tell(complaint.case, subject, body)



# --- publication (Art. 6(2)) ---------------------------------------------------------------

def _identity_values(complaint: Complaint) -> list[str]:
    reporter = Reporter.objects.filter(complaint=complaint).first()
    if reporter is None:
        return []
    return [v for v in (reporter.name, reporter.phone, reporter.email, reporter.credit_code,
                        reporter.enterprise_name) if v and len(v) >= 2]


@transaction.atomic
def publication_draft(*, actor, kind: str, unit, year: int, title: str, title_en: str,
                      text: str, text_en: str, complaint: Complaint | None = None,
                      misconduct: str = "") -> PublishedCase:
    """Draft a case to publish; a negative case comes from a verified finding. The text must
    not name the reporter (checked against the sealed table). Another person approves it."""
    permissions.require(permissions.can_publish(actor),
                        _("Only the department may publish cases."))
    if complaint is not None:
        complaint = Complaint.objects.select_related("case", "accused_unit").get(pk=complaint.pk)
    errors = {}
    if kind not in PublicationKind.values:
        errors["kind"] = _("Choose a negative or an excellent case.")
    if kind == PublicationKind.NEGATIVE:
        if complaint is None or complaint.finding not in REWARDABLE_FINDINGS:
            errors["complaint"] = _("A negative case is published from a verified or partly "
                                    "verified report.")
        else:
            misconduct = misconduct or complaint.misconduct
            unit = unit or complaint.accused_unit
    if unit is None:
        errors["unit"] = _("Choose the unit.")
    if misconduct and misconduct not in Misconduct.values:
        errors["misconduct"] = _("Choose a type from the list.")
    fields = {}
    for field, value, max_length in (("title", title, 200), ("title_en", title_en, 300),
                                     ("text", text, 5000), ("text_en", text_en, 8000)):
        try:
            fields[field] = _text(value, field=field, required=True, max_length=max_length,
                                  message=_("Enter this text; the public page shows it."))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if complaint is not None and not errors:
        written = " ".join(fields.values())
        if any(value in written for value in _identity_values(complaint)):
            errors["text"] = _("The text names the reporter or their enterprise: remove it; "
                               "published cases are de-identified.")
    if errors:
        raise ValidationError(errors)
    publication = PublishedCase.objects.create(
        kind=kind, complaint=complaint, unit=unit, misconduct=misconduct or "", year=year,
        drafted_by=actor, **fields)
    ledger_append(actor=actor, action="complaints.publication_draft", obj=publication,
                  payload={"kind": kind, "unit": unit.pk, "year": year})
    return publication


@transaction.atomic
def publication_approve(*, publication: PublishedCase, actor) -> PublishedCase:
    """Approve and publish a draft; never by the person who drafted it."""
    permissions.require(permissions.can_publish(actor),
                        _("Only the department may publish cases."))
    publication = PublishedCase.objects.select_for_update().get(pk=publication.pk)
    if publication.drafted_by_id == actor.pk:
        raise PermissionDenied(_("You drafted this case: another person must approve it."))
    if publication.status != PublicationStatus.DRAFT:
        raise ValidationError(_("This case is already published."), code="published")
    publication.status = PublicationStatus.PUBLISHED
    publication.approved_by = actor
    publication.published_at = timezone.now()
    publication.save(update_fields=["status", "approved_by", "published_at"])
    ledger_append(actor=actor, action="complaints.publication_approve", obj=publication,
                  payload={"kind": publication.kind, "unit": publication.unit_id})
    return publication
