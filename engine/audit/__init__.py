"""Audit of cited answers: parse claims, check citations and quotes, judge support, summarise."""
