"""Markdown as a format backend: a sentence is one model input whatever inline formatting it holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import summtrans.pipeline as pipeline_module
from summtrans.cli.app import app
from summtrans.engines.base import EchoEngine
from summtrans.formats.markdown import MarkdownBackend

runner = CliRunner()

LINK = "Ich habe jedoch nur [eine Vorlage](https://example.org/vorlage) gefunden, die wirklich **passt**."
CODE = "Der Antrag muss *bis zum Monatsende* beim `Jobcenter` eingehen."

RICH = """---
title: Merkblatt
---

# Hinweise zum *Antrag* #

Ich habe jedoch nur [eine Vorlage][vorlage] gefunden, die wirklich **passt**.
Der Antrag muss *bis zum Monatsende* beim `Jobcenter` eingehen.\\
Eine neue Zeile nach dem harten Umbruch &amp; ein Entity.

> Ein Zitat über
> zwei Zeilen mit <https://example.org/zitat>.

- Erster Punkt mit ![Logo](logo.png "Logo") Bild
- Zweiter Punkt[^1] mit ~~altem~~ Text
  1. Verschachtelt und __fett__ hier

Überschrift zwei
----------------

| Leistung | Betrag |
|:--------|-------:|
| Regelbedarf für \\| Alleinstehende | 563,00 € |
| Miete | 450,00 € |

```python
# Kein Deutsch übersetzen
print("Hallo Welt")
```

    eingerückter Code bleibt

<div class="hinweis">
HTML-Block bleibt wie er ist.
</div>

Setze \\*keine\\* Sterne und nutze <span>HTML</span> im Satz.

[vorlage]: https://example.org/vorlage "Die Vorlage"
[^1]: Die Fußnote mit *Betonung*.
"""


class Recorder:
    """Replaces the pipeline's engine: records every model input; translates by a lexicon or echoes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, lexicon: dict[str, str] | None = None) -> None:
        self.inputs: list[str] = []
        lexicon = lexicon or {}
        outer = self

        class Engine(EchoEngine):
            def generate(self, texts, options, progress=None):
                outer.inputs += texts
                return [lexicon.get(t, t) for t in super().generate(texts, options, progress)]

        monkeypatch.setattr(pipeline_module, "load_engine", lambda model, options: Engine(model))


def translate(path: Path, *extra: str) -> str:
    r = runner.invoke(app, ["translate", str(path), "--engine", "echo", "--no-memory", "-q", *extra])
    assert r.exit_code == 0, r.output
    return r.stdout


def test_a_sentence_is_one_model_input_whatever_its_formatting(tmp_path: Path, monkeypatch) -> None:
    rec = Recorder(monkeypatch)
    src = tmp_path / "brief.md"
    src.write_text(f"{LINK}\n\n{CODE}\n", encoding="utf-8")
    translate(src, "--source-lang", "de")
    assert "Ich habe jedoch nur eine Vorlage gefunden, die wirklich passt." in rec.inputs
    [code] = [t for t in rec.inputs if t.startswith("Der Antrag muss")]
    assert code.startswith("Der Antrag muss bis zum Monatsende beim ") and code.endswith(" eingehen.")
    assert "Ich habe jedoch nur" not in rec.inputs and "gefunden, die wirklich **passt**." not in rec.inputs
    # Link targets and inline code never reach the model (the code span is masked by the faithful layer).
    assert not any("example.org" in t or "Jobcenter" in t or "`" in t or "*" in t for t in rec.inputs)


def test_spans_land_on_the_english_words(tmp_path: Path, monkeypatch) -> None:
    Recorder(monkeypatch, {
        "Ich habe jedoch nur eine Vorlage gefunden, die wirklich passt.": "However, I only found one template that really fits.",
        "eine Vorlage": "a template", "passt": "fits",
        "Der Antrag muss bis zum Monatsende beim `Jobcenter` eingehen.":
            "The application must reach the `Jobcenter` by the end of the month.",
        "bis zum Monatsende": "by the end of the month",
    })
    src = tmp_path / "brief.md"
    src.write_text(f"{LINK}\n\n{CODE}\n", encoding="utf-8")
    out = translate(src, "--source-lang", "de", "--no-protect")
    assert out == (
        "However, I only found one [template](https://example.org/vorlage) that really **fits**.\n\n"
        "The application must reach the `Jobcenter` *by the end of the month*.\n"
    )


