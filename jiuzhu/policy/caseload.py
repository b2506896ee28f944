"""The existing caseload (在保对象) brought in: a county's spreadsheet of households already paid.

A county that starts using jiuzhu already pays thousands of 低保 and 特困 households. Its old system
exports them as a spreadsheet with Chinese headers whose wording varies from county to county, either
**one row per household** (the head; other members counted in 保障人数) or **one row per member**
(the household's columns repeated on each, plus 成员姓名, 成员身份证号, 与户主关系; rows grouped by the
head's ID number; 保障人数 may then be left out). This module reads such a table row by row and says,
for each row, either what it holds (a :class:`Recipient`, with its first re-check due by the rules of
``recheck.py``) or why it cannot be used (a :class:`RowProblem`: the spreadsheet row number and the
reason in Chinese). In the member layout a bad row keeps its whole household out, and the
household's other rows say which row it was.

Columns (``HEADERS``: the first wording is the one of the documented template, the others are the
variants counties export; ``*`` marks required columns):

=================  =================================================================================
户主姓名 *          the head's name
身份证号 *          the head's 18-character ID number (checked by ``ids.parse_id_number``)
乡镇 *              township (name or statistical code), as in the case record
村 *                administrative village or community of that township (a unique 自然村/组 name works too)
组                  natural village or group below the village (optional)
救助类型 *          低保 (最低生活保障, 城市低保, 农村低保) or 特困 (特困供养, 特困人员, 五保)
保障人数 *          people covered, 1–20
月救助金额 *        yuan per month, positive, at most 2 decimals (¥, 元 and thousands commas allowed)
认定日期 *          date of the decision in force (2024-03-15, 2024/3/15, 20240315, 2024年3月15日)
最近复核日期        last re-check, if any (not before 认定日期)
城乡                城市 / 农村; blank: from 救助类型 (城市低保), else 社区 = 城市, 村 = 农村
收入稳定            是 / 否; blank: 是
有劳动能力成员      是 / 否; blank: 特困 否, 低保 by the head's age (16–59 → 是)
家庭住址            blank: 乡镇 + 村 + 组
联系电话            optional
银行账号            the account the money goes to, 10–30 digits (optional; the bank file needs it)
成员姓名            member layout: the member's name
成员身份证号        member layout: the member's ID number (the head's own row: the head's, or blank)
与户主关系          member layout: 户主/本人, 配偶 (妻, 丈夫 …), 子女 (儿子, 长女 …), 父母, 孙子女, 祖父母,
                    兄弟姐妹, 其他 (儿媳, 女婿 …)
=================  =================================================================================

The first re-check is due ``recheck_cadence`` months after the last re-check, or after 认定日期 when
there was none; a date already past is kept as it is (overdue: the re-check is started at once).

Pure: rows come as lists of cells (text, numbers, dates — what a CSV or ``openpyxl`` gives), the
places, the ID numbers already in the case record and ``today`` are passed in.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from jiuzhu.policy.eligibility import Programme
from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.ids import age_on, parse_id_number
from jiuzhu.policy.recheck import next_recheck_due, recheck_cadence

# field → header wordings (compared without spaces, '*' and with half-width brackets)
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("户主姓名", "户主", "姓名", "申请人姓名"),
    "id_number": ("身份证号", "身份证号码", "户主身份证号", "户主身份证号码", "公民身份号码", "证件号码"),
    "township": ("乡镇", "乡镇(街道)", "乡镇街道", "所属乡镇", "街道(乡镇)", "乡镇名称"),
    "village": ("村", "村(社区)", "村居", "行政村", "社区", "所属村", "村(居)", "村名称"),
    "group": ("组", "村民小组", "自然村", "自然村(组)", "组别"),
    "scheme": ("救助类型", "救助类别", "保障类型", "保障类别", "类别"),
    "household_size": ("保障人数", "保障人口", "家庭人口", "家庭人口数", "保障人口数", "人口数"),
    "amount": ("月救助金额", "月保障金额", "月救助金", "保障金额", "月发放金额", "救助金额"),
    "approved_on": ("认定日期", "批准日期", "审批日期", "纳入日期", "认定时间", "批准时间"),
    "last_recheck": ("最近复核日期", "上次复核日期", "复核日期", "最近复核时间"),
    "area": ("城乡", "城乡类别", "城乡属性", "户籍性质"),
    "income_stable": ("收入稳定", "收入是否稳定"),
    "able_to_work": ("有劳动能力成员", "有无劳动能力成员", "有劳动能力"),
    "address": ("家庭住址", "住址", "地址", "家庭地址"),
    "phone": ("联系电话", "电话", "手机号", "手机号码"),
    "bank_account": ("银行账号", "开户账号", "银行卡号", "账号", "社保卡号", "一卡通账号"),
    # one row per member (the household's columns repeated, or given on the head's row only)
    "member_name": ("成员姓名", "家庭成员姓名", "保障对象姓名"),
    "member_id": ("成员身份证号", "成员身份证号码", "家庭成员身份证号", "保障对象身份证号"),
    "relationship": ("与户主关系", "与户主的关系", "家庭关系"),
}
REQUIRED = ("name", "id_number", "township", "village", "scheme", "household_size", "amount", "approved_on")
MEMBER_KEYS = ("member_name", "member_id", "relationship")
TEMPLATE = tuple(HEADERS[key][0] for key in HEADERS if key not in MEMBER_KEYS)  # the documented layout
T = TypeVar("T")
SCHEMES = (Programme.DIBAO, Programme.TEKUN)
HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common
MAX_HOUSEHOLD = 20
EXCEL_NUMBER_HINT = "（该列被 Excel 存成了数字，末几位会丢失：请把该列设为文本后重新导出）"

_DIBAO_WORDS = ("低保", "最低生活保障")
_TEKUN_WORDS = ("特困", "五保")
_YES = frozenset({"是", "有", "Y", "YES", "1", "TRUE", "√"})
_NO = frozenset({"否", "无", "N", "NO", "0", "FALSE", "×"})


# 与户主关系 → the case record's Relationship values (schemas.enums.Relationship)
RELATIONSHIPS: dict[str, str] = {
    **dict.fromkeys(("本人", "户主", "本户主"), "本人"),
    **dict.fromkeys(("配偶", "妻", "妻子", "夫", "丈夫", "爱人"), "配偶"),
    **dict.fromkeys(
        ("子女", "子", "女", "儿子", "女儿", "长子", "次子", "长女", "次女", "养子", "养女", "继子", "继女"), "子女"
    ),
    **dict.fromkeys(("父母", "父亲", "母亲", "父", "母", "公公", "婆婆", "岳父", "岳母"), "父母"),
    **dict.fromkeys(("孙子女", "孙子", "孙女", "外孙子", "外孙女", "外孙"), "孙子女"),
    **dict.fromkeys(("祖父母", "祖父", "祖母", "外祖父", "外祖母"), "祖父母"),
    **dict.fromkeys(("兄弟姐妹", "兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"), "兄弟姐妹"),
    **dict.fromkeys(("其他", "儿媳", "女婿", "侄子", "侄女", "其他亲属"), "其他"),
}


@dataclass(frozen=True)
class HouseholdMember:
    """A member other than the head (files with one row per member)."""

    row: int
    name: str
    id_number: str
    birth_date: date
    relationship: str  # a Relationship value: 配偶, 子女, 父母, …


@dataclass(frozen=True)
class VillageRef:
    id: int
    name: str
    urban: bool  # a community (社区): urban households
    groups: Mapping[str, int] = field(default_factory=dict)  # 自然村/村民小组 below it: name → id


@dataclass(frozen=True)
class TownshipRef:
    id: int
    code: str
    name: str
    villages: Mapping[str, VillageRef]  # administrative villages and communities by name


@dataclass(frozen=True)
class Recipient:
    """One household of the file, valid and new."""

    row: int  # spreadsheet row (1-based, as the person sees it)
    name: str
    id_number: str
    birth_date: date
    township: TownshipRef
    village: VillageRef
    place_id: int  # the village, or the group below it
    place_name: str
    scheme: Programme
    household_size: int
    amount: Decimal
    approved_on: date
    last_recheck: date | None
    urban: bool
    income_stable: bool
    member_able_to_work: bool
    address: str
    phone: str | None
    bank_account: str | None
    cadence_months: int
    next_recheck_due: date
    members: tuple[HouseholdMember, ...] = ()  # besides the head

    def overdue(self, today: date) -> bool:
        return self.next_recheck_due < today


@dataclass(frozen=True)
class RowProblem:
    row: int
    reason: str

    @property
    def message(self) -> str:
        return f"第{self.row}行：{self.reason}"


@dataclass(frozen=True)
class Present:
    """A row whose household an earlier import already brought in (skipped, not an error)."""

    row: int
    id_number: str


@dataclass
class CaseloadReading:
    recipients: list[Recipient]
    problems: list[RowProblem]
    present: list[Present]
    header_row: int
    rows: int  # non-blank data rows read

    def summary(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "valid": len(self.recipients),
            "present": len(self.present),
            "rejected": [{"row": p.row, "reason": p.reason} for p in self.problems],
        }


def _normalise_header(cell: object) -> str:
    text = "" if cell is None else str(cell)
    text = re.sub(r"[\s*＊]", "", text).replace("（", "(").replace("）", ")")
    return text


_WORDINGS = {_normalise_header(w): key for key, words in HEADERS.items() for w in words}


def decode_csv(data: bytes) -> list[list[str]]:
    """The cells of a CSV file: UTF-8 with or without BOM, or GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PolicyError("caseload_encoding", "无法识别文件编码（应为 UTF-8 或 GBK/GB18030 的 CSV）")
    return [list(row) for row in csv.reader(text.splitlines(keepends=True))]


