"""Departments: an admin adds, renames and retires them; people keep theirs."""

import sqlalchemy as sa

from app.audit.models import AuditLog
from app.extensions import db
from app.people.models import Department


def names(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Department.name).order_by(Department.id)))


def test_add_rename_and_retire(client, auth, app, world):
    auth.login("admin")
    url = "/admin/departments/"
    response = client.post(
        url, data={"name": "科技股", "sort_order": "2", "csrf_token": auth.token(url)}
    )
    assert response.status_code == 303
    assert names(app) == ["Office", "科技股"]
    with app.app_context():
        science = db.session.scalar(sa.select(Department.id).where(Department.name == "科技股"))
        assert (
            db.session.scalar(
                sa.select(AuditLog.action).where(
                    AuditLog.record_type == "department", AuditLog.record_id == str(science)
                )
            )
            == "create"
        )

    edit = f"/admin/departments/{science}/edit"
    response = client.post(
        edit, data={"name": "科技与信息股", "sort_order": "2", "csrf_token": auth.token(edit)}
    )
    assert response.status_code == 303
    assert names(app) == ["Office", "科技与信息股"]

    retire = f"/admin/departments/{world['office']}/retire"
    assert client.post(retire, data={"csrf_token": auth.token(url)}).status_code == 303
    form = client.get("/members/new").get_data(as_text=True)
    assert "科技与信息股" in form and ">Office<" not in form
    # The person recorded in it keeps it.
    assert "Office" in client.get(f"/members/{world['member_person']}").get_data(as_text=True)
    assert client.post(retire, data={"csrf_token": auth.token(url)}).status_code == 303
    assert ">Office<" in client.get("/members/new").get_data(as_text=True)


def test_duplicate_or_empty_names_are_refused(client, auth, app, world):
    auth.login("admin")
    url = "/admin/departments/"
    for name in ("office", "  ", "x" * 81):
        response = client.post(url, data={"name": name, "csrf_token": auth.token(url)})
        assert response.status_code == 422, name
    assert names(app) == ["Office"]
