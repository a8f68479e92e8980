"""Site stage: each card's rendered files, remembered between builds (`PageCache`).

`render.pages.render_site_pages` takes a memo (card id -> fingerprint of what the card's files
were rendered from, the files, the label SVG) and renders a card again only when the
fingerprint changed. The live preview keeps that memo in memory; `energy-cards build` keeps it
here, one pickle a card under `cache/pages/<code>/`, where `<code>` fingerprints the
generator's own code and templates (path, size and modification time of each file), so a
changed generator never reuses pages an older one rendered. Entries are read when asked for
and written when rendered; `prune` drops the cards a build did not have and older codes.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import shutil
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

GENERATOR_ROOT = Path(__file__).resolve().parent.parent
CACHE_VERSION = "1"


def code_fingerprint(root: Path = GENERATOR_ROOT) -> str:
    """A short hash of the generator's code and templates as installed (stat only)."""
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".j2", ".yaml", ".json", ".js", ".css") and path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


class PageCache(MutableMapping[str, Any]):
    """A render memo on disk: `cache_dir/<code>/<card id>.pickle`."""

    def __init__(self, cache_dir: Path, code: str | None = None) -> None:
        self.root = cache_dir
        self.folder = cache_dir / (code or code_fingerprint())
        self._ids = (
            {path.stem for path in self.folder.glob("*.pickle")} if self.folder.is_dir() else set()
        )

    def __getitem__(self, card_id: str) -> Any:
        if card_id not in self._ids:
            raise KeyError(card_id)
        try:
            with (self.folder / f"{card_id}.pickle").open("rb") as stream:
                return pickle.load(stream)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as error:
            raise KeyError(card_id) from error  # unreadable: render again

    def __setitem__(self, card_id: str, entry: Any) -> None:
        self._ids.add(card_id)
        with contextlib.suppress(OSError):  # a cache that cannot be written is only slower
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{card_id}.tmp"
            temporary.write_bytes(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
            temporary.replace(self.folder / f"{card_id}.pickle")

    def __delitem__(self, card_id: str) -> None:
        self._ids.discard(card_id)
        with contextlib.suppress(OSError):
            (self.folder / f"{card_id}.pickle").unlink()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._ids))

    def __len__(self) -> int:
        return len(self._ids)

    def prune_other_codes(self) -> None:
        """Remove what older generators rendered (render_site_pages prunes removed cards)."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder != self.folder:
                shutil.rmtree(folder, ignore_errors=True)
