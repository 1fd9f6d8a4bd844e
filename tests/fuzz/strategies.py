"""Hypothesis settings and strategies shared by the fuzz tests.

Two profiles: ``fuzz-dev`` (the default, a few examples per form so ``tests/fuzz`` stays under a
minute and a half on a 2-core machine) and ``fuzz-ci`` (chosen when ``CI=true``, or with
``HYPOTHESIS_PROFILE=fuzz-ci``; more examples, still bounded). No example database is written:
every run starts fresh, so a failure is reported with its shrunk input, not replayed from disk.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.ci_skips import ci_is_on

_COMMON = {
    "deadline": None,
    "database": None,
    "derandomize": False,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
}
settings.register_profile("fuzz-dev", max_examples=4, **_COMMON)
# CI derandomizes: a landed main never fails on a new random draw; run the dev profile to explore.
settings.register_profile("fuzz-ci", max_examples=15, **{**_COMMON, "derandomize": True})

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("fuzz-ci" if ci_is_on() else "fuzz-dev")
#: The profile's settings, to decorate each fuzz test with.
FUZZ = settings.get_profile(PROFILE)
#: The few create forms checked for "nothing half-written" get more examples than the sweep.
FUZZ_DEEP = settings(FUZZ, max_examples=FUZZ.max_examples * 3)
#: Each API operation is a cheap GET, so schemathesis gets more examples per operation.
FUZZ_API = settings(FUZZ, max_examples=FUZZ.max_examples * 10)

# What a person (or an attacker) might put in any field.
_huge = st.integers(min_value=300, max_value=20_000).map(lambda n: "x" * n)
_unicode = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
)
_with_nul = st.text(max_size=10).map(lambda s: s + "\x00" + s)
_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
_dates = st.sampled_from(
    ["2026-02-30", "0000-00-00", "31/12/2026", "9999-12-31T25:61", "yesterday", "1e10", "-1"]
)
_forged_ids = st.one_of(
    st.integers(min_value=-5, max_value=3).map(str),
    st.sampled_from(["2147483648", "9223372036854775808", "1 OR 1=1", "../1", "0x10"]),
)

#: One malformed value for a form field.
field_value = st.one_of(
    st.just(""), _huge, _unicode, _with_nul, _numbers, _dates, _forged_ids, st.text(max_size=30)
)


def form_data(field_names: list[str]) -> st.SearchStrategy[dict[str, list[str]]]:
    """A body using some of the form's own field names (plus a made-up one), each with one or
    two malformed values."""
    names = st.sampled_from([*field_names, "not_a_field"]) if field_names else st.just("x")
    return st.dictionaries(names, st.lists(field_value, min_size=1, max_size=2), max_size=8)


_NAME = re.compile(r"""<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)\"""", re.I)


def field_names_in(html: str) -> list[str]:
    """The field names of every form control on a page, in order, without the CSRF token."""
    seen = dict.fromkeys(n for n in _NAME.findall(html) if n != "csrfmiddlewaretoken")
    return list(seen)
