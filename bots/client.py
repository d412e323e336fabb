"""A small HTTP client for the site's API, as any client program would use it.

One keep-alive connection per thread (http.client from the standard library), closed at the
end of each bot's visit (`end_visit`): a session is one device's, and a connection kept from
bot to bot would pin the load to whichever server process accepted it first. JSON in and
out, bearer-token authentication. It is a patient client: a 429 is answered by waiting the
`Retry-After` the site asked for; a refused or dropped connection (the site restarting) and a
5xx are retried with backoff; everything is counted in `Counters`, never fatal.
"""

import http.client
import json
import threading
import uuid
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

MAX_RETRY_AFTER = 120.0  # seconds; a longer wait is capped (and retried)
IDLE_CLOSED = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)


class SiteUnavailable(Exception):
    """The site did not answer after every retry."""


class Stopped(Exception):
    """The driver is stopping; the request was not made."""


class Counters:
    """Thread-safe tallies of what happened, for the driver's summaries."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter = Counter()

    def add(self, name: str, amount: float = 1) -> None:
        with self._lock:
            self._counts[name] += amount

    def snapshot(self) -> Counter:
        with self._lock:
            return Counter(self._counts)


@dataclass
class Response:
    status: int
    data: object
    headers: dict

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body: `files` maps a field to (filename, bytes, content type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content, content_type) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class SiteClient:
    def __init__(self, base_url: str, *, counters: Counters, stop: threading.Event, timeout=30):
        parts = urlsplit(base_url.rstrip("/"))
        self.scheme, self.netloc, self.prefix = parts.scheme, parts.netloc, parts.path
        self.counters = counters
        self.stop = stop
        self.timeout = timeout
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "connection", None)
        if conn is None:
            secure = self.scheme == "https"
            factory = http.client.HTTPSConnection if secure else http.client.HTTPConnection
            conn = self._local.connection = factory(self.netloc, timeout=self.timeout)
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "connection", None)
        if conn is not None:
            conn.close()
        self._local.connection = None

    def end_visit(self) -> None:
        """The visit made from this thread (or the thread's work) is over: its connection is
        closed, and the next request from it connects afresh."""
        self._drop_connection()

    def _target(self, path: str, params: dict | None) -> str:
        """A path on the site; an absolute URL (the API's own links) keeps only its path and
        query, so a link naming another host name for this site still reaches it."""
        if "://" in path:
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        elif not path.startswith(self.prefix + "/"):
            path = self.prefix + path
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params)
        return path

    def pause(self, seconds: float) -> None:
        if self.stop.wait(seconds):
            raise Stopped()

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json_body=None,
        body: bytes | None = None,
        content_type: str = "",
        params: dict | None = None,
        patient: bool = True,
    ) -> Response:
        """Send one request. `patient`: wait out a 429 and try again (else return it)."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            body, content_type = json.dumps(json_body).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        target = self._target(path, params)
        failures, reconnected = 0, False
        while True:
            if self.stop.is_set():
                raise Stopped()
            reused = getattr(self._local, "connection", None) is not None
            try:
                conn = self._connection()
                conn.request(method, target, body=body, headers=headers)
                answer = conn.getresponse()
                raw = answer.read()
            except (OSError, http.client.HTTPException) as error:  # timeouts are OSErrors
                self._drop_connection()
                if reused and not reconnected and isinstance(error, IDLE_CLOSED):
                    # The server closed a keep-alive connection we left idle: normal, and
                    # nothing was processed; connect again at once.
                    reconnected = True
                    continue
                self.counters.add(f"error: {_error_name(error)}")
                if failures >= len(BACKOFF):
                    raise SiteUnavailable(f"{method} {target}: {error}") from None
                self.pause(BACKOFF[failures])
                failures += 1
                continue
            self.counters.add("requests")
            response = Response(answer.status, _decode(raw), dict(answer.getheaders()))
            if answer.status == 429:
                self.counters.add("error: 429 too many requests")
                if not patient:
                    return response
                self.pause(retry_after(response))
                continue
            if answer.status >= 500:
                self.counters.add(f"error: {answer.status}")
                if failures >= 2:
                    return response
                self.pause(BACKOFF[failures])
                failures += 1
                continue
            return response


def retry_after(response: Response, *, cap: float | None = MAX_RETRY_AFTER) -> float:
    """Seconds the site asked us to wait (Retry-After), at least a second, at most `cap`."""
    value = response.headers.get("Retry-After") or response.headers.get("retry-after") or "1"
    try:
        seconds = float(value)
    except ValueError:
        seconds = 1.0
    seconds = max(seconds, 1.0)
    return seconds if cap is None else min(seconds, cap)


def _decode(raw: bytes):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _error_name(error: Exception) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return "timeout"
    return "connection lost"
