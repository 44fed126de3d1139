"""What complaints' permissions mean for each role (merged by accounts.roles.sync_roles)."""

from portal.accounts.roles import Role

ROLE_PERMISSIONS = {
    # The desk triages, assigns, sees who reported and decides others' identity requests.
    Role.COMPLAINT_DESK: [
        "cases.view_sealed_identity",
        "complaints.triage_complaint", "complaints.decide_identity_request",
        "complaints.view_complaint", "complaints.view_reporter",
        "complaints.view_identityrequest", "complaints.change_identityrequest",
        "complaints.view_identityviewing", "complaints.view_reporternotice",
    ],
    # Department staff and investigating units read reports without the reporter, and may
    # ask for the identity with a reason.
    Role.DEPARTMENT_STAFF: ["complaints.view_complaint", "complaints.view_identityrequest",
                            "complaints.add_identityrequest", "complaints.publish_case",
                            "complaints.view_publishedcase", "complaints.add_publishedcase"],
    Role.UNIT_OFFICIAL: ["complaints.view_complaint", "complaints.view_identityrequest",
                         "complaints.add_identityrequest"],
}
