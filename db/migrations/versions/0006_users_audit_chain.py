"""Users and roles; the audit log becomes an append-only hash chain (rows written before
this version are chained in id order now).

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQLITE_GUARDS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
POSTGRES_GUARDS = [
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
]


def upgrade() -> None:
    from db.audit import GENESIS, row_hash

    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64)))
        batch.add_column(sa.Column("row_hash", sa.String(64)))
    bind = op.get_bind()
    audit = sa.table("audit_log", sa.column("id", sa.Integer),
                     sa.column("at", sa.DateTime(timezone=True)), sa.column("actor", sa.String),
                     sa.column("action", sa.String), sa.column("subject", sa.Text),
                     sa.column("detail", sa.JSON), sa.column("prev_hash", sa.String),
                     sa.column("row_hash", sa.String))
    prev = GENESIS
    rows = bind.execute(sa.select(audit).order_by(audit.c.id)).all()
    for row in rows:
        digest = row_hash(prev, row.at, row.actor, row.action, row.subject, row.detail)
        bind.execute(audit.update().where(audit.c.id == row.id)
                     .values(prev_hash=prev, row_hash=digest))
        prev = digest
    for statement in SQLITE_GUARDS if bind.dialect.name == "sqlite" else \
            POSTGRES_GUARDS if bind.dialect.name == "postgresql" else []:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the audit chain is not taken apart")
