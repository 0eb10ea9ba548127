"""Figures drawn by the kernel's figure helper are the figures an inline save draws."""

import socket
import threading
from multiprocessing.connection import Connection
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import pytest  # noqa: E402

from evalkit.report import figure_server  # noqa: E402
from evalkit.report.figure_server import FigureClient, render_figure  # noqa: E402

MINI = Path(__file__).parent / "fixtures" / "programs" / "mini-program"
SAMPLE = Path(__file__).parents[1] / "data" / "raw" / "mot-2026-angkatan-1"


def _fig(k):
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.barh(range(k), range(1, k + 1))
    ax.set_title(f"Gambar {k} — <b>&amp;</b>")
    ax.legend(["x"], loc="upper left", bbox_to_anchor=(1, 1))  # outside the axes: tight bbox
    return fig


def test_helper_draws_what_inline_draws_and_unpicklable_figures_stay_inline(tmp_path):
    mine, theirs = socket.socketpair()
    helper = threading.Thread(target=figure_server._serve, args=(Connection(theirs.detach()),), daemon=True)
    helper.start()
    client = FigureClient(Connection(mine.detach()))
    rc = dict(plt.rcParams)
    rc.pop("backend")
    jobs = {}
    for k in (1, 2, 3):
        jobs[k] = client.submit(_fig(k), rc=rc, dpi=120, stem=f"fig{k:02d}-x", title=f"T{k}", alt=f"alt {k}",
                                figures_dir=tmp_path / "helper")
        assert jobs[k] is not None
    taken = client.steal()  # the kernel may take back a figure the helper has not started
    stolen = None if taken is None else taken[0]
    assert stolen in (None, 1, 2)
    got = {k: p.result(timeout=60) for k, p in jobs.items() if p.n != stolen}
    if taken is not None:  # handed back as the helper would have received it: the same bytes drawn
        # (compared once the helper thread is idle: in this test it shares the process's rcParams)
        k = stolen + 1
        with matplotlib.rc_context(taken[1]["rc"]):
            png, _ = render_figure(taken[1]["fig"], dpi=120, stem=f"fig{k:02d}-x", title="T", alt="a", figures_dir=None)
        assert png == render_figure(_fig(k), dpi=120, stem=f"fig{k:02d}-x", title="T", alt="a", figures_dir=None)[0]
    for k, res in got.items():
        png, width = res
        ref, ref_width = render_figure(_fig(k), dpi=120, stem=f"fig{k:02d}-x", title=f"T{k}", alt=f"alt {k}",
                                       figures_dir=tmp_path / "inline")
        assert png == ref and width == ref_width
        for ext in ("png", "svg", "txt"):
            assert (tmp_path / "helper" / f"fig{k:02d}-x.{ext}").read_bytes() == \
                (tmp_path / "inline" / f"fig{k:02d}-x.{ext}").read_bytes()
    fig = _fig(4)
    fig.axes[0].xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: str(v)))
    assert client.submit(fig, rc=rc, dpi=120, stem="fig04-x", title="T", alt="a", figures_dir=None) is None
    plt.close("all")


