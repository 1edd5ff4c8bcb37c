"""moto in server mode, in this process: the local stack's AWS when ``AWS_ENDPOINT_URL`` names
none. moto's ThreadedMotoServer binds its port inside its thread and waits forever when that
fails; this binds it before returning, so a taken port is an error the caller can report.

moto stores whatever a browser form posts; the server checks each form's policy and
signature first, as S3 does (``portfolio.local.post_policy``), against ``form_credentials``.

moto's TransactWriteItems is not atomic across threads: it deep-copies the tables a
transaction touches, applies the items, and on a failed condition restores that copy,
erasing what another thread committed meanwhile (concurrent uploads attaching to one
portfolio lost one). ``one_transaction_at_a_time`` serializes them, as DynamoDB makes each
atomic; the embedded server applies it, and so do the tests that write concurrently."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

_TRANSACTIONS = threading.Lock()


def one_transaction_at_a_time(transact_write_items: Callable[..., Any]) -> Callable[..., Any]:
    """moto's ``DynamoDBBackend.transact_write_items``, one call at a time in this process."""
    if getattr(transact_write_items, "one_at_a_time", False):
        return transact_write_items

    def serialized(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        with _TRANSACTIONS:
            return transact_write_items(self, transact_items)

    serialized.one_at_a_time = True  # type: ignore[attr-defined]
    return serialized


class EmbeddedAws:
    def __init__(self, host: str, port: int, *, form_credentials: Mapping[str, str]) -> None:
        """``form_credentials``: access key id -> secret key, the credentials browser forms
        may be signed with (``form_checks.post_origins`` is filled once buckets exist)."""
        from moto.dynamodb.models import DynamoDBBackend
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        from portfolio.local.post_policy import FormChecks, checking_post_policies

        self.form_checks = FormChecks(credentials=dict(form_credentials))

        DynamoDBBackend.transact_write_items = one_transaction_at_a_time(  # type: ignore[method-assign]
            DynamoDBBackend.transact_write_items
        )

        # moto's server logs every request through werkzeug; the API's own log is enough.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # Bound and listening here, where a taken port raises OSError (werkzeug would print and
        # exit); the server takes a duplicate of the socket.
        with socket.create_server((host, port)) as listening:
            self._server = make_server(
                host,
                port,
                checking_post_policies(DomainDispatcherApplication(create_backend_app), self.form_checks),
                threaded=True,
                fd=listening.fileno(),
            )
        self._thread = threading.Thread(target=self._server.serve_forever, name="embedded-aws", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