def header_columns(header: Sequence[object], aliases: Mapping[str, str] | None = None) -> dict[str, int]:
    """Which column holds which field. ``aliases`` maps a county's own header to a documented one
    (e.g. ``{"保障户主": "户主姓名"}``)."""
    wordings = dict(_WORDINGS)
    for own, documented in (aliases or {}).items():
        key = _WORDINGS.get(_normalise_header(documented))
        if key is None:
            raise PolicyError("caseload_alias", f"列对应“{own}={documented}”：没有“{documented}”这一列")
        wordings[_normalise_header(own)] = key
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = wordings.get(_normalise_header(cell))
        if key is not None and key not in found:
            found[key] = index
    return found


def _required(columns: Mapping[str, int]) -> tuple[str, ...]:
    """One row per member: 保障人数 may be left out (the household's rows are counted)."""
    return tuple(k for k in REQUIRED if k != "household_size" or "member_id" not in columns)


def _find_header(rows: Sequence[Sequence[object]], aliases: Mapping[str, str] | None) -> tuple[int, dict[str, int]]:
    best: tuple[int, dict[str, int]] = (0, {})
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = header_columns(row, aliases)
        if all(key in columns for key in _required(columns)):
            return index, columns
        if len(columns) > len(best[1]):
            best = (index, columns)
    index, columns = best
    missing = [HEADERS[key][0] for key in _required(columns) if key not in columns]
    where = f"（按第{index + 1}行为表头）" if columns else "（前10行中没有找到表头）"
    raise PolicyError("caseload_headers", f"缺少必填列：{'、'.join(missing)}{where}")


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return re.sub(r"\s+", "", str(cell))


