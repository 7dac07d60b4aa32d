"""Order statistics for the benchmark (nearest-rank, no interpolation)."""
import math


def percentile(values, p):
    """The smallest value with at least p% of the values at or below it.

    >>> percentile([5, 1, 4, 2, 3], 50), percentile(list(range(1, 101)), 95)
    (3, 95)
    """
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]


def median(values):
    return percentile(values, 50)


def error_summary(errors_us):
    """Signed bias (median of reported - truth) and the median and p95 of
    the absolute error, in µs."""
    if not errors_us:
        return {"n": 0, "bias": None, "abs_median": None, "abs_p95": None}
    absolute = [abs(e) for e in errors_us]
    return {"n": len(errors_us), "bias": median(errors_us), "abs_median": median(absolute),
            "abs_p95": percentile(absolute, 95)}
