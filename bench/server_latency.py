"""How fast ``fmlint server`` answers an edit: didChange to publishDiagnostics, over stdio.

Usage (from the repository root, with fmlint installed with its ``server`` extra):

    python bench/server_latency.py                 # 200 edits on a 1.5 KB article
    python bench/server_latency.py --edits 50      # fewer

A real client (pygls's) starts ``fmlint server`` as an editor does, opens a workspace
holding the test corpus (so the cross-file pass has hundreds of files to go over),
waits for the background scan to end, opens a 1.5 KB article and changes one
character of its title, over and over. Each latency is measured from sending the
change to receiving the diagnostics of that version. Two rhythms: edits 30 ms apart
(typing: the cross-file pass keeps being put off) and 400 ms apart (pauses: the
cross-file pass runs between edits).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "corpus" / "powerapps"
TARGET_SIZE = 1536
GOAL_MS = 5.0


def _article(root: Path) -> Path:
    """The corpus article closest to 1.5 KB."""
    return min(sorted(root.glob("*.md")), key=lambda path: abs(path.stat().st_size - TARGET_SIZE))


# The floor: the same client and transport, against a pygls server that only answers each
# change with empty diagnostics. What fmlint adds is the difference.
FLOOR_SERVER = """
from lsprotocol import types
from pygls.lsp.server import LanguageServer
server = LanguageServer("floor", "1")
@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def changed(ls, params):
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=params.text_document.uri, diagnostics=[], version=params.text_document.version))
server.start_io()
"""


async def _measure(edits: int, gap: float, floor: bool = False) -> tuple[list[float], int]:
    command = [sys.executable, "-c", FLOOR_SERVER] if floor else [sys.executable, "-m", "fmlint", "server"]
    work = Path(tempfile.mkdtemp(prefix="fmlint-bench-server-"))
    try:
        root = work / "site"
        shutil.copytree(CORPUS, root)
        article = _article(root)
        uri = from_fs_path(str(article)) or str(article)
        client = LanguageClient("fmlint-bench", "1")
        published: dict[int, float] = {}
        arrived = asyncio.Event()
        scan_done = asyncio.Event()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            if params.uri == uri and params.version is not None:
                published.setdefault(params.version, time.perf_counter())
                arrived.set()

        @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @client.feature(types.PROGRESS)
        def progress(params: types.ProgressParams) -> None:
            value = params.value
            if isinstance(value, dict) and value.get("kind") == "end":
                scan_done.set()

        await client.start_io(*command)
        capabilities = types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True))
        folder = types.WorkspaceFolder(uri=from_fs_path(str(root)) or str(root), name="site")
        await client.initialize_async(
            types.InitializeParams(capabilities=capabilities, workspace_folders=[folder], process_id=None)
        )
        client.initialized(types.InitializedParams())
        if not floor:
            await asyncio.wait_for(scan_done.wait(), 120)
        text = article.read_text(encoding="utf-8")
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)
            )
        )
        latencies: list[float] = []
        for version in range(2, edits + 2):
            await asyncio.sleep(gap)
            # One character of the title, changed and changed back: a new text each time.
            edited = text.replace("title: ", "title:  ", 1) if version % 2 else text
            sent = time.perf_counter()
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
                )
            )
            while version not in published:  # waiting without spinning: the server needs the core
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), 30)
            latencies.append((published[version] - sent) * 1000)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        return latencies, article.stat().st_size
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=200, help="edits per rhythm (default: 200)")
    args = parser.parse_args()
    print(f"fmlint server: didChange -> publishDiagnostics, {args.edits} edits, workspace of {CORPUS.name}")
    print(f"{'rhythm':<26} {'median':>8} {'p90':>8} {'max':>8}")
    medians = []
    rhythms = (("typing (30 ms apart)", 0.03, False), ("pauses (400 ms apart)", 0.4, False))
    for name, gap, floor in ((*rhythms[0][:2], True), *rhythms):
        name = "floor: pygls, no linting" if floor else name
        latencies, size = asyncio.run(_measure(args.edits, gap, floor))
        latencies.sort()
        median = statistics.median(latencies)
        if not floor:
            medians.append(median)
        p90 = latencies[int(len(latencies) * 0.9) - 1]
        print(f"{name:<26} {median:>6.2f}ms {p90:>6.2f}ms {latencies[-1]:>6.2f}ms   (article: {size} bytes)")
    met = max(medians) <= GOAL_MS
    print(f"goal: median <= {GOAL_MS:.0f} ms: {'met' if met else 'NOT met'}")
    # Latency on a shared machine is mostly waiting for a core: say how busy it was.
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()[0]
        print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
