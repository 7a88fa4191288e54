"""Administrative regions (GB/T 2260), the departments that handle matters, and service halls."""
