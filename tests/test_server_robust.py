"""The server survives a failing request, and says how to install what it needs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_support import ARTICLE, ENV, open_file, start, uri

# The real server, with one feature made to fail: hover raises as a bug in it would.
FAILING_HOVER = (
    "import sys, fmlint.server.help as help\n"
    "def broken(*args): raise RuntimeError('hover broke')\n"
    "help.hover = broken\n"
    "from fmlint.server import serve\n"
    "sys.exit(serve())\n"
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-c", FAILING_HOVER], server_env=ENV))
async def client(lsp_client: LanguageClient) -> object:
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_an_exception_is_answered_with_an_error_and_the_server_goes_on(
    client: LanguageClient, tmp_path: Path
) -> None:
    path = tmp_path / "a.md"
    path.write_text(ARTICLE.format(name="a"), encoding="utf-8")
    await start(client, tmp_path)
    await open_file(client, path)
    where = types.TextDocumentPositionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(path)), position=types.Position(line=2, character=2)
    )
    with pytest.raises(Exception, match="hover broke"):
        await client.text_document_hover_async(types.HoverParams(where.text_document, where.position))
    for _ in range(500):  # the log message follows the error response
        if any("hover broke" in log.message for log in client.log_messages):
            break
        await asyncio.sleep(0.01)
    logged = [log.message for log in client.log_messages if "hover broke" in log.message]
    assert logged and 'File "' in logged[0]  # with its traceback, for the editor's log
    # Still serving: a completion request after the failure is answered.
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=where.text_document, position=types.Position(line=4, character=6))
    )
    assert result is not None and [item.label for item in result.items] == ["article", "video"]


def test_server_says_how_to_install_what_is_missing() -> None:
    blocked = "import sys; sys.modules['pygls'] = None\nfrom fmlint.cli import main\nsys.exit(main(['server']))"
    done = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "pip install 'fmlint[server]'" in done.stderr
    assert "Traceback" not in done.stderr
