"""The playground's HTTP server: the page's static files and a small JSON API.

    GET    /                           the page (static/index.html)
    GET    /static/<name>              the page's stylesheet, scripts and icon
    GET    /api/options                lists, limits, defaults and presets for the controls
    POST   /api/sessions               {settings} -> a new session: its id, points, pictures
    POST   /api/sessions/<id>/config   {settings} -> start that session afresh with them
    POST   /api/sessions/<id>/step     {"iterations": 10, "grid": 60} -> train, then pictures
    DELETE /api/sessions/<id>          end a session
    POST   /api/backprop               {"w0", "x0", "w1", "x1", "w2"} -> the sigmoid circuit

Every answer is JSON; a refused request gets {"error": message} with status 400 (bad
value), 404 (unknown path or session), 405, 413 (body too large), 415 (not JSON) or 503
(too many sessions). Static files are read from the package once, at start, and served
by exact name, so no path can reach anything else.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import sys
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from common.nets.circuit import NEURON, neuron_circuit
from common.optim import OPTIMIZERS
from playground import config as cfg
from playground.presets import PRESETS
from playground.session import Sessions, TooManySessions

MAX_BODY = 16 * 1024
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
SESSION_PATH = re.compile(r"^/api/sessions/([A-Za-z0-9_-]{1,64})(?:/(config|step))?$")


class HttpError(Exception):
    """A request refused with ``status`` and a message for the page."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def load_static() -> dict[str, tuple[bytes, str]]:
    """name -> (content, content type) of every file in the package's static folder."""
    folder = resources.files("playground") / "static"
    files = {}
    for entry in folder.iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if entry.is_file() and suffix in CONTENT_TYPES:
            files[entry.name] = (entry.read_bytes(), CONTENT_TYPES[suffix])
    return files


def options() -> dict[str, Any]:
    """What the page's controls offer."""
    return {
        "datasets": {name: title for name, (title, _) in cfg.DATASETS.items()},
        "activations": list(cfg.ACTIVATIONS), "outputs": list(cfg.OUTPUTS),
        "optimizers": list(OPTIMIZERS),
        "limits": {"layers": cfg.MAX_LAYERS, "width": cfg.MAX_WIDTH,
                   "points": cfg.MAX_POINTS, "iterations": cfg.MAX_ITERATIONS},
        "defaults": cfg.Config().to_json(),
        "presets": PRESETS,
        "neuron": NEURON,
    }


def backprop(raw: Any) -> dict[str, Any]:
    """The sigmoid neuron's circuit for the inputs and weights in ``raw``: every wire's
    value and gradient, computed by the gate layers (``common.nets.circuit``)."""
    raw = cfg.check_object(raw, "the circuit's inputs")
    unknown = set(raw) - set(NEURON)
    if unknown:
        raise cfg.BadRequest(f"unknown input(s) {', '.join(sorted(unknown))}; the circuit "
                             f"takes {', '.join(NEURON)}")
    inputs = {key: cfg.number(raw.get(key, default), key, -10, 10)
              for key, default in NEURON.items()}
    values, grads = neuron_circuit(**inputs)
    return {"values": values, "grads": grads}


