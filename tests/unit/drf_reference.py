"""The original's parsing code, run for real: DRF's SearchFilter, OrderingFilter and
LimitOffsetPagination, the original's django-filter FilterSet and DRF's DateTimeField.

Django is configured in-process as the original project was (UTC, en-us, USE_TZ) without a
database: filter forms, filter backends' parsing and serializer fields never touch one.
Everything here returns plain values, so the parity tests compare like with like.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import SimpleNamespace
from typing import Any

import django
from django.conf import settings

# The imports below need the settings: configure them first (once per process).
if not settings.configured:
    settings.configure(
        USE_TZ=True,
        TIME_ZONE="UTC",
        LANGUAGE_CODE="en-us",
        USE_I18N=True,
        SECRET_KEY="parity-tests-only",
        DATABASES={},
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "rest_framework",
            "django_filters",
        ],
        REST_FRAMEWORK={"PAGE_SIZE": 10},
        ROOT_URLCONF=__name__,  # urlpatterns below: the original's router
        APPEND_SLASH=True,
    )
    django.setup()

from django.http import QueryDict
from django.urls import Resolver404, include, path, resolve
from django_filters import rest_framework as filters
from django_filters.constants import EMPTY_VALUES
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.routers import SimpleRouter

__all__ = [
    "EMPTY_VALUES",
    "ORIGINAL_FILTERS",
    "django_route",
    "drf_limit",
    "drf_links",
    "drf_offset",
    "drf_ordering",
    "drf_render_datetime",
    "drf_search_terms",
    "original_filter_form",
]


def _request(params: Mapping[str, str]) -> SimpleNamespace:
    # What the filter backends and the paginator read from a DRF request.
    return SimpleNamespace(query_params=params)


# --- SearchFilter -------------------------------------------------------------------------


def drf_search_terms(raw: str | None) -> list[str] | tuple[str, ...]:
    """The terms DRF's SearchFilter searches for; a tuple of messages when it answers 400."""
    params = {} if raw is None else {"search": raw}
    try:
        return list(SearchFilter().get_search_terms(_request(params)))
    except ValidationError as error:
        return tuple(str(message) for message in error.detail)


# --- OrderingFilter -----------------------------------------------------------------------


class _PortfolioView:
    ordering_fields = ("title", "slug", "order", "year", "is_active", "client__name", "created_at")
    ordering_fields += ("updated_at",)
    ordering = ("order", "-created_at")


def drf_ordering(raw: str | None) -> list[str]:
    """The order_by() arguments DRF's OrderingFilter gives the queryset."""
    params = {} if raw is None else {"ordering": raw}
    return list(OrderingFilter().get_ordering(_request(params), queryset=None, view=_PortfolioView()))


# --- LimitOffsetPagination ----------------------------------------------------------------


class _Pagination(LimitOffsetPagination):
    default_limit = 10
    max_limit = 100


def drf_limit(raw: str | None) -> int:
    params = {} if raw is None else {"limit": raw}
    return _Pagination().get_limit(_request(params))


def drf_offset(raw: str | None) -> int:
    params = {} if raw is None else {"offset": raw}
    return _Pagination().get_offset(_request(params))


def drf_links(absolute_uri: str, *, limit: int, offset: int, count: int) -> tuple[str | None, str | None]:
    """DRF's (next, previous) for a request whose build_absolute_uri() is ``absolute_uri``."""
    paginator = _Pagination()
    paginator.request = SimpleNamespace(build_absolute_uri=lambda: absolute_uri)
    paginator.limit, paginator.offset, paginator.count = limit, offset, count
    return paginator.get_next_link(), paginator.get_previous_link()


# --- The original FilterSet ---------------------------------------------------------------


class NumberInFilter(filters.BaseInFilter, filters.NumberFilter):
    pass


def _declare(filter_class: type, **kwargs: Any) -> Any:
    # An explicit label: without a model, django-filter would look one up in the model's meta.
    return filter_class(label="-", **kwargs)


