"""The fallback embedder: feature hashing of identifier words and character trigrams.

Used while MiniLM loads and when the ``embeddings`` extra is not installed. It is
lexical: blocks that share names and words score high, but it knows no synonyms
("fetch" and "retrieve" are unrelated to it). Same 384 dimensions, its own vector space.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re

from onex_lsp.identifiers import split_words

DIM = 384
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class HashingEmbedder:
    id = "hashing-v1-384"
    dim = DIM

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> list[float]:
        vector = [0.0] * DIM
        words: list[str] = []
        for token in _TOKEN.findall(text):
            words.extend(split_words(token))
        features = words + [f"{a}_{b}" for a, b in itertools.pairwise(words)]
        for word in words:
            padded = f"^{word}$"
            features.extend(padded[i : i + 3] for i in range(len(padded) - 2))
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % DIM
            sign = 1.0 if digest[4] & 1 else -1.0
            vector[index] += sign
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]
