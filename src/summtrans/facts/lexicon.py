"""The German phrases of official letters, with the fixed English wording of each.

Regular expressions over the German source (compiled in `rules`); every English string a fact
carries comes from a table here, never from the model, so it is exact even where the
translation is poor.
"""

from __future__ import annotations

# Month names and abbreviations → month number.
MONTHS: dict[str, int] = {
    "januar": 1, "jänner": 1, "jan": 1, "jän": 1,
    "februar": 2, "feber": 2, "feb": 2,
    "märz": 3, "mär": 3, "mrz": 3,
    "april": 4, "apr": 4,
    "mai": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "okt": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}

# Number words in durations (`innerhalb eines Monats`, `binnen zwei Wochen`).
NUMBER_WORDS: dict[str, int] = {
    "ein": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1, "eines": 1,
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
    "zehn": 10, "elf": 11, "zwölf": 12, "vierzehn": 14, "zwanzig": 20, "einundzwanzig": 21,
    "dreißig": 30,
}
ENGLISH_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                   "eleven", "twelve")

# Duration units: German stem → (ISO 8601 designator, English singular, English plural, working days).
UNITS: dict[str, tuple[str, str, str, bool]] = {
    "kalendertag": ("D", "calendar day", "calendar days", False),
    "werktag": ("D", "working day", "working days", True),
    "arbeitstag": ("D", "working day", "working days", True),
    "tag": ("D", "day", "days", False),
    "woche": ("W", "week", "weeks", False),
    "monat": ("M", "month", "months", False),
    "jahr": ("Y", "year", "years", False),
}

# What a relative deadline counts from: regex over the words after `nach`/`ab`/`seit` → anchor.
ANCHORS: tuple[tuple[str, str], ...] = (
    (r"Bekanntgabe|bekannt\s*gegeben|Bekanntmachung", "notification"),
    (r"Zustellung|zugestellt", "service"),
    (r"Zugang|Erhalt|Empfang|Rechnungs(?:erhalt|eingang|zugang)|Eingang\s+(?:dieses|des)\s+(?:Schreibens|Briefes|Bescheids|Bescheides)|zugegangen|erhalten", "receipt"),
    (r"Rechnungsdatum|Rechnungsstellung|Rechnungslegung|Ausstellung(?:sdatum)?|(?:dem\s+)?Datum\s+(?:dieses|des)\s+(?:Schreibens|Briefes|Bescheids|Bescheides)|heute", "letter date"),
    (r"Rechtskraft|rechtskräftig", "finality"),
    (r"Vertrags(?:ab)?schluss|Abschluss\s+des\s+Vertrags?", "contract"),
    (
        r"Vertragsende|Vertragsablauf|Vertragsbeendigung|Beendigung\s+des\s+Vertrag(?:e?s)?|Ende\s+des\s+Vertrag(?:e?s)?"
        r"|Ende\s+der\s+(?:Vertrags)?[Ll]aufzeit|Laufzeitende",
        "contract end",
    ),
    (r"Fälligkeit", "due date"),
    (r"(?:dem\s+)?Termin", "appointment"),
)
ANCHOR_ENGLISH: dict[str, str] = {
    "notification": "notification",
    "receipt": "receipt",
    "service": "formal service (Zustellung)",
    "letter date": "the letter's date",
    "finality": "the decision becomes final",
    "contract": "the contract is concluded",
    "contract end": "the contract ends",
    "due date": "the due date",
    "appointment": "the appointment",
}

# Ordinals of calendar months in month-end deadlines (`bis zum Ablauf des zweiten Kalendermonats`,
# `bis Ende des nächsten Monats`): months after the anchor's month.
MONTH_ORDINALS: dict[str, int] = {
    "laufenden": 0, "aktuellen": 0, "jetzigen": 0, "dieses": 0,
    "ersten": 1, "nächsten": 1, "kommenden": 1, "folgenden": 1, "zweiten": 2, "übernächsten": 2, "dritten": 3,
    "vierten": 4, "fünften": 5, "sechsten": 6,
}
ENGLISH_ORDINALS = ("", "first", "second", "third", "fourth", "fifth", "sixth")

