"""Object-level rules of policies: the one place pages, API and admin ask."""


def acts_for_enterprise(user) -> bool:
    """May `user` see "policies for me" and supply facts for their enterprise?"""
    return bool(user.is_authenticated and user.enterprise_id
                and user.has_perm("orgs.act_for_enterprise"))


def may_publish(user, policy) -> bool:
    return bool(user.is_authenticated and (
        user.is_superuser or (user.unit_id == policy.unit_id
                              and user.has_perm("policies.publish_policy"))))