def _date(cell: object, label: str) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    if not text:
        raise PolicyError("missing", f"{label}未填写")
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if match is None:
        raise PolicyError("date", f"{label}“{text}”不是日期（应写作 2024-03-15）")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise PolicyError("date", f"{label}“{text}”不是有效日期") from None


def _amount(cell: object) -> Decimal:
    text = _text(cell).replace(",", "").replace("，", "")
    text = text.removeprefix("¥").removeprefix("￥").removesuffix("元")
    if not text:
        raise PolicyError("missing", "月救助金额未填写")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise PolicyError("amount", f"月救助金额“{_text(cell)}”不是数字") from None
    if not amount.is_finite() or amount <= 0:
        raise PolicyError("amount", f"月救助金额应为正数，实际为“{_text(cell)}”")
    if amount != amount.quantize(Decimal("0.01")):
        raise PolicyError("amount", f"月救助金额最多精确到分，实际为“{_text(cell)}”")
    return amount.quantize(Decimal("0.01"))


def _size(cell: object) -> int:
    text = _text(cell).removesuffix("人")
    if not text:
        raise PolicyError("missing", "保障人数未填写")
    if not text.isdigit() or not 1 <= int(text) <= MAX_HOUSEHOLD:
        raise PolicyError("size", f"保障人数应为1–{MAX_HOUSEHOLD}的整数，实际为“{_text(cell)}”")
    return int(text)


