"""Pre-holiday integrity reminders 节前廉政提醒 and the holiday table: which holidays of a year
are reminded (中秋 and 国庆 one reminder when within a week), which have had their reminder,
which are due within the due-soon days, recording one, and the admin's corrections of a date."""

from datetime import date

import sqlalchemy as sa
from activity_helpers import post

from app.audit.models import AuditLog
from app.auth.models import User
from app.extensions import db
from app.integrity.figures import reminder_lines
from app.integrity.holidays import holiday_date, occasions, shipped_date
from app.integrity.models import Holiday, HolidayReminder, ReminderChannel
from app.integrity.reminders import create_reminder
from app.people.models import OrgUnit
from app.types import local_today

H = Holiday


def test_the_years_holidays_merge_mid_autumn_with_national_day_within_a_week(app):
    with app.app_context():
        # 2026: 中秋 on 25 September, six days before 国庆: one reminder, dated the earlier.
        assert [(o.holiday, o.day, o.covers) for o in occasions(2026)] == [
            (H.SPRING_FESTIVAL, date(2026, 2, 17), (H.SPRING_FESTIVAL,)),
            (H.QINGMING, date(2026, 4, 5), (H.QINGMING,)),
            (H.LABOUR_DAY, date(2026, 5, 1), (H.LABOUR_DAY,)),
            (H.DRAGON_BOAT, date(2026, 6, 19), (H.DRAGON_BOAT,)),
            (H.MID_AUTUMN, date(2026, 9, 25), (H.MID_AUTUMN, H.NATIONAL_DAY)),
        ]
        # 2025: 中秋 on 6 October, after 国庆: merged, dated 1 October.
        autumn = [o for o in occasions(2025) if o.holiday is H.MID_AUTUMN]
        assert [(o.day, o.covers) for o in autumn] == [
            (date(2025, 10, 1), (H.MID_AUTUMN, H.NATIONAL_DAY))
        ]
        # 2024: 中秋 on 17 September, a fortnight before: apart.
        days = {o.holiday: o.day for o in occasions(2024)}
        assert days[H.MID_AUTUMN] == date(2024, 9, 17) and days[H.NATIONAL_DAY] == date(2024, 10, 1)
        assert len(occasions(2024)) == 6
        # The lunar table as published: 春节 2019–2035, 端午 and 清明 spot-checked.
        spring = [holiday_date(H.SPRING_FESTIVAL, year) for year in (2019, 2023, 2030, 2035)]
        assert spring == [date(2019, 2, 5), date(2023, 1, 22), date(2030, 2, 3), date(2035, 2, 8)]
        assert holiday_date(H.DRAGON_BOAT, 2025) == date(2025, 5, 31)
        assert holiday_date(H.QINGMING, 2024) == date(2024, 4, 4)
        assert holiday_date(H.SPRING_FESTIVAL, 2036) is None  # beyond the shipped years


def _reminder(code: str, holiday: Holiday, sent_on: date, year: int = 2026) -> None:
    unit = db.session.scalar(sa.select(OrgUnit).where(OrgUnit.code == code))
    by = db.session.scalar(sa.select(User).where(User.username == "admin"))
    values = {"unit": unit, "year": year, "holiday": holiday, "sent_on": sent_on}
    values |= {"channel": ReminderChannel.SMS, "everyone": True, "text": "廉洁过节"}
    create_reminder(values | {"recipient_ids": set()}, by)
    db.session.flush()


def _states(code: str, today: date) -> dict[Holiday, str]:
    unit = db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == code))
    lines = reminder_lines(sa.select(sa.literal(unit)), 2026, today, 14)
    return {line.occasion.holiday: line.state for line in lines}


