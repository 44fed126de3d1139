"""What the policies' permissions mean for each role (merged by accounts.roles.sync_roles)."""

from portal.accounts.roles import Role

_EDIT = [f"policies.{action}_{model}" for model in (
    "policy", "policyclause", "guide", "policytestcase", "policyattachment")
    for action in ("view", "add", "change")] + [
    "policies.view_policyversion", "policies.view_topic", "policies.view_grant"]

ROLE_PERMISSIONS = {
    # The department sees every unit's policies; a unit official drafts and publishes its own.
    Role.DEPARTMENT_STAFF: [*_EDIT, "policies.add_topic", "policies.change_topic"],
    Role.UNIT_OFFICIAL: [*_EDIT, "policies.publish_policy"],
}
