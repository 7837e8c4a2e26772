from portal.i18n import _l
from portal.programmes.models import EnrolmentStatus
from portal.web.labels import EnumLabels

LABELS = EnumLabels({
    EnrolmentStatus.ACTIVE: _l("Ongoing"),
    EnrolmentStatus.ENDED: _l("Ended"),
})
