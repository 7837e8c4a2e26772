from portal.auth.models import JobTitle, Role
from portal.i18n import _l
from portal.web.labels import EnumLabels

LABELS = EnumLabels({
    Role.WORKER: _l("Worker"),
    Role.CARE_COORDINATOR: _l("Care coordinator"),
    Role.TEAM_LEAD: _l("Team lead"),
    Role.SERVICE_MANAGER: _l("Service-unit manager"),
    Role.QUEUE_COORDINATOR: _l("Queue coordinator"),
    Role.HOUSING_UNIT: _l("Housing-unit contact"),
    Role.REFERRER: _l("Primary-care referrer"),
    Role.ADMIN: _l("Administrator"),
}, {
    # The Finnish professional titles (Valvira's protected titles where there is one), not free text.
    JobTitle.SOCIAL_WORKER: _l("Social worker"),
    JobTitle.LEADING_SOCIAL_WORKER: _l("Leading social worker"),
    JobTitle.SOCIAL_COUNSELLOR: _l("Social counsellor"),
    JobTitle.HEALTH_SOCIAL_WORKER: _l("Health social worker"),
    JobTitle.PSYCHIATRIC_NURSE: _l("Psychiatric nurse"),
    JobTitle.NURSE: _l("Registered nurse"),
    JobTitle.PRACTICAL_NURSE: _l("Practical nurse"),
    JobTitle.PSYCHOLOGIST: _l("Psychologist"),
    JobTitle.OCCUPATIONAL_THERAPIST: _l("Occupational therapist"),
    JobTitle.PEER_WORKER: _l("Expert by experience"),
    JobTitle.SERVICE_MANAGER: _l("Service manager"),
    JobTitle.QUEUE_COORDINATOR: _l("Queue coordinator (title)"),
    JobTitle.HOUSING_SUPERVISOR: _l("Supervisor, housing-service unit"),
    JobTitle.SYSTEM_ADMINISTRATOR: _l("System administrator"),
})
