"""What the language server's tests share: a workspace on disk and a real client over stdio."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities

NOW = "2026-01-01T00:00:00Z"
SERVER = [sys.executable, "-m", "fmlint", "server"]
ENV = {"FMLINT_NOW": NOW, "PATH": "/usr/bin:/bin"}

ARTICLE = """\
---
title: "  An article"
publishedDateTime: 2022-06-21T16:00:00Z
webUrl: "https://example.com/{name}"
type: vidoe
provider: {{name: "Grüße 😀 News", domain: "not a domain"}}
---
Body text.
"""


def uri(path: Path) -> str:
    return from_fs_path(str(path)) or str(path)


async def start(client: LanguageClient, *folders: Path, spec: str = "visual-studio-code", wait: bool = True) -> None:
    params = types.InitializeParams(
        capabilities=client_capabilities(spec),
        workspace_folders=[types.WorkspaceFolder(uri=uri(folder), name=folder.name) for folder in folders],
        root_uri=uri(folders[0]) if folders else None,
    )
    await client.initialize_session(params)
    if folders and wait:
        await scanned(client)  # a quiet server: what is published next answers what the test does


async def scanned(client: LanguageClient, timeout: float = 60, count: int = 1) -> None:
    """Wait until ``count`` background scans (at least) have begun, and every one has reported its end."""

    def done(reports: list[object]) -> bool:
        return any(isinstance(report, types.WorkDoneProgressEnd) for report in reports)

    async def ended() -> None:
        while len(client.progress_reports) < count or not all(map(done, client.progress_reports.values())):
            await asyncio.sleep(0.02)

    await asyncio.wait_for(ended(), timeout)


async def open_file(client: LanguageClient, path: Path, text: str | None = None) -> list[types.Diagnostic]:
    """Open ``path`` (with ``text``, or its contents) and return the diagnostics published for it."""
    text = path.read_text(encoding="utf-8") if text is None else text
    client.diagnostics.pop(uri(path), None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri(path), language_id="markdown", version=1, text=text)
        )
    )
    return await diagnostics_of(client, path)


async def diagnostics_of(client: LanguageClient, path: Path, timeout: float = 10) -> list[types.Diagnostic]:
    async def published() -> None:
        while uri(path) not in client.diagnostics:
            await asyncio.sleep(0.005)

    await asyncio.wait_for(published(), timeout)
    return list(client.diagnostics[uri(path)])


async def change(client: LanguageClient, path: Path, text: str, version: int) -> list[types.Diagnostic]:
    client.diagnostics.pop(uri(path), None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return await diagnostics_of(client, path)


def check_json(path: Path, cwd: Path) -> list[dict[str, Any]]:
    """What the installed ``fmlint check`` reports for ``path``, as its JSON output."""
    done = subprocess.run(
        ["fmlint", "check", "--no-cache", "--output-format", "json", str(path)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**ENV, "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    return list(json.loads(done.stdout)["diagnostics"]) if done.stdout.startswith("{") else json.loads(done.stdout)


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply protocol edits (UTF-16 positions) to ``text``, as an editor does."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        column = 0
        while column < len(line) and units < position.character:
            units += len(line[column].encode("utf-16-le")) // 2
            column += 1
        return sum(len(item) + 1 for item in lines[: position.line]) + column

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text
