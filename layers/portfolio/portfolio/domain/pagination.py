"""DRF's LimitOffsetPagination: ``limit``/``offset`` and the ``next``/``previous`` links."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def _positive_int(raw: str, *, strict: bool = False, cutoff: int | None = None) -> int:
    # DRF's _positive_int: Python's int(), so " 5", "+5" and "1_0" are numbers too.
    value = int(raw)
    if value < 0 or (value == 0 and strict):
        raise ValueError(raw)
    return min(value, cutoff) if cutoff else value


def parse_limit(raw: str | None) -> int:
    """``limit``: a positive integer, at most MAX_LIMIT; anything else falls back to the default."""
    if raw is None:
        return DEFAULT_LIMIT
    try:
        return _positive_int(raw, strict=True, cutoff=MAX_LIMIT)
    except ValueError:
        return DEFAULT_LIMIT


def parse_offset(raw: str | None) -> int:
    """``offset``: a non-negative integer; anything else falls back to 0."""
    if raw is None:
        return 0
    try:
        return _positive_int(raw)
    except ValueError:
        return 0


@dataclass(frozen=True, slots=True)
class RequestUrl:
    """The URL the client called: ``base`` is scheme, host and path (with the API Gateway
    stage when called on an execute-api host); ``query`` holds every value of every
    parameter, in the order given."""

    base: str
    query: dict[str, list[str]]

    def with_params(self, **replace: int | None) -> str:
        """This URL with parameters replaced (a value) or removed (``None``), its query
        re-encoded with the names sorted, as DRF's replace_query_param does."""
        query = {name: list(values) for name, values in self.query.items()}
        for name, value in replace.items():
            if value is None:
                query.pop(name, None)
            else:
                query[name] = [str(value)]
        # surrogatepass: a lone surrogate (which only a hand-made event can carry) is encoded
        # as its bytes instead of failing the whole answer.
        encoded = urlencode(sorted(query.items()), doseq=True, errors="surrogatepass")
        return f"{self.base}?{encoded}" if encoded else self.base


def next_link(url: RequestUrl, *, limit: int, offset: int, count: int) -> str | None:
    if offset + limit >= count:
        return None
    return url.with_params(limit=limit, offset=offset + limit)


def previous_link(url: RequestUrl, *, limit: int, offset: int) -> str | None:
    if offset <= 0:
        return None
    if offset - limit <= 0:
        return url.with_params(limit=limit, offset=None)
    return url.with_params(limit=limit, offset=offset - limit)
