"""moto in server mode, in this process: the local stack's AWS when ``AWS_ENDPOINT_URL`` names
none. moto's ThreadedMotoServer binds its port inside its thread and waits forever when that
fails; this binds it before returning, so a taken port is an error the caller can report."""

from __future__ import annotations

import logging
import socket
import threading


class EmbeddedAws:
    def __init__(self, host: str, port: int) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        # moto's server logs every request through werkzeug; the API's own log is enough.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        # Bound and listening here, where a taken port raises OSError (werkzeug would print and
        # exit); the server takes a duplicate of the socket.
        with socket.create_server((host, port)) as listening:
            self._server = make_server(
                host,
                port,
                DomainDispatcherApplication(create_backend_app),
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
