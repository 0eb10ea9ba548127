"""Figures for program reports, in one consistent theme.

Every function takes ``data`` first and an optional ``ax``, draws on it and returns
the Axes, as seaborn does.
"""
from __future__ import annotations

import textwrap

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.patches
import matplotlib.ticker
import numpy as np
import pandas as pd
import seaborn as sns

from ..i18n import fmt_num, t

PALETTE_5 = ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"]


THEME_RC = {"figure.dpi": 110, "savefig.dpi": 300, "axes.titleweight": "bold",
            "axes.spines.top": False, "axes.spines.right": False,
            # user text (scale labels, indicator names) is never TeX: a "$" stays a "$"
            "text.parse_math": False, "svg.fonttype": "path"}


def set_theme() -> None:
    """The evalkit theme, set globally: seaborn ``whitegrid``, colour-blind-safe palette,
    readable fonts (for your own notebooks; the report uses :func:`theme` instead)."""
    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind", rc=THEME_RC)


def theme_rc() -> dict:
    """The rcParams of :func:`set_theme`, as a dict."""
    from cycler import cycler

    rc = {}
    rc.update(sns.axes_style("whitegrid"))
    rc.update(sns.plotting_context("notebook"))
    rc["axes.prop_cycle"] = cycler(color=sns.color_palette("colorblind").as_hex())
    rc.update(THEME_RC)
    return rc


def theme():
    """The evalkit theme for the figures drawn inside a ``with`` block only; matplotlib's
    global state is left as it was (``plt.rc_context``)."""
    return plt.rc_context(theme_rc())


def themed(fn):
    """Decorator: run a section method under :func:`theme`."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kw):
        with theme():
            return fn(*args, **kw)

    return wrapper


class DecimalCommaFormatter(matplotlib.ticker.ScalarFormatter):
    """matplotlib's default number formatter (``ScalarFormatter``: same ticks, same digits,
    same offset), writing the decimal comma of Indonesian (PUEBI: ``0,5``, not ``0.5``).
    ScalarFormatter groups no thousands, so every "." it writes is the decimal point."""

    def __call__(self, x, pos=None):
        return super().__call__(x, pos).replace(".", ",")

    def get_offset(self):
        return super().get_offset().replace(".", ",")

    def format_data_short(self, value):
        return super().format_data_short(value).replace(".", ",")


def decimal_comma(fig) -> None:
    """Give every axis of ``fig`` that shows matplotlib's default numbers
    (``ScalarFormatter``, e.g. the 0,2 … 1,0 of a gain histogram) a decimal comma
    (:class:`DecimalCommaFormatter`); axes with their own formatter (percentages, categories,
    rupiah) are left as they are. The report applies it to each figure of an Indonesian
    report; call it on your own figures for the same."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            fmt = axis.get_major_formatter()
            if type(fmt) is matplotlib.ticker.ScalarFormatter:
                axis.set_major_formatter(DecimalCommaFormatter(useOffset=fmt.get_useOffset(),
                                                               useMathText=fmt.get_useMathText()))


def wrap_label(text: str, width: int = 44) -> str:
    """A long label (a questionnaire statement, an indicator's name) for an axis: wrapped at word
    boundaries to two lines of at most ``width`` characters; a longer text's second line is
    cut with "…"."""
    lines = textwrap.wrap(" ".join(str(text).split()), width) or [""]
    if len(lines) > 2:
        lines = [lines[0], lines[1][:width - 1].rstrip() + "…"]
    return "\n".join(lines)


#: the white ground of a value written at the end of a bar, so that no gridline runs through it
VALUE_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.0, "alpha": 0.9}


def _abs_percent(v, _pos=None) -> str:
    """Tick label of a diverging bar chart: the share either side of zero, e.g. ``40%``
    (a module-level function, so that a figure can be pickled to the figure helper)."""
    return f"{abs(v):.0f}%"


def _diverging_colors(k: int) -> list[str]:
    if k == 5:
        return PALETTE_5
    return sns.color_palette("RdBu", k).as_hex()


