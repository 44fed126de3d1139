"""What routing's permissions mean for each role (merged by accounts.roles.sync_roles).

Routing is the department's: officials get nothing here (permissions.py also requires
`orgs.supervise_all_units`).
"""

from portal.accounts.roles import Role

ROLE_PERMISSIONS = {
    Role.DEPARTMENT_STAFF: [
        "routing.view_routingrule", "routing.add_routingrule", "routing.change_routingrule",
        "routing.delete_routingrule",
        "routing.view_routingmodel", "routing.retrain_routingmodel",
    ],
}
