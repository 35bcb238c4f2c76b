"""The demo's study sessions as planned: who chairs and where, the themes of each month, and the
titles, topics, minutes and resolutions of every session at the DOMAIN.md frequencies.

``schedule`` is plain Python (dates, titles, minutes); ``app.demo.study`` writes it.
"""

import random
from dataclasses import dataclass, field
from datetime import date, time

from app.demo.calendar import MON, THU, TUE, WED, last_weekday, months, nth_weekday, workday_from
from app.study.models import StudyKind

# Chair 主持人 and minute-taker 记录人 of each unit: its 书记 (or group leader) and 组织委员.
OFFICERS = {
    "jiguan": ("KGX004", "KGX005"),
    "cujin": ("SCL001", "SCL003"),
    "jiguan-g1": ("KGX005", "KGX009"),
    "jiguan-g2": ("KGX008", "KGX013"),
    "dangzu": ("KGX001", "KGX004"),
}
PLACES = {
    "jiguan": "机关三楼会议室",
    "jiguan-g1": "机关二楼小会议室",
    "jiguan-g2": "工业股办公室",
    "cujin": "生产力促进中心二楼会议室",
    "dangzu": "局四楼党组会议室",
}
WORK = {
    "jiguan": "全区工业经济运行和科技创新工作",
    "cujin": "企业服务和科技成果转化工作",
    "dangzu": "科技创新、工业经济和信息化工作",
}
# Who speaks up in discussions (by unit), for the minutes.
SPEAKERS = {
    "jiguan": ["KGX006", "KGX008", "KGX009", "KGX012", "KGX013", "KGX018"],
    "cujin": ["SCL002", "SCL004", "SCL005", "SCL007", "SCL008"],
    "jiguan-g1": ["KGX009", "KGX012", "KGX018", "KGX010"],
    "jiguan-g2": ["KGX007", "KGX011", "KGX013"],
    "dangzu": ["KGX002", "KGX003"],
}

