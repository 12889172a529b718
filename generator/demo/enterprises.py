"""About 200 enterprises across every industry, with valid credit codes.

Risk colours are few red, more orange and yellow, most blue; the supervision
class follows the colour (红 A, 橙 B, 黄 C, 蓝 D: A is the most closely
supervised). Licences are issued where the industry needs one.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from generator.demo import names
from generator.demo.dates import add_years, days
from generator.demo.identifiers import Phones, make_uscc
from generator.demo.model import Enterprise, Licence
from generator.demo.org import SCJG, SUPERVISOR
from generator.demo.scale import DEMO, Scale


@dataclass(frozen=True)
class Form:
    """A kind of firm: name suffix, what people call it, hazard tags."""

    suffix: str
    kind_word: str
    tags: frozenset[str] = frozenset()
    small: bool = False  # typically a small shop or workshop


def _f(suffix: str, kind_word: str, *tags: str, small: bool = False) -> Form:
    return Form(suffix, kind_word, frozenset(tags), small)


FORMS: dict[str, tuple[Form, ...]] = {
    "危险化学品": (
        _f("化工有限公司", "化工企业", "prod", "industrial"),
        _f("精细化工有限公司", "化工企业", "prod", "industrial"),
        _f("气体有限公司", "工业气体企业", "prod", "industrial"),
        _f("加油站", "加油站", "fuel", small=True),
        _f("石油经营有限公司", "加油站", "fuel"),
        _f("危险化学品经营部", "危险化学品经营单位", small=True),
        _f("农资有限公司", "农资经营单位", small=True),
        _f("涂料有限公司", "涂料生产企业", "prod", "industrial"),
    ),
    "非煤矿山": (
        _f("矿业有限公司", "矿山企业", "rural"),
        _f("石料厂", "采石场", "rural", small=True),
        _f("砂石有限公司", "砂石企业", "rural"),
        _f("建材矿业有限公司", "采石场", "rural"),
    ),
    "烟花爆竹": (
        _f("烟花爆竹有限公司", "烟花爆竹批发企业", "wholesale", "rural"),
        _f("烟花爆竹经营部", "烟花爆竹零售店", "retail", small=True),
        _f("鞭炮零售店", "烟花爆竹零售店", "retail", small=True),
    ),
    "建筑施工": (
        _f("建筑工程有限公司", "建筑施工企业"),
        _f("建设工程有限公司", "建筑施工企业"),
        _f("市政工程有限公司", "市政施工企业"),
        _f("建筑劳务有限公司", "建筑劳务企业", small=True),
        _f("路桥工程有限公司", "路桥施工企业"),
    ),
    "交通运输": (
        _f("运输有限公司", "运输企业"),
        _f("汽车运输有限公司", "运输企业"),
        _f("物流有限公司", "物流企业", "industrial"),
        _f("客运有限责任公司", "客运企业"),
        _f("危险货物运输有限公司", "危货运输企业", "industrial"),
        _f("出租汽车有限公司", "出租汽车企业"),
    ),
    "冶金有色": (
        _f("铸造有限公司", "铸造企业", "industrial", "dust"),
        _f("铝业有限公司", "铝加工企业", "industrial", "dust"),
        _f("硅业有限公司", "工业硅企业", "industrial", "dust"),
        _f("冶金有限公司", "冶金企业", "industrial"),
        _f("锌业有限公司", "锌冶炼企业", "industrial"),
    ),
    "工贸": (
        _f("木业有限公司", "木材加工企业", "industrial", "dust"),
        _f("食品有限公司", "食品加工企业", "industrial"),
        _f("茶业有限公司", "茶叶加工企业", "rural"),
        _f("酒业有限公司", "白酒酿造企业", "industrial"),
        _f("竹木制品厂", "竹木加工厂", "dust", "rural", small=True),
        _f("家具厂", "家具厂", "industrial", "dust", small=True),
        _f("机械制造有限公司", "机械加工企业", "industrial", "dust"),
        _f("建材厂", "建材厂", "rural", small=True),
        _f("水泥制品有限公司", "水泥制品企业", "industrial"),
        _f("纺织有限公司", "纺织企业", "industrial", "dust"),
        _f("饲料有限公司", "饲料加工企业", "industrial", "dust"),
        _f("印务有限公司", "印刷企业", small=True),
        _f("面粉厂", "面粉加工厂", "dust", small=True),
        _f("冷链仓储有限公司", "冷库企业", "industrial", "ammonia"),
        _f("包装材料有限公司", "包装材料企业", "industrial"),
        _f("页岩砖厂", "砖厂", "rural", small=True),
        _f("农产品加工有限公司", "农产品加工企业", "industrial"),
        _f("电子科技有限公司", "电子企业", "industrial"),
    ),
    "人员密集场所": (
        _f("商贸有限公司", "超市", "mall"),
        _f("购物广场有限公司", "商场", "mall", "kitchen"),
        _f("大酒店有限公司", "酒店", "kitchen"),
        _f("宾馆", "宾馆", small=True),
        _f("娱乐有限公司", "KTV", small=True),
        _f("网吧", "网吧", small=True),
        _f("影城有限公司", "影城"),
        _f("农贸市场管理有限公司", "农贸市场", "mall"),
        _f("餐饮管理有限公司", "餐馆", "kitchen"),
        _f("火锅店", "餐馆", "kitchen", small=True),
    ),
    "燃气": (
        _f("燃气有限公司", "燃气企业", "pipeline"),
        _f("天然气有限公司", "燃气企业", "pipeline"),
        _f("液化气供应站", "液化气站", small=True),
    ),
    "其他": (
        _f("农业开发有限公司", "农业企业", "rural"),
        _f("物业服务有限公司", "物业企业"),
        _f("水务有限公司", "供水企业"),
        _f("生态旅游开发有限公司", "景区经营企业", "rural"),
        _f("仓储有限公司", "仓储企业", "industrial"),
    ),
}

# industry: (red, orange, yellow, blue)
COLOURS: dict[str, tuple[int, int, int, int]] = {
    "危险化学品": (2, 7, 7, 2),
    "非煤矿山": (2, 4, 3, 1),
    "烟花爆竹": (1, 2, 3, 2),
    "建筑施工": (0, 4, 10, 14),
    "交通运输": (0, 3, 6, 7),
    "冶金有色": (1, 3, 3, 1),
    "工贸": (0, 4, 15, 43),
    "人员密集场所": (0, 2, 8, 22),
    "燃气": (0, 2, 4, 2),
    "其他": (0, 0, 2, 8),
}

# the first firms of some industries have a fixed form, so that the scripted
# stories (level-1 hazards, recurrences, blacklist cases) always find one
FORCED: dict[str, tuple[str, ...]] = {
    "危险化学品": ("化工有限公司", "精细化工有限公司", "化工有限公司", "危险化学品经营部"),
    "烟花爆竹": ("烟花爆竹有限公司",),
    "工贸": ("木业有限公司", "家具厂", "机械制造有限公司"),
    "人员密集场所": ("商贸有限公司",),
}


def _form(industry: str, suffix: str) -> Form:
    return next(f for f in FORMS[industry] if f.suffix == suffix)


CLASS_OF_COLOUR = {"红": "A", "橙": "B", "黄": "C", "蓝": "D"}


def _scale(rng: random.Random, form: Form, colour: str, industry: str) -> tuple[str, int]:
    if form.small:
        return ("微型", rng.randint(3, 19)) if rng.random() < 0.6 else ("小型", rng.randint(20, 60))
    big = industry in ("危险化学品", "冶金有色", "建筑施工", "非煤矿山", "交通运输")
    roll = rng.random() + (0.25 if colour in ("红", "橙") else 0) + (0.1 if big else 0)
    if roll > 1.2:
        return "大型", rng.randint(300, 1200)
    if roll > 0.8:
        return "中型", rng.randint(100, 299)
    if roll > 0.3:
        return "小型", rng.randint(20, 99)
    return "微型", rng.randint(5, 19)


def _standardization(rng: random.Random, industry: str, scale: str) -> str | None:
    if industry in ("人员密集场所",):
        return None
    if scale == "大型":
        return "二级" if rng.random() < 0.8 else "一级"
    if scale == "中型":
        return rng.choice(("二级", "三级", "三级"))
    if scale == "小型":
        return rng.choice(("三级", "三级", "未达标"))
    return "未达标" if rng.random() < 0.7 else "三级"


def _licences(rng: random.Random, industry: str, form: Form, as_of: dt.date) -> list[Licence]:
    def until(years: int = 3) -> dt.date:
        return add_years(as_of, 0) + days(rng.randint(30, 365 * years - 30))

    def issued(valid_until: dt.date, years: int = 3) -> int:
        return add_years(valid_until, -years).year

    out: list[Licence] = []
    n = rng.randint(10, 9999)
    if industry == "危险化学品":
        if "prod" in form.tags:
            v = until()
            out.append(Licence("安全生产许可证", f"（川）WH安许证字〔{issued(v)}〕{n:04d}号", v))
        else:
            v = until()
            out.append(Licence("危险化学品经营许可证", f"川广青危化经字〔{issued(v)}〕{n:06d}", v))
        if "fuel" in form.tags:
            out.append(
                Licence("成品油零售经营批准证书", f"油零售证书第{rng.randint(10**7, 10**8 - 1)}号")
            )
    elif industry == "非煤矿山":
        v = until()
        out.append(Licence("安全生产许可证", f"（川）FM安许证字〔{issued(v)}〕{n:04d}号", v))
        v2 = until(5)
        out.append(
            Licence("采矿许可证", f"C510899{issued(v2, 5)}{rng.randint(10**11, 10**12 - 1)}", v2)
        )
    elif industry == "烟花爆竹":
        if "wholesale" in form.tags:
            v = until()
            out.append(
                Licence(
                    "烟花爆竹经营（批发）许可证", f"（川）YH经许证字〔{issued(v)}〕{n:04d}号", v
                )
            )
        else:
            v = until(1)
            out.append(
                Licence(
                    "烟花爆竹经营（零售）许可证",
                    f"（青）YH零许证字〔{issued(v, 1)}〕{n % 1000:03d}号",
                    v,
                )
            )
    elif industry == "建筑施工":
        v = until()
        out.append(Licence("安全生产许可证", f"（川）JZ安许证字〔{issued(v)}〕{n:06d}", v))
        out.append(Licence("建筑业企业资质证书", f"D3510{rng.randint(10**5, 10**6 - 1)}"))
    elif industry == "交通运输":
        out.append(Licence("道路运输经营许可证", f"川交运管许可青字510899{n:06d}号"))
    elif industry == "燃气":
        v = until()
        out.append(Licence("燃气经营许可证", f"川{issued(v)}0899{n:04d}G", v))
    elif industry == "人员密集场所" and not form.small:
        out.append(
            Licence(
                "公众聚集场所投入使用、营业前消防安全检查合格证",
                f"青消安检字〔{rng.randint(2019, 2025)}〕第{n:04d}号",
            )
        )
    return out


def _trade_name(rng: random.Random, tries: int, size: Scale) -> str:
    """A trade name; at scale, two words once single ones keep colliding."""
    if size.is_demo or tries < 3:
        return rng.choice(names.TRADE_NAMES)
    return rng.choice(names.TRADE_NAMES) + rng.choice(names.TRADE_NAMES)


def build_enterprises(
    rng: random.Random, phones: Phones, as_of: dt.date, *, size: Scale = DEMO
) -> list[Enterprise]:
    """The county's enterprises, in a fixed order (industry by industry)."""
    out: list[Enterprise] = []
    used_names: set[str] = set()
    used_ids: set[str] = set()
    for industry, counts in COLOURS.items():
        colours = [
            c for c, k in zip("红橙黄蓝", counts, strict=True) for _ in range(k * size.factor)
        ]
        rng.shuffle(colours)
        forced = list(FORCED.get(industry, ()))
        for colour in colours:
            form = _form(industry, forced.pop(0)) if forced else rng.choice(FORMS[industry])
            town = rng.choices(names.TOWNS, weights=names.TOWN_WEIGHTS)[0]
            tries = 0
            while True:
                prefix = town if (form.small and not town.endswith("街道")) else names.COUNTY
                name = f"{prefix}{_trade_name(rng, tries, size)}{form.suffix}"
                if name not in used_names:
                    break
                tries += 1
            used_names.add(name)
            uscc = make_uscc(rng, individual=form.small and rng.random() < 0.5)
            while uscc in used_ids:
                uscc = make_uscc(rng)
            used_ids.add(uscc)
            scale, employees = _scale(rng, form, colour, industry)
            legal, _ = names.person(rng)
            contact, _ = names.person(rng) if scale != "微型" else (legal, "")
            supervisor = SUPERVISOR[industry]
            if industry == "人员密集场所" and "mall" in form.tags:
                supervisor = SCJG
            major_source = colour in ("红", "橙") and bool(
                form.tags & {"prod", "pipeline", "wholesale"}
            )
            ent = Enterprise(
                id=uscc,
                name=name,
                town=town,
                address=names.address(
                    rng, town, industrial="industrial" in form.tags, rural="rural" in form.tags
                ),
                industry=industry,
                scale=scale,
                employees=employees,
                legal_representative=legal,
                contact_name=contact,
                contact_phone=phones.take(),
                contact_email=(
                    f"aq{len(out) + 1:03d}@qiye-qingchuan.example"
                    if scale in ("大型", "中型")
                    else None
                ),
                risk_color=colour,
                standardization=_standardization(rng, industry, scale),
                supervision_class=CLASS_OF_COLOUR[colour],
                major_hazard_source=major_source,
                licences=_licences(rng, industry, form, as_of),
                status="在营",
                supervising_department=supervisor,
                kind_word=form.kind_word,
                tags=form.tags,
            )
            out.append(ent)
    return out
