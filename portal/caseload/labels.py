from portal.caseload.queries import Intensity
from portal.i18n import _l
from portal.web.labels import EnumLabels

LABELS = EnumLabels({
    Intensity.ON_TRACK: _l("Agreed rhythm kept"),
    Intensity.BELOW: _l("Fewer contacts than agreed"),
})
