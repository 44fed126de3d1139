"""Inbox pages: the list, opening one message, marking read, and channel preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.core.fragments import rows_in_order, rows_key
from portal.core.keyset import keyset_page

from .forms import PreferencesForm
from .models import is_local_path
from .selectors import (
    NOTIFICATION_ROW_KEY,
    notification_list_for,
    notification_list_keys,
    notification_unread_count,
)
from .services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_update,
)

PAGE_SIZE = 20


def _safe_local(request, target: str | None) -> str | None:
    if target and is_local_path(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure(),
    ):
        return target
    return None


def _back_to_inbox(request):
    return redirect(_safe_local(request, request.POST.get("next"))
                    or reverse("notifications:inbox"))


@login_required
@require_GET
def inbox(request):
    """List the user's notifications, newest first, 20 a page (keyset: no count, no OFFSET)."""
    qs = notification_list_for(user=request.user)
    # The page's rows are first read as their ids and read times only: a notification's
    # subject and text never change, so the table is cached under those (ADR 0009) and the
    # full rows are read only to render it.
    page = keyset_page(notification_list_keys(qs), field="created_at", query=request.GET,
                       size=PAGE_SIZE)
    unread = notification_unread_count(user=request.user)
    # unread_count: the layout's badge shows the same number, counted once
    return render(request, "notifications/inbox.html", {
        "page": page, "unread": unread, "unread_count": unread,
        "rows_key": rows_key(page.rows, NOTIFICATION_ROW_KEY), "rows": rows_in_order(qs, page.rows),
    })


@login_required
@require_GET
def open_notification(request, pk: int):
    """Mark one notification read and go to what it is about (or show it, without a link)."""
    notification = get_object_or_404(notification_list_for(user=request.user), pk=pk)
    notification_mark_read(notification=notification)
    target = _safe_local(request, notification.url)
    if target:
        return redirect(target)
    return render(request, "notifications/detail.html", {"notification": notification})


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_object_or_404(notification_list_for(user=request.user), pk=pk)
    notification_mark_read(notification=notification)
    messages.success(request, _("Marked “%(subject)s” as read.") % {"subject": notification.subject})
    return _back_to_inbox(request)


@login_required
@require_POST
def mark_all_read(request):
    count = notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, ngettext(
            "Marked %(count)d notification as read.",
            "Marked %(count)d notifications as read.", count,
        ) % {"count": count})
    else:
        messages.info(request, _("There were no unread notifications."))
    return _back_to_inbox(request)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Choose the channels: the inbox always, e-mail on or off."""
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            notification_preferences_update(
                user=request.user, email_notifications=form.cleaned_data["email_notifications"],
            )
            messages.success(request, _("Your notification preferences were saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial={"email_notifications": request.user.email_notifications})
    return render(request, "notifications/preferences.html", {"form": form})
