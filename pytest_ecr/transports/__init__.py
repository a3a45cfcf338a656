"""Ways a request reaches the fake: the in-process botocore hook, the HTTP server."""
