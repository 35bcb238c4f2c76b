"""The core's routes for every activity family."""

from flask import Blueprint

bp = Blueprint("activities", __name__)
