"""Enumerations of the plan domain.

Stored as plain strings with CHECK constraints (see `app.models.base.enum_column`) rather than
native database enums, so adding a value is a small migration on SQLite and PostgreSQL alike.
"""

from enum import StrEnum


class PlanStatus(StrEnum):
    draft = "draft"
    adopted = "adopted"
    archived = "archived"


class ScheduleStyle(StrEnum):
    """How the roadmap labels quarters: calendar ("2019 Q2") or plan-relative ("Year 2 Q2")."""

    calendar = "calendar"
    relative = "relative"


class StatementKind(StrEnum):
    standard = "standard"
    guiding_principle = "guiding_principle"
    value = "value"
    delivery_requirement = "delivery_requirement"
    behaviour = "behaviour"
    commitment = "commitment"


class WorkCategory(StrEnum):
    people = "people"
    process = "process"
    technology = "technology"


class Term(StrEnum):
    short = "short"
    long = "long"
    future = "future"


class StrategyStatus(StrEnum):
    not_started = "not_started"
    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"
    on_hold = "on_hold"
    complete = "complete"


class ProgressCounting(StrEnum):
    """How a strategy's % progress is counted: from its workplan steps, or as its lead enters it."""

    by_steps = "by_steps"
    by_hand = "by_hand"


class QuickWinStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    complete = "complete"


class Unit(StrEnum):
    percent = "percent"
    seconds = "seconds"
    minutes = "minutes"
    hours = "hours"
    days = "days"
    count = "count"
    rate = "rate"
    currency = "currency"
    score = "score"


class Direction(StrEnum):
    higher = "higher"
    lower = "lower"
    hold = "hold"


class Comparator(StrEnum):
    at_least = "at_least"
    at_most = "at_most"
    exactly = "exactly"
    above = "above"
    below = "below"


class ToleranceKind(StrEnum):
    """How a metric's at-risk band (`tolerance`) is read: in the metric's own unit (points for a
    percentage), or as a share of the target in percent (5 means 5% of |target|)."""

    absolute = "absolute"
    share = "share"


class Horizon(StrEnum):
    vision = "vision"
    near_term = "near_term"
    long_term = "long_term"


class Frequency(StrEnum):
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"
    semiannual = "semiannual"
    annual = "annual"
    biennial = "biennial"
    ad_hoc = "ad_hoc"


class Role(StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    lead = "lead"
    viewer = "viewer"


class ReminderFrequency(StrEnum):
    """How often a person wants the reminder digest: weekly, before each due day, or never."""

    weekly = "weekly"
    before_due = "before_due"
    none = "none"


class TokenScope(StrEnum):
    """What a personal API token may do: only read, or read and write (as its owner may)."""

    read_only = "read_only"
    read_write = "read_write"


class SubjectType(StrEnum):
    """The kinds of item whose changes the history records."""

    plan = "plan"
    focus_area = "focus_area"
    goal = "goal"
    strategy = "strategy"
    step = "step"
    metric = "metric"
    measurement = "measurement"
    quick_win = "quick_win"
    user = "user"
    department = "department"
    statement = "statement"
    phase = "phase"
    persona = "persona"
    journey = "journey"
    session = "session"  # a performance session
    decision = "decision"
    action_item = "action_item"
    public_text = "public_text"  # issue 12: a public update's draft, approval, return
    organization = "organization"  # issue 13: its settings (time zone, reporting calendar)
    update_request = "update_request"  # issue 13: a coordinator's request for an update


class ReportingCadence(StrEnum):
    """An organisation's reporting calendar: updates owed every month or every quarter."""

    monthly = "monthly"
    quarterly = "quarterly"


class UpdateRequestSubject(StrEnum):
    """The kinds of item an update can be requested on."""

    strategy = "strategy"
    quick_win = "quick_win"
    metric = "metric"
