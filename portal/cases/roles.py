"""What the case engine's permissions mean for each role (merged by accounts.roles.sync_roles).

Object-level rules (which cases) are in permissions.py; these model permissions open the admin
screens built on the engine (unit queue, supervision, settings) to the right roles.
"""

from portal.accounts.roles import Role

_READ_CASES = [
    "cases.view_case", "cases.view_caseevent", "cases.view_attachment",
    "cases.view_category", "cases.view_deadlinerule", "cases.view_supervisionitem",
    "cases.view_replytemplate",
]

ROLE_PERMISSIONS = {
    # Officials act on their own unit's cases through the admin actions (services check
    # the unit); "change" opens those actions, never a free edit of the row.
    Role.UNIT_OFFICIAL: [
        *_READ_CASES, "cases.change_case",
        "cases.add_replytemplate", "cases.change_replytemplate", "cases.delete_replytemplate",
    ],
    Role.DEPARTMENT_STAFF: [
        *_READ_CASES, "cases.change_case",
        "cases.add_category", "cases.change_category",
        "cases.add_deadlinerule", "cases.change_deadlinerule", "cases.delete_deadlinerule",
        "cases.view_enginesettings", "cases.change_enginesettings",
        "cases.add_supervisionitem", "cases.change_supervisionitem",
        "cases.manage_supervision", "cases.view_pain_points",
        "cases.view_casereminder",
        "cases.add_replytemplate", "cases.change_replytemplate", "cases.delete_replytemplate",
    ],
}
