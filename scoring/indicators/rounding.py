"""Rounding published numbers: half up, the same for one number and for arrays of them.

Points are computed exactly and only the total is rounded, once (``rounding`` in the YAML); the
robustness analysis rounds its thousands of perturbed totals with this same function, so a unit's
published total and its unperturbed robustness total are the same number.

Binary floats hold 2.675 as 2.67499999999999982…, which a plain ``floor(x * 100 + 0.5)`` would
round down. The scaled value is therefore first snapped to six decimals (float noise is far below
that), then rounded half up (away from zero for negatives). Only IEEE operations that give the same
result on every machine are used.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_SNAP = 1e6


@overload
def round_half_up(values: float, decimals: int) -> float: ...


@overload
def round_half_up(values: FloatArray, decimals: int) -> FloatArray: ...


def round_half_up(values: float | FloatArray, decimals: int) -> float | FloatArray:
    """``values`` rounded half up to ``decimals`` (``2.675`` → ``2.68``, ``-2.675`` → ``-2.68``)."""
    array = np.asarray(values, dtype=np.float64)
    scale = float(10**decimals)
    magnitude = np.abs(array) * scale
    snapped = np.rint(magnitude * _SNAP) / _SNAP
    rounded: FloatArray = np.copysign(np.floor(snapped + 0.5) / scale, array)
    rounded = rounded + 0.0  # -0.0 → 0.0
    if isinstance(values, np.ndarray):
        return rounded
    return float(rounded)


def round_points(x: float) -> float:
    """Points rounded to 2 decimals for display and summaries (``2.675`` → ``2.68``)."""
    return round_half_up(x, 2)
