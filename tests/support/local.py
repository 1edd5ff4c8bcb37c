"""Stand-ins for the local stack's unit tests."""

from __future__ import annotations

from typing import Any


class FakeFunction:
    """A function of the local stack that answers ``answer`` (or raises it) and keeps the
    events it was invoked with."""

    def __init__(self, name: str, answer: Any) -> None:
        self.name = name
        self.answer = answer
        self.events: list[dict[str, Any]] = []

    def invoke(self, event: dict[str, Any]) -> Any:
        self.events.append(event)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer
