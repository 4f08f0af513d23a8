"""Evaluation: proper scoring rules (pure functions) and as-of backtests built on them."""
