"""The trust layer: judging text. Sentence flags, source profiles, the claim verifier and its checks.

It knows nothing of HTTP, SQLite or FAISS: index/build.py calls it to annotate at ingest, service/audit calls
it to judge claims.
"""