def likert_bars(data: pd.DataFrame, items=None, *, scale=(1, 5), labels=None, item_labels=None,
                ax=None, lang: str = "en"):
    """Diverging stacked bars of Likert answers, one bar per item.

    Answers below the midpoint extend left, above it right; a neutral midpoint is
    split across zero. Percentages are of the answers given (missing left out).

    Parameters
    ----------
    data : DataFrame
        Wide responses, one numeric column per item (values on ``scale``).
    items : list of str, optional
        Items to show (default: all columns).
    scale : (min, max)
    labels : list of str, optional
        Legend labels of the answer categories, low to high.
    item_labels : dict, optional
        Display name per item.

    Returns
    -------
    matplotlib.axes.Axes
    """
    items = list(items or data.columns)
    values = np.arange(int(scale[0]), int(scale[1]) + 1)
    k = len(values)
    props = pd.DataFrame({i: data[i].value_counts(normalize=True).reindex(values, fill_value=0) for i in items}).T
    props = props.iloc[::-1] * 100
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(items) + 1.4))
    colors = _diverging_colors(k)
    mid = (k - 1) / 2
    left = -props.iloc[:, : int(np.floor(mid))].sum(axis=1)
    if k % 2 == 1:
        left = left - props.iloc[:, int(mid)] / 2
    start = left.to_numpy().copy()
    y = np.arange(len(props))
    for j, v in enumerate(values):
        w = props[v].to_numpy()
        ax.barh(y, w, left=start, color=colors[j], edgecolor="white", linewidth=0.5,
                label=(labels[j] if labels else str(v)))
        start = start + w
    ax.axvline(0, color="#444", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([(item_labels or {}).get(i, i) for i in props.index])
    lim = max(abs(left.min()), (left + props.sum(axis=1)).max(), 50)
    ax.set_xlim(-lim * 1.05, lim * 1.05)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_abs_percent))
    ax.set_xlabel(t("fig.percent_of_answers", lang))
    ax.legend(ncol=k, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize="small",
              handlelength=1.2, columnspacing=1.0)
    return ax


def prepost_plot(data: pd.DataFrame, *, pre: str = "pre", post: str = "post", ax=None, lang: str = "en",
                 max_score: float | None = None):
    """Paired slope plot: one grey line per participant from pre to post, the means in colour.

    Returns
    -------
    matplotlib.axes.Axes
    """
    d = data[[pre, post]].dropna()
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 4.2))
    for _, r in d.iterrows():
        c = "#2166ac" if r[post] > r[pre] else ("#b2182b" if r[post] < r[pre] else "#999999")
        ax.plot([0, 1], [r[pre], r[post]], color=c, alpha=0.35, linewidth=1)
    ax.plot([0, 1], [d[pre].mean(), d[post].mean()], color="black", linewidth=3, marker="o",
            label=t("fig.mean", lang))
    ax.set_xticks([0, 1])
    ax.set_xticklabels([t("l2.pre", lang), t("l2.post", lang)])
    ax.set_xlim(-0.25, 1.25)
    if max_score is not None:
        ax.set_ylim(0, max_score * 1.02)
    ax.set_ylabel(t("fig.score", lang))
    ax.legend(frameon=False, loc="lower right")
    return ax


def gain_hist(data: pd.DataFrame, *, gain: str = "gain", ax=None, lang: str = "en"):
    """Histogram of individual normalized gains with Hake's bands shaded (``hake`` in
    ``config/bands.yaml``: low < .3 ≤ medium < .7 ≤ high).

    Returns
    -------
    matplotlib.axes.Axes
    """
    g = data[gain].dropna()
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 3.6))
    from ..bands import band_sets

    lo = min(-0.2, float(g.min()) if len(g) else 0)
    # the band limits from config/bands.yaml (hake), not from code
    bands = band_sets()["hake"]["bands"]
    starts = [lo - 0.05] + [float(b["min"]) for b in bands[1:]]
    ends = starts[1:] + [1.05]
    colours = {"low": "#f4cccc", "medium": "#fff2cc", "high": "#d9ead3"}
    for a, b, key in zip(starts, ends, [b["key"] for b in bands]):
        col = colours.get(key, "#eeeeee")
        ax.axvspan(a, b, color=col, alpha=0.6, zorder=0)
        ax.text((max(a, lo) + b) / 2, 0.97, t(f"band.{key}", lang), transform=ax.get_xaxis_transform(),
                ha="center", va="top", fontsize="small", color="#555")
    sns.histplot(x=g, bins=np.arange(np.floor(lo * 10) / 10, 1.05, 0.1), ax=ax, color="#2166ac", zorder=2)
    ax.set_xlabel(t("fig.normalized_gain", lang))
    ax.set_ylabel(t("fig.participants", lang))
    return ax


