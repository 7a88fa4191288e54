"""Hall appointments: windows, time slots (evenings and weekends, 365 天不打烊), booking with
capacity held by compare-and-set, check-in with queue numbers, no-shows and reminders."""
