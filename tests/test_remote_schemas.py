"""Remote schemas: fetched from a loopback server started here, through the installed command,
kept in the user's schema cache (``XDG_CACHE_HOME`` in the test's folder) and revalidated;
refused where the project did not allow the address, and bounded in size and time."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FMLINT = str(Path(sys.executable).with_name("fmlint"))
DRAFT = "https://json-schema.org/draft/2020-12/schema"
TITLED = {"$schema": DRAFT, "type": "object", "properties": {"title": {"type": "string", "minLength": 3}}}
SHORT_TITLE = "---\ntitle: ab\n---\nText.\n"
FINDING = ("a.md", 2, 8, "FM207")  # `title` must have at least 3 characters
MODIFIED = "Tue, 01 Dec 2026 10:00:00 GMT"


class SchemaServer:
    """Serves ``documents`` (path -> JSON-able, or bytes) with an ETag each; counts requests and keeps
    their headers. Special paths: /redirect-to-metadata, /big, /endless, /slow, /gzip-bomb."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.requests: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.http.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"

    def total(self) -> int:
        with self.lock:
            return sum(self.requests.values())


def _handler(server: SchemaServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with server.lock:
                server.requests[self.path] += 1
                server.headers.append(dict(self.headers))
            special = getattr(self, "_" + self.path.strip("/").replace("-", "_"), None)
            if special is not None:
                special()
                return
            document = server.documents.get(self.path)
            if document is None:
                self._send(404, b"")
                return
            body = document if isinstance(document, bytes) else json.dumps(document).encode()
            if self.path.startswith("/dated/"):  # Last-Modified instead of an ETag, as static file servers do
                if self.headers.get("If-Modified-Since") == MODIFIED:
                    self._send(304, b"")
                    return
                self._send(200, body, {"Last-Modified": MODIFIED})
                return
            etag = etag_of(body)
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", {"ETag": etag})
                return
            self._send(200, body, {"ETag": etag, "Content-Type": "application/schema+json"})

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            with server.lock:
                server.statuses.append(status)
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _redirect_to_metadata(self) -> None:
            self._send(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})

        def _big(self) -> None:
            self._send(200, b'{"description": "' + b"x" * (5 << 20) + b'"}')

        def _endless(self) -> None:
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b" " * 65536
            try:
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:  # the client gave up: what it should do
                return

        def _slow(self) -> None:
            time.sleep(5)
            self._send(200, json.dumps(TITLED).encode())

        def _gzip_bomb(self) -> None:
            body = gzip.compress(b'{"description": "' + b"x" * (64 << 20) + b'"}')
            self._send(200, body, {"Content-Encoding": "gzip"})

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


@pytest.fixture
def server() -> Iterator[SchemaServer]:
    running = SchemaServer()
    thread = threading.Thread(target=running.http.serve_forever, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        running.http.shutdown()
        running.http.server_close()
        thread.join()


def project(tmp_path: Path, allow: str = '"127.0.0.1"', extra: str = "") -> Path:
    folder = tmp_path / "site"
    folder.mkdir(exist_ok=True)
    (folder / "pyproject.toml").write_text(f"[tool.fmlint]\nallow-private-hosts = [{allow}]\n{extra}")
    (folder / "a.md").write_text(SHORT_TITLE)
    return folder


def run(folder: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(folder.parent / "user-cache")}
    return subprocess.run(
        [FMLINT, "check", "--output-format", "json", "-v", *args],
        cwd=folder, env=env, capture_output=True, text=True, check=False, timeout=timeout,
    )  # fmt: skip


def findings(completed: subprocess.CompletedProcess[str]) -> list[tuple[str, int, int, str]]:
    assert completed.returncode in (0, 1), completed.stderr
    assert "Traceback" not in completed.stderr
    return [(item["path"], item["line"], item["column"], item["code"]) for item in json.loads(completed.stdout)]


def refused(completed: subprocess.CompletedProcess[str], *fragments: str) -> str:
    assert completed.returncode == 2, (completed.stdout, completed.stderr)
    assert completed.stdout == "" and "Traceback" not in completed.stderr
    for fragment in fragments:
        assert fragment in completed.stderr
    return completed.stderr


def copies(folder: Path) -> list[Path]:
    return sorted((folder.parent / "user-cache" / "fmlint" / "schemas").glob("*.schema"))


def test_a_remote_root_schema_is_fetched_and_validates(tmp_path: Path, server: SchemaServer) -> None:
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path)
    completed = run(folder, "--schema", f"{server.base}/titled.json", "a.md")
    assert findings(completed) == [FINDING]
    assert f"{server.base}/titled.json (from the network)" in completed.stderr
    assert server.requests["/titled.json"] == 1
    cached = copies(folder)
    assert len(cached) == 1 and "titled" not in cached[0].name and "127.0.0.1" not in cached[0].name
    assert oct(cached[0].parent.stat().st_mode & 0o777) == "0o700"
    project(tmp_path, extra=f'schema = "{server.base}/titled.json"\n')  # the configuration's `schema` may be a URL
    configured = run(folder, "a.md")
    assert findings(configured) == [FINDING] and "titled.json (from the cache, fetched" in configured.stderr


