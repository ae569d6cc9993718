"""Build small random-weight seq2seq checkpoints with real tokenizers trained on the fly.

Every builder writes a directory in the Hugging Face layout (``config.json``,
``generation_config.json``, ``model.safetensors``, tokenizer files) that loads with
``AutoTokenizer.from_pretrained(dir)`` / ``AutoModelForSeq2SeqLM.from_pretrained(dir)`` and
converts with ``ctranslate2.converters.TransformersConverter(dir)``, like a hub checkpoint.
Nothing is downloaded; the result is a pure function of the arguments (byte-identical files).

The defaults are tiny (all three builders take well under a second once torch and transformers
are imported); the same builders with the real hyper-parameters (:func:`build_opus_mt_like`,
:func:`build_distilbart_like`) give full-size models for benchmarks. The weights are random, so
the output is nonsense: use these to test plumbing and to measure speed, never quality. Random
models seldom emit ``</s>``, so benchmarks should fix the output length (``max_new_tokens`` /
``max_decoding_length``) rather than rely on EOS.

Importable from tests (``import factory``; conftest.py puts tests/ on ``sys.path``) and from
benchmark scripts after ``sys.path.insert(0, str(repo / "tests"))``. Heavy imports (torch,
transformers, sentencepiece, tokenizers) happen inside the builders, so importing this module
is cheap.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "german_english_corpus",
    "shared_corpus",
    "build_marian",
    "build_bart",
    "build_t5",
    "build_opus_mt_like",
    "build_distilbart_like",
]

#: Filler tokens (``DUMMY_TOKEN.format(i)``) appended when the corpus supports fewer pieces than
#: the requested vocab size, so that tokenizer and embedding sizes agree. Never produced by encoding.
DUMMY_TOKEN = "<dummy_{}>"


# --------------------------------------------------------------------------------------------
# Training corpus
# --------------------------------------------------------------------------------------------

# Nouns with their nominative definite article (the adjective then ends in -e for every gender).
_DE_NOUNS = [
    ("der", "Bürgermeister"), ("die", "Ärztin"), ("der", "Mann"), ("das", "Mädchen"),
    ("die", "Regierung"), ("der", "Künstler"), ("die", "Bäckerin"), ("der", "Außenminister"),
    ("das", "Team"), ("der", "Verein"), ("die", "Frau"), ("die", "Polizei"), ("der", "Präsident"),
    ("die", "Stadtverwaltung"), ("die", "Lehrerin"), ("der", "Hund"), ("die", "Familie"),
    ("der", "Schüler"), ("die", "Studentin"), ("der", "Bauer"), ("die", "Richterin"),
    ("der", "Fußballspieler"), ("die", "Sängerin"), ("der", "Gärtner"), ("das", "Unternehmen"),
    ("die", "Gemeinde"), ("der", "Zug"), ("die", "Brücke"), ("das", "Krankenhaus"),
    ("die", "Bibliothek"), ("der", "Flughafen"), ("das", "Rathaus"), ("die", "Kirche"),
    ("der", "Bahnhof"), ("die", "Schule"), ("das", "Museum"), ("der", "Markt"), ("die", "Fabrik"),
    ("der", "Wissenschaftler"), ("die", "Forscherin"), ("der", "Journalist"), ("die", "Katze"),
    ("der", "Vogel"), ("das", "Pferd"), ("die", "Kommission"), ("der", "Minister"),
    ("die", "Bundeskanzlerin"), ("der", "Landtag"), ("das", "Parlament"), ("die", "Gewerkschaft"),
    ("der", "Händler"), ("die", "Kellnerin"), ("der", "Feuerwehrmann"), ("die", "Nachbarin"),
    ("der", "Großvater"), ("die", "Großmutter"), ("das", "Orchester"), ("der", "Dirigent"),
    ("die", "Mannschaft"), ("der", "Trainer"), ("die", "Übersetzerin"), ("der", "Koch"),
]
_DE_ADJECTIVES = [
    "alte", "neue", "große", "kleine", "junge", "müde", "fröhliche", "bekannte", "schöne",
    "grüne", "rote", "österreichische", "bayerische", "schweizerische", "erfahrene", "nervöse",
    "höfliche", "zuständige", "frühere", "örtliche", "ehrgeizige", "schüchterne", "berühmte",
    "gefährliche", "mutige", "ruhige", "glückliche", "häßliche", "günstige", "ehemalige",
]
_DE_PREDICATES = [
    "wartet seit {n} Minuten am Bahnsteig", "läuft schnell über die Brücke",
    "überquert die Straße", "kauft frisches Gemüse auf dem Markt", "liest ein spannendes Buch",
    "schreibt einen langen Brief an die Behörde", "spielt im Garten mit den Kindern",
    "fährt mit dem Fahrrad zur Arbeit", "besucht das Konzert im Stadtpark",
    "repariert das kaputte Dach", "kocht eine würzige Suppe", "beantwortet geduldig alle Fragen",
    "verlässt das Gebäude um {h} Uhr", "gewinnt den Wettbewerb überraschend",
    "öffnet die Tür zum Sitzungssaal", "erklärt die neuen Regeln",
    "trinkt einen Kaffee im Bahnhofscafé", "malt ein Bild von den Bergen",
    "verkauft Äpfel, Birnen und Kartoffeln", "unterstützt die Flüchtlinge in der Unterkunft",
    "verschiebt die Entscheidung auf nächste Woche", "übernimmt die Verantwortung für den Fehler",
    "diskutiert über den Klimaschutz", "sucht eine günstige Wohnung in der Innenstadt",
    "bereitet sich auf die Prüfung vor", "fotografiert die Sehenswürdigkeiten",
    "schließt den Vertrag mit {n} Partnern ab", "kritisiert die Erhöhung der Mieten",
    "hört im Radio die Nachrichten", "spendet {n} Euro für das Tierheim",
]
_DE_ADVERBIALS = [
    "am Montagmorgen", "im Jahr {y}", "nach dem Gewitter", "trotz des Regens",
    "während der Sommerferien", "am {d}. Mai", "kurz vor Mitternacht", "seit Anfang {y}",
    "in Wien", "in Zürich", "in Hamburg", "in der Nähe von Graz", "bei strahlendem Sonnenschein",
    "wegen der Bauarbeiten", "zum ersten Mal", "jeden Donnerstag", "ohne große Begeisterung",
]
_DE_COMPOUND_HEADS = [
    "Stadt", "Bahn", "Haus", "Wasser", "Kinder", "Sonnen", "Fuß", "Welt", "Bundes", "Landes",
    "Wetter", "Schul", "Straßen", "Arbeits", "Energie", "Gesundheits", "Verkehrs", "Umwelt",
]
_DE_COMPOUND_TAILS = [
    "haus", "platz", "garten", "rat", "meister", "zeit", "preis", "karte", "politik", "gesetz",
    "behörde", "netz", "versorgung", "ministerium", "bericht", "wechsel",
]
_DE_SPEECH = [
    "hat am Montag erklärt", "berichtete gestern", "kündigte überraschend an",
    "betonte in einer Pressekonferenz", "schrieb in einem Brief", "sagte der Zeitung",
    "bestätigte am Freitag", "erklärte während des Treffens", "teilte mit", "räumte ein",
]
_DE_CLAUSES = [
    "dass die Straße über den Fluss nächste Woche gesperrt wird",
    "dass die Preise für Lebensmittel um {n} Prozent gestiegen sind",
    "dass der Zug aus Köln mit {n} Minuten Verspätung ankommt",
    "dass die Schule im Frühjahr größer wird",
    "dass man die Gebühren für Müll und Wasser erhöhen müsse",
    "dass {n} Menschen an der Veranstaltung teilgenommen haben",
    "dass die Brücke bis zum {d}. März {y} fertig sein soll",
    "dass es im Süden Österreichs zu starken Schneefällen kommen könnte",
    "dass die Bevölkerung über die Maßnahmen abstimmen darf",
    "dass das Gesetz im Jänner {y} in Kraft tritt",
    "dass die Gespräche „konstruktiv und offen“ verlaufen seien",
    "dass über {n} Übernachtungen gezählt wurden",
]
_DE_SIMPLE = [
    "Das ist ein Test.",
    "Die Straße ist schön.",
    "Ich möchte bitte einen Kaffee mit Milch und Zucker.",
    "Wie spät ist es? Es ist schon {h} Uhr.",
    "Köln, Düsseldorf und Nürnberg liegen in Deutschland.",
    "Grüß Gott! Wie geht es Ihnen heute?",
    "Im Sommer fahren wir an die Nordsee, im Winter in die Berge.",
    "Der Bericht umfasst {n} Seiten und wurde am {d}.{m}.{y} veröffentlicht.",
    "„Wir sind sehr zufrieden“, sagte die Geschäftsführerin.",
    "Die Temperaturen steigen auf bis zu {n} Grad – ein neuer Rekord.",
    "Fünf Kinder spielen im Park neben dem großen Brunnen.",
    "Zwei Männer sitzen vor einem Café und lesen Zeitung.",
    "Die Größe des Gebäudes beträgt {n} Quadratmeter.",
    "Der Gewinn stieg im dritten Quartal auf {n},{h} Millionen Euro.",
    "Über die Zukunft der Kohlekraftwerke wird weiter gestritten.",
    "Bitte schließen Sie die Tür, es zieht!",
    "Wählen Sie die Nummer {n}-{h}{m}, falls Fragen auftreten.",
    "Laut Statistik Austria lebten Ende {y} rund {n} Personen in der Gemeinde.",
    "Die Verhandlungen (erste Runde) dauerten {h} Stunden; eine Einigung gab es nicht.",
    "Straßenbahnfahrer, Busfahrerinnen und Taxifahrer streiken am Donnerstag.",
]
_EN_NOUNS = [
    "mayor", "doctor", "old man", "girl", "government", "artist", "baker", "foreign minister",
    "team", "club", "young woman", "police officer", "president", "teacher", "dog", "family",
    "student", "farmer", "judge", "football player", "singer", "gardener", "company", "council",
    "train", "bridge", "hospital", "library", "airport", "town hall", "scientist", "journalist",
    "cat", "horse", "committee", "minister", "orchestra", "coach", "translator", "cook",
]
_EN_ADJECTIVES = [
    "old", "new", "tall", "small", "young", "tired", "cheerful", "famous", "beautiful", "green",
    "experienced", "nervous", "polite", "former", "local", "ambitious", "shy", "brave", "quiet",
]
_EN_PREDICATES = [
    "has been waiting on the platform for {n} minutes", "runs quickly across the bridge",
    "crosses the street", "buys fresh vegetables at the market", "reads an exciting book",
    "writes a long letter to the authorities", "plays in the garden with the children",
    "rides a bicycle to work", "visits the concert in the city park", "repairs the broken roof",
    "cooks a spicy soup", "patiently answers every question", "leaves the building at {h} o'clock",
    "unexpectedly wins the competition", "explains the new rules", "paints a picture of the mountains",
    "sells apples, pears and potatoes", "postpones the decision until next week",
    "criticises the rent increase", "donates {n} euros to the animal shelter",
]
_EN_ADVERBIALS = [
    "on Monday morning", "in {y}", "after the thunderstorm", "despite the rain",
    "during the summer holidays", "on May {d}", "shortly before midnight", "in Vienna", "in Zurich",
    "near Graz", "because of the roadworks", "for the first time", "every Thursday",
]
_EN_SPEECH = [
    "said on Monday", "reported yesterday", "announced unexpectedly", "stressed at a press conference",
    "wrote in a letter", "told the newspaper", "confirmed on Friday", "explained during the meeting",
]
_EN_CLAUSES = [
    "that the road across the river will be closed next week",
    "that food prices have risen by {n} percent",
    "that the train from Cologne will arrive {n} minutes late",
    "that {n} people took part in the event",
    "that the bridge should be finished by March {d}, {y}",
    "that heavy snowfall is expected in southern Austria",
    "that the talks had been \"constructive and open\"",
    "that the law will take effect in January {y}",
]
_EN_SIMPLE = [
    "This is a test.",
    "The quick brown fox jumps over the lazy dog.",
    "I would like a coffee with milk and sugar, please.",
    "What time is it? It is already {h} o'clock.",
    "Cologne, Düsseldorf and Nuremberg are cities in Germany.",
    "Five children are playing in the park next to the big fountain.",
    "The report has {n} pages and was published on {m}/{d}/{y}.",
    "\"We are very satisfied,\" said the managing director.",
    "Temperatures will climb to {n} degrees - a new record.",
    "Profits rose to {n}.{h} million euros in the third quarter.",
    "Please close the door; there is a draught!",
    "Tram drivers, bus drivers and taxi drivers are on strike on Thursday.",
]


def german_english_corpus() -> list[str]:
    """About 650 varied German and English sentences (≈2,000 distinct words), generated deterministically.

    Templates with umlauts, ß, compounds, numbers, dates, punctuation and „German“ / "English"
    quotes; enough to train small sentencepiece / BPE tokenizers that split German into
    sensible pieces. No files needed.
    """
    rng = random.Random(1234)

    def fill(template: str) -> str:
        return template.format(
            n=rng.choice([3, 7, 12, 25, 48, 150, 1000, 2024, 37500, rng.randint(2, 999)]),
            d=rng.randint(1, 28),
            m=rng.randint(1, 12),
            y=rng.randint(1990, 2030),
            h=rng.randint(1, 12),
        )

    out: list[str] = []
    for _ in range(260):
        article, noun = rng.choice(_DE_NOUNS)
        adjective = rng.choice(_DE_ADJECTIVES)
        sentence = f"{article.capitalize()} {adjective} {noun} {fill(rng.choice(_DE_PREDICATES))}"
        if rng.random() < 0.5:
            sentence += " " + fill(rng.choice(_DE_ADVERBIALS))
        out.append(sentence + rng.choice([".", ".", ".", "!"]))
    for _ in range(100):
        article, noun = rng.choice(_DE_NOUNS)
        out.append(f"{article.capitalize()} {noun} {rng.choice(_DE_SPEECH)}, {fill(rng.choice(_DE_CLAUSES))}.")
    for head in _DE_COMPOUND_HEADS:
        tails = rng.sample(_DE_COMPOUND_TAILS, 4)
        words = [head + tail for tail in tails]
        out.append(f"Im Bericht über {words[0]} und {words[1]} geht es auch um {words[2]}.")
        out.append(f"„{words[3]}“ ist ein typisch deutsches Wort.")
    for template in _DE_SIMPLE:
        out.extend(fill(template) for _ in range(3))
    for _ in range(150):
        noun, adjective = rng.choice(_EN_NOUNS), rng.choice(_EN_ADJECTIVES)
        article = "An" if adjective[0] in "aeiou" else "A"
        sentence = f"{rng.choice(['The', article])} {adjective} {noun} {fill(rng.choice(_EN_PREDICATES))}"
        if rng.random() < 0.5:
            sentence += " " + fill(rng.choice(_EN_ADVERBIALS))
        out.append(sentence + ".")
    for _ in range(40):
        out.append(f"The {rng.choice(_EN_NOUNS)} {rng.choice(_EN_SPEECH)} {fill(rng.choice(_EN_CLAUSES))}.")
    for template in _EN_SIMPLE:
        out.extend(fill(template) for _ in range(3))
    rng.shuffle(out)
    return out


def shared_corpus(shared_dir: str | Path | None = None, *, max_lines: int | None = None) -> list[str]:
    """Real German/English text from ``../shared/corpus`` (news articles, Multi30k), or ``[]``.

    Benchmarks pass this (plus :func:`german_english_corpus`) as ``corpus=`` to get tokenizers
    whose pieces, and therefore sequence lengths, resemble the real models' on real text.
    """
    if shared_dir is None:
        shared_dir = Path(__file__).resolve().parents[1].parent / "shared"
    root = Path(shared_dir) / "corpus"
    if not root.is_dir():
        return []
    lines: list[str] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        lines.extend(line.strip() for line in text.splitlines() if line.strip())
        if max_lines is not None and len(lines) >= max_lines:
            return lines[:max_lines]
    return lines


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _corpus(corpus: Iterable[str] | None) -> list[str]:
    lines = [line for line in (corpus if corpus is not None else german_english_corpus()) if line.strip()]
    if not lines:
        raise ValueError("corpus is empty")
    return lines


def _train_sentencepiece(
    corpus: list[str],
    vocab_size: int,
    *,
    pad_id: int,
    eos_id: int,
    unk_id: int,
    bos_id: int = -1,
    model_type: str = "unigram",
) -> bytes:
    """Train a sentencepiece model in memory; ``vocab_size`` is an upper bound (soft limit)."""
    import io

    import sentencepiece as spm

    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus),
        model_writer=buf,
        model_type=model_type,
        vocab_size=vocab_size,
        hard_vocab_limit=False,
        character_coverage=1.0,
        pad_id=pad_id,
        eos_id=eos_id,
        unk_id=unk_id,
        bos_id=bos_id,
        num_threads=1,  # deterministic
        minloglevel=2,
        max_sentence_length=1 << 16,
    )
    return buf.getvalue()


def _dummy_tokens(existing: Iterable[str], count: int) -> list[str]:
    taken = set(existing)
    out: list[str] = []
    i = 0
    while len(out) < count:
        tok = DUMMY_TOKEN.format(i)
        if tok not in taken:
            out.append(tok)
        i += 1
    return out


def _init_model(model_class, config, seed: int, input_sensitive: bool):
    """Instantiate ``model_class(config)`` with seeded weights, leaving the caller's RNG alone."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = model_class(config)
        if input_sensitive:
            _spread_weights(model, config.d_model)
    return model


