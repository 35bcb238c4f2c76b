"""Typed settings: defaults, parsing and validation."""

import pytest

from app import settings
from app.extensions import db


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("hours.target_member", "40", 40.0),
        ("hours.target_member", " 32.5 ", 32.5),
        ("activity.late_entry_days", "10", 10),
        ("org.name", "  XX区科工信局 ", "XX区科工信局"),
    ],
)
def test_values_are_parsed_to_their_type(key, raw, expected):
    assert settings.parse(settings.REGISTRY[key], raw) == expected


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("hours.target_member", "nan"),
        ("hours.target_member", "inf"),
        ("hours.target_member", "-1"),
        ("hours.target_member", "501"),
        ("hours.target_member", "thirty"),
        ("activity.late_entry_days", "7.5"),
        ("members.inactive_days", "10"),
        ("org.name", "   "),
    ],
)
def test_invalid_values_are_refused(key, raw):
    with pytest.raises(settings.SettingError):
        settings.parse(settings.REGISTRY[key], raw)


def test_defaults_until_stored_then_the_stored_value(app):
    with app.app_context():
        assert settings.get("hours.target_committee") == 56.0
        assert settings.get("activity.late_entry_days") == 7
        settings.put("hours.target_committee", 60.0)
        db.session.commit()
        assert settings.get("hours.target_committee") == 60.0
        assert settings.all_values()["hours.target_committee"] == 60.0
