"""HTML from blocks: the notebook's outputs, ``report.html``, the dashboard, ``index.html``.

User text is escaped where it enters HTML: templates are Jinja2 with autoescaping
(:func:`jinja2.select_autoescape`), and restricted Markdown is rendered by markdown-it-py
with raw HTML disabled, inline only (no headings, lists or HTML blocks from user text),
then sanitised by nh3 (``strong``, ``em``, ``code``, ``a``; links only ``http``,
``https``, ``mailto`` and in-page ``#anchors``). Nothing user-written is placed inside
``<script>`` or ``<style>``: the documents have no script at all, and a
Content-Security-Policy ``<meta>`` forbids any (:data:`CSP`).

Examples
--------
>>> md_html("**Baik** [x](javascript:alert(1)) <script>alert(1)</script>")
'<strong>Baik</strong> [x](javascript:alert(1)) &lt;script&gt;alert(1)&lt;/script&gt;'
>>> md_html("[site](https://example.org)")
'<a href="https://example.org" rel="noopener noreferrer">site</a>'
"""
from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources

from markupsafe import Markup

from ... import __version__
from ..blocks import Column, format_value, cell_kind, is_missing

#: no script of any kind, no plugin, no outside resource; images only as data: URIs;
#: styles only from the document's own <style> (static, no user text)
CSP = ("default-src 'none'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; "
       "frame-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src 'none'; connect-src 'none'")

ALLOWED_TAGS = {"strong", "em", "code", "a", "br"}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    default_validate = md.validateLink

    def validate(url: str) -> bool:
        u = url.strip().lower()
        if u.startswith("#"):
            return True
        scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", u)
        return bool(scheme) and scheme.group(1) in URL_SCHEMES and default_validate(url)

    md.validateLink = validate
    return md


def _sanitise(html: str) -> str:
    import nh3

    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


def md_html(text: str) -> str:
    """Restricted Markdown (one paragraph) → sanitised inline HTML."""
    return _sanitise(_md().renderInline(str(text or "")).strip())


def paragraphs(text: str) -> list[str]:
    """A paragraph block's text split at blank lines; single newlines join."""
    return [" ".join(ln.strip() for ln in p.split("\n") if ln.strip())
            for p in re.split(r"\n\s*\n", str(text or "")) if p.strip()]


def _is_num(v, c: Column) -> bool:
    value, kind, *_ = cell_kind(v, c)
    return kind != "text"


@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment over ``evalkit/templates`` (package data), autoescaping on."""
    from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape

    def load(name):
        return resources.files("evalkit").joinpath("templates", name).read_text("utf-8")

    env = Environment(loader=FunctionLoader(load), autoescape=select_autoescape(["html", "htm", "xml"],
                                                                              default_for_string=True,
                                                                              default=True),
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    from ..._config import load_config

    # the same rule as the Word writer: wider tables get a landscape page (config/report.yaml)
    env.globals["landscape_columns"] = int(load_config("report")["docx"]["landscape_columns"])
    env.globals.update(md=lambda s: Markup(md_html(s)), paragraphs=paragraphs, zip=zip, is_num=_is_num,
                       kind_of=lambda v, c: cell_kind(v, c)[1],
                       b64=lambda b: base64.b64encode(b).decode("ascii"), kind=lambda b: type(b).__name__)
    return env


def css() -> str:
    return resources.files("evalkit").joinpath("templates", "report.css").read_text("utf-8")


@lru_cache(maxsize=1)
def _block_template():
    """The one-block template, compiled once (a report shows ~150 blocks; compiling it for each
    was a tenth of a warm report's kernel time)."""
    return environment().from_string('{% from "blocks.html" import block with context %}{{ block(b, kind(b), lang) }}')


def render_block(block, lang: str) -> str:
    """One block as an HTML fragment (the notebook shows each block as it is made)."""
    return _block_template().render(b=block, lang=lang, fmt=lambda v, c: format_value(v, c, lang))


def render_document(blocks, *, lang: str, title: str) -> str:
    """A whole document (``report.html``, the dashboard): one file, no script, printable."""
    tpl = environment().get_template("document.html")
    return tpl.render(blocks=blocks, lang=lang, title=title, csp=CSP, css=Markup(css()), version=__version__,
                      fmt=lambda v, c: format_value(v, c, lang))


def render_index(*, lang: str, title: str, intro: str, heads: list[str], rows: list[dict]) -> str:
    """``reports/index.html``: rows of ``{name, pid, institution, cohort, figures, links}``."""
    tpl = environment().get_template("index.html")
    return tpl.render(lang=lang, title=title, intro=intro, heads=heads, rows=rows, csp=CSP, css=Markup(css()),
                      version=__version__)


def html_text(value: str) -> str:
    """Plain text (no Markdown) for HTML, escaped."""
    from markupsafe import escape

    return str(escape("" if value is None or is_missing(value) else value))
