"""Benchmark fmlint against itself and check-jsonschema; print a table of medians.

Usage (from the repository root, in a virtual environment with fmlint installed
non-editable, and check-jsonschema for the peer comparison):

    pip install . check-jsonschema
    python bench/bench.py                 # every measurement, 5 runs each
    python bench/bench.py --only peers    # one section: peers, cache, one, scale, memory, cores
    python bench/bench.py --quick         # smaller corpora and 3 runs, for a quick look

Every measurement runs the real commands as subprocesses, several times,
interleaved (so a slow moment of the machine hits every contender alike), and
reports the median wall time and the largest peak resident memory of the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
# Children may write their bytecode caches: a run that compiles fmlint's modules each
# time measures the compiler, not fmlint.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
SUMMARY: list[tuple[str, str, str, bool]] = []  # target, measured, goal, met


def summarise(target: str, measured: float, goal: float, unit: str, higher_is_better: bool) -> None:
    met = measured >= goal if higher_is_better else measured <= goal
    sign = "≥" if higher_is_better else "≤"
    SUMMARY.append((target, f"{measured:.2f}{unit}", f"{sign} {goal:g}{unit}", met))


@dataclass
class Contender:
    """A command to time; ``prepare`` runs before each timed run, untimed."""

    name: str
    command: list[str]
    cwd: Path
    files: int
    prepare: Callable[[], None] = lambda: None
    expect: Callable[[subprocess.CompletedProcess[bytes]], None] = lambda completed: None
    times: list[float] = field(default_factory=list)
    memory: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_mb(self) -> float:
        return max(self.memory) / 1024


def run_once(contender: Contender) -> None:
    """Time one run and record its peak memory (from the kernel's accounting for that child)."""
    contender.prepare()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(contender.command, cwd=contender.cwd, stdout=out, stderr=err, env=ENV)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        completed = subprocess.CompletedProcess(contender.command, process.returncode, out.read(), err.read())
    contender.times.append(elapsed)
    contender.memory.append(usage.ru_maxrss)
    contender.expect(completed)


def measure(contenders: Sequence[Contender], runs: int) -> None:
    for contender in contenders:  # one warm-up round: file system caches, pyc files
        run_once(contender)
        contender.times.clear()
        contender.memory.clear()
    for _ in range(runs):
        for contender in contenders:
            run_once(contender)


def memory_of(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and peak RSS (MB) of one run, measured in a fresh child that only runs it."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe, *command], cwd=cwd, capture_output=True, text=True, check=True, env=ENV
    )
    elapsed, rss = output.stdout.split()
    return float(elapsed), int(rss) / 1024


def fmlint(*args: str) -> list[str]:
    return [str(BIN / "fmlint"), "check", "--quiet", *args]


def remove_cache(root: Path) -> Callable[[], None]:
    return lambda: shutil.rmtree(root / ".fmlint_cache", ignore_errors=True)


def expect_findings(injected: dict[str, int]) -> Callable[[subprocess.CompletedProcess[bytes]], None]:
    """A run that did not report every injected defect did not lint everything: fail loudly."""
    total = sum(injected.values())

    def check(completed: subprocess.CompletedProcess[bytes]) -> None:
        errors = sum(1 for line in completed.stdout.decode().splitlines() if ": FM" in line)
        if completed.returncode != 1 or errors < total:
            raise SystemExit(
                f"benchmark run reported {errors} findings, expected at least {total}:\n{completed.stderr.decode()}"
            )

    return check


def build(root: Path, count: int) -> dict[str, int]:
    print(f"building a corpus of {count} files in {root} …", file=sys.stderr)
    return corpus.build(root, count)


def bundled_schema(path: Path) -> Path:
    """fmlint's article schema with the related-link schema embedded, for check-jsonschema."""
    article = json.loads((REPO / "schemas" / "article.schema.json").read_text())
    related = json.loads((REPO / "schemas" / "related-link.schema.json").read_text())
    related.pop("$schema", None)
    article["$defs"]["relatedLink"] = related
    path.write_text(json.dumps(article))
    return path


def table(title: str, contenders: Sequence[Contender], notes: Sequence[str]) -> None:
    print(f"\n### {title}\n")
    print("| command | files | median | files/s | peak memory |")
    print("|---|---:|---:|---:|---:|")
    for c in contenders:
        rate = f"{c.files / c.median:,.0f}" if c.files else "–"
        print(f"| {c.name} | {c.files:,} | {c.median:.3f} s | {rate} | {c.peak_mb:.0f} MB |")
    for note in notes:
        print(f"\n{note}")


def peers(work: Path, size: int, runs: int) -> None:
    root = work / "peers"
    injected = build(root, size)
    yaml_files = sorted(str(path) for path in (root / "yaml").rglob("*.yaml"))
    checker = shutil.which("check-jsonschema", path=str(BIN)) or shutil.which("check-jsonschema")
    cold = Contender(
        "fmlint check (cold, no cache)", fmlint("articles"), root, size, remove_cache(root), expect_findings(injected)
    )
    contenders = [cold]
    if checker:
        schema = bundled_schema(work / "article.bundle.json")
        contenders.append(
            Contender(
                "check-jsonschema 0.39 (same front-matter as .yaml)",
                [checker, "--schemafile", str(schema), *yaml_files],
                root,
                size,
            )
        )
    measure(contenders, runs)
    notes = [f"Injected defects: {injected}."]
    if checker:
        ratio = contenders[1].median / cold.median
        notes.append(f"**fmlint cold is {ratio:.1f}× the speed of check-jsonschema** (target ≥ 10×).")
        summarise(f"cold, {size:,} files: speed × check-jsonschema", ratio, 10, "×", True)
    else:
        notes.append("check-jsonschema is not installed: `pip install check-jsonschema` to compare.")
    table(f"Cold run against check-jsonschema, {size:,} files", contenders, notes)


def cache(work: Path, size: int, runs: int) -> None:
    root = work / "cache"
    injected = build(root, size)
    cold = Contender(
        "fmlint check (cold)", fmlint("articles"), root, size, remove_cache(root), expect_findings(injected)
    )
    warm = Contender(
        "fmlint check (warm: nothing changed)", fmlint("articles"), root, size, expect=expect_findings(injected)
    )
    measure([cold, warm], runs)
    notes = [f"**Warm is {cold.median / warm.median:.1f}× faster than cold** (target ≥ 20×)."]
    summarise(f"warm, {size:,} files: × faster than cold", cold.median / warm.median, 20, "×", True)
    table(f"Result cache, {size:,} files", [cold, warm], notes)


def one_file(work: Path, runs: int) -> None:
    root = work / "one"
    root.mkdir(parents=True, exist_ok=True)
    article = root / "one.md"
    shutil.copy(corpus.TEMPLATES[0], article)
    baseline = Contender("python -c pass", [sys.executable, "-c", "pass"], root, 0)
    single = Contender("fmlint check one.md", [str(BIN / "fmlint"), "check", "one.md"], root, 1, remove_cache(root))
    measure([baseline, single], max(runs, 20))
    notes = [f"**fmlint on one file takes {single.median / baseline.median:.2f}× `python -c pass`** (target under 5×)."]
    summarise("one file: × `python -c pass`", single.median / baseline.median, 5, "×", False)
    table("One file (the pre-commit case)", [baseline, single], notes)


def scale(work: Path, sizes: Sequence[int], runs: int) -> None:
    contenders = []
    for size in sizes:
        root = work / f"scale-{size}"
        injected = build(root, size)
        contenders.append(
            Contender(
                f"fmlint check (cold), {size:,} files",
                fmlint("articles"),
                root,
                size,
                remove_cache(root),
                expect_findings(injected),
            )
        )
    measure(contenders, runs)
    ratio = contenders[-1].median / contenders[0].median
    linear = sizes[-1] / sizes[0]
    notes = [f"**{sizes[-1]:,} files take {ratio:.2f}× as long as {sizes[0]:,}** (linear: {linear:.0f}×)."]
    summarise(f"scale: {sizes[-1]:,} ÷ {sizes[0]:,} files, time ratio", ratio, linear * 1.15, "×", False)
    table("Scaling", contenders, notes)


def memory(work: Path, size: int) -> None:
    root = work / f"memory-{size}"
    build(root, size)
    shutil.rmtree(root / ".fmlint_cache", ignore_errors=True)
    elapsed, peak = memory_of(fmlint("articles"), root)
    print(f"\n### Memory, {size:,} files\n")
    print(f"Cold run: {elapsed:.1f} s, **peak resident memory {peak:.0f} MB** (target < 150 MB).")
    summarise(f"memory, {size:,} files: peak resident", peak, 150, " MB", False)


def cores(work: Path, size: int, runs: int) -> None:
    root = work / "cores"
    injected = build(root, size)
    single = Contender(
        "fmlint check --jobs 1 (cold)",
        fmlint("--jobs", "1", "articles"),
        root,
        size,
        remove_cache(root),
        expect_findings(injected),
    )
    default = Contender(
        "fmlint check (cold, default jobs)",
        fmlint("articles"),
        root,
        size,
        remove_cache(root),
        expect_findings(injected),
    )
    measure([single, default], runs)
    speedup = single.median / default.median
    notes = [f"**Default is {speedup:.2f}× faster than one process** on {os.cpu_count()} cores."]
    summarise(f"cores, {size:,} files: default jobs × faster than --jobs 1", speedup, 1.3, "×", True)
    table(f"Cores, {size:,} files", [single, default], notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["peers", "cache", "one", "scale", "memory", "cores"], action="append")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--divide", type=int, default=1, metavar="N", help="divide every corpus size by N (a shared machine)"
    )
    parser.add_argument("--keep", metavar="DIR", help="build corpora here and keep them")
    args = parser.parse_args()
    sections = args.only or ["peers", "cache", "one", "scale", "memory", "cores"]
    runs = 3 if args.quick else args.runs
    factor = 10 if args.quick else args.divide
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fmlint-bench-"))
    print(f"# fmlint benchmark\n\n{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {runs} runs.")
    try:
        if "peers" in sections:
            peers(work, 5400 // factor, runs)
        if "cache" in sections:
            cache(work, 20_000 // factor, runs)
        if "one" in sections:
            one_file(work, runs)
        if "scale" in sections:
            scale(work, (10_000 // factor, 40_000 // factor), runs)
        if "memory" in sections:
            memory(work, 100_000 // factor)
        if "cores" in sections:
            cores(work, 20_000 // factor, runs)
        print_summary()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def print_summary() -> None:
    print("\n### Targets\n")
    print("| target | measured | goal | met |")
    print("|---|---:|---:|:---:|")
    for target, measured, goal, met in SUMMARY:
        print(f"| {target} | {measured} | {goal} | {'yes' if met else '**no**'} |")


if __name__ == "__main__":
    main()