# The month's study theme, as units across the country studied it; other years use GENERIC_THEMES.
THEMES = {
    2024: {
        1: "学习新修订的《中国共产党纪律处分条例》",
        2: "学习习近平总书记在二十届中央纪委三次全会上的重要讲话精神",
        3: "学习贯彻全国两会精神",
        4: "党纪学习教育：原原本本学习《中国共产党纪律处分条例》",
        5: "党纪学习教育：学习“六项纪律”，以案说纪",
        6: "党纪学习教育：警示教育，以案促改",
        7: "庆祝建党103周年，党纪学习教育总结",
        8: "学习贯彻党的二十届三中全会精神",
        9: "学习《中共中央关于进一步全面深化改革、推进中国式现代化的决定》",
        10: "学习习近平总书记关于科技创新的重要论述",
        11: "学习习近平总书记关于推进新型工业化的重要论述",
        12: "学习贯彻中央经济工作会议精神",
    },
    2025: {
        1: "学习习近平总书记在二十届中央纪委四次全会上的重要讲话精神",
        2: "学习习近平总书记在民营企业座谈会上的重要讲话精神",
        3: "深入贯彻中央八项规定精神学习教育动员部署",
        4: "深入贯彻中央八项规定精神学习教育：读原文、学规定",
        5: "深入贯彻中央八项规定精神学习教育：警示教育",
        6: "深入贯彻中央八项规定精神学习教育：查摆问题、集中整治",
        7: "纪念建党104周年，重温入党初心",
        8: "学习习近平总书记关于制造业高质量发展的重要论述",
        9: "纪念中国人民抗日战争暨世界反法西斯战争胜利80周年",
        10: "学习《中国共产党纪律处分条例》，筑牢拒腐防变思想防线",
        11: "学习贯彻党的二十届四中全会精神",
        12: "学习《中共中央关于制定国民经济和社会发展第十五个五年规划的建议》",
    },
    2026: {
        1: "学习贯彻中央经济工作会议精神",
        2: "深入学习贯彻党的二十届四中全会精神",
        3: "学习贯彻全国两会精神",
        4: "学习《国民经济和社会发展第十五个五年规划纲要》",
        5: "学习《中国共产党纪律处分条例》，严守党的纪律规矩",
        6: "警示教育：以案为鉴、以案促改",
        7: "庆祝建党105周年，重温入党誓词",
        8: "学习习近平总书记关于推进新型工业化的重要论述",
        9: "学习习近平总书记关于科技创新的重要论述",
        10: "学习习近平总书记关于党的建设的重要思想",
        11: "学习贯彻党的二十届四中全会精神，谋划“十五五”开局之年工作",
        12: "学习贯彻中央经济工作会议精神",
    },
}
GENERIC_THEMES = [
    "学习习近平新时代中国特色社会主义思想",
    "学习《中国共产党章程》",
    "学习《中国共产党纪律处分条例》",
    "学习习近平总书记关于推进新型工业化的重要论述",
    "学习习近平总书记关于科技创新的重要论述",
    "学习《中国共产党支部工作条例（试行）》",
]
LECTURES = {
    (2024, 1): "严守纪律规矩，做忠诚干净担当的党员干部",
    (2024, 2): "学党纪、明规矩、强党性",
    (2024, 3): "进一步全面深化改革，推进中国式现代化",
    (2024, 4): "以科技创新引领新质生产力发展",
    (2025, 1): "以钉钉子精神贯彻中央八项规定精神",
    (2025, 2): "弘扬伟大建党精神，在新型工业化中勇挑重担",
    (2025, 3): "铭记历史、缅怀先烈，汲取奋进力量",
    (2025, 4): "深刻把握党的二十届四中全会精神",
    (2026, 1): "以高质量党建引领“十五五”良好开局",
    (2026, 2): "牢记初心使命，争做新时代合格党员",
    (2026, 3): "以科技创新和产业创新深度融合推动高质量发展",
    (2026, 4): "深入学习贯彻党的二十届四中全会精神，奋力推进新型工业化",
}
GENERIC_LECTURES = [
    "牢记初心使命，争做新时代合格党员",
    "严守纪律规矩，做忠诚干净担当的党员干部",
    "以高质量党建引领高质量发展",
    "发扬斗争精神，增强斗争本领",
]
# Themed Party days held away from the desk: (activity, place, what was done).
FORMS = {
    3: (
        "学雷锋志愿服务",
        "XX社区新时代文明实践站",
        "到社区开展学雷锋志愿服务，为居民提供政策咨询和反诈宣传",
    ),
    4: ("缅怀革命先烈", "XX区烈士陵园", "赴烈士陵园敬献花篮，缅怀革命先烈，重温入党誓词"),
    7: ("重温入党誓词", "机关三楼党员活动室", "全体党员面向党旗重温入党誓词，过“政治生日”"),
    9: (
        "走访企业解难题",
        "XX高新技术产业园",
        "走访园区企业，收集用工、融资、技术改造等方面的困难诉求",
    ),
    12: ("警示教育", "区廉政教育基地", "参观区廉政教育基地，观看警示教育片"),
}
BUSINESS = [
    "《中华人民共和国保守国家秘密法》",
    "安全生产法律法规",
    "《优化营商环境条例》",
    "工业和信息化领域惠企政策",
    "数字经济和网络安全知识",
    "《党政机关厉行节约反对浪费条例》",
]
COMMITTEE_ITEMS = [
    ("研究制定支部年度党建工作要点", "支部年度党建工作要点经修改后印发"),
    ("研究党员教育培训安排", "党员教育培训按季度安排，由宣传委员牵头"),
    ("研究发展党员工作", "确定入党积极分子培养联系人，按程序做好培养考察"),
    ("研究“我为群众办实事”项目推进情况", "未完成的办实事项目明确时限，月底前报进度"),
    ("通报党费收缴情况", "党费按月足额收缴，季度末公示"),
    ("研究党员志愿服务安排", "组织党员到社区报到参加志愿服务"),
    ("研究谈心谈话安排", "支委成员与分工联系党员开展谈心谈话"),
    ("研究支部规范化建设", "完善“三会一课”台账，做到记录及时、资料齐全"),
    ("研究党建与业务融合工作", "围绕企业服务开展一次党员先锋岗评比"),
    ("研究党员日常管理", "对长期外出党员明确联系人，按月补学"),
    ("研究年度党建考核迎检准备", "对照考核细则逐项查漏补缺"),
    ("研究年度组织生活会和民主评议党员准备工作", "会前完成谈心谈话和征求意见"),
]
# The kinds after which members write a reflection, and what they write.
REFLECTED = frozenset(
    {
        StudyKind.THEMED_DAY,
        StudyKind.PARTY_LECTURE,
        StudyKind.GENERAL_MEETING,
        StudyKind.ORG_LIFE_MEETING,
        StudyKind.FIXED_STUDY_DAY,
        StudyKind.CENTRE_GROUP,
    }
)
REFLECTIONS = [
    "通过以“{s}”为主题的这次学习，我深刻认识到理论学习是党员干部的必修课。作为{d}的一名党员，我将把学习成果落实到"
    "服务企业、推动发展的具体工作中，做到学思用贯通、知信行统一。",
    "这次以“{s}”为主题的学习让我对会议精神有了更系统的理解。对照先进找差距，我在主动学习、深入企业调研方面还有不足，"
    "今后要在{d}岗位上多想办法、多办实事。",
    "参加以“{s}”为主题的学习后，我进一步增强了纪律意识和规矩意识。今后要严格落实各项规定，从小事小节上严格要求"
    "自己，立足{d}岗位履职尽责。",
    "以“{s}”为主题的这次学习内容丰富、针对性强。结合{d}工作实际，我体会到必须把学习成果转化为解决实际问题的能力，"
    "在推动新型工业化中体现党员的担当作为。",
]


