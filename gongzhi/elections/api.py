"""The votes JSON API (``/api/v1/elections/``): list the votes one may see, read a vote's published
roll counts and live result, cast a ballot, check a receipt. Same permissions and services as the
pages; a refused action answers ``{"detail": "…"}`` and changes nothing. Sign in with the browser
session (with the CSRF token) or ``Authorization: Bearer <app token>``."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from gongzhi.core.errors import DomainError
from gongzhi.elections import selectors, services
from gongzhi.elections.models import RollEntry, Vote, VoteStatus
from gongzhi.open311.auth import API_AUTH

router = Router(auth=API_AUTH, tags=["elections"])


class Error(Schema):
    detail: str
    errors: list[str] = []


class VoteOut(Schema):
    id: int
    estate: str
    title: str
    matter: str
    special: bool
    status: str
    opens_at: str
    closes_at: str
    total_area: str | None
    total_owners: int | None
    roll_fingerprint: str
    result: dict | None
    my_receipt: str | None = None


class BallotIn(Schema):
    choice: str = ""
    candidates: list[int] = []
    entry: int | None = None


class BallotOut(Schema):
    receipt: str
    sequence: int
    cast_at: str


class ReceiptOut(Schema):
    found: bool
    counted: bool
    superseded: bool
    voided: bool


def _vote(request, vote_id: int) -> Vote:
    vote = get_object_or_404(Vote.objects.select_related("estate"), pk=vote_id)
    if not request.user.has_perm("elections.view_vote", vote):
        raise Http404
    return vote


def _out(request, vote: Vote) -> dict:
    result = None
    if vote.status == VoteStatus.CLOSED:
        result = vote.result
    elif vote.status == VoteStatus.OPEN:
        result = selectors.vote_result(vote).as_dict()
    mine = selectors.my_ballot(vote, getattr(request.user, "person", None)) if vote.status != VoteStatus.DRAFT else None
    return {
        "id": vote.id,
        "estate": vote.estate.name,
        "title": vote.title,
        "matter": vote.matter,
        "special": vote.special,
        "status": vote.status,
        "opens_at": vote.opens_at.isoformat(),
        "closes_at": vote.closes_at.isoformat(),
        "total_area": str(vote.total_area) if vote.total_area is not None else None,
        "total_owners": vote.total_owners,
        "roll_fingerprint": vote.roll_fingerprint,
        "result": result,
        "my_receipt": mine.receipt if mine else None,
    }


@router.get("/votes", response=list[VoteOut])
def vote_list(request):
    return [_out(request, vote) for vote in selectors.votes_visible(request.user)[:100]]


@router.get("/votes/{vote_id}", response=VoteOut)
def vote_detail(request, vote_id: int):
    return _out(request, _vote(request, vote_id))


@router.post("/votes/{vote_id}/ballots", response={201: BallotOut, 400: Error, 403: Error, 409: Error})
def ballot_cast(request, vote_id: int, payload: BallotIn):
    vote = _vote(request, vote_id)
    if not request.user.has_perm("elections.cast_ballot", vote):
        raise DomainError(_("您不是本小区业主，不能投票"), status=403)
    entry = RollEntry.objects.filter(vote=vote, pk=payload.entry).first() if payload.entry else None
    ballot = services.ballot_cast(
        vote=vote, acting_user=request.user, choice=payload.choice, selections=payload.candidates, entry=entry
    )
    return Status(201, {"receipt": ballot.receipt, "sequence": ballot.sequence, "cast_at": ballot.cast_at.isoformat()})


@router.get("/votes/{vote_id}/receipts/{code}", response=ReceiptOut)
def receipt_check(request, vote_id: int, code: str):
    status = selectors.receipt_lookup(_vote(request, vote_id), code)
    return {"found": status.found, "counted": status.counted, "superseded": status.superseded, "voided": status.voided}
