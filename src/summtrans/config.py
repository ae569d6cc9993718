"""models.yaml: loading and strict validation, in one place.

Every error names the file, the key path and what was expected.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engines.base import GenerationOptions
from .errors import ConfigError

TASKS = ("translation", "summarization")
ENGINE_NAMES = ("auto", "transformers", "ctranslate2", "echo")
COMPUTE_TYPES = ("auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32")
CONFIG_ENV = "SUMMTRANS_CONFIG"

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
    engine: str = "auto"  # auto | transformers | ctranslate2 | echo
    compute_type: str | None = None  # None: engine default (int8 on CPU, float16 on CUDA)
    prefix: str = ""  # put before every input, e.g. "summarize: " for T5
    max_input_tokens: int | None = None  # None: the model's own input limit
    description: str = ""
    generation: GenerationOptions = field(default_factory=GenerationOptions)


@dataclass(frozen=True)
class Config:
    """A validated models.yaml."""

    path: str
    defaults: dict[str, str]
    profiles: dict[str, Profile]

    def profile(self, ref: str | None, task: str) -> Profile:
        """A profile by name; a hub id or a directory becomes an ad-hoc profile with model defaults."""
        if ref is None:
            if task not in self.defaults:
                raise ConfigError(f"{self.path}: no {task} profile to use by default (name a model)")
            ref = self.defaults[task]
        if ref in self.profiles:
            prof = self.profiles[ref]
            if prof.task != task:
                raise ConfigError(f"profile '{ref}' in {self.path} is a {prof.task} model, not a {task} model")
            return prof
        if "/" not in ref and "-" not in ref and not Path(ref).exists():
            known = ", ".join(sorted(n for n, p in self.profiles.items() if p.task == task))
            raise ConfigError(f"unknown {task} model '{ref}': not a profile in {self.path} ({known}), a hub id or a directory")
        prefix = "summarize: " if task == "summarization" and "t5" in ref.lower() else ""
        return Profile(name=ref, task=task, model=ref, prefix=prefix)


def default_config_path() -> Path:
    """The models.yaml shipped with summtrans (in the wheel, or at the repository root)."""
    packaged = Path(__file__).with_name("models.yaml")
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parents[2] / "models.yaml"


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    """--config, else $SUMMTRANS_CONFIG, else the shipped models.yaml."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return default_config_path()


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read and validate models.yaml."""
    import yaml

    p = config_path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1})" if where else ""
        raise ConfigError(f"{p}: invalid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    return parse_config(raw, str(p))


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
assert set(_GEN_TYPES) == {f.name for f in dataclasses.fields(GenerationOptions)}


def _profile(v: _Validator, name: str, body: Any) -> Profile:
    at = f"profiles.{name}"
    v.mapping(
        body,
        at,
        required={"task", "model"},
        optional={"engine", "compute_type", "prefix", "max_input_tokens", "description", "generation"},
    )
    task = v.choice(body["task"], f"{at}.task", TASKS)
    model = v.typed(body["model"], f"{at}.model", str, "a hub id or a directory path")
    if not model.strip():
        v.fail(f"{at}.model", "a hub id or a directory path", got="an empty string")
    engine = v.choice(body.get("engine", "auto"), f"{at}.engine", ENGINE_NAMES)
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
    return Profile(
        name=name,
        task=task,
        model=model,
        engine=engine,
        compute_type=None if compute in (None, "auto") else compute,
        prefix=v.typed(body.get("prefix", ""), f"{at}.prefix", str, "a string"),
        max_input_tokens=max_in,
        description=v.typed(body.get("description", ""), f"{at}.description", str, "a string"),
        generation=GenerationOptions(**gen),
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

    def positive_int(self, value: Any, key: str, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fail(key, f"an integer >= {minimum}", got=repr(value))
        return value


def _join(key: str, sub: str) -> str:
    return f"{key}.{sub}" if key else sub


def _kind(value: Any) -> str:
    return {type(None): "nothing (empty)", list: "a list", str: "a string"}.get(type(value), type(value).__name__)
