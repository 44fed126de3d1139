"""Policy pages (phone first): the library with search, a policy's page with its validity and,
for an enterprise, its eligibility (reasons, missing facts and a form to supply them), and
"policies for me"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import conditions as cond
from . import permissions, selectors, services
from .forms import FactForm, SearchForm
from .models import Topic


@require_GET
def policy_list(request):
    form = SearchForm(request.GET or None)
    policies = selectors.policies_public().order_by("-issued_on", "-id")
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        policies = selectors.policy_search(
            q=d["q"],
            status=d["status"],
            unit=d["unit"].code if d["unit"] else "",
            topic=d["topic"].code if d["topic"] else "",
            industry=d["industry"].pk if d["industry"] else "",
            issued_from=d["issued_from"],
            issued_to=d["issued_to"],
        )
    return render(
        request,
        "policies/list.html",
        {"form": form, "policies": policies[:100], "today": timezone.localdate()},
    )


def _fact_forms(evaluation, names, data=None, files=None, only=None):
    forms = []
    for key in evaluation.missing_facts:
        label = cond.fact_label(key, names=names)
        prefix = key.replace(":", "-")
        bound = data is not None and key == only
        forms.append(
            FactForm(
                data if bound else None,
                files if bound else None,
                key=key,
                label=label,
                prefix=prefix,
            )
        )
    return forms


def _detail(request, policy, bound_key=None):
    today = timezone.localdate()
    context = {"policy": policy, "today": today, "clauses": list(policy.clauses.all())}
    if permissions.acts_for_enterprise(request.user) and policy.is_in_force(today):
        facts = selectors.enterprise_facts(enterprise_id=request.user.enterprise_id)
        names = selectors.declared_names(policy, selectors.qualification_names())
        evaluation = cond.evaluate(policy.conditions, facts.profile, today=today)
        context.update(
            {
                "evaluation": evaluation,
                "reasons": [
                    (cond.describe(leaf, names=names), leaf["clause"]) for leaf in evaluation.met
                ],
                "fact_forms": _fact_forms(
                    evaluation,
                    names,
                    request.POST if bound_key else None,
                    request.FILES if bound_key else None,
                    bound_key,
                )
                if evaluation.value is None
                else [],
                "not_relevant": policy.pk in facts.not_relevant,
            }
        )
    return context


@require_GET
def policy_detail(request, pk):
    policy = selectors.policy_for_page(pk=pk, user=request.user)
    if policy is None:
        raise Http404(_("Not found."))
    return render(request, "policies/detail.html", _detail(request, policy))


@login_required
@require_POST
def fact_supply(request, pk):
    policy = selectors.policy_for_page(pk=pk, user=request.user)
    if policy is None:
        raise Http404(_("Not found."))
    if not permissions.acts_for_enterprise(request.user):
        raise PermissionDenied(_("Only a member of an enterprise supplies its facts."))
    key = request.POST.get("key", "")
    context = _detail(request, policy, bound_key=key)
    form = next((f for f in context.get("fact_forms", []) if f.key == key), None)
    if form is None:
        messages.info(request, services.fact_not_missing_message())
        return redirect("policies:detail", policy.pk)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.fact_supply(
                enterprise=request.user.enterprise,
                by=request.user,
                key=key,
                value=d.get("value"),
                holds=None if "holds" not in d else d["holds"] == "yes",
                certificate=d.get("certificate"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you. The result was evaluated again."))
            return redirect("policies:detail", policy.pk)
    return render(request, "policies/detail.html", context, status=400)


@login_required
@require_POST
def not_relevant(request, pk):
    policy = get_object_or_404(selectors.policies_public(), pk=pk)
    if not permissions.acts_for_enterprise(request.user):
        raise PermissionDenied(_("Only a member of an enterprise marks policies."))
    relevant = request.POST.get("relevant") == "1"
    services.policy_mark_not_relevant(
        enterprise=request.user.enterprise, policy=policy, relevant=relevant
    )
    messages.success(
        request,
        _("Marked relevant again.")
        if relevant
        else _("Marked not relevant: it no longer shows in “Policies for me”."),
    )
    return redirect("policies:detail", policy.pk)


@login_required
def for_me(request):
    if not permissions.acts_for_enterprise(request.user):
        raise PermissionDenied(_("“Policies for me” is for members of an enterprise."))
    if request.method == "POST":
        # one form for every topic's button (the page's only CSRF token, outside the cached
        # part): "subscribe_to" or "unsubscribe_from" carries the topic's id; the older
        # "topic" with "subscribe" = 1 / 0 is still understood
        post = request.POST
        pk = post.get("subscribe_to") or post.get("unsubscribe_from") or post.get("topic") or ""
        if not (pk.isascii() and pk.isdigit()):  # "²" is a digit to str.isdigit, not to int()
            raise Http404(_("Not found."))
        topic = get_object_or_404(Topic, pk=pk)
        services.topic_subscribe(
            enterprise=request.user.enterprise,
            topic=topic,
            subscribed="subscribe_to" in post or post.get("subscribe") == "1",
        )
        return redirect("policies:for_me")
    page = selectors.for_me_page(enterprise_id=request.user.enterprise_id)
    if page is None:  # never drawn, let alone cached, without the enterprise's own row
        raise Http404(_("Not found."))
    return render(request, "policies/for_me.html", {"page": page})