def _scheme(text: str) -> tuple[Programme, bool | None]:
    """救助类型 and the urban/rural it may carry (城市低保)."""
    if any(word in text for word in _TEKUN_WORDS):
        return Programme.TEKUN, None
    if any(word in text for word in _DIBAO_WORDS) and "边缘" not in text:
        urban = True if text.startswith(("城市", "城镇")) else False if text.startswith("农村") else None
        return Programme.DIBAO, urban
    shown = f"“{text}”" if text else "未填写"
    raise PolicyError("scheme", f"救助类型应为低保或特困，实际为{shown}")


def _flag(text: str, label: str) -> bool | None:
    if not text:
        return None
    if text.upper() in _YES:
        return True
    if text.upper() in _NO:
        return False
    raise PolicyError("flag", f"{label}应填“是”或“否”，实际为“{text}”")


def _area(text: str) -> bool | None:
    if not text:
        return None
    if text in ("城市", "城镇", "城", "非农业", "城市户口"):
        return True
    if text in ("农村", "乡村", "农", "农业", "农村户口"):
        return False
    raise PolicyError("area", f"城乡应填“城市”或“农村”，实际为“{text}”")


def _place(township: TownshipRef, village_text: str, group_text: str) -> tuple[VillageRef, int, str]:
    village = township.villages.get(village_text)
    if village is None:
        # a natural village or group named alone, if its name is unique in the township
        owners = [v for v in township.villages.values() if village_text in v.groups]
        if len(owners) == 1 and not group_text:
            return owners[0], owners[0].groups[village_text], f"{owners[0].name}{village_text}"
        if len(owners) > 1:
            raise PolicyError("village", f"{township.name}有多个“{village_text}”，请填写所属村")
        shown = f"“{village_text}”" if village_text else "未填写"
        raise PolicyError("village", f"村{shown}不是{township.name}的村（社区）")
    if not group_text:
        return village, village.id, village.name
    group_id = village.groups.get(group_text)
    if group_id is None:
        raise PolicyError("village", f"组“{group_text}”不在{township.name}{village.name}")
    return village, group_id, f"{village.name}{group_text}"


def _township(places: Mapping[str, TownshipRef], text: str) -> TownshipRef:
    township = places.get(text) or next((t for t in places.values() if t.code == text), None)
    if township is None:
        shown = f"“{text}”" if text else "未填写"
        raise PolicyError("township", f"乡镇{shown}不在本县的乡镇（街道）中")
    return township