def test_a_local_schemas_remote_ref_is_fetched_with_the_documents_it_refers_to(
    tmp_path: Path, server: SchemaServer
) -> None:
    server.documents["/defs/title.json"] = {"$ref": "strings.json#/$defs/short"}  # relative: fetched from the server
    server.documents["/defs/strings.json"] = {"$defs": {"short": {"type": "string", "minLength": 3}}}
    folder = project(tmp_path, extra='schema = "local.json"\n')
    schema = {"$schema": DRAFT, "properties": {"title": {"$ref": f"{server.base}/defs/title.json"}}}
    (folder / "local.json").write_text(json.dumps(schema))
    completed = run(folder, "a.md")
    assert findings(completed) == [FINDING]
    assert server.requests == Counter({"/defs/title.json": 1, "/defs/strings.json": 1})
    assert f"{server.base}/defs/strings.json (from the network)" in completed.stderr


def test_a_metaschema_and_a_dynamic_reference_are_fetched_too(tmp_path: Path, server: SchemaServer) -> None:
    vocabularies = ("core", "applicator", "validation")
    server.documents["/meta.json"] = {
        "$schema": DRAFT,
        "$id": f"{server.base}/meta.json",
        "$vocabulary": {f"https://json-schema.org/draft/2020-12/vocab/{name}": True for name in vocabularies},
        "$dynamicAnchor": "meta",
        "allOf": [{"$ref": f"https://json-schema.org/draft/2020-12/meta/{name}"} for name in vocabularies],
    }
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path)
    title = {"$dynamicRef": f"{server.base}/titled.json#/properties/title"}
    (folder / "dialect.json").write_text(
        json.dumps({"$schema": f"{server.base}/meta.json", "properties": {"title": title}})
    )
    completed = run(folder, "--schema", "dialect.json", "a.md")
    assert findings(completed) == [FINDING]
    assert server.requests == Counter({"/meta.json": 1, "/titled.json": 1})
    # The fetched metaschema judges the schema: a `type` of 5 is no type.
    (folder / "dialect.json").write_text(json.dumps({"$schema": f"{server.base}/meta.json", "type": 5}))
    refused(run(folder, "--schema", "dialect.json", "a.md"), "is not a valid JSON Schema", "(at /type)")


def test_worker_processes_use_what_was_fetched_and_fetch_nothing(tmp_path: Path, server: SchemaServer) -> None:
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path)
    title = {"$dynamicRef": f"{server.base}/titled.json#/properties/title"}  # read only after the first compile
    (folder / "local.json").write_text(json.dumps({"$schema": DRAFT, "properties": {"title": title}}))
    names = [f"{index}.md" for index in range(6)]
    for name in names:
        (folder / name).write_text(SHORT_TITLE)
    completed = run(folder, "--no-cache", "--jobs", "2", "--schema", "local.json", *names)
    assert findings(completed) == [(name, 2, 8, "FM207") for name in names]
    assert server.total() == 1


def test_loopback_is_refused_without_allow_private_hosts(tmp_path: Path, server: SchemaServer) -> None:
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path, allow="")
    refused(
        run(folder, "--schema", f"{server.base}/titled.json", "a.md"),
        "127.0.0.1 is the loopback address; list it in `allow-private-hosts` to fetch schemas from it",
    )
    (folder / "local.json").write_text(json.dumps({"$ref": f"{server.base}/titled.json"}))
    refused(run(folder, "--schema", "local.json", "a.md"), f"{server.base}/titled.json", "allow-private-hosts")
    assert server.total() == 0


def test_link_local_addresses_and_names_resolving_to_loopback_are_refused(tmp_path: Path) -> None:
    folder = project(tmp_path, allow='"127.0.0.1"')
    refused(
        run(folder, "--schema", "http://169.254.169.254/latest/schema.json", "a.md"),
        "169.254.169.254 is a link-local address",
    )
    refused(run(folder, "--schema", "http://localhost:9/schema.json", "a.md"), "localhost is a local name")
    name = loopback_name()
    folder = project(tmp_path, allow="")
    # Port 9 (discard): were the resolver's check missing, the request would fail differently.
    refused(run(folder, "--schema", f"http://{name}:9/schema.json", "a.md"), f"{name}, which resolves to 127.0.0.1")


