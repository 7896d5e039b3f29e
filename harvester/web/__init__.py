"""The web adapter: dashboard pages, JSON API, /healthz and /metrics over a `Backend`.

It shows what the wiring hands it and never reads the database itself: `app` implements
`Backend` and passes it to `create_app`.
"""

from __future__ import annotations

from harvester.web.app import create_app
from harvester.web.backend import Backend, Correction, Dismissal, IdentityJudgement
from harvester.web.sessions import Security

__all__ = ["Backend", "Correction", "Dismissal", "IdentityJudgement", "Security", "create_app"]
