"""Archive settings (issuing office, the certificate key, the document font) and the
register of issued certificates, against which `toji verify` checks a paper or a file.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(32), nullable=False, unique=True),
        sa.Column("code", sa.String(32), nullable=False, index=True),
        sa.Column("parcel_id", sa.Integer, sa.ForeignKey("parcels.id", ondelete="RESTRICT"),
                  nullable=False, index=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("applicant", sa.Text),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("file_sha256", sa.String(64)),
    )


def downgrade() -> None:
    op.drop_table("certificates")
    op.drop_table("settings")