def test_a_copy_from_a_private_address_is_not_used_once_it_is_no_longer_allowed(
    tmp_path: Path, server: SchemaServer
) -> None:
    """The schema cache is shared by every project of the user: what one project was allowed to
    fetch from its network, a stranger's checkout must not read back out of the cache."""
    server.documents["/titled.json"] = TITLED
    name = loopback_name()
    url = f"http://{name}:{server.http.server_address[1]}/titled.json"
    folder = project(tmp_path, allow='"127.0.0.0/8"')
    assert findings(run(folder, "--schema", url, "a.md")) == [FINDING]
    folder = project(tmp_path, allow="")
    refused(run(folder, "--schema", url, "a.md"), f"{name}, which resolves to 127.0.0.1 is the loopback address")
    refused(run(folder, "--offline", "--schema", url, "a.md"), "is not in the schema cache")
    assert server.total() == 1


def loopback_name() -> str:
    """A name of this machine that resolves to 127.0.0.1 but is no local name such as ``localhost``."""
    name = socket.gethostname()
    try:
        if socket.gethostbyname(name) == "127.0.0.1" and "." not in name:
            return name
    except OSError:
        pass
    pytest.skip("this machine's name does not resolve to 127.0.0.1")


def test_a_redirect_to_a_private_address_is_refused(tmp_path: Path, server: SchemaServer) -> None:
    folder = project(tmp_path)
    refused(
        run(folder, "--schema", f"{server.base}/redirect-to-metadata", "a.md"),
        "it redirects to http://169.254.169.254/latest/meta-data/: 169.254.169.254 is a link-local address",
    )
    assert server.total() == 1


def test_a_second_run_uses_the_cached_copy_without_a_request(tmp_path: Path, server: SchemaServer) -> None:
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path)
    assert findings(run(folder, "--no-cache", "--schema", f"{server.base}/titled.json", "a.md")) == [FINDING]
    second = run(folder, "--no-cache", "--schema", f"{server.base}/titled.json", "a.md")
    assert findings(second) == [FINDING]
    assert server.total() == 1
    assert "titled.json (from the cache, fetched" in second.stderr


def test_an_expired_copy_is_revalidated_and_kept_on_304(tmp_path: Path, server: SchemaServer) -> None:
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path, extra="schema-cache-max-age = 0\n")
    findings(run(folder, "--schema", f"{server.base}/titled.json", "a.md"))
    second = run(folder, "--schema", f"{server.base}/titled.json", "a.md")
    assert findings(second) == [FINDING]
    assert server.requests["/titled.json"] == 2
    assert "If-None-Match" not in server.headers[0]
    assert server.headers[1]["If-None-Match"] == etag_of(json.dumps(TITLED).encode())
    assert server.statuses == [200, 304]
    assert "titled.json (revalidated: unchanged since the cached copy)" in second.stderr


def test_an_expired_copy_is_revalidated_by_its_last_modified_date(tmp_path: Path, server: SchemaServer) -> None:
    server.documents["/dated/titled.json"] = TITLED
    folder = project(tmp_path, extra="schema-cache-max-age = 0\n")
    findings(run(folder, "--schema", f"{server.base}/dated/titled.json", "a.md"))
    second = run(folder, "--schema", f"{server.base}/dated/titled.json", "a.md")
    assert findings(second) == [FINDING] and "(revalidated: unchanged" in second.stderr
    assert server.headers[1]["If-Modified-Since"] == MODIFIED and "If-None-Match" not in server.headers[1]
    assert server.statuses == [200, 304]


def test_a_changed_remote_schema_changes_the_findings_despite_the_result_cache(
    tmp_path: Path, server: SchemaServer
) -> None:
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path, extra="schema-cache-max-age = 0\n")
    assert findings(run(folder, "--schema", f"{server.base}/titled.json", "a.md")) == [FINDING]
    same = run(folder, "--schema", f"{server.base}/titled.json", "a.md")
    assert findings(same) == [FINDING] and "1 files, 1 from the cache" in same.stderr  # revalidated: unchanged
    server.documents["/titled.json"] = {**TITLED, "properties": {"title": {"type": "string", "minLength": 1}}}
    changed = run(folder, "--schema", f"{server.base}/titled.json", "a.md")
    assert findings(changed) == []
    assert "titled.json (from the network)" in changed.stderr and "1 files, 0 from the cache" in changed.stderr


