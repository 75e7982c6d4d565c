"""Cancellation and superseded work, with a real client: a request the client cancels is answered
``RequestCancelled``, one whose buffer changes under it ``ContentModified``, and a burst of changes
to a slow file publishes the latest version's diagnostics, not every version's in turn.

The slow work is real: code actions over a range of hundreds of findings (each checked by
linting the buffer again), and a front-matter of thousands of lines.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_support import ENV, SERVER, diagnostics_of, open_file, start, uri

pytestmark = pytest.mark.asyncio

HEAD = (
    '---\ntitle: "{title}"\npublishedDateTime: 2022-06-21T16:00:00Z\nwebUrl: "https://example.com/big"\n'
    "provider: {{name: Example News, domain: example.com}}\ntopics:\n"
)


def article(topics: int, title: str = "An article ") -> str:
    """Every topic has a trailing space (FM604, with its suppression actions); so has the title (FM650)."""
    return HEAD.format(title=title) + "".join(f'  - "topic {index} "\n' for index in range(topics)) + "---\n"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def client(lsp_client: LanguageClient) -> object:
    lsp_client.published = []  # type: ignore[attr-defined]
    features = lsp_client.protocol.fm.features
    keep = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams) -> None:
        lsp_client.published.append(params)  # type: ignore[attr-defined]
        keep(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        pass  # the file watcher: these tests change no file on disk

    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    return root


def code_action_params(path: Path, lines: int) -> types.CodeActionParams:
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=lines, character=0))
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(path)),
        range=whole,
        context=types.CodeActionContext(diagnostics=[]),
    )


def send(client: LanguageClient, params: types.CodeActionParams, msg_id: str) -> asyncio.Future[object]:
    """Send a code action request with a known id (for its ``$/cancelRequest``) at once."""
    sending = client.protocol.send_request_async(types.TEXT_DOCUMENT_CODE_ACTION, params, msg_id=msg_id)
    return asyncio.ensure_future(sending)


async def still_serving(client: LanguageClient, path: Path) -> None:
    """A hover and a small code action are answered as usual."""
    document = types.TextDocumentIdentifier(uri=uri(path))
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(text_document=document, position=types.Position(line=1, character=2))
        ),
        10,
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**title**" in hover.contents.value
    small = code_action_params(path, 1)
    small.range = types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=80))
    found = await asyncio.wait_for(client.text_document_code_action_async(small), 30)
    assert any(isinstance(a, types.CodeAction) and a.title.startswith("Ignore FM650") for a in found or [])


async def test_a_cancelled_request_is_answered_request_cancelled(client: LanguageClient, site: Path) -> None:
    await start(client, site)
    path = site / "big.md"
    text = article(300)
    assert len(await open_file(client, path, text)) == 301
    request = send(client, code_action_params(path, text.count("\n")), "slow-actions")
    await asyncio.sleep(0.05)  # the server is at work on it
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="slow-actions"))
    with pytest.raises(JsonRpcException) as error:
        await asyncio.wait_for(request, 60)
    assert error.value.code == types.LSPErrorCodes.RequestCancelled == -32800
    await still_serving(client, path)
    assert not [message for message in client.log_messages if message.type == types.MessageType.Error]


async def test_a_request_whose_buffer_changes_is_answered_content_modified(client: LanguageClient, site: Path) -> None:
    await start(client, site)
    path = site / "big.md"
    text = article(300)
    await open_file(client, path, text)
    request = send(client, code_action_params(path, text.count("\n")), "stale-actions")
    await asyncio.sleep(0.05)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=article(300, "Changed "))],
        )
    )
    with pytest.raises(JsonRpcException) as error:
        await asyncio.wait_for(request, 60)
    assert error.value.code == types.LSPErrorCodes.ContentModified == -32801
    await still_serving(client, path)
    # Giving up for a newer text is not a failure: nothing is logged as an error.
    assert not [message for message in client.log_messages if message.type == types.MessageType.Error]


async def test_a_burst_of_changes_to_a_slow_file_publishes_the_latest_version(
    client: LanguageClient, site: Path
) -> None:
    await start(client, site)
    path = site / "big.md"
    await open_file(client, path, article(3000))  # linting this takes tens of milliseconds
    client.published.clear()  # type: ignore[attr-defined]
    last = 21
    for version in range(2, last + 1):
        title = "A tidy title" if version == last else f"Version {version} "  # only the last is tidy
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=article(3000, title))],
            )
        )

    async def latest() -> None:
        while not any(params.version == last for params in client.published):  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)

    await asyncio.wait_for(latest(), 60)
    await asyncio.sleep(1)  # anything still to come would come now
    versions = [params.version for params in client.published]  # type: ignore[attr-defined]
    assert versions[-1] == last and versions == sorted(versions)
    assert len(versions) <= 5, versions  # not 20 publications, one per version
    final = client.published[-1]  # type: ignore[attr-defined]
    assert "FM650" not in {d.code for d in final.diagnostics} and "FM604" in {d.code for d in final.diagnostics}
    assert await diagnostics_of(client, path) == list(final.diagnostics)
    # A small file is still linted at every change: its diagnostics follow each one.
    small = site / "small.md"
    await open_file(client, small, article(2))
    client.published.clear()  # type: ignore[attr-defined]
    for version in (2, 3, 4):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri(small), version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=article(2, f"V{version} "))],
            )
        )

    async def all_three() -> None:
        while [p.version for p in client.published if p.uri == uri(small)] != [2, 3, 4]:  # type: ignore[attr-defined]
            await asyncio.sleep(0.01)

    await asyncio.wait_for(all_three(), 30)
