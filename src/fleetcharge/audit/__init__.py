"""The audit log: every change to the network's data, who made it, before and after."""
