"""The translation table is complete and consistent; numbers are formatted per language."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import ROOT
from evalkit import i18n


def test_every_key_has_both_languages_with_the_same_parameters():
    missing, mismatched = [], []
    for key, entry in i18n.table().items():
        for lang in i18n.LANGUAGES:
            if not isinstance(entry.get(lang), str) or not entry[lang].strip():
                missing.append(f"{key}.{lang}")
        if all(isinstance(entry.get(x), str) for x in i18n.LANGUAGES):
            if i18n.placeholders(entry["id"]) != i18n.placeholders(entry["en"]):
                mismatched.append(key)
    assert not missing, f"keys without a translation: {missing}"
    assert not mismatched, f"keys whose languages use different {{parameters}}: {mismatched}"


def _keys_used_in_code():
    src = "\n".join(p.read_text() for p in (ROOT / "src" / "evalkit").rglob("*.py"))
    problems = set(re.findall(r'Problem\(\s*"([a-z_0-9]+)"', src))
    literal = set(re.findall(r'\bt\(\s*"([a-z0-9_.]+)"', src))
    return problems, literal


def test_every_problem_key_has_a_message_and_a_fix():
    problems, _ = _keys_used_in_code()
    assert problems, "no Problem keys found: the scan is broken"
    lacking = [k for k in problems if not (i18n.has(f"errors.{k}") and i18n.has(f"fix.{k}"))]
    assert not lacking, lacking


def test_every_literal_key_used_in_code_exists():
    _, literal = _keys_used_in_code()
    assert literal
    lacking = [k for k in literal if not i18n.has(k)]
    assert not lacking, lacking


def test_number_formats():
    assert i18n.fmt_num(13731988, "id", 0) == "13.731.988"
    assert i18n.fmt_num(13731988, "en", 0) == "13,731,988"
    assert i18n.fmt_rp(91829000, "id") == "Rp 91.829.000"
    assert i18n.fmt_num(0.8734, "id") == "0,87"
    assert i18n.fmt_coef(0.8734, "en") == ".87"
    assert i18n.fmt_coef(0.8734, "id") == "0,87"
    assert i18n.fmt_coef(-0.25, "en") == "-.25"
    assert i18n.fmt_p(0.0004, "en") == "p < .001"
    assert i18n.fmt_p(0.0004, "id") == "p < 0,001"
    assert i18n.fmt_p(0.0345, "en") == "p = .035" or i18n.fmt_p(0.0345, "en") == "p = .034"
    assert i18n.fmt_date(dt.date(2026, 3, 2), "id") == "2 Maret 2026"
    assert i18n.fmt_date(dt.date(2026, 3, 2), "en") == "2 March 2026"


def test_unknown_language_is_an_evalkit_error():
    from evalkit.errors import EvalkitError

    with pytest.raises(EvalkitError, match="unknown language"):
        i18n.check_lang("fr")


def test_every_reliability_warning_is_translated():
    src = (ROOT / "src" / "evalkit" / "stats" / "reliability.py").read_text()
    keys = set(re.findall(r'warnings\.add\(\s*"([a-z_0-9]+)"', src))
    assert len(keys) >= 10
    assert not [k for k in keys if not i18n.has(f"rel_warn.{k}")]


def test_reliability_warnings_render_in_indonesian():
    import numpy as np
    import pandas as pd

    import evalkit

    rng = np.random.default_rng(0)
    f = rng.normal(size=200)
    d = pd.DataFrame({f"q{i}": np.clip(np.round(3 + f + rng.normal(size=200)), 1, 5) for i in range(4)})
    d["q2"] = 6 - d["q2"]
    res = evalkit.reliability(d, scale=(1, 5))
    assert any("negative item–rest" in w for w in res.warnings)
    assert any("korelasi item-sisa negatif untuk q2" in w for w in res.warnings.render("id"))


def test_every_builtin_answer_word_has_an_english_word():
    """The answer words of the built-in Likert label sets an English report's figures show:
    each first word of a value (what the Likert legend shows) is translated (``answer.*``)."""
    import re

    from evalkit._config import load_config
    from evalkit.i18n import has, t

    missing = []
    for name, labels in load_config("likert")["label_sets"].items():
        first = {}
        for word, value in labels.items():
            first.setdefault(value, word)
        for word in first.values():
            key = "answer." + re.sub(r"[^a-z0-9]+", "_", word.lower()).strip("_")
            if not has(key):
                missing.append((name, word))
            else:
                assert t(key, "id").lower() == word.lower() and t(key, "en") != t(key, "id")
    assert not missing, f"answer words without an English word: {missing}"
