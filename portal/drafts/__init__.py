"""Drafts of short forms, kept on the server as the user types, so an idle timeout loses nothing.

Decision (issue 16): server-side drafts, not "restore after sign-in" from the browser. Text typed into a
plan comment, a change request or a callback request is saved (per user and form) a moment after each
change while the session lives; after a timeout and a new sign-in the same form opens with the text in
it, and sending the form deletes the draft. Nothing is kept in the browser (a shared computer keeps no
one's text), and the draft is readable only by its writer.
"""

from flask import Blueprint

bp = Blueprint("drafts", __name__)
