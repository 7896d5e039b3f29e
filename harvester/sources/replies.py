"""Posting into a vote's thread: a comment on a GitHub issue, a reply on a Discourse topic.
Each is one POST, never retried here (see HttpClient.post_json); the answer says where the post
is, as the URL a person opens."""

from __future__ import annotations

import msgspec

from harvester.errors import SourceError
from harvester.sources import discourse
from harvester.sources.github import GitHubOptions, issue_api, request_headers
from harvester.sources.http import HttpClient, HttpError
from harvester.sources.shapes import decode_json


class _GitHubComment(msgspec.Struct):
    html_url: str


class _DiscoursePost(msgspec.Struct):
    topic_id: int
    post_number: int
    topic_slug: str = ""


async def comment_on_issue(
    client: HttpClient, issue_url: str, text: str, options: GitHubOptions
) -> str:
    """POST /repos/{owner}/{repo}/issues/{n}/comments; the comment's URL."""
    target = f"{issue_api(issue_url, options)}/comments"
    try:
        fetched = await client.post_json(target, {"body": text}, request_headers(options))
    except HttpError as error:
        raise SourceError(issue_url, f"GitHub did not take the comment: {error.problem}") from None
    comment = decode_json(fetched.body, _GitHubComment, where=target, what="a GitHub comment")
    return comment.html_url


async def reply_on_topic(
    client: HttpClient, topic_url: str, text: str, auth: discourse.DiscourseAuth
) -> str:
    """POST /posts.json with the topic's id; the new post's URL."""
    ref = discourse.parse_topic_url(topic_url)
    if ref is None:
        raise SourceError(topic_url, "not a Discourse topic URL")
    target = f"{ref.base}/posts.json"
    payload = {"topic_id": ref.topic_id, "raw": text}
    try:
        fetched = await client.post_json(target, payload, auth.headers())
    except HttpError as error:
        raise SourceError(topic_url, f"Discourse did not take the reply: {error.problem}") from None
    post = decode_json(fetched.body, _DiscoursePost, where=target, what="a Discourse post")
    slug = post.topic_slug or ref.slug or "-"
    return f"{ref.base}/t/{slug}/{post.topic_id}/{post.post_number}"
