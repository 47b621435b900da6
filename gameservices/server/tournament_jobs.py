"""Tournament write, join and delete jobs on the store's writer thread (Nakama's
``TournamentRecordWrite``, ``TournamentJoin``, ``TournamentRecordDelete``).

Invariants:
- Every write counts, unlike a leaderboard write: ``num_score`` goes up by one, the update time
  moves and given metadata replaces the stored one even when BEST keeps the old score (Nakama's
  tournament upsert has no "did anything change" filter).
- A tournament that must be joined takes writes only from players holding a record of the
  current period (a join makes one: score 0, ``num_score`` 0); there a write beyond
  ``max_num_score`` changes nothing and answers the record as it is. Elsewhere the write past
  ``max_num_score`` is refused, and so is a new player's first write once ``max_size`` players
  hold a record of the period (their count is the period's rank index: Nakama's ``size``,
  reset to 0 at each period).
- Each job stores the exact answer with its Idempotency-Key in the same transaction and moves
  the rank index inside it (undone if the batch does not commit), as leaderboard jobs do.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._protocol.bodies import record_json
from .._protocol.request_rules import RecordWrite
from .._protocol.wire import GrpcCode, Operator, dumps
from .errors import ApiFailure
from .idempotency import IdempotencyClaim, remember, replay_of
from .ranks import Ranks, uuid_number
from .record_jobs import WriteResult, _undo, _upsert, _user_row
from .scoring import _in_range
from .sqlite_store import Txn
from .tournaments import Tournament

__all__ = ["TournamentJob", "delete_entry", "join", "write_entry"]

_SELECT = (
    "SELECT score, subscore, num_score, metadata, create_time, update_time FROM records"
    " WHERE board = ? AND expiry = ? AND owner = ?"
)


@dataclass(frozen=True)
class TournamentJob:
    """Who acts on which tournament, when, in the period ending at ``expiry``."""

    tournament: Tournament
    user_id: str
    now: int
    expiry: int
    claim: IdempotencyClaim | None


def _precondition(message: str) -> ApiFailure:
    return ApiFailure(GrpcCode.FAILED_PRECONDITION, message)


def _pair(
    op: Operator, descending: bool, old: tuple[int, int], new: tuple[int, int]
) -> tuple[int, int]:
    (old_score, old_sub), (score, sub) = old, new
    if op is Operator.SET:
        return new
    if op is Operator.INCREMENT:
        return _in_range(old_score + score, old_sub + sub)
    if op is Operator.DECREMENT:
        return max(old_score - score, 0), max(old_sub - sub, 0)
    better = max if descending else min
    return better(old_score, score), better(old_sub, sub)


def write_entry(
    txn: Txn, job: TournamentJob, write: RecordWrite, operator: Operator, ranks: Ranks
) -> WriteResult:
    conn, t = txn.conn, job.tournament
    owner, username = _user_row(conn, job.user_id, ranks)
    replay = replay_of(conn, job.claim)
    if replay is not None:
        return WriteResult(replay, replayed=True)
    old = conn.execute(_SELECT, (t.id, job.expiry, owner)).fetchone()
    if old is None and t.join_required:
        raise _precondition("Must join tournament before attempting to write value.")
    new = (write.score, write.subscore)
    if old is None:
        with ranks.lock:
            full = len(ranks.index(t.id, job.expiry)) >= t.size_limit
        if full:
            raise _precondition("Tournament has reached max size.")
        pair = (0, 0) if operator is Operator.DECREMENT else new
        row = (pair, 1, write.metadata or "{}", job.now, job.now)
    elif old[2] >= t.attempts and t.join_required:  # Nakama's UPDATE matches no row
        row = ((old[0], old[1]), old[2], old[3], old[4], old[5])
    elif old[2] >= t.attempts:
        raise _precondition("Reached allowed max number of score attempts.")
    else:
        pair = _pair(operator, t.sort.value == 1, (old[0], old[1]), new)
        metadata = write.metadata if write.metadata is not None else old[3]
        row = (pair, old[2] + 1, metadata, old[4], job.now)
    rank = _store(txn, job, owner, row, ranks)
    record = (job.user_id, username, *row[0], *row[1:])
    body = dumps(
        record_json(
            t.id,
            *record,
            rank if t.ranks else None,
            expiry_time=job.expiry,
            max_num_score=t.attempts,
        )
    )
    remember(conn, job.claim, 200, body)
    return WriteResult(body)


def _store(
    txn: Txn,
    job: TournamentJob,
    owner: int,
    row: tuple[tuple[int, int], int, str, int, int],
    ranks: Ranks,
) -> int | None:
    """Upsert the record and move its rank key; its rank after the move."""
    t = job.tournament
    _upsert(txn.conn, t.id, job.expiry, owner, *row)
    with ranks.lock:
        index = ranks.index(t.id, job.expiry)
        previous = index.put(owner, index.pack(*row[0], uuid_number(job.user_id), owner))
        rank = index.rank_of(owner)
    txn.on_rollback(lambda: _undo(ranks, t.id, job.expiry, owner, previous))
    return rank


def join(txn: Txn, job: TournamentJob, ranks: Ranks) -> WriteResult:
    conn, t = txn.conn, job.tournament
    owner, _ = _user_row(conn, job.user_id, ranks)
    if conn.execute(_SELECT, (t.id, job.expiry, owner)).fetchone() is None:
        with ranks.lock:
            full = len(ranks.index(t.id, job.expiry)) >= t.size_limit
        if full:
            raise ApiFailure(
                GrpcCode.INVALID_ARGUMENT,
                "Tournament cannot be joined as it has reached its max size.",
            )
        _store(txn, job, owner, ((0, 0), 0, "{}", job.now, job.now), ranks)
    return WriteResult("{}")


def delete_entry(txn: Txn, job: TournamentJob, ranks: Ranks) -> WriteResult:
    conn, t = txn.conn, job.tournament
    owner, _ = _user_row(conn, job.user_id, ranks)
    replay = replay_of(conn, job.claim)
    if replay is not None:
        return WriteResult(replay, replayed=True)
    conn.execute("DELETE FROM records WHERE board = ? AND expiry = ? AND owner = ?",
                 (t.id, job.expiry, owner))  # fmt: skip
    with ranks.lock:
        previous = ranks.index(t.id, job.expiry).remove(owner)
    txn.on_rollback(lambda: _undo(ranks, t.id, job.expiry, owner, previous))
    remember(conn, job.claim, 200, "{}")
    return WriteResult("{}")
