"""The 12345 hotline: tickets from the app and the call centre, classification and routing to a
department, deadlines with escalation (接诉即办), replies, satisfaction callbacks and a knowledge base."""
