"""PaddleHub-format vocabularies: one token per line, optionally ``token<TAB>id``.

PaddleHub 1.x read these with ``tokenization.load_vocab``: each line is stripped and split on a
tab; the id is the second field when present, otherwise the 0-based line number. It silently
stopped at the first malformed line and let duplicate tokens overwrite each other; here both are
errors naming the file and line.
"""
import hashlib
from typing import Dict, Iterable, List, Optional

BOS, EOS, UNK = "<S>", "</S>", "<UNK>"
SPECIAL_TOKENS = (BOS, EOS, UNK)


class Vocab:
    """A token -> id mapping loaded from (or written to) a PaddleHub vocab file.

    Args:
        token_to_id: the mapping; ids need not be contiguous.
        path: the file it came from, if any (used in messages and cache keys).
    """

    def __init__(self, token_to_id: Dict[str, int], path: Optional[str] = None):
        self.token_to_id = dict(token_to_id)
        self.path = path
        self.unk_id = self.token_to_id.get(UNK)
        self._fingerprint = None

    @classmethod
    def load(cls, path: str) -> "Vocab":
        token_to_id: Dict[str, int] = {}
        with open(path, "rb") as handle:
            raw_lines = handle.read().split(b"\n")
        if raw_lines and raw_lines[-1] == b"":
            raw_lines.pop()
        for line_no, raw in enumerate(raw_lines, start=1):
            where = "%s:%d" % (path, line_no)
            try:
                line = raw.decode("utf-8").rstrip("\r")
            except UnicodeDecodeError as err:
                raise ValueError("%s: invalid UTF-8 (%s)" % (where, err)) from None
            fields = line.strip().split("\t")
            if len(fields) > 2:
                raise ValueError("%s: expected 'token' or 'token<TAB>id', got %d fields"
                                 % (where, len(fields)))
            token = fields[0]
            if not token:
                raise ValueError("%s: empty token" % where)
            if len(fields) == 2:
                try:
                    token_id = int(fields[1])
                except ValueError:
                    raise ValueError("%s: id %r is not an integer" % (where, fields[1])) from None
            else:
                token_id = line_no - 1
            if token in token_to_id:
                raise ValueError("%s: duplicate token %r (first given id %d)"
                                 % (where, token, token_to_id[token]))
            token_to_id[token] = token_id
        if not token_to_id:
            raise ValueError("%s: the vocabulary is empty" % path)
        return cls(token_to_id, path=path)

    @classmethod
    def build(cls, token_lists: Iterable[List[str]], max_size: int = 30000,
              min_freq: int = 3) -> "Vocab":
        """``<S>``, ``</S>``, ``<UNK>`` first, then tokens by descending frequency (ties by
        first appearance), like the original ELMo vocabulary."""
        counts: Dict[str, int] = {}
        for tokens in token_lists:
            for token in tokens:
                counts[token] = counts.get(token, 0) + 1
        ordered = sorted((t for t, c in counts.items() if c >= min_freq and t not in SPECIAL_TOKENS),
                         key=lambda t: -counts[t])
        tokens = list(SPECIAL_TOKENS) + ordered[: max(0, max_size - len(SPECIAL_TOKENS))]
        return cls({t: i for i, t in enumerate(tokens)})

    def save(self, path: str) -> None:
        from paddlehub_lite.utils.atomic import atomic_file
        with atomic_file(path, "w", encoding="utf-8", newline="\n") as handle:
            for token, _ in sorted(self.token_to_id.items(), key=lambda kv: kv[1]):
                handle.write(token + "\n")
        self.path = path

    def __len__(self) -> int:
        return len(self.token_to_id)

    def __contains__(self, token: str) -> bool:
        return token in self.token_to_id

    def __getitem__(self, token: str) -> int:
        return self.token_to_id[token]

    def get(self, token: str, default=None):
        return self.token_to_id.get(token, default)

    def items(self):
        return self.token_to_id.items()

    def keys(self):
        return self.token_to_id.keys()

    def map_tokens(self, tokens: Iterable[str]) -> List[int]:
        """Ids for ``tokens``; an unknown token becomes ``<UNK>`` (dropped if there is none)."""
        lookup, unk = self.token_to_id.get, self.unk_id
        if unk is None:
            return [i for i in map(lookup, tokens) if i is not None]
        return [lookup(t, unk) for t in tokens]

    @property
    def size_for_embedding(self) -> int:
        """Rows an embedding table needs: the largest id plus one."""
        return max(self.token_to_id.values()) + 1

    def fingerprint(self) -> str:
        """A short hash of the mapping, for cache keys."""
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for token, token_id in sorted(self.token_to_id.items(), key=lambda kv: kv[1]):
                digest.update(("%s\t%d\n" % (token, token_id)).encode("utf-8"))
            self._fingerprint = digest.hexdigest()[:16]
        return self._fingerprint

    def __repr__(self) -> str:
        return "Vocab(size=%d, path=%r)" % (len(self), self.path)
