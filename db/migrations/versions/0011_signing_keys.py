"""Certificates signed as PDFs with a key kept outside the archive.

The archive keeps only the public half: the register of its signing certificates
(made here or imported from the office's PKCS#12), the current one and those retired,
so a certificate signed with any of them keeps verifying. Each certificate row names
the certificate it was signed with and the audit chain's head when it was issued.
The old HMAC key kept in `settings` goes: codes are now made from the signing key, and
a code issued before stays checkable by the register's stored copy.

Revision ID: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("certificate", sa.Text, nullable=False),
        sa.Column("chain", sa.Text, nullable=False, server_default=""),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(128), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True)),
    )
    with op.batch_alter_table("certificates") as table:
        table.add_column(sa.Column("signer", sa.String(64)))
    op.execute("DELETE FROM settings WHERE key = 'certificate_key'")


def downgrade() -> None:
    with op.batch_alter_table("certificates") as table:
        table.drop_column("signer")
    op.drop_table("signing_keys")