def _bank_account(text: str) -> str | None:
    account = text.replace("-", "")
    if not account:
        return None
    if not (account.isascii() and account.isdigit() and 10 <= len(account) <= 30):
        raise PolicyError("bank_account", f"银行账号应为10–30位数字，实际为“{text}”")
    return account


def _read_row(
    number: int, cells: Mapping[str, object], resident_birth: date, *, places: Mapping[str, TownshipRef], today: date
) -> tuple[Recipient | None, list[str]]:
    """Everything but the ID number (already checked): the row's recipient, or every reason it is not one."""
    reasons: list[str] = []

    def attempt(fn: Callable[..., T], *args: Any) -> T | None:
        try:
            return fn(*args)
        except PolicyError as error:
            reasons.append(error.message)
            return None

    text = {key: _text(value) for key, value in cells.items()}
    name = text.get("name", "")
    if not name:
        reasons.append("户主姓名未填写")
    elif len(name) > 50:
        reasons.append("户主姓名超过50个字")
    township = attempt(_township, places, text.get("township", ""))
    placed = attempt(_place, township, text.get("village", ""), text.get("group", "")) if township else None
    scheme = attempt(_scheme, text.get("scheme", ""))
    size = attempt(_size, cells.get("household_size"))
    amount = attempt(_amount, cells.get("amount"))
    approved = attempt(_date, cells.get("approved_on"), "认定日期")
    if approved is not None and approved > today:
        reasons.append(f"认定日期 {approved.isoformat()} 晚于今天（{today.isoformat()}）")
    if approved is not None and approved < resident_birth:
        reasons.append(f"认定日期 {approved.isoformat()} 早于户主出生日期")
    last = attempt(_date, cells.get("last_recheck"), "最近复核日期") if text.get("last_recheck") else None
    if last is not None and last > today:
        reasons.append(f"最近复核日期 {last.isoformat()} 晚于今天（{today.isoformat()}）")
    if last is not None and approved is not None and last < approved:
        reasons.append(f"最近复核日期 {last.isoformat()} 早于认定日期 {approved.isoformat()}")
    area = attempt(_area, text.get("area", ""))
    stable = attempt(_flag, text.get("income_stable", ""), "收入稳定")
    able = attempt(_flag, text.get("able_to_work", ""), "有劳动能力成员")
    account = attempt(_bank_account, text.get("bank_account", ""))
    phone = text.get("phone") or None
    if phone is not None and len(phone) > 20:
        reasons.append("联系电话超过20位")
    if reasons or township is None or placed is None or scheme is None:
        return None, reasons
    assert size is not None and amount is not None and approved is not None
    programme, scheme_urban = scheme
    village, place_id, place_name = placed
    urban = area if area is not None else scheme_urban if scheme_urban is not None else village.urban
    if able is None:
        able = programme is Programme.DIBAO and 16 <= age_on(resident_birth, today) < 60
    income_stable = True if stable is None else stable
    months = recheck_cadence(income_stable=income_stable, member_able_to_work=able)
    return (
        Recipient(
            row=number,
            name=name,
            id_number="",  # filled by the caller
            birth_date=resident_birth,
            township=township,
            village=village,
            place_id=place_id,
            place_name=place_name,
            scheme=programme,
            household_size=size,
            amount=amount,
            approved_on=approved,
            last_recheck=last,
            urban=urban,
            income_stable=income_stable,
            member_able_to_work=able,
            address=text.get("address") or f"{township.name}{place_name}",
            phone=phone,
            bank_account=account,
            cadence_months=months,
            next_recheck_due=next_recheck_due(last or approved, months),
        ),
        [],
    )


def _resident(raw: object, today: date, label: str = "身份证号码") -> Any:
    hint = EXCEL_NUMBER_HINT if isinstance(raw, int | float) and not isinstance(raw, bool) else ""
    try:
        return parse_id_number(_text(raw), today=today)
    except PolicyError as error:
        raise PolicyError(error.code, f"{label}无效：{error.message}{hint}") from None


