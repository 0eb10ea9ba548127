"""Training costs: per participant, per JP, per certified graduate, and delivery modes compared.

Cost lines carry either an ``amount`` or a ``unit_cost`` and a ``quantity`` per delivery mode.
:func:`compare_modes` puts two modes side by side (e.g. classroom vs the online "SMART" model)
the way the published comparison does: total per mode, per participant, and the saving
``(total_a − total_b) / total_a × 100``. :func:`check_lines` recomputes each line as
unit cost × quantity and lists the lines where that differs from the line total given.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Problem, StatisticsError


def check_lines(lines: pd.DataFrame, *, unit: str, qty: str, total: str) -> pd.DataFrame:
    """Lines whose ``unit × qty`` differs from ``total`` (lump sums without a quantity are listed
    with ``lump_sum = True``)."""
    d = lines[[unit, qty, total]].apply(pd.to_numeric, errors="coerce")
    lump = d[qty].isna() & d[total].notna()
    computed = d[unit] * d[qty]
    diff = (computed - d[total]).where(~lump)
    out = lines.assign(computed=computed, difference=diff, lump_sum=lump)
    return out[lump | (diff.abs() > 0.5)]


def compare_modes(lines: pd.DataFrame, *, participants: int, modes: dict[str, str],
                  baseline: str | None = None) -> pd.DataFrame:
    """Totals per delivery mode, per participant, and the saving against ``baseline``.

    Parameters
    ----------
    lines : DataFrame
        One row per cost line.
    participants : int or dict
        Participants of the course priced, or ``{mode: participants}`` when the modes were
        priced for different numbers of participants.
    modes : dict
        ``{mode name: column with that mode's line totals}``.
    baseline : str, optional
        The mode savings are measured against (default: the first).

    Returns
    -------
    DataFrame
        Indexed by mode: ``total, participants, per_participant, n_lines, saving, saving_pct``
        (of the total) and ``saving_per_participant_pct``.

    Examples
    --------
    >>> import pandas as pd
    >>> lines = pd.DataFrame({"kelas": [100.0, 50.0], "daring": [20.0, 0.0]})
    >>> compare_modes(lines, participants=10, modes={"classroom": "kelas", "online": "daring"})["saving_pct"].tolist()
    [0.0, 86.66666666666667]
    """
    counts = participants if isinstance(participants, dict) else dict.fromkeys(modes, participants)
    for mode in modes:
        n = counts.get(mode)
        if n is None or n <= 0:
            raise StatisticsError(Problem("bad_option", params={"name": f"participants ({mode})", "value": n,
                                                                "choices": "> 0"}))
    rows = []
    for mode, col in modes.items():
        if col not in lines.columns:
            raise StatisticsError(Problem("unknown_items", column=col, params={"available": ", ".join(lines.columns)}))
        v = pd.to_numeric(lines[col], errors="coerce").fillna(0.0)
        if (v < 0).any():
            raise StatisticsError(Problem("negative_cost", column=col, row=int(np.flatnonzero(v < 0)[0]) + 2,
                                          params={"value": float(v[v < 0].iloc[0])}))
        rows.append({"mode": mode, "total": float(v.sum()), "participants": counts[mode],
                     "per_participant": float(v.sum()) / counts[mode], "n_lines": int((v > 0).sum())})
    out = pd.DataFrame(rows).set_index("mode")
    ref = out.loc[baseline or out.index[0]]
    out["saving"] = ref["total"] - out["total"]
    out["saving_pct"] = out["saving"] / ref["total"] * 100 if ref["total"] else np.nan
    out["saving_per_participant_pct"] = ((ref["per_participant"] - out["per_participant"]) / ref["per_participant"]
                                         * 100 if ref["per_participant"] else np.nan)
    return out
