"""The extended KMS backend and its HTTP face: moto's KMS with the import lifecycle.

``backend.ImportKmsBackend`` is assembled from one mixin per concern (import operations, rotation
and replicas, key-state rules, crypto with imported material) over ``base``; ``responses`` is the
Response class moto serves, after ``params``/``shapes`` have checked the request. Also here: the
state dataclasses, AWS-shaped errors, the mock's clock and the CloudTrail-shaped events, because
every KMS rule reads them. Imports only from ``crypto``.
"""
