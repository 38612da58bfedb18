"""Every table, imported here so Alembic and the app see the whole model."""

from app.models.history import HistoryAction, HistoryEntry, HistoryField, OrganizationChanges
from app.models.mail import MailOptOut, OutboxMessage
from app.models.metric import Measurement, Metric, MetricTarget
from app.models.organization import Department, Organization
from app.models.persona import Journey, Persona
from app.models.plan import DEFAULT_TERMINOLOGY, FocusArea, Goal, Phase, Plan, Statement
from app.models.publishing import PublicUpdate
from app.models.quick_win import QuickWin
from app.models.reminders import ReminderDigest
from app.models.sessions import ActionItem, PerformanceSession, SessionDecision
from app.models.strategy import Strategy, StrategyGoal, WorkplanStep
from app.models.update_request import UpdateRequest
from app.models.user import ApiToken, LoginAttempt, PasswordReset, User, UserSession

__all__ = [
    "ActionItem",
    "PerformanceSession",
    "ReminderDigest",
    "SessionDecision",
    "DEFAULT_TERMINOLOGY",
    "ApiToken",
    "Department",
    "FocusArea",
    "Goal",
    "HistoryAction",
    "HistoryEntry",
    "HistoryField",
    "OrganizationChanges",
    "Journey",
    "LoginAttempt",
    "MailOptOut",
    "Measurement",
    "Metric",
    "MetricTarget",
    "Organization",
    "OutboxMessage",
    "Persona",
    "Phase",
    "Plan",
    "PublicUpdate",
    "QuickWin",
    "Statement",
    "Strategy",
    "StrategyGoal",
    "PasswordReset",
    "UpdateRequest",
    "User",
    "UserSession",
    "WorkplanStep",
]
