"""Forms an archive has learnt: the template of a printing a clerk kept from a page read
by its labels, and on each page the template it was read by (none when read by labels).

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("template", sa.JSON, nullable=False),
        sa.Column("page_id", sa.Integer, sa.ForeignKey("pages.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("template", sa.String(64)))
    op.create_index("ix_pages_template", "pages", ["template"])


def downgrade() -> None:
    op.drop_index("ix_pages_template", "pages")
    with op.batch_alter_table("pages") as batch:
        batch.drop_column("template")
    op.drop_table("forms")
