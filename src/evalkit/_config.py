"""Versioned configuration shipped with the package (``src/evalkit/config/*.yaml``)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml


@lru_cache(maxsize=None)
def load_config(name: str) -> dict:
    """The parsed ``config/<name>.yaml`` (read once per process; treat it as read-only)."""
    text = resources.files("evalkit").joinpath(f"config/{name}.yaml").read_text("utf-8")
    # libyaml's safe loader where PyYAML has it: the same documents, several times faster
    # (the translation table alone is ~0.3 s with the pure-Python loader at report start)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
