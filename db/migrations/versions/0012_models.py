"""Fine-tuned recognisers kept in the database, so a server archive can train.

A SQLite archive keeps its models in models/ beside its file; a PostgreSQL archive has no
folder of its own, so its models (weights, dictionary, figures) are rows here, written
out to each machine's cache when a desk or a worker reads with one.

Revision ID: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("name", sa.String(23), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("weights", sa.LargeBinary, nullable=False),
        sa.Column("dictionary", sa.Text, nullable=False),
        sa.Column("info", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("models")
