"""Health social work in primary care (seed 004): referrals and consultations, the inbox, contacts logged."""

from flask import Blueprint

bp = Blueprint("referrals", __name__)
