"""The rules of the API: what a request means and what the answer is. Pure Python except the
use cases (``portfolios``, ``catalogue``, ``card_cache``, ``media``, ``uploads``, ``auth``),
which read and write through ``portfolio.data``; ``tests/unit/test_domain_purity.py`` keeps
the rest free of AWS, pynamodb, Pillow and Powertools."""
