"""The fault-injection, fuzzing and crash-safety suite (marker ``faults``): bad inputs, broken servers and disks, kills."""
