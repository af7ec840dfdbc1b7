"""Server mode: ``kms-import-mock serve`` (moto's HTTP server with the import extension and a
control API), the child process behind the pytest server fixtures, the client side of the control
API that a handle uses against a server, and the command line. Part of the user's surface:
imports from the top-level modules and the layers below them.
"""