# Actions: key → (German regex, English), matched ignoring case (a sentence may start with the
# verb: `Zahlbar bis …`, `Überweisen Sie …`). Remedies (`REMEDY_ACTIONS`) win over the others when
# both occur in one sentence; otherwise the one nearest to the deadline does.
ACTIONS: dict[str, tuple[str, str]] = {
    "object": (r"Widerspruch\w*|widersprechen|Einwendungen|Einwände", "lodge an objection (Widerspruch)"),
    "appeal": (r"Einspruch\w*", "lodge an objection (Einspruch)"),
    "sue": (r"\bKlage\b|Klage\s+erheben", "bring an action in court (Klage)"),
    "withdraw": (r"Widerruf\w*|widerrufen", "withdraw from the contract (Widerruf)"),
    "cancel": (r"kündigen|Kündigung\w*", "give notice of termination"),
    "comment": (r"äußern|Äußerung|Stellung\s+(?:zu\s+\w+\s+)?nehmen|Stellungnahme", "state your views in writing"),
    "return": (r"zurück(?:zu)?senden|zurück(?:zu)?schicken|(?:senden|schicken)\s+Sie\b[^.;]*?\bzurück\b|Rücksendung", "return the form"),
    "submit": (
        r"ein(?:zu)?reichen|(?:reichen)\s+Sie\b[^.;]*?\bein\b|vor(?:zu)?legen|legen\s+Sie\b[^.;]*?\bvor\b|nach(?:zu)?reichen"
        r"|übersenden|übermitteln|zu(?:zu)?senden|(?:senden|schicken)\s+Sie\b[^.;]*?\bzu\b|ab(?:zu)?geben|geben\s+Sie\b[^.;]*?\bab\b"
        r"|ein(?:zu)?senden|beibringen|beizubringen|nachweisen|nachzuweisen|Einreichung|Unterlagen|Nachweise",
        "submit the requested documents",
    ),
    "pay": (
        r"(?:be)?zahlen|zahlbar|Zahlung\w*|überweisen|Überweisung|begleichen|ausgleichen|entrichten|einzahlen|fällig|Fälligkeit"
        r"|(?:Betrag|Summe|Geld)\b[^.;]*?\b(?:eingeh\w*|eingegangen|gutgeschrieben)",
        "pay",
    ),
    "contact": (
        r"melden\s+Sie\s+sich|sich\b[^.;]*?\bmelden|rufen\s+Sie\b[^.;]*?\ban\b|kontaktieren|wenden\s+Sie\s+sich"
        r"|setzen\s+Sie\s+sich\b[^.;]*?\bin\s+Verbindung|Termin\s+(?:zu\s+)?vereinbaren|vereinbaren\s+Sie\b[^.;]*?\bTermin|Rückmeldung",
        "get in touch",
    ),
    "call_off": (r"absagen|abzusagen|sagen\s+Sie\b[^.;]*?\bab\b|Absage", "cancel or rearrange the appointment"),
    "inform": (r"mit(?:zu)?teilen|teilen\s+Sie\b[^.;]*?\bmit\b|Mitteilung|informieren|anzeigen", "tell the sender"),
    "apply": (r"beantragen|Antrag\s+stellen|stellen\s+Sie\b[^.;]*?\bAntrag", "apply"),
    "register": (r"anmelden|Anmeldung", "register"),
    "confirm": (r"bestätigen|Bestätigung", "confirm"),
    "consent": (r"\bzu(?:zu)?stimmen|stimmen\s+Sie\b[^.;]*?\bzu\b|Zustimmung", "give your consent (Zustimmung)"),
    "attend": (r"erscheinen|teilnehmen|vorsprechen", "attend"),
}
REMEDY_ACTIONS = ("object", "appeal", "sue", "withdraw", "cancel")
# A deadline's own label names its action when the sentence does not (`Zahlungsfrist: 14.04.2026`).
LABEL_ACTIONS: dict[str, str] = {
    "zahlungs": "pay", "zahlungsziel": "pay", "fällig": "pay", "einspruchs": "appeal", "widerspruchs": "object",
    "abgabe": "submit", "einreichungs": "submit", "einsende": "submit", "kündigungs": "cancel",
    "rückmelde": "contact", "anmelde": "register", "antrags": "apply", "antwort": "contact",
}

