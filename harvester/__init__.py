"""harvester: counts Apache-style votes from their threads and drafts the [RESULT] e-mail."""

__version__ = "0.1.0"
