"""Discourse topic JSON (the `GET /t/{id}.json` shape) -> Thread of Messages, from a saved file
or fetched from the site. Every shape error names the field ("post_stream.posts[3].created_at").

    shape.py    the JSON harvester reads, declared as msgspec structs
    topic.py    a topic's shape -> Thread; saved topic files
    fetch.py    reading a whole topic from the site (the page, then posts.json in batches of 20)
    poll.py     what changed in a topic since a cursor
    listing.py  a category's topic list, to discover new votes
"""

from harvester.sources.discourse.fetch import (
    BATCH,
    DiscourseAuth,
    TopicRef,
    fetch_topic,
    parse_topic_url,
)
from harvester.sources.discourse.listing import (
    CATEGORY_PAGES,
    MAX_CATEGORY_PAGES,
    TopicListing,
    list_category_topics,
    parse_category_url,
)
from harvester.sources.discourse.poll import poll_topic
from harvester.sources.discourse.topic import (
    REGULAR_POST,
    read_topic_file,
    thread_from_topic,
    thread_from_topic_json,
)

__all__ = [
    "BATCH",
    "CATEGORY_PAGES",
    "MAX_CATEGORY_PAGES",
    "REGULAR_POST",
    "DiscourseAuth",
    "TopicListing",
    "TopicRef",
    "fetch_topic",
    "list_category_topics",
    "parse_category_url",
    "parse_topic_url",
    "poll_topic",
    "read_topic_file",
    "thread_from_topic",
    "thread_from_topic_json",
]
