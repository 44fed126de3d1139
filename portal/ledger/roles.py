"""What the ledger's own permissions mean for each role (merged by accounts.roles.sync_roles).

view_ledgerentry and verify_ledger are given in accounts/roles.py (auditors, department staff).
"""

from portal.accounts.roles import Role

ROLE_PERMISSIONS = {
    # The daily head goes to people outside the department, so that a head they keep can
    # later prove the ledger was not cut short or rewritten (docs/adr/0002).
    Role.AUDITOR: ["ledger.receive_ledger_head"],
}