def test_offline_uses_the_cache_and_names_a_missing_schema(tmp_path: Path, server: SchemaServer) -> None:
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path, extra="schema-cache-max-age = 0\n")  # expired: --offline uses it all the same
    findings(run(folder, "--schema", f"{server.base}/titled.json", "a.md"))
    offline = run(folder, "--offline", "--schema", f"{server.base}/titled.json", "a.md")
    assert findings(offline) == [FINDING]
    assert "--offline" in offline.stderr
    refused(
        run(folder, "--offline", "--schema", f"{server.base}/never.json", "a.md"),
        f"schema {server.base}/never.json is not in the schema cache",
        "run once without --offline",
    )
    assert server.total() == 1


def test_a_stale_copy_stands_in_when_the_server_is_gone_with_a_warning(tmp_path: Path, server: SchemaServer) -> None:
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path, extra="schema-cache-max-age = 0\n")
    findings(run(folder, "--schema", f"{server.base}/titled.json", "a.md"))
    server.http.shutdown()
    server.http.server_close()
    completed = run(folder, "--schema", f"{server.base}/titled.json", "a.md")
    assert findings(completed) == [FINDING]
    assert f"fmlint: warning: schema {server.base}/titled.json could not be fetched" in completed.stderr
    assert "using the copy cached" in completed.stderr


def test_a_corrupt_copy_is_fetched_again(tmp_path: Path, server: SchemaServer) -> None:
    server.documents["/titled.json"] = TITLED
    folder = project(tmp_path)
    findings(run(folder, "--schema", f"{server.base}/titled.json", "a.md"))
    (copy,) = copies(folder)
    for damaged in (copy.read_bytes()[:-5], b"\x00garbage", copy.read_bytes().replace(b"minLength", b"maxLength")):
        copy.write_bytes(damaged)
        assert findings(run(folder, "--no-cache", "--schema", f"{server.base}/titled.json", "a.md")) == [FINDING]
    assert server.requests["/titled.json"] == 4


@pytest.mark.parametrize("path", ["/big", "/endless", "/gzip-bomb"])
def test_a_huge_or_endless_body_is_refused_within_bounds(tmp_path: Path, server: SchemaServer, path: str) -> None:
    folder = project(tmp_path)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURED, FMLINT, "check", "--schema", f"{server.base}{path}", "a.md"],
        cwd=folder, env=env, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr
    assert "the document is larger than 4194304 bytes" in completed.stderr
    peak_mb = int(completed.stderr.strip().splitlines()[-1]) / 1024
    assert peak_mb < 250, peak_mb
    assert elapsed < 15, elapsed
    assert copies(folder) == []


# Runs the command as a child and prints the child's peak memory (kB) on stderr.
_MEASURED = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def test_a_slow_server_is_given_up_on_after_the_timeout(tmp_path: Path, server: SchemaServer) -> None:
    folder = project(tmp_path, extra='schema-fetch-timeout = "1s"\n')
    started = time.monotonic()
    refused(run(folder, "--schema", f"{server.base}/slow", "a.md"), "no complete answer within 1 s")
    assert time.monotonic() - started < 4.5


def test_a_remote_schema_may_not_read_local_files(tmp_path: Path, server: SchemaServer) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"type": "string"}))
    server.documents["/passwd.json"] = {"properties": {"title": {"$ref": "file:///etc/passwd"}}}
    server.documents["/secret.json"] = {"$id": secret.as_uri(), "properties": {"title": {"$ref": "secret.json"}}}
    folder = project(tmp_path)
    refused(
        run(folder, "--schema", f"{server.base}/passwd.json", "a.md"),
        "refers to file:///etc/passwd: a schema fetched from the network may not read local files",
    )
    refused(run(folder, "--schema", f"{server.base}/secret.json", "a.md"), "may not read local files")


def test_other_schemes_are_not_fetched(tmp_path: Path) -> None:
    folder = project(tmp_path)
    (folder / "local.json").write_text(json.dumps({"$ref": "ftp://example.com/schema.json"}))
    refused(run(folder, "--schema", "local.json", "a.md"), "ftp://example.com/schema.json", "only http and https")


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('schema-cache-max-age = "soon"', "`schema-cache-max-age` must be a number of seconds"),
        ("schema-fetch-timeout = 0", "`schema-fetch-timeout` must be a number of seconds (more than zero)"),
    ],
)
def test_bad_fetch_settings_are_usage_errors(tmp_path: Path, line: str, fragment: str) -> None:
    folder = project(tmp_path, extra=line + "\n")
    stderr = refused(run(folder, "a.md"), fragment)
    assert "pyproject.toml" in stderr
