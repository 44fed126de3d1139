"""Who may correct the working-day calendar: the one place the admin and services ask."""


def can_edit_calendar(user, perm: str = "workdays.change_calendarday") -> bool:
    """Department staff hold the calendarday permissions (accounts/roles.py)."""
    return (user is not None and user.is_authenticated and user.is_active
            and user.has_perm(perm))
