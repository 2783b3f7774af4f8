"""The catalogue of webhook events: each type's payload schema and the `webhooks` section
of our OpenAPI documents. Above the domains (it reads their API schemas); nothing below
the HTTP applications imports it."""
