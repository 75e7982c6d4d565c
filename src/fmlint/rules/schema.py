"""FM2xx: the shape of the data, as the JSON Schema defines it (reported by the schema check).

Two schema-backed rules live with their families because users think of them that
way: FM301 `invalid-url` (``format: uri``) and FM401 `invalid-date-time`
(``format: date-time``).
"""

from __future__ import annotations

from fmlint.diagnostic import Severity
from fmlint.rules.base import ARTICLE_HEAD, Rule, example

_GOOD = example(ARTICLE_HEAD + "quality: 72\ntopics: [AI, Cloud]\n---\n")


_POST = '{"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}'


def _with(line: str) -> str:
    return ARTICLE_HEAD + line + "\n---\n"


def _schema_rule(
    code: str,
    name: str,
    summary: str,
    what: str,
    why: str,
    bad: str,
    severity: Severity = Severity.ERROR,
    schema: str | None = None,
) -> Rule:
    good = _GOOD if schema is None else example(_GOOD[0].text, schema=schema)

    return Rule(code, name, severity, summary, what, why, example(bad, schema=schema), good, stage="schema")


RULES = (
    _schema_rule(
        "FM201",
        "missing-field",
        "A required field is missing.",
        "Reports a field the schema requires, at the mapping that lacks it. The default schema "
        "requires `title`, `publishedDateTime`, `provider` (with `name` and `domain`), at least one "
        "of `originalUrl` and `webUrl`, an image's `url`, and a related link's `title` and `webUrl`.",
        "A record without these cannot be listed, dated or linked to.",
        """
        ---
        title: "An article"
        webUrl: "https://example.com/an-article"
        provider: {name: Example News, domain: example.com}
        ---
        """,
    ),
    _schema_rule(
        "FM202",
        "wrong-type",
        "A field has the wrong type (text where a number belongs, a list where text belongs, …).",
        'Reports a value whose type is not the one the schema gives, such as `quality: "high"` '
        'or `published: "true"`. Booleans are not numbers.',
        "Code that sorts by `quality` or filters on `published` breaks or silently misbehaves.",
        _with('quality: "high"'),
    ),
    _schema_rule(
        "FM203",
        "out-of-range",
        "A number is outside the range the schema allows.",
        "Reports numbers below `minimum` or above `maximum`, such as `quality: -5` (quality is 0 or "
        "more) or `heat: -7` (heat is -1 or more; -1 means not computed).",
        "Out-of-range scores break ranking and are almost always a data error.",
        _with("quality: -5"),
    ),
    _schema_rule(
        "FM204",
        "invalid-value",
        "A field has a value outside its fixed list (`type: articel`).",
        "Reports values not in the schema's `enum` (or different from its `const`), with a "
        "suggestion when a valid value is close.",
        "A typo in `type` or `category` sends the article to no section at all.",
        _with("type: articel"),
    ),
    _schema_rule(
        "FM205",
        "unknown-field",
        "A field the schema does not define (often a typo: `titel`).",
        "Reports each field the schema does not know, with a suggestion when a known field is close.",
        "A misspelt field is silently ignored by the site: the real field stays unset.",
        _with('titel: "An article"'),
        Severity.WARNING,
    ),
    _schema_rule(
        "FM206",
        "empty-value",
        "A required text or list is empty.",
        'Reports empty strings and lists where the schema requires content (`title: ""`, `topics: []`).',
        "An empty title or topic list renders as a blank heading or an orphan article.",
        _with("topics: []"),
    ),
    _schema_rule(
        "FM207",
        "invalid-length",
        "A text or list is shorter or longer than the schema allows.",
        "Reports `minLength`/`maxLength`, `minItems`/`maxItems` and `minProperties`/`maxProperties` "
        "violations other than plain emptiness (see FM206). The default schema sets none of these; "
        "they come from custom schemas.",
        "Length limits usually protect a layout or a feed format.",
        _with('subtitle: "A subtitle far longer than the layout has room for"'),
        schema='{"properties": {"subtitle": {"type": "string", "maxLength": 30}}}',
    ),
    _schema_rule(
        "FM208",
        "pattern-mismatch",
        "A text does not match the pattern the schema requires.",
        "Reports strings that do not match the schema's `pattern`. The default schema sets no "
        "pattern; they come from custom schemas.",
        "Patterns guard identifiers and slugs that other systems parse.",
        _with('slug: "An Article"'),
        schema='{"properties": {"slug": {"type": "string", "pattern": "^[a-z0-9-]+$"}}}',
    ),
    _schema_rule(
        "FM209",
        "invalid-format",
        "A value does not have the format the schema requires (email, UUID, …).",
        "Reports `format` violations other than URLs (FM301) and dates (FM401). fmlint enforces "
        "every format it accepts in a schema; a schema naming a format nothing enforces is refused.",
        "jsonschema skips format checks silently unless extra packages are installed; fmlint does not.",
        _with('contact: "editor-at-example.com"'),
        schema='{"properties": {"contact": {"type": "string", "format": "email"}}}',
    ),
    _schema_rule(
        "FM210",
        "duplicate-items",
        "A list that must hold distinct items repeats one (`topics: [AI, AI]`).",
        "Reports the second occurrence of a repeated item in a list with `uniqueItems`.",
        "Repeated topics show up twice on the page and skew topic counts.",
        _with("topics: [AI, Cloud, AI]"),
    ),
    _schema_rule(
        "FM211",
        "schema-violation",
        "Any other schema violation (`not`, `contains`, `oneOf`, …).",
        "Reports what the other schema rules do not cover, with the schema's reason.",
        "The schema is the contract; every violation of it is worth fixing.",
        _with("topics: [Cloud]"),
        schema='{"properties": {"topics": {"type": "array", "contains": {"const": "AI"}}}}',
    ),
    Rule(
        "FM213",
        "unusable-schema",
        Severity.ERROR,
        "The schema the file's `$schema` names cannot be used (missing, not a schema, outside the site).",
        "A `$schema` key in the front-matter chooses the file's schema instead of `[tool.fmlint.schemas]` "
        "and `schema`: a path from the file's folder, or an http(s) address. Reports, at its value, a "
        "`$schema` that is not text, names a file that does not exist or is not a valid JSON Schema, or "
        "names a file outside the configuration's folder (also through a symbolic link); the file is then "
        "not checked against any schema. `$schema` itself is never reported as a field. With `--schema` "
        "on the command line, every file uses that schema and `$schema` is not read.",
        "A file that names a schema that cannot be read would otherwise go unchecked, or stop the run.",
        example("---\n$schema: schemas/post.schema.json\ntitle: A post\n---\n", "post.md", _POST),
        example("---\n$schema: schema.json\ntitle: A post\n---\n", "post.md", _POST),
        stage="schema",
    ),
    _schema_rule(
        "FM301",
        "invalid-url",
        "A URL is malformed: no scheme, a bad host, spaces, bad percent-encoding.",
        "Checks every value the schema gives a URL format (`uri`, `iri`; `uri-reference` and "
        "`iri-reference` also accept a path) against RFC 3986 (non-ASCII letters are accepted, as in RFC 3987 "
        "IRIs): `https//x.com/a`, `www.x.com/a`, `/relative`, `https://exa mple.com`, "
        "`https://example..com/a` and `https://` are errors. Host names are checked label by label "
        "(IDNA-aware). In the built-in schema, image URLs (`uri-reference`) may also be paths on the "
        "site (`/assets/logo.jpg`).",
        "A malformed URL is a dead link, a broken image or a feed that fails validation.",
        _with('originalUrl: "https//www.example.com/an-article"'),
    ),
    _schema_rule(
        "FM401",
        "invalid-date-time",
        "A date-time is not RFC 3339 with a time zone (or a date not a real `YYYY-MM-DD`).",
        "Checks every value the schema gives the format `date-time` (in the built-in schema "
        "`publishedDateTime` and `updatedDateTime`), and in the same way `date` and `time`: "
        "`2022-13-05T…`, `2022-02-30T…`, `…T25:38:00Z`, `2022-07-05`, `05/07/2022`, "
        "`July 5, 2022`, an empty value and a zone-less `2022-07-05T23:38:00` are errors. Quoted "
        "or not, the text is checked as written.",
        "Without a time zone the same article is dated differently on every server; an impossible "
        "date breaks sorting and feeds.",
        _with("updatedDateTime: 2022-07-05 23:38:00"),
    ),
)
