"""Message pages: the client's messages, a thread, writing, attachments, callback requests, the inboxes."""

from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from portal.db import utcnow
from portal.drafts import operations as drafts
from portal.extensions import db
from portal.i18n import _
from portal.messages import bp, forms, operations, permissions, queries
from portal.messages.models import MAX_ATTACHMENT_BYTES, Attachment, CallbackRequest, Message, Thread
from portal.messages.operations import MessageError, Upload
from portal.people.queries import client_of_user
from portal.plans.permissions import can_work, client_or_casework
from portal.plans.routes import refuse_or_offer_break_glass
from portal.programmes.models import Enrolment
from portal.reach.queries import unit_contact
from portal.tasks.queries import for_client
from portal.web import header
from portal.web.access import CASEWORK_ROLES, client_required, get_permitted, staff_required
from portal.web.inputs import allow_uploads

# The app refuses bodies over 2 MB; a message with an attachment may be bigger. Up to twice the attachment
# limit reaches the form (which says the file is too big, keeping the text); beyond, 413.
allow_uploads(bp, 2 * MAX_ATTACHMENT_BYTES, "new_thread", "reply")


def _thread(thread_id: int) -> Thread:
    """404 for an unknown thread, 403 for one the user may not read (a forged id reads nothing)."""
    return get_permitted(Thread, thread_id, permissions.can_read)


def _enrolment(enrolment_id: int) -> Enrolment:
    return get_permitted(Enrolment, enrolment_id, permissions.can_write)


def _upload(form) -> Upload | None:
    file = form.attachment.data
    if not file or not getattr(file, "filename", ""):
        return None
    # One byte over the limit is enough to refuse it: the rest is never read into memory.
    return Upload(file.filename, file.read(MAX_ATTACHMENT_BYTES + 1))


def _fail(form, exc: MessageError) -> None:
    getattr(form, exc.field, form.body).errors.append(str(exc))


@bp.route("/me/messages")
@client_required
def mine():
    return render_template("messages/mine.html", rows=queries.client_threads(current_user),
                           requests=_my_requests(),
                           enrolments=[e for e in _client_enrolments() if e.status.value == "active"])


def _my_requests():
    """The client's own change and callback requests, open or answered lately, with the worker's answer."""
    client = client_of_user(current_user)
    return [] if client is None else for_client(client.id, utcnow())


def _client_enrolments():
    from portal.plans.queries import client_enrolments

    return client_enrolments(current_user)


