"""Turning a posted form or JSON body into a `Correction` or `Dismissal`, or one clear complaint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harvester.web.backend import BALLOT_VALUES, Correction, Dismissal, IdentityJudgement

MAX_TEXT = 2000
"""Longest reason, note, URL or review text accepted; longer input is a mistake or abuse."""


class InputError(ValueError):
    """Posted input that cannot become a write; str() is one line for the person who sent it."""


def _text(
    fields: Mapping[str, Any], name: str, *, required: bool, strip: bool = True
) -> str | None:
    raw = fields.get(name)
    if raw is None or raw == "":
        if required:
            raise InputError(f"{name} is required")
        return None
    if not isinstance(raw, str):
        raise InputError(f"{name} must be text")
    if not raw.strip():
        if required:
            raise InputError(f"{name} is required")
        return None
    text = raw.strip() if strip else raw
    if len(text) > MAX_TEXT:
        raise InputError(f"{name} is longer than {MAX_TEXT} characters")
    return text


def _required(fields: Mapping[str, Any], name: str, *, strip: bool = True) -> str:
    text = _text(fields, name, required=True, strip=strip)
    assert text is not None  # _text raised otherwise
    return text


def _value(raw: object) -> str | None:
    if raw is None or raw == "":
        return None
    if raw not in BALLOT_VALUES:
        raise InputError(f"value must be one of {', '.join(BALLOT_VALUES)}")
    return str(raw)


def _form_binding(raw: object) -> bool | None:
    if raw in (None, ""):
        return None
    if raw not in ("yes", "no"):
        raise InputError("binding must be yes, no or empty")
    return raw == "yes"


def _json_binding(raw: object) -> bool | None:
    if raw is not None and not isinstance(raw, bool):
        raise InputError("binding must be true, false or null")
    return raw


def _form_flag(raw: object) -> bool:
    if raw not in (None, "", "1"):
        raise InputError('clear must be "1" or empty')
    return raw == "1"


def _json_flag(raw: object) -> bool:
    if raw is None:
        return False
    if not isinstance(raw, bool):
        raise InputError("clear must be true or false")
    return raw


def _correction(fields: Mapping[str, Any], binding: bool | None, clear: bool) -> Correction:
    change = Correction(
        url=_required(fields, "url"),
        reason=_required(fields, "reason"),
        value=_value(fields.get("value")),
        binding=binding,
        member_id=_text(fields, "member_id", required=False),
        clear=clear,
    )
    nothing = change.value is None and change.binding is None and change.member_id is None
    if nothing and not clear:
        raise InputError("nothing to change: give a value, binding or member id, or clear")
    return change


def correction_from_form(fields: Mapping[str, Any]) -> Correction:
    """From the page's form: binding is "yes"/"no"/"", clear is "1" when ticked."""
    binding = _form_binding(fields.get("binding"))
    return _correction(fields, binding, _form_flag(fields.get("clear")))


def correction_from_json(body: object) -> Correction:
    """From an API body: the same fields, binding true/false/null and clear a boolean."""
    fields = _object(body)
    binding = _json_binding(fields.get("binding"))
    return _correction(fields, binding, _json_flag(fields.get("clear")))


def dismissal_from(body: object) -> Dismissal:
    """From a form or an API body: url, review (the exact reason text) and note, all required."""
    fields = _object(body)
    return Dismissal(
        url=_required(fields, "url"),
        # The review text must match the report's reason exactly: it is not trimmed.
        review=_required(fields, "review", strip=False),
        note=_required(fields, "note"),
    )


def identity_from(body: object) -> IdentityJudgement:
    """From a form or an API body: url, note, verdict ("confirm" or "reject"), member (optional)."""
    fields = _object(body)
    verdict = fields.get("verdict")
    if verdict not in ("confirm", "reject"):
        raise InputError('verdict must be "confirm" or "reject"')
    return IdentityJudgement(
        url=_required(fields, "url"),
        note=_required(fields, "note"),
        confirmed=verdict == "confirm",
        member_id=_text(fields, "member", required=False),
    )


def _object(body: object) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise InputError("the body must be a JSON object")
    return body
