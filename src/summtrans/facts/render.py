"""The key facts as an English markdown section, to put above a summary."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from .model import Amount, Deadline, Facts

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """German text as written, with markdown's special characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text).strip())


def _day(d: date) -> str:
    return f"{d.isoformat()} ({d.strftime('%A')})"


def _money(a: Amount) -> str:
    if a.currency == "%":
        return f"{_plain(a.value)}%"
    text = f"{a.value:,.2f}" if a.value != a.value.to_integral_value() or a.currency == "EUR" else f"{a.value:,.0f}"
    return {"EUR": "€", "USD": "$", "GBP": "£"}.get(a.currency, "") + text + ("" if a.currency in ("EUR", "USD", "GBP") else f" {a.currency}")


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _deadline(d: Deadline) -> str:
    if d.date:
        when = f"**by {_day(d.date)}**"
        if d.rule:
            when += f" ({d.rule.english()})"
    elif d.rule:
        when = f"**{d.rule.english()}**"
    else:
        when = f"**{_md(d.text)}**"
    line = f"- {when}"
    line += f" — {_md(d.action)}" if d.action else f" — as written: „{_md(d.text)}“"
    if d.estimate:
        line += f". Estimated last day: {_day(d.estimate)} — an estimate, not certain. Basis: {_md(d.estimate_basis or '')}"
    elif d.estimate_basis:
        line += f". This {'day' if d.date else 'rule'} {_md(d.estimate_basis)}"
    if d.consequence or d.consequence_de:
        line += f". If missed: {_md(d.consequence or '„' + (d.consequence_de or '') + '“')}"
    return line + "."


def render_markdown(facts: Facts | None, *, heading: str = "## Key facts") -> str:
    """A "Key facts" section in English: deadlines (soonest first, each with its action), then
    appointments, amounts, references, period, documents and the legal remedy. Empty for None
    or empty facts."""
    if facts is None or facts.empty:
        return ""
    out = [heading, ""]
    about = []
    if facts.kind:
        about.append(f"{facts.kind_en} ({_md(facts.kind)})" if facts.kind_en else _md(facts.kind))
    if facts.sender:
        about.append(f"from {_md(facts.sender)}")
    if facts.date:
        about.append(f"dated {facts.date.isoformat()}")
    if about:
        out += [("Letter: " + " ".join(about)).rstrip() + ".", ""]
    if facts.deadlines:
        out += ["**Deadlines** (soonest first)", *(_deadline(d) for d in facts.deadlines), ""]
    if facts.appointments:
        out.append("**Appointments**")
        for a in facts.appointments:
            line = f"- **{_day(a.date)}{', ' + a.time if a.time else ''}** — attend"
            if a.place:
                line += f": {_md(a.place)}"
            if a.consequence or a.consequence_de:
                line += f". If you do not attend: {_md(a.consequence or '„' + (a.consequence_de or '') + '“')}"
            out.append(line + ".")
        out.append("")
    if facts.amounts:
        out.append("**Amounts**")
        for a in facts.amounts:
            label = _md(a.label) if a.label else "amount"
            if a.label and a.label_en:
                label += f" ({_md(a.label_en)})"
            out.append(f"- {label}: {_money(a)}")
        out.append("")
    if facts.references:
        out.append("**References** (quote them in any reply)")
        for r in facts.references:
            label = _md(r.label) + (f" ({_md(r.label_en)})" if r.label_en and r.label_en != r.label else "")
            value = r.value.replace("`", "'")
            out.append(f"- {label}: `{value}`")
        out.append("")
    if facts.period:
        out += [f"**Period covered:** {facts.period.start.isoformat()} to {facts.period.end.isoformat()}", ""]
    if facts.documents:
        out.append("**Documents requested**")
        for doc in facts.documents:
            out.append(f"- {_md(doc.name)}" + (f" ({_md(doc.name_en)})" if doc.name_en else ""))
        out.append("")
    if facts.remedy:
        r = facts.remedy
        line = f"**Legal remedy:** {r.name} ({_md(r.kind)})"
        if r.deadline:
            when = _day(r.deadline.date) if r.deadline.date else (r.deadline.rule.english() if r.deadline.rule else _md(r.deadline.text))
            line += f", {'by ' if r.deadline.date else ''}{when}"
        if r.addressee:
            line += f", lodged with {_md(r.addressee)}"
        out += [line + ".", ""]
    return "\n".join(out).rstrip() + "\n"
