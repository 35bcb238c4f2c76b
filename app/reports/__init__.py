"""Figures, and the documents compiled from them."""
