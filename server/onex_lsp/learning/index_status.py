"""How far the vector index has caught up with the journal, without opening it.

Opening the embedded index loads every segment (over a second at 20k blocks) and a
server store is a network call; ``patterns stats`` only needs the seqs the index's
metadata file records, compared with the journal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from onex_lsp.learning.edge_index import SHARD, read_meta
from onex_lsp.learning.journal import Journal


@dataclass(frozen=True)
class IndexStatus:
    where: str
    embedder: str
    live: int  # blocks the journal offers
    indexed: int | None  # of them, how many the index has; None: a server, not asked

    def line(self) -> str:
        if self.indexed is None:
            counts = "a Qdrant server: 'patterns reindex' rebuilds it from the journal"
        else:
            counts = f"{self.indexed} of {self.live} blocks indexed"
            if self.indexed < self.live:
                counts += (
                    "; the others wait for the server, 'learn' or 'patterns reindex' "
                    "to embed and index them"
                )
        return f"{self.where} ({self.embedder}; {counts})"


def index_status(
    folder: Path, embedder_id: str, store_url: str | None, journal: Journal, live: int
) -> IndexStatus:
    """The index in ``folder`` (the embedded one) or at ``store_url``, read-only."""
    if store_url is not None and store_url != ":memory:":
        return IndexStatus(f"qdrant at {store_url}", embedder_id, live, None)
    meta, _ = read_meta(folder, {"embedder": embedder_id})
    indexed = 0
    if meta is not None:  # live blocks it has seen (a forgotten one is never offered)
        indexed = journal.indexed_count(int(meta["synced_seq"]), journal.head()[1])
    return IndexStatus(f"qdrant-edge at {folder / SHARD}", embedder_id, live, indexed)
