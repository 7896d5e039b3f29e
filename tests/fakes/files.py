"""Static documents over HTTP: rosters (Whimsy), CONTRIBUTORS.md and anything else fetched whole.

A client that downloads a file should meet the same transport as in production (status codes,
content types, the fault queue of FakeSite), not a local path.
"""

from __future__ import annotations

import json
from typing import Any, Self

from aiohttp import web

from tests.fakes.base import FakeSite

COMMITTEE_INFO_PATH = "/public/committee-info.json"


class FakeFiles(FakeSite):
    """Serves whatever was add()ed, byte for byte, with the given Content-Type; 404 otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self._files: dict[str, tuple[bytes, str]] = {}
        self.app.router.add_get("/{tail:.*}", self._serve)

    def start(self) -> Self:
        super().start()
        return self

    def __enter__(self) -> Self:
        return self.start()

    def add(self, path: str, body: bytes | str, content_type: str) -> str:
        """Serve body at path (replacing any earlier one) and return its full URL.

        The URL carries the port, so it is only usable once the site has started.
        content_type may carry a charset, e.g. "text/markdown; charset=utf-8".
        """
        path = "/" + path.lstrip("/")
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._files[path] = (data, content_type)
        return f"{self.url}{path}"

    async def _serve(self, request: web.Request) -> web.Response:
        found = self._files.get(request.path)
        if found is None:
            return web.Response(status=404, text="Not Found")
        data, content_type = found
        return web.Response(body=data, headers={"Content-Type": content_type})


class FakeWhimsy(FakeFiles):
    """whimsy.apache.org's public JSON, starting with committee-info.json."""

    def __init__(self, committee_info: dict[str, Any]) -> None:
        super().__init__()
        self.set_committee_info(committee_info)

    def set_committee_info(self, committee_info: dict[str, Any]) -> None:
        """Replace the roster, e.g. to model a PMC change between two fetches."""
        self.add(COMMITTEE_INFO_PATH, json.dumps(committee_info), "application/json")

    @property
    def committee_info_url(self) -> str:
        return f"{self.url}{COMMITTEE_INFO_PATH}"
