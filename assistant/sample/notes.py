"""Negotiation notes (Markdown) and e-mails (.eml) with the facts recorded in ground truth."""

from __future__ import annotations

import datetime as dt
import email.utils
from email.message import EmailMessage

# Each fact: key, payer_id, value, unit, file, and the sentence that states it.
FACTS: list[dict[str, object]] = [
    {"key": "bsh_last_offer_pct", "payer_id": "BSH", "value": 2.0, "unit": "percent",
     "file": "notes/2025-11-18_blue-summit-renewal-meeting.md",
     "text": "Blue Summit offered a 2% increase on all E/M codes for 2026."},
    {"key": "bsh_our_counter_pct", "payer_id": "BSH", "value": 8.0, "unit": "percent",
     "file": "notes/2025-11-18_blue-summit-renewal-meeting.md",
     "text": "We countered at 8% across the fee schedule."},
    {"key": "bsh_network_gap", "payer_id": "BSH", "value": 25, "unit": "miles",
     "file": "notes/2025-11-18_blue-summit-renewal-meeting.md",
     "text": "We are the only orthopedic group accepting Blue Summit within 25 miles of "
             "Cedar Falls."},
    {"key": "bsh_attributed_members", "payer_id": "BSH", "value": 4100, "unit": "members",
     "file": "notes/2025-11-18_blue-summit-renewal-meeting.md",
     "text": "Blue Summit has about 4,100 members attributed to our providers."},
    {"key": "patient_satisfaction", "payer_id": None, "value": 4.8, "unit": "score of 5",
     "file": "notes/2026-02-10_quality-dashboard-review.md",
     "text": "Patient satisfaction averaged 4.8 out of 5 across 2,314 surveys."},
    {"key": "readmission_30day_pct", "payer_id": None, "value": 1.9, "unit": "percent",
     "file": "notes/2026-02-10_quality-dashboard-review.md",
     "text": "Our 30-day readmission rate after knee arthroscopy was 1.9% against a regional "
             "average of 3.4%."},
    {"key": "mri_access_days", "payer_id": None, "value": 3, "unit": "days",
     "file": "notes/2026-02-10_quality-dashboard-review.md",
     "text": "Median wait for an outpatient MRI was 3 days."},
    {"key": "khp_99214_concern", "payer_id": "KHP", "value": "99214", "unit": "code",
     "file": "notes/2026-06-04_keystone-amendment-followup.md",
     "text": "Keystone remits for 99214 since April look lower than the Amendment No. 1 rate."},
    {"key": "nwm_prior_auth_vendor", "payer_id": "NWM", "value": "2026-04-01", "unit": "date",
     "file": "notes/2026-07-15_northwind-prior-auth-meeting.md",
     "text": "Northwind moved advanced imaging prior authorization to a new radiology "
             "benefit manager on April 1, 2026."},
    {"key": "esp_offer_escalator_pct", "payer_id": "ESP", "value": 3.0, "unit": "percent",
     "file": "notes/2026-10-06_evergreen-check-in.md",
     "text": "Evergreen proposed a 3% annual escalator if we extend for two years."},
    {"key": "bsh_proposal_due", "payer_id": "BSH", "value": "2026-12-01", "unit": "date",
     "file": "notes/2026-09-15_bsh-renewal-timeline.eml",
     "text": "Please send your rate proposal by December 1, 2026."},
    {"key": "walkaway_bsh_pct_medicare", "payer_id": "BSH", "value": 118.0, "unit": "percent",
     "file": "notes/2026-10-20_walkaway-analysis.eml",
     "text": "If Blue Summit will not stay at or above 118% of Medicare on E/M, we should be "
             "ready to give notice of non-renewal."},
]


def _facts_for(file: str) -> list[str]:
    return [str(f["text"]) for f in FACTS if f["file"] == file]


def _md(title: str, meta: list[str], body: list[str]) -> bytes:
    return ("\n".join([f"# {title}", "", *meta, "", *body]).rstrip() + "\n").encode("utf-8")


