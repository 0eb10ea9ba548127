"""Figures drawn on the second core while the kernel goes on with the report.

Saving a report's figures — a tight layout, then each as a 300-dpi PNG and an SVG — was about
half of the kernel's time, and the kernel had to wait for each before the next section. A
kernel forked by :mod:`evalkit.report.kernels` therefore first forks a *figure helper*
(while it is still a single-threaded copy of the warm fork server: matplotlib, its fonts
and renderers already loaded) and talks to it over a socket pair:

* :meth:`ReportDocument.figure` pickles the figure with the matplotlib settings it was drawn
  under and sends it; the section goes on at once. The notebook shows the figure's caption
  and, when the figure is back, the figure itself (the cell's output is updated in place);
* the helper lays the figure out and writes ``figNN-name.png`` / ``.svg`` / ``.txt``
  exactly as an inline save does (:func:`render_figure`: one function for both paths), and
  sends the PNG back;
* the documents (``report.html``, ``.docx``) wait for every figure before they are written
  (:meth:`ReportDocument._resolve_figures`). A figure that cannot be pickled, or that the
  helper fails on, is drawn inline instead: nothing differs but the time.

Without the helper (a notebook opened by hand, another platform, ``EVALKIT_FORK_KERNELS=0``)
every figure is drawn inline, as before.
"""
from __future__ import annotations

import collections
import inspect
import io
import os
import pickle
import signal
import socket
import sys
import threading
import types
import weakref
from multiprocessing.connection import Connection
from pathlib import Path

from .. import atomic

ENV = "EVALKIT_FIGURE_FD"
#: ``0`` in a kernel's environment: the kernel starts no helper and draws its figures itself
SWITCH = "EVALKIT_FIGURE_HELPER"


#: rcParams that decide which font file a FontProperties resolves to and how FT2Font measures
#: a string with it (matplotlib's own ``findfont`` cache keys on the first eleven)
_METRIC_RC = ("font.family", "font.style", "font.variant", "font.weight", "font.stretch", "font.size",
              "font.serif", "font.sans-serif", "font.cursive", "font.fantasy", "font.monospace",
              "font.enable_last_resort", "text.hinting", "text.hinting_factor", "text.kerning_factor")
_METRICS_MAX = 1 << 16


#: the bytes of each font file a figure has used in this process (see :func:`fonts_in_memory`)
_FONT_DATA: dict[str, bytes] = {}


class _FontInMemory(io.BytesIO):
    """A font file's bytes, handed to FreeType in place of the file (see
    :func:`fonts_in_memory`). ``str()`` and ``name`` give the file's path, which is what
    matplotlib's PDF and PostScript backends read from a font's ``fname``."""

    def __init__(self, path: str):
        data = _FONT_DATA.get(path)
        if data is None:
            with open(path, "rb") as f:
                data = _FONT_DATA[path] = f.read()
        super().__init__(data)  # the bytes object itself (BytesIO copies on a write; FreeType only reads)
        self.name = path

    def __str__(self) -> str:
        return self.name


class _FontsFromMemory(types.ModuleType):
    """``matplotlib.font_manager``'s name ``ft2font``: the real module, except that the fonts
    ``_get_font`` opens by path read their file from memory (:func:`fonts_in_memory`)."""

    def __init__(self, real, opener_code):
        super().__init__(real.__name__, real.__doc__)
        self._real, self._opener_code = real, opener_code

    def __getattr__(self, name):
        return getattr(self._real, name)

    def FT2Font(self, filename, *args, **kwargs):  # noqa: N802 - matplotlib's name
        if type(filename) is str and sys._getframe(1).f_code is self._opener_code:
            filename = _FontInMemory(filename)
        return self._real.FT2Font(filename, *args, **kwargs)


