"""Pure cryptography and AWS's per-key-spec rules, with no moto in sight.

Wrapping and unwrapping as AWS documents it, material validation and key-material ids, BER/PKCS#8,
what KMS computes with RSA, ECC and HMAC material, the ciphertext blob, import tokens, the bundled
wrapping keys and the key-spec tables. Everything here takes bytes and returns bytes or raises, so
it can be tested without a mock. Nothing in this package imports from the other layers.
"""
