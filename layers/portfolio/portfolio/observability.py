"""Logging, tracing and metrics: one Powertools instance of each for the whole process.

Powertools reads its settings from the environment (POWERTOOLS_SERVICE_NAME,
POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_TRACE_DISABLED...), which
template.yaml sets in Globals. Creating these objects touches no AWS client.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "portfolio-api"

logger = Logger(service=SERVICE)
# botocore is what every AWS call (pynamodb's included) goes through; patching the other
# libraries the X-Ray SDK knows would import them at cold start for nothing.
tracer = Tracer(service=SERVICE, patch_modules=["botocore"])
metrics = Metrics(service=SERVICE)

__all__ = ["SERVICE", "MetricUnit", "logger", "metrics", "tracer"]
