"""Departments and staff of the fictional county.

The emergency management bureau leads (局队合一 with its enforcement brigade);
the county safety committee office (安委办) is the tier-2 reviewer and lists
major hazards for supervision; the discipline inspection group is tier 3.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from generator.demo import names
from generator.demo.identifiers import Phones, ssh_key_line
from generator.demo.model import Department, Staff

YJJ = "DEPT-YJJ"
ZFDD = "DEPT-ZFDD"
AWB = "DEPT-AWB"
ZJJ = "DEPT-ZJJ"
JTJ = "DEPT-JTJ"
SCJG = "DEPT-SCJG"
GAJ = "DEPT-GAJ"
XFJY = "DEPT-XFJY"
ZRZY = "DEPT-ZRZY"
JJJC = "DEPT-JJJC"
ZJZ = "DEPT-ZJZ"

DEPARTMENTS: tuple[Department, ...] = (
    Department(YJJ, "青川县应急管理局", "县应急管理局", "牵头部门", "青应急", tier=1),
    Department(
        ZFDD, "青川县应急管理综合行政执法大队", "县应急执法大队", "执法队伍", "青应急", parent=YJJ
    ),
    Department(
        AWB, "青川县安全生产委员会办公室", "县安委办", "牵头部门", "青安委办", parent=YJJ, tier=2
    ),
    Department(ZJJ, "青川县住房和城乡建设局", "县住建局", "参与部门", "青住建"),
    Department(JTJ, "青川县交通运输局", "县交通运输局", "参与部门", "青交运"),
    Department(SCJG, "青川县市场监督管理局", "县市场监管局", "参与部门", "青市监"),
    Department(GAJ, "青川县公安局", "县公安局", "参与部门", "青公"),
    Department(XFJY, "青川县消防救援大队", "县消防救援大队", "参与部门", "青消"),
    Department(ZRZY, "青川县自然资源局", "县自然资源局", "参与部门", "青自然资"),
    Department(
        JJJC, "青川县纪委监委驻应急管理局纪检监察组", "驻局纪检监察组", "纪检监察", "青纪", tier=3
    ),
    Department(ZJZ, "青川县安全生产专家组", "县安全生产专家组", "专家组", "青专家", parent=YJJ),
)

# which department supervises (首查负责) an industry
SUPERVISOR: dict[str, str] = {
    "危险化学品": YJJ,
    "非煤矿山": YJJ,
    "烟花爆竹": YJJ,
    "冶金有色": ZFDD,
    "工贸": ZFDD,
    "其他": ZFDD,
    "建筑施工": ZJJ,
    "燃气": ZJJ,
    "交通运输": JTJ,
    "人员密集场所": XFJY,
}

# which expert group judges an industry
EXPERT_GROUP: dict[str, str] = {
    "危险化学品": "危险化学品",
    "非煤矿山": "非煤矿山",
    "烟花爆竹": "烟花爆竹",
    "建筑施工": "建筑施工",
    "交通运输": "交通运输",
    "冶金有色": "冶金工贸",
    "工贸": "冶金工贸",
    "人员密集场所": "消防",
    "燃气": "特种设备",
    "其他": "冶金工贸",
}


@dataclass(frozen=True)
class Post:
    department: str
    roles: tuple[str, ...]
    fields: tuple[str, ...] = ()  # enforcement certificate fields; empty: no certificate
    expert_group: str | None = None
    left_on: dt.date | None = None


INSPECTOR = ("检查员", "执法人员")

POSTS: tuple[Post, ...] = (
    # emergency management bureau: section chiefs, tier-1 reviewers, admin
    Post(YJJ, ("科室负责人", "检查员", "执法人员"), ("危险化学品", "烟花爆竹")),
    Post(YJJ, ("科室负责人", "检查员", "执法人员"), ("非煤矿山", "冶金有色", "工贸")),
    Post(YJJ, ("科室负责人", "一级复核员"), ("工贸", "其他", "人员密集场所")),
    Post(YJJ, ("一级复核员", "检查员"), ("危险化学品", "工贸")),
    Post(YJJ, ("一级复核员",)),
    Post(YJJ, ("检查员", "执法人员"), ("危险化学品", "非煤矿山", "烟花爆竹")),
    Post(YJJ, ("管理员",)),
    # enforcement brigade
    Post(ZFDD, ("科室负责人", "检查员", "执法人员"), ("危险化学品", "工贸", "冶金有色", "其他")),
    Post(ZFDD, INSPECTOR, ("工贸", "冶金有色", "其他")),
    Post(ZFDD, INSPECTOR, ("工贸", "其他", "人员密集场所")),
    Post(ZFDD, INSPECTOR, ("危险化学品", "烟花爆竹", "工贸")),
    Post(ZFDD, INSPECTOR, ("非煤矿山", "冶金有色", "工贸")),
    Post(ZFDD, INSPECTOR, ("工贸", "其他", "危险化学品")),
    Post(ZFDD, INSPECTOR, ("冶金有色", "工贸", "非煤矿山"), left_on=dt.date(2025, 12, 31)),
    Post(ZFDD, INSPECTOR, ("危险化学品", "非煤矿山", "其他")),
    Post(ZFDD, ("检查员",)),
    # county safety committee office: tier-2 review, listed supervision
    Post(
        AWB, ("科室负责人", "二级复核员", "检查员", "执法人员"), ("危险化学品", "工贸", "建筑施工")
    ),
    Post(AWB, ("二级复核员", "检查员")),
    # discipline inspection: tier 3
    Post(JJJC, ("三级复核员",)),
    Post(JJJC, ("三级复核员",)),
    # sector departments
    Post(ZJJ, ("科室负责人", "检查员", "执法人员"), ("建筑施工", "燃气")),
    Post(ZJJ, INSPECTOR, ("建筑施工",)),
    Post(ZJJ, INSPECTOR, ("燃气", "建筑施工")),
    Post(ZJJ, ("检查员",)),
    Post(JTJ, ("科室负责人", "检查员", "执法人员"), ("交通运输",)),
    Post(JTJ, INSPECTOR, ("交通运输",)),
    Post(JTJ, ("检查员",)),
    Post(SCJG, INSPECTOR, ("工贸", "人员密集场所", "燃气")),
    Post(SCJG, ("检查员",)),
    Post(GAJ, INSPECTOR, ("烟花爆竹", "危险化学品")),
    Post(XFJY, ("科室负责人", "检查员", "执法人员"), ("人员密集场所", "其他")),
    Post(XFJY, INSPECTOR, ("人员密集场所",)),
    Post(ZRZY, INSPECTOR, ("非煤矿山",)),
    # expert pool, eight specialty groups
    Post(ZJZ, ("专家",), expert_group="危险化学品"),
    Post(ZJZ, ("专家",), expert_group="危险化学品"),
    Post(ZJZ, ("专家",), expert_group="非煤矿山"),
    Post(ZJZ, ("专家",), expert_group="烟花爆竹"),
    Post(ZJZ, ("专家",), expert_group="建筑施工"),
    Post(ZJZ, ("专家",), expert_group="交通运输"),
    Post(ZJZ, ("专家",), expert_group="冶金工贸"),
    Post(ZJZ, ("专家",), expert_group="冶金工贸"),
    Post(ZJZ, ("专家",), expert_group="消防"),
    Post(ZJZ, ("专家",), expert_group="消防"),
    Post(ZJZ, ("专家",), expert_group="特种设备"),
)


def build_staff(rng: random.Random, phones: Phones, *, copies: int = 1) -> list[Staff]:
    """One staff record per post (``copies`` per post at scale), distinct names and e-mails."""
    staff: list[Staff] = []
    used_names: set[str] = set()
    used_mail: set[str] = set()
    for number, post in enumerate(POSTS * copies, start=1):
        name, pinyin = names.person(rng)
        while name in used_names:
            name, pinyin = names.person(rng)
        used_names.add(name)
        local, n = pinyin, 1
        while local in used_mail:
            n += 1
            local = f"{pinyin}{n}"
        used_mail.add(local)
        email = f"{local}@{names.MAIL_DOMAIN}"
        certificate = None
        if post.fields:
            year = rng.choice((2019, 2020, 2021, 2022, 2023))
            certificate = f"川行执{year}0899{rng.randint(1000, 9999)}"
        keys = (
            [ssh_key_line(rng, email)]
            if "检查员" in post.roles or post.department in (AWB, JJJC)
            else []
        )
        staff.append(
            Staff(
                id=f"STAFF-{number:04d}",
                name=name,
                department=post.department,
                roles=list(post.roles),
                emails=[email],
                phone=phones.take(),
                certificate=certificate,
                certified_fields=list(post.fields),
                expert_group=post.expert_group,
                signing_keys=keys,
                active=post.left_on is None,
                active_until=post.left_on,
            )
        )
    return staff