@bp.route("/messages/enrolments/<int:enrolment_id>", methods=["GET", "POST"])
@client_or_casework
def new_thread(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    form = forms.NewThreadForm()
    if form.validate_on_submit():
        try:
            thread = operations.start_thread(current_user, enrolment, form.subject.data, form.body.data,
                                             _upload(form))
        except MessageError as exc:
            _fail(form, exc)
        else:
            flash(_sent_message(enrolment), "success")
            return redirect(url_for(".thread", thread_id=thread.id))
    return render_template("messages/new.html", enrolment=enrolment, form=form,
                           rows=queries.enrolment_threads(current_user, enrolment)), 400 if form.errors else 200


def _sent_message(enrolment: Enrolment) -> str:
    """A client writing at night, at a weekend or on a public holiday hears when the message will be read."""
    if current_user.is_client and unit_contact(enrolment).out_of_hours:
        return _("Your message was sent. It is now outside working hours, so it will be read on the next "
                 "working day at the earliest.")
    return _("Your message was sent.")


@bp.route("/messages/<int:thread_id>")
@client_or_casework
def thread(thread_id: int):
    thread = db.get_or_404(Thread, thread_id)
    if not permissions.can_read(current_user, thread):
        # A worker outside the client's team may open urgent access here too, and comes back to the thread.
        return refuse_or_offer_break_glass(thread.enrolment, url_for(".thread", thread_id=thread.id))
    form = forms.ReplyForm(body=queries.draft_of(current_user, thread))
    return _thread_page(thread, form)


def _thread_page(thread: Thread, form, status: int = 200):
    messages = operations.read_thread(current_user, thread)
    return render_template("messages/thread.html", thread=thread, messages=messages, form=form,
                           active=thread.enrolment.status.value == "active"), status


@bp.route("/messages/<int:thread_id>/reply", methods=["POST"])
@client_or_casework
def reply(thread_id: int):
    thread = _thread(thread_id)
    form = forms.ReplyForm()
    if form.validate():
        try:
            operations.post(current_user, thread, form.body.data, _upload(form))
        except MessageError as exc:
            _fail(form, exc)
        else:
            flash(_sent_message(thread.enrolment), "success")
            return redirect(url_for(".thread", thread_id=thread.id, _anchor="reply"))
    return _thread_page(thread, form, 400)


@bp.route("/messages/<int:thread_id>/draft", methods=["POST"])
@client_or_casework
def draft(thread_id: int):
    thread = _thread(thread_id)
    operations.save_draft(current_user, thread, request.form.get("body", ""))
    return Response(status=204)


@bp.route("/messages/<int:thread_id>/after/<int:message_id>")
@client_or_casework
def after(thread_id: int, message_id: int):
    """The messages after ``message_id``, as list items for the open page (fetched on a live event)."""
    thread = _thread(thread_id)
    operations.read_thread(current_user, thread)
    return render_template("messages/_messages.html", messages=queries.messages_after(thread, message_id))


@bp.route("/messages/attachments/<int:attachment_id>")
@client_or_casework
def attachment(attachment_id: int):
    item = db.get_or_404(Attachment, attachment_id)
    thread = _thread(db.session.get(Message, item.message_id).thread_id)
    operations.record_attachment_read(current_user, thread, item)
    response = Response(item.data, mimetype=item.content_type.value)
    # Always a download, with the type sniffed at upload: a file never renders as a page of this site.
    response.headers["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/messages/enrolments/<int:enrolment_id>/callback", methods=["GET", "POST"])
@client_required
def callback(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    form = forms.CallbackForm()
    drafts.prefill(form, current_user, f"callback:{enrolment.id}")
    if form.validate_on_submit():
        try:
            operations.request_callback(current_user, enrolment, form.preferred_times.data, form.phone.data)
        except MessageError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            drafts.clear(current_user, f"callback:{enrolment.id}")
            flash(_("Your request was sent. Your worker will call you."), "success")
            return redirect(url_for(".mine"))
    return render_template("messages/callback.html", enrolment=enrolment, form=form), 400 if form.errors else 200


@bp.route("/messages/inbox")
@staff_required(*CASEWORK_ROLES)
def inbox():
    return render_template("messages/inbox.html", rows=queries.inbox(current_user),
                           callbacks=queries.open_callbacks(current_user), team=False)


@bp.route("/messages/team")
@staff_required(*CASEWORK_ROLES)
def team_inbox():
    return render_template("messages/inbox.html", rows=queries.team_inbox(current_user), callbacks=[], team=True)


@bp.route("/messages/callbacks/<int:callback_id>/handled", methods=["POST"])
@staff_required(*CASEWORK_ROLES)
def callback_handled(callback_id: int):
    item = db.get_or_404(CallbackRequest, callback_id)
    if not can_work(current_user, item.enrolment):
        abort(403)
    operations.handle_callback(current_user, item)
    flash(_("The callback request was marked done."), "success")
    return redirect(url_for(".inbox"))


@bp.route("/messages/unread")
@client_or_casework
def unread():
    """The navigation's unread counter, asked again by the page when a message arrives (JSON)."""
    count = queries.unread_count(current_user)
    response = jsonify(count=count, text=_("%(count)s unread", count=count))
    response.headers["Cache-Control"] = "no-store"
    return response


def _messages_in_navigation() -> bool:
    return current_user.is_authenticated and (current_user.is_client or current_user.has_role(*CASEWORK_ROLES))


def _unread_messages() -> int:
    """The header's counter: one of the header's facts (portal/web/header.py), not a query of its own."""
    if not _messages_in_navigation():
        return 0
    return header.fact("unread_messages" if current_user.is_client else "unread_in_inbox") or 0


header.register("unread_messages", lambda: queries.unread_count_statement(client=True).scalar_subquery(),
                lambda user: user.is_client)
header.register("unread_in_inbox", lambda: queries.unread_count_statement(client=False).scalar_subquery(),
                lambda user: not user.is_client and user.has_role(*CASEWORK_ROLES))


bp.record_once(lambda state: state.app.jinja_env.globals.update(
    unread_messages=_unread_messages, messages_in_navigation=_messages_in_navigation))