def funnel_plot(data: pd.DataFrame, *, n: str = "n", labels: dict | None = None, ax=None, lang: str = "en"):
    """Horizontal funnel of an assessment path: one bar per stage, with counts and percentages.

    Parameters
    ----------
    data : DataFrame
        Indexed by stage, in order, with a count column ``n``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.5 * len(data) + 1))
    counts = data[n].to_numpy(float)
    top = counts[0] if len(counts) and counts[0] else 1
    y = np.arange(len(data))[::-1]
    ax.barh(y, counts, color=sns.color_palette("Blues_r", len(data)), edgecolor="white")
    for yi, c in zip(y, counts):
        ax.text(c + top * 0.01, yi, f"{c:.0f} ({100 * c / top:.0f}%)", va="center", fontsize="small", bbox=VALUE_BOX)
    ax.set_yticks(y)
    ax.set_yticklabels([(labels or {}).get(i, i) for i in data.index])
    ax.set_xlim(0, top * 1.22)
    ax.set_xlabel(t("fig.participants", lang))
    ax.grid(axis="y", visible=False)
    return ax


def achievement_bars(data: pd.DataFrame, *, indicator: str = "indicator", progress: str = "progress_pct",
                     ax=None, lang: str = "en", max_label: int = 45):
    """Horizontal bars of each indicator's progress toward its target, with the 100 % line.

    Bars reaching the target are blue, the others orange.

    Returns
    -------
    matplotlib.axes.Axes
    """
    d = data[[indicator, progress]].iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.55 * len(d) + 1.4))
    vals = d[progress].to_numpy(float)
    colors = ["#2166ac" if v >= 100 else "#ef8a62" for v in vals]
    y = np.arange(len(d))
    ax.barh(y, vals, color=colors)
    ax.axvline(100, color="#333", linewidth=1, linestyle="--")
    for yi, v in zip(y, vals):
        ax.text(max(v, 0) + 2, yi, f"{v:.0f}%", va="center", fontsize="small", bbox=VALUE_BOX)
    names = ["–" if pd.isna(s) else str(s) for s in d[indicator]]
    labels = [wrap_label(s, max_label) for s in names]
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xlim(min(0, np.nanmin(vals) * 1.1 if len(vals) else 0), max(120, np.nanmax(vals) * 1.15 if len(vals) else 120))
    ax.set_xlabel(t("fig.progress", lang))
    ax.grid(axis="y", visible=False)
    return ax


STATUS_COLORS = {"strong": "#a6d96a", "moderate": "#fee08b", "weak": "#f4a582", "not_measured": "#e0e0e0",
                 "info": "#c6dbef",
                 # the verdict's level statuses (the scorecard shows those)
                 "met": "#a6d96a", "partly_met": "#fee08b", "not_met": "#f4a582"}


def scorecard_plot(data: pd.DataFrame, *, label: str = "label", value: str = "value", status: str = "status",
                   status_text: dict | None = None, ax=None, lang: str = "en"):
    """One coloured tile per level: green met (strong), yellow partly met (moderate), red not met
    (weak), grey not measured.

    Parameters
    ----------
    data : DataFrame
        One row per level with a ``label``, a display ``value`` and a ``status`` key
        (met, partly_met, not_met — or strong, moderate, weak — not_measured, info).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.7 * len(data) + 0.6))
    n = len(data)
    for i, (_, r) in enumerate(data.iterrows()):
        y = n - 1 - i
        ax.add_patch(matplotlib.patches.FancyBboxPatch((0, y + 0.08), 1, 0.84, boxstyle="round,pad=0.01",
                                                       color=STATUS_COLORS.get(r[status], "#eee")))
        ax.text(0.02, y + 0.5, textwrap.fill(str(r[label]), 34), va="center", fontsize="medium", fontweight="bold")
        ax.text(0.55, y + 0.5, textwrap.fill(str(r[value]), 28), va="center", fontsize="medium")
        ax.text(0.98, y + 0.5, (status_text or {}).get(r[status], r[status]), va="center", ha="right",
                fontsize="small", style="italic")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, n)
    ax.axis("off")
    return ax


def percent_bars(data: pd.DataFrame, *, label: str, agree: list[str], other: str, agree_labels: list[str],
                 other_label: str, ax=None, lang: str = "en", wrap: int = 55):
    """Diverging bars from published percentages: the agreeing shares to the right of zero,
    the share the source does not break down (neutral or disagree) to the left, in grey.

    Returns
    -------
    matplotlib.axes.Axes
    """
    d = data.iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.6 * len(d) + 1.6))
    y = np.arange(len(d))
    ax.barh(y, -d[other].to_numpy(float), color="#bdbdbd", label=other_label, edgecolor="white")
    left = np.zeros(len(d))
    for col, lab, color in zip(agree, agree_labels, ["#67a9cf", "#2166ac"]):
        v = d[col].to_numpy(float)
        ax.barh(y, v, left=left, color=color, label=lab, edgecolor="white")
        left += v
    for yi, tot in zip(y, left):
        ax.text(tot + 1, yi, f"{fmt_num(tot, lang, 1)}%", va="center", fontsize="small", bbox=VALUE_BOX)
    ax.axvline(0, color="#444", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([textwrap.fill(str(s), wrap) for s in d[label]], fontsize="small")
    ax.set_xlim(-40, 110)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_abs_percent))
    ax.set_xlabel(t("fig.percent_of_answers", lang))
    ax.legend(ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize="small")
    return ax


LOGIC_LEVELS = ("input", "activity", "output", "outcome", "impact")


