"""Key facts of official letters: deadlines, amounts, references and what to do, read exactly.

A summary model trained on news may drop the one thing a person with an official letter needs:
by when must I do what, and how much is it. `extract_facts` reads those facts from the German
source segments with rules over the protected-span detectors for dates, amounts and identifiers
(phrases in `lexicon`), so nothing depends on the model's wording; `render_markdown` writes them as
an English "Key facts" section to put above the summary. The rules, one module per concern:
`letter` (the letter gate, date, sender, kind), `amounts` (references, amounts), `schedule`
(period, appointments), `deadlines` (deadlines, actions, consequences), `documents`, `remedy`;
`text` holds what several of them share.

A text without enough letter cues (salutation, closing, reference number, date line,
Rechtsbehelfsbelehrung, postcode) is not a letter and gets no facts at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Amount, Appointment, Deadline, Document, Facts, Period, Reference, Remedy, Rule
from .render import render_markdown

__all__ = [
    "Amount", "Appointment", "Deadline", "Document", "Facts", "Period", "Reference", "Remedy", "Rule",
    "extract_facts", "render_markdown",
]


def extract_facts(segments: Sequence[str], *, translations: Sequence[str] | None = None) -> Facts | None:
    """The key facts of a letter, or None when `segments` are not a letter.

    `segments` are the German source sentences in document order (``summtrans.segment.segment``
    gives them); every fact's ``segment`` indexes this list. `translations`, their English
    translations (same length), are used only where the lexicon has no English wording (an
    action or consequence it does not know, a listed document's name).
    """
    from .amounts import find_amounts, find_references
    from .deadlines import deadlines_and_more
    from .documents import find_documents
    from .letter import find_kind, find_sender, is_letter, letter_cues, letter_date, notification_law
    from .remedy import find_remedy
    from .schedule import find_appointments, find_period, find_ranges

    segments = list(segments)
    if translations is not None:
        translations = list(translations)
        if len(translations) != len(segments):
            raise ValueError(f"translations has {len(translations)} entries for {len(segments)} segments")
    cues = letter_cues(segments)
    if not is_letter(cues):
        return None
    day, day_segment = letter_date(segments)
    sender, sender_segment = find_sender(segments)
    kind, kind_en, kind_segment = find_kind(segments)
    law = notification_law(sender, segments)
    ranges = find_ranges(segments, day)
    appointments = find_appointments(segments, day)
    deadlines, appointments, found = deadlines_and_more(segments, day, law, appointments, ranges, translations)
    deadlines.sort(key=lambda d: d.sort_key)
    return Facts(
        kind=kind,
        kind_en=kind_en,
        kind_segment=kind_segment,
        sender=sender,
        sender_segment=sender_segment,
        date=day,
        date_segment=day_segment,
        references=tuple(find_references(segments)),
        deadlines=tuple(deadlines),
        appointments=tuple(appointments),
        amounts=tuple(find_amounts(segments, translations)),
        period=find_period(ranges),
        documents=tuple(find_documents(segments, found, translations)),
        remedy=find_remedy(segments, deadlines),
        cues=cues,
    )
