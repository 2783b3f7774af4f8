"""Emailing issued documents to organisations' billing contacts, and payment reminders for
overdue ones: each sending recorded, none sent twice by accident."""
