"""The rules of the API: what a request means and what the answer is. Pure Python except
``portfolios`` (the service functions), which reads through ``portfolio.data``."""
