"""Reading ``template.yaml``, the single source of tables, indexes, buckets, routes and
environment names, for the tests and the local stack. Not used inside Lambda."""
