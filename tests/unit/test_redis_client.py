"""The Redis client the worker uses reports an outage at once instead of retrying it quietly."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import redis

from adapters.redis import connect


class HangingUp:
    """A server that accepts connections and closes them at once, counting them."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                peer, _ = self._socket.accept()
            except OSError:
                return
            self.accepted += 1
            peer.close()

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def hanging_up() -> Iterator[HangingUp]:
    server = HangingUp()
    yield server
    server.close()


def test_a_broken_connection_surfaces_on_the_first_attempt(hanging_up: HangingUp) -> None:
    client = connect(f"redis://127.0.0.1:{hanging_up.port}/0")

    with pytest.raises(redis.ConnectionError):
        client.ping()

    assert hanging_up.accepted == 1, "the client retried behind the worker's back"
