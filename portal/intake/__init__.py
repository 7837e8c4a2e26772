"""Housing-service guidance intake (seed 001): requests, §35 notifications, assessments, decision meetings."""

from flask import Blueprint

# Its own static folder: the print stylesheet and button of a decision (CSP allows no inline style or script).
bp = Blueprint("intake", __name__, static_folder="static", static_url_path="/intake/static")


@bp.record_once
def _init(state) -> None:
    """Decision templates and assessment areas checked at start; the worker's SAP agenda slots are busy time in
    their own calendar (scheduling knows no intake)."""
    from portal.intake import areas, drafting
    from portal.intake.commitments import sap_slots
    from portal.scheduling import commitments

    drafting.init_app(state.app)
    areas.init_app(state.app)
    commitments.register(state.app, sap_slots)