# Legal remedies named in a Rechtsbehelfsbelehrung: German → English.
REMEDIES: dict[str, str] = {"Widerspruch": "objection", "Einspruch": "objection", "Klage": "court action"}

# Consequences: German regex → English. Several may apply to one sentence.
CONSEQUENCES: tuple[tuple[str, str], ...] = (
    (r"Säumniszuschl", "late-payment surcharge (Säumniszuschlag)"),
    (r"Verspätungszuschl", "late-filing surcharge (Verspätungszuschlag)"),
    (r"Mahngebühr|Mahnkosten", "dunning fee"),
    (r"Verzugszinsen", "default interest"),
    (r"Mahnverfahren|Mahnbescheid", "court dunning procedure (Mahnverfahren)"),
    (r"Inkasso", "the claim is passed to debt collection"),
    (r"Vollstreckung|vollstreck|Pfändung", "enforcement (Vollstreckung)"),
    (r"Sperrzeit", "benefit suspension (Sperrzeit)"),
    (r"gemindert|Minderung|kürzen|gekürzt", "benefits reduced"),
    (r"versag|entzogen|entziehen|Entziehung", "benefits refused or withdrawn"),
    (r"(?:Zahlung|Leistung)\w*[^.;]*einst|einstellen[^.;]*(?:Zahlung|Leistung)", "payments stopped"),
    (r"Versorgung[^.;]*einzustellen|Versorgung[^.;]*einstell|Sperrung|Liefersperre", "supply cut off"),
    (r"nach\s+(?:Lage\s+der\s+Akten|Aktenlage)", "decision based on the file as it stands"),
    (r"Ordnungsgeld", "administrative fine (Ordnungsgeld)"),
    (r"Bußgeld", "fine (Bußgeld)"),
    (r"SCHUFA|Schufa|Auskunftei", "report to a credit agency"),
    (r"Kündigung|kündigen", "termination of the contract"),
    (r"(?:Antrag|Anträge)[^.;]*(?:abgelehnt|ablehnen)|Ablehnung", "application refused"),
)
# Words that open a sentence or clause stating what happens if the reader does not act.
CONSEQUENCE_CONDITIONS = (
    r"^(?:Sollten?|Wenn|Falls|Werden|Wird|Geht|Gehen|Geben|Äußern|Kommen|Zahlen|Erscheinen|Reichen|Legen|Senden|Melden)\b"
)
CONSEQUENCE_OPENERS = (
    r"^Bei\s+(?:verspäteter|nicht\s+fristgerechter|unentschuldigtem|Nichtzahlung|Versäumnis|Fristversäumnis|Nichterscheinen"
    r"|Zahlungsverzug|Überschreitung)"
    r"|^Ohne\s+(?:Ihre|diese|die)\b"
)

