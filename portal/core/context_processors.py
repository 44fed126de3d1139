from django.conf import settings

TEXT_SIZE_COOKIE = "portal_text_size"


def site(request):
    """Values every page needs: site name, large-text mode, unread notifications."""
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from portal.notifications.selectors import notification_unread_count

        unread = notification_unread_count(user=user)
    return {
        "SITE_NAME": settings.PORTAL["SITE_NAME"],
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
        "unread_count": unread,
    }
