"""Lean tokenizers: transformers' encode/decode on sentencepiece or tokenizers alone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import ModelLoadError
from .cache import METADATA_FILE

_SPIECE_UNDERLINE = "▁"


def _clean_up_tokenization(text: str) -> str:
    """transformers' clean_up_tokenization."""
    for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                 (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")):  # fmt: skip
        text = text.replace(a, b)
    return text


class _MarianTokenizer:
    """MarianTokenizer's encode/decode on sentencepiece alone."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        import sentencepiece as spm

        self.source = spm.SentencePieceProcessor(model_file=str(path / "source.spm"))
        target = spm.SentencePieceProcessor(model_file=str(path / "target.spm"))
        self.decoder = target if meta.get("decode_with") == "target" else self.source
        self.eos = meta["eos_token"]
        self.special = set(meta["special_tokens"])
        self.cleanup = bool(meta.get("clean_up_tokenization_spaces"))
        self.added = {t["content"]: t for t in meta.get("added_tokens", [])}
        for token in self.special:
            self.added.setdefault(token, {"content": token, "lstrip": False, "rstrip": False, "single_word": False})
        alternatives = sorted(self.added, key=len, reverse=True)
        self.splitter = re.compile("(" + "|".join(re.escape(t) for t in alternatives) + ")") if alternatives else None

    def _split(self, text: str) -> list[str]:
        """transformers' split on added tokens, with their lstrip/rstrip/single_word rules."""
        if self.splitter is None:
            return [text]
        parts = self.splitter.split(text)  # odd positions are added tokens
        for i in range(1, len(parts), 2):
            info = self.added[parts[i]]
            if info["rstrip"] and i + 1 < len(parts):
                parts[i + 1] = parts[i + 1].lstrip()
            if info["lstrip"]:
                parts[i - 1] = parts[i - 1].rstrip()
            if info["single_word"]:
                if parts[i - 1] and parts[i - 1][-1] != " ":
                    parts[i - 1] += parts[i]
                    parts[i] = ""
                elif i + 1 < len(parts) and parts[i + 1] and parts[i + 1][0] != " ":
                    parts[i + 1] = parts[i] + parts[i + 1]
                    parts[i] = ""
        return parts

    def encode(self, text: str) -> list[str]:
        tokens: list[str] = []
        for part in self._split(text):
            if not part:
                continue
            if part in self.added:
                tokens.append(part)
                continue
            if part.startswith(">>") and (end := part.find("<<")) != -1:  # target language code
                tokens.append(part[: end + 2])
                part = part[end + 2 :]
            tokens.extend(self.source.encode(part, out_type=str))
        tokens.append(self.eos)
        return tokens

    def encode_batch(self, texts: Sequence[str]) -> list[list[str]]:
        return [self.encode(t) for t in texts]

    def decode(self, tokens: Sequence[str]) -> str:
        pieces = [t for t in tokens if t not in self.special]
        text = self.decoder.decode_pieces(pieces).replace(_SPIECE_UNDERLINE, " ").strip()
        return _clean_up_tokenization(text) if self.cleanup else text


class _FastTokenizer:
    """A transformers fast tokenizer's encode/decode on the `tokenizers` library alone."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tok.no_truncation()
        self.tok.no_padding()
        self.cleanup = bool(meta.get("clean_up_tokenization_spaces"))

    def encode_batch(self, texts: Sequence[str]) -> list[list[str]]:
        return [e.tokens for e in self.tok.encode_batch(list(texts), add_special_tokens=True)]

    def decode(self, tokens: Sequence[str]) -> str:
        ids = [i for i in (self.tok.token_to_id(t) for t in tokens) if i is not None]
        text = self.tok.decode(ids, skip_special_tokens=True)
        return _clean_up_tokenization(text) if self.cleanup else text


def load_tokenizer(path: Path, meta: dict[str, Any]) -> _MarianTokenizer | _FastTokenizer:
    if meta.get("kind") == "marian":
        return _MarianTokenizer(path, meta)
    if meta.get("kind") == "tokenizers":
        return _FastTokenizer(path, meta)
    raise ModelLoadError(f"unknown tokenizer kind {meta.get('kind')!r} in {path / METADATA_FILE}")
