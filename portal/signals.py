"""Named signals between features: the sender does not know who listens.

Each is sent with the acting user as sender and the object as ``appointment=`` (etc.), after the
change is flushed, inside the request's transaction.
"""

from blinker import Namespace

_signals = Namespace()

appointment_booked = _signals.signal("appointment-booked")
appointment_cancelled = _signals.signal("appointment-cancelled")
appointment_changed = _signals.signal("appointment-changed")  # confirmed, another way of meeting
# appointment=: the new one booked in place of previous= (now cancelled): one change, not a booking and a cancellation
appointment_moved = _signals.signal("appointment-moved")
callback_requested = _signals.signal("callback-requested")  # callback=: a client asked to be called (messages)
callback_handled = _signals.signal("callback-handled")  # callback=: marked handled (messages)
fallback_asked = _signals.signal("fallback-asked")  # appointment=, choice=: "phone"/"home_visit" from the waiting room
contact_recorded = _signals.signal("contact-recorded")  # a contact record written or corrected (meetings)
decision_signed = _signals.signal("decision-signed")  # a housing decision signed off (intake); queues listen
service_transferred = _signals.signal("service-transferred")  # enrolment=, transfer=: the coordinator changed
service_ended = _signals.signal("service-ended")  # enrolment=: ended with a reason (programmes)
# sender: the user whose sessions end (password reset or change, deactivation, "sign out my other sessions");
# session_ids=: the sessions ended, keep=: the one kept (None: all). Video closes their live connections.
sessions_ended = _signals.signal("sessions-ended")
# sender: the public id of one session that ended (signed out, idle, past its lifetime); user_id=. Likewise.
session_ended = _signals.signal("session-ended")
# sender: a client's id; appointments=: ids of meetings under way. Receivers that hold calls (video) return
# {appointment id: when the call ended for that client}: the SRS opens then, not at the booked end.
meeting_over = _signals.signal("meeting-over")
# sender: the app; now=: a job run is due (portal/notifications/jobs.py): features' periodic chores listen
jobs_due = _signals.signal("jobs-due")
# Operations (portal/ops listens): these are sent by lower layers that must not import the metrics.
login_failed = _signals.signal("login-failed")  # sender: the method ("password", "oidc"); nothing personal
jobs_ran = _signals.signal("jobs-ran")  # sender: the app; ok=: whether the job run succeeded (the heartbeat)