def test_which_holidays_have_had_their_reminder_and_which_are_due(app, world):
    with app.app_context():
        assert _states("jiguan", date(2026, 2, 5)) == {
            H.SPRING_FESTIVAL: "due",  # in 12 days
            H.QINGMING: "coming",
            H.LABOUR_DAY: "coming",
            H.DRAGON_BOAT: "coming",
            H.MID_AUTUMN: "coming",
        }
        _reminder("jiguan", H.SPRING_FESTIVAL, date(2026, 2, 10))
        _reminder("cujin", H.QINGMING, date(2026, 4, 1))  # another branch's
        # A reminder recorded for 国庆 covers the merged 中秋·国庆.
        _reminder("jiguan", H.NATIONAL_DAY, date(2026, 9, 20))
        assert _states("jiguan", date(2026, 4, 20)) == {
            H.SPRING_FESTIVAL: "held",
            H.QINGMING: "missed",
            H.LABOUR_DAY: "due",  # in 11 days
            H.DRAGON_BOAT: "coming",
            H.MID_AUTUMN: "held",
        }
        assert _states("cujin", date(2026, 4, 20))[H.QINGMING] == "held"
        # The bureau counts its branches' reminders.
        bureau = db.session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == "bureau"))
        from app.auth.policy import subtree_ids

        lines = reminder_lines(
            subtree_ids(sa.select(sa.literal(bureau))), 2026, date(2026, 4, 20), 14
        )
        assert [line.state for line in lines][:2] == ["held", "held"]


def test_a_secretary_records_a_reminder_to_everyone_or_to_the_people_ticked(
    app, client, auth, world
):
    auth.login("secretary")
    year = local_today().year
    fields = {
        "unit_id": world["jiguan"],
        "holiday": "spring_festival",
        "year": year,
        "sent_on": date(year, 1, 20).isoformat(),
        "channel": "group_chat",
        "text": "春节将至，严守纪律，廉洁过节。",
    }
    after = post(client, "/integrity/reminders/new", fields | {"everyone": "y", "year": year - 1})
    assert after.status_code == 422  # last year's Spring Festival is past: sent before it
    assert "A reminder comes before the holiday" in after.get_data(as_text=True)
    to_all = post(client, "/integrity/reminders/new", fields | {"everyone": "y"})
    assert to_all.status_code == 303, to_all.get_data(as_text=True)
    nobody = post(client, "/integrity/reminders/new", fields)
    assert nobody.status_code == 422
    assert "Tick the people reminded" in nobody.get_data(as_text=True)
    # Someone of another branch is no recipient of jiguan's reminder: left out.
    ticked = {"recipient": [world["member_person"], world["cujin_member"]]}
    named = post(client, "/integrity/reminders/new", fields | ticked)
    assert named.status_code == 303
    with app.app_context():
        rows = db.session.scalars(sa.select(HolidayReminder).order_by(HolidayReminder.id)).all()
        assert [(r.everyone, [p.id for p in r.recipients]) for r in rows] == [
            (True, []),
            (False, [world["member_person"]]),
        ]
        assert rows[0].channel is ReminderChannel.GROUP_CHAT and rows[0].year == year
    page = client.get(named.headers["Location"]).get_data(as_text=True)
    assert "Member J" in page and "Work group chat" in page
    listed = client.get("/integrity/").get_data(as_text=True)
    assert 'id="reminders"' in listed and f"/integrity/reminders/{rows[0].id}" in listed
    assert 'id="reminders"' not in auth.client_for("member").get("/integrity/").get_data(
        as_text=True
    )
    removed = post(client, f"/integrity/reminders/{rows[0].id}/remove")
    assert removed.status_code == 303
    assert client.get(f"/integrity/reminders/{rows[0].id}").status_code == 404


def test_the_admin_corrects_a_holidays_date(app, client, auth, world):
    url = "/integrity/reminders/holidays?year=2027"
    with app.app_context():
        days = {each.value: shipped_date(each, 2027).isoformat() for each in Holiday}
    auth.login("secretary")
    assert client.get(url).status_code == 403
    admin = auth.client_for("admin")
    before = _audit_count(app)
    wrong = post(admin, url, days | {"dragon_boat": "2026-06-09"})
    assert wrong.status_code == 422 and "Dragon Boat Festival" in wrong.get_data(as_text=True)
    assert _audit_count(app) == before
    same = post(admin, url, days)
    assert same.status_code == 303 and _audit_count(app) == before  # nothing to keep
    corrected = post(admin, url, days | {"dragon_boat": "2027-06-10"})
    assert corrected.status_code == 303
    with app.app_context():
        assert holiday_date(H.DRAGON_BOAT, 2027) == date(2027, 6, 10)
        assert shipped_date(H.DRAGON_BOAT, 2027) == date(2027, 6, 9)
        assert holiday_date(H.SPRING_FESTIVAL, 2027) == date(2027, 2, 6)
    assert _audit_count(app) == before + 1
    assert "Corrected" in admin.get(url).get_data(as_text=True)


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
