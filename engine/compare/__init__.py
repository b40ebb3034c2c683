"""Where sources disagree: statements that answer a question, grouped by what they speak of, with the relation
between the sources in each group and who stands where (``groundqa compare``, ``POST /v1/compare``)."""
