"""A user schema is input from a stranger: it cannot stall, crash or exhaust a run, or reach a private address.

Every test runs the installed command, as CI does.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from conftest import MINIMAL

FMLINT = str(Path(sys.executable).with_name("fmlint"))
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def run(tmp_path: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FMLINT, "check", "--no-cache", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def write(tmp_path: Path, schema: Any, name: str = "schema.json") -> str:
    (tmp_path / name).write_text(json.dumps(schema), encoding="utf-8")
    (tmp_path / "a.md").write_text(MINIMAL, encoding="utf-8")
    return name


def refused(completed: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == ""
    assert "Traceback" not in completed.stderr
    for fragment in fragments:
        assert fragment in completed.stderr


def test_a_reference_to_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    name = write(tmp_path, {"$schema": DRAFT, "properties": {"title": {"$ref": "pipe.json"}}})
    refused(run(tmp_path, "--schema", name, "a.md", timeout=20), "pipe.json", "not a regular file")


def test_a_schema_that_is_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.fmlint]\nschema = "/dev/zero"\n', encoding="utf-8")
    refused(run(tmp_path, "a.md", timeout=20), "/dev/zero", "not a regular file")


def test_a_huge_schema_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_text('{"description": "' + "x" * (5 * 1024 * 1024) + '"}', encoding="utf-8")
    (tmp_path / "a.md").write_text(MINIMAL, encoding="utf-8")
    refused(run(tmp_path, "--schema", "big.json", "a.md"), "big.json", "larger than")


@pytest.mark.parametrize("depth", [100, 500])
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_deeply_nested_schema_is_refused_naming_the_file(tmp_path: Path, depth: int, suffix: str) -> None:
    name = "deep" + suffix  # JSON is YAML too
    (tmp_path / name).write_text('{"properties": {"a": ' * depth + '{"type": "string"}' + "}}" * depth)
    (tmp_path / "a.md").write_text(MINIMAL, encoding="utf-8")
    refused(run(tmp_path, "--schema", name, "a.md"), name, "nested more than")


def test_a_dynamic_reference_to_a_private_address_is_refused_when_the_schema_loads(tmp_path: Path) -> None:
    name = write(tmp_path, {"$schema": DRAFT, "$dynamicRef": "http://169.254.169.254/meta#items"})
    refused(run(tmp_path, "--schema", name, "a.md"), "http://169.254.169.254/meta", "is not fetched", "link-local")


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#"},
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"},
    ],
)
def test_a_reference_cycle_is_refused_when_the_schema_loads(tmp_path: Path, schema: dict[str, Any]) -> None:
    name = write(tmp_path, {"$schema": DRAFT, **schema})
    refused(run(tmp_path, "--schema", name, "a.md"), "leads back to itself")


def test_a_recursive_schema_that_reaches_a_value_is_fine(tmp_path: Path) -> None:
    tree = {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"$ref": "#"}]}}
    name = write(tmp_path, {"$schema": DRAFT, **tree})
    (tmp_path / "a.md").write_text("---\na:\n  b:\n    c: text\n---\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("---\na:\n  b:\n    c: 5\n---\n", encoding="utf-8")
    completed = run(tmp_path, "--schema", name, "--select", "FM2", "a.md", "b.md")
    assert completed.returncode == 1, completed.stderr
    assert "b.md:4:8" in completed.stdout and "a.md" not in completed.stdout


def _chain(levels: int) -> dict[str, Any]:
    """Each level is an anyOf of two references to the next: 2**levels ways to fail at the leaf."""
    defs: dict[str, Any] = {
        f"l{i}": {"anyOf": [{"$ref": f"#/$defs/l{i + 1}"}, {"$ref": f"#/$defs/l{i + 1}"}]} for i in range(levels)
    }
    defs[f"l{levels}"] = {"properties": {"title": {"type": "integer"}}}
    return {"$schema": DRAFT, "$defs": defs, "$ref": "#/$defs/l0"}


@pytest.mark.parametrize("levels", [16, 20])
def test_an_exponential_anyof_chain_is_explained_within_bounds(tmp_path: Path, levels: int) -> None:
    name = write(tmp_path, _chain(levels))
    for index in range(3):
        (tmp_path / f"bad{index}.md").write_text(MINIMAL, encoding="utf-8")  # title is text, not an integer
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURED, FMLINT, "check", "--no-cache", "--schema", name, "--select", "FM2",
         "--output-format", "json", "bad0.md", "bad1.md", "bad2.md"],
        cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert completed.returncode == 1, completed.stderr
    findings = json.loads(completed.stdout)
    assert {(f["path"], f["code"], f["line"]) for f in findings} == {(f"bad{i}.md", "FM202", 2) for i in range(3)}
    peak_mb = int(completed.stderr.strip().splitlines()[-1]) / 1024
    assert peak_mb < 300, peak_mb
    assert elapsed < 30, elapsed  # generous for a shared machine; the bound itself is 0.5 s per file


# Runs the command as a child and prints the child's peak memory (kB) on stderr.
_MEASURED = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)
assert resource  # the measuring child uses it; imported here so a missing module fails at collection


class _Counter(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.requests.append(self.path)
        body = json.dumps({"type": "object"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.parametrize("where", ["$schema", "$ref", "$dynamicRef"])
def test_a_schema_never_makes_fmlint_fetch_from_a_private_address(tmp_path: Path, where: str) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/schema.json"
        schema = {where: url} if where == "$schema" else {"$schema": DRAFT, where: url}
        name = write(tmp_path, schema)
        refused(run(tmp_path, "--schema", name, "a.md"), "127.0.0.1")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert _Counter.requests == []
