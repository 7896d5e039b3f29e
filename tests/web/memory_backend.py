"""An in-memory `Backend` with realistic votes, some of whose text is hostile on purpose.

It checks writes the way the database backend does (unknown vote, no message from that URL,
no such review item) and records what it was asked, so tests can assert on the exact call.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import Gauge

from harvester.errors import SelectionError, UsageError
from harvester.metrics import OPEN_VOTES
from harvester.web.backend import Correction, Dismissal, IdentityJudgement

SCRIPT_RAW = "<script>alert(1)</script>"
ATTRIBUTE_RAW = '+1 " onmouseover="alert(1)'
JAVASCRIPT_URL = "javascript:alert(1)"
HOSTILE_TITLE = "[VOTE] Clarify <b>Community</b> Strategy Decision Process"
DRAFT_BODY = (
    "Hi all,\n\nThe vote passed with 2 binding +1, 1 binding -1.\n"
    "Evidence: </textarea><script>alert(1)</script>\n"
)

SUMMARY_KEYS = (
    "id",
    "project",
    "title",
    "status",
    "rule",
    "opened_at",
    "closes_at",
    "passes",
    "explanation",
    "counts",
)


def ballot(voter: str, value: str, url: str, **rest: Any) -> dict[str, Any]:
    """A Ballot dict of the report, with ordinary defaults."""
    entry: dict[str, Any] = {
        "voter": voter,
        "member_id": None,
        "usernames": [],
        "binding": False,
        "value": value,
        "raw": value,
        "cast_at": "2026-10-30T10:00:00Z",
        "url": url,
        "changed": False,
        "late": False,
        "match": "unknown",
        "flags": [],
        "counted": True,
        "mirrors": [],
    }
    entry.update(rest)
    return entry


def strategy_vote() -> dict[str, Any]:
    """Vote 1: open lazy-2/3 vote over three sources, with every section filled."""
    counts = {"binding": {"+1": 2, "0": 0, "-1": 1}, "non_binding": {"+1": 2, "0": 0, "-1": 0}}
    ballots = [
        ballot(
            "Tianqi Chen",
            "+1",
            "https://lists.apache.org/thread/abc123",
            member_id="tqchen",
            usernames=["tqchen@apache.org"],
            binding=True,
            raw="+1 (binding)",
            match="asf-address",
            mirrors=["https://discuss.tvm.apache.org/t/16123/4"],
        ),
        ballot(
            "Junru Shao",
            "-1",
            "https://github.com/apache/tvm/issues/16123#issuecomment-2",
            member_id="junrushao",
            usernames=["junrushao"],
            binding=True,
            raw="-1, the process needs a quorum",
            match="github-login",
            flags=["veto"],
            changed=True,
        ),
        ballot(
            "Yuchen Jin",
            "+1",
            "https://discuss.tvm.apache.org/t/16123/7",
            member_id="yuchenj",
            binding=True,
            raw="+1 from me",
            match="corrected",
            flags=["corrected"],
        ),
        ballot(
            "Mallory",
            "+1",
            JAVASCRIPT_URL,
            usernames=["mallory"],
            raw=SCRIPT_RAW,
            flags=["claimed-binding"],
        ),
        ballot(
            'Eve" onmouseover="alert(1)',
            "+1",
            "https://discuss.tvm.apache.org/t/16123/9",
            usernames=['eve" onmouseover="alert(1)'],
            raw=ATTRIBUTE_RAW,
            match="display-name",
        ),
        ballot(
            "Wuwei Lin",
            "0",
            "https://lists.apache.org/thread/late1",
            member_id="wuwei",
            binding=True,
            raw="+0 (binding)",
            match="asf-address",
            late=True,
            counted=False,
            cast_at="2026-11-05T08:00:00Z",
        ),
    ]
    history = [
        ballot(
            "Junru Shao",
            "+1",
            "https://github.com/apache/tvm/issues/16123#issuecomment-1",
            member_id="junrushao",
            binding=True,
            raw="+1 in principle",
            match="github-login",
            cast_at="2026-10-29T08:00:00Z",
        )
    ]
    report: dict[str, Any] = {
        "title": HOSTILE_TITLE,
        "rule": "lazy-2/3",
        "status": "open",
        "opened_at": "2026-10-29T07:00:00Z",
        "closes_at": "2026-11-04T12:00:00Z",
        "earliest_close": "2026-11-01T07:00:00Z",
        "closed_by": None,
        "explanation": "3 binding votes cast (need 3); 2 binding +1 ≥ 2 × 1 binding -1",
        "passes": True,
        "electorate": "pmc",
        "electorate_size": 12,
        "not_voted": ["mallory", "masahi"],  # masahi is not on the stored roster
        "counts": counts,
        "ballots": ballots,
        "history": history,
        "review": [
            {"url": JAVASCRIPT_URL, "reason": 'mixed ballot: "+1 source, -1 binaries" <i>'},
            {
                "url": "https://lists.apache.org/thread/claim9",
                "reason": "claims (binding) but is not on the roster",
            },
        ],
        "dismissed": [
            {
                "url": "https://discuss.tvm.apache.org/t/16123/3",
                "reason": "poll result, not a ballot",
                "note": "the poll was informal",
                "by": "Chair Person",
                "at": "2026-10-31T12:00:00Z",
            }
        ],
        "conditions": [
            {"label": "binding votes cast", "have": 3, "need": 3, "at_most": False, "met": True},
            {
                "label": "binding +1 against 2 × binding -1",
                "have": 2,
                "need": 2,
                "at_most": False,
                "met": True,
            },
        ],
        "sources": [
            {"kind": "ponymail", "url": "https://lists.apache.org/thread/abc123", "messages": 9},
            {"kind": "discourse", "url": "https://discuss.tvm.apache.org/t/16123", "messages": 1},
            {"kind": "mbox", "url": "/var/lib/harvester/saved.mbox", "messages": 4},
        ],
    }
    return {
        "id": 1,
        "project": "",
        "title": HOSTILE_TITLE,
        "status": "open",
        "rule": "lazy-2/3",
        "opened_at": report["opened_at"],
        "closes_at": report["closes_at"],
        "passes": True,
        "explanation": report["explanation"],
        "counts": counts,
        "closed_by": None,
        "profile": "strategy",
        "electorate": "pmc",
        "report": report,
        "corrections": [
            {
                "id": 4,
                "url": "https://discuss.tvm.apache.org/t/16123/7",
                "value": None,
                "binding": True,
                "member_id": "yuchenj",
                "reason": "Discourse name differs from the roster",
                "by": "Chair Person",
                "at": "2026-10-31T11:00:00Z",
            }
        ],
        "draft": {"subject": "[RESULT]" + HOSTILE_TITLE, "body": DRAFT_BODY},
        "mails": [
            {"id": 7, "subject": "[RESULT]" + HOSTILE_TITLE, "state": "draft"},
            {
                "id": 7,
                "subject": "[RESULT]" + HOSTILE_TITLE,
                "state": "sent",
                "kind": "result",
                "channel": "github",
                "target": "https://github.com/apache/tvm/issues/16123",
                "detail": "https://github.com/apache/tvm/issues/16123#issuecomment-9",
            },
        ],
        "audit": [
            {
                "at": "2026-10-31T11:00:00Z",
                "actor": "Chair Person",
                "action": "correct",
                "detail": "https://discuss.tvm.apache.org/t/16123/7 binding=yes",
            }
        ],
    }


def release_vote() -> dict[str, Any]:
    """Vote 2: a failed consensus vote whose "binding -1 at most 0" condition is broken."""
    counts = {"binding": {"+1": 1, "0": 0, "-1": 1}, "non_binding": {"+1": 0, "0": 0, "-1": 0}}
    conditions = [
        {"label": "binding +1", "have": 1, "need": 3, "at_most": False, "met": False},
        {"label": "binding -1", "have": 1, "need": 0, "at_most": True, "met": False},
    ]
    return {
        "id": 2,
        "project": "",
        "title": "[VOTE] Release Apache TVM v0.19.0.rc0",
        "status": "failed",
        "rule": "consensus-approval",
        "opened_at": "2026-10-01T07:00:00Z",
        "closes_at": "2026-10-04T07:00:00Z",
        "passes": False,
        "explanation": "1 binding +1 (need 3); 1 binding -1 (need none)",
        "counts": counts,
        "closed_by": "[RESULT] message",
        "profile": None,
        "electorate": "pmc",
        "report": {"counts": counts, "conditions": conditions, "ballots": [], "review": []},
        "corrections": [],
        "draft": None,
        "mails": [],
        "audit": [],
    }


def cancelled_vote() -> dict[str, Any]:
    """Vote 3: cancelled before anything was counted."""
    return {
        "id": 3,
        "project": "",
        "title": "[VOTE] Something withdrawn",
        "status": "cancelled",
        "rule": None,
        "opened_at": None,
        "closes_at": None,
        "passes": None,
        "explanation": None,
        "counts": None,
        "closed_by": None,
        "profile": None,
        "electorate": None,
        "report": None,
        "corrections": [],
        "draft": None,
        "mails": [],
        "audit": [],
    }


def sample_roster() -> dict[str, Any]:
    """Two PMC members, one of them with a hostile display name."""
    return {
        "source": "https://whimsy.apache.org/public/committee-info.json",
        "taken_at": "2026-10-28T06:00:00Z",
        "members": [
            {
                "id": "tqchen",
                "name": "Tianqi Chen",
                "role": "pmc",
                "emails": ["tqchen@apache.org"],
                "github": ["tqchen"],
                "discourse": ["tqchen"],
                "since": "2019-03-08",
                "until": None,
            },
            {
                "id": "mallory",
                "name": "<img src=x onerror=alert(1)>",
                "role": "committer",
                "emails": [],
                "github": [],
                "discourse": [],
                "since": None,
                "until": None,
            },
        ],
    }


def _ballots_of(detail: dict[str, Any], member_id: str) -> list[dict[str, Any]]:
    """PersonBallot dicts: the report's ballots, and the history's ballots they replaced."""
    report = detail.get("report") or {}
    effective = [b for b in report.get("ballots", []) if b["member_id"] == member_id]
    shown = {b["url"] for b in effective}
    replaced = [
        b
        for b in report.get("history", [])
        if b["member_id"] == member_id and b["url"] not in shown
    ]
    vote = {key: detail[key] for key in ("id", "title", "status")}
    return [{**b, "vote": vote, "effective": b in effective} for b in effective + replaced]


def _urls(detail: dict[str, Any]) -> set[str]:
    report = detail.get("report") or {}
    entries = report.get("ballots", []) + report.get("history", []) + report.get("review", [])
    return {entry["url"] for entry in entries}


@dataclass
class MemoryBackend:
    """Backend over dicts; `corrections`/`dismissals` record every accepted write."""

    details: dict[int, dict[str, Any]] = field(
        default_factory=lambda: {v["id"]: v for v in (strategy_vote(), release_vote())}
    )
    stored_roster: dict[str, Any] | None = field(default_factory=sample_roster)
    project_rosters: dict[str, dict[str, Any]] = field(default_factory=dict)  # by project name
    checks: dict[str, str] = field(
        default_factory=lambda: {"database": "ok", "scheduler": "absent"}
    )
    health_error: Exception | None = None
    gauge_error: Exception | None = None
    gauge: Gauge = OPEN_VOTES
    corrections: list[tuple[int, Correction, str]] = field(default_factory=list)
    dismissals: list[tuple[int, Dismissal, str]] = field(default_factory=list)
    identities: list[tuple[int, IdentityJudgement, str]] = field(default_factory=list)

    async def votes(self) -> list[dict[str, Any]]:
        newest_first = sorted(self.details, reverse=True)
        return [{key: self.details[n][key] for key in SUMMARY_KEYS} for n in newest_first]

    async def vote(self, vote_id: int) -> dict[str, Any] | None:
        if vote_id == 500:  # stands for a bug or an outage behind the backend
            raise RuntimeError("secret connection string in a traceback")
        detail = self.details.get(vote_id)
        return copy.deepcopy(detail) if detail is not None else None

    async def roster(self, project: str = "") -> dict[str, Any] | None:
        return self.project_rosters.get(project) if project else self.stored_roster

    async def person(self, member_id: str) -> dict[str, Any] | None:
        if member_id == "boom":  # stands for a bug or an outage behind the backend
            raise RuntimeError("secret connection string in a traceback")
        members = (self.stored_roster or {}).get("members", [])
        member = next((m for m in members if m["id"] == member_id), None)
        found = [b for detail in self.details.values() for b in _ballots_of(detail, member_id)]
        if member is None and not found:
            return None
        return copy.deepcopy(
            {
                "id": member_id,
                "member": member,
                "open_votes": self._open_votes(member_id, found),
                "ballots": sorted(found, key=lambda b: b["cast_at"], reverse=True),
            }
        )

    def _open_votes(self, member_id: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        entries = []
        for detail in self.details.values():
            if detail["status"] != "open":
                continue
            mine = [b for b in found if b["vote"]["id"] == detail["id"] and b["effective"]]
            waiting = member_id in (detail.get("report") or {}).get("not_voted", [])
            if mine or waiting:
                entry = {key: detail[key] for key in ("id", "title", "closes_at")}
                entries.append({**entry, "ballot": mine[0] if mine else None})
        return entries

    def _known(self, vote_id: int) -> dict[str, Any]:
        if vote_id not in self.details:
            raise SelectionError(f"vote {vote_id}", "no such vote")
        return self.details[vote_id]

    async def correct(self, vote_id: int, change: Correction, actor: str) -> None:
        detail = self._known(vote_id)
        if change.url not in _urls(detail):
            raise UsageError(change.url, f"no ballot or message from this URL in vote {vote_id}")
        if change.member_id is not None and change.member_id not in self._member_ids():
            raise UsageError(change.url, f"no roster member with id {change.member_id!r}")
        self.corrections.append((vote_id, change, actor))

    async def dismiss(self, vote_id: int, dismissal: Dismissal, actor: str) -> None:
        detail = self._known(vote_id)
        items = (detail.get("report") or {}).get("review", [])
        if {"url": dismissal.url, "reason": dismissal.review} not in items:
            raise UsageError(dismissal.url, f"no review item {dismissal.review!r}")
        self.dismissals.append((vote_id, dismissal, actor))

    async def judge_identity(self, vote_id: int, judgement: IdentityJudgement, actor: str) -> None:
        detail = self._known(vote_id)
        if judgement.url not in _urls(detail):
            raise UsageError(judgement.url, f"no message from this URL in vote {vote_id}")
        self.identities.append((vote_id, judgement, actor))

    def _member_ids(self) -> set[str]:
        members = (self.stored_roster or {}).get("members", [])
        return {member["id"] for member in members}

    async def health(self) -> dict[str, str]:
        if self.health_error is not None:
            raise self.health_error
        return dict(self.checks)

    async def update_gauges(self) -> None:
        if self.gauge_error is not None:
            raise self.gauge_error
        self.gauge.set(sum(1 for d in self.details.values() if d["status"] == "open"))
