"""The translation table itself: the lookup of a key in ``config/translations.yaml``.

The lowest layer of wording, below :mod:`evalkit.errors` (which words its messages when they
are shown) and :mod:`evalkit.i18n` (which adds number, date and money formatting and
re-exports :func:`t`). It imports nothing of evalkit but the configuration loader.
"""
from __future__ import annotations

from functools import lru_cache

from ._config import load_config

LANGUAGES = ("id", "en")


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, str]]:
    """The flattened translation table: ``{"section.key": {"id": ..., "en": ...}}``."""
    raw = load_config("translations")
    flat: dict[str, dict[str, str]] = {}

    def walk(node, prefix):
        if isinstance(node, dict) and set(node) & set(LANGUAGES) and all(
            not isinstance(v, dict) for v in node.values()
        ):
            flat[prefix] = node
            return
        for k, v in node.items():
            walk(v, f"{prefix}.{k}" if prefix else str(k))

    walk(raw, "")
    return flat


def t(key: str, lang: str = "en", /, **params) -> str:
    """Translate ``key`` into ``lang`` and fill in ``params``.

    Examples
    --------
    >>> t("level.1", "id")
    'Level 1 — Reaksi'
    """
    entry = table().get(key)
    if entry is None:
        raise KeyError(f"translation key {key!r} is missing from config/translations.yaml")
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    return key in table()
