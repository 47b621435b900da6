"""What a leaderboard write does to a record: Nakama's operators and the filter that decides
whether a write changes anything at all (Nakama's ``LeaderboardRecordWrite``, as SQL there).

Invariants:
- A first write stores the write's values (DECREMENT stores 0, 0).
- On an existing record: SET stores the new pair and counts when it differs; INCREMENT adds,
  DECREMENT subtracts with a floor at 0, each counting when either value is non-zero (even at
  the floor); BEST takes the better score and the better subscore *separately* (greater on a
  descending board, lesser on an ascending one) and counts when either is better.
- A write that does not count changes nothing: not the values, ``num_score``, the metadata
  nor the update time. A result outside int64 is the client's fault (400).
"""

from __future__ import annotations

from dataclasses import dataclass

from .._protocol.wire import GrpcCode, Operator, check_int64
from .errors import ApiFailure

__all__ = ["ScoredPair", "apply_write"]

Pair = tuple[int, int]


@dataclass(frozen=True)
class ScoredPair:
    """What one write leaves on the record, and whether it counts as a change."""

    pair: Pair  # (score, subscore) after the write
    changed: bool  # whether the write counts (and so stores anything)


def _in_range(score: int, subscore: int) -> Pair:
    try:
        return check_int64(score, "score"), check_int64(subscore, "subscore")
    except ValueError as exc:
        raise ApiFailure(GrpcCode.INVALID_ARGUMENT, str(exc)) from None


def apply_write(op: Operator, descending: bool, old: Pair | None, new: Pair) -> ScoredPair:
    """The record after writing ``new`` with ``op`` (never NO_OVERRIDE: resolved before)."""
    if old is None:
        return ScoredPair((0, 0) if op is Operator.DECREMENT else new, True)
    (old_score, old_sub), (score, sub) = old, new
    if op is Operator.SET:
        return ScoredPair(new, new != old)
    if op is Operator.INCREMENT:
        return ScoredPair(_in_range(old_score + score, old_sub + sub), score != 0 or sub != 0)
    if op is Operator.DECREMENT:
        pair = _in_range(max(old_score - score, 0), max(old_sub - sub, 0))
        return ScoredPair(pair, score != 0 or sub != 0)
    better = max if descending else min
    pair = (better(old_score, score), better(old_sub, sub))
    return ScoredPair(pair, pair != old)