def fonts_in_memory() -> None:
    """Let FreeType read the fonts of figures from memory instead of from their files.

    matplotlib opens a font by path as a Python file object, and FreeType reads the file
    through it — a ``seek`` and a ``read`` system call for each table or glyph it needs, and
    libraqm reads the font's shaping tables again for every string it lays out: ~100,000
    system calls for one report's figures, and 0.21 ms to shape one string (73 µs with the font
    in memory). This hands the fonts that ``font_manager._get_font`` opens (every font that
    renderers draw or measure with) the file's bytes instead, read once per process — in the
    warm fork server, before the kernels are forked — as an in-memory file: the same bytes,
    hence the same glyphs, pixels and SVG paths (tested). Fonts opened anywhere else (adding a
    font to the font manager reads its names by path) are opened as before. Idempotent."""
    from matplotlib import font_manager

    real = font_manager.ft2font
    if isinstance(real, _FontsFromMemory):
        return
    opener = inspect.unwrap(font_manager._get_font)
    code = getattr(opener, "__code__", None)
    if code is None or "ft2font" not in code.co_names:  # another matplotlib: leave it as it is
        return
    font_manager.ft2font = _FontsFromMemory(real, code)
    font_manager._get_font.cache_clear()  # fonts opened from files before this are not kept


def _metric_rc(stored) -> tuple:
    """The values of ``_METRIC_RC`` as a hashable key (lists as tuples); ``stored`` reads one
    rcParam (see :func:`share_text_metrics`)."""
    return tuple([tuple(v) if type(v) is list else v for v in map(stored, _METRIC_RC)])


def share_text_metrics() -> None:
    """Let every Agg renderer of this process share one cache of text sizes.

    matplotlib measures a string (``RendererAgg.get_text_width_height_descent``: FreeType and
    libraqm lay it out, 0.35–0.4 ms a string here) and caches the answer *per renderer
    object* (``matplotlib.text._get_text_metrics_with_cache``). Each figure has renderers of
    its own — the layout's at 300 dpi, a new one for a ``bbox_inches`` save, one per SVG — so
    the tick labels, answer words and titles that a report's eleven figures share were
    measured again for each. The size depends only on what the renderer's method reads: the
    renderer's class and dpi, the string, the font properties, and the rcParams that choose
    the font file and its hinting and kerning (``_METRIC_RC``; plus the font manager's fonts;
    the SVG renderer measures with matplotlib's one ``TextToPath`` at 72 dpi). This wraps
    matplotlib's function so that an exact ``RendererAgg`` or ``RendererSVG`` with plain text
    (not mathtext or TeX) is answered from one cache keyed by all of those, and computed by
    that renderer's own method on a miss: the same three numbers, hence the same pixels and
    SVG bytes (tested on every figure of the sample reports). Any other renderer or text goes
    to matplotlib's function as before. Idempotent; the cache holds at most ``_METRICS_MAX``
    strings."""
    import functools

    import matplotlib
    import matplotlib.text as mtext
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG

    own = mtext._get_text_metrics_with_cache
    if getattr(own, "_evalkit_shared", False):
        return
    cache: dict = {}
    rc = matplotlib.rcParams

    kinds = (RendererAgg, RendererSVG)
    # the stored values of the rcParams (what ``rc[k]`` returns for these keys: RcParams is a
    # dict whose ``__getitem__`` only adds the backend's resolution), read without the
    # MutableMapping machinery: a lookup is ~2,300 times a report
    stored = functools.partial(dict.__getitem__, rc) if isinstance(rc, dict) else rc.__getitem__

    def shared(renderer, text, fontprop, ismath, dpi):
        # an SVG save draws through a MixedModeRenderer, which hands every call to the renderer
        # it holds at that moment (the SVG one, or an Agg one while rasterizing)
        target = renderer._renderer if type(renderer) is MixedModeRenderer else renderer
        kind = type(target)
        if kind not in kinds or ismath is not False:
            return own(renderer, text, fontprop, ismath, dpi)
        fm = font_manager.fontManager
        rcv = _metric_rc(stored)
        # looked up with the font properties themselves (FontProperties compare and hash by
        # their values), stored with a copy of them: a later change to the object asked about
        # cannot change a key in the cache
        key = (getattr(target, "dpi", None), dpi, kind, text, fontprop, id(fm), len(fm.ttflist), rcv)
        hit = cache.get(key)
        if hit is None:
            if len(cache) >= _METRICS_MAX:
                cache.clear()
            hit = target.get_text_width_height_descent(text, fontprop, ismath)
            cache[key[:4] + (fontprop.copy(),) + key[5:]] = hit
        return hit

    shared._evalkit_shared = True
    shared._evalkit_cache = cache
    shared._evalkit_own = own  # matplotlib's own function (the tests compare the two)
    mtext._get_text_metrics_with_cache = shared
    _share_line_heights(mtext, font_manager, stored)


