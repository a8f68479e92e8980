"""Render stage helper (pure): the bytes that say what a page was rendered from, the same in
every process.

`energy-cards build` keeps each card's rendered files on disk under such a fingerprint
(`site.page_cache`), so two builds must compute the same bytes for the same inputs. A plain
pickle does not: a pydantic model pickles the set of its fields that were given, and a set's
order follows string hashes, which Python seeds afresh in every process (`PYTHONHASHSEED`);
every build missed the whole page cache. Here a model is pickled as its class, its field
values and the sorted names of the fields given.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from typing import Any


def _model(*state: Any) -> None:  # named in the pickle only; fingerprints are never loaded
    raise TypeError("a fingerprint is not meant to be unpickled")


class _StablePickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        fields_set = getattr(obj, "__pydantic_fields_set__", None)
        if isinstance(fields_set, set) and not isinstance(obj, type):
            state = (
                type(obj).__module__,
                type(obj).__qualname__,
                obj.__dict__,
                sorted(fields_set),
                getattr(obj, "__pydantic_extra__", None),
            )
            return _model, state
        return NotImplemented


def fingerprint(value: Any) -> bytes:
    """sha256 of `value` pickled with every pydantic model in a fixed order (see above)."""
    out = io.BytesIO()
    _StablePickler(out, protocol=5).dump(value)
    return hashlib.sha256(out.getvalue()).digest()