@pytest.mark.parametrize("program", [SAMPLE])
def test_report_with_and_without_the_helper_is_the_same(tmp_path, monkeypatch, program):
    from evalkit.report import kernels
    from evalkit.report.render import render_report

    if not kernels.enabled():
        pytest.skip("fork kernels are Linux only")
    out = {}
    log = tmp_path / "helper.log"
    monkeypatch.setenv("EVALKIT_FIGURE_LOG", str(log))
    for flag in ("0", "1"):
        monkeypatch.setenv("EVALKIT_FIGURE_HELPER", flag)
        if flag == "1":
            assert not log.exists()  # no helper: every figure drawn by the kernel
        out[flag] = render_report(program, tmp_path / f"out{flag}", formats="html,docx",
                                  kernel_manager_class=kernels.ForkKernelManager)
    figs = sorted(p.name for p in (out["0"] / "figures").iterdir())
    assert figs == sorted(p.name for p in (out["1"] / "figures").iterdir()) and len(figs) >= 6
    entries = log.read_text(encoding="utf-8").split() if log.exists() else []
    drawn = [e for e in entries if not e.startswith("kernel-redrew:")]
    redrawn = [e for e in entries if e.startswith("kernel-redrew:")]
    for name in figs:  # byte for byte, SVG included (its ids are salted with the figure's name)
        assert (out["0"] / "figures" / name).read_bytes() == (out["1"] / "figures" / name).read_bytes(), \
            f"{name} differs; the helper drew {drawn}, the kernel the rest (from its own figure: {redrawn})"
    assert drawn and set(drawn) <= {n[:-4] for n in figs}  # the helper drew some (the kernel the rest)
    nb = (out["1"] / "report.ipynb").read_text(encoding="utf-8")
    assert "evalkit-figure-pending" not in nb  # every caption shown meanwhile became its figure
    assert nb.count("data:image/png") + nb.count('"image/png"') >= len([f for f in figs if f.endswith(".png")])
    assert (out["0"] / "report.html").read_text(encoding="utf-8").count("data:image/png") == \
        (out["1"] / "report.html").read_text(encoding="utf-8").count("data:image/png")


def _matplotlib_png(fig, dpi, bbox, path, rc=None):
    """The PNG matplotlib itself writes (RGBA), through a plain Agg canvas, under the rcParams
    that the report's figures are saved under (``SAVE_RC``: unhinted text), or ``rc``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    with matplotlib.rc_context(figure_server.SAVE_RC if rc is None else rc):
        fig.savefig(path, format="png", dpi=dpi, bbox_inches=bbox)


def _tight_box(fig):
    with matplotlib.rc_context(figure_server.SAVE_RC):
        return fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.08)


@pytest.mark.parametrize("transparent", [False, True])
def test_png_is_matplotlibs_pixels_rgb_when_opaque(tmp_path, transparent):
    """The PNG is matplotlib's own PNG of the laid-out figure at the same resolution, cut to the
    padded tight box (the box lies inside the figure: the whole figure is drawn once and cut);
    RGB when opaque, RGBA when not."""
    import numpy as np
    from PIL import Image

    from evalkit.report.figure_server import box_pixels

    fig = _fig(3)
    if transparent:
        fig.patch.set_alpha(0.0)
        for ax in fig.axes:
            ax.patch.set_alpha(0.0)
    png, width = render_figure(fig, dpi=150, stem="fig01-x", title="T", alt="a", figures_dir=tmp_path)
    ours = Image.open(tmp_path / "fig01-x.png")
    assert (tmp_path / "fig01-x.png").read_bytes() == png
    assert ours.mode == ("RGBA" if transparent else "RGB")
    assert ours.info["Software"].startswith("Matplotlib version") and round(ours.info["dpi"][0]) == 150
    # the same figure, already laid out, saved whole by matplotlib's own canvas at 150 dpi
    fig.dpi = 150
    _matplotlib_png(fig, 150, None, tmp_path / "mpl.png")
    whole = np.asarray(Image.open(tmp_path / "mpl.png"))
    bbox = _tight_box(fig)
    assert 0 <= bbox.x0 and bbox.x1 <= fig.get_size_inches()[0] and 0 <= bbox.y0  # inside: cut, not re-laid out
    top, bottom, left, right = box_pixels(bbox, 150, whole.shape[0])
    assert 0 < bottom - top < whole.shape[0] and 0 < right - left < whole.shape[1]  # something was cut away
    theirs = whole[top:bottom, left:right]
    assert theirs.shape[2] == 4 and theirs.shape[:2] == np.asarray(ours).shape[:2]
    if transparent:
        assert (theirs[..., 3] < 255).any()
        assert np.array_equal(np.asarray(ours), theirs)
    else:
        assert (theirs[..., 3] == 255).all()
        assert np.array_equal(np.asarray(ours), theirs[..., :3])
    assert width == round(ours.size[0] / 150 * 150)
    # and its text is unhinted (SAVE_RC): matplotlib's default hinting gives other pixels
    _matplotlib_png(fig, 150, None, tmp_path / "hinted.png", rc={"text.hinting": "default"})
    hinted = np.asarray(Image.open(tmp_path / "hinted.png"))[top:bottom, left:right]
    assert hinted.shape == theirs.shape and not np.array_equal(hinted, theirs)
    plt.close(fig)


def test_png_of_a_box_outside_the_figure_is_matplotlibs_bbox_save(tmp_path):
    """A text placed outside the figure (the tight layout cannot bring it in) widens the box
    beyond the canvas: that PNG is matplotlib's own ``bbox_inches`` save of the box."""
    import numpy as np
    from PIL import Image

    fig = _fig(2)
    fig.text(1.15, 0.5, "outside the figure")
    png, _ = render_figure(fig, dpi=120, stem="fig01-x", title="T", alt="a", figures_dir=tmp_path)
    ours = np.asarray(Image.open(tmp_path / "fig01-x.png"))
    fig.dpi = 120
    bbox = _tight_box(fig)
    assert bbox.x1 > fig.get_size_inches()[0]
    _matplotlib_png(fig, 120, bbox, tmp_path / "mpl.png")
    theirs = np.asarray(Image.open(tmp_path / "mpl.png"))
    assert ours.shape[:2] == theirs.shape[:2] and ours.shape[1] > round(fig.get_size_inches()[0] * 120)
    assert np.array_equal(ours, theirs[..., :3])
    plt.close(fig)