def _spread_weights(model, d_model: int) -> None:
    """Re-draw the weight matrices with larger variances so that outputs depend on the input.

    With the architectures' own initialisation (std 0.02) a random model attends almost
    uniformly and greedy search emits the same tokens for every input, which makes tests of
    batching, ordering or engine agreement toothless. Embeddings get std 1, attention
    projections 0.5 and feed-forward matrices 0.2 (scaled by sqrt(32 / d_model)); position
    embeddings, biases and norms keep their initialisation. Uses the current torch RNG state.
    """
    import torch

    k = (32 / d_model) ** 0.5
    with torch.no_grad():
        for name, param in model.named_parameters():  # tied weights are listed once
            if param.dim() != 2 or "embed_positions" in name or "relative_attention_bias" in name:
                continue
            if "shared" in name or "embed_tokens" in name or "lm_head" in name:
                param.normal_(0.0, 1.0)
            elif "attn" in name or "Attention" in name:
                param.normal_(0.0, 0.5 * k)
            elif "fc" in name or "DenseReluDense" in name:
                param.normal_(0.0, 0.2 * k)


def _save_model(model, out_dir: Path, generation: dict) -> None:
    from transformers import GenerationConfig

    model.generation_config = GenerationConfig(**generation)
    model.eval()
    model.save_pretrained(out_dir)


