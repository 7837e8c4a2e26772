from portal.auth.models import Role
from portal.i18n import _l
from portal.web.labels import EnumLabels

LABELS = EnumLabels({
    Role.WORKER: _l("Worker"),
    Role.CARE_COORDINATOR: _l("Care coordinator"),
    Role.TEAM_LEAD: _l("Team lead"),
    Role.QUEUE_COORDINATOR: _l("Queue coordinator"),
    Role.HOUSING_UNIT: _l("Housing-unit contact"),
    Role.REFERRER: _l("Primary-care referrer"),
    Role.ADMIN: _l("Administrator"),
})