def test_box_pixels_round_outwards():
    from matplotlib.transforms import Bbox

    from evalkit.report.figure_server import box_pixels

    # 0.5 in .. 2.25 in wide, 0.1 in .. 1.0 in high at 100 dpi on a 200 px tall canvas
    assert box_pixels(Bbox([[0.5, 0.1], [2.25, 1.0]]), 100, 200) == (100, 190, 50, 225)
    assert box_pixels(Bbox([[0.505, 0.105], [2.245, 0.995]]), 100, 200) == (100, 190, 50, 225)
    assert box_pixels(Bbox([[0.0, 0.0], [4.0, 2.0]]), 100, 200) == (0, 200, 0, 400)


def test_layout_leaves_no_engine_that_draws_twice(tmp_path, monkeypatch):
    """``fig.tight_layout()`` leaves a placeholder layout engine, with which every savefig draws
    the figure once more before drawing it; the report's layout must leave none (one draw per
    file: PNG and SVG)."""
    from matplotlib.figure import Figure

    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: (draws.append(1), original(self, renderer))[1])
    fig = _fig(2)
    render_figure(fig, dpi=100, stem="fig01-x", title="T", alt="a", figures_dir=tmp_path)
    assert fig.get_layout_engine() is None
    assert len(draws) == 2
    plt.close(fig)


