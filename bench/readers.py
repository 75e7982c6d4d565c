"""Does the fast YAML reader pay? fmlint with it and with the full reader alone, side by side.

Usage (from the repository root, in a virtual environment with fmlint installed):

    python bench/readers.py              # 5,400 files cold, one file, per-document reading; 5 runs
    python bench/readers.py --runs 3

"Without" runs the same command with ``fmlint.fastyaml.read_plain_yaml`` made to
decline every document, so every file goes to the full reader (PyYAML on libyaml),
exactly as it would if the fast reader were removed. Worker processes are forked,
so they inherit the change. Runs are interleaved, as in ``bench.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import Contender, build, expect_findings, measure, remove_cache

_RUN = (
    "import sys\n"
    "if sys.argv.pop(1) == 'without':\n"
    "    import fmlint.fastyaml\n"
    "    fmlint.fastyaml.read_plain_yaml = lambda text, limits: None\n"
    "from fmlint.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def command(which: str, *args: str) -> list[str]:
    return [sys.executable, "-c", _RUN, which, "check", "--quiet", *args]


def per_document(rounds: int) -> tuple[float, float, int, int]:
    """Microseconds per corpus front-matter for each reader (in this process), and how many the fast one reads."""
    from fmlint.fastyaml import read_front_matter_yaml, read_plain_yaml
    from fmlint.yamlread import Limits, read_yaml

    templates = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "powerapps"
    texts = [path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:] + "\n" for path in sorted(templates.iterdir())]
    limits = Limits()
    read_yaml("a: 1\n", limits)  # import PyYAML before timing
    fast_read = sum(read_plain_yaml(text, limits) is not None for text in texts)

    def timed(read: object) -> float:
        best = []
        for _ in range(rounds):
            start = time.perf_counter()
            for text in texts:
                read(text, limits)  # type: ignore[operator]
            best.append((time.perf_counter() - start) / len(texts) * 1e6)
        return statistics.median(best)

    return timed(read_front_matter_yaml), timed(read_yaml), fast_read, len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=5400)
    args = parser.parse_args()
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
        measure(contenders, args.runs)
    print("| run | median s |\n|---|---:|")
    for contender in contenders:
        print(f"| {contender.name} | {contender.median:.3f} |")
    cold_with, cold_without, one_with, one_without = (contender.median for contender in contenders)
    fast, full, read, total = per_document(max(args.runs, 5))
    print(f"\nCold, {args.files:,} files: without the fast reader {cold_without / cold_with:.2f}× the time.")
    print(f"One file: without it {one_without / one_with:.2f}× the time ({(one_without - one_with) * 1000:.0f} ms).")
    print(f"Per corpus document, in process: {fast:.0f} µs with it, {full:.0f} µs without "
          f"({read} of {total} read by the fast reader).")  # fmt: skip


if __name__ == "__main__":
    main()
