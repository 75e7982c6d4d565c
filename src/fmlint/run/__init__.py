"""Running the pipeline over many files: the result cache, the worker pool and the clock.

Everything here wraps :meth:`fmlint.pipeline.lint.Linter.lint_data`, the pure per-file
check: :mod:`~fmlint.run.runner` streams files through it (from the cache, in this
process or in a pool), :mod:`~fmlint.run.cache` keeps its results, and
:mod:`~fmlint.run.clock` records how they depend on the time of the run.
"""
