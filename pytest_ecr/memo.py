"""Answers to repeated reads, kept while the repository they read stays the same.

A read-only ECR operation on one repository (BatchGetImage, DescribeImages, ListImages)
answers the same request the same way for as long as the repository's contents are
unchanged. Tests repeat such requests constantly (retries, polling loops, one declaration
shared by a whole suite), so the encoded answer is kept, keyed by the request exactly as
sent, and checked before use against the repository's :attr:`~Repository.revision`:
a test's fork starts with its declared repository's revision, so an answer computed in
one test is good in the next until one of them writes.

Nothing here decides *whether* a request may be answered from the memo (faults, the moto
backend): :class:`~pytest_ecr.fake.FakeEcr` does.
"""

from __future__ import annotations

import threading
from typing import NamedTuple

#: The operations whose successful answers depend only on the request, the caller's
#: account and region, and the contents of the one repository the request names.
MEMO_OPERATIONS = frozenset({"BatchGetImage", "DescribeImages", "ListImages"})


class MemoKey(NamedTuple):
    operation: str
    body: bytes
    account: str
    region: str


class MemoEntry(NamedTuple):
    """One answer: which repository it read, at which revision, and what it said."""

    where: tuple[str, str, str]  # (registry id, region, repository name)
    revision: object
    text: str
    body: bytes


class AnswerMemo:
    """A bounded map of request to answer; cleared whole when its budget is spent."""

    def __init__(self, budget: int = 64 * 1024 * 1024) -> None:
        #: Bytes of answers (and request bodies) kept at most.
        self.budget = budget
        #: Off, nothing is kept and every answer is computed (as for a first request).
        self.enabled = True
        self._entries: dict[MemoKey, MemoEntry] = {}
        self._used = 0
        self._lock = threading.Lock()

    def get(self, key: MemoKey) -> MemoEntry | None:
        return self._entries.get(key) if self.enabled else None

    def put(self, key: MemoKey, entry: MemoEntry) -> None:
        size = len(entry.body) + len(key.body)
        if size > self.budget or not self.enabled:
            return
        with self._lock:
            if self._used + size > self.budget:
                self._entries.clear()
                self._used = 0
            previous = self._entries.get(key)
            if previous is not None:
                self._used -= len(previous.body) + len(key.body)
            self._entries[key] = entry
            self._used += size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._used = 0

    def __len__(self) -> int:
        return len(self._entries)


#: The process's memo, shared by every fake: an entry is only ever used against a
#: repository holding the revision it was computed from.
ANSWERS = AnswerMemo()
