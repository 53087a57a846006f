"""Choices shared by models, filters, serializers, forms and the admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """The three canonical states that statistics use; the printed text is kept beside."""

    IN_PROGRESS = "in_progress", _("正在推进")
    COMPLETED = "completed", _("已完成")
    COMPLETED_LONGTERM = "completed_longterm", _("已完成，长期坚持")

    @classmethod
    def done(cls) -> list[str]:
        return [cls.COMPLETED, cls.COMPLETED_LONGTERM]


class NumberingStyle(models.TextChoices):
    """How the problem tree is numbered (see rectify.rules.numbering)."""

    NESTED = "nested", _("逐级编号（各级序号在上级下重新起算）")
    CONTINUOUS = "continuous", _("类别逐级编号，任务全文连续编号")


class NoticeKind(models.TextChoices):
    PROGRESS = "progress", _("整改进展情况通报")
    FINAL = "final", _("整改情况通报")


class WithholdGround(models.TextChoices):
    """Why a task is left out of the version of a notice published to the public."""

    STATE_SECRET = "state_secret", _("党和国家秘密")
    OPEN_CASE = "open_case", _("在办案件")
    SENSITIVE = "sensitive", _("重大敏感事项")
    PRIVACY = "privacy", _("个人隐私")
    OTHER = "other", _("其他")


class Audience(models.TextChoices):
    """Who a published notice is for: 党内通报 or 向社会通报."""

    PARTY = "party", _("党内通报")
    PUBLIC = "public", _("向社会通报")


class ReviewDecision(models.TextChoices):
    """What staff decided on a task (rectify.models.Review)."""

    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回")
    REOPENED = "reopened", _("回头看重新打开")


class ReviewLevel(models.IntegerChoices):
    """Who decides a proposal: the bureau's own leader (first level, in a round reviewed in two
    levels) or the inspection office (always the last level)."""

    BUREAU = 1, _("单位负责人审核")
    OFFICE = 2, _("巡察办审核")


class ReviewLevels(models.IntegerChoices):
    """How many levels a round's proposals pass (逐级审核)."""

    ONE = 1, _("一级审核（巡察办）")
    TWO = 2, _("两级审核（单位负责人、巡察办）")


class ExtensionStatus(models.TextChoices):
    """Where a request for a later due date (申请延期) stands."""

    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")
