"""Machine readings a page had before it was read again (`toji process --reread`): the
engine and model, the lines and the record, so no reading is ever lost.

Revision ID: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "readings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("engine", sa.String(32), nullable=False),
        sa.Column("form", sa.String(16)),
        sa.Column("template", sa.String(64)),
        sa.Column("lines", sa.JSON, nullable=False),
        sa.Column("record", sa.JSON),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("readings")
