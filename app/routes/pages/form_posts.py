"""One way for a page's form post to turn a refused change into the form shown again.

A handler loads what the post names, then calls the service inside `with form_post(session) as
post:`. A refused value (pydantic's ValidationError, a service's ValidationFailed) or a stale
edit (Conflict) ends the block: the session is rolled back, so nothing half-saved survives, and
`post` holds the per-field messages or the conflict with the status to answer (422, 409). A
refusal of another kind (403, 401, 404) is not the form's business: it goes on to the app's
error pages. After the block the handler renders its fragment from `post`, as the API's
handlers answer through `precondition` and the error handlers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pydantic as pd
from sqlmodel import Session

from app.routes.pages.form_input import pydantic_errors, service_errors
from app.services.errors import Conflict, DomainError, FieldProblem, ValidationFailed


@dataclass
class FormPost:
    """What became of one form post: saved (with a notice to show), or refused and why."""

    notice: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    conflict: Conflict | None = None
    # The service's own problems, for a form that offers a way out of one (Save as Complete).
    problems: list[FieldProblem] = field(default_factory=list)
    status: int = 200
    # What the answer must carry besides the page: Retry-After on a refused sign-in.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.status >= 400

    @property
    def message(self) -> str:
        """The refusal in one sentence, for a form that shows one message (sign-in)."""
        if self.conflict is not None:
            return self.conflict.message
        return next(iter(self.errors.values()), "")


@contextmanager
def form_post(
    session: Session, *, refusing: tuple[type[DomainError], ...] = ()
) -> Iterator[FormPost]:
    """`refusing`: further refusals this form shows in place (a sign-in's wrong password)."""
    post = FormPost()
    try:
        yield post
    except pd.ValidationError as exc:
        session.rollback()
        post.errors, post.status = pydantic_errors(exc), 422
    except ValidationFailed as exc:
        session.rollback()
        post.errors, post.status = service_errors(exc), 422
        post.problems = list(exc.problems)
    except Conflict as exc:
        session.rollback()
        post.conflict, post.status = exc, 409
    except refusing as exc:
        session.rollback()
        post.errors, post.status = {"form": exc.message}, exc.status_code
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            post.headers["Retry-After"] = str(retry_after)
    if post.refused:
        post.notice = ""
