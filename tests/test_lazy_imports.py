"""The deferred import of rfc3987_syntax: IRI checks still run the real RFC 3987 parser."""
import subprocess
import sys


def test_iri_format_checks_run_the_real_parser_after_deferral():
    code = r"""
import sys
from evalkit.report import _lazy_imports
assert _lazy_imports.defer_rfc3987_syntax()
import jsonschema, nbformat  # nbformat: what the report's process imports
assert "rfc3987_syntax.syntax_helpers" not in sys.modules  # not built at import
checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
assert checker.conforms("https://example.org/a?b=c#d", "iri")
assert not checker.conforms("http://exa mple.org/<>", "iri")  # the real grammar rejects it
assert "rfc3987_syntax.syntax_helpers" in sys.modules  # built on first use
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_this_pytest_run_has_the_stand_in():
    """``-p evalkit.report._lazy_imports`` (pyproject addopts) ran before nbval imported nbformat."""
    mod = sys.modules["rfc3987_syntax"]
    assert getattr(mod, "_evalkit_deferred", False)