# Amount labels: German (lower case, without a genitive -s) → English.
AMOUNT_LABELS: dict[str, str] = {
    "regelbedarf": "standard allowance", "regelsatz": "standard allowance", "mehrbedarf": "additional needs allowance",
    "kosten der unterkunft": "housing costs", "unterkunftskosten": "housing costs", "heizkosten": "heating costs",
    "kosten der unterkunft und heizung": "housing and heating costs", "bürgergeld": "citizen's benefit",
    "erstattung": "refund", "erstattungsbetrag": "refund", "nachzahlung": "additional payment due", "guthaben": "credit balance",
    "betrag": "amount", "gesamtbetrag": "total", "rechnungsbetrag": "invoice total", "endbetrag": "total", "summe": "sum",
    "offener betrag": "amount outstanding", "zahlbetrag": "amount to pay", "insgesamt": "total", "gesamt": "total",
    "nettobetrag": "net amount", "netto": "net", "summe netto": "net total", "bruttobetrag": "gross amount", "brutto": "gross",
    "umsatzsteuer": "VAT", "ust": "VAT", "mwst": "VAT", "mehrwertsteuer": "VAT",
    "mahngebühr": "dunning fee", "mahngebühren": "dunning fees", "mahnkosten": "dunning costs",
    "säumniszuschlag": "late-payment surcharge", "säumniszuschläge": "late-payment surcharges",
    "verspätungszuschlag": "late-filing surcharge", "zinsen": "interest", "verzugszinsen": "default interest",
    "hauptforderung": "principal claim", "forderung": "claim", "gesamtforderung": "total claim", "inkassokosten": "collection costs",
    "geldbuße": "fine", "bußgeld": "fine", "verwarnungsgeld": "warning fine", "gebühr": "fee", "gebühren": "fees",
    "auslagen": "expenses", "miete": "rent", "kaltmiete": "basic rent", "warmmiete": "rent incl. heating",
    "nebenkosten": "service charges", "betriebskosten": "service charges", "vorauszahlung": "advance payment",
    "vorauszahlungen": "advance payments", "abschlag": "instalment", "abschlagszahlung": "instalment", "rate": "instalment",
    "beitrag": "contribution", "beiträge": "contributions", "monatsbeitrag": "monthly fee", "jahresbeitrag": "annual premium", "zusatzbeitrag": "additional contribution",
    "beitragssatz": "contribution rate", "aufnahmegebühr": "joining fee", "kindergeld": "child benefit",
    "elterngeld": "parental allowance", "wohngeld": "housing benefit", "überzahlung": "overpayment",
    "rückforderung": "amount reclaimed", "steuer": "tax", "einkommensteuer": "income tax", "kirchensteuer": "church tax",
    "solidaritätszuschlag": "solidarity surcharge", "werbungskosten": "income-related expenses", "honorar": "fee",
    "material": "materials", "kosten": "costs", "arbeitslohn": "labour", "lohn": "wages", "arbeitszeit": "labour", "rundfunkbeitrag": "broadcasting fee", "rundfunkbeiträge": "broadcasting fees",
}
# Endings of German nouns that name an amount (`Erstattungsbetrag`, `Mahngebühr`, `Heizkosten`).
AMOUNT_NOUN_ENDINGS = (
    "betrag", "beträge", "gebühr", "gebühren", "kosten", "bedarf", "zuschlag", "zuschläge", "summe", "geld", "steuer",
    "beitrag", "beiträge", "forderung", "zahlung", "zahlungen", "miete", "rate", "zinsen", "preis", "entgelt", "pauschale",
    "erstattung", "guthaben", "buße", "auslagen", "honorar", "abschlag", "satz", "lohn", "gehalt", "rente", "zulage",
    "leistung", "leistungen", "anteil", "wert", "schaden", "netto", "brutto", "material",
)

# Reference labels: regex → English. The value follows the label (after `:`, `Nr.` or a space).
REFERENCE_LABELS: tuple[tuple[str, str], ...] = (
    (r"Aktenzeichen|Az\.?", "file number"),
    (r"Geschäftszeichen|Geschäftsnummer|Unser\s+Zeichen|Ihr\s+Zeichen|Zeichen", "reference"),
    (r"Nummer\s+der\s+Bedarfsgemeinschaft|Bedarfsgemeinschaftsnummer|BG-Nummer|BG-Nr\.?", "benefit unit number"),
    (r"Kundennummer|Kunden-Nr\.?|Kundennr\.?", "customer number"),
    (r"Rechnungsnummer|Rechnungs-Nr\.?|Rechnungsnr\.?|Rechnung\s+Nr\.?", "invoice number"),
    (r"Vertragsnummer|Vertrags-Nr\.?|Vertragskonto(?:nummer)?", "contract number"),
    (r"Steuer-?Identifikationsnummer|Steuer-ID|Identifikationsnummer|IdNr\.?", "tax ID"),
    (r"Steuernummer|Steuer-Nr\.?|St\.-Nr\.?", "tax number"),
    (r"Versicherungsschein-Nr\.?|Versicherungsscheinnummer|Policennummer|Vertrags-?Nr\.?", "policy number"),
    (r"Rentenversicherungsnummer|Versicherungsnummer|Versichertennummer|Sozialversicherungsnummer", "insurance number"),
    (r"Kassenzeichen|Buchungszeichen", "payment reference (Kassenzeichen)"),
    (r"Mitgliedsnummer|Mitglieds-Nr\.?", "membership number"),
    (r"Beitragsnummer", "contribution number"),
    (r"Kindergeldnummer", "child benefit number"),
    (r"Personalnummer", "staff number"),
    (r"Mandatsreferenz", "mandate reference"),
    (r"Gläubiger-ID|Gläubiger-Identifikationsnummer", "creditor ID"),
    (r"Zählernummer", "meter number"),
    (r"Vorgangsnummer|Antragsnummer|Fallnummer|Bearbeitungsnummer|Referenznummer", "case number"),
    (r"Auftragsnummer|Bestellnummer", "order number"),
    (r"Schadennummer", "claim number"),
    (r"Verwendungszweck", "payment reference"),
    (r"IBAN", "IBAN"),
    (r"BIC", "BIC"),
    (r"amtliche[nm]?\s+Kennzeichen|Kfz-Kennzeichen", "licence plate"),
)

