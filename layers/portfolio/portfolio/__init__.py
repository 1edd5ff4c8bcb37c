"""The Portfolio API's domain package, shared by every Lambda function, the CLI, the local
stack and the tests.

Where things live:
- ``api``: HTTP glue the handlers share (errors to status codes, the caller's URL, JSON).
- ``domain``: the rules (query parsing, planning, search, filters, ordering, pagination,
  rendering) and the service functions the handlers call.
- ``data``: the only code that talks to DynamoDB (pynamodb models and selectors).
"""
