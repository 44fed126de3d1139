"""Who may see which notifications. Used by views, API and admin alike.

Everyone signed in reads their own inbox, and only it: `selectors.notification_list_for` is
that rule, and views and API look notifications up through it (another's id → 404).

Reading other people's notifications is for department staff only. The permission
`notifications.view_notification` is also held by enterprise users, officials and observers
(for their own inbox), so the admin asks for `orgs.supervise_all_units` as well.
"""


def can_view_all(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.has_perm("notifications.view_notification")
        and user.has_perm("orgs.supervise_all_units")
    )