class _FontFiles:
    """Stands in for ``matplotlib.text.fontManager`` (see :func:`_share_line_heights`): the
    font files of a FontProperties found once per properties, fonts and font rcParams;
    anything else is the current font manager's."""

    def __init__(self, font_manager, stored):
        self._fm_module = font_manager
        self._stored = stored
        self._cache: dict = {}

    def __getattr__(self, name):
        return getattr(self._fm_module.fontManager, name)

    def _find_fonts_by_props(self, prop, *args, **kwargs):
        fm = self._fm_module.fontManager
        if args or kwargs or type(prop) is not self._fm_module.FontProperties:
            return fm._find_fonts_by_props(prop, *args, **kwargs)
        rcv = _metric_rc(self._stored)
        key = (prop, id(fm), len(fm.ttflist), rcv)
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) >= _METRICS_MAX:
                self._cache.clear()
            hit = tuple(fm._find_fonts_by_props(prop))
            self._cache[(prop.copy(),) + key[1:]] = hit  # stored with a copy (see share_text_metrics)
        return list(hit)


class _FontTables:
    """Stands in for the FT2Font that ``matplotlib.text.get_font`` returns (see
    :func:`_share_line_heights`): its SFNT tables read once per font files; anything else is
    asked of matplotlib's font."""

    __slots__ = ("_paths", "_args", "_tables", "_get_font")

    def __init__(self, paths, args, tables, get_font):
        self._paths, self._args, self._tables, self._get_font = paths, args, tables, get_font

    def get_sfnt_table(self, name):
        try:
            key = (tuple(self._paths), name)
            return self._tables[key]
        except TypeError:  # unhashable paths: matplotlib's own font
            return self._get_font(self._paths, *self._args).get_sfnt_table(name)
        except KeyError:
            table = self._tables[key] = self._get_font(self._paths, *self._args).get_sfnt_table(name)
            return table

    def __getattr__(self, name):
        return getattr(self._get_font(self._paths, *self._args), name)


def _share_line_heights(mtext, font_manager, stored) -> None:
    """Let ``Text._get_layout`` find a font's line height without asking FreeType each time.

    At every layout of a text (~1,800 a report: each figure's texts at the tight layout, its
    box, the PNG and the SVG) matplotlib 3.11 finds the font files of the text's properties
    (``fontManager._find_fonts_by_props``) and reads the font's ``OS/2`` (or ``hhea``) and
    ``head`` tables (``FT2Font.get_sfnt_table`` builds a new dictionary each time) for its
    ascent, descent and line gap — ~25 µs a text, ~0.07 s of CPU a report. Both answers
    depend only on the font properties, the font manager's fonts and the font rcParams (the
    key of :func:`share_text_metrics`), and on the font files: this gives ``matplotlib.text``
    a font manager whose ``_find_fonts_by_props`` remembers its answers by that key, and a
    ``get_font`` whose fonts remember their tables by file — the same tables, hence the same
    pixels and SVG bytes (tested). Only ``matplotlib.text``'s two names are replaced (it uses
    them for nothing else); Agg, SVG and every other module keep matplotlib's own."""
    if isinstance(getattr(mtext, "fontManager", None), _FontFiles):
        return
    own_get_font = font_manager.get_font
    tables: dict = {}

    def get_font(font_filepaths, *args):
        return _FontTables(font_filepaths, args, tables, own_get_font)

    mtext.fontManager = _FontFiles(font_manager, stored)
    mtext.get_font = get_font


