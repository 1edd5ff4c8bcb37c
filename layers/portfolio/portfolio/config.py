"""Typed configuration, read from the environment when first asked for (never at import).

Environment names are those of ``template.yaml`` (Globals > Function > Environment). The
defaults are the tables' logical ids, which is what the local stack names them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True, slots=True)
class TableNames:
    portfolios: str
    portfolio_documents: str
    media: str
    employers: str
    tags: str
    links: str
    sequences: str
    users: str
    tokens: str
    idempotency: str
    references: str
    uploads: str


# The request headers a frontend sends: its token, and the type of a body.
DEFAULT_CORS_HEADERS = ("Authorization", "Content-Type")


@dataclass(frozen=True, slots=True)
class CorsSettings:
    """Which browser origins may read the read API's answers (template.yaml's
    CorsAllowedOrigins, through the read function's CORS_* environment).

    ``allowed_origins`` is ``("*",)`` for any origin, a tuple of origins, or empty: no CORS
    headers at all (a function deployed without the variable opens nothing).
    """

    allowed_origins: tuple[str, ...] = ()
    allowed_headers: tuple[str, ...] = DEFAULT_CORS_HEADERS
    max_age_s: int | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.allowed_origins)

    @property
    def any_origin(self) -> bool:
        return "*" in self.allowed_origins


@dataclass(frozen=True, slots=True)
class Settings:
    region: str
    tables: TableNames
    media_bucket: str
    media_base_url: str
    # DynamoDB client behaviour: bounded, so an API call ends well inside API Gateway's 29 s.
    dynamodb_connect_timeout_s: float
    dynamodb_read_timeout_s: float
    dynamodb_max_attempts: int
    cors: CorsSettings = field(default_factory=CorsSettings)
    # Where re-render batches go (template.yaml: RerenderQueue). Empty: a shared record's
    # portfolios are re-rendered in the process that changed it (tests, tools).
    rerender_queue_url: str = ""
    # The permission code that lets staff upload images through the API (UploadPermission).
    upload_permission: int = 4203


# Environment variable -> TableNames field. template.yaml's Globals use the same names.
TABLE_ENV_VARS: dict[str, str] = {
    "PORTFOLIOS_TABLE": "portfolios",
    "PORTFOLIO_DOCUMENTS_TABLE": "portfolio_documents",
    "MEDIA_TABLE": "media",
    "EMPLOYERS_TABLE": "employers",
    "TAGS_TABLE": "tags",
    "LINKS_TABLE": "links",
    "SEQUENCES_TABLE": "sequences",
    "USERS_TABLE": "users",
    "TOKENS_TABLE": "tokens",
    "IDEMPOTENCY_TABLE": "idempotency",
    "REFERENCES_TABLE": "references",
    "UPLOADS_TABLE": "uploads",
}

# Logical ids in template.yaml, used as physical names by the local stack.
DEFAULT_TABLE_NAMES: dict[str, str] = {
    "PORTFOLIOS_TABLE": "PortfoliosTable",
    "PORTFOLIO_DOCUMENTS_TABLE": "PortfolioDocumentsTable",
    "MEDIA_TABLE": "MediaTable",
    "EMPLOYERS_TABLE": "EmployersTable",
    "TAGS_TABLE": "TagsTable",
    "LINKS_TABLE": "LinksTable",
    "SEQUENCES_TABLE": "SequencesTable",
    "USERS_TABLE": "UsersTable",
    "TOKENS_TABLE": "TokensTable",
    "IDEMPOTENCY_TABLE": "IdempotencyTable",
    "REFERENCES_TABLE": "ReferencesTable",
    "UPLOADS_TABLE": "UploadsTable",
}


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def _names(name: str) -> tuple[str, ...]:
    # A comma-separated list; blanks and empty items (a trailing comma) are ignored.
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


def _cors() -> CorsSettings:
    max_age = _int("CORS_MAX_AGE_S", -1)
    return CorsSettings(
        allowed_origins=_names("CORS_ALLOWED_ORIGINS"),
        allowed_headers=_names("CORS_ALLOWED_HEADERS") or DEFAULT_CORS_HEADERS,
        max_age_s=max_age if max_age >= 0 else None,
    )


@cache
def settings() -> Settings:
    """The settings of this process. Cached: call ``settings.cache_clear()`` after changing
    the environment (tests do)."""
    env = os.environ
    tables = TableNames(
        **{field: env.get(var) or DEFAULT_TABLE_NAMES[var] for var, field in TABLE_ENV_VARS.items()}
    )
    bucket = env.get("MEDIA_BUCKET") or "portfolio-media"
    base_url = (env.get("MEDIA_BASE_URL") or f"https://{bucket}.s3.amazonaws.com").rstrip("/")
    return Settings(
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        tables=tables,
        media_bucket=bucket,
        media_base_url=base_url,
        # A DynamoDB read answers in milliseconds; these bound the worst case to 7 s per
        # request (2 attempts of 1 s + 2 s, one backoff), which portfolio.data.deadline uses.
        dynamodb_connect_timeout_s=_float("DYNAMODB_CONNECT_TIMEOUT_S", 1.0),
        dynamodb_read_timeout_s=_float("DYNAMODB_READ_TIMEOUT_S", 2.0),
        dynamodb_max_attempts=_int("DYNAMODB_MAX_ATTEMPTS", 2),
        cors=_cors(),
        rerender_queue_url=env.get("RERENDER_QUEUE_URL", "").strip(),
        upload_permission=_int("UPLOAD_PERMISSION", 4203),
    )
