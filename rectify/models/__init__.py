"""The inspection records: rounds, the problem tree, tasks, measures, notices, publications,
the clerks' and reviewers' work on tasks, deadline extensions, outcome figures, the
background jobs, and the search's own rows."""

from rectify.models.extensions import DeadlineExtension
from rectify.models.inbox import Notification, NotificationKind, TaskVisit
from rectify.models.job import Job, JobState
from rectify.models.notices import Notice
from rectify.models.outcomes import FigureKind, OutcomeFigure
from rectify.models.problems import Measure, ProblemCategory, RectificationTask
from rectify.models.publications import Publication
from rectify.models.rounds import InspectionRound
from rectify.models.search_rows import PublishedSearchText, TaskSearchText
from rectify.models.snapshots import StatisticsSnapshot
from rectify.models.tokens import ApiToken
from rectify.models.worklog import Evidence, ProgressEntry, ReminderLog, Review

__all__ = ["ApiToken", "DeadlineExtension", "Evidence", "FigureKind", "InspectionRound",
           "Job", "JobState", "Measure", "Notice", "Notification", "NotificationKind",
           "OutcomeFigure", "ProblemCategory", "ProgressEntry", "Publication",
           "PublishedSearchText", "RectificationTask", "ReminderLog", "Review",
           "StatisticsSnapshot", "TaskSearchText", "TaskVisit"]
