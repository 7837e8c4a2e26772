from portal.audit.models import AuditAction
from portal.i18n import _l
from portal.web.labels import EnumLabels

LABELS = EnumLabels({
    AuditAction.READ: _l("Viewed"),
    AuditAction.CREATE: _l("Added"),
    AuditAction.UPDATE: _l("Changed"),
    AuditAction.DELETE: _l("Removed"),
    AuditAction.EXPORT: _l("Exported"),
    AuditAction.LOGIN: _l("Signed in"),
    AuditAction.LOGIN_FAILED: _l("Failed sign-in"),
    AuditAction.LOGOUT: _l("Signed out"),
})

# The features named in audit records, as the client reads them in "who has seen my data".
FEATURES = {
    "people": _l("Background and contact details"),
    "caseload": _l("Client overview"),
    "auth": _l("Sign-in"),
    "admin": _l("Administration"),
    "programmes": _l("Services"),
    "scheduling": _l("Appointments"),
    "appointments": _l("Appointments"),
    "interop": _l("Information shared with other systems"),
    "notifications": _l("Reminders and notices"),
    "groups": _l("Groups"),
    "meetings": _l("Meeting records"),
    "video": _l("Video meetings"),
    "measures": _l("Questionnaires and results"),
    "plans": _l("Plan"),
    "messages": _l("Messages"),
    "intake": _l("Housing intake"),
    "queues": _l("Housing queues"),
    "referrals": _l("Referrals"),
    "network": _l("The client's network"),
    "reports": _l("Reports"),
    "audit": _l("Audit log"),
}
