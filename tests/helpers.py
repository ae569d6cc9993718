"""Small test doubles shared by the test modules."""

from __future__ import annotations

import shutil
from pathlib import Path

from summtrans.engines.base import EchoEngine


class TakeFirstEngine(EchoEngine):
    """Echo that keeps the first `keep` words: a 'summarizer' whose outputs really shrink."""

    name = "take-first"

    def __init__(self, keep: int = 5, max_input_tokens: int = 64) -> None:
        super().__init__("take-first", max_input_tokens)
        self.keep = keep

    def generate(self, texts, options, progress=None):
        outs = super().generate(texts, options, progress)
        return [" ".join(t.split()[: self.keep]) for t in outs]


def install_in_hub_cache(model_dir: Path, hf_home: Path, repo_id: str, revision: str = "0123abcd") -> Path:
    """Lay out a local model as the hub cache would hold a downloaded `repo_id`."""
    repo = hf_home / "hub" / ("models--" + repo_id.replace("/", "--"))
    snap = repo / "snapshots" / revision
    shutil.copytree(model_dir, snap)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(revision)
    return snap
