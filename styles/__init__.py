"""Style sheets shipped with pressout (installed as ``pressout.styles``); see README."""
