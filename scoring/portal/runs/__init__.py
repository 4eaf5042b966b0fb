"""Scoring runs: their inputs folder, progress, results, publication and verification."""
