"""Reusable parts of the screens (security image, ...)."""
