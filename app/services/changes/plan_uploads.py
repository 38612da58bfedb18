"""A new plan from an uploaded plan file (the plan builder, issue 10): the same checks and
`line:field` problems as `plantrack import`, all or nothing.

The file's organisation must be the one it is uploaded to (a builder builds in their own
organisation; an installation administrator chooses). What an upload is, once stored:

- a draft, unless the file says `status: adopted`: uploading is building, and whoever may upload
  (a coordinator or an administrator of the organisation) may also adopt, so an adopted plan
  keeps its status and `adopted_on`; any other status (draft, archived) is stored as `draft`, to
  be adopted in the app;
- unpublished unless the file says `published: true`; a draft is seen by its organisation only,
  published or not (permissions.can_read_plan).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.models import Organization, Plan
from app.models.enums import PlanStatus
from app.services.changes.history import Actor
from app.services.changes.plans import RESERVED_SLUGS, require_build_in
from app.services.errors import FieldProblem, ValidationFailed
from app.services.plan_file.checking import check_plan_file
from app.services.plan_file.importing import import_plan_text
from app.services.plan_file.reading import PlanFileError, PlanFileProblem, parse_plan_text


@dataclass
class LineProblem(FieldProblem):
    """A plan file's problem: its field (`plan.slug`) and the line it is written on."""

    line: int | None = None


class PlanFileRefused(ValidationFailed):
    """A refused plan file: every problem with its line and field (`plan.slug`); 422."""

    def __init__(self, source: str, problems: list[PlanFileProblem]) -> None:
        ordered = sorted(problems, key=lambda p: (p.line or 0, p.path))
        super().__init__([LineProblem(p.path or "file", p.message, p.line) for p in ordered])
        self.source = source
        self.file_problems = ordered

    def body(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": f"The plan file was refused ({len(self.file_problems)} problem(s)); "
            "nothing was stored.",
            "fields": [
                {"field": p.path or "file", "line": p.line, "message": p.message}
                for p in self.file_problems
            ],
        }


def _own_problems(organization: Organization, text: str, source: str) -> list[PlanFileProblem]:
    """What only an upload refuses: another organisation's file, a reserved slug. A file that
    cannot be read at all raises PlanFileError here, with its problems."""
    plan_file, lines = parse_plan_text(text, source=source)
    problems: list[PlanFileProblem] = []
    if plan_file.organization.slug != organization.slug:
        problems.append(
            PlanFileProblem(
                "organization.slug",
                lines.line_of(("organization", "slug")),
                f"this file is for organisation '{plan_file.organization.slug}', not "
                f"'{organization.slug}', where it is being uploaded",
            )
        )
    if plan_file.plan.slug in RESERVED_SLUGS:
        problems.append(
            PlanFileProblem(
                "plan.slug",
                lines.line_of(("plan", "slug")),
                f"'{plan_file.plan.slug}' is reserved for a page; choose another",
            )
        )
    if problems:
        problems += check_plan_file(plan_file, lines)
    return problems


def upload_plan(
    *,
    session: Session,
    organization: Organization,
    text: str,
    actor: Actor,
    source: str = "uploaded file",
) -> Plan:
    """Check `text` and store the whole plan in `organization`, or refuse it (PlanFileRefused)
    having stored nothing: the caller's transaction is rolled back on a refusal."""
    require_build_in(actor, organization)
    try:
        problems = _own_problems(organization, text, source)
        if problems:
            raise PlanFileRefused(source, problems)
        plan = import_plan_text(session=session, text=text, source=source, actor=actor)
    except PlanFileError as exc:
        raise PlanFileRefused(source, exc.problems) from exc
    if plan.status != PlanStatus.adopted:
        plan.status = PlanStatus.draft.value
        session.add(plan)
        session.flush()
    return plan