def _member(number: int, cells: Mapping[str, object], today: date) -> HouseholdMember:
    reasons: list[str] = []
    resident = None
    try:
        resident = _resident(cells.get("member_id"), today, "成员身份证号码")
    except PolicyError as error:
        reasons.append(error.message)
    name = _text(cells.get("member_name"))
    if not name:
        reasons.append("成员姓名未填写")
    relationship_text = _text(cells.get("relationship"))
    relationship = RELATIONSHIPS.get(relationship_text)
    if relationship is None:
        shown = f"“{relationship_text}”" if relationship_text else "未填写"
        reasons.append(f"与户主关系{shown}无法识别（应为配偶、子女、父母、孙子女、祖父母、兄弟姐妹或其他）")
    if reasons or resident is None or relationship is None:
        raise PolicyError("member", "；".join(reasons))
    return HouseholdMember(number, name, resident.number, resident.birth_date, relationship)


def _is_head_row(cells: Mapping[str, object], head_id: str) -> bool:
    """The head's own row: its member ID is the head's, or it has none and says 本人 (or nothing)."""
    member_id = _text(cells.get("member_id")).upper()
    relationship = _text(cells.get("relationship"))
    return member_id == head_id or (not member_id and RELATIONSHIPS.get(relationship, "本人") == "本人")


def _read_members(
    numbered: list[tuple[int, dict[str, object]]],
    *,
    places: Mapping[str, TownshipRef],
    today: date,
    imported: AbstractSet[str],
    known: Mapping[str, str],
) -> tuple[list[Recipient], list[RowProblem], list[Present]]:
    """One row per member: rows are grouped by the head's ID number; the head's own row (its member ID
    is the head's, or 与户主关系 本人/户主) — else the household's first row — gives the household's
    columns. A bad row keeps its whole household out; the household's other rows say so."""
    problems: list[RowProblem] = []
    groups: dict[str, list[tuple[int, dict[str, object]]]] = {}
    for number, cells in numbered:
        try:
            head = _resident(cells.get("id_number"), today, "户主身份证号码")
        except PolicyError as error:
            problems.append(RowProblem(number, error.message))
            continue
        groups.setdefault(head.number, []).append((number, cells))
    recipients: list[Recipient] = []
    present: list[Present] = []
    seen: dict[str, int] = {}  # every person's ID number → the row that brought them
    for head_id, group in groups.items():
        first = group[0][0]
        if head_id in imported:
            present.append(Present(first, head_id))
            continue
        head_rows = [(n, c) for n, c in group if _is_head_row(c, head_id)]
        household_row, household_cells = head_rows[0] if head_rows else group[0]
        bad: dict[int, str] = {}
        if len(head_rows) > 1:
            for n, _ in head_rows[1:]:
                bad[n] = f"户主（身份证号码 {head_id}）在第{household_row}行已有一行"
        if head_id in seen:
            bad[household_row] = f"身份证号码 {head_id} 与第{seen[head_id]}行重复"
        elif head_id in known:
            bad[household_row] = f"身份证号码 {head_id} 已在案件记录中：{known[head_id]}"
        cells = dict(household_cells)
        if not _text(cells.get("household_size")):
            cells["household_size"] = str(len(group))
        recipient, reasons = _read_row(
            household_row, cells, parse_id_number(head_id, today=today).birth_date, places=places, today=today
        )
        if reasons:
            bad[household_row] = "；".join([bad[household_row], *reasons] if household_row in bad else reasons)
        members: list[HouseholdMember] = []
        for number, member_cells in group:
            if number == household_row or number in bad:
                continue
            try:
                member = _member(number, member_cells, today)
            except PolicyError as error:
                bad[number] = error.message
                continue
            if member.relationship == "本人":
                bad[number] = f"与户主关系为本人，但成员身份证号码 {member.id_number} 不是户主的 {head_id}"
            elif member.id_number in seen or member.id_number in (m.id_number for m in members):
                earlier = seen.get(member.id_number) or next(m.row for m in members if m.id_number == member.id_number)
                bad[number] = f"成员身份证号码 {member.id_number} 与第{earlier}行重复"
            elif member.id_number in known or member.id_number in imported:
                where = known.get(member.id_number, "已导入的在保户")
                bad[number] = f"成员身份证号码 {member.id_number} 已在案件记录中：{where}"
            else:
                members.append(member)
        for number, _ in group:
            seen.setdefault(head_id if number == household_row else _text(_.get("member_id")).upper(), number)
        if bad or recipient is None:
            rows_bad = sorted(bad)
            named = "、".join(f"第{n}行" for n in rows_bad)
            for number, _ in group:
                reason = bad.get(number) or f"同户{named}有误，整户未导入"
                problems.append(RowProblem(number, reason))
            continue
        able = recipient.member_able_to_work
        if not _text(household_cells.get("able_to_work")) and recipient.scheme is Programme.DIBAO:
            able = able or any(16 <= age_on(m.birth_date, today) < 60 for m in members)
        months = recheck_cadence(income_stable=recipient.income_stable, member_able_to_work=able)
        recipients.append(
            replace(
                recipient,
                id_number=head_id,
                members=tuple(members),
                member_able_to_work=able,
                cadence_months=months,
                next_recheck_due=next_recheck_due(recipient.last_recheck or recipient.approved_on, months),
            )
        )
    problems.sort(key=lambda p: p.row)
    return recipients, problems, present


