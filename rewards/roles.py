"""What rewards' permissions mean for each role (merged by accounts.roles.sync_roles).

Two department staff take every reward: the services refuse a decision by its proposer."""

from portal.accounts.roles import Role

ROLE_PERMISSIONS = {
    Role.DEPARTMENT_STAFF: [
        "rewards.propose_reward", "rewards.approve_reward", "rewards.record_reward_payment",
        "rewards.view_rewardproposal", "rewards.view_rewardtier", "rewards.add_rewardtier",
        "rewards.change_rewardtier", "rewards.view_exclusioncategory",
        "rewards.add_exclusioncategory", "rewards.change_exclusioncategory",
        "rewards.view_reportrewardtotal",
        "rewards.view_innovationaward", "rewards.add_innovationaward",
    ],
}
