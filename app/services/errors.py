"""Domain errors carry their HTTP meaning; one handler per surface (API, pages) renders them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class FieldProblem:
    field: str
    message: str


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class Conflict(DomainError):
    """A stale edit: someone saved a newer version first. `current` is what they saved."""

    status_code = 409
    code = "conflict"

    def __init__(
        self,
        message: str,
        *,
        current: dict[str, Any] | None = None,
        saved_by: str = "",
        saved_at: str = "",
    ) -> None:
        super().__init__(message)
        self.current = current or {}
        self.saved_by = saved_by
        self.saved_at = saved_at

    def body(self) -> dict[str, Any]:
        return {
            **super().body(),
            "current": self.current,
            "saved_by": self.saved_by,
            "saved_at": self.saved_at,
        }


class PreconditionFailed(Conflict):
    """The API's answer to a stale `If-Match`."""

    status_code = 412
    code = "precondition_failed"


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_error"

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems

    @classmethod
    def one(cls, field_name: str, message: str) -> ValidationFailed:
        return cls([FieldProblem(field_name, message)])

    def body(self) -> dict[str, Any]:
        return {
            **super().body(),
            "fields": [{"field": p.field, "message": p.message} for p in self.problems],
        }


class TooManyAttempts(DomainError):
    status_code = 429
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceBusy(DomainError):
    """The database was too busy to answer in time (a lock, a connection): try again shortly.

    Never a 500 and never a hang (issue 16): every wait for a lock is bounded (app.db), and the
    request that ran out of patience is told when to retry."""

    status_code = 503
    code = "busy"
    retry_after = 2

    def __init__(
        self,
        message: str = "PlanTrack is busy with other changes right now. Try again in a moment.",
    ) -> None:
        super().__init__(message)
