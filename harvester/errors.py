"""The one exception tree of harvester.

    HarvesterError                 every error a user can cause; str() is one line with its context
    ├── UsageError                 bad arguments or configuration          -> exit 2
    │   ├── ConfigError            a config or roster file/field is wrong
    │   └── SelectionError         the input holds no vote, or more than one where one is needed
    └── SourceError                a thread or roster could not be read    -> exit 1

Each carries where it happened (`where`: a file, URL or option) and, when known, the `field` or
`line`, so the CLI can print a single line without a traceback.
"""

from __future__ import annotations


class HarvesterError(Exception):
    exit_code = 1

    def __init__(self, where: str, problem: str, *, field: str = "", line: int | None = None):
        self.where = where
        self.problem = problem
        self.field = field
        self.line = line
        super().__init__(self.__str__())

    def __reduce__(self) -> tuple[type[HarvesterError], tuple[str, str], dict[str, object]]:
        """Picklable, so an error in a worker process (--jobs) reaches the CLI as itself: the
        default would call the class with the message alone."""
        return type(self), (self.where, self.problem), {"field": self.field, "line": self.line}

    def __str__(self) -> str:
        place = self.where
        if self.line is not None:
            place += f":{self.line}"
        if self.field:
            place += f": {self.field}"
        return f"{place}: {self.problem}"


class UsageError(HarvesterError):
    exit_code = 2


class ConfigError(UsageError):
    pass


class SelectionError(UsageError):
    pass


class SourceError(HarvesterError):
    exit_code = 1
