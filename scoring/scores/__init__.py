"""Scoring and ranking the units, with explanations, robustness and trend."""
