"""The Django admin of Rectify: where inspection staff enter problems, review progress and
sign tasks off (销号). Every write goes through ``rectify.services``; history is read-only.

Importing this package registers the model admins (``admin.autodiscover``).
"""

from rectify.admin import (
    category_admin,
    figure_admin,
    notice_admin,
    party_group_admin,
    publishing_admin,
    round_admin,
    task_admin,
    user_admin,
)

__all__ = ["category_admin", "figure_admin", "notice_admin", "party_group_admin",
           "publishing_admin", "round_admin", "task_admin", "user_admin"]