def logic_model(data: pd.DataFrame, *, indicator: str = "indicator", level: str = "logic_level",
                value: str | None = "achievement_pct", ax=None, lang: str = "en", wrap: int = 22):
    """The logic model input → activity → output → outcome → impact, each indicator placed
    under its level (with its achievement % when ``value`` is given).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 4.5))
    ax.set_axis_off()
    n = len(LOGIC_LEVELS)
    ax.set_xlim(-0.5, n - 0.5)
    per_level = {lv: data[data[level] == lv] for lv in LOGIC_LEVELS}
    depth = max([len(v) for v in per_level.values()] + [1])
    ax.set_ylim(-depth - 0.2, 1.0)
    for x, lv in enumerate(LOGIC_LEVELS):
        ax.text(x, 0.5, t(f"logic.{lv}", lang), ha="center", va="center", fontweight="bold",
                bbox=dict(boxstyle="round,pad=0.4", fc="#c6dbef", ec="#2166ac"))
        if x < n - 1:
            ax.annotate("", xy=(x + 0.62, 0.5), xytext=(x + 0.38, 0.5),
                        arrowprops=dict(arrowstyle="->", color="#2166ac", lw=1.5))
        for j, (_, r) in enumerate(per_level[lv].iterrows()):
            label = textwrap.fill(str(r[indicator]), wrap)
            if value and value in r and pd.notna(r[value]):
                label += f"\n{r[value]:.0f}%"
            ax.text(x, -0.6 - j, label, ha="center", va="center", fontsize="x-small",
                    bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#999"))
    return ax


def performance_tree(data: pd.DataFrame, *, root: str, indicator: str = "indicator", goal: str = "strategic_goal",
                     value: str | None = "achievement_pct", ax=None, lang: str = "en", wrap: int = 30):
    """The institute's performance tree: the program (root) → the strategic goals it serves →
    the indicators measured for each goal (with achievement %).

    Returns
    -------
    matplotlib.axes.Axes
    """
    d = data.copy()
    d[goal] = d[goal].fillna(t("logic.no_goal", lang))
    goals = list(dict.fromkeys(d[goal]))
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 0.8 * len(d) + 1.2))
    ax.set_axis_off()
    ys = {}
    leaves = []
    y = 0.0
    for g in goals:
        rows = d[d[goal] == g]
        top = y
        for _, r in rows.iterrows():
            leaves.append((y, r))
            y -= 1
        ys[g] = (top + y + 1) / 2
    root_y = (0 + y + 1) / 2
    box = dict(boxstyle="round,pad=0.35", ec="#2166ac")
    ax.text(0, root_y, textwrap.fill(root, 24), ha="center", va="center", fontsize="small", fontweight="bold",
            bbox={**box, "fc": "#c6dbef"})
    for g, gy in ys.items():
        ax.plot([0.18, 0.82], [root_y, gy], color="#999", lw=1, zorder=0)
        ax.text(1, gy, textwrap.fill(str(g), 26), ha="center", va="center", fontsize="small",
                bbox={**box, "fc": "#deebf7"})
    for ly, r in leaves:
        ax.plot([1.2, 1.62], [ys[r[goal]], ly], color="#999", lw=1, zorder=0)
        label = textwrap.fill(str(r[indicator]), wrap)
        if value and value in r and pd.notna(r[value]):
            label += f"  ({r[value]:.0f}%)"
        ax.text(1.65, ly, label, ha="left", va="center", fontsize="x-small",
                bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="#999"))
    ax.set_xlim(-0.35, 3.0)
    ax.set_ylim(y + 0.4, 0.6)
    return ax


def mean_ci_plot(data: pd.DataFrame, *, label: str, mean: str = "mean", low: str = "ci_low", high: str = "ci_high",
                 few: str | None = "few", scale=None, ax=None, lang: str = "en"):
    """Means with their confidence intervals, one row each (e.g. per instructor); rows flagged
    in ``few`` are drawn hollow.

    Returns
    -------
    matplotlib.axes.Axes
    """
    d = data.iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * len(d) + 1.4))
    y = np.arange(len(d))
    m = d[mean].to_numpy(float)
    err = np.vstack([m - d[low].to_numpy(float), d[high].to_numpy(float) - m])
    hollow = d[few].to_numpy(bool) if few and few in d else np.zeros(len(d), bool)
    ax.errorbar(m, y, xerr=np.nan_to_num(err), fmt="none", ecolor="#666", capsize=3)
    ax.scatter(m[~hollow], y[~hollow], color="#2166ac", zorder=3)
    ax.scatter(m[hollow], y[hollow], facecolors="white", edgecolors="#2166ac", zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels(["–" if pd.isna(s) else str(s) for s in d[label]])
    if scale is not None:
        ax.set_xlim(scale[0], scale[1])
    ax.set_xlabel(t("fig.mean_ci", lang))
    return ax
