"""The one state machine of a case: 接听接收 → 协调调度 → 转办交办 → 闭环处置.

    received ──dispatch──▶ dispatched ──sign──▶ signed ──resolve──▶ resolved ──review(ok)──▶ reviewed
       │  ▲                  │  ▲                 │                   │  │                     │
       │  └──return (退单)───┘  └──transfer (转办)─┘                   │  └─close (no review)─┐ close
       ├─reject──▶ rejected                                           └─review(not ok)/reopen─▶ dispatched
       └─merge───▶ merged                                                                      ▼
                                                                                             closed

Each verb names the states it may start from and the state it leads to (``None``: the state does
not change, e.g. a reply or an extension request). Services call ``check`` before they write, so a
refused move changes nothing.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.cases.models import CaseState as S
from gongzhi.core.errors import DomainError


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    target: str | None


MOVES: dict[str, Move] = {
    "dispatch": Move((S.RECEIVED,), S.DISPATCHED),
    "sign": Move((S.DISPATCHED,), S.SIGNED),
    "reply": Move((S.DISPATCHED, S.SIGNED), None),
    "resolve": Move((S.DISPATCHED, S.SIGNED), S.RESOLVED),
    # A positive review leads to ``reviewed``; a negative one reopens the case (see services).
    "review": Move((S.RESOLVED,), S.REVIEWED),
    "reopen": Move((S.RESOLVED, S.REVIEWED, S.CLOSED), S.DISPATCHED),
    "return": Move((S.DISPATCHED, S.SIGNED), S.RECEIVED),
    "transfer": Move((S.RECEIVED, S.DISPATCHED, S.SIGNED), S.DISPATCHED),
    "extend_request": Move((S.DISPATCHED, S.SIGNED), None),
    "extend_decide": Move((S.DISPATCHED, S.SIGNED), None),
    "merge": Move((S.RECEIVED, S.DISPATCHED, S.SIGNED), S.MERGED),
    "reject": Move((S.RECEIVED,), S.REJECTED),
    "flag_agenda": Move((S.RECEIVED, S.DISPATCHED, S.SIGNED, S.RESOLVED), None),
    "close": Move((S.RESOLVED, S.REVIEWED), S.CLOSED),
}


def allowed(verb: str, state: str) -> bool:
    return state in MOVES[verb].sources


def check(verb: str, state: str) -> str:
    """The state after ``verb`` from ``state``; raises a 409 ``DomainError`` if not allowed."""
    move = MOVES[verb]
    if state not in move.sources:
        raise DomainError(
            _("当前状态“%(state)s”下不能执行此操作") % {"state": S(state).label},
            status=409,
        )
    return move.target or state
