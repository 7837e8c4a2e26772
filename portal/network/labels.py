from portal.i18n import _l
from portal.network.models import NetworkRole
from portal.web.labels import EnumLabels

LABELS = EnumLabels({
    NetworkRole.CLIENT_COORDINATOR: _l("Client coordinator at the health centre (asiakasvastaava)"),
    NetworkRole.SOCIAL_WELFARE_WORKER: _l("Social welfare worker (parallel support)"),
    NetworkRole.DOCTOR: _l("Doctor"),
    NetworkRole.PHARMACY: _l("Pharmacy"),
    NetworkRole.OTHER: _l("Other professional"),
})
