"""The citizen kiosk: full screen, large Vietnamese type, the receipt's QR to the camera."""
