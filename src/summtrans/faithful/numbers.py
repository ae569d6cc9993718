"""Numbers in German and English text: find them, write them the English way, compare them.

German writes ``1.000.000,50``; English ``1,000,000.50``. Protected numbers (see `protect`) come
back in English form, and the quality checks compare numbers by value, so ``3,50`` in the source
and ``3.50`` in the translation are the same figure.
"""

from __future__ import annotations

import re

# A German number: grouped thousands with an optional decimal part, or plain digits with one.
DE_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_DE_NUMBER_RE = re.compile(rf"(?<![\w.,])(?:{DE_NUMBER})(?![\w]|[.,]\d)")
_EN_NUMBER_RE = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w]|[.,]\d)")
_GROUPED_DE = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")

# Unit words after a number, German → English (plural; singular when the number is 1).
UNIT_WORDS: dict[str, tuple[str, str]] = {
    "Euro": ("euro", "euros"),
    "Cent": ("cent", "cents"),
    "Dollar": ("dollar", "dollars"),
    "Franken": ("franc", "francs"),
    "Pfund": ("pound", "pounds"),
    "Prozent": ("percent", "percent"),
    "Prozentpunkte": ("percentage point", "percentage points"),
    "Millionen": ("million", "million"),
    "Million": ("million", "million"),
    "Mio.": ("million", "million"),
    "Milliarden": ("billion", "billion"),
    "Milliarde": ("billion", "billion"),
    "Mrd.": ("billion", "billion"),
    "Grad": ("degree", "degrees"),
    "Kilometer": ("kilometre", "kilometres"),
    "Meter": ("metre", "metres"),
    "Stunden": ("hour", "hours"),
    "Minuten": ("minute", "minutes"),
    "Sekunden": ("second", "seconds"),
    "Tage": ("day", "days"),
    "Tagen": ("day", "days"),
    "Wochen": ("week", "weeks"),
    "Monate": ("month", "months"),
    "Monaten": ("month", "months"),
    "Jahre": ("year", "years"),
    "Jahren": ("year", "years"),
}
# Symbols and abbreviations English writes the same way (kept as they are).
UNIT_SYMBOLS = ("%", "€", "$", "£", "EUR", "USD", "CHF", "GBP", "km/h", "km²", "km", "m²", "m³", "cm", "mm", "kg",
                "mg", "ml", "°C", "kWh", "MW", "GW", "kW", "GB", "MB", "TB", "h", "m", "g", "l", "t")
CURRENCY_SYMBOLS = ("€", "$", "£")


def localize_number(number: str) -> str:
    """A German-written number in English form: ``1.000.000`` → ``1,000,000``, ``3,50`` → ``3.50``.

    Ungrouped integers (``2016``) and anything unusual come back unchanged.
    """
    if _GROUPED_DE.fullmatch(number):
        whole, _, frac = number.partition(",")
        return whole.replace(".", ",") + ("." + frac if frac else "")
    if re.fullmatch(r"\d+,\d+", number):
        return number.replace(",", ".")
    return number


def localize_quantity(text: str) -> str:
    """A number with its unit(s) in English form: ``1,5 Millionen Euro`` → ``1.5 million euros``,
    ``3,50 €`` → ``€3.50``, ``5 %`` → ``5%``, ``14.30 Uhr`` → ``14:30``."""
    time = re.fullmatch(r"(\d{1,2})[:.](\d{2})\s*Uhr", text)
    if time:
        return f"{time.group(1)}:{time.group(2)}"
    match = re.fullmatch(rf"({DE_NUMBER})(\s*)(.*)", text, re.S)
    if not match:
        return text
    number, space, rest = match.groups()
    if rest and rest[0] in ":.,/-":  # not a number with a unit (a time like 9:00): leave it
        return text
    english = localize_number(number)
    if not rest:
        return english
    if rest in CURRENCY_SYMBOLS:
        return rest + english
    if rest == "%":
        return english + "%"
    words = rest.split()
    one = number == "1"
    out = [UNIT_WORDS[w][0 if one else 1] if w in UNIT_WORDS else w for w in words]
    return english + (space or " ") + " ".join(out)


def _value(token: str, decimal: str) -> str:
    group = "." if decimal == "," else ","
    whole, _, frac = token.replace(group, "").partition(decimal)
    whole = whole.lstrip("0") or "0"
    frac = frac.rstrip("0")
    return whole + ("." + frac if frac else "")


def german_numbers(text: str) -> list[str]:
    """Numbers in German text, as normalized values (``1.000,50`` → ``1000.5``)."""
    return [_value(m.group(0), ",") for m in _DE_NUMBER_RE.finditer(text)]


def english_numbers(text: str) -> list[str]:
    """Numbers in English text, as normalized values (``1,000.50`` → ``1000.5``).

    Tolerant: a number still written the German way (``3,50``, ``1.000``) also counts.
    """
    values = [_value(m.group(0), ".") for m in _EN_NUMBER_RE.finditer(text)]
    values += [_value(m.group(0), ",") for m in _DE_NUMBER_RE.finditer(text) if re.search(r"\d,\d{1,2}$|\.\d{3}", m.group(0))]
    return values


def missing_numbers(source_values: list[str], target_values: list[str]) -> list[str]:
    """Values of `source_values` not found in `target_values` (as a multiset)."""
    pool = list(target_values)
    missing = []
    for v in source_values:
        if v in pool:
            pool.remove(v)
        else:
            missing.append(v)
    return missing
