from flask import Blueprint

bp = Blueprint("audit", __name__)


@bp.record_once
def _init_audit(state) -> None:
    # Registered with the blueprint, after portal.web.transactions: the list record is written before the commit.
    from portal.audit import chain, pages

    pages.init_app(state.app)
    chain.init_app(state.app)
