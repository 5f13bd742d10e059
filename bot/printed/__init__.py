"""Printed things: posters with QR codes and the programme report, as PDF."""
