"""Data access: the only code that talks to DynamoDB (through pynamodb). Import
``portfolio.data.models`` only after the environment names the tables."""
