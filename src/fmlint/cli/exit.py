"""The exit codes of every command."""

EXIT_OK = 0  # no errors (and, with ``--strict``, no warnings)
EXIT_PROBLEMS = 1  # errors found, or warnings with ``--strict``, or a fix that could not be made
EXIT_USAGE = 2  # an unknown option or rule code, an unreadable or invalid configuration or schema