#: rcParams of a figure's layout and files. ``text.hinting: none``: FreeType does not fit the
#: glyphs to the pixel grid. Hinting is for legibility at screen resolution; at the PNG's 300 dpi
#: it changes nothing a reader sees, and it cost ~0.15 s of CPU a report (shaping and drawing a
#: string at 300 dpi: 0.67 ms hinted, 0.46 ms not). The SVG's text outlines are never hinted
#: (matplotlib's ``TextToPath``): the PNG's glyphs now have the shapes of the SVG's.
SAVE_RC = {"text.hinting": "none"}


def render_figure(fig, *, dpi: int, stem: str, title: str, alt: str, figures_dir) -> tuple[bytes, int]:
    """Lay ``fig`` out and save it: returns ``(png, width_px)`` (the PNG at ``dpi``, its width
    at 150 dpi) and, when ``figures_dir`` is set, writes ``stem``.png/.svg/.txt there atomically.

    The figure is laid out at the PNG's resolution (``fig.dpi = dpi`` for the save), with
    unhinted text (:data:`SAVE_RC`), by the tight layout of ``fig.tight_layout()``; the tight
    bounding box (padded 0.08 in) keeps legends and titles drawn outside the axes inside the
    image, and is computed once for both files. When that box lies inside the figure (every
    report figure, once laid out), the PNG is the whole figure drawn on the layout's own
    renderer, cut to the box: matplotlib caches
    each text's layout per renderer, so no text is laid out again at 300 dpi (a report's eleven
    figures: ≈ 0.3 s less than a ``bbox_inches`` save, which draws on a new renderer of the box's
    size). A box reaching outside the figure is saved by ``savefig(bbox_inches=box)``. An opaque
    figure (white background) is written as RGB, without the alpha channel that is 255
    everywhere (same pixels, a quarter less to encode), by :func:`encode_rgb_png`; a figure
    with transparency by matplotlib (Pillow, compression level 1). The SVG keeps text as paths
    (``svg.fonttype: path``), so no user string becomes SVG text, and its metadata are escaped
    by matplotlib's XML writer; its ids are salted with ``stem``, so the same figure gives the
    same bytes."""
    import matplotlib

    share_text_metrics()  # every figure's renderers measure a string once (see there)
    fonts_in_memory()  # and FreeType reads the fonts from memory
    canvas = _opaque_png_canvas()(fig)  # the figure's canvas from now on: Agg, RGB PNGs when opaque
    shown_dpi = fig.dpi
    fig.dpi = dpi  # one renderer, at the PNG's resolution, for the layout, the box and the PNG
    try:
        with matplotlib.rc_context(SAVE_RC):
            frozen, bbox, png = _lay_out_and_draw(fig, canvas, dpi)
    finally:
        fig.dpi = shown_dpi
    width = int(round(int.from_bytes(png[16:20], "big") / dpi * 150))  # PNG IHDR width, shown at 150 dpi
    if figures_dir is not None:
        figures_dir = Path(figures_dir)
        figures_dir.mkdir(parents=True, exist_ok=True)
        atomic.write_bytes(figures_dir / f"{stem}.png", png)
        # svg.hashsalt: the SVG's clip-path ids come from the figure's name, not from a random
        # uuid, so that the same report gives the same file
        with matplotlib.rc_context({**SAVE_RC, "svg.fonttype": "path", "svg.hashsalt": stem}), \
                atomic.atomic_path(figures_dir / f"{stem}.svg") as tmp:
            fig.savefig(tmp, format="svg", metadata={"Title": title, "Description": alt, "Date": None},
                        bbox_inches=bbox)
        atomic.write_text(figures_dir / f"{stem}.txt", alt + "\n")
    _thaw(frozen)  # the figure as it was: titles placed by matplotlib at every draw
    return png, width


