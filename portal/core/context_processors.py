from django.conf import settings

TEXT_SIZE_COOKIE = "portal_text_size"


def site(request):
    """Values every page needs: site name, large-text mode (the unread badge is the inbox's:
    portal.notifications.context_processors)."""
    return {
        "SITE_NAME": settings.PORTAL["SITE_NAME"],
        "large_text": request.COOKIES.get(TEXT_SIZE_COOKIE) == "large",
    }
