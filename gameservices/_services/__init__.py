"""The client's namespaces (``client.auth``, ``client.leaderboards``...): build -> send -> parse."""
