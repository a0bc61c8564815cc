"""A real HTTP server for an app (uvicorn on a free port, in a thread) and a Server-Sent Events
client that reads a stream on a thread of its own, as a browser's EventSource would."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from attrs import frozen

WAIT_SECONDS = 15.0


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` served over HTTP on 127.0.0.1 at a port nobody else holds; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_level="warning",
                            timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(WAIT_SECONDS)
        sock.close()


@frozen
class Message:
    """One SSE message: its fields as sent (`event` None for the default `message`)."""

    id: str | None
    event: str | None
    data: str

    def json(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.data)
        return found

    @property
    def type(self) -> str:
        return str(self.json().get("type", ""))


class EventStream:
    """Reads `url` as an event stream until the server ends it or `close` is called. Messages
    arrive in `messages`; comment lines in `comments`; the `retry` field in `retry`."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url, self.headers = url, dict(headers or {})
        self.status: int | None = None
        self.response_headers: httpx.Headers | None = None
        self.retry: int | None = None
        self.comments: list[str] = []
        self.received: list[Message] = []
        self.ended = threading.Event()
        self._queue: queue.Queue[Message] = queue.Queue()
        self._connected = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(10.0, read=60.0))
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> EventStream:
        self._thread.start()
        if not self._connected.wait(WAIT_SECONDS):
            raise AssertionError(f"no answer from {self.url}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Hang up: the reader leaves at the next line (streams under test send keep-alive
        comments often), closing the connection as a browser tab would."""
        self._closing.set()
        self._thread.join(WAIT_SECONDS)
        self._client.close()

    def _read(self) -> None:
        try:
            with self._client.stream("GET", self.url, headers=self.headers) as response:
                self.status, self.response_headers = response.status_code, response.headers
                self._connected.set()
                if response.status_code != 200:
                    return
                fields: dict[str, str] = {}
                data: list[str] = []
                for line in response.iter_lines():
                    if self._closing.is_set():
                        return
                    if line == "":
                        if data or fields:
                            message = Message(fields.get("id"), fields.get("event"),
                                              "\n".join(data))
                            self.received.append(message)
                            self._queue.put(message)
                        fields, data = {}, []
                    elif line.startswith(":"):
                        self.comments.append(line[1:].strip())
                    else:
                        name, _, value = line.partition(":")
                        value = value.removeprefix(" ")
                        if name == "data":
                            data.append(value)
                        elif name == "retry":
                            self.retry = int(value)
                        else:
                            fields[name] = value
        except (httpx.HTTPError, OSError, RuntimeError):
            pass  # closed by the test, or the server went away
        finally:
            self._connected.set()
            self.ended.set()

    def next(self, timeout: float = WAIT_SECONDS) -> Message:
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no message within {timeout} s; so far {[m.data for m in self.received]}"
            ) from None

    def until(self, done: Callable[[Message], bool],
              timeout: float = WAIT_SECONDS) -> list[Message]:
        """Messages from the next one up to and including the first that `done` accepts."""
        deadline = time.monotonic() + timeout
        taken: list[Message] = []
        while True:
            message = self.next(max(deadline - time.monotonic(), 0.01))
            taken.append(message)
            if done(message):
                return taken

    def take(self, count: int, timeout: float = WAIT_SECONDS) -> list[Message]:
        deadline = time.monotonic() + timeout
        return [self.next(max(deadline - time.monotonic(), 0.01)) for _ in range(count)]

    def quiet(self, seconds: float) -> list[Message]:
        """Whatever arrives within `seconds` (to show that nothing more does)."""
        deadline = time.monotonic() + seconds
        found: list[Message] = []
        while (left := deadline - time.monotonic()) > 0:
            try:
                found.append(self._queue.get(timeout=left))
            except queue.Empty:
                break
        return found


def wait_for(condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        time.sleep(0.02)
