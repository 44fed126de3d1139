"""What the commitments' permissions mean for each role (merged by accounts.roles.sync_roles)."""

from portal.accounts.roles import Role

_EDIT = [
    "commitments.view_commitment",
    "commitments.add_commitment",
    "commitments.change_commitment",
    "commitments.view_clause",
    "commitments.add_clause",
    "commitments.change_clause",
    "commitments.view_fulfilment",
    "commitments.view_clausesupervision",
]

ROLE_PERMISSIONS = {
    # The department sees and edits every unit's commitments; it does not record evidence for
    # a unit (that is the unit's own word).
    Role.DEPARTMENT_STAFF: _EDIT,
    # A unit official keeps their own unit's commitments and records their fulfilment.
    Role.UNIT_OFFICIAL: [*_EDIT, "commitments.record_fulfilment"],
}
