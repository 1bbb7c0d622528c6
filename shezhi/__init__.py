"""Shezhi (社志通): professional social work + volunteer service platform."""
