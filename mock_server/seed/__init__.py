"""Deterministic seed data: the demo members, their accounts and years of movements.

One module per area of the demo data, each giving its rows as the store's tables name them:

- :mod:`~mock_server.seed.members`: the socios with a S.J. Virtual user, and those without;
- :mod:`~mock_server.seed.history` and :mod:`~mock_server.seed.books`: each account's history
  and the cooperative's double-entry books (journal, movements, Caja general);
- :mod:`~mock_server.seed.masivo`: the big account, 100,000 movements;
- :mod:`~mock_server.seed.beneficiaries`: other institutions, beneficiaries, transfer limits;
- :mod:`~mock_server.seed.billers` and :mod:`~mock_server.seed.cards`: pago de servicios and
  pago de tarjetas;
- :mod:`~mock_server.seed.staff`: the teller and the registration request waiting for one.

:mod:`~mock_server.seed.build` writes them through the store (:mod:`mock_server.store.bulk`) in
one transaction; :mod:`~mock_server.seed.template` keeps a seeded template of the day and makes
fresh copies of it, so that ``sjvirtual --demo`` starts fast.
"""

from mock_server.seed.beneficiaries import BENEFICIARIES, CLOSED_EXTERNAL_ACCOUNTS, INSTITUTIONS
from mock_server.seed.billers import BILLERS, BILLS, bill_period
from mock_server.seed.books import CAPITAL_CENTS, INTERNAL_ACCOUNTS
from mock_server.seed.build import SEED, SEED_VERSION, seed_database
from mock_server.seed.cards import CARD_ISSUERS, CARDS, CLOSED_EXTERNAL_CARDS
from mock_server.seed.errors import SeedError
from mock_server.seed.history import MIN_BALANCE_CENTS, SeedAccount, generate_events
from mock_server.seed.masivo import BULK_MOVEMENTS, SMALL_BULK_MOVEMENTS
from mock_server.seed.members import HOLDERS, MEMBERS
from mock_server.seed.staff import PENDING_REGISTRATIONS, STAFF
from mock_server.seed.template import (
    APP_NAME,
    ensure_postgresql_template,
    ensure_template,
    fresh_database,
    fresh_postgresql_database,
    postgresql_template_name,
    template_dir,
    template_path,
)

__all__ = [
    "APP_NAME",
    "BENEFICIARIES",
    "BILLERS",
    "BILLS",
    "BULK_MOVEMENTS",
    "CAPITAL_CENTS",
    "CARDS",
    "CARD_ISSUERS",
    "CLOSED_EXTERNAL_ACCOUNTS",
    "CLOSED_EXTERNAL_CARDS",
    "HOLDERS",
    "INSTITUTIONS",
    "INTERNAL_ACCOUNTS",
    "MEMBERS",
    "MIN_BALANCE_CENTS",
    "PENDING_REGISTRATIONS",
    "SEED",
    "SEED_VERSION",
    "SMALL_BULK_MOVEMENTS",
    "STAFF",
    "SeedAccount",
    "SeedError",
    "bill_period",
    "ensure_postgresql_template",
    "ensure_template",
    "fresh_database",
    "fresh_postgresql_database",
    "generate_events",
    "postgresql_template_name",
    "seed_database",
    "template_dir",
    "template_path",
]
