"""The contract's Routes rows: which paths are the list and retrieve, which are redirected
with a slash added (Django's APPEND_SLASH), and which are unknown (404)."""

from __future__ import annotations

import pytest

from portfolio.api.routes import PathMatch, PathShape, match_list_path, match_retrieve_path

pytestmark = pytest.mark.unit


def test_the_list_path_is_canonical() -> None:
    """Given ``/api/portfolios/``, when matched, then it is the list."""
    assert match_list_path("/api/portfolios/") == PathMatch(PathShape.CANONICAL)


def test_the_list_path_without_its_slash_is_redirected() -> None:
    """Given ``/api/portfolios``, when matched, then a slash is to be added (301)."""
    assert match_list_path("/api/portfolios") == PathMatch(PathShape.ADD_SLASH)


@pytest.mark.parametrize(
    "path",
    ["/api/portfolios//", "/api/portfolios///", "/api/portfolio/", "/api/Portfolios/", "/api/portfolios/x"],
)
def test_other_list_like_paths_are_unknown(path: str) -> None:
    """Given a path that is not the list, with or without a slash added, when matched as the
    list, then it is unknown (404)."""
    assert match_list_path(path).shape is PathShape.UNKNOWN


@pytest.mark.parametrize("portfolio_id", ["150", "1", "0", "-3", "abc", "%20", "طراحی", "00150"])
def test_a_retrieve_path_is_canonical_whatever_its_id(portfolio_id: str) -> None:
    """Given ``/api/portfolios/<id>/`` with any id without slash or dot, when matched, then
    it is the retrieve of that id (a non-integer id is the view's 404, not the router's)."""
    assert match_retrieve_path(f"/api/portfolios/{portfolio_id}/") == PathMatch(
        PathShape.CANONICAL, portfolio_id
    )


@pytest.mark.parametrize("portfolio_id", ["150", "abc"])
def test_a_retrieve_path_without_its_slash_is_redirected(portfolio_id: str) -> None:
    """Given ``/api/portfolios/<id>`` with no trailing slash, when matched, then a slash is to
    be added (301), keeping the id."""
    assert match_retrieve_path(f"/api/portfolios/{portfolio_id}") == PathMatch(
        PathShape.ADD_SLASH, portfolio_id
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/portfolios/1.5/",
        "/api/portfolios/1.5",
        "/api/portfolios/150.json",
        "/api/portfolios/.hidden/",
        "/api/portfolios/../",
        "/api/portfolios/1/2/",
        "/api/portfolios/1//",
        "/api/portfolios/1/extra",
        "/api/portfolios//",
        "/api/portfolios/",
        "/api/portfolios",
    ],
)
def test_ids_with_dots_or_slashes_and_other_shapes_are_unknown(path: str) -> None:
    """Given a path whose id holds a dot or a slash, or that has no id, when matched as a
    retrieve, then it is unknown: DRF's router id is ``[^/.]+`` and adding a slash would not
    make it match either (no redirect)."""
    assert match_retrieve_path(path) == PathMatch(PathShape.UNKNOWN)
