from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import permissions, selectors, services
from .forms import EnterpriseProfileForm, JoinDecisionForm
from .models import JoinRequest


def _own_enterprise(request):
    if not request.user.enterprise_id:
        raise Http404
    return request.user.enterprise


@login_required
def enterprise_profile(request):
    enterprise = _own_enterprise(request)
    can_edit = permissions.can_manage_members(request.user, enterprise)
    form = None
    if can_edit:
        form = EnterpriseProfileForm(request.POST or None, instance=enterprise)
        if request.method == "POST" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "qualifications"}
            try:
                services.enterprise_update_profile(
                    actor=request.user, enterprise=enterprise, data=data,
                    qualifications=form.cleaned_data["qualifications"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The enterprise profile was saved."))
                return redirect("orgs:enterprise")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "orgs/enterprise.html", {
        "enterprise": enterprise, "form": form, "can_edit": can_edit,
    })


@login_required
def members(request):
    enterprise = _own_enterprise(request)
    if not permissions.can_manage_members(request.user, enterprise):
        raise PermissionDenied
    return render(request, "orgs/members.html", {
        "enterprise": enterprise,
        "pending": selectors.join_requests_pending_for(enterprise=enterprise),
        "members": selectors.enterprise_members(enterprise=enterprise),
    })


@login_required
@require_POST
def decide_join_request(request, pk):
    join_request = get_object_or_404(JoinRequest, pk=pk, enterprise_id=request.user.enterprise_id)
    form = JoinDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("orgs:members")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.join_request_decide(actor=request.user, join_request=join_request, approve=approve)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        name = join_request.user.get_full_name()
        messages.success(request, _("%(name)s may now act for the enterprise.") % {"name": name}
                         if approve else _("The request of %(name)s was rejected.") % {"name": name})
    return redirect("orgs:members")
