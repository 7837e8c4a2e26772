"""Translated labels for the people feature's enums (templates show these, never raw values)."""

from portal.i18n import _l
from portal.people.models import ClientLanguage, ContactChannel, DiagnosisGroup, Gender
from portal.web.labels import EnumLabels

LABELS = EnumLabels(
    {Gender.FEMALE: _l("Woman"), Gender.MALE: _l("Man"), Gender.OTHER: _l("Other gender"),
     Gender.UNKNOWN: _l("Not told")},
    {ClientLanguage.FI: _l("Finnish"), ClientLanguage.SV: _l("Swedish"), ClientLanguage.OTHER: _l("Other language")},
    {DiagnosisGroup.PSYCHOSIS: _l("Psychosis"), DiagnosisGroup.MOOD: _l("Mood disorder"),
     DiagnosisGroup.OTHER: _l("Other diagnosis group")},
    {ContactChannel.SMS: _l("Text message"), ContactChannel.EMAIL: _l("Email"), ContactChannel.PHONE: _l("Phone call"),
     ContactChannel.LETTER: _l("Letter")},
)