@dataclass(eq=False)
class Slot:
    """One session as planned: everything create_session needs, with persons named by code."""

    unit: str
    kind: StudyKind
    day: date
    start: time
    end: time
    title: str
    place: str
    topics: str
    minutes: str
    resolutions: str | None = None
    lecturer: str | None = None
    lecturer_name: str | None = None
    guests: list[tuple[str, str]] = field(default_factory=list)

    @property
    def chair(self) -> str:
        return OFFICERS[self.unit][0]

    @property
    def minute_taker(self) -> str:
        return OFFICERS[self.unit][1]


def theme(year: int, month: int) -> str:
    return THEMES.get(year, {}).get(month) or GENERIC_THEMES[(year * 12 + month) % 6]


def lecture_topic(year: int, quarter: int) -> str:
    return LECTURES.get((year, quarter)) or GENERIC_LECTURES[(year + quarter) % 4]


class Writer:
    """Titles, topics, minutes and resolutions in the register of a real meeting record."""

    def __init__(self, names: dict[str, str], unit_names: dict[str, str]) -> None:
        self.names = names
        self.unit_names = unit_names

    def name(self, code: str) -> str:
        return self.names.get(code, "")

    def speakers(self, unit: str, seed: int) -> str:
        pool = [c for c in SPEAKERS[unit] if c in self.names]
        picked = random.Random(seed).sample(pool, min(2, len(pool)))
        return "、".join(self.name(c) for c in picked)

    def committee(self, unit: str, day: date) -> Slot:
        item, decision = COMMITTEE_ITEMS[day.month - 1]
        chair, minutes_by = OFFICERS[unit]
        return Slot(
            unit,
            StudyKind.COMMITTEE_MEETING,
            day,
            time(9, 0),
            time(10, 30),
            f"{day.month}月支部委员会会议",
            "机关三楼党员活动室" if unit == "jiguan" else "中心党员活动室",
            f"1. 围绕“{theme(day.year, day.month)}”传达学习上级精神；\n"
            f"2. 研究{day.month}月主题党日活动安排；\n3. {item}。",
            f"会议由{self.name(chair)}同志主持，{self.name(minutes_by)}同志记录。会议围绕"
            f"“{theme(day.year, day.month)}”传达学习了上级精神，通报了上月支部工作完成情况，"
            "逐项研究了本月议题。与会支委结合分工发表意见，形成一致意见。",
            f"1. 同意{day.month}月主题党日活动方案，由组织委员牵头落实；\n2. {decision}。",
        )

    def themed_day(self, unit: str, day: date) -> Slot:
        subject = theme(day.year, day.month)
        form, place, done = FORMS.get(day.month, ("集中学习、交流研讨", PLACES[unit], ""))
        chair = self.name(OFFICERS[unit][0])
        return Slot(
            unit,
            StudyKind.THEMED_DAY,
            day,
            time(14, 30),
            time(16, 30),
            f"{day.month}月主题党日：{subject}",
            place,
            f"1. {subject}；\n2. {form}；\n3. 交流学习体会。",
            f"活动由{chair}同志主持。{done + '。随后' if done else '与会党员'}围绕“{subject}”"
            "开展集中学习，"
            f"{self.speakers(unit, day.toordinal())}等同志结合岗位实际作交流发言。{chair}同志强调，"
            f"全体党员要把学习成果转化为推动{WORK[unit]}的实际成效。",
        )

    def general_meeting(self, unit: str, day: date) -> Slot:
        quarter = (day.month - 1) // 3 + 1
        subject = theme(day.year, day.month)
        unit_name = self.unit_names[unit]
        agenda, decision = {
            1: (
                f"审议支部{day.year}年党建工作计划；通报{day.year - 1}年度党费收缴情况",
                f"审议通过《{unit_name}{day.year}年党建工作计划》",
            ),
            2: ("开展“七一”前夕党员承诺践诺；通报上半年党建工作", "党员承诺事项在支部内公示"),
            3: ("通报上半年党建工作情况及下半年安排；讨论发展党员工作", "同意下半年党建工作安排"),
            4: (
                "通报全年党建工作完成情况；部署年度组织生活会和民主评议党员工作",
                f"{day.year}年度组织生活会和民主评议党员按方案于年底前完成",
            ),
        }[quarter]
        chair = self.name(OFFICERS[unit][0])
        return Slot(
            unit,
            StudyKind.GENERAL_MEETING,
            day,
            time(14, 30),
            time(16, 15),
            f"{day.year}年第{'一二三四'[quarter - 1]}季度支部党员大会",
            PLACES[unit],
            "；\n".join(
                f"{i}. {item}"
                for i, item in enumerate([f"集中学习：{subject}", *agenda.split("；")], 1)
            )
            + "。",
            f"会议由支部书记{chair}同志主持。会议首先围绕“{subject}”开展集中学习，随后{chair}"
            "同志通报了支部"
            f"本季度工作情况。与会党员对会议议题进行了认真讨论，"
            f"{self.speakers(unit, day.toordinal())}等同志发言。会议按议程进行了表决。",
            f"1. {decision}；\n2. 会议议定事项由支委会分工落实。",
        )

    def lecture(self, unit: str, day: date) -> Slot:
        quarter = (day.month - 1) // 3 + 1
        topic = lecture_topic(day.year, quarter)
        # The 党组书记 lectures in the bureau's branch before 七一 every year (DOMAIN.md).
        by_person, by_name = {
            "jiguan": {1: ("KGX004", None), 2: ("KGX001", None), 3: (None, "区委党校 李红梅")},
            "cujin": {1: ("SCL001", None), 2: ("SCL002", None), 3: ("KGX002", None)},
        }[unit].get(quarter, ("KGX003" if unit == "jiguan" else "SCL001", None))
        speaker = self.name(by_person) if by_person else by_name
        chair = self.name(OFFICERS[unit][0])
        return Slot(
            unit,
            StudyKind.PARTY_LECTURE,
            day,
            time(15, 0),
            time(16, 30),
            f"专题党课：{topic}",
            PLACES[unit],
            f"{speaker}同志讲授专题党课《{topic}》。",
            ("" if by_person == OFFICERS[unit][0] else f"党课由{chair}同志主持。")
            + f"{speaker}同志围绕“{topic}”，从理论渊源、实践要求和岗位落实三个方面作了深入"
            "讲解，结合身边典型案例，引导党员干部坚定理想信念、改进工作作风。党员认真听讲并"
            "做好学习笔记。",
            lecturer=by_person,
            lecturer_name=by_name,
        )

    def org_life(self, unit: str, day: date) -> list[Slot]:
        chair = self.name(OFFICERS[unit][0])
        life = Slot(
            unit,
            StudyKind.ORG_LIFE_MEETING,
            day,
            time(9, 0),
            time(11, 30),
            f"{day.year}年度组织生活会",
            PLACES[unit],
            "1. 支部书记代表支委会作对照检查发言；\n2. 党员逐一作个人对照检查，开展批评和自我"
            "批评；\n3. 研究制定整改措施。",
            f"会前，支委成员之间、支委成员与党员之间开展了谈心谈话，广泛征求了意见建议。会上，"
            f"{chair}同志代表支委会从学习贯彻、履职尽责、作风纪律等方面查摆问题、剖析原因；"
            "党员逐一发言，相互提出批评意见，做到红红脸、出出汗。",
            "1. 形成支部问题清单和整改清单，整改措施于次年3月底前完成；\n"
            "2. 会议情况报机关党委备案。",
        )
        appraisal = Slot(
            unit,
            StudyKind.DEMOCRATIC_APPRAISAL,
            day,
            time(14, 30),
            time(16, 0),
            f"{day.year}年度民主评议党员",
            PLACES[unit],
            "1. 党员个人总结、自我评价；\n2. 党员互评；\n3. 无记名投票测评；\n4. 确定评议等次。",
            f"会议由{chair}同志主持。党员逐一对照合格党员标准作自我评价，开展互评后进行"
            "无记名投票测评，支委会根据测评结果提出评议等次意见。",
            "1. 评议等次：优秀党员3名，其余均为合格党员，无不合格党员；\n"
            "2. 评议结果在支部内公示5个工作日。",
        )
        return [life, appraisal]

    def fixed_study_day(self, day: date) -> Slot:
        subject = theme(day.year, day.month)
        business = BUSINESS[day.month % len(BUSINESS)]
        return Slot(
            "jiguan",
            StudyKind.FIXED_STUDY_DAY,
            day,
            time(15, 0),
            time(17, 0),
            f"{day.month}月机关党员干部固定学习日",
            "机关三楼会议室",
            f"1. 集中学习：{subject}；\n2. 业务学习：{business}。",
            f"学习由{self.name('KGX004')}同志主持。全体机关干部围绕“{subject}”开展集中学习，"
            f"{self.name('KGX006')}同志结合{business}作业务辅导。学习结束后进行了随堂测试。",
        )

    def group_meeting(self, unit: str, day: date) -> Slot:
        leader = self.name(OFFICERS[unit][0])
        return Slot(
            unit,
            StudyKind.GROUP_MEETING,
            day,
            time(16, 0),
            time(17, 0),
            f"{self.unit_names[unit]}{day.month}月党小组会",
            PLACES[unit],
            f"1. 学习交流：{theme(day.year, day.month)}；\n2. 组员交流近期思想和工作情况；\n"
            f"3. 收缴{day.month}月党费。",
            f"会议由党小组长{leader}同志主持。组员共同学习了本月学习内容，"
            f"{self.speakers(unit, day.toordinal())}等同志交流了近期思想和工作情况。",
        )

    def centre_group(self, day: date) -> Slot:
        subject = theme(day.year, day.month)
        lead = ["KGX001", "KGX002", "KGX003"][day.month % 3]
        outside = day.month in (3, 11)
        return Slot(
            "dangzu",
            StudyKind.CENTRE_GROUP,
            day,
            time(9, 0),
            time(11, 30),
            f"党组理论学习中心组{day.year}年第{day.month}次集中学习：{subject}",
            PLACES["dangzu"],
            f"专题学习：{subject}。",
            f"学习由党组书记{self.name('KGX001')}同志主持。"
            + ("区委宣讲团成员周立新作专题辅导；" if outside else f"{self.name(lead)}同志领学；")
            + f"{self.speakers('dangzu', day.toordinal())}同志结合分管领域作交流发言。"
            f"{self.name('KGX001')}同志强调，要把学习成果转化为推动{WORK['dangzu']}的具体举措。",
            "学习成果转化为工作举措，分管领导抓好各自领域落实。",
            lecturer=None if outside else lead,
            lecturer_name="区委宣讲团 周立新" if outside else None,
        )

    def democratic_life(self, day: date) -> Slot:
        return Slot(
            "dangzu",
            StudyKind.DEMOCRATIC_LIFE_MEETING,
            day,
            time(8, 30),
            time(12, 0),
            f"局党组{day.year}年度民主生活会",
            PLACES["dangzu"],
            "1. 通报上年度民主生活会整改措施落实情况；\n2. 党组书记代表党组班子作对照检查；\n"
            "3. 班子成员逐一作个人对照检查，开展批评和自我批评；\n4. 督导组点评。",
            f"会前，党组班子成员之间、班子成员与分管股室负责人之间普遍开展谈心谈话。会上，"
            f"{self.name('KGX001')}同志代表党组班子作对照检查，并带头作个人检视；班子成员逐一"
            "发言，开展批评和自我批评。督导组对会议进行了点评。",
            "1. 形成党组班子和个人整改清单，明确整改时限；\n"
            "2. 会议情况按规定报区委组织部和区纪委监委。",
            guests=[("陈立军", "区委督导组组长"), ("吴敏", "区纪委监委派驻纪检监察组")],
        )


