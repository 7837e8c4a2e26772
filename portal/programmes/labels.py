from portal.i18n import _l
from portal.programmes.models import EnrolmentStatus

LABELS = {
    EnrolmentStatus.ACTIVE: _l("Ongoing"),
    EnrolmentStatus.ENDED: _l("Ended"),
}
