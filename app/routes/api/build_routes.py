"""The routes that build one kind of plan part, made alike: add (201 + Location), change (PATCH,
If-Match or the body's version), archive, restore and, for parts with an order, reorder.

Each route loads (app.routes.api.deps), calls one service of services.changes.plan_parts or
plan_order, and answers the part with its ETag. plan_building says which kinds exist.

(No `from __future__ import annotations` here: the routes are made by a factory, and FastAPI
must see their real annotations.)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import pydantic as pd
from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from app.auth import RequiredUser, actor_for
from app.deps import SessionDep
from app.models import User
from app.routes.api.deps import CREATE_ERRORS, WRITE_ERRORS, error_responses
from app.routes.api.inputs import VersionNote, strict_json
from app.routes.api.versions import (
    IfMatch,
    created,
    expected_version,
    precondition,
    with_etag,
    with_version,
)
from app.services.changes import plan_order, plan_parts

Reader = Callable[[Session, User | None, list[Any]], list[Any]]


@dataclass(frozen=True)
class PartRoutes:
    model: type[Any]
    noun: str  # "statement"
    path: str  # "/statements"
    param: str  # "statement_id"
    parent_path: str  # "/plans/{slug}"
    parent_noun: str  # "a plan"
    parent: Any  # the parent's loader (an Annotated dependency)
    live: Any  # the part's loaders: live (to change, archive) and any (to restore)
    any_: Any
    create_in: type[pd.BaseModel]
    change_in: type[pd.BaseModel]
    read_model: type[pd.BaseModel]
    read: Reader
    order_in: type[pd.BaseModel] | None = None  # None: no order of their own


def add_part_routes(router: APIRouter, spec: PartRoutes) -> None:
    """Add the routes building `spec`'s kind of part to `router`."""
    model, noun, read_model, read = spec.model, spec.noun, spec.read_model, spec.read
    item_route = f"api_{spec.param.removesuffix('_id')}"
    create_in, change_in = spec.create_in, spec.change_in

    def one(session: Session, user: User | None, item: Any) -> Any:
        return read(session, user, [item])[0]

    @router.post(
        f"{spec.parent_path}{spec.path}",
        name=f"create_{spec.param.removesuffix('_id')}",
        status_code=201,
        summary=f"Add a {noun} to {spec.parent_noun}",
        description=f"Coordinators and administrators build the plan's structure. The new {noun} "
        "comes last among its siblings. A code already used (archived ones included) or a "
        "field out of bounds is refused (422 naming the field).",
        response_model=read_model,
        responses=error_responses(*CREATE_ERRORS),
    )
    def create(
        user: RequiredUser,
        parent: spec.parent,
        _json: Annotated[None, strict_json(create_in)],
        data: create_in,  # type: ignore[valid-type]
        session: SessionDep,
        request: Request,
        response: Response,
    ) -> Any:
        item = plan_parts.create_part(
            session=session, model=model, parent=parent, data=data, actor=actor_for(user)
        )
        params = {spec.param: item.id}
        return created(request, response, item_route, one(session, user, item), **params)

    @router.patch(
        f"{spec.path}/{{{spec.param}}}",
        name=f"change_{spec.param.removesuffix('_id')}",
        summary=f"Change a {noun}",
        description="Send only the fields that change, with the `version` you changed (If-Match "
        "may name it too). A stale version is refused with the newer value and who saved it: "
        "409, or 412 when If-Match is stale.",
        response_model=read_model,
        responses=error_responses(*WRITE_ERRORS),
    )
    def change(
        user: RequiredUser,
        item: spec.live,
        _json: Annotated[None, strict_json(change_in)],
        body: change_in,  # type: ignore[valid-type]
        if_match: IfMatch,
        session: SessionDep,
        response: Response,
    ) -> Any:
        expected = expected_version(if_match, body.version, current=item.version)
        with precondition(expected):
            plan_parts.update_part(
                session=session,
                item=item,
                data=with_version(body, expected),
                actor=actor_for(user),
            )
        return with_etag(response, one(session, user, item))

    def archiving(archived: bool) -> Callable[..., Any]:
        def set_archived(
            user: RequiredUser,
            item: spec.live if archived else spec.any_,
            _json: Annotated[None, strict_json(VersionNote)],
            if_match: IfMatch,
            session: SessionDep,
            response: Response,
            body: VersionNote,
        ) -> Any:
            expected = expected_version(if_match, body.version, current=item.version)
            with precondition(expected):
                plan_parts.set_part_archived(
                    session=session,
                    item=item,
                    version=expected.version,
                    archived=archived,
                    actor=actor_for(user),
                    note=body.note,
                )
            return with_etag(response, one(session, user, item))

        return set_archived

    base = spec.param.removesuffix("_id")
    router.post(
        f"{spec.path}/{{{spec.param}}}/archive",
        name=f"archive_{base}",
        summary=f"Archive a {noun}",
        description="It leaves lists and the plan; its history stays, and an administrator can "
        "restore it.",
        response_model=read_model,
        responses=error_responses(*WRITE_ERRORS),
    )(archiving(True))
    router.post(
        f"{spec.path}/{{{spec.param}}}/restore",
        name=f"restore_{base}",
        summary=f"Restore an archived {noun} (administrators)",
        response_model=read_model,
        responses=error_responses(*WRITE_ERRORS),
    )(archiving(False))

    if spec.order_in is not None:
        _add_order_route(router, spec)


def _add_order_route(router: APIRouter, spec: PartRoutes) -> None:
    order_in = spec.order_in

    @router.put(
        f"{spec.parent_path}{spec.path}/order",
        name=f"order_{spec.param.removesuffix('_id')}s",
        summary=f"Put {spec.parent_noun}'s {spec.noun}s in order",
        description=f"`ids`: every live {spec.noun} of {spec.parent_noun} once, in the new "
        "order. One left out, named twice or not among them is refused (422 naming `ids`). "
        "Answers them in the new order; the history records the order before and after.",
        response_model=list[spec.read_model],  # type: ignore[name-defined]
        responses=error_responses(*CREATE_ERRORS),
    )
    def reorder(
        user: RequiredUser,
        parent: spec.parent,
        _json: Annotated[None, strict_json(order_in)],  # type: ignore[arg-type]
        body: order_in,  # type: ignore[valid-type]
        session: SessionDep,
    ) -> Any:
        items = plan_order.reorder_parts(
            session=session,
            model=spec.model,
            parent=parent,
            ids=body.ids,
            actor=actor_for(user),
            focus_area_id=getattr(body, "focus_area_id", None),
        )
        return spec.read(session, user, items)
