"""The HTTP application, above every domain folder: the app and its wiring (Fleets API,
admin API, OCPP endpoint), middleware, lifespan, the direct routes and the server."""
