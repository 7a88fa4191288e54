"""The text of a notice sent by SMS: short, signed 【掌办】, and free of personal data.

An SMS crosses a gateway and sits on a phone anyone may pick up, so it carries less than the inbox:

* events whose template takes free text (a clerk's ``reason``, a ``note``) send only their title
  and a pointer to the app — free text can hold anything, an ID or phone number included;
* everything else sends the inbox body, which is built only from matter names, numbers and dates;
* as a last line of defence anything shaped like an ID or mobile number is masked, and the text is
  cut to three SMS segments.

Never an ID number, a phone number or an address: the templates in :mod:`notify.events` do not take
them, and the tests check real notices against a resident's own data.
"""

from __future__ import annotations

import string

from core import pii
from notify.events import EVENTS

SIGNATURE = "【掌办】"
POINTER = "详情请打开掌办“我的消息”查看。"
MAX_CHARS = 3 * 67  # three segments of a long (concatenated) Chinese SMS
FREE_TEXT_FIELDS = frozenset({"reason", "note", "comment", "text", "detail", "address"})


def template_fields(event: str) -> set[str]:
    text = EVENTS.get(event)
    if text is None:
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(text.body) if name}


def render(event: str, title: str, body: str) -> str:
    if event not in EVENTS or template_fields(event) & FREE_TEXT_FIELDS:
        text = f"{SIGNATURE}{title}。{POINTER}"
    else:
        text = f"{SIGNATURE}{body}"
    text = pii.scrub(text)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"
