"""Documents a letter asks the reader to send or bring: a list after `folgende Unterlagen:`, or
the object of `legen Sie … vor`, `reichen Sie … ein`, `bringen Sie … mit`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .deadlines import _Found
from .model import Document
from .text import _SALUTATION

_DOC_CUE = re.compile(
    r"(?:folgende|nachstehende|nachfolgende|diese|weitere)n?\s+(?:Unterlagen|Nachweise|Dokumente|Belege|Papiere)"
    r"|bringen\s+Sie\b[^.]*\bmit\s*:|(?:Unterlagen|Nachweise|Dokumente)\s*:\s*$"
)
_DOC_VERBS = re.compile(
    r"\b(?P<verb>legen|reichen|senden|schicken|bringen|fügen)\s+Sie\s+(?P<obj>.+?)\s+(?P<particle>vor|ein|zu|mit|bei|zurück)\s*[.!]?\s*$"
    r"|\b(?:übersenden|übermitteln|schicken|senden)\s+Sie\s+(?P<obj2>.+?)\s*[.!]?\s*$"
)
_GENERIC_DOCS = re.compile(r"^(?:(?:die|diese|alle|sämtliche|Ihre|fehlenden|angeforderten|genannten|erforderlichen)\s+)*"
                           r"(?:Unterlagen|Nachweise|Dokumente|Belege|Papiere|ihn|sie|es|ihm|Betrag|Formular|Antwort)$", re.I)
_STOP_ITEM = re.compile(r"^(?:Bitte|Wir|Sie|Ich|Sollten|Wenn|Falls|Mit\s+freundlichen|Freundliche|Rechtsbehelfsbelehrung|Hinweis)\b|\bSie\b")


def find_documents(segments: Sequence[str], deadlines: Sequence[_Found], translations: Sequence[str] | None) -> list[Document]:
    """Documents the letter asks for: a list after `folgende Unterlagen:`, or the object of
    `bringen Sie … mit`, `legen Sie … vor`, `reichen Sie … ein` (deadline words removed)."""
    out: list[Document] = []
    for i, seg in enumerate(segments):
        if _DOC_CUE.search(seg):
            head, _colon, inline = seg.partition(":")
            if inline.strip():
                for name in re.split(r",\s*|\s+und\s+|;\s*", inline.strip().rstrip(".")):
                    if name.strip():
                        out.append(Document(i, name.strip()))
                continue
            if seg.rstrip().endswith(":"):
                for j in range(i + 1, min(len(segments), i + 16)):
                    item = segments[j].strip().rstrip(",;")
                    if not item or len(item.split()) > 12 or _STOP_ITEM.search(item) or _SALUTATION.match(item):
                        break
                    out.append(Document(j, item.rstrip("."), translations[j].strip().rstrip(".") if translations is not None else None))
                continue
        m = _DOC_VERBS.search(seg.split(";")[0])  # `… zurück; das zweite ist für Ihre Unterlagen`
        if not m:
            continue
        obj = m.group("obj") if m.group("obj") is not None else m.group("obj2")
        base = m.start("obj") if m.group("obj") is not None else m.start("obj2")
        for f in deadlines:
            if f.segment == i and base <= f.start < base + len(obj):
                obj = obj[: f.start - base] + " " * (f.end - f.start) + obj[f.end - base :]
        obj = re.sub(r"\b(?:uns|bitte|noch|gegebenenfalls|ggf\.|umgehend|unverzüglich|zeitnah|schriftlich|ebenfalls|auch|dazu|hierzu)\b", " ", obj)
        obj = re.sub(r"\s+", " ", obj).strip(" ,")
        if obj and not _GENERIC_DOCS.match(obj) and len(obj.split()) <= 12 and not _DOC_CUE.search(obj):
            for name in re.split(r",\s*|\s+und\s+|\s+sowie\s+", obj):
                if name.strip():
                    out.append(Document(i, name.strip()))
    unique: dict[str, Document] = {}
    for d in out:
        unique.setdefault(d.name.lower(), d)
    return list(unique.values())
