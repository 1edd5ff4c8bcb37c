"""HTTP glue shared by the API functions: the caller's URL, JSON responses, and the one
place where domain errors become status codes."""
