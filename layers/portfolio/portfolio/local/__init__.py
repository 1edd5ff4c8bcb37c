"""The local stack (`portfolio serve`): template.yaml run on this machine without Docker.

moto in server mode plays AWS; the handlers template.yaml names run in this process, behind
a small HTTP front that turns requests into API Gateway REST proxy events, and a poller that
turns S3 notifications (delivered to SQS) into the S3 events the template subscribes
functions to. Tooling only: nothing here is deployed or imported by a Lambda handler.
"""
