"""The inspection records: rounds, the problem tree, tasks, measures, notices, publications,
and the clerks' and reviewers' work on tasks."""

from rectify.models.inbox import Notification, NotificationKind, TaskVisit
from rectify.models.notices import Notice
from rectify.models.problems import Measure, ProblemCategory, RectificationTask
from rectify.models.publications import Publication
from rectify.models.rounds import InspectionRound
from rectify.models.worklog import Evidence, ProgressEntry, ReminderLog, Review

__all__ = ["Evidence", "InspectionRound", "Measure", "Notice", "Notification",
           "NotificationKind", "ProblemCategory", "ProgressEntry", "Publication",
           "RectificationTask", "ReminderLog", "Review", "TaskVisit"]
