"""The automatic checks a review's text goes through, and the risk score they add up to.

Points (spec B2.6, capped at 100): a banned word +30, a link (spam) +50, low quality +20, the
customer's first review +10, many reviews from the customer in the last day +15, five stars
with negative words +25, personal data (an email address or a phone number) +40. Below 30 the
review is published, from 30 to 70 it waits for staff, above 70 it is rejected.

Personal data is also removed from the text before it is stored: the shop keeps no reader's
contact details in a review. Card numbers never get this far: the bus refuses every command
carrying one (`shared.cards`), so nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final

from attrs import frozen

SCORE_CAP: Final = 100
PROFANITY: Final = 30
SPAM: Final = 50
LOW_QUALITY: Final = 20
FIRST_REVIEW: Final = 10
BURST: Final = 15
NEGATIVE_FIVE_STARS: Final = 25
PERSONAL_DATA: Final = 40

REDACTED: Final = "[removed]"

_LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|vn|io|info|biz|xyz)"
                   r"(?:/\S*)?\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone numbers: 9 to 12 digits, optionally grouped or with a leading +, standing alone.
_PHONE = re.compile(r"(?<![\w])\+?\d(?:[ .-]?\d){8,11}(?![\w])")
_WORD = re.compile(r"\w+", re.UNICODE)
_REPEATED = re.compile(r"(.)\1{5,}")
NEGATIVE_WORDS: Final = frozenset({
    "terrible", "awful", "worst", "broken", "useless", "horrible", "scam", "refund",
    "disappointed", "defective", "tệ", "hỏng", "dở",
})


@frozen
class Facts:
    """What the score looks at beyond the text: the reviewer's history."""

    first_review: bool = False
    recent_reviews: int = 0


@frozen
class Assessment:
    score: int
    reasons: tuple[str, ...]

    def describe(self) -> str:
        return ", ".join(self.reasons) or "no finding"


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def has_personal_data(text: str) -> bool:
    return bool(_EMAIL.search(text) or _PHONE.search(text))


def redact(text: str) -> str:
    """The text without email addresses and phone numbers."""
    return _PHONE.sub(REDACTED, _EMAIL.sub(REDACTED, text))


def _low_quality(text: str) -> bool:
    found = words(text)
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) >= 10 and sum(c.isupper() for c in letters) > 0.7 * len(letters)
    return len(set(found)) < 3 or bool(_REPEATED.search(text)) or shouting


def assess(title: str, content: str, rating: int, facts: Facts, *,
           banned_words: Collection[str], burst: int) -> Assessment:
    """The risk score of a review as written (before redaction) and why."""
    text = f"{title}\n{content}"
    found = set(words(text))
    points: list[tuple[str, int]] = []
    if found & {w.casefold() for w in banned_words}:
        points.append(("banned word", PROFANITY))
    if _LINK.search(_EMAIL.sub(" ", text)):  # an address is personal data, not a link
        points.append(("link", SPAM))
    if _low_quality(content):
        points.append(("low quality", LOW_QUALITY))
    if facts.first_review:
        points.append(("first review", FIRST_REVIEW))
    if facts.recent_reviews >= burst:
        points.append(("many recent reviews", BURST))
    if rating == 5 and found & NEGATIVE_WORDS:
        points.append(("five stars with negative words", NEGATIVE_FIVE_STARS))
    if has_personal_data(text):
        points.append(("personal data", PERSONAL_DATA))
    return Assessment(min(SCORE_CAP, sum(p for _, p in points)),
                      tuple(name for name, _ in points))
