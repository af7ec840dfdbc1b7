"""moto's other services, taught to follow the KMS key, one module per service.

Each module swaps in (and restores) what its service needs while the mock is active: CloudTrail
serves the recorded KMS events through ``LookupEvents``, and the services that protect data under
a KMS key ask the extended KMS backend for a data key on write and for its plaintext on read, so
that deleting or expiring imported material breaks them when they next need the key, as on AWS.
Imports from ``kms`` and ``crypto`` only; ``_activation`` installs them.
"""
