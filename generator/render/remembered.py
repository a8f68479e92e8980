"""Render stage helper (pure): remember a pure function's recent results by its arguments' bytes.

The live preview renders the whole project again on every save; the charts every card is
plotted on (home, task charts) are built with altair, about 15 ms each, though one edit
changes the rows of one task at most. Keyed by the pickled arguments, not by `==` or `hash`:
those take 1 for 1.0 and 0.0 for -0.0, which a spec would write differently.
"""

from __future__ import annotations

import functools
import pickle
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

Result = TypeVar("Result")

# Results kept per function: each task's chart and the home charts, with room for the ones an
# edit replaces; stale ones go first.
KEPT_RESULTS = 48


def remembered(function: Callable[..., Result]) -> Callable[..., Result]:
    """`function`, returning the very result of an earlier call whose arguments pickle to the
    same bytes. Only for functions whose result depends on their arguments alone, and whose
    results nobody changes."""
    kept: OrderedDict[bytes, Any] = OrderedDict()

    @functools.wraps(function)
    def wrapper(*args: Any) -> Result:
        key = pickle.dumps(args, protocol=5)
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
        result = function(*args)
        kept[key] = result
        if len(kept) > KEPT_RESULTS:
            kept.popitem(last=False)
        return result

    return wrapper
