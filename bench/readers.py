"""Does the fast YAML reader pay? fmlint with it and with the full reader alone, side by side.

Usage (from the repository root, in a virtual environment with fmlint installed):

    python bench/readers.py                 # 5,400 files cold, one file, per-document reading; 5 runs
    python bench/readers.py --runs 3
    python bench/readers.py --per-document  # only the readers, in process, per corpus document

Wall time and CPU time (user and system, the workers included) are both reported:
on a shared machine the CPU time is the steadier of the two.

"Without" runs the same command with ``fmlint.pipeline.fastyaml.read_plain_yaml`` made to
decline every document, so every file goes to the full reader (PyYAML on libyaml),
exactly as it would if the fast reader were removed. Worker processes are forked,
so they inherit the change. Runs are interleaved, as in ``bench.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import Contender, build, expect_findings, remove_cache, run_once

_RUN = (
    "import sys\n"
    "if sys.argv.pop(1) == 'without':\n"
    "    import fmlint.pipeline.fastyaml\n"
    "    fmlint.pipeline.fastyaml.read_plain_yaml = lambda text, limits: None\n"
    "from fmlint.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def command(which: str, *args: str) -> list[str]:
    return [sys.executable, "-c", _RUN, which, "check", "--quiet", *args]


def measure_cpu(contenders: list[Contender], runs: int) -> dict[str, list[float]]:
    """Run each contender ``runs`` times, interleaved, after a warm-up; wall times go to the contender,
    CPU seconds (user and system, of the process and the workers it waited for) are returned.

    CPU time barely moves when other work shares the machine; wall time does."""
    cpu: dict[str, list[float]] = {contender.name: [] for contender in contenders}
    for round_ in range(runs + 1):
        for contender in contenders:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            run_once(contender)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if round_ == 0:  # the warm-up: file system caches, bytecode
                contender.times.clear()
                continue
            cpu[contender.name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return cpu


def per_document(rounds: int) -> tuple[float, float, int, int]:
    """Microseconds per corpus front-matter for each reader, and how many the fast one reads.

    CPU time of this process, not wall time: on a shared machine it is the steadier measure."""
    from fmlint.pipeline.fastyaml import read_front_matter_yaml, read_plain_yaml
    from fmlint.pipeline.yamlread import Limits, read_yaml

    templates = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "powerapps"
    texts = [path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:] + "\n" for path in sorted(templates.iterdir())]
    limits = Limits()
    read_yaml("a: 1\n", limits)  # import PyYAML before timing
    fast_read = sum(read_plain_yaml(text, limits) is not None for text in texts)

    def timed(read: object) -> float:
        best = []
        for _ in range(rounds):
            start = time.process_time()
            for text in texts:
                read(text, limits)  # type: ignore[operator]
            best.append((time.process_time() - start) / len(texts) * 1e6)
        return statistics.median(best)

    return timed(read_front_matter_yaml), timed(read_yaml), fast_read, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=5400)
    parser.add_argument("--per-document", action="store_true", help="only the in-process reading, per document")
    args = parser.parse_args()
    if args.per_document:
        fast, full, read, total = per_document(max(args.runs, 5))
        print(f"Per corpus document (CPU): {fast:.0f} µs with the fast reader, {full:.0f} µs without "
              f"({read} of {total} read by it).")  # fmt: skip
        return
    print(f"# The fast YAML reader\n\n{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"median of {args.runs} runs.\n")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="fmlint-readers-") as work:
        root = Path(work) / "corpus"
        injected = build(root, args.files)
        contenders = [
            Contender(f"{which} the fast reader, {args.files:,} files cold", command(which, "--no-cache", "articles"),
                      root, args.files, remove_cache(root), expect_findings(injected))
            for which in ("with", "without")
        ]  # fmt: skip
        one = next((root / "articles" / "000").iterdir())
        contenders += [
            Contender(f"{which} the fast reader, one file", command(which, "--no-cache", str(one)), root, 1)
            for which in ("with", "without")
        ]
        cpu = measure_cpu(contenders, args.runs)
    print("| run | median wall s | median CPU s |\n|---|---:|---:|")
    for contender in contenders:
        print(f"| {contender.name} | {contender.median:.3f} | {statistics.median(cpu[contender.name]):.3f} |")
    cold_with, cold_without, one_with, one_without = (contender.median for contender in contenders)
    cpu_with, cpu_without = (statistics.median(cpu[contender.name]) for contender in contenders[:2])
    print(f"\nCold, {args.files:,} files, CPU (all processes): without the fast reader "
          f"{cpu_without / cpu_with:.2f}× the time.")  # fmt: skip
    fast, full, read, total = per_document(max(args.runs, 5))
    print(f"Cold, {args.files:,} files, wall: without the fast reader {cold_without / cold_with:.2f}× the time.")
    print(f"One file: without it {one_without / one_with:.2f}× the time ({(one_without - one_with) * 1000:.0f} ms).")
    print(f"Per corpus document (CPU): {fast:.0f} µs with it, {full:.0f} µs without "
          f"({read} of {total} read by the fast reader).")  # fmt: skip


if __name__ == "__main__":
    main()
