"""End-to-end level: the local stack over HTTP, as a user or a frontend sees it.

One stack (the shared data set imported with ``--data``) serves the whole session; every
module of this level marks itself ``xdist_group("local-stack")`` so that, with ``make test``'s
``--dist loadgroup``, they share one pytest-xdist worker and the stack starts once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.stack import RunningStack, start_stack
from tests.support.catalogue import FIXTURE


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("stack"), "--data", str(FIXTURE))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def admin(stack: RunningStack) -> dict[str, str]:
    """Headers of an admin's request."""
    return {"Authorization": f"Token {stack.tokens['admin']}"}
