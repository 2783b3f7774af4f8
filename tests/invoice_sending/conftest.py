from tests.mailbox import mailbox, smtp_env  # noqa: F401  (fixtures)
