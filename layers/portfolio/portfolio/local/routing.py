"""Which of the template's Api events a request reaches, matched as API Gateway (REST) matches
resources: ``/x`` and ``/x/`` are the same resource, ``{name}`` takes one non-empty path
segment, ``{name+}`` the rest of the path, and a literal segment wins over a parameter."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from portfolio.infra.template import ApiRoute


@dataclass(frozen=True, slots=True)
class Resource:
    """An API Gateway resource: its path as API Gateway names it (no trailing slash) and the
    routes (one per method) it holds."""

    path: str
    segments: tuple[str, ...]
    routes: tuple[ApiRoute, ...]

    def route_for(self, method: str) -> ApiRoute | None:
        for wanted in (method, "ANY"):
            for route in self.routes:
                if route.method == wanted:
                    return route
        return None


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: ApiRoute
    resource_path: str
    path_parameters: dict[str, str]


def resource_path(path: str) -> str:
    """API Gateway's name for the resource of a SAM ``Path``: without the trailing slash."""
    return "/" + path.strip("/")


def _segments(path: str) -> tuple[str, ...]:
    # A trailing slash names the same resource; any other empty segment matches nothing.
    trimmed = path[1:] if path.startswith("/") else path
    if trimmed.endswith("/"):
        trimmed = trimmed[:-1]
    return tuple(trimmed.split("/")) if trimmed else ()


def _is_parameter(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _match(template: tuple[str, ...], request: tuple[str, ...]) -> dict[str, str] | None:
    parameters: dict[str, str] = {}
    for position, segment in enumerate(template):
        if _is_parameter(segment) and segment.endswith("+}"):
            rest = request[position:]
            if not rest or any(part == "" for part in rest):
                return None
            parameters[segment[1:-2]] = unquote("/".join(rest))
            return parameters
        if position >= len(request) or request[position] == "":
            return None
        if _is_parameter(segment):
            parameters[segment[1:-1]] = unquote(request[position])
        elif segment != request[position]:
            return None
    return parameters if len(template) == len(request) else None


def _specificity(resource: Resource) -> tuple[int, ...]:
    # Lower sorts first: at each position a literal (0) beats a parameter (1), which beats a
    # greedy parameter (2).
    return tuple(
        2 if segment.endswith("+}") else 1 if _is_parameter(segment) else 0 for segment in resource.segments
    )


class RouteTable:
    """The routes of one API, grouped into resources."""

    def __init__(self, routes: list[ApiRoute]) -> None:
        grouped: dict[str, list[ApiRoute]] = {}
        for route in routes:
            grouped.setdefault(resource_path(route.path), []).append(route)
        resources = [
            Resource(path=path, segments=_segments(path), routes=tuple(group))
            for path, group in grouped.items()
        ]
        self.resources = sorted(resources, key=_specificity)

    def match(self, method: str, raw_path: str) -> RouteMatch | None:
        """The route for ``method`` on ``raw_path`` (still percent-encoded, as API Gateway
        receives it), or None: API Gateway answers that with MISSING_AUTHENTICATION_TOKEN,
        whether no resource has the path or the resource lacks the method."""
        request = _segments(raw_path)
        for resource in self.resources:
            parameters = _match(resource.segments, request)
            if parameters is None:
                continue
            route = resource.route_for(method)
            if route is None:
                return None
            return RouteMatch(route=route, resource_path=resource.path, path_parameters=parameters)
        return None
