"""Riverbend's meeting notes (.md) and e-mails (.eml), naming payers the way staff do."""

from __future__ import annotations

import datetime as dt
import email.utils
import zlib
from email.message import EmailMessage

F_CRHP_CALL = "correspondence/2026-10-14 call w Cedar Ridge (renewal).md"
F_CRHP_99214 = "correspondence/2026-06-02 CRHP 99214 remits.md"
F_SCH_RBM = "correspondence/2026-05-19 Sandhill MRI precert change.eml"
F_TMIC_LATE = "correspondence/2026-09-08 Tamarack slow pay.eml"
F_WALKAWAY = "correspondence/2026-10-28 walk-away numbers.eml"
F_GPHI = "correspondence/2026-10-02 Granite Peak renewal meeting.md"

FACTS: list[dict[str, object]] = [
    {"key": "crhp_offer_pct", "payer_id": "CRHP", "value": 2.5, "unit": "percent",
     "file": F_CRHP_CALL,
     "text": "Cedar Ridge offered a 2.5% increase on E/M codes starting January 2027."},
    {"key": "crhp_counter_pct", "payer_id": "CRHP", "value": 7.0, "unit": "percent",
     "file": F_CRHP_CALL, "text": "We asked CRHP for 7% across the whole fee schedule."},
    {"key": "crhp_attributed_members", "payer_id": "CRHP", "value": 3250, "unit": "members",
     "file": F_CRHP_CALL,
     "text": "Their rep said about 3,250 Cedar Ridge members are attributed to our "
             "clinicians."},
    {"key": "crhp_99214_concern", "payer_id": "CRHP", "value": "99214", "unit": "code",
     "file": F_CRHP_99214,
     "text": "CRHP remits for 99214 since March still show the old allowable, not the "
             "Amendment 1 rate."},
    {"key": "sch_rbm_date", "payer_id": "SCH", "value": "2026-04-01", "unit": "date",
     "file": F_SCH_RBM,
     "text": "Sandhill moved MRI precertification to ClearView RBM on April 1, 2026."},
    {"key": "tmic_late_share_claimed", "payer_id": "TMIC", "value": 33.0, "unit": "percent",
     "file": F_TMIC_LATE,
     "text": "Roughly a third of Tamarack claims are being paid after the 30 days in the "
             "contract."},
    {"key": "walkaway_tmic_pct_medicare", "payer_id": "TMIC", "value": 120.0,
     "unit": "percent", "file": F_WALKAWAY,
     "text": "If Tamarack will not stay at or above 120% of Medicare on office visits, we "
             "walk."},
    {"key": "gphi_offer_pct_medicare", "payer_id": "GPHI", "value": 112.0, "unit": "percent",
     "file": F_GPHI,
     "text": "Granite Peak proposed renewing at 112% of Medicare for 2027, down from 115%."},
    {"key": "gphi_our_ask_pct_medicare", "payer_id": "GPHI", "value": 125.0,
     "unit": "percent", "file": F_GPHI, "text": "We asked Granite Peak for 125% of Medicare."},
]


def _fact(key: str) -> str:
    return str(next(f["text"] for f in FACTS if f["key"] == key))


def _md(title: str, meta: list[str], body: list[str]) -> bytes:
    return ("\n".join([f"# {title}", "", *meta, "", *body]).rstrip() + "\n").encode("utf-8")


def _eml(sender: str, to: str, subject: str, day: dt.datetime, body: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = email.utils.format_datetime(day)
    msg["Message-ID"] = f"<{day:%Y%m%d%H%M}.{zlib.crc32(subject.encode()):08x}@mail.example>"
    msg.set_content(body)
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def files() -> dict[str, bytes]:
    """Every note and e-mail by relative path."""
    tz = dt.timezone(dt.timedelta(hours=-5))
    return {
        F_CRHP_CALL: _md("Call w/ Cedar Ridge - renewal", [
            "Date: 10/14/2026", "On the call: Jen (Cedar Ridge provider rep), Maya (RCM), "
            "Dr. Solberg"], [
            "## Their offer", f"- {_fact('crhp_offer_pct')}",
            "- Nothing offered on imaging or PT; they said MA rates are 'not on the table'.",
            "", "## Our ask", f"- {_fact('crhp_counter_pct')}",
            f"- {_fact('crhp_attributed_members')}",
            "", "## To do", "- Pull CRHP denial and underpayment numbers before we reply.",
            "- Check when notice is due if we decide not to renew."]),
        F_CRHP_99214: _md("CRHP - 99214 allowable after the amendment", [
            "Date: 2026-06-02", "Author: Maya Brandvold, revenue cycle"], [
            f"- {_fact('crhp_99214_concern')}",
            "- Sampled ten ERAs from April and May; the allowed amount is the same as before "
            "March 1.", "- Ask Cedar Ridge whether the amendment was loaded; appeal if not."]),
        F_GPHI: _md("Granite Peak renewal meeting", [
            "Date: 2026-10-02", "Attendees: Teodor Vance (GPHI), Maya, Dr. Solberg"], [
            f"- {_fact('gphi_offer_pct_medicare')}", f"- {_fact('gphi_our_ask_pct_medicare')}",
            "- Current deal runs out at the end of the year and does not roll over; they "
            "want an answer by mid-November."]),
        F_SCH_RBM: _eml("Lena Okafor <lokafor@sandhillcoop.example>",
                        "Maya Brandvold <maya@riverbendfsm.example>",
                        "RE: MRI denials - precert vendor",
                        dt.datetime(2026, 5, 19, 10, 12, tzinfo=tz),
                        "Hi Maya,\n\n" + _fact("sch_rbm_date") + " Requests made through "
                        "the old portal after that date were not transferred, which is why "
                        "you are seeing CO-197 denials on knee and lumbar MRIs.\n\nPlease "
                        "resubmit with a ClearView authorization number.\n\nLena Okafor\n"
                        "Provider Relations, Sandhill Co-op\n"),
        F_TMIC_LATE: _eml("Maya Brandvold <maya@riverbendfsm.example>",
                          "Gordon Akerlund <gakerlund@tamarackmutual.example>",
                          "Late payments on Tamarack claims",
                          dt.datetime(2026, 9, 8, 15, 40, tzinfo=tz),
                          "Gordon,\n\n" + _fact("tmic_late_share_claimed") + " Section 3.2 "
                          "of our agreement requires interest on those. We have seen interest "
                          "on only a handful of ERAs.\n\nPlease let me know how you will "
                          "fix this.\n\nMaya\n"),
        F_WALKAWAY: _eml("Annika Solberg <asolberg@riverbendfsm.example>",
                         "Maya Brandvold <maya@riverbendfsm.example>",
                         "walk-away numbers for TMIC",
                         dt.datetime(2026, 10, 28, 7, 55, tzinfo=tz),
                         "Maya -\n\n" + _fact("walkaway_tmic_pct_medicare") + " Tamarack "
                         "notice is due early December, so let's decide at the partners' "
                         "meeting.\n\nA.\n"),
    }
