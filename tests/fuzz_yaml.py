"""Fuzz target: the two YAML readers against each other, and the full one against PyYAML.

Not part of the normal test run (its name does not match ``test_*.py``); run it with::

    FMLINT_FUZZ_EXAMPLES=100000 FMLINT_FUZZ_SEEDS=1,2 pytest -p no:cacheprovider tests/fuzz_yaml.py

Documents come from a seeded generator (plain ``random``: at this count a
property-testing library's own bookkeeping would cost twenty times the readers'
work), so a seed and an index name any document again. They mix the fast
reader's subset with what lies just outside it, real front-matter with characters
inserted or deleted, and number-like scalars. For each:

- whenever the fast reader accepts it, it gives the full reader's data, spans and
  issues exactly;
- the full reader rejects exactly what libyaml's parser rejects (and a second
  document, which front-matter never holds);
- where PyYAML's safe loader loads it, the full reader gives the same data (keys
  that are not text, tags, recursive aliases and over-long numbers aside: fmlint
  reports and reads those differently on purpose; and merge keys, where PyYAML's
  choice among merged mappings is not the order YAML gives them).
"""

from __future__ import annotations

import os
import random
import time

import pytest
import yaml

from fmlint.pipeline.yamlread import Limits, read_yaml
from test_fastyaml import (
    _FRAGMENTS,
    _KEYS,
    _SAFE_KEYS,
    _SAFE_SCALARS,
    _SCALARS,
    _corpus_front_matter,
    _normal,
    check,
)
from test_yaml_suite import libyaml_reads

EXAMPLES = int(os.environ.get("FMLINT_FUZZ_EXAMPLES", "20000"))
SEEDS = [int(seed) for seed in os.environ.get("FMLINT_FUZZ_SEEDS", "1").split(",")]
_READ_OTHERWISE = {"non-string-key", "yaml-tag", "recursive-alias", "limit-exceeded"}
_NUMBERISH = "0123456789_:.-+eExob"


class _TextTimestamps(yaml.CSafeLoader):
    """PyYAML's safe loader, keeping timestamps as the text they were written as, as fmlint does."""


_TextTimestamps.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)  # type: ignore[type-abstract]


def _pick(rng: random.Random, safe: list[str], anything: list[str]) -> str:
    return rng.choice(anything if rng.randrange(12) == 0 else safe)


def _document(rng: random.Random) -> str:
    """YAML-like documents mixing the subset with everything just outside it (as ``test_fastyaml.documents``)."""
    lines: list[str] = []

    def block(indent: int, depth: int) -> None:
        for _ in range(rng.randint(1, 4)):
            pad = " " * indent
            if rng.randrange(10) == 0:
                lines.append(pad + "# comment" if rng.random() < 0.5 else "")
            key = _pick(rng, _SAFE_KEYS, _KEYS)
            kind = rng.randint(0, 5) if depth < 3 else 0
            if kind <= 2:
                comment = rng.choice(["", "", " # note", "#x"])
                lines.append(f"{pad}{key}: {_pick(rng, _SAFE_SCALARS, _SCALARS)}{comment}")
            elif kind == 3:
                lines.append(f"{pad}{key}:")
                block(indent + rng.randint(1, 3), depth + 1)
            else:
                lines.append(f"{pad}{key}:{rng.choice(['', ' ', ' # c'])}")
                item_indent = indent + rng.choice([0, 2, 2, 4])
                for _ in range(rng.randint(0, 3)):
                    if rng.random() < 0.5:
                        lines.append(" " * item_indent + "- " + _pick(rng, _SAFE_SCALARS, _SCALARS))
                    else:
                        lines.append(f"{' ' * item_indent}- {_pick(rng, _SAFE_KEYS, _KEYS)}: "
                                     f"{_pick(rng, _SAFE_SCALARS, _SCALARS)}")  # fmt: skip
                        if rng.random() < 0.5:
                            lines.append(f"{' ' * (item_indent + 2)}{_pick(rng, _SAFE_KEYS, _KEYS)}: "
                                         f"{_pick(rng, _SAFE_SCALARS, _SCALARS)}")  # fmt: skip
            if rng.randrange(26) == 0:
                lines.append(" " * rng.randint(0, 6) + rng.choice(_SCALARS))

    block(0, 0)
    text = "\n".join(lines) + "\n"
    return text.replace("\n", "\r\n") if rng.randrange(6) == 0 else text


def _mutated(rng: random.Random) -> str:
    """Real front-matter with a few characters inserted or deleted."""
    text = rng.choice(_corpus_front_matter())
    for _ in range(rng.randint(1, 4)):
        position = rng.randrange(len(text))
        if rng.random() < 0.5:
            text = text[:position] + rng.choice(_FRAGMENTS) + text[position:]
        else:
            text = text[:position] + text[position + 1 :]
    return text


def _numbers(rng: random.Random) -> str:
    """Number-like scalars, plain, in flow lists and as keys."""

    def scalar() -> str:
        return "".join(rng.choice(_NUMBERISH) for _ in range(rng.randint(1, 8)))

    lines = []
    for index in range(rng.randint(1, 5)):
        form = rng.randrange(3)
        if form == 0:
            lines.append(f"k{index}: {scalar()}")
        elif form == 1:
            lines.append(f"k{index}: [{', '.join(scalar() for _ in range(rng.randint(1, 3)))}]")
        else:
            lines.append(f"{scalar()}: v")
    return "\n".join(lines) + "\n"


def agree(text: str) -> bool:
    """Check one document; returns whether the fast reader accepted it."""
    accepted = check(text)
    full = read_yaml(text, Limits())
    reads, count = libyaml_reads(text)
    assert full.fatal == (not reads or count > 1), full.issues
    if full.fatal or any(issue.kind in _READ_OTHERWISE for issue in full.issues) or "<<" in text:
        # Merge keys aside too: PyYAML does not always let the first of several merged
        # mappings win, as YAML says (seen with three block-style mappings).
        return accepted
    try:
        theirs = yaml.load(text, Loader=_TextTimestamps)
    except (yaml.YAMLError, ValueError, TypeError):
        return accepted  # PyYAML refuses it (an anchor defined twice, a key it cannot hash, `0x_`…)
    assert _normal(full.data) == _normal(theirs)
    return accepted


@pytest.mark.parametrize("seed", SEEDS)
def test_the_readers_agree_and_read_as_pyyaml_does(seed: int) -> None:
    rng = random.Random(seed)
    generators = (_document, _document, _mutated, _numbers)
    accepted = 0
    began = time.perf_counter()
    for index in range(EXAMPLES):
        text = generators[index % len(generators)](rng)
        try:
            accepted += agree(text)
        except AssertionError as error:
            raise AssertionError(f"seed {seed}, document {index}: {text!r}") from error
    seconds = time.perf_counter() - began
    print(f"seed {seed}: {EXAMPLES} documents, {accepted} read by the fast reader, 0 disagreements, {seconds:.0f} s")
    assert accepted > EXAMPLES // 10  # the generator must exercise the fast reader, not only the full one
