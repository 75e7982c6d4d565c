"""Everything a run needs to lint a file, resolved once from the configuration and the flags."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fmlint.diagnostic import Severity
from fmlint.pipeline.yamlread import Limits
from fmlint.policy.suppress import FileIgnore
from fmlint.rules.base import Rule
from fmlint.schema.store import SchemaSet


class Settings:
    """The schema, the rules and their options, the limits and the policy of a run.

    Every field (listed in ``_fields``) except ``now`` and ``show_traceback`` is part
    of the result cache's key (see :func:`fmlint.run.cache.configuration_key`): a field
    added here that changes results invalidates the cache without further work.
    ``now`` is kept with each result that read it instead.
    """

    _fields = (
        "schemas",
        "enabled",
        "limits",
        "options",
        "now",
        "show_traceback",
        "per_file_ignores",
        "severities",
        "links",
        "schema_map",
    )
    __slots__ = _fields

    def __init__(
        self,
        schemas: SchemaSet,
        enabled: frozenset[str],
        limits: Limits = Limits(),
        options: Mapping[str, Mapping[str, Any]] | None = None,
        now: datetime | None = None,
        show_traceback: bool = False,
        per_file_ignores: tuple[FileIgnore, ...] = (),
        severities: Mapping[str, Severity] | None = None,
        links: Any = None,
        schema_map: Any = None,
    ) -> None:
        self.schemas = schemas
        self.enabled = enabled
        self.limits = limits
        self.options: Mapping[str, Mapping[str, Any]] = {} if options is None else options
        self.now = datetime.now().astimezone() if now is None else now
        self.show_traceback = show_traceback
        self.per_file_ignores = per_file_ignores
        self.severities: Mapping[str, Severity] = {} if severities is None else severities  # code -> severity
        self.links = links  # fmlint.links.settings.LinkSettings: how FM8 checks links (None: offline, no cache)
        if schema_map is None:  # every file uses `schemas` but where its own `$schema` names another
            from fmlint.schema.mapping import SchemaMap

            schema_map = SchemaMap((), "", False, os.getcwd())
        self.schema_map = schema_map  # fmlint.schema.mapping.SchemaMap: which files use which schema

    def schema_for(self, path: str, data: Any) -> SchemaSet:
        """The schema the file ``path``, whose front-matter is ``data``, is checked against (see
        :mod:`fmlint.schema.mapping`); :class:`fmlint.schema.mapping.FileSchemaError` when its ``$schema``
        cannot be used."""
        return self.schema_map.choose(path, data, self.schemas)  # type: ignore[no-any-return]

    def compile_schemas(self) -> None:
        """Compile every configured schema now, and read where its formats are (a pool's workers
        then inherit them compiled and read)."""
        for schemas in (self.schemas, *(entry.schemas for entry in self.schema_map.entries)):
            schemas.engine()
            schemas.formats()

    def options_for(self, rule: Rule) -> Mapping[str, Any]:
        configured = self.options.get(rule.name, {})
        return {option.name: configured.get(option.name, option.default) for option in rule.options}


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
