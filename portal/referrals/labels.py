"""Translated names of the referral enums (templates get them through ``referral_label``)."""

from portal.i18n import _l
from portal.referrals.models import ConsentBy, ConsentHow, ReferralKind, ReferralStatus, Urgency
from portal.web.labels import EnumLabels

LABELS = EnumLabels(
    {ReferralKind.REFERRAL: _l("Referral"), ReferralKind.CONSULTATION: _l("Consultation")},
    {Urgency.TODAY: _l("Today"), Urgency.THIS_WEEK: _l("This week"), Urgency.NORMAL: _l("Normal")},
    {
        ReferralStatus.OPEN: _l("Waiting in the inbox"),
        ReferralStatus.ACCEPTED: _l("Accepted: the client is in health social work"),
        ReferralStatus.ANSWERED: _l("Answered"),
    },
    {ConsentBy.CLIENT: _l("The client"), ConsentBy.REPRESENTATIVE: _l("The client's legal representative")},
    {ConsentHow.VERBAL: _l("Verbally"), ConsentHow.WRITTEN: _l("In writing")},
)