def test_echo_round_trip_is_byte_identical(tmp_path: Path) -> None:
    src = tmp_path / "merkblatt.md"
    src.write_text(RICH, encoding="utf-8")
    r = runner.invoke(app, ["translate", str(src), "--engine", "echo", "-q", "-o", f"{tmp_path}/out/"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out" / "merkblatt.en.md").read_bytes() == src.read_bytes()


def test_units_of_every_construct(tmp_path: Path) -> None:
    ex = MarkdownBackend().read_text(RICH, "merkblatt.md")
    texts = [u.text for u in ex.units]
    assert texts[0] == "Hinweise zum Antrag" and ex.units[0].role == "heading"
    assert texts[1].startswith("Ich habe jedoch nur eine Vorlage gefunden, die wirklich passt. Der Antrag muss")
    assert "`Jobcenter`" in texts[1] and "Umbruch & ein Entity." in texts[1]
    assert "Ein Zitat über zwei Zeilen mit https://example.org/zitat." in texts
    assert "Regelbedarf für | Alleinstehende" in texts and "563,00 €" not in texts  # no letters: not a unit
    assert [u.role for u in ex.units if u.text.startswith(("Ein Zitat", "Erster", "Setze", "Die Fußnote"))] == [
        "quote", "list_item", "paragraph", "note"]
    assert "Setze *keine* Sterne und nutze HTML im Satz." in texts
    assert "Die Fußnote mit Betonung." in texts and "Überschrift zwei" in texts
    joined = "\n".join(texts)
    assert "HTML-Block bleibt wie er ist." in texts  # an HTML block's text, read by the HTML backend
    for never in ("Kein Deutsch", "Hallo Welt", "eingerückter Code", "Merkblatt", "logo.png",
                  "Die Vorlage", "[^1]"):
        assert never not in joined  # code, HTML blocks, front matter, images, definitions: not units
    link = next(s for u in ex.units for s in u.spans if s.link == "https://example.org/vorlage")
    assert link.style.close == "][vorlage]"  # the reference form is kept


def test_translated_rich_document_keeps_its_structure(tmp_path: Path, monkeypatch) -> None:
    from markdown_it import MarkdownIt

    Recorder(monkeypatch)
    src = tmp_path / "merkblatt.md"
    src.write_text(RICH, encoding="utf-8")
    pipeline_module_engine_prefix = "EN "

    class Upper(EchoEngine):
        def generate(self, texts, options, progress=None):
            return [pipeline_module_engine_prefix + t for t in texts]

    monkeypatch.setattr(pipeline_module, "load_engine", lambda model, options: Upper(model))
    out = translate(src, "--source-lang", "de", "--no-protect")
    assert out.startswith("---\ntitle: Merkblatt\n---\n\n# EN Hinweise zum *Antrag* #\n")
    for kept in ("```python\n# Kein Deutsch übersetzen\nprint(\"Hallo Welt\")\n```", "    eingerückter Code bleibt",
                 '<div class="hinweis">\nEN HTML-Block bleibt wie er ist.\n</div>',
                 '[vorlage]: https://example.org/vorlage "Die Vorlage"', "|:--------|-------:|"):
        assert kept in out
    parsed = MarkdownIt("commonmark").enable("table").parse(out)
    assert [t.type for t in parsed if t.type.endswith("_open")].count("tr_open") == 3  # the table is still a table
    for anchor in ('![Logo](logo.png "Logo")', "Punkt[^1]", "<https://example.org/zitat>", "eingehen. \\\nEN"):
        assert anchor in out
    assert "| EN Regelbedarf für \\| Alleinstehende |" in out  # a pipe in a cell stays escaped


def test_translated_text_cannot_create_markup(tmp_path: Path, monkeypatch) -> None:
    Recorder(monkeypatch, {"Ein Satz.": "1. Costs 5 * 3 [approx] <b>_x_"})
    src = tmp_path / "a.md"
    src.write_text("Ein Satz.\n", encoding="utf-8")
    out = translate(src, "--source-lang", "de", "--no-protect")
    assert out == "1\\. Costs 5 \\* 3 \\[approx\\] \\<b>\\_x\\_\n"


def test_english_paragraph_in_german_markdown_is_kept(tmp_path: Path, monkeypatch) -> None:
    rec = Recorder(monkeypatch)
    english = "The city council approved next year's budget on **Monday** evening after a long debate."
    src = tmp_path / "a.md"
    src.write_text(
        "Der Gemeinderat hat am Montagabend den Haushalt für das kommende Jahr beschlossen.\n\n"
        f"{english}\n\nDie Ausgaben für Schulen und Kindergärten steigen deutlich.\n",
        encoding="utf-8",
    )
    r = runner.invoke(app, ["translate", str(src), "--engine", "echo", "--no-memory", "-f", "json"])
    assert r.exit_code == 0, r.output
    rec_json = json.loads(r.stdout)
    assert [s["origin"] for s in rec_json["segments"]] == ["model", "kept-english", "model"]
    assert not any("city council" in t for t in rec.inputs)
    assert english in rec_json["translation"]


def test_segment_command_shows_markdown_units(tmp_path: Path) -> None:
    src = tmp_path / "a.md"
    src.write_text(f"{LINK}\n", encoding="utf-8")
    r = runner.invoke(app, ["segment", str(src), "--format", "json"])
    assert r.exit_code == 0, r.output
    [unit] = json.loads(r.stdout)
    assert unit["text"] == "Ich habe jedoch nur eine Vorlage gefunden, die wirklich passt."
    assert [(s["text"], s["link"]) for s in unit["spans"]] == [("eine Vorlage", "https://example.org/vorlage"), ("passt", None)]


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("# Überschrift eins\n\nText.\n\n## Zweite Überschrift ##\n\n###### Klein. Zwei Sätze?\n",
         [("heading", "Überschrift eins"), ("paragraph", "Text."), ("heading", "Zweite Überschrift"),
          ("heading", "Klein. Zwei Sätze?")]),
        ("Vorher.\n\n```python\nprint('Hallo. Welt.')\n```\n\n~~~\nTilde. Code.\n~~~\n\n"
         "    eingerückter Code. Nicht übersetzen.\n    zweite Zeile\n\nRufe `foo(x)` auf, um zu starten. Fertig.\n",
         [("paragraph", "Vorher."), ("paragraph", "Rufe `foo(x)` auf, um zu starten. Fertig.")]),
        ("Text.\n\n```\nCode. Mehr Code.\n\nNoch Code.", [("paragraph", "Text.")]),  # an unclosed fence runs to the end
        ('Siehe [die Doku](https://example.de/doc.html "Titel") oder <https://example.de>. ![Bild](a.png) Ende.',
         [("paragraph", "Siehe die Doku oder https://example.de.  Ende.")]),
        ("[![Build](https://ci/badge.svg)](https://ci) Ein [Verweis][ref] hier.\n\n[ref]: https://example.de\n",
         [("paragraph", " Ein Verweis hier.")]),
        ("Das ist **sehr** wichtig. *Wirklich.* Gut.", [("paragraph", "Das ist sehr wichtig. Wirklich. Gut.")]),
        ("---\ntitle: Hallo\n---\n> Zitat eins.\n> Zitat zwei.\n\n| Spalte A | Spalte B |\n|---|:---:|\n"
         "| Wert eins | Wert zwei |\n\n<!-- Kommentar.\n\nNoch Kommentar. -->\nEnde.\n",
         [("quote", "Zitat eins. Zitat zwei."), ("cell", "Spalte A"), ("cell", "Spalte B"), ("cell", "Wert eins"),
          ("cell", "Wert zwei"), ("paragraph", "Ende.")]),
        ("- Punkt mit [Link](x.html).\n- Punkt `code` zwei\n\n1. Erstens\n",
         [("list_item", "Punkt mit Link."), ("list_item", "Punkt `code` zwei"), ("list_item", "Erstens")]),
        ("<div>\n\nIm *HTML*-Block ein Absatz.\n\n</div>\n", [("paragraph", "Im HTML-Block ein Absatz.")]),
    ],
    ids=["headings", "code", "unclosed-fence", "links", "badge-and-reference", "emphasis", "blocks", "lists",
         "markdown-inside-html"],
)
def test_units_of_markdown_constructs(text: str, units: list[tuple[str, str]]) -> None:
    ex = MarkdownBackend().read_text(text, "a.md")
    assert [(u.role, u.text) for u in ex.units] == units
    assert MarkdownBackend().write(ex, list(ex.units)).decode("utf-8") == text  # unchanged: byte for byte
