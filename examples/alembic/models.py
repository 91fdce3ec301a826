"""The example's models: two tables that get id, created, updated and href from EnvoxyMixin."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from envoxy.db.envoxy_mixin import EnvoxyMixin


class Base(DeclarativeBase):
    pass


class Shop(EnvoxyMixin, Base):
    __tablename__ = "shops"
    name: Mapped[str] = mapped_column(String(100))


class Product(EnvoxyMixin, Base):
    __tablename__ = "products"
    name: Mapped[str] = mapped_column(String(100))
    shop_id: Mapped[str] = mapped_column(ForeignKey("shops.id"))
