"""The staff pages' one router (kept out of the OpenAPI document), for app/main.py to include."""

from fastapi import APIRouter

from app.web import dashboard_pages, inbox, intake, login, referral, review

router = APIRouter(include_in_schema=False)
# In the order the routes were always registered: it decides only between overlapping paths.
router.include_router(login.router)
router.include_router(intake.router)
router.include_router(inbox.router)
router.include_router(referral.router)
router.include_router(dashboard_pages.router)
router.include_router(review.router)
