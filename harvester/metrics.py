"""The Prometheus metrics of one harvester process, in their own registry.

Counters are bumped where the thing happens (sources.http for requests, app for harvests and
mail); the open-votes gauge is set from the database when /metrics is scraped.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

REGISTRY = CollectorRegistry(auto_describe=True)

HARVESTS = Counter(
    "harvester_harvests", "Thread reads (polls and whole reads) that succeeded", registry=REGISTRY
)
HARVEST_FAILURES = Counter(
    "harvester_harvest_failures", "Thread reads that failed", registry=REGISTRY
)
REQUESTS = Counter(
    "harvester_http_requests", "HTTP requests sent to remote sites", ["host"], registry=REGISTRY
)
MAILS_SENT = Counter(
    "harvester_mails_sent", "Result and digest mails handed over", registry=REGISTRY
)
POSTS_MADE = Counter(
    "harvester_posts_made", "Results posted on a GitHub issue or Discourse topic", registry=REGISTRY
)
OPEN_VOTES = Gauge("harvester_open_votes", "Votes still open", registry=REGISTRY)
