"""models.yaml: loading and strict validation, in one place.

Every error names the file, the key path and what was expected.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engines import ENGINES, GenerationOptions
from ..engines.base import LENGTH_CAP
from ..errors import ConfigError, UsageError

TASKS = ("translation", "summarization")  # profile tasks
# Input languages (--source-lang): auto detects each document's (langdetect); German is translated
# by the translation profile, English is summarized as is (and copied through by translate).
SOURCE_LANGS = ("auto", "de", "en")
COMPUTE_TYPES = ("auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32")
CONFIG_ENV = "SUMMTRANS_CONFIG"
# A hub model id: `org/name` (letters, digits, `-`, `_`, `.`).
HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*")
# A git revision as the hub names one: a commit hash, a tag or a branch (no spaces, no '..').
REVISION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,127}")


def is_revision(value: Any) -> bool:
    """A hub revision summtrans accepts (models.yaml, bundle manifests)."""
    return isinstance(value, str) and REVISION.fullmatch(value) is not None and ".." not in value


# Summary length presets: generation limits for --length.
LENGTHS: dict[str, GenerationOptions] = {
    "short": GenerationOptions(min_length=10, max_new_tokens=60),
    "medium": GenerationOptions(min_length=30, max_new_tokens=142),
    "long": GenerationOptions(min_length=80, max_new_tokens=300),
}


@dataclass(frozen=True)
class Profile:
    """One model with its settings."""

    name: str  # profile name, or the model reference itself for ad-hoc models
    task: str  # translation | summarization
    model: str  # hub id or local directory
    revision: str | None = None  # hub commit, tag or branch to pin (None: the default branch)
    engine: str = "auto"  # one of engines.ENGINES
    compute_type: str | None = None  # None: engine default (int8 on CPU, float16 on CUDA)
    prefix: str = ""  # put before every input, e.g. "summarize: " for T5
    max_input_tokens: int | None = None  # None: the model's own input limit
    description: str = ""  # for people reading models.yaml
    generation: GenerationOptions = field(default_factory=GenerationOptions)
    glossary: str | None = None  # TSV/CSV glossary file (a relative path is relative to models.yaml)
    max_length_factor: float | None = None  # new tokens ≤ factor × input tokens + slack; 0: no cap; None: 2.0


@dataclass(frozen=True)
class Config:
    """A validated models.yaml."""

    path: str
    defaults: dict[str, str]
    profiles: dict[str, Profile]

    def profile(self, ref: str | None, task: str) -> Profile:
        """A profile by name; a hub id (`org/name`) or a directory becomes an ad-hoc profile with model defaults."""
        if ref is None:
            if task not in self.defaults:
                raise ConfigError(f"{self.path}: no {task} profile to use by default (name a model)")
            ref = self.defaults[task]
        if not ref.strip():
            raise UsageError("empty model name: give a profile name, a hub id (org/name) or a model directory")
        if ref in self.profiles:
            prof = self.profiles[ref]
            if prof.task != task:
                raise ConfigError(f"profile '{ref}' in {self.path} is a {prof.task} model, not a {task} model")
            return prof
        if not HUB_ID.fullmatch(ref) and not _looks_like_path(ref):
            import difflib

            known = sorted(n for n, p in self.profiles.items() if p.task == task)
            close = difflib.get_close_matches(ref, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise ConfigError(
                f"unknown {task} profile '{ref}' (known: {', '.join(known) or 'none'}) in {self.path}: "
                f"not a hub id (org/name) or a directory either{hint}"
            )
        prefix = "summarize: " if task == "summarization" and "t5" in ref.lower() else ""
        return Profile(name=ref, task=task, model=ref, prefix=prefix)


def _looks_like_path(ref: str) -> bool:
    """An existing path, or one written as a path (`./m`, `/m`, `~/m`, `a/b/c`): the hub module reports it if missing."""
    return Path(ref).expanduser().exists() or ref.startswith((".", "/", "~")) or ref.count("/") > 1 or "\\" in ref


def default_config_path() -> Path:
    """The models.yaml shipped with summtrans (in the wheel, or at the repository root)."""
    packaged = Path(__file__).parents[1] / "models.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[3] / "models.yaml"


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    """--config, else $SUMMTRANS_CONFIG, else the shipped models.yaml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return default_config_path()


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read and validate models.yaml."""
    p = config_path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{p}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None
    return parse_config(_load_yaml(text, str(p)), str(p))


def _load_yaml(text: str, path: str) -> Any:
    """`yaml.safe_load` that refuses duplicate mapping keys (plain YAML keeps the last one silently)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_document(self, node: Any) -> Any:
            _check_unique_keys(node, "", path)
            return super().construct_document(node)

    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1})" if where else ""
        raise ConfigError(f"{path}: invalid YAML{at}: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:  # PyYAML composes and constructs recursively
        raise ConfigError(f"{path}: invalid YAML: nested too deeply") from None


def _check_unique_keys(node: Any, key_path: str, path: str, seen_nodes: set[int] | None = None) -> None:
    """Raise ConfigError at the first mapping that repeats a key; `<<` merge keys may override."""
    import yaml

    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:  # an alias: already checked
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_line: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                sub = _join(key_path, str(key_node.value))
                ident = (key_node.tag, key_node.value)
                line = key_node.start_mark.line + 1
                if ident in first_line:
                    raise ConfigError(
                        f"{path}: {sub}: duplicate key (lines {first_line[ident]} and {line}); each key may appear once"
                    )
                first_line[ident] = line
            else:
                sub = key_path
            _check_unique_keys(value_node, sub, path, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_unique_keys(item, f"{key_path}[{i}]", path, seen_nodes)


def parse_config(raw: Any, path: str = "models.yaml") -> Config:
    """Validate the parsed YAML document."""
    v = _Validator(path)
    v.mapping(raw, "", required={"profiles"}, optional={"defaults"})
    profiles_raw = raw["profiles"]
    v.mapping(profiles_raw, "profiles")
    if not profiles_raw:
        v.fail("profiles", "at least one profile")
    profiles = {str(name): _profile(v, str(name), body) for name, body in profiles_raw.items()}
    defaults_raw = raw.get("defaults") or {}
    v.mapping(defaults_raw, "defaults", optional=set(TASKS))
    defaults: dict[str, str] = {}
    for task in TASKS:
        key = f"defaults.{task}"
        if task in defaults_raw:
            name = v.typed(defaults_raw[task], key, str, "a profile name")
            if name not in profiles:
                v.fail(key, f"the name of a profile (one of {', '.join(profiles)})", got=repr(name))
            if profiles[name].task != task:
                v.fail(key, f"a {task} profile", got=f"'{name}', a {profiles[name].task} profile")
            defaults[task] = name
        else:
            candidates = [n for n, p in profiles.items() if p.task == task]
            if candidates:  # the first profile of a task is its default
                defaults[task] = candidates[0]
    return Config(path=path, defaults=defaults, profiles=profiles)


_GEN_TYPES: dict[str, tuple[type, ...]] = {
    "num_beams": (int,),
    "max_new_tokens": (int,),
    "min_length": (int,),
    "length_penalty": (int, float),
    "no_repeat_ngram_size": (int,),
    "repetition_penalty": (int, float),
    "early_stopping": (bool,),
}
assert set(_GEN_TYPES) == {f.name for f in dataclasses.fields(GenerationOptions)} - set(LENGTH_CAP)  # max_length_factor: a profile key


def _profile(v: _Validator, name: str, body: Any) -> Profile:
    at = f"profiles.{name}"
    v.mapping(
        body,
        at,
        required={"task", "model"},
        optional={"revision", "engine", "compute_type", "prefix", "max_input_tokens", "description", "generation",
                  "glossary", "max_length_factor"},
    )
    task = v.choice(body["task"], f"{at}.task", TASKS)
    model = v.typed(body["model"], f"{at}.model", str, "a hub id or a directory path")
    if not model.strip():
        v.fail(f"{at}.model", "a hub id or a directory path", got="an empty string")
    revision = body.get("revision")
    if revision is not None:
        revision = v.revision(revision, f"{at}.revision")
    engine = v.choice(body.get("engine", "auto"), f"{at}.engine", ENGINES)
    compute = body.get("compute_type")
    if compute is not None:
        compute = v.choice(compute, f"{at}.compute_type", COMPUTE_TYPES)
    max_in = body.get("max_input_tokens")
    if max_in is not None:
        max_in = v.positive_int(max_in, f"{at}.max_input_tokens", minimum=8)
    gen_raw = body.get("generation") or {}
    v.mapping(gen_raw, f"{at}.generation", optional=set(_GEN_TYPES))
    gen: dict[str, Any] = {}
    for key, value in gen_raw.items():
        kp = f"{at}.generation.{key}"
        types = _GEN_TYPES[key]
        if types == (int,):
            gen[key] = v.positive_int(value, kp, minimum=0 if key in ("min_length", "no_repeat_ngram_size") else 1)
        elif types == (bool,):
            gen[key] = v.typed(value, kp, bool, "true or false")
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                v.fail(kp, "a number", got=repr(value))
            gen[key] = float(value)
    glossary = body.get("glossary")
    if glossary is not None:
        glossary = v.typed(glossary, f"{at}.glossary", str, "a glossary file path (TSV or CSV)")
        if not glossary.strip():
            v.fail(f"{at}.glossary", "a glossary file path (TSV or CSV)", got="an empty string")
        glossary = str(Path(v.path).parent / Path(glossary).expanduser())  # an absolute path stays as it is
    factor = body.get("max_length_factor")
    if factor is not None:
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor < 0:
            v.fail(f"{at}.max_length_factor", "a number >= 0 (0: no length cap)", got=repr(factor))
        factor = float(factor)
    return Profile(
        name=name,
        task=task,
        model=model,
        revision=revision,
        engine=engine,
        compute_type=None if compute in (None, "auto") else compute,
        prefix=v.typed(body.get("prefix", ""), f"{at}.prefix", str, "a string"),
        max_input_tokens=max_in,
        description=v.typed(body.get("description", ""), f"{at}.description", str, "a string"),
        generation=GenerationOptions(**gen),
        glossary=glossary,
        max_length_factor=factor,
    )


class _Validator:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, expected: str, got: str | None = None) -> None:
        where = key or "top level"
        tail = f", got {got}" if got is not None else ""
        raise ConfigError(f"{self.path}: {where}: expected {expected}{tail}")

    def mapping(self, value: Any, key: str, required: set[str] = frozenset(), optional: set[str] | None = None) -> None:
        if not isinstance(value, dict):
            self.fail(key, "a mapping", got=_kind(value))
        for k in value:
            if not isinstance(k, str):
                self.fail(key, "string keys", got=repr(k))
        if optional is not None:
            allowed = required | optional
            for k in value:
                if k not in allowed:
                    self.fail(_join(key, k), f"no such key (allowed: {', '.join(sorted(allowed))})", got="an unknown key")
        for k in sorted(required):
            if k not in value:
                self.fail(_join(key, k), "this key to be present (it is required)")

    def typed(self, value: Any, key: str, typ: type, expected: str) -> Any:
        if not isinstance(value, typ) or (typ is not bool and isinstance(value, bool)):
            self.fail(key, expected, got=repr(value))
        return value

    def choice(self, value: Any, key: str, choices: tuple[str, ...]) -> str:
        if value not in choices:
            self.fail(key, f"one of {', '.join(choices)}", got=repr(value))
        return value

    def revision(self, value: Any, key: str) -> str:
        expected = "a hub commit hash, tag or branch name"
        if not is_revision(value):
            self.fail(key, expected, got=repr(value))
        return value

    def positive_int(self, value: Any, key: str, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(key, f"an integer >= {minimum}", got=repr(value))
        return value


def _join(key: str, sub: str) -> str:
    return f"{key}.{sub}" if key else sub


def _kind(value: Any) -> str:
    return {type(None): "nothing (empty)", list: "a list", str: "a string"}.get(type(value), type(value).__name__)
