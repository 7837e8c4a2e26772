"""Meeting records: what happened at each contact (held, cancelled, no-show), the support given."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
