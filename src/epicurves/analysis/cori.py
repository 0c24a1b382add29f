"""R(t) by the method of Cori et al. (2013), as EpiEstim computes it, for many series at once.

Renewal model: ``I_t ~ Poisson(R_t * Lambda_t)`` with total infectiousness
``Lambda_t = sum_{s>=1} I_{t-s} w_s``, ``w`` the discretised serial interval (``w_0 = 0``). With a
gamma prior on R (shape ``a``, scale ``b``) the posterior over a window of ``tau`` days ending on
day t is gamma with shape ``a + sum I`` and rate ``1/b + sum Lambda``: its mean is the estimate,
its 2.5 % and 97.5 % quantiles the 95 % credible interval, and it is reported at the window's end.

Defaults (EpiEstim's ``make_config`` and Nishiura et al. 2020 for COVID-19):

- serial interval: discretised gamma, mean 4.7 days, sd 2.9 days (EpiEstim's ``discr_si``:
  shifted by one day, truncated at 40 days and renormalised);
- weekly sliding windows, ``tau = 7``;
- prior mean 5, sd 5 (shape 1, scale 5);
- an estimate needs a posterior coefficient of variation of at most 0.3, i.e. at least
  ``ceil(1/0.3**2 - a) = 11`` cases in the window, and ``sum Lambda > 0``; otherwise NaN;
- negative daily counts (corrections) count as 0; a window with a missing day gives NaN, and
  so does one where missing earlier days carry more than 5 % of the serial-interval weight
  (they would count as no infectors and inflate R); the first day of a series has no
  infectors (it is treated as imported).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..lazy import np, npt
from .windows import Floats, Series

__all__ = ["CoriOptions", "cori_estimates", "discrete_serial_interval"]


def discrete_serial_interval(mean: float, sd: float, max_days: int = 40) -> Floats:
    """EpiEstim's ``discr_si``: the serial interval as probabilities of 0 ... ``max_days`` days.

    A gamma distribution of mean ``mean - 1`` and sd ``sd``, shifted by one day and
    discretised; ``w[0] == 0``, and the result is renormalised to sum to 1.

    >>> w = discrete_serial_interval(4.7, 2.9)
    >>> float(w[0]), round(float(w.sum()), 12), int(w.argmax())
    (0.0, 1.0, 3)
    """
    if not (math.isfinite(mean) and math.isfinite(sd)) or mean <= 1 or sd <= 0:
        msg = (
            f"serial interval mean {mean} and sd {sd}: expected mean > 1 day and sd > 0"
        )
        raise ValueError(msg)
    k = np.arange(max_days + 1, dtype=np.float64)
    shape = ((mean - 1) / sd) ** 2
    scale = sd**2 / (mean - 1)

    from scipy import special  # imported where used: scipy takes a while to import

    def cdf(x: Floats, a: float) -> Floats:
        """The gamma CDF of shape ``a`` and the scale above (``scipy.stats.gamma.cdf``)."""
        inside = special.gammainc(a, np.maximum(x, 0.0) / scale)
        return np.asarray(np.where(x > 0, inside, 0.0), dtype=np.float64)

    w = (
        k * cdf(k, shape)
        + (k - 2) * cdf(k - 2, shape)
        - 2 * (k - 1) * cdf(k - 1, shape)
    )
    w += (
        shape
        * scale
        * (2 * cdf(k - 1, shape + 1) - cdf(k - 2, shape + 1) - cdf(k, shape + 1))
    )
    w = np.maximum(w, 0.0)
    w[0] = 0.0
    normalised: Floats = np.asarray(w / w.sum(), dtype=np.float64)
    return normalised


#: A window is estimated only while missing days hide at most this share of infectiousness.
MAX_UNKNOWN_INFECTIOUSNESS = 0.05

#: Above this shape the Wilson-Hilferty formula replaces the exact (and slow) inverse.
EXACT_QUANTILE_MAX_SHAPE = 1000.0


def gamma_quantile(shape: Floats, q: float) -> Floats:
    """Quantile ``q`` of the gamma distribution of scale 1 with the given shapes.

    Exact (``scipy.special.gammaincinv``) up to a shape of :data:`EXACT_QUANTILE_MAX_SHAPE`,
    the Wilson-Hilferty cube-root normal approximation above it, where its relative error is
    below 1e-6 (thousands of cases: national series), and ten times faster.

    >>> from scipy import special
    >>> q = gamma_quantile(np.array([12.0, 5000.0]), 0.975)
    >>> bool(abs(q[1] / float(special.gammaincinv(5000.0, 0.975)) - 1) < 1e-6)
    True
    """
    from scipy import special

    out = np.empty(len(shape))
    exact = shape <= EXACT_QUANTILE_MAX_SHAPE
    # Shapes repeat (1 + a week's cases): the slow inverse once per distinct shape.
    distinct, where = np.unique(shape[exact], return_inverse=True)
    out[exact] = special.gammaincinv(distinct, q)[where]
    big = shape[~exact]
    z = float(special.ndtri(q))
    out[~exact] = big * (1 - 1 / (9 * big) + z / (3 * np.sqrt(big))) ** 3
    return out


@dataclass(frozen=True)
class CoriOptions:
    """The choices behind a Cori estimate; the defaults are described in the module docstring.

    >>> options = CoriOptions(si_mean=5.2, si_sd=3.0)
    >>> options.window, options.prior_mean, options.interval
    (7, 5.0, 0.95)
    >>> metrics = load_metrics(["DE"], cori=options)  # r_cori with that serial interval
    """

    si_mean: float = 4.7
    si_sd: float = 2.9
    window: int = 7
    prior_mean: float = 5.0
    prior_sd: float = 5.0
    cv_posterior: float = 0.3
    interval: float = 0.95
    si_distribution: tuple[float, ...] | None = None
    """Probabilities of a serial interval of 0, 1, 2, ... days, instead of the gamma one."""
    provisional_days: int = 7
    """Estimates whose window ends in the last this many days of a series are provisional:
    late reports still change the counts they rest on."""

    def __post_init__(self) -> None:
        checks = {
            "window": self.window >= 1,
            "prior_mean": self.prior_mean > 0,
            "prior_sd": self.prior_sd > 0,
            "cv_posterior": self.cv_posterior > 0,
            "interval": 0 < self.interval < 1,
            "provisional_days": self.provisional_days >= 0,
        }
        for name, ok in checks.items():
            if not ok:
                msg = f"CoriOptions: {name}={getattr(self, name)!r} is out of range"
                raise ValueError(msg)

    @property
    def prior_shape(self) -> float:
        return (self.prior_mean / self.prior_sd) ** 2

    @property
    def prior_scale(self) -> float:
        return self.prior_sd**2 / self.prior_mean

    @property
    def min_cases(self) -> int:
        """Cases a window needs for the posterior CV to be at most ``cv_posterior``."""
        return max(0, math.ceil(1 / self.cv_posterior**2 - self.prior_shape))

    def weights(self) -> Floats:
        """The serial interval distribution ``w`` (``w[0] == 0``, summing to 1)."""
        if self.si_distribution is not None:
            w = np.asarray(self.si_distribution, dtype=np.float64)
            if w.ndim != 1 or len(w) < 2 or (w < 0).any() or w[0] != 0 or w.sum() <= 0:
                msg = "si_distribution: expected probabilities of 0, 1, 2 ... days with w[0] = 0"
                raise ValueError(msg)
            return np.asarray(w / float(w.sum()), dtype=np.float64)
        return discrete_serial_interval(self.si_mean, self.si_sd)


def cori_estimates(
    incidence: Floats, series: Series, options: CoriOptions
) -> dict[str, npt.NDArray[np.float64] | npt.NDArray[np.bool_]]:
    """Posterior mean, interval and provisional mark of R for every day of every series.

    ``incidence`` holds the daily counts of all series back to back, as ``series`` describes.
    Returns ``mean``, ``lo``, ``hi`` (float arrays, NaN where no estimate) and ``provisional``.
    """
    known = ~np.isnan(incidence)
    counts = np.where(known, np.maximum(np.where(known, incidence, 0.0), 0.0), 0.0)
    w = options.weights()
    infectiousness = series.lagged_sum(counts, w)
    # The share of infectiousness that missing days hide (none without missing days).
    unknown_weight = (
        np.zeros(len(counts))
        if known.all()
        else series.lagged_sum((~known).astype(np.float64), w)
    )
    tau = options.window
    window_known = np.where(known, counts, np.nan)
    sum_cases = series.rolling_sum(window_known, tau)
    sum_lambda = series.rolling_sum(infectiousness, tau)
    shape = options.prior_shape + sum_cases
    rate = 1 / options.prior_scale + sum_lambda
    ok = (series.pos >= tau) & (sum_cases >= options.min_cases) & (sum_lambda > 0)
    ok &= ~np.isnan(sum_cases)
    # Missing days would count as no infectors and inflate R: skip windows where they hide
    # more than MAX_UNKNOWN_INFECTIOUSNESS of the infectiousness.
    ok &= series.rolling_sum(unknown_weight, tau) <= MAX_UNKNOWN_INFECTIOUSNESS * tau
    alpha = (1 - options.interval) / 2
    mean = np.full(len(counts), np.nan)
    lo = np.full(len(counts), np.nan)
    hi = np.full(len(counts), np.nan)
    mean[ok] = shape[ok] / rate[ok]
    lo[ok] = gamma_quantile(shape[ok], alpha) / rate[ok]
    hi[ok] = gamma_quantile(shape[ok], 1 - alpha) / rate[ok]
    provisional = ok & (series.remaining < options.provisional_days)
    return {"mean": mean, "lo": lo, "hi": hi, "provisional": provisional}
