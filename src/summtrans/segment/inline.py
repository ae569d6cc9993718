"""Inline markdown that is never translated: code spans, link targets, images, autolinks, HTML."""

from __future__ import annotations

import re

_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]{0,1000})?/?>")
_LINK_DEST = re.compile(
    r"""\([ \t]*(?:<[^<>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)"""
    r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\)"""
)
_LINK_REF = re.compile(r"\[[^\[\]\n]{0,999}\]")


def inline_gaps(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Spans inside [s, e) that markdown reserves for markup (sorted, non-overlapping)."""
    gaps: list[tuple[int, int]] = []
    if not any(c in text[s:e] for c in "`[<"):
        return gaps
    # 1. code spans (left to right; a backtick run closes at the next run of equal length)
    runs: dict[int, list[int]] = {}
    order: list[tuple[int, int]] = []
    for m in re.finditer(r"`+", text[s:e]):
        runs.setdefault(len(m.group()), []).append(s + m.start())
        order.append((s + m.start(), len(m.group())))
    code: list[tuple[int, int]] = []
    used: dict[int, int] = {}  # run length -> index of the next unused run of that length
    pos = s
    for start, length in order:
        if start < pos:
            continue
        positions = runs[length]
        k = used.get(length, 0)
        while k < len(positions) and positions[k] <= start:
            k += 1
        if k < len(positions):
            code.append((start, positions[k] + length))
            pos = positions[k] + length
            used[length] = k + 1
        else:
            used[length] = k
    in_code = bytearray(e - s)
    for a, b in code:
        in_code[a - s : b - s] = b"\x01" * (b - a)
    # 2. bracket pairs, outside code spans
    match: dict[int, int] = {}
    stack: list[int] = []
    k = s
    while k < e:
        ch = text[k]
        if in_code[k - s]:
            k += 1
            continue
        if ch == "\\":
            k += 2
            continue
        if ch == "[":
            stack.append(k)
        elif ch == "]" and stack:
            match[stack.pop()] = k
        k += 1
    # 3. links, images, autolinks, tags
    ci = 0
    k = s
    comment_closed = True
    while k < e:
        if in_code[k - s]:
            a, b = code[ci]
            while b <= k:
                ci += 1
                a, b = code[ci]
            gaps.append((a, b))
            k = b
            continue
        ch = text[k]
        if ch == "\\":
            k += 2
            continue
        if ch == "!" and k + 1 < e and text[k + 1] == "[" and (k + 1) in match:
            close = match[k + 1]
            dest = _link_tail(text, close, e)
            if dest is not None:
                gaps.append((k, dest))
                k = dest
                continue
        elif ch == "[" and k in match:
            close = match[k]
            if text.startswith("^", k + 1):  # footnote reference [^1]
                gaps.append((k, close + 1))
                k = close + 1
                continue
            dest = _link_tail(text, close, e)
            if dest is not None:
                gaps.append((k, k + 1))
                gaps.append((close, dest))
        elif ch == "<":
            m = _AUTOLINK.match(text, k, e) or _HTML_TAG.match(text, k, e)
            if m:
                gaps.append((k, m.end()))
                k = m.end()
                continue
            if comment_closed and text.startswith("<!--", k):
                stop = text.find("-->", k + 4, e)
                if stop >= 0:
                    gaps.append((k, stop + 3))
                    k = stop + 3
                    continue
                comment_closed = False
        k += 1
    gaps.sort()
    merged: list[tuple[int, int]] = []
    for a, b in gaps:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _link_tail(text: str, close: int, e: int) -> int | None:
    """End of `](destination "title")` or `][ref]` starting at the `]` at `close`, or None."""
    m = _LINK_DEST.match(text, close + 1, e) or _LINK_REF.match(text, close + 1, e)
    return m.end() if m else None
