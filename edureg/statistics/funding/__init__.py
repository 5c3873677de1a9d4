"""The per-pupil funding calculation (mokinio krepšelio skaičiavimas): versioned rule sets, dated
runs explained per pupil, and NVŠ basket funding from the providers' funding marks."""