class OriginalPortfolioFilterSet(filters.FilterSet):
    """The original's filters, in its order (the order of a 400 body's keys).

    Only the forms are used here: the lookups (field_name, lookup_expr) document what each
    filter does to the queryset, which test_listing checks against our predicates.
    """

    id_min = _declare(filters.NumberFilter, field_name="id", lookup_expr="gte")
    id_max = _declare(filters.NumberFilter, field_name="id", lookup_expr="lte")
    created_date = _declare(filters.DateFilter, field_name="created_at", lookup_expr="date")
    updated_date = _declare(filters.DateFilter, field_name="updated_at", lookup_expr="date")
    created_from = _declare(filters.DateTimeFilter, field_name="created_at", lookup_expr="gte")
    created_to = _declare(filters.DateTimeFilter, field_name="created_at", lookup_expr="lte")
    updated_from = _declare(filters.DateTimeFilter, field_name="updated_at", lookup_expr="gte")
    updated_to = _declare(filters.DateTimeFilter, field_name="updated_at", lookup_expr="lte")
    has_image = _declare(filters.BooleanFilter, field_name="image", lookup_expr="isnull", exclude=True)
    has_description = _declare(filters.BooleanFilter, method="filter_has_description")
    has_employer = _declare(filters.BooleanFilter, field_name="client", lookup_expr="isnull", exclude=True)
    order_min = _declare(filters.NumberFilter, field_name="order", lookup_expr="gte")
    order_max = _declare(filters.NumberFilter, field_name="order", lookup_expr="lte")
    completed_at_from = _declare(filters.DateTimeFilter, field_name="completed_at", lookup_expr="gte")
    completed_at_to = _declare(filters.DateTimeFilter, field_name="completed_at", lookup_expr="lte")
    employer_id = _declare(filters.NumberFilter, field_name="client__id")
    tag_id = _declare(filters.NumberFilter, field_name="tags__id")
    tags_in = _declare(NumberInFilter, field_name="tags__id", lookup_expr="in", distinct=True)
    is_active = _declare(filters.BooleanFilter, field_name="is_active")


ORIGINAL_FILTERS: tuple[str, ...] = tuple(OriginalPortfolioFilterSet.base_filters)


def _query_dict(params: Iterable[tuple[str, str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in params:
        query.appendlist(name, value)
    return query


def original_filter_form(params: Iterable[tuple[str, str]]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The original filterset's form over a query string's (name, value) pairs: its errors
    (in field order) and, when valid, its cleaned data."""
    filterset = OriginalPortfolioFilterSet(data=_query_dict(params), queryset=SimpleNamespace(model=None))
    form = filterset.form
    if form.is_valid():
        return {}, dict(form.cleaned_data)
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}, {}


# --- DateTimeField ------------------------------------------------------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def drf_render_datetime(micros: int) -> str:
    """How DRF's serializers.DateTimeField renders a stored instant (USE_TZ, UTC)."""
    value = _EPOCH + dt.timedelta(microseconds=micros)
    return serializers.DateTimeField().to_representation(value)


# --- URLs ---------------------------------------------------------------------------------


class _PortfolioViewSet(viewsets.ReadOnlyModelViewSet):
    pass


_router = SimpleRouter()
_router.register("portfolios", _PortfolioViewSet, basename="portfolio")
urlpatterns = [path("api/", include(_router.urls))]


def _resolve(path_info: str) -> tuple[str, str | None] | None:
    try:
        match = resolve(path_info)
    except Resolver404:
        return None
    return match.url_name, match.kwargs.get("pk")


def django_route(path_info: str) -> tuple[str, str | None, bool]:
    """(url name or "", the id, whether CommonMiddleware redirects with a slash added) for a
    GET of ``path_info`` on the original: its router, and APPEND_SLASH's rule (redirect when
    the path does not resolve and the path with a slash does)."""
    resolved = _resolve(path_info)
    if resolved is not None:
        return resolved[0], resolved[1], False
    if not path_info.endswith("/") and (with_slash := _resolve(path_info + "/")) is not None:
        return with_slash[0], with_slash[1], True
    return "", None, False
