"""好差评: five-level ratings of completed applications, appointments and 12345 tickets, the
rectification of bad ratings, department appeals and public statistics."""
