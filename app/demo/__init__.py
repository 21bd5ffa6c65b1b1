"""Deterministic demo data: a business hall with customers, bills and payments."""

from app.demo.generator import DemoSummary, generate

__all__ = ["DemoSummary", "generate"]
