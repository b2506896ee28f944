"""Who issues a township's notices: the body's legal name follows the kind of township.

乡/镇 act as 人民政府; a 街道 is the county's agency, its 办事处; a 开发区 (or 园区) is run by its
管理委员会. A name that already ends in its body's title is kept as it is.
"""

from __future__ import annotations

_SUFFIXES = (
    ("街道办事处", ""),
    ("管理委员会", ""),
    ("人民政府", ""),
    ("街道", "办事处"),
    ("开发区", "管理委员会"),
    ("园区", "管理委员会"),
    ("管委会", ""),
)


def issuing_body(township_name: str) -> str:
    """``桃州镇`` → ``桃州镇人民政府``; ``城关街道`` → ``城关街道办事处``; ``经济开发区`` → ``经济开发区管理委员会``."""
    name = township_name.strip()
    for suffix, title in _SUFFIXES:
        if name.endswith(suffix):
            return name + title
    return f"{name}人民政府"