def read_caseload(
    rows: Sequence[Sequence[object]],
    *,
    places: Mapping[str, TownshipRef],
    today: date,
    imported: AbstractSet[str] = frozenset(),
    in_record: Mapping[str, str] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> CaseloadReading:
    """Read a caseload table (a title line or two, then the header, then one row per household).

    ``places``: the county's townships by name. ``imported``: head ID numbers an earlier import
    brought in (those rows are :class:`Present`, skipped). ``in_record``: ID numbers otherwise in
    the case record, with where (those rows are rejected: one person, one household).
    """
    if not rows:
        raise PolicyError("caseload_empty", "文件是空的")
    header_index, columns = _find_header(rows, aliases)
    recipients: list[Recipient] = []
    problems: list[RowProblem] = []
    present: list[Present] = []
    seen: dict[str, int] = {}
    known = in_record or {}
    numbered: list[tuple[int, dict[str, object]]] = []
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = {key: row[i] if i < len(row) else None for key, i in columns.items()}
        if any(_text(value) for value in cells.values()):  # not a blank line
            numbered.append((number, cells))
    if "member_id" in columns:
        found, problems, present = _read_members(numbered, places=places, today=today, imported=imported, known=known)
        return CaseloadReading(found, problems, present, header_index + 1, len(numbered))
    for number, cells in numbered:
        raw_id = cells.get("id_number")
        try:
            resident = _resident(raw_id, today)
        except PolicyError as error:
            problems.append(RowProblem(number, error.message))
            continue
        if resident.number in seen:
            problems.append(RowProblem(number, f"身份证号码 {resident.number} 与第{seen[resident.number]}行重复"))
            continue
        seen[resident.number] = number
        if resident.number in imported:
            present.append(Present(number, resident.number))
            continue
        if resident.number in known:
            problems.append(
                RowProblem(number, f"身份证号码 {resident.number} 已在案件记录中：{known[resident.number]}")
            )
            continue
        recipient, reasons = _read_row(number, cells, resident.birth_date, places=places, today=today)
        if recipient is None:
            problems.append(RowProblem(number, "；".join(reasons)))
            continue
        recipients.append(replace(recipient, id_number=resident.number))
    return CaseloadReading(recipients, problems, present, header_index + 1, len(numbered))
