"""The inbox page: a partner's referrals, filtered by status and lateness."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from app.api.deps import SessionDep
from app.auth.scopes import Scope
from app.referrals import feed
from app.referrals.inbox import inbox as referral_inbox
from app.referrals.overdue import is_overdue
from app.referrals.presenters import referral_public
from app.referrals.states import ReferralStatus
from app.web.deps import LoginDep
from app.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
def inbox(
    session: SessionDep,
    login: LoginDep,
    status: Annotated[str, Query(max_length=20)] = "open",
    te_laat: Annotated[str, Query(max_length=5)] = "",
) -> HTMLResponse:
    principal = login.principal
    principal.require(Scope.referrals_read)
    chosen = ReferralStatus(status) if status in ReferralStatus.__members__ else None
    rows = referral_inbox(
        session=session,
        principal=principal,
        status=chosen,
        open_only=status == "open",
        overdue=True if te_laat else None,
        limit=feed.MAX_PAGE,
    )
    items = [
        {
            "referral": r,
            "overdue": is_overdue(r),
            "question": referral_public(r, i, principal).intake.question,
        }
        for r, i in rows
    ]
    return render(
        "inbox.html",
        login=login,
        items=items,
        status=status if (chosen or status in {"open", "all"}) else "open",
        overdue_only=bool(te_laat),
        statuses=list(ReferralStatus),
        truncated=len(rows) == feed.MAX_PAGE,
    )