# Kinds of letter: regex over a heading → (German name, English).
LETTER_KINDS: tuple[tuple[str, str, str], ...] = (
    (r"Mahnung|Zahlungserinnerung", "Mahnung", "payment reminder"),
    (r"Anhörung", "Anhörung", "hearing (you may respond before a decision)"),
    (r"[Bb]escheid\b|[Bb]escheid\s", "Bescheid", "official decision"),
    (r"\w*[Bb]escheid", "Bescheid", "official decision"),
    (r"Einladung|Ladung|Meldeaufforderung|Vorladung", "Einladung", "invitation / summons"),
    (r"Rechnung|Liquidation|Abrechnung", "Rechnung", "invoice"),
    (r"[Vv]ertrag|Kündigung", "Vertrag", "contract"),
)

# Senders: words of an authority's or company's name.
SENDER_WORDS = (
    r"Jobcenter|Finanzamt|Agentur\s+für\s+Arbeit|Bundesagentur|Zollamt|[Aa]mt\b|[Bb]ehörde|Landeshauptstadt|Stadt\b|Gemeinde"
    r"|Landkreis|Kreis\b|Ministerium|[Gg]ericht\b|[Kk]asse\b|AOK|BKK|IKK|Barmer|DAK|Rentenversicherung|[Vv]ersicherung"
    r"|Beitragsservice|Deutschlandradio|GmbH|\bAG\b|\bKG\b|e\.\s?V\.|mbH|\bUG\b|OHG|GbR|Stadtwerke|Sparkasse|Bank\b"
    r"|[Pp]raxis\b|Hausverwaltung|[Vv]erwaltung\b|Inkasso|Universität|Hochschule|Schule\b|Studios?\b|Verlag|Telekom"
    r"|[Bb]etrieb\b|Kanzlei|Rechtsanw|Notar|Bußgeldstelle|[Ss]telle\b|Dr\.|Familienkasse|Polizei|Bürgeramt|Verband"
)
# Statutory notification rules by kind of authority (regex over sender and text, checked in order).
NOTIFICATION_LAWS: tuple[tuple[str, str], ...] = (
    (r"Familienkasse|Finanzamt|Zollamt|Steueramt|Abgabenordnung|\bAO\b", "§ 122 Abs. 2 Nr. 1 AO"),
    (
        r"Jobcenter|Agentur\s+für\s+Arbeit|Bundesagentur|Krankenkasse|Gesundheitskasse|AOK|BKK|IKK|Barmer|DAK|Ersatzkasse"
        r"|Rentenversicherung|Pflegekasse|Sozialamt|Jugendamt|Elterngeld|Wohngeld|Berufsgenossenschaft|Unfallkasse|\bSGB\b"
        r"|Sozialgesetzbuch",
        "§ 37 Abs. 2 SGB X",
    ),
    (
        r"[Aa]mt\b|[Bb]ehörde|Landeshauptstadt|Stadt\b|Gemeinde|Landkreis|Kreis\b|Ministerium|Bundesamt|Landesamt"
        r"|Regierungspräsidium|Beitragsservice|Rundfunk|Bußgeldstelle|Verwaltungsverfahrensgesetz|VwVfG",
        "§ 41 Abs. 2 VwVfG",
    ),
)