def month_slots(writer: Writer, year: int, month: int) -> list[Slot]:
    """Every session of one month, at the frequencies of DOMAIN.md."""
    slots = [
        writer.committee("jiguan", nth_weekday(year, month, TUE, 1)),
        writer.fixed_study_day(nth_weekday(year, month, THU, 1)),
        writer.group_meeting("jiguan-g1", nth_weekday(year, month, WED, 2)),
        writer.group_meeting("jiguan-g2", nth_weekday(year, month, THU, 2)),
        writer.themed_day("jiguan", workday_from(date(year, month, 15))),
        writer.committee("cujin", nth_weekday(year, month, WED, 1)),
        writer.themed_day("cujin", workday_from(date(year, month, 20))),
        writer.centre_group(nth_weekday(year, month, MON, 2)),
    ]
    if month % 3 == 0:
        slots.append(writer.general_meeting("jiguan", last_weekday(year, month, WED)))
        slots.append(writer.general_meeting("cujin", last_weekday(year, month, TUE)))
    if month in (3, 6, 9, 11):
        slots.append(writer.lecture("jiguan", nth_weekday(year, month, THU, 3)))
    if month in (2, 5, 8, 11):
        slots.append(writer.lecture("cujin", nth_weekday(year, month, THU, 2)))
    if month == 11:
        slots.extend(writer.org_life("cujin", nth_weekday(year, month, TUE, 3)))
        slots.append(writer.democratic_life(last_weekday(year, month, THU)))
    if month == 12:
        slots.extend(writer.org_life("jiguan", nth_weekday(year, month, TUE, 3)))
    return slots


def schedule(first: date, last: date, writer: Writer) -> list[Slot]:
    """The sessions of every month from ``first`` to ``last`` (whole months), by start."""
    slots = []
    for year, month in months(first, last):
        slots.extend(month_slots(writer, year, month))
    return sorted(slots, key=lambda s: (s.day, s.start, s.unit))
