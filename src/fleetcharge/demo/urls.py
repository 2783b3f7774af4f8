"""Where the demo server answers: its HTTP base and its OCPP endpoint."""


def base_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def ocpp_url(base: str) -> str:
    return base.replace("http://", "ws://", 1) + "/ocpp"
