"""Who may read and verify the ledger: the one place admin, commands' callers and API ask."""


def can_view_ledger(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("ledger.view_ledgerentry")


def can_verify_ledger(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("ledger.verify_ledger")
