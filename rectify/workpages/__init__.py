"""The bureau clerks' pages under /work/ and the staff's review queue and overview."""
