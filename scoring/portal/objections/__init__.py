"""Feedback (反馈征求意见) and objections (issue 22)."""