def markdown_notes() -> dict[str, bytes]:
    """Meeting notes by file name."""
    f1 = "notes/2025-11-18_blue-summit-renewal-meeting.md"
    f2 = "notes/2026-02-10_quality-dashboard-review.md"
    f3 = "notes/2026-06-04_keystone-amendment-followup.md"
    f4 = "notes/2026-07-15_northwind-prior-auth-meeting.md"
    f5 = "notes/2026-10-06_evergreen-check-in.md"
    a, b, c, d, e = (_facts_for(f) for f in (f1, f2, f3, f4, f5))
    return {
        f1: _md("Blue Summit Health - renewal meeting", [
            "- Date: 2025-11-18", "- Attendees: Dana Whitfield (Blue Summit, Provider Network "
            "Manager); Rita Gomez (our Revenue Cycle Director); Helen Marsh, MD"], [
            "## Offer and counter", f"- {a[0]}", f"- {a[1]}",
            "- Dana said the 2% is \"standard for the region\"; we did not accept the first "
            "offer.", "", "## Their network gaps", f"- {a[2]}", f"- {a[3]}",
            "- Their directory shows two hand surgeons, both closed to new patients.", "",
            "## Next steps", "- Blue Summit asked for our quality data before they revise.",
            "- Revisit before the notice deadline on the current term."]),
        f2: _md("Quality dashboard review (for payer negotiations)", [
            "- Date: 2026-02-10", "- Prepared by: Quality committee"], [
            "## Figures to use with payers", *[f"- {x}" for x in b],
            "- Same-week new-patient access for fractures: 96% of referrals."]),
        f3: _md("Keystone Health Plan - Amendment No. 1 follow-up", [
            "- Date: 2026-06-04", "- Attendees: Marcus Lee (Keystone); Rita Gomez"], [
            "## Discussion", "- Amendment No. 1 took effect 2026-04-01 (new rates for 99213, "
            "99214, 99215 and 20610; filing limit shortened).", f"- {c[0]}",
            "- Marcus will check whether their system loaded the new Schedule 1-A.",
            "", "## Action", "- Pull remits for 99214 after 2026-04-01 and compare to the "
            "contract rate."]),
        f4: _md("Northwind Medicare Advantage - prior authorization meeting", [
            "- Date: 2026-07-15", "- Attendees: Priya Raman (Northwind); our imaging lead"], [
            "## Issue", f"- {d[0]}",
            "- Since then many MRI claims (73721, 72148) were denied for missing "
            "authorization (CARC 197).", "", "## Agreed",
            "- Northwind will reopen denials where an authorization number was on file.",
            "- We will appeal the rest within the 60-day window."]),
        f5: _md("Evergreen Select Plan - check-in", [
            "- Date: 2026-10-06", "- Attendees: Owen Park (Evergreen); Rita Gomez"], [
            f"- {e[0]}", "- Evergreen wants us to remain in the narrow network; we are one of "
            "two orthopedic groups in it.", "- No most-favored-nation language in this "
            "contract - keep it that way."]),
    }


def _eml(sender: str, to: str, subject: str, when: dt.datetime, body: str, msg_id: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = email.utils.format_datetime(when)
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{msg_id}@lakeside-ortho.example>"
    msg.set_content(body)
    return msg.as_bytes()


def emails() -> dict[str, bytes]:
    """E-mails by file name (fixed dates and ids, so bytes repeat)."""
    tz = dt.timezone(dt.timedelta(hours=-5))
    f1 = "notes/2026-09-15_bsh-renewal-timeline.eml"
    f2 = "notes/2026-10-20_walkaway-analysis.eml"
    f3 = "notes/2026-08-03_keystone-underpayment-inquiry.eml"
    return {
        f1: _eml("Dana Whitfield <dana.whitfield@bluesummit.example>",
                 "Rita Gomez <rgomez@lakeside-ortho.example>", "Blue Summit renewal timeline",
                 dt.datetime(2026, 9, 15, 10, 12, tzinfo=tz),
                 "Hi Rita,\n\nOur agreement BSH-2024-0147 comes up for renewal next year. "
                 f"{_facts_for(f1)[0]}\nWe will review it with the quality data you shared.\n\n"
                 "Dana Whitfield\nProvider Network Manager, Blue Summit Health\n",
                 "bsh-timeline-20260915"),
        f2: _eml("Rita Gomez <rgomez@lakeside-ortho.example>",
                 "Helen Marsh <hmarsh@lakeside-ortho.example>", "Walk-away point for Blue Summit",
                 dt.datetime(2026, 10, 20, 16, 40, tzinfo=tz),
                 "Helen,\n\nOur cost for a 99214 visit is well below what Blue Summit pays, but "
                 "the margin on new-patient visits is thin.\n"
                 f"{_facts_for(f2)[0]}\nThe notice deadline is December 31, 2026.\n\nRita\n",
                 "walkaway-20261020"),
        f3: _eml("Rita Gomez <rgomez@lakeside-ortho.example>",
                 "Marcus Lee <mlee@keystonehp.example>", "99214 payments below Amendment No. 1",
                 dt.datetime(2026, 8, 3, 9, 5, tzinfo=tz),
                 "Marcus,\n\nSince April 1, 2026 your remittances pay 99214 below the rate in "
                 "Schedule 1-A of Amendment No. 1. Please reprocess the affected claims.\n\n"
                 "Rita Gomez\nRevenue Cycle Director\n", "khp-inquiry-20260803"),
    }
