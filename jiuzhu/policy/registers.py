"""不漏: the 建档立卡/脱贫 and 低保边缘 registers read against the caseload.

The county speech (四要与扶贫有效衔接): find the people registered as 建档立卡/脱贫 who are in difficulty
and not covered by 低保 or 特困, visit each household, and bring in those who qualify. DOMAIN.md adds
the near-poor (低保边缘, income below 1.5× the standard). Registers come from other bureaus as
spreadsheets with Chinese headers whose wording varies; each row names a person by ID number.

Pure: rows are given as lists of cell texts (header first); ``today`` is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from jiuzhu.policy.errors import PolicyError
from jiuzhu.policy.ids import parse_id_number

KINDS = ("建档立卡/脱贫", "低保边缘")
OUTCOMES = ("纳入", "不符合", "转介")  # what a visit ends with; 不符合 and 转介 carry a reason

# Header wordings seen in registers, by the field they hold.
HEADERS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "户主身份证号"),
    "name": ("姓名", "户主姓名", "户主"),
    "township": ("乡镇", "乡镇（街道）", "乡镇(街道)", "乡镇街道", "所属乡镇"),
    "village": ("村", "村（社区）", "村(社区)", "行政村", "所属村"),
    "household_size": ("家庭人口", "家庭人口数", "人口数", "户人数"),
    "kind": ("类别", "人员类别", "监测类别"),
}
REQUIRED = ("id_number", "name", "township")


@dataclass(frozen=True)
class RegisterEntry:
    row: int  # 1-based spreadsheet row (the header is row 1)
    id_number: str
    name: str
    township: str
    village: str
    household_size: int | None
    kind: str


@dataclass(frozen=True)
class RegisterProblem:
    row: int
    message: str


def _clean(cell: object) -> str:
    return re.sub(r"\s+", "", "" if cell is None else str(cell))


def header_columns(header: Sequence[object]) -> dict[str, int]:
    """Which column holds which field; raises with the missing headers named in Chinese."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = _clean(cell)
        for key, names in HEADERS.items():
            if key not in found and text in names:
                found[key] = index
    missing = [HEADERS[k][0] for k in REQUIRED if k not in found]
    if missing:
        raise PolicyError("register_headers", f"花名册缺少列：{'、'.join(missing)}（第1行应为表头）")
    return found


def _kind(text: str, default: str) -> str:
    if not text:
        return default
    if "边缘" in text:
        return "低保边缘"
    if any(word in text for word in ("建档立卡", "脱贫", "监测")):
        return "建档立卡/脱贫"
    return default


def read_register(
    rows: Sequence[Sequence[object]], *, kind: str, today: date
) -> tuple[list[RegisterEntry], list[RegisterProblem]]:
    """Entries of a register (header first) and the rows that cannot be used, with the reason."""
    if kind not in KINDS:
        raise PolicyError("register_kind", f"花名册类别应为“建档立卡/脱贫”或“低保边缘”，实际为“{kind}”")
    if not rows:
        raise PolicyError("register_empty", "花名册是空的")
    columns = header_columns(rows[0])
    entries: list[RegisterEntry] = []
    problems: list[RegisterProblem] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = {key: _clean(row[i]) if i < len(row) else "" for key, i in columns.items()}
        if not any(cells.values()):
            continue  # a blank line
        try:
            resident = parse_id_number(cells["id_number"], today=today)
        except PolicyError as error:
            problems.append(RegisterProblem(number, f"第{number}行：身份证号码无效（{error.message}）"))
            continue
        if not cells["name"] or not cells["township"]:
            problems.append(RegisterProblem(number, f"第{number}行：姓名或乡镇未填写"))
            continue
        if resident.number in seen:
            problems.append(RegisterProblem(number, f"第{number}行：与第{seen[resident.number]}行身份证号码重复"))
            continue
        seen[resident.number] = number
        size_text = cells.get("household_size", "")
        size = int(size_text) if size_text.isdigit() and int(size_text) > 0 else None
        entries.append(
            RegisterEntry(
                row=number,
                id_number=resident.number,
                name=cells["name"],
                township=cells["township"],
                village=cells.get("village", ""),
                household_size=size,
                kind=_kind(cells.get("kind", ""), kind),
            )
        )
    return entries, problems


def uncovered(entries: Iterable[RegisterEntry], covered_ids: set[str]) -> list[RegisterEntry]:
    """The register's people that no current case covers (matched by ID number), in register order."""
    return [e for e in entries if e.id_number not in covered_ids]


def check_outcome(outcome: str, reason: str) -> list[str]:
    """A visit's outcome as the person is told what is missing (empty: fine)."""
    if outcome not in OUTCOMES:
        return ["请选择走访结果（纳入、不符合或转介）"]
    if outcome in ("不符合", "转介") and not reason.strip():
        return ["不符合的写明理由，转介的写明转介到哪里、为什么"]
    if len(reason) > 1000:
        return ["理由不超过1000字"]
    return []
