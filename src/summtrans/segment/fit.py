"""`split_to_fit`: cut one segment that is too long for the model into parts that fit.

Parts break at clause boundaries first, then at word windows, then (a last resort) at characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .base import normalize_space
from .lexicon import CONJUNCTIONS

_CLAUSE_END = re.compile(r"[;:,)\].!?…]+[\"'“”’‘»«]*$")
_DASHES = frozenset("- – —".split())


@dataclass
class _Unit:
    text: str
    sep: str  # joins this unit to the one before it: " " between words, "" between character chunks
    level: int  # 0 clause, 1 word, 2 characters
    count: int | None = None


@dataclass
class _Piece:
    units: list[_Unit]
    count: int | None = None
    final: bool = False  # one character that alone exceeds the limit: emitted as it is

    def render(self) -> str:
        return self.units[0].text + "".join(u.sep + u.text for u in self.units[1:])


def _clauses(words: list[str]) -> list[str]:
    """Group words into clauses: after `;` `:` `,` `)` dashes and sentence ends, before conjunctions."""
    out: list[str] = []
    cur: list[str] = []
    for w in words:
        if cur and w in CONJUNCTIONS:
            out.append(" ".join(cur))
            cur = []
        cur.append(w)
        if w in _DASHES or _CLAUSE_END.search(w):
            out.append(" ".join(cur))
            cur = []
    if cur:
        out.append(" ".join(cur))
    return out


def _pack(units: list[_Unit], overhead: int, limit: int) -> list[_Piece]:
    """Greedily pack consecutive units into pieces whose estimated count fits `limit`.

    A piece's count is estimated as `overhead` (the count of an empty string: special tokens)
    plus, for each unit, its own count minus `overhead`; the estimate is verified afterwards.
    """
    pieces: list[_Piece] = []
    cur: list[_Unit] = []
    est = overhead

    def flush() -> None:
        if cur:
            pieces.append(_Piece(list(cur), cur[0].count if len(cur) == 1 else None))
            cur.clear()

    for u in units:
        assert u.count is not None
        if u.count > limit:
            flush()
            pieces.append(_Piece([u], u.count))
            est = overhead
            continue
        add = max(u.count - overhead, 0)
        if cur and est + add > limit:
            flush()
            est = overhead
        cur.append(u)
        est += add
    flush()
    return pieces


def _halves(piece: _Piece, overhead: int) -> list[_Piece]:
    weights = [max((u.count or len(u.text)) - overhead, 1) for u in piece.units]
    half = sum(weights) / 2
    acc = 0
    cut = 1
    for k, w in enumerate(weights[:-1], start=1):
        acc += w
        cut = k
        if acc >= half:
            break
    return [_Piece(piece.units[:cut]), _Piece(piece.units[cut:])]


def _chunks(unit: _Unit, overhead: int, limit: int) -> list[_Piece]:
    """Cut one word (or chunk) into character chunks sized from its measured token density."""
    text = unit.text
    assert unit.count is not None
    per_char = max(unit.count - overhead, 1) / len(text)
    size = int((limit - overhead) / per_char * 0.9)
    size = max(1, min(size, (len(text) + 1) // 2))
    return [
        _Piece([_Unit(text[k : k + size], unit.sep if k == 0 else "", 2)])
        for k in range(0, len(text), size)
    ]


def split_to_fit(text: str, count_tokens: Callable[[list[str]], list[int]], limit: int) -> list[str]:
    """Split `text` into whitespace-normalized parts that each count at most `limit` tokens.

    `count_tokens` maps a batch of strings to their token counts as the model sees them; it is
    called with batches, a handful of times. Parts break preferably at clause boundaries (after
    ``; : , )`` and dashes, before conjunctions such as "und", "weil", "dass"), packing as many
    clauses per part as fit; a clause too long on its own is cut into word windows, a word too
    long on its own into character chunks. No non-whitespace character is ever dropped: the
    parts hold the non-whitespace characters of `text` in order. Whitespace-only text gives [].
    A single character that alone exceeds `limit` is returned as a part of its own.
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2 tokens, got {limit}")

    def counts(batch: list[str]) -> list[int]:
        result = [int(c) for c in count_tokens(batch)]
        if len(result) != len(batch):
            raise ValueError(f"count_tokens returned {len(result)} counts for {len(batch)} texts")
        return result

    norm = normalize_space(text)
    if not norm:
        return []
    if counts([norm])[0] <= limit:
        return [norm]
    clauses = _clauses(norm.split(" "))
    overhead, *clause_counts = counts(["", *clauses])
    pieces = _pack([_Unit(c, " ", 0, n) for c, n in zip(clauses, clause_counts)], overhead, limit)

    for _ in range(200):
        unknown = [p for p in pieces if p.count is None]
        if unknown:
            for p, n in zip(unknown, counts([p.render() for p in unknown])):
                p.count = n
                if len(p.units) == 1:
                    p.units[0].count = n
        over = [p for p in pieces if p.count is not None and p.count > limit and not p.final]
        if not over:
            break
        # Clauses that must become word windows: count all their words in one batch.
        exploding = [p for p in over if len(p.units) == 1 and p.units[0].level == 0 and " " in p.units[0].text]
        word_lists = [p.units[0].text.split(" ") for p in exploding]
        flat = [w for ws in word_lists for w in ws]
        flat_counts = iter(counts(flat)) if flat else iter(())
        windows = {
            id(p): _pack([_Unit(w, " ", 1, next(flat_counts)) for w in ws], overhead, limit)
            for p, ws in zip(exploding, word_lists)
        }
        new: list[_Piece] = []
        for p in pieces:
            assert p.count is not None
            if p.count <= limit or p.final:
                new.append(p)
            elif id(p) in windows:
                new.extend(windows[id(p)])
            elif len(p.units) > 1:
                new.extend(_halves(p, overhead))
            elif len(p.units[0].text) > 1:
                new.extend(_chunks(p.units[0], overhead, limit))
            else:
                p.final = True
                new.append(p)
        pieces = new
    return [p.render() for p in pieces]
