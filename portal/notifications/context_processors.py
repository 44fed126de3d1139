from functools import cache


def unread(request):
    """The layout's unread badge: a function, which templates call when they show it (the admin
    and the account pages never do; a page that counted already passes its own `unread_count`)."""
    user = getattr(request, "user", None)

    @cache
    def unread_count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        from .selectors import notification_unread_count

        return notification_unread_count(user=user)

    return {"unread_count": unread_count}
