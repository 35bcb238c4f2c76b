"""The synthetic district's member logs: a few a year for about a third of the members, most
approved, some returned with a comment, recent ones waiting."""

import random
from datetime import date, timedelta
from decimal import Decimal

from app.demo.bulk import Loader
from app.demo.people_synth import District, stamp
from app.logs.models import MemberLog

KINDS = (
    ("training", "参加区委党校专题培训", Decimal("8.0")),
    ("self_study", "学习强国专题学习", Decimal("2.0")),
    ("volunteer", "社区志愿服务", Decimal("3.0")),
    ("other", "参观红色教育基地", None),
)


def build_logs(
    loader: Loader, rng: random.Random, district: District, first: date, today: date
) -> None:
    table = MemberLog.__table__
    span = (today - first).days
    for branch in district.branches:
        reviewer = branch.secretary_account
        for seat in branch.seats:
            if not seat.party or rng.random() > 0.33:
                continue
            for _ in range(rng.randint(1, 3) * max(span // 365, 1)):
                done = first + timedelta(days=rng.randint(0, span))
                if not seat.covers(done):
                    continue
                kind, title, hours = rng.choice(KINDS)
                state = "approved" if rng.random() < 0.9 else "returned"
                if (today - done).days < 14:
                    state = "pending"
                submitted = stamp(done, 18)
                reviewed = submitted + timedelta(days=2) if state != "pending" else None
                row = {
                    "id": loader.next_id(table),
                    "person_id": seat.person_id,
                    "kind": kind,
                    "done_on": done,
                    "hours": hours,
                    "title": title,
                    "text": "学习心得与收获",
                    "place": None,
                    "beneficiary": None,
                    "state": state,
                    "submitted_at": submitted,
                    "reviewed_at": reviewed,
                    "reviewed_by_id": reviewer if reviewed else None,
                    "review_comment": "请补充学习材料" if state == "returned" else None,
                    "created_at": submitted,
                    "version": 1,
                }
                loader.created(table, row, "member_log", title, submitted)