class Handler(BaseHTTPRequestHandler):
    """One request: route it, answer JSON or a static file."""

    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: without this, Nagle's algorithm holds the body
    # back until the client's delayed ACK, 40 ms per request
    disable_nagle_algorithm = True
    server: PlaygroundServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a page steps 20 times a second; errors are answered to the page."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        try:
            self._read_body()  # first: an unread body would be taken for the next request
            self._check_host()
            path = self.path.split("?", 1)[0]
            if method == "GET" and (path == "/" or path.startswith("/static/")):
                self._send_static(path)
            else:
                status, answer = self._api(method, path)
                self._send_json(status, answer)
        except HttpError as err:
            self._send_json(err.status, {"error": str(err)})
        except cfg.BadRequest as err:
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(err)})
        except Exception as err:  # a bug: say so to the page and the terminal, keep serving
            traceback.print_exc(file=sys.stderr)
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR,
                            {"error": f"the server failed: {type(err).__name__}: {err}"})

    def _check_host(self) -> None:
        """On a loopback address, only a loopback Host: another site's page cannot reach
        the server through a name of its own (DNS rebinding)."""
        allowed = self.server.allowed_hosts
        host = (self.headers.get("Host") or "").lower()  # name:port, or [IPv6]:port
        host = host[1:host.find("]")] if host.startswith("[") else host.rsplit(":", 1)[0]
        if allowed and host not in allowed:
            raise HttpError(HTTPStatus.FORBIDDEN, f"unexpected Host {host!r}: open the "
                                                  "playground at its loopback address")

    def _api(self, method: str, path: str) -> tuple[HTTPStatus, dict[str, Any]]:
        sessions = self.server.sessions
        if path == "/api/options" and method == "GET":
            return HTTPStatus.OK, options()
        if path == "/api/backprop" and method == "POST":
            return HTTPStatus.OK, backprop(self._body())
        if path == "/api/sessions" and method == "POST":
            config = cfg.check_config(self._body())
            try:
                key, session = sessions.create(config)
            except TooManySessions as err:
                raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE, str(err)) from None
            with session.lock:
                return HTTPStatus.CREATED, {"session": key, **session.state(60, True)}
        match = SESSION_PATH.match(path)
        if not match:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no such page or API: {path}")
        key, action = match.groups()
        allowed = "DELETE" if action is None else "POST"
        if method != allowed:
            raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{path} takes {allowed}")
        if action is None:
            if not sessions.delete(key):
                raise HttpError(HTTPStatus.NOT_FOUND, "no such session")
            return HTTPStatus.OK, {"deleted": key}
        body = self._body()
        session = sessions.get(key)
        if session is None:
            raise HttpError(HTTPStatus.NOT_FOUND, "this session has expired or never "
                                                  "existed: start a new one")
        with session.lock:
            if action == "config":
                session.configure(cfg.check_config(body))
                return HTTPStatus.OK, session.state(60, True)
            iterations, grid = cfg.check_step(body)
            session.step(iterations)
            return HTTPStatus.OK, session.state(grid)

    def _read_body(self) -> None:
        """Read the request's body (at most MAX_BODY bytes) into ``self.raw_body``."""
        self.raw_body = b""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True  # the body is not read: the connection is spent
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                            f"a request body may have at most {MAX_BODY} bytes")
        self.raw_body = self.rfile.read(length)

    def _body(self) -> Any:
        """The request's body as JSON (none is an empty object)."""
        if not self.raw_body:
            return {}
        if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                            "send the request body as application/json")
        try:
            return json.loads(self.raw_body)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
            raise cfg.BadRequest(f"the request body is not valid JSON: {err}") from None

    def _send_static(self, path: str) -> None:
        name = "index.html" if path == "/" else path.removeprefix("/static/")
        if name not in self.server.static:
            raise HttpError(HTTPStatus.NOT_FOUND, f"no such file: {path}")
        content, content_type = self.server.static[name]
        self._send(HTTPStatus.OK, content, content_type)

    def _send_json(self, status: HTTPStatus, answer: dict[str, Any]) -> None:
        self._send(status, json.dumps(answer, allow_nan=False).encode(),
                   "application/json")

    def _send(self, status: HTTPStatus, content: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)


def is_loopback(host: str) -> bool:
    """True for 'localhost' and loopback addresses (127.x.x.x, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PlaygroundServer(ThreadingHTTPServer):
    """A threaded HTTP server with its sessions and static files; ``port=0`` picks a free
    port (then read ``server_port``)."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 8000,
                 sessions: Sessions | None = None) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)
        self.sessions = sessions if sessions is not None else Sessions()
        self.static = load_static()
        self.allowed_hosts = {"localhost", "127.0.0.1", "::1"} if is_loopback(host) else set()

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host = self.server_address[0]
        return f"http://{f'[{host}]' if ':' in host else host}:{self.server_port}/"
