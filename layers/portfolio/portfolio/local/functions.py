"""The template's functions, run in this process as the Lambda runtime runs them: the module
named by ``Handler`` is loaded from ``CodeUri``, and each invocation gets a context object.

One invocation at a time per function, as one Lambda execution environment handles one
event at a time: the handlers keep per-invocation state in module globals (Powertools'
resolver holds the current event), so concurrent calls into one module would mix them.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portfolio.infra.template import FunctionSpec, TemplateError

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LocalLambdaContext:
    """The attributes and method of the Lambda runtime's context object."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_s: int
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local/[$LATEST]portfolio-serve"
    identity: Any = None
    client_context: Any = None
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + self.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def load_handler(spec: FunctionSpec, root: Path) -> Handler:
    """The callable ``spec.handler`` names (``module.function``; the module path is relative to
    ``CodeUri``), loaded under a name of its own: every function's module is called ``app``."""
    module_path, _, attribute = spec.handler.rpartition(".")
    if not module_path or not attribute:
        raise TemplateError(f"{spec.logical_id}: Handler {spec.handler!r} is not module.function")
    source = (root / spec.code_uri / Path(*module_path.split("."))).with_suffix(".py")
    if not source.is_file():
        raise TemplateError(f"{spec.logical_id}: {source} (CodeUri + Handler) does not exist")
    module_spec = importlib.util.spec_from_file_location(f"_local_function_{spec.logical_id}", source)
    if module_spec is None or module_spec.loader is None:
        raise TemplateError(f"{spec.logical_id}: cannot load {source}")
    module = importlib.util.module_from_spec(module_spec)
    # Registered before it runs, as an import would: annotations are resolved through it.
    sys.modules[module_spec.name] = module
    module_spec.loader.exec_module(module)
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise TemplateError(f"{spec.logical_id}: {source} has no function {attribute}")
    return handler


class LocalFunction:
    """One function of the template, loaded once (a warm execution environment)."""

    def __init__(self, spec: FunctionSpec, *, root: Path, region: str, account_id: str) -> None:
        self.spec = spec
        self.arn = f"arn:aws:lambda:{region}:{account_id}:function:{spec.logical_id}"
        self._handler = load_handler(spec, root)
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.spec.logical_id

    def invoke(self, event: dict[str, Any]) -> Any:
        """Run the handler on ``event``; its exceptions propagate (the caller decides what a
        function error means: a 502 for API Gateway, a retry for an S3 event)."""
        with self._lock:
            context = LocalLambdaContext(
                function_name=self.spec.logical_id,
                memory_limit_in_mb=self.spec.memory_mb,
                invoked_function_arn=self.arn,
                timeout_s=self.spec.timeout_s,
            )
            return self._handler(event, context)
