"""The Django admin of Rectify: where inspection staff enter problems, review progress and
sign tasks off (销号). Every write goes through ``rectify.services``; history is read-only.

Importing this package registers the model admins (``admin.autodiscover``).
"""

from rectify.admin import categories, notices, publishing, rounds, tasks

__all__ = ["categories", "notices", "publishing", "rounds", "tasks"]