def _lay_out_and_draw(fig, canvas, dpi: int):
    """:func:`render_figure`'s layout and PNG: ``(frozen titles, box, png)``."""
    from matplotlib.layout_engine import TightLayoutEngine

    # the tight layout of ``fig.tight_layout()`` (same engine, same defaults), run without
    # leaving a placeholder layout engine on the figure: with one, every savefig below would
    # draw the whole figure once more before drawing it for real
    def lay_out():
        if fig.get_layout_engine() is None:
            TightLayoutEngine().execute(fig)
        else:
            fig.tight_layout()
        return fig.get_tightbbox(canvas.get_renderer()).padded(0.08)

    frozen = _freeze_titles(fig)
    bbox = lay_out()
    if frozen and not _titles_stay(frozen, canvas.get_renderer()):
        frozen = _thaw(frozen)  # something is over an axes: laid out again, titles placed as usual
        bbox = lay_out()
    png = _png_in_box(fig, canvas, bbox, dpi)
    return frozen, bbox, png


def _freeze_titles(fig) -> list:
    """Stop matplotlib placing the titles of ``fig``'s axes again at each draw, where nothing can
    sit over the axes; returns those axes (see :func:`_titles_stay`, :func:`_thaw`).

    At every draw and tight box, matplotlib lifts an axes' title above whatever is over the
    axes: ticks or a label on top, twin or inset axes, or the y axis's offset text ("1e6"); to
    know the offset text it lays the whole y axis out again (``yaxis.get_tightbbox``), once per
    title, at each of the layout's five passes over the figure: about a fifth of a report's
    figure time. Axes with no x tick labels and no x label on top, and no twin or inset, have their
    titles held at their default height (1.0 in axes coordinates) while the figure is laid out
    and saved; :func:`_titles_stay` then checks, once, that matplotlib's own placing leaves them
    there (no offset text over them), else the figure is laid out again with the titles placed
    as usual — the same pixels either way. Nothing is held where matplotlib's private
    ``_autotitlepos`` / ``_update_title_position`` are missing or a title was already moved."""
    frozen = []
    for ax in fig.axes:
        if getattr(ax, "_autotitlepos", None) is not True or not hasattr(ax, "_update_title_position"):
            continue
        try:
            alone = (not ax.child_axes and len(ax._twinned_axes.get_siblings(ax)) == 1
                     and len(fig._align_label_groups["title"].get_siblings(ax)) == 1)
        except (AttributeError, KeyError, TypeError):
            continue
        if (alone and ax.xaxis.get_label_position() != "top"
                and not any(ax.xaxis.get_tick_params(which=w).get("labeltop", True) for w in ("major", "minor"))
                and all(t.get_position()[1] == 1.0 for t in _titles(ax))):
            ax._autotitlepos = False
            frozen.append(ax)
    return frozen


def _titles(ax) -> list:
    return [t for t in (ax.title, getattr(ax, "_left_title", None), getattr(ax, "_right_title", None))
            if t is not None]


def _titles_stay(frozen: list, renderer) -> bool:
    """Whether matplotlib's own placing, run once on the laid-out figure, leaves every held
    title at its default height (then they stay held for the saves)."""
    for ax in frozen:
        ax._autotitlepos = True
        ax._update_title_position(renderer)
        ax._autotitlepos = False
        if any(t.get_position()[1] != 1.0 for t in _titles(ax)):
            return False
    return True


def _thaw(frozen: list) -> list:
    for ax in frozen:
        ax._autotitlepos = True
    return []


