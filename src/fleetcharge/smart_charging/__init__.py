"""Smart charging: the pure allocator that shares a site's power among its sessions."""
