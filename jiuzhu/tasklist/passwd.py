"""Set a staff member's task-list password (argon2) — the login must exist in the staff table.

    python -m jiuzhu.tasklist.passwd LOGIN            # prompts twice
    echo "$PW" | python -m jiuzhu.tasklist.passwd LOGIN --stdin

The database is ``JIUZHU_DATABASE_URL`` (or ``--database-url``).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlmodel import Session, select

from jiuzhu.tasklist.credentials import WeakPasswordError, create_tables, set_password
from jiuzhu.tasklist.settings import TasklistSettings
from schemas.db import make_engine
from schemas.tables import Staff


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="set a task-list password")
    parser.add_argument("login")
    parser.add_argument("--stdin", action="store_true", help="read the password from standard input")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    db = make_engine(args.database_url or TasklistSettings().database_url)
    with Session(db) as session:
        if session.exec(select(Staff).where(Staff.login == args.login)).first() is None:
            print(f"no staff member with login {args.login!r}", file=sys.stderr)
            return 2
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("新密码: ")
        if getpass.getpass("再次输入: ") != password:
            print("两次输入不一致", file=sys.stderr)
            return 2
    create_tables(db)
    try:
        set_password(db, args.login, password)
    except WeakPasswordError as err:
        print(str(err), file=sys.stderr)
        return 2
    print(f"password set for {args.login}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
