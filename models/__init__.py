"""Trained models shipped with movement (see MODEL_CARD.md)."""