@pytest.mark.parametrize("shape", [(1, 1), (255, 7), (256, 3), (257, 513), (700, 101)])
def test_encode_rgb_png_is_a_valid_png_of_the_same_pixels(shape):
    """The PNG written without Pillow's encoder: Pillow reads it back (chunk CRCs checked by
    ``verify``) with the same RGB pixels, resolution and Software text, also across the
    256-row blocks it is deflated in (random pixels: nothing compresses away)."""
    import io
    import zlib

    import numpy as np
    from PIL import Image

    from evalkit.report.figure_server import encode_rgb_png

    rng = np.random.default_rng(sum(shape))
    rgba = rng.integers(0, 256, size=(*shape, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    png = encode_rgb_png(rgba, dpi=300, software="Matplotlib version3, https://matplotlib.org/")
    Image.open(io.BytesIO(png)).verify()
    im = Image.open(io.BytesIO(png))
    assert im.mode == "RGB" and im.size == (shape[1], shape[0])
    assert np.array_equal(np.asarray(im), rgba[..., :3])
    assert round(im.info["dpi"][0]) == 300 and im.info["Software"].startswith("Matplotlib version3")
    # every chunk's CRC, checked here too (Pillow's verify skips none, but say it ourselves)
    pos, kinds = 8, []
    while pos < len(png):
        n = int.from_bytes(png[pos:pos + 4], "big")
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        assert int.from_bytes(png[pos + 8 + n:pos + 12 + n], "big") == zlib.crc32(kind + data)
        kinds.append(kind)
        pos += 12 + n
    assert kinds == [b"IHDR", b"pHYs", b"tEXt", b"IDAT", b"IEND"]


def test_titles_are_placed_as_matplotlib_places_them(tmp_path):
    """The titles held at their height while a figure is laid out and saved: an axes whose
    y axis shows an offset text ("1e7") over it has its title lifted exactly as matplotlib lifts
    it (laid out again with the titles placed as usual), and the figure is left with
    matplotlib's own placing afterwards. Both against matplotlib's own save of the figure."""
    import numpy as np
    from PIL import Image

    fig, (a, b) = plt.subplots(1, 2, figsize=(6, 2.5))
    a.plot([0, 1, 2], [1.2e7, 1.5e7, 1.9e7])  # ScalarFormatter: offset text at the top left
    a.set_title("Biaya per tahun", loc="left")  # over the offset text
    b.barh([0, 1], [3, 4])
    b.set_title("Tanpa offset")
    png, _ = render_figure(fig, dpi=100, stem="fig01-x", title="T", alt="a", figures_dir=tmp_path)
    assert a.yaxis.offsetText.get_text()  # the case this test is about
    assert a._left_title.get_position()[1] > 1.0  # lifted above the offset text, as matplotlib does
    assert a._autotitlepos is True and b._autotitlepos is True  # left as matplotlib keeps them
    fig.dpi = 100
    _matplotlib_png(fig, 100, None, tmp_path / "mpl.png")
    whole = np.asarray(Image.open(tmp_path / "mpl.png"))
    bbox = _tight_box(fig)
    top, bottom, left, right = figure_server.box_pixels(bbox, 100, whole.shape[0])
    assert np.array_equal(np.asarray(Image.open(tmp_path / "fig01-x.png")), whole[top:bottom, left:right, :3])
    plt.close(fig)


def test_held_titles_give_the_same_files(tmp_path, monkeypatch):
    """Holding the titles changes no pixel and no SVG byte of a report figure."""
    fig = _fig(3)
    fig2 = _fig(3)
    render_figure(fig, dpi=100, stem="fig01-x", title="T", alt="a", figures_dir=tmp_path / "held")
    assert figure_server._freeze_titles(plt.figure()) == []  # (an empty figure holds nothing)
    monkeypatch.setattr(figure_server, "_freeze_titles", lambda f: [])
    render_figure(fig2, dpi=100, stem="fig01-x", title="T", alt="a", figures_dir=tmp_path / "placed")
    for ext in ("png", "svg"):
        assert (tmp_path / "held" / f"fig01-x.{ext}").read_bytes() == (tmp_path / "placed" / f"fig01-x.{ext}").read_bytes()
    plt.close("all")


def test_indonesian_figures_have_a_decimal_comma(tmp_path):
    """An Indonesian report's figure writes 0,5 on an axis of default numbers (PUEBI), the same
    ticks as matplotlib's; its own formatters (percentages) and English figures are untouched;
    the formatter survives the pickling to the figure helper."""
    import pickle

    from evalkit.report import figures
    from evalkit.report.sections.base import ReportDocument

    def make():
        fig, (a, b) = plt.subplots(1, 2)
        a.plot([0, 0.5, 1.0], [0.25, 0.75, 0.5])
        b.barh([0, 1], [10, 40])
        b.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(figures._abs_percent))
        return fig, a, b

    fig, a, b = make()
    ReportDocument("id").figure(fig, "x", alt="a")
    fmt = a.xaxis.get_major_formatter()
    assert isinstance(fmt, figures.DecimalCommaFormatter)
    plain = matplotlib.ticker.ScalarFormatter()
    plain.set_axis(a.xaxis)
    ticks = list(a.get_xticks())
    assert fmt.format_ticks(ticks) == [s.replace(".", ",") for s in plain.format_ticks(ticks)]
    assert "0,5" in fmt.format_ticks([0.0, 0.5, 1.0]) and not any("." in s for s in fmt.format_ticks(ticks))
    assert isinstance(b.xaxis.get_major_formatter(), matplotlib.ticker.FuncFormatter)  # its own: kept
    again = pickle.loads(pickle.dumps(fig))
    assert isinstance(again.axes[0].xaxis.get_major_formatter(), figures.DecimalCommaFormatter)
    fig_en, a_en, _ = make()
    ReportDocument("en").figure(fig_en, "x", alt="a")
    assert type(a_en.xaxis.get_major_formatter()) is matplotlib.ticker.ScalarFormatter
    plt.close("all")


def test_likert_item_labels_wrap_before_they_cut():
    from evalkit.report.sections.level1 import item_label

    assert item_label("Bahan ajar yang dibagikan bermanfaat") == "Bahan ajar yang dibagikan bermanfaat"
    two = item_label("Materi pelatihan sesuai dengan kebutuhan pekerjaan saya")
    assert two == "Materi pelatihan sesuai dengan kebutuhan\npekerjaan saya"  # whole words, nothing cut
    long = item_label("Materi  pelatihan sesuai dengan kebutuhan pekerjaan saya sehari-hari di unit kerja "
                      "dan dapat langsung diterapkan")
    first, second = long.split("\n")
    assert len(first) <= 44 and len(second) <= 44 and second.endswith("…")
    assert "  " not in long and item_label("") == ""


def test_value_labels_have_a_ground_and_the_languages_decimal_mark():
    """A value written at a bar's end sits on a white ground (no gridline through it) and uses
    the report language's decimal mark (12,5% in Indonesian)."""
    import pandas as pd

    from evalkit.report import figures

    data = pd.DataFrame({"item": ["a", "b"], "ss": [40.25, 10.0], "s": [22.25, 30.0], "rest": [37.5, 60.0]})
    for lang, text in (("id", "62,5%"), ("en", "62.5%")):
        ax = figures.percent_bars(data, label="item", agree=["s", "ss"], other="rest", agree_labels=["S", "SS"],
                                  other_label="lain", lang=lang)
        labels = {t.get_text(): t for t in ax.texts}
        assert text in labels
        box = labels[text].get_bbox_patch()
        assert box is not None and box.get_facecolor()[:3] == (1.0, 1.0, 1.0)
        plt.close(ax.figure)


def test_a_taken_back_copy_that_cannot_be_drawn_falls_back_and_is_closed():
    """The kernel draws a figure it took back from the helper's queue from the unpickled copy;
    when that copy is missing (could not be unpickled) or fails to draw, ``_draw_copy`` gives
    None (the kernel then draws its own figure object) and leaves no copy open in pyplot."""
    from evalkit.report.sections.base import _draw_copy

    job = dict(dpi=72, stem="fig01-x", title="T", alt="a", figures_dir=None)
    assert _draw_copy(None, job) is None
    fig = _fig(1)

    class Broken(matplotlib.artist.Artist):
        def draw(self, renderer):
            raise RuntimeError("cannot draw")

    fig.axes[0].add_artist(Broken())
    assert _draw_copy({"fig": fig, "rc": {}}, job) is None
    assert fig.number not in plt.get_fignums()
    good = _fig(2)
    png, width = _draw_copy({"fig": good, "rc": {}}, job)
    assert png.startswith(b"\x89PNG") and width > 0 and good.number not in plt.get_fignums()


def _texts_fig(k, family="sans-serif"):
    """A figure with many strings, some shared with the other figures, one legend wider than
    the figure (the ``bbox_inches`` save on a renderer of its own), a text of two lines in a
    font of its own, and ``family`` for the rest."""
    with matplotlib.rc_context({"font.family": family}):
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.barh(["Sangat Setuju", "Setuju", f"Ragu-ragu {k}"], [3, 1 + k, 2])
        ax.set_title(f"Skala {k}: materi — ⟨g⟩ 0,5 %")
        ax.set_xlabel("Persentase responden")
        # a line gap; a family of its own (not the rcParams')
        ax.text(0.5, 0.5, f"dua baris\ncatatan {k}", transform=ax.transAxes, fontfamily="cmr10")
        ax.legend(["Sangat Tidak Setuju · Tidak Setuju · Ragu-ragu · Setuju · Sangat Setuju · Tidak Menjawab · "
                   "Tidak Tahu"], loc="lower center", bbox_to_anchor=(0.5, 1.1))
    return fig


def _files(tmp_path, tag, dpi):
    out = []
    # two families whose line heights differ (DejaVu's serif and sans share theirs), the same
    # size in two families
    for k, family, size in ((1, "sans-serif", 10), (2, "STIXGeneral", 11), (3, "sans-serif", 12),
                            (4, "STIXGeneral", 10)):
        with matplotlib.rc_context({"font.family": family, "font.size": size}):
            png, _ = render_figure(_texts_fig(k, family), dpi=dpi, stem=f"fig{k}", title="t", alt="a",
                                   figures_dir=tmp_path / tag)
        assert int.from_bytes(png[16:20], "big") > 6 * dpi  # the legend is wider than the figure
        out.append((png, (tmp_path / tag / f"fig{k}.svg").read_bytes()))
        plt.close("all")
    return out


def test_shared_text_metrics_give_matplotlibs_files(tmp_path, monkeypatch):
    """Text sizes shared by all Agg and SVG renderers (``share_text_metrics``) give the same PNG
    and SVG bytes as matplotlib's cache per renderer, at two resolutions, with fonts and sizes
    changed by rcParams between figures, whether the shared cache is empty or already full."""
    import matplotlib.text as mtext

    figure_server.share_text_metrics()
    shared = mtext._get_text_metrics_with_cache
    assert shared._evalkit_shared
    figure_server.share_text_metrics()  # idempotent: not wrapped twice
    assert mtext._get_text_metrics_with_cache is shared
    for dpi in (150, 300):
        monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", shared._evalkit_own)
        plain = _files(tmp_path, f"plain{dpi}", dpi)
        monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", shared)
        shared._evalkit_cache.clear()
        first = _files(tmp_path, f"first{dpi}", dpi)
        assert len(shared._evalkit_cache) > 10  # the strings went through the shared cache
        again = _files(tmp_path, f"again{dpi}", dpi)  # every string now answered from the cache
        assert plain == first == again
        keys = list(shared._evalkit_cache)
        kinds = {k[2].__name__ for k in keys}
        assert kinds == {"RendererAgg", "RendererSVG"}  # the PNGs' and the SVGs' measurements
        assert {k[0] for k in keys if k[2].__name__ == "RendererAgg"} == {dpi}
        assert len({k[-1] for k in keys}) >= 3  # the rcParams of each figure in the key


def test_shared_line_heights_give_matplotlibs_files(tmp_path, monkeypatch):
    """The font files and SFNT tables that ``Text._get_layout`` reads for a line's height,
    remembered (``_share_line_heights``), give the same PNG and SVG bytes as matplotlib's own
    lookups, for figures in two font families and three sizes, whether remembered or not yet."""
    import matplotlib.text as mtext
    from matplotlib import font_manager

    figure_server.share_text_metrics()
    ours = (mtext.fontManager, mtext.get_font)
    assert isinstance(ours[0], figure_server._FontFiles)
    figure_server.share_text_metrics()  # idempotent: not wrapped twice
    assert (mtext.fontManager, mtext.get_font) == ours
    assert ours[0].ttflist is font_manager.fontManager.ttflist  # anything else: matplotlib's
    monkeypatch.setattr(mtext, "fontManager", font_manager.fontManager)
    monkeypatch.setattr(mtext, "get_font", font_manager.get_font)
    plain = _files(tmp_path, "plain", 300)
    monkeypatch.setattr(mtext, "fontManager", ours[0])
    monkeypatch.setattr(mtext, "get_font", ours[1])
    ours[0]._cache.clear()
    first = _files(tmp_path, "first", 300)
    assert len(ours[0]._cache) >= 3  # each family and size went through the remembered lookup
    again = _files(tmp_path, "again", 300)
    assert plain == first == again


def test_fonts_read_from_memory_give_the_files_of_fonts_read_from_disk(tmp_path, monkeypatch):
    """``fonts_in_memory``: the fonts that renderers use are handed their file's bytes instead
    of the file; figures in two families and three sizes (bold titles, a legend, Indonesian
    words) have the same PNG and SVG bytes as with the fonts read from their files."""
    from matplotlib import font_manager

    figure_server.fonts_in_memory()
    shim = font_manager.ft2font
    assert isinstance(shim, figure_server._FontsFromMemory)
    figure_server.fonts_in_memory()  # idempotent: not wrapped twice
    assert font_manager.ft2font is shim
    path = font_manager.findfont("DejaVu Sans")
    font = font_manager.get_font(path)
    assert isinstance(font.fname, figure_server._FontInMemory)  # what the renderers draw with
    assert str(font.fname) == font.fname.name == path  # a path for the PDF and PS backends
    ours = _files(tmp_path, "memory", 300)
    # matplotlib's own: fonts opened by path again
    monkeypatch.setattr(font_manager, "ft2font", shim._real)
    monkeypatch.setattr(figure_server, "fonts_in_memory", lambda: None)
    font_manager._get_font.cache_clear()
    assert isinstance(font_manager.get_font(path).fname, str)
    plain = _files(tmp_path, "files", 300)
    font_manager._get_font.cache_clear()
    assert ours == plain


def test_fonts_in_memory_leave_other_uses_of_font_files_as_they_were(tmp_path):
    """Only ``font_manager._get_font`` gets the bytes: a font opened by path anywhere else (as
    ``FontManager.addfont`` does to read its names) keeps its path, and a PDF, whose backend
    embeds the fonts by their paths, is still written with its fonts."""
    import io

    from matplotlib import font_manager

    figure_server.fonts_in_memory()
    path = str(font_manager.findfont("DejaVu Sans"))  # a plain path, as _get_font is given
    assert type(font_manager.ft2font.FT2Font(path).fname) is str  # not called from _get_font
    entry = font_manager.ttfFontProperty(font_manager.ft2font.FT2Font(path))
    assert entry.fname == path
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_title("Sangat Setuju — Ω")
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    assert buf.getvalue().startswith(b"%PDF") and b"DejaVuSans" in buf.getvalue()


def _transform_nodes(root):
    """Every matplotlib transform reachable from ``root``."""
    import gc

    from matplotlib.transforms import TransformNode

    seen, todo, nodes = set(), [root], []
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float, type)):
            continue
        seen.add(id(obj))
        if isinstance(obj, TransformNode):
            nodes.append(obj)
        todo.extend(gc.get_referents(obj))
    return nodes


