"""Organisations and their departments. An organisation is listed for anyone who can read one of
its plans, and for its own people."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.auth import CurrentUser
from app.deps import SessionDep
from app.routes.api.deps import ReadableDepartment, ReadableOrganization, error_responses
from app.routes.api.pagination import Page, PageParams, each
from app.routes.api.schemas import DepartmentRead, OrganizationRead
from app.routes.api.versions import with_etag
from app.services.reading import catalog

router = APIRouter(tags=["organizations"])


@router.get(
    "/organizations",
    summary="List organisations",
    response_model=Page[OrganizationRead],
    responses=error_responses(422),
)
def list_organizations(
    session: SessionDep, user: CurrentUser, page: PageParams
) -> Page[OrganizationRead]:
    return page.run_items(session, catalog.organizations_query(user=user), each(OrganizationRead))


@router.get(
    "/organizations/{slug}",
    summary="One organisation",
    response_model=OrganizationRead,
    responses=error_responses(404, 422),
)
def get_organization(organization: ReadableOrganization) -> OrganizationRead:
    return OrganizationRead.model_validate(organization)


@router.get(
    "/organizations/{slug}/departments",
    summary="An organisation's departments",
    response_model=Page[DepartmentRead],
    responses=error_responses(404, 422),
)
def list_departments(
    organization: ReadableOrganization, session: SessionDep, page: PageParams
) -> Page[DepartmentRead]:
    query = catalog.departments_query(organization=organization)
    return page.run_items(session, query, each(DepartmentRead))


@router.get(
    "/departments/{department_id}",
    name="api_department",
    summary="One department",
    response_model=DepartmentRead,
    responses=error_responses(404, 422),
)
def get_department(department: ReadableDepartment, response: Response) -> DepartmentRead:
    return with_etag(response, DepartmentRead.model_validate(department))
