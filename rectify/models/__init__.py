"""The inspection records: rounds, the problem tree, tasks, measures, notices, publications."""

from rectify.models.notices import Notice
from rectify.models.publications import Publication
from rectify.models.rounds import InspectionRound
from rectify.models.tree import Measure, ProblemCategory, RectificationTask

__all__ = ["InspectionRound", "Measure", "Notice", "ProblemCategory", "Publication",
           "RectificationTask"]