def test_a_figure_sent_to_the_helper_keys_its_transforms_parents_by_their_own_ids():
    """``load_job``: after unpickling, each transform's parents are keyed by their ids in this
    process (matplotlib keeps the ids of the process that pickled, which a later transform can
    take, and that parent then stops being invalidated: a stale clip box in the helper's SVG);
    the figure is drawn as the original is, and matplotlib's own unpickling is left in place."""
    import pickle

    from matplotlib.transforms import TransformNode

    fig = _fig(5)
    data = pickle.dumps({"n": 0, "fig": fig}, protocol=pickle.HIGHEST_PROTOCOL)
    own = TransformNode.__dict__["__setstate__"]
    job = figure_server.load_job(data)
    assert TransformNode.__dict__["__setstate__"] is own  # restored after loading
    nodes = _transform_nodes(job["fig"])
    keyed = [(k, ref()) for node in nodes for k, ref in node._parents.items()]
    assert len(keyed) > 50
    assert all(parent is not None and k == id(parent) for k, parent in keyed)
    plain = pickle.loads(data)  # matplotlib's keys: the ids of the original figure's transforms
    assert any(k != id(ref()) for node in _transform_nodes(plain["fig"]) for k, ref in node._parents.items()
               if ref() is not None)
    # and the parents still hear of a change: the axes' clip box follows the figure's dpi
    ax = job["fig"].axes[0]
    before = ax.bbox.bounds
    job["fig"].dpi = job["fig"].dpi * 2
    assert ax.bbox.bounds == pytest.approx(tuple(2 * v for v in before))
    plt.close("all")
