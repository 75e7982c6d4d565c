"""A loopback HTTP server for the link-check tests (fixed answers, counted requests), and the
articles and projects those tests lint."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from conftest import run_cli

# path -> (status, headers); a path not listed answers 404. Paths ending in -once answer
# 429 (Retry-After: 1) to their first request and 200 after.
ROUTES: dict[str, tuple[int, dict[str, str]]] = {
    "/ok": (200, {}),
    "/images/here.png": (200, {}),
    "/moved": (301, {"Location": "/ok"}),
    "/moved-308": (308, {"Location": "/ok"}),
    "/images/old.png": (301, {"Location": "/images/here.png"}),
    "/temporary": (302, {"Location": "/ok"}),
    "/see-other": (303, {"Location": "/ok"}),
    "/moved-then-temporary": (301, {"Location": "/temporary"}),
    "/moved-to-dead": (301, {"Location": "/missing"}),
    "/gone": (410, {}),
    "/missing": (404, {}),
    "/images/gone.png": (404, {}),
    "/error": (500, {}),
    "/images/broken-server.png": (500, {}),
    "/forbidden": (403, {}),
    "/always-busy": (429, {"Retry-After": "1"}),
    "/wait-long": (429, {"Retry-After": "3600"}),
    "/unavailable": (503, {"Retry-After": "1"}),
    "/loop-a": (301, {"Location": "/loop-b"}),
    "/loop-b": (302, {"Location": "/loop-a"}),
    "/images/loop.png": (301, {"Location": "/images/loop.png"}),
    "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}),
    "/bad-location": (301, {"Location": "http://[::1"}),
    "/to-ftp": (302, {"Location": "ftp://example.com/file"}),
}


class LinkServer:
    """Counts every request by (method, path) and the most requests it had in flight at once."""

    def __init__(self, host: str = "127.0.0.1", delay: float = 0.0) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.times: list[tuple[float, str, str]] = []  # (monotonic time, method, path) of each request
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay = delay  # every answer waits this long (the benchmark's 50 ms)
        self.slow = 2.0  # how long /slow waits
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def total(self) -> int:
        return sum(self.requests.values())

    def answer(self, method: str, path: str) -> tuple[int, dict[str, str], float]:
        with self._lock:
            self.requests[method, path] += 1
            self.times.append((time.monotonic(), method, path))
            seen = self.requests["HEAD", path] + self.requests["GET", path]
        if path == "/no-head":
            return (405 if method == "HEAD" else 200), {}, 0.0
        if path == "/head-lies":
            return (404 if method == "HEAD" else 200), {}, 0.0
        if path == "/slow":
            return 200, {}, self.slow
        if path.endswith("-once"):
            return (429, {"Retry-After": "1"}, 0.0) if seen == 1 else (200, {}, 0.0)
        if path.startswith("/page/"):
            return 200, {}, 0.0
        status, headers = ROUTES.get(path, (404, {}))
        return status, headers, 0.0

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def start(self) -> LinkServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def _handler(server: LinkServer) -> Any:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

        def _respond(self) -> None:
            server.enter()
            try:
                path = self.path.split("?", 1)[0]
                status, headers, wait = server.answer(self.command, path)
                time.sleep(server.delay + wait)
                body = b"" if self.command == "HEAD" else b"<html>page</html>"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(b"<html>page</html>")))
                self.end_headers()
                if body:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                server.leave()

        do_GET = _respond
        do_HEAD = _respond

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving(host: str = "127.0.0.1", delay: float = 0.0) -> Iterator[LinkServer]:
    server = LinkServer(host, delay).start()
    try:
        yield server
    finally:
        server.stop()


# --- articles and projects for the tests -----------------------------------------

HEAD = (
    "---\n"
    'title: "An article"\n'
    "publishedDateTime: 2022-06-21T16:00:00Z\n"
    'webUrl: "https://example.com/an-article"\n'
    "provider: {name: Example News, domain: example.com}\n"
)
FIRST_IMAGE_LINE = 7  # the line of the first image's url in an article of :func:`article`


def article(*urls: str) -> str:
    images = "".join(f'  - url: "{url}"\n' for url in urls)
    return f"{HEAD}images:\n{images}---\nBody.\n"


def configure(folder: Path, links: str = "", allow: str = '["127.0.0.1"]') -> None:
    """The project's settings; the articles' own ``webUrl`` (example.com) is excluded, since
    the tests use no network but loopback."""
    allowed = f"allow-private-hosts = {allow}\n" if allow else ""
    if "exclude" not in links:
        links += 'exclude = ["^https://example\\\\.com/"]\n'
    if "timeout" not in links:
        links += "timeout = 2\n"
    (folder / "pyproject.toml").write_text(f"[tool.fmlint]\n{allowed}[tool.fmlint.links]\n{links}")


def check(folder: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    """``fmlint check --links`` with only the FM8 rules, in ``folder``: exit code, findings, stderr."""
    result = run_cli("check", "--select", "FM8", "--output-format", "json", *args, cwd=folder)
    return result.code, json.loads(result.out) if result.out.strip() else [], result.err


def found(findings: list[dict[str, Any]]) -> list[tuple[str, int, int, str]]:
    return [(item["path"], item["line"], item["column"], item["code"]) for item in findings]


# The fixtures every link test module uses, each module taking them with `pytest.fixture(...)`.


def isolated_user_cache(tmp_path: Path, monkeypatch: Any) -> Path:
    """The user's cache folder, in the test's own folder: the link answers file it holds."""
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "fmlint" / "links.jsonl"


def running_server() -> Iterator[LinkServer]:
    """A link server on loopback for the test."""
    with serving() as running:
        yield running


def configured_site(tmp_path: Path) -> Path:
    """A site folder whose configuration lets fmlint check links on loopback."""
    folder = tmp_path / "site"
    folder.mkdir()
    configure(folder)
    return folder
