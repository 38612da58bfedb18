"""What the plan builder's item pages (strategies, metrics, quick wins) do alike: load the item
for its reader, show a new item's form or an item's edit page to those who may edit it, and
answer a post (create, change, archive or restore) the same way for every kind.

Each kind's module says how its item is loaded, its kind named, its page drawn and archived
(`ItemPages`); the handlers there read the form and call their service, and this answers: a
plain post that saved gets a 303 back to the edit page with a notice, htmx the `editor` block
(a new item: HX-Redirect to its edit page); a refusal the form again with its messages (422) or
the newer version (409), nothing saved (form_posts.form_post).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app.auth import actor_for
from app.models import Plan, User
from app.routes.pages.build_item_forms import created, helpers, notice_state, redirect, state_after
from app.routes.pages.form_input import form_version
from app.routes.pages.form_posts import form_post
from app.routes.pages.my_work_presentation import FormState
from app.services.accounts.permissions import require_read_plan
from app.services.changes.history import Actor
from app.services.changes.strategy_progress import plan_of
from app.services.reading.plan_tree import get_plan
from app.services.reading.zones import reading_zone
from app.services.views import build_items
from app.templating import is_htmx, render

T = TypeVar("T")

# What the kind's template shows besides the form's state: (session, user, plan, the item or
# None for a new one, the choices of the plan) → the template's context.
ContextOf = Callable[[Session, User, Plan, Any, build_items.Choices], dict[str, Any]]
# Archives (True) or restores (False) an item at the version the page was made from.
ArchiveOf = Callable[[Session, Any, int, bool, Actor], None]


class ItemForm(Protocol):
    """A kind's form as typed (shown again when refused), read into its create schema."""

    typed: dict[str, Any]

    def create(self) -> Any: ...


@dataclass(frozen=True)
class ItemPages(Generic[T]):
    model: type[T]
    path: str  # "/strategies": the edit page is {path}/{id}/edit
    load: Callable[[Session, int], T]  # the item, archived too (its page offers restore)
    kind: Callable[[Plan], str]  # how a refusal names it ("recommendation", "metric"…)
    template: str
    context: ContextOf
    creates: Callable[..., T]  # the service: (*, session, plan, data, actor) → the new item
    archive: ArchiveOf
    # A notice's form on the edit page when not the details' ("target": the targets form).
    notice_forms: tuple[tuple[str, str], ...] = ()

    def page(
        self,
        request: Request,
        session: Session,
        user: User,
        plan: Plan,
        item: T | None,
        state: FormState,
        status: int = 200,
    ) -> Response:
        """The kind's page (htmx: its `editor` block) for a new item (None) or `item`."""
        found = build_items.choices(session=session, plan=plan, user=user)
        context = {
            "plan": plan,
            "st": state,
            **self.context(session, user, plan, item, found),
            **helpers(),
            "reading_zone": reading_zone(session, user, plan),
        }
        return render(request, self.template, context, block="editor", status_code=status)

    def editable(self, session: Session, user: User, item_id: int) -> tuple[Plan, T]:
        """The item of a plan the reader may read (404 otherwise), with its plan."""
        item = self.load(session, item_id)
        plan = plan_of(session, item.plan_id)  # type: ignore[attr-defined]
        require_read_plan(user, plan)
        return plan, item

    def edit_url(self, item: T) -> str:
        return f"{self.path}/{item.id}/edit"  # type: ignore[attr-defined]

    def readable_plan(self, session: Session, user: User, slug: str) -> Plan:
        plan = get_plan(session=session, slug=slug)
        require_read_plan(user, plan)
        return plan

    def new_page(
        self,
        request: Request,
        session: Session,
        user: User,
        slug: str,
        typed: Callable[[Plan], dict[str, str]],
    ) -> Response:
        """A new item's form, for those who may add one (to their own department)."""
        plan = self.readable_plan(session, user, slug)
        probe = build_items.new_probe(self.model, plan, user)
        build_items.require_editor(session, user, probe, kind=self.kind(plan))
        return self.page(request, session, user, plan, None, FormState("item", typed(plan)))

    def edit_page(
        self, request: Request, session: Session, user: User, item_id: int, state: FormState
    ) -> Response:
        plan, item = self.editable(session, user, item_id)
        build_items.require_editor(session, user, item, kind=self.kind(plan))
        return self.page(request, session, user, plan, item, state)

    def edit_page_after(
        self, request: Request, session: Session, user: User, item_id: int, saved: str
    ) -> Response:
        """The edit page, back from a plain post's 303 with the notice it named."""
        form = dict(self.notice_forms).get(saved, "item")
        return self.edit_page(request, session, user, item_id, notice_state(saved, form))

    def create(
        self, request: Request, session: Session, user: User, slug: str, form: ItemForm
    ) -> Response:
        """Add the item the form describes: to its edit page, or the form refused."""
        plan = self.readable_plan(session, user, slug)
        item: T | None = None
        with form_post(session) as post:
            data = form.create()
            item = self.creates(session=session, plan=plan, data=data, actor=actor_for(user))
        if item is not None and not post.refused:
            return created(request, self.edit_url(item))
        state = state_after(post, "item", form.typed)
        return self.page(request, session, user, plan, None, state, post.status)

    def change(
        self,
        request: Request,
        session: Session,
        user: User,
        item_id: int,
        typed: dict[str, Any],
        save: Callable[[T], str],
    ) -> Response:
        """Save the edit form through `save`, which answers the notice to show."""
        plan, item = self.editable(session, user, item_id)
        with form_post(session) as post:
            post.notice = save(item)
        state = state_after(post, "item", typed)
        return self.answer(request, session, user, plan, item, state, post.status, "saved")

    def archive_or_restore(
        self, request: Request, session: Session, user: User, item_id: int, version: str
    ) -> Response:
        """POST …/archive or …/restore, said by the path."""
        plan, item = self.editable(session, user, item_id)
        archived = request.url.path.endswith("/archive")
        with form_post(session) as post:
            self.archive(session, item, form_version(version), archived, actor_for(user))
            post.notice = "Archived." if archived else "Restored."
        state = state_after(post, "archive", {})
        saved = "archived" if archived else "restored"
        return self.answer(request, session, user, plan, item, state, post.status, saved)

    def answer(
        self,
        request: Request,
        session: Session,
        user: User,
        plan: Plan,
        item: T,
        state: FormState,
        status: int,
        saved: str,
    ) -> Response:
        """After a post on the edit page: a 303 back with the notice, or the editor block."""
        if status < 400 and not is_htmx(request):
            return redirect(self.edit_url(item), saved, f"#{state.form}")
        return self.page(request, session, user, plan, item, state, status)
