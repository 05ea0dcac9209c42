"""Parcels read from register pages; the field each text line belongs to; the page's form.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("form", sa.String(16)))
        batch.add_column(sa.Column("skew", sa.Float))
    with op.batch_alter_table("text_lines") as batch:
        batch.add_column(sa.Column("field", sa.String(32)))
    op.create_table(
        "parcels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
        sa.Column("form", sa.String(16), nullable=False),
        sa.Column("location", sa.Text),
        sa.Column("lot", sa.String(32)),
        sa.Column("category", sa.String(16)),
        sa.Column("final_owner", sa.Text),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
    )
    op.create_index("ix_parcels_lot", "parcels", ["lot"])
    op.create_index("ix_parcels_final_owner", "parcels", ["final_owner"])


def downgrade() -> None:
    op.drop_table("parcels")
    with op.batch_alter_table("text_lines") as batch:
        batch.drop_column("field")
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("skew")
        batch.drop_column("form")
