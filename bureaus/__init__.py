"""Bureau party groups (被巡察党组织) and, later, their members."""
