"""[reminder] and [post]: what the daemon says in public beside the result mail — a reminder to
the list before a vote closes, and the result posted back where the vote was held."""

from __future__ import annotations

from pydantic import Field

from harvester.config_types import Section, Words


class ReminderSettings(Section):
    """[reminder]: one mail a vote, `hours_before` its earliest close, to the list."""

    hours_before: float = Field(default=0, ge=0, le=24 * 366)  # 0: no reminders
    to: Words = ()  # the list, e.g. ["dev@tvm.apache.org"]; (): the lists the project watches
    only_when_short: bool = True  # only while the rule is not met yet
    name_non_voters: bool = True  # list the electorate's members who have not voted …
    not_named: Words = ()  # … except these roster ids or addresses, who asked not to be

    @property
    def enabled(self) -> bool:
        return self.hours_before > 0


class PostSettings(Section):
    """[post]: the result also posted, once, where the vote was held (opt-in)."""

    github: bool = False  # a comment on the vote's GitHub issue (needs a token that may comment)
    discourse: bool = False  # a reply on its Discourse topic (needs an API key and username)
