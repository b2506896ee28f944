"""Initial case record: every table of the first release, and the append-only audit log triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 06:39:07.303397

Types are written out here (sa.String, sa.DateTime(timezone=True), non-native sa.Enum) rather
than imported from the models, so this revision keeps meaning what it meant when models change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit log is append-only even for raw SQL: the database itself refuses UPDATE and DELETE.
_PG_FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    # TRUNCATE skips row triggers: refuse it per statement.
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
)


def _create_audit_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in (_PG_FUNCTION, *_PG_TRIGGERS):
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    else:
        raise NotImplementedError(f"no append-only trigger for {dialect}: add one before using this database")


def _drop_audit_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_truncate"):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_log")
        elif dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("process_instance_key", sa.BigInteger(), nullable=True),
        sa.Column("element_id", sa.String(length=100), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_action"), "audit_log", ["action"], unique=False)
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_case_id"), "audit_log", ["case_id"], unique=False)
    op.create_index(op.f("ix_audit_log_process_instance_key"), "audit_log", ["process_instance_key"], unique=False)
    _create_audit_triggers()
    op.create_table(
        "townships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_townships")),
        sa.UniqueConstraint("code", name=op.f("uq_townships_code")),
    )
    op.create_table(
        "villages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "ADMINISTRATIVE", "COMMUNITY", "NATURAL", "GROUP", name="villagekind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["villages.id"], name=op.f("fk_villages_parent_id_villages")),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"], name=op.f("fk_villages_township_id_townships")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_villages")),
    )
    op.create_index(op.f("ix_villages_parent_id"), "villages", ["parent_id"], unique=False)
    op.create_index(op.f("ix_villages_township_id"), "villages", ["township_id"], unique=False)
    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("area", sa.Enum("URBAN", "RURAL", name="area", native_enum=False, length=32), nullable=False),
        sa.Column("registered_poor", sa.Boolean(), nullable=False),
        sa.Column("bank_account", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"], name=op.f("fk_households_township_id_townships")),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name=op.f("fk_households_village_id_villages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    op.create_index(op.f("ix_households_township_id"), "households", ["township_id"], unique=False)
    op.create_index(op.f("ix_households_village_id"), "households", ["village_id"], unique=False)
    op.create_table(
        "publicity_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=100), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complaint_phone", sa.String(length=40), nullable=False),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_publicity_notices_period_order")),
        sa.ForeignKeyConstraint(
            ["township_id"], ["townships.id"], name=op.f("fk_publicity_notices_township_id_townships")
        ),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name=op.f("fk_publicity_notices_village_id_villages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publicity_notices")),
    )
    op.create_index(op.f("ix_publicity_notices_township_id"), "publicity_notices", ["township_id"], unique=False)
    op.create_index(op.f("ix_publicity_notices_village_id"), "publicity_notices", ["village_id"], unique=False)
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "VILLAGE_ASSISTANT",
                "CASEWORKER",
                "LEADER",
                "COUNTY_SUPERVISOR",
                name="staffrole",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("township_id", sa.Integer(), nullable=True),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("login", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "role = 'COUNTY_SUPERVISOR' OR township_id IS NOT NULL", name=op.f("ck_staff_township_scope")
        ),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"], name=op.f("fk_staff_township_id_townships")),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name=op.f("fk_staff_village_id_villages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("login", name=op.f("uq_staff_login")),
    )
    op.create_index(op.f("ix_staff_role"), "staff", ["role"], unique=False)
    op.create_index(op.f("ix_staff_township_id"), "staff", ["township_id"], unique=False)
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column(
            "relationship",
            sa.Enum(
                "SELF",
                "SPOUSE",
                "CHILD",
                "PARENT",
                "GRANDCHILD",
                "GRANDPARENT",
                "SIBLING",
                "OTHER",
                name="relationship",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "disability_kind",
            sa.Enum(
                "VISUAL",
                "HEARING",
                "SPEECH",
                "PHYSICAL",
                "INTELLECTUAL",
                "MENTAL",
                "MULTIPLE",
                name="disabilitykind",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("disability_grade", sa.Integer(), nullable=True),
        sa.Column("seriously_ill", sa.Boolean(), nullable=False),
        sa.Column(
            "work_capacity",
            sa.Enum("ABLE", "PARTLY", "NONE", name="workcapacity", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "(disability_kind IS NULL) = (disability_grade IS NULL)", name=op.f("ck_members_disability_pair")
        ),
        sa.CheckConstraint(
            "disability_grade IS NULL OR disability_grade BETWEEN 1 AND 4", name=op.f("ck_members_disability_grade")
        ),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_members_household_id_households")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
        sa.UniqueConstraint("id_number", name=op.f("uq_members_id_number")),
    )
    op.create_index(op.f("ix_members_household_id"), "members", ["household_id"], unique=False)
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "DIBAO",
                "NEAR_POOR",
                "TEKUN",
                "TEMPORARY_EMERGENCY",
                "TEMPORARY_EXPENDITURE",
                name="programme",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("path", sa.Enum("REFORM", "NATIONAL", name="casepath", native_enum=False, length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "ACCEPTED",
                "CHECKING",
                "VISITING",
                "AWAITING_APPROVAL",
                "IN_PUBLICITY",
                "APPROVED",
                "REJECTED",
                "RELIEVED_FIRST",
                "WITHDRAWN",
                "TERMINATED",
                "CLOSED",
                name="casestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("process_instance_key", sa.BigInteger(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum("ONE_WINDOW", "PROXY", "ONLINE", name="channel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("proxy_assistant_id", sa.Integer(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("check_authorised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registered_separately", sa.Boolean(), nullable=False),
        sa.Column("decision_due", sa.Date(), nullable=True),
        sa.Column("warn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("breach_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_provisional", sa.Boolean(), nullable=False),
        sa.Column(
            "emergency_cause",
            sa.Enum(
                "ACCIDENT",
                "FIRE",
                "SERIOUS_ILLNESS",
                "NATURAL_DISASTER",
                "OTHER",
                name="emergencycause",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("incident_location", sa.Text(), nullable=True),
        sa.Column("relief_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel <> 'PROXY' OR proxy_assistant_id IS NOT NULL", name=op.f("ck_cases_proxy_assistant")
        ),
        sa.CheckConstraint(
            "warn_at IS NULL OR breach_at IS NULL OR warn_at <= breach_at", name=op.f("ck_cases_warn_before_breach")
        ),
        sa.ForeignKeyConstraint(["accepted_by_id"], ["staff.id"], name=op.f("fk_cases_accepted_by_id_staff")),
        sa.ForeignKeyConstraint(["applicant_id"], ["members.id"], name=op.f("fk_cases_applicant_id_members")),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_cases_household_id_households")),
        sa.ForeignKeyConstraint(["proxy_assistant_id"], ["staff.id"], name=op.f("fk_cases_proxy_assistant_id_staff")),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"], name=op.f("fk_cases_township_id_townships")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_number", name=op.f("uq_cases_case_number")),
        sa.UniqueConstraint("process_instance_key", name=op.f("uq_cases_process_instance_key")),
    )
    op.create_index(op.f("ix_cases_breach_at"), "cases", ["breach_at"], unique=False)
    op.create_index(op.f("ix_cases_household_id"), "cases", ["household_id"], unique=False)
    op.create_index(op.f("ix_cases_status"), "cases", ["status"], unique=False)
    op.create_index(op.f("ix_cases_township_id"), "cases", ["township_id"], unique=False)
    op.create_index(op.f("ix_cases_type"), "cases", ["type"], unique=False)
    op.create_index(op.f("ix_cases_warn_at"), "cases", ["warn_at"], unique=False)
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("APPROVED", "REJECTED", name="decisionoutcome", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("effective_month", sa.Date(), nullable=True),
        sa.Column(
            "self_care_level",
            sa.Enum("ABLE", "PARTLY_LOST", "FULLY_LOST", name="selfcarelevel", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome <> 'APPROVED' OR (amount IS NOT NULL AND amount > 0 AND effective_month IS NOT NULL)",
            name=op.f("ck_decisions_approved_has_amount"),
        ),
        sa.ForeignKeyConstraint(["approver_id"], ["staff.id"], name=op.f("fk_decisions_approver_id_staff")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_decisions_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_case_id"), "decisions", ["case_id"], unique=False)
    op.create_table(
        "economic_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum("MEETS", "FAILS", "NEEDS_VERIFICATION", name="checkoutcome", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("platform_reference", sa.String(length=64), nullable=True),
        sa.Column("per_capita_income", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("recheck_of_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_economic_checks_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["recheck_of_id"], ["economic_checks.id"], name=op.f("fk_economic_checks_recheck_of_id_economic_checks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_economic_checks")),
    )
    op.create_index(op.f("ix_economic_checks_case_id"), "economic_checks", ["case_id"], unique=False)
    op.create_table(
        "home_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lead_visitor_id", sa.Integer(), nullable=True),
        sa.Column("second_visitor_id", sa.Integer(), nullable=True),
        sa.Column("county_led", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "visited_at IS NULL OR (lead_visitor_id IS NOT NULL AND second_visitor_id IS NOT NULL"
            " AND lead_visitor_id <> second_visitor_id AND passed IS NOT NULL)",
            name=op.f("ck_home_visits_two_visitors"),
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_home_visits_case_id_cases")),
        sa.ForeignKeyConstraint(["lead_visitor_id"], ["staff.id"], name=op.f("fk_home_visits_lead_visitor_id_staff")),
        sa.ForeignKeyConstraint(
            ["second_visitor_id"], ["staff.id"], name=op.f("fk_home_visits_second_visitor_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_visits")),
    )
    op.create_index(op.f("ix_home_visits_case_id"), "home_visits", ["case_id"], unique=False)
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "RECEIVED", "UNDER_REVIEW", "UPHELD", "DISMISSED", name="objectionstatus", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_objections_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["publicity_notices.id"], name=op.f("fk_objections_notice_id_publicity_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objections")),
        sa.UniqueConstraint("message_id", name=op.f("uq_objections_message_id")),
    )
    op.create_index(op.f("ix_objections_case_id"), "objections", ["case_id"], unique=False)
    op.create_index(op.f("ix_objections_notice_id"), "objections", ["notice_id"], unique=False)
    op.create_index(op.f("ix_objections_status"), "objections", ["status"], unique=False)
    op.create_table(
        "publicity_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("village_label", sa.String(length=100), nullable=False),
        sa.Column("masked_name", sa.String(length=50), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("monthly_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("household_size >= 1", name=op.f("ck_publicity_rows_household_size")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_publicity_rows_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["publicity_notices.id"], name=op.f("fk_publicity_rows_notice_id_publicity_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publicity_rows")),
        sa.UniqueConstraint("notice_id", "case_id", name=op.f("uq_publicity_rows_notice_id_case_id")),
    )
    op.create_index(op.f("ix_publicity_rows_case_id"), "publicity_rows", ["case_id"], unique=False)
    op.create_index(op.f("ix_publicity_rows_notice_id"), "publicity_rows", ["notice_id"], unique=False)
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column(
            "target",
            sa.Enum(
                "MEDICAL",
                "EDUCATION",
                "CHARITY",
                "EMPLOYMENT",
                "HOUSING",
                "DIBAO",
                "TEMPORARY",
                name="referraltarget",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("OPEN", "ACCEPTED", "DECLINED", "CLOSED", name="referralstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff.id"], name=op.f("fk_referrals_created_by_id_staff")),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_referrals_household_id_households")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_referrals_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    op.create_index(op.f("ix_referrals_case_id"), "referrals", ["case_id"], unique=False)
    op.create_index(op.f("ix_referrals_household_id"), "referrals", ["household_id"], unique=False)
    op.create_index(op.f("ix_referrals_status"), "referrals", ["status"], unique=False)
    op.create_table(
        "written_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "REJECTION", "APPROVAL", "CHANGE", "MISSING_MATERIALS", name="noticekind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("issuing_body", sa.String(length=100), nullable=False),
        sa.Column("applicant_name", sa.String(length=50), nullable=False),
        sa.Column("application_date", sa.Date(), nullable=False),
        sa.Column(
            "application_type",
            sa.Enum(
                "DIBAO",
                "NEAR_POOR",
                "TEKUN",
                "TEMPORARY_EMERGENCY",
                "TEMPORARY_EXPENDITURE",
                name="programme",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("redress", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt_reference", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "delivered_at IS NULL OR receipt_reference IS NOT NULL", name=op.f("ck_written_notices_delivery_receipt")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_written_notices_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_written_notices")),
        sa.UniqueConstraint("number", name=op.f("uq_written_notices_number")),
    )
    op.create_index(op.f("ix_written_notices_case_id"), "written_notices", ["case_id"], unique=False)
    op.create_table(
        "decision_addons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "ELDERLY",
                "MINOR",
                "SEVERELY_DISABLED",
                "SERIOUSLY_ILL",
                name="membercategory",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_addons_decision_id_decisions")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_decision_addons_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_addons")),
        sa.UniqueConstraint(
            "decision_id", "member_id", "category", name=op.f("uq_decision_addons_decision_id_member_id_category")
        ),
    )
    op.create_index(op.f("ix_decision_addons_decision_id"), "decision_addons", ["decision_id"], unique=False)
    op.create_table(
        "economic_check_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "HUKOU",
                "TAX",
                "SOCIAL_INSURANCE",
                "REAL_ESTATE",
                "BUSINESS_REGISTRATION",
                "HOUSING_FUND",
                "VEHICLES",
                "BANK_DEPOSITS",
                "COMMERCIAL_INSURANCE",
                "SECURITIES",
                "ONLINE_PAYMENT",
                name="checksource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum("MEETS", "FAILS", "NEEDS_VERIFICATION", name="checkoutcome", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["check_id"], ["economic_checks.id"], name=op.f("fk_economic_check_items_check_id_economic_checks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_economic_check_items")),
        sa.UniqueConstraint("check_id", "source", name=op.f("uq_economic_check_items_check_id_source")),
    )
    op.create_index(op.f("ix_economic_check_items_check_id"), "economic_check_items", ["check_id"], unique=False)
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("MONTHLY", "EMERGENCY", "ONE_OFF", name="paymentkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum("SCHEDULED", "PAID", "FAILED", name="paymentstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_positive_amount")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_payments_case_id_cases")),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"], name=op.f("fk_payments_decision_id_decisions")),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_payments_household_id_households")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("household_id", "month", "case_id", name=op.f("uq_payments_household_id_month_case_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payments_idempotency_key")),
    )
    op.create_index(op.f("ix_payments_case_id"), "payments", ["case_id"], unique=False)
    op.create_index(op.f("ix_payments_household_id"), "payments", ["household_id"], unique=False)
    op.create_index(op.f("ix_payments_status"), "payments", ["status"], unique=False)
    op.create_table(
        "visit_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column(
            "role", sa.Enum("VISITOR", "FAMILY", name="signatoryrole", native_enum=False, length=32), nullable=False
        ),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role <> 'VISITOR' OR staff_id IS NOT NULL", name=op.f("ck_visit_signatures_visitor_is_staff")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_visit_signatures_member_id_members")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_visit_signatures_staff_id_staff")),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["home_visits.id"], name=op.f("fk_visit_signatures_visit_id_home_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_signatures")),
    )
    op.create_index(op.f("ix_visit_signatures_visit_id"), "visit_signatures", ["visit_id"], unique=False)


def downgrade() -> None:
    _drop_audit_triggers()
    op.drop_table("visit_signatures")
    op.drop_table("payments")
    op.drop_table("economic_check_items")
    op.drop_table("decision_addons")
    op.drop_table("written_notices")
    op.drop_table("referrals")
    op.drop_table("publicity_rows")
    op.drop_table("objections")
    op.drop_table("home_visits")
    op.drop_table("economic_checks")
    op.drop_table("decisions")
    op.drop_table("cases")
    op.drop_table("members")
    op.drop_table("staff")
    op.drop_table("publicity_notices")
    op.drop_table("households")
    op.drop_table("villages")
    op.drop_table("townships")
    op.drop_table("audit_log")
