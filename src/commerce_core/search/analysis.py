"""Text analysis every index adapter shares: accent folding, tokens, synonyms, typo distance.

Folding happens before indexing and before querying, in Python, so "ao so mi" finds "áo sơ mi"
on every adapter whether or not its engine can fold accents itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from attrs import field, frozen

_TOKEN = re.compile(r"[a-z0-9]+")
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ß": "ss", "æ": "ae",
                          "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l"})


def fold(text: str) -> str:
    """Lower case without diacritics: "Điện thoại" → "dien thoai"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """The folded words of a text, in order (letters and digits; everything else separates)."""
    return _TOKEN.findall(fold(text))


def analysed(text: str) -> str:
    """A text as indexes store it: its folded tokens joined by single spaces."""
    return " ".join(tokens(text))


Term = tuple[str, ...]
"""One query term: alternative phrases (space-joined tokens); any alternative may match."""


@frozen
class Synonyms:
    """Groups of equivalent words or phrases ("laptop", "notebook", "máy tính xách tay").

    A query word or phrase found in a group becomes one term matching any member of it."""

    groups: tuple[tuple[str, ...], ...] = ()
    _index: dict[tuple[str, ...], tuple[str, ...]] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        index: dict[tuple[str, ...], tuple[str, ...]] = {}
        for group in self.groups:
            members = tuple(dict.fromkeys(analysed(m) for m in group if analysed(m)))
            for member in members:
                index[tuple(member.split())] = members
        object.__setattr__(self, "_index", index)

    @classmethod
    def parse(cls, text: str) -> Synonyms:
        """`"laptop, notebook, máy tính xách tay; phone, mobile"`: groups separated by `;` or
        new lines, members by `,`."""
        groups = [tuple(m.strip() for m in line.split(",") if m.strip())
                  for line in re.split(r"[;\n]", text)]
        return cls(tuple(g for g in groups if len(g) > 1))

    @classmethod
    def of(cls, groups: Iterable[Sequence[str]]) -> Synonyms:
        return cls(tuple(tuple(g) for g in groups))

    @property
    def longest(self) -> int:
        return max((len(k) for k in self._index), default=1)

    def terms(self, words: Sequence[str]) -> tuple[Term, ...]:
        """The query's terms: the longest synonym phrase at each position wins."""
        found: list[Term] = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest, len(words) - i), 0, -1):
                members = self._index.get(tuple(words[i:i + size]))
                if members is not None:
                    found.append(members)
                    i += size
                    break
            else:
                found.append((words[i],))
                i += 1
        return tuple(found)


def query_terms(text: str, synonyms: Synonyms | None = None) -> tuple[Term, ...]:
    return (synonyms or Synonyms()).terms(tokens(text))


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    neighbours each cost one ("iphnoe" is one swap from "iphone")."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[len(a)][len(b)]


def tolerated(word: str) -> int:
    """Typos forgiven in a query word: none under 4 letters, one up to 7, two beyond."""
    if len(word) < 4:
        return 0
    return 1 if len(word) <= 7 else 2


def correction(word: str, vocabulary: Mapping[str, int]) -> str | None:
    """The indexed word closest to a misspelt one (the most frequent among equals), if any is
    within the tolerated distance."""
    allowed = tolerated(word)
    best: tuple[int, int, str] | None = None
    for candidate, frequency in vocabulary.items():
        if candidate == word or abs(len(candidate) - len(word)) > allowed:
            continue
        d = distance(word, candidate)
        if d <= allowed and (best is None or (d, -frequency, candidate) < best):
            best = (d, -frequency, candidate)
    return None if best is None else best[2]
