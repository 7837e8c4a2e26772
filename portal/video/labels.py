from portal.i18n import _l
from portal.video.models import ParticipantRole
from portal.web.labels import EnumLabels

LABELS = EnumLabels(
    {
        ParticipantRole.HOST: _l("Host"),
        ParticipantRole.WORKER: _l("Worker"),
        ParticipantRole.CLIENT: _l("Client"),
        ParticipantRole.GUEST: _l("Guest"),
        ParticipantRole.BOT: _l("Connection test"),
    },
)