def _prepare_dir(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _patch_tokenizer_config(out_dir: Path, **fields) -> None:
    path = out_dir / "tokenizer_config.json"
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.update(fields)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# MarianMT (opus-mt-*)
# --------------------------------------------------------------------------------------------


def build_marian(
    out_dir: str | Path,
    *,
    vocab_size: int = 800,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn: int = 64,
    max_positions: int = 512,
    corpus: Iterable[str] | None = None,
    seed: int = 0,
    zero_pad_row: bool = True,
    input_sensitive: bool = True,
    decoder_layers: int | None = None,
    num_beams: int = 4,
    spm_model_type: str = "bpe",
) -> Path:
    """A random-weight ``MarianMTModel`` + ``MarianTokenizer`` laid out like Helsinki-NLP/opus-mt-*.

    Files: config.json, generation_config.json (beam ``num_beams``, max_length = max_positions,
    ``bad_words_ids=[[pad]]``), model.safetensors, source.spm = target.spm (one joint
    sentencepiece model of type ``spm_model_type``), vocab.json (``</s>``=0, ``<unk>``=1, the
    pieces, ``<dummy_N>`` fillers if the corpus supports fewer pieces, ``<pad>``=vocab_size-1),
    tokenizer_config.json (``model_max_length`` = max_positions).

    ``layers`` is the encoder depth and, unless ``decoder_layers`` is given, the decoder's.
    ``zero_pad_row`` zeroes the ``<pad>`` embedding (the decoder start token), as in OPUS-MT
    checkpoints; CTranslate2 starts the Marian decoder from a zero vector, so only then do
    CTranslate2 and transformers agree. ``input_sensitive`` see :func:`_spread_weights`.
    ``spm_model_type="bpe"`` because sentencepiece's unigram trainer, on a corpus of a few
    hundred sentences, keeps odd pieces (``▁Di`` ``e``); on real text either works.
    """
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out = _prepare_dir(out_dir)
    lines = _corpus(corpus)
    if vocab_size < 10:
        raise ValueError("vocab_size must be at least 10")

    # sentencepiece ids: <unk>=0, </s>=1, then pieces; vocab.json: </s>=0, <unk>=1, pieces, <pad>.
    model_proto = _train_sentencepiece(
        lines, vocab_size - 1, unk_id=0, eos_id=1, pad_id=-1, model_type=spm_model_type
    )
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=model_proto)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size()) if i not in (0, 1)]
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    if len(vocab) > vocab_size - 1:
        raise AssertionError("sentencepiece produced more pieces than requested")
    for tok in _dummy_tokens(vocab, vocab_size - 1 - len(vocab)):
        vocab[tok] = len(vocab)
    pad_id = len(vocab)
    vocab["<pad>"] = pad_id
    assert len(vocab) == vocab_size

    with tempfile.TemporaryDirectory() as tmp:
        spm_path = Path(tmp) / "joint.spm"
        spm_path.write_bytes(model_proto)
        vocab_path = Path(tmp) / "vocab.json"
        vocab_path.write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tokenizer = MarianTokenizer(
            source_spm=str(spm_path),
            target_spm=str(spm_path),
            vocab=str(vocab_path),
            source_lang="de",
            target_lang="en",
            model_max_length=max_positions,
        )
        tokenizer.save_pretrained(out)

    config = MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=decoder_layers if decoder_layers is not None else layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        pad_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        decoder_start_token_id=pad_id,
        bos_token_id=None,
        dropout=0.1,
        attention_dropout=0.0,
        activation_dropout=0.0,
        architectures=["MarianMTModel"],
    )
    model = _init_model(MarianMTModel, config, seed, input_sensitive)
    if zero_pad_row:
        import torch

        with torch.no_grad():
            for weight in _marian_vocab_matrices(model):
                weight[pad_id].zero_()
    _save_model(
        model,
        out,
        dict(
            bad_words_ids=[[pad_id]],
            bos_token_id=0,
            decoder_start_token_id=pad_id,
            eos_token_id=0,
            forced_eos_token_id=0,
            max_length=max_positions,
            num_beams=num_beams,
            pad_token_id=pad_id,
            renormalize_logits=True,
        ),
    )
    return out