def box_pixels(bbox, dpi: float, height_px: int) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` pixel rows and columns of a canvas ``height_px`` tall
    that cover ``bbox`` (inches from the figure's lower left corner; rows count from the top),
    rounded outwards."""
    import math

    left, right = math.floor(bbox.x0 * dpi + 1e-6), math.ceil(bbox.x1 * dpi - 1e-6)
    top = height_px - math.ceil(bbox.y1 * dpi - 1e-6)
    bottom = height_px - math.floor(bbox.y0 * dpi + 1e-6)
    return top, bottom, left, right


def _png_in_box(fig, canvas, bbox, dpi: int) -> bytes:
    """The PNG of ``fig`` (already at ``dpi``) inside ``bbox``: the whole figure drawn on the
    canvas's renderer and cut to the box when the box lies inside the figure, else matplotlib's
    ``savefig(bbox_inches=bbox)``."""
    import matplotlib
    import numpy as np

    w, h = fig.get_size_inches()
    if not (bbox.x0 >= 0 and bbox.y0 >= 0 and bbox.x1 <= w and bbox.y1 <= h):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches=bbox, pil_kwargs={"compress_level": 1})
        return buf.getvalue()
    canvas.draw()  # the renderer of the layout (same size and dpi): its text layouts are reused
    rgba = np.asarray(canvas.buffer_rgba())
    top, bottom, left, right = box_pixels(bbox, dpi, rgba.shape[0])
    crop = rgba[max(top, 0):bottom, max(left, 0):right]
    if not (crop[..., 3] == 255).all():
        buf = io.BytesIO()
        matplotlib.image.imsave(buf, np.ascontiguousarray(crop), format="png", origin="upper", dpi=dpi,
                                pil_kwargs={"compress_level": 1})
        return buf.getvalue()
    return encode_rgb_png(crop, dpi=dpi, software=f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/")


_CANVAS = None


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    import zlib

    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(data, zlib.crc32(kind)).to_bytes(4, "big")


def encode_rgb_png(rgba, *, dpi: float, software: str) -> bytes:
    """An 8-bit RGB PNG of the RGB channels of ``rgba`` (an ``(h, w, 4)`` uint8 array).

    The file Pillow writes for the same pixels (IHDR, pHYs from ``dpi``, a ``Software``
    tEXt chunk, IDAT, IEND; PNG specification, ISO/IEC 15948:2004), with two differences in
    how IDAT is made: every row has filter type 0 (None) and is deflated by zlib-ng at level 2.
    Pillow tries the five filters on every row to pick one, which cost about 0.6 s of the
    eleven 300-dpi figures of a report; a chart's flat colours compress as well unfiltered
    (zlib-ng level 2: ~1.5 MB for eleven figures, Pillow's level 1 ~1.7 MB) in a tenth of the
    time. Rows are filtered and deflated 256 at a time, so no second copy of the image is made."""
    import numpy as np
    from zlib_ng import zlib_ng

    h, w = rgba.shape[:2]
    ppm = int(dpi / 0.0254 + 0.5)  # pixels per metre, rounded as Pillow does
    head = (b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0]))
            + _png_chunk(b"pHYs", ppm.to_bytes(4, "big") * 2 + b"\x01")
            + _png_chunk(b"tEXt", b"Software\x00" + software.encode("latin-1")))
    deflate = zlib_ng.compressobj(2)
    parts = []
    step = 256
    rows = np.empty((min(step, h), 1 + 3 * w), dtype=np.uint8)
    rows[:, 0] = 0  # filter type None
    for start in range(0, h, step):
        block = rgba[start:start + step]
        n = block.shape[0]
        dest = rows[:n, 1:].reshape(n, w, 3)
        for c in range(3):  # one channel at a time: numpy's inner loop runs along the row (5x faster)
            dest[:, :, c] = block[:, :, c]
        parts.append(deflate.compress(rows[:n]))
    parts.append(deflate.flush())
    return head + _png_chunk(b"IDAT", b"".join(parts)) + _png_chunk(b"IEND", b"")


def _opaque_png_canvas():
    """matplotlib's Agg canvas, except that a PNG of an opaque figure is saved as RGB by
    :func:`encode_rgb_png` (the same pixels; matplotlib always writes RGBA). Metadata and
    resolution as matplotlib's; a figure with transparency, or given other metadata, is saved
    by matplotlib itself."""
    global _CANVAS
    if _CANVAS is None:
        import matplotlib
        import numpy as np
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        class OpaquePNGCanvas(FigureCanvasAgg):
            def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **_print_figure_kw):
                # (matplotlib's own print_png drops print_figure's facecolor, orientation, …:
                # they are already applied to the figure; a subclass is passed them all)
                FigureCanvasAgg.draw(self)
                buf = self.buffer_rgba()
                rgba = np.asarray(buf)
                if metadata is not None or not (rgba[..., 3] == 255).all():
                    matplotlib.image.imsave(filename_or_obj, buf, format="png", origin="upper",
                                            dpi=self.figure.dpi, metadata=metadata, pil_kwargs=pil_kwargs)
                    return
                png = encode_rgb_png(rgba, dpi=self.figure.dpi,
                                     software=f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/")
                if hasattr(filename_or_obj, "write"):
                    filename_or_obj.write(png)
                else:
                    with open(filename_or_obj, "wb") as f:
                        f.write(png)

        _CANVAS = OpaquePNGCanvas
    return _CANVAS


# ----------------------------------------------------------------------------- the helper

def load_job(data: bytes) -> dict:
    """``pickle.loads`` of a figure job sent to the helper, with every transform's parents
    keyed by their ids in this process.

    matplotlib keeps a transform's parents (the transforms to invalidate when it changes) in a
    dict keyed by each parent's ``id``; ``TransformNode.__setstate__`` restores those keys as
    they were in the process that pickled the figure. In this one (a fork of it: the same
    addresses come back) a transform made later whose ``id`` equals such a key takes that
    entry (``set_children``), or removes it when it is freed (its weakref callback) — and that
    parent is never invalidated again. Drawing at 300 dpi, then at 72 for the SVG, a bar then
    kept the clip box of the PNG's drawing: the SVG of a figure the helper drew differed from
    the kernel's (a clip path of its own) now and then. Here the keys are the parents' own ids."""
    from matplotlib.transforms import TransformNode

    own = TransformNode.__dict__["__setstate__"]

    def setstate(node, state):
        parents = state.get("_parents") or {}
        own(node, {**state, "_parents": {}})
        table = node._parents
        for parent in parents.values():
            if parent is not None:
                key = id(parent)
                table[key] = weakref.ref(parent, lambda _, pop=table.pop, k=key: pop(k, None))

    TransformNode.__setstate__ = setstate
    try:
        return pickle.loads(data)
    finally:
        TransformNode.__setstate__ = own


def log_figure(entry: str) -> None:
    """Note who drew a figure in the file named by ``EVALKIT_FIGURE_LOG``, if set (for the
    tests): the helper writes each figure's stem; the kernel, ``kernel-redrew:`` and the stem
    when it draws a figure sent to the helper itself, from its own figure object (the helper
    could not, or its answer never came)."""
    log = os.environ.get("EVALKIT_FIGURE_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(entry + "\n")


def _serve(conn: Connection) -> None:
    """The helper: draw each figure it is sent, answer ``(n, png, width)`` or ``(n, None, error)``."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupted cell is the kernel's business
    except ValueError:  # not the main thread (the tests run a helper in a thread)
        pass
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        n = -1
        try:
            job = load_job(data)
            n = job["n"]
            with matplotlib.rc_context(job["rc"]):
                png, width = render_figure(job["fig"], dpi=job["dpi"], stem=job["stem"], title=job["title"],
                                           alt=job["alt"], figures_dir=job["figures_dir"])
            reply = (n, png, width)
            log_figure(job["stem"])
        except Exception as exc:  # noqa: BLE001 - the kernel draws this figure itself
            reply = (n, None, f"{type(exc).__name__}: {exc}")
        finally:
            plt.close("all")
        try:
            conn.send(reply)
        except OSError:
            return


def start_helper() -> int | None:
    """Fork the figure helper from this (single-threaded) process and publish its socket in
    ``EVALKIT_FIGURE_FD``; returns its pid (``None`` when it cannot start)."""
    try:
        mine, theirs = socket.socketpair()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the helper
        try:
            # a process group of its own: ipykernel, shutting down, ends the children of its
            # group and waits for them — it would wait for this one, which it cannot reap
            os.setpgid(0, 0)
            mine.close()
            _serve(Connection(theirs.detach()))
        finally:
            os._exit(0)
    theirs.close()
    os.environ[ENV] = str(mine.detach())
    return pid


def stop_helper() -> None:
    """Close the kernel's end of the socket: the helper ends at EOF (the kernel reaps it)."""
    fd = os.environ.pop(ENV, None)
    if fd is not None:
        try:  # shutdown, not only close: the reader thread blocked on the socket keeps it open
            sock = socket.socket(fileno=int(fd))
            try:
                sock.shutdown(socket.SHUT_RDWR)
            finally:
                sock.close()
        except (OSError, ValueError):
            pass


# ----------------------------------------------------------------------------- the kernel's side

class Pending:
    """A figure sent to the helper: :meth:`result` waits for ``(png, width)`` or ``None``."""

    def __init__(self, client: FigureClient, n: int):
        self.client, self.n = client, n

    def result(self, timeout: float = 300.0):
        return self.client.wait(self.n, timeout)


class FigureClient:
    """The kernel's connection to its figure helper; one per process (:meth:`get`).

    The helper is given one figure at a time; the others wait in :attr:`queue`, from which
    the kernel takes figures to draw itself once it has nothing else to do
    (:meth:`steal`), so that both cores draw at the end of a report."""

    _instance: FigureClient | None = None
    _checked = False

    def __init__(self, conn: Connection):
        self.conn = conn
        self.sent = 0
        self.replies: dict[int, tuple] = {}
        self.queue: collections.deque = collections.deque()  # (n, pickled job) not yet sent
        self.busy = False
        self.dead = False
        self.cond = threading.Condition()
        # replies are read (and the next figure sent) as they come: neither side ever blocks
        threading.Thread(target=self._read, name="evalkit-figures", daemon=True).start()

    @classmethod
    def get(cls) -> FigureClient | None:
        if not cls._checked:
            cls._checked = True
            fd = os.environ.get(ENV)
            if fd and fd.isdigit():
                try:
                    os.fstat(int(fd))
                    cls._instance = cls(Connection(int(fd)))
                except OSError:
                    cls._instance = None
        return None if cls._instance is None or cls._instance.dead else cls._instance

    def _send_next(self) -> None:
        """(with :attr:`cond` held) give the helper the next queued figure, if it is idle."""
        if self.busy or self.dead or not self.queue:
            return
        n, data = self.queue.popleft()
        try:
            self.conn.send_bytes(data)
            self.busy = True
        except OSError:
            self.dead = True
            self.cond.notify_all()

    def _read(self) -> None:
        while True:
            try:
                n, png, extra = self.conn.recv()
            except Exception:  # noqa: BLE001 - EOF, a dead helper: every waiter draws inline
                with self.cond:
                    self.dead = True
                    self.cond.notify_all()
                return
            with self.cond:
                self.replies[n] = (png, extra)
                self.busy = False
                self._send_next()
                self.cond.notify_all()

    def submit(self, fig, *, rc: dict, dpi: int, stem: str, title: str, alt: str, figures_dir) -> Pending | None:
        """Queue ``fig`` for the helper; ``None`` when it cannot be pickled or the helper is
        gone (draw it inline)."""
        n = self.sent
        try:
            data = pickle.dumps({"n": n, "fig": fig, "rc": rc, "dpi": dpi, "stem": stem, "title": title,
                                 "alt": alt, "figures_dir": None if figures_dir is None else str(figures_dir)},
                                protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - e.g. a lambda formatter: this one is drawn inline
            return None
        with self.cond:
            if self.dead:
                return None
            self.sent += 1
            self.queue.append((n, data))
            self._send_next()
        return Pending(self, n)

    def steal(self) -> tuple[int, dict | None] | None:
        """Take back the last figure the helper has not started: ``(its number, the job as the
        helper would have received it — None if it cannot be unpickled)``, or ``None``. The
        kernel draws that unpickled copy, not its own figure object, so that a figure is drawn
        from the same bytes whichever process draws it (the kernel's object may have been
        touched since it was sent, e.g. by the notebook's inline backend)."""
        with self.cond:
            if not self.queue:
                return None
            n, data = self.queue.pop()
        try:
            return n, load_job(data)
        except Exception:  # noqa: BLE001 - (n, None): the kernel draws its own figure object
            return n, None

    def wait(self, n: int, timeout: float):
        with self.cond:
            self.cond.wait_for(lambda: n in self.replies or self.dead, timeout)
            png, extra = self.replies.pop(n, (None, None))
        return None if png is None else (png, extra)
