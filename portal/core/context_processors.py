from functools import cache

from django.conf import settings

TEXT_SIZE_COOKIE = "portal_text_size"


def site(request):
    """Values every page needs: site name, large-text mode, unread notifications.

    The unread count is a function, which templates call when they show it: the admin and the
    account pages never do, and a page that counted already passes its own `unread_count`.
    """
    user = getattr(request, "user", None)

    @cache
    def unread_count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        from portal.notifications.selectors import notification_unread_count

        return notification_unread_count(user=user)

    return {
        "SITE_NAME": settings.PORTAL["SITE_NAME"],
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
        "unread_count": unread_count,
    }