def _marian_vocab_matrices(model) -> list:
    """The distinct weights whose rows are token ids (shared/tied ones appear once)."""
    weights = [
        model.model.shared.weight,
        model.model.encoder.embed_tokens.weight,
        model.model.decoder.embed_tokens.weight,
        model.lm_head.weight,
    ]
    return list({id(w): w for w in weights}.values())


# --------------------------------------------------------------------------------------------
# BART (distilbart-cnn-*)
# --------------------------------------------------------------------------------------------


def build_bart(
    out_dir: str | Path,
    *,
    vocab_size: int = 800,
    d_model: int = 32,
    encoder_layers: int = 2,
    decoder_layers: int = 1,
    heads: int = 2,
    ffn: int = 64,
    max_positions: int = 1024,
    corpus: Iterable[str] | None = None,
    seed: int = 0,
    input_sensitive: bool = True,
    generation: dict | None = None,
) -> Path:
    """A random-weight ``BartForConditionalGeneration`` + byte-level BPE tokenizer like facebook/bart.

    Special tokens ``<s>``=0, ``<pad>``=1, ``</s>``=2, ``<unk>``=3, ``<mask>``=vocab_size-1; the
    tokenizer has exactly ``vocab_size`` entries (filler tokens if the corpus is too small).
    ``generation`` overrides the distilbart-cnn generation defaults (beam 4, max_length 142,
    min_length 56, no_repeat_ngram_size 3, length_penalty 2.0, forced <s> first and </s> last).
    Files: config.json, generation_config.json, model.safetensors, tokenizer.json,
    tokenizer_config.json (transformers 5 writes no vocab.json / merges.txt).
    ``input_sensitive`` see :func:`_spread_weights`.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer

    out = _prepare_dir(out_dir)
    lines = _corpus(corpus)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    if vocab_size < 256 + len(specials) + 1:
        raise ValueError("a byte-level BPE vocabulary needs at least 261 entries")

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - 1,  # the last id is <mask>
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(lines, trainer)
    trained = json.loads(bpe.to_str())["model"]
    vocab: dict[str, int] = dict(sorted(trained["vocab"].items(), key=lambda kv: kv[1]))
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in trained["merges"]]
    assert [vocab[s] for s in specials] == [0, 1, 2, 3]
    for tok in _dummy_tokens(vocab, vocab_size - 1 - len(vocab)):
        vocab[tok] = len(vocab)
    vocab["<mask>"] = len(vocab)
    assert len(vocab) == vocab_size and sorted(vocab.values()) == list(range(vocab_size))

    tokenizer = BartTokenizer(vocab=vocab, merges=merges, model_max_length=max_positions)
    tokenizer.save_pretrained(out)
    # transformers 5 aliases BartTokenizer to RobertaTokenizer and records the latter; hub
    # checkpoints name BartTokenizer (AutoTokenizer resolves both to the same class).
    _patch_tokenizer_config(out, model_max_length=max_positions, tokenizer_class="BartTokenizer")

    config = BartConfig(
        vocab_size=vocab_size,
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions,
        activation_function="gelu",
        scale_embedding=False,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        architectures=["BartForConditionalGeneration"],
        # Legacy fields that hub BART checkpoints still carry in config.json; transformers 5's
        # BartConfig no longer defines them, and CTranslate2's BART converter reads
        # `config.normalize_before` unconditionally (AttributeError without it).
        normalize_before=False,
        normalize_embedding=True,
        add_final_layer_norm=False,
    )
    model = _init_model(BartForConditionalGeneration, config, seed, input_sensitive)
    gen = dict(
        bos_token_id=0,
        decoder_start_token_id=2,
        eos_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        pad_token_id=1,
        num_beams=4,
        max_length=142,
        min_length=56,
        length_penalty=2.0,
        no_repeat_ngram_size=3,
        early_stopping=True,
    )
    gen.update(generation or {})
    _save_model(model, out, gen)
    return out


# --------------------------------------------------------------------------------------------
# T5
# --------------------------------------------------------------------------------------------


def _spm_precompiled_charsmap(model_proto: bytes) -> bytes | None:
    """``normalizer_spec.precompiled_charsmap`` from a serialized sentencepiece ModelProto.

    A minimal protobuf reader (protobuf itself is not a dependency): ModelProto field 3 is the
    NormalizerSpec message, whose field 2 is the precompiled charsmap.
    """

    def fields(buf: bytes):
        i = 0
        while i < len(buf):
            key, i = _varint(buf, i)
            num, wire = key >> 3, key & 7
            if wire == 0:
                val, i = _varint(buf, i)
            elif wire == 1:
                val, i = buf[i : i + 8], i + 8
            elif wire == 2:
                length, i = _varint(buf, i)
                val, i = buf[i : i + length], i + length
            elif wire == 5:
                val, i = buf[i : i + 4], i + 4
            else:
                raise ValueError(f"unsupported protobuf wire type {wire}")
            yield num, wire, val

    for num, wire, val in fields(model_proto):
        if num == 3 and wire == 2:
            for n2, w2, v2 in fields(val):
                if n2 == 2 and w2 == 2:
                    return bytes(v2) or None
    return None


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def build_t5(
    out_dir: str | Path,
    *,
    vocab_size: int = 800,
    d_model: int = 32,
    layers: int = 2,
    heads: int = 2,
    ffn: int = 64,
    corpus: Iterable[str] | None = None,
    seed: int = 0,
    extra_ids: int = 0,
    input_sensitive: bool = True,
    decoder_layers: int | None = None,
    max_length: int = 512,
) -> Path:
    """A random-weight ``T5ForConditionalGeneration`` (v1.0 style: ReLU, tied embeddings) + unigram tokenizer.

    ``<pad>``=0 (also the decoder start), ``</s>``=1, ``<unk>``=2; ``extra_ids`` sentinel tokens
    occupy the last ids in increasing order (``<extra_id_0>`` first, unlike t5-small where it is
    the last id). ``vocab_size`` counts everything. Files: config.json, generation_config.json,
    model.safetensors, tokenizer.json, tokenizer_config.json (no spiece.model).
    ``input_sensitive`` see :func:`_spread_weights`.
    """
    import sentencepiece as spm
    from transformers import T5Config, T5ForConditionalGeneration, T5Tokenizer

    out = _prepare_dir(out_dir)
    lines = _corpus(corpus)
    n_regular = vocab_size - extra_ids
    if n_regular < 10:
        raise ValueError("vocab_size too small")
    model_proto = _train_sentencepiece(lines, n_regular, pad_id=0, eos_id=1, unk_id=2)
    sp = spm.SentencePieceProcessor(model_proto=model_proto)
    scored = [(sp.id_to_piece(i), float(sp.get_score(i))) for i in range(sp.get_piece_size())]
    scored[:3] = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    lowest = min(s for _, s in scored[3:])
    scored += [(tok, lowest - 10.0) for tok in _dummy_tokens((p for p, _ in scored), n_regular - len(scored))]
    assert len(scored) == n_regular

    tokenizer = T5Tokenizer(
        vocab=scored,
        extra_ids=extra_ids,
        _spm_precompiled_charsmap=_spm_precompiled_charsmap(model_proto),
        model_max_length=max_length,
    )
    tokenizer.save_pretrained(out)
    _patch_tokenizer_config(out, model_max_length=max_length)

    config = T5Config(
        vocab_size=vocab_size,
        d_model=d_model,
        d_kv=d_model // heads,
        d_ff=ffn,
        num_layers=layers,
        num_decoder_layers=decoder_layers if decoder_layers is not None else layers,
        num_heads=heads,
        feed_forward_proj="relu",
        tie_word_embeddings=True,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        n_positions=max_length,  # informational, as in t5-small's config.json (relative positions)
        architectures=["T5ForConditionalGeneration"],
    )
    model = _init_model(T5ForConditionalGeneration, config, seed, input_sensitive)
    _save_model(
        model,
        out,
        dict(decoder_start_token_id=0, eos_token_id=1, pad_token_id=0, max_length=max_length),
    )
    return out


# --------------------------------------------------------------------------------------------
# Real architectures (benchmarks)
# --------------------------------------------------------------------------------------------


def _benchmark_corpus(corpus: Iterable[str] | None) -> list[str]:
    if corpus is not None:
        return list(corpus)
    return german_english_corpus() + shared_corpus()


def build_opus_mt_like(out_dir: str | Path, corpus: Iterable[str] | None = None, *, seed: int = 0) -> Path:
    """Helsinki-NLP/opus-mt-de-en's architecture with random weights (74M parameters, ~300 MB).

    6+6 layers, d_model 512, 8 heads, FFN 2048, vocab 58101, swish, scaled and shared
    embeddings, 512 positions, zero ``<pad>`` row. Weights use the architecture's own
    initialisation (``input_sensitive=False``). ``corpus=None`` trains the tokenizer on
    :func:`german_english_corpus` plus :func:`shared_corpus` (when ``../shared`` exists, ~28k
    BPE pieces); the rest of the 58,101 ids are ``<dummy_N>`` fillers.
    """
    return build_marian(
        out_dir,
        vocab_size=58101,
        d_model=512,
        layers=6,
        heads=8,
        ffn=2048,
        max_positions=512,
        corpus=_benchmark_corpus(corpus),
        seed=seed,
        input_sensitive=False,
    )


def build_distilbart_like(out_dir: str | Path, corpus: Iterable[str] | None = None, *, seed: int = 0) -> Path:
    """sshleifer/distilbart-cnn-12-6's architecture with random weights (~306M parameters, ~1.2 GB).

    12 encoder + 6 decoder layers, d_model 1024, 16 heads, FFN 4096, vocab 50264, 1024
    positions, GELU, distilbart-cnn generation defaults. ``corpus`` as for
    :func:`build_opus_mt_like`.
    """
    return build_bart(
        out_dir,
        vocab_size=50264,
        d_model=1024,
        encoder_layers=12,
        decoder_layers=6,
        heads=16,
        ffn=4096,
        max_positions=1024,
        corpus=_benchmark_corpus(corpus),
        seed=seed,
        input_sensitive=False,
    )
