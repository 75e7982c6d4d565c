"""Fixing: the fix engine (:mod:`~fmlint.fix.engine`), safe writes (:mod:`~fmlint.fix.atomic`), fixes of
text in memory (:mod:`~fmlint.fix.buffer`) and of a run's files (:mod:`~fmlint.fix.run`)."""
