"""The Dutch staff pages: login, intake, inbox, a referral's page and the gemeente dashboard."""
